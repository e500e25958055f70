"""Builds the demo county: townships, villages, parcels of plausible shape near 120.2°E 30.3°N,
consolidation projects, inspectors, reviewers, a county admin and their devices.

Parcels go through the same upsert as a file import, so the demo exercises the real path.
Everything derives from one seed: the same seed gives the same county.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from pyproj import Transformer
from shapely import Polygon, transform

from server.accounts import service as accounts
from server.accounts.models import Role
from server.accounts.passwords import hash_password
from server.extensions import db
from server.parcels.geometry import area_mu
from server.parcels.reader import ParcelFeature
from server.parcels.service import upsert_parcels
from server.territory import service as territory

COUNTY_CODE = "330481"
COUNTY_NAME = "演示县"
DEMO_PASSWORD = "farmpatrol2026"
TOWNSHIP_NAMES = ["丰收镇", "长安镇", "许村镇", "周王庙镇", "斜桥镇", "袁花镇", "黄湾镇", "丁桥镇"]
VILLAGE_NAMES = ["联丰村", "新桥村", "双喜村", "金星村", "红旗村", "永福村", "民主村", "光明村", "建设村", "和平村"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗沈"
GIVEN = "建国伟芳敏静丽强磊军洋勇艳杰娟涛明超秀英华平"
PROJECTS = [("丰收镇全域土地综合整治项目", date(2023, 12, 20)), ("长安镇高标准农田整治项目", date(2024, 6, 30)),
            ("许村镇土地综合整治与生态修复项目", date(2025, 3, 15))]

# CGCS2000 / 3-degree Gauss-Krüger CM 120°E: parcels are laid out in metres, as survey data is.
_GK_TO_LONLAT = Transformer.from_crs("EPSG:4549", "EPSG:4490", always_xy=True)
_ORIGIN_EASTING, _ORIGIN_NORTHING = 520_000.0, 3_355_000.0


@dataclass
class DemoCounty:
    county_code: str
    parcels: int
    users: dict[str, list[str]] = field(default_factory=dict)
    device_tokens: dict[str, str] = field(default_factory=dict)


class DemoExistsError(RuntimeError):
    pass


def build_demo_county(*, parcels: int = 3000, townships: int = 4, villages_per_township: int = 5,
                      seed: int = 20261123, with_users: bool = True) -> DemoCounty:
    if territory.get_county(COUNTY_CODE) is not None:
        raise DemoExistsError(f"演示县 {COUNTY_CODE} 已存在")
    rng = random.Random(seed)
    territory.ensure_county(COUNTY_CODE, COUNTY_NAME)
    village_codes = _make_villages(townships, villages_per_township)
    features = list(_make_parcels(rng, village_codes, parcels))
    upsert_parcels(features, county_code=COUNTY_CODE)
    demo = DemoCounty(COUNTY_CODE, len(features))
    if with_users:
        _make_users(demo, village_codes)
    db.session.commit()
    return demo


def _make_villages(townships: int, villages_per_township: int) -> list[str]:
    codes = []
    for t in range(townships):
        township_code = f"{COUNTY_CODE}{101 + t:03d}"
        territory.ensure_township(township_code, TOWNSHIP_NAMES[t % len(TOWNSHIP_NAMES)])
        for v in range(villages_per_township):
            code = f"{township_code}{201 + v:03d}"
            territory.ensure_village(code, VILLAGE_NAMES[v % len(VILLAGE_NAMES)])
            codes.append(code)
    return codes


def _make_parcels(rng: random.Random, village_codes: list[str], total: int):
    per_village = math.ceil(total / len(village_codes))
    columns = max(1, math.ceil(math.sqrt(len(village_codes))))
    index = 0
    for v_index, village_code in enumerate(village_codes):
        # Villages sit on a grid 3 km apart; each village's parcels form rows of fields along a road.
        base_e = _ORIGIN_EASTING + (v_index % columns) * 3000.0
        base_n = _ORIGIN_NORTHING + (v_index // columns) * 3000.0
        township_index = v_index // max(1, len(village_codes) // max(1, len(PROJECTS) + 1))
        project = PROJECTS[township_index] if township_index < len(PROJECTS) else None
        row_length = max(1, int(math.sqrt(per_village) * 1.5))
        for p in range(per_village):
            if index >= total:
                return
            polygon_gk = _field_shape(rng, base_e + (p % row_length) * 75.0, base_n + (p // row_length) * 115.0)
            geometry = transform(polygon_gk, lambda xy: np.column_stack(_GK_TO_LONLAT.transform(xy[:, 0], xy[:, 1])))
            permanent = rng.random() < 0.65
            yield ParcelFeature(
                index=index, code=f"{village_code[6:]}{p + 1:04d}", geometry=geometry, area_mu=area_mu(geometry),
                land_use_code=rng.choices(["0101", "0102", "0103"], weights=[70, 15, 15])[0],
                village_code=village_code, village_name=None, source_area_m2=None,
                custodian=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                project_name=project[0] if project else None, project_accepted_on=project[1] if project else None,
                rate_class=None, is_permanent_basic=permanent, is_high_standard=project is not None and rng.random() < 0.6,
                # 粮功区 on 一般耕地 too (a fifth of it, chosen without drawing: the random sequence stays).
                is_grain_zone=(permanent and rng.random() < 0.4) or (not permanent and p % 5 == 0),
                repair_note=None,
            )
            index += 1


def _field_shape(rng: random.Random, east: float, north: float) -> Polygon:
    """A slightly skewed, rotated quadrilateral of 40–70 m by 60–100 m (about 4–10 亩)."""
    width, height = rng.uniform(40, 70), rng.uniform(60, 100)
    angle = math.radians(rng.uniform(-12, 12))
    corners = [(0, 0), (width, rng.uniform(-4, 4)), (width + rng.uniform(-5, 5), height), (rng.uniform(-5, 5), height)]
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    return Polygon([(east + x * cos_a - y * sin_a, north + x * sin_a + y * cos_a) for x, y in corners])


def _make_users(demo: DemoCounty, village_codes: list[str]) -> None:
    shared_hash = hash_password(DEMO_PASSWORD)
    accounts.create_user("admin", DEMO_PASSWORD, Role.COUNTY_ADMIN, display_name="县级管理员",
                         county_code=COUNTY_CODE, password_hash=shared_hash, commit=False)
    demo.users["county_admin"] = ["admin"]
    for township_code in sorted({code[:9] for code in village_codes}):
        username = f"reviewer{township_code[-3:]}"
        accounts.create_user(username, DEMO_PASSWORD, Role.TOWNSHIP_REVIEWER, display_name=f"审核员{township_code[-3:]}",
                             township_code=township_code, password_hash=shared_hash, commit=False)
        demo.users.setdefault("township_reviewer", []).append(username)
    for village_code in village_codes:
        username = f"inspector{village_code[-6:]}"
        user = accounts.create_user(username, DEMO_PASSWORD, Role.INSPECTOR, display_name=f"巡查员{village_code[-6:]}",
                                    village_codes=[village_code], password_hash=shared_hash, commit=False)
        _, token = accounts.register_device(user, f"{username}-phone", commit=False)
        demo.users.setdefault("inspector", []).append(username)
        demo.device_tokens[username] = token
