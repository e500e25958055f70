"""Every write a device must see reaches a device that synced before: pulling with an existing cursor after the
job or command brings it (a fresh snapshot would hide a write that skipped the change log)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from inspection_forms import builtin_definitions, load_definition
from server.db_types import utcnow
from server.extensions import db
from server.forms import service as forms
from server.parcels.models import Parcel
from server.patrols import service as patrols
from server.patrols.models import PatrolTask
from tests.sync.helpers import pull_all

COUNTY = "330481"


def _tasks(changes: list[dict]) -> dict[str, dict]:
    return {c["key"]: c.get("data") for c in changes if c["entity"] == "task"}


def _mine(token_user: str) -> set[str]:
    return set(db.session.scalars(select(PatrolTask.uuid).join(PatrolTask.inspector)
                                  .where(PatrolTask.inspector.has(username=token_user))))


def test_generated_tasks_reach_a_device_that_synced_before(client, sync_demo, token):
    _, cursor, _ = pull_all(client, token)
    patrols.init_default_plans(COUNTY)
    summary = patrols.generate_tasks(county_code=COUNTY)
    assert summary.created > 0
    changes, _, reset = pull_all(client, token, cursor)
    assert not reset
    expected = _mine("inspector101201")
    assert expected and set(_tasks(changes)) == expected


def test_overdue_tasks_reach_the_device_with_their_new_status(client, sync_demo, token):
    patrols.init_default_plans(COUNTY)
    patrols.generate_tasks(county_code=COUNTY)
    _, cursor, _ = pull_all(client, token)
    due = db.session.scalar(select(PatrolTask.due_at).where(PatrolTask.uuid.in_(_mine("inspector101201")))
                            .order_by(PatrolTask.due_at))
    assert patrols.mark_overdue_tasks(now=due + timedelta(seconds=1)) > 0
    changes, _, _ = pull_all(client, token, cursor)
    overdue = {key for key, data in _tasks(changes).items() if data and data["status"] == "overdue"}
    assert overdue and overdue <= _mine("inspector101201")


def test_a_recheck_task_reaches_the_device(client, sync_demo, token, own_parcels):
    _, cursor, _ = pull_all(client, token)
    parcel = db.session.scalar(select(Parcel).where(Parcel.code == own_parcels[0]))
    task = patrols.create_recheck_task(parcel, "复查", utcnow() + timedelta(days=3))
    changes, _, _ = pull_all(client, token, cursor)
    assert _tasks(changes)[task.uuid]["kind"] == "recheck"


def test_a_published_form_reaches_the_device(client, sync_demo, token):
    _, cursor, _ = pull_all(client, token)
    definition = max(builtin_definitions(), key=lambda d: d.version).to_dict()  # a version not yet published
    forms.publish(load_definition({**definition, "version": definition["version"] + 1}))
    changes, _, _ = pull_all(client, token, cursor)
    assert {c["key"] for c in changes if c["entity"] == "form"} == {f"{definition['form_id']}:{definition['version'] + 1}"}
