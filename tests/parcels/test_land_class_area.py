"""The 三调 land-class area (TBDLMJ), which compensation pays on: read when the file has it, and a file
without it keeps the content hashes of earlier imports (nothing to re-sync to the phones)."""

from __future__ import annotations

import numpy as np

from server.parcels.geometry import to_wkb
from server.parcels.reader import read_parcels
from server.parcels.service import _ROW_COLUMNS, _content_hash, _row
from tests.parcels.test_content_hash import hash_by_rule
from tests.parcels.test_reader import dltb, lonlat


def test_tbdlmj_is_read_when_present(layer_file):
    path = layer_file([lonlat(120.2, 30.3), lonlat(120.21, 30.3)],
                      dltb(["P1", "P2"], TBMJ=[2000.0, 1500.0], TBDLMJ=[1850.5, None]))
    first, second = read_parcels(path).features
    assert (first.source_area_m2, first.land_class_area_m2) == (2000.0, 1850.5)
    assert second.land_class_area_m2 is None
    assert read_parcels(layer_file([lonlat(120.2, 30.3)], dltb(["P1"]), name="old.gpkg")).features[0] \
        .land_class_area_m2 is None


def test_an_absent_land_class_area_keeps_the_earlier_hash(layer_file):
    [feature] = read_parcels(layer_file([lonlat(120.2, 30.3)], dltb(["P1"], TBMJ=[2000.0]))).features
    row = dict(zip(_ROW_COLUMNS, _row(feature, 1, 1, None, to_wkb(feature.geometry),
                                      list(feature.geometry.bounds))))
    without = {key: value for key, value in row.items() if key not in ("land_class_area_m2", "content_hash")}
    assert row["content_hash"] == hash_by_rule(without)
    with_area = row | {"land_class_area_m2": 1850.5}
    assert _content_hash(*(with_area[name] for name in _ROW_COLUMNS[:-1])) != row["content_hash"]
    assert np.isclose(feature.area_mu, row["area_mu"], atol=1e-4)
