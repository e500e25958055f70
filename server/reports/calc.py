"""The compensation calculation: a snapshot in, base lines, deduction lines and per-village totals out.

Pure: no database, no clock. Money is Decimal until each line is rounded, half-up to the 分 (ROUNDING_ZH);
from then on amounts are integer 分, so totals are exact sums of the lines as printed.

- Base = Σ area × rate of the class in force, pro-rated by days when a rate changes inside the period
  (and for a quarter or month, the period's share of the year).
- Deductions (rules in force at the cut-off): per confirmed case, area × rate × factor of its category plus
  a percentage of the village base; × the overdue factor past the deadline; waived when rectified and
  verified in time; a veto code cancels the whole base; missed patrols by count or rate; a cap per village
  (never more than the base, so the net is never below zero).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from server.reports.rules import RATE_CLASSES, CompensationRules
from server.reports.snapshot import CaseIn, ParcelIn, RateVersion, Snapshot

ROUNDING_ZH = "金额按每一行四舍五入到分, 合计为各行之和"
_HUNDRED = Decimal(100)


def to_fen(yuan: Decimal) -> int:
    """Half-up to the 分."""
    return int((yuan * _HUNDRED).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def yuan(fen: int) -> Decimal:
    """Integer 分 as 元 with two places (exact)."""
    return (Decimal(fen) / _HUNDRED).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class BaseLine:
    village_code: str
    rate_class: str
    area_mu: Decimal
    rate_yuan: Decimal
    rate_version: int | None
    start: date
    end: date  # exclusive
    amount_fen: int


@dataclass(frozen=True)
class Line:
    """One deduction. `key` identifies it across versions (for diffs)."""

    key: str
    kind: str  # a case category, or patrol / veto / cap
    village_code: str
    amount_fen: int
    formula_zh: str
    note_zh: str = ""
    case_id: int | None = None
    case_version: int | None = None
    case_status: str | None = None
    parcel_code: str | None = None
    violation_code: str | None = None
    evidence_level: str | None = None
    area_mu: Decimal | None = None
    rule_version: int | None = None


@dataclass
class VillageResult:
    code: str
    name: str
    township_code: str
    township_name: str
    area_mu: dict[str, Decimal] = field(default_factory=dict)
    area_basis: dict[str, int] = field(default_factory=dict)  # parcels per basis
    base_fen: int = 0
    deductions_fen: dict[str, int] = field(default_factory=dict)
    deduction_fen: int = 0
    net_fen: int = 0
    vetoed: bool = False


@dataclass(frozen=True)
class Calculation:
    villages: list[VillageResult]
    base_lines: list[BaseLine]
    lines: list[Line]

    @property
    def totals(self) -> dict[str, int]:
        return {"base_fen": sum(v.base_fen for v in self.villages),
                "deduction_fen": sum(v.deduction_fen for v in self.villages),
                "net_fen": sum(v.net_fen for v in self.villages)}

    def to_json(self) -> dict:
        return {"villages": [_plain(_fields(v)) for v in self.villages],
                "base_lines": [_plain(_fields(b)) for b in self.base_lines],
                "lines": [_plain(_fields(line)) for line in self.lines], "totals": self.totals,
                "rounding_zh": ROUNDING_ZH}


def calculate(snapshot: Snapshot) -> Calculation:
    rules = snapshot.rules
    period = snapshot.period
    year_days = 366 if calendar.isleap(period.start.year) else 365
    segments = rate_segments(snapshot.rate_versions, period.start, period.end)
    cutoff_rates = _rates_on(snapshot.rate_versions, min(snapshot.as_of, period.end))
    parcels = {p.code: p for p in snapshot.parcels}
    by_village: dict[str, list[ParcelIn]] = defaultdict(list)
    for parcel in snapshot.parcels:
        by_village[parcel.village_code].append(parcel)
    cases: dict[str, list[CaseIn]] = defaultdict(list)
    for case in sorted(snapshot.cases, key=lambda c: c.id):
        if _counts(case, rules, snapshot):
            cases[case.village_code].append(case)
    patrols = {p.village_code: p for p in snapshot.patrols}
    period_share = Decimal((period.end - period.start).days) / Decimal(year_days)

    villages, base_lines, lines = [], [], []
    for village in sorted(snapshot.villages, key=lambda v: v.code):
        result = VillageResult(village.code, village.name, village.township_code, village.township_name)
        areas = {rate_class: Decimal(0) for rate_class in RATE_CLASSES}
        for parcel in by_village.get(village.code, ()):
            areas[parcel.rate_class] = areas.get(parcel.rate_class, Decimal(0)) + parcel.area_mu
            result.area_basis[parcel.area_basis] = result.area_basis.get(parcel.area_basis, 0) + 1
        result.area_mu = areas
        for rate_class, area in areas.items():
            for version, start, end in segments:
                if area == 0:
                    continue
                rate = version.rates.get(rate_class, Decimal(0))
                amount = to_fen(area * rate * Decimal((end - start).days) / Decimal(year_days))
                base_lines.append(BaseLine(village.code, rate_class, area, rate, version.version, start, end, amount))
                result.base_fen += amount
        village_lines = [_case_line(case, parcels[case.parcel_code], result.base_fen, cutoff_rates, period_share,
                                    rules, snapshot) for case in cases.get(village.code, ())]
        if village.code in patrols:
            village_lines += _patrol_line(patrols[village.code], result.base_fen, rules, snapshot.rule_version)
        result.vetoed = any(line.kind == "veto" for line in village_lines)
        village_lines += _cap_line(village.code, village_lines, result, rules, snapshot.rule_version)
        for line in village_lines:
            result.deductions_fen[line.kind] = result.deductions_fen.get(line.kind, 0) + line.amount_fen
        result.deduction_fen = sum(line.amount_fen for line in village_lines)
        result.net_fen = result.base_fen - result.deduction_fen
        villages.append(result)
        lines += village_lines
    return Calculation(villages, base_lines, lines)


def rate_segments(versions: tuple[RateVersion, ...], start: date, end: date) -> list[tuple[RateVersion, date, date]]:
    """The rate versions in force over [start, end), each with the part of the period it covers."""
    ordered = sorted(versions, key=lambda v: v.effective_from)
    segments = []
    for index, version in enumerate(ordered):
        until = ordered[index + 1].effective_from if index + 1 < len(ordered) else end
        lo, hi = max(version.effective_from, start), min(until, end)
        if lo < hi:
            segments.append((version, lo, hi))
    return segments


def _rates_on(versions: tuple[RateVersion, ...], day: date) -> RateVersion:
    in_force = [v for v in versions if v.effective_from <= day] or [min(versions, key=lambda v: v.effective_from)]
    return max(in_force, key=lambda v: v.effective_from)


def _counts(case: CaseIn, rules: CompensationRules, snapshot: Snapshot) -> bool:
    """A confirmed violation seen before the cut-off and not closed before the period began."""
    if case.status not in rules.counted_statuses or case.first_observed_at >= min(snapshot.cutoff_at,
                                                                                  snapshot.ends_at):
        return False
    return case.closed_at is None or case.closed_at >= snapshot.starts_at


def _case_line(case: CaseIn, parcel: ParcelIn, base_fen: int, rates: RateVersion, period_share: Decimal,
               rules: CompensationRules, snapshot: Snapshot) -> Line:
    common = dict(key=f"case:{case.id}", village_code=case.village_code, case_id=case.id,
                  case_version=case.case_version, case_status=case.status, parcel_code=case.parcel_code,
                  violation_code=case.code, evidence_level=case.evidence_level, rule_version=snapshot.rule_version)
    if case.code in rules.veto_codes:
        return Line(kind="veto", amount_fen=base_fen, area_mu=case.area_mu,
                    formula_zh=f"一票否决({case.code}): 扣减全部补偿 {yuan(base_fen)} 元", **common)
    area, notes = case.area_mu, []
    if area is None:
        area = parcel.area_mu
        notes.append("案件未记录面积, 按图斑面积计")
    rate = rates.rates.get(parcel.rate_class, Decimal(0))
    factor = rules.area_factors.get(case.category, Decimal(0))
    percent = rules.base_percent_per_case.get(case.category, Decimal(0))
    amount = area * rate * factor * period_share + yuan(base_fen) * percent / _HUNDRED
    parts = [f"{area}亩×{rate}元×{factor}" + (f"×{period_share:.4f}" if period_share != 1 else "")] if factor else []
    parts += [f"基数{yuan(base_fen)}元×{percent}%"] if percent else []
    formula = " + ".join(parts) or "0"
    late = case.deadline_at is not None and (
        (case.closed_at or snapshot.cutoff_at) > case.deadline_at or case.status == "overdue")
    if rules.waive_rectified_in_time and case.status == "closed" and not late and case.deadline_at is not None:
        return Line(kind=case.category, amount_fen=0, area_mu=area, formula_zh=formula + " → 免扣",
                    note_zh="; ".join(notes + ["期限内整改并验收销号, 依规免扣"]), **common)
    if late:
        amount *= rules.overdue_factor
        formula = f"({formula})×逾期系数{rules.overdue_factor}"
        notes.append("超过整改期限")
    return Line(kind=case.category, amount_fen=to_fen(amount), area_mu=area, formula_zh=formula,
                note_zh="; ".join(notes), **common)


def _patrol_line(patrol, base_fen: int, rules: CompensationRules, rule_version: int | None) -> list[Line]:
    config = rules.missed_patrols
    if patrol.missed == 0 or config.percent == 0:
        return []
    if config.mode == "per_task":
        percent, how = config.percent * patrol.missed, f"{patrol.missed}次×{config.percent}%"
    else:
        percent = config.percent * Decimal(patrol.missed) / Decimal(max(patrol.due, patrol.missed))
        how = f"{config.percent}%×逾期率{patrol.missed}/{max(patrol.due, patrol.missed)}"
    capped = min(percent, config.max_percent)
    formula = f"基数{yuan(base_fen)}元×{how}" + (f"(封顶{config.max_percent}%)" if capped < percent else "")
    return [Line(key=f"patrol:{patrol.village_code}", kind="patrol", village_code=patrol.village_code,
                 amount_fen=to_fen(yuan(base_fen) * capped / _HUNDRED), formula_zh=formula,
                 note_zh=f"巡查任务逾期未完成 {patrol.missed} 次(应巡 {patrol.due} 次)", rule_version=rule_version)]


def _cap_line(village_code: str, lines: list[Line], result: VillageResult, rules: CompensationRules,
              rule_version: int | None) -> list[Line]:
    """The adjustment that brings the village's deductions down to its cap (the whole base after a veto)."""
    total = sum(line.amount_fen for line in lines)
    cap = result.base_fen if result.vetoed else min(result.base_fen, to_fen(yuan(result.base_fen) * rules.cap_percent
                                                                            / _HUNDRED))
    if total <= cap:
        return []
    label = "一票否决, 扣减以全部补偿为限" if result.vetoed else f"扣减封顶: 补偿基数的 {rules.cap_percent}%"
    return [Line(key=f"cap:{village_code}", kind="cap", village_code=village_code, amount_fen=cap - total,
                 formula_zh=f"{yuan(cap)} − {yuan(total)}", note_zh=label, rule_version=rule_version)]


def _fields(item) -> dict:
    """A dataclass's fields, shallow (`asdict` deep-copies every value: ten times slower here)."""
    return {f.name: getattr(item, f.name) for f in fields(item)}


def _plain(value):
    """JSON-ready: Decimals as strings, dates as ISO."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
