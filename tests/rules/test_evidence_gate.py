"""From findings to cases: the evidence gate, one open case per problem, abandonment over time in the
database (the job, with time travel)."""

from datetime import timedelta

from sqlalchemy import func, select

from server.accounts.models import User
from server.cases import service as cases
from server.cases.models import CaseObservation, ViolationCase, latest_evidence_level
from server.extensions import db
from server.patrols.models import PatrolTask
from server.rules.service import apply_rules, reevaluate_abandonment
from tests.reviews.fixtures import GRAIN, IDLE, beijing, building, cases_of, inspect
from tests.sync.helpers import pull_all


def test_trusted_evidence_makes_a_violation(parcels):
    inspect(parcels["pbf"], building(2.0))
    [case] = cases_of(parcels["pbf"])
    assert (case.status, case.code, case.category, case.severity, case.area_mu) == (
        "flagged", "NONAG_BUILDING", "nonag", "high", 2.0)
    assert case.recheck_task_id is None


def test_doubtful_evidence_makes_a_doubt_and_a_recheck_task_the_inspector_pulls(parcels, demo, client):
    inspection = inspect(parcels["pbf"], building(2.0), level="doubtful")
    [case] = cases_of(parcels["pbf"])
    assert case.status == "doubt"
    task = db.session.get(PatrolTask, case.recheck_task_id)
    assert (task.kind, task.status, task.inspector_id) == ("recheck", "open", inspection.inspector_id)
    assert task.due_at == inspection.finished_at + timedelta(hours=1, days=7)
    changes, _, _ = pull_all(client, demo.device_tokens["inspector101201"])
    pulled = [c for c in changes if c["entity"] == "task" and c["key"] == task.uuid]
    assert pulled and pulled[-1]["data"]["kind"] == "recheck"

    inspect(parcels["pbf"], building(2.5), level="insufficient")  # still doubtful: the open task is enough
    assert db.session.scalar(select(func.count()).select_from(PatrolTask)
                             .where(PatrolTask.kind == "recheck")) == 1


def test_a_trusted_recheck_upgrades_the_doubt_or_dismisses_it(parcels):
    inspect(parcels["pbf"], building(2.0), level="doubtful")
    inspect(parcels["pbf"], building(3.0), at=beijing(2026, 5, 6))
    [case] = cases_of(parcels["pbf"])
    assert (case.status, case.area_mu, case.version) == ("flagged", 3.0, 2)

    inspect(parcels["general"], building(1.0), level="doubtful")
    inspect(parcels["general"], GRAIN, at=beijing(2026, 5, 6))
    [doubt] = cases_of(parcels["general"])
    assert doubt.status == "dismissed" and doubt.open_key is None


def test_repeated_observations_attach_to_the_open_case_with_the_largest_area(parcels):
    for day, area in ((3, 2.0), (10, 5.5), (17, 3.0)):
        inspect(parcels["pbf"], building(area), at=beijing(2026, 5, day))
    inspect(parcels["pbf"], {**GRAIN, "has_nonag_use": "yes",
                              "problems": [{"problem_type": "hardening", "area_mu": 0.4}]}, at=beijing(2026, 5, 20))
    building_case, hardening_case = cases_of(parcels["pbf"])
    assert (building_case.code, building_case.area_mu, len(building_case.observations)) == ("NONAG_BUILDING", 5.5, 3)
    assert building_case.last_observed_at == beijing(2026, 5, 17)
    assert hardening_case.code == "NONAG_HARDENING"


def test_a_cases_evidence_level_is_that_of_its_latest_visit_not_of_the_last_to_arrive(parcels):
    inspect(parcels["pbf"], building(2.0), at=beijing(2026, 5, 10))
    inspect(parcels["pbf"], building(2.0), level="doubtful", at=beijing(2026, 5, 3))  # an older visit, synced late
    [case] = cases_of(parcels["pbf"])
    assert len(case.observations) == 2
    assert db.session.scalar(select(latest_evidence_level).where(ViolationCase.id == case.id)) == "trusted"


def test_a_closed_problem_seen_again_opens_a_new_case(parcels):
    inspect(parcels["pbf"], building(2.0))
    [case] = cases_of(parcels["pbf"])
    reviewer = db.session.scalar(select(User).where(User.username == "reviewer101"))
    cases.transition(reviewer, case.id, "dismiss", note="已批准的设施农业用地")
    inspect(parcels["pbf"], building(2.0), at=beijing(2026, 6, 1))
    assert [c.status for c in cases_of(parcels["pbf"])] == ["dismissed", "flagged"]


def test_abandonment_job_flags_after_the_season_and_confirms_after_a_year(parcels):
    parcel = parcels["grain_zone"]
    inspect(parcel, GRAIN, at=beijing(2026, 4, 20))
    inspect(parcel, IDLE, at=beijing(2026, 7, 10))
    inspect(parcel, IDLE, at=beijing(2026, 7, 28))  # two idle visits some weeks apart (DOMAIN 2)
    assert cases_of(parcel) == []
    assert reevaluate_abandonment(now=beijing(2026, 9, 20)) == 0
    assert reevaluate_abandonment(now=beijing(2026, 10, 2)) == 1
    assert reevaluate_abandonment(now=beijing(2026, 10, 3)) == 0  # safe to run twice
    [case] = cases_of(parcel)
    assert (case.code, case.status, case.severity, case.area_mu) == ("ABANDON_SEASONAL", "flagged", "high",
                                                                     parcel.area_mu)
    inspect(parcel, IDLE, at=beijing(2026, 12, 15))  # winter: says nothing
    inspect(parcel, IDLE, at=beijing(2027, 7, 12))
    [case] = cases_of(parcel)
    assert case.code == "ABANDON_YEAR" and len(case.observations) == 2


def test_observations_are_recorded_once_per_inspection(parcels):
    inspection = inspect(parcels["pbf"], building(2.0))
    apply_rules([inspection])
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(CaseObservation)) == 1
