"""Read land-survey parcel layers (三调 DLTB and project parcel files) into validated lon/lat features.

This is the pure half of `farmpatrol parcels import`: no database. Every feature of the layer ends up either as
a `ParcelFeature` or as a `RejectedFeature` with its index and a reason, so an import report can account for
all of them. The work goes a batch at a time (one GDAL read, one PROJ call per batch): vectorised because a
county layer holds tens of thousands of 图斑, batched because a province's holds a million.
"""

from __future__ import annotations

import hashlib
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError
from pyproj import CRS
from shapely.geometry import MultiPolygon, Polygon

from server.parcels.crs import (ParcelSourceError, check_lonlat_bounds, crs_label, resolve_crs,
                                to_lonlat)
from server.parcels.geometry import areas_mu, repair
from server.parcels.sources import check_content, check_driver, check_path, check_zip_member, disable_network

# Our field name → the 三调 DLTB column it is read from unless the caller maps it elsewhere.
DEFAULT_FIELD_MAP = {
    "code": "TBBH",             # 图斑编号
    "land_use_code": "DLBM",    # 地类编码: 0101 水田, 0102 水浇地, 0103 旱地 …
    "village_code": "ZLDWDM",   # 坐落单位代码 (19 digits; the first 12 are the village)
    "village_name": "ZLDWMC",   # 坐落单位名称
    "source_area_m2": "TBMJ",   # 图斑面积, m²
}
# Fields that DLTB does not have; project parcel files name them in many ways. These are guesses, tried in
# order, only when the caller did not map the field. Chinese column names are common in project files.
OPTIONAL_FIELD_GUESSES = {
    "custodian": ("GHZRR", "管护责任人"),
    "project_name": ("XMMC", "项目名称"),
    "project_accepted_on": ("YSRQ", "验收日期"),
    "rate_class": (),
    "land_class_area_m2": ("TBDLMJ",),  # 图斑地类面积 (三调: TBMJ less the deducted field ridges), m²
    "is_permanent_basic": ("SFYJJBNT", "YJJBNT", "永久基本农田"),
    "is_high_standard": ("SFGBZNT", "GBZNT", "高标准农田"),
    "is_grain_zone": ("SFLSGNQ", "LSGNQ", "粮食生产功能区"),
}
FIELD_NAMES = (*DEFAULT_FIELD_MAP, *OPTIONAL_FIELD_GUESSES)
FLAG_FIELDS = ("is_permanent_basic", "is_high_standard", "is_grain_zone")

_TRUE = frozenset({"1", "是", "y", "yes", "true", "t"})
_FALSE = frozenset({"0", "否", "n", "no", "false", "f", ""})
_POLYGON_LAYER_TYPES = ("Polygon", "MultiPolygon", "CurvePolygon", "MultiSurface")
_VILLAGE_CODE_DIGITS = 12
_LAND_USE_CODE_DIGITS = 4
_POLYGONAL_TYPE_IDS = (int(shapely.GeometryType.POLYGON), int(shapely.GeometryType.MULTIPOLYGON))
# Features per read and vectorised step: big enough for numpy, small enough for a lively progress bar and a
# bounded memory (config: PARCEL_IMPORT_BATCH).
DEFAULT_BATCH_SIZE = 5000
_ENCODINGS = ("UTF-8", "GBK")
_GARBLED = re.compile("[\x80-\xff]")
# A 图斑 of a few hundred vertices is usual; a million made one village's pull 39 MB (config: PARCEL_MAX_VERTICES).
DEFAULT_MAX_VERTICES = 20_000


class FieldMapError(ParcelSourceError):
    code = "parcels.field_map"


class MissingColumnError(ParcelSourceError):
    code = "parcels.missing_column"


class LayerSelectionError(ParcelSourceError):
    code = "parcels.layer"


class UnreadableSourceError(ParcelSourceError):
    code = "parcels.unreadable"


@dataclass(frozen=True, slots=True)
class ParcelFeature:
    """One accepted 图斑; `geometry` is a valid Polygon or MultiPolygon (as in the file) in EPSG:4490 lon/lat.

    Flags are None when the file has no such column, so an upsert can tell "not in this file" from "no".
    `warnings` lists attribute values that could not be understood and were left empty.
    """

    index: int
    code: str
    geometry: Polygon | MultiPolygon
    area_mu: float
    land_use_code: str | None
    village_code: str | None
    village_name: str | None
    source_area_m2: float | None
    custodian: str | None
    project_name: str | None
    project_accepted_on: date | None
    rate_class: str | None
    is_permanent_basic: bool | None
    is_high_standard: bool | None
    is_grain_zone: bool | None
    repair_note: str | None = None
    village_code_raw: str | None = None
    warnings: tuple[str, ...] = ()
    land_class_area_m2: float | None = None


@dataclass(frozen=True, slots=True)
class RejectedFeature:
    index: int
    code: str | None
    reason: str


@dataclass
class ParcelBatch:
    """The features of one batch of the layer, each either accepted or rejected."""

    features: list[ParcelFeature] = field(default_factory=list)
    rejected: list[RejectedFeature] = field(default_factory=list)


@dataclass
class ParcelReadResult(ParcelBatch):
    """A whole layer read into memory (`read_parcels`): for tests and tools, not for imports."""

    path: str = ""
    layer: str = ""
    crs: str = ""
    crs_source: str = ""
    field_map: dict[str, str] = field(default_factory=dict)
    feature_count: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def repaired(self) -> list[ParcelFeature]:
        return [f for f in self.features if f.repair_note]


def parse_field_map(items: Iterable[str]) -> dict[str, str]:
    """Turn the CLI's repeatable `--field ours=COLUMN` options into a field map."""
    mapping: dict[str, str] = {}
    for item in items:
        target, sep, column = (part.strip() for part in item.partition("="))
        if not sep or not target or not column:
            raise FieldMapError(f"--field 的格式应为 字段=列名，例如 code=TBBH：{item!r} / "
                                f"--field expects ours=COLUMN, e.g. code=TBBH: got {item!r}", field="field")
        _check_target(target)
        if target in mapping:
            raise FieldMapError(f"字段 {target} 被指定了两次 / field {target} is mapped twice", field="field")
        mapping[target] = column
    return mapping


def _check_target(target: str) -> None:
    if target not in FIELD_NAMES:
        raise FieldMapError(f"未知字段 {target!r}，可用：{', '.join(FIELD_NAMES)} / unknown field {target!r}; "
                            f"known fields: {', '.join(FIELD_NAMES)}", field="field")


def read_parcels(path: str | Path, *, progress: Callable[[int], None] | None = None,
                 on_total: Callable[[int], None] | None = None, **options) -> ParcelReadResult:
    """Every feature of a parcel layer in one result: `open_parcels` with its batches collected.

    `progress` is called with the number of features just processed, e.g. `tqdm.update`; `on_total` once with
    the layer's feature count, before the first `progress`. `options` are those of `open_parcels`.
    """
    layer = open_parcels(path, **options)
    result = ParcelReadResult(path=layer.path, layer=layer.layer, crs=layer.crs, crs_source=layer.crs_source,
                              field_map=layer.field_map, feature_count=layer.feature_count, notes=layer.notes)
    if on_total:
        on_total(layer.feature_count)
    for batch in layer.batches(progress):
        result.features += batch.features
        result.rejected += batch.rejected
    return result


def open_parcels(path: str | Path, *, crs: str | int | None = None, field_map: dict[str, str] | None = None,
                 layer: str | None = None, encoding: str | None = None,
                 max_vertices: int = DEFAULT_MAX_VERTICES, batch_size: int = DEFAULT_BATCH_SIZE) -> ParcelLayer:
    """Open a parcel layer to be read `batch_size` features at a time, reprojected to EPSG:4490, with geodesic
    areas in 亩: memory follows the batch size, not the file (a province holds a million 图斑).

    `path`: GeoJSON, Shapefile, zipped Shapefile, GeoPackage, FileGDB directory or zipped FileGDB.
    `crs` overrides the file's CRS (needed when the .prj is missing). `field_map` maps our field names to
    columns, over `DEFAULT_FIELD_MAP`. `encoding` is for old Shapefiles without a .cpg (usually "GBK"); without
    it, their text columns are scanned once for the encoding that reads them. A feature with more than
    `max_vertices` vertices is rejected. Only the four drivers of `sources.ALLOWED_DRIVERS` are opened.
    """
    disable_network()
    dataset = dataset_path(path)
    layer_name = pick_layer(dataset, layer)
    info = _read_info(dataset, layer_name, encoding)
    columns = resolve_field_map(field_map or {}, list(info["fields"]))
    source_crs, crs_source = resolve_crs(info["crs"], crs, info["total_bounds"])
    wanted = sorted(set(columns.values()))
    garbled, detected = False, None
    if encoding is None and info["encoding"] == "ISO-8859-1":
        garbled, detected = _scan_encoding(dataset, layer_name, wanted, batch_size)
    source = ParcelLayer(path=str(path), layer=layer_name, crs=crs_label(source_crs), crs_source=crs_source,
                         field_map=columns, feature_count=info["features"], dataset=dataset,
                         encoding=detected or encoding, source_crs=source_crs, max_vertices=max_vertices,
                         batch_size=batch_size, keyset=_keyset(info))
    if crs_source == "override" and info["crs"]:
        source.notes.append(f"文件自带坐标系 {info['crs']}，已按 --crs 改用 {source.crs} / "
                            f"the file declares {info['crs']}; read as {source.crs} as requested")
    if detected:
        source.notes.append(f"Shapefile 缺少 .cpg，属性文字按 {detected} 编码读取 / the Shapefile has no .cpg: "
                            f"its text was read as {detected} (give --encoding to choose)")
    elif garbled:
        source.notes.append("文字像是乱码：Shapefile 缺少 .cpg，请用 --encoding 指定编码重新导入 / text looks "
                            "garbled: the Shapefile has no .cpg; read it again with --encoding")
    return source


@dataclass
class ParcelLayer:
    """An opened parcel layer (`open_parcels`): what was resolved up front, and its features batch by batch."""

    path: str
    layer: str
    crs: str                    # the source CRS, e.g. "EPSG:4528"
    crs_source: str             # "file" or "override"
    field_map: dict[str, str]   # our field → the column actually read
    feature_count: int
    dataset: str
    encoding: str | None
    source_crs: CRS
    max_vertices: int
    batch_size: int
    keyset: Keyset | None = None  # how to page a GeoPackage; other formats are read with skip_features
    notes: list[str] = field(default_factory=list)

    def batches(self, progress: Callable[[int], None] | None = None) -> Iterator[ParcelBatch]:
        """The layer's features in file order, one batch per read; `progress` gets each batch's size."""
        builder = _Builder(self.source_crs, self.max_vertices)
        wanted = sorted(set(self.field_map.values()))
        for start, meta, wkb, values in _batches(self.dataset, self.layer, self.encoding, wanted, self.batch_size,
                                                 keyset=self.keyset):
            by_column = dict(zip(meta["fields"], values))  # GDAL returns columns in layer order, not as requested
            yield builder.batch(start, wkb, {target: by_column[column] for target, column in self.field_map.items()})
            if progress:
                progress(len(wkb))


def dataset_path(path: str | Path) -> str:
    """The GDAL path for a file, a .gdb directory, or a .zip holding one data set (maybe inside a folder)."""
    path = Path(path)
    check_path(path)
    if not path.exists():
        raise UnreadableSourceError(f"文件不存在 / no such file: {path}", field="path")
    if path.suffix.lower() != ".zip":
        check_content(path)
        return str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        raise UnreadableSourceError(f"不是有效的 zip 文件 / not a valid zip file: {path}", field="path") from None
    for name in names:
        check_zip_member(name)
    gdbs = sorted({m.group(1) for m in (re.match(r"(.*?\.gdb)/", n, re.IGNORECASE) for n in names) if m})
    singles = [n for n in names if n.lower().endswith((".shp", ".gpkg", ".geojson"))
               and not re.search(r"\.gdb/", n, re.IGNORECASE)]
    folders = sorted({n.rpartition("/")[0] for n in singles if n.lower().endswith(".shp")})
    if len(gdbs) == 1 and not singles:
        inner = gdbs[0]
    elif not gdbs and len(singles) == 1:
        inner = singles[0]
    elif not gdbs and len(folders) == 1 and all(n.lower().endswith(".shp") for n in singles):
        inner = folders[0]  # several Shapefiles in one folder: GDAL opens the folder, one layer per file
    else:
        found = ", ".join(gdbs + singles) or "无 / nothing"
        raise UnreadableSourceError(f"压缩包中应恰好有一个数据集（.shp/.gdb/.gpkg/.geojson），找到：{found} / "
                                    f"the zip must hold exactly one data set, found: {found}", field="path")
    check_content(path, inner)
    return f"/vsizip/{path.resolve()}/{inner}".rstrip("/")


def pick_layer(dataset: str, layer: str | None) -> str:
    """The named layer; else the only layer or only polygon layer; else the one called DLTB."""
    try:
        layers = [(str(name), str(kind)) for name, kind in pyogrio.list_layers(dataset)]
    except DataSourceError as err:
        raise UnreadableSourceError(f"无法打开 / cannot open {dataset}: {err}", field="path") from None
    names = [name for name, _kind in layers]
    listing = ", ".join(f"{name} ({kind})" for name, kind in layers) or "无 / none"
    if layer is not None:
        if layer in names:
            return layer
        raise LayerSelectionError(f"没有图层 {layer!r}，现有图层：{listing} / no layer {layer!r}; layers: {listing}",
                                  field="layer")
    polygonal = [name for name, kind in layers if kind.split(" ")[0] in _POLYGON_LAYER_TYPES]
    for candidates in (names if len(names) == 1 else [], polygonal,
                       [n for n in polygonal if n.upper() == "DLTB"],
                       [n for n in polygonal if "DLTB" in n.upper()]):
        if len(candidates) == 1:
            return candidates[0]
    raise LayerSelectionError(f"无法确定要读取的图层，请用 --layer 指定。现有图层：{listing} / cannot tell which "
                              f"layer to read; pass --layer. Layers: {listing}", field="layer")


def resolve_field_map(field_map: dict[str, str], columns: list[str]) -> dict[str, str]:
    """Our field → existing column. Explicit entries must exist; defaults and guesses are used when present."""
    for target in field_map:
        _check_target(target)
    available = ", ".join(columns)
    resolved: dict[str, str] = {}
    for target in FIELD_NAMES:
        if target in field_map:
            column = _find_column(field_map[target], columns)
            if column is None:
                raise MissingColumnError(f"没有列 {field_map[target]!r}（字段 {target}），现有列：{available} / "
                                         f"no column {field_map[target]!r} for {target}; columns: {available}",
                                         field=target)
            resolved[target] = column
            continue
        guesses = (DEFAULT_FIELD_MAP[target],) if target in DEFAULT_FIELD_MAP else OPTIONAL_FIELD_GUESSES[target]
        column = next(filter(None, (_find_column(guess, columns) for guess in guesses)), None)
        if column is not None:
            resolved[target] = column
        elif target == "code":
            raise MissingColumnError(f"没有图斑编号列 {guesses[0]!r}，请用 --field code=列名 指定。现有列：{available} / "
                                     f"no parcel code column {guesses[0]!r}; map one with --field code=COLUMN. "
                                     f"Columns: {available}", field="code")
    return resolved


def _find_column(name: str, columns: list[str]) -> str | None:
    """Exact match first, then case-insensitive: GeoJSON exports often lower-case DLTB column names."""
    if name in columns:
        return name
    return next((c for c in columns if c.casefold() == name.casefold()), None)


def _read_info(dataset: str, layer: str, encoding: str | None) -> dict:
    try:
        info = pyogrio.read_info(dataset, layer=layer, encoding=encoding, force_feature_count=True,
                                 force_total_bounds=True)
    except (DataSourceError, DataLayerError) as err:
        raise UnreadableSourceError(f"无法读取 / cannot read {dataset}: {err}", field="path") from None
    check_driver(info.get("driver"), dataset)
    return info


@dataclass(frozen=True)
class Keyset:
    """A GeoPackage layer's FID and geometry columns, to read it a page at a time by FID: GDAL's skip_features
    walks past every skipped feature again (0.4 s a batch at the end of a million, a third of the reading)."""

    fid_column: str
    geometry_column: str

    def page(self, layer: str, columns: list[str], after_fid: int, size: int) -> str:
        names = ", ".join(map(_quoted, (self.fid_column, self.geometry_column, *columns)))
        return (f"SELECT {names} FROM {_quoted(layer)} WHERE {_quoted(self.fid_column)} > {int(after_fid)} "
                f"ORDER BY {_quoted(self.fid_column)} LIMIT {int(size)}")


def _keyset(info: dict) -> Keyset | None:
    if info.get("driver") == "GPKG" and info.get("fid_column") and info.get("geometry_name"):
        return Keyset(info["fid_column"], info["geometry_name"])
    return None


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _batches(dataset: str, layer: str, encoding: str | None, columns: list[str], size: int, *,
             read_geometry: bool = True, keyset: Keyset | None = None
             ) -> Iterator[tuple[int, dict, np.ndarray, list[np.ndarray]]]:
    """(index of the first feature, meta, WKB, attribute columns) per `size` features, until the layer ends."""
    start, after_fid = 0, -1
    while True:
        if keyset is None:
            where = {"layer": layer, "columns": columns, "skip_features": start, "max_features": size}
        else:
            where = {"sql": keyset.page(layer, columns, after_fid, size)}
        try:
            meta, fids, wkb, values = pyogrio.raw.read(dataset, encoding=encoding, force_2d=True,
                                                       read_geometry=read_geometry, return_fids=keyset is not None,
                                                       **where)
        except (DataSourceError, DataLayerError) as err:
            raise UnreadableSourceError(f"无法读取 / cannot read {dataset}: {err}", field="path") from None
        count = len(values[0]) if values else len(wkb if wkb is not None else ())
        if not count:
            return
        yield start, meta, wkb, values
        start += count
        if keyset is not None:
            after_fid = int(fids[-1])


def _scan_encoding(dataset: str, layer: str, columns: list[str], size: int) -> tuple[bool, str | None]:
    """Whether any text read as Latin-1 looks garbled, and the encoding that decodes all of it (None if none)."""
    garbled, candidates = False, list(_ENCODINGS)
    for _start, _meta, _wkb, values in _batches(dataset, layer, None, columns, size, read_geometry=False):
        raw = _garbled_bytes(values)
        garbled = garbled or bool(raw)
        candidates = [name for name in candidates if _decodes(raw, name)]
        if garbled and not candidates:  # settled: the rest of the file cannot change the answer
            break
    return garbled, (candidates[0] if garbled and candidates else None)


class _Builder:
    """Turns the raw arrays of each batch into features and rejections, remembering across batches only which
    codes it has seen."""

    def __init__(self, source_crs: CRS, max_vertices: int):
        self.source_crs = source_crs
        self.max_vertices = max_vertices
        self.first_index = _FirstIndexes()

    def batch(self, start: int, wkb: np.ndarray, attributes: dict[str, np.ndarray]) -> ParcelBatch:
        batch = ParcelBatch()
        attributes = {target: _as_list(column) for target, column in attributes.items()}
        codes = [_text(v) for v in attributes["code"]]
        firsts = self.first_index.of(codes, start)
        geoms = shapely.from_wkb(wkb, on_invalid="fix")
        polygonal = np.isin(shapely.get_type_id(geoms), _POLYGONAL_TYPE_IDS) & ~shapely.is_empty(geoms)
        vertices = shapely.get_num_coordinates(geoms)
        valid = shapely.is_valid(geoms)
        keep: list[int] = []
        notes: dict[int, str] = {}
        for offset, geom in enumerate(geoms):
            index = start + offset
            reason = _code_problem(codes[offset], index, firsts[offset])
            if reason is None and not polygonal[offset]:
                reason = _geometry_problem(wkb[offset], geom)
            if reason is None and vertices[offset] > self.max_vertices:
                reason = (f"顶点过多（{vertices[offset]} 个，上限 {self.max_vertices}）/ too many vertices: "
                          f"{vertices[offset]}, at most {self.max_vertices}")
            if reason is None and not valid[offset]:
                fixed, note = repair(geom)
                if fixed is None:
                    reason = f"无法修复的几何 / unrepairable geometry: {note}"
                else:
                    geoms[offset], notes[offset] = fixed, note
            if reason:
                batch.rejected.append(RejectedFeature(index, codes[offset], reason))
            else:
                keep.append(offset)
        if not keep:
            return batch
        source = geoms[keep]
        lonlat = to_lonlat(source, self.source_crs)
        check_lonlat_bounds(tuple(shapely.total_bounds(lonlat)), self.source_crs,
                            tuple(shapely.total_bounds(source)))
        self._repair_after_reprojection(lonlat, keep, notes)
        for offset, geom, area in zip(keep, lonlat, areas_mu(lonlat)):
            row = {target: column[offset] for target, column in attributes.items()}
            batch.features.append(_feature(start + offset, codes[offset], row, geom, float(area), notes.get(offset)))
        return batch

    def _repair_after_reprojection(self, lonlat: np.ndarray, indexes: list[int], notes: dict[int, str]) -> None:
        """Reprojection can turn a near-touch into a crossing; repair those too rather than store them."""
        for position in np.flatnonzero(~shapely.is_valid(lonlat)):
            fixed, note = repair(lonlat[position])
            index = indexes[position]
            if fixed is not None:
                lonlat[position] = fixed
            notes[index] = "; ".join(filter(None, (notes.get(index), f"after reprojection: {note}")))



def _as_list(column: np.ndarray) -> list | np.ndarray:
    """A column as Python values, which the per-feature parsing reads several times faster than numpy scalars;
    dates stay numpy (`tolist` would turn nanosecond ones into integers)."""
    return column if column.dtype.kind == "M" else column.tolist()


def _code_problem(code: str | None, index: int, first: int) -> str | None:
    if code is None:
        return "缺少图斑编号 / missing parcel code"
    if first != index:
        return f"图斑编号重复（首次出现于第 {first} 个要素）/ duplicate code, first at feature {first}"
    return None


def _feature(index: int, code: str, row: dict, geom, area: float, repair_note: str | None) -> ParcelFeature:
    warnings: list[str] = []
    raw_village = _text(row.get("village_code"))
    flags = {name: _flag_value(name, row[name], warnings) if name in row else None for name in FLAG_FIELDS}
    return ParcelFeature(
        index=index, code=code, geometry=geom, area_mu=area,
        land_use_code=_land_use_code(row.get("land_use_code")),
        village_code=_village_code(raw_village, warnings),
        village_name=_text(row.get("village_name")),
        source_area_m2=_number(row.get("source_area_m2"), "source_area_m2", warnings),
        custodian=_text(row.get("custodian")),
        project_name=_text(row.get("project_name")),
        project_accepted_on=_date(row.get("project_accepted_on"), warnings),
        rate_class=_text(row.get("rate_class")),
        land_class_area_m2=_number(row.get("land_class_area_m2"), "land_class_area_m2", warnings),
        repair_note=repair_note, village_code_raw=raw_village, warnings=tuple(warnings), **flags)


class _FirstIndexes:
    """The index of the first feature with each code, over the whole file, in 24 bytes a code (24 MB for a
    million): a 128-bit digest of the code (a collision is as unlikely as one of the content hashes that tell
    unchanged parcels) and the index, in two numpy arrays sorted by digest."""

    def __init__(self):
        self.digests = np.empty(0, dtype="S16")
        self.indexes = np.empty(0, dtype=np.int64)

    def of(self, codes: list[str | None], start: int) -> list[int]:
        """For each code of a batch starting at feature `start`: the index of its first feature (its own
        index when new, and for a missing code)."""
        firsts = list(range(start, start + len(codes)))
        present = [offset for offset, code in enumerate(codes) if code is not None]
        digests = np.array([hashlib.blake2b(codes[offset].encode(), digest_size=16).digest() for offset in present],
                           dtype="S16")
        positions = np.searchsorted(self.digests, digests)
        found = positions < len(self.digests)
        found[found] = self.digests[positions[found]] == digests[found]
        new: dict[bytes, int] = {}
        for digest, offset, known, position in zip(digests.tolist(), present, found, positions):
            firsts[offset] = int(self.indexes[position]) if known else new.setdefault(digest, start + offset)
        if new:
            added = np.array(list(new), dtype="S16")
            order = np.argsort(added)
            at = np.searchsorted(self.digests, added[order])
            self.digests = np.insert(self.digests, at, added[order])
            self.indexes = np.insert(self.indexes, at, np.fromiter(new.values(), np.int64, len(new))[order])
        return firsts


def _geometry_problem(wkb: bytes | None, geom) -> str:
    """Why a feature has no usable polygon (only called for those)."""
    if wkb is None:
        return "几何为空 / null geometry"
    if geom is None:
        return "几何无法解析 / unreadable geometry"
    if geom.is_empty:
        return "几何为空 / empty geometry"
    return f"不是面要素 / not a polygon: {geom.geom_type}"


def _garbled_bytes(columns: list[np.ndarray]) -> list[bytes]:
    """GBK or UTF-8 read as Latin-1 (GDAL's default for a .dbf without .cpg) turns Chinese into U+0080–U+00FF:
    such texts, as the bytes they were."""
    return [v.encode("latin-1") for column in columns if column.dtype == object for v in column
            if isinstance(v, str) and _GARBLED.search(v)]


def _decodes(raw: list[bytes], encoding: str) -> bool:
    """UTF-8 is tried first (strict, so rarely a false match), then GBK, the usual encoding of Chinese survey
    data without a .cpg."""
    try:
        for data in raw:
            data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, (float, np.floating)) and math.isnan(value)) or (
        isinstance(value, np.datetime64) and np.isnat(value))


def _text(value) -> str | None:
    """Attribute as trimmed text; numbers written without a trailing ".0" (codes often come as doubles)."""
    if _is_missing(value):
        return None
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _land_use_code(value) -> str | None:
    """三调 地类编码 are four characters ("0101"); a numeric column has lost the leading zero."""
    text = _text(value)
    if text is not None and text.isdigit() and not isinstance(value, str):
        return text.zfill(_LAND_USE_CODE_DIGITS)
    return text


def _village_code(raw: str | None, warnings: list[str]) -> str | None:
    """The 12-digit village code from a 坐落单位代码 (19 digits in 三调: village + 7-digit unit suffix)."""
    if raw is None:
        return None
    if raw.isdigit() and len(raw) >= _VILLAGE_CODE_DIGITS:
        return raw[:_VILLAGE_CODE_DIGITS]
    warnings.append(f"坐落单位代码不是村级代码 / village code {raw!r} is not a 12+ digit code")
    return None


def _number(value, name: str, warnings: list[str]) -> float | None:
    if _is_missing(value) or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        warnings.append(f"{name}: 不是数字 / not a number: {value!r}")
        return None


def parse_flag(value) -> bool | None:
    """A land-class flag from the usual spellings ("1", "是", "Y", "true", 1, True); empty is "no".

    None when the value is not recognised: better unknown than a guessed 永久基本农田 status.
    """
    if _is_missing(value):
        return False
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    text = _text(value)
    folded = (text or "").casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    return None


def _flag_value(name: str, value, warnings: list[str]) -> bool | None:
    flag = parse_flag(value)
    if flag is None:
        warnings.append(f"{name}: 无法识别的取值 / unrecognised value {value!r}")
    return flag


_DATE_PATTERNS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"), re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)


def _date(value, warnings: list[str]) -> date | None:
    """Date columns arrive as datetime64 (GPKG, FileGDB) or as text/numbers in many local spellings."""
    if _is_missing(value):
        return None
    if isinstance(value, np.datetime64):
        return value.astype("datetime64[D]").item()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value) or ""
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text.split(" ")[0].split("T")[0])
        if match:
            try:
                return date(*map(int, match.groups()))
            except ValueError:
                break
    if text:
        warnings.append(f"project_accepted_on: 无法识别的日期 / unrecognised date {value!r}")
    return None
