"""Rules as a township meets them (issue 17): the year's rice, evidence that cannot clear a case,
rectification that must be seen, ponds / livestock / "other" (form v2) and legal bases per land class."""

import pytest
from sqlalchemy import select

from server.accounts.models import User
from server.audit.service import entity_history
from server.cases import service as cases
from server.errors import ApiError
from server.extensions import db
from server.rules.service import evaluate_rice_year, reevaluate_abandonment
from server.rules.versions import publish_rules
from tests.reviews.fixtures import GRAIN, IDLE, WORKS_OK, beijing, building, cases_of, inspect

VEGETABLES = {"cultivation_status": "nongrain", "crops": ["vegetables"], "has_nonag_use": "no", **WORKS_OK}
V2 = ("farmland_patrol", 2)


def reviewer() -> User:
    return db.session.scalar(select(User).where(User.username == "reviewer101"))


# 1. 粮食生产功能区: at least one rice crop a year, judged over the year.

def test_vegetables_after_early_rice_are_no_violation(parcels):
    parcel = parcels["grain_zone"]
    inspect(parcel, GRAIN, at=beijing(2026, 7, 15))  # early rice
    inspect(parcel, VEGETABLES, at=beijing(2026, 8, 20))
    assert evaluate_rice_year(now=beijing(2026, 11, 2)) == 0
    assert cases_of(parcel) == []


def test_a_year_without_rice_is_flagged_at_year_end(parcels, runner):
    parcel = parcels["grain_zone"]
    inspect(parcel, VEGETABLES, at=beijing(2026, 6, 10))
    last = inspect(parcel, VEGETABLES, at=beijing(2026, 10, 2))
    assert cases_of(parcel) == []  # no visit in the rice months said anything
    assert evaluate_rice_year(now=beijing(2026, 10, 31, 23)) == 0  # October is not over
    result = runner.invoke(args=["rules", "evaluate-rice-year", "--as-of", "2026-11-01"])
    assert result.exit_code == 0 and "已记录 1 条" in result.output
    [case] = cases_of(parcel)
    assert (case.code, case.status, case.observations[0].inspection_id) == ("NONGRAIN_CASH_CROP", "flagged", last.id)
    assert "2026 年度" in case.message_zh and "粮食生产功能区" in case.legal_basis
    assert evaluate_rice_year(now=beijing(2026, 12, 1)) == 0  # safe to run again
    assert cases_of(parcels["general"]) == []


def test_a_non_grain_crop_in_the_rice_months_of_a_year_without_rice_is_flagged_on_the_visit(parcels):
    inspect(parcels["grain_zone"], VEGETABLES, at=beijing(2026, 8, 20))
    [case] = cases_of(parcels["grain_zone"])
    assert case.code == "NONGRAIN_CASH_CROP" and "8月" in case.message_zh


def test_rice_seen_only_on_untrusted_evidence_does_not_count(parcels):
    parcel = parcels["grain_zone"]
    inspect(parcel, GRAIN, at=beijing(2026, 7, 15), level="insufficient")
    inspect(parcel, VEGETABLES, at=beijing(2026, 8, 20))
    [case] = cases_of(parcel)
    assert case.code == "NONGRAIN_CASH_CROP"


# 2. Only evidence that could open a violation may close or prevent one.

def test_an_untrusted_crop_does_not_erase_a_missed_season(parcels):
    parcel = parcels["grain_zone"]
    inspect(parcel, IDLE, at=beijing(2026, 6, 10))
    inspect(parcel, IDLE, at=beijing(2026, 7, 10))
    inspect(parcel, GRAIN, at=beijing(2026, 8, 20), level="insufficient")  # photos 200 m from the parcel
    assert reevaluate_abandonment(now=beijing(2026, 10, 2)) == 1
    [case] = cases_of(parcel)
    assert (case.code, case.status) == ("ABANDON_SEASONAL", "flagged")


def test_a_trusted_crop_does(parcels):
    parcel = parcels["grain_zone"]
    inspect(parcel, IDLE, at=beijing(2026, 6, 10))
    inspect(parcel, IDLE, at=beijing(2026, 7, 10))
    inspect(parcel, GRAIN, at=beijing(2026, 8, 20))
    assert reevaluate_abandonment(now=beijing(2026, 10, 2)) == 0


# 3. A rectification must be seen done, on trusted evidence.

def ordered_case(parcel):
    inspect(parcel, building(2.0))
    [case] = cases_of(parcel)
    cases.transition(reviewer(), case.id, "confirm")
    cases.transition(reviewer(), case.id, "order_rectification")
    return case


def test_a_re_inspection_that_still_shows_the_problem_keeps_the_case_in_rectification(parcels):
    case = ordered_case(parcels["pbf"])
    inspect(parcels["pbf"], building(2.0), at=beijing(2026, 5, 20))
    assert cases_of(parcels["pbf"])[0].status == "rectification_ordered"
    recheck = [e for e in entity_history("case", case.id) if e.action == "rectification_recheck"]
    assert len(recheck) == 1 and "复查仍发现该问题, 继续整改" in recheck[0].reason
    with pytest.raises(ApiError) as refused:
        cases.transition(reviewer(), case.id, "verify")
    assert refused.value.problem.code == "invalid_transition"


def test_an_untrusted_clean_re_inspection_submits_nothing(parcels):
    case = ordered_case(parcels["pbf"])
    inspect(parcels["pbf"], GRAIN, at=beijing(2026, 5, 20), level="doubtful")
    assert cases_of(parcels["pbf"])[0].status == "rectification_ordered"
    inspect(parcels["pbf"], GRAIN, at=beijing(2026, 5, 27))
    assert cases_of(parcels["pbf"])[0].status == "rectification_submitted"
    assert cases.transition(reviewer(), case.id, "verify").status == "closed"


def test_seen_again_after_submission_goes_back_to_rectification(parcels):
    ordered_case(parcels["pbf"])
    inspect(parcels["pbf"], GRAIN, at=beijing(2026, 5, 20))
    inspect(parcels["pbf"], building(2.0), at=beijing(2026, 5, 27))
    assert cases_of(parcels["pbf"])[0].status == "rectification_ordered"


def test_a_county_may_mark_it_failed(parcels):
    publish_rules("330481", {"rectification": {"problem_seen_again": "mark_failed"}}, beijing(2026, 1, 1).date())
    case = ordered_case(parcels["pbf"])
    inspect(parcels["pbf"], building(2.0), at=beijing(2026, 5, 20))
    assert cases_of(parcels["pbf"])[0].status == "rectification_failed"
    assert cases.transition(reviewer(), case.id, "order_rectification").status == "rectification_ordered"


def test_an_idle_re_inspection_still_shows_abandonment(parcels):
    parcel = parcels["grain_zone"]
    inspect(parcel, IDLE, at=beijing(2026, 6, 10))
    inspect(parcel, IDLE, at=beijing(2026, 7, 10))
    reevaluate_abandonment(now=beijing(2026, 10, 2))
    [case] = cases_of(parcel)
    cases.transition(reviewer(), case.id, "confirm", now=beijing(2026, 10, 3))
    cases.transition(reviewer(), case.id, "order_rectification", now=beijing(2026, 10, 3))
    inspect(parcel, IDLE, at=beijing(2026, 10, 20))  # one idle visit: no new finding, but not done either
    assert cases_of(parcel)[0].status == "rectification_ordered"
    inspect(parcel, GRAIN, at=beijing(2026, 10, 28))
    assert cases_of(parcel)[0].status == "rectification_submitted"


# 5. Ponds, livestock and "other" (farmland_patrol v2).

def test_a_pond_by_land_class(parcels):
    pond = {**GRAIN, "farm_uses": ["fishpond"], "fishpond_area_mu": 2.5}
    inspect(parcels["pbf"], pond, form=V2)
    inspect(parcels["general"], pond, form=V2)
    [pbf_case], [general_case] = cases_of(parcels["pbf"]), cases_of(parcels["general"])
    assert (pbf_case.code, pbf_case.status, pbf_case.area_mu, pbf_case.severity) == (
        "NONGRAIN_FISHPOND", "flagged", 2.5, "high")
    assert "永久基本农田四严禁之一" in pbf_case.legal_basis
    assert (general_case.code, general_case.status, general_case.severity) == ("NONGRAIN_FISHPOND", "flagged", "low")
    assert "进出平衡" in general_case.message_zh and "永久基本农田" not in general_case.legal_basis


def test_livestock_on_general_farmland_is_for_a_reviewer(parcels):
    livestock = {**GRAIN, "farm_uses": ["livestock_facility"], "livestock_area_mu": 0.8}
    inspect(parcels["general"], livestock, form=V2)
    inspect(parcels["pbf"], livestock, form=V2)
    [general_case], [pbf_case] = cases_of(parcels["general"]), cases_of(parcels["pbf"])
    assert (general_case.code, general_case.status) == ("NONGRAIN_LIVESTOCK_FACILITY", "doubt")
    assert general_case.recheck_task_id is None  # the photos are trusted: a reviewer decides, nobody re-shoots
    assert pbf_case.status == "flagged"


def test_other_answers_go_to_a_reviewer_with_their_text(parcels):
    other_crop = {"cultivation_status": "nongrain", "crops": ["other"], "crop_other_name": "甜叶菊",
                  "has_nonag_use": "no", **WORKS_OK}
    inspect(parcels["pbf"], other_crop)
    inspect(parcels["pbf"], other_crop, at=beijing(2026, 5, 10))  # trusted again: still the reviewer's call
    [case] = cases_of(parcels["pbf"])
    assert (case.code, case.status) == ("NONGRAIN_OTHER_CROP", "doubt") and "甜叶菊" in case.message_zh
    assert cases.transition(reviewer(), case.id, "confirm").status == "confirmed"

    inspect(parcels["general"], {**GRAIN, "has_nonag_use": "yes", "problems": [
        {"problem_type": "other", "problem_type_other": "露天停车场", "area_mu": 1.0}]})
    [nonag] = cases_of(parcels["general"])
    assert (nonag.code, nonag.status) == ("NONAG_OTHER", "doubt") and "露天停车场" in nonag.message_zh


def test_a_doubt_on_untrusted_photos_cannot_be_confirmed(parcels):
    inspect(parcels["pbf"], building(2.0), level="doubtful")
    [case] = cases_of(parcels["pbf"])
    with pytest.raises(ApiError) as refused:
        cases.transition(reviewer(), case.id, "confirm")
    assert refused.value.problem.code == "invalid_transition"


# 7. Legal bases per code and land class.

def test_legal_bases_per_land_class(parcels):
    nursery = {"cultivation_status": "nongrain", "crops": ["nursery"], "has_nonag_use": "no", **WORKS_OK}
    inspect(parcels["general"], nursery)
    inspect(parcels["pbf"], nursery)
    inspect(parcels["foreign"], {**GRAIN, "field_ridge": "damaged", "field_ridge_note": "缺口"})
    [general], [pbf], [upkeep] = (cases_of(parcels[name]) for name in ("general", "pbf", "foreign"))
    assert "永久基本农田" not in general.legal_basis and "进出平衡" in general.legal_basis
    assert "国办发〔2020〕44号 四个禁止之一" in pbf.legal_basis and "四严禁之二" in pbf.legal_basis
    assert upkeep.legal_basis.startswith("海政办发〔2021〕84号 §二(六)") and "海宁市耕地保护补偿" not in upkeep.legal_basis
