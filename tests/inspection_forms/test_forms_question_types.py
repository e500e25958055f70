"""Every question type: accepted values, and the code each wrong value gets."""

from __future__ import annotations

import pytest

from inspection_forms import FieldError

BASE = {"kind": "yes"}

CASES = [
    ("kind", "no", None),
    ("kind", "maybe", "not_a_choice"),
    ("kind", 1, "wrong_type"),
    ("kind", True, "wrong_type"),
    ("colours", ["red", "blue"], None),
    ("colours", ["red", "red"], "duplicate_choice"),
    ("colours", ["red", "pink"], "not_a_choice"),
    ("colours", "red", "wrong_type"),
    ("colours", [1], "wrong_type"),
    ("count", 3, None),
    ("count", 0, None),
    ("count", 10, None),
    ("count", 11, "out_of_range"),
    ("count", -1, "out_of_range"),
    ("count", 10**30, "out_of_range"),
    ("count", 3.0, "wrong_type"),
    ("count", "3", "wrong_type"),
    ("count", True, "wrong_type"),
    ("ratio", 0, None),
    ("ratio", 0.5, None),
    ("ratio", 1, "out_of_range"),  # max is exclusive
    ("ratio", "0.5", "wrong_type"),
    ("ratio", float("nan"), "wrong_type"),
    ("ratio", float("inf"), "wrong_type"),
    ("ratio", 10**400, "wrong_type"),
    ("area", 2.5, None),
    ("area", 0, None),
    ("area", -0.1, "out_of_range"),  # an area in 亩 is never negative, even with no min declared
    ("code", "AB1234", None),
    ("code", "ab1234", "pattern_mismatch"),
    ("code", "xAB1234", "pattern_mismatch"),
    ("code", 1234, "wrong_type"),
    ("seen_on", "2024-05-01", None),
    ("seen_on", "2024-02-30", "wrong_type"),
    ("seen_on", "2024/05/01", "wrong_type"),
    ("seen_on", "20240501", "wrong_type"),
    ("seen_on", "2024-05-01T08:00:00", "wrong_type"),
    ("seen_on", 20240501, "wrong_type"),
    ("where", {"lat": 30.2, "lon": 120.1}, None),
    ("where", {"lat": 30.2, "lon": 120.1, "accuracy_m": 4.5, "altitude_m": 12}, None),
    ("where", {"lat": 95, "lon": 120.1}, "out_of_range"),
    ("where", {"lat": 30.2, "lon": 120.1, "accuracy_m": -1}, "out_of_range"),
    ("where", {"lat": 30.2}, "wrong_type"),
    ("where", {"lat": "30.2", "lon": 120.1}, "wrong_type"),
    ("where", {"lat": 30.2, "lon": 120.1, "heading": 3}, "wrong_type"),
    ("where", [30.2, 120.1], "wrong_type"),
    ("overview", ["ab" * 32], "wrong_type"),  # photos come in the photo list, never as answers
]


@pytest.mark.parametrize(("name", "value", "code"), CASES)
def test_value_checks(all_types_form, photos, codes, name, value, code):
    errors = all_types_form.validate({**BASE, name: value}, photos("overview"))
    assert codes(errors) == ({(name, code)} if code else set())


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_blank_required_answer(all_types_form, photos, codes, blank):
    errors = all_types_form.validate({"kind": blank}, photos("overview"))
    assert codes(errors) == {("kind", "required")}


def test_empty_multiple_choice_is_unanswered(form, codes):
    definition = form([{"name": "c", "type": "select_multiple", "label": "颜色", "choices": "colour", "required": True}])
    assert codes(definition.validate({"c": []})) == {("c", "required")}


def test_integer_field_wrong_type_for_empty_list(all_types_form, photos, codes):
    assert codes(all_types_form.validate({**BASE, "count": []}, photos("overview"))) == {("count", "wrong_type")}


def test_messages_are_chinese_and_name_the_bounds(all_types_form, photos):
    (error,) = all_types_form.validate({**BASE, "ratio": 2}, photos("overview"))
    assert error == FieldError("ratio", "out_of_range", "「比例」应不小于 0 且小于 1")
    assert error.to_dict() == {"field": "ratio", "code": "out_of_range", "message": error.message}


def test_constraint_message_replaces_default(patrol, good_patrol_answers, photos):
    answers = {**good_patrol_answers, "has_nonag_use": "yes", "problems": [{"problem_type": "building", "area_mu": 5000}]}
    (error,) = patrol.validate(answers, photos("distant", "close", "detail"))
    assert (error.field, error.code) == ("problems[0].area_mu", "out_of_range")
    assert "平方米" in error.message


def test_answers_not_an_object(all_types_form, codes):
    assert codes(all_types_form.validate(["kind", "yes"], [])) == {("", "wrong_type")}


def test_unknown_field(all_types_form, photos, codes):
    assert codes(all_types_form.validate({**BASE, "colour": ["red"]}, photos("overview"))) == {("colour", "unknown_field")}


class TestPhotos:
    def test_counts_per_role(self, all_types_form, photos, codes):
        assert codes(all_types_form.validate(BASE, [])) == {("overview", "too_few_photos")}
        assert codes(all_types_form.validate(BASE, None)) == {("overview", "too_few_photos")}
        assert all_types_form.validate(BASE, photos("overview", "overview")) == []
        assert codes(all_types_form.validate(BASE, photos("overview", "overview", "overview"))) == {
            ("overview", "too_many_photos")
        }

    def test_the_same_photo_twice_counts_once(self, all_types_form, photos):
        first, second = photos("overview", "overview")
        upper = {**first, "sha256": first["sha256"].upper()}
        assert all_types_form.validate(BASE, [first, second, upper, first]) == []  # two distinct: within 1..2

    def test_malformed_photo_entries(self, all_types_form, photos, codes):
        bad = [{"sha256": "abc", "role": "overview"}, {"role": "overview"}, "photo.jpg", {"sha256": "a" * 64, "role": 3}]
        errors = all_types_form.validate(BASE, photos("overview") + bad)
        assert codes(errors) == {(f"photos[{i}]", "wrong_type") for i in range(1, 5)}

    def test_unknown_role(self, all_types_form, photos, codes):
        errors = all_types_form.validate(BASE, photos("overview", "selfie"))
        assert codes(errors) == {("photos[1].role", "unknown_photo_role")}

    def test_photo_list_not_a_list(self, all_types_form, codes):
        assert codes(all_types_form.validate(BASE, {"overview": 1})) == {("photos", "wrong_type"), ("overview", "too_few_photos")}

    def test_extra_keys_on_photos_are_evidence_metadata(self, all_types_form, photos):
        (photo,) = photos("overview")
        assert all_types_form.validate(BASE, [{**photo, "lat": 30.1, "taken_at": "2024-05-01T08:00:00+08:00"}]) == []
