"""The compensation section of a county's rule configuration (`rule_configs`, section "compensation"):
rates per land class and the deduction rules, with their defaults and sources.

Amounts and factors are decimal strings in the stored body (never floats), so a version reads back to the
same 分 on every database.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

RATE_CLASSES = ("permanent_basic", "general_farmland")
RATE_CLASS_LABELS_ZH = {"permanent_basic": "永久基本农田", "general_farmland": "一般耕地"}
DEDUCTED_CATEGORIES = ("nonag", "nongrain", "abandonment", "maintenance")
# Case statuses: a confirmed violation, whatever became of it afterwards. Never doubts, flagged-unreviewed
# or dismissed cases.
CONFIRMED_STATUSES = ("confirmed", "rectification_ordered", "rectification_submitted", "overdue", "closed")
MISSED_PATROL_MODES = ("per_task", "rate")

# Defaults. [C] = cited in DOMAIN.md §3, [K] = practice to confirm with the county (no published 扣减 table
# was found: 海政办发〔2021〕84号 §二(六) sets the principle only).
DEFAULT_COMPENSATION: dict = {
    # 慈溪市《耕地保护机制实施方案》: 永久基本农田 60 元/亩/年, 一般农田 50 元/亩/年 [C].
    "rates_yuan_per_mu_year": {"permanent_basic": "60", "general_farmland": "50"},
    "counted_statuses": list(CONFIRMED_STATUSES),
    # deduct_area = area × rate × k (DOMAIN §3: k 1.0 abandonment, 2.0 非农化) [K]; upkeep is a fixed share.
    "area_factors": {"nonag": "2", "nongrain": "1", "abandonment": "1", "maintenance": "0"},
    # deduct_pct = percent of the village base per case (DOMAIN §3: e.g. 5% per case) [K]: 1% per upkeep case.
    "base_percent_per_case": {"nonag": "0", "nongrain": "0", "abandonment": "0", "maintenance": "1"},
    "overdue_factor": "1.5",  # a case past its rectification deadline weighs more [K]
    # 能及时制止、查处的,可不扣分 [C, fsou.com]: rectified and verified within the deadline is waived.
    "waive_rectified_in_time": True,
    # 巡查不到位: per_task = percent × missed tasks; rate = percent × missed/due tasks [K].
    "missed_patrols": {"mode": "per_task", "percent": "0.1", "max_percent": "10"},
    "veto_codes": [],  # 一票否决: e.g. ["NONAG_BUILDING"] cancels the village's whole compensation [K]
    "cap_percent": "100",
    "annual_issue_date": "01-10",  # the previous year's report is issued on this local date (MM-DD)
}

_DECIMAL = dict(as_string=True, places=None, allow_nan=False)


@dataclass(frozen=True)
class MissedPatrolRules:
    mode: str
    percent: Decimal
    max_percent: Decimal


@dataclass(frozen=True)
class CompensationRules:
    rates_yuan_per_mu_year: dict[str, Decimal]
    counted_statuses: frozenset[str]
    area_factors: dict[str, Decimal]
    base_percent_per_case: dict[str, Decimal]
    overdue_factor: Decimal
    waive_rectified_in_time: bool
    missed_patrols: MissedPatrolRules
    veto_codes: frozenset[str]
    cap_percent: Decimal
    annual_issue_date: tuple[int, int]  # (month, day)


def _non_negative(**kwargs) -> fields.Decimal:
    return fields.Decimal(validate=validate.Range(min=0), **_DECIMAL, **kwargs)


def _per_category(**kwargs) -> fields.Dict:
    return fields.Dict(keys=fields.String(validate=validate.OneOf(DEDUCTED_CATEGORIES)), values=_non_negative(),
                       **kwargs)


class MissedPatrolSchema(Schema):
    mode = fields.String(required=True, validate=validate.OneOf(MISSED_PATROL_MODES))
    percent = _non_negative(required=True)
    max_percent = fields.Decimal(required=True, validate=validate.Range(min=0, max=100), **_DECIMAL)

    @post_load
    def _make(self, data, **kwargs) -> MissedPatrolRules:
        return MissedPatrolRules(**data)


class CompensationSchema(Schema):
    rates_yuan_per_mu_year = fields.Dict(keys=fields.String(validate=validate.OneOf(RATE_CLASSES)),
                                         values=_non_negative(), required=True)
    counted_statuses = fields.List(fields.String(validate=validate.OneOf(CONFIRMED_STATUSES)), required=True)
    area_factors = _per_category(required=True)
    base_percent_per_case = _per_category(required=True)
    overdue_factor = _non_negative(required=True)
    waive_rectified_in_time = fields.Boolean(required=True)
    missed_patrols = fields.Nested(MissedPatrolSchema, required=True)
    veto_codes = fields.List(fields.String(validate=validate.Length(min=1, max=32)), required=True)
    cap_percent = fields.Decimal(required=True, validate=validate.Range(min=0, max=100), **_DECIMAL)
    annual_issue_date = fields.String(required=True, validate=validate.Regexp(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"))

    @validates_schema
    def _complete(self, data, **kwargs):
        for name, required in (("rates_yuan_per_mu_year", RATE_CLASSES), ("area_factors", DEDUCTED_CATEGORIES),
                               ("base_percent_per_case", DEDUCTED_CATEGORIES)):
            missing = set(required) - set(data.get(name, {}))
            if missing:
                raise ValidationError(f"缺少: {', '.join(sorted(missing))}", name)

    @post_load
    def _make(self, data, **kwargs) -> CompensationRules:
        month, day = (int(part) for part in data["annual_issue_date"].split("-"))
        return CompensationRules(**(data | {"counted_statuses": frozenset(data["counted_statuses"]),
                                            "veto_codes": frozenset(data["veto_codes"]),
                                            "annual_issue_date": (month, day)}))


DEFAULT_COMPENSATION_RULES: CompensationRules = CompensationSchema().load(DEFAULT_COMPENSATION)
