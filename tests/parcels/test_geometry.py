"""Geometry and CRS helpers of the parcel reader."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import GeometryCollection, LineString, MultiPolygon, Point, Polygon

from server.parcels.crs import (InvalidCrsError, guess_crs_from_bounds, parse_crs, resolve_crs, to_lonlat,
                                transformer_to_lonlat)
from server.parcels.geometry import SQUARE_METRES_PER_MU, area_mu, areas_mu, repair, to_wkb

GK40 = Transformer.from_crs(4528, 4490, always_xy=True)


def gk_square(east: float, north: float, side: float) -> Polygon:
    corners = [(east, north), (east + side, north), (east + side, north + side), (east, north + side)]
    return Polygon([GK40.transform(x, y) for x, y in corners])


def test_a_hectare_is_fifteen_mu():
    assert SQUARE_METRES_PER_MU * 15 == pytest.approx(10_000)
    # Near the central meridian the GK scale factor is ~1, so 100 m × 100 m in the projection is ~1 ha.
    assert area_mu(gk_square(40_500_000, 3_350_000, 100)) == pytest.approx(15, rel=1e-4)


def test_area_subtracts_holes_and_adds_parts():
    outer, hole = gk_square(40_519_000, 3_353_000, 100), gk_square(40_519_040, 3_353_040, 20)
    second = gk_square(40_519_300, 3_353_000, 50)

    holed = Polygon(outer.exterior, [hole.exterior])

    assert area_mu(holed) == pytest.approx(area_mu(outer) - area_mu(hole), rel=1e-9)
    assert area_mu(MultiPolygon([holed, second])) == pytest.approx(area_mu(holed) + area_mu(second), rel=1e-9)
    assert area_mu(outer.reverse()) == pytest.approx(area_mu(outer))  # ring orientation does not matter


def test_areas_mu_matches_area_mu():
    outer, hole = gk_square(40_519_000, 3_353_000, 100), gk_square(40_519_040, 3_353_040, 20)
    geoms = np.array([Polygon(outer.exterior, [hole.exterior]), outer.reverse(),
                      MultiPolygon([outer, gk_square(40_519_300, 3_353_000, 50)])], dtype=object)

    np.testing.assert_allclose(areas_mu(geoms), [area_mu(g) for g in geoms], rtol=1e-12)
    assert areas_mu(np.array([], dtype=object)).shape == (0,)


def test_wkb_is_2d_for_a_geometry_and_an_array():
    square = Polygon([(120.0, 30.0, 5.0), (120.1, 30.0, 5.0), (120.1, 30.2, 5.0), (120.0, 30.0, 5.0)])

    assert not shapely.from_wkb(to_wkb(square)).has_z
    assert not any(shapely.has_z(shapely.from_wkb(to_wkb(np.array([square, square], dtype=object)))))


def test_repair_keeps_valid_geometry_and_fixes_a_bowtie():
    square = Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])
    bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])

    assert repair(square) == (square, None)
    fixed, note = repair(bowtie)
    assert fixed.geom_type == "MultiPolygon" and fixed.is_valid and fixed.area == pytest.approx(0.5)
    assert "Self-intersection" in note


def test_repair_drops_lines_and_gives_up_without_area():
    # A polygon with a dangling spike: make_valid returns the polygon plus the spike as a line.
    spiky = Polygon([(0, 0), (2, 0), (2, 2), (1, 2), (1, 3), (1, 2), (0, 2)])
    flat = Polygon([(0, 0), (1, 0), (2, 0), (0, 0)])

    fixed, note = repair(spiky)
    assert fixed.geom_type == "Polygon" and fixed.area == pytest.approx(4) and note
    assert repair(flat)[0] is None and "no area" in repair(flat)[1]


def test_repair_result_is_always_polygonal():
    no_area = GeometryCollection([Point(0, 0), LineString([(0, 0), (5, 5)])])
    two_bowties = MultiPolygon([Polygon([(0, 0), (1, 1), (1, 0), (0, 1)]),
                                Polygon([(5, 0), (6, 1), (6, 0), (5, 1)])])

    assert repair(no_area)[0] is None
    fixed, _note = repair(two_bowties)
    assert fixed.geom_type == "MultiPolygon" and len(fixed.geoms) == 4 and fixed.is_valid


@pytest.mark.parametrize("zone", range(25, 46))
def test_prefixed_eastings_name_the_three_degree_zone(zone):
    easting = zone * 1_000_000 + 515_395

    guess = guess_crs_from_bounds((easting, 3_350_055, easting + 900, 3_351_000))

    [epsg] = guess.candidates
    assert CRS.from_epsg(epsg).name == f"CGCS2000 / 3-degree Gauss-Kruger zone {zone}"


@pytest.mark.parametrize("bounds, candidates", [
    ((40_515_395, 3_350_055, 40_530_000, 3_360_000), (4528,)),
    ((39_800_000, 3_200_000, 39_900_000, 3_300_000), (4527,)),
    ((41_300_000, 3_300_000, 41_400_000, 3_400_000), (4529,)),
    ((515_395, 3_350_055, 530_000, 3_360_000), (4548, 4549, 4550)),
    ((120.1, 30.2, 120.3, 30.4), (4490,)),
    ((-1e9, 0, 1e9, 1), ()),
    (None, ()),
])
def test_guess_crs_from_bounds(bounds, candidates):
    guess = guess_crs_from_bounds(bounds)

    assert guess.candidates == candidates
    assert guess.explanation


@pytest.mark.parametrize("value", ["EPSG:4528", "epsg:4528", "4528", 4528, " 4528 ", CRS.from_epsg(4528)])
def test_parse_crs(value):
    assert parse_crs(value).to_epsg() == 4528


def test_parse_crs_refuses_nonsense():
    with pytest.raises(InvalidCrsError, match="zone40"):
        parse_crs("zone40")


def test_resolve_crs_prefers_the_override():
    assert resolve_crs("EPSG:4549", "4528", None)[0].to_epsg() == 4528
    assert resolve_crs("EPSG:4549", None, None) == (CRS.from_epsg(4549), "file")


def test_reprojection_is_lon_lat_whatever_the_epsg_axis_order():
    # Worked example from DOMAIN.md §6: Hangzhou (120.16°E, 30.27°N) is E 515,395.85 N 3,350,055.01 in EPSG:4549.
    square = Polygon([(515_395.85, 3_350_055.01), (515_400, 3_350_055), (515_400, 3_350_060)])

    [lonlat] = to_lonlat(np.array([square], dtype=object), CRS.from_epsg(4549))

    assert lonlat.exterior.coords[0] == pytest.approx((120.16, 30.27), abs=1e-7)
    assert transformer_to_lonlat(CRS.from_epsg(4549)) is transformer_to_lonlat(CRS.from_epsg(4549))


def test_lonlat_sources_are_not_transformed():
    geoms = np.array([Point(120.16, 30.27)], dtype=object)

    assert to_lonlat(geoms, CRS.from_epsg(4326)) is geoms
    assert to_lonlat(geoms, CRS.from_epsg(4490)) is geoms
