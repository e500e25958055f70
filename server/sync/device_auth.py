"""Sync endpoints serve devices only: the push, pull and uploads act for the device's inspector."""

from functools import wraps

from server.accounts.auth import current_principal, require_principal
from server.accounts.models import Device, Role
from server.errors import ApiError
from server.sync.problems import DEVICE_REQUIRED


def require_device(view):
    @wraps(view)
    @require_principal(Role.INSPECTOR)
    def wrapped(*args, **kwargs):
        if current_principal().device is None:
            raise ApiError(DEVICE_REQUIRED, field="Authorization")
        return view(*args, **kwargs)

    return wrapped


def current_device() -> Device:
    return current_principal().device
