"""The web pages through the Flask client on both databases: sign-in and roles, the queue's filters and order,
the case page's evidence, refusals shown on the page (stale version, expired form), and the demo history."""

from __future__ import annotations

import re

from sqlalchemy import select

from server.cases import workflow
from server.cases.models import ViolationCase
from server.extensions import db
from tests.web.conftest import csrf_of, sign_in


def case_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/cases/(\d+)"', html)]


def test_pages_ask_for_sign_in_and_the_right_role(sync_demo, client):
    response = client.get("/cases?village=330481101201")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/cases?village%3D330481101201"

    sign_in(client, "inspector101201")
    forbidden = client.get("/cases")
    assert forbidden.status_code == 403
    assert "无权访问" in forbidden.get_data(as_text=True) and "巡查员101201" in forbidden.get_data(as_text=True)

    client.post("/logout", data={"csrf_token": csrf_of(client.get("/dashboard").get_data(as_text=True))})
    answer = sign_in(client, "reviewer101")
    assert answer.headers["Location"] == "/cases"  # a reviewer's daily work
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/cases"' in page and 'href="/admin/users"' not in page
    assert client.get("/admin/users").status_code == 403
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and "页面不存在" in missing.get_data(as_text=True)
    assert client.get("/api/v1/no-such-thing").get_json()["error"]["code"] == "not_found"


def test_sign_in_returns_only_to_a_local_page(sync_demo, client):
    token = csrf_of(client.get("/login").get_data(as_text=True))
    response = client.post("/login?next=//evil.example/x", data={
        "username": "reviewer101", "password": "farmpatrol2026", "csrf_token": token, "next": "//evil.example/x"})
    assert response.headers["Location"] == "/cases"


def test_queue_filters_counts_overdue_first_and_territory(history, client, monkeypatch):
    sign_in(client, "reviewer101")
    page = client.get("/cases").get_data(as_text=True)
    ids = case_ids(page)
    cases = {c.id: c for c in db.session.scalars(select(ViolationCase).where(ViolationCase.id.in_(ids)))}
    assert cases[ids[0]].status == workflow.OVERDUE
    assert workflow.DOUBT not in {c.status for c in cases.values()}
    assert {c.parcel.village.township.code for c in cases.values()} == {"330481101"}
    assert "逾期未整改 1" in page and "待核查 2" in page

    nonag = client.get("/cases?category=nonag&status=flagged").get_data(as_text=True)
    chosen = db.session.scalars(select(ViolationCase).where(ViolationCase.id.in_(case_ids(nonag)))).all()
    assert chosen and all(c.category == "nonag" and c.status == workflow.FLAGGED for c in chosen)

    doubts = client.get("/cases?tab=doubts").get_data(as_text=True)
    doubted = db.session.scalars(select(ViolationCase).where(ViolationCase.id.in_(case_ids(doubts)))).all()
    assert len(doubted) >= 2 and all(c.status == workflow.DOUBT for c in doubted)
    assert "复查任务" in doubts and doubts.count("待复查 · 截止") == len(doubted)  # each doubt's re-inspection
    assert client.get("/cases?tab=doubts&evidence=trusted").get_data(as_text=True).count('href="/cases/') == 0

    assert client.get("/cases?deadline_by=not-a-date").status_code == 400
    village = client.get("/cases?village=330481101202").get_data(as_text=True)
    in_village = db.session.scalars(select(ViolationCase).where(ViolationCase.id.in_(case_ids(village)))).all()
    assert all(c.parcel.village.code == "330481101202" for c in in_village)

    monkeypatch.setattr("server.web.cases.PAGE_SIZE", 3)
    first, last = client.get("/cases").get_data(as_text=True), client.get("/cases?page=3").get_data(as_text=True)
    assert case_ids(first) == ids[:3] and "下一页" in first
    assert case_ids(last) == ids[6:9] and "上一页" in last

    client.post("/logout", data={"csrf_token": csrf_of(page)})
    sign_in(client, "reviewer102")  # another township: township 101's cases do not exist here
    assert case_ids(client.get("/cases").get_data(as_text=True)) == []
    assert client.get(f"/cases/{ids[0]}").status_code == 404
    other = client.get("/cases").get_data(as_text=True)
    assert client.post(f"/cases/{ids[0]}/transitions", data={
        "csrf_token": csrf_of(other), "action": "verify", "expected_version": 1}).status_code == 404


def test_case_page_shows_evidence_reuse_answers_rule_and_history(history, client):
    sign_in(client, "reviewer101")
    doubts = case_ids(client.get("/cases?tab=doubts").get_data(as_text=True))
    pages = [client.get(f"/cases/{case_id}").get_data(as_text=True) for case_id in doubts]
    reuse = next(p for p in pages if "重复使用" in p)
    assert "同一张照片（SHA-256 相同）已在其他巡查中使用" in reuse
    assert re.search(r'重复使用: <a href="/cases/\d+#inspection-[0-9a-f-]{36}">图斑 \d+ 于 ', reuse)
    assert any("拍摄位置距图斑" in p and "超出允许范围" in p for p in pages)
    page = pages[0]
    assert "法律依据" in page and ("国办发明电〔2020〕24号" in page or "国办发〔2020〕44号" in page)
    assert "发现问题(立案)" in page and "处理记录" in page
    assert "是否发现建房、硬化、挖塘等非农化使用" in page or "种植属性" in page
    assert '/api/v1/photos/' in page and '/review"' in page and '/original"' in page


def test_actions_change_the_state_and_refusals_come_back_on_the_page(history, client):
    """Including an expired form (CSRF token no longer valid): shown again with what was typed."""
    sign_in(client, "reviewer101")
    flagged = db.session.scalar(select(ViolationCase).where(ViolationCase.status == workflow.FLAGGED)
                                .order_by(ViolationCase.id).limit(1))
    page = client.get(f"/cases/{flagged.id}").get_data(as_text=True)
    token, version = csrf_of(page), flagged.version
    done = client.post(f"/cases/{flagged.id}/transitions",
                       data={"csrf_token": token, "action": "confirm", "expected_version": version})
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "已完成: 确认违法" in page and "已确认" in page

    stale = client.post(f"/cases/{flagged.id}/transitions", data={
        "csrf_token": token, "action": "order_rectification", "expected_version": version,
        "deadline": "2099-01-01"})
    assert stale.status_code == 409
    text = stale.get_data(as_text=True)
    assert "该案件在您打开页面后已被他人处理" in text and "2099-01-01" in text

    no_reason = client.post(f"/cases/{flagged.id}/transitions", data={
        "csrf_token": token, "action": "order_rectification", "expected_version": version + 1,
        "deadline": "2001-01-01"})
    assert no_reason.status_code == 422 and "整改期限不能早于今天" in no_reason.get_data(as_text=True)
    db.session.refresh(flagged)
    assert flagged.status == workflow.CONFIRMED

    doubt = db.session.scalar(select(ViolationCase).where(ViolationCase.status == workflow.DOUBT).limit(1))
    response = client.post(f"/cases/{doubt.id}/transitions", data={
        "csrf_token": "stale", "action": "dismiss", "expected_version": doubt.version,
        "note": "现场核实为临时堆放, 已清理"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "表单已过期" in text and "现场核实为临时堆放, 已清理" in text
    assert f'action="/cases/{doubt.id}/transitions"' in text and 'name="csrf_token" value="stale"' not in text
    expired_login = client.post("/login", data={"username": "reviewer101", "password": "secret", "csrf_token": "x"})
    assert "reviewer101" in expired_login.get_data(as_text=True)
    assert "secret" not in expired_login.get_data(as_text=True)


def test_history_without_the_shared_photos_has_every_state(history):
    summary = history
    assert not summary.real_photos and summary.conflicts == 1
    # rectification_failed exists only where the county's rules ask for it (not the demo's defaults)
    assert set(summary.cases) == set(workflow.STATUSES) - {workflow.FAILED}
    assert summary.tasks["done"] >= 2 and summary.tasks["overdue"] > 0
