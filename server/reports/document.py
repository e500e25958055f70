"""A stored report as the exports and the API show it: labels in Chinese, a township filter, yuan.

Works on the stored `result` and `snapshot` documents only, so an issued version prints the same forever.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from server.cases.workflow import STATUS_LABELS_ZH as CASE_STATUS_ZH
from server.reports.calc import yuan
from server.reports.rules import RATE_CLASS_LABELS_ZH
from server.reports.snapshot import Period
from server.rules.codes import CATEGORY_LABELS_ZH, CODES

KIND_LABELS_ZH = {**{k: v for k, v in CATEGORY_LABELS_ZH.items() if k != "patrol"}, "patrol": "巡查不到位",
                  "veto": "一票否决", "cap": "封顶调整"}
KINDS = ("nonag", "nongrain", "abandonment", "maintenance", "patrol", "veto", "cap")
_BASIS_ZH = {"land_class": "图斑地类面积(TBDLMJ)", "source": "图斑面积(TBMJ)", "computed": "图形计算面积"}
LINE_COLUMNS = ("乡镇", "村", "村代码", "扣减类型", "案件编号", "图斑编号", "违法类型", "案件状态", "证据等级", "面积(亩)",
                "规则版本", "计算式", "说明", "扣减金额(元)")
EVIDENCE_LABELS_ZH = {"trusted": "可信", "doubtful": "存疑", "insufficient": "不足", None: "-"}


@dataclass(frozen=True)
class ReportView:
    county_code: str
    county_name: str
    period: Period
    version: int | None
    status_zh: str
    issued_on: str
    as_of: str
    snapshot_hash: str
    rule_version: int | None
    rules: dict
    rate_versions: list[dict]
    villages: list[dict]  # filtered, in township then village order
    lines: list[dict]
    totals: dict[str, int]
    rounding_zh: str
    area_basis: dict[str, int]  # parcels per area basis, of the villages shown

    @property
    def title_zh(self) -> str:
        return f"{self.county_name}{self.period.label_zh}耕地保护补偿资金扣减核算表"

    @property
    def version_zh(self) -> str:
        return f"第 {self.version} 版" if self.version else "草稿"

    def townships(self) -> list[tuple[str, str, list[dict]]]:
        """(code, name, villages) in code order."""
        grouped: dict[str, tuple[str, list[dict]]] = {}
        for village in self.villages:
            grouped.setdefault(village["township_code"], (village["township_name"], []))[1].append(village)
        return [(code, name, villages) for code, (name, villages) in sorted(grouped.items())]


def report_view(report, status_zh: str, townships: set[str] | None = None) -> ReportView:
    """The report, limited to `townships` (None: the whole county); totals are of what is shown."""
    snapshot, result = report.snapshot, report.result
    villages = [v for v in result["villages"] if townships is None or v["township_code"] in townships]
    shown = {v["code"]: v for v in villages}
    lines = [line | {"village_name": shown[line["village_code"]]["name"],
                     "township_name": shown[line["village_code"]]["township_name"]}
             for line in result["lines"] if line["village_code"] in shown]
    totals = {key: sum(v[key] for v in villages) for key in ("base_fen", "deduction_fen", "net_fen")}
    issued = report.issued_at or report.created_at
    return ReportView(snapshot["county_code"], snapshot["county_name"],
                      Period(report.period_kind, report.period_start, report.period_end), report.version, status_zh,
                      issued.astimezone(report.county.zone).strftime("%Y-%m-%d"), report.as_of.isoformat(),
                      report.snapshot_hash, report.rule_version, snapshot["rules"], snapshot["rate_versions"],
                      sorted(villages, key=lambda v: (v["township_code"], v["code"])), lines, totals,
                      result["rounding_zh"], _basis_counts(villages))


def _basis_counts(villages: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for village in villages:
        for basis, count in village["area_basis"].items():
            counts[basis] = counts.get(basis, 0) + count
    return counts


def line_row(line: dict) -> dict:
    """A deduction line as the CSV, the XLSX and the PDF print it."""
    code = line["violation_code"]
    return {
        "乡镇": line["township_name"], "村": line["village_name"], "村代码": line["village_code"],
        "扣减类型": KIND_LABELS_ZH[line["kind"]], "案件编号": line["case_id"] or "", "图斑编号": line["parcel_code"] or "",
        "违法类型": f"{code} {CODES[code].label_zh}" if code in CODES else (code or ""),
        "案件状态": CASE_STATUS_ZH.get(line["case_status"], "") if line["case_status"] else "",
        "证据等级": EVIDENCE_LABELS_ZH.get(line["evidence_level"], line["evidence_level"]) if line["case_id"] else "",
        "面积(亩)": Decimal(line["area_mu"]) if line["area_mu"] is not None else "",
        "规则版本": line["rule_version"] if line["rule_version"] is not None else "默认",
        "计算式": line["formula_zh"], "说明": line["note_zh"], "扣减金额(元)": yuan(line["amount_fen"]),
    }


def rules_rows(view: ReportView) -> list[tuple[str, str]]:
    """The rules and rates applied, as (item, value) rows."""
    rules = view.rules
    rows = [("核算期间", f"{view.period.start} 至 {view.period.end} (不含)"), ("截止日期", view.as_of),
            ("扣减规则版本", str(view.rule_version or "默认")), ("快照哈希 (SHA-256)", view.snapshot_hash),
            ("舍入规则", view.rounding_zh)]
    for version in view.rate_versions:
        rates = "; ".join(f"{RATE_CLASS_LABELS_ZH.get(k, k)} {v} 元/亩/年" for k, v in version["rates"].items())
        rows.append((f"补偿标准(版本 {version['version'] or '默认'}, 自 {version['effective_from']} 起)", rates))
    rows += [
        ("计入扣减的案件状态", "、".join(CASE_STATUS_ZH[s] for s in rules["counted_statuses"])),
        ("按面积扣减系数", "; ".join(f"{KIND_LABELS_ZH[k]} {v}" for k, v in rules["area_factors"].items())),
        ("每案按基数比例扣减(%)", "; ".join(f"{KIND_LABELS_ZH[k]} {v}" for k, v in rules["base_percent_per_case"].items())),
        ("逾期未整改系数", str(rules["overdue_factor"])),
        ("期限内整改验收免扣", "是" if rules["waive_rectified_in_time"] else "否"),
        ("巡查不到位", _missed_zh(rules["missed_patrols"])),
        ("一票否决类型", "、".join(rules["veto_codes"]) or "无"),
        ("每村扣减上限(基数的%)", str(rules["cap_percent"])),
        ("面积依据", "按三调图斑地类面积(TBDLMJ)计, 无则按图斑面积(TBMJ), 再无则按图形计算的椭球面积; "
                     "案件未记录面积的按图斑面积计"),
        ("各面积依据的图斑数", "; ".join(f"{_BASIS_ZH[basis]} {count}" for basis, count in sorted(view.area_basis.items()))),
        ("政策依据", "海政办发〔2021〕84号 §二(六): 后期管护不到位的作为耕地保护不力行为扣减当年度耕地保护补偿资金"),
    ]
    return rows


def _missed_zh(config: dict) -> str:
    how = "每逾期一次扣基数的" if config["mode"] == "per_task" else "按逾期率扣基数的"
    return f"{how} {config['percent']}%, 最多 {config['max_percent']}%"
