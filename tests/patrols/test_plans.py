"""Which plan governs a parcel: one task per period from the most frequent matching plan."""

from datetime import date

from server.patrols.periods import parse_schedule
from server.parcels.models import parcel_land_classes
from server.patrols.plans import MONTHLY, SEASONAL_HALF_MONTH, PlanRule, choose_plan

WEEKLY = {"growing_months": [1, 12], "growing_period": "week", "off_season_period": "week"}


def rule(plan_id, land_class, schedule, project_id=None):
    return PlanRule(plan_id, land_class, project_id, parse_schedule(schedule), date(2026, 1, 1))


PBF, GRAIN, GENERAL = rule(1, "permanent_basic", SEASONAL_HALF_MONTH), rule(2, "grain_zone", SEASONAL_HALF_MONTH), \
    rule(3, "general_farmland", MONTHLY)


def test_pbf_in_a_grain_zone_gets_one_plan():
    classes = parcel_land_classes(is_permanent_basic=True, is_high_standard=False, is_grain_zone=True)
    assert classes == ("permanent_basic", "grain_zone")
    assert choose_plan([PBF, GRAIN, GENERAL], classes, None) is PBF


def test_the_most_frequent_plan_wins_whatever_its_class():
    weekly_grain = rule(4, "grain_zone", WEEKLY)
    classes = parcel_land_classes(True, False, True)
    assert choose_plan([PBF, weekly_grain, GENERAL], classes, None) is weekly_grain


def test_a_projects_own_plan_applies_only_to_its_parcels_and_wins_ties():
    project_plan = rule(5, "permanent_basic", SEASONAL_HALF_MONTH, project_id=7)
    classes = parcel_land_classes(True, False, False)
    assert choose_plan([PBF, project_plan], classes, 7) is project_plan
    assert choose_plan([PBF, project_plan], classes, 8) is PBF


def test_general_farmland_and_no_match():
    assert choose_plan([PBF, GRAIN, GENERAL], parcel_land_classes(False, True, False), None) is GENERAL
    assert choose_plan([PBF], parcel_land_classes(False, False, False), None) is None
