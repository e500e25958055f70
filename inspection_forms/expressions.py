"""Relevance expressions: a tiny declarative language evaluated the same way on server and device.

Relevance is data, never code (no `eval`), so a phone running an old app can evaluate exactly what
the server evaluates. The JSON shapes are:

- `{"field": name, "eq": value}`: the answer equals value (a string or a number);
- `{"field": name, "in": [code, ...]}`: a select_one answer is one of the codes, or a
  select_multiple answer includes at least one of them (ODK `selected()`);
- `{"field": name, "gt" | "gte" | "lt" | "lte": number}`: numeric comparison;
- `{"field": name, "answered": true | false}`;
- `{"all": [expr, expr, ...]}`, `{"any": [expr, expr, ...]}` (two or more), `{"not": expr}`.

A question that is hidden, unanswered or answered with a value of the wrong type makes every
comparison on it false (so `not` of it true), and never raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Union

from .errors import FormDefinitionError

COMPARISONS = ("eq", "in", "gt", "gte", "lt", "lte", "answered")
ORDERINGS = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


@dataclass(frozen=True)
class Compare:
    field: str
    op: str
    value: Any  # a tuple of codes for "in"


@dataclass(frozen=True)
class AllOf:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Not:
    item: Expr


Expr = Union[Compare, AllOf, AnyOf, Not]


def is_number(value: object) -> bool:
    """JSON numbers only: bool is an int subclass in Python but never a number in a form."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def parse_expression(data: object, question: str) -> Expr:
    """Build an expression from its JSON shape, checking the shape (not the field names)."""
    if not isinstance(data, Mapping):
        raise FormDefinitionError(f"relevant must be a mapping, got {data!r}", question)
    keys = set(data)
    if keys in ({"all"}, {"any"}):
        (key,) = keys
        items = data[key]
        if not isinstance(items, list) or len(items) < 2:
            raise FormDefinitionError(f"'{key}' needs a list of two or more expressions", question)
        parsed = tuple(parse_expression(item, question) for item in items)
        return AllOf(parsed) if key == "all" else _merge_selected(AnyOf(parsed))
    if keys == {"not"}:
        return Not(parse_expression(data["not"], question))
    ops = keys - {"field"}
    if "field" not in keys or len(ops) != 1 or not ops <= set(COMPARISONS):
        raise FormDefinitionError(
            f"cannot read expression {dict(data)!r}: expected 'field' and one of "
            f"{', '.join(COMPARISONS)}, or 'all'/'any'/'not'",
            question,
        )
    (op,) = ops
    field, value = data["field"], data[op]
    if not isinstance(field, str):
        raise FormDefinitionError(f"expression field must be a name, got {field!r}", question)
    if op == "in":
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise FormDefinitionError(f"'in' needs a non-empty list of codes, got {value!r}", question)
        if len(set(value)) != len(value):
            raise FormDefinitionError(f"'in' lists a code twice: {value!r}", question)
        value = tuple(value)
    elif op == "answered":
        if not isinstance(value, bool):
            raise FormDefinitionError(f"'answered' needs true or false, got {value!r}", question)
    elif op == "eq":
        if not (is_number(value) or (isinstance(value, str) and value)):
            raise FormDefinitionError(f"'eq' needs a non-empty string or a number, got {value!r}", question)
    elif not is_number(value):
        raise FormDefinitionError(f"'{op}' needs a number, got {value!r}", question)
    return Compare(field, op, value)


def _merge_selected(expr: AnyOf) -> Expr:
    """`any` of `in` on one field is one `in`; keeping one spelling makes XLSForm round trips exact."""
    items = expr.items
    if all(isinstance(i, Compare) and i.op == "in" and i.field == items[0].field for i in items):
        codes = dict.fromkeys(code for item in items for code in item.value)
        return Compare(items[0].field, "in", tuple(codes))
    return expr


def expression_to_dict(expr: Expr) -> dict[str, Any]:
    if isinstance(expr, Compare):
        return {"field": expr.field, expr.op: list(expr.value) if expr.op == "in" else expr.value}
    if isinstance(expr, Not):
        return {"not": expression_to_dict(expr.item)}
    key = "all" if isinstance(expr, AllOf) else "any"
    return {key: [expression_to_dict(item) for item in expr.items]}


def comparisons(expr: Expr) -> list[Compare]:
    """Every field comparison in the expression, for reference checks at load."""
    if isinstance(expr, Compare):
        return [expr]
    if isinstance(expr, Not):
        return comparisons(expr.item)
    return [c for item in expr.items for c in comparisons(item)]


def evaluate(expr: Expr, env: Mapping[str, Any]) -> bool:
    """Evaluate against `env`, which holds only the answers of questions currently shown.

    Total on arbitrary JSON values: a device may send anything, and relevance is computed before
    the answers are type-checked.
    """
    if isinstance(expr, AllOf):
        return all(evaluate(item, env) for item in expr.items)
    if isinstance(expr, AnyOf):
        return any(evaluate(item, env) for item in expr.items)
    if isinstance(expr, Not):
        return not evaluate(expr.item, env)
    present = expr.field in env
    if expr.op == "answered":
        return present == expr.value
    if not present:
        return False
    return _compare(expr.op, env[expr.field], expr.value)


def _compare(op: str, answer: Any, value: Any) -> bool:
    if op == "in":
        if isinstance(answer, str):
            return answer in value
        return isinstance(answer, list) and any(isinstance(a, str) and a in value for a in answer)
    if op == "eq":
        if is_number(value):
            return is_number(answer) and answer == value
        return isinstance(answer, str) and answer == value
    return is_number(answer) and ORDERINGS[op](answer, value)

