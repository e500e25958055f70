"""Sign-in and session defences (issue 11, item 6): limits, lockout, enumeration, cookies, disable, reset."""

from __future__ import annotations

import uuid

import pytest
import redis

from server.accounts import service
from server.accounts.models import Role
from server.extensions import db
from server.territory import service as territory

PASSWORD = "tea-field-7-north"
LOGIN = "/api/v1/auth/login"


@pytest.fixture
def reviewer(app):
    territory.ensure_village("330481101201", "甲村")
    db.session.commit()
    return service.create_user("rev", PASSWORD, Role.TOWNSHIP_REVIEWER, township_code="330481101")


def _login(client, username="rev", password=PASSWORD, **kwargs):
    return client.post(LOGIN, json={"username": username, "password": password}, **kwargs)


def test_five_wrong_passwords_lock_the_user_name_even_for_the_right_one(client, reviewer):
    for _ in range(5):
        assert _login(client, password="wrong-password").status_code == 401
    locked = _login(client)
    assert locked.status_code == 429 and locked.headers["Retry-After"]
    assert locked.get_json()["error"]["code"] == "too_many_requests"
    assert _login(client, username="REV").status_code == 429  # case does not buy more attempts


def test_right_passwords_do_not_count_towards_the_lockout(client, reviewer):
    for _ in range(8):
        assert _login(client).status_code == 200


def test_one_address_trying_many_user_names_is_limited(make_app, reviewer):
    client = make_app(login_limit_per_address="3 per minute").test_client()
    answers = [_login(client, username=f"user{i}").status_code for i in range(4)]
    assert answers == [401, 401, 401, 429]


def test_the_web_form_has_the_same_lockout(client, reviewer):
    with client.session_transaction() as session:
        session["csrf_token"] = "t"
    form = {"username": "rev", "password": "wrong-password", "csrf_token": "t"}
    assert [client.post("/login", data=form).status_code for _ in range(6)] == [401] * 5 + [429]


def test_unknown_user_names_cost_a_password_hash_too(client, reviewer, monkeypatch):
    checked = []
    real = service.verify_password
    monkeypatch.setattr(service, "verify_password", lambda h, p: checked.append(h) or real(h, p))
    assert _login(client, username="nobody").status_code == 401
    assert _login(client, password="wrong-password").status_code == 401
    assert len(checked) == 2 and checked[0].startswith("scrypt:")


def test_logout_ends_the_session_also_for_a_copied_cookie(app, client, reviewer):
    assert _login(client).status_code == 200
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    assert thief.get("/api/v1/me").status_code == 200
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert thief.get("/api/v1/me").status_code == 401


def test_the_cookie_is_secure_behind_an_https_proxy_only_when_trusted(make_app, reviewer):
    forwarded = {"X-Forwarded-Proto": "https"}
    untrusted = _login(make_app().test_client(), headers=forwarded)
    trusted = _login(make_app(trusted_proxy_count=1).test_client(), headers=forwarded)
    assert "Secure" not in untrusted.headers["Set-Cookie"]
    assert "Secure" in trusted.headers["Set-Cookie"] and "HttpOnly" in trusted.headers["Set-Cookie"]
    always = _login(make_app(session_cookie_secure=True).test_client())
    assert "Secure" in always.headers["Set-Cookie"]


@pytest.mark.parametrize("password, message", [
    ("12345678", "至少"), ("1234567890", "常见"), ("rev-rev-rev-1", "用户名"), ("Password2026", "常见"),
    ("13812345678", "数字"), ("abababababab", "重复"),
])
def test_the_password_policy(app, reviewer, password, message):
    with pytest.raises(service.AccountError, match=message):
        service.set_password(reviewer, password)


def test_set_password_ends_sessions_and_the_new_one_works(client, runner, reviewer):
    assert _login(client).status_code == 200
    weak = runner.invoke(args=["users", "set-password", "rev", "--password", "12345678"])
    assert weak.exit_code == 1 and "错误: 密码至少 10 位 [weak_password]" in weak.output
    result = runner.invoke(args=["users", "set-password", "rev", "--password", "new-tea-field-9"])
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/me").status_code == 401
    assert _login(client, password="new-tea-field-9").status_code == 200


def test_disable_and_enable(client, runner, reviewer):
    inspector = service.create_user("insp", PASSWORD, Role.INSPECTOR, village_codes=["330481101201"])
    _device, token = service.register_device(inspector, "phone")
    bearer = {"Authorization": f"Bearer {token}"}
    assert _login(client).status_code == 200
    for name in ("rev", "insp"):
        assert runner.invoke(args=["users", "disable", name]).exit_code == 0
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=bearer).status_code == 401
    assert _login(client).status_code == 401
    assert runner.invoke(args=["users", "enable", "rev"]).exit_code == 0
    assert _login(client).status_code == 200
    unknown = runner.invoke(args=["users", "disable", "nobody"])
    assert unknown.exit_code == 1 and "[unknown_user]" in unknown.output


PAIR = "/api/v1/devices/pair"


def test_pairing_a_phone_has_the_sign_in_lockout(client, reviewer):
    service.create_user("insp", PASSWORD, Role.INSPECTOR, village_codes=["330481101201"])
    wrong = {"username": "insp", "password": "wrong-password", "device_name": "手机"}
    assert [client.post(PAIR, json=wrong).status_code for _ in range(5)] == [401] * 5
    locked = client.post(PAIR, json=wrong | {"password": PASSWORD})
    assert locked.status_code == 429 and locked.get_json()["error"]["code"] == "too_many_requests"


def test_pairing_with_an_unknown_name_costs_a_password_hash_too(client, reviewer, monkeypatch):
    checked = []
    real = service.verify_password
    monkeypatch.setattr(service, "verify_password", lambda h, p: checked.append(h) or real(h, p))
    answer = client.post(PAIR, json={"username": "nobody", "password": PASSWORD, "device_name": "手机"})
    assert answer.status_code == 401 and len(checked) == 1 and checked[0].startswith("scrypt:")


def test_redis_storage_counts_across_processes(make_app, reviewer):
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    # A user name of this test's own: the Redis server is shared by every test run on the machine.
    name = f"rev-{uuid.uuid4().hex}"
    first = make_app(login_limit_storage_uri="redis://127.0.0.1:6379").test_client()
    for _ in range(5):
        assert _login(first, username=name, password="wrong-password").status_code == 401
    second = make_app(login_limit_storage_uri="redis://127.0.0.1:6379").test_client()  # a new storage client
    assert _login(second, username=name).status_code == 429
