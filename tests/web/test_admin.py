"""Administration pages on both databases: users (create, disable, reset password, villages), devices (token once,
revoke) and the parcel import as a background job with the CLI's refusals."""

from __future__ import annotations

import time

from sqlalchemy import select

from server.accounts import service as accounts
from server.accounts.models import Device, Role
from server.extensions import db
from server.parcels.models import Parcel
from server.territory import service as territory
from tests.parcels.conftest import build_sample_file, zip_tree
from tests.web.conftest import csrf_of, sign_in


def admin_client(client):
    sign_in(client, "admin")
    return csrf_of(client.get("/admin/users").get_data(as_text=True))


def test_users_are_created_disabled_reset_and_given_villages(app, sync_demo, client):
    token = admin_client(client)
    refused = client.post("/admin/users", data={"csrf_token": token, "username": "lisi", "display_name": "李四",
                                                "password": "long-enough", "role": "inspector"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "巡查员至少需要一个村" in text and 'value="李四"' in text and "long-enough" not in text

    created = client.post("/admin/users", data={"csrf_token": token, "username": "lisi", "display_name": "李四",
                                                "password": "long-enough", "role": "inspector",
                                                "villages": ["330481101201", "330481101202"]})
    assert created.status_code == 302
    lisi = accounts.get_user("lisi")
    assert [v.code for v in lisi.villages] == ["330481101201", "330481101202"]

    client.post(f"/admin/users/{lisi.id}/villages", data={"csrf_token": token, "villages": "330481102201"})
    db.session.refresh(lisi)
    assert [v.code for v in lisi.villages] == ["330481102201"]
    short = client.post(f"/admin/users/{lisi.id}/password", data={"csrf_token": token, "password": "short"})
    assert short.status_code == 422 and "密码为 10–128 位" in short.get_data(as_text=True)
    common = client.post(f"/admin/users/{lisi.id}/password", data={"csrf_token": token, "password": "1234567890"})
    assert common.status_code == 422 and "密码过于常见" in common.get_data(as_text=True)  # the one password policy
    signed_in = app.test_client()
    assert signed_in.post("/api/v1/auth/login", json={"username": "lisi", "password": "long-enough"}).status_code == 200
    client.post(f"/admin/users/{lisi.id}/password", data={"csrf_token": token, "password": "another-secret"})
    assert signed_in.get("/api/v1/me").status_code == 401  # a reset ends the user's sessions
    client.post(f"/admin/users/{lisi.id}/disable", data={"csrf_token": token})
    assert accounts.authenticate_password("lisi", "another-secret") is None
    client.post(f"/admin/users/{lisi.id}/enable", data={"csrf_token": token})
    assert accounts.authenticate_password("lisi", "another-secret") is not None

    admin = accounts.get_user("admin")
    itself = client.post(f"/admin/users/{admin.id}/disable", data={"csrf_token": token})
    assert itself.status_code == 422 and "不能停用自己的账号" in itself.get_data(as_text=True)


def test_another_countys_users_and_devices_do_not_exist_for_an_admin(sync_demo, client):
    territory.ensure_county("330110", "另一县")
    territory.ensure_township("330110001", "某镇")
    territory.ensure_village("330110001001", "某村")
    stranger = accounts.create_user("stranger", "long-enough", Role.INSPECTOR, village_codes=["330110001001"])
    device, _ = accounts.register_device(stranger, "phone")
    token = admin_client(client)
    assert "stranger" not in client.get("/admin/users").get_data(as_text=True)
    assert client.post(f"/admin/users/{stranger.id}/disable", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/admin/devices/{device.id}/revoke", data={"csrf_token": token}).status_code == 404
    assert client.post("/admin/devices", data={"csrf_token": token, "user_id": stranger.id,
                                               "name": "x"}).status_code == 404


def test_a_device_token_is_shown_once_and_a_device_can_be_revoked(sync_demo, client):
    token = admin_client(client)
    inspector = accounts.get_user("inspector101201")
    added = client.post("/admin/devices", data={"csrf_token": token, "user_id": inspector.id, "name": "Mate 60"})
    assert added.status_code == 302
    shown = client.get("/admin/devices")
    page = shown.get_data(as_text=True)
    assert shown.headers["Cache-Control"] == "no-store"
    device = db.session.scalar(select(Device).where(Device.name == "Mate 60"))
    secret = page.split('data-testid="token">', 1)[1].split("<", 1)[0]
    assert accounts.authenticate_device(secret).id == device.id
    assert "<svg" in page and f"/app/#pair={secret}" in page  # as text and as the phone app's pairing link (QR)
    assert secret not in client.get("/admin/devices").get_data(as_text=True)

    client.post(f"/admin/devices/{device.id}/revoke", data={"csrf_token": token})
    db.session.refresh(device)
    assert device.is_revoked


def wait_for_job(client, location: str) -> str:
    for _ in range(300):
        page = client.get(location).get_data(as_text=True)
        if "导入中" not in page and "排队中" not in page:
            return page
        time.sleep(0.1)
    raise AssertionError("import job did not finish")


def test_parcel_upload_imports_in_the_background_with_the_clis_refusals(app, client, make_app, tmp_path):
    territory.ensure_county("330110", "西湖区")
    accounts.create_user("westlake", "long-enough", Role.COUNTY_ADMIN, county_code="330110")
    sign_in(client, "westlake", "long-enough")
    token = csrf_of(client.get("/admin/parcels").get_data(as_text=True))

    gpkg = build_sample_file(tmp_path, "gpkg-4528")
    with gpkg.open("rb") as upload:
        started = client.post("/admin/parcels", data={"csrf_token": token, "file": (upload, "DLTB.gpkg")},
                              content_type="multipart/form-data")
    assert started.status_code == 302
    page = wait_for_job(client, started.headers["Location"])
    imported = db.session.scalars(select(Parcel.code)).all()
    assert "已完成" in page and imported and f"新增 <strong>{len(imported)}</strong>" in page

    (tmp_path / "noprj").mkdir()
    without_prj = build_sample_file(tmp_path / "noprj", "shp-4528")
    without_prj.with_suffix(".prj").unlink()
    archive = zip_tree(without_prj, tmp_path / "noprj.zip", "DLTB")
    with archive.open("rb") as upload:
        refused = client.post("/admin/parcels", data={"csrf_token": token, "file": (upload, "noprj.zip")},
                              content_type="multipart/form-data")
    failed = wait_for_job(client, refused.headers["Location"])
    assert "失败" in failed and "EPSG:4528" in failed  # the CLI's refusal, with its hint at the zone

    small_limits = make_app(max_request_bytes=4096).test_client()  # the survey file is larger: still accepted
    sign_in(small_limits, "westlake", "long-enough")
    with gpkg.open("rb") as upload:
        accepted = small_limits.post("/admin/parcels", data={
            "csrf_token": csrf_of(small_limits.get("/admin/parcels").get_data(as_text=True)),
            "file": (upload, "DLTB.gpkg")}, content_type="multipart/form-data")
    assert gpkg.stat().st_size > 4096 and accepted.status_code == 302
    assert "已完成" in wait_for_job(small_limits, accepted.headers["Location"])

    with gpkg.open("rb") as upload:
        wrong = client.post("/admin/parcels", data={"csrf_token": token, "file": (upload, "DLTB.txt")},
                            content_type="multipart/form-data")
    assert wrong.status_code == 422 and "不支持的文件类型" in wrong.get_data(as_text=True)
