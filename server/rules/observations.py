"""What an inspection observed, in the rules' terms, read through the mapping its form version declares.

The rules never read a question name: each form version says in its definition (`observations:`) which of
its questions carries which observation, so a later version may rename or regroup questions and the rules
go on judging it, while inspections of older versions are still read through theirs. `mapping_problems`
is the check the forms service runs before it publishes a version: every required observation mapped, to a
question of the right type, in the right place, whose choice codes the rules understand.
"""

from __future__ import annotations

from dataclasses import dataclass

from inspection_forms import FormDefinition, Question, Repeat
from server.rules.codes import CROP_LABELS_ZH, CULTIVATED, FALLOW, FARM_USE_CODES, NOT_CULTIVATED, PROBLEM_TYPE_CODES

WORK_KEYS = ("irrigation_canal", "drainage_ditch", "farm_road", "field_ridge")
WORK_CONDITIONS = frozenset({"intact", "damaged", "not_present"})
# 看起来已闲置多久: each answer by the least number of months it stands for.
IDLE_DURATION_MONTHS = {"under_3_months": 0, "months_3_to_6": 3, "months_6_to_12": 6, "over_12_months": 12}
NONAG_ITEMS = "nonag_items"


@dataclass(frozen=True)
class Slot:
    """One observation: the question types that may carry it and, for selects, the codes the rules know."""

    types: tuple[str, ...]
    codes: frozenset[str] | None = None
    in_repeat: bool = False  # sits in the repeat mapped as `nonag_items`


_TEXT, _SELECT_ONE = ("text",), ("select_one",)
_AREA = ("area_mu", "decimal")
REQUIRED_SLOTS: dict[str, Slot] = {
    "cultivation_status": Slot(_SELECT_ONE, CULTIVATED | {FALLOW, NOT_CULTIVATED}),
    "crops": Slot(("select_multiple",), frozenset(CROP_LABELS_ZH) - {"trees"}),
    "crop_other_name": Slot(_TEXT),
    "nonag_present": Slot(_SELECT_ONE, frozenset({"yes", "no"})),
    NONAG_ITEMS: Slot(("repeat",)),
    "nonag_type": Slot(_SELECT_ONE, frozenset(PROBLEM_TYPE_CODES), in_repeat=True),
    "nonag_type_other": Slot(_TEXT, in_repeat=True),
    "nonag_area_mu": Slot(_AREA, in_repeat=True),
    "nonag_note": Slot(_TEXT, in_repeat=True),
    "weed_height_cm": Slot(("integer", "decimal")),
    "idle_duration": Slot(_SELECT_ONE, frozenset(IDLE_DURATION_MONTHS)),
    **{key: Slot(_SELECT_ONE, WORK_CONDITIONS) for key in WORK_KEYS},
    **{f"{key}_note": Slot(_TEXT) for key in WORK_KEYS},
}
# Added by farmland_patrol v2: mapped all together or not at all (v1 has no such questions).
FARM_USE_SLOTS: dict[str, Slot] = {
    "farm_uses": Slot(("select_multiple",), frozenset(FARM_USE_CODES)),
    "fishpond_area_mu": Slot(_AREA),
    "livestock_area_mu": Slot(_AREA),
}
_AREA_OF_USE = {"fishpond": "fishpond_area_mu", "livestock_facility": "livestock_area_mu"}


@dataclass(frozen=True)
class NonagItem:
    problem_type: str
    area_mu: float
    other: str | None
    note: str | None


@dataclass(frozen=True)
class Visit:
    """What one visit showed. `farm_uses` maps fishpond / livestock_facility to the area seen (亩)."""

    cultivation_status: str | None
    crops: frozenset[str]
    crop_other_name: str | None
    nonag_items: tuple[NonagItem, ...]
    weed_height_cm: float | None
    idle_duration: str | None
    works: dict[str, tuple[str | None, str | None]]  # work → (condition, note)
    farm_uses: dict[str, float | None]


def mapping_problems(definition: FormDefinition) -> list[str]:
    """Why the rules could not read this form (empty when they can), one line per problem, in Chinese."""
    mapping = definition.observations
    problems = [f"缺少观测项「{key}」的题目映射" for key in REQUIRED_SLOTS if key not in mapping]
    farm_mapped = [key for key in FARM_USE_SLOTS if key in mapping]
    if farm_mapped and len(farm_mapped) < len(FARM_USE_SLOTS):
        problems += [f"缺少观测项「{key}」的题目映射(养殖设施各项须一并映射)" for key in FARM_USE_SLOTS
                     if key not in mapping]
    unknown = sorted(set(mapping) - set(REQUIRED_SLOTS) - set(FARM_USE_SLOTS))
    problems += [f"规则不认识观测项「{key}」" for key in unknown]
    repeats = {node.name: repeat for node, repeat in definition.walk()}
    nonag_repeat = mapping.get(NONAG_ITEMS)
    for key, slot in (REQUIRED_SLOTS | FARM_USE_SLOTS).items():
        if key in mapping:
            problems += _slot_problems(definition, key, slot, repeats[mapping[key]], nonag_repeat)
    return problems


def _slot_problems(definition: FormDefinition, key: str, slot: Slot, repeat: Repeat | None,
                   nonag_repeat: str | None) -> list[str]:
    node = definition.node(definition.observations[key])
    where = f"观测项「{key}」映射到「{node.name}」"
    if node.type not in slot.types:
        return [f"{where}: 题型 {node.type} 不符, 应为 {' / '.join(slot.types)}"]
    problems = []
    inside = repeat.name if repeat is not None else None
    if slot.in_repeat and inside != nonag_repeat:
        problems.append(f"{where}: 应位于非农化问题的重复组「{nonag_repeat}」内")
    elif not slot.in_repeat and inside is not None:
        problems.append(f"{where}: 不应位于重复组「{inside}」内")
    if slot.codes is not None and isinstance(node, Question):
        unknown = sorted(set(definition.choice_codes(node.choices)) - slot.codes)
        if unknown:
            problems.append(f"{where}: 规则不认识选项 {', '.join(unknown)}")
    return problems


def read_visit(definition: FormDefinition, answers: dict) -> Visit:
    """The observations of one inspection's answers (validated against `definition` when pushed)."""
    mapping = definition.observations

    def get(source: dict, key: str):
        return source.get(mapping[key]) if key in mapping else None

    items = [NonagItem(item[mapping["nonag_type"]], item[mapping["nonag_area_mu"]], get(item, "nonag_type_other"),
                       get(item, "nonag_note"))
             for item in (get(answers, NONAG_ITEMS) or [])] if get(answers, "nonag_present") == "yes" else []
    uses = get(answers, "farm_uses") or []
    return Visit(cultivation_status=get(answers, "cultivation_status"), crops=frozenset(get(answers, "crops") or ()),
                 crop_other_name=get(answers, "crop_other_name"), nonag_items=tuple(items),
                 weed_height_cm=get(answers, "weed_height_cm"), idle_duration=get(answers, "idle_duration"),
                 works={key: (get(answers, key), get(answers, f"{key}_note")) for key in WORK_KEYS},
                 farm_uses={use: get(answers, _AREA_OF_USE[use]) for use in uses})
