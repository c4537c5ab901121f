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


def test_fighting_reports_mark_ground_contested_for_a_month_not_for_ever():
    events = events_from_articles([Article("b", "b", "o", date(2023, 3, 1),
                                           "Russian forces advanced toward Vuhledar on Wednesday. Heavy fighting "
                                           "continued around Marinka.")])
    assert {e.event_type for e in events} == {"advance", "contested"}

    def contested_km2(when):
        return sum(p["area_km2"] for p in areas_at(events, when).feature_collection()["features"]
                   for p in [p["properties"]] if p["status"] == "contested")

    assert contested_km2(date(2023, 3, 1)) > 100 and contested_km2(date(2023, 3, 31)) == contested_km2(
        date(2023, 3, 1))
    assert contested_km2(date(2023, 4, 15)) == 0   # six weeks on with no newer report: no longer drawn


def test_a_region_reported_as_a_whole_marks_no_ground_at_its_reference_point():
    """"Fighting in the Zaporizhzhia region" names no place in it: no disc at the oblast's reference point; the
    village reported beside it still marks its ground."""
    events = events_from_articles([Article("z", "z", "o", date(2023, 6, 8),
                                           "Russian forces have attacked in the Zaporizhzhia region, and heavy "
                                           "fighting is under way near Robotyne.")])
    assert {(e.place.kind, e.event_type) for e in events} == {("region", "advance"), ("settlement", "contested")}
    region = next(e for e in events if e.place.kind == "region")
    village = next(e for e in events if e.place.kind == "settlement")
    areas = areas_at(events, date(2023, 6, 8))
    contested = [p for p in areas.feature_collection()["features"] if p["properties"].get("status") == "contested"]
    assert contested and all(p["properties"]["sources"] == [village.event_id] for p in contested)
    assert not any(shape(p["geometry"]).buffer(0.05).contains(shape({"type": "Point", "coordinates":
                                                                    [region.place.lon, region.place.lat]}))
                   for p in contested)


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


# ------------------------------------------------------------------------------------------------------------
# The front line: only where occupied ground meets Ukrainian-held land — not along the edge of a clipped baseline

def _clipped_baseline_file(tmp_path, clip_east: float | None):
    """A control map of central Ukraine (far from any border or coast): an occupied disc of 60 km and a liberated
    disc beside it, both clipped — like DeepState's files — to a lon/lat box whose east side cuts the occupied
    disc (``clip_east``), or not clipped at all (None). Returns the file and the whole occupied disc (lon/lat)."""
    from shapely.geometry import Point, box, mapping

    from mapapp.areas import to_metric, to_wgs84

    centre = to_metric(Point(32.0, 48.6))
    occupied = disc = to_wgs84(centre.buffer(60_000, quad_segs=64))
    liberated = to_wgs84(to_metric(Point(32.0, 47.7)).buffer(30_000, quad_segs=64))
    if clip_east is not None:
        clip = box(30.0, 46.0, clip_east, 51.0)
        occupied, liberated = occupied.intersection(clip), liberated.intersection(clip)
    collection = {"type": "FeatureCollection", "properties": {"date": "2022-09-06"}, "features": [
        {"type": "Feature", "properties": {"status": status}, "geometry": mapping(geom)}
        for status, geom in (("occupied", occupied), ("liberated", liberated))]}
    path = tmp_path / f"clipped-{clip_east}.geojson"
    path.write_text(json.dumps(collection), encoding="utf-8")
    return path, disc


def _front(areas):
    from shapely.ops import unary_union

    return unary_union([line["geometry"] for line in areas.lines if line["kind"] == "front_line"])


def test_the_edge_where_a_baseline_was_clipped_is_no_front_line(tmp_path):
    from shapely.geometry import LineString, box

    from mapapp.areas import baseline_from_bytes, to_metric

    east = 32.5   # cuts the occupied disc (32.0 ± ~0.81°) along a meridian
    path, disc = _clipped_baseline_file(tmp_path, clip_east=east)
    baseline = load_baseline(path)
    assert baseline.extent[2] == pytest.approx(east)
    front = _front(areas_at([], date(2022, 9, 10), baseline=baseline))
    arc = to_metric(disc.exterior).intersection(to_metric(box(30, 46, east, 51).segmentize(0.01)))
    cut = to_metric(LineString([(east, 47.0), (east, 50.5)]).segmentize(0.01))
    occupied_edge = baseline.occupied.boundary.length
    assert occupied_edge > arc.length + 80_000               # the straight cut: ~95 km
    assert front.length == pytest.approx(arc.length, rel=0.01)   # the curved edge, not the straight cut
    assert front.intersection(cut.buffer(200)).length < 2_000    # only where the arc meets the cut, ~1 km each end
    # the same holds for a file a user uploads, clipped to a region
    uploaded = baseline_from_bytes(path.read_bytes(), "my-region.geojson")
    assert uploaded.extent == baseline.extent and uploaded.source == "my-region.geojson"
    assert _front(areas_at([], date(2022, 9, 10), baseline=uploaded)).length == pytest.approx(front.length)


def test_an_unclipped_baseline_keeps_its_whole_front_even_where_it_touches_its_extent(tmp_path):
    from mapapp.areas import to_metric

    path, disc = _clipped_baseline_file(tmp_path, clip_east=None)
    baseline = load_baseline(path)
    # the occupied disc is the file's outermost ground on three sides: its edge touches the extent there
    assert baseline.extent[2] == pytest.approx(disc.bounds[2]) and baseline.extent[3] == pytest.approx(disc.bounds[3])
    front = _front(areas_at([], date(2022, 9, 10), baseline=baseline))
    assert front.length == pytest.approx(to_metric(disc.exterior).length, rel=0.02)


@pytest.mark.skipif(not DEEPSTATE.exists(), reason="../shared/reference not beside this checkout")
def test_the_deepstate_box_edge_is_no_front_line():
    from shapely.geometry import LineString

    from mapapp.areas import to_metric, ukraine_m

    baseline = load_baseline(DEEPSTATE / "2022-09-06.geojson")   # clipped to lon 34.0–40.3, lat 47.5–51.0
    west, south, east, north = baseline.extent
    assert (west, south, north) == pytest.approx((34.0, 47.5, 51.0))
    sides = [LineString([(west, south), (east, south)]), LineString([(west, north), (east, north)]),
             LineString([(west, south), (west, north)]), LineString([(east, south), (east, north)])]
    box_edge = to_metric(sides[0].union(sides[1]).union(sides[2]).union(sides[3]).segmentize(0.01)).buffer(100)
    # the occupied ground runs along the south side for ~220 km (Zaporizhzhia–Donetsk, cut at 47.5° N)
    assert baseline.occupied.boundary.intersection(box_edge).length > 200_000
    areas = areas_at(_events(), date(2022, 9, 10), baseline=baseline)
    front = _front(areas)
    assert front.length > 500_000                                  # Kharkiv oblast to the Donbas, still there
    assert front.intersection(box_edge).length < 5_000             # only where real edges meet the box
    assert front.difference(ukraine_m()).length < 1                # on Ukrainian land
    for arrow in (line["geometry"] for line in areas.lines if line["kind"] == "advance"):
        assert arrow.distance(box_edge) > 0                        # advances start on the front, not the box


# ------------------------------------------------------------------------------------------------------------
# Valid geometry out, whatever the date and baseline

@pytest.fixture(scope="module")
def seed_events(seed_db):
    from mapapp.store import Store

    with Store(seed_db) as store:
        return seed_db, store.events()


def _assert_clean(collection):
    """Every polygon valid, non-empty, without slivers, and still valid written with 6 decimals; every line has
    length."""
    import shapely

    from mapapp.areas import MIN_AREA_KM2, to_metric

    assert collection["type"] == "FeatureCollection"
    for feature in collection["features"]:
        geom = shape(feature["geometry"])
        what = (feature["properties"].get("status"), feature["properties"].get("basis"),
                feature["properties"].get("kind"))
        assert not geom.is_empty, what
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            assert geom.is_valid, (what, shapely.is_valid_reason(geom))
            assert shapely.set_precision(geom, 1e-6, mode="pointwise").is_valid, what
            for part in shapely.get_parts(geom):
                assert to_metric(part).area >= MIN_AREA_KM2 * 1e6, what
                assert all(to_metric(shapely.Polygon(ring)).area >= MIN_AREA_KM2 * 1e6 for ring in part.interiors)
        else:
            assert geom.geom_type in ("LineString", "MultiLineString") and geom.length > 0, what


def _dates_and_baselines():
    cases = [(None, day) for day in ("2021-01-01", "2022-05-17", "2022-09-09", "2022-09-10", "2022-10-02")]
    if DEEPSTATE.exists():
        cases += [("2022-04-25", "2022-05-17"), ("2022-05-01", "2022-09-10"), ("2022-09-06", "2022-09-08"),
                  ("2022-09-06", "2022-09-10"), ("2022-09-06", "2022-09-11"), ("2022-09-08", "2022-10-02")]
    return cases


def test_every_feature_is_valid_after_reprojection_with_and_without_a_baseline(seed_events):
    _, events = seed_events
    baselines = {}
    for base_day, day in _dates_and_baselines():
        if base_day and base_day not in baselines:
            baselines[base_day] = load_baseline(DEEPSTATE / f"{base_day}.geojson")
        areas = areas_at(events, date.fromisoformat(day), baseline=baselines.get(base_day))
        for polygon in areas.polygons:                  # in metres too
            assert polygon["geometry"].is_valid and not polygon["geometry"].is_empty
        _assert_clean(json.loads(json.dumps(areas.feature_collection())))


def test_cli_areas_output_is_valid_geojson(seed_events):
    from conftest import run_cli

    db, _ = seed_events
    runs = [["--date", "2022-09-10"]]
    if DEEPSTATE.exists():
        runs.append(["--date", "2022-09-10", "--baseline", DEEPSTATE / "2022-09-06.geojson"])
    for args in runs:
        result = run_cli("--db", db, "areas", *args)
        assert result.returncode == 0, result.stderr.decode()
        collection = json.loads(result.stdout)
        assert collection["features"]
        _assert_clean(collection)
