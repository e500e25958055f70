"""GET /api/v1/patrol-tasks: scoped by territory, filtered, times in UTC."""

import pytest

from server.demo.generator import DEMO_PASSWORD
from server.patrols import service
from tests.patrols.conftest import beijing


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def tasks(county):
    service.generate_tasks(now=beijing(2026, 6, 3))
    return county


def villages(body) -> set[str]:
    return {t["village"] for t in body["tasks"]}


def login(client, username):
    assert client.post("/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}).status_code == 200


def test_inspector_lists_own_village_tasks(client, tasks):
    body = client.get("/api/v1/patrol-tasks", headers=bearer(tasks.device_tokens["inspector101201"])).get_json()
    assert villages(body) == {"330481101201"} and len(body["tasks"]) == 10 and body["has_more"] is False
    task = body["tasks"][0]
    assert task["opens_at"] == "2026-05-31T16:00:00+00:00"
    assert task["due_at"].endswith("+00:00") and task["done_at"] is None
    assert task["inspector"] == "inspector101201" and task["plan"] in {"permanent_basic", "general_farmland"}


def test_inspector_cannot_list_another_village(client, tasks):
    response = client.get("/api/v1/patrol-tasks?village=330481101202",
                          headers=bearer(tasks.device_tokens["inspector101201"]))
    assert response.status_code == 404  # another village looks exactly like one that does not exist
    assert response.get_json()["error"] == {"code": "not_found", "field": "village",
                                            "message": "村不存在: 330481101202"}


def test_reviewer_sees_only_their_township(client, tasks):
    login(client, "reviewer101")
    body = client.get("/api/v1/patrol-tasks").get_json()
    assert villages(body) == {"330481101201", "330481101202"}
    assert client.get("/api/v1/patrol-tasks?village=330481102201").status_code == 404
    assert villages(client.get("/api/v1/patrol-tasks?village=330481101202").get_json()) == {"330481101202"}


def test_admin_filters_by_status_and_due(client, tasks):
    service.mark_overdue_tasks(now=beijing(2026, 6, 20))
    login(client, "admin")
    everything = client.get("/api/v1/patrol-tasks?limit=5000").get_json()["tasks"]
    overdue = client.get("/api/v1/patrol-tasks?status=overdue").get_json()["tasks"]
    due_mid_june = client.get("/api/v1/patrol-tasks?due_before=2026-06-16T00:00:01").get_json()["tasks"]
    assert len(everything) == tasks.parcels
    assert {t["period_key"] for t in overdue} == {"2026-06-H1"}
    assert {t["uuid"] for t in due_mid_june} == {t["uuid"] for t in overdue}
    assert client.get("/api/v1/patrol-tasks?due_before=2026-06-16T00:00:00").get_json()["tasks"] == []
    page = client.get("/api/v1/patrol-tasks?limit=3&offset=3").get_json()
    assert [t["uuid"] for t in page["tasks"]] == [t["uuid"] for t in everything[3:6]] and page["has_more"]


@pytest.mark.parametrize("query, status, field", [("status=late", 422, "status"), ("village=12", 422, "village"),
                                                  ("village=330481999999", 404, "village"),
                                                  ("due_before=tomorrow", 422, "due_before")])
def test_bad_queries_name_the_field(client, tasks, query, status, field):
    response = client.get(f"/api/v1/patrol-tasks?{query}", headers=bearer(tasks.device_tokens["inspector101201"]))
    assert response.status_code == status and response.get_json()["error"]["field"] == field


def test_unauthenticated(client, tasks):
    assert client.get("/api/v1/patrol-tasks").status_code == 401
