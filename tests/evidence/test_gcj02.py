import pytest
from pyproj import Geod

from server.evidence.gcj02 import gcj02_to_wgs84, out_of_china, wgs84_to_gcj02

GEOD = Geod(ellps="WGS84")
# (wgs lat, wgs lon, gcj lat, gcj lon), eviltransform's own test vectors
VECTORS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]


def metres(lat_a, lon_a, lat_b, lon_b):
    return GEOD.inv(lon_a, lat_a, lon_b, lat_b)[2]


@pytest.mark.parametrize("wgs_lat, wgs_lon, gcj_lat, gcj_lon", VECTORS)
def test_forward_matches_reference(wgs_lat, wgs_lon, gcj_lat, gcj_lon):
    lat, lon = wgs84_to_gcj02(wgs_lat, wgs_lon)
    assert metres(lat, lon, gcj_lat, gcj_lon) < 0.05


@pytest.mark.parametrize("wgs_lat, wgs_lon, gcj_lat, gcj_lon", VECTORS)
def test_exact_inverse_within_half_a_metre(wgs_lat, wgs_lon, gcj_lat, gcj_lon):
    lat, lon = gcj02_to_wgs84(gcj_lat, gcj_lon)
    assert metres(lat, lon, wgs_lat, wgs_lon) < 0.5


def test_zhejiang_offset_is_about_half_a_kilometre_ese():
    lat, lon = wgs84_to_gcj02(30.27, 120.16)  # Hangzhou
    azimuth, _, distance = GEOD.inv(120.16, 30.27, lon, lat)
    assert 480 < distance < 600
    assert 100 < azimuth % 360 < 140


def test_round_trip_over_zhejiang():
    for lat in (27.1, 28.5, 30.0, 31.1):
        for lon in (118.1, 120.0, 122.9):
            back = gcj02_to_wgs84(*wgs84_to_gcj02(lat, lon))
            assert metres(*back, lat, lon) < 0.5


def test_no_shift_outside_china():
    assert out_of_china(51.5, -0.1)
    assert wgs84_to_gcj02(51.5, -0.1) == (51.5, -0.1)
    assert gcj02_to_wgs84(51.5, -0.1) == (51.5, -0.1)
