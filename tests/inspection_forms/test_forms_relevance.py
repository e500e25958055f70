"""Relevance: the declarative expressions, and how shown/hidden questions are validated."""

from __future__ import annotations

import pytest

from inspection_forms.expressions import Compare, evaluate, expression_to_dict, parse_expression

GATE = {"name": "gate", "type": "select_one", "label": "是否", "choices": "yes_no", "required": True}


def expr(data):
    return parse_expression(data, "q")


@pytest.mark.parametrize(
    ("expression", "env", "expected"),
    [
        ({"field": "a", "eq": "x"}, {"a": "x"}, True),
        ({"field": "a", "eq": "x"}, {"a": "y"}, False),
        ({"field": "a", "eq": "x"}, {}, False),
        ({"field": "a", "eq": 1}, {"a": True}, False),  # bool is not a number in a form
        ({"field": "a", "eq": 1}, {"a": 1.0}, True),
        ({"field": "a", "eq": 1}, {"a": "1"}, False),
        ({"field": "a", "in": ["x", "y"]}, {"a": "y"}, True),
        ({"field": "a", "in": ["x", "y"]}, {"a": ["z", "x"]}, True),  # select_multiple: any selected
        ({"field": "a", "in": ["x", "y"]}, {"a": ["z"]}, False),
        ({"field": "a", "in": ["x"]}, {"a": [["x"], {"x": 1}]}, False),
        ({"field": "a", "gt": 3}, {"a": 4}, True),
        ({"field": "a", "gt": 3}, {"a": 3}, False),
        ({"field": "a", "gte": 3}, {"a": 3}, True),
        ({"field": "a", "lt": 3}, {"a": "2"}, False),
        ({"field": "a", "lte": 3}, {"a": float("nan")}, False),
        ({"field": "a", "answered": True}, {"a": 0}, True),
        ({"field": "a", "answered": False}, {}, True),
        ({"not": {"field": "a", "eq": "x"}}, {}, True),
        ({"all": [{"field": "a", "eq": "x"}, {"field": "b", "gt": 1}]}, {"a": "x", "b": 2}, True),
        ({"all": [{"field": "a", "eq": "x"}, {"field": "b", "gt": 1}]}, {"a": "x", "b": 1}, False),
        ({"any": [{"field": "a", "eq": "x"}, {"field": "b", "gt": 1}]}, {"b": 5}, True),
    ],
)
def test_evaluate(expression, env, expected):
    assert evaluate(expr(expression), env) is expected


def test_any_of_in_on_one_field_is_one_in():
    merged = expr({"any": [{"field": "a", "in": ["x"]}, {"field": "a", "in": ["y", "x"]}]})
    assert merged == Compare("a", "in", ("x", "y"))
    assert expression_to_dict(merged) == {"field": "a", "in": ["x", "y"]}


def test_code_in_a_value_stays_data():
    assert evaluate(expr({"field": "a", "eq": "__import__('os').system('true')"}), {"a": "x"}) is False


class TestShownAndHidden:
    @pytest.fixture
    def chain(self, form):
        """gate -> detail (gate = yes) -> follow_up (detail answered)."""
        return form(
            [
                GATE,
                {"name": "detail", "type": "text", "label": "详情", "required": True, "relevant": {"field": "gate", "eq": "yes"}},
                {"name": "follow_up", "type": "integer", "label": "后续", "required": True, "relevant": {"field": "detail", "answered": True}},
            ]
        )

    def test_shown_question_is_required(self, chain, codes):
        assert codes(chain.validate({"gate": "yes"})) == {("detail", "required")}
        assert codes(chain.validate({"gate": "yes", "detail": "有"})) == {("follow_up", "required")}
        assert chain.validate({"gate": "yes", "detail": "有", "follow_up": 2}) == []

    def test_hidden_question_must_be_unanswered(self, chain, codes):
        assert chain.validate({"gate": "no"}) == []
        assert codes(chain.validate({"gate": "no", "detail": "有"})) == {("detail", "not_relevant")}

    def test_hidden_answer_does_not_reveal_later_questions(self, chain, codes):
        # detail is hidden, so its (stray) value counts as unanswered: follow_up stays hidden.
        errors = chain.validate({"gate": "no", "detail": "有", "follow_up": 2})
        assert codes(errors) == {("detail", "not_relevant"), ("follow_up", "not_relevant")}

    def test_hidden_answer_is_not_type_checked(self, chain, codes):
        assert codes(chain.validate({"gate": "no", "follow_up": "lots"})) == {("follow_up", "not_relevant")}

    def test_wrong_typed_answer_does_not_crash_relevance(self, chain, codes):
        assert codes(chain.validate({"gate": ["yes"]})) == {("gate", "wrong_type")}

    def test_group_relevance_hides_its_questions(self, form, codes):
        definition = form(
            [
                GATE,
                {
                    "name": "section",
                    "type": "group",
                    "label": "分组",
                    "relevant": {"field": "gate", "eq": "yes"},
                    "questions": [
                        {"name": "inside", "type": "integer", "label": "组内", "required": True},
                        {"name": "inner_note", "type": "text", "label": "组内说明", "relevant": {"field": "inside", "gt": 5}},
                    ],
                },
            ]
        )
        assert definition.validate({"gate": "no"}) == []
        assert codes(definition.validate({"gate": "no", "inside": 9})) == {("inside", "not_relevant")}
        assert codes(definition.validate({"gate": "yes"})) == {("inside", "required")}
        assert codes(definition.validate({"gate": "yes", "inside": 1, "inner_note": "x"})) == {("inner_note", "not_relevant")}
        assert definition.validate({"gate": "yes", "inside": 9, "inner_note": "x"}) == []

    def test_numeric_and_multiple_choice_conditions(self, form, codes):
        definition = form(
            [
                {"name": "colours", "type": "select_multiple", "label": "颜色", "choices": "colour"},
                {"name": "why_red", "type": "text", "label": "为何红", "required": True, "relevant": {"field": "colours", "in": ["red"]}},
                {"name": "height", "type": "decimal", "label": "高度"},
                {
                    "name": "tall_note",
                    "type": "text",
                    "label": "高说明",
                    "required": True,
                    "relevant": {"all": [{"field": "height", "gte": 1.5}, {"not": {"field": "colours", "in": ["blue"]}}]},
                },
            ]
        )
        assert codes(definition.validate({"colours": ["green", "red"]})) == {("why_red", "required")}
        assert definition.validate({"colours": ["green"]}) == []
        assert codes(definition.validate({"height": 1.5})) == {("tall_note", "required")}
        assert definition.validate({"height": 1.5, "colours": ["blue"]}) == []
