"""Repeats: a list of items, each validated with its own relevance and 0-based paths."""

from __future__ import annotations

import pytest

REPEAT_FORM = [
    {"name": "gate", "type": "select_one", "label": "有无问题", "choices": "yes_no", "required": True},
    {
        "name": "items",
        "type": "repeat",
        "label": "问题",
        "required": True,
        "relevant": {"field": "gate", "eq": "yes"},
        "questions": [
            {"name": "colour", "type": "select_one", "label": "颜色", "choices": "colour", "required": True},
            {
                "name": "grp",
                "type": "group",
                "label": "细节",
                "questions": [
                    # refers to a field of the same item and to a top-level field
                    {
                        "name": "red_size",
                        "type": "area_mu",
                        "label": "红色面积",
                        "required": True,
                        "relevant": {"all": [{"field": "colour", "eq": "red"}, {"field": "gate", "eq": "yes"}]},
                    },
                ],
            },
            {"name": "note", "type": "text", "label": "说明"},
        ],
    },
]


@pytest.fixture
def repeats(form):
    return form(REPEAT_FORM)


def test_items_validated_one_by_one(repeats, codes):
    answers = {"gate": "yes", "items": [{"colour": "red", "red_size": 1.5}, {"colour": "red"}, {"colour": "blue", "red_size": 2}]}
    assert codes(repeats.validate(answers)) == {("items[1].red_size", "required"), ("items[2].red_size", "not_relevant")}


def test_item_errors_have_paths(repeats, codes):
    answers = {"gate": "yes", "items": [{"colour": "pink"}, {"colour": "red", "red_size": -2, "size": 1}]}
    assert codes(repeats.validate(answers)) == {
        ("items[0].colour", "not_a_choice"),
        ("items[1].red_size", "out_of_range"),
        ("items[1].size", "unknown_field"),
    }


def test_required_repeat_needs_an_item(repeats, codes):
    assert codes(repeats.validate({"gate": "yes"})) == {("items", "required")}
    assert codes(repeats.validate({"gate": "yes", "items": []})) == {("items", "required")}


def test_hidden_repeat_must_be_empty(repeats, codes):
    assert repeats.validate({"gate": "no", "items": []}) == []
    assert codes(repeats.validate({"gate": "no", "items": [{"colour": "red"}]})) == {("items", "not_relevant")}


def test_shapes(repeats, codes):
    assert codes(repeats.validate({"gate": "yes", "items": {"colour": "red"}})) == {("items", "wrong_type")}
    assert codes(repeats.validate({"gate": "yes", "items": ["red", {"colour": "blue"}]})) == {("items[0]", "wrong_type")}


def test_item_questions_are_not_top_level_answers(repeats, codes):
    assert codes(repeats.validate({"gate": "no", "colour": "red"})) == {("colour", "unknown_field")}


def test_groups_do_not_nest_answers(repeats, codes):
    answers = {"gate": "yes", "items": [{"colour": "red", "grp": {"red_size": 1}}]}
    assert codes(repeats.validate(answers)) == {("items[0].red_size", "required"), ("items[0].grp", "unknown_field")}
