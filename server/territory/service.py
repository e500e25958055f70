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
    if not COUNTY_CODE.match(code):
        raise TerritoryError(f"县级代码应为 6 位数字: {code!r}")
    county = get_county(code)
    if county is None:
        county = County(code=code, name=name or f"县 {code}")
        db.session.add(county)
        db.session.flush()
    elif name and county.name != name:
        county.name = name
    return county


def ensure_township(code: str, name: str | None = None) -> Township:
    if not TOWNSHIP_CODE.match(code):
        raise TerritoryError(f"乡镇代码应为 9 位数字: {code!r}")
    township = get_township(code)
    if township is None:
        county = ensure_county(code[:6])
        township = Township(code=code, name=name or f"乡镇 {code}", county_id=county.id)
        db.session.add(township)
        db.session.flush()
    elif name and township.name != name:
        township.name = name
    return township


def ensure_village(code: str, name: str | None = None) -> Village:
    if not VILLAGE_CODE.match(code):
        raise TerritoryError(f"村级代码应为 12 位数字: {code!r}")
    village = get_village(code)
    if village is None:
        township = ensure_township(code[:9])
        village = Village(code=code, name=name or f"村 {code}", township_id=township.id)
        db.session.add(village)
        db.session.flush()
    elif name and village.name != name:
        village.name = name
    return village
