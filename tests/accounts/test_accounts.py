import pytest
from sqlalchemy import select

from server.accounts import service
from server.accounts.models import Device, Role
from server.accounts.passwords import verify_password
from server.accounts.scopes import can_act_for_village, village_scope
from server.errors import ApiError
from server.extensions import db
from server.territory import service as territory
from server.territory.models import Village


@pytest.fixture
def two_townships(app):
    for code, name in [("330481101201", "甲村"), ("330481101202", "乙村"), ("330481102201", "丙村")]:
        territory.ensure_village(code, name)
    territory.ensure_village("330482101201", "外县村")
    db.session.commit()


def test_password_is_hashed_not_stored(two_townships):
    user = service.create_user("zhang", "secret-pass", Role.INSPECTOR, village_codes=["330481101201"])
    assert "secret-pass" not in user.password_hash
    assert user.password_hash.startswith("scrypt:")
    assert verify_password(user.password_hash, "secret-pass")
    assert service.authenticate_password("zhang", "wrong-pass") is None
    assert service.authenticate_password("zhang", "secret-pass").id == user.id


@pytest.mark.parametrize("kwargs, message", [
    ({"role": Role.INSPECTOR}, "至少需要一个村"),
    ({"role": Role.INSPECTOR, "village_codes": ["330481999999"]}, "村不存在"),
    ({"role": Role.INSPECTOR, "village_codes": ["330481101201", "330482101201"]}, "同一个县"),
    ({"role": Role.TOWNSHIP_REVIEWER}, "需要一个乡镇"),
    ({"role": Role.COUNTY_ADMIN, "county_code": "999999"}, "县不存在"),
])
def test_user_needs_the_territory_of_its_role(two_townships, kwargs, message):
    with pytest.raises(service.AccountError, match=message):
        service.create_user("u1", "long-enough", **kwargs)


def test_device_token_stored_hashed_and_revocable(two_townships):
    user = service.create_user("li", "secret-pass", Role.INSPECTOR, village_codes=["330481101201"])
    device, token = service.register_device(user, "phone")
    stored = db.session.scalar(select(Device.token_hash).where(Device.id == device.id))
    assert token not in stored and len(stored) == 64
    assert service.authenticate_device(token).id == device.id
    service.revoke_device(device.id)
    with pytest.raises(ApiError) as err:
        service.authenticate_device(token)
    assert err.value.problem.code == "token_revoked"
    with pytest.raises(ApiError) as err:
        service.authenticate_device("fpd_not-a-token")
    assert err.value.problem.code == "unauthenticated"


def test_only_inspectors_get_devices(two_townships):
    reviewer = service.create_user("rev", "secret-pass", Role.TOWNSHIP_REVIEWER, township_code="330481101")
    with pytest.raises(service.AccountError):
        service.register_device(reviewer, "phone")


def _visible(user) -> set[str]:
    return set(db.session.scalars(select(Village.code).where(village_scope(user))))


def test_scopes_grant_and_deny(two_townships):
    inspector = service.create_user("insp", "secret-pass", Role.INSPECTOR, village_codes=["330481101201"])
    reviewer = service.create_user("rev", "secret-pass", Role.TOWNSHIP_REVIEWER, township_code="330481101")
    admin = service.create_user("adm", "secret-pass", Role.COUNTY_ADMIN, county_code="330481")
    assert _visible(inspector) == {"330481101201"}
    assert _visible(reviewer) == {"330481101201", "330481101202"}
    assert _visible(admin) == {"330481101201", "330481101202", "330481102201"}

    own, neighbour, other_township, other_county = (territory.get_village(c) for c in (
        "330481101201", "330481101202", "330481102201", "330482101201"))
    assert can_act_for_village(inspector, own)
    assert not can_act_for_village(inspector, neighbour)
    assert can_act_for_village(reviewer, neighbour)
    assert not can_act_for_village(reviewer, other_township)
    assert can_act_for_village(admin, other_township)
    assert not can_act_for_village(admin, other_county)
    inspector.is_active = False
    assert not can_act_for_village(inspector, own)


def test_territory_codes_validated(app):
    with pytest.raises(territory.TerritoryError):
        territory.ensure_village("3304811012", "短代码")
    village = territory.ensure_village("330481101201", "甲村")
    assert village.township.code == "330481101" and village.township.county.code == "330481"
