import json
from datetime import date

import pytest
from shapely.geometry import shape

from conftest import SHARED
from mapapp.areas import BaselineError, areas_at, load_baseline, no_longer_occupied, town_radius_km
from mapapp.articles import Article
from mapapp.events import events_from_articles

DEEPSTATE = SHARED / "reference" / "deepstate"


def _events():
    texts = [("a", date(2022, 9, 10), "Ukrainian troops recaptured Balakliia on Thursday and liberated Izium on "
                                      "Friday. Heavy fighting continued around Lyman.")]
    return events_from_articles([Article(i, i, "o", d, t) for i, d, t in texts])


def test_without_baseline_reported_areas_and_no_front_line():
    areas = areas_at(_events(), date(2022, 9, 10))
    kinds = {(p["status"], p["basis"]) for p in areas.polygons}
    assert ("liberated", "reported") in kinds and ("contested", "reported") in kinds
    assert not any(line["kind"] == "front_line" for line in areas.lines)
    collection = areas.feature_collection()
    for feature in collection["features"]:
        geom = shape(feature["geometry"])
        assert geom.is_valid and 30 < geom.centroid.x < 41 and 46 < geom.centroid.y < 52   # lon, lat
        assert feature["properties"]["sources"]
    assert areas_at(_events(), date(2022, 9, 7)).polygons == []   # before the events: an empty, valid map


def test_town_radius_grows_with_population():
    assert town_radius_km(0) == 4.0 and town_radius_km(300) == 4.0
    assert 6.5 < town_radius_km(26_000) < 7.5 and town_radius_km(1_400_000) == 10.0


@pytest.mark.skipif(not DEEPSTATE.exists(), reason="../shared/reference not beside this checkout")
def test_with_a_deepstate_baseline_the_liberated_ground_is_inside_the_old_occupied_ground():
    baseline = load_baseline(DEEPSTATE / "2022-09-06.geojson")
    areas = areas_at(_events(), date(2022, 9, 10), baseline=baseline)
    shown = no_longer_occupied(areas)
    assert shown.area > 0 and shown.difference(baseline.occupied.buffer(1)).area < 1
    assert any(line["kind"] == "front_line" for line in areas.lines)
    assert any(line["kind"] == "advance" for line in areas.lines)
    occupied = [p for p in areas.polygons if p["status"] == "occupied"][0]["geometry"]
    assert occupied.area < baseline.occupied.area


@pytest.mark.parametrize("content, message", [
    ("", "empty"), ("not json at all", "neither GeoJSON nor KML"),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "x"}, '
     '"geometry": {"type": "Polygon", "coordinates": [[[36, 49], [37, 49], [37, 50], [36, 49]]]}}]}', "no polygon"),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"status": "occupied"}, '
     '"geometry": {"type": "Polygon", "coordinates": [[[3600000, 4900000], [3700000, 4900000], [3700000, 5000000], '
     '[3600000, 4900000]]]}}]}', "not longitude/latitude"),
    ("<kml><oops", "not valid KML"),
])
def test_bad_baselines_get_a_clear_message(tmp_path, content, message):
    path = tmp_path / "baseline.geojson"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BaselineError, match=message):
        load_baseline(path)


def test_a_self_intersecting_polygon_is_repaired_and_kml_reads(tmp_path):
    bowtie = {"type": "FeatureCollection", "properties": {"date": "2022-09-06"}, "features": [
        {"type": "Feature", "properties": {"status": "occupied"},
         "geometry": {"type": "Polygon", "coordinates": [[[36, 49], [38, 50], [38, 49], [36, 50], [36, 49]]]}}]}
    path = tmp_path / "b.geojson"
    path.write_text(json.dumps(bowtie), encoding="utf-8")
    baseline = load_baseline(path)
    assert baseline.occupied.is_valid and baseline.occupied.area > 0 and baseline.date == date(2022, 9, 6)
    kml = tmp_path / "b.kml"
    kml.write_text('<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>occupied</name><Polygon>'
                   '<outerBoundaryIs><LinearRing><coordinates>36,49 38,49 38,50 36,50 36,49</coordinates>'
                   '</LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>', encoding="utf-8")
    assert load_baseline(kml, as_of=date(2022, 9, 6)).occupied.area > 1e10
