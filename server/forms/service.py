"""Publishing form versions and reading them back as engine definitions. Functions here own their transaction."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Row, select

from inspection_forms import FormDefinition, FormDefinitionError, check_republish, load_definition
from server.extensions import db
from server.forms.models import FormVersion
from server.rules.observations import mapping_problems
from server.sync import changelog


@dataclass(frozen=True)
class PublishResult:
    form_id: str
    version: int
    created: bool  # False: the same content was already published (an idempotent retry)


def publish(definition: FormDefinition) -> PublishResult:
    """Publish a version, or confirm it is already published with this content.

    Raises FormVersionImmutableError when the version exists with other content, and FormDefinitionError
    when the violation rules could not read it (its `observations` mapping is incomplete): every form this
    server takes feeds the rules. Devices learn of a new version through the pull (the change log row is
    written in this transaction)."""
    problems = mapping_problems(definition)
    if problems:
        raise FormDefinitionError(f"表单 {definition.form_id} 第 {definition.version} 版的观测项映射不完整, 规则无法判读: "
                                  + "; ".join(problems))
    existing = get_version(definition.form_id, definition.version)
    if existing is not None:
        check_republish(_definition(existing), definition)
        return PublishResult(definition.form_id, definition.version, created=False)
    db.session.add(FormVersion(form_id=definition.form_id, version=definition.version, title=definition.title,
                               definition=definition.to_dict(), content_hash=definition.content_hash()))
    changelog.record(db.session, changelog.ENTITY_FORM, form_key(definition.form_id, definition.version))
    db.session.commit()
    return PublishResult(definition.form_id, definition.version, created=True)


def get_version(form_id: str, version: int) -> FormVersion | None:
    return db.session.scalar(select(FormVersion).where(FormVersion.form_id == form_id,
                                                       FormVersion.version == version))


def get_definition(form_id: str, version: int) -> FormDefinition | None:
    """The published definition, or None when that version was never published.

    Published versions never change, so a server process looks each one up once (a version not published
    yet is looked up again, as it may be published any time)."""
    found = current_app.extensions.setdefault("farmpatrol.published_forms", {})
    if (form_id, version) not in found:
        row = get_version(form_id, version)
        if row is None:
            return None
        found[(form_id, version)] = _definition(row)
    return found[(form_id, version)]


def form_key(form_id: str, version: int) -> str:
    return f"{form_id}:{version}"


def form_payload(row: FormVersion | Row) -> dict:
    """What a device stores to render and validate the form offline (from a FormVersion or a row of its columns)."""
    return {"form_id": row.form_id, "version": row.version, "title": row.title,
            "content_hash": row.content_hash, "definition": row.definition}


def _definition(row: FormVersion) -> FormDefinition:
    """Loading checks the whole tree; published content never changes, so keep each by its hash."""
    definition = _loaded.get(row.content_hash)
    if definition is None:
        definition = _loaded[row.content_hash] = load_definition(row.definition)
    return definition


_loaded: dict[str, FormDefinition] = {}
