"""The report pages through the Flask client on both databases: the list and a report's summary, lines, rules,
hash, versions and diff, downloads; the township reviewer signs off or returns only their own township's part;
the county admin computes a draft, issues a version and finalises; an inspector is refused."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from server.audit.service import entity_history
from server.demo.report_history import build_report_history
from server.extensions import db
from server.reports.files import MIMETYPES
from server.reports.service import AUDIT_ENTITY
from server.territory.models import Township
from tests.web.conftest import csrf_of, sign_in

YEAR = 2025


@pytest.fixture
def report(sync_demo):
    return build_report_history(sync_demo.county_code, YEAR, photo_long_side_px=320)


def township_name(code: str) -> str:
    return db.session.scalar(select(Township.name).where(Township.code == code))


def test_a_reviewer_sees_their_township_part_downloads_and_signs_off(report, client):
    sign_in(client, "reviewer101")
    listing = client.get("/reports").get_data(as_text=True)
    assert f'href="/reports/{report.id}"' in listing and "2025年度" in listing and "第 1 版" in listing
    assert "待签核" in listing and 'href="/reports"' in listing  # the own township's sign-off; in the navigation

    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert township_name("330481101") in page and township_name("330481102") not in page.split("汇总(元)")[1]
    assert report.snapshot_hash in page and "补偿标准" in page and "扣减明细" in page
    assert re.search(r'data-testid="net-total">[\d,]+\.\d\d<', page)  # 元 with two decimals
    assert "与第" not in page  # version 1: nothing to compare with
    xlsx = re.search(r'href="([^"]+/download/xlsx)"', page).group(1)
    download = client.get(xlsx)
    assert download.status_code == 200 and download.mimetype == MIMETYPES["xlsx"]
    assert download.data[:2] == b"PK"

    token = csrf_of(page)
    assert 'data-signoff="330481101"' in page and 'data-signoff="330481102"' not in page
    other = client.post(f"/reports/{report.id}/signoffs",
                        data={"csrf_token": token, "township": "330481102", "action": "sign"})
    assert other.status_code == 403 and "只能签核本乡镇的部分" in other.get_data(as_text=True)
    no_reason = client.post(f"/reports/{report.id}/signoffs",
                            data={"csrf_token": token, "township": "330481101", "action": "return"})
    assert no_reason.status_code == 422 and "退回需要填写原因" in no_reason.get_data(as_text=True)
    signed = client.post(f"/reports/{report.id}/signoffs", data={
        "csrf_token": token, "township": "330481101", "action": "sign", "reason": "已核对本乡镇扣减明细"})
    assert signed.status_code == 302
    assert "已签核" in client.get(signed.headers["Location"]).get_data(as_text=True)
    event = entity_history(AUDIT_ENTITY, report.id)[-1]
    assert (event.action, event.reason) == ("township_signed", "已核对本乡镇扣减明细")
    assert client.post("/reports/issue", data={"csrf_token": token, "year": YEAR}).status_code == 403


def test_other_roles_and_townships_are_refused(report, client):
    sign_in(client, "inspector101201")
    assert client.get("/reports").status_code == 403
    assert client.get(f"/reports/{report.id}").status_code == 403
    assert 'href="/reports"' not in client.get("/dashboard").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/dashboard").get_data(as_text=True))})
    sign_in(client, "reviewer102")
    assert client.get(f"/reports/{report.id + 1000}").status_code == 404
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert 'data-signoff="330481102"' in page and 'data-signoff="330481101"' not in page
    missing = client.post(f"/reports/{report.id + 1000}/signoffs",
                          data={"csrf_token": csrf_of(page), "township": "330481102", "action": "sign"})
    assert missing.status_code == 404 and "页面不存在" in missing.get_data(as_text=True)
    assert client.get(f"/reports/{report.id}?against={report.id + 1000}").status_code == 404


def test_the_county_admin_drafts_issues_compares_and_finalises(report, client):
    sign_in(client, "admin")
    token = csrf_of(client.get("/reports").get_data(as_text=True))
    draft = client.post("/reports/compute", data={"csrf_token": token, "year": YEAR, "quarter": "", "month": ""})
    assert draft.status_code == 302
    page = client.get(draft.headers["Location"]).get_data(as_text=True)
    assert "已计算草稿" in page and "草稿" in page and "data-signoff" not in page

    bad = client.post("/reports/issue", data={"csrf_token": token, "year": YEAR, "quarter": "2", "month": "5"})
    assert bad.status_code == 422 and "quarter 与 month 只能给一个" in bad.get_data(as_text=True)
    issued = client.post("/reports/issue", data={"csrf_token": token, "year": YEAR, "as_of": f"{YEAR}-12-31"})
    assert issued.status_code == 302
    second = int(issued.headers["Location"].rsplit("/", 1)[1])
    page = client.get(issued.headers["Location"]).get_data(as_text=True)
    assert "第 2 版" in page and "与第 1 版相比的变化" in page
    assert f'href="/reports/{report.id}"' in page  # the superseded version 1, in the versions table
    assert "与第 1 版相比的变化" in client.get(f"/reports/{second}?against={report.id}").get_data(as_text=True)
    other_period = client.post("/reports/compute", data={"csrf_token": token, "year": YEAR, "month": "3"})
    wrong = client.get(f"/reports/{second}?against={other_period.headers['Location'].rsplit('/', 1)[1]}")
    assert wrong.status_code == 400 and "只能比较同一期间的两个版本" in wrong.get_data(as_text=True)
    assert 'data-signoff="330481101"' in page and 'data-signoff="330481102"' in page

    early = client.post(f"/reports/{second}/finalise", data={"csrf_token": token})
    assert early.status_code == 409 and "尚有乡镇未签核" in early.get_data(as_text=True)
    for township in ("330481101", "330481102"):
        client.post(f"/reports/{second}/signoffs", data={"csrf_token": token, "township": township, "action": "sign"})
    final = client.post(f"/reports/{second}/finalise", data={"csrf_token": token})
    assert final.status_code == 302
    assert "已定稿" in client.get(final.headers["Location"]).get_data(as_text=True)
    refused = client.post("/reports/issue", data={"csrf_token": token, "year": YEAR})
    assert refused.status_code == 409 and "已定稿" in refused.get_data(as_text=True)
