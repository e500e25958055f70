"""The report as files that officials use as they are: XLSX (openpyxl) and CSV (UTF-8 with BOM)."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from server.reports.calc import yuan
from server.reports.document import KIND_LABELS_ZH, KINDS, LINE_COLUMNS, ReportView, line_row, rules_rows

YUAN_FORMAT = '#,##0.00"元"'
MU_FORMAT = '#,##0.0000'
SUMMARY_HEADER = ["乡镇", "村", "村代码", "永久基本农田(亩)", "一般耕地(亩)", "补偿基数(元)",
                  *(f"扣减:{KIND_LABELS_ZH[k]}" for k in KINDS), "扣减合计(元)", "应拨金额(元)"]
_BOLD = Font(bold=True)
_SUBTOTAL_FILL = PatternFill("solid", fgColor="EEEEEE")


def to_csv(view: ReportView) -> bytes:
    """One row per deduction line; Excel opens UTF-8 only with the BOM."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=LINE_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(line_row(line) for line in view.lines)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(view: ReportView) -> bytes:
    book = Workbook()
    _summary(book.active, view)
    _lines(book.create_sheet("扣减明细"), view)
    _rules(book.create_sheet("规则与标准"), view)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _heading(sheet, view: ReportView, title: str, width: int) -> int:
    sheet.append([f"{view.title_zh} · {title}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"{view.version_zh} · {view.status_zh} · 下发日期 {view.issued_on} · 截止 {view.as_of} · "
                  f"快照哈希 {view.snapshot_hash}"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    return 3


def _table_header(sheet, row: int, header: list[str]) -> None:
    for column, label in enumerate(header, 1):
        cell = sheet.cell(row=row, column=column, value=label)
        cell.font, cell.alignment = _BOLD, Alignment(wrap_text=True, vertical="center")
    sheet.freeze_panes = sheet.cell(row=row + 1, column=1)
    sheet.print_title_rows = f"{row}:{row}"


def _print_setup(sheet, widths: list[int]) -> None:
    for column, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.oddFooter.center.text = "第 &P 页 / 共 &N 页"


def _summary(sheet, view: ReportView) -> None:
    """County → township → village. Township rows and the county row are SUBTOTAL formulas (which skip
    nested subtotals), so Excel recomputes them from the village rows."""
    sheet.title = "汇总"
    header_row = _heading(sheet, view, "汇总", len(SUMMARY_HEADER))
    _table_header(sheet, header_row, SUMMARY_HEADER)
    numeric = range(4, len(SUMMARY_HEADER) + 1)
    first_data = row = header_row + 1
    for _, township_name, villages in view.townships():
        subtotal_row, row = row, row + 1
        for village in villages:
            _write_row(sheet, row, [village["township_name"], village["name"], village["code"],
                      float(village["area_mu"].get("permanent_basic", 0)),
                      float(village["area_mu"].get("general_farmland", 0)), yuan(village["base_fen"]),
                      *(yuan(village["deductions_fen"].get(k, 0)) for k in KINDS), yuan(village["deduction_fen"]),
                                    yuan(village["net_fen"])])
            row += 1
        _subtotal_row(sheet, subtotal_row, f"{township_name} 小计", subtotal_row + 1, row - 1, numeric)
    _subtotal_row(sheet, row, f"{view.county_name} 合计", first_data, row - 1, numeric)
    for data_row in sheet.iter_rows(min_row=first_data, max_row=row, min_col=4, max_col=len(SUMMARY_HEADER)):
        for cell in data_row:
            cell.number_format = MU_FORMAT if cell.column <= 5 else YUAN_FORMAT
    _print_setup(sheet, [12, 12, 15, 14, 14, 16, *([13] * len(KINDS)), 16, 16])


def _write_row(sheet, row: int, values) -> None:
    """By row number: `append` would go below the row that setting the frozen panes created."""
    for column, value in enumerate(values, 1):
        sheet.cell(row=row, column=column, value=value)


def _subtotal_row(sheet, row: int, label: str, first: int, last: int, columns: range) -> None:
    sheet.cell(row=row, column=1, value=label).font = _BOLD
    for column in columns:
        letter = get_column_letter(column)
        cell = sheet.cell(row=row, column=column, value=f"=SUBTOTAL(9,{letter}{first}:{letter}{last})")
        cell.font, cell.fill = _BOLD, _SUBTOTAL_FILL
    sheet.cell(row=row, column=1).fill = _SUBTOTAL_FILL


def _lines(sheet, view: ReportView) -> None:
    rows = [line_row(line) for line in view.lines]
    header = list(LINE_COLUMNS)
    header_row = _heading(sheet, view, "扣减明细", len(header))
    _table_header(sheet, header_row, header)
    for index, values in enumerate(rows, header_row + 1):
        _write_row(sheet, index, [float(v) if k == "面积(亩)" and v != "" else v for k, v in values.items()])
    amount_col = get_column_letter(len(header))
    total_row = header_row + len(rows) + 1
    sheet.cell(row=total_row, column=1, value="合计").font = _BOLD
    sheet.cell(row=total_row, column=len(header),
               value=f"=SUM({amount_col}{header_row + 1}:{amount_col}{max(total_row - 1, header_row + 1)})").font = _BOLD
    for cell in sheet[amount_col][header_row:]:
        cell.number_format = YUAN_FORMAT
    _print_setup(sheet, [10, 10, 15, 11, 9, 13, 26, 11, 8, 10, 8, 40, 30, 14])


def _rules(sheet, view: ReportView) -> None:
    header_row = _heading(sheet, view, "规则与标准", 2)
    _table_header(sheet, header_row, ["项目", "内容"])
    for index, row in enumerate(rules_rows(view), header_row + 1):
        _write_row(sheet, index, row)
    _print_setup(sheet, [34, 110])
