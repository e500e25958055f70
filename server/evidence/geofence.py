"""Distance from a photo to its parcel in metres, and the pass/warn/fail verdict.

Parcels are EPSG:4490 lon/lat; a degree of longitude is ~96 km at 30°N but ~111 km of latitude,
so distances are measured in an azimuthal equidistant projection centred near the parcel
(exact along lines from the centre, < 1 ppm error within tens of km). Phone WGS84 is taken as
CGCS2000 (they agree to about 1 m, DOMAIN.md §6).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from .findings import Finding, finding
from .gcj02 import gcj02_to_wgs84

# Projection centres are snapped to this grid so one transformer serves a whole township.
_CENTRE_GRID_DEG = 0.1


@dataclass(frozen=True)
class GeofencePolicy:
    """County-configurable tolerances (DOMAIN.md §5: max(accuracy, 15 m) ok, 50 m warn) [K]."""

    pass_m: float = 15.0
    warn_m: float = 50.0
    max_accuracy_m: float = 50.0
    detect_gcj02: bool = True


@functools.lru_cache(maxsize=256)
def _transformer(lon0: float, lat0: float) -> Transformer:
    aeqd = CRS.from_proj4(f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +ellps=GRS80 +units=m +no_defs")
    return Transformer.from_crs(CRS.from_epsg(4490), aeqd, always_xy=True)


def _transformer_for(parcel: BaseGeometry) -> Transformer:
    centre = parcel.centroid
    snap = lambda v: round(round(v / _CENTRE_GRID_DEG) * _CENTRE_GRID_DEG, 6)  # noqa: E731
    return _transformer(snap(centre.x), snap(centre.y))


def distance_to_parcel_m(lon: float, lat: float, parcel: BaseGeometry) -> float:
    """Metres from (lon, lat) to the parcel; 0 inside or on the boundary."""
    project, projected_parcel = _projected(parcel)
    return float(projected_parcel.distance(shapely.transform(Point(lon, lat), project)))


@functools.lru_cache(maxsize=1024)
def _projected(parcel: BaseGeometry):
    """The parcel in its local metric projection, with the projecting function: every photo of an inspection
    (and the GCJ-02 retry) is measured against the same parcel, which is projected once."""
    transformer = _transformer_for(parcel)

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return project, shapely.transform(parcel, project)


def check_geofence(
    lon: float,
    lat: float,
    parcel: BaseGeometry,
    accuracy_m: float | None = None,
    policy: GeofencePolicy = GeofencePolicy(),
    source: str = "exif",
) -> Finding:
    """One GEOFENCE_* finding for a located photo.

    Tolerance is max(accuracy, pass_m): a 30 m fix cannot be failed for being 20 m out. A point
    beyond the warn band that lands inside the tolerance once read as GCJ-02 gets its own code,
    since it means "wrong coordinate system on the phone", not "taken elsewhere".
    """
    distance = distance_to_parcel_m(lon, lat, parcel)
    tolerance = max(accuracy_m or 0.0, policy.pass_m)
    warn_limit = max(policy.warn_m, tolerance)
    data = {
        "distance_m": round(distance, 2),
        "tolerance_m": tolerance,
        "source": source,
        "lat": lat,
        "lon": lon,
    }
    if distance <= tolerance:
        return finding("GEOFENCE_PASS", **data)
    if distance <= warn_limit:
        return finding("GEOFENCE_WARN", **data)
    if policy.detect_gcj02:
        wgs_lat, wgs_lon = gcj02_to_wgs84(lat, lon)
        corrected = distance_to_parcel_m(wgs_lon, wgs_lat, parcel)
        if corrected <= warn_limit:
            return finding(
                "GEOFENCE_GCJ02_SHIFT",
                corrected_distance_m=round(corrected, 2),
                corrected_lat=wgs_lat,
                corrected_lon=wgs_lon,
                **data,
            )
    return finding("GEOFENCE_FAIL", **data)
