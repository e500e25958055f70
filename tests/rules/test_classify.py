"""Classification of one visit, table-driven: every land class × observed use. Plain functions, no app.
Answers are farmland_patrol v1's, read through its mapping."""

import pytest

from inspection_forms import builtin_definitions
from server.rules import classify as rules_classify
from server.rules.config import DEFAULT_RULES, load_rules, merged_body
from server.rules.observations import read_visit

V1 = next(d for d in builtin_definitions() if (d.form_id, d.version) == ("farmland_patrol", 1))


def classify(answers, land_classes, area_mu, rules, month, rice_seen_this_year=False):
    return rules_classify.classify(read_visit(V1, answers), land_classes, area_mu, rules, month, rice_seen_this_year)

PBF, GRAIN_ZONE, GENERAL = ["permanent_basic"], ["permanent_basic", "grain_zone"], ["general_farmland"]
GZ_ONLY, HIGH_STD = ["general_farmland", "grain_zone"], ["general_farmland", "high_standard"]
CLASSES = {"pbf": PBF, "grain_zone": GRAIN_ZONE, "gz_general": GZ_ONLY, "general": GENERAL, "high_std": HIGH_STD}
WORKS_OK = {"irrigation_canal": "intact", "drainage_ditch": "not_present", "farm_road": "intact",
            "field_ridge": "intact"}


def crop(*crops, status="nongrain") -> dict:
    return {"cultivation_status": status, "crops": list(crops), "has_nonag_use": "no", **WORKS_OK}


def nonag(problem_type: str, area: float = 1.5) -> dict:
    return {"cultivation_status": "grain", "crops": ["rice"], "has_nonag_use": "yes",
            "problems": [{"problem_type": problem_type, "area_mu": area}], **WORKS_OK}


USES = {
    "rice": crop("rice", status="grain"),
    "wheat": crop("wheat", status="grain"),
    "vegetables": crop("vegetables"),
    "rapeseed": crop("rapeseed"),
    "nursery": crop("nursery"),
    "turf": crop("turf"),
    "flowers": crop("flowers"),
    "fruit": crop("fruit"),
    "tea": crop("tea"),
    "intercrop": crop("maize", status="forest_grain_intercrop"),
    "fallow": {"cultivation_status": "fallow", "has_nonag_use": "no", "weed_height_cm": 20,
               "idle_duration": "under_3_months", **WORKS_OK},
    "idle": {"cultivation_status": "not_cultivated", "has_nonag_use": "no", "weed_height_cm": 80,
             "idle_duration": "months_6_to_12", **WORKS_OK},
    "building": nonag("building"),
    "hardening": nonag("hardening"),
    "pond": nonag("pond_excavation"),
    "dumping": nonag("dumping_fill"),
    "greening": nonag("greening_afforestation"),
    "greenhouse": nonag("greenhouse_housing"),
}

N, P = "NONGRAIN_NURSERY_TURF", "NONGRAIN_PERENNIAL"
# Expected codes in May (outside the rice window). Columns: pbf, grain_zone (永农+粮功区), gz_general
# (粮功区 on 一般耕地), general, high_std. Non-farm use is a violation on every class.
EXPECTED_MAY = {
    "rice": [set()] * 5, "wheat": [set()] * 5, "vegetables": [set()] * 5, "rapeseed": [set()] * 5,
    "nursery": [{N}] * 5, "turf": [{N}] * 5,
    "flowers": [{N}, {N}, {N}, set(), {N}],
    "fruit": [{P}] * 5, "tea": [{P}] * 5, "intercrop": [{P}] * 5,
    "fallow": [set()] * 5, "idle": [set()] * 5,
    "building": [{"NONAG_BUILDING"}] * 5, "hardening": [{"NONAG_HARDENING"}] * 5,
    "pond": [{"NONAG_POND_LANDSCAPE"}] * 5, "dumping": [{"NONAG_DUMPING"}] * 5,
    "greening": [{"NONAG_GREENING"}] * 5, "greenhouse": [{"NONAG_GREENHOUSE_MISUSE"}] * 5,
}
SEVERITY = {"pbf": "high", "grain_zone": "high", "gz_general": "medium", "general": "low", "high_std": "medium"}
CASES = [(use, class_name, expected) for use, row in EXPECTED_MAY.items()
         for class_name, expected in zip(CLASSES, row)]


@pytest.mark.parametrize("use, class_name, expected", CASES, ids=[f"{u}-{c}" for u, c, _ in CASES])
def test_land_class_by_observed_use(use, class_name, expected):
    observations = classify(USES[use], CLASSES[class_name], 6.0, DEFAULT_RULES, month=5)
    assert {o.code for o in observations} == expected
    assert all(o.severity == SEVERITY[class_name] for o in observations)
    assert all(o.legal_basis and o.message_zh for o in observations)


@pytest.mark.parametrize("use, expected", [("rice", set()), ("vegetables", {"NONGRAIN_CASH_CROP"}),
                                           ("wheat", set()), ("idle", set()),
                                           ("fallow", set()), ("fruit", {P, "NONGRAIN_CASH_CROP"})])
def test_grain_zone_flags_a_non_grain_crop_in_the_rice_months_of_a_year_without_rice(use, expected):
    """粮功区: 每年一季以上水稻. In August a non-grain crop, with no rice seen earlier that year, breaks it; a
    grain crop that is not rice waits for the year's verdict (rice.py). 一般耕地 does not care."""
    assert {o.code for o in classify(USES[use], GRAIN_ZONE, 6.0, DEFAULT_RULES, month=8)} == expected
    assert {o.code for o in classify(USES[use], GENERAL, 6.0, DEFAULT_RULES, month=8)} == expected - {
        "NONGRAIN_CASH_CROP"}


def test_vegetables_after_early_rice_are_a_rotation():
    """Early rice seen on 15 July, vegetables on 20 August: the year has its rice crop."""
    assert classify(USES["vegetables"], GRAIN_ZONE, 6.0, DEFAULT_RULES, month=8, rice_seen_this_year=True) == []


def test_a_county_may_require_grain_on_high_standard_farmland():
    rules = load_rules(merged_body({"land_classes": {"high_standard": {"grain_required": True}}}))
    codes = {o.code for o in classify(USES["vegetables"], HIGH_STD, 6.0, rules, month=5)}
    assert codes == {"NONGRAIN_CASH_CROP"}
    assert classify(USES["vegetables"], GENERAL, 6.0, rules, month=5) == []


def test_nonag_areas_of_one_type_add_up_and_types_stay_apart():
    answers = {**nonag("building", 1.25), "problems": [
        {"problem_type": "building", "area_mu": 1.25, "problem_note": "新建平房"},
        {"problem_type": "building", "area_mu": 0.5},
        {"problem_type": "other", "problem_type_other": "停车场", "area_mu": 2.0}]}
    by_code = {o.code: o for o in classify(answers, PBF, 6.0, DEFAULT_RULES, month=5)}
    assert set(by_code) == {"NONAG_BUILDING", "NONAG_OTHER"}
    assert by_code["NONAG_BUILDING"].area_mu == 1.75
    assert "新建平房" in by_code["NONAG_BUILDING"].message_zh
    assert "停车场" in by_code["NONAG_OTHER"].message_zh and by_code["NONAG_OTHER"].category == "nonag"


def test_damaged_works_are_upkeep_problems_one_per_kind():
    answers = {**crop("rice", status="grain"), "irrigation_canal": "damaged", "irrigation_canal_note": "渠道坍塌",
               "drainage_ditch": "damaged", "drainage_ditch_note": "淤塞", "field_ridge": "damaged",
               "field_ridge_note": "缺口"}
    by_code = {o.code: o for o in classify(answers, GENERAL, 6.0, DEFAULT_RULES, month=5)}
    assert set(by_code) == {"MAINT_DITCH", "MAINT_RIDGE"}
    assert "灌溉渠" in by_code["MAINT_DITCH"].message_zh and "排水沟" in by_code["MAINT_DITCH"].message_zh
    assert by_code["MAINT_DITCH"].category == "maintenance" and by_code["MAINT_DITCH"].area_mu is None
