"""Pull: a full snapshot first, then deltas with tombstones, and a cursor that never skips a change even
when transactions commit out of order."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.accounts.models import User
from server.extensions import db
from server.parcels.models import Parcel
from server.patrols.models import PatrolTask
from server.sync import changelog
from tests.sync.helpers import bearer, pull_all


def _task(parcel_code: str, inspector: str | None, kind: str = "routine") -> PatrolTask:
    now = datetime.now(timezone.utc)
    parcel = db.session.scalar(select(Parcel).where(Parcel.code == parcel_code))
    user = db.session.scalar(select(User).where(User.username == inspector)) if inspector else None
    task = PatrolTask(kind=kind, parcel_id=parcel.id, inspector_id=user.id if user else None,
                      period_key=f"2026-05-{kind}", opens_at=now, due_at=now + timedelta(days=14))
    db.session.add(task)
    db.session.commit()
    return task


def _keys(changes: list[dict], entity: str, op: str = "upsert") -> set[str]:
    return {c["key"] for c in changes if c["entity"] == entity and c["op"] == op}


def test_first_pull_is_a_snapshot_of_the_devices_scope(client, token, own_parcels):
    changes, _, reset = pull_all(client, token, limit=7)  # small pages cross the phase boundaries
    assert reset
    assert _keys(changes, "form") == {"farmland_patrol:1", "farmland_patrol:2"}
    assert _keys(changes, "parcel") == set(own_parcels)
    parcel = next(c for c in changes if c["entity"] == "parcel")
    assert parcel["data"]["type"] == "Feature" and parcel["data"]["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    form = next(c for c in changes if c["entity"] == "form")
    assert form["data"]["definition"]["form_id"] == "farmland_patrol"


def test_nothing_new_means_no_changes(client, token):
    _, cursor, _ = pull_all(client, token)
    changes, again, reset = pull_all(client, token, cursor)
    assert changes == [] and not reset


def test_reassigned_task_is_a_tombstone_for_the_old_inspector(client, sync_demo, own_parcels):
    old, new = sync_demo.device_tokens["inspector101201"], None
    _, old_cursor, _ = pull_all(client, old)
    task = _task(own_parcels[0], "inspector101201", kind="recheck")
    changes, old_cursor, _ = pull_all(client, old, old_cursor)
    assert _keys(changes, "task") == {task.uuid}
    assert changes[0]["data"]["kind"] == "recheck"
    other = db.session.scalar(select(User).where(User.username == "inspector102201"))
    task.inspector_id = other.id
    db.session.commit()
    changes, _, _ = pull_all(client, old, old_cursor)
    assert _keys(changes, "task", "delete") == {task.uuid}
    new = sync_demo.device_tokens["inspector102201"]
    changes, _, _ = pull_all(client, new)
    assert task.uuid in _keys(changes, "task")


def test_unassigned_open_tasks_of_the_village_are_pulled(client, token, own_parcels, foreign_parcels):
    _, cursor, _ = pull_all(client, token)
    mine = _task(own_parcels[1], None)
    _task(foreign_parcels[0], None)  # another village's: must not reach this device
    changes, _, _ = pull_all(client, token, cursor)
    assert _keys(changes, "task") == {mine.uuid}


def test_invalid_cursor_is_a_clear_error(client, token):
    response = client.get("/api/v1/sync/pull?cursor=garbage", headers=bearer(token))
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "invalid_cursor"


def test_cursor_never_passes_a_change_that_commits_late(app, client, token):
    """T1 takes a sequence number and stalls; T2 changes something after it. Until T1 commits, a pull must
    not move the cursor past T1's number, or T1's change would be skipped for ever."""
    _, cursor, _ = pull_all(client, token)
    with Session(db.engine) as slow:
        changelog.record(slow, changelog.ENTITY_FORM, "slow:1")
        changelog.write_pending(slow)  # holds its sequence number (and the log's commit-order lock) uncommitted
        fast_done = threading.Event()

        def fast_writer():
            with app.app_context(), Session(db.engine) as fast:
                changelog.record(fast, changelog.ENTITY_FORM, "fast:1")
                fast.commit()
            fast_done.set()

        thread = threading.Thread(target=fast_writer)
        thread.start()
        time.sleep(0.3)
        changes, during, _ = pull_all(client, token, cursor)
        assert changes == [] and during == cursor
        slow.commit()
    thread.join(timeout=10)
    assert fast_done.is_set()
    changes, _, _ = pull_all(client, token, during)
    assert [c["key"] for c in changes] == ["slow:1", "fast:1"]
