"""Rules for publishing form versions, kept pure so the server's publish service can call them.

Devices cache a form by (form_id, version) and may submit against it months later; if the content
behind a published version could change, old inspections would be validated against a form their
inspector never saw. So a published version is immutable, pinned by its content hash.
"""

from __future__ import annotations

from .definition import FormDefinition
from .errors import FormVersionImmutableError


def check_republish(existing: FormDefinition, new: FormDefinition) -> None:
    """Allow publishing the same content again (an idempotent retry); refuse any change."""
    if (existing.form_id, existing.version) != (new.form_id, new.version):
        raise ValueError(
            f"check_republish compares one version: got {existing.form_id} v{existing.version} "
            f"and {new.form_id} v{new.version}"
        )
    if existing.content_hash() != new.content_hash():
        raise FormVersionImmutableError(
            f"表单 {new.form_id} 第 {new.version} 版已发布,内容不可修改;请以新的版本号发布"
        )
