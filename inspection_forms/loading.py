"""Loading and checking form definitions (dicts, YAML files, the built-in forms).

Every mistake a form author can make is caught here and named by question, so a bad form fails
when it is loaded or published, never on an inspector's phone or while validating a push.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .definition import (NUMERIC_TYPES, SELECT_TYPES, Choice, FormDefinition, Group, Node, Question, Repeat,
                         walk_nodes)
from .errors import FormDefinitionError
from .expressions import Expr, comparisons, is_number, parse_expression

Scope = dict[str, Question]  # the questions a relevance expression may refer to, by name
DEFINITIONS_DIR = Path(__file__).parent / "definitions"
NAME = re.compile(r"[a-z][a-z0-9_]*")  # ASCII snake_case: names and codes end up in rules and SQL

COMMON_KEYS = {"name", "type", "label", "hint", "relevant", "required"}
RANGE_KEYS = {"min", "min_inclusive", "max", "max_inclusive", "constraint_message"}
KEYS_BY_TYPE = {
    "select_one": COMMON_KEYS | {"choices"},
    "select_multiple": COMMON_KEYS | {"choices"},
    "integer": COMMON_KEYS | RANGE_KEYS,
    "decimal": COMMON_KEYS | RANGE_KEYS,
    "area_mu": COMMON_KEYS | RANGE_KEYS,
    "text": COMMON_KEYS | {"pattern", "constraint_message"},
    "date": COMMON_KEYS,
    "geopoint": COMMON_KEYS,
    "photo": {"name", "type", "label", "hint", "relevant", "role", "min_count", "max_count"},
    "group": {"name", "type", "label", "relevant", "questions"},
    "repeat": {"name", "type", "label", "relevant", "required", "questions"},
}


def load_definition(data: object) -> FormDefinition:
    """Check a definition given as plain data (as in the YAML files or `to_dict()`)."""
    if not isinstance(data, Mapping):
        raise FormDefinitionError("a form definition must be a mapping")
    required = {"form_id", "version", "title", "questions"}
    _check_keys(data, required | {"choices", "observations"}, required, None)
    form_id, version, title = data["form_id"], data["version"], data["title"]
    if not isinstance(form_id, str) or not NAME.fullmatch(form_id):
        raise FormDefinitionError(f"form_id must be ASCII snake_case, got {form_id!r}")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise FormDefinitionError(f"version must be a positive integer, got {version!r}")
    _text(title, "title", None)
    choices = _choices(data.get("choices", {}))
    builder = _Builder(choices, _all_names(data["questions"]))
    children = builder.nodes(data["questions"], repeat=None)
    observations = _observations(data.get("observations", {}), children)
    return FormDefinition(form_id, version, title, choices, children, observations)


def load_definition_file(path: str | Path) -> FormDefinition:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise FormDefinitionError(f"{path.name}: not valid YAML: {exc}") from exc
    try:
        return load_definition(data)
    except FormDefinitionError as exc:
        exc.add_note(f"in {path}")
        raise


def builtin_definitions() -> list[FormDefinition]:
    """Every definition shipped in definitions/, ordered by form id then version."""
    return list(_builtin())


@cache
def _builtin() -> tuple[FormDefinition, ...]:
    found = []
    for path in sorted(DEFINITIONS_DIR.glob("*.yaml")):
        definition = load_definition_file(path)
        expected = f"{definition.form_id}.v{definition.version}.yaml"
        if path.name != expected:
            # A copied v1 file edited into v2 but keeping the old id/version would shadow v1.
            raise FormDefinitionError(
                f"{path.name} holds {definition.form_id} v{definition.version}; name it {expected}"
            )
        found.append(definition)
    return tuple(sorted(found, key=lambda d: (d.form_id, d.version)))


def _choices(data: object) -> dict[str, tuple[Choice, ...]]:
    if not isinstance(data, Mapping):
        raise FormDefinitionError("choices must map list names to lists of {code, label}")
    out = {}
    for list_name, items in data.items():
        if not isinstance(list_name, str) or not NAME.fullmatch(list_name):
            raise FormDefinitionError(f"choice list name must be ASCII snake_case, got {list_name!r}")
        if not isinstance(items, list) or not items:
            raise FormDefinitionError(f"choice list '{list_name}' must be a non-empty list")
        codes: set[str] = set()
        parsed = []
        for item in items:
            if not isinstance(item, Mapping) or set(item) != {"code", "label"}:
                raise FormDefinitionError(
                    f"choice list '{list_name}': each choice needs exactly code and label, got {item!r}"
                )
            code = item["code"]
            if not isinstance(code, str) or not NAME.fullmatch(code):
                # YAML reads a bare yes/no as a boolean: quote such codes.
                raise FormDefinitionError(
                    f"choice list '{list_name}': code must be ASCII snake_case, got {code!r}"
                )
            if code in codes:
                raise FormDefinitionError(f"choice list '{list_name}': duplicate code '{code}'")
            codes.add(code)
            parsed.append(Choice(code, _text(item["label"], f"label of choice '{code}'", None)))
        out[list_name] = tuple(parsed)
    return out


def _observations(data: object, children: tuple[Node, ...]) -> dict[str, str]:
    """observation key → the name of an answerable question or a repeat (groups and photos hold no answer)."""
    if not isinstance(data, Mapping):
        raise FormDefinitionError("observations must map observation keys to question names")
    answerable = {node.name for node, _ in walk_nodes(children, None)
                  if isinstance(node, Repeat) or (isinstance(node, Question) and node.type != "photo")}
    out = {}
    for key, name in data.items():
        if not isinstance(key, str) or not NAME.fullmatch(key):
            raise FormDefinitionError(f"observation key must be ASCII snake_case, got {key!r}")
        if not isinstance(name, str) or name not in answerable:
            raise FormDefinitionError(f"observation '{key}' names {name!r}, which is no question or repeat of the form")
        if name in out.values():
            raise FormDefinitionError(f"observation '{key}': question '{name}' already carries another observation")
        out[key] = name
    return out


def _all_names(questions: object) -> set[str]:
    """Every name in the raw tree, to tell 'unknown' from 'not visible from here' in messages."""
    names: set[str] = set()
    for item in questions if isinstance(questions, list) else []:
        if isinstance(item, Mapping):
            if isinstance(item.get("name"), str):
                names.add(item["name"])
            names |= _all_names(item.get("questions"))
    return names


class _Builder:
    """Builds nodes in document order, tracking which questions each relevance may refer to."""

    def __init__(self, choices: dict[str, tuple[Choice, ...]], all_names: set[str]):
        self.choices = choices
        self.all_names = all_names
        self.names: set[str] = set()
        self.photo_roles: set[str] = set()
        self.top_scope: Scope = {}

    def nodes(self, data: object, repeat: Scope | None, owner: str | None = None) -> tuple[Node, ...]:
        """`repeat` is the scope of the enclosing repeat item (None at top level); `owner` the
        group or repeat holding the list."""
        if not isinstance(data, list) or not data:
            raise FormDefinitionError("questions must be a non-empty list", owner)
        return tuple(self.node(item, repeat) for item in data)

    def node(self, data: object, repeat: Scope | None) -> Node:
        if not isinstance(data, Mapping):
            raise FormDefinitionError(f"each question must be a mapping, got {data!r}")
        name = data.get("name")
        if not isinstance(name, str) or not NAME.fullmatch(name):
            raise FormDefinitionError(f"question name must be ASCII snake_case, got {name!r}")
        if name in self.names:
            raise FormDefinitionError("duplicate name (names must be unique across the whole form)", name)
        self.names.add(name)
        kind = data.get("type")
        if not isinstance(kind, str) or kind not in KEYS_BY_TYPE:
            raise FormDefinitionError(f"unknown type {kind!r}; use one of {', '.join(KEYS_BY_TYPE)}", name)
        _check_keys(data, KEYS_BY_TYPE[kind], {"name", "type", "label"}, name)
        label = _text(data["label"], "label", name)
        relevant = self._relevant(data.get("relevant"), name, repeat)
        if kind == "group":
            return Group(name, label, self.nodes(data.get("questions"), repeat, name), relevant)
        if kind == "repeat":
            if repeat is not None:
                raise FormDefinitionError("repeats inside repeats are not supported", name)
            children = self.nodes(data.get("questions"), {}, name)
            return Repeat(name, label, children, relevant, _flag(data, "required", name))
        question = self._question(data, name, kind, label, relevant, repeat)
        (self.top_scope if repeat is None else repeat)[name] = question
        return question

    def _question(
        self, data: Mapping, name: str, kind: str, label: str, relevant: Expr | None, repeat: Scope | None
    ) -> Question:
        hint = data.get("hint")
        if hint is not None:
            _text(hint, "hint", name)
        fields: dict[str, Any] = {}
        if kind in SELECT_TYPES:
            list_name = data.get("choices")
            if not isinstance(list_name, str) or list_name not in self.choices:
                raise FormDefinitionError(f"choice list {list_name!r} is missing", name)
            fields["choices"] = list_name
        elif kind in NUMERIC_TYPES:
            fields.update(_bounds(data, kind, name))
        elif kind == "text" and "pattern" in data:
            fields["pattern"] = _pattern(data["pattern"], name)
        elif kind == "photo":
            if repeat is not None:
                raise FormDefinitionError(
                    "photo questions cannot sit in a repeat: photos are counted per inspection", name
                )
            fields.update(self._photo(data, name))
        if "constraint_message" in data:
            if not any(key in fields for key in ("min", "max", "pattern")) and kind != "area_mu":
                raise FormDefinitionError("constraint_message without a constraint", name)
            fields["constraint_message"] = _text(data["constraint_message"], "constraint_message", name)
        required = _flag(data, "required", name)
        return Question(name, kind, label, hint=hint, required=required, relevant=relevant, **fields)

    def _photo(self, data: Mapping, name: str) -> dict[str, Any]:
        role = data.get("role")
        if not isinstance(role, str) or not NAME.fullmatch(role):
            raise FormDefinitionError(f"photo questions need a snake_case role, got {role!r}", name)
        if role in self.photo_roles:
            raise FormDefinitionError(f"role '{role}' is already used by another photo question", name)
        self.photo_roles.add(role)
        min_count, max_count = data.get("min_count", 0), data.get("max_count")
        if not _is_int(min_count) or min_count < 0:
            raise FormDefinitionError(f"min_count must be an integer >= 0, got {min_count!r}", name)
        if max_count is not None and (not _is_int(max_count) or max_count < max(min_count, 1)):
            raise FormDefinitionError(
                f"max_count must be an integer >= max(min_count, 1), got {max_count!r}", name
            )
        return {"role": role, "min_count": min_count, "max_count": max_count}

    def _relevant(self, data: object, name: str, repeat: Scope | None) -> Expr | None:
        if data is None:
            return None
        expr = parse_expression(data, name)
        for compare in comparisons(expr):
            target = self._visible(compare.field, name, repeat)
            _check_comparison(compare.op, compare.value, target, self.choices, name)
        return expr

    def _visible(self, field: str, name: str, repeat: Scope | None) -> Question:
        """Relevance may read earlier questions of the same repeat item or of the top level."""
        if repeat is not None and field in repeat:
            return repeat[field]
        if field in self.top_scope:
            return self.top_scope[field]
        if field == name:
            raise FormDefinitionError("relevance refers to the question itself", name)
        if field in self.all_names:
            raise FormDefinitionError(
                f"relevance refers to '{field}', which is not an earlier question in scope "
                "(it comes later, is a group/repeat, or sits in a repeat)",
                name,
            )
        raise FormDefinitionError(f"relevance refers to unknown question '{field}'", name)


def _check_comparison(op: str, value: Any, target: Question, choices: dict, name: str) -> None:
    kind = target.type
    where = f"relevance on '{target.name}' ({kind})"
    if kind == "photo":
        raise FormDefinitionError(f"{where}: photo questions have no answer to test", name)
    if op == "in":
        if kind not in SELECT_TYPES:
            raise FormDefinitionError(f"{where}: 'in' needs a select question", name)
        codes = {c.code for c in choices[target.choices]}
        unknown = [v for v in value if v not in codes]
        if unknown:
            raise FormDefinitionError(f"{where}: {unknown} not in choice list '{target.choices}'", name)
    elif op == "eq":
        if kind == "select_one":
            if value not in {c.code for c in choices[target.choices]}:
                raise FormDefinitionError(f"{where}: {value!r} not in choice list '{target.choices}'", name)
        elif kind == "text":
            if not isinstance(value, str):
                raise FormDefinitionError(f"{where}: compare text with a string", name)
        elif kind in NUMERIC_TYPES:
            if not is_number(value):
                raise FormDefinitionError(f"{where}: compare numbers with a number", name)
        else:
            raise FormDefinitionError(f"{where}: 'eq' is not supported here (use 'in' for select_multiple)", name)
    elif op != "answered" and kind not in NUMERIC_TYPES:
        raise FormDefinitionError(f"{where}: '{op}' needs a numeric question", name)


def _bounds(data: Mapping, kind: str, name: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("min", "max"):
        if key not in data:
            if f"{key}_inclusive" in data:
                raise FormDefinitionError(f"{key}_inclusive without {key}", name)
            continue
        value = data[key]
        if not is_number(value) or not math.isfinite(value) or (kind == "integer" and not isinstance(value, int)):
            expected = "an integer" if kind == "integer" else "a finite number"
            raise FormDefinitionError(f"{key} must be {expected}, got {value!r}", name)
        out[key] = value
        out[f"{key}_inclusive"] = _flag(data, f"{key}_inclusive", name, default=True)
    if kind == "area_mu" and out.get("min", 0) < 0:
        raise FormDefinitionError(f"an area cannot have a negative min, got {out['min']!r}", name)
    low, high = out.get("min"), out.get("max")
    if low is not None and high is not None:
        if low > high or (low == high and not (out["min_inclusive"] and out["max_inclusive"])):
            raise FormDefinitionError(f"min {low!r} and max {high!r} leave no valid value", name)
    return out


def _pattern(pattern: object, name: str) -> str:
    if not isinstance(pattern, str) or not pattern:
        raise FormDefinitionError(f"pattern must be a non-empty string, got {pattern!r}", name)
    try:
        re.compile(pattern)
    except re.error as exc:
        raise FormDefinitionError(f"pattern {pattern!r} is not a valid regular expression: {exc}", name) from exc
    return pattern


def _check_keys(data: Mapping, allowed: set[str], required: set[str], name: str | None) -> None:
    unknown = sorted(str(k) for k in set(data) - allowed)
    if unknown:
        raise FormDefinitionError(f"unsupported keys {unknown}", name)
    missing = sorted(required - set(data))
    if missing:
        raise FormDefinitionError(f"missing keys {missing}", name)


def _text(value: object, what: str, name: str | None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FormDefinitionError(f"{what} must be non-empty text, got {value!r}", name)
    return value


def _flag(data: Mapping, key: str, name: str, default: bool = False) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise FormDefinitionError(f"{key} must be true or false, got {value!r}", name)
    return value


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
