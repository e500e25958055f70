"""The standard patrol form farmland_patrol v1: the contract the violation rules rely on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs" / "forms.md"


def test_codes_are_the_published_contract(patrol):
    assert (patrol.form_id, patrol.version, patrol.title) == ("farmland_patrol", 1, "耕地巡查标准表")
    assert patrol.choice_codes("cultivation_status") == (
        "grain", "grain_nongrain_rotation", "forest_grain_intercrop", "nongrain", "fallow", "not_cultivated",
    )
    assert patrol.choice_codes("crop") == (
        "rice", "wheat", "maize", "soybean", "rapeseed", "vegetables", "nursery", "turf", "fruit", "tea", "flowers", "other",
    )
    assert patrol.choice_codes("nonag_use") == (
        "building", "hardening", "pond_excavation", "dumping_fill", "greening_afforestation", "greenhouse_housing", "other",
    )
    assert patrol.choice_codes("works_condition") == ("intact", "damaged", "not_present")
    assert patrol.photo_roles() == {"distant", "close", "detail"}
    assert {patrol.node(name).type for name in ("irrigation_canal", "drainage_ditch", "farm_road", "field_ridge")} == {"select_one"}
    assert patrol.node("problems").type == "repeat"
    assert patrol.node("area_mu").type == "area_mu"
    assert patrol.node("weed_height_cm").type == "integer"


def test_docs_list_every_name_and_code(patrol):
    spans = re.findall(r"`([^`]*)`", DOCS.read_text(encoding="utf-8"))
    documented = {word for span in spans for word in re.findall(r"[a-z][a-z0-9_]*", span)}
    names = {node.name for node, _ in patrol.walk()}
    all_codes = {choice.code for items in patrol.choices.values() for choice in items}
    assert names - documented == set()
    assert all_codes - documented == set()


def test_clean_parcel_needs_distant_and_close(patrol, good_patrol_answers, photos, codes):
    assert patrol.validate(good_patrol_answers, photos("distant", "close")) == []
    assert codes(patrol.validate(good_patrol_answers, photos("distant"))) == {("photo_close", "too_few_photos")}
    assert [r.role for r in patrol.photo_requirements(good_patrol_answers)] == ["distant", "close"]


def test_reported_problem_needs_a_third_detail_photo(patrol, good_patrol_answers, photos, codes):
    answers = {
        **good_patrol_answers,
        "has_nonag_use": "yes",
        "problems": [
            {"problem_type": "building", "area_mu": 0.3, "problem_note": "新建砖房一处"},
            {"problem_type": "other", "problem_type_other": "堆放建材", "area_mu": 1.2},
        ],
    }
    assert codes(patrol.validate(answers, photos("distant", "close"))) == {("photo_detail", "too_few_photos")}
    assert patrol.validate(answers, photos("distant", "close", "detail")) == []
    requirement = patrol.photo_requirements(answers)[-1]
    assert requirement.to_dict() == {"question": "photo_detail", "role": "detail", "label": "局部照片(问题细节)", "min_count": 1, "max_count": 10}


def test_problem_items_are_checked(patrol, good_patrol_answers, photos, codes):
    answers = {**good_patrol_answers, "has_nonag_use": "yes", "problems": [{"problem_type": "other", "area_mu": 0}]}
    assert codes(patrol.validate(answers, photos("distant", "close", "detail"))) == {
        ("problems[0].problem_type_other", "required"),
        ("problems[0].area_mu", "out_of_range"),
    }
    no_items = {**good_patrol_answers, "has_nonag_use": "yes"}
    assert ("problems", "required") in codes(patrol.validate(no_items, photos("distant", "close", "detail")))


@pytest.mark.parametrize("status", ["fallow", "not_cultivated"])
def test_abandonment_signs_when_not_cultivated(patrol, good_patrol_answers, photos, codes, status):
    answers = {**good_patrol_answers, "cultivation_status": status}
    errors = patrol.validate(answers, photos("distant", "close", "detail"))
    assert codes(errors) == {("crops", "not_relevant"), ("weed_height_cm", "required"), ("idle_duration", "required")}
    del answers["crops"]
    answers.update(weed_height_cm=120, idle_duration="over_12_months")
    assert patrol.validate(answers, photos("distant", "close", "detail")) == []


def test_abandonment_signs_hidden_when_cultivated(patrol, good_patrol_answers, photos, codes):
    answers = {**good_patrol_answers, "weed_height_cm": 10}
    assert codes(patrol.validate(answers, photos("distant", "close"))) == {("weed_height_cm", "not_relevant")}


def test_other_crop_needs_a_name(patrol, good_patrol_answers, photos, codes):
    answers = {**good_patrol_answers, "cultivation_status": "nongrain", "crops": ["nursery", "other"]}
    assert codes(patrol.validate(answers, photos("distant", "close"))) == {("crop_other_name", "required")}


def test_damaged_works_need_a_note_and_a_detail_photo(patrol, good_patrol_answers, photos, codes):
    answers = {**good_patrol_answers, "drainage_ditch": "damaged"}
    assert codes(patrol.validate(answers, photos("distant", "close"))) == {
        ("drainage_ditch_note", "required"),
        ("photo_detail", "too_few_photos"),
    }
    answers["drainage_ditch_note"] = "沟渠淤塞约 20 米"
    assert patrol.validate(answers, photos("distant", "close", "detail")) == []
