"""`farmpatrol users|territory|demo`: the administrator's command line."""

import json

from sqlalchemy import func, select

from server.accounts import service
from server.accounts.models import User
from server.extensions import db
from server.territory.models import County


def invoke(runner, *args):
    return runner.invoke(args=list(args))


def test_territory_then_users_then_device_token(runner, client):
    assert invoke(runner, "territory", "add-county", "330481", "示范县").exit_code == 0
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
    assert f"zhangsan\tinspector\t330481101201\t设备:{device_id}" in listing.output
    assert invoke(runner, "users", "revoke-device", device_id).exit_code == 0
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "token_revoked"
    assert f"设备:{device_id}(已吊销)" in invoke(runner, "users", "list").output


def test_reviewer_and_admin_need_their_units(runner):
    invoke(runner, "territory", "add-county", "330481", "示范县")
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
    assert first.exit_code == 0 and "30 个图斑" in first.output and "个巡查任务" in first.output
    tokens = (app.config["FARMPATROL"].instance_path / "demo-device-tokens.tsv").read_text().splitlines()
    assert len(tokens) == 20 and tokens[0].startswith("inspector101201\tfpd_")
    assert "未载入示范县" in invoke(runner, "demo", "--if-empty").output
    again = invoke(runner, "demo")
    assert again.exit_code != 0 and "已存在" in again.output
    assert db.session.scalar(select(func.count(County.id))) == 1
    assert service.authenticate_password("admin", "farmpatrol2026") is not None


def test_every_refusal_is_chinese_with_its_code_and_exit_1(runner):
    invoke(runner, "territory", "add-county", "330481", "示范县")
    for args, code in [(("users", "add-device", "nobody", "--name", "x"), "unknown_user"),
                       (("users", "show", "nobody"), "unknown_user"),
                       (("users", "revoke-device", "999"), "account_refused"),
                       (("territory", "add-village", "330482101201", "邻县村"), "unknown_county"),
                       (("territory", "show", "330481999"), "unknown_territory")]:
        result = invoke(runner, *args)
        assert result.exit_code == 1, (args, result.output)
        assert result.output.startswith("错误: ") and result.output.rstrip().endswith(f"[{code}]"), result.output


def test_an_inspector_for_a_village_not_imported_yet_is_told_what_to_run(runner):
    invoke(runner, "territory", "add-county", "330481", "示范县")
    result = invoke(runner, "users", "create", "zhangsan", "--role", "inspector", "--village", "330481101201",
                    "--password", "long-enough-1")
    assert result.exit_code == 1 and "[unknown_territory]" in result.output
    assert "farmpatrol parcels import" in result.output
    assert "farmpatrol territory add-village 330481101201" in result.output


def test_villages_of_an_inspector_after_creation(runner):
    invoke(runner, "territory", "add-county", "330481", "示范县")
    invoke(runner, "territory", "add-county", "330482", "邻县")
    for code, name in [("330481101201", "联丰村"), ("330481102201", "新桥村"), ("330482101201", "邻县村")]:
        assert invoke(runner, "territory", "add-village", code, name).exit_code == 0
    invoke(runner, "users", "create", "zhangsan", "--role", "inspector", "--village", "330481101201",
           "--password", "long-enough-1", "--name", "张三")
    invoke(runner, "users", "create", "lisi", "--role", "county_admin", "--county", "330481",
           "--password", "long-enough-1")

    added = invoke(runner, "users", "add-village", "zhangsan", "330481102201")
    assert added.exit_code == 0 and "330481101201,330481102201" in added.output
    assert invoke(runner, "users", "add-village", "zhangsan", "330481102201").exit_code == 0  # already has it
    shown = invoke(runner, "users", "show", "zhangsan").output
    assert "村      330481101201 联丰村" in shown and "村      330481102201 新桥村" in shown
    assert "inspector 村级巡查员" in shown and "县      330481 示范县" in shown

    for args, code in [(("add-village", "zhangsan", "330482101201"), "other_county"),
                       (("add-village", "zhangsan", "330481103201"), "unknown_territory"),
                       (("add-village", "lisi", "330481102201"), "not_an_inspector"),
                       (("remove-village", "zhangsan", "330481103201"), "village_not_assigned")]:
        result = invoke(runner, "users", *args)
        assert result.exit_code == 1 and f"[{code}]" in result.output, (args, result.output)

    assert invoke(runner, "users", "remove-village", "zhangsan", "330481101201").exit_code == 0
    last = invoke(runner, "users", "remove-village", "zhangsan", "330481102201")
    assert last.exit_code == 1 and "[last_village]" in last.output
    assert [v.code for v in service.get_user("zhangsan").villages] == ["330481102201"]


def test_territory_list_and_show_count_parcels_users_and_devices(runner, demo):
    listing = invoke(runner, "territory", "list")
    assert listing.exit_code == 0
    lines = listing.output.splitlines()
    assert lines[0].startswith(f"县 {demo.county_code} ") and "图斑 40" in lines[0]
    village = invoke(runner, "territory", "show", "330481101201", "--json")
    body = json.loads(village.output)
    assert body["level"] == "village" and body["users"] == 1 and body["devices"] == 1 and body["parcels"] > 0
    county = json.loads(invoke(runner, "territory", "show", demo.county_code, "--json").output)
    assert county["parcels"] == 40 and county["users"] == db.session.scalar(select(func.count(User.id)))
    assert sum(t["parcels"] for t in county["children"]) == 40
    assert county["devices"] == sum(v["devices"] for t in county["children"] for v in t["children"])


def test_farmpatrol_help_lists_only_its_own_commands(tmp_path):
    from click.testing import CliRunner

    from server.cli import main

    env = {"FARMPATROL_INSTANCE": str(tmp_path), "DATABASE_URL": ""}
    listing = CliRunner().invoke(main, ["--help"], env=env)
    assert listing.exit_code == 0, listing.output
    commands = listing.output[listing.output.index("Commands:"):]
    assert {"users", "territory", "parcels", "rules", "cases", "db"} <= {line.split()[0] for line in
                                                                         commands.splitlines()[1:] if line.strip()}
    for flask_own in (" run ", " shell ", " routes ", "--app", "--env-file", "--debug"):
        assert flask_own not in listing.output
    assert "辖区" in listing.output and "图斑登记" in listing.output
    assert CliRunner().invoke(main, ["routes", "--help"], env=env).exit_code == 0  # still there for developers
