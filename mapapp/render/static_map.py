"""The map at a date as a print-ready image, drawn with matplotlib from the committed base map (no browser, no
network): title, subtitle, date stamp naming the outlets, legend and inset locator in a side panel (never over the
data), credits, scale bar and settlement labels placed without overlaps. Same symbology as the app
(``mapapp.render.style``).

Coordinates: event places are lat/lon; GeoJSON and shapely geometries are lon/lat; everything on the map is drawn
in metres of a Lambert azimuthal equal-area projection centred on the view (``View``), so the scale bar is true.

``MapCanvas`` builds the figure once and redraws only what changes with the date, so a timelapse or a handout
re-uses the base map, the panel and the layout for every frame or page.
"""

from __future__ import annotations

import json
import unicodedata
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from pyproj import Transformer
from shapely.geometry import box, shape
from shapely.ops import polylabel

from mapapp.areas import Areas, areas_at, to_metric, to_wgs84
from mapapp.basemap import BASEMAP_DIR, THEATER_BBOX, countries_geojson
from mapapp.app_view import RECENT_DAYS
from mapapp.dates import long_date, window
from mapapp.events import Event
from mapapp.render import style
from mapapp.render.style import DEFAULT_TITLE
from mapapp.timeline import PlaceState, state_at

# ------------------------------------------------------------------------------------------------------------
# Sizes and fonts


@dataclass(frozen=True)
class MapSize:
    name: str
    width_px: int
    height_px: int
    dpi: int

    @property
    def inches(self) -> tuple[float, float]:
        return self.width_px / self.dpi, self.height_px / self.dpi


SIZES = {
    "social": MapSize("social", 1200, 675, 150),     # 16:9, the size social networks show in full
    "web": MapSize("web", 1600, 1000, 160),          # an article's full-width figure
    "print": MapSize("print", 3508, 2480, 300),      # A4 landscape at 300 dpi
}
HANDOUT_SIZE = MapSize("handout", 2480, 3508, 300)   # A4 portrait at 300 dpi
FONT = "DejaVu Sans"   # ships with matplotlib: Latin, Cyrillic, Greek, Arabic and Hebrew on every machine

NOT_VERIFIED = "Reported claims, not verified control."
CREDIT_PLACES = "Places: GeoNames (CC BY 4.0), KATOTTG"
CREDIT_BASEMAP = "Borders, coast, oblasts, lakes: Natural Earth (public domain)"


@dataclass(frozen=True)
class _Fonts:
    title: float
    subtitle: float
    stamp: float
    legend: float
    label: float
    city: float
    credits: float
    note: float
    body: float

    @classmethod
    def for_width(cls, width_in: float) -> "_Fonts":
        s = (width_in / 8.0) ** 0.5   # 1.0 for the social size; print grows more slowly than the page
        return cls(title=15 * s, subtitle=9.5 * s, stamp=8.5 * s, legend=7.8 * s, label=7.6 * s, city=6.6 * s,
                   credits=6.4 * s, note=10 * s, body=7.8 * s)


def font_props(size: float, weight: str = "normal", style_: str = "normal") -> FontProperties:
    return FontProperties(family=FONT, size=size, weight=weight, style=style_)


# ------------------------------------------------------------------------------------------------------------
# Words on the map: date stamp, credits, alt text


def _start(event: Event) -> date:
    return window(event.date, event.date_precision or "day")[0]


def events_until(events: list[Event], when: date) -> list[Event]:
    """Dated events whose date window starts on or before ``when`` (what the map at ``when`` is built from)."""
    return [e for e in events if e.date is not None and _start(e) <= when]


def _is_unnamed(outlet: str) -> bool:
    return not outlet.strip() or outlet.strip().lower().startswith("unknown")


def outlets_phrase(events: list[Event], *, most: int = 4) -> str:
    """"Daily Mail, SOFREP and 2 unnamed outlets": named outlets by how many reports they gave, then the rest."""
    counts: dict[str, int] = {}
    unnamed: set[str] = set()
    for event in events:
        for source in event.sources:
            if _is_unnamed(source.outlet or ""):
                unnamed.add(source.outlet or source.article)
            else:
                counts[source.outlet] = counts.get(source.outlet, 0) + 1
    named = sorted(counts, key=lambda o: (-counts[o], o.lower()))
    parts = named[:most]
    rest = len(named) - len(parts)
    if rest:
        parts.append(f"{rest} more outlet{'s' if rest > 1 else ''}")
    if unnamed:
        parts.append(f"{len(unnamed)} unnamed outlet{'s' if len(unnamed) > 1 else ''}")
    if not parts:
        return "no outlet"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _articles_of(events: list[Event]) -> set[str]:
    return {s.article for e in events for s in e.sources}


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def date_stamp(events: list[Event], when: date) -> str:
    """"As reported by <outlets> up to <date>" with the number of reports and articles behind the map."""
    shown = events_until(events, when)
    if not shown:
        return f"No reports on or before {long_date(when)}"
    return (f"As reported by {outlets_phrase(shown)} up to {long_date(when)} · {_count(len(shown), 'report')} "
            f"from {_count(len(_articles_of(shown)), 'article')}")


def credits_line(events: list[Event]) -> str:
    n_articles = len(_articles_of(events))
    if not n_articles:
        return f"Data: no news reports up to this date · {CREDIT_PLACES} · {CREDIT_BASEMAP}. {NOT_VERIFIED}"
    return (f"Data: {_count(n_articles, 'news article')} ({outlets_phrase(events, most=6)}), "
            f"read by mapapp · {CREDIT_PLACES} · {CREDIT_BASEMAP}. {NOT_VERIFIED}")


def _names(places: list[str], most: int = 4) -> str:
    places = list(dict.fromkeys(places))
    shown = places[:most] + ([f"{len(places) - most} other places"] if len(places) > most else [])
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def alt_text(events: list[Event], when: date, *, title: str | None = None, areas: Areas | None = None,
             states: dict[str, PlaceState] | None = None, since: date | None = None) -> str:
    """A one-paragraph description of the map for readers who cannot see it (alt text)."""
    shown = events_until(events, when)
    states = state_at(events, when) if states is None else states
    areas = areas_at(events, when) if areas is None else areas
    heading = f"Map titled “{' '.join((title or '').split())}”. " if title else ""
    span_text = f"from {long_date(since)} to {long_date(when)}" if since else f"on {long_date(when)}"
    if not shown:
        return (f"{heading}Map of Ukraine and its neighbours {span_text}: no news reports on or before this date, "
                f"so no areas or places are marked. {CREDIT_BASEMAP}.")
    by_status: dict[str, list[str]] = {}
    for state in sorted(states.values(), key=lambda s: -(s.place.population or 0)):
        by_status.setdefault(state.status or "shelling", []).append(state.place.name)
    sentences = [f"{heading}Map of eastern Ukraine {span_text}, drawn from news reports."]
    liberated = areas.area_km2("liberated")
    if liberated:
        sentences.append(f"Areas reported liberated by Ukrainian forces (blue) cover about {liberated:,.0f} km² "
                         f"around {_names(by_status.get('liberated', []) or ['the places named'])}.")
    contested = areas.area_km2("contested")
    fighting = by_status.get("contested", []) + by_status.get("advance", [])
    if contested:
        sentences.append(f"Contested ground (orange), about {contested:,.0f} km², lies around "
                         f"{_names(fighting or ['the places named'])}.")
    if areas.area_km2("occupied"):
        sentences.append(f"Ground still occupied by Russian forces according to the baseline map is shaded red "
                         f"({areas.area_km2('occupied'):,.0f} km²), with the front line in black.")
    if by_status.get("shelling"):
        sentences.append(f"Shelling was reported at {_names(by_status['shelling'])}.")
    counts = ", ".join(f"{len(by_status[k])} {k if k != 'shelling' else 'shelled'}"
                       for k in STATUS_ORDER if k in by_status)
    marked = (f"{_count(len(states), 'place')} {'is' if len(states) == 1 else 'are'} marked ({counts})" if states
              else "No places are marked on it; it is drawn")
    sentences.append(f"{marked}, from {_count(len(shown), 'report')} in "
                     f"{_count(len(_articles_of(shown)), 'article')} by "
                     f"{outlets_phrase(shown)}. {NOT_VERIFIED}")
    return " ".join(sentences)


# ------------------------------------------------------------------------------------------------------------
# Text that fits


def _is_rtl(text: str) -> bool:
    """True when the first letter with a direction is right-to-left (Arabic, Hebrew…)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def fit_lines(text: str, prop: FontProperties, max_width_px: float, max_lines: int, renderer) -> list[str]:
    """Word-wrap ``text`` to lines no wider than ``max_width_px`` (measured with the real font), at most
    ``max_lines``; what does not fit ends in an ellipsis. Words longer than a line are broken."""
    words = " ".join(str(text).split()).split(" ")

    def width(s: str) -> float:
        return renderer.get_text_width_height_descent(s, prop, ismath=False)[0]

    lines: list[str] = []
    current = ""
    for word in words:
        trial = f"{current} {word}".strip()
        if width(trial) <= max_width_px:
            current = trial
            continue
        if current:
            lines.append(current)
        current = word
        while width(current) > max_width_px and len(current) > 1:   # a word longer than the line
            cut = len(current)
            while cut > 1 and width(current[:cut]) > max_width_px:
                cut = max(1, int(cut * 0.8)) if width(current[:cut]) > 1.5 * max_width_px else cut - 1
            lines.append(current[:cut])
            current = current[cut:]
        if len(lines) > max_lines:
            break
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and width(last + "…") > max_width_px:
            last = last[:-1].rstrip()
        lines = lines[:max_lines - 1] + [last.rstrip(" ,;:.") + "…"]
    return [line for line in lines if line] or [""]


def _text_size(text: str, prop: FontProperties, renderer) -> tuple[float, float]:
    w, h, _ = renderer.get_text_width_height_descent(text, prop, ismath=False)
    # matplotlib lays a line out as tall as "lp" (ascender and descender) whatever its letters: so must we
    _, line, _ = renderer.get_text_width_height_descent("lp", prop, ismath=False)
    return w, max(h, line)


# ------------------------------------------------------------------------------------------------------------
# The view: projection and extent


_LAEA = "+proj=laea +lat_0={lat0} +lon_0={lon0} +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
UKRAINE_LONLAT = (22.1, 44.3, 40.3, 52.4)   # lon_min, lat_min, lon_max, lat_max
MIN_SPAN_M = 260_000     # a single place is shown with some 100 km of context around it
PAD_FRACTION, PAD_MIN_M = 0.12, 35_000


@lru_cache(maxsize=8)
def _transformer(lat0: float, lon0: float) -> Transformer:
    return Transformer.from_crs("EPSG:4326", _LAEA.format(lat0=lat0, lon0=lon0), always_xy=True)


@dataclass(frozen=True)
class View:
    """A map window: projection centre (lat0, lon0) and the window in projected metres."""
    lat0: float
    lon0: float
    xmin: float
    ymin: float
    xmax: float
    ymax: float

    def project(self, geom):
        """A lon/lat shapely geometry → metres of this view."""
        transformer = _transformer(self.lat0, self.lon0)

        def coords(xy):
            x, y = transformer.transform(xy[:, 0], xy[:, 1])
            return np.column_stack([x, y])
        return shapely.transform(geom, coords)

    def xy(self, lons, lats) -> tuple[np.ndarray, np.ndarray]:
        """Points given as lon, lat arrays → x, y in metres."""
        return _transformer(self.lat0, self.lon0).transform(np.asarray(lons, float), np.asarray(lats, float))

    def lonlat(self, xs, ys) -> tuple[np.ndarray, np.ndarray]:
        return _transformer(self.lat0, self.lon0).transform(np.asarray(xs, float), np.asarray(ys, float),
                                                            direction="INVERSE")

    @property
    def box(self):
        return box(self.xmin, self.ymin, self.xmax, self.ymax)

    @property
    def width_m(self) -> float:
        return self.xmax - self.xmin


def _in_theater(lat: float, lon: float) -> bool:
    lon_min, lat_min, lon_max, lat_max = THEATER_BBOX
    return lon_min <= lon <= lon_max and lat_min <= lat <= lat_max


def _widened(xmin: float, xmax: float, ymin: float, ymax: float, aspect: float, min_span: float
             ) -> tuple[float, float, float, float]:
    """The box around the same centre, at least ``min_span`` wide, widened on its short side to ``aspect``."""
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    w, h = max(xmax - xmin, min_span), max(ymax - ymin, min_span / aspect)
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def view_for(points_latlon: list[tuple[float, float]], aspect: float) -> View:
    """The window around the given (lat, lon) points, padded, at least ``MIN_SPAN_M`` wide, with the aspect
    ratio (width / height) of the axes it fills. No points: all of Ukraine."""
    points = [(lat, lon) for lat, lon in points_latlon if _in_theater(lat, lon)]
    if points:
        lats = [p[0] for p in points]
        lons = [p[1] for p in points]
    else:
        lons = [UKRAINE_LONLAT[0], UKRAINE_LONLAT[2]]
        lats = [UKRAINE_LONLAT[1], UKRAINE_LONLAT[3]]
    lat0 = round((min(lats) + max(lats)) / 2, 2)
    lon0 = round((min(lons) + max(lons)) / 2, 2)
    view = View(lat0, lon0, 0, 0, 0, 0)
    xs, ys = view.xy(lons, lats)
    xmin, xmax, ymin, ymax = min(xs), max(xs), min(ys), max(ys)
    if points:
        pad = max(PAD_FRACTION * max(xmax - xmin, ymax - ymin), PAD_MIN_M)
        xmin, xmax, ymin, ymax = xmin - pad, xmax + pad, ymin - pad, ymax + pad
    framed = View(lat0, lon0, *_widened(xmin, xmax, ymin, ymax, aspect, MIN_SPAN_M))
    return _kept_in_theater(framed, xs if points else [], ys if points else [])


def _kept_in_theater(view: View, xs, ys) -> View:
    """Slide the window back inside the base map's extent (``THEATER_BBOX``) where it can go without losing a
    point: beyond it the committed base map has no shapes."""
    lon_min, lat_min, lon_max, lat_max = THEATER_BBOX
    for _ in range(3):
        edge_x = np.r_[np.linspace(view.xmin, view.xmax, 12), np.full(12, view.xmax),
                       np.linspace(view.xmax, view.xmin, 12), np.full(12, view.xmin)]
        edge_y = np.r_[np.full(12, view.ymin), np.linspace(view.ymin, view.ymax, 12), np.full(12, view.ymax),
                       np.linspace(view.ymax, view.ymin, 12)]
        lons, lats = view.lonlat(edge_x, edge_y)
        metres_per_deg_lon = 111_320 * np.cos(np.radians(view.lat0))
        dx = (min(0.0, lon_max - lons.max()) + max(0.0, lon_min - lons.min())) * metres_per_deg_lon
        dy = (min(0.0, lat_max - lats.max()) + max(0.0, lat_min - lats.min())) * 110_570
        if abs(dx) < 1 and abs(dy) < 1:
            break
        moved = View(view.lat0, view.lon0, view.xmin + dx, view.ymin + dy, view.xmax + dx, view.ymax + dy)
        if any(not (moved.xmin <= x <= moved.xmax and moved.ymin <= y <= moved.ymax) for x, y in zip(xs, ys)):
            break
        view = moved
    return view


VIEW_MIN_SPAN_M = 25_000   # an asked-for window narrower than this is widened (the scale bar's 5 km must fit)


def clamp_bounds(bounds) -> tuple[float, float, float, float] | None:
    """``(south, west, north, east)`` cut to the base map's extent (``THEATER_BBOX``); None when nothing of it is
    left (the box lies wholly outside) or it is not a box (south ≥ north, west ≥ east)."""
    south, west, north, east = (float(v) for v in bounds)
    lon_min, lat_min, lon_max, lat_max = THEATER_BBOX
    south, north = max(south, lat_min), min(north, lat_max)
    west, east = max(west, lon_min), min(east, lon_max)
    if not (south < north and west < east):
        return None
    return south, west, north, east


def view_for_bounds(bounds, aspect: float) -> View:
    """The window showing exactly ``bounds`` = (south, west, north, east) in degrees (what a Leaflet map reports
    as its view), cut to the base map's extent, then widened on its short side to the axes' aspect ratio (width /
    height): never cropped. The widened window slides back inside the base map where it can without losing any
    of the asked-for area."""
    clamped = clamp_bounds(bounds)
    if clamped is None:
        raise ValueError(f"the view {tuple(bounds)} lies outside the base map {THEATER_BBOX} (lon/lat)")
    south, west, north, east = clamped
    lat0, lon0 = round((south + north) / 2, 2), round((west + east) / 2, 2)
    view = View(lat0, lon0, 0, 0, 0, 0)
    # The box's edges, densified: in this projection parallels curve, so the corners alone would crop them.
    n = 24
    lons = np.r_[np.linspace(west, east, n), np.full(n, east), np.linspace(east, west, n), np.full(n, west)]
    lats = np.r_[np.full(n, south), np.linspace(south, north, n), np.full(n, north), np.linspace(north, south, n)]
    xs, ys = view.xy(lons, lats)
    xmin, xmax, ymin, ymax = float(xs.min()), float(xs.max()), float(ys.min()), float(ys.max())
    return _kept_in_theater(View(lat0, lon0, *_widened(xmin, xmax, ymin, ymax, aspect, VIEW_MIN_SPAN_M)), xs, ys)


# ------------------------------------------------------------------------------------------------------------
# Layers: the app's layer keys (``mapapp.app_view.LAYERS``) and what of the static map each one draws

LAYER_KEYS = ("liberated", "contested", "front", "arrows", "settlements", "recent")
DEFAULT_LAYERS = frozenset(LAYER_KEYS) - {"recent"}   # what the export drew before layers could be chosen
_POLYGON_LAYER = {"liberated": "liberated", "contested": "contested", "occupied": "front"}
_LINE_LAYER = {"front_line": "front", "advance": "arrows"}


def check_layers(layers) -> frozenset[str] | None:
    """``layers`` as a set of known keys (None stays None: the default layers). A string is read as a comma
    separated list. Unknown keys raise ``ValueError`` naming them and the known ones."""
    if layers is None:
        return None
    if isinstance(layers, str):
        layers = [part for part in layers.split(",")]
    chosen = [str(key).strip() for key in layers]
    chosen = [key for key in chosen if key]
    unknown = [key for key in chosen if key not in LAYER_KEYS]
    if unknown:
        raise ValueError(f"unknown layer{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}: "
                         f"choose from {', '.join(LAYER_KEYS)}")
    return frozenset(chosen)


def areas_in_layers(areas: Areas, layers) -> Areas:
    """The part of ``areas`` the chosen layers draw (``areas`` itself when all of them are)."""
    if layers is None or {"liberated", "contested", "front", "arrows"} <= set(layers):
        return areas
    return Areas(date=areas.date, baseline=areas.baseline,
                 polygons=[p for p in areas.polygons if _POLYGON_LAYER.get(p["status"], "front") in layers],
                 lines=[line for line in areas.lines if _LINE_LAYER.get(line["kind"], "front") in layers])


# ------------------------------------------------------------------------------------------------------------
# Base map layers (committed Natural Earth extracts, lon/lat)


@lru_cache(maxsize=8)
def _basemap_layer(name: str) -> tuple:
    """Geometries of ``data/basemap/<name>.geojson``; an absent optional layer is simply not drawn."""
    path = BASEMAP_DIR / f"{name}.geojson"
    if not path.exists():
        return ()
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(shape(f["geometry"]) for f in data["features"])


@lru_cache(maxsize=1)
def _countries() -> tuple:
    return tuple((f["properties"].get("iso_a2"), f["properties"].get("name", ""), shape(f["geometry"]))
                 for f in countries_geojson()["features"])


CONTEXT_CITIES = ("Kyiv", "Kharkiv", "Dnipro", "Donetsk", "Luhansk", "Zaporizhzhia", "Mariupol", "Kherson",
                  "Mykolaiv", "Odesa", "Poltava", "Sumy", "Chernihiv", "Kramatorsk", "Melitopol", "Kryvyi Rih",
                  "Simferopol", "Sevastopol", "Belgorod", "Kursk", "Voronezh", "Rostov-on-Don", "Chisinau", "Minsk",
                  "Homyel'", "Kropyvnytskyi", "Vinnytsia", "Cherkasy", "Izium", "Sievierodonetsk")


@lru_cache(maxsize=1)
def context_cities() -> tuple:
    """Large cities for orientation (name, lat, lon), looked up in the gazetteer (GeoNames) by name."""
    try:
        from mapapp.gazetteer import load_gazetteer, normalize_name

        gazetteer = load_gazetteer()
    except Exception:  # noqa: BLE001 - orientation labels are decoration; the map draws without them
        return ()
    found = []
    for name in CONTEXT_CITIES:
        places = [p for p in gazetteer.lookup(normalize_name(name)) if p.kind == "settlement"]
        if places:
            best = max(places, key=lambda p: p.population or 0)
            found.append((best.name, best.lat, best.lon, best.population or 0))
    return tuple(found)


# ------------------------------------------------------------------------------------------------------------
# Geometry → matplotlib


def _polygons(geom) -> list:
    if geom is None or geom.is_empty:
        return []
    if geom.geom_type == "Polygon":
        return [geom]
    return [p for g in getattr(geom, "geoms", []) for p in _polygons(g)]


def _lines(geom) -> list:
    if geom is None or geom.is_empty:
        return []
    if geom.geom_type in ("LineString", "LinearRing"):
        return [geom]
    if geom.geom_type == "Polygon":
        return [geom.exterior, *geom.interiors]
    return [line for g in getattr(geom, "geoms", []) for line in _lines(g)]


def _path(geom) -> MplPath | None:
    vertices, codes = [], []
    for poly in _polygons(geom):
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)[:, :2]
            if len(xy) < 3:
                continue
            vertices.append(xy)
            codes.append(np.r_[MplPath.MOVETO, np.full(len(xy) - 2, MplPath.LINETO), MplPath.CLOSEPOLY])
    if not vertices:
        return None
    return MplPath(np.concatenate(vertices), np.concatenate(codes).astype(np.uint8))


def _clipped(geom, window):
    """``geom ∩ window``; a shape that reprojection left invalid (a sliver ring) is repaired first."""
    try:
        return geom.intersection(window)
    except shapely.errors.GEOSException:
        return shapely.make_valid(geom).intersection(window)


def _segments(geom) -> list[np.ndarray]:
    return [np.asarray(line.coords)[:, :2] for line in _lines(geom) if len(line.coords) >= 2]


def _lw(css_px: float) -> float:
    """A Leaflet line width (CSS pixels, 96 per inch) in points."""
    return css_px * 0.75


def _dash(text: str | None, width_pt: float):
    pattern = style.dash_pattern(text)
    return (0, tuple(x / max(width_pt, 1) * 0.75 for x in pattern)) if pattern else "solid"


# ------------------------------------------------------------------------------------------------------------
# The canvas


LABEL_BOX = {"boxstyle": "square,pad=0.08", "facecolor": "white", "edgecolor": "none", "alpha": 0.72}
RING_SCALE = 1.9   # a "reported in the last days" ring's diameter, in marker diameters
STATUS_ORDER = ("liberated", "occupied", "contested", "advance", "shelling")
STATUS_LABELS = {"liberated": "Place reported liberated", "occupied": "Place reported occupied",
                 "contested": "Place fought over", "advance": "Place advanced on",
                 "shelling": "Place shelled"}


@dataclass
class _Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: "_Box") -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def inside(self, other: "_Box") -> bool:
        return self.x0 >= other.x0 and self.x1 <= other.x1 and self.y0 >= other.y0 and self.y1 <= other.y1


class MapCanvas:
    """One figure: header, map, side panel (inset and legend), footer. ``draw(when)`` (re)draws what depends on
    the date; the rest stays. ``body`` optionally reserves the lower part of a portrait page for text (handout).

    ``bounds``: (south, west, north, east) in degrees, the area to show (widened to the map's aspect ratio, never
    cropped); None frames the places reported up to ``view_until``. ``layers``: the app's layer keys to draw
    (``LAYER_KEYS``); None draws ``DEFAULT_LAYERS`` (all but ``recent``)."""

    def __init__(self, events: list[Event], *, size: MapSize, title: str | None = None,
                 subtitle: str | None = None, baseline=None, labels: bool = True, view_until: date | None = None,
                 map_height_fraction: float | None = None, legend_until: date | None = None,
                 bounds=None, layers=None):
        self.events = [e for e in events if e.date is not None]
        self.size = size
        self.baseline = baseline
        self.labels = labels
        checked = check_layers(layers)
        self.layers = DEFAULT_LAYERS if checked is None else checked
        self.bounds = tuple(float(v) for v in bounds) if bounds is not None else None
        self.fonts = _Fonts.for_width(size.inches[0])
        self.fig = Figure(figsize=size.inches, dpi=size.dpi, facecolor="white")
        FigureCanvasAgg(self.fig)
        self.renderer = self.fig.canvas.get_renderer()
        self._dynamic: list = []
        self._title = title
        w_in, h_in = size.inches
        self.pad = 0.16 * (w_in / 8.0) ** 0.5
        self._top = h_in - self.pad
        self._draw_header(title, subtitle)
        self.credits = credits_line(events_until(self.events, view_until or date.max))
        self.footer_top = self._draw_footer(self.credits)
        body_top = self._top - 0.06
        if map_height_fraction is not None:   # a page with text under the map
            body_bottom = body_top - map_height_fraction * h_in
        else:
            body_bottom = self.footer_top + 0.04
        self.body_rect_in = (self.pad, body_bottom, w_in - 2 * self.pad, body_top - body_bottom)
        until = view_until or max((e.date for e in self.events), default=date.today())
        view_states = state_at(self.events, until)
        self._legend_events = events_until(self.events, legend_until or until)
        self._layout_body([(s.place.lat, s.place.lon) for s in view_states.values()])

    # -- layout --------------------------------------------------------------------------------------------------
    def _fig_xy(self, x_in: float, y_in: float) -> tuple[float, float]:
        w_in, h_in = self.size.inches
        return x_in / w_in, y_in / h_in

    def _rect(self, x_in, y_in, w, h) -> list[float]:
        w_in, h_in = self.size.inches
        return [x_in / w_in, y_in / h_in, w / w_in, h / h_in]

    def _px(self, inches: float) -> float:
        return inches * self.size.dpi

    def text_block(self, text: str, prop: FontProperties, *, max_lines: int, colour: str, width_in: float,
                    x_in: float, top_in: float, dynamic: bool = False, line_spacing: float = 1.22) -> float:
        """Wrapped text whose first line's top is at ``top_in``; returns the bottom (inches). RTL text is set
        flush right."""
        lines = fit_lines(text, prop, self._px(width_in), max_lines, self.renderer)
        rtl = _is_rtl(text)
        line_h = prop.get_size_in_points() / 72 * line_spacing
        y = top_in
        for line in lines:
            x = x_in + width_in if rtl else x_in
            artist = self.fig.text(*self._fig_xy(x, y), line, fontproperties=prop, color=colour, va="top",
                                   ha="right" if rtl else "left", parse_math=False)
            if dynamic:
                self._dynamic.append(artist)
            y -= line_h
        return y

    def _draw_header(self, title: str | None, subtitle: str | None) -> None:
        w_in, _ = self.size.inches
        width = w_in - 2 * self.pad
        f = self.fonts
        y = self._top
        if title and title.strip():
            y = self.text_block(title, font_props(f.title, "bold"), max_lines=2, colour="#111111", width_in=width,
                                 x_in=self.pad, top_in=y, line_spacing=1.18)
        if subtitle and subtitle.strip():
            y = self.text_block(subtitle, font_props(f.subtitle), max_lines=2, colour="#333333", width_in=width,
                                 x_in=self.pad, top_in=y - 0.02)
        self._stamp_top = y - 0.02
        # the date stamp is drawn per date; its one line is reserved here
        self._top = self._stamp_top - f.stamp / 72 * 1.3

    def _draw_footer(self, credits: str) -> float:
        w_in, _ = self.size.inches
        prop = font_props(self.fonts.credits)
        lines = fit_lines(credits, prop, self._px(w_in - 2 * self.pad), 3, self.renderer)
        line_h = self.fonts.credits / 72 * 1.25
        top = self.pad + line_h * len(lines)
        self.fig.add_artist(Line2D([self.pad / w_in, 1 - self.pad / w_in], [(top + 0.03) / self.size.inches[1]] * 2,
                                   color="#bbbbbb", lw=0.5, transform=self.fig.transFigure))
        y = top
        for line in lines:
            self.fig.text(*self._fig_xy(self.pad, y), line, fontproperties=prop, color="#555555", va="top",
                          parse_math=False)
            y -= line_h
        return top + 0.03

    def _layout_body(self, points_latlon) -> None:
        x, y, w, h = self.body_rect_in
        panel_w = max(0.25 * w, 1.75 * (self.size.inches[0] / 8.0) ** 0.5)
        gap = 0.12
        map_w = w - panel_w - gap
        self.map_rect_in = (x, y, map_w, h)
        self.ax = self.fig.add_axes(self._rect(x, y, map_w, h))
        self.ax.set_facecolor(style.SEA_COLOUR)
        self.ax.set_xticks([])
        self.ax.set_yticks([])
        for spine in self.ax.spines.values():
            spine.set_edgecolor("#888888")
            spine.set_linewidth(0.6)
        if self.bounds is not None:
            self.view = view_for_bounds(self.bounds, map_w / h)
        else:
            self.view = view_for(points_latlon, map_w / h)
        self.ax.set_xlim(self.view.xmin, self.view.xmax)
        self.ax.set_ylim(self.view.ymin, self.view.ymax)
        self.ax.set_aspect("equal", adjustable="box")
        self.ax.set_autoscale_on(False)
        self._draw_basemap()
        self._scale_corner = None
        panel_x = x + map_w + gap
        self._draw_inset(panel_x, y, panel_w, h)
        self._draw_legend(panel_x, y, panel_w)

    # -- static layers ------------------------------------------------------------------------------------------
    def _draw_basemap(self) -> None:
        view, ax = self.view, self.ax
        frame_lonlat = box(*THEATER_BBOX)
        window_m = view.box.buffer(view.width_m * 0.05)
        self._country_shapes = []
        for iso, name, geom in _countries():
            projected = _clipped(view.project(_clipped(geom, frame_lonlat)), window_m)
            if projected.is_empty:
                continue
            self._country_shapes.append((iso, name, projected))
            path = _path(projected)
            if path is not None:
                colour = style.UKRAINE_FILL if iso == "UA" else style.NEIGHBOUR_FILL
                # Opaque: the base-map fill opacity is for tiles under it in the app; here the sea is under it.
                ax.add_patch(PathPatch(path, facecolor=colour, edgecolor="none", zorder=1))
        # Beyond the extracts' extent lies land to the west, north and east, sea to the south.
        lon_min, lat_min, lon_max, lat_max = THEATER_BBOX
        beyond = window_m.difference(view.project(box(lon_min, lat_min - 8, lon_max, lat_max).segmentize(0.25)))
        path = _path(beyond)
        if path is not None:
            ax.add_patch(PathPatch(path, facecolor=style.NEIGHBOUR_FILL, edgecolor="none", zorder=0.9))
        for geom in _basemap_layer("lakes"):
            path = _path(_clipped(view.project(geom), window_m))
            if path is not None:
                ax.add_patch(PathPatch(path, facecolor=style.WATER_COLOUR, edgecolor="none", zorder=1.5))
        oblasts = [s for g in _basemap_layer("oblast_lines") for s in _segments(view.project(g).intersection(window_m))]
        if oblasts:
            ax.add_collection(LineCollection(oblasts, colors=style.OBLAST_LINE_COLOUR, linewidths=0.5,
                                             linestyles=(0, (4, 2)), zorder=2))
        coast = [s for g in _basemap_layer("coastline") for s in _segments(view.project(g).intersection(window_m))]
        if coast:
            ax.add_collection(LineCollection(coast, colors="#6f93ab", linewidths=0.5, zorder=2))
        # The extracts' own cut edges are no borders.
        cut = view.project(box(*THEATER_BBOX).segmentize(0.25)).boundary.buffer(view.width_m * 0.002)
        borders = [s for _, _, geom in self._country_shapes for s in _segments(geom.boundary.difference(cut))]
        if borders:
            ax.add_collection(LineCollection(borders, colors=style.BORDER_COLOUR, linewidths=0.8, zorder=2.5))

    def _draw_inset(self, x, y, w, h) -> None:
        """Ukraine and its neighbours with the map's window outlined (top of the panel)."""
        inset_h = min(w / 1.55, h * 0.36)
        self._panel_top = y + h
        ax = self.fig.add_axes(self._rect(x, y + h - inset_h, w, inset_h))
        ax.set_facecolor(style.SEA_COLOUR)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_edgecolor("#888888")
            spine.set_linewidth(0.6)
        lon_min, lat_min, lon_max, lat_max = UKRAINE_LONLAT
        ua_m = to_metric(box(lon_min, lat_min, lon_max, lat_max))
        bx0, by0, bx1, by1 = ua_m.bounds
        cx, cy = (bx0 + bx1) / 2, (by0 + by1) / 2
        half_w = max(bx1 - bx0, (by1 - by0) * w / inset_h) / 2 * 1.04
        half_h = half_w * inset_h / w
        clip = box(cx - half_w, cy - half_h, cx + half_w, cy + half_h)
        for iso, _, geom in _countries():
            path = _path(to_metric(geom).intersection(clip))
            if path is not None:
                ax.add_patch(PathPatch(path, facecolor=style.UKRAINE_FILL if iso == "UA" else style.NEIGHBOUR_FILL,
                                       edgecolor=style.BORDER_COLOUR, linewidth=0.4))
        # The main map's window, densified so its curved edges show in this projection.
        xs = np.r_[np.linspace(self.view.xmin, self.view.xmax, 20), np.full(20, self.view.xmax),
                   np.linspace(self.view.xmax, self.view.xmin, 20), np.full(20, self.view.xmin)]
        ys = np.r_[np.full(20, self.view.ymin), np.linspace(self.view.ymin, self.view.ymax, 20),
                   np.full(20, self.view.ymax), np.linspace(self.view.ymax, self.view.ymin, 20)]
        lons, lats = self.view.lonlat(xs, ys)
        outline = to_metric(shapely.Polygon(np.column_stack([lons, lats])))
        ax.add_patch(PathPatch(_path(outline), facecolor=to_rgba("#C0392B", 0.12), edgecolor="#C0392B",
                               linewidth=1.2, zorder=3))
        ax.set_xlim(cx - half_w, cx + half_w)
        ax.set_ylim(cy - half_h, cy + half_h)
        ax.set_aspect("equal", adjustable="box")
        kyiv = next(((lat, lon) for name, lat, lon, _ in context_cities() if name == "Kyiv"), (50.4547, 30.5238))
        kx, ky = to_metric(shapely.Point(kyiv[1], kyiv[0])).coords[0]
        ax.plot([kx], [ky], "o", color="#333333", markersize=2.5, zorder=4)
        ax.text(kx, ky, " Kyiv", fontproperties=font_props(self.fonts.city * 0.9), color="#333333", va="center",
                zorder=4, parse_math=False)
        self._legend_top = y + h - inset_h - 0.1

    def _legend_handles(self) -> list:
        c = style.STATUS_COLOURS
        shown_states = state_at(self._legend_events, date.max)
        if self.bounds is not None:   # an asked-for window: the places in it
            xs, ys = self.view.xy([s.place.lon for s in shown_states.values()],
                                  [s.place.lat for s in shown_states.values()])
            shown_states = {k: s for (k, s), x, y in zip(shown_states.items(), np.atleast_1d(xs), np.atleast_1d(ys))
                            if self.view.xmin <= x <= self.view.xmax and self.view.ymin <= y <= self.view.ymax}
        statuses = {s.status or "shelling" for s in shown_states.values()}
        layers = self.layers
        handles = []
        if "liberated" in layers:
            handles += [
                Patch(facecolor=to_rgba(c["liberated"], style.FILL_OPACITY_REPORTED), edgecolor=c["liberated"],
                      linewidth=_lw(style.AREA_EDGE_WEIGHT), label="Liberated area, reported"),
                Patch(facecolor=to_rgba(c["liberated"], style.FILL_OPACITY_INFERRED), edgecolor=c["liberated"],
                      linewidth=_lw(style.AREA_EDGE_WEIGHT), linestyle=(0, (3, 2)), label="Liberated area, inferred"),
            ]
        if "contested" in layers:
            handles.append(Patch(facecolor=to_rgba(c["contested"], style.FILL_OPACITY_REPORTED),
                                 edgecolor=c["contested"], linewidth=_lw(style.AREA_EDGE_WEIGHT),
                                 label="Contested / grey zone"))
        if self.baseline is not None and "front" in layers:
            handles += [
                Patch(facecolor=to_rgba(c["occupied"], style.FILL_OPACITY_OCCUPIED + 0.1), edgecolor=c["occupied"],
                      linewidth=_lw(style.AREA_EDGE_WEIGHT), label="Occupied (baseline map)"),
                Line2D([], [], color=style.FRONT_LINE_COLOUR, lw=_lw(style.LINE_WEIGHT), label="Front line"),
            ]
        if self.baseline is not None and "arrows" in layers:
            handles.append(Line2D([], [], color=c["advance"], lw=_lw(style.LINE_WEIGHT), linestyle=(0, (3, 2)),
                                  label="Advance"))
        if "settlements" not in layers:
            statuses = set()
        for status in STATUS_ORDER:
            if status in statuses:
                handles.append(Line2D([], [], marker="o", linestyle="none", markersize=7,
                                      markerfacecolor=to_rgba(c[status], style.MARKER_FILL_OPACITY),
                                      markeredgecolor="white", markeredgewidth=0.8, label=STATUS_LABELS[status]))
        if "settlements" in layers and any((s.precision or "day") != "day" or s.place.approximate
                                           for s in shown_states.values()):
            handles.append(Line2D([], [], marker="o", linestyle="none", markersize=7, markerfacecolor="white",
                                  markeredgecolor="#444444", markeredgewidth=1.0,
                                  label="Date or place approximate"))
        if "settlements" in layers and any(s.place.kind != "settlement" for s in shown_states.values()):
            handles.append(Patch(facecolor="white", edgecolor="#777777", linewidth=1.0,
                                 label="Region or river as a whole"))
        if "recent" in layers:
            handles.append(Line2D([], [], marker="o", linestyle="none", markersize=9, markerfacecolor="none",
                                  markeredgecolor="#000000", markeredgewidth=1.4,
                                  label=f"Reported in the last {RECENT_DAYS} days"))
        if not handles:
            handles.append(Patch(facecolor="none", edgecolor="none", label="Base map only: no layer chosen"))
        return handles

    def _draw_legend(self, x, y, w) -> None:
        handles = self._legend_handles()
        available = self._legend_top - y
        size = self.fonts.legend
        # shrink the type (not below 6 pt) rather than let the legend run off the panel
        while size > 6 and (len(handles) + 1.4) * size / 72 * 1.75 > available:
            size -= 0.25
        ax = self.fig.add_axes(self._rect(x, y, w, available))
        ax.set_axis_off()
        legend = ax.legend(handles=handles, loc="upper left", frameon=False, borderaxespad=0, borderpad=0,
                           prop=font_props(size), title="Legend", title_fontproperties=font_props(size * 1.05, "bold"),
                           handlelength=1.6, handleheight=1.0, labelspacing=0.55, alignment="left")
        legend.get_title().set_color("#222222")
        self.legend = legend
        extent = legend.get_window_extent(self.renderer)
        note_top = extent.y0 / self.size.dpi - 0.1
        if note_top - y > 0.5 and {"liberated", "contested"} & self.layers:
            self.text_block("Shapes are drawn around the places the reports name, sized by the place; "
                             "they are not surveyed lines.", font_props(size * 0.92, style_="italic"), max_lines=4,
                             colour="#555555", width_in=w, x_in=x, top_in=note_top)

    # -- what changes with the date -----------------------------------------------------------------------------
    def clear(self) -> None:
        for artist in self._dynamic:
            artist.remove()
        self._dynamic = []

    def _add(self, artist):
        self._dynamic.append(artist)
        return artist

    def draw(self, when: date, *, areas: Areas | None = None, since: date | None = None,
             stamp: str | None = None) -> tuple[Areas, dict[str, PlaceState]]:
        """Draw the map as of ``when`` (areas, markers, labels, date stamp); returns what was drawn."""
        self.clear()
        areas = areas if areas is not None else areas_at(self.events, when, baseline=self.baseline)
        areas = areas_in_layers(areas, self.layers)
        all_states = state_at(self.events, when)
        states = all_states if "settlements" in self.layers else {}
        self._draw_stamp(stamp or date_stamp(self.events, when))
        self._draw_areas(areas)
        markers = self._draw_markers(states)
        self._ringed: set[str] = set()
        if "recent" in self.layers:
            markers += self._draw_recent(when)
        self._place_scale_bar(markers, areas)
        self._note_box = None
        if not all_states:
            note = self._add(self.ax.text(0.5, 0.5, f"No reports on or before {long_date(when)}.\nNothing to mark yet.",
                                   transform=self.ax.transAxes, ha="center", va="center", zorder=20,
                                   fontproperties=font_props(self.fonts.note), color="#333333", parse_math=False,
                                   bbox={"boxstyle": "round,pad=0.6", "facecolor": "white", "edgecolor": "#999999",
                                         "alpha": 0.92}))
            extent = note.get_window_extent(self.renderer).expanded(1.15, 1.4)
            self._note_box = _Box(extent.x0, extent.y0, extent.x1, extent.y1)
        if self.labels:
            self._draw_labels(states, markers)
        self.last_areas, self.last_states = areas, states
        return areas, states

    def _draw_stamp(self, text: str) -> None:
        w_in, _ = self.size.inches
        self.text_block(text, font_props(self.fonts.stamp), max_lines=1, colour="#333333",
                         width_in=w_in - 2 * self.pad, x_in=self.pad, top_in=self._stamp_top, dynamic=True)

    def _draw_areas(self, areas: Areas) -> None:
        view, ax = self.view, self.ax
        window_m = view.box.buffer(view.width_m * 0.05)
        order = {"occupied": 3.0, "contested": 3.1, "liberated": 3.2}
        for polygon in areas.polygons:
            status, basis = polygon["status"], polygon["basis"]
            geom = _clipped(view.project(to_wgs84(polygon["geometry"])), window_m)
            path = _path(geom)
            if path is None:
                continue
            colour = style.STATUS_COLOURS.get(status, style.UNKNOWN_COLOUR)
            width = _lw(style.AREA_EDGE_WEIGHT) * (1.2 if basis == "reported" else 1.0)
            self._add(ax.add_patch(PathPatch(
                path, facecolor=to_rgba(colour, style.fill_opacity(status, basis)), edgecolor=colour,
                linewidth=width, linestyle=_dash(style.DASH_INFERRED, width) if basis == "inferred" else "solid",
                zorder=order.get(status, 3.0) + (0.05 if basis == "reported" else 0))))
        for line in areas.lines:
            geom = view.project(to_wgs84(line["geometry"]))
            segments = _segments(geom)
            if not segments:
                continue
            width = _lw(style.LINE_WEIGHT)
            if line["kind"] == "front_line":
                self._add(ax.add_collection(LineCollection(segments, colors=style.FRONT_LINE_COLOUR,
                                                           linewidths=width, zorder=4)))
            elif line["kind"] == "advance":
                colour = style.STATUS_COLOURS["advance"]
                for seg in segments:
                    self._add(ax.add_collection(LineCollection([seg], colors=colour, linewidths=width,
                                                               linestyles=[_dash(style.DASH_INFERRED, width)],
                                                               zorder=4.5)))
                    if len(seg) >= 2:
                        self._add(ax.add_patch(FancyArrowPatch(
                            tuple(seg[-2] + 0.7 * (seg[-1] - seg[-2])), tuple(seg[-1]), arrowstyle="-|>",
                            mutation_scale=self.fonts.label * 1.8, color=colour, linewidth=width, zorder=4.6)))

    def _draw_recent(self, when: date) -> list[tuple[PlaceState | None, float, float]]:
        """A black ring around each place reported in the last ``RECENT_DAYS`` days, as the app's layer draws;
        returns (None, x, y) in display pixels, for what labels and the scale bar must keep clear of."""
        from mapapp.app_view import recent_events

        places = {e.place.place_id: e.place for e in recent_events(self.events, when) if e.place.kind == "settlement"}
        self._ringed = set(places)
        if not places:
            return []
        xs, ys = self.view.xy([p.lon for p in places.values()], [p.lat for p in places.values()])
        diameter = self._marker_size_pt() * RING_SCALE
        self._add(self.ax.scatter(xs, ys, s=diameter ** 2, facecolors="none", edgecolors="#000000",
                                  linewidths=1.4, zorder=6.5))
        display = self.ax.transData.transform(np.column_stack([xs, ys]))
        return [(None, float(px), float(py)) for px, py in display]

    def _ring_radius_px(self) -> float:
        return self._marker_size_pt() * RING_SCALE / 72 * self.size.dpi / 2 + 1

    def _marker_size_pt(self) -> float:
        return style.MARKER_RADIUS * 2 * 0.5 * (self.size.inches[0] / 8.0) ** 0.35

    def _draw_markers(self, states: dict[str, PlaceState]) -> list[tuple[PlaceState, float, float]]:
        """One marker per place, coloured by its status at the date; dashed edge when its date is a week or a
        month, or the place is approximate. Returns (state, x, y) in display pixels."""
        # A region, river or border reported as a whole is named by ``_draw_labels``, not marked as a point.
        states = {k: s for k, s in states.items() if s.place.kind == "settlement"}
        if not states:
            return []
        ordered = sorted(states.values(), key=lambda s: STATUS_ORDER.index(s.status or "shelling"), reverse=True)
        lons = [s.place.lon for s in ordered]
        lats = [s.place.lat for s in ordered]
        xs, ys = self.view.xy(lons, lats)
        diameter = self._marker_size_pt()
        for fuzzy in (False, True):
            pick = [i for i, s in enumerate(ordered)
                    if (((s.precision or "day") != "day") or s.place.approximate) == fuzzy]
            if not pick:
                continue
            colours = [style.STATUS_COLOURS.get(ordered[i].status or "shelling", style.UNKNOWN_COLOUR) for i in pick]
            self._add(self.ax.scatter(
                [xs[i] for i in pick], [ys[i] for i in pick], s=diameter ** 2,
                c=[to_rgba(col, style.MARKER_FILL_OPACITY) for col in colours],
                edgecolors="#333333" if fuzzy else "white", linewidths=1.0 if fuzzy else 0.9,
                linestyles=(0, (1.5, 1.2)) if fuzzy else "solid", zorder=6))
        display = self.ax.transData.transform(np.column_stack([xs, ys]))
        return [(s, float(px), float(py)) for s, (px, py) in zip(ordered, display)]

    def _axes_box(self) -> _Box:
        b = self.ax.get_window_extent(self.renderer)
        return _Box(b.x0, b.y0, b.x1, b.y1)

    def _place_scale_bar(self, markers, areas: Areas) -> None:
        """A scale bar in the corner of the map with the least on it."""
        view, ax = self.view, self.ax
        target = view.width_m * 0.22
        length = max(v for v in (5e3, 10e3, 20e3, 25e3, 50e3, 100e3, 200e3, 250e3, 500e3) if v <= target) \
            if target >= 5e3 else 5e3
        axes = self._axes_box()
        m_to_px = (axes.x1 - axes.x0) / view.width_m
        bar_px = length * m_to_px
        prop = font_props(self.fonts.credits * 1.05)
        text = f"{length / 1000:.0f} km"
        tw, th = _text_size(text, prop, self.renderer)
        margin = self._px(0.08)
        box_w, box_h = bar_px + 2 * margin + tw + margin, max(th, 6) + 2 * margin + self._px(0.02)
        occupied_px = [(px, py) for _, px, py in markers]
        area_union = shapely.union_all([shapely.make_valid(view.project(to_wgs84(p["geometry"])))
                                        for p in areas.polygons]) if areas.polygons else None
        to_data = ax.transData.inverted()
        corners = {
            "lower left": (axes.x0 + margin, axes.y0 + margin),
            "lower right": (axes.x1 - margin - box_w, axes.y0 + margin),
            "upper left": (axes.x0 + margin, axes.y1 - margin - box_h),
            "upper right": (axes.x1 - margin - box_w, axes.y1 - margin - box_h),
        }

        def cost(corner) -> float:
            x0, y0 = corners[corner]
            hits = sum(1 for px, py in occupied_px
                       if x0 - 10 <= px <= x0 + box_w + 10 and y0 - 10 <= py <= y0 + box_h + 10)
            overlap = 0.0
            if area_union is not None and not area_union.is_empty:
                (dx0, dy0), (dx1, dy1) = to_data.transform([(x0, y0), (x0 + box_w, y0 + box_h)])
                overlap = area_union.intersection(box(dx0, dy0, dx1, dy1)).area / max(box(dx0, dy0, dx1, dy1).area, 1)
            return hits * 10 + overlap * 5 + list(corners).index(corner) * 0.01
        best = min(corners, key=cost)
        x0, y0 = corners[best]
        self.scale_box = _Box(x0, y0, x0 + box_w, y0 + box_h)
        (dx0, dy0), (dx1, dy1) = to_data.transform([(x0, y0), (x0 + box_w, y0 + box_h)])
        self._add(ax.add_patch(FancyBboxPatch((dx0, dy0), dx1 - dx0, dy1 - dy0, boxstyle="round,pad=0",
                                              facecolor="white", edgecolor="#999999", linewidth=0.5, alpha=0.88,
                                              zorder=8)))
        (bx0, by0), = to_data.transform([(x0 + margin, y0 + margin + self._px(0.01))])
        bar_h = self._px(0.045) / m_to_px
        half = length / 2
        for i, colour in enumerate(("#222222", "white")):
            self._add(ax.add_patch(Rectangle((bx0 + i * half, by0), half, bar_h, facecolor=colour,
                                             edgecolor="#222222", linewidth=0.6, zorder=9)))
        self._add(ax.text(bx0 + length + margin / m_to_px, by0 + bar_h / 2, text, fontproperties=prop,
                          va="center", ha="left", color="#222222", zorder=9, parse_math=False))

    def _draw_labels(self, states, markers) -> None:
        """Settlement names beside their markers: important places first (liberated, occupied, fought over; then
        by population), eight positions tried for each, a name that fits nowhere is left out. Then large cities
        and country names for orientation, where room is left."""
        axes = self._axes_box()
        inner = _Box(axes.x0 + 3, axes.y0 + 3, axes.x1 - 3, axes.y1 - 3)
        r = self._marker_size_pt() / 72 * self.size.dpi / 2
        ring = self._ring_radius_px()
        taken = [_Box(px - r, py - r, px + r, py + r) if s is not None
                 else _Box(px - ring, py - ring, px + ring, py + ring) for s, px, py in markers]
        # a place outside the window (an asked-for view) gets no label inside it
        markers = [(s, px, py) for s, px, py in markers
                   if s is not None and inner.x0 <= px <= inner.x1 and inner.y0 <= py <= inner.y1]
        taken.append(self.scale_box)
        if self._note_box is not None:
            taken.append(self._note_box)
        prop = font_props(self.fonts.label, "bold")
        gap = r + self._px(0.02)
        placed = 0

        def try_place(text, px, py, prop_, colour, offset) -> bool:
            w, h = _text_size(text, prop_, self.renderer)
            h += 2
            w += 3
            candidates = (("left", "center", px + offset, py - h / 2), ("right", "center", px - offset - w, py - h / 2),
                          ("center", "bottom", px - w / 2, py + offset * 0.8),
                          ("center", "top", px - w / 2, py - offset * 0.8 - h),
                          ("left", "bottom", px + offset * 0.7, py + offset * 0.5),
                          ("left", "top", px + offset * 0.7, py - offset * 0.5 - h),
                          ("right", "bottom", px - offset * 0.7 - w, py + offset * 0.5),
                          ("right", "top", px - offset * 0.7 - w, py - offset * 0.5 - h))
            for ha, va, x0, y0 in candidates:
                cand = _Box(x0, y0, x0 + w, y0 + h)
                if not cand.inside(inner) or any(cand.overlaps(t) for t in taken):
                    continue
                taken.append(cand)
                ax_x = {"left": x0 + 1.5, "right": x0 + w - 1.5, "center": x0 + w / 2}[ha]
                ax_y = {"bottom": y0 + 1, "top": y0 + h - 1, "center": y0 + h / 2}[va]
                dx, dy = self.ax.transData.inverted().transform((ax_x, ax_y))
                # A pale box, not a stroked halo: path effects would turn the label into outlines in SVG/PDF,
                # and a newsroom edits its labels there.
                self._add(self.ax.text(dx, dy, text, fontproperties=prop_, color=colour, ha=ha, va=va, zorder=7,
                                       parse_math=False, bbox=LABEL_BOX))
                return True
            return False

        ranked = sorted(markers, key=lambda m: (STATUS_ORDER.index(m[0].status or "shelling"),
                                                -(m[0].place.population or 0)))
        for state, px, py in ranked:
            if state.place.kind != "settlement":
                continue
            name = state.place.name + (" (disputed)" if state.disputed else "")
            ringed = state.place.place_id in self._ringed
            placed += try_place(name, px, py, prop, "#1a1a1a", ring + self._px(0.01) if ringed else gap)
        # Regions, rivers and borders reported as a whole: their names in italic capitals, boxed in the status
        # colour, centred on their reference point (no point is meant), where the settlements' names left room.
        area_prop = font_props(self.fonts.label * 0.9, "bold", "italic")
        for state in states.values():
            if state.place.kind == "settlement":
                continue
            x, y = self.view.xy([state.place.lon], [state.place.lat])
            (px, py), = self.ax.transData.transform([(x[0], y[0])])
            text = state.place.name.upper() + (" (disputed)" if state.disputed else "")
            w, h = _text_size(text, area_prop, self.renderer)
            # On the point, else near it: a region's name need not sit on its reference point.
            spots = [(px + sx * w / 2, py + sy * 1.2 * h) for sy in (0, 1, -1, 2, -2, 3, -3) for sx in (0, -1, 1)]
            for cx, cy in spots:
                box = _Box(cx - w / 2 - 2, cy - h / 2 - 1, cx + w / 2 + 2, cy + h / 2 + 1)
                if box.inside(inner) and not any(box.overlaps(t) for t in taken):
                    taken.append(box)
                    colour = style.STATUS_COLOURS.get(state.status or "shelling", style.UNKNOWN_COLOUR)
                    dx, dy = self.ax.transData.inverted().transform((cx, cy))
                    self._add(self.ax.text(dx, dy, text, fontproperties=area_prop, color="#1a1a1a", ha="center",
                                           va="center", zorder=7, parse_math=False,
                                           bbox={**LABEL_BOX, "edgecolor": colour, "linewidth": 1.0}))
                    placed += 1
                    break

        marked = {s.place.name for s in states.values()}   # empty when the settlements are not drawn
        city_prop = font_props(self.fonts.city)
        dot_r = self._px(0.022)
        for name, lat, lon, _ in sorted(context_cities(), key=lambda c: -c[3]):
            if name in marked:
                continue
            x, y = self.view.xy([lon], [lat])
            (px, py), = self.ax.transData.transform([(x[0], y[0])])
            dot = _Box(px - dot_r, py - dot_r, px + dot_r, py + dot_r)
            if not dot.inside(inner) or any(dot.overlaps(t) for t in taken):
                continue
            if try_place(name, px, py, city_prop, "#555555", dot_r + self._px(0.015)):
                taken.append(dot)
                self._add(self.ax.scatter([x[0]], [y[0]], s=(dot_r * 2 * 72 / self.size.dpi) ** 2, c="#666666",
                                          linewidths=0, zorder=5))
        country_prop = font_props(self.fonts.label * 1.05)
        for iso, name, geom in self._country_shapes:
            part = geom.intersection(self.view.box)
            if part.is_empty or part.area < 0.06 * self.view.box.area:
                continue
            point = polylabel(max(_polygons(part), key=lambda p: p.area), tolerance=2000) \
                if _polygons(part) else part.representative_point()
            (px, py), = self.ax.transData.transform([(point.x, point.y)])
            label = " ".join(name.upper())  # letter-spaced, as atlases set country names
            w, h = _text_size(label, country_prop, self.renderer)
            for dy in (0, 1.5 * h, -1.5 * h, 3 * h, -3 * h):
                cand = _Box(px - w / 2, py + dy - h / 2, px + w / 2, py + dy + h / 2)
                if cand.inside(inner) and not any(cand.overlaps(t) for t in taken):
                    taken.append(cand)
                    dx, dy_ = self.ax.transData.inverted().transform((px, py + dy))
                    self._add(self.ax.text(dx, dy_, label, fontproperties=country_prop, color="#8a8a8a",
                                           ha="center", va="center", zorder=2.8, parse_math=False))
                    break
        self.labels_placed = placed

    # -- output -------------------------------------------------------------------------------------------------
    def rgb(self) -> np.ndarray:
        """The figure as an (height, width, 3) uint8 array."""
        self.fig.canvas.draw()
        return np.asarray(self.fig.canvas.buffer_rgba())[..., :3].copy()


@contextmanager
def quiet_glyph_warnings():
    """A glyph missing from the font (a title in a script DejaVu lacks) is drawn as a box instead of stopping
    the export."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*missing from font", category=UserWarning)
        warnings.filterwarnings("ignore", message=r".*missing from font", category=RuntimeWarning)
        yield


def default_title(when: date) -> str:
    return DEFAULT_TITLE.format(date=long_date(when))


DEFAULT_SUBTITLE = ("Areas reported liberated or fought over in news articles, with the places they name. "
                    "Reported claims, not verified control.")


def map_canvas(events: list[Event], when: date, *, size: str | MapSize = "web", title: str | None = None,
               subtitle: str | None = None, baseline=None, labels: bool = True, bounds=None,
               layers=None) -> MapCanvas:
    """The map at ``when`` drawn on a fresh canvas (save it with ``fig.savefig``). ``bounds`` (south, west,
    north, east) and ``layers`` (the app's layer keys) as ``MapCanvas`` takes them."""
    size = SIZES[size] if isinstance(size, str) else size
    canvas = MapCanvas(events, size=size, title=title if title is not None else default_title(when),
                       subtitle=subtitle if subtitle is not None else DEFAULT_SUBTITLE, baseline=baseline,
                       labels=labels, view_until=when, bounds=bounds, layers=layers)
    canvas.draw(when)
    return canvas


__all__ = ["SIZES", "HANDOUT_SIZE", "MapSize", "MapCanvas", "View", "map_canvas", "alt_text", "date_stamp",
           "credits_line", "outlets_phrase", "long_date", "events_until", "fit_lines", "quiet_glyph_warnings",
           "default_title", "DEFAULT_SUBTITLE", "LAYER_KEYS", "DEFAULT_LAYERS", "check_layers", "areas_in_layers",
           "clamp_bounds", "view_for_bounds"]
