"""The legal basis a case cites, per violation code and land class, by document number and section.

A clause that binds only 永久基本农田 is never cited for a parcel that is not one: the bases of each of the
parcel's classes are joined (strictest class first), falling back to the code's basis for any class.
Sources and their reliability: DOMAIN.md §1 and §3. The Zhejiang 粮食生产功能区 rule is cited by its
content: DOMAIN records it from a 2017 report without a document number (confirm with the county).
"""

from __future__ import annotations

from collections.abc import Iterable

ANY = "*"

LAW_37 = "《土地管理法》(2019)第三十七条"
LAW_38 = "《土地管理法》(2019)第三十八条(禁止闲置、荒芜耕地)"
CONTRACT_64 = "《农村土地承包法》(2018)第六十四条"
YANJIN_24 = "国办发明电〔2020〕24号 六严禁之{}"
BUZHUN_2004 = "国发明电〔2004〕1号 五不准"
BUZHUN_127 = "自然资发〔2020〕127号 八不准"
NO_2021_166 = "自然资发〔2021〕166号"
PBF_166 = NO_2021_166 + " 永久基本农田四严禁之{}"
BALANCE_166 = NO_2021_166 + "(一般耕地转为其他农用地须落实进出平衡)"
PBF_44 = "国办发〔2020〕44号 四个禁止之{}"
GRAIN_44 = "国办发〔2020〕44号(耕地利用优先序)"
GRAIN_ZONE_ZJ = "浙江省粮食生产功能区用途管制(每年种植一季以上水稻, 严禁多年生经济作物、植树造林、挖塘养鱼)"
HAINING_84 = "海政办发〔2021〕84号 §二(六)(后期管护不到位扣减当年度耕地保护补偿资金)"

_NONAG = (LAW_37,)
_BASES: dict[str, dict[str, tuple[str, ...]]] = {
    "NONAG_BUILDING": {"permanent_basic": (YANJIN_24.format("五"), BUZHUN_127, BUZHUN_2004, *_NONAG),
                       ANY: (YANJIN_24.format("五"), BUZHUN_127, *_NONAG)},
    "NONAG_HARDENING": {ANY: (YANJIN_24.format("五"), *_NONAG)},
    "NONAG_DUMPING": {ANY: (YANJIN_24.format("五"), *_NONAG)},
    "NONAG_POND_LANDSCAPE": {"permanent_basic": (YANJIN_24.format("三"), PBF_166.format("三"), *_NONAG),
                             ANY: (YANJIN_24.format("三"), *_NONAG)},
    "NONAG_GREENING": {"permanent_basic": (YANJIN_24.format("一"), BUZHUN_2004, PBF_166.format("二")),
                       ANY: (YANJIN_24.format("一"), BALANCE_166)},
    "NONAG_GREENHOUSE_MISUSE": {ANY: (YANJIN_24.format("五"), *_NONAG)},
    "NONAG_OTHER": {ANY: (YANJIN_24.format("五"), *_NONAG)},
    "NONGRAIN_NURSERY_TURF": {"permanent_basic": (YANJIN_24.format("一"), PBF_44.format("一"), PBF_166.format("二")),
                              "grain_zone": (GRAIN_ZONE_ZJ,),
                              ANY: (BALANCE_166,)},
    "NONGRAIN_PERENNIAL": {"permanent_basic": (PBF_44.format("二"), PBF_166.format("一"), BUZHUN_2004),
                           "grain_zone": (GRAIN_ZONE_ZJ,),
                           ANY: (BALANCE_166,)},
    "NONGRAIN_FISHPOND": {"permanent_basic": (LAW_37, PBF_44.format("三"), PBF_166.format("一")),
                          "grain_zone": (GRAIN_ZONE_ZJ,),
                          ANY: (BALANCE_166,)},
    "NONGRAIN_LIVESTOCK_FACILITY": {"permanent_basic": (PBF_166.format("四"), BUZHUN_2004),
                                    ANY: (NO_2021_166 + "(设施农业用地须依法备案, 占用耕地须进出平衡)",)},
    "NONGRAIN_CASH_CROP": {"grain_zone": (GRAIN_ZONE_ZJ,),
                           ANY: ("国办发〔2020〕44号(永久基本农田重点用于粮食生产)",)},
    "NONGRAIN_OTHER_CROP": {ANY: (GRAIN_44,)},
    "ABANDON_SEASONAL": {"permanent_basic": (LAW_38, PBF_44.format("四")), ANY: (LAW_38, CONTRACT_64)},
    "ABANDON_YEAR": {"permanent_basic": (LAW_38, PBF_44.format("四")), ANY: (LAW_38, CONTRACT_64)},
    "MAINT_DITCH": {ANY: (HAINING_84,)},
    "MAINT_ROAD": {ANY: (HAINING_84,)},
    "MAINT_RIDGE": {ANY: (HAINING_84,)},
    "PATROL_MISSED": {ANY: ("田长制网格化巡查责任",)},
}
_CLASS_ORDER = ("permanent_basic", "grain_zone", "high_standard", "general_farmland")


def legal_basis(code: str, land_classes: Iterable[str]) -> str:
    """The clauses that apply to `code` on a parcel of these classes, each cited once."""
    table = _BASES[code]
    cited: list[str] = []
    for land_class in sorted(land_classes, key=_CLASS_ORDER.index):
        cited += table.get(land_class, table[ANY])
    return "; ".join(dict.fromkeys(cited or table[ANY]))
