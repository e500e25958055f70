"""Which plan governs a parcel: default plans and the choice among several matching ones (pure, no database).

A parcel can match several plans (永久基本农田 that is also 粮食生产功能区, or a project plan on top of a
county plan). Patrolling it twice per period helps nobody, so it gets one task per period from the most
frequent matching plan, for the whole year: ranking by periods per year (not per date) keeps one plan in
charge, so the tasks of two plans never overlap at a season change. Ties go to a project's own plan,
then to the older plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from server.patrols.periods import Schedule, parse_schedule, periods_per_year

# Defaults from DOMAIN.md §4 (延庆 dynamic patrol: village reports half-monthly Apr–Oct, monthly otherwise;
# the generic norm 每月至少巡查一次). A labelled default [K]: counties edit PatrolPlan.schedule.
SEASONAL_HALF_MONTH = {"growing_months": [4, 10], "growing_period": "half_month", "off_season_period": "month"}
MONTHLY = {"growing_months": [4, 10], "growing_period": "month", "off_season_period": "month"}


@dataclass(frozen=True)
class PlanSpec:
    """A default plan. `land_class` is one of the codes of Parcel.land_classes."""

    code: str
    name: str
    land_class: str
    schedule: dict


DEFAULT_PLANS = (
    PlanSpec("permanent_basic", "永久基本农田巡查", "permanent_basic", SEASONAL_HALF_MONTH),
    PlanSpec("grain_zone", "粮食生产功能区巡查", "grain_zone", SEASONAL_HALF_MONTH),
    PlanSpec("general_farmland", "一般耕地巡查", "general_farmland", MONTHLY),
)


@dataclass(frozen=True)
class PlanRule:
    """What generation needs of a PatrolPlan row, with its schedule parsed once."""

    plan_id: int
    land_class: str
    project_id: int | None
    schedule: Schedule
    effective_from: date

    @classmethod
    def of(cls, plan) -> "PlanRule":
        return cls(plan.id, plan.land_class, plan.project_id, parse_schedule(plan.schedule), plan.effective_from)


def choose_plan(rules: Sequence[PlanRule], land_classes: Iterable[str], project_id: int | None) -> PlanRule | None:
    classes = set(land_classes)
    candidates = [r for r in rules if r.land_class in classes and r.project_id in (None, project_id)]
    return min(candidates, default=None,
               key=lambda r: (-periods_per_year(r.schedule), r.project_id is None, r.plan_id))
