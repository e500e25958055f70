"""The worked example through the database (both databases): base, each deduction rule, a mid-year rate
change; issued versions frozen against later changes, their diff, and the township sign-off workflow."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from server.audit.service import entity_history, verify_chain
from server.cases import service as cases
from server.errors import ApiError
from server.extensions import db
from server.patrols.models import PatrolTask, TaskStatus
from server.reports import service
from server.reports.calc import calculate
from server.reports.inputs import load_snapshot
from server.reports.snapshot import PatrolIn, Snapshot, period_of
from server.rules.versions import publish_rules
from server.territory.service import get_county
from tests.reports.conftest import VILLAGE, YEAR_END, confirmed_case, missed_tasks, user, village_result, year_report
from tests.reviews.fixtures import beijing, building, inspect


def test_worked_example_base_and_deductions(worked):
    report = year_report()
    village = village_result(report)
    assert village["base_fen"] == 205_000_00 and village["net_fen"] == 205_000_00
    assert village["area_basis"] == {"land_class": 6, "source": 4}

    case = confirmed_case(worked["pbf"][0], 2.0)  # 2 亩 × 60 × 2 (非农化) = 240 元
    inspect(worked["pbf"][1], building(5.0))  # flagged, never reviewed: does not count
    missed_tasks(worked["pbf"][2], missed=3, done=2)  # 3 × 0.1% of 205,000 = 615 元
    report = year_report()
    lines = {line["key"]: line for line in report.result["lines"] if line["village_code"] == VILLAGE}
    assert set(lines) == {f"case:{case.id}", f"patrol:{VILLAGE}"}
    assert lines[f"case:{case.id}"]["amount_fen"] == 240_00
    assert lines[f"case:{case.id}"]["parcel_code"] == worked["pbf"][0].code
    assert lines[f"case:{case.id}"]["evidence_level"] == "trusted"
    assert lines[f"patrol:{VILLAGE}"]["amount_fen"] == 615_00
    village = village_result(report)
    assert (village["deduction_fen"], village["net_fen"]) == (855_00, 204_145_00)
    assert village["deductions_fen"] == {"nonag": 240_00, "patrol": 615_00}


def test_patrol_inputs_are_tasks_whose_window_closed_by_the_cut_off(worked):
    missed_tasks(worked["pbf"][0], missed=2, done=1)  # due 1, 16 and 31 March; a task done late counts as done
    for status, due in ((TaskStatus.CANCELLED, beijing(2026, 4, 1)), (TaskStatus.OVERDUE, beijing(2027, 1, 2))):
        db.session.add(PatrolTask(parcel_id=worked["pbf"][1].id, period_key=f"x-{status.value}",
                                  opens_at=due - timedelta(days=14), due_at=due, status=status.value))
    db.session.commit()
    county, year = get_county("330481"), period_of("year", 2026)

    def patrols(as_of: date) -> list[PatrolIn]:
        return [p for p in load_snapshot(county, year, as_of).patrols if p.village_code == VILLAGE]

    assert patrols(YEAR_END) == [PatrolIn(VILLAGE, due=3, missed=2)]
    assert patrols(date(2026, 3, 20)) == [PatrolIn(VILLAGE, due=2, missed=2)]
    assert patrols(date(2026, 2, 28)) == []


def test_waiver_overdue_veto_and_cap_from_published_rules(worked):
    admin, reviewer = user("admin"), user("reviewer101")
    on_time = confirmed_case(worked["pbf"][0], 2.0)
    late = confirmed_case(worked["pbf"][1], 4.0)
    for case in (on_time, late):
        cases.transition(reviewer, case.id, "order_rectification", deadline=date(2026, 6, 30), now=beijing(2026, 5, 5))
    inspect(worked["pbf"][0], {**building(0)} | {"has_nonag_use": "no", "problems": []}, at=beijing(2026, 6, 1))
    cases.transition(reviewer, on_time.id, "verify", now=beijing(2026, 6, 2))
    cases.mark_overdue_cases(now=beijing(2026, 7, 2))
    report = year_report()
    amounts = {line["case_id"]: line["amount_fen"] for line in report.result["lines"] if line["case_id"]}
    assert amounts == {on_time.id: 0, late.id: 720_00}  # waived; 4 × 60 × 2 × 1.5

    publish_rules("330481", {"compensation": {"veto_codes": ["NONAG_BUILDING"]}}, date(2026, 1, 1), actor=admin)
    village = village_result(year_report())
    assert village["vetoed"] and village["net_fen"] == 0 and village["deduction_fen"] == 205_000_00

    publish_rules("330481", {"compensation": {"cap_percent": "0.2"}}, date(2026, 1, 1), actor=admin)
    village = village_result(year_report())
    assert village["deduction_fen"] == 410_00 and village["deductions_fen"]["cap"] == 410_00 - 720_00


def test_mid_year_rate_change_is_pro_rated(worked):
    publish_rules("330481", {"compensation": {"rates_yuan_per_mu_year": {"permanent_basic": "72"}}},
                  date(2026, 7, 1), actor=user("admin"), note="补偿标准调整")
    report = year_report()
    base = [b for b in report.result["base_lines"] if b["village_code"] == VILLAGE]
    assert [(b["rate_class"], b["rate_yuan"], b["amount_fen"]) for b in base] == [
        ("permanent_basic", "60", 89_260_27), ("permanent_basic", "72", 108_887_67), ("general_farmland", "50", 12_397_26),
        ("general_farmland", "50", 12_602_74)]
    assert village_result(report)["base_fen"] == 89_260_27 + 108_887_67 + 25_000_00
    assert [r["version"] for r in report.snapshot["rate_versions"]] == [None, 1]


def test_issued_version_is_frozen_and_the_next_one_diffs(worked):
    admin, reviewer = user("admin"), user("reviewer101")
    county, period = get_county("330481"), period_of("year", 2026)
    case = confirmed_case(worked["pbf"][0], 2.0)
    v1 = service.issue(county, period, YEAR_END, actor=admin, now=beijing(2027, 1, 10))
    frozen = (v1.snapshot_hash, v1.result, v1.net_fen)

    cases.transition(reviewer, case.id, "order_rectification", deadline=date(2027, 1, 15), now=beijing(2027, 1, 11))
    cases.mark_overdue_cases(now=beijing(2027, 1, 20))
    db.session.expire_all()
    assert (v1.snapshot_hash, v1.result, v1.net_fen) == frozen
    assert calculate(Snapshot.from_json(v1.snapshot)).to_json() == v1.result  # recomputable from its inputs

    v2 = service.issue(county, period, YEAR_END, actor=admin, now=beijing(2027, 1, 25))
    assert (v1.status, v2.version, v2.status) == ("superseded", 2, "issued")
    change = service.diff(v2, v1)
    [changed] = change["changed"]
    assert changed["key"] == f"case:{case.id}" and (changed["before_fen"], changed["after_fen"]) == (240_00, 360_00)
    assert "案件状态 confirmed → overdue" in changed["why_zh"]
    assert [e["action"] for e in changed["case_events"]] == ["order_rectification", "mark_overdue"]
    assert change["appeared"] == change["disappeared"] == []
    issued = [e for e in entity_history(service.AUDIT_ENTITY, v2.id) if e.action == "issued"]
    assert issued[0].after["snapshot_hash"] == v2.snapshot_hash
    assert verify_chain().ok


def test_townships_sign_off_then_the_county_finalises(worked):
    admin = user("admin")
    report = service.issue(get_county("330481"), period_of("year", 2026), YEAR_END, actor=admin)
    assert [s.status for s in report.signoffs] == ["pending", "pending"]
    with pytest.raises(ApiError) as refused:
        service.decide_signoff(user("reviewer101"), report.id, "330481102", "sign")
    assert refused.value.problem.code == "forbidden"
    with pytest.raises(ApiError) as no_reason:
        service.decide_signoff(user("reviewer102"), report.id, "330481102", "return")
    assert no_reason.value.field == "reason"
    service.decide_signoff(user("reviewer101"), report.id, "330481101", "sign")
    service.decide_signoff(user("reviewer102"), report.id, "330481102", "return", "联丰村面积有误")
    with pytest.raises(ApiError) as waiting:
        service.finalise(admin, report.id)
    assert waiting.value.details == {"townships": ["330481102"]}
    service.decide_signoff(user("reviewer102"), report.id, "330481102", "sign")
    assert service.finalise(admin, report.id).status == "finalised"
    with pytest.raises(ApiError) as again:
        service.issue(get_county("330481"), period_of("year", 2026), YEAR_END, actor=admin)
    assert again.value.problem.code == "invalid_report_state"
    actions = [e.action for e in entity_history(service.AUDIT_ENTITY, report.id)]
    assert actions == ["issued", "township_signed", "township_returned", "township_signed", "finalised"]
    assert verify_chain().ok
