"""Push (inspections up, exactly once) and pull (tasks, parcels and forms down, gap-free) for devices.

Both own their transaction. The pull cursor is opaque to devices: base64 of the change-log position,
the device's scope when it was issued, and, during a first full snapshot, how far the snapshot got.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select

from server.accounts.models import Device, User
from server.accounts.scopes import village_scope
from server.db_types import BIGINT_MAX, dialect_insert, utcnow
from server.errors import ApiError
from server.extensions import db
from server.inspections import service as inspections
from server.photos import service as photos
from server.sync import problems
from server.sync.entities import KINDS, SNAPSHOT_ORDER
from server.sync.models import DeviceClock, SyncChange
from server.territory.models import Village

_CURSOR_VERSION = 1
_CLOCK_REFRESH = timedelta(minutes=10)  # a device's stored skew is rewritten at least this often while it pushes
_CLOCK_TOLERANCE_S = 1.0  # and whenever it moves by this much
log = logging.getLogger(__name__)


def push(device: Device, device_time: datetime, records: list) -> dict:
    """Accept a batch of records; each gets its own result, and one bad record never rejects the others.

    The records are first accepted together with no SAVEPOINT (most pushes: every record fine). Should anything
    fail, the transaction is rolled back and the records accepted again guarded, where each record's insert and
    the completion hook are isolated, so the good ones are kept and a failing hook marks its inspection."""
    if len(records) > current_app.config["FARMPATROL"].push_max_records:
        raise ApiError(problems.TOO_MANY_RECORDS, field="records")
    received_at = utcnow()
    skew_s = round((device_time - received_at).total_seconds(), 3)
    device_id = device.id  # a failed flush leaves the session unable to load it until the rollback
    clock_due = _clock_due(device_id, skew_s, received_at)
    try:
        outcome = _accept(device, records, received_at, skew_s, clock_due, guarded=False)
    except Exception:  # noqa: BLE001 - whatever failed, the guarded pass below isolates it
        log.warning("push of %d records from device %s failed as a whole; accepting them one by one",
                    len(records), device_id, exc_info=True)
        db.session.rollback()
        outcome = _accept(device, records, received_at, skew_s, True, guarded=True)
        clock_due = True
    db.session.commit()
    if clock_due:
        _written_clocks()[device_id] = (skew_s, received_at)
    results, missing = outcome
    return {"results": results, "missing_photos": missing, "server_time": received_at.isoformat(),
            "clock_skew_s": skew_s}


def _accept(device: Device, records: list, received_at: datetime, skew_s: float, record_clock: bool, *,
            guarded: bool) -> tuple[list[dict], list[str]]:
    """The records' results and the photos still missing, in the caller's transaction."""
    if record_clock:
        # First when guarded: a write begins the transaction, so that on SQLite the SAVEPOINTs nest in it.
        _record_clock(device, skew_s, received_at)
    cited = _referenced_photos(records)
    photos.lock_photos(cited)
    results = inspections.accept_all(device, records, received_at=received_at, clock_skew_s=skew_s, guarded=guarded)
    kept = [r["uuid"] for r in results if r["status"] in (inspections.ACCEPTED, inspections.DUPLICATE)]
    missing = inspections.missing_photos(kept) if cited else []  # a repeat cites the photos of its first push
    return results, missing


def _clock_due(device_id: int, skew_s: float, at: datetime) -> bool:
    """Whether the device's stored clock skew needs writing: this process has not written it lately, or the skew
    moved. Each inspection keeps its own push's skew; `device_clocks` is the device's latest for people to read,
    so it need not cost every push a write."""
    written = _written_clocks().get(device_id)
    return (written is None or abs(written[0] - skew_s) >= _CLOCK_TOLERANCE_S
            or at - written[1] >= _CLOCK_REFRESH)


def _written_clocks() -> dict[int, tuple[float, datetime]]:
    """Device id -> the skew this process last committed to `device_clocks`, and when."""
    return current_app.extensions.setdefault("farmpatrol.written_clocks", {})


def _record_clock(device: Device, skew_s: float, measured_at: datetime) -> None:
    insert = dialect_insert(db.session.get_bind())
    values = {"clock_skew_s": skew_s, "measured_at": measured_at}
    db.session.execute(insert(DeviceClock).values(device_id=device.id, **values)
                       .on_conflict_do_update(index_elements=["device_id"], set_=values))


def _referenced_photos(records: list) -> set[str]:
    return {photo["sha256"].lower() for record in records if isinstance(record, dict)
            for photo in (record.get("photos") if isinstance(record.get("photos"), list) else [])
            if isinstance(photo, dict) and isinstance(photo.get("sha256"), str)}


@dataclass(frozen=True)
class Cursor:
    scope: str
    seq: int  # every change up to here is reflected in what the device holds (or in the snapshot it is reading)
    phase: int | None = None  # snapshot in progress: index into SNAPSHOT_ORDER
    after_id: int = 0  # snapshot in progress: last row id served in that phase

    def encode(self) -> str:
        data = {"v": _CURSOR_VERSION, **asdict(self)}
        return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            data = json.loads(base64.urlsafe_b64decode(text.encode()))
            if data.pop("v") != _CURSOR_VERSION:
                raise ValueError("cursor version")
            cursor = cls(**data)
            phase_ok = cursor.phase is None or _position(cursor.phase) and cursor.phase < len(SNAPSHOT_ORDER)
            if not (phase_ok and _position(cursor.seq) and _position(cursor.after_id)):
                raise ValueError("cursor fields")
            return cursor
        except (ValueError, TypeError, KeyError, AttributeError, binascii.Error) as exc:
            raise ApiError(problems.INVALID_CURSOR, field="cursor") from exc


def _position(value: object) -> bool:
    """A cursor number the queries can take: an int (not a bool) that fits a bigint column."""
    return type(value) is int and 0 <= value <= BIGINT_MAX


def pull(user: User, cursor_text: str | None, limit: int) -> dict:
    """The changes the device needs since its cursor; no cursor (or a changed scope) starts a snapshot.

    `reset: true` tells the device to replace what it holds with what follows. Reads only: the
    transaction is rolled back by the request teardown."""
    limit = min(limit, current_app.config["FARMPATROL"].pull_max_limit)
    scope = _scope_fingerprint(user)
    cursor = Cursor.decode(cursor_text) if cursor_text else None
    reset = cursor is None or cursor.scope != scope
    if reset:
        # The horizon is read before any entity: a change committed after it is served as a delta later.
        cursor = Cursor(scope, _horizon(), phase=0)
    if cursor.phase is not None:
        changes, cursor = _snapshot_page(user, cursor, limit)
        has_more = cursor.phase is not None or _has_changes_after(user, cursor.seq)
    else:
        changes, cursor, has_more = _delta_page(user, cursor, limit)
    return {"changes": changes, "next_cursor": cursor.encode(), "has_more": has_more, "reset": reset,
            "server_time": utcnow().isoformat()}


def _snapshot_page(user: User, cursor: Cursor, limit: int) -> tuple[list[dict], Cursor]:
    changes: list[dict] = []
    phase, after_id = cursor.phase, cursor.after_id
    while phase is not None and len(changes) < limit:
        kind = KINDS[SNAPSHOT_ORDER[phase]]
        wanted = limit - len(changes)
        rows = kind.snapshot(user, after_id, wanted)
        changes += [_upsert(kind.name, key, payload) for _, key, payload in rows]
        if len(rows) == wanted:
            after_id = rows[-1][0]
        else:
            phase = phase + 1 if phase + 1 < len(SNAPSHOT_ORDER) else None
            after_id = 0
    return changes, replace(cursor, phase=phase, after_id=after_id)


def _delta_page(user: User, cursor: Cursor, limit: int) -> tuple[list[dict], Cursor, bool]:
    horizon = _horizon()  # first: every change up to it is committed, so the next query sees them all
    rows = db.session.execute(
        select(SyncChange.seq, SyncChange.entity, SyncChange.entity_key)
        .where(SyncChange.seq > cursor.seq, SyncChange.seq <= horizon, _in_scope(user))
        .order_by(SyncChange.seq).limit(limit + 1)).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    latest: dict[tuple[str, str], int] = {}
    for seq, entity, key in rows:
        latest[(entity, key)] = seq
    current: dict[str, dict[str, dict]] = {}
    for entity in {entity for entity, _ in latest}:
        current[entity] = KINDS[entity].resolve(user, [key for e, key in latest if e == entity])
    changes = []
    for entity, key in sorted(latest, key=latest.get):
        payload = current[entity].get(key)
        changes.append(_upsert(entity, key, payload) if payload is not None
                       else {"entity": entity, "key": key, "op": "delete"})
    next_seq = rows[-1].seq if has_more else max(horizon, cursor.seq)
    return changes, replace(cursor, seq=next_seq), has_more


def _upsert(entity: str, key: str, payload: dict) -> dict:
    return {"entity": entity, "key": key, "op": "upsert", "data": payload}


def _horizon() -> int:
    return db.session.scalar(select(func.max(SyncChange.seq))) or 0


def _in_scope(user: User):
    return or_(SyncChange.village_id.in_(select(Village.id).where(village_scope(user))),
               SyncChange.user_id == user.id,
               and_(SyncChange.village_id.is_(None), SyncChange.user_id.is_(None)))


def _has_changes_after(user: User, seq: int) -> bool:
    """Whether changes in scope were committed while a snapshot was read. Bounded by the horizon, the query is a
    short range of the log's primary key; open-ended, a planner without fresh statistics scans the whole log."""
    horizon = _horizon()
    return horizon > seq and db.session.scalar(
        select(SyncChange.seq).where(SyncChange.seq > seq, SyncChange.seq <= horizon, _in_scope(user)).limit(1)
    ) is not None


def _scope_fingerprint(user: User) -> str:
    """Changes with the villages the device serves: a device given a new village needs its parcels."""
    villages = sorted(db.session.scalars(select(Village.id).where(village_scope(user))))
    return hashlib.sha256(json.dumps([user.id, villages]).encode()).hexdigest()[:16]
