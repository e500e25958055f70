"""GCJ-02 ("Mars coordinates") to and from WGS84, after the public eviltransform formula.

Chinese map SDKs (Amap, Tencent, Huawei Map in mainland China) report GCJ-02, about 0.5 km ESE
of the true WGS84/CGCS2000 position in Zhejiang. The geofence uses the exact inverse to tell a
phone that reported GCJ-02 from a photo really taken elsewhere.
Reference: https://github.com/googollee/eviltransform (MIT).
"""

from __future__ import annotations

import math

_A = 6378137.0  # Krasovsky-era constants used by the obfuscation, kept as published
_EE = 0.00669342162296594323
_EXACT_THRESHOLD_DEG = 1e-6  # about 0.1 m; the inverse is accurate to < 0.5 m
_EXACT_MAX_ITERATIONS = 30


def out_of_china(lat: float, lon: float) -> bool:
    """The formula's own rough bounding box; outside it GCJ-02 equals WGS84."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform(x: float, y: float) -> tuple[float, float]:
    xy = x * y
    abs_x = math.sqrt(abs(x))
    x_pi = x * math.pi
    y_pi = y * math.pi
    d = 20.0 * math.sin(6.0 * x_pi) + 20.0 * math.sin(2.0 * x_pi)
    lat = d + 20.0 * math.sin(y_pi) + 40.0 * math.sin(y_pi / 3.0)
    lon = d + 20.0 * math.sin(x_pi) + 40.0 * math.sin(x_pi / 3.0)
    lat += 160.0 * math.sin(y_pi / 12.0) + 320.0 * math.sin(y_pi / 30.0)
    lon += 150.0 * math.sin(x_pi / 12.0) + 300.0 * math.sin(x_pi / 30.0)
    lat = lat * 2.0 / 3.0 - 100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * xy + 0.2 * abs_x
    lon = lon * 2.0 / 3.0 + 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * xy + 0.1 * abs_x
    return lat, lon


def _delta(lat: float, lon: float) -> tuple[float, float]:
    d_lat, d_lon = _transform(lon - 105.0, lat - 35.0)
    rad_lat = math.radians(lat)
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lat, d_lon


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    if out_of_china(lat, lon):
        return lat, lon
    d_lat, d_lon = _delta(lat, lon)
    return lat + d_lat, lon + d_lon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """Exact inverse by bisection on the forward formula (eviltransform's gcj2wgs_exact)."""
    if out_of_china(lat, lon):
        return lat, lon
    low_lat, low_lon = lat - 0.01, lon - 0.01
    high_lat, high_lon = lat + 0.01, lon + 0.01
    wgs_lat, wgs_lon = lat, lon
    for _ in range(_EXACT_MAX_ITERATIONS):
        wgs_lat, wgs_lon = (low_lat + high_lat) / 2, (low_lon + high_lon) / 2
        gcj_lat, gcj_lon = wgs84_to_gcj02(wgs_lat, wgs_lon)
        d_lat, d_lon = gcj_lat - lat, gcj_lon - lon
        if abs(d_lat) < _EXACT_THRESHOLD_DEG and abs(d_lon) < _EXACT_THRESHOLD_DEG:
            break
        if d_lat > 0:
            high_lat = wgs_lat
        else:
            low_lat = wgs_lat
        if d_lon > 0:
            high_lon = wgs_lon
        else:
            low_lon = wgs_lon
    return wgs_lat, wgs_lon


def bd09_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """Baidu's BD-09 is a further shift of GCJ-02; this is its published inverse (~1 m)."""
    x, y = lon - 0.0065, lat - 0.006
    z = math.hypot(x, y) - 0.00002 * math.sin(y * math.pi * 3000 / 180)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * math.pi * 3000 / 180)
    return z * math.sin(theta), z * math.cos(theta)


def to_wgs84(lat: float, lon: float, crs: str) -> tuple[float, float]:
    """A point tagged WGS84, GCJ02 or BD09 in WGS84 (= CGCS2000 at these accuracies), where checks run."""
    if crs == "BD09":
        lat, lon = bd09_to_gcj02(lat, lon)
    if crs in ("GCJ02", "BD09"):
        lat, lon = gcj02_to_wgs84(lat, lon)
    return lat, lon
