"""The content hash that tells an unchanged parcel on a re-import: its rule must not drift, or every parcel of
every county would count as updated (and reach every device again) on the next import after an upgrade."""

from __future__ import annotations

import hashlib

import pytest

from server.parcels.service import _ROW_COLUMNS, _content_hash


def hash_by_rule(row: dict) -> str:
    """The rule stored hashes were made with: SHA-256 over each column's name and value (repr; bytes as they
    are), by name, leaving out a missing land-class area."""
    parts = []
    for key in sorted(row):
        value = row[key]
        if key == "land_class_area_m2" and value is None:
            continue
        parts += (key.encode(), value if isinstance(value, bytes) else repr(value).encode())
    return hashlib.sha256(b"".join(parts)).hexdigest()


ROWS = [
    dict(county_id=7, code="330110001001000001", village_id=12, geometry_wkb=b"\x01\x03\x00\x00\x00\x01",
         min_lon=120.2, min_lat=30.3, max_lon=120.2008, max_lat=30.30055, area_mu=7.2001, source_area_m2=4800.5,
         land_use_code="0101", is_permanent_basic=True, is_high_standard=False, is_grain_zone=False,
         custodian="张三", project_id=None, rate_class="permanent_basic", land_class_area_m2=None),
    dict(county_id=1, code="P-2", village_id=3, geometry_wkb=bytes(range(256)), min_lon=-0.0, min_lat=1e-07,
         max_lon=1.0, max_lat=2.5, area_mu=0.0001, source_area_m2=None, land_use_code=None,
         is_permanent_basic=False, is_high_standard=True, is_grain_zone=True, custodian=None, project_id=4,
         rate_class="general_farmland", land_class_area_m2=4321.25),
]


@pytest.mark.parametrize("row", ROWS)
def test_the_hash_follows_the_rule_of_stored_hashes(row):
    assert set(row) | {"content_hash"} == set(_ROW_COLUMNS)
    assert _content_hash(*(row[name] for name in _ROW_COLUMNS[:-1])) == hash_by_rule(row)
