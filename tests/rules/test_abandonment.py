"""撂荒 over time with a controllable `now`: seasons, winter fallow, approved 休耕 and the year rule."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from server.rules.abandonment import assess_abandonment
from server.rules.config import DEFAULT_RULES, load_rules, merged_body

TZ = ZoneInfo("Asia/Shanghai")
RULES = DEFAULT_RULES.abandonment  # main season Jun–Sep, winter fallow Nov–Feb, flag 1 season, confirm 12 months


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def judge(visits: list[tuple[str, str]], now: str, rules=RULES):
    found = assess_abandonment([(at(day), status) for day, status in visits], rules, at(now), TZ)
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
    history = [(at("2026-05-01"), "grain"), (at("2026-07-01"), "not_cultivated"), (at("2026-08-20"), "not_cultivated"),
               (at("2026-12-01"), "not_cultivated")]
    found = assess_abandonment(history, RULES, at("2027-01-05"), TZ)
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
