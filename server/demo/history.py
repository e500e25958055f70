"""A season of history for the demo county, made through the real write paths: inspections are accepted as a
push accepts them, their photos stored as an upload stores them (which completes them: evidence checks, patrol
tasks, rules, cases), and reviewers act through the case workflow. So the queue, the case pages and coverage show
what production would.

Per township: routine patrols over the last weeks (tasks done; the rest of the period's tasks are missed), and
one case in every state of the workflow: flagged, confirmed, dismissed, in rectification, rectification
submitted, closed (销号), overdue, and doubts (a photo far from the parcel; a photo reused from another parcel).
One record arrives twice with different content: a sync conflict.

Reviews happen when the demo is built; inspections are dated over the season before it. The overdue case's
deadline is today (no earlier date is accepted), so it is marked overdue as of the end of today.
"""

from __future__ import annotations

import hashlib
import random
import uuid as uuid_lib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path

from shapely import Point
from sqlalchemy import select

from server.accounts.models import Device, Role, User, inspector_villages
from server.cases import service as cases
from server.cases.models import ViolationCase
from server.db_types import utcnow
from server.demo.photos import LONG_SIDE_PX, PhotoMaker, Shot
from server.evidence import original_key
from server.extensions import db
from server.inspections import completion
from server.inspections import service as inspections
from server.inspections.models import Inspection
from server.parcels.models import Parcel
from server.patrols import service as patrols
from server.patrols.models import PatrolTask
from server.photos import service as photos
from server.territory.models import County, Township, Village
from server.territory.service import get_county

SEASON_DAYS = 45
FORM = ("farmland_patrol", 1)
WORKS_OK = {"irrigation_canal": "intact", "drainage_ditch": "intact", "farm_road": "intact", "field_ridge": "intact"}
GRAIN = {"cultivation_status": "grain", "crops": ["rice"], "has_nonag_use": "no", **WORKS_OK}
NURSERY = {**GRAIN, "cultivation_status": "nongrain", "crops": ["nursery"]}
CANAL = {**GRAIN, "irrigation_canal": "damaged", "irrigation_canal_note": "渠道塌方约5米, 无法正常灌溉"}
PROBLEM_PHOTOS = ("distant", "close", "detail")  # the photo roles a visit reporting a problem needs


def building(area_mu: float) -> dict:
    return {**GRAIN, "has_nonag_use": "yes",
            "problems": [{"problem_type": "building", "area_mu": area_mu, "problem_note": "田间新建砖混结构房屋"}]}


@dataclass
class HistorySummary:
    inspections: int = 0
    photos: int = 0
    real_photos: bool = False
    conflicts: int = 0
    cases: Counter = field(default_factory=Counter)
    tasks: Counter = field(default_factory=Counter)


class History:
    """The demo's writes through the real paths: inspections pushed and their photos uploaded (which completes
    them), reviews through the case workflow."""

    def __init__(self, county: County, photos_dir: Path | None, now: datetime, seed: int, photo_long_side_px: int):
        self.county, self.now, self.zone = county, now, county.zone
        self.rng = random.Random(seed)
        self.maker = PhotoMaker(photos_dir if photos_dir and photos_dir.is_dir() else None, seed, photo_long_side_px)
        self.summary = HistorySummary(real_photos=self.maker.real)

    # --- inspections, through the push and upload services ---------------------------------------------------

    def inspect(self, parcel: Parcel, answers: dict, at: datetime, *, roles=("distant", "close"),
                extra: list[tuple[str, bytes]] = (), far_m: float | None = None) -> Inspection:
        """A patrol of `parcel` finished at `at`: pushed ten minutes later, its photos uploaded right after."""
        device = self._device(parcel)
        shots = [(role, self.maker.field_photo(self._shot(parcel, at - timedelta(minutes=5 - i))))
                 for i, role in enumerate(roles)]
        if far_m is not None:  # the last photo taken far outside the parcel
            point = self._point(parcel)
            shots[-1] = (roles[-1], self.maker.field_photo(Shot(point.y + far_m / 111_000, point.x, 0.0, at)))
        shots += list(extra)
        fix = self._point(parcel)
        refs = [{"sha256": hashlib.sha256(data).hexdigest(), "role": role, "file_name": f"IMG_{at:%Y%m%d}_{i:02d}.jpg"}
                for i, (role, data) in enumerate(shots)]
        record = _record(str(uuid_lib.uuid4()), parcel, at - timedelta(minutes=8), at, (fix.y, fix.x, 6.0), answers, refs)
        [result] = inspections.accept_all(device, [record], received_at=at + timedelta(minutes=10), clock_skew_s=0.0)
        if result["status"] != inspections.ACCEPTED:
            raise RuntimeError(f"demo inspection not accepted: {result}")
        for ref, (_role, data) in zip(refs, shots):
            photos.store_photo(data, device.id)
            completion.complete_waiting_for(ref["sha256"])
        db.session.commit()
        self.summary.inspections += 1
        self.summary.photos += len(shots)
        return db.session.scalar(select(Inspection).where(Inspection.uuid == record["uuid"]))

    def conflict(self, parcel: Parcel, at: datetime) -> None:
        """The same record (same UUID) sent again with other answers, as a phone restored from a backup would."""
        first = self.inspect(parcel, GRAIN, at)
        record = _record(first.uuid, parcel, first.started_at, first.finished_at,
                         (first.lat, first.lon, first.accuracy_m), {**GRAIN, "remarks": "补充: 田块东侧有少量积水"},
                         [{"sha256": ref.sha256, "role": ref.role, "file_name": ref.file_name} for ref in first.photos])
        [result] = inspections.accept_all(self._device(parcel), [record], received_at=at + timedelta(hours=3),
                                             clock_skew_s=0.0)
        db.session.commit()
        self.summary.conflicts += result["status"] == inspections.CONFLICT

    def _device(self, parcel: Parcel) -> Device:
        """The phone of the village's (first) inspector."""
        inspector = db.session.scalar(select(User).join(inspector_villages).where(
            inspector_villages.c.village_id == parcel.village_id, User.role == Role.INSPECTOR.value,
            User.is_active.is_(True)).order_by(User.id).limit(1))
        return next(d for d in inspector.devices if not d.is_revoked)

    def _point(self, parcel: Parcel) -> Point:
        """A random point well inside the parcel (its representative point when sampling misses)."""
        shape = parcel.geometry
        inner = shape.buffer(-0.00005)  # about 5 m in from the edge
        inner = shape if inner.is_empty else inner
        min_x, min_y, max_x, max_y = inner.bounds
        for _ in range(20):
            point = Point(self.rng.uniform(min_x, max_x), self.rng.uniform(min_y, max_y))
            if inner.contains(point):
                return point
        return shape.representative_point()

    def _shot(self, parcel: Parcel, at: datetime) -> Shot:
        point = self._point(parcel)
        return Shot(point.y, point.x, self.rng.uniform(0, 360), at)

    def season_time(self, days_ago_min: int = 2) -> datetime:
        """A working hour on a day of the season (local time)."""
        day = (self.now - timedelta(days=self.rng.randint(days_ago_min, SEASON_DAYS - 1))).astimezone(self.zone).date()
        return datetime.combine(day, time(self.rng.randint(8, 16), self.rng.randint(0, 59)), self.zone)

    # --- reviews, through the case workflow ---------------------------------------------------------------------

    def case_of(self, inspection: Inspection) -> ViolationCase:
        return db.session.scalar(select(ViolationCase).where(ViolationCase.parcel_id == inspection.parcel_id)
                                 .order_by(ViolationCase.id.desc()).limit(1))

    def review(self, reviewer: User, case: ViolationCase, *steps: tuple) -> ViolationCase:
        for action, *rest in steps:
            note, deadline = (rest + [None, None])[:2]
            cases.transition(reviewer, case.id, action, note=note, deadline=deadline)
        return case

    def township(self, township: Township, routine: int) -> None:
        parcels = list(db.session.scalars(select(Parcel).join(Village).where(Village.township_id == township.id)
                                          .order_by(Parcel.code)))
        reviewer = db.session.scalar(select(User).where(User.township_id == township.id, User.is_active.is_(True),
                                                        User.role == Role.TOWNSHIP_REVIEWER.value).limit(1))
        if reviewer is None or len(parcels) < 12:
            return
        self.rng.shuffle(parcels)
        scenario, rest = parcels[:11], parcels[11:]
        for parcel in rest[:routine]:
            self.inspect(parcel, GRAIN, self.season_time())
        self._scenarios(reviewer, scenario)
        self.conflict(rest[routine] if len(rest) > routine else scenario[0], self.season_time())

    def _scenarios(self, reviewer: User, parcels: list[Parcel]) -> None:
        """One parcel per state of the workflow (and two kinds of doubt)."""
        today = self.now.astimezone(self.zone).date()
        recheck_at = self.now - timedelta(hours=2)  # re-inspections come after the orders, today
        flagged = self.problem(parcels[0], building(0.4))
        self.problem(parcels[1], NURSERY)
        self.review(reviewer, self.problem(parcels[2], building(0.8)), ("confirm",))
        self.review(reviewer, self.problem(parcels[3], building(0.2)),
                    ("dismiss", "经核实为已备案的设施农业管理用房, 不属于违法占用"))
        self.review(reviewer, self.problem(parcels[4], CANAL), ("confirm",), ("order_rectification",))
        self.review(reviewer, self.problem(parcels[5], NURSERY),
                    ("confirm",), ("order_rectification", None, today + timedelta(days=20)))
        self.inspect(parcels[5], GRAIN, recheck_at)  # → rectification submitted
        closed = self.review(reviewer, self.problem(parcels[6], building(0.3)),
                             ("confirm",), ("order_rectification", None, today + timedelta(days=10)))
        self.inspect(parcels[6], GRAIN, recheck_at)
        self.review(reviewer, closed, ("verify",))
        overdue = self.review(reviewer, self.problem(parcels[7], building(1.2)),
                              ("confirm",), ("order_rectification", None, today))
        db.session.refresh(overdue)
        cases.mark_overdue_cases(now=overdue.deadline_at + timedelta(seconds=1))
        # Doubts: a photo taken 400 m off the parcel; the first case's photo sent again for another parcel
        # (exact reuse: sent after every season visit, so it is the copy and the first use the original);
        # a real photo whose own GPS is on another continent.
        self.problem(parcels[8], building(0.6), far_m=400.0)
        reused = photos.photo_store().get(original_key(flagged.observations[0].inspection.photos[0].sha256))
        self.inspect(parcels[9], building(0.5), recheck_at, extra=[("detail", reused)])
        foreign = self.maker.foreign_original()
        if foreign is not None:
            self.inspect(parcels[10], NURSERY, self.season_time(), extra=[("detail", foreign)])

    def problem(self, parcel: Parcel, answers: dict, far_m: float | None = None,
                at: datetime | None = None) -> ViolationCase:
        """A visit (at `at`, or some time during the season) that reports a problem, with the three photos it
        needs; its case."""
        inspection = self.inspect(parcel, answers, at or self.season_time(), roles=PROBLEM_PHOTOS, far_m=far_m)
        return self.case_of(inspection)


def _record(uuid: str, parcel: Parcel, started_at: datetime, finished_at: datetime,
            location: tuple[float, float, float | None], answers: dict, photo_refs: list[dict]) -> dict:
    """An inspection record as the phone app pushes it (docs/sync-protocol.md)."""
    lat, lon, accuracy_m = location
    return {"uuid": uuid, "type": "inspection", "form_id": FORM[0], "form_version": FORM[1],
            "parcel_code": parcel.code, "started_at": started_at.isoformat(), "finished_at": finished_at.isoformat(),
            "location": {"lat": lat, "lon": lon, "accuracy_m": accuracy_m}, "answers": answers, "photos": photo_refs}


def build_history(county_code: str, *, photos_dir: Path | None, now: datetime | None = None, seed: int = 20261127,
                  routine_per_township: int = 12, photo_long_side_px: int = LONG_SIDE_PX,
                  township_codes: list[str] | None = None) -> HistorySummary:
    """Create the season's history for a demo county with users, devices and published forms; the default
    patrol plans are created in force from the start of the season (unless the county has them already).
    `township_codes` limits the inspections and cases to those townships (default: all)."""
    now = now or utcnow()
    county = get_county(county_code)
    history = History(county, photos_dir, now, seed, photo_long_side_px)
    season_start = now - timedelta(days=SEASON_DAYS)
    patrols.init_default_plans(county_code, effective_from=season_start.astimezone(county.zone).date(), now=season_start)
    patrols.generate_tasks(county_code=county_code, now=season_start)
    patrols.generate_tasks(county_code=county_code, now=now)
    townships = select(Township).where(Township.county_id == county.id).order_by(Township.code)
    if township_codes is not None:
        townships = townships.where(Township.code.in_(township_codes))
    for township in db.session.scalars(townships):
        history.township(township, routine_per_township)
    patrols.mark_overdue_tasks(now=now)
    history.summary.cases = Counter(db.session.scalars(select(ViolationCase.status)))
    history.summary.tasks = Counter(db.session.scalars(select(PatrolTask.status).join(Parcel).where(
        Parcel.county_id == county.id)))
    return history.summary
