"""Imports every domain's models so that the metadata (and Alembic) sees all tables."""

from server.accounts.models import Device, User, inspector_villages  # noqa: F401
from server.parcels.models import ConsolidationProject, Parcel  # noqa: F401
from server.territory.models import County, Township, Village  # noqa: F401
from server.jobs.models import JobRun, SchedulerLease  # noqa: F401
from server.patrols.models import PatrolPlan, PatrolTask  # noqa: F401
