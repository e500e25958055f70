"""Payloads are built from plain rows, not model objects: each must say, byte for byte once serialized, what the
models' own attributes say. Covers the pull (snapshot and delta) and the parcels API, which share the GeoJSON."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
from shapely.geometry import mapping
from sqlalchemy import select

from server.accounts.models import User
from server.extensions import db
from server.forms.models import FormVersion
from server.parcels.models import ConsolidationProject, Parcel
from server.patrols.models import PatrolTask
from server.sync import changelog
from tests.sync.helpers import bearer, pull_all


def _form(form: FormVersion) -> dict:
    return {"form_id": form.form_id, "version": form.version, "title": form.title,
            "content_hash": form.content_hash, "definition": form.definition}


def _task(task: PatrolTask) -> dict:
    return {"uuid": task.uuid, "kind": task.kind, "parcel_code": task.parcel.code, "period_key": task.period_key,
            "opens_at": task.opens_at.isoformat(), "due_at": task.due_at.isoformat(), "status": task.status,
            "reason": task.reason, "assigned": task.inspector_id is not None}


def _feature(parcel: Parcel) -> dict:
    project = parcel.project
    return {"type": "Feature", "id": parcel.code, "geometry": mapping(parcel.geometry), "properties": {
        "code": parcel.code, "village": parcel.village.code, "area_mu": parcel.area_mu,
        "land_use_code": parcel.land_use_code, "land_classes": parcel.land_classes, "custodian": parcel.custodian,
        "project": {"name": project.name, "accepted_on": project.accepted_on.isoformat()
                    if project.accepted_on else None} if project else None,
        "rate_class": parcel.rate_class}}


def _serialized(payload) -> str:
    """As the app writes JSON (an int stays apart from an equal float, a tuple is a list)."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _expected(entity: str, key: str) -> dict:
    if entity == "form":
        form_id, version = key.split(":")
        return _form(db.session.scalar(select(FormVersion).where(FormVersion.form_id == form_id,
                                                                 FormVersion.version == int(version))))
    if entity == "task":
        return _task(db.session.scalar(select(PatrolTask).where(PatrolTask.uuid == key)))
    return _feature(db.session.scalar(select(Parcel).where(Parcel.code == key)))


def _assert_as_the_models_say(changes: list[dict]) -> None:
    db.session.expire_all()
    for change in changes:
        assert _serialized(change["data"]) == _serialized(_expected(change["entity"], change["key"])), change["key"]


@pytest.fixture
def varied_village(sync_demo, own_parcels) -> list[str]:
    """The village's parcels with and without a project, one project without an acceptance date, a task assigned
    to its inspector and an unassigned re-check with its reason."""
    parcels = {p.code: p for p in db.session.scalars(select(Parcel).where(Parcel.code.in_(own_parcels)))}
    undated = ConsolidationProject(county_id=parcels[own_parcels[0]].county_id, name="验收日期不详的项目")
    db.session.add(undated)
    db.session.flush()
    parcels[own_parcels[0]].project_id = None
    parcels[own_parcels[1]].project_id = undated.id
    if parcels[own_parcels[2]].project_id is None:
        dated = ConsolidationProject(county_id=undated.county_id, name="已验收项目", accepted_on=date(2024, 3, 8))
        db.session.add(dated)
        db.session.flush()
        parcels[own_parcels[2]].project_id = dated.id
    inspector = db.session.scalar(select(User).where(User.username == "inspector101201"))
    opens = datetime(2026, 5, 1, 16, tzinfo=timezone.utc)
    db.session.add_all([
        PatrolTask(kind="routine", parcel_id=parcels[own_parcels[0]].id, inspector_id=inspector.id,
                   period_key="2026-05", opens_at=opens, due_at=opens + timedelta(days=30)),
        PatrolTask(kind="recheck", parcel_id=parcels[own_parcels[1]].id, inspector_id=None, period_key="recheck-1",
                   opens_at=opens, due_at=opens + timedelta(days=14), reason="整改后复查: 地块内堆放建材")])
    db.session.commit()
    return own_parcels


def test_snapshot_and_delta_payloads_are_what_the_models_say(client, token, varied_village):
    changes, cursor, _ = pull_all(client, token, limit=7)
    assert {c["entity"] for c in changes} == {"form", "task", "parcel"}
    assert len([c for c in changes if c["entity"] == "task"]) == 2
    _assert_as_the_models_say(changes)

    task = db.session.scalar(select(PatrolTask).where(PatrolTask.reason.is_not(None)))
    parcel = db.session.scalar(select(Parcel).where(Parcel.code == varied_village[3]))
    parcel.custodian = "王小二"
    changelog.record_tasks(db.session, [(task.uuid, task.parcel_id, [None])])
    changelog.record(db.session, changelog.ENTITY_PARCEL, parcel.code, village_id=parcel.village_id)
    db.session.commit()
    changes, _, _ = pull_all(client, token, cursor)
    assert sorted(c["key"] for c in changes) == sorted([task.uuid, parcel.code])
    _assert_as_the_models_say(changes)


def test_parcels_api_features_are_what_the_models_say(client, token, varied_village):
    listed = client.get("/api/v1/parcels?limit=5&offset=0", headers=bearer(token)).get_json()
    assert [f["id"] for f in listed["features"]] == varied_village[:5] and listed["has_more"] is True
    one = client.get(f"/api/v1/parcels/{varied_village[1]}", headers=bearer(token)).get_json()
    db.session.expire_all()
    for feature in [*listed["features"], one]:
        assert _serialized(feature) == _serialized(_expected("parcel", feature["id"]))
