"""The conflicts and report pages in a real browser (Debian's Chromium through Playwright) against the app on a
socket, on SQLite: a township reviewer resolves the demo's conflict, opens the issued report, downloads its XLSX
and signs off their township's part. Screenshots at 1280 px and 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from server.demo.report_history import build_report_history
from tests.web.conftest import DESKTOP, PHONE
from tests.web.test_browser import assert_fits, sign_in

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def season_with_report(history, sync_demo):
    return build_report_history(sync_demo.county_code, 2025, photo_long_side_px=320)


def test_reviewer_resolves_the_conflict_and_signs_off_the_report(season_with_report, live_server, chromium,
                                                                 screenshots):
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai",
                                   accept_downloads=True)
    page = context.new_page()
    sign_in(page, live_server, "reviewer101", "/cases")

    page.click("nav.main >> text=同步冲突")
    page.locator("tbody a").first.click()
    expect(page.get_by_test_id("conflict-status")).to_have_text("待处理")
    expect(page.get_by_test_id("differs")).to_contain_text("answers.remarks")
    page.screenshot(path=screenshots / "conflict-1280.png", full_page=True)
    page.check("input[name=keep][value=incoming]")
    page.fill("#reason", "巡查员确认后到版本补充了积水情况")
    page.click("form button[type=submit]:has-text('确认处理')")
    expect(page.get_by_test_id("conflict-status")).to_have_text("已处理")
    conflict_url = page.url
    expect(page.locator(".card")).to_contain_text("巡查员确认后到版本补充了积水情况")

    page.click("nav.main >> text=补偿报表")
    page.click(f"a[href='/reports/{season_with_report.id}']")
    expect(page.get_by_test_id("report-status")).to_have_text("已下发待签核")
    expect(page.get_by_test_id("snapshot-hash")).to_have_text(season_with_report.snapshot_hash)
    with page.expect_download() as info:
        page.click("text=下载 XLSX")
    download = info.value
    assert download.suggested_filename.endswith("第1版.xlsx")
    with open(download.path(), "rb") as body:
        assert body.read(2) == b"PK"
    page.screenshot(path=screenshots / "report-1280.png", full_page=True)

    page.fill("#reason-330481101", "已核对本乡镇扣减明细")
    page.click("form[data-signoff='330481101'] button[value=sign]")
    expect(page.locator(".flash.ok")).to_contain_text("已签核")
    expect(page.locator("tr[data-township='330481101']")).to_contain_text("已签核")
    report_url = page.url

    phone = chromium.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    small = phone.new_page()
    sign_in(small, live_server, "reviewer101", "/reports")
    for name, url in (("report", report_url), ("conflict", conflict_url)):
        small.goto(url)
        assert_fits(small, PHONE["width"])
        small.screenshot(path=screenshots / f"{name}-390.png", full_page=True)
    phone.close()
    context.close()
