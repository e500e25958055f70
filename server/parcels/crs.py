"""Coordinate reference systems of survey files: resolve, guess when missing, and reproject to EPSG:4490.

三调 data is CGCS2000, nearly always 3-degree Gauss-Krüger (with or without the zone number in front of the
easting) or geographic lon/lat. We never infer the zone silently: a file without a CRS needs `--crs`, and the
guess only goes into the error message so the operator knows what to check.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

LONLAT_EPSG = 4490
# PROJ's WGS84 → CGCS2000 step is a "ballpark" identity; the two agree to well under a metre.
_SAME_AS_LONLAT = (4490, 4326)
# 3-degree GK zones 25..45 with the zone prefix are EPSG 4513..4533; without it, CM 75E..135E are 4534..4554.
_FIRST_3DEG_ZONE, _LAST_3DEG_ZONE, _EPSG_3DEG_ZONE_25 = 25, 45, 4513
# 6-degree GK zones 13..23 with the prefix are EPSG 4491..4501 (medium-scale maps, rare in 三调 data).
_FIRST_6DEG_ZONE, _LAST_6DEG_ZONE, _EPSG_6DEG_ZONE_13 = 13, 23, 4491
# Without the prefix the easting does not tell the central meridian; these are the ones used in Zhejiang.
NO_PREFIX_CANDIDATES = (4548, 4549, 4550)
# Half a 3-degree zone: counties on a zone boundary often keep one zone for all their data.
_AREA_OF_USE_MARGIN_DEG = 1.5


class ParcelSourceError(ValueError):
    """A survey file cannot be read as given; `code` is stable, the message tells the operator what to do."""

    code = "parcels.source_error"

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidCrsError(ParcelSourceError):
    code = "parcels.invalid_crs"


class MissingCrsError(ParcelSourceError):
    code = "parcels.missing_crs"

    def __init__(self, message: str, guess: CrsGuess):
        super().__init__(message, field="crs")
        self.guess = guess


class CrsMismatchError(ParcelSourceError):
    """The coordinates do not land where the CRS is used: a wrong `.prj` or a wrong `--crs`."""

    code = "parcels.crs_mismatch"


@dataclass(frozen=True)
class CrsGuess:
    candidates: tuple[int, ...]
    explanation: str


def parse_crs(value: str | int | CRS) -> CRS:
    """The `--crs` option: "EPSG:4528", "4528", 4528, or anything pyproj accepts (WKT, PROJ string)."""
    if isinstance(value, CRS):
        return value
    text = str(value).strip()
    try:
        return CRS.from_epsg(int(text)) if text.isdigit() else CRS.from_user_input(text)
    except CRSError as err:
        raise InvalidCrsError(f"无法识别的坐标系 {text!r} / unrecognised CRS {text!r}: {err}", field="crs") from None


def crs_label(crs: CRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.name


def resolve_crs(file_crs: str | None, override: str | int | CRS | None, bounds: tuple[float, ...] | None
                ) -> tuple[CRS, str]:
    """The CRS to read with and where it came from ("override" or "file").

    An override wins over the file: a wrong or generic `.prj` is a common defect of delivered data.
    `bounds` (minx, miny, maxx, maxy in file units) feed the guess in the error when neither exists.
    """
    if override is not None:
        return parse_crs(override), "override"
    if file_crs:
        return parse_crs(file_crs), "file"
    guess = guess_crs_from_bounds(bounds)
    if len(guess.candidates) == 1:
        example_zh = f"，例如 --crs EPSG:{guess.candidates[0]}"
        example_en = f", for example --crs EPSG:{guess.candidates[0]}"
    else:
        example_zh, example_en = "（--crs EPSG:<代码>）", " (--crs EPSG:<code>)"
    message = (f"文件没有坐标系（缺少 .prj 或未定义），请用 --crs 指定{example_zh}。\n"
               f"The file has no coordinate reference system (no .prj); pass it with --crs{example_en}.\n"
               f"{guess.explanation}")
    raise MissingCrsError(message, guess)


def guess_crs_from_bounds(bounds: tuple[float, ...] | None) -> CrsGuess:
    """Candidate CGCS2000 EPSG codes for coordinates with the given (minx, miny, maxx, maxy), and why."""
    if bounds is None or not np.all(np.isfinite(bounds)):
        return CrsGuess((), "文件中没有可用的坐标，无法推测坐标系。/ No coordinates to guess a CRS from.")
    min_x, min_y, max_x, max_y = bounds
    extent = f"x {min_x:,.0f}–{max_x:,.0f}, y {min_y:,.0f}–{max_y:,.0f}"
    if max(abs(min_x), abs(max_x)) <= 180 and max(abs(min_y), abs(max_y)) <= 90:
        return CrsGuess((LONLAT_EPSG,), (
            f"坐标像经纬度（x {min_x:.4f}–{max_x:.4f}, y {min_y:.4f}–{max_y:.4f}），可能是 EPSG:4490（CGCS2000 地理坐标）。\n"
            f"The coordinates look like longitude/latitude: probably EPSG:4490 (CGCS2000 geographic)."))
    if 10_000_000 <= min_x and max_x < 100_000_000:
        zones = sorted({int(min_x // 1_000_000), int(max_x // 1_000_000)})
        candidates = tuple(code for code in map(_prefixed_zone_epsg, zones) if code)
        names = "、".join(f"EPSG:{c}（{CRS.from_epsg(c).name}）" for c in candidates) or "无 / none"
        zone_text = "/".join(str(z) for z in zones)
        return CrsGuess(candidates, (
            f"东坐标为 8 位（{extent}），前两位是带号 {zone_text}：候选 {names}。\n"
            f"8-digit eastings ({extent}) carry the Gauss-Krüger zone number {zone_text} in front: "
            f"candidates {', '.join(f'EPSG:{c}' for c in candidates) or 'none'}."))
    if 100_000 <= min_x and max_x < 1_000_000:
        names = "、".join(f"EPSG:{c}（{CRS.from_epsg(c).name}）" for c in NO_PREFIX_CANDIDATES)
        return CrsGuess(NO_PREFIX_CANDIDATES, (
            f"东坐标为 6 位、在 500,000 附近（{extent}），是不带带号的 3 度带高斯-克吕格投影；"
            f"仅凭坐标无法判断中央经线，候选 {names}，请向数据提供方确认。\n"
            f"6-digit eastings around 500,000 ({extent}) mean 3-degree Gauss-Krüger without a zone prefix; the "
            f"central meridian cannot be told from the easting alone. Candidates: "
            f"{', '.join(f'EPSG:{c}' for c in NO_PREFIX_CANDIDATES)} (CM 117°E / 120°E / 123°E); "
            f"ask the data provider which one."))
    return CrsGuess((), f"坐标范围（{extent}）不像 CGCS2000 经纬度或高斯-克吕格坐标。\n"
                        f"The coordinate range ({extent}) does not look like CGCS2000 lon/lat or Gauss-Krüger.")


def _prefixed_zone_epsg(zone: int) -> int | None:
    if _FIRST_3DEG_ZONE <= zone <= _LAST_3DEG_ZONE:
        return _EPSG_3DEG_ZONE_25 + zone - _FIRST_3DEG_ZONE
    if _FIRST_6DEG_ZONE <= zone <= _LAST_6DEG_ZONE:
        return _EPSG_6DEG_ZONE_13 + zone - _FIRST_6DEG_ZONE
    return None


def is_lonlat(crs: CRS) -> bool:
    """True for CGCS2000 or WGS84 geographic coordinates, which we store without transforming."""
    return crs.to_epsg() in _SAME_AS_LONLAT


@lru_cache(maxsize=16)
def transformer_to_lonlat(crs: CRS) -> Transformer:
    """x=lon, y=lat output whatever the EPSG axis order (GK CRSs are northing-first in EPSG)."""
    return Transformer.from_crs(crs, LONLAT_EPSG, always_xy=True)


def to_lonlat(geoms: np.ndarray, crs: CRS) -> np.ndarray:
    """Reproject an array of geometries to EPSG:4490 with one vectorised call over all their coordinates."""
    if is_lonlat(crs):
        return geoms
    transformer = transformer_to_lonlat(crs)

    def transform(coords: np.ndarray) -> np.ndarray:
        lon, lat = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack((lon, lat))

    return shapely.transform(geoms, transform)


def check_lonlat_bounds(lonlat_bounds: tuple[float, float, float, float], crs: CRS,
                        source_bounds: tuple[float, float, float, float]) -> None:
    """Raise CrsMismatchError when reprojected data falls outside where `crs` is used.

    This catches a prefixed file read as unprefixed (or the reverse) and a wrong zone, which otherwise give
    parcels hundreds of kilometres away (or infinite coordinates) without any error from PROJ.
    """
    area = crs.area_of_use
    west, south, east, north = area.bounds if area else (73.0, 3.0, 136.0, 54.0)
    margin = _AREA_OF_USE_MARGIN_DEG
    min_lon, min_lat, max_lon, max_lat = lonlat_bounds
    inside = (np.all(np.isfinite(lonlat_bounds)) and min_lon >= west - margin and max_lon <= east + margin
              and min_lat >= south - margin and max_lat <= north + margin)
    if inside:
        return
    guess = guess_crs_from_bounds(source_bounds)
    where = f"lon {min_lon:.3f}–{max_lon:.3f}, lat {min_lat:.3f}–{max_lat:.3f}"
    raise CrsMismatchError(
        f"按 {crs_label(crs)} 换算后坐标（{where}）不在该坐标系的适用范围内，坐标系可能不对，"
        f"请检查 .prj 或用 --crs 指定。\n"
        f"Reprojected from {crs_label(crs)} the data lies at {where}, outside the area where that CRS is used "
        f"(infinite values mean PROJ could not transform them): the CRS is probably wrong; check the .prj or "
        f"pass --crs.\n{guess.explanation}", field="crs")
