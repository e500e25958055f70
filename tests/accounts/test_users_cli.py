"""`farmpatrol users|territory|demo`: the administrator's command line."""

from sqlalchemy import func, select

from server.accounts import service
from server.extensions import db
from server.territory.models import County


def invoke(runner, *args):
    return runner.invoke(args=list(args))


def test_territory_then_users_then_device_token(runner, client):
    assert invoke(runner, "territory", "add-village", "330481101201", "联丰村").exit_code == 0
    bad = invoke(runner, "territory", "add-village", "33048110120", "短码村")
    assert bad.exit_code != 0 and "12 位" in bad.output

    created = invoke(runner, "users", "create", "zhangsan", "--role", "inspector", "--village", "330481101201",
                     "--password", "long-enough-1", "--name", "张三")
    assert created.exit_code == 0, created.output
    refused = invoke(runner, "users", "create", "zhangsan", "--role", "inspector", "--village", "330481101201",
                     "--password", "long-enough-1")
    assert refused.exit_code != 0 and "已存在" in refused.output
    no_village = invoke(runner, "users", "create", "lisi", "--role", "inspector", "--password", "long-enough-1")
    assert no_village.exit_code != 0 and "--village" in no_village.output

    device = invoke(runner, "users", "add-device", "zhangsan", "--name", "Redmi")
    assert device.exit_code == 0
    device_id = device.output.split()[1]
    token = device.output.strip().splitlines()[-1]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200

    listing = invoke(runner, "users", "list")
    assert f"zhangsan\tinspector\t330481101201\tdevices:{device_id}" in listing.output
    assert invoke(runner, "users", "revoke-device", device_id).exit_code == 0
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "token_revoked"
    assert f"devices:{device_id}(revoked)" in invoke(runner, "users", "list").output


def test_reviewer_and_admin_need_their_units(runner):
    invoke(runner, "territory", "add-township", "330481101", "丰收镇")
    ok = invoke(runner, "users", "create", "rev", "--role", "township_reviewer", "--township", "330481101",
                "--password", "long-enough-1")
    assert ok.exit_code == 0
    missing = invoke(runner, "users", "create", "adm", "--role", "county_admin", "--county", "999999",
                     "--password", "long-enough-1")
    assert missing.exit_code != 0 and "县不存在" in missing.output
    device = invoke(runner, "users", "add-device", "rev", "--name", "phone")
    assert device.exit_code != 0 and "只有巡查员" in device.output


def test_demo_is_deterministic_and_loaded_only_once(runner, app):
    first = invoke(runner, "demo", "--parcels", "30", "--if-empty")
    assert first.exit_code == 0 and "30 parcels" in first.output and "patrol tasks" in first.output
    tokens = (app.config["FARMPATROL"].instance_path / "demo-device-tokens.tsv").read_text().splitlines()
    assert len(tokens) == 20 and tokens[0].startswith("inspector101201\tfpd_")
    assert "not loaded" in invoke(runner, "demo", "--if-empty").output
    again = invoke(runner, "demo")
    assert again.exit_code != 0 and "已存在" in again.output
    assert db.session.scalar(select(func.count(County.id))) == 1
    assert service.authenticate_password("admin", "farmpatrol2026") is not None
