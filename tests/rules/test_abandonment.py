"""撂荒 over time with a controllable `now`: seasons, winter fallow, approved 休耕, the year rule, the minimum
of idle visits and the signs (weed height, how long the field looks idle)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from server.rules.abandonment import Seen, assess_abandonment
from server.rules.config import DEFAULT_RULES, load_rules, merged_body

TZ = ZoneInfo("Asia/Shanghai")
RULES = DEFAULT_RULES.abandonment  # main season Jun–Sep, winter fallow Nov–Feb, flag 1 season, confirm 12 months
EVIDENCE = DEFAULT_RULES.abandonment_evidence  # 2 idle visits 14 days apart; shrubs 100 cm; idle 12 months
# The season and window tests below judge single visits: a county that asks for one idle visit.
ONE_VISIT = load_rules(merged_body({"abandonment_evidence": {"min_idle_visits": 1}})).abandonment_evidence


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def judge(visits: list[tuple], now: str, rules=RULES, evidence=ONE_VISIT):
    found = assess_abandonment([Seen(at(day), *rest) for day, *rest in visits], rules, evidence, at(now), TZ)
    return found.code if found else None


def test_winter_fallow_is_not_abandonment():
    visits = [("2025-11-20", "not_cultivated"), ("2025-12-20", "not_cultivated"), ("2026-01-25", "not_cultivated"),
              ("2026-02-20", "not_cultivated")]
    assert judge(visits, "2026-12-31") is None


def test_one_missed_main_season_flags_only_once_the_season_is_over():
    visits = [("2026-04-10", "grain"), ("2026-07-05", "not_cultivated")]
    assert judge(visits, "2026-07-06") is None  # late rice may still go in
    assert judge(visits, "2026-09-30") is None
    assert judge(visits, "2026-10-01") == "ABANDON_SEASONAL"


def test_a_crop_seen_later_clears_it():
    visits = [("2026-07-05", "not_cultivated"), ("2026-08-10", "grain")]
    assert judge(visits, "2026-10-15") is None


def test_approved_fallow_is_not_abandonment():
    visits = [("2026-06-05", "fallow"), ("2026-08-05", "fallow")]
    assert judge(visits, "2027-03-01") is None
    visits = [("2026-06-05", "not_cultivated"), ("2026-08-05", "fallow")]
    assert judge(visits, "2027-03-01") is None


def test_spring_idleness_alone_flags_nothing():
    assert judge([("2026-03-10", "not_cultivated"), ("2026-05-10", "not_cultivated")], "2026-10-10") is None


def test_a_year_without_a_crop_confirms_it():
    visits = [("2025-07-10", "not_cultivated"), ("2025-12-10", "not_cultivated"), ("2026-04-01", "not_cultivated"),
              ("2026-07-09", "not_cultivated")]
    assert judge(visits[:3], "2026-04-02") == "ABANDON_SEASONAL"
    assert judge(visits, "2026-07-09") == "ABANDON_SEASONAL"  # one day short of 12 months
    assert judge(visits + [("2026-07-10", "not_cultivated")], "2026-07-10") == "ABANDON_YEAR"


def test_time_travel_through_two_seasons():
    """A parcel visited monthly through a year; the state on each first of the month."""
    visits = [(f"2026-{m:02d}-15", "not_cultivated") for m in range(3, 13)] + [
        (f"2027-{m:02d}-15", "not_cultivated") for m in range(1, 5)]
    states = {}
    for month in range(4, 13):
        now = f"2026-{month:02d}-01"
        states[month] = judge([v for v in visits if v[0] < now], now)
    assert [states[m] for m in range(4, 10)] == [None] * 6
    assert states[10] == states[11] == states[12] == "ABANDON_SEASONAL"
    assert judge(visits, "2027-04-20") == "ABANDON_YEAR"  # 2026-03-15 … 2027-04-15


def test_the_finding_names_the_latest_idle_visit_and_the_missed_seasons():
    history = [Seen(at("2026-05-01"), "grain"), Seen(at("2026-07-01"), "not_cultivated"),
               Seen(at("2026-08-20"), "not_cultivated"), Seen(at("2026-12-01"), "not_cultivated")]
    found = assess_abandonment(history, RULES, EVIDENCE, at("2027-01-05"), TZ)
    assert (found.code, found.last_index, found.missed_seasons) == ("ABANDON_SEASONAL", 2, (2026,))
    assert found.idle_since == at("2026-07-01")


@pytest.mark.parametrize("override, now, expected", [
    ({"flag_after_missed_main_seasons": 2}, "2026-10-01", None),
    ({"main_season_months": [5, 6, 7]}, "2026-08-01", "ABANDON_SEASONAL"),
    ({"confirm_after_months": 3}, "2026-10-01", "ABANDON_YEAR"),
])
def test_thresholds_and_windows_are_configurable(override, now, expected):
    rules = load_rules(merged_body({"abandonment": override})).abandonment
    visits = [("2026-06-10", "not_cultivated"), ("2026-07-05", "not_cultivated"), ("2026-09-20", "not_cultivated")]
    assert judge(visits, now, rules) == expected


def test_by_default_two_idle_visits_some_weeks_apart_are_needed():
    """DOMAIN 2: at least two patrol observations a few weeks apart before a case opens."""
    one = [("2026-04-10", "grain"), ("2026-07-05", "not_cultivated")]
    assert judge(one, "2026-10-01", evidence=EVIDENCE) is None
    close = one + [("2026-07-12", "not_cultivated")]
    assert judge(close, "2026-10-01", evidence=EVIDENCE) is None  # a week apart
    apart = one + [("2026-07-25", "not_cultivated")]
    assert judge(apart, "2026-10-01", evidence=EVIDENCE) == "ABANDON_SEASONAL"
    three = load_rules(merged_body({"abandonment_evidence": {"min_idle_visits": 3}})).abandonment_evidence
    assert judge(apart, "2026-10-01", evidence=three) is None


@pytest.mark.parametrize("weed_cm, idle_duration, expected", [
    (60, "months_6_to_12", "ABANDON_SEASONAL"),
    (120, "months_3_to_6", "ABANDON_YEAR"),   # shrubs of 1 m and more: 常年撂荒 by its look
    (30, "over_12_months", "ABANDON_YEAR"),   # looks idle for more than a year
])
def test_weed_height_and_idle_duration_are_signs_of_a_year(weed_cm, idle_duration, expected):
    visits = [("2026-07-05", "not_cultivated", 50, "under_3_months"),
              ("2026-08-10", "not_cultivated", weed_cm, idle_duration)]
    assert judge(visits, "2026-10-01", evidence=EVIDENCE) == expected
    assert judge(visits[1:], "2026-10-01", evidence=EVIDENCE) is None  # a sign still needs two visits


def test_the_signs_are_county_settings():
    visits = [("2026-07-05", "not_cultivated", 50, "under_3_months"),
              ("2026-08-10", "not_cultivated", 120, "months_6_to_12")]
    lenient = load_rules(merged_body({"abandonment_evidence": {"shrub_height_cm": 200, "idle_sign_months": 6}}))
    assert judge(visits, "2026-08-11", evidence=lenient.abandonment_evidence) == "ABANDON_YEAR"  # 6 months
    strict = load_rules(merged_body({"abandonment_evidence": {"shrub_height_cm": 200}}))
    assert judge(visits, "2026-08-11", evidence=strict.abandonment_evidence) is None
