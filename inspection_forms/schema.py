"""The marshmallow schema of a form's answers, generated from its definition.

Forms are data and change by version, so the schema is generated rather than written per form.
Every marshmallow error message is set to one of our error codes, which lets the validator report
codes without matching English text. Types are checked strictly (JSON numbers, ISO dates) instead
of coerced: answers are stored as the device sent them and the violation rules read them as stored,
so "12" in an integer question must be an error rather than quietly become 12.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from marshmallow import Schema, ValidationError, fields
from marshmallow.validate import OneOf, Range

from .errors import DUPLICATE_CHOICE, NOT_A_CHOICE, OUT_OF_RANGE, PATTERN_MISMATCH, UNKNOWN_FIELD, WRONG_TYPE
from .expressions import is_number

if TYPE_CHECKING:
    from .definition import FormDefinition, Node, Question

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class _CodedSchema(Schema):
    error_messages = {"type": WRONG_TYPE, "unknown": UNKNOWN_FIELD}


def _coded(field: fields.Field) -> fields.Field:
    """Every built-in failure of a field (invalid, null, too_large, ...) is a type error to us."""
    field.error_messages = {key: WRONG_TYPE for key in field.error_messages}
    return field


class _JsonNumber(fields.Float):
    """A JSON number: no strings, no booleans, no NaN or infinity."""

    def _validated(self, value: Any) -> float:
        if not is_number(value):
            raise self.make_error("invalid")
        return super()._validated(value)


class _IsoDate(fields.Date):
    """Exactly YYYY-MM-DD, the one date spelling every device produces."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class _GeopointSchema(_CodedSchema):
    """WGS84 degrees as the phone's GNSS reports them; accuracy in metres. Any other key makes the
    whole point a wrong value (it is one answer, not a form level)."""

    error_messages = {"unknown": WRONG_TYPE}

    lat = _coded(_JsonNumber(required=True, validate=Range(-90, 90, error=OUT_OF_RANGE)))
    lon = _coded(_JsonNumber(required=True, validate=Range(-180, 180, error=OUT_OF_RANGE)))
    accuracy_m = _coded(_JsonNumber(validate=Range(min=0, error=OUT_OF_RANGE)))
    altitude_m = _coded(_JsonNumber())


def build_answer_schema(definition: FormDefinition) -> Schema:
    """Top-level answers; groups add no nesting, a repeat is a list of item objects."""
    name = f"{definition.form_id}_v{definition.version}"
    return _schema_class(definition.children, definition, name)()


def _schema_class(nodes: tuple[Node, ...], definition: FormDefinition, name: str) -> type[Schema]:
    return _CodedSchema.from_dict(_fields(nodes, definition), name=name)


def _fields(nodes: tuple[Node, ...], definition: FormDefinition) -> dict[str, fields.Field]:
    out: dict[str, fields.Field] = {}
    for node in nodes:
        if node.type == "group":
            out.update(_fields(node.children, definition))
        elif node.type == "repeat":
            item = _coded(fields.Nested(_schema_class(node.children, definition, node.name)))
            out[node.name] = _coded(fields.List(item))
        elif node.type != "photo":  # photos arrive in the inspection's photo list, not as answers
            out[node.name] = _question_field(node, definition)
    return out


def _question_field(question: Question, definition: FormDefinition) -> fields.Field:
    kind = question.type
    if kind in ("select_one", "select_multiple"):
        code = _coded(fields.String(validate=OneOf(definition.choice_codes(question.choices), error=NOT_A_CHOICE)))
        return code if kind == "select_one" else _coded(fields.List(code, validate=_distinct))
    if kind == "integer":
        return _coded(fields.Integer(strict=True, validate=_range(question)))
    if kind in ("decimal", "area_mu"):
        return _coded(_JsonNumber(validate=_range(question)))
    if kind == "text":
        return _coded(fields.String(validate=[_pattern(question.pattern)] if question.pattern else []))
    if kind == "date":
        return _coded(_IsoDate())
    return _coded(fields.Nested(_GeopointSchema))


def _range(question: Question) -> list[Range]:
    low, low_inclusive, high, high_inclusive = question.bounds()
    if low is None and high is None:
        return []
    return [Range(low, high, min_inclusive=low_inclusive, max_inclusive=high_inclusive, error=OUT_OF_RANGE)]


def _pattern(pattern: str):
    compiled = re.compile(pattern)

    def check(value: str) -> None:
        if compiled.search(value) is None:
            raise ValidationError(PATTERN_MISMATCH)

    return check


def _distinct(codes: list[str]) -> None:
    if len(set(codes)) != len(codes):
        raise ValidationError(DUPLICATE_CHOICE)


def question_fields(schema: Schema) -> dict[str, fields.Field]:
    """Each question's bound field by name, repeat items included (names are unique form-wide)."""
    out: dict[str, fields.Field] = {}
    for name, field in schema.fields.items():
        if isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
            out.update(question_fields(field.inner.schema))
        else:
            out[name] = field
    return out
