"""Bad definitions fail at load with FormDefinitionError naming the question at fault."""

from __future__ import annotations

import pytest

from inspection_forms import FormDefinitionError, load_definition

YES = {"name": "gate", "type": "select_one", "label": "是否", "choices": "yes_no"}
TEXT = {"name": "note", "type": "text", "label": "说明"}


def q(**kwargs):
    return {"label": "题目", **kwargs}


CASES = [
    pytest.param([TEXT, {**TEXT}], "note", "duplicate name", id="duplicate-name"),
    pytest.param(
        [TEXT, {"name": "items", "type": "repeat", "label": "列表", "questions": [{**TEXT}]}],
        "note",
        "duplicate name",
        id="duplicate-name-inside-repeat",
    ),
    pytest.param([q(name="total", type="calculate")], "total", "unknown type 'calculate'", id="unknown-type"),
    pytest.param([q(name="a", type="text", relevant={"field": "nope", "answered": True})], "a", "unknown question 'nope'", id="relevance-unknown"),
    pytest.param(
        [q(name="a", type="text", relevant={"field": "gate", "eq": "yes"}), YES],
        "a",
        "not an earlier question",
        id="relevance-later",
    ),
    pytest.param([q(name="a", type="text", relevant={"field": "a", "answered": True})], "a", "itself", id="relevance-self"),
    pytest.param(
        [
            {"name": "items", "type": "repeat", "label": "列表", "questions": [q(name="inner", type="integer")]},
            q(name="after", type="text", relevant={"field": "inner", "gt": 1}),
        ],
        "after",
        "sits in a repeat",
        id="relevance-into-repeat",
    ),
    pytest.param(
        [{"name": "grp", "type": "group", "label": "组", "relevant": {"field": "inside", "answered": True}, "questions": [q(name="inside", type="text")]}],
        "grp",
        "not an earlier question",
        id="group-relevance-on-own-child",
    ),
    pytest.param([q(name="a", type="select_one", choices="missing_list")], "a", "choice list 'missing_list' is missing", id="choice-list-missing"),
    pytest.param([q(name="a", type="select_one")], "a", "choice list None is missing", id="choice-list-not-given"),
    pytest.param([q(name="n", type="integer", min=10, max=1)], "n", "leave no valid value", id="min-above-max"),
    pytest.param([q(name="n", type="decimal", min=1, max=1, max_inclusive=False)], "n", "leave no valid value", id="empty-exclusive-range"),
    pytest.param([q(name="n", type="integer", min=0.5)], "n", "must be an integer", id="integer-float-bound"),
    pytest.param([q(name="n", type="decimal", max="10")], "n", "finite number", id="string-bound"),
    pytest.param([q(name="n", type="decimal", max=float("inf"))], "n", "finite number", id="infinite-bound"),
    pytest.param([q(name="n", type="decimal", min_inclusive=False)], "n", "min_inclusive without min", id="inclusive-without-bound"),
    pytest.param([q(name="a", type="area_mu", min=-1)], "a", "negative min", id="negative-area"),
    pytest.param([q(name="t", type="text", min=1)], "t", "unsupported keys ['min']", id="range-on-text"),
    pytest.param([q(name="t", type="text", pattern="([a-z")], "t", "not a valid regular expression", id="bad-regex"),
    pytest.param([q(name="t", type="text", constraint_message="不对")], "t", "constraint_message without a constraint", id="message-without-constraint"),
    pytest.param([q(name="t", type="text", requird=True)], "t", "unsupported keys ['requird']", id="typo-key"),
    pytest.param([q(name="t", type="text", required="yes")], "t", "required must be true or false", id="required-not-bool"),
    pytest.param([{"name": "t", "type": "text"}], "t", "missing keys ['label']", id="label-missing"),
    pytest.param([q(name="p", type="photo")], "p", "need a snake_case role", id="photo-without-role"),
    pytest.param([q(name="p", type="photo", role="far", min_count=3, max_count=2)], "p", "max_count must be", id="photo-min-above-max"),
    pytest.param([q(name="p", type="photo", role="far", min_count=-1)], "p", "min_count must be", id="photo-negative-min"),
    pytest.param([q(name="p", type="photo", role="far", required=True)], "p", "unsupported keys ['required']", id="photo-required"),
    pytest.param(
        [q(name="p1", type="photo", role="far"), q(name="p2", type="photo", role="far")],
        "p2",
        "role 'far' is already used",
        id="photo-role-twice",
    ),
    pytest.param(
        [{"name": "items", "type": "repeat", "label": "列表", "questions": [q(name="p", type="photo", role="far")]}],
        "p",
        "cannot sit in a repeat",
        id="photo-in-repeat",
    ),
    pytest.param(
        [{"name": "outer", "type": "repeat", "label": "外", "questions": [{"name": "inner", "type": "repeat", "label": "内", "questions": [TEXT]}]}],
        "inner",
        "repeats inside repeats",
        id="nested-repeat",
    ),
    pytest.param([{"name": "grp", "type": "group", "label": "组", "questions": []}], "grp", "non-empty list", id="empty-group"),
    pytest.param([YES, q(name="a", type="text", relevant="${gate} = 'yes'")], "a", "relevant must be a mapping", id="relevance-as-code"),
    pytest.param([YES, q(name="a", type="text", relevant={"field": "gate", "in": ["maybe"]})], "a", "['maybe'] not in choice list", id="in-unknown-code"),
    pytest.param([YES, q(name="a", type="text", relevant={"field": "gate", "eq": "maybe"})], "a", "'maybe' not in choice list", id="eq-unknown-code"),
    pytest.param(
        [q(name="c", type="select_multiple", choices="colour"), q(name="a", type="text", relevant={"field": "c", "eq": "red"})],
        "a",
        "use 'in' for select_multiple",
        id="eq-on-multiple",
    ),
    pytest.param([TEXT, q(name="a", type="text", relevant={"field": "note", "gt": 3})], "a", "needs a numeric question", id="gt-on-text"),
    pytest.param(
        [q(name="n", type="integer"), q(name="a", type="text", relevant={"field": "n", "eq": "3"})],
        "a",
        "compare numbers with a number",
        id="eq-number-with-string",
    ),
    pytest.param([YES, q(name="a", type="text", relevant={"all": [{"field": "gate", "eq": "yes"}]})], "a", "two or more", id="all-with-one-item"),
    pytest.param([YES, q(name="a", type="text", relevant={"field": "gate", "eq": "yes", "in": ["yes"]})], "a", "cannot read expression", id="two-operators"),
    pytest.param([YES, q(name="a", type="text", relevant={"field": "gate", "answered": "yes"})], "a", "true or false", id="answered-not-bool"),
    pytest.param(
        [q(name="p", type="photo", role="far"), q(name="a", type="text", relevant={"field": "p", "answered": True})],
        "a",
        "photo questions have no answer",
        id="relevance-on-photo",
    ),
    pytest.param([q(name="Bad-Name", type="text")], None, "snake_case", id="name-not-snake-case"),
]


@pytest.mark.parametrize(("questions", "question", "fragment"), CASES)
def test_bad_question_is_named(definition_dict, questions, question, fragment):
    with pytest.raises(FormDefinitionError) as caught:
        load_definition(definition_dict(questions))
    assert caught.value.question == question
    assert fragment in str(caught.value)
    if question:
        assert f"question '{question}'" in str(caught.value)


@pytest.mark.parametrize(
    ("patch", "fragment"),
    [
        pytest.param({"version": "1"}, "version must be a positive integer", id="version-string"),
        pytest.param({"version": True}, "version must be a positive integer", id="version-bool"),
        pytest.param({"version": 0}, "version must be a positive integer", id="version-zero"),
        pytest.param({"form_id": "Farm Patrol"}, "form_id must be ASCII snake_case", id="form-id"),
        pytest.param({"title": " "}, "title must be non-empty", id="title-blank"),
        pytest.param({"owner": "x"}, "unsupported keys ['owner']", id="unknown-top-key"),
        pytest.param({"choices": {"yes_no": [{"code": True, "label": "是"}]}}, "code must be ASCII snake_case, got True", id="yaml-bare-yes"),
        pytest.param(
            {"choices": {"c": [{"code": "a", "label": "甲"}, {"code": "a", "label": "乙"}]}},
            "duplicate code 'a'",
            id="duplicate-code",
        ),
        pytest.param({"choices": {"c": []}}, "must be a non-empty list", id="empty-choice-list"),
        pytest.param({"choices": {"c": [{"code": "a"}]}}, "exactly code and label", id="choice-without-label"),
    ],
)
def test_bad_form_level_fields(definition_dict, patch, fragment):
    data = {**definition_dict([TEXT]), **patch}
    with pytest.raises(FormDefinitionError) as caught:
        load_definition(data)
    assert fragment in str(caught.value)


def test_not_a_mapping():
    with pytest.raises(FormDefinitionError, match="must be a mapping"):
        load_definition(["not", "a", "form"])
