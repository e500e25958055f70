"""Classification of one complete inspection against its parcel's land classes: plain functions.

What one visit can show: non-farm use (非农化), a forbidden crop or a missing required crop (非粮化)
and damaged works (管护不到位). Abandonment needs the parcel's history (`abandonment.py`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from server.rules.codes import (CODES, CROP_CODES, CROP_LABELS_ZH, CULTIVATED, GRAIN_CROPS, LAND_CLASS_LABELS_ZH,
                                PROBLEM_TYPE_CODES, WORKS, max_severity)
from server.rules.config import RuleSet


@dataclass(frozen=True)
class Observation:
    code: str
    category: str
    severity: str
    area_mu: float | None
    legal_basis: str
    message_zh: str


def observation(code: str, severity: str, area_mu: float | None, detail: str) -> Observation:
    info = CODES[code]
    return Observation(code, info.category, severity, area_mu, info.legal_basis, f"{info.label_zh}: {detail}")


def severity_for(land_classes: Iterable[str], rules: RuleSet) -> str:
    """The strictest class decides: 永农 > 粮功区 > 一般耕地 with the default configuration."""
    return max_severity(rules.land_classes[c].severity for c in land_classes)


def classify(answers: dict, land_classes: list[str], parcel_area_mu: float, rules: RuleSet,
             month: int) -> list[Observation]:
    """Observations of one inspection of a `farmland_patrol` form; `month` is the local month of the visit."""
    severity = severity_for(land_classes, rules)
    return [*_nonag(answers, severity), *_nongrain(answers, land_classes, parcel_area_mu, rules, month, severity),
            *_maintenance(answers, severity)]


def _nonag(answers: dict, severity: str) -> list[Observation]:
    """One observation per code; several items of one type on a parcel add up (two sheds are one problem)."""
    if answers.get("has_nonag_use") != "yes":
        return []
    areas: dict[str, float] = defaultdict(float)
    notes: dict[str, list[str]] = defaultdict(list)
    for item in answers.get("problems") or []:
        code = PROBLEM_TYPE_CODES[item["problem_type"]]
        areas[code] += item["area_mu"]
        notes[code] += [text for text in (item.get("problem_type_other"), item.get("problem_note")) if text]
    return [observation(code, severity, round(area, 4),
                        f"{area:.2f} 亩" + (f" ({'; '.join(notes[code])})" if notes[code] else ""))
            for code, area in areas.items()]


def _nongrain(answers: dict, land_classes: list[str], area_mu: float, rules: RuleSet, month: int,
              severity: str) -> list[Observation]:
    status = answers.get("cultivation_status")
    if status not in CULTIVATED:
        return []
    crops = set(answers.get("crops") or ())
    if status == "forest_grain_intercrop":
        crops.add("trees")
    found: dict[str, list[str]] = defaultdict(list)
    for land_class in land_classes:
        class_rules = rules.land_classes[land_class]
        label = LAND_CLASS_LABELS_ZH[land_class]
        for crop in sorted(crops & class_rules.banned_crops):
            found[CROP_CODES[crop]].append(f"{label}上种植{CROP_LABELS_ZH[crop]}")
        if class_rules.grain_required and not crops & GRAIN_CROPS:
            found["NONGRAIN_CASH_CROP"].append(f"{label}未种植粮食作物")
        if month in class_rules.rice_required_months and "rice" not in crops:
            found["NONGRAIN_CASH_CROP"].append(f"{label}在水稻季({month}月)未见水稻")
    return [observation(code, severity, area_mu, "; ".join(dict.fromkeys(details)))
            for code, details in found.items()]


def _maintenance(answers: dict, severity: str) -> list[Observation]:
    damaged: dict[str, list[str]] = defaultdict(list)
    for name, (code, label) in WORKS.items():
        if answers.get(name) == "damaged":
            note = answers.get(f"{name}_note")
            damaged[code].append(f"{label}损毁" + (f"({note})" if note else ""))
    return [observation(code, severity, None, "; ".join(details)) for code, details in damaged.items()]
