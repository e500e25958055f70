"""The push's fast path: records accepted together with no SAVEPOINT, new ones inserted already complete; any
failure rolled back and the push accepted again guarded; the device's stored clock written only when it moved."""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime, timedelta, timezone
from unittest import mock

import pytest
from sqlalchemy import func, insert, select

from inspection_forms import builtin_definitions, load_definition
from server.accounts.models import User, inspector_villages
from server.extensions import db
from server.forms import service as forms
from server.inspections import completion
from server.inspections.models import Inspection
from server.photos.service import lock_photos
from server.sync import service as sync
from server.sync.models import DeviceClock
from server.territory.models import Village
from tests.statements import statements_sent
from tests.sync.helpers import photo_refs, push, record, upload


def test_a_photo_less_record_is_inserted_complete_and_assessed_in_one_statement(client, token, own_parcels):
    form = next(d for d in builtin_definitions() if d.form_id == "farmland_patrol").to_dict()
    form |= {"form_id": "no_photos", "questions": [q for q in form["questions"] if q["name"] != "evidence"]}
    forms.publish(load_definition(form))
    push(client, token, [record(own_parcels[1], form_id="no_photos", photos=[])])  # the clock and rules now held
    rec = record(own_parcels[0], form_id="no_photos", photos=[])
    sent = statements_sent(lambda: push(client, token, [rec]))
    assert _inspection_writes(sent) == ["INSERT INTO inspections"]  # complete and assessed: no UPDATE follows
    assert not [s for s in sent if s.startswith(("SAVEPOINT", "RELEASE"))]
    assert not [s for s in sent if "device_clocks" in s]  # the same skew as the push before
    assert not [s for s in sent if "rule_configs" in s]  # the versions are held by the process
    inspection = db.session.scalar(select(Inspection).where(Inspection.uuid == rec["uuid"]))
    assert inspection.status == "complete" and inspection.completed_at is not None
    assert inspection.evidence_level is not None and inspection.evidence_assessed_at is not None


def test_a_record_whose_photos_are_here_is_inserted_complete(client, token, own_parcels):
    distant, close = b"fast distant", b"fast close"
    upload(client, token, distant)
    upload(client, token, close)
    rec = record(own_parcels[0], photos=photo_refs(distant, close))
    sent = statements_sent(lambda: push(client, token, [rec]))
    # No conditional UPDATE flips it: its photos' reuse is judged by id, so it is inserted before the assessment.
    assert _inspection_writes(sent) == ["INSERT INTO inspections", "UPDATE inspections SET evidence_level"]
    assert not [s for s in sent if s.startswith(("SAVEPOINT", "RELEASE"))]
    inspection = db.session.scalar(select(Inspection).where(Inspection.uuid == rec["uuid"]))
    assert inspection.status == "complete" and inspection.evidence_level is not None


def _inspection_writes(sent: list[str]) -> list[str]:
    return [s.split("(")[0].split("=")[0].strip() for s in sent
            if s.startswith(("INSERT INTO inspections", "UPDATE inspections"))]


def test_a_push_whose_fast_path_fails_is_accepted_again_guarded(client, token, own_parcels, caplog):
    distant, close = b"guarded distant", b"guarded close"
    upload(client, token, distant)
    upload(client, token, close)
    ready, waiting = record(own_parcels[0], photos=photo_refs(distant, close)), record(own_parcels[1])
    with mock.patch.object(completion, "add_new", side_effect=RuntimeError("injected")) as fast:
        with caplog.at_level(logging.WARNING, logger="server.sync.service"):
            body = push(client, token, [ready, waiting]).get_json()
    assert fast.call_count == 1 and "accepting them one by one" in caplog.text
    assert [(r["status"], r["inspection_status"]) for r in body["results"]] == [
        ("accepted", "complete"), ("accepted", "awaiting_photos")]
    assert db.session.scalar(select(func.count()).select_from(Inspection)) == 2
    assert db.session.scalar(select(func.count()).select_from(DeviceClock)) == 1


def test_a_repeat_pushed_alone_is_answered_duplicate(client, token, own_parcels):
    rec = record(own_parcels[0])
    first = push(client, token, [rec]).get_json()["results"][0]
    assert push(client, token, [rec]).get_json()["results"][0] == {**first, "status": "duplicate"}
    assert db.session.scalar(select(func.count()).select_from(Inspection)) == 1


def test_the_stored_clock_is_written_when_it_moves_or_ages(app, client, token, own_parcels):
    now = datetime.now(timezone.utc)

    def stored() -> tuple[float, datetime]:
        db.session.expire_all()
        return db.session.execute(select(DeviceClock.clock_skew_s, DeviceClock.measured_at)).one()

    push(client, token, [record(own_parcels[0])], device_time=now + timedelta(seconds=420))
    first = stored()
    push(client, token, [record(own_parcels[1])], device_time=datetime.now(timezone.utc) + timedelta(seconds=420))
    assert stored() == first  # within a second of the stored skew: not rewritten
    push(client, token, [record(own_parcels[2])], device_time=datetime.now(timezone.utc) - timedelta(seconds=60))
    moved = stored()
    assert -62 < moved[0] < -58
    later = datetime.now(timezone.utc) + timedelta(minutes=11)
    with mock.patch.object(sync, "utcnow", return_value=later):
        push(client, token, [record(own_parcels[3])], device_time=later - timedelta(seconds=60))
    assert stored()[1] > moved[1]  # ten minutes on, written again though the skew is the same


def test_a_village_given_to_an_inspector_is_in_scope_at_the_next_push(client, token, foreign_parcels):
    rec = record(foreign_parcels[0])
    assert push(client, token, [rec]).get_json()["results"][0]["status"] == "rejected"
    inspector = db.session.scalar(select(User).where(User.username == "inspector101201"))
    village = db.session.scalar(select(Village).where(Village.code == "330481102201"))
    db.session.execute(insert(inspector_villages).values(user_id=inspector.id, village_id=village.id))
    db.session.commit()
    assert push(client, token, [rec]).get_json()["results"][0]["status"] == "accepted"


def test_on_sqlite_a_push_citing_photos_holds_the_write_lock_before_it_reads(app):
    """A push reads which photos are here before it writes; an upload committing in between would complete
    nothing (it cannot see the push's inspection) while the push files the inspection as waiting for it."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL takes an advisory lock per photo (tests/sync/test_crash_paths.py)")
    lock_photos(["a" * 64])
    other = sqlite3.connect(db.engine.url.database, timeout=0.05)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    finally:
        other.close()
        db.session.rollback()
