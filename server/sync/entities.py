"""What a device holds offline, per kind of entity: how to list it for a snapshot and how to re-read
changed items for a delta. Re-reading the current state (rather than replaying the log's operations)
is what turns a reassigned task into a tombstone for the old inspector and an upsert for the new."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Row, Select, String, cast, select, union_all

from server.accounts.models import User
from server.accounts.scopes import village_scope
from server.extensions import db
from server.forms import service as forms
from server.forms.models import FormVersion
from server.parcels.models import Parcel
from server.parcels.service import feature_rows, parcel_features, parcels_query
from server.patrols.models import PatrolTask, TaskStatus
from server.sync import changelog
from server.territory.models import Village

_ACTIVE_TASK = (TaskStatus.OPEN.value, TaskStatus.OVERDUE.value)


@dataclass(frozen=True)
class EntityKind:
    """Rows are read as plain columns, not ORM objects: loading a page's Task and Parcel objects was a third of the
    CPU of a snapshot page (benchmarks/bench_pull.py)."""

    name: str
    id_column: object  # orders a snapshot; `id` of each row
    query: Callable[[User], Select]  # the rows in the user's scope: `id` and the columns `key` and `payloads` read
    key: Callable[[Row], str]
    key_column: object
    payloads: Callable[[list[Row]], list[dict]]  # of a page of rows at once

    def snapshot(self, user: User, after_id: int, limit: int) -> list[tuple[int, str, dict]]:
        rows = db.session.execute(self.query(user).where(self.id_column > after_id)
                                  .order_by(self.id_column).limit(limit)).all()
        return [(row.id, self.key(row), payload) for row, payload in zip(rows, self.payloads(rows))]

    def resolve(self, user: User, keys: list[str]) -> dict[str, dict]:
        """Current payloads of those keys still in the user's scope; absent keys are tombstones."""
        rows = db.session.execute(self.query(user).where(self.key_column.in_(keys))).all()
        return {self.key(row): payload for row, payload in zip(rows, self.payloads(rows))}


def _each(payload: Callable[[Row], dict]) -> Callable[[list[Row]], list[dict]]:
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
    return (select(PatrolTask.id, PatrolTask.uuid, PatrolTask.kind, Parcel.code.label("parcel_code"),
                   PatrolTask.period_key, PatrolTask.opens_at, PatrolTask.due_at, PatrolTask.status,
                   PatrolTask.reason, PatrolTask.inspector_id)
            .join(Parcel, PatrolTask.parcel_id == Parcel.id)
            .where(PatrolTask.id.in_(union_all(mine, unassigned_here))))


def _task_payload(task: Row) -> dict:
    """Unpacked at once (in the order `_tasks` selects): a third of the time of reading the columns by name."""
    _id, uuid, kind, parcel_code, period_key, opens_at, due_at, status, reason, inspector_id = task
    return {"uuid": uuid, "kind": kind, "parcel_code": parcel_code, "period_key": period_key,
            "opens_at": opens_at.isoformat(), "due_at": due_at.isoformat(), "status": status, "reason": reason,
            "assigned": inspector_id is not None}


def _parcels(user: User) -> Select:
    return feature_rows(parcels_query(user).order_by(None))


def _forms(_user: User) -> Select:
    return select(FormVersion.id, FormVersion.form_id, FormVersion.version, FormVersion.title,
                  FormVersion.content_hash, FormVersion.definition)


KINDS = {kind.name: kind for kind in (
    EntityKind(changelog.ENTITY_FORM, FormVersion.id, _forms, lambda f: forms.form_key(f.form_id, f.version),
               FormVersion.form_id + ":" + cast(FormVersion.version, String), _each(forms.form_payload)),
    EntityKind(changelog.ENTITY_TASK, PatrolTask.id, _tasks, lambda t: t.uuid, PatrolTask.uuid, _each(_task_payload)),
    EntityKind(changelog.ENTITY_PARCEL, Parcel.id, _parcels, lambda p: p.code, Parcel.code, parcel_features),
)}
SNAPSHOT_ORDER = (changelog.ENTITY_FORM, changelog.ENTITY_TASK, changelog.ENTITY_PARCEL)
