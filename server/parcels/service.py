"""Parcel registry: upsert from an import, and scoped map-window queries."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import numpy as np
import shapely
from flask import current_app
from sqlalchemy import Row, Select, bindparam, select, text, update
from sqlalchemy.orm import joinedload

from server.accounts.models import User
from server.accounts.scopes import village_scope
from server.json_encoding import JSONText
from server.db_bulk import driver_value, insert_rows
from server.db_types import utcnow
from server.extensions import db
from server.parcels.geometry import to_wkb
from server.parcels.models import ConsolidationProject, Parcel, parcel_land_classes
from server.parcels.read_ahead import read_ahead
from server.parcels.reader import ParcelBatch, ParcelFeature, RejectedFeature, open_parcels
from server.sync import changelog
from server.territory import service as territory
from server.territory.imports import TerritoryChanges, TerritoryForImport, UnknownCounty
from server.territory.models import Village

RATE_CLASS_PERMANENT_BASIC = "permanent_basic"
RATE_CLASS_GENERAL = "general_farmland"


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedFeature] = field(default_factory=list)
    repaired: list[ParcelFeature] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    territory: TerritoryChanges = field(default_factory=TerritoryChanges)

    @property
    def all_rejected(self) -> bool:
        """Features were read and not one of them was taken: the import failed."""
        return bool(self.rejected) and not (self.created or self.updated or self.unchanged)

    @property
    def all_rejected_message(self) -> str:
        """Why an import that took nothing failed: the same words on the command line and in the web UI."""
        return f"全部 {len(self.rejected)} 个图斑被拒绝, 未导入任何图斑"

    def to_dict(self) -> dict:
        return {
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "rejected": [{"index": r.index, "code": r.code, "reason": r.reason} for r in self.rejected],
            "repaired": [{"index": f.index, "code": f.code, "note": f.repair_note} for f in self.repaired],
            "notes": self.notes, "territory": self.territory.to_dict(),
        }


def import_parcel_file(path: str | Path, *, county_code: str | None = None, crs: str | None = None,
                       field_map: dict[str, str] | None = None, layer: str | None = None,
                       encoding: str | None = None, create_territory: bool = False, rename_villages: bool = False,
                       progress: Callable[[int], None] | None = None,
                       on_total: Callable[[int], None] | None = None) -> ImportSummary:
    """Read a survey file batch by batch and upsert its parcels in one transaction (all or nothing).

    An unknown `county_code` is refused before the file is read (UnknownCounty). `progress` counts each
    feature twice, once read and once written; `on_total` receives that total (twice the feature count)."""
    resolver = TerritoryForImport(create_territory=create_territory, rename_villages=rename_villages)
    if county_code:
        resolver.require_county(county_code)
    config = current_app.config["FARMPATROL"]
    source = open_parcels(path, crs=crs, field_map=field_map, layer=layer, encoding=encoding,
                          max_vertices=config.parcel_max_vertices, batch_size=config.parcel_import_batch)
    if on_total:
        on_total(2 * source.feature_count)
    with closing(read_ahead(source.batches())) as batches:  # a failed write stops the reading thread at once
        summary = upsert_parcels(_items(batches, progress), county_code=county_code, resolver=resolver,
                                 progress=progress)
    summary.notes = source.notes
    return summary


def _items(batches: Iterable[ParcelBatch], progress: Callable[[int], None] | None
           ) -> Iterator[ParcelFeature | RejectedFeature]:
    """Each batch's features, counted as read (in this thread: a web job's progress writes to the database)."""
    for batch in batches:
        if progress:
            progress(len(batch.features) + len(batch.rejected))
        yield from batch.features
        yield from batch.rejected


def upsert_parcels(items: Iterable[ParcelFeature | RejectedFeature], *, county_code: str | None = None,
                   resolver: TerritoryForImport | None = None,
                   progress: Callable[[int], None] | None = None) -> ImportSummary:
    """Insert new parcels, update changed ones, leave identical ones alone (a re-import changes nothing).
    Territory is resolved by `resolver` (default: existing counties only, village names kept). `items` are
    written a batch (PARCEL_IMPORT_BATCH) at a time, so an iterator of any length takes bounded memory."""
    batch_size = current_app.config["FARMPATROL"].parcel_import_batch
    summary = _Upsert(county_code, resolver or TerritoryForImport()).run(items, batch_size, progress)
    db.session.commit()
    return summary


class _Upsert:
    """Writes features a batch at a time: one look-up of the batch's existing codes, one INSERT, one UPDATE.

    Territory and projects are cached (a few hundred villages); existing parcels are not (a province's
    million would not fit in a worker's memory)."""

    def __init__(self, county_code: str | None, resolver: TerritoryForImport):
        self.county_code = county_code
        self.resolver = resolver
        self.projects: dict[tuple[int, str], int] = {}
        self.summary = ImportSummary(territory=resolver.changes)

    def run(self, items: Iterable[ParcelFeature | RejectedFeature], batch_size: int,
            progress: Callable[[int], None] | None) -> ImportSummary:
        iterator = iter(items)
        while batch := list(islice(iterator, batch_size)):
            self._write([self._place(item) for item in batch])
            if progress:
                progress(len(batch))
        self.summary.rejected.sort(key=lambda r: r.index)
        return self.summary

    def _place(self, item: ParcelFeature | RejectedFeature) -> tuple[ParcelFeature, int, int, int | None] | None:
        """The feature with its county, village and project ids, or None once its rejection is noted."""
        if isinstance(item, RejectedFeature):
            self.summary.rejected.append(item)
            return None
        reason = self._village_problem(item.village_code)
        if reason:
            self.summary.rejected.append(RejectedFeature(item.index, item.code, reason))
            return None
        try:
            village = self.resolver.village(item.village_code, item.village_name)
        except UnknownCounty as exc:
            self.summary.rejected.append(RejectedFeature(item.index, item.code, str(exc)))
            return None
        county_id = village.township.county_id
        return item, county_id, village.id, self._project_id(county_id, item)

    def _write(self, placed: list[tuple[ParcelFeature, int, int, int | None] | None]) -> None:
        placed = [entry for entry in placed if entry is not None]
        geometries = np.array([feature.geometry for feature, *_ids in placed], dtype=object)
        wkbs, bounds = to_wkb(geometries), shapely.bounds(geometries).tolist()  # once per batch: vectorised
        existing = self._existing({(county_id, feature.code) for feature, county_id, *_ids in placed})
        inserts, updates, changed, moment = [], [], [], utcnow()
        for (feature, county_id, village_id, project_id), wkb, box in zip(placed, wkbs, bounds):
            row = _row(feature, county_id, village_id, project_id, wkb, box)
            found = existing.get((county_id, feature.code))
            if feature.repair_note:
                self.summary.repaired.append(feature)
            if found is None:
                inserts.append(row)
                existing[(county_id, feature.code)] = (0, row[-1], village_id)
                changed.append((feature.code, village_id, None))
                self.summary.created += 1
            elif found[1] == row[-1]:
                self.summary.unchanged += 1
            else:
                updates.append({"id": found[0], **dict(zip(_ROW_COLUMNS, row)), "updated_at": moment})
                changed.append((feature.code, village_id, found[2]))
                self.summary.updated += 1
        changelog.record_parcel_rows(db.session, changed)
        if inserts:
            connection = db.session.connection()
            now = driver_value(connection, Parcel.__table__.c.created_at, moment)
            insert_rows(connection, Parcel.__table__, (*_ROW_COLUMNS, "created_at", "updated_at"),
                        (row + (now, now) for row in inserts))
        if updates:
            db.session.execute(update(Parcel), updates)

    def _village_problem(self, code: str | None) -> str | None:
        if not code or not territory.VILLAGE_CODE.match(code):
            return f"坐落单位代码无效 (需要 12 位村级代码): {code!r}"
        if self.county_code and not code.startswith(self.county_code):
            return f"村 {code} 不属于县 {self.county_code}"
        return None

    def _project_id(self, county_id: int, feature: ParcelFeature) -> int | None:
        if not feature.project_name:
            return None
        key = (county_id, feature.project_name)
        if key not in self.projects:
            project = db.session.scalar(select(ConsolidationProject).where(
                ConsolidationProject.county_id == county_id, ConsolidationProject.name == feature.project_name))
            if project is None:
                project = ConsolidationProject(county_id=county_id, name=feature.project_name)
                db.session.add(project)
            if feature.project_accepted_on:
                project.accepted_on = feature.project_accepted_on
            db.session.flush()
            self.projects[key] = project.id
        return self.projects[key]

    @staticmethod
    def _existing(keys: set[tuple[int, str]]) -> dict[tuple[int, str], tuple[int, str, int]]:
        """(county id, code) → (parcel id, content hash, village id) of the batch's parcels already in the
        database."""
        codes: dict[int, list[str]] = {}
        for county_id, code in keys:
            codes.setdefault(county_id, []).append(code)
        postgres = db.session.get_bind().dialect.name == "postgresql"
        found = {}
        for county_id, county_codes in codes.items():
            if postgres:
                rows = db.session.execute(_EXISTING_ON_POSTGRES, {"county_id": county_id, "codes": county_codes})
            else:
                rows = db.session.execute(select(Parcel.code, Parcel.id, Parcel.content_hash, Parcel.village_id)
                                          .where(Parcel.county_id == county_id, Parcel.code.in_(county_codes)))
            found.update({(county_id, code): (pid, digest, village) for code, pid, digest, village in rows})
        return found


# One index probe per code, whatever the planner believes. With `code IN (…5000 codes)` PostgreSQL, which has no
# statistics for the rows an import inserts in its own transaction, reads every parcel of the county and compares
# each with the whole list (a cached generic plan does not even hash it): 24 s a batch by 450,000 parcels,
# quadratic in all. LIMIT 1 (the code is unique in its county) keeps the subquery from being flattened into a join.
_EXISTING_ON_POSTGRES = text(
    "SELECT c.code, p.id, p.content_hash, p.village_id FROM unnest(CAST(:codes AS varchar[])) AS c(code) "
    "CROSS JOIN LATERAL (SELECT id, content_hash, village_id FROM parcels "
    "WHERE county_id = :county_id AND code = c.code LIMIT 1) AS p")

_ROW_COLUMNS = ("county_id", "code", "village_id", "geometry_wkb", "min_lon", "min_lat", "max_lon", "max_lat",
                "area_mu", "source_area_m2", "land_use_code", "is_permanent_basic", "is_high_standard",
                "is_grain_zone", "custodian", "project_id", "rate_class", "land_class_area_m2", "content_hash")


def _row(feature: ParcelFeature, county_id: int, village_id: int, project_id: int | None, geometry_wkb: bytes,
         bounds: list[float]) -> tuple:
    """The parcel's values in the order of `_ROW_COLUMNS`, its content hash last."""
    min_lon, min_lat, max_lon, max_lat = bounds
    rate_class = feature.rate_class or (RATE_CLASS_PERMANENT_BASIC if feature.is_permanent_basic
                                        else RATE_CLASS_GENERAL)
    row = (county_id, feature.code, village_id, geometry_wkb, min_lon, min_lat, max_lon, max_lat,
           round(feature.area_mu, 4), feature.source_area_m2, feature.land_use_code,
           bool(feature.is_permanent_basic), bool(feature.is_high_standard), bool(feature.is_grain_zone),
           feature.custodian, project_id, rate_class, feature.land_class_area_m2)
    return (*row, _content_hash(*row))


def _content_hash(county_id, code, village_id, geometry_wkb, min_lon, min_lat, max_lon, max_lat, area_mu,
                  source_area_m2, land_use_code, is_permanent_basic, is_high_standard, is_grain_zone, custodian,
                  project_id, rate_class, land_class_area_m2) -> str:
    """SHA-256 over each column's name and value (repr; the WKB as it is), by name. Spelled out in one format
    string because it runs a million times an import; tests/parcels/test_content_hash.py holds the rule."""
    # A file without the TBDLMJ column keeps the hashes of earlier imports (nothing to re-sync).
    land_class = "" if land_class_area_m2 is None else f"land_class_area_m2{land_class_area_m2!r}"
    head = f"area_mu{area_mu!r}code{code!r}county_id{county_id!r}custodian{custodian!r}geometry_wkb"
    tail = (f"is_grain_zone{is_grain_zone!r}is_high_standard{is_high_standard!r}"
            f"is_permanent_basic{is_permanent_basic!r}{land_class}land_use_code{land_use_code!r}"
            f"max_lat{max_lat!r}max_lon{max_lon!r}min_lat{min_lat!r}min_lon{min_lon!r}project_id{project_id!r}"
            f"rate_class{rate_class!r}source_area_m2{source_area_m2!r}village_id{village_id!r}")
    return hashlib.sha256(b"".join((head.encode(), geometry_wkb, tail.encode()))).hexdigest()


def parcels_query(user: User, *, bbox_filter: tuple[float, float, float, float] | None = None,
                  village_code: str | None = None) -> Select:
    """Parcels in the user's scope, optionally intersecting a lon/lat window (by bounding box)."""
    query = (select(Parcel).join(Village, Parcel.village_id == Village.id)
             .where(village_scope(user)).order_by(Parcel.id))
    if village_code:
        query = query.where(Village.code == village_code)
    if bbox_filter:
        min_lon, min_lat, max_lon, max_lat = bbox_filter
        query = query.where(Parcel.max_lon >= min_lon, Parcel.min_lon <= max_lon,
                            Parcel.max_lat >= min_lat, Parcel.min_lat <= max_lat)
    return query


def get_parcel(user: User, code: str) -> Parcel | None:
    return db.session.scalar(parcels_query(user).where(Parcel.county_id == user.county_id, Parcel.code == code))


def get_parcels(user: User, codes: set[str]) -> list[Parcel]:
    """`get_parcel` for several codes at once (a push's); codes outside the scope are left out."""
    if not codes:
        return []
    return list(db.session.scalars(_by_codes_query(user), {"codes": sorted(codes)}))


_BY_CODES_QUERIES: OrderedDict[tuple, Select] = OrderedDict()  # by user scope, the oldest first
_BY_CODES_QUERIES_KEPT = 512


def _by_codes_query(user: User) -> Select:
    """`get_parcels`' statement, built once per user scope and process: every push runs it, and building it and
    its cache key cost more than running it. The scope's villages are read when it runs."""
    scope = (user.id, user.role, user.township_id, user.county_id)
    query = _BY_CODES_QUERIES.get(scope)
    if query is None:
        query = _BY_CODES_QUERIES[scope] = (
            parcels_query(user).where(Parcel.county_id == user.county_id,
                                      Parcel.code.in_(bindparam("codes", expanding=True)))
            .options(joinedload(Parcel.county)))  # the rules read its time zone
        while len(_BY_CODES_QUERIES) > _BY_CODES_QUERIES_KEPT:
            _BY_CODES_QUERIES.popitem(last=False)
    return query


# In the order `parcel_features` unpacks them.
_FEATURE_COLUMNS = (Parcel.id, Parcel.code, Parcel.geometry_wkb, Village.code.label("village_code"), Parcel.area_mu,
                    Parcel.land_use_code, Parcel.is_permanent_basic, Parcel.is_high_standard, Parcel.is_grain_zone,
                    Parcel.custodian, Parcel.project_id, ConsolidationProject.name.label("project_name"),
                    ConsolidationProject.accepted_on.label("project_accepted_on"), Parcel.rate_class)


def feature_rows(query: Select) -> Select:
    """The parcels of a `parcels_query` as plain rows of what `parcel_features` reads: far cheaper to load than
    Parcel objects with their village and project, which were a third of the CPU of a pull page."""
    return (query.with_only_columns(*_FEATURE_COLUMNS)
            .outerjoin(ConsolidationProject, Parcel.project_id == ConsolidationProject.id))


def parcel_feature(user: User, code: str) -> dict | None:
    """GeoJSON Feature of one parcel in the user's scope, for the API and the offline map."""
    rows = db.session.execute(feature_rows(parcels_query(user).where(Parcel.county_id == user.county_id,
                                                                     Parcel.code == code))).all()
    return parcel_features(rows)[0] if rows else None


def parcel_features(rows: list[Row]) -> list[dict]:
    """`parcel_feature` for a page of `feature_rows`: their geometries go to GeoJSON in one vectorised shapely call
    (a third of a pull page's CPU when done one by one) and stay GeoJSON text (`JSONText`), which the app's JSON
    provider embeds as it is: parsing and encoding the coordinates again was a fifth of a page of surveyed
    outlines. Each row is unpacked at once, a third of the time of reading its columns by name."""
    geometries = map(JSONText, shapely.to_geojson(shapely.from_wkb([row.geometry_wkb for row in rows])))
    return [{
        "type": "Feature",
        "id": code,
        "geometry": geometry,
        "properties": {
            "code": code,
            "village": village_code,
            "area_mu": area_mu,
            "land_use_code": land_use_code,
            "land_classes": list(parcel_land_classes(is_permanent_basic, is_high_standard, is_grain_zone)),
            "custodian": custodian,
            "project": ({"name": project_name, "accepted_on": project_accepted_on.isoformat()
                         if project_accepted_on else None} if project_id is not None else None),
            "rate_class": rate_class,
        },
    } for (_id, code, _wkb, village_code, area_mu, land_use_code, is_permanent_basic, is_high_standard, is_grain_zone,
           custodian, project_id, project_name, project_accepted_on, rate_class), geometry in zip(rows, geometries)]
