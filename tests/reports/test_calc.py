"""The calculation on hand-computed examples (DOMAIN.md §3 worked example, Cixi rates), without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from server.reports.calc import calculate, to_fen
from server.reports.rules import DEFAULT_COMPENSATION
from server.reports.snapshot import (CaseIn, ParcelIn, PatrolIn, RateVersion, Snapshot, VillageIn, period_of,
                                     snapshot_hash)

UTC = timezone.utc
CIXI = {"permanent_basic": Decimal(60), "general_farmland": Decimal(50)}
VILLAGE = "330481101201"


def at(y, m, d) -> datetime:
    return datetime(y, m, d, tzinfo=UTC)


def snapshot(*, cases=(), patrols=(), rules=None, rate_versions=None, kind="year", number=None) -> Snapshot:
    period = period_of(kind, 2026, number)
    body = DEFAULT_COMPENSATION | (rules or {})
    return Snapshot(
        "330481", "演示县", period, date(2026, 12, 31), at(2026, 1, 1), at(2027, 1, 1), at(2027, 1, 1), 3, body,
        rate_versions or (RateVersion(3, date(2025, 1, 1), CIXI),),
        (VillageIn(VILLAGE, "联丰村", "330481101", "丰收镇"),),
        # 3,000 亩 永久基本农田 in 3 parcels, 500 亩 一般耕地 in one.
        (ParcelIn("P1", VILLAGE, "permanent_basic", Decimal(1000), "source"),
         ParcelIn("P2", VILLAGE, "permanent_basic", Decimal(1000), "source"),
         ParcelIn("P3", VILLAGE, "permanent_basic", Decimal(1000), "computed"),
         ParcelIn("G1", VILLAGE, "general_farmland", Decimal(500), "source")),
        tuple(cases), tuple(patrols))


def case(case_id=1, *, code="ABANDON_YEAR", category="abandonment", status="confirmed", area="20", parcel="P1",
         deadline=None, closed=None, observed=at(2026, 3, 1)) -> CaseIn:
    return CaseIn(case_id, 3, parcel, VILLAGE, code, category, status, None if area is None else Decimal(area),
                  "trusted", 3, observed, deadline, closed)


def village_of(calc):
    [village] = calc.villages
    return village


def test_base_is_area_times_rate():
    calc = calculate(snapshot())
    village = village_of(calc)
    assert village.base_fen == 205_000_00  # 3,000 × 60 + 500 × 50
    assert village.deduction_fen == 0 and village.net_fen == 205_000_00
    assert village.area_basis == {"source": 3, "computed": 1}


def test_area_deduction_by_factor():
    # 20 亩 PBF 抛荒, not rectified: 20 × 60 × 1.0 = 1,200 元 (DOMAIN.md §3).
    calc = calculate(snapshot(cases=[case()]))
    [line] = calc.lines
    assert (line.amount_fen, line.kind, line.case_id, line.parcel_code) == (1_200_00, "abandonment", 1, "P1")
    assert village_of(calc).net_fen == 203_800_00
    # 非农化 counts double: 2 亩 × 60 × 2 = 240 元.
    calc = calculate(snapshot(cases=[case(code="NONAG_BUILDING", category="nonag", area="2")]))
    assert calc.lines[0].amount_fen == 240_00


def test_percentage_of_base_per_case():
    # The DOMAIN.md 5%-per-case model: 5% of 205,000 = 10,250 元 (area factor 0).
    rules = {"area_factors": {**DEFAULT_COMPENSATION["area_factors"], "abandonment": "0"},
             "base_percent_per_case": {**DEFAULT_COMPENSATION["base_percent_per_case"], "abandonment": "5"}}
    calc = calculate(snapshot(cases=[case()], rules=rules))
    assert calc.lines[0].amount_fen == 10_250_00


def test_overdue_factor_and_waiver():
    deadline = at(2026, 5, 1)
    overdue = calculate(snapshot(cases=[case(status="overdue", deadline=deadline)]))
    assert overdue.lines[0].amount_fen == 1_800_00  # 1,200 × 1.5
    in_time = calculate(snapshot(cases=[case(status="closed", deadline=deadline, closed=at(2026, 4, 20))]))
    assert in_time.lines[0].amount_fen == 0 and "免扣" in in_time.lines[0].note_zh
    late = calculate(snapshot(cases=[case(status="closed", deadline=deadline, closed=at(2026, 5, 20))]))
    assert late.lines[0].amount_fen == 1_800_00
    no_waiver = calculate(snapshot(cases=[case(status="closed", deadline=deadline, closed=at(2026, 4, 20))],
                                   rules={"waive_rectified_in_time": False}))
    assert no_waiver.lines[0].amount_fen == 1_200_00


@pytest.mark.parametrize("status", ["doubt", "flagged", "dismissed"])
def test_only_confirmed_violations_count(status):
    assert calculate(snapshot(cases=[case(status=status)])).lines == []


def test_cases_outside_the_period_do_not_count():
    closed_before = case(status="closed", deadline=at(2025, 11, 1), closed=at(2025, 12, 1), observed=at(2025, 10, 1))
    seen_after = case(2, observed=at(2027, 2, 1))
    assert calculate(snapshot(cases=[closed_before, seen_after])).lines == []


def test_missing_area_uses_the_parcel_and_says_so():
    calc = calculate(snapshot(cases=[case(area=None, parcel="G1")]))
    assert calc.lines[0].amount_fen == 25_000_00  # 500 亩 × 50
    assert "图斑面积" in calc.lines[0].note_zh


def test_missed_patrols_per_task_and_by_rate():
    per_task = calculate(snapshot(patrols=[PatrolIn(VILLAGE, due=200, missed=12)]))
    assert per_task.lines[0].amount_fen == 2_460_00  # 205,000 × 12 × 0.1%
    rules = {"missed_patrols": {"mode": "rate", "percent": "10", "max_percent": "10"}}
    by_rate = calculate(snapshot(patrols=[PatrolIn(VILLAGE, due=200, missed=50)], rules=rules))
    assert by_rate.lines[0].amount_fen == 5_125_00  # 205,000 × 10% × 50/200
    capped = calculate(snapshot(patrols=[PatrolIn(VILLAGE, due=500, missed=400)]))
    assert capped.lines[0].amount_fen == 20_500_00  # 40% capped at 10%


def test_cap_per_village():
    rules = {"cap_percent": "1"}
    calc = calculate(snapshot(cases=[case(1), case(2, parcel="P2")], rules=rules))
    assert [line.amount_fen for line in calc.lines] == [1_200_00, 1_200_00, -350_00]
    assert calc.lines[-1].kind == "cap"
    assert village_of(calc).deduction_fen == 2_050_00  # 1% of 205,000


def test_veto_cancels_the_whole_year():
    rules = {"veto_codes": ["NONAG_BUILDING"]}
    calc = calculate(snapshot(cases=[case(1), case(2, code="NONAG_BUILDING", category="nonag")], rules=rules))
    village = village_of(calc)
    assert village.vetoed and village.net_fen == 0 and village.deduction_fen == 205_000_00
    assert [line.kind for line in calc.lines] == ["abandonment", "veto", "cap"]


def test_mid_year_rate_change_is_pro_rated_by_days():
    # PBF 60 → 72 from 1 July 2026: 181 days at 60, 184 days at 72, of 365.
    versions = (RateVersion(3, date(2025, 1, 1), CIXI),
                RateVersion(4, date(2026, 7, 1), {"permanent_basic": Decimal(72), "general_farmland": Decimal(50)}))
    calc = calculate(snapshot(rate_versions=versions))
    pbf = [b for b in calc.base_lines if b.rate_class == "permanent_basic"]
    assert [(b.rate_yuan, b.amount_fen) for b in pbf] == [
        (Decimal(60), to_fen(Decimal(3000 * 60 * 181) / 365)), (Decimal(72), to_fen(Decimal(3000 * 72 * 184) / 365))]
    assert [b.amount_fen for b in pbf] == [89_260_27, 108_887_67]
    assert village_of(calc).base_fen == 89_260_27 + 108_887_67 + 25_000_00
    # Deductions use the rates in force at the cut-off.
    assert calculate(replace(snapshot(rate_versions=versions), cases=(case(),))).lines[0].amount_fen == 1_440_00


def test_quarter_is_its_share_of_the_year():
    calc = calculate(snapshot(kind="quarter", number=1))
    # 90 of 365 days: 3,000 × 60 × 90/365 = 44,383.56; 500 × 50 × 90/365 = 6,164.38.
    assert [b.amount_fen for b in calc.base_lines] == [44_383_56, 6_164_38]
    assert village_of(calc).base_fen == 50_547_94


def test_snapshot_round_trips_through_json():
    original = snapshot(cases=[case(deadline=at(2026, 5, 1))], patrols=[PatrolIn(VILLAGE, 3, 1)])
    again = Snapshot.from_json(original.to_json())
    assert again.to_json() == original.to_json() and snapshot_hash(again.to_json()) == snapshot_hash(original.to_json())
    assert calculate(again).to_json() == calculate(original).to_json()


def test_rounding_is_half_up_per_line():
    assert to_fen(Decimal("0.005")) == 1 and to_fen(Decimal("0.0049")) == 0 and to_fen(Decimal("2.675")) == 268
