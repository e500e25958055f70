"""The conflicts page through the Flask client on both databases: the demo's conflict side by side with the
differing field marked, scoped like the API (another township's reviewer gets 404, an inspector 403), resolved by
keeping one version with a reason that the audit chain records; refusals come back on the page."""

from __future__ import annotations

from sqlalchemy import select

from server.audit.service import entity_history
from server.audit.state import INSPECTION_ENTITY
from server.extensions import db
from server.inspections.models import Inspection, InspectionConflict
from tests.web.conftest import csrf_of, sign_in


def test_a_reviewer_sees_both_versions_and_keeps_one(history, client):
    conflict = db.session.scalar(select(InspectionConflict))
    sign_in(client, "reviewer101")
    listing = client.get("/conflicts").get_data(as_text=True)
    assert f'href="/conflicts/{conflict.id}"' in listing and 'href="/conflicts"' in listing  # in the navigation

    page = client.get(f"/conflicts/{conflict.id}").get_data(as_text=True)
    assert page.count('class="differs"') == 1
    differing = page[page.index('class="differs"'):].split("</tr>")[0]
    assert "answers.remarks" in differing and "补充: 田块东侧有少量积水" in differing

    token = csrf_of(page)
    no_reason = client.post(f"/conflicts/{conflict.id}/resolve", data={"csrf_token": token, "keep": "incoming"})
    assert no_reason.status_code == 422 and 'value="incoming" required checked' in no_reason.get_data(as_text=True)

    done = client.post(f"/conflicts/{conflict.id}/resolve",
                       data={"csrf_token": token, "keep": "incoming", "reason": "巡查员确认后到版本补充了积水情况"})
    assert done.status_code == 302
    assert "已处理: 采用后到达的版本" in client.get(done.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert conflict.resolution == "incoming"
    inspection = db.session.get(Inspection, conflict.inspection_id)
    assert inspection.answers["remarks"] == "补充: 田块东侧有少量积水"
    event = entity_history(INSPECTION_ENTITY, inspection.uuid)[-1]
    assert (event.action, event.reason) == ("conflict_kept_incoming", "巡查员确认后到版本补充了积水情况")

    again = client.post(f"/conflicts/{conflict.id}/resolve",
                        data={"csrf_token": token, "keep": "stored", "reason": "重复提交"})
    assert again.status_code == 409 and "该冲突已被处理" in again.get_data(as_text=True)
    assert f'href="/conflicts/{conflict.id}"' in client.get("/conflicts?status=resolved").get_data(as_text=True)
    assert client.get("/conflicts?status=any").status_code == 400


def test_conflicts_are_scoped_like_the_api(history, client):
    conflict = db.session.scalar(select(InspectionConflict))
    sign_in(client, "reviewer102")
    assert f"/conflicts/{conflict.id}" not in client.get("/conflicts").get_data(as_text=True)
    assert client.get(f"/conflicts/{conflict.id}").status_code == 404
    token = csrf_of(client.get("/conflicts").get_data(as_text=True))
    refused = client.post(f"/conflicts/{conflict.id}/resolve",
                          data={"csrf_token": token, "keep": "stored", "reason": "不是本乡镇"})
    assert refused.status_code == 404
    db.session.expire_all()
    assert conflict.resolution is None

    client.post("/logout", data={"csrf_token": token})
    sign_in(client, "inspector101201")
    assert client.get("/conflicts").status_code == 403
    assert 'href="/conflicts"' not in client.get("/dashboard").get_data(as_text=True)

    client.post("/logout", data={"csrf_token": csrf_of(client.get("/dashboard").get_data(as_text=True))})
    sign_in(client, "admin")
    assert client.get(f"/conflicts/{conflict.id}").status_code == 200
