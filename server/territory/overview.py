"""The territory tree with what hangs on it: parcels, users and devices per county, township and village.

Users are counted where their role binds them (county admins at the county, reviewers at their township,
inspectors at each of their villages); a unit's figures include everything below it, so a county's users
are all users of the county. Devices are the unrevoked devices of the users counted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from server.accounts.models import Device, Role, User, inspector_villages
from server.extensions import db
from server.parcels.models import Parcel
from server.territory.models import County

LEVEL_LABELS_ZH = {"county": "县", "township": "乡镇", "village": "村"}


@dataclass
class TerritoryNode:
    level: str
    code: str
    name: str
    parcels: int = 0
    users: int = 0
    devices: int = 0
    children: list[TerritoryNode] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"level": self.level, "code": self.code, "name": self.name, "parcels": self.parcels,
                "users": self.users, "devices": self.devices, "children": [c.to_dict() for c in self.children]}

    def find(self, code: str) -> TerritoryNode | None:
        if self.code == code:
            return self
        return next((found for child in self.children if (found := child.find(code))), None)


def territory_tree() -> list[TerritoryNode]:
    """Every county with its townships and villages, and their counts (a handful of grouped queries)."""
    parcels = Counter(dict(db.session.execute(
        select(Parcel.village_id, func.count()).group_by(Parcel.village_id)).all()))
    devices_of = Counter(dict(db.session.execute(
        select(Device.user_id, func.count()).where(Device.revoked_at.is_(None)).group_by(Device.user_id)).all()))
    users = db.session.execute(select(User.id, User.role, User.county_id, User.township_id)).all()
    inspectors_of: dict[int, list[int]] = {}
    for user_id, village_id in db.session.execute(select(inspector_villages.c.user_id, inspector_villages.c.village_id)):
        inspectors_of.setdefault(village_id, []).append(user_id)
    county_users = [(u.id, u.county_id) for u in users]
    reviewers = [(u.id, u.township_id) for u in users if u.role == Role.TOWNSHIP_REVIEWER.value]

    tree = []
    for county in db.session.scalars(select(County).order_by(County.code)):
        ids = [uid for uid, county_id in county_users if county_id == county.id]
        county_node = TerritoryNode("county", county.code, county.name, users=len(ids),
                                    devices=sum(devices_of[uid] for uid in ids))
        for township in county.townships:
            ids = {uid for uid, township_id in reviewers if township_id == township.id}
            township_node = TerritoryNode("township", township.code, township.name)
            for village in township.villages:
                inspectors = inspectors_of.get(village.id, [])
                ids.update(inspectors)
                township_node.children.append(TerritoryNode(
                    "village", village.code, village.name, parcels=parcels[village.id], users=len(inspectors),
                    devices=sum(devices_of[uid] for uid in inspectors)))
            township_node.parcels = sum(v.parcels for v in township_node.children)
            township_node.users, township_node.devices = len(ids), sum(devices_of[uid] for uid in ids)
            county_node.children.append(township_node)
        county_node.parcels = sum(t.parcels for t in county_node.children)
        tree.append(county_node)
    return tree


def territory_node(code: str) -> TerritoryNode | None:
    """The subtree of one county, township or village code; None when there is no such unit."""
    for county in territory_tree():
        if code.startswith(county.code) and (node := county.find(code)):
            return node
    return None
