"""The small subset of ODK XPath accepted in XLSForm `relevant` and `constraint` cells.

Parsed by hand (never evaluated) and translated one-to-one into the declarative relevance language
or into min/max/pattern constraints. Anything outside the subset is refused: a form must never mean
less on our devices than its author wrote. Supported:

- relevant: `${x} = 'a'`, `${x} != 'a'`, `${x} = ''` / `${x} != ''` (unanswered / answered),
  `${x} > 3` (also >=, <, <=), `selected(${x}, 'a')`, `and`, `or`, `not(...)`, parentheses;
- constraint: `. >= 0`, `. > 0 and . <= 100` (one lower and/or one upper bound), `regex(., '...')`.

String literals have no escapes, as in XPath 1.0: quote with ' or ".
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .errors import XLSFormError
from .expressions import AllOf, AnyOf, Compare, Expr, Not

if TYPE_CHECKING:
    from .definition import Question

TOKEN = re.compile(
    r"""\s*(?:
      \$\{(?P<ref>[^}]*)\}
    | '(?P<squote>[^']*)' | "(?P<dquote>[^"]*)"
    | (?P<number>-?[0-9]+(?:\.[0-9]+)?)
    | (?P<op>!=|>=|<=|=|>|<)
    | (?P<punct>[(),])
    | (?P<dot>\.)(?![0-9])
    | (?P<word>[A-Za-z_][A-Za-z0-9_:-]*)
    )""",
    re.VERBOSE,
)
ORDER_OPS = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}
XPATH_OPS = {op: symbol for symbol, op in ORDER_OPS.items()}


def parse_relevant(text: str) -> dict[str, Any]:
    """An XLSForm relevant expression as a declarative expression dict."""
    parser = _Parser(text)
    expr = parser.disjunction()
    parser.finish()
    return expr


def parse_constraint(text: str) -> dict[str, Any]:
    """An XLSForm constraint as question keys: min/max(+_inclusive) or pattern."""
    parser = _Parser(text)
    if parser.peek() == ("word", "regex"):
        parser.take()
        parser.expect("punct", "(")
        parser.expect("dot", ".")
        parser.expect("punct", ",")
        pattern = parser.expect("string")
        parser.expect("punct", ")")
        parser.finish()
        return {"pattern": pattern}
    bounds: dict[str, Any] = {}
    while True:
        parser.expect("dot", ".")
        op = parser.expect("op")
        if op not in ORDER_OPS:
            raise XLSFormError(f"constraint operator '{op}' is not supported; use >, >=, < or <=")
        key = "min" if op.startswith(">") else "max"
        if key in bounds:
            raise XLSFormError(f"constraint gives two {key}imum bounds")
        bounds[key] = parser.number()
        bounds[f"{key}_inclusive"] = op.endswith("=")
        if parser.peek() != ("word", "and"):
            break
        parser.take()
    parser.finish()
    return bounds


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokenize(text)
        self.position = 0

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, Any]:
        token = self.peek()
        if token is None:
            raise XLSFormError("the expression ends too early")
        self.position += 1
        return token

    def expect(self, kind: str, value: Any = None) -> Any:
        token = self.take()
        if token[0] != kind or (value is not None and token[1] != value):
            wanted = repr(value) if value is not None else kind
            raise XLSFormError(f"expected {wanted} but found {token[1]!r}")
        return token[1]

    def finish(self) -> None:
        if self.peek() is not None:
            raise XLSFormError(f"unexpected {self.peek()[1]!r}")

    def number(self) -> int | float:
        return _number(self.expect("number"))

    def disjunction(self) -> dict[str, Any]:
        items = [self.conjunction()]
        while self.peek() == ("word", "or"):
            self.take()
            items.append(self.conjunction())
        return items[0] if len(items) == 1 else {"any": items}

    def conjunction(self) -> dict[str, Any]:
        items = [self.unary()]
        while self.peek() == ("word", "and"):
            self.take()
            items.append(self.unary())
        return items[0] if len(items) == 1 else {"all": items}

    def unary(self) -> dict[str, Any]:
        kind, value = self.take()
        if kind == "punct" and value == "(":
            inner = self.disjunction()
            self.expect("punct", ")")
            return inner
        if kind == "word" and value in ("not", "selected"):
            self.expect("punct", "(")
            if value == "not":
                result = {"not": self.disjunction()}
            else:
                field = self.expect("ref")
                self.expect("punct", ",")
                result = {"field": field, "in": [self.expect("string")]}
            self.expect("punct", ")")
            return result
        if kind == "word":
            raise XLSFormError(f"'{value}' is not supported")
        if kind != "ref":
            raise XLSFormError(f"expected ${{field}} but found {value!r}")
        return self.comparison(value)

    def comparison(self, field: str) -> dict[str, Any]:
        op = self.expect("op")
        kind, value = self.take()
        if kind not in ("string", "number"):
            raise XLSFormError(f"compare ${{{field}}} with a literal, not {value!r}")
        if op in ORDER_OPS:
            if kind != "number":
                raise XLSFormError(f"'{op}' needs a number")
            return {"field": field, ORDER_OPS[op]: _number(value)}
        if value == "":
            return {"field": field, "answered": op == "!="}
        equal = {"field": field, "eq": _number(value) if kind == "number" else value}
        return equal if op == "=" else {"not": equal}


def _tokenize(text: str) -> list[tuple[str, Any]]:
    tokens = []
    position = 0
    while text[position:].strip():
        match = TOKEN.match(text, position)
        if match is None:
            raise XLSFormError(f"cannot read {text[position:].strip()!r}")
        kind = match.lastgroup
        value = match.group(kind)
        if kind in ("squote", "dquote"):
            kind = "string"
        elif kind == "ref" and not re.fullmatch(r"[a-z][a-z0-9_]*", value):
            raise XLSFormError(f"'${{{value}}}' is not a valid question reference")
        elif kind == "word" and value not in ("and", "or", "not", "selected", "regex"):
            raise XLSFormError(f"'{value}' is not supported")
        tokens.append((kind, value))
        position = match.end()
    return tokens


def _number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def relevant_to_xpath(expr: Expr) -> str:
    if isinstance(expr, Compare):
        ref = f"${{{expr.field}}}"
        if expr.op == "in":
            return " or ".join(f"selected({ref}, {_literal(code)})" for code in expr.value)
        if expr.op == "answered":
            return f"{ref} != ''" if expr.value else f"{ref} = ''"
        symbol = "=" if expr.op == "eq" else XPATH_OPS[expr.op]
        return f"{ref} {symbol} {_literal(expr.value)}"
    if isinstance(expr, Not):
        return f"not({relevant_to_xpath(expr.item)})"
    joiner = " and " if isinstance(expr, AllOf) else " or "
    return joiner.join(_operand(item) for item in expr.items)


def _operand(expr: Expr) -> str:
    """Parenthesise compound operands so the parser rebuilds exactly the same tree."""
    several_codes = isinstance(expr, Compare) and expr.op == "in" and len(expr.value) > 1
    compound = isinstance(expr, (AllOf, AnyOf)) or several_codes
    text = relevant_to_xpath(expr)
    return f"({text})" if compound else text


def constraint_to_xpath(question: Question) -> str | None:
    if question.pattern is not None:
        return f"regex(., {_literal(question.pattern)})"
    parts = []
    if question.min is not None:
        parts.append(f". {'>=' if question.min_inclusive else '>'} {_literal(question.min)}")
    if question.max is not None:
        parts.append(f". {'<=' if question.max_inclusive else '<'} {_literal(question.max)}")
    return " and ".join(parts) or None


def _literal(value: str | int | float) -> str:
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # XPath 1.0 has no exponent notation; keep a '.' so the value reads back as a float.
        text = format(Decimal(repr(value)), "f")
        return text if "." in text else f"{text}.0"
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    raise XLSFormError(f"{value!r} holds both quote kinds and cannot be written as an XPath literal")
