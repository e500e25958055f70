"""The change log of generation and overdue marking: written in the database at the commit, one row per task for
the devices that show it (its inspector's, or its village's while unassigned), and only for the tasks changed."""

from datetime import timedelta

from sqlalchemy import select

from server.accounts.models import User
from server.extensions import db
from server.parcels.models import Parcel
from server.patrols import service
from server.patrols.models import PatrolTask
from server.sync.models import SyncChange
from tests.patrols.conftest import beijing


def _logged_since(seq: int) -> list[tuple[str, int | None, int | None]]:
    return sorted((tuple(row) for row in db.session.execute(
        select(SyncChange.entity_key, SyncChange.village_id, SyncChange.user_id)
        .where(SyncChange.seq > seq, SyncChange.entity == "task"))), key=str)


def _expected(tasks) -> list[tuple[str, int | None, int | None]]:
    """Where each task is shown (sync.entities._tasks): its inspector's devices, or its village's without one."""
    return sorted(((uuid, None if inspector_id else village_id, inspector_id)
                   for uuid, inspector_id, village_id in tasks), key=str)


def _tasks(*conditions):
    return db.session.execute(select(PatrolTask.uuid, PatrolTask.inspector_id, Parcel.village_id)
                              .join(Parcel, PatrolTask.parcel_id == Parcel.id).where(*conditions)).all()


def _last_seq() -> int:
    return db.session.scalar(select(SyncChange.seq).order_by(SyncChange.seq.desc()).limit(1)) or 0


def test_generated_tasks_are_logged_once_each_for_their_inspector_or_village(county):
    lone = db.session.scalar(select(User).where(User.username == "inspector102202"))
    lone.is_active = False  # its village's tasks are generated unassigned
    db.session.commit()
    start = _last_seq()
    service.generate_tasks(now=beijing(2026, 6, 3))
    logged = _logged_since(start)
    assert logged == _expected(_tasks())
    assert any(user_id is None for _, _, user_id in logged)


def test_a_catch_up_logs_only_the_new_tasks(county):
    service.generate_tasks(now=beijing(2026, 6, 3))
    first = {uuid for uuid, _, _ in _tasks()}
    start = _last_seq()
    service.generate_tasks(now=beijing(2026, 6, 3) + timedelta(weeks=5))
    assert _logged_since(start) == _expected(_tasks(PatrolTask.uuid.not_in(first)))


def test_overdue_marking_logs_the_marked_tasks_once_each(county):
    service.generate_tasks(now=beijing(2026, 6, 3))
    service.mark_overdue_tasks(now=beijing(2026, 6, 16, 0, 5))  # the first half of June
    marked_before = {uuid for uuid, _, _ in _tasks(PatrolTask.status == "overdue")}
    service.generate_tasks(now=beijing(2026, 6, 3) + timedelta(weeks=5))
    after_catch_up = _last_seq()
    assert service.mark_overdue_tasks(now=beijing(2026, 7, 8)) > 0
    newly = _tasks(PatrolTask.status == "overdue", PatrolTask.uuid.not_in(marked_before))
    assert newly and _logged_since(after_catch_up) == _expected(newly)
