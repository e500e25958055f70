"""Geofence on a synthetic 100 m parcel near 120°E 30°N, with geotagged JPEGs at known distances."""

import pytest
from shapely.geometry import Point

from server.evidence import (
    GeofencePolicy,
    PhotoContext,
    assess_photo,
    check_geofence,
    distance_to_parcel_m,
    extract_metadata,
    wgs84_to_gcj02,
)

from .conftest import GEOD


def geofence_finding(findings):
    (only,) = [f for f in findings if f.code.startswith("GEOFENCE_")]
    return only


@pytest.mark.parametrize("metres", [1.0, 10.0, 30.0, 100.0, 1000.0])
def test_distance_is_metres_not_degrees(parcel, east_of_parcel, metres):
    lon, lat = east_of_parcel(metres)
    assert distance_to_parcel_m(lon, lat, parcel) == pytest.approx(metres, abs=0.05)


def test_inside_is_zero(parcel):
    centre = parcel.centroid
    assert distance_to_parcel_m(centre.x, centre.y, parcel) == 0.0


def test_north_south_and_east_west_scale_differ_in_degrees_not_in_metres(parcel):
    # At 30°N a metre is a different number of degrees east-west than north-south.
    (sw, se, ne, nw, _) = parcel.exterior.coords
    north_lon, north_lat, _ = GEOD.fwd((nw[0] + ne[0]) / 2, nw[1], 0, 40)
    east_lon, east_lat, _ = GEOD.fwd(ne[0], (se[1] + ne[1]) / 2, 90, 40)
    assert distance_to_parcel_m(north_lon, north_lat, parcel) == pytest.approx(40, abs=0.05)
    assert distance_to_parcel_m(east_lon, east_lat, parcel) == pytest.approx(40, abs=0.05)


@pytest.mark.parametrize(
    "metres, code",
    [
        (None, "GEOFENCE_PASS"),  # inside
        (10.0, "GEOFENCE_PASS"),
        (30.0, "GEOFENCE_WARN"),
        (100.0, "GEOFENCE_FAIL"),
    ],
)
def test_photo_at_known_distance(jpeg, parcel, east_of_parcel, metres, code):
    if metres is None:
        lon, lat = parcel.centroid.x, parcel.centroid.y
    else:
        lon, lat = east_of_parcel(metres)
    meta = extract_metadata(jpeg(lat, lon))
    assert meta.gps.lat == pytest.approx(lat, abs=1e-7)
    found = geofence_finding(assess_photo(meta, PhotoContext(parcel=parcel)))
    assert found.code == code
    assert found.data["distance_m"] == pytest.approx(metres or 0.0, abs=0.1)


def test_gcj02_shifted_photo_gets_its_own_code(jpeg, parcel):
    true_lon, true_lat = parcel.centroid.x, parcel.centroid.y
    gcj_lat, gcj_lon = wgs84_to_gcj02(true_lat, true_lon)
    meta = extract_metadata(jpeg(gcj_lat, gcj_lon))
    found = geofence_finding(assess_photo(meta, PhotoContext(parcel=parcel)))
    assert found.code == "GEOFENCE_GCJ02_SHIFT"
    assert found.data["distance_m"] > 400
    assert found.data["corrected_distance_m"] < 1.0


def test_photo_really_far_away_is_a_plain_fail(parcel, east_of_parcel):
    lon, lat = east_of_parcel(5000)
    assert check_geofence(lon, lat, parcel).code == "GEOFENCE_FAIL"


def test_reported_accuracy_widens_the_pass_band(parcel, east_of_parcel):
    lon, lat = east_of_parcel(30)
    assert check_geofence(lon, lat, parcel, accuracy_m=35).code == "GEOFENCE_PASS"
    assert check_geofence(lon, lat, parcel, accuracy_m=5).code == "GEOFENCE_WARN"


def test_policy_is_configurable(parcel, east_of_parcel):
    lon, lat = east_of_parcel(30)
    assert check_geofence(lon, lat, parcel, policy=GeofencePolicy(pass_m=40)).code == "GEOFENCE_PASS"
    lon, lat = east_of_parcel(60)
    assert check_geofence(lon, lat, parcel, policy=GeofencePolicy(warn_m=80)).code == "GEOFENCE_WARN"


def test_multipolygon_parcels(parcel, east_of_parcel):
    lon, lat = east_of_parcel(500)
    far_part = Point(lon, lat).buffer(0.0001)
    both = parcel.union(far_part)
    assert distance_to_parcel_m(lon, lat, both) == 0.0
