"""The rules outlive form v1: each version declares which question carries which observation, the rules read
through that mapping, an incomplete mapping is refused at publish, and the published v1 gains its mapping by
migration 0008 with its questions unchanged."""

import json

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from inspection_forms import FormDefinitionError, builtin_definitions, load_definition
from server.cases.models import ViolationCase
from server.extensions import db
from server.forms import service as forms
from server.forms.models import FormVersion
from server.rules.observations import REQUIRED_SLOTS, mapping_problems
from tests.reviews.fixtures import GRAIN, cases_of, inspect
from tests.sync.helpers import GOOD_ANSWERS, photo_refs, push, record, upload

V1, V2 = builtin_definitions()
V1_AS_SHIPPED_HASH = "9869daaee2df118be0a1d36ea6c5fb56154f7fea1cc6c6908e4e19a34587bc41"


def renamed(version: int, **observations) -> dict:
    """v1 with `has_nonag_use` renamed `nonag_found` and `problems` renamed `issues` (relevance and mapping
    follow), as a new version; `observations` overrides entries of its mapping (None drops one)."""
    text = json.dumps(V1.to_dict()).replace('"has_nonag_use"', '"nonag_found"').replace('"problems"', '"issues"')
    data = {**json.loads(text), "version": version}
    data["observations"] = {k: v for k, v in {**data["observations"], **observations}.items() if v is not None}
    return data


def test_both_shipped_versions_declare_a_complete_mapping():
    assert mapping_problems(V1) == [] and mapping_problems(V2) == []
    assert set(V1.observations) == set(REQUIRED_SLOTS)
    assert {"farm_uses", "fishpond_area_mu", "livestock_area_mu"} <= set(V2.observations)


def test_a_renamed_question_is_still_judged(parcels):
    forms.publish(load_definition(renamed(9)))
    answers = {**GRAIN, "nonag_found": "yes", "issues": [{"problem_type": "building", "area_mu": 1.5}]}
    del answers["has_nonag_use"]
    inspect(parcels["pbf"], answers, form=("farmland_patrol", 9))
    [case] = cases_of(parcels["pbf"])
    assert (case.code, case.area_mu, case.status) == ("NONAG_BUILDING", 1.5, "flagged")


@pytest.mark.parametrize("override, problem", [
    ({"nonag_present": None}, "缺少观测项「nonag_present」"),
    ({"nonag_area_mu": "remarks"}, "题型 text 不符"),
    ({"nonag_note": "remarks"}, "应位于非农化问题的重复组「issues」内"),
    ({"cultivation_status": "nonag_found", "nonag_present": None}, "规则不认识选项 no, yes"),
    ({"fishpond_area_mu": "remarks"}, "养殖设施各项须一并映射"),
    ({"weed_colour": "remarks"}, "规则不认识观测项「weed_colour」"),
])
def test_publishing_an_incomplete_or_wrong_mapping_is_refused(app, override, problem):
    with pytest.raises(FormDefinitionError, match=problem):
        forms.publish(load_definition(renamed(9, **override)))
    assert db.session.scalar(select(FormVersion).where(FormVersion.version == 9)) is None


def test_a_mapping_must_name_questions_of_the_form_once():
    with pytest.raises(FormDefinitionError, match="no question or repeat"):
        load_definition({**V1.to_dict(), "observations": {**V1.observations, "nonag_present": "has_nonag_use_v0"}})
    with pytest.raises(FormDefinitionError, match="already carries another observation"):
        load_definition({**V1.to_dict(), "observations": {**V1.observations, "crop_other_name": "remarks",
                                                           "nonag_note": "remarks"}})


def test_the_cli_refuses_it_too(app, runner, tmp_path):
    path = tmp_path / "farmland_patrol.v9.yaml"
    path.write_text(json.dumps(renamed(9, nonag_items=None)), encoding="utf-8")
    result = runner.invoke(args=["forms", "publish", str(path)])
    assert result.exit_code != 0 and "nonag_items" in result.output


def test_migration_0008_gives_the_published_v1_its_mapping(app):
    """A database that published v1 before mappings existed: its row gains the mapping, nothing else."""
    shipped = {k: v for k, v in V1.to_dict().items() if k != "observations"}
    assert load_definition(shipped).content_hash() == V1_AS_SHIPPED_HASH
    downgrade(revision="0005")
    db.session.add(FormVersion(form_id="farmland_patrol", version=1, title=V1.title, definition=shipped,
                               content_hash=V1_AS_SHIPPED_HASH))
    db.session.commit()
    upgrade()
    db.session.expire_all()
    row = db.session.scalar(select(FormVersion).where(FormVersion.form_id == "farmland_patrol"))
    assert row.definition == V1.to_dict() and row.content_hash == V1.content_hash()
    assert forms.publish(V1).created is False  # `forms publish --builtin` after the upgrade: unchanged


def test_through_the_protocol_v1_and_v2_inspections_are_both_judged(client, token, own_parcels):
    """A device still holding v1 and one on v2 sync after v2 is published: both reach the rules."""
    blobs = (b"distant" * 20, b"close" * 20, b"detail" * 20)
    refs = photo_refs(*blobs)
    v1 = record(own_parcels[0], photos=refs, answers={
        **GOOD_ANSWERS, "has_nonag_use": "yes", "problems": [{"problem_type": "building", "area_mu": 0.5}]})
    v2 = record(own_parcels[1], photos=refs, form_version=2,
                answers={**GOOD_ANSWERS, "farm_uses": ["fishpond"], "fishpond_area_mu": 1.5})
    results = push(client, token, [v1, v2]).get_json()["results"]
    assert [r["status"] for r in results] == ["accepted", "accepted"]
    for blob in blobs:
        upload(client, token, blob)
    found = {(c.parcel.code, c.code) for c in db.session.scalars(select(ViolationCase))}
    assert found == {(own_parcels[0], "NONAG_BUILDING"), (own_parcels[1], "NONGRAIN_FISHPOND")}
