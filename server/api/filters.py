"""Territory named in a list filter (`village=`, `township=`): one rule for every list endpoint.

A unit that does not exist and one outside the caller's territory answer the same 404, so a filter cannot
be used to probe what lies beyond one's scope, and a typo is not mistaken for "nothing there"."""

from __future__ import annotations

from server.accounts.models import User
from server.accounts.scopes import can_act_for_village, can_see_township
from server.errors import NOT_FOUND, ApiError
from server.territory import service as territory


def check_village_filter(user: User, code: str | None) -> None:
    if code is None:
        return
    village = territory.get_village(code)
    if village is None or not can_act_for_village(user, village):
        raise ApiError(NOT_FOUND, f"村不存在或不在辖区内: {code}", field="village")


def check_township_filter(user: User, code: str | None) -> None:
    if code is None:
        return
    township = territory.get_township(code)
    if township is None or not can_see_township(user, township):
        raise ApiError(NOT_FOUND, f"乡镇不存在或不在辖区内: {code}", field="township")
