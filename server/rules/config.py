"""Per-county rule configuration: the defaults (with their sources) and the schema that validates a body.

A county's configuration is stored as versions with an effective date (`rule_configs`); each stored body
is complete (a published override is merged onto the defaults first), so a version alone says how a
case dated in its period was judged. `RuleSet` is the validated, typed form the rules read.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from server.rules.codes import CATEGORY_LABELS_ZH, CROP_CODES, FARM_USE_CODES, LAND_CLASS_LABELS_ZH, SEVERITIES
from server.reports.rules import DEFAULT_COMPENSATION, DEFAULT_COMPENSATION_RULES, CompensationRules, CompensationSchema

_RECTIFIED = ("nonag", "nongrain", "abandonment", "maintenance")  # the categories that open cases
_PERENNIALS_AND_TURF = ["nursery", "turf", "flowers", "fruit", "tea", "trees"]

# Defaults. [C] = cited in DOMAIN.md, [K] = domain practice to confirm with the county.
DEFAULT_BODY: dict = {
    "land_classes": {
        # 永农: no nursery, turf, flowers, fruit, tea or trees (44号 四个禁止, 166号 四严禁, 五不准 林粮间作) [C];
        # vegetables/oil are tolerated (DOMAIN 1.5), so no grain requirement by default.
        "permanent_basic": {"severity": "high", "banned_crops": _PERENNIALS_AND_TURF, "grain_required": False,
                            "rice_required_months": []},
        # 粮功区: 每年种植一季以上水稻, 严禁多年生经济作物、植树造林 [C] (zjdj.com.cn 2017). One visit cannot
        # see a whole year, so rice is required only when rice stands: Aug–Sep, when 单季稻 (Jul–Sep) and
        # 连作晚稻 (Aug–Oct) are both in the field [C-weak, DOMAIN 2 calendar].
        "grain_zone": {"severity": "medium", "banned_crops": _PERENNIALS_AND_TURF, "grain_required": False,
                       "rice_required_months": [8, 9]},
        # 高标准农田 "原则上全部用于粮食生产" is [K]: same bans, grain not required until the county says so.
        "high_standard": {"severity": "medium", "banned_crops": _PERENNIALS_AND_TURF, "grain_required": False,
                          "rice_required_months": []},
        # 一般耕地: grain, cotton, oil, sugar, vegetables, forage allowed (44号); no turf (五不得); nursery, orchard,
        # tea and trees are conversions that need 进出平衡 (166号) [C]. Flowers are a crop here.
        "general_farmland": {"severity": "low", "banned_crops": ["nursery", "turf", "fruit", "tea", "trees"],
                             "grain_required": False, "rice_required_months": []},
    },
    "abandonment": {
        # Flag after one missed main season, confirm after a year without a crop (DOMAIN 0.2, 2) [K];
        # the legal anchor is 连续二年弃耕抛荒 (承包法 art. 64) [C], the subsidy rule denies 抛荒地 in the year.
        "main_season_months": [6, 7, 8, 9],   # any summer crop (early, single or late rice) stands then [C-weak]
        "winter_fallow_months": [11, 12, 1, 2],  # 冬闲: an empty field then is no sign of abandonment [K]
        "flag_after_missed_main_seasons": 1,
        "confirm_after_months": 12,
    },
    "evidence": {
        "violation_levels": ["trusted"],  # a doubtful photo set is a clue, not grounds (自然资发〔2023〕258号 spirit)
        "recheck_due_days": 7,            # village patrols at least weekly (白玉县) [C]
    },
    # 整改期限 by category: 非农化 30 days, 管护 15 days [K, DOMAIN 3]; 非粮化 and 撂荒 "by the next planting
    # season", taken as 90 days [K].
    "rectification_days": {"nonag": 30, "nongrain": 90, "abandonment": 90, "maintenance": 15},
    # Issue 17's county settings (field rules); older stored versions get these defaults when loaded.
    # Ponds and livestock by class (DOMAIN 1.5): on 永农 both banned (44号, 166号 四严禁); on 一般耕地 a pond
    # is a conversion that needs 进出平衡 (recorded as a case to report), a livestock facility needs
    # 设施农用地 filing that a photo cannot show, so a reviewer checks it (a doubt) [C].
    "farm_uses": {
        "permanent_basic": {"fishpond": "violation", "livestock_facility": "violation"},
        "grain_zone": {"fishpond": "violation", "livestock_facility": "review"},
        "high_standard": {"fishpond": "violation", "livestock_facility": "violation"},
        "general_farmland": {"fishpond": "conversion", "livestock_facility": "review"},
    },
    # 撂荒 needs at least two idle visits some weeks apart before a case opens (DOMAIN 2) [K]; weeds or
    # shrubs this tall, or a field that looks idle this long, are signs of a year's abandonment [K].
    "abandonment_evidence": {"min_idle_visits": 2, "min_idle_span_days": 14, "shrub_height_cm": 100,
                             "idle_sign_months": 12},
    # 粮功区 每年种植一季以上水稻: the year is judged once its rice season is over, by the end of October
    # (DOMAIN 2: 单季稻 and 连作晚稻 are harvested in Oct–Nov) [C-weak].
    "rice": {"year_end_month": 10},
    # A re-inspection that still shows the problem keeps the case in rectification (`keep_ordered`) or
    # marks it `rectification_failed` for the reviewer (`mark_failed`).
    "rectification": {"problem_seen_again": "keep_ordered"},
    # Compensation rates and deductions (server/reports/rules.py has the section, its defaults and sources).
    "compensation": DEFAULT_COMPENSATION,
}



def _months(**kwargs) -> fields.List:
    return fields.List(fields.Integer(validate=validate.Range(1, 12)), **kwargs)


@dataclass(frozen=True)
class LandClassRules:
    severity: str
    banned_crops: frozenset[str]
    grain_required: bool
    rice_required_months: frozenset[int]


@dataclass(frozen=True)
class AbandonmentRules:
    main_season_months: frozenset[int]
    winter_fallow_months: frozenset[int]
    flag_after_missed_main_seasons: int
    confirm_after_months: int


@dataclass(frozen=True)
class EvidenceRules:
    violation_levels: frozenset[str]
    recheck_due_days: int

    def trusts(self, level: str | None) -> bool:
        """Evidence at this level may open a violation, confirm a doubt or close a case; below it, a finding
        is a doubt waiting for a re-check."""
        return level in self.violation_levels


@dataclass(frozen=True)
class AbandonmentEvidenceRules:
    min_idle_visits: int
    min_idle_span_days: int
    shrub_height_cm: int
    idle_sign_months: int


FARM_USE_TREATMENTS = ("violation", "conversion", "review", "allowed")
KEEP_ORDERED, MARK_FAILED = "keep_ordered", "mark_failed"


@dataclass(frozen=True)
class RuleSet:
    land_classes: dict[str, LandClassRules]
    abandonment: AbandonmentRules
    evidence: EvidenceRules
    rectification_days: dict[str, int]
    farm_uses: dict[str, dict[str, str]]
    abandonment_evidence: AbandonmentEvidenceRules
    rice_year_end_month: int
    problem_seen_again: str
    compensation: CompensationRules = DEFAULT_COMPENSATION_RULES


class LandClassSchema(Schema):
    severity = fields.String(required=True, validate=validate.OneOf(SEVERITIES))
    banned_crops = fields.List(fields.String(validate=validate.OneOf(sorted(CROP_CODES))), required=True)
    grain_required = fields.Boolean(required=True)
    rice_required_months = _months(load_default=list)

    @post_load
    def _make(self, data, **kwargs) -> LandClassRules:
        return LandClassRules(data["severity"], frozenset(data["banned_crops"]), data["grain_required"],
                              frozenset(data["rice_required_months"]))


class AbandonmentSchema(Schema):
    main_season_months = _months(required=True, validate=validate.Length(min=1))
    winter_fallow_months = _months(required=True)
    flag_after_missed_main_seasons = fields.Integer(required=True, validate=validate.Range(min=1))
    confirm_after_months = fields.Integer(required=True, validate=validate.Range(min=1, max=60))

    @validates_schema
    def _seasons_apart(self, data, **kwargs):
        if set(data["main_season_months"]) & set(data["winter_fallow_months"]):
            raise ValidationError("主要种植季与冬闲月份不能重叠", "winter_fallow_months")

    @post_load
    def _make(self, data, **kwargs) -> AbandonmentRules:
        return AbandonmentRules(frozenset(data["main_season_months"]), frozenset(data["winter_fallow_months"]),
                                data["flag_after_missed_main_seasons"], data["confirm_after_months"])


class EvidenceSchema(Schema):
    violation_levels = fields.List(fields.String(validate=validate.OneOf(["trusted", "doubtful", "insufficient"])),
                                   required=True, validate=validate.Length(min=1))
    recheck_due_days = fields.Integer(required=True, validate=validate.Range(min=1, max=90))

    @post_load
    def _make(self, data, **kwargs) -> EvidenceRules:
        return EvidenceRules(frozenset(data["violation_levels"]), data["recheck_due_days"])


class AbandonmentEvidenceSchema(Schema):
    min_idle_visits = fields.Integer(required=True, validate=validate.Range(min=1, max=10))
    min_idle_span_days = fields.Integer(required=True, validate=validate.Range(min=0, max=365))
    shrub_height_cm = fields.Integer(required=True, validate=validate.Range(min=1, max=1000))
    idle_sign_months = fields.Integer(required=True, validate=validate.Range(min=1, max=60))

    @post_load
    def _make(self, data, **kwargs) -> AbandonmentEvidenceRules:
        return AbandonmentEvidenceRules(**data)


class RiceSchema(Schema):
    year_end_month = fields.Integer(required=True, validate=validate.Range(1, 12))


class RectificationSchema(Schema):
    problem_seen_again = fields.String(required=True, validate=validate.OneOf([KEEP_ORDERED, MARK_FAILED]))


class RuleSetSchema(Schema):
    land_classes = fields.Dict(keys=fields.String(validate=validate.OneOf(sorted(LAND_CLASS_LABELS_ZH))),
                               values=fields.Nested(LandClassSchema), required=True)
    abandonment = fields.Nested(AbandonmentSchema, required=True)
    evidence = fields.Nested(EvidenceSchema, required=True)
    rectification_days = fields.Dict(keys=fields.String(validate=validate.OneOf(sorted(CATEGORY_LABELS_ZH))),
                                     values=fields.Integer(validate=validate.Range(min=1, max=730)), required=True)
    farm_uses = fields.Dict(keys=fields.String(validate=validate.OneOf(sorted(LAND_CLASS_LABELS_ZH))),
                            values=fields.Dict(keys=fields.String(validate=validate.OneOf(sorted(FARM_USE_CODES))),
                                               values=fields.String(validate=validate.OneOf(FARM_USE_TREATMENTS))),
                            required=True)
    abandonment_evidence = fields.Nested(AbandonmentEvidenceSchema, required=True)
    rice = fields.Nested(RiceSchema, required=True)
    rectification = fields.Nested(RectificationSchema, required=True)
    # Versions stored before the section existed are read with the defaults.
    compensation = fields.Nested(CompensationSchema, load_default=DEFAULT_COMPENSATION_RULES)

    @validates_schema
    def _complete(self, data, **kwargs):
        for name, required in (("land_classes", LAND_CLASS_LABELS_ZH), ("rectification_days", _RECTIFIED),
                               ("farm_uses", LAND_CLASS_LABELS_ZH)):
            missing = set(required) - set(data.get(name, {}))
            if missing:
                raise ValidationError(f"缺少: {', '.join(sorted(missing))}", name)

    @post_load
    def _make(self, data, **kwargs) -> RuleSet:
        rice, rectification = data.pop("rice"), data.pop("rectification")
        return RuleSet(**data, rice_year_end_month=rice["year_end_month"],
                       problem_seen_again=rectification["problem_seen_again"])


def merged_body(override: dict | None) -> dict:
    """The defaults with a county's override merged in, key by key (lists are replaced, not merged)."""
    body = copy.deepcopy(DEFAULT_BODY)
    _merge(body, override or {})
    return body


def load_rules(body: dict) -> RuleSet:
    """Validate a complete body; raises marshmallow's ValidationError naming the field. A body stored before
    a setting existed takes that setting's default."""
    return RuleSetSchema().load(merged_body(body))


def _merge(target: dict, override: dict) -> None:
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


DEFAULT_RULES: RuleSet = load_rules(DEFAULT_BODY)
