"""The inspector's phone app in a real browser (Debian's Chromium) against `farmpatrol serve`: pair, sync, go
offline, reopen the app, record an inspection with two real photos and a fake GPS fix, come back online, and
find it complete on the server with byte-identical photos whose `taken_at` is their EXIF capture time; a
record the server rejects shows the server's error."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from server.demo.generator import COUNTY_CODE, DEMO_PASSWORD
from server.evidence.storage import original_key
from server.extensions import db
from server.inspections.models import Inspection
from server.parcels.models import Parcel
from server.patrols import service as patrols
from server.photos.service import photo_store
from server.territory.models import Village
from tests.sync.helpers import sha256_hex

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
# Two photos with EXIF DateTimeOriginal (../shared/photos/MANIFEST.csv): one without an offset tag (read in the
# phone's zone, Asia/Shanghai) and one with OffsetTimeOriginal +03:00.
DISTANT = ("gps_htc_desire.jpg", datetime(2011, 5, 6, 9, 59, 48, tzinfo=timezone(timedelta(hours=8))))
CLOSE = ("gps_nokia83_offsettime.jpg", datetime(2022, 8, 14, 14, 12, 31, tzinfo=timezone(timedelta(hours=3))))
BIG = ("gps_galaxy_s7edge_12mp.jpg",)  # 4 MB: eight tus chunks
TIMEOUT_MS = 30_000


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def pair_and_sync(page, url: str) -> None:
    page.goto(f"{url}/app/")
    page.fill("input[name=username]", "inspector101201")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#pair-submit")
    page.wait_for_selector("#nav:not([hidden])")
    page.click("#nav button[data-page=outbox]")
    page.wait_for_selector("text=上次同步", timeout=TIMEOUT_MS)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=TIMEOUT_MS)


def fill_patrol_form(page, photo_dir: Path, distant: str = DISTANT[0]) -> None:
    page.check("input[name=cultivation_status][value=grain]")
    page.check("input[name=crops][value=rice]")
    page.check("input[name=has_nonag_use][value=no]")
    for works in ("irrigation_canal", "drainage_ditch", "farm_road", "field_ridge"):
        page.check(f"input[name={works}][value=intact]")
    page.set_input_files("input[data-role=distant]", str(photo_dir / distant))
    page.set_input_files("input[data-role=close]", str(photo_dir / CLOSE[0]))
    page.wait_for_selector("[data-path=photo_close] figure", timeout=TIMEOUT_MS)
    page.wait_for_selector("[data-path=photo_distant] figure", timeout=TIMEOUT_MS)


def record_status(page, uuid: str) -> str:
    return page.get_attribute(f"li.record[data-uuid='{uuid}']", "data-status")


@pytest.mark.slow
def test_offline_inspection_reaches_the_server_complete(phone, phone_server, standing_in, shared_photos):
    page, context = phone, phone.context
    patrols.init_default_plans(COUNTY_CODE)
    patrols.generate_tasks(county_code=COUNTY_CODE)
    parcel = db.session.scalar(select(Parcel).where(Parcel.code == standing_in.parcel_code))
    patrols.create_recheck_task(parcel, "疑似撂荒,请复核", datetime.now(timezone.utc) + timedelta(days=1))
    pair_and_sync(page, phone_server.url)
    screenshot(page, "01-synced")

    context.set_offline(True)
    page.reload()  # the service worker opens the app with no network
    page.wait_for_selector("#nav:not([hidden])", timeout=TIMEOUT_MS)
    assert page.inner_text("#network") == "离线"
    page.click("#nav button[data-page=tasks]")
    page.wait_for_selector(f"li.task.recheck[data-parcel='{standing_in.parcel_code}']:has-text('疑似撂荒,请复核')")
    screenshot(page, "02-tasks-offline")
    page.click("#nav button[data-page=map]")
    page.wait_for_selector(f"text=位于图斑 {standing_in.parcel_code}", timeout=TIMEOUT_MS)
    screenshot(page, "03-map-offline")

    page.click("#nav button[data-page=record]")
    page.wait_for_selector("#form fieldset")
    assert page.input_value("#parcel") == standing_in.parcel_code  # the parcel it stands in
    page.click("#save-record")  # an empty form: the phone's engine lists what is missing
    assert page.locator("[data-path=cultivation_status] .error[data-code=required]").count() == 1
    assert page.locator("[data-path=photo_distant] .error[data-code=too_few_photos]").count() == 1
    fill_patrol_form(page, shared_photos)
    screenshot(page, "04-record-filled")
    page.click("#save-record")
    page.wait_for_selector("li.record[data-status=pending]")
    uuid = page.get_attribute("li.record", "data-uuid")
    screenshot(page, "05-outbox-offline")
    assert db.session.scalar(select(Inspection).where(Inspection.uuid == uuid)) is None

    context.set_offline(False)
    page.wait_for_selector(f"li.record[data-uuid='{uuid}'][data-status=accepted]", timeout=60_000)
    screenshot(page, "06-outbox-accepted")

    db.session.expire_all()
    inspection = db.session.scalar(select(Inspection).where(Inspection.uuid == uuid))
    assert inspection.status == "complete"
    assert inspection.parcel.code == standing_in.parcel_code
    assert (inspection.lat, inspection.lon) == pytest.approx((standing_in.lat, standing_in.lon), abs=1e-6)
    assert inspection.accuracy_m == 6
    assert inspection.started_at <= inspection.finished_at
    assert inspection.answers["crops"] == ["rice"]
    by_role = {photo.role: photo for photo in inspection.photos}
    for role, (name, taken_at) in {"distant": DISTANT, "close": CLOSE}.items():
        original = (shared_photos / name).read_bytes()
        assert by_role[role].sha256 == sha256_hex(original)
        assert photo_store().get(original_key(by_role[role].sha256)) == original  # byte-identical
        assert by_role[role].taken_at == taken_at  # from EXIF, not from the file's date


@pytest.mark.slow
def test_a_rejected_record_shows_the_servers_error(phone, phone_server, standing_in, shared_photos):
    page, context = phone, phone.context
    pair_and_sync(page, phone_server.url)
    context.set_offline(True)
    page.click("#nav button[data-page=record]")
    page.wait_for_selector("#form fieldset")
    fill_patrol_form(page, shared_photos)
    page.click("#save-record")
    page.wait_for_selector("li.record[data-status=pending]")
    uuid = page.get_attribute("li.record", "data-uuid")

    # Meanwhile the county moves the parcel to another village: the push is refused for that record.
    parcel = db.session.scalar(select(Parcel).where(Parcel.code == standing_in.parcel_code))
    parcel.village_id = db.session.scalar(select(Village.id).where(Village.code == "330481102201"))
    db.session.commit()

    context.set_offline(False)
    page.wait_for_selector(f"li.record[data-uuid='{uuid}'][data-status=rejected]", timeout=60_000)
    error = page.locator(f"li.record[data-uuid='{uuid}'] .error[data-code=parcel_out_of_scope][data-field=parcel_code]")
    assert error.count() == 1 and standing_in.parcel_code in error.inner_text()
    screenshot(page, "07-outbox-rejected")
    assert db.session.scalar(select(Inspection).where(Inspection.uuid == uuid)) is None


@pytest.mark.slow
def test_an_upload_cut_by_a_dead_server_resumes_after_the_restart(phone, phone_server, shared_photos, tmp_path):
    page, context = phone, phone.context
    pair_and_sync(page, phone_server.url)
    patches: list[tuple[str, int]] = []
    page.on("request", lambda r: r.method == "PATCH" and patches.append((r.url, int(r.header_value("upload-offset")))))
    network = context.new_cdp_session(page)
    network.send("Network.enable")
    network.send("Network.emulateNetworkConditions", {  # a rural uplink: the big photo takes a while
        "offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 256 * 1024})

    page.click("#nav button[data-page=record]")
    page.wait_for_selector("#form fieldset")
    fill_patrol_form(page, shared_photos, distant=BIG[0])
    page.click("#save-record")
    big_sha = sha256_hex((shared_photos / BIG[0]).read_bytes())

    partial = _wait_for_partial_upload(page, tmp_path / "instance" / "uploads", min_bytes=1024 * 1024)
    phone_server.kill()
    cut_at = partial.stat().st_size
    assert 0 < cut_at < (shared_photos / BIG[0]).stat().st_size
    patches_before = len(patches)
    url_before = patches[-1][0]
    phone_server.start()
    network.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})

    page.click("#nav button[data-page=outbox]")
    page.wait_for_selector("li.record[data-status=accepted]", timeout=90_000)
    resumed = [(url, offset) for url, offset in patches[patches_before:] if url == url_before]
    assert resumed and resumed[0][1] > 0, patches  # the same upload, continued from the server's offset
    assert resumed[0][1] <= cut_at
    db.session.expire_all()
    inspection = db.session.scalar(select(Inspection).where(Inspection.uuid == page.get_attribute(
        "li.record", "data-uuid")))
    assert inspection.status == "complete"
    assert photo_store().get(original_key(big_sha)) == (shared_photos / BIG[0]).read_bytes()


def _wait_for_partial_upload(page, folder: Path, min_bytes: int, timeout_s: float = 60) -> Path:
    """Polls the server's partial file; waiting through the page lets Playwright deliver its request events."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for part in folder.glob("*.part") if folder.is_dir() else ():
            if part.stat().st_size >= min_bytes:
                return part
        page.wait_for_timeout(50)
    raise AssertionError(f"no upload reached {min_bytes} bytes in {folder}")


@pytest.mark.slow
def test_the_qr_link_pairs_the_phone_with_the_token_it_carries(phone, phone_server, sync_demo):
    """The county admin's QR code encodes https://<server>/app/#pair=<token>: opening it is the whole pairing
    (a wrong password or a wrong token is refused with the reason)."""
    page = phone
    page.goto(f"{phone_server.url}/app/")
    page.fill("input[name=username]", "inspector101201")
    page.fill("input[name=password]", "not-the-password")
    page.click("#pair-submit")
    page.wait_for_selector("#pair-error:has-text('用户名或密码错误')", timeout=TIMEOUT_MS)

    page.goto(f"{phone_server.url}/app/#pair=fpd_not-a-token")
    page.wait_for_selector("#pair-error:has-text('二维码中的令牌无效')", timeout=TIMEOUT_MS)

    token = sync_demo.device_tokens["inspector101201"]
    page.goto(f"{phone_server.url}/app/#pair={token}")  # the app is open: the link arrives as a hash change
    page.wait_for_selector("#nav:not([hidden])", timeout=TIMEOUT_MS)
    assert "pair=" not in page.url  # the token does not stay in the address bar or the history
    assert page.inner_text("#who") == "巡查员101201"
    page.click("#nav button[data-page=outbox]")
    page.wait_for_selector("text=上次同步", timeout=TIMEOUT_MS)
    assert page.evaluate("""new Promise((resolve) => { const open = indexedDB.open("farmpatrol");
        open.onsuccess = () => open.result.transaction("settings").objectStore("settings").get("token")
          .onsuccess = (event) => resolve(event.target.result); })""") == token


@pytest.mark.slow
def test_the_task_list_holds_the_tasks_open_today_with_their_last_day(phone, phone_server, standing_in):
    """Tasks reach the phone days before their period opens (the generation's lead time): listed only once open,
    announced before. A deadline is the midnight after the last day, which is the day the list shows."""
    page = phone
    beijing = timezone(timedelta(hours=8))
    today = datetime.now(beijing).date()
    midnight_after = datetime.combine(today + timedelta(days=2), datetime.min.time(), beijing)
    village_id = db.session.scalar(select(Parcel.village_id).where(Parcel.code == standing_in.parcel_code))
    parcels = db.session.scalars(select(Parcel).where(Parcel.village_id == village_id).order_by(Parcel.code)).all()
    open_now, next_period = parcels[0], parcels[1]
    patrols.create_recheck_task(open_now, "疑似撂荒,请复核", midnight_after)
    opens = datetime.now(timezone.utc) + timedelta(days=3)
    patrols.create_recheck_task(next_period, "下期复核", opens + timedelta(days=10), now=opens)
    pair_and_sync(page, phone_server.url)
    page.click("#nav button[data-page=tasks]")
    last_day = today + timedelta(days=1)
    listed = page.locator(f"li.task[data-parcel='{open_now.code}']")
    listed.wait_for(timeout=TIMEOUT_MS)
    assert f"截止 {last_day.year}/{last_day.month}/{last_day.day}" in listed.inner_text()
    assert page.locator(f"li.task[data-parcel='{next_period.code}']").count() == 0
    first = opens.astimezone(beijing).date()
    assert f"另有 1 项下期任务,{first.year}/{first.month}/{first.day} 起可巡查" in page.inner_text("main")
    screenshot(page, "09-tasks-open-today")
