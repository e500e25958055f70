"""The wire shapes of cases: list query, transition request, case summary and detail. Times are UTC ISO-8601."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from server.api.fields import IsoDate
from server.audit.service import entity_history
from server.cases import workflow
from server.cases.service import AUDIT_ENTITY
from server.db_types import BIGINT_MAX
from server.rules.codes import CATEGORY_LABELS_ZH


class CaseListQuery(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(workflow.STATUSES))
    village = fields.String(load_default=None, validate=validate.Regexp(r"^\d{12}$"))
    township = fields.String(load_default=None, validate=validate.Regexp(r"^\d{9}$"))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=BIGINT_MAX))


class TransitionRequest(Schema):
    action = fields.String(required=True, validate=validate.OneOf(sorted(workflow.USER_ACTIONS)))
    note = fields.String(load_default=None, validate=validate.Length(max=2000))
    deadline = IsoDate(load_default=None)  # 整改期限, a local date: the case is overdue after that day
    expected_version = fields.Integer(load_default=None, strict=True, validate=validate.Range(min=1))


class CaseSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    status_label = fields.Function(lambda c: workflow.STATUS_LABELS_ZH[c.status])
    code = fields.String()
    category = fields.String()
    category_label = fields.Function(lambda c: CATEGORY_LABELS_ZH[c.category])
    severity = fields.String()
    area_mu = fields.Float(allow_none=True)
    message_zh = fields.String()
    legal_basis = fields.String()
    parcel = fields.String(attribute="parcel.code")
    village = fields.String(attribute="parcel.village.code")
    township = fields.String(attribute="parcel.village.township.code")
    rule_config_version = fields.Integer(attribute="rule_config.version", allow_none=True)
    first_observed_at = fields.AwareDateTime()
    last_observed_at = fields.AwareDateTime()
    deadline_at = fields.AwareDateTime(allow_none=True)
    recheck_task = fields.String(attribute="recheck_task.uuid", allow_none=True)
    version = fields.Integer()
    updated_at = fields.AwareDateTime()


class ObservationSchema(Schema):
    code = fields.String()
    severity = fields.String()
    area_mu = fields.Float(allow_none=True)
    message_zh = fields.String()
    legal_basis = fields.String()
    evidence_level = fields.String(allow_none=True)
    observed_at = fields.AwareDateTime()
    inspection = fields.String(attribute="inspection.uuid")


class LinkedInspectionSchema(Schema):
    role = fields.String()
    uuid = fields.String(attribute="inspection.uuid")
    status = fields.String(attribute="inspection.status")
    evidence_level = fields.String(attribute="inspection.evidence_level", allow_none=True)
    observed_at = fields.AwareDateTime(attribute="inspection.observed_at")
    linked_at = fields.AwareDateTime()


class HistorySchema(Schema):
    """The case's entries of the audit chain."""

    seq = fields.Integer()
    occurred_at = fields.AwareDateTime()
    actor = fields.String()
    action = fields.String()
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    reason = fields.String(allow_none=True)


class CaseDetailSchema(CaseSchema):
    observations = fields.List(fields.Nested(ObservationSchema))
    inspections = fields.List(fields.Nested(LinkedInspectionSchema), attribute="inspection_links")
    history = fields.Method("_history")

    def _history(self, case) -> list[dict]:
        return HistorySchema(many=True).dump(entity_history(AUDIT_ENTITY, case.id))
