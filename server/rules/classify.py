"""Classification of one complete inspection against its parcel's land classes: plain functions.

What one visit can show: non-farm use (非农化), a forbidden crop, pond or livestock facility, or a non-grain
crop standing in the rice months of a year with no rice yet (非粮化), and damaged works (管护不到位).
Abandonment and the year's rice need the parcel's history (`abandonment.py`, `rice.py`). An answer of
"other" (a crop or a use the form does not list) is for a reviewer to judge: its observation is a doubt
that shows the inspector's text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from server.rules.codes import (CODES, CROP_CODES, CROP_LABELS_ZH, CULTIVATED, FARM_USE_CODES, FARM_USE_LABELS_ZH,
                                GRAIN_CROPS, LAND_CLASS_LABELS_ZH, PROBLEM_TYPE_CODES, WORKS, max_severity)
from server.rules.config import RuleSet
from server.rules.legal import legal_basis
from server.rules.observations import Visit


@dataclass(frozen=True)
class Observation:
    code: str
    category: str
    severity: str
    area_mu: float | None
    legal_basis: str
    message_zh: str
    needs_review: bool = False  # a reviewer must judge it whatever the evidence: it opens as a doubt


def observation(code: str, land_classes: Iterable[str], severity: str, area_mu: float | None, detail: str,
                needs_review: bool = False) -> Observation:
    info = CODES[code]
    return Observation(code, info.category, severity, area_mu, legal_basis(code, land_classes),
                       f"{info.label_zh}: {detail}", needs_review)


def severity_for(land_classes: Iterable[str], rules: RuleSet) -> str:
    """The strictest class decides: 永农 > 粮功区 > 一般耕地 with the default configuration."""
    return max_severity(rules.land_classes[c].severity for c in land_classes)


def requires_rice(land_classes: Iterable[str], rules: RuleSet) -> bool:
    """A class with rice months (粮功区 by default) must grow at least one rice crop a year."""
    return any(rules.land_classes[c].rice_required_months for c in land_classes)


def classify(visit: Visit, land_classes: list[str], parcel_area_mu: float, rules: RuleSet, month: int,
             rice_seen_this_year: bool = False) -> list[Observation]:
    """Observations of one visit; `month` is its local month, `rice_seen_this_year` whether trusted visits
    earlier in its year saw rice on the parcel."""
    severity = severity_for(land_classes, rules)
    return [*_nonag(visit, land_classes, severity),
            *_nongrain(visit, land_classes, parcel_area_mu, rules, month, rice_seen_this_year, severity),
            *_farm_uses(visit, land_classes, parcel_area_mu, rules, severity),
            *_maintenance(visit, land_classes, severity)]


def shown_problems(visit: Visit, land_classes: list[str], rules: RuleSet, month: int) -> set[str]:
    """The problem keys this visit shows, for a rectification re-inspection: its own observations, an idle
    field (abandonment) and, where rice or grain is required, a crop without it."""
    shown = {o.code for o in classify(visit, land_classes, 0.0, rules, month, rice_seen_this_year=True)}
    if visit.cultivation_status not in CULTIVATED:
        return shown | ({"ABANDON"} if visit.cultivation_status == "not_cultivated" else set())
    if (requires_rice(land_classes, rules) and "rice" not in visit.crops) or (
            any(rules.land_classes[c].grain_required for c in land_classes) and not visit.crops & GRAIN_CROPS):
        shown.add("NONGRAIN_CASH_CROP")
    return shown


def _nonag(visit: Visit, land_classes: list[str], severity: str) -> list[Observation]:
    """One observation per code; several items of one type on a parcel add up (two sheds are one problem)."""
    areas: dict[str, float] = defaultdict(float)
    notes: dict[str, list[str]] = defaultdict(list)
    for item in visit.nonag_items:
        code = PROBLEM_TYPE_CODES[item.problem_type]
        areas[code] += item.area_mu
        notes[code] += [text for text in (item.other, item.note) if text]
    return [observation(code, land_classes, severity, round(area, 4),
                        f"{area:.2f} 亩" + (f" ({'; '.join(notes[code])})" if notes[code] else ""),
                        needs_review=code == "NONAG_OTHER")
            for code, area in areas.items()]


def _nongrain(visit: Visit, land_classes: list[str], area_mu: float, rules: RuleSet, month: int,
              rice_seen: bool, severity: str) -> list[Observation]:
    if visit.cultivation_status not in CULTIVATED:
        return []
    crops = set(visit.crops)
    if visit.cultivation_status == "forest_grain_intercrop":
        crops.add("trees")
    found: dict[str, list[str]] = defaultdict(list)
    for land_class in land_classes:
        class_rules = rules.land_classes[land_class]
        label = LAND_CLASS_LABELS_ZH[land_class]
        for crop in sorted(crops & class_rules.banned_crops):
            found[CROP_CODES[crop]].append(f"{label}上种植{CROP_LABELS_ZH[crop]}")
        if class_rules.grain_required and not crops & GRAIN_CROPS:
            found["NONGRAIN_CASH_CROP"].append(f"{label}未种植粮食作物")
        # Early rice is harvested in July: vegetables after it are a rotation, not a missing rice crop.
        if (month in class_rules.rice_required_months and not rice_seen and "rice" not in crops
                and crops - GRAIN_CROPS - {"other"}):
            found["NONGRAIN_CASH_CROP"].append(f"{label}在水稻季({month}月)种植非粮作物, 本年度未见水稻")
    observations = [observation(code, land_classes, severity, area_mu, "; ".join(dict.fromkeys(details)))
                    for code, details in found.items()]
    if "other" in crops:
        observations.append(observation("NONGRAIN_OTHER_CROP", land_classes, severity, area_mu,
                                        f"巡查员填写「{visit.crop_other_name or '未填写'}」, 请审核是否违反用途管制",
                                        needs_review=True))
    return observations


def _farm_uses(visit: Visit, land_classes: list[str], area_mu: float, rules: RuleSet,
               severity: str) -> list[Observation]:
    """Ponds and livestock facilities: banned, a conversion to balance (进出平衡) or for a reviewer, by class."""
    found = []
    for use, seen_area in visit.farm_uses.items():
        treatments = {c: rules.farm_uses[c][use] for c in land_classes}
        if all(t == "allowed" for t in treatments.values()):
            continue
        area = seen_area if seen_area is not None else area_mu
        labels = "、".join(LAND_CLASS_LABELS_ZH[c] for c, t in treatments.items() if t != "allowed")
        detail = f"{labels}上{FARM_USE_LABELS_ZH[use]} {area:.2f} 亩"
        if "violation" in treatments.values():
            found.append(observation(FARM_USE_CODES[use], land_classes, severity, area, detail))
        elif "conversion" in treatments.values():
            found.append(observation(FARM_USE_CODES[use], land_classes, severity, area,
                                     detail + ", 属耕地转为其他农用地, 须落实进出平衡"))
        else:
            found.append(observation(FARM_USE_CODES[use], land_classes, severity, area,
                                     detail + ", 请核实是否已办理设施农业用地备案", needs_review=True))
    return found


def _maintenance(visit: Visit, land_classes: list[str], severity: str) -> list[Observation]:
    damaged: dict[str, list[str]] = defaultdict(list)
    for name, (code, label) in WORKS.items():
        condition, note = visit.works[name]
        if condition == "damaged":
            damaged[code].append(f"{label}损毁" + (f"({note})" if note else ""))
    return [observation(code, land_classes, severity, None, "; ".join(details)) for code, details in damaged.items()]
