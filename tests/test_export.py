"""Exports read back as a user would: images open at their size with the map drawn where the places are, vector
files parse, data files open in the tools analysts use, the CLI fails clearly on bad input. No network."""

import csv
import io
import json
import shutil
import xml.etree.ElementTree as ET
from datetime import date

import numpy as np
import pytest
from PIL import Image

from conftest import run_cli

WHEN = date(2022, 9, 10)
NOTHING_YET = date(2021, 1, 1)


@pytest.fixture(scope="module")
def events(seed_db):
    from mapapp.store import Store

    with Store(seed_db) as store:
        return store.events()


def _rgb(path_or_bytes) -> np.ndarray:
    with Image.open(io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes) as image:
        return np.asarray(image.convert("RGB")).astype(int)


def _size(path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


def _near(pixels: np.ndarray, hex_colour: str, tolerance: int = 40) -> np.ndarray:
    target = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)])
    return np.abs(pixels - target).sum(axis=-1) <= tolerance


# ------------------------------------------------------------------------------------------------------------
# Static map


@pytest.mark.parametrize("size,expected", [("social", (1200, 675)), ("web", (1600, 1000)), ("print", (3508, 2480))])
def test_png_has_the_newsroom_size_and_alt_text(events, tmp_path, size, expected):
    from mapapp.export import export_map

    out = export_map(events, WHEN, tmp_path / "map.png", size=size, title="Kharkiv counteroffensive")
    with Image.open(out) as image:
        assert image.size == expected
        text = dict(image.text)
    description = text["Description"]
    assert "Balakliia" in description and "km²" in description and "not verified" in description
    assert text["Title"] == "Kharkiv counteroffensive"
    assert (tmp_path / "map.png.txt").read_text(encoding="utf-8").strip() == description
    pixels = _rgb(out)
    assert (pixels.sum(axis=-1) < 740).mean() > 0.5   # mostly map, not a blank page


def test_places_are_drawn_where_they_are_in_their_status_colour(events, tmp_path):
    """Balakliia (liberated, blue) and Lyman (fought over, orange) at their own pixels; the legend's panel lies
    outside the map's frame."""
    from mapapp.render import style
    from mapapp.render.static_map import map_canvas

    canvas = map_canvas(events, WHEN, size="social")
    path = tmp_path / "map.png"
    canvas.fig.savefig(path, dpi=canvas.size.dpi)
    pixels = _rgb(path)
    height = pixels.shape[0]
    for name, lat, lon, status in (("Balakliia", 49.456, 36.844, "liberated"), ("Lyman", 48.990, 37.808, "contested")):
        xs, ys = canvas.view.xy([lon], [lat])
        x, y = canvas.ax.transData.transform((xs[0], ys[0]))
        row, col = int(round(height - y)), int(round(x))
        patch = pixels[row - 2:row + 3, col - 2:col + 3]
        assert _near(patch, style.STATUS_COLOURS[status], 60).any(), (name, patch[2, 2])
    map_box = canvas.ax.get_window_extent(canvas.renderer)
    legend_box = canvas.legend.get_window_extent(canvas.renderer)
    assert not map_box.overlaps(legend_box)
    # the liberated areas are filled: a pale blue blend appears inside the frame
    inside = pixels[int(height - map_box.y1):int(height - map_box.y0), int(map_box.x0):int(map_box.x1)]
    assert _near(inside, style.STATUS_COLOURS["liberated"], 60).sum() > 50


def test_a_region_reported_as_a_whole_is_named_on_the_image_not_marked_as_a_point():
    from mapapp.articles import Article
    from mapapp.events import events_from_articles
    from mapapp.render.static_map import map_canvas

    when = date(2023, 6, 8)
    reported = events_from_articles([Article("z", "z", "o", when, "Russian forces have attacked in the Zaporizhzhia "
                                                                  "region, and heavy fighting is under way near "
                                                                  "Robotyne.")])
    canvas = map_canvas(reported, when, size="web")
    names = [t.get_text() for t in canvas.ax.texts]
    assert "ZAPORIZHZHIA OBLAST" in names and "Robotyne" in names
    dots = [c for c in canvas.ax.collections if c.get_zorder() == 6]   # the place markers
    assert sum(len(c.get_offsets()) for c in dots) == 1                 # Robotyne's only
    legend = [t.get_text() for t in canvas.legend.get_texts()]
    assert "Region or river as a whole" in legend


def test_settlement_labels_do_not_overlap_and_stay_inside_the_map(events):
    from mapapp.render.static_map import map_canvas

    canvas = map_canvas(events, WHEN, size="social")
    frame = canvas.ax.get_window_extent(canvas.renderer)
    boxes = [t.get_window_extent(canvas.renderer) for t in canvas.ax.texts if t.get_text().strip()]
    names = [t.get_text() for t in canvas.ax.texts]
    assert {"Balakliia", "Izium", "Lyman"} <= set(names)
    for i, a in enumerate(boxes):
        assert frame.x0 <= a.x0 and a.x1 <= frame.x1 and frame.y0 <= a.y0 and a.y1 <= frame.y1, names[i]
        for b in boxes[i + 1:]:
            assert not a.overlaps(b) or a.x1 - b.x0 < 1 or b.x1 - a.x0 < 1


def test_svg_parses_with_title_desc_and_editable_text(events, tmp_path):
    from mapapp.export import export_map

    out = export_map(events, WHEN, tmp_path / "map.svg", title="Front line & <news>")
    root = ET.parse(out).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    assert root[0].tag == f"{ns}title" and root[0].text == "Front line & <news>"
    assert root[1].tag == f"{ns}desc" and "Balakliia" in root[1].text
    texts = " ".join("".join(t.itertext()) for t in root.iter(f"{ns}text"))
    assert "Front line & <news>" in texts and "Izium" in texts and "GeoNames" in texts
    assert (tmp_path / "map.svg.txt").exists()


def test_pdf_map_and_handout_pages(events, tmp_path):
    import re

    from mapapp.export import export_map
    from mapapp.export.images import handout_dates

    single = export_map(events, WHEN, tmp_path / "map.pdf", size="print").read_bytes()
    assert single.startswith(b"%PDF") and len(re.findall(rb"/Type /Page\b", single)) == 1
    assert re.search(rb"/MediaBox \[ ?0 0 841\.\d+ 595\.\d+ ?\]", single)   # A4 landscape, in points
    handout = export_map(events, WHEN, tmp_path / "handout.pdf", handout=True).read_bytes()
    pages = len(re.findall(rb"/Type /Page\b", handout))
    assert pages == len(handout_dates(events, None, WHEN)) >= 5
    assert re.search(rb"/MediaBox \[ ?0 0 595\.\d+ 841\.\d+ ?\]", handout)   # A4 portrait


def test_a_date_with_no_events_is_an_empty_map_with_a_note(events, tmp_path):
    from mapapp.export import export_map
    from mapapp.render import style
    from mapapp.render.static_map import map_canvas

    out = export_map(events, NOTHING_YET, tmp_path / "empty.png", size="social")
    assert _size(out) == (1200, 675)
    assert "no news reports" in (tmp_path / "empty.png.txt").read_text(encoding="utf-8")
    pixels = _rgb(out)
    assert _near(pixels, style.UKRAINE_FILL, 12).mean() > 0.1   # the base map is there
    canvas = map_canvas(events, NOTHING_YET, size="social")
    assert any("No reports on or before 1 January 2021" in t.get_text() for t in canvas.ax.texts)


def test_a_500_character_title_is_wrapped_to_two_lines_inside_the_page(events):
    from mapapp.render.static_map import map_canvas

    title = ("Kharkiv counteroffensive " * 25)[:500]
    canvas = map_canvas(events, WHEN, size="social", title=title)
    width = canvas.fig.bbox.width
    lines = [t for t in canvas.fig.texts if t.get_fontweight() == "bold" and t.get_text().strip()
             and t.get_text().rstrip("…").strip() in title]
    assert len(lines) == 2 and lines[-1].get_text().endswith("…")
    for line in lines:
        box = line.get_window_extent(canvas.renderer)
        assert 0 <= box.x0 and box.x1 <= width


def test_right_to_left_title_is_set_flush_right_and_kept_in_svg(events, tmp_path):
    from mapapp.export import export_map
    from mapapp.render.static_map import map_canvas

    title = "خريطة الجبهة في خاركيف"
    canvas = map_canvas(events, WHEN, size="social", title=title)
    line = next(t for t in canvas.fig.texts if t.get_text() == title)
    assert line.get_horizontalalignment() == "right"
    out = export_map(events, WHEN, tmp_path / "rtl.svg", title=title)
    assert title in out.read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------------------------------
# Timelapse and HTML


def test_gif_has_one_frame_per_key_date_and_they_change(events, tmp_path):
    from mapapp.export import export_map
    from mapapp.export.images import timelapse_dates

    since = date(2022, 9, 1)
    out = export_map(events, WHEN, tmp_path / "timelapse.gif", since=since)
    with Image.open(out) as image:
        assert image.n_frames == len(timelapse_dates(events, since, WHEN)) == 10   # one a day, 1–10 September
        assert image.size == (1200, 675)
        image.seek(0)
        first = np.asarray(image.convert("RGB")).astype(int)
        image.seek(image.n_frames - 1)
        last = np.asarray(image.convert("RGB")).astype(int)
        comment = image.info["comment"]
    assert (np.abs(first - last).sum(axis=-1) > 30).sum() > 500   # areas and markers appear
    assert b"Animation in 10 frames" in comment
    assert (tmp_path / "timelapse.gif.txt").exists()


def test_timelapse_over_months_has_a_frame_per_reported_date(events):
    from mapapp.export.images import timelapse_dates

    dates = timelapse_dates(events, date(2022, 4, 1), WHEN)
    assert dates[0] == date(2022, 4, 1) and dates[-1] == WHEN
    assert date(2022, 5, 16) in dates and date(2022, 9, 8) in dates and len(dates) < 20


@pytest.mark.skipif(shutil.which("ffmpeg") is None and not __import__("importlib").util.find_spec("imageio_ffmpeg"),
                    reason="no ffmpeg (imageio-ffmpeg) installed")
def test_mp4_is_a_video_file(events, tmp_path):
    from mapapp.export import export_map

    out = export_map(events, WHEN, tmp_path / "timelapse.mp4", since=date(2022, 9, 7))
    head = out.read_bytes()[:12]
    assert head[4:8] == b"ftyp"


def test_standalone_html_inlines_leaflet_and_fetches_nothing(events, tmp_path):
    import re

    from mapapp.export import export_map

    page = export_map(events, WHEN, tmp_path / "map.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", page) and not re.search(r"<link[^>]+href=", page)
    assert "L.version" in page or "Leaflet" in page          # Leaflet itself is in the file
    assert "sourceMappingURL" not in page
    assert "<script>alert" not in page


@pytest.mark.browser
def test_standalone_html_plays_offline_in_chromium(events, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    from mapapp.export import export_map

    out = export_map(events, WHEN, tmp_path / "map.html", title="Kharkiv, September 2022")
    requested = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        context = browser.new_context(viewport={"width": 1300, "height": 850})

        def route(r):   # no network: only the file itself (and inline data) may load
            requested.append(r.request.url)
            return r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort()
        context.route("**/*", route)
        page = context.new_page()
        page.goto(out.as_uri())
        page.locator(".leaflet-container").wait_for(timeout=30_000)
        page.locator("path.leaflet-interactive").first.wait_for(timeout=30_000)
        slider = page.locator("#mapapp-slider")
        last = int(slider.get_attribute("max"))
        assert int(slider.input_value()) == last                    # set to the export's date (the last one)
        assert page.locator("#mapapp-date").inner_text() == "10 September 2022"
        # places are named on the map, as in the app; names that would overlap are hidden, the others readable
        page.wait_for_timeout(300)
        shown = page.evaluate("""() => Array.from(document.querySelectorAll('.leaflet-tooltip.mapapp-label'))
            .filter(e => getComputedStyle(e).visibility !== 'hidden')
            .map(e => { const b = e.getBoundingClientRect(); return [e.textContent, b.left, b.top, b.right, b.bottom]; })""")
        assert {"Izium", "Balakliia", "Kharkiv"} <= {name for name, *_ in shown}
        for i, (_, l1, t1, r1, b1) in enumerate(shown):
            for _, l2, t2, r2, b2 in shown[i + 1:]:
                assert not (l1 < r2 and l2 < r1 and t1 < b2 and t2 < b1), shown
        shapes_at_end = page.locator("path.leaflet-interactive").count()
        slider.evaluate("(s) => { s.value = 0; s.dispatchEvent(new Event('input')); }")
        first = min(e.date for e in events if e.date is not None)   # the slider's start: the first report
        assert page.locator("#mapapp-date").inner_text() == f"{first.day} {first:%B %Y}"
        assert page.locator("path.leaflet-interactive").count() < shapes_at_end
        page.locator("path.leaflet-interactive").last.dispatch_event("click")
        popup = page.locator(".leaflet-popup-content").inner_text()
        assert any(e.place.name in popup for e in events if e.date == first), popup
        browser.close()
    assert all(url.startswith(("file:", "data:")) for url in requested), requested


# ------------------------------------------------------------------------------------------------------------
# Data


def test_geojson_has_events_and_areas_with_provenance(events, tmp_path):
    from shapely.geometry import shape

    from mapapp.export import export_map

    doc = json.loads(export_map(events, WHEN, tmp_path / "data.geojson").read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and doc["properties"]["date"] == "2022-09-10"
    layers = {}
    for feature in doc["features"]:
        geom = shape(feature["geometry"])
        assert geom.is_valid and not geom.is_empty
        layers.setdefault(feature["properties"]["layer"], []).append(feature)
    assert len(layers["events"]) == len([e for e in events if e.date and e.date <= WHEN])
    balakliia = next(f for f in layers["events"] if f["properties"]["place"] == "Balakliia"
                     and f["properties"]["event_type"] == "liberated")
    lon, lat = balakliia["geometry"]["coordinates"]
    assert 36 < lon < 38 and 49 < lat < 50                        # GeoJSON: lon, lat
    assert balakliia["properties"]["sources"][0]["quote"]
    assert {f["properties"]["status"] for f in layers["areas"]} == {"liberated", "contested"}
    assert all(f["properties"]["sources"] for f in layers["areas"])


def test_kml_parses_with_placemarks_for_events_and_areas(events, tmp_path):
    from mapapp.export import export_map

    root = ET.parse(export_map(events, WHEN, tmp_path / "data.kml", title="Seeds")).getroot()
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    folders = {f.findtext("k:name", namespaces=ns): f for f in root.iterfind(".//k:Folder", ns)}
    event_marks = folders["Events"].findall("k:Placemark", ns)
    assert len(event_marks) == len([e for e in events if e.date and e.date <= WHEN])
    assert folders["Areas"].findall("k:Placemark", ns)
    izium = next(p for p in event_marks if p.findtext("k:name", namespaces=ns) == "Izium: liberated")
    lon, lat = map(float, izium.findtext(".//k:coordinates", namespaces=ns).split(","))
    assert 37 < lon < 38 and 49 < lat < 50                        # KML: lon, lat
    assert "“" in izium.findtext("k:description", namespaces=ns)
    assert izium.find(".//k:Data[@name='sources']", ns) is not None


def test_csv_has_the_event_fields_and_reads_back_in_utf8(events, tmp_path):
    from mapapp.cli import EVENT_CSV_FIELDS
    from mapapp.export import export_map

    with open(export_map(events, WHEN, tmp_path / "events.csv"), encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == EVENT_CSV_FIELDS
    assert len(rows) == len([e for e in events if e.date and e.date <= WHEN])
    assert any(r["place"] == "Kupiansk" and r["disputed"] == "True" for r in rows)


def test_geopackage_layers_open_with_pyogrio(events, tmp_path):
    import pyogrio

    from mapapp.areas import areas_at
    from mapapp.export import export_map

    out = export_map(events, WHEN, tmp_path / "data.gpkg")
    assert {name for name, _ in pyogrio.list_layers(out)} == {"events", "areas", "lines"}
    points = pyogrio.read_dataframe(out, layer="events")
    assert points.crs.to_epsg() == 4326 and len(points) == len([e for e in events if e.date and e.date <= WHEN])
    assert points.loc[points["place"] == "Izium", "sources_json"].str.contains("quote").all()
    polygons = pyogrio.read_dataframe(out, layer="areas")
    expected = areas_at(events, WHEN).area_km2("liberated")
    assert polygons.loc[polygons["status"] == "liberated", "area_km2"].sum() == pytest.approx(expected, rel=0.01)
    empty = export_map(events, NOTHING_YET, tmp_path / "empty.gpkg")
    assert len(pyogrio.read_dataframe(empty, layer="events")) == 0


def test_export_bytes_gives_the_same_formats_for_downloads(events):
    from mapapp.export import MEDIA_TYPES, export_bytes

    assert export_bytes(events, WHEN, "png", size="social").startswith(b"\x89PNG")
    assert export_bytes(events, WHEN, "gpkg").startswith(b"SQLite format 3")
    assert export_bytes(events, WHEN, "kml").startswith(b"<?xml")
    assert MEDIA_TYPES["svg"] == "image/svg+xml"


def test_app_and_static_maps_share_one_palette():
    from mapapp.render import folium_layers, style

    assert folium_layers.STATUS_COLOURS is style.STATUS_COLOURS


# ------------------------------------------------------------------------------------------------------------
# The command line


def test_cli_export_writes_the_file_and_prints_its_path(seed_db, tmp_path):
    out = tmp_path / "map.png"
    result = run_cli("--db", seed_db, "export", "--date", "2022-09-10", "--out", out, "--size", "social",
                     "--title", "Kharkiv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().strip() == str(out)
    assert _size(out) == (1200, 675) and (tmp_path / "map.png.txt").exists()


@pytest.mark.parametrize("args,code,words", [
    (["--out", "{tmp}/map.bmp"], 2, "extension"),
    (["--out", "{tmp}/map"], 2, "extension"),
    (["--out", "{tmp}/map.png", "--handout"], 2, "handout"),
    (["--out", "{tmp}/map.gif", "--from", "2022-10-01"], 2, "after"),
    (["--out", "{tmp}/no/such/folder/map.png"], 1, "cannot write"),
    (["--out", "{tmp}"], 2, "extension"),
    (["--out", "{tmp}/folder.png"], 1, "folder"),
])
def test_cli_export_bad_usage_and_unwritable_paths(seed_db, tmp_path, args, code, words):
    (tmp_path / "folder.png").mkdir()
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = run_cli("--db", seed_db, "export", "--date", "2022-09-10", *args)
    stderr = result.stderr.decode()
    assert result.returncode == code, stderr
    assert len(stderr.strip().splitlines()) == 1 and words in stderr
    assert result.stdout == b""


def test_cli_export_bad_date_is_wrong_usage(seed_db, tmp_path):
    result = run_cli("--db", seed_db, "export", "--date", "2022-13-40", "--out", tmp_path / "m.png")
    assert result.returncode == 2 and len(result.stderr.decode().strip().splitlines()) == 1


def test_with_a_baseline_the_front_line_and_occupied_ground_are_drawn_and_explained(events, tmp_path):
    from conftest import SHARED

    from mapapp.areas import load_baseline
    from mapapp.export import export_map
    from mapapp.render import style
    from mapapp.render.static_map import map_canvas

    path = SHARED / "reference" / "deepstate" / "2022-09-06.geojson"
    if not path.exists():
        pytest.skip("the reference control maps (../shared/reference) are not here")
    baseline = load_baseline(path)
    canvas = map_canvas(events, WHEN, size="social", baseline=baseline)
    legend = [t.get_text() for t in canvas.legend.get_texts()]
    assert "Front line" in legend and "Occupied (baseline map)" in legend

    def black_in_map(canvas_):
        canvas_.fig.savefig(tmp_path / "frame.png", dpi=canvas_.size.dpi)
        pixels = _rgb(tmp_path / "frame.png")
        box = canvas_.ax.get_window_extent(canvas_.renderer)
        height = pixels.shape[0]
        inside = pixels[int(height - box.y1) + 2:int(height - box.y0) - 2, int(box.x0) + 2:int(box.x1) - 2]
        return _near(inside, style.FRONT_LINE_COLOUR, 30).sum()
    assert black_in_map(canvas) > black_in_map(map_canvas(events, WHEN, size="social")) + 300   # the line
    export_map(events, WHEN, tmp_path / "front.png", size="social", baseline=baseline)
    assert "front line" in (tmp_path / "front.png.txt").read_text(encoding="utf-8")


def test_a_title_in_a_script_the_font_lacks_still_exports(events):
    from mapapp.export import export_bytes

    png = export_bytes(events, WHEN, "png", size="social", title="前线地图 ハリコフ 🗺")
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (1200, 675) and image.text["Title"] == "前线地图 ハリコフ 🗺"


# ------------------------------------------------------------------------------------------------------------
# The app's view and layers (issue #6: "for the current date, layers and view")

IZIUM_VIEW = (48.9, 36.8, 49.5, 37.7)   # south, west, north, east: what the app's Leaflet map reports


def _place(events, name):
    return next(e.place for e in events if e.place.name == name)


def _display_xy(canvas, place):
    xs, ys = canvas.view.xy([place.lon], [place.lat])
    return canvas.ax.transData.transform((xs[0], ys[0]))


def _blend(hex_colour: str, alpha: float, under: str) -> str:
    top = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)])
    base = np.array([int(under[i:i + 2], 16) for i in (1, 3, 5)])
    mixed = np.round(alpha * top + (1 - alpha) * base).astype(int)
    return "#" + "".join(f"{v:02x}" for v in mixed)


def test_a_view_frames_that_area_and_leaves_the_rest_out(events, tmp_path):
    """Izium and Balakliia drawn inside the frame in their colour; Kherson, which the automatic framing
    includes, falls outside it; the whole asked-for box is shown; labels stay inside, clear of each other."""
    from mapapp.export import export_map
    from mapapp.render import style
    from mapapp.render.static_map import map_canvas

    out = export_map(events, WHEN, tmp_path / "izium.png", size="social", view=IZIUM_VIEW)
    assert _size(out) == (1200, 675)
    pixels = _rgb(out)
    height = pixels.shape[0]
    canvas = map_canvas(events, WHEN, size="social", bounds=IZIUM_VIEW)   # the same layout, for its transforms
    auto = map_canvas(events, WHEN, size="social")
    frame = canvas.ax.get_window_extent(canvas.renderer)
    for name in ("Izium", "Balakliia"):
        x, y = _display_xy(canvas, _place(events, name))
        assert frame.x0 < x < frame.x1 and frame.y0 < y < frame.y1, name
        row, col = int(round(height - y)), int(round(x))
        assert _near(pixels[row - 2:row + 3, col - 2:col + 3], style.STATUS_COLOURS["liberated"], 60).any(), name
    kherson = _place(events, "Kherson")
    x, y = _display_xy(canvas, kherson)
    assert not (frame.x0 <= x <= frame.x1 and frame.y0 <= y <= frame.y1)
    ax_, ay_ = _display_xy(auto, kherson)
    auto_frame = auto.ax.get_window_extent(auto.renderer)
    assert auto_frame.x0 < ax_ < auto_frame.x1 and auto_frame.y0 < ay_ < auto_frame.y1   # the default shows it
    # Kherson's marker (advance, green) is not drawn inside the frame: no green at all there
    inside = pixels[int(height - frame.y1) + 2:int(height - frame.y0) - 2, int(frame.x0) + 2:int(frame.x1) - 2]
    assert _near(inside, style.STATUS_COLOURS["advance"], 40).sum() == 0
    # nothing of the asked-for box is cropped: its corners and edge midpoints lie inside the window
    south, west, north, east = IZIUM_VIEW
    mid_lat, mid_lon = (south + north) / 2, (west + east) / 2
    lats = [south, south, north, north, south, north, mid_lat, mid_lat]
    lons = [west, east, west, east, mid_lon, mid_lon, west, east]
    xs, ys = canvas.view.xy(lons, lats)
    v = canvas.view
    assert all(v.xmin - 1 <= x <= v.xmax + 1 and v.ymin - 1 <= y <= v.ymax + 1 for x, y in zip(xs, ys))  # 1 m
    assert v.width_m < 200_000 < auto.view.width_m     # a close-up, not the whole front
    names = [t.get_text() for t in canvas.ax.texts]
    assert {"Izium", "Balakliia"} <= set(names) and "Kherson" not in names
    boxes = [t.get_window_extent(canvas.renderer) for t in canvas.ax.texts if t.get_text().strip()]
    for i, a in enumerate(boxes):
        assert frame.x0 <= a.x0 and a.x1 <= frame.x1 and frame.y0 <= a.y0 and a.y1 <= frame.y1, names[i]
        for b in boxes[i + 1:]:
            assert not a.overlaps(b) or a.x1 - b.x0 < 1 or b.x1 - a.x0 < 1


def test_a_view_is_widened_to_the_image_shape_and_kept_on_the_base_map():
    from mapapp.basemap import THEATER_BBOX
    from mapapp.render.static_map import view_for_bounds

    tall = view_for_bounds((47.0, 37.0, 50.0, 37.5), 16 / 9)   # a tall, narrow box on a wide image
    assert abs(tall.width_m / (tall.ymax - tall.ymin) - 16 / 9) < 1e-6
    assert tall.ymax - tall.ymin > 300_000                   # its full height is kept
    huge = view_for_bounds((-80, -170, 85, 170), 1.6)         # a zoomed-out world: cut to the base map
    lons, lats = huge.lonlat([huge.xmin, huge.xmax], [(huge.ymin + huge.ymax) / 2] * 2)
    assert THEATER_BBOX[0] - 3 <= lons[0] and lons[1] <= THEATER_BBOX[2] + 3


def test_layers_draw_only_what_is_chosen_and_the_legend_follows(events, tmp_path):
    """Settlements only: no liberated-area fill in the frame, but the markers in their colours; the legend lists
    places, not areas."""
    import shapely

    from mapapp.areas import areas_at, to_wgs84
    from mapapp.export import export_bytes
    from mapapp.render import style
    from mapapp.render.static_map import map_canvas

    def in_frame(png, canvas_):
        frame_ = canvas_.ax.get_window_extent(canvas_.renderer)
        pixels = _rgb(png)
        height = pixels.shape[0]
        return pixels[int(height - frame_.y1) + 2:int(height - frame_.y0) - 2,
                      int(frame_.x0) + 2:int(frame_.x1) - 2]

    # Close up around Izium, where the liberated areas are large: the pixels inside them, away from their edges
    # and the markers, are the fill colour by default and bare land with only the settlements drawn.
    close = map_canvas(events, WHEN, size="social", bounds=IZIUM_VIEW, layers=["settlements"])
    frame = close.ax.get_window_extent(close.renderer)
    everything = in_frame(export_bytes(events, WHEN, "png", size="social", view=IZIUM_VIEW), close)
    only_places = in_frame(export_bytes(events, WHEN, "png", size="social", view=IZIUM_VIEW,
                                        layers=["settlements"]), close)
    liberated = shapely.union_all([close.view.project(to_wgs84(p["geometry"]))
                                   for p in areas_at(events, WHEN).polygons
                                   if p["status"] == "liberated" and p["basis"] == "reported"]).buffer(-1500)
    rows, cols = np.mgrid[0:everything.shape[0]:2, 0:everything.shape[1]:2]
    px, py = cols.ravel() + int(frame.x0) + 2, int(frame.y1) - 2 - rows.ravel()
    data_x, data_y = close.ax.transData.inverted().transform(np.column_stack([px, py])).T
    markers = close.ax.transData.transform(np.column_stack(close.view.xy(
        [e.place.lon for e in events], [e.place.lat for e in events])))
    far = np.min(np.hypot(px[:, None] - markers[None, :, 0], py[:, None] - markers[None, :, 1]), axis=1) > 14
    pick = shapely.contains_xy(liberated, data_x, data_y) & far
    assert pick.sum() > 100
    r, c = rows.ravel()[pick], cols.ravel()[pick]
    fill = _blend(style.STATUS_COLOURS["liberated"], style.FILL_OPACITY_REPORTED, style.UKRAINE_FILL)
    assert _near(everything[r, c], fill, 20).mean() > 0.6                  # filled by default…
    assert _near(only_places[r, c], fill, 20).mean() == 0                  # …not with the areas switched off
    assert _near(only_places[r, c], style.UKRAINE_FILL, 12).mean() > 0.6   # the bare land shows there
    # the whole front, settlements only: the markers in their status colours
    canvas = map_canvas(events, WHEN, size="social", layers=["settlements"])
    whole = in_frame(export_bytes(events, WHEN, "png", size="social", layers=["settlements"]), canvas)
    for status in ("liberated", "contested", "advance"):
        assert _near(whole, style.STATUS_COLOURS[status], 40).sum() > 20, status
    legend = [t.get_text() for t in canvas.legend.get_texts()]
    assert "Place reported liberated" in legend
    assert not any("area" in text.lower() or "contested / grey" in text.lower() for text in legend)
    areas_only = map_canvas(events, WHEN, size="social", layers=["liberated", "contested"])
    legend = [t.get_text() for t in areas_only.legend.get_texts()]
    assert "Liberated area, reported" in legend and not any(text.startswith("Place") for text in legend)
    # no settlement labels (Izium may still be named in grey, as a city for orientation)
    assert "Balakliia" not in [t.get_text() for t in areas_only.ax.texts]


def test_the_recent_layer_rings_the_places_reported_in_the_last_days(events):
    from mapapp.render.static_map import map_canvas

    canvas = map_canvas(events, WHEN, size="social", layers=["settlements", "recent"])
    legend = [t.get_text() for t in canvas.legend.get_texts()]
    assert any("last 7 days" in text for text in legend)
    assert not any("last 7 days" in t.get_text() for t in map_canvas(events, WHEN, size="social").legend.get_texts())


@pytest.mark.parametrize("kwargs,words", [
    ({"layers": ["settlements", "bogus"]}, "bogus"),
    ({"layers": "liberated,towns"}, "towns"),
    ({"view": (49.5, 36.8, 48.9, 37.7)}, "south"),
    ({"view": (1, 2, 3)}, "four numbers"),
    ({"view": (10, 10, 11, 11)}, "outside the base map"),
])
def test_bad_layers_or_view_are_wrong_usage(events, tmp_path, kwargs, words):
    from mapapp.export import ExportUsageError, export_bytes, export_map

    for call in (lambda: export_map(events, WHEN, tmp_path / "map.png", **kwargs),
                 lambda: export_bytes(events, WHEN, "geojson", **kwargs)):
        with pytest.raises(ExportUsageError) as info:
            call()
        message = str(info.value)
        assert words in message and "\n" not in message
    assert not (tmp_path / "map.png").exists()


def test_standalone_html_opens_on_the_view_with_the_chosen_layers(events):
    import re

    from mapapp.render.standalone_html import standalone_map_html

    page = standalone_map_html(events, WHEN, view=IZIUM_VIEW, layers=["settlements"])
    payload = json.loads(re.search(r"var data = (\{.*?\});\n", page, re.S).group(1).replace("<\\/", "</"))
    assert payload["bounds"] == [[48.9, 36.8], [49.5, 37.7]]
    kinds = {f["properties"]["kind"] for f in payload["features"]}
    assert kinds == {"place"}


def test_cli_export_bbox_and_layers(seed_db, tmp_path):
    out = tmp_path / "izium.png"
    result = run_cli("--db", seed_db, "export", "--date", "2022-09-10", "--out", out, "--size", "social",
                     "--bbox", "48.9,36.8,49.5,37.7", "--layers", "liberated,settlements")
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().strip() == str(out) and _size(out) == (1200, 675)
    assert "Contested ground" not in (tmp_path / "izium.png.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("args,words", [
    (["--bbox", "48.9,36.8,49.5"], "--bbox"),
    (["--bbox", "48.9,east,49.5,37.7"], "--bbox"),
    (["--bbox", "49.5,36.8,48.9,37.7"], "south"),
    (["--bbox", "10,10,11,11"], "outside"),
    (["--layers", "liberated,towns"], "towns"),
    (["--layers", ","], "--layers"),
])
def test_cli_export_malformed_bbox_or_layers_is_wrong_usage(seed_db, tmp_path, args, words):
    result = run_cli("--db", seed_db, "export", "--date", "2022-09-10", "--out", tmp_path / "map.png", *args)
    stderr = result.stderr.decode()
    assert result.returncode == 2, stderr
    assert len(stderr.strip().splitlines()) == 1 and words in stderr
    assert result.stdout == b"" and not (tmp_path / "map.png").exists()
