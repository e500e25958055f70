"""What a device holds offline, per kind of entity: how to list it for a snapshot and how to re-read
changed items for a delta. Re-reading the current state (rather than replaying the log's operations)
is what turns a reassigned task into a tombstone for the old inspector and an upsert for the new."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Select, String, cast, select, union_all
from sqlalchemy.orm import contains_eager

from server.accounts.models import User
from server.accounts.scopes import village_scope
from server.extensions import db
from server.forms import service as forms
from server.forms.models import FormVersion
from server.parcels.models import Parcel
from server.parcels.service import parcel_features, parcels_query
from server.patrols.models import PatrolTask, TaskStatus
from server.sync import changelog
from server.territory.models import Village

_ACTIVE_TASK = (TaskStatus.OPEN.value, TaskStatus.OVERDUE.value)


@dataclass(frozen=True)
class EntityKind:
    name: str
    model: type
    query: Callable[[User], Select]  # the rows of `model` in the user's scope
    key: Callable[[object], str]
    key_column: object
    payloads: Callable[[list], list[dict]]  # of a page of rows at once

    def snapshot(self, user: User, after_id: int, limit: int) -> list[tuple[int, str, dict]]:
        rows = db.session.scalars(self.query(user).where(self.model.id > after_id)
                                  .order_by(self.model.id).limit(limit)).all()
        return [(row.id, self.key(row), payload) for row, payload in zip(rows, self.payloads(rows))]

    def resolve(self, user: User, keys: list[str]) -> dict[str, dict]:
        """Current payloads of those keys still in the user's scope; absent keys are tombstones."""
        rows = db.session.scalars(self.query(user).where(self.key_column.in_(keys))).all()
        return {self.key(row): payload for row, payload in zip(rows, self.payloads(rows))}


def _each(payload: Callable[[object], dict]) -> Callable[[list], list[dict]]:
    return lambda rows: [payload(row) for row in rows]


def _tasks(user: User) -> Select:
    """Tasks assigned to the user, and unassigned ones in the user's villages, while still to be done.

    The two kinds are a union of ids, each found through its own index; as one OR across the parcel join
    the planners read every open task of the county (or a year of the user's tasks) for each page."""
    active = PatrolTask.status.in_(_ACTIVE_TASK)
    mine = select(PatrolTask.id).where(PatrolTask.inspector_id == user.id, active)
    unassigned_here = (select(PatrolTask.id).join(Parcel, PatrolTask.parcel_id == Parcel.id)
                       .where(PatrolTask.inspector_id.is_(None), active,
                              Parcel.village_id.in_(select(Village.id).where(village_scope(user)))))
    return (select(PatrolTask).join(Parcel, PatrolTask.parcel_id == Parcel.id)
            .options(contains_eager(PatrolTask.parcel).load_only(Parcel.code))  # not the parcel's geometry
            .where(PatrolTask.id.in_(union_all(mine, unassigned_here))))


def _task_payload(task: PatrolTask) -> dict:
    return {"uuid": task.uuid, "kind": task.kind, "parcel_code": task.parcel.code, "period_key": task.period_key,
            "opens_at": task.opens_at.isoformat(), "due_at": task.due_at.isoformat(), "status": task.status,
            "reason": task.reason, "assigned": task.inspector_id is not None}


def _parcels(user: User) -> Select:
    """The project comes in the same query: one round trip less per page than a select-in load."""
    return (parcels_query(user).order_by(None).outerjoin(Parcel.project)
            .options(contains_eager(Parcel.village), contains_eager(Parcel.project)))


def _forms(_user: User) -> Select:
    return select(FormVersion)


KINDS = {kind.name: kind for kind in (
    EntityKind(changelog.ENTITY_FORM, FormVersion, _forms, lambda f: forms.form_key(f.form_id, f.version),
               FormVersion.form_id + ":" + cast(FormVersion.version, String), _each(forms.form_payload)),
    EntityKind(changelog.ENTITY_TASK, PatrolTask, _tasks, lambda t: t.uuid, PatrolTask.uuid, _each(_task_payload)),
    EntityKind(changelog.ENTITY_PARCEL, Parcel, _parcels, lambda p: p.code, Parcel.code, parcel_features),
)}
SNAPSHOT_ORDER = (changelog.ENTITY_FORM, changelog.ENTITY_TASK, changelog.ENTITY_PARCEL)
