"""The audit chain: every change leaves an entry; editing or deleting any entry is found by `audit verify`;
concurrent appends stay one linear chain; the completion hook records inspections and runs the rules."""

import threading
from datetime import date

import pytest
from sqlalchemy import func, select, text

from server.audit.models import AuditEvent
from server.accounts.models import User
from server.audit.service import record_event, verify_chain
from server.audit.state import INSPECTION_ENTITY, verify_state
from server.cases import service as cases
from server.cases.models import ViolationCase
from server.extensions import db
from server.inspections.models import Inspection
from server.rules.versions import publish_rules
from tests.reviews.fixtures import beijing, building, inspect
from tests.sync.fixtures import parcel_codes
from tests.sync.helpers import GOOD_ANSWERS, photo_refs, push, record, upload


@pytest.fixture
def chain(parcels):
    """A few entries of each kind: a rule configuration, inspections' cases, a reviewer's change."""
    publish_rules("330481", {"evidence": {"recheck_due_days": 5}}, date(2026, 1, 1), note="县级文件")
    inspect(parcels["pbf"], building(2.0))
    inspect(parcels["general"], building(1.0), level="doubtful")
    count = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert count >= 3
    return count


def verify(runner):
    result = runner.invoke(args=["audit", "verify"])
    return result.exit_code, result.output


def test_an_intact_chain_verifies(chain, runner):
    assert verify(runner) == (0, f"审计链完好: {chain} 条事件\n"
                                 "状态一致: 2 个案件、2 条巡查记录与其最后一条审计记录相符\n")


def test_a_state_changed_without_an_entry_is_found(chain, runner):
    """The chain is intact, but rows were changed, added or deleted behind its back: every one is named."""
    pbf_case, general_case = db.session.scalars(select(ViolationCase).order_by(ViolationCase.id)).all()
    inspection = db.session.scalar(select(Inspection).order_by(Inspection.id).limit(1))
    db.session.execute(text("UPDATE cases SET status = 'closed', open_key = NULL WHERE id = :id"), {"id": pbf_case.id})
    db.session.execute(text("UPDATE cases SET version = 9 WHERE id = :id"), {"id": general_case.id})
    db.session.execute(text("UPDATE inspections SET evidence_level = 'trusted' WHERE evidence_level = 'doubtful'"))
    db.session.execute(text("UPDATE inspections SET status = 'photos_missing' WHERE id = :id"), {"id": inspection.id})
    db.session.commit()
    code, output = verify(runner)
    assert code == 1 and f"审计链完好: {chain} 条事件" in output
    assert f"case {pbf_case.id}: status: 最后一条审计记录为 'flagged', 数据库中为 'closed'" in output
    assert f"case {general_case.id}: version: 最后一条审计记录为 1, 数据库中为 9" in output
    assert "evidence_level: 最后一条审计记录为 'doubtful', 数据库中为 'trusted'" in output
    assert f"inspection {inspection.uuid}: status: 最后一条审计记录为 'complete', 数据库中为 'photos_missing'" in output
    assert len({line for line in output.splitlines() if line.startswith("状态不符")}) == 4


def test_rows_the_trail_never_saw_or_lost_are_found(chain, runner):
    gone = db.session.scalar(select(func.min(ViolationCase.id)))
    for table in ("case_observations", "case_inspections"):
        db.session.execute(text(f"DELETE FROM {table} WHERE case_id = :id"), {"id": gone})
    db.session.execute(text("DELETE FROM cases WHERE id = :id"), {"id": gone})
    db.session.execute(text(
        "INSERT INTO cases (parcel_id, problem_key, code, category, severity, status, legal_basis, message_zh, "
        "first_observed_at, last_observed_at, version, created_at, updated_at) SELECT parcel_id, 'NONAG_ROAD', "
        "'NONAG_OTHER', category, severity, 'confirmed', legal_basis, message_zh, first_observed_at, "
        "last_observed_at, 1, created_at, updated_at FROM cases"))
    db.session.commit()
    code, output = verify(runner)
    new_id = db.session.scalar(select(func.max(ViolationCase.id)))
    assert code == 1
    assert f"case {gone}: 有审计记录, 但数据行已被删除" in output
    assert f"case {new_id}: 没有审计记录" in output


def test_an_edited_entry_is_found(chain, runner):
    db.session.execute(text("UPDATE audit_events SET after = :after WHERE seq = 2"),
                       {"after": '{"status": "dismissed"}'})
    db.session.commit()
    code, output = verify(runner)
    assert code == 1 and "序号 2 处断裂" in output and output.rstrip().endswith("[audit_chain_broken]")


@pytest.mark.parametrize("seq", [2, "last"])
def test_a_deleted_entry_is_found(chain, runner, seq):
    seq = chain if seq == "last" else seq
    db.session.execute(text("DELETE FROM audit_events WHERE seq = :seq"), {"seq": seq})
    db.session.commit()
    code, output = verify(runner)
    assert code == 1 and f"序号 {seq} 处断裂" in output


def test_concurrent_appends_make_one_linear_chain(app, demo):
    barrier = threading.Barrier(2)

    def writer(name: str) -> None:
        with app.app_context():
            barrier.wait(timeout=10)
            for i in range(15):
                record_event("report", f"{name}-{i}", "generated", county_id=None, after={"i": i})
                db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    report = verify_chain()
    assert report.ok and report.checked == 30


def test_completion_hook_audits_the_inspection_and_runs_the_rules(sync_client_setup, client, demo):
    token, parcel_code = sync_client_setup
    blobs = [b"distant-road", b"close-road", b"detail-road"]
    answers = {**GOOD_ANSWERS, "farm_road": "damaged", "farm_road_note": "路面塌陷"}
    body = record(parcel_code, photos=photo_refs(*blobs), answers=answers)
    assert push(client, token, [body]).get_json()["results"][0]["status"] == "accepted"
    for blob in blobs:
        upload(client, token, blob)
    inspection = db.session.scalar(select(Inspection).where(Inspection.uuid == body["uuid"]))
    assert inspection.status == "complete"
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == INSPECTION_ENTITY))
    assert (event.entity_id, event.action, event.after["content_hash"]) == (
        inspection.uuid, "completed", inspection.content_hash)
    [case] = db.session.scalars(select(ViolationCase))
    expected = "flagged" if inspection.evidence_level == "trusted" else "doubt"
    assert (case.code, case.status) == ("MAINT_ROAD", expected)
    assert verify_chain().ok


@pytest.fixture
def sync_client_setup(demo, forms_published):
    return demo.device_tokens["inspector101201"], parcel_codes("330481101201")[0]


def test_the_state_of_a_case_through_its_workflow_verifies(parcels, runner):
    """Deadlines are recorded with the county's offset and read back in UTC: the same instant, no mismatch."""
    inspect(parcels["pbf"], building(2.0))
    case = db.session.scalar(select(ViolationCase))
    reviewer = db.session.scalar(select(User).where(User.username == "reviewer101"))
    cases.transition(reviewer, case.id, "confirm")
    cases.transition(reviewer, case.id, "order_rectification")
    inspect(parcels["pbf"], building(2.0), at=beijing(2026, 5, 20))
    db.session.expire_all()
    report = verify_state()
    assert report.ok and report.cases == 1 and report.inspections == 2
