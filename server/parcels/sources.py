"""What a parcel file may make GDAL do: open one of four drivers on a local file, and nothing else.

GDAL opens whatever a file's content says it is. An OGR VRT named `DLTB.geojson` is XML that makes GDAL read
another data set (the instance's SQLite database) or fetch a URL (`/vsicurl/`); GML and KML resolve remote
links. So the import looks at the bytes before GDAL does, refuses every `/vsi*` path the operator did not
give as a plain file or a zip, switches GDAL's network access off, and checks the driver GDAL picked.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pyogrio

from server.parcels.crs import ParcelSourceError

ALLOWED_DRIVERS = frozenset({"ESRI Shapefile", "GPKG", "GeoJSON", "OpenFileGDB"})
_SNIFF_BYTES = 4096
_SQLITE_MAGIC = b"SQLite format 3\x00"
_GPKG_APPLICATION_IDS = (b"GPKG", b"GP10", b"GP11")  # sqlite header offset 68
_SHAPEFILE_MAGIC = b"\x00\x00\x27\x0a"               # file code 9994, big-endian
# /vsicurl/ may open only this name, which no URL has; HTTP through a proxy that is not there.
NETWORK_OFF = {"CPL_VSIL_CURL_ALLOWED_FILENAME": "/farmpatrol/network-disabled", "GDAL_HTTP_PROXY": "127.0.0.1:9",
               "GDAL_HTTPS_PROXY": "127.0.0.1:9", "GDAL_HTTP_TIMEOUT": "1", "GDAL_HTTP_MAX_RETRY": "0"}


class UnsafeSourceError(ParcelSourceError):
    code = "parcels.unsafe_source"


def disable_network() -> None:
    """GDAL options are process-wide; the server never needs GDAL to reach the network, so they stay set."""
    pyogrio.set_gdal_config_options(NETWORK_OFF)


def check_path(path: Path) -> None:
    """The operator's path must be a plain file or folder, never a GDAL virtual path."""
    if "/vsi" in str(path).lower():
        raise UnsafeSourceError(f"不接受 GDAL 虚拟路径 / GDAL virtual paths are refused: {path}", field="path")


def check_zip_member(name: str) -> None:
    if name.startswith("/") or ".." in name.split("/") or "/vsi" in f"/{name}".lower():
        raise UnsafeSourceError(f"压缩包内路径不安全 / unsafe path inside the zip: {name!r}", field="path")


def check_content(path: Path, inner: str | None = None) -> None:
    """Refuse content no allowed driver should see: XML (VRT, GML, KML) and SQLite files that are not GeoPackages.

    `inner` is the data set inside the zip at `path` (a file, a folder of Shapefiles or a .gdb folder)."""
    for name, head in _heads(path, inner):
        _check_head(name, head)


def check_driver(driver: str | None, dataset: str) -> None:
    if driver not in ALLOWED_DRIVERS:
        raise UnsafeSourceError(f"不支持的数据格式 {driver}，只接受 Shapefile、GeoPackage、GeoJSON、FileGDB / "
                                f"driver {driver} is not accepted for {dataset}; use Shapefile, GeoPackage, "
                                f"GeoJSON or FileGDB", field="path")


def _heads(path: Path, inner: str | None):
    if inner is None:
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file() and _is_main_file(p.name)]
        for file in files:
            with file.open("rb") as handle:
                yield file.name, handle.read(_SNIFF_BYTES)
        return
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            check_zip_member(member)
            if (member == inner or member.startswith(inner + "/")) and _is_main_file(member):
                with archive.open(member) as handle:
                    yield member, handle.read(_SNIFF_BYTES)


def _is_main_file(name: str) -> bool:
    """The files GDAL picks a driver by: not the sidecars (.dbf, .prj …) nor FileGDB's binary tables."""
    return name.lower().endswith((".shp", ".gpkg", ".geojson", ".json", ".vrt", ".xml", ".gml", ".kml",
                                  ".sqlite", ".db"))


def _check_head(name: str, head: bytes) -> None:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<") or re.search(rb"<\s*OGRVRTDataSource", head, re.IGNORECASE):
        raise UnsafeSourceError(f"{name} 是 XML（如 OGR VRT），不接受 / {name} is XML (such as an OGR VRT) and "
                                f"is refused", field="path")
    if text.startswith(_SQLITE_MAGIC) and head[68:72] not in _GPKG_APPLICATION_IDS:
        raise UnsafeSourceError(f"{name} 是 SQLite 数据库而不是 GeoPackage，不接受 / {name} is an SQLite database, "
                                f"not a GeoPackage, and is refused", field="path")
    if name.lower().endswith(".shp") and not head.startswith(_SHAPEFILE_MAGIC):
        raise UnsafeSourceError(f"{name} 不是 Shapefile / {name} is not a Shapefile", field="path")
