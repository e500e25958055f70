"""A push completes its records together (issue 15), yet each record keeps its own result, a failing hook
fails only its own record, and exactly-once holds for repeats inside one push."""

from __future__ import annotations

from unittest import mock

from sqlalchemy import select

from inspection_forms import builtin_definitions, load_definition

from server.assessments import service as assessments
from server.audit.models import AuditEvent
from server.audit.service import verify_chain
from server.inspections.models import Inspection
from server.extensions import db
from server.forms import service as forms
from tests.statements import statements_sent
from tests.sync.helpers import photo_refs, push, record, upload


def _complete_records(client, token, codes):
    """Records whose photos the server already holds: a push completes them at once."""
    blobs = [b"distant photo held", b"close photo held"]
    for blob in blobs:
        upload(client, token, blob)
    return [record(code, photos=photo_refs(*blobs)) for code in codes]


def test_one_failing_hook_fails_only_its_record(client, token, own_parcels, caplog):
    records = _complete_records(client, token, own_parcels[:3])
    real = assessments.assess_inspections

    def assess(inspections):
        if records[1]["uuid"] in {inspection.uuid for inspection in inspections}:
            raise OverflowError("date value out of range")
        return real(inspections)

    with mock.patch("server.inspections.completion.assessments.assess_inspections", side_effect=assess):
        results = push(client, token, records).get_json()["results"]
    assert [(r["status"], r["inspection_status"]) for r in results] == [
        ("accepted", "complete"), ("accepted", "completion_failed"), ("accepted", "complete")]
    assert "completing 3 inspections together failed" in caplog.text
    statuses = dict(db.session.execute(select(Inspection.uuid, Inspection.status)).all())
    assert statuses == {records[0]["uuid"]: "complete", records[1]["uuid"]: "completion_failed",
                        records[2]["uuid"]: "complete"}
    audited = set(db.session.scalars(select(AuditEvent.entity_id).where(AuditEvent.action == "completed")))
    assert audited == {records[0]["uuid"], records[2]["uuid"]} and verify_chain().ok


def test_a_record_repeated_inside_one_push_is_completed_once(client, token, own_parcels):
    first, second = _complete_records(client, token, own_parcels[:2])
    results = push(client, token, [first, dict(first), second]).get_json()["results"]
    assert [(r["status"], r["inspection_status"]) for r in results] == [
        ("accepted", "complete"), ("duplicate", "complete"), ("accepted", "complete")]
    completed = list(db.session.scalars(select(AuditEvent.entity_id).where(AuditEvent.action == "completed")))
    assert sorted(completed) == sorted([first["uuid"], second["uuid"]])


def _statements_of(action) -> int:
    """How many SQL statements `action` sends to the database; on SQLite, where SQLAlchemy inserts the ORM's new
    rows one by one (in process, no round trip), the inspections' INSERTs are left out."""
    row_by_row = db.engine.dialect.name == "sqlite"
    return sum(1 for statement in statements_sent(action)
               if not (row_by_row and statement.startswith("INSERT INTO inspections ")))


def test_a_push_costs_the_same_statements_for_2_records_as_for_7(client, token, own_parcels):
    """The records of a push are inserted and completed together: evidence, tasks, the audit append, histories,
    rules and cases are each read once per push, not once per record (issue 15)."""
    form = next(d for d in builtin_definitions() if d.form_id == "farmland_patrol").to_dict()
    form |= {"form_id": "photo_free_patrol", "questions": [q for q in form["questions"] if q["name"] != "evidence"]}
    forms.publish(load_definition(form))

    def pushed(codes):
        records = [record(code, photos=[], form_id="photo_free_patrol") for code in codes]
        results = push(client, token, records).get_json()["results"]
        assert {(r["status"], r["inspection_status"]) for r in results} == {("accepted", "complete")}

    pushed(own_parcels[:1])  # the published form is read once per process
    assert _statements_of(lambda: pushed(own_parcels[1:3])) == _statements_of(lambda: pushed(own_parcels[3:10]))
