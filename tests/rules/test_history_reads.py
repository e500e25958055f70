"""Judging reads what it needs once (issue 15): a visit's observations, the histories of the parcels a job
covers, and the open cases a finding attaches to, whatever the number of visits, parcels or findings."""

from unittest import mock

from server.extensions import db
from server.rules import service as rules
from server.rules.service import reevaluate_abandonment
from tests.reviews.fixtures import GRAIN, IDLE, beijing, building, cases_of, inspect
from tests.statements import statements_sent


def _history_reads(statements: list[str]) -> int:
    return sum(s.startswith("SELECT") and "inspections.parcel_id IN" in s for s in statements)


def test_a_visit_s_observations_are_read_once_from_its_history(parcels):
    parcel = parcels["general"]
    inspect(parcel, GRAIN, at=beijing(2026, 5, 3))
    with mock.patch.object(rules, "read_visit", wraps=rules.read_visit) as read:
        inspect(parcel, GRAIN, at=beijing(2026, 5, 20))
    assert read.call_count == 2  # the two complete visits of the history, the new one among them


def test_the_abandonment_job_reads_the_histories_of_all_its_parcels_in_one_query(parcels):
    alone = parcels["grain_zone"]
    for at in (beijing(2026, 6, 10), beijing(2026, 7, 10)):
        inspect(alone, IDLE, at=at)
    one_parcel = _history_reads(statements_sent(lambda: reevaluate_abandonment(now=beijing(2026, 10, 2))))
    for parcel in (parcels["pbf"], parcels["general"]):
        for at in (beijing(2026, 6, 10), beijing(2026, 7, 10)):
            inspect(parcel, IDLE, at=at)
    three_parcels = _history_reads(statements_sent(lambda: reevaluate_abandonment(now=beijing(2026, 10, 2))))
    assert one_parcel == three_parcels == 1
    assert {case.code for parcel in parcels.values() if parcel is not parcels["foreign"]
            for case in cases_of(parcel)} == {"ABANDON_SEASONAL"}


def test_a_finding_attaches_to_the_open_case_the_visit_already_locked(parcels):
    parcel = parcels["pbf"]
    inspect(parcel, building(2.0), at=beijing(2026, 5, 3))
    statements = statements_sent(lambda: inspect(parcel, building(3.0), at=beijing(2026, 5, 20)))
    assert not any("cases.open_key = " in s for s in statements)  # no look-up of the case by its problem
    if db.engine.dialect.name == "postgresql":
        assert sum("FOR UPDATE" in s for s in statements) == 1
    [case] = cases_of(parcel)
    assert (len(case.observations), case.area_mu) == (2, 3.0)
