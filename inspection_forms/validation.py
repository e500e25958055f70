"""Validation of an inspection's answers and photo list against the form version it was filled in.

A pure function of (definition, answers, photos): a device may push months after it downloaded
its form, and the server validates against that exact version, so nothing else may influence the
result. Relevance and required are decided here by walking the definition in document order, as the
device does; value checks are the generated marshmallow schema's. Any JSON value gives FieldErrors,
never an exception.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from marshmallow import ValidationError

from .errors import (
    MESSAGES,
    NOT_RELEVANT,
    OUT_OF_RANGE,
    PATTERN_MISMATCH,
    REQUIRED,
    TOO_FEW_PHOTOS,
    TOO_MANY_PHOTOS,
    UNKNOWN_FIELD,
    UNKNOWN_PHOTO_ROLE,
    WRONG_TYPE,
    FieldError,
)
from .expressions import evaluate
from .schema import question_fields

if TYPE_CHECKING:
    from .definition import FormDefinition, Node, Question, Repeat

SHA256 = re.compile(r"[0-9a-fA-F]{64}")
EXPECTED = {
    "select_one": "一个选项编码",
    "select_multiple": "选项编码的列表",
    "integer": "整数",
    "decimal": "数字",
    "area_mu": "以亩为单位的数字",
    "text": "文本",
    "date": "YYYY-MM-DD 格式的日期",
    "geopoint": "含 lat、lon 的坐标",
    "photo": "照片列表中的照片(不在答案中填写)",
    "repeat": "列表",
}


def validate_answers(definition: FormDefinition, answers: object, photos: object) -> list[FieldError]:
    run = _Run(definition)
    run.check_answers(answers)
    run.check_photos(photos)
    return run.errors


def shown_photo_questions(definition: FormDefinition, answers: object) -> list[Question]:
    """The photo questions shown for these answers (invalid answers are tolerated here)."""
    run = _Run(definition)
    run.check_answers(answers if isinstance(answers, dict) else {})
    return run.shown_photos


class _Run:
    def __init__(self, definition: FormDefinition):
        self.definition = definition
        self.fields = question_fields(definition.answer_schema)
        self.errors: list[FieldError] = []
        self.shown_photos: list[Question] = []

    def check_answers(self, answers: object) -> None:
        if not isinstance(answers, dict):
            # Nothing can be checked or shown; one error beats one per required question.
            self._error("", WRONG_TYPE, "答案", expected="以题目名称为键的对象")
            return
        self._walk(self.definition.children, answers, {}, "", shown=True)
        self._unknown_keys(answers, self.definition.children, "")

    def _walk(self, nodes: tuple[Node, ...], source: dict, env: dict[str, Any], prefix: str, shown: bool) -> None:
        """Visit nodes in document order; `env` collects the answers of shown questions only,
        which is what later relevance expressions may see (ODK semantics)."""
        for node in nodes:
            visible = shown and (node.relevant is None or evaluate(node.relevant, env))
            if node.type == "group":
                self._walk(node.children, source, env, prefix, visible)
            elif node.type == "repeat":
                self._repeat(node, source.get(node.name), env, prefix + node.name, visible)
            elif node.type == "photo":
                if visible:
                    self.shown_photos.append(node)
            else:
                self._question(node, source.get(node.name), env, prefix + node.name, visible)

    def _question(self, question: Question, value: Any, env: dict[str, Any], path: str, visible: bool) -> None:
        if _is_blank(value, question.type):
            if visible and question.required:
                self._error(path, REQUIRED, question.label)
            return
        if not visible:
            self._error(path, NOT_RELEVANT, question.label)
            return
        env[question.name] = value
        try:
            self.fields[question.name].deserialize(value)
        except ValidationError as exc:
            for code in _codes(exc.messages):
                self._error(path, code, question.label, question)

    def _repeat(self, repeat: Repeat, value: Any, env: dict[str, Any], path: str, visible: bool) -> None:
        items = [] if value is None else value
        if not visible:
            if items != []:
                self._error(path, NOT_RELEVANT, repeat.label)
            return
        if not isinstance(items, list):
            self._error(path, WRONG_TYPE, repeat.label, expected=EXPECTED["repeat"])
            return
        if not items and repeat.required:
            self._error(path, REQUIRED, repeat.label)
        for index, item in enumerate(items):
            item_path = f"{path}[{index}]"
            if not isinstance(item, dict):
                self._error(item_path, WRONG_TYPE, repeat.label, expected="对象")
                continue
            # Each item sees the top-level answers plus its own earlier answers.
            self._walk(repeat.children, item, dict(env), item_path + ".", shown=True)
            self._unknown_keys(item, repeat.children, item_path + ".")

    def _unknown_keys(self, source: dict, nodes: tuple[Node, ...], prefix: str) -> None:
        known = _answer_nodes(nodes)
        for key in source:
            node = known.get(key)
            if node is None:
                self._error(f"{prefix}{key}", UNKNOWN_FIELD, str(key))
            elif node.type == "photo":
                self._error(f"{prefix}{key}", WRONG_TYPE, node.label, expected=EXPECTED["photo"])

    def check_photos(self, photos: object) -> None:
        """Count distinct photos per role; each shown photo question checks its role's count."""
        if photos is None:
            photos = []
        if not isinstance(photos, list):
            self._error("photos", WRONG_TYPE, "照片列表", expected="列表")
            photos = []
        roles = self.definition.photo_roles()
        by_role: dict[str, set[str]] = {}
        for index, photo in enumerate(photos):
            if not _is_photo(photo):
                self._error(f"photos[{index}]", WRONG_TYPE, "照片", expected="含 sha256、role 的对象")
            elif photo["role"] not in roles:
                self._error(f"photos[{index}].role", UNKNOWN_PHOTO_ROLE, photo["role"])
            else:
                by_role.setdefault(photo["role"], set()).add(photo["sha256"].lower())
        for question in self.shown_photos:
            count = len(by_role.get(question.role, ()))
            if count < question.min_count:
                self._error(question.name, TOO_FEW_PHOTOS, question.label, min_count=question.min_count, count=count)
            if question.max_count is not None and count > question.max_count:
                self._error(question.name, TOO_MANY_PHOTOS, question.label, max_count=question.max_count, count=count)

    def _error(self, path: str, code: str, label: str, question: Question | None = None, **params: Any) -> None:
        self.errors.append(FieldError(path, code, _message(code, label, question, params)))


def _answer_nodes(nodes: tuple[Node, ...]) -> dict[str, Node]:
    """Nodes that may hold a value at this level: groups add no nesting, repeats do."""
    out: dict[str, Node] = {}
    for node in nodes:
        if node.type == "group":
            out.update(_answer_nodes(node.children))
        else:
            out[node.name] = node
    return out


def _is_blank(value: Any, kind: str) -> bool:
    if value is None or (isinstance(value, str) and not value.strip()):
        return True
    return kind == "select_multiple" and value == []


def _is_photo(photo: Any) -> bool:
    return (
        isinstance(photo, dict)
        and isinstance(photo.get("sha256"), str)
        and SHA256.fullmatch(photo["sha256"]) is not None
        and isinstance(photo.get("role"), str)
    )


def _codes(messages: Any) -> list[str]:
    """The distinct codes in a (possibly nested) marshmallow error structure."""
    if isinstance(messages, dict):
        found = [code for value in messages.values() for code in _codes(value)]
    elif isinstance(messages, list):
        found = [code for value in messages for code in _codes(value)]
    else:
        found = [messages if messages in MESSAGES else WRONG_TYPE]
    return list(dict.fromkeys(found))


def _message(code: str, label: str, question: Question | None, params: dict[str, Any]) -> str:
    if question is not None:
        if question.constraint_message and code in (OUT_OF_RANGE, PATTERN_MISMATCH):
            return question.constraint_message
        if code == OUT_OF_RANGE:
            params["bounds"] = _bounds_text(question)
        if code == WRONG_TYPE:
            params["expected"] = EXPECTED[question.type]
    return MESSAGES[code].format(label=label, **params)


def _bounds_text(question: Question) -> str:
    if question.type == "geopoint":
        return "为有效坐标(纬度 -90 至 90,经度 -180 至 180,精度不小于 0)"
    low, low_inclusive, high, high_inclusive = question.bounds()
    parts = []
    if low is not None:
        parts.append(f"{'不小于' if low_inclusive else '大于'} {low}")
    if high is not None:
        parts.append(f"{'不大于' if high_inclusive else '小于'} {high}")
    return " 且".join(parts)
