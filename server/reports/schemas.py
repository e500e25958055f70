"""The wire shapes of reports. Amounts leave as decimal strings in 元 (`*_yuan`), never floats."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from server.db_types import BIGINT_MAX
from server.reports.calc import yuan
from server.reports.service import SIGNOFF_LABELS_ZH, STATUS_LABELS_ZH
from server.reports.snapshot import Period, period_of

EXPORT_FORMATS = ("xlsx", "pdf", "csv")


class PeriodRequest(Schema):
    """A year, or one of its quarters or months; `as_of` (a local date) limits what counts."""

    county = fields.String(load_default=None, validate=validate.Regexp(r"^\d{6}$"))
    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100))
    quarter = fields.Integer(load_default=None, strict=True, validate=validate.Range(min=1, max=4))
    month = fields.Integer(load_default=None, strict=True, validate=validate.Range(min=1, max=12))
    as_of = fields.Date(load_default=None)

    @validates_schema
    def _one_period(self, data, **kwargs):
        if data.get("quarter") is not None and data.get("month") is not None:
            raise ValidationError("quarter 与 month 只能给一个", "month")

    @post_load
    def _period(self, data, **kwargs) -> dict:
        if data["quarter"] is not None:
            period = period_of("quarter", data["year"], data["quarter"])
        elif data["month"] is not None:
            period = period_of("month", data["year"], data["month"])
        else:
            period = period_of("year", data["year"])
        if data["as_of"] is not None and data["as_of"] < period.start:
            raise ValidationError("截止日期早于核算期间", "as_of")
        return data | {"period": period}


class ListQuery(Schema):
    year = fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=BIGINT_MAX))


class DiffQuery(Schema):
    against = fields.Integer(load_default=None, validate=validate.Range(min=1, max=BIGINT_MAX))


class SignoffRequest(Schema):
    township = fields.String(required=True, validate=validate.Regexp(r"^\d{9}$"))
    action = fields.String(required=True, validate=validate.OneOf(["sign", "return"]))
    reason = fields.String(load_default=None, validate=validate.Length(max=2000))


def _yuan(attribute: str) -> fields.Function:
    return fields.Function(lambda obj: str(yuan(obj[attribute] if isinstance(obj, dict) else getattr(obj, attribute))))


class SignoffSchema(Schema):
    township = fields.String(attribute="township.code")
    township_name = fields.String(attribute="township.name")
    status = fields.String()
    status_label = fields.Function(lambda s: SIGNOFF_LABELS_ZH[s.status])
    reason = fields.String(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)


class ReportSchema(Schema):
    id = fields.Integer()
    county = fields.String(attribute="county.code")
    period = fields.Function(lambda r: _period_json(Period(r.period_kind, r.period_start, r.period_end)))
    version = fields.Integer(allow_none=True)
    status = fields.String()
    status_label = fields.Function(lambda r: STATUS_LABELS_ZH[r.status])
    as_of = fields.Date()
    rule_version = fields.Integer(allow_none=True)
    snapshot_hash = fields.String()
    base_yuan = _yuan("base_fen")
    deduction_yuan = _yuan("deduction_fen")
    net_yuan = _yuan("net_fen")
    created_at = fields.AwareDateTime()
    issued_at = fields.AwareDateTime(allow_none=True)
    finalised_at = fields.AwareDateTime(allow_none=True)
    signoffs = fields.List(fields.Nested(SignoffSchema))


class VillageSchema(Schema):
    village_code = fields.String(attribute="code")
    name = fields.String()
    township_code = fields.String()
    township_name = fields.String()
    area_mu = fields.Dict()
    area_basis = fields.Dict()
    base_yuan = _yuan("base_fen")
    deduction_yuan = _yuan("deduction_fen")
    net_yuan = _yuan("net_fen")
    deductions_yuan = fields.Function(lambda v: {k: str(yuan(f)) for k, f in v["deductions_fen"].items()})
    vetoed = fields.Boolean()


class LineSchema(Schema):
    key = fields.String()
    kind = fields.String()
    village_code = fields.String()
    case_id = fields.Integer(allow_none=True)
    case_status = fields.String(allow_none=True)
    parcel_code = fields.String(allow_none=True)
    violation_code = fields.String(allow_none=True)
    evidence_level = fields.String(allow_none=True)
    area_mu = fields.String(allow_none=True)
    rule_version = fields.Integer(allow_none=True)
    formula_zh = fields.String()
    note_zh = fields.String()
    amount_yuan = _yuan("amount_fen")


def report_detail(report, view) -> dict:
    """The report with the villages and lines the caller may see, and the totals of those."""
    return ReportSchema().dump(report) | {
        "villages": VillageSchema(many=True).dump(view.villages), "lines": LineSchema(many=True).dump(view.lines),
        "totals": {k.replace("_fen", "_yuan"): str(yuan(v)) for k, v in view.totals.items()},
        "rounding": view.rounding_zh}


def _period_json(period: Period) -> dict:
    return {"kind": period.kind, "start": period.start.isoformat(), "end": period.end.isoformat(),
            "label": period.label_zh}
