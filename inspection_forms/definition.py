"""The form definition as domain values: questions, groups, repeats and choice lists.

A definition is immutable once loaded: the server keeps every published version and validates each
inspection against the version the device filled in, so nothing here depends on anything but the
definition's own data. Build one with `inspection_forms.load_definition`, which checks it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any, ClassVar, Union

from marshmallow import Schema

from .errors import FieldError
from .expressions import Expr, expression_to_dict
from .schema import build_answer_schema
from .validation import shown_photo_questions, validate_answers

SELECT_TYPES = ("select_one", "select_multiple")
NUMERIC_TYPES = ("integer", "decimal", "area_mu")


@dataclass(frozen=True)
class Choice:
    code: str  # stable ASCII snake_case; stored in answers and read by the violation rules
    label: str  # zh-CN, shown on the device

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "label": self.label}


@dataclass(frozen=True)
class Question:
    """One answerable item. Which of the optional attributes apply depends on `type`."""

    name: str
    type: str
    label: str
    hint: str | None = None
    required: bool = False
    relevant: Expr | None = None
    choices: str | None = None  # choice list name, selects only
    min: int | float | None = None  # numeric types only
    min_inclusive: bool = True
    max: int | float | None = None
    max_inclusive: bool = True
    pattern: str | None = None  # text only; matched with re.search, as ODK's regex()
    constraint_message: str | None = None  # zh-CN, replaces the default range/pattern message
    role: str | None = None  # photo only: the role photos must carry to count here
    min_count: int = 0  # photo only
    max_count: int | None = None  # photo only

    def bounds(self) -> tuple[int | float | None, bool, int | float | None, bool]:
        """(min, min_inclusive, max, max_inclusive); an area in 亩 is never negative."""
        if self.type == "area_mu" and self.min is None:
            return 0, True, self.max, self.max_inclusive
        return self.min, self.min_inclusive, self.max, self.max_inclusive

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type, "label": self.label}
        optional = {
            "hint": (self.hint, None),
            "required": (self.required, False),
            "relevant": (self.relevant, None),
            "choices": (self.choices, None),
            "min": (self.min, None),
            "min_inclusive": (self.min_inclusive, True),
            "max": (self.max, None),
            "max_inclusive": (self.max_inclusive, True),
            "pattern": (self.pattern, None),
            "constraint_message": (self.constraint_message, None),
            "role": (self.role, None),
            "min_count": (self.min_count, 0),
            "max_count": (self.max_count, None),
        }
        for key, (value, default) in optional.items():
            if value != default:
                out[key] = expression_to_dict(value) if key == "relevant" else value
        return out


@dataclass(frozen=True)
class Group:
    """Questions shown together; answers stay flat at the level the group sits in."""

    type: ClassVar[str] = "group"
    name: str
    label: str
    children: tuple[Node, ...]
    relevant: Expr | None = None

    def to_dict(self) -> dict[str, Any]:
        return _container_dict(self, {})


@dataclass(frozen=True)
class Repeat:
    """A list of items answered with the same questions (a parcel may have several problems)."""

    type: ClassVar[str] = "repeat"
    name: str
    label: str
    children: tuple[Node, ...]
    relevant: Expr | None = None
    required: bool = False  # at least one item when shown

    def to_dict(self) -> dict[str, Any]:
        return _container_dict(self, {"required": True} if self.required else {})


Node = Union[Question, Group, Repeat]


def _container_dict(node: Group | Repeat, extra: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": node.name, "type": node.type, "label": node.label}
    if node.relevant is not None:
        out["relevant"] = expression_to_dict(node.relevant)
    out.update(extra)
    out["questions"] = [child.to_dict() for child in node.children]
    return out


@dataclass(frozen=True)
class FormDefinition:
    form_id: str
    version: int
    title: str  # zh-CN
    choices: Mapping[str, tuple[Choice, ...]]
    children: tuple[Node, ...]
    # Which question carries which observation the server's rules read (observation key → question or
    # repeat name). The engine checks only that the names exist; what a complete mapping is, the reader of
    # the observations decides (server/rules/observations.py).
    observations: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable; `load_definition(d.to_dict()) == d`. A form without a mapping leaves the key
        out, so its content hash is what it was before mappings existed."""
        out: dict[str, Any] = {
            "form_id": self.form_id,
            "version": self.version,
            "title": self.title,
            "choices": {name: [c.to_dict() for c in items] for name, items in self.choices.items()},
            "questions": [node.to_dict() for node in self.children],
        }
        if self.observations:
            out["observations"] = dict(self.observations)
        return out

    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON, so a published version can be pinned and compared."""
        canonical = json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def __hash__(self) -> int:
        # Equal definitions share id and version; the choices mapping itself is not hashable.
        return hash((self.form_id, self.version))

    def __getstate__(self) -> dict[str, Any]:
        # Leave out the cached schema: generated classes cannot be pickled; it is rebuilt on use.
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def walk(self) -> Iterator[tuple[Node, Repeat | None]]:
        """Every node in document order, with the repeat it sits in (None at top level)."""
        yield from walk_nodes(self.children, None)

    def node(self, name: str) -> Node:
        return self._nodes[name]

    def choice_codes(self, list_name: str) -> tuple[str, ...]:
        return tuple(choice.code for choice in self.choices[list_name])

    def photo_roles(self) -> frozenset[str]:
        return frozenset(n.role for n, _ in self.walk() if n.type == "photo")

    @cached_property
    def _nodes(self) -> dict[str, Node]:
        return {node.name: node for node, _ in self.walk()}

    @cached_property
    def answer_schema(self) -> Schema:
        """The marshmallow schema of this form's answers, built from the definition once."""
        return build_answer_schema(self)

    def validate(self, answers: object, photos: object = None) -> list[FieldError]:
        """All problems with an inspection's answers and photo list; empty when it is acceptable.

        `photos` is the inspection's photo list `[{"sha256": ..., "role": ...}]`; photo questions
        are satisfied by photos of their role, never by values in `answers`. None means no photos.
        """
        return validate_answers(self, answers, photos)

    def photo_requirements(self, answers: object) -> list[PhotoRequirement]:
        """The photo roles (and counts) the device must collect given the answers so far."""
        return [PhotoRequirement.of(q) for q in shown_photo_questions(self, answers)]


@dataclass(frozen=True)
class PhotoRequirement:
    question: str
    role: str
    label: str
    min_count: int
    max_count: int | None

    @classmethod
    def of(cls, question: Question) -> PhotoRequirement:
        return cls(question.name, question.role, question.label, question.min_count, question.max_count)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "role": self.role,
            "label": self.label,
            "min_count": self.min_count,
            "max_count": self.max_count,
        }


def walk_nodes(nodes: tuple[Node, ...], repeat: Repeat | None) -> Iterator[tuple[Node, Repeat | None]]:
    for node in nodes:
        yield node, repeat
        if isinstance(node, Group):
            yield from walk_nodes(node.children, repeat)
        elif isinstance(node, Repeat):
            yield from walk_nodes(node.children, node)
