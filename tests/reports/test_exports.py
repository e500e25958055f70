"""The files officials use: XLSX figures and formulas (openpyxl), PDF text with the Chinese names and totals
(pypdf) and its embedded font, CSV with a BOM; the CLI that writes them."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from server.reports import files, service
from server.reports.snapshot import period_of
from server.territory.service import get_county
from tests.reports.conftest import VILLAGE, YEAR_END, confirmed_case, missed_tasks, user

@pytest.fixture
def issued(worked, app):
    case = confirmed_case(worked["pbf"][0], 2.0)
    missed_tasks(worked["pbf"][2], missed=3, done=2)
    report = service.issue(get_county("330481"), period_of("year", 2026), YEAR_END, actor=user("admin"))
    return report, case, app.config["FARMPATROL"].report_font_path


def test_xlsx_figures_formulas_and_print_setup(issued):
    report, case, font = issued
    body, mimetype, _ = files.export(files.view_for(None, report), "xlsx", font)
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["汇总", "扣减明细", "规则与标准"]
    summary = book["汇总"]
    header = [c.value for c in summary[3]]
    rows = {row[2]: row for row in summary.iter_rows(min_row=4, values_only=True) if row[2]}
    village = dict(zip(header, rows[VILLAGE]))
    assert (village["村"], village["永久基本农田(亩)"], village["一般耕地(亩)"]) == ("联丰村", 3000, 500)
    assert village["补偿基数(元)"] == 205_000 and village["扣减:非农化"] == 240 and village["扣减:巡查不到位"] == 615
    assert (village["扣减合计(元)"], village["应拨金额(元)"]) == (855, 204_145)
    # Township and county rows are SUBTOTAL formulas over the village rows beneath them.
    labels = [(row[0].row, row[0].value, row[5].value) for row in summary.iter_rows(min_row=4) if row[2].value is None]
    assert [label for _, label, _ in labels] == ["丰收镇 小计", "长安镇 小计", "演示县 合计"]
    assert labels[0][2] == f"=SUBTOTAL(9,F{labels[0][0] + 1}:F{labels[1][0] - 1})"
    assert labels[-1][2] == f"=SUBTOTAL(9,F4:F{labels[-1][0] - 1})"
    village_rows = [row for row in summary.iter_rows(min_row=4, values_only=True) if row[2]]
    assert round(sum(row[5] for row in village_rows), 2) == report.base_fen / 100
    assert summary["F5"].number_format == '#,##0.00"元"' and summary.freeze_panes == "A4"
    assert summary.page_setup.orientation == "landscape" and int(summary.page_setup.paperSize) == 9  # A4
    lines = book["扣减明细"]
    line_rows = [row for row in lines.iter_rows(min_row=4, values_only=True) if row[2]]
    assert {(row[4], row[-1]) for row in line_rows} == {(case.id, 240), (None, 615)}
    assert str(lines.cell(row=4 + len(line_rows), column=14).value).startswith("=SUM(N4:N")
    rules = dict(book["规则与标准"].iter_rows(min_row=4, values_only=True))
    assert rules["快照哈希 (SHA-256)"] == report.snapshot_hash
    assert "永久基本农田 60 元/亩/年" in rules["补偿标准(版本 默认, 自 2026-01-01 起)"]
    assert mimetype.endswith("spreadsheetml.sheet")


def test_pdf_text_font_and_pages(issued):
    report, _, font = issued
    body, mimetype, _ = files.export(files.view_for(None, report), "pdf", font)
    pdf = PdfReader(io.BytesIO(body))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    for expected in ("演示县2026年度耕地保护补偿资金扣减核算表", "第 1 版", report.snapshot_hash, "丰收镇", "长安镇", "联丰村",
                     "205,000.00", "204,145.00", "乡镇审核员签字", "第 1 页", "非农化"):
        assert expected in text, expected
    assert f"{report.net_fen / 100:,.2f}" in text
    fonts = [font.get_object() for page in pdf.pages for font in page["/Resources"]["/Font"].get_object().values()]
    cjk = [font for font in fonts if "WenQuanYiMicroHei" in str(font["/BaseFont"])]
    assert cjk and all("/FontFile2" in font["/FontDescriptor"] for font in cjk)  # embedded, not the viewer's
    assert len(pdf.pages) >= 4 and mimetype == "application/pdf"  # summary, two townships, rules


def test_csv_has_a_bom_and_a_row_per_line(issued):
    report, case, font = issued
    body, _, name = files.export(files.view_for(None, report), "csv", font)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [(r["村"], r["扣减类型"], r["扣减金额(元)"]) for r in rows] == [("联丰村", "非农化", "240.00"),
                                                                  ("联丰村", "巡查不到位", "615.00")]
    assert rows[0]["案件编号"] == str(case.id) and name.endswith(".csv")


def test_cli_compute_issue_export_list(worked, runner, tmp_path):
    result = runner.invoke(args=["reports", "compute", "--county", "330481", "--year", "2026", "--as-of",
                                 "2026-12-31", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    village = next(v for v in data["villages"] if v["village_code"] == VILLAGE)
    assert village == {"village_code": VILLAGE, "name": "联丰村", "base_yuan": "205000.00", "deduction_yuan": "0.00",
                       "net_yuan": "205000.00"}
    assert set(data["totals"]) == {"base_yuan", "deduction_yuan", "net_yuan"}
    result = runner.invoke(args=["reports", "issue", "--county", "330481", "--year", "2026", "--as-of", "2026-12-31"])
    assert result.exit_code == 0 and "第 1 版" in result.output, result.output
    report_id = service.latest_issued(get_county("330481"), period_of("year", 2026)).id
    for fmt in ("xlsx", "pdf", "csv"):
        out = tmp_path / f"report.{fmt}"
        result = runner.invoke(args=["reports", "export", str(report_id), "--format", fmt, "--out", str(out)])
        assert result.exit_code == 0 and out.stat().st_size > 0, result.output
    listing = runner.invoke(args=["reports", "list"]).output
    assert "2026年度" in listing and "v1" in listing and "草稿" in listing
    unknown = runner.invoke(args=["reports", "compute", "--county", "999999", "--year", "2026"])
    assert unknown.exit_code == 1 and "错误: 县不存在: 999999" in unknown.output and "[unknown_county]" in unknown.output
    missing = runner.invoke(args=["reports", "export", "999999", "--format", "csv", "--out", str(tmp_path / "x.csv")])
    assert missing.exit_code == 1 and "[unknown_report]" in missing.output
