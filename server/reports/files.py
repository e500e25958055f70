"""A stored report as the caller may see it, and as a file in each export format."""

from __future__ import annotations

from urllib.parse import quote

from server.accounts.models import User
from server.reports import service
from server.reports.document import ReportView, report_view
from server.reports.exports import to_csv, to_xlsx
from server.reports.models import CompensationReport
from server.reports.pdf import to_pdf

MIMETYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


def view_for(user: User | None, report: CompensationReport) -> ReportView:
    """The whole county for a county admin or the command line (None), a reviewer's township only."""
    townships = service.visible_townships(user) if user is not None else None
    return report_view(report, service.STATUS_LABELS_ZH[report.status], townships)


def export(view: ReportView, fmt: str, font_path: str) -> tuple[bytes, str, str]:
    """(body, MIME type, URL-encoded file name)."""
    if fmt == "xlsx":
        body = to_xlsx(view)
    elif fmt == "csv":
        body = to_csv(view)
    else:
        body = to_pdf(view, font_path)
    name = f"{view.county_name}{view.period.label_zh}耕地保护补偿扣减-{view.version_zh.replace(' ', '')}.{fmt}"
    return body, MIMETYPES[fmt], quote(name)
