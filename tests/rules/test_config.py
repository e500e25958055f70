"""Rule configuration: the schema, and versions chosen by effective date (a case is judged by the rules in
force on its observation date)."""

import json
from datetime import date

import pytest
from marshmallow import ValidationError
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.extensions import db
from server.rules.config import DEFAULT_BODY, DEFAULT_RULES, load_rules, merged_body
from server.rules.versions import publish_rules, rules_in_force
from server.territory.models import County
from tests.reviews.fixtures import beijing, cases_of, inspect
from tests.statements import statements_sent

VEGETABLES = {"cultivation_status": "nongrain", "crops": ["vegetables"], "has_nonag_use": "no",
              "irrigation_canal": "intact", "drainage_ditch": "intact", "farm_road": "intact", "field_ridge": "intact"}


def test_defaults_are_valid_and_complete():
    assert load_rules(DEFAULT_BODY) == DEFAULT_RULES
    assert DEFAULT_RULES.rectification_days == {"nonag": 30, "nongrain": 90, "abandonment": 90, "maintenance": 15}


@pytest.mark.parametrize("override, field", [
    ({"abandonment": {"winter_fallow_months": [9, 12]}}, "abandonment"),
    ({"land_classes": {"permanent_basic": {"banned_crops": ["rice"]}}}, "land_classes"),
    ({"land_classes": {"permanent_basic": {"severity": "extreme"}}}, "land_classes"),
    ({"evidence": {"violation_levels": []}}, "evidence"),
    ({"rectification_days": {"nonag": 0}}, "rectification_days"),
])
def test_invalid_configurations_are_refused_naming_the_field(override, field):
    with pytest.raises(ValidationError) as err:
        load_rules(merged_body(override))
    assert field in err.value.messages


def test_versions_are_chosen_by_the_observation_date(parcels, demo):
    county = parcels["pbf"].county
    assert rules_in_force(county, date(2026, 1, 1)) == (None, DEFAULT_RULES)
    strict = publish_rules(demo.county_code, {"land_classes": {"permanent_basic": {"grain_required": True}}},
                           date(2026, 3, 1), note="永农种粮(县级文件)")
    relaxed = publish_rules(demo.county_code, {}, date(2026, 7, 1), note="恢复默认")
    assert (strict.version, relaxed.version) == (1, 2)
    assert rules_in_force(county, date(2026, 2, 28))[0] is None
    assert rules_in_force(county, date(2026, 3, 1))[0].id == strict.id
    assert rules_in_force(county, date(2026, 7, 1))[0].id == relaxed.id

    inspect(parcels["pbf"], VEGETABLES, at=beijing(2026, 2, 20))   # defaults: vegetables tolerated on 永农
    assert cases_of(parcels["pbf"]) == []
    inspect(parcels["pbf"], VEGETABLES, at=beijing(2026, 5, 20))   # version 1: grain required
    [case] = cases_of(parcels["pbf"])
    assert (case.code, case.rule_config_id) == ("NONGRAIN_CASH_CROP", strict.id)
    inspect(parcels["general"], VEGETABLES, at=beijing(2026, 8, 20))  # synced late, judged by its own date
    assert cases_of(parcels["general"]) == []

    [event] = [e for e in select_events("rule_config") if e.entity_id == str(strict.id)]
    assert event.after["body"]["land_classes"]["permanent_basic"]["grain_required"] is True
    assert event.reason == "永农种粮(县级文件)"


def test_a_version_is_loaded_once_per_body(parcels, demo):
    """Validating a body costs about a millisecond and every completed inspection is judged by a version."""
    county = parcels["pbf"].county
    strict = publish_rules(demo.county_code, {"land_classes": {"permanent_basic": {"grain_required": True}}},
                           date(2026, 3, 1))
    first = rules_in_force(county, date(2026, 5, 1))[1]
    assert rules_in_force(county, date(2026, 6, 1))[1] is first
    assert first.land_classes["permanent_basic"].grain_required
    publish_rules(demo.county_code, {}, date(2026, 7, 1))
    assert not rules_in_force(county, date(2026, 7, 1))[1].land_classes["permanent_basic"].grain_required
    assert rules_in_force(county, date(2026, 5, 1))[0].id == strict.id


def test_the_versions_held_are_read_again_once_another_process_publishes(parcels, demo, make_app):
    """Each process holds a county's versions; the county row's revision tells it when another published."""
    county_id = parcels["pbf"].county_id
    assert rules_in_force(parcels["pbf"].county, date(2026, 5, 1))[0] is None
    db.session.commit()
    with make_app().app_context():
        publish_rules(demo.county_code, {"land_classes": {"permanent_basic": {"grain_required": True}}},
                      date(2026, 3, 1))
        db.session.remove()
    db.session.expire_all()
    county = db.session.get(County, county_id)
    assert county.rules_revision == 1
    assert rules_in_force(county, date(2026, 5, 1))[1].land_classes["permanent_basic"].grain_required
    held = statements_sent(lambda: rules_in_force(county, date(2026, 6, 1)))
    assert held == []  # held by the process: no query while the revision stays


def test_rules_cli_publishes_and_shows(runner, demo, tmp_path):
    override = tmp_path / "override.json"
    override.write_text(json.dumps({"rectification_days": {"maintenance": 10}}), encoding="utf-8")
    result = runner.invoke(args=["rules", "publish", "--county", demo.county_code, "--effective-from", "2026-01-01",
                                 str(override)])
    assert result.exit_code == 0, result.output
    shown = runner.invoke(args=["rules", "show", "--county", demo.county_code, "--on", "2026-02-01"])
    assert "第 1 版" in shown.output and '"maintenance": 10' in shown.output
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"abandonment": {"confirm_after_months": 0}}), encoding="utf-8")
    refused = runner.invoke(args=["rules", "publish", "--county", demo.county_code, "--effective-from", "2026-01-01",
                                  str(bad)])
    assert refused.exit_code != 0 and "confirm_after_months" in refused.output


def select_events(entity_type: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == entity_type)))
