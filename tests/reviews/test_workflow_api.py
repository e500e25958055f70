"""The review loop 上报→核查→整改→销号 through the HTTP API, with role and territory denials."""

from datetime import timedelta

from sqlalchemy import select

from server.cases.service import mark_overdue_cases
from server.db_types import utcnow
from server.extensions import db
from server.patrols.models import PatrolTask
from tests.reviews.fixtures import GRAIN, SHANGHAI, beijing, building, cases_of, inspect


def act(client, case_id: int, action: str, **body):
    return client.post(f"/api/v1/cases/{case_id}/transitions", json={"action": action, **body})


def test_full_loop_with_denials(parcels, login):
    inspect(parcels["pbf"], building(2.0))
    [case] = cases_of(parcels["pbf"])
    reviewer, other, inspector = login("reviewer101"), login("reviewer102"), login("inspector101201")

    listed = reviewer.get("/api/v1/cases", query_string={"status": "flagged", "township": "330481101"}).get_json()
    assert [c["id"] for c in listed["cases"]] == [case.id]
    assert listed["cases"][0]["parcel"] == parcels["pbf"].code
    assert other.get("/api/v1/cases").get_json()["cases"] == []
    assert other.get(f"/api/v1/cases/{case.id}").status_code == 404

    denied = act(inspector, case.id, "confirm", note="我看到了")
    assert denied.status_code == 403 and denied.get_json()["error"]["code"] == "forbidden"
    assert act(other, case.id, "confirm").status_code == 404  # another township's case looks like none
    wrong = act(reviewer, case.id, "verify")
    assert wrong.status_code == 409
    assert wrong.get_json()["error"]["code"] == "invalid_transition"
    assert wrong.get_json()["error"]["details"] == {"from": "flagged", "to": "closed", "action": "verify"}

    body = act(reviewer, case.id, "confirm", note="现场核实属实", expected_version=1).get_json()
    assert (body["status"], body["version"]) == ("confirmed", 2)
    body = act(reviewer, case.id, "order_rectification", note="责令拆除复耕", expected_version=2).get_json()
    assert body["status"] == "rectification_ordered" and body["deadline_at"]
    task = db.session.scalar(select(PatrolTask).where(PatrolTask.uuid == body["recheck_task"]))
    assert task.kind == "recheck" and task.parcel_id == parcels["pbf"].id

    first = inspect(parcels["pbf"], building(2.0), at=beijing(2026, 5, 20))  # not yet removed
    body = reviewer.get(f"/api/v1/cases/{case.id}").get_json()
    assert body["status"] == "rectification_ordered"  # the building stands: nothing to verify
    assert {(i["uuid"], i["role"]) for i in body["inspections"]} >= {(first.uuid, "rectification")}
    assert act(reviewer, case.id, "verify").get_json()["error"]["code"] == "invalid_transition"

    inspect(parcels["pbf"], GRAIN, at=beijing(2026, 6, 10))
    body = reviewer.get(f"/api/v1/cases/{case.id}").get_json()
    assert body["status"] == "rectification_submitted"
    body = act(reviewer, case.id, "reject_rectification", note="耕作层未恢复",
               expected_version=body["version"]).get_json()
    assert body["status"] == "rectification_ordered"

    second = inspect(parcels["pbf"], GRAIN, at=beijing(2026, 6, 20))
    body = act(reviewer, case.id, "verify", note="已复耕, 销号").get_json()
    assert body["status"] == "closed"
    assert [h["action"] for h in body["history"]] == [
        "created", "confirm", "order_rectification", "rectification_recheck", "observe", "submit_rectification",
        "reject_rectification", "submit_rectification", "verify"]
    assert body["history"][-1]["actor"] == "reviewer101" and body["history"][-1]["reason"] == "已复耕, 销号"
    assert len(body["observations"]) == 2 and second.uuid in {i["uuid"] for i in body["inspections"]}


def test_dismiss_needs_a_reason_and_versions_must_match(parcels, login):
    inspect(parcels["general"], building(1.0))
    [case] = cases_of(parcels["general"])
    reviewer = login("reviewer101")
    missing = act(reviewer, case.id, "dismiss")
    assert missing.status_code == 422 and missing.get_json()["error"]["field"] == "note"
    stale = act(reviewer, case.id, "dismiss", note="误报", expected_version=7)
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "stale_case"
    assert act(reviewer, case.id, "dismiss", note="误报", expected_version=1).get_json()["status"] == "dismissed"
    assert act(reviewer, case.id, "confirm").get_json()["error"]["code"] == "invalid_transition"
    assert act(reviewer, case.id, "approve").status_code == 422


def test_overdue_goes_to_the_county(parcels, login):
    inspect(parcels["pbf"], building(2.0))
    [case] = cases_of(parcels["pbf"])
    reviewer, admin = login("reviewer101"), login("admin")
    act(reviewer, case.id, "confirm")
    ordered_at = utcnow()
    deadline = (ordered_at + timedelta(days=3)).astimezone(SHANGHAI).date()
    body = act(reviewer, case.id, "order_rectification", deadline=deadline.isoformat()).get_json()
    assert body["status"] == "rectification_ordered"

    assert mark_overdue_cases(now=ordered_at + timedelta(days=3)) == 0  # the deadline day is still open
    assert mark_overdue_cases(now=ordered_at + timedelta(days=5)) == 1
    assert mark_overdue_cases(now=ordered_at + timedelta(days=6)) == 0
    assert reviewer.get(f"/api/v1/cases/{case.id}").get_json()["status"] == "overdue"

    escalated = act(reviewer, case.id, "order_rectification", note="再给一周")
    assert escalated.status_code == 403
    body = act(admin, case.id, "order_rectification", note="县级督办, 限期整改").get_json()
    assert body["status"] == "rectification_ordered"
    assert admin.get("/api/v1/cases", query_string={"village": "330481101201"}).get_json()["cases"][0]["id"] == case.id


def test_doubts_are_cases_with_status_doubt(parcels, login):
    inspect(parcels["pbf"], building(2.0), level="doubtful")
    reviewer = login("reviewer101")
    [doubt] = reviewer.get("/api/v1/cases", query_string={"status": "doubt"}).get_json()["cases"]
    assert doubt["recheck_task"] and doubt["status_label"] == "疑点待复查"
    assert act(reviewer, doubt["id"], "confirm").get_json()["error"]["code"] == "invalid_transition"
