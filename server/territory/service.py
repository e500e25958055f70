"""Creating and finding territory units. Codes nest: a village code starts with its township's code,
which starts with its county's code (国家统计局 统计用区划代码)."""

from __future__ import annotations

import re

from sqlalchemy import select

from server.extensions import db
from server.territory.models import County, Township, Village

COUNTY_CODE = re.compile(r"^\d{6}$")
TOWNSHIP_CODE = re.compile(r"^\d{9}$")
VILLAGE_CODE = re.compile(r"^\d{12}$")


class TerritoryError(ValueError):
    pass


def get_county(code: str) -> County | None:
    return db.session.scalar(select(County).where(County.code == code))


def get_township(code: str) -> Township | None:
    return db.session.scalar(select(Township).where(Township.code == code))


def get_village(code: str) -> Village | None:
    return db.session.scalar(select(Village).where(Village.code == code))


def ensure_county(code: str, name: str | None = None) -> County:
    return _ensure(County, COUNTY_CODE, "县级代码应为 6 位数字", code, name, f"县 {code}", {})


def ensure_township(code: str, name: str | None = None) -> Township:
    return _ensure(Township, TOWNSHIP_CODE, "乡镇代码应为 9 位数字", code, name, f"乡镇 {code}",
                   {"county_id": lambda: ensure_county(code[:6]).id})


def ensure_village(code: str, name: str | None = None) -> Village:
    return _ensure(Village, VILLAGE_CODE, "村级代码应为 12 位数字", code, name, f"村 {code}",
                   {"township_id": lambda: ensure_township(code[:9]).id})


def _ensure(model, pattern: re.Pattern, invalid: str, code: str, name: str | None, placeholder: str,
            parent: dict):
    """Find a unit by code or create it (and its parents, named by code until someone names them);
    a given name renames an existing unit."""
    if not pattern.match(code):
        raise TerritoryError(f"{invalid}: {code!r}")
    unit = db.session.scalar(select(model).where(model.code == code))
    if unit is None:
        unit = model(code=code, name=name or placeholder, **{key: make() for key, make in parent.items()})
        db.session.add(unit)
        db.session.flush()
    elif name and unit.name != name:
        unit.name = name
    return unit
