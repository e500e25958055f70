"""The web UI in a real browser (Debian's Chromium through Playwright) against the app on a socket, on SQLite:
a township reviewer works a case from the queue to a rectification order, a reviewer of another township gets
404 for it, a county admin adds an inspector and pairs a phone. Screenshots at 1280 px and 390 px."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from server.db_types import utcnow
from server.demo.generator import DEMO_PASSWORD
from tests.web.conftest import SHANGHAI as DISPLAY_ZONE
from tests.web.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def sign_in(page, base: str, username: str, path: str) -> None:
    page.goto(f"{base}{path}")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}{path}")


def assert_fits(page, width: int) -> None:
    """Nothing makes the page scroll sideways at this width (tables scroll inside their own box)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_reviewer_confirms_and_orders_rectification(history_with_photos, live_server, chromium, screenshots):
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    sign_in(page, live_server, "reviewer101", "/cases")
    expect(page.get_by_test_id("whoami")).to_contain_text("乡镇审核员")
    page.screenshot(path=screenshots / "queue-1280.png", full_page=True)

    page.select_option("#f-category", "nonag")
    page.select_option("#f-status", "flagged")
    page.click("form[aria-label=筛选] button[type=submit]")
    expect(page).to_have_url(re.compile(r"category=nonag"))
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text("非农化")
    for text in rows.all_inner_texts():
        assert "非农化" in text and "待核查" in text

    rows.first.locator("a").click()
    expect(page.get_by_test_id("case-status")).to_have_text("待核查")
    expect(page.locator("#case-map[data-ready=true] path.leaflet-interactive").first).to_be_visible()
    photo = page.locator(".photo img").first
    expect(photo).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())
    expect(page.locator(".photo li").first).to_contain_text("拍摄位置")
    page.screenshot(path=screenshots / "case-1280.png", full_page=True)

    page.click("form[data-action=confirm] button")
    expect(page.get_by_test_id("case-status")).to_have_text("已确认")
    expect(page.get_by_test_id("history")).to_contain_text("确认违法")
    expect(page.get_by_test_id("history")).to_contain_text("reviewer101")

    deadline = (utcnow().astimezone(DISPLAY_ZONE) + timedelta(days=30)).date()
    page.fill("#deadline-order_rectification", deadline.isoformat())
    page.click("form[data-action=order_rectification] button")
    expect(page.get_by_test_id("case-status")).to_have_text("整改中")
    history_list = page.get_by_test_id("history")
    expect(history_list).to_contain_text("下达整改")
    expect(history_list).to_contain_text(f"整改期限 {deadline.isoformat()}")
    case_url = page.url

    phone = chromium.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    small = phone.new_page()
    sign_in(small, live_server, "reviewer101", "/cases")
    assert_fits(small, PHONE["width"])
    small.screenshot(path=screenshots / "queue-390.png", full_page=True)
    small.goto(case_url)
    expect(small.locator("#case-map[data-ready=true]")).to_be_visible()
    assert_fits(small, PHONE["width"])
    small.screenshot(path=screenshots / "case-390.png", full_page=True)
    phone.close()

    other = chromium.new_context(viewport=DESKTOP).new_page()
    sign_in(other, live_server, "reviewer102", "/cases")
    response = other.goto(case_url)
    assert response.status == 404
    expect(other.locator("h1")).to_contain_text("页面不存在")
    other.context.close()
    context.close()


def test_admin_creates_an_inspector_and_pairs_a_device(sync_demo, live_server, chromium, screenshots):
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server, "admin", "/admin/users")
    page.click("text=新建用户")
    page.fill("#u-username", "zhangsan")
    page.fill("#u-name", "张三")
    page.fill("#u-password", "secret-pass-1")
    page.select_option("#u-role", "inspector")
    page.select_option("#u-villages", ["330481101202"])
    page.click("form[aria-label=新建用户] button[type=submit]")
    expect(page.locator(".flash.ok")).to_contain_text("已创建用户 zhangsan")
    expect(page.locator("tr[data-username=zhangsan]")).to_contain_text("张三")

    page.click("nav.main >> text=设备")
    page.select_option("#d-user", label="张三(zhangsan)")
    page.fill("#d-name", "Redmi Note 12")
    page.click("form[aria-label=登记新设备] button[type=submit]")
    token = page.get_by_test_id("token")
    expect(token).to_have_text(re.compile(r"^fpd_"))
    expect(page.locator("[data-testid=qr] svg")).to_be_visible()
    page.screenshot(path=screenshots / "device-token-1280.png", full_page=True)

    page.reload()  # the token is shown once: never again
    expect(page.get_by_test_id("token")).to_have_count(0)
    expect(page.locator("tbody")).to_contain_text("Redmi Note 12")
    context.close()
