"""The frozen inputs of a report: what the calculation reads, nothing else.

A snapshot is plain data (dataclasses of strings, dates, Decimals and ints) that round-trips through JSON
exactly, so an issued version stores its inputs, hashes them into the audit chain, and can be computed
again from them to the same 分.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property

from server.reports.rules import CompensationRules, CompensationSchema

PERIOD_KINDS = ("year", "quarter", "month")


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # exclusive

    @property
    def label_zh(self) -> str:
        if self.kind == "year":
            return f"{self.start.year}年度"
        if self.kind == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        return f"{self.start.year}年{self.start.month}月"

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.start.isoformat()}"


def period_of(kind: str, year: int, number: int | None = None) -> Period:
    """The year, its quarter `number` (1–4) or month `number` (1–12)."""
    if kind == "year":
        return Period(kind, date(year, 1, 1), date(year + 1, 1, 1))
    months = 3 if kind == "quarter" else 1
    if kind not in PERIOD_KINDS or number is None or not 1 <= number <= 12 // months:
        raise ValueError(f"invalid period: {kind} {number}")
    first = (number - 1) * months + 1
    end = date(year + 1, 1, 1) if first + months > 12 else date(year, first + months, 1)
    return Period(kind, date(year, first, 1), end)


@dataclass(frozen=True)
class RateVersion:
    """The rates of one rule version, in force from `effective_from` (None: the built-in defaults)."""

    version: int | None
    effective_from: date
    rates: dict[str, Decimal]


@dataclass(frozen=True)
class VillageIn:
    code: str
    name: str
    township_code: str
    township_name: str


@dataclass(frozen=True)
class ParcelIn:
    code: str
    village_code: str
    rate_class: str
    area_mu: Decimal
    area_basis: str  # "land_class" (三调 TBDLMJ), "source" (TBMJ) or "computed" (geodesic)


@dataclass(frozen=True)
class CaseIn:
    id: int
    case_version: int
    parcel_code: str
    village_code: str
    code: str
    category: str
    status: str
    area_mu: Decimal | None
    evidence_level: str | None
    rule_version: int | None
    first_observed_at: datetime
    deadline_at: datetime | None
    closed_at: datetime | None


@dataclass(frozen=True)
class PatrolIn:
    village_code: str
    due: int
    missed: int


@dataclass(frozen=True)
class Snapshot:
    county_code: str
    county_name: str
    period: Period
    as_of: date
    starts_at: datetime  # the period's bounds and the cut-off as instants (local midnights, in UTC)
    ends_at: datetime
    cutoff_at: datetime
    rule_version: int | None  # the version in force at the cut-off: its deduction rules apply
    rules_body: dict  # that version's compensation section, as stored
    rate_versions: tuple[RateVersion, ...]
    villages: tuple[VillageIn, ...]
    parcels: tuple[ParcelIn, ...]
    cases: tuple[CaseIn, ...]
    patrols: tuple[PatrolIn, ...]

    @cached_property
    def rules(self) -> CompensationRules:
        return CompensationSchema().load(self.rules_body)

    def to_json(self) -> dict:
        return {
            "county_code": self.county_code, "county_name": self.county_name,
            "period": {"kind": self.period.kind, "start": self.period.start.isoformat(),
                       "end": self.period.end.isoformat()},
            "as_of": self.as_of.isoformat(), "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(), "cutoff_at": self.cutoff_at.isoformat(),
            "rule_version": self.rule_version, "rules": self.rules_body,
            "rate_versions": [{"version": r.version, "effective_from": r.effective_from.isoformat(),
                               "rates": {k: str(v) for k, v in r.rates.items()}} for r in self.rate_versions],
            "villages": [[v.code, v.name, v.township_code, v.township_name] for v in self.villages],
            # Compact rows: a county has tens of thousands of parcels.
            "parcels": [[p.code, p.village_code, p.rate_class, str(p.area_mu), p.area_basis] for p in self.parcels],
            "cases": [_case_json(c) for c in self.cases],
            "patrols": [[p.village_code, p.due, p.missed] for p in self.patrols],
        }

    @classmethod
    def from_json(cls, data: dict) -> Snapshot:
        period = data["period"]
        return cls(
            data["county_code"], data["county_name"],
            Period(period["kind"], date.fromisoformat(period["start"]), date.fromisoformat(period["end"])),
            date.fromisoformat(data["as_of"]), datetime.fromisoformat(data["starts_at"]),
            datetime.fromisoformat(data["ends_at"]), datetime.fromisoformat(data["cutoff_at"]),
            data["rule_version"], data["rules"],
            tuple(RateVersion(r["version"], date.fromisoformat(r["effective_from"]),
                              {k: Decimal(v) for k, v in r["rates"].items()}) for r in data["rate_versions"]),
            tuple(VillageIn(*row) for row in data["villages"]),
            tuple(ParcelIn(code, village, rate_class, Decimal(area), basis)
                  for code, village, rate_class, area, basis in data["parcels"]),
            tuple(_case_from_json(c) for c in data["cases"]),
            tuple(PatrolIn(*row) for row in data["patrols"]),
        )


def snapshot_hash(document: dict) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces): the hash the audit chain witnesses."""
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _case_json(case: CaseIn) -> dict:
    return {"id": case.id, "case_version": case.case_version, "parcel_code": case.parcel_code,
            "village_code": case.village_code, "code": case.code, "category": case.category, "status": case.status,
            "area_mu": None if case.area_mu is None else str(case.area_mu), "evidence_level": case.evidence_level,
            "rule_version": case.rule_version, "first_observed_at": case.first_observed_at.isoformat(),
            "deadline_at": _iso(case.deadline_at), "closed_at": _iso(case.closed_at)}


def _case_from_json(data: dict) -> CaseIn:
    return CaseIn(**(data | {"area_mu": None if data["area_mu"] is None else Decimal(data["area_mu"]),
                             "first_observed_at": datetime.fromisoformat(data["first_observed_at"]),
                             "deadline_at": _moment(data["deadline_at"]), "closed_at": _moment(data["closed_at"])}))
