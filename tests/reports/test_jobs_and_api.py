"""The scheduled reports, and the API: scope by role and territory, the workflow over HTTP, downloads, and
the OpenAPI document."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from server.accounts import service as accounts
from server.demo.generator import DEMO_PASSWORD
from server.extensions import db
from server.reports import jobs
from server.reports.models import CompensationReport
from server.rules.versions import publish_rules
from server.territory.service import ensure_village
from tests.reports.conftest import VILLAGE, confirmed_case
from tests.reviews.fixtures import beijing


def _reports() -> list[tuple[str, date, int | None, str]]:
    return [(r.period_kind, r.period_start, r.version, r.status) for r in
            db.session.scalars(select(CompensationReport).order_by(CompensationReport.id))]


def test_previous_year_is_issued_on_the_configured_date_once(worked):
    assert jobs.issue_previous_year(now=beijing(2027, 1, 9)) == 0
    assert jobs.issue_previous_year(now=beijing(2027, 1, 10)) == 1
    assert jobs.issue_previous_year(now=beijing(2027, 1, 11)) == 0
    [report] = db.session.scalars(select(CompensationReport)).all()
    assert (report.period_start, report.version, report.as_of) == (date(2026, 1, 1), 1, date(2026, 12, 31))
    publish_rules("330481", {"compensation": {"annual_issue_date": "02-01"}}, date(2028, 1, 1))
    assert jobs.issue_previous_year(now=beijing(2028, 1, 10)) == 0
    assert jobs.issue_previous_year(now=beijing(2028, 2, 1)) == 1
    assert _reports()[-1] == ("year", date(2027, 1, 1), 1, "issued")


def test_quarterly_drafts(worked):
    assert jobs.draft_previous_quarter(now=beijing(2026, 4, 2)) == 1
    assert jobs.draft_previous_quarter(now=beijing(2026, 4, 3)) == 0
    assert jobs.draft_previous_quarter(now=beijing(2027, 1, 1)) == 1
    assert _reports() == [("quarter", date(2026, 1, 1), None, "draft"), ("quarter", date(2026, 10, 1), None, "draft")]


def test_api_workflow_and_scope(worked, login):
    confirmed_case(worked["pbf"][0], 2.0)
    admin, reviewer, other_reviewer, inspector = (login(name) for name in
                                                  ("admin", "reviewer101", "reviewer102", "inspector101201"))
    body = {"year": 2026, "as_of": "2026-12-31"}
    assert reviewer.post("/api/v1/reports/issue", json=body).status_code == 403
    assert admin.post("/api/v1/reports/issue", json=body | {"county": "330482"}).status_code == 404
    assert admin.post("/api/v1/reports/issue", json=body | {"quarter": 1, "month": 2}).status_code == 422
    draft = admin.post("/api/v1/reports/compute", json=body).get_json()
    assert draft["status"] == "draft" and draft["version"] is None
    issued = admin.post("/api/v1/reports/issue", json=body)
    assert issued.status_code == 201, issued.get_json()
    report = issued.get_json()
    village = next(v for v in report["villages"] if v["village_code"] == VILLAGE)
    assert (village["base_yuan"], village["deduction_yuan"], village["net_yuan"]) == ("205000.00", "240.00", "204760.00")
    assert report["lines"][0]["amount_yuan"] == "240.00" and report["period"]["label"] == "2026年度"

    # A reviewer sees their township's part only; an inspector nothing; another county's admin nothing.
    part = reviewer.get(f"/api/v1/reports/{report['id']}").get_json()
    assert {v["township_code"] for v in part["villages"]} == {"330481101"}
    assert part["totals"]["base_yuan"] != report["totals"]["base_yuan"]
    assert inspector.get(f"/api/v1/reports/{report['id']}").status_code == 404
    assert inspector.get("/api/v1/reports").get_json()["reports"] == []
    ensure_village("330482101201", "邻县村")
    accounts.create_user("admin482", DEMO_PASSWORD, "county_admin", county_code="330482")
    assert login("admin482").get(f"/api/v1/reports/{report['id']}/download/pdf").status_code == 404
    csv_part = reviewer.get(f"/api/v1/reports/{report['id']}/download/csv")
    assert csv_part.status_code == 200 and csv_part.data.startswith(b"\xef\xbb\xbf")
    assert "attachment" in csv_part.headers["Content-Disposition"]
    assert admin.get(f"/api/v1/reports/{report['id']}/download/xlsx").status_code == 200

    # Sign-off, a return with its reason, finalising only when all have signed.
    signoffs = f"/api/v1/reports/{report['id']}/signoffs"
    assert reviewer.post(signoffs, json={"township": "330481102", "action": "sign"}).status_code == 403
    assert reviewer.post(signoffs, json={"township": "330481101", "action": "sign"}).status_code == 200
    returned = other_reviewer.post(signoffs, json={"township": "330481102", "action": "return", "reason": "面积有误"})
    assert [s["status"] for s in returned.get_json()["signoffs"]] == ["signed", "returned"]
    finalise = admin.post(f"/api/v1/reports/{report['id']}/finalise")
    assert finalise.status_code == 409 and finalise.get_json()["error"]["code"] == "invalid_report_state"

    # The county corrects and issues version 2; the diff names what changed.
    v2 = admin.post("/api/v1/reports/issue", json=body).get_json()
    assert v2["version"] == 2
    diff = admin.get(f"/api/v1/reports/{v2['id']}/diff").get_json()
    assert (diff["from_version"], diff["to_version"]) == (1, 2) and diff["changed"] == []
    assert admin.get(f"/api/v1/reports/{report['id']}/diff").status_code == 422  # version 1 has no earlier one
    listed = admin.get("/api/v1/reports?year=2026").get_json()["reports"]
    assert [(r["version"], r["status"]) for r in listed] == [(None, "draft"), (2, "issued"), (1, "superseded")]

