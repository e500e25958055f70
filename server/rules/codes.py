"""The violation codes (DOMAIN.md 1.6) and their category, and what a crop is (legal bases: `legal.py`).

A code's *problem key* says which observations are the same ongoing problem: the abandonment codes
share one (a seasonal flag that lasts a year becomes the same case's ABANDON_YEAR), every other code
is its own problem.
"""

from __future__ import annotations

from dataclasses import dataclass

NONAG, NONGRAIN, ABANDONMENT, MAINTENANCE, PATROL = "nonag", "nongrain", "abandonment", "maintenance", "patrol"
CATEGORY_LABELS_ZH = {NONAG: "非农化", NONGRAIN: "非粮化", ABANDONMENT: "撂荒", MAINTENANCE: "管护不到位",
                      PATROL: "巡查不到位"}


@dataclass(frozen=True)
class CodeInfo:
    category: str
    label_zh: str


CODES: dict[str, CodeInfo] = {
    "NONAG_BUILDING": CodeInfo(NONAG, "占用耕地建房/构筑物"),
    "NONAG_HARDENING": CodeInfo(NONAG, "耕地硬化"),
    "NONAG_DUMPING": CodeInfo(NONAG, "耕地上堆放/倾倒/填埋"),
    "NONAG_POND_LANDSCAPE": CodeInfo(NONAG, "占用耕地挖塘/挖湖造景"),
    "NONAG_GREENING": CodeInfo(NONAG, "占用耕地绿化造林"),
    "NONAG_GREENHOUSE_MISUSE": CodeInfo(NONAG, "大棚房(设施农业用地非农使用)"),
    "NONAG_OTHER": CodeInfo(NONAG, "其他非农使用(待审核认定)"),
    "NONGRAIN_NURSERY_TURF": CodeInfo(NONGRAIN, "种植苗木/草皮/花卉"),
    "NONGRAIN_PERENNIAL": CodeInfo(NONGRAIN, "种植果树/茶叶等多年生作物或林粮间作"),
    "NONGRAIN_FISHPOND": CodeInfo(NONGRAIN, "挖塘养鱼/水产养殖"),
    "NONGRAIN_LIVESTOCK_FACILITY": CodeInfo(NONGRAIN, "畜禽/水产养殖设施"),
    "NONGRAIN_CASH_CROP": CodeInfo(NONGRAIN, "未种植规定的粮食/水稻作物"),
    "NONGRAIN_OTHER_CROP": CodeInfo(NONGRAIN, "种植其他作物(待审核认定)"),
    "ABANDON_SEASONAL": CodeInfo(ABANDONMENT, "疑似季节性撂荒(错过一个主要种植季)"),
    "ABANDON_YEAR": CodeInfo(ABANDONMENT, "全年性撂荒(连续12个月未耕种或撂荒迹象明显)"),
    "MAINT_DITCH": CodeInfo(MAINTENANCE, "灌排沟渠损毁未修复"),
    "MAINT_ROAD": CodeInfo(MAINTENANCE, "机耕路损毁未修复"),
    "MAINT_RIDGE": CodeInfo(MAINTENANCE, "田埂损毁未修复"),
    "PATROL_MISSED": CodeInfo(PATROL, "巡查任务逾期未完成"),
}

# The form's problem types (docs/forms.md, farmland_patrol v1) and which works each upkeep code covers.
PROBLEM_TYPE_CODES = {
    "building": "NONAG_BUILDING", "hardening": "NONAG_HARDENING", "pond_excavation": "NONAG_POND_LANDSCAPE",
    "dumping_fill": "NONAG_DUMPING", "greening_afforestation": "NONAG_GREENING",
    "greenhouse_housing": "NONAG_GREENHOUSE_MISUSE", "other": "NONAG_OTHER",
}
# farmland_patrol v2: aquaculture and livestock on farmland are agricultural uses, judged by land class.
FARM_USE_CODES = {"fishpond": "NONGRAIN_FISHPOND", "livestock_facility": "NONGRAIN_LIVESTOCK_FACILITY"}
FARM_USE_LABELS_ZH = {"fishpond": "鱼塘/水产养殖", "livestock_facility": "畜禽/水产养殖设施"}
WORKS = {"irrigation_canal": ("MAINT_DITCH", "灌溉渠"), "drainage_ditch": ("MAINT_DITCH", "排水沟"),
         "farm_road": ("MAINT_ROAD", "机耕路"), "field_ridge": ("MAINT_RIDGE", "田埂")}

# Crops. 粮食 includes soybean (豆类) in Chinese statistics. "trees" stands for 林粮间作, which the form
# records as a cultivation status rather than a crop.
GRAIN_CROPS = frozenset({"rice", "wheat", "maize", "soybean"})
CROP_CODES = {"nursery": "NONGRAIN_NURSERY_TURF", "turf": "NONGRAIN_NURSERY_TURF",
              "flowers": "NONGRAIN_NURSERY_TURF", "fruit": "NONGRAIN_PERENNIAL", "tea": "NONGRAIN_PERENNIAL",
              "trees": "NONGRAIN_PERENNIAL"}
CROP_LABELS_ZH = {"rice": "水稻", "wheat": "小麦", "maize": "玉米", "soybean": "大豆", "rapeseed": "油菜",
                  "vegetables": "蔬菜", "nursery": "苗木", "turf": "草皮", "fruit": "果树", "tea": "茶",
                  "flowers": "花卉", "other": "其他", "trees": "林木(林粮间作)"}

# 三调 种植属性 as the form codes it: what counts as a crop on the ground, and what is no abandonment.
CULTIVATED = frozenset({"grain", "grain_nongrain_rotation", "forest_grain_intercrop", "nongrain"})
NOT_CULTIVATED, FALLOW = "not_cultivated", "fallow"

LAND_CLASS_LABELS_ZH = {"permanent_basic": "永久基本农田", "grain_zone": "粮食生产功能区",
                        "high_standard": "高标准农田", "general_farmland": "一般耕地"}
SEVERITIES = ("low", "medium", "high")


def problem_key(code: str) -> str:
    return "ABANDON" if CODES[code].category == ABANDONMENT else code


def max_severity(severities) -> str:
    return max(severities, key=SEVERITIES.index)
