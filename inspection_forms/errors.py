"""Error codes and exceptions of the forms engine.

A device shows answer errors to an inspector in the field, months after it downloaded the form, so
each error carries a code that never changes (the device keys its own UI on it), the path of the
field at fault, and a zh-CN message a person can act on. Definition errors are for form authors and
name the question (or XLSForm row) at fault.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

# The catalogue of answer error codes. Codes are part of the device protocol: add, never rename.
REQUIRED = "required"
NOT_A_CHOICE = "not_a_choice"
DUPLICATE_CHOICE = "duplicate_choice"
OUT_OF_RANGE = "out_of_range"
PATTERN_MISMATCH = "pattern_mismatch"
NOT_RELEVANT = "not_relevant"
TOO_FEW_PHOTOS = "too_few_photos"
TOO_MANY_PHOTOS = "too_many_photos"
UNKNOWN_FIELD = "unknown_field"
UNKNOWN_PHOTO_ROLE = "unknown_photo_role"
WRONG_TYPE = "wrong_type"

MESSAGES = {
    REQUIRED: "「{label}」为必填项",
    NOT_A_CHOICE: "「{label}」的选项不在可选范围内",
    DUPLICATE_CHOICE: "「{label}」包含重复的选项",
    OUT_OF_RANGE: "「{label}」应{bounds}",
    PATTERN_MISMATCH: "「{label}」的格式不正确",
    NOT_RELEVANT: "「{label}」在当前回答下不应填写",
    TOO_FEW_PHOTOS: "「{label}」至少需要 {min_count} 张,当前 {count} 张",
    TOO_MANY_PHOTOS: "「{label}」最多 {max_count} 张,当前 {count} 张",
    UNKNOWN_FIELD: "表单中没有「{label}」这一项",
    UNKNOWN_PHOTO_ROLE: "照片类型「{label}」不在表单要求之内",
    WRONG_TYPE: "「{label}」的值类型不正确,应为{expected}",
}


@dataclass(frozen=True)
class FieldError:
    """One problem with one answer; `field` is a path such as `problems[0].area_mu` (0-based)."""

    field: str
    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


class FormDefinitionError(ValueError):
    """A form definition (YAML, dict or XLSForm) is unusable; raised at load, never at validation."""

    def __init__(self, message: str, question: str | None = None):
        self.question = question
        super().__init__(f"question '{question}': {message}" if question else message)


class XLSFormError(FormDefinitionError):
    """An XLSForm workbook uses something outside the supported subset; names sheet and row."""


class FormVersionImmutableError(Exception):
    """A published (form_id, version) was offered again with different content."""
