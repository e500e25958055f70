"""The report as an A4 PDF with an embedded CJK font: a county summary, then one section per township with
its villages, its deduction lines and a sign-off block. Every page carries the county, period, version,
issue date, snapshot hash and page number."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from server.reports.calc import yuan
from server.reports.document import KIND_LABELS_ZH, ReportView, line_row, rules_rows

FONT = "FarmpatrolCJK"
_PAGE = landscape(A4)


class FontMissingError(RuntimeError):
    pass


@cache
def _register_font(path: str) -> None:
    if not Path(path).is_file():
        raise FontMissingError(f"PDF 所需中文字体不存在: {path} (scripts/_fonts.sh 安装 fonts-wqy-microhei, "
                               f"或设置 REPORT_FONT_PATH)")
    # A .ttc holds several faces; reportlab embeds the subset of the first that the text uses.
    pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=0))


def to_pdf(view: ReportView, font_path: str) -> bytes:
    _register_font(font_path)
    styles = {name: ParagraphStyle(name, fontName=FONT, fontSize=size, leading=size * 1.35, wordWrap="CJK")
              for name, size in (("title", 16), ("h2", 12), ("body", 9), ("cell", 7.5))}
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=_PAGE, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=14 * mm,
                            bottomMargin=16 * mm, title=view.title_zh, author="farmpatrol",
                            subject=f"{view.version_zh} {view.snapshot_hash}")
    story = [Paragraph(view.title_zh, styles["title"]), Spacer(1, 3 * mm),
             Paragraph(f"{view.version_zh} · {view.status_zh} · 下发日期 {view.issued_on} · 截止日期 {view.as_of}",
                       styles["body"]),
             Paragraph(f"快照哈希 {view.snapshot_hash} · {view.rounding_zh}", styles["body"]), Spacer(1, 4 * mm),
             Paragraph("一、全县汇总", styles["h2"]), _summary_table(view, styles)]
    for index, (code, name, villages) in enumerate(view.townships(), 2):
        story += [PageBreak(), Paragraph(f"{_chinese_number(index)}、{name}({code})", styles["h2"]), Spacer(1, 2 * mm),
                  _village_table(villages, styles)]
        lines = [line for line in view.lines if line["village_code"] in {v["code"] for v in villages}]
        story += [Spacer(1, 3 * mm), Paragraph(f"扣减明细({len(lines)} 条)", styles["body"]),
                  _lines_table(lines, styles), Spacer(1, 8 * mm),
                  Paragraph(f"{name}审核意见: □ 同意  □ 退回(原因: ______________________)", styles["body"]),
                  Spacer(1, 4 * mm), Paragraph("乡镇审核员签字: ________________    日期: ____年__月__日", styles["body"])]
    story += [PageBreak(), Paragraph("附: 规则与补偿标准", styles["h2"]),
              _table([["项目", "内容"]] + [[Paragraph(a, styles["cell"]), Paragraph(b, styles["cell"])]
                                          for a, b in rules_rows(view)], [70 * mm, 195 * mm])]

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.drawString(12 * mm, 8 * mm, f"{view.county_name} · {view.period.label_zh} · {view.version_zh} · "
                                           f"下发 {view.issued_on} · 快照 {view.snapshot_hash[:16]}…")
        canvas.drawRightString(_PAGE[0] - 12 * mm, 8 * mm, f"第 {document.page} 页")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def _money(fen: int) -> str:
    return f"{yuan(fen):,.2f}"


def _summary_table(view: ReportView, styles) -> Table:
    rows = [["乡镇", "村数", "补偿基数(元)", "扣减合计(元)", "应拨金额(元)"]]
    for _, name, villages in view.townships():
        rows.append([name, str(len(villages)), *(_money(sum(v[key] for v in villages))
                                                  for key in ("base_fen", "deduction_fen", "net_fen"))])
    rows.append(["合计", str(len(view.villages)), _money(view.totals["base_fen"]), _money(view.totals["deduction_fen"]),
                 _money(view.totals["net_fen"])])
    return _table(rows, [50 * mm, 20 * mm, 45 * mm, 45 * mm, 45 * mm], total_row=True)


def _village_table(villages: list[dict], styles) -> Table:
    kinds = [k for k in KIND_LABELS_ZH if any(v["deductions_fen"].get(k) for v in villages)]
    rows = [["村", "永久基本农田(亩)", "一般耕地(亩)", "补偿基数(元)", *(KIND_LABELS_ZH[k] for k in kinds), "扣减合计(元)",
             "应拨金额(元)"]]
    for v in villages:
        rows.append([v["name"], f"{float(v['area_mu'].get('permanent_basic', 0)):,.2f}",
                     f"{float(v['area_mu'].get('general_farmland', 0)):,.2f}", _money(v["base_fen"]),
                     *(_money(v["deductions_fen"].get(k, 0)) for k in kinds), _money(v["deduction_fen"]),
                     _money(v["net_fen"])])
    rows.append(["小计", "", "", _money(sum(v["base_fen"] for v in villages)),
                 *(_money(sum(v["deductions_fen"].get(k, 0) for v in villages)) for k in kinds),
                 _money(sum(v["deduction_fen"] for v in villages)), _money(sum(v["net_fen"] for v in villages))])
    return _table(rows, None, total_row=True)


def _lines_table(lines: list[dict], styles) -> Table:
    columns = ("村", "扣减类型", "案件编号", "图斑编号", "违法类型", "案件状态", "证据等级", "计算式", "说明", "扣减金额(元)")
    rows = [list(columns)]
    for line in lines:
        row = line_row(line)
        rows.append([Paragraph(str(row[c]), styles["cell"]) if c in ("违法类型", "计算式", "说明") else
                     (_money(line["amount_fen"]) if c == "扣减金额(元)" else str(row[c])) for c in columns])
    widths = [18 * mm, 18 * mm, 14 * mm, 20 * mm, 38 * mm, 18 * mm, 14 * mm, 60 * mm, 44 * mm, 22 * mm]
    return _table(rows, widths)


def _table(rows: list[list], widths, *, total_row: bool = False) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    style = [("FONT", (0, 0), (-1, -1), FONT, 7.5), ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
             ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF4")), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("ALIGN", (1, 1), (-1, -1), "RIGHT")]
    if total_row:
        style.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#F2F2F2")))
    table.setStyle(TableStyle(style))
    return table


def _chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("十" if tens == 1 else digits[tens] + "十") + (digits[ones] if ones else "")
