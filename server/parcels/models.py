from __future__ import annotations

from datetime import date, datetime

from shapely import wkb
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Date, Float, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db_types import UTCDateTime, utcnow
from server.extensions import db
from server.territory.models import County, Village


class ConsolidationProject(db.Model):
    """A 土地综合整治项目. Upkeep obligations (后期管护) on its parcels start at acceptance."""

    __tablename__ = "consolidation_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    accepted_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (UniqueConstraint("county_id", "name"),)


class Parcel(db.Model):
    """A 图斑. Geometry is EPSG:4490 lon/lat WKB; the bounding box columns carry an index so that both
    SQLite and PostgreSQL can answer map-window queries without a spatial extension."""

    __tablename__ = "parcels"

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"))
    code: Mapped[str] = mapped_column(String(64))
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    geometry_wkb: Mapped[bytes] = mapped_column(LargeBinary)
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    area_mu: Mapped[float] = mapped_column(Float)
    source_area_m2: Mapped[float | None] = mapped_column(Float)
    land_class_area_m2: Mapped[float | None] = mapped_column(Float)  # 三调 TBDLMJ: the area compensation pays on
    land_use_code: Mapped[str | None] = mapped_column(String(8))
    is_permanent_basic: Mapped[bool] = mapped_column(default=False)
    is_high_standard: Mapped[bool] = mapped_column(default=False)
    is_grain_zone: Mapped[bool] = mapped_column(default=False)
    custodian: Mapped[str | None] = mapped_column(String(100))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("consolidation_projects.id"), index=True)
    rate_class: Mapped[str] = mapped_column(String(32))
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    county: Mapped[County] = relationship()
    village: Mapped[Village] = relationship()
    project: Mapped[ConsolidationProject | None] = relationship()

    __table_args__ = (
        UniqueConstraint("county_id", "code"),
        Index("ix_parcels_bbox", "min_lon", "max_lon", "min_lat", "max_lat"),
    )

    @property
    def geometry(self) -> BaseGeometry:
        return wkb.loads(self.geometry_wkb)

    @property
    def land_classes(self) -> list[str]:
        return list(parcel_land_classes(self.is_permanent_basic, self.is_high_standard, self.is_grain_zone))


def parcel_land_classes(is_permanent_basic: bool, is_high_standard: bool, is_grain_zone: bool) -> tuple[str, ...]:
    """Codes of the classes that decide which rules apply (一般耕地 is farmland that is not 永农), from the flag
    columns alone, so that bulk jobs need not load Parcel objects."""
    classes = ["permanent_basic" if is_permanent_basic else "general_farmland"]
    if is_high_standard:
        classes.append("high_standard")
    if is_grain_zone:
        classes.append("grain_zone")
    return tuple(classes)
