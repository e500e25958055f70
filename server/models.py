"""Imports every domain's models so that the metadata (and Alembic) sees all tables."""

from server.accounts.models import Device, User, inspector_villages  # noqa: F401
from server.parcels.models import ConsolidationProject, Parcel  # noqa: F401
from server.territory.models import County, Township, Village  # noqa: F401
from server.jobs.models import JobRun, SchedulerLease  # noqa: F401
from server.patrols.models import PatrolPlan, PatrolTask  # noqa: F401
from server.forms.models import FormVersion  # noqa: F401
from server.inspections.models import Inspection, InspectionConflict, InspectionPhoto  # noqa: F401
from server.photos.models import Photo  # noqa: F401
from server.sync.models import DeviceClock, SyncChange  # noqa: F401
from server.uploads.models import Upload  # noqa: F401
from server.assessments.models import PhotoFinding  # noqa: F401
from server.rules.models import RuleConfig  # noqa: F401
from server.cases.models import CaseInspection, CaseObservation, ViolationCase  # noqa: F401
from server.audit.models import AuditChainHead, AuditEvent  # noqa: F401
from server.parcels.import_jobs import ParcelImportJob  # noqa: F401
from server.reports.models import CompensationReport, ReportSignoff  # noqa: F401
