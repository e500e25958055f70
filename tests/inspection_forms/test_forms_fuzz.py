"""Whatever a device sends, the engine answers with FieldErrors and never raises."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspection_forms import FieldError, FormDefinitionError, XLSFormError, load_definition
from inspection_forms.xpath import parse_constraint, parse_relevant

# No example database: keep the working tree clean; a failure prints its reproduction.
FUZZ = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


def values_for(definition):
    """Random JSON plus values that are nearly right: real codes, lists of codes, numbers, dates."""
    all_codes = [c.code for items in definition.choices.values() for c in items]
    plausible = (
        st.sampled_from(all_codes)
        | st.lists(st.sampled_from(all_codes), max_size=4)
        | st.integers(min_value=-5, max_value=2000)
        | st.floats(min_value=-5, max_value=2000)
        | st.sampled_from(["2024-05-01", "2024-02-30", {"lat": 30.1, "lon": 120.2}, {"lat": 91, "lon": 0}])
    )
    return plausible | json_values


def answer_sets(definition):
    names = [node.name for node, _ in definition.walk()]
    keys = st.sampled_from(names) | st.text(max_size=10)
    values = values_for(definition)
    items = st.lists(st.dictionaries(keys, values, max_size=6) | json_values, max_size=3)
    repeats = [node.name for node, _ in definition.walk() if node.type == "repeat"]
    answers = st.dictionaries(keys, values, max_size=14)
    if repeats:
        answers = st.builds(lambda a, r: {**a, **r}, answers, st.dictionaries(st.sampled_from(repeats), items, max_size=1))
    return answers | json_values


photo_lists = st.none() | json_values | st.lists(
    st.fixed_dictionaries(
        {"sha256": st.sampled_from(["a" * 64, "B" * 64, "c" * 64, "xyz"]) | json_scalars, "role": st.sampled_from(["distant", "close", "detail", "overview"]) | json_scalars}
    )
    | json_values,
    max_size=6,
)


@pytest.mark.parametrize("name", ["patrol", "all_types_form"])
def test_random_answers_only_give_field_errors(request, name):
    definition = request.getfixturevalue(name)

    @FUZZ
    @given(answers=answer_sets(definition), photos=photo_lists)
    def check(answers, photos):
        errors = definition.validate(answers, photos)
        assert all(isinstance(e, FieldError) and e.code and e.message for e in errors)
        assert all(r.min_count >= 0 for r in definition.photo_requirements(answers))

    check()


XPATH_PIECES = ["${a}", "${b}", ".", "'x'", '"y"', "3", "-1.5", "=", "!=", ">", ">=", "<", "(", ")", ",",
                " and ", " or ", "not", "selected", "regex", "count", " ", "''", "${", "}"]


@FUZZ
@given(text=st.lists(st.sampled_from(XPATH_PIECES), max_size=14).map("".join) | st.text(max_size=30))
def test_xpath_parser_only_raises_xlsform_errors(text):
    for parse in (parse_relevant, parse_constraint):
        try:
            assert isinstance(parse(text), dict)
        except XLSFormError:
            pass


def _nodes(data):
    """Every mapping in a definition dict, to pick one to break."""
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from _nodes(value)
    elif isinstance(data, list):
        for value in data:
            yield from _nodes(value)


@FUZZ
@given(data=st.data(), value=json_values)
def test_broken_definitions_only_raise_definition_errors(patrol, data, value):
    definition = patrol.to_dict()
    target = data.draw(st.sampled_from(list(_nodes(definition))))
    key = data.draw(st.sampled_from(sorted(target)) | st.sampled_from(["relevant", "min", "choices", "questions", "role"]))
    target[key] = value
    try:
        load_definition(definition)
    except FormDefinitionError:
        pass
