"""Areas at a date: liberated and contested polygons, the front line and advance arrows, from reported events
(and, optionally, an assessed control map of an earlier date — the *baseline*).

The method, its parameters and why each has its value are in ``docs/areas.md``. In short:

- every place reported liberated gets a disc of its own size (*reported*); places liberated in one push (close
  in space and time) are joined by their convex hull, and — with a baseline — by the ground between them and
  the front line they were reached from (*inferred*);
- contested and advance reports get smaller discs (*reported*) for a month after their date; with a baseline, a
  band along the new front inside formerly occupied ground is contested (*inferred*: fighting goes on where a
  line moved);
- with a baseline, occupied = baseline occupied − liberated − contested; the front line is the edge of occupied
  ground that faces Ukrainian-held land: not the state border, not the coast, and not the edge of the baseline
  map's own extent (a file clipped to a box ends there; that is no front).

Geometry is computed in a metric equal-area projection (LAEA centred on Ukraine), returned in WGS84 (GeoJSON
lon, lat), clipped to Ukraine's border (Natural Earth), without slivers, and valid after reprojection.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon, mapping, shape
from shapely.geometry.polygon import orient
from shapely.ops import nearest_points, unary_union

from mapapp.basemap import countries_geojson
from mapapp.events import Event
from mapapp.timeline import report_window, state_at

# Parameters (see docs/areas.md for the reasoning behind each value).
TOWN_RADIUS_MIN_KM = 4.0        # a village and its approaches
TOWN_RADIUS_MAX_KM = 10.0       # a city of ~100k and the ring of villages around it
CONTESTED_RADIUS_KM = 7.0       # fighting "around" a town reaches its outskirts and the next villages
ADVANCE_RADIUS_KM = 5.0         # "reached the outskirts of": a foothold, not the town
PUSH_LINK_KM = 80.0             # liberated places this close…
PUSH_WINDOW_DAYS = 10           # …and this close in time belong to one push
HULL_MARGIN_KM = 5.0            # the hull of a push, widened by the roads around its edge
CORRIDOR_HALF_WIDTH_KM = 15.0   # the axis a town was reached along, from the old front: two rows of villages
DISC_QUAD_SEGS = 8             # vertices per quarter circle of a town disc: 32-gon, within 0.5 % of the circle area
                                # (5–10 km apart in eastern Ukraine) either side of the road taken
GREY_BAND_KM = 8.0              # fighting goes on along a line that has just moved
FIGHTING_SHOWN_DAYS = 30        # a report of fighting or of an advance marks ground contested for this long; with
                                # no newer report by then, the place keeps its marker but the ground is no longer
                                # drawn as fought over (a push in March says nothing about September)
BORDER_TOLERANCE_KM = 6.0       # what lies this close to the state border is the border, not the front (maps of
                                # control and Natural Earth draw the border a few km apart)
EXTENT_TOLERANCE_KM = 0.01      # an edge with both ends this close to one side of the baseline's lon/lat extent
                                # is where the map was clipped, not a front: a clip puts vertices exactly on the
                                # side, so 10 m only absorbs numerical noise (< 1 m) and spares real edges that
                                # merely touch the extent's outermost meridian or parallel
MIN_AREA_KM2 = 0.1              # polygons and holes smaller than this are slivers of overlays or gaps between a
                                # control map's pieces (10 cells at its 100 m resolution), not ground anyone holds
DENSIFY_DEG = 0.05              # baseline edges longer than this (~5 km) get vertices before projection, so a long
                                # straight clip edge stays on its meridian/parallel in metres (within 1 m)
OUTPUT_GRID_DEG = 1e-6          # WGS84 output is snapped to 6 decimals (~0.1 m, RFC 7946's advice) and valid there

_LAEA = "+proj=laea +lat_0=48.5 +lon_0=31.5 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
_TO_METRIC = Transformer.from_crs("EPSG:4326", _LAEA, always_xy=True)
_TO_WGS84 = Transformer.from_crs(_LAEA, "EPSG:4326", always_xy=True)
STATUSES = ("occupied", "liberated", "contested")


class BaselineError(ValueError):
    """A baseline file that cannot be used; the message is one line for the user."""


def _reproject(geom, transformer):
    def coords(xy):
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])
    return shapely.transform(geom, coords)


def to_metric(geom):
    """WGS84 lon/lat → metres (equal-area)."""
    return _reproject(geom, _TO_METRIC)


def to_wgs84(geom):
    """Metres → WGS84 lon/lat."""
    return _reproject(geom, _TO_WGS84)


def _km(value: float) -> float:
    return value * 1000.0


@lru_cache(maxsize=65536)
def _point_m(lat: float, lon: float) -> Point:
    x, y = _TO_METRIC.transform(lon, lat)  # pyproj with always_xy: lon, lat in
    return Point(x, y)


@lru_cache(maxsize=65536)
def _disc(lat: float, lon: float, radius_km: float):
    """A place's disc in metres; the same for every date, so kept (dragging the date re-uses them)."""
    return _point_m(lat, lon).buffer(_km(radius_km), quad_segs=DISC_QUAD_SEGS)


@lru_cache(maxsize=1)
def ukraine_m():
    """Ukraine (Natural Earth, Crimea included) in metres."""
    for feature in countries_geojson()["features"]:
        if feature["properties"].get("iso_a2") == "UA":
            return shapely.make_valid(to_metric(shape(feature["geometry"])))
    raise RuntimeError("data/basemap/countries.geojson has no Ukraine; rebuild with `make basemap`")


@lru_cache(maxsize=1)
def _state_border_m():
    """Ukraine's land border with its neighbours, buffered: the part of an occupied area's edge that is no front."""
    others = [to_metric(shape(f["geometry"])) for f in countries_geojson()["features"]
              if f["properties"].get("iso_a2") != "UA"]
    return ukraine_m().boundary.buffer(_km(BORDER_TOLERANCE_KM)).intersection(
        unary_union(others).buffer(_km(BORDER_TOLERANCE_KM))).union(
        # the coast too: the sea is no front either
        ukraine_m().boundary.difference(unary_union(others).buffer(_km(BORDER_TOLERANCE_KM))).buffer(
            _km(BORDER_TOLERANCE_KM)))


# ------------------------------------------------------------------------------------------------------------
# Baselines

@dataclass(frozen=True)
class Baseline:
    """An assessed control map as of ``date``: status → (Multi)Polygon in metres. ``extent`` is the lon/lat box
    (min lon, min lat, max lon, max lat) of the file's polygons — where the map ends; computed from ``areas`` when
    not given."""
    date: date | None
    areas: dict[str, object]
    source: str = ""
    extent: tuple[float, float, float, float] | None = None

    def __post_init__(self):
        if self.extent is None:
            shapes = [g for g in self.areas.values() if g is not None and not g.is_empty]
            if shapes:
                object.__setattr__(self, "extent", tuple(float(v) for v in to_wgs84(unary_union(shapes)).bounds))

    @property
    def occupied(self):
        return self.areas.get("occupied", Polygon())


def _repair(geom):
    """A valid (Multi)Polygon: valid polygonal input as it is; otherwise made valid, keeping its polygonal parts."""
    if isinstance(geom, (Polygon, MultiPolygon)) and geom.is_valid:
        return geom
    geom = shapely.make_valid(geom)
    if isinstance(geom, (Polygon, MultiPolygon)):
        return geom
    polygons = [g for g in getattr(geom, "geoms", [geom]) if isinstance(g, (Polygon, MultiPolygon))]
    return unary_union(polygons) if polygons else Polygon()


def _polygons_of(geom) -> list[Polygon]:
    """The non-empty Polygons in ``geom``, however nested (a GeometryCollection may hold a MultiPolygon)."""
    if geom is None or geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    return [poly for part in getattr(geom, "geoms", []) for poly in _polygons_of(part)]


def _without_small(polygons, area_m2) -> list[Polygon]:
    """``polygons`` without those, or those holes, whose area (by ``area_m2``, in m²) is under ``MIN_AREA_KM2``."""
    kept = []
    for poly in polygons:
        if area_m2(poly) < MIN_AREA_KM2 * 1e6:
            continue
        holes = [ring for ring in poly.interiors if area_m2(Polygon(ring)) >= MIN_AREA_KM2 * 1e6]
        kept.append(poly if len(holes) == len(poly.interiors) else Polygon(poly.exterior, holes))
    return kept


def _multi(polygons: list[Polygon]):
    if not polygons:
        return Polygon()
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


def _drop_slivers(geom):
    """Polygonal parts of ``geom`` (metres), without parts or holes smaller than ``MIN_AREA_KM2``."""
    return _multi(_without_small(_polygons_of(geom), lambda g: g.area))


def _tidy(geom):
    """Valid polygonal ground in metres without slivers (the form every polygon of ``Areas`` has): dropping a
    part or a hole of a valid polygon leaves it valid."""
    return _drop_slivers(_repair(geom))


def _make_valid_rings(geom):
    """Valid polygonal ``geom``; rings rebuilt with holes subtracted (shapely ≥ 2.1), else GEOS' default repair."""
    try:
        return _multi(_polygons_of(shapely.make_valid(geom, method="structure", keep_collapsed=False)))
    except TypeError:   # shapely 2.0: one method only, whose pieces may need dissolving
        return _repair(geom)


def polygon_wgs84(geom):
    """A polygon in metres as a valid, sliver-free (Multi)Polygon in WGS84 lon/lat on the ``OUTPUT_GRID_DEG``
    grid, exterior rings counterclockwise (RFC 7946), or an empty Polygon. Reprojection moves vertices by float
    noise, which can make near-touching edges of a valid polygon cross; the rings are rebuilt and snapped to the
    output grid (GEOS snap-rounding, valid by construction), so the result stays valid written with 6 decimals."""
    geom = _drop_slivers(geom)
    if geom.is_empty:
        return Polygon()
    wgs = to_wgs84(geom)
    snapped = shapely.set_precision(wgs, OUTPUT_GRID_DEG, mode="pointwise")   # rounding only: cheap
    if not snapped.is_valid:   # rebuild the rings, then snap-round (slower, valid by construction)
        snapped = shapely.set_precision(wgs if wgs.is_valid else _make_valid_rings(wgs), OUTPUT_GRID_DEG)
        if not snapped.is_valid:   # not seen; a safety net
            snapped = shapely.set_precision(_make_valid_rings(snapped), OUTPUT_GRID_DEG)
    # snapping can pinch off a lobe or collapse a hole: what is left is measured in metres again
    return _multi([orient(p, sign=1.0) for p in _without_small(_polygons_of(snapped),
                                                                lambda g: to_metric(g).area)])


def line_wgs84(geom):
    """A line in metres in WGS84 on the output grid, without zero-length pieces (or an empty LineString)."""
    if geom is None or geom.is_empty:
        return LineString()
    parts = [g for g in shapely.get_parts(shapely.set_precision(to_wgs84(geom), OUTPUT_GRID_DEG))
             if isinstance(g, LineString) and not g.is_empty and g.length > 0]
    if not parts:
        return LineString()
    return parts[0] if len(parts) == 1 else MultiLineString(parts)


def _looks_projected(geom) -> bool:
    minx, miny, maxx, maxy = geom.bounds
    return not (-180 <= minx <= 180 and -180 <= maxx <= 180 and -90 <= miny <= 90 and -90 <= maxy <= 90)


def _from_geojson(data: dict, name: str) -> tuple[dict, date | None]:
    if not isinstance(data, dict) or data.get("type") not in ("FeatureCollection", "Feature"):
        raise BaselineError(f"{name}: not a GeoJSON FeatureCollection")
    crs = (data.get("crs") or {}).get("properties", {}).get("name", "")
    if crs and not any(tag in crs.upper() for tag in ("4326", "CRS84")):
        raise BaselineError(f"{name}: coordinates in {crs}; GeoJSON baselines must be WGS84 lon/lat (EPSG:4326)")
    features = data["features"] if data["type"] == "FeatureCollection" else [data]
    parts: dict[str, list] = {}
    for feature in features:
        status = str(((feature or {}).get("properties") or {}).get("status", "")).strip().lower()
        if status not in STATUSES:
            continue
        try:
            geom = shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.GEOSException):
            raise BaselineError(f"{name}: a '{status}' feature has no readable geometry") from None
        if _looks_projected(geom):
            raise BaselineError(f"{name}: coordinates are not longitude/latitude degrees (another CRS?)")
        parts.setdefault(status, []).append(geom)
    if not parts:
        raise BaselineError(f"{name}: no polygon has a status of occupied, liberated or contested")
    raw = (data.get("properties") or {}).get("date")
    try:
        when = date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        when = None
    return parts, when


_KML_NS = "{http://www.opengis.net/kml/2.2}"


def _from_kml(text: str, name: str) -> tuple[dict, date | None]:
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise BaselineError(f"{name}: not valid KML ({exc})") from None
    parts: dict[str, list] = {}
    for placemark in root.iter(f"{_KML_NS}Placemark"):
        status = ""
        for data in placemark.iter(f"{_KML_NS}Data"):
            if data.get("name", "").lower() == "status":
                status = (data.findtext(f"{_KML_NS}value") or "").strip().lower()
        if not status:
            status = (placemark.findtext(f"{_KML_NS}name") or "").strip().lower()
        if status not in STATUSES:
            continue
        for poly in placemark.iter(f"{_KML_NS}Polygon"):
            rings = []
            for tag in ("outerBoundaryIs", "innerBoundaryIs"):
                for boundary in poly.iter(f"{_KML_NS}{tag}"):
                    coords = boundary.findtext(f".//{_KML_NS}coordinates") or ""
                    ring = [tuple(map(float, c.split(",")[:2])) for c in coords.split() if c.count(",") >= 1]
                    rings.append((tag, ring))
            outer = [r for t, r in rings if t == "outerBoundaryIs"]
            if outer and len(outer[0]) >= 3:
                parts.setdefault(status, []).append(
                    Polygon(outer[0], [r for t, r in rings if t == "innerBoundaryIs" and len(r) >= 3]))
    if not parts:
        raise BaselineError(f"{name}: no Placemark polygon has a status of occupied, liberated or contested")
    return parts, None


def baseline_from_bytes(data: bytes, name: str, *, as_of: date | None = None) -> Baseline:
    """A baseline uploaded in the app: the bytes are written to a temporary file, never to the upload's name."""
    import tempfile

    suffix = ".kml" if name.lower().endswith(".kml") else ".geojson"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"baseline{suffix}"
        path.write_bytes(data)
        try:
            baseline = load_baseline(path, as_of=as_of or _date_in_name(name))
        except BaselineError as exc:
            raise BaselineError(str(exc).replace(str(path), name)) from None
    return replace(baseline, source=name)


def _date_in_name(name: str) -> date | None:
    try:
        return date.fromisoformat(Path(name).stem[:10])
    except ValueError:
        return None


def load_baseline(path: str | Path, *, as_of: date | None = None) -> Baseline:
    """A GeoJSON or KML control map. Invalid or self-intersecting polygons are repaired; anything unusable is a
    ``BaselineError`` with a one-line reason, never a traceback."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read ({exc.strerror or exc})") from None
    text = raw.decode("utf-8", errors="replace").lstrip("\ufeff").strip()
    if not text:
        raise BaselineError(f"{path}: empty file")
    if text.startswith("<"):
        parts, when = _from_kml(text, str(path))
    else:
        try:
            parts, when = _from_geojson(json.loads(text), str(path))
        except json.JSONDecodeError:
            raise BaselineError(f"{path}: neither GeoJSON nor KML") from None
    if when is None:
        when = as_of
    if when is None:
        try:
            when = date.fromisoformat(path.stem[:10])
        except ValueError:
            when = None
    lonlat = {status: _repair(unary_union(geoms)) for status, geoms in parts.items()}
    shapes = [g for g in lonlat.values() if not g.is_empty]
    if not shapes:
        raise BaselineError(f"{path}: no polygon with an area (occupied, liberated or contested)")
    extent = tuple(float(v) for v in unary_union(shapes).bounds)
    # Densified in degrees before projecting: a long straight edge (a clip along a parallel) stays on it in metres.
    areas = {status: _drop_slivers(_repair(to_metric(shapely.segmentize(g, DENSIFY_DEG))))
             for status, g in lonlat.items()}
    return Baseline(when, areas, str(path), extent)


# ------------------------------------------------------------------------------------------------------------
# Areas

@dataclass
class Areas:
    date: date
    polygons: list[dict] = field(default_factory=list)   # {geometry (metres), status, basis, sources}
    lines: list[dict] = field(default_factory=list)      # {geometry (metres), kind, event_id?, date?}
    baseline: Baseline | None = None

    def area_km2(self, status: str, basis: str | None = None) -> float:
        return sum(p["geometry"].area for p in self.polygons
                   if p["status"] == status and (basis is None or p["basis"] == basis)) / 1e6

    def feature_collection(self) -> dict:
        """GeoJSON in WGS84 (lon, lat): polygons with status/basis/sources, lines with kind."""
        features = []
        for p in self.polygons:
            geom = polygon_wgs84(p["geometry"])   # valid, non-empty, no slivers: or no feature
            if geom.is_empty:
                continue
            features.append({"type": "Feature", "geometry": mapping(geom),
                             "properties": {"status": p["status"], "basis": p["basis"], "sources": p["sources"],
                                            "area_km2": round(p["geometry"].area / 1e6, 1)}})
        for line in self.lines:
            geom = line_wgs84(line["geometry"])
            if geom.is_empty:
                continue
            props = {k: v for k, v in line.items() if k != "geometry"}
            features.append({"type": "Feature", "geometry": mapping(geom), "properties": props})
        return {"type": "FeatureCollection", "properties": {"date": self.date.isoformat(),
                                                            "baseline": self.baseline.source if self.baseline else None,
                                                            "front_line": bool(self.baseline)},
                "features": features}


def town_radius_km(population: int) -> float:
    """A place's own extent: ~4 km for a village, growing with log(population) to ~10 km for a city of 100k+."""
    if population <= 0:
        return TOWN_RADIUS_MIN_KM
    return max(TOWN_RADIUS_MIN_KM, min(TOWN_RADIUS_MAX_KM, 2.0 * math.log10(population) - 2.0))


def _pushes(events: list[Event]) -> list[list[Event]]:
    """Liberation reports grouped into pushes: two reports are linked when within PUSH_LINK_KM and
    PUSH_WINDOW_DAYS of each other, and a push is a connected group of links. Reports are bucketed by a grid of
    PUSH_LINK_KM cells and PUSH_WINDOW_DAYS periods, so each is compared only with its neighbours' buckets."""
    ordered = sorted(events, key=lambda e: e.date)
    starts = [report_window(e)[0].toordinal() for e in ordered]
    points = [_point_m(e.place.lat, e.place.lon) for e in ordered]
    xy = [(p.x, p.y) for p in points]
    link = _km(PUSH_LINK_KM)
    parent = list(range(len(ordered)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    buckets: dict[tuple[int, int, int], list[int]] = {}
    for i, (x, y) in enumerate(xy):
        key = (int(x // link), int(y // link), starts[i] // PUSH_WINDOW_DAYS)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for dt in (-1, 0, 1):
                    for j in buckets.get((key[0] + dx, key[1] + dy, key[2] + dt), ()):
                        if abs(starts[i] - starts[j]) <= PUSH_WINDOW_DAYS and \
                                math.hypot(x - xy[j][0], y - xy[j][1]) <= link:
                            parent[root(i)] = root(j)
        buckets.setdefault(key, []).append(i)
    groups: dict[int, list[Event]] = {}
    for i, event in enumerate(ordered):
        groups.setdefault(root(i), []).append(event)
    return [sorted(g, key=lambda e: e.date, reverse=True) for g in groups.values()]


_KM_PER_DEG_LAT = 111.2
_KM_PER_DEG_LON_EQUATOR = 111.32


def _off_extent(boundary, extent):
    """``boundary`` (lines in metres) without the segments that run along a side of ``extent`` (a lon/lat box):
    both ends of the segment within ``EXTENT_TOLERANCE_KM`` of the same side. A clipped file's polygons end on
    the clip box in straight runs along it; a real edge only touches the box side at its outermost point."""
    if extent is None or boundary.is_empty:
        return boundary
    west, south, east, north = extent
    pieces = []
    for part in shapely.get_parts(boundary):
        xy = shapely.get_coordinates(part)
        if len(xy) < 2:
            continue
        lon, lat = _TO_WGS84.transform(xy[:, 0], xy[:, 1])
        tol_lat = EXTENT_TOLERANCE_KM / _KM_PER_DEG_LAT
        tol_lon = EXTENT_TOLERANCE_KM / (_KM_PER_DEG_LON_EQUATOR * np.cos(np.radians(lat)))
        along = np.zeros(len(xy) - 1, dtype=bool)
        for near in (np.abs(lon - west) <= tol_lon, np.abs(lon - east) <= tol_lon,
                     np.abs(lat - south) <= tol_lat, np.abs(lat - north) <= tol_lat):
            along |= near[:-1] & near[1:]
        if not along.any():
            pieces.append(LineString(xy))
            continue
        # runs of segments that are not along the extent: segments i..j → vertices i..j+1
        keep = np.flatnonzero(~along)
        if keep.size == 0:
            continue
        breaks = np.flatnonzero(np.diff(keep) > 1)
        for first, last in zip(np.r_[keep[0], keep[breaks + 1]], np.r_[keep[breaks], keep[-1]]):
            pieces.append(LineString(xy[first:last + 2]))
    if not pieces:
        return LineString()
    return shapely.line_merge(MultiLineString(pieces))   # a ring cut once joins up again at its start


def _front_of(occupied, extent=None):
    """The edge of occupied ground that faces Ukrainian-held land: not the state border, not the coast or the sea,
    not the edge of the baseline map's extent (a lon/lat box; None: the whole map is known)."""
    if occupied.is_empty:
        return LineString()
    front = _off_extent(occupied.boundary, extent)
    if front.is_empty:
        return LineString()
    front = front.intersection(ukraine_m()).difference(_state_border_m())
    lines = [g for g in shapely.get_parts(front) if isinstance(g, LineString) and g.length > 0]
    if not lines:
        return LineString()
    return shapely.line_merge(MultiLineString(lines))


def change_dates(events: list[Event]) -> list[date]:
    """The dates on which ``areas_at`` may change, ascending: where a report's date window begins, and the day after
    a report of fighting or of an advance stops marking ground (``FIGHTING_SHOWN_DAYS``). Between two of them the
    areas are the same."""
    days = set()
    for event in events:
        if event.date is None:
            continue
        start, end = report_window(event)
        days.add(start)
        if event.event_type in ("contested", "advance"):
            days.add(end + timedelta(days=FIGHTING_SHOWN_DAYS + 1))
    return sorted(days)


def areas_at(events: list[Event], when: date, *, baseline: Baseline | None = None) -> Areas:
    """Liberated and contested areas, front line and advance arrows on ``when``."""
    result = Areas(when, baseline=baseline)
    states = state_at(events, when)
    since = baseline.date if baseline and baseline.date else date.min
    occupied0 = baseline.occupied if baseline else None
    extent = baseline.extent if baseline else None
    front0 = _front_of(occupied0, extent) if baseline else None
    land = ukraine_m()

    def after_baseline(event: Event) -> bool:
        # A fuzzy date counts when its window reaches past the baseline ("recently liberated", that week).
        return report_window(event)[1] > since

    # Ground is marked around places that have a position: settlements, and points such as a border crossing. A
    # region or a river reported as a whole ("advancing in the Kharkiv region") has only a reference point, and a
    # disc there would claim ground the report does not name.
    located = {s.place.place_id for s in states.values() if s.place.kind in ("settlement", "other")}

    # A liberation someone disputes ("only the west bank") is control in doubt: drawn as contested, not liberated.
    liberated = [s.event for s in states.values() if s.status == "liberated" and after_baseline(s.event)
                 and not s.disputed and s.place.place_id in located]

    def recent(event: Event) -> bool:
        return (when - report_window(event)[1]).days <= FIGHTING_SHOWN_DAYS

    # A disputed liberation stays contested until a report settles it: it is a claim of control, not of fighting.
    fighting = [s.event for s in states.values() if s.event is not None and s.place.place_id in located
                and after_baseline(s.event) and ((s.status in ("contested", "advance") and recent(s.event))
                                                 or (s.status == "liberated" and s.disputed))]

    reported, inferred, arrows, all_discs = [], [], [], []
    for push in _pushes(liberated):
        discs, anchors = [], []
        for event in push:
            point = _point_m(event.place.lat, event.place.lon)
            discs.append(_disc(event.place.lat, event.place.lon, town_radius_km(event.place.population)))
            anchors.append(point)
            if front0 is not None and not front0.is_empty and occupied0.contains(point):
                start = nearest_points(front0, point)[0]
                anchors.append(start)
                inferred.append((LineString([start, point]).buffer(_km(CORRIDOR_HALF_WIDTH_KM)), event))
                arrows.append((LineString([start, point]), event))
        reported.append((None, push))   # the discs are unioned once, below, for every push together
        all_discs += discs
        if len(anchors) >= 3:
            hull = shapely.MultiPoint(anchors).convex_hull.buffer(_km(HULL_MARGIN_KM))
            inferred.append((hull, push[0]))

    def _clip(geom):
        geom = geom.intersection(land)
        if occupied0 is not None:
            geom = geom.intersection(occupied0)
        return _repair(geom)

    reported_union = unary_union(all_discs) if all_discs else Polygon()
    liberated_reported = _clip(reported_union) if reported else Polygon()
    liberated_all = _clip(unary_union([reported_union] + [g for g, _ in inferred])) if (reported or inferred) \
        else Polygon()
    liberated_inferred = _repair(liberated_all.difference(liberated_reported))

    contested_parts = []
    for event in fighting:
        point = _point_m(event.place.lat, event.place.lon)
        radius = ADVANCE_RADIUS_KM if event.event_type == "advance" else max(
            CONTESTED_RADIUS_KM, town_radius_km(event.place.population))
        contested_parts.append(_disc(event.place.lat, event.place.lon, radius))
        if front0 is not None and not front0.is_empty and event.event_type == "advance" and occupied0.contains(point):
            start = nearest_points(front0, point)[0]
            arrows.append((LineString([start, point]), event))
    contested_reported = _repair(_clip(unary_union(contested_parts)).difference(liberated_all)) if contested_parts \
        else Polygon()
    contested_inferred = Polygon()
    if occupied0 is not None and not liberated_all.is_empty:
        band = liberated_all.buffer(_km(GREY_BAND_KM)).difference(liberated_all)
        contested_inferred = _repair(_clip(band).difference(contested_reported))

    def _ids(items):
        return sorted({e.event_id for _, group in items for e in (group if isinstance(group, list) else [group])})

    for status, basis, geom, sources in (
            ("liberated", "reported", liberated_reported, _ids(reported)),
            ("liberated", "inferred", liberated_inferred, _ids(inferred) or _ids(reported)),
            ("contested", "reported", contested_reported, sorted(e.event_id for e in fighting)),
            ("contested", "inferred", contested_inferred, _ids(reported))):
        geom = _tidy(geom)
        if not geom.is_empty:
            result.polygons.append({"geometry": geom, "status": status, "basis": basis, "sources": sources})

    if occupied0 is not None:
        occupied = _tidy(occupied0.difference(liberated_all).difference(contested_reported)
                         .difference(contested_inferred))
        if not occupied.is_empty:
            result.polygons.append({"geometry": occupied, "status": "occupied", "basis": "baseline",
                                    "sources": [baseline.source]})
        front = _front_of(occupied, extent)
        if not front.is_empty:
            result.lines.append({"geometry": front, "kind": "front_line", "sources": [baseline.source]})
    for line, event in arrows:
        result.lines.append({"geometry": line, "kind": "advance", "event_id": event.event_id,
                             "date": event.date.isoformat(), "sources": [event.event_id]})
    return result


def no_longer_occupied(areas: Areas):
    """What the areas show as no longer occupied: liberated and contested polygons inside the baseline's
    occupied ground (metres)."""
    shown = unary_union([p["geometry"] for p in areas.polygons if p["status"] in ("liberated", "contested")])
    if areas.baseline is not None:
        shown = shown.intersection(areas.baseline.occupied)
    return _repair(shown)


__all__ = ["Areas", "Baseline", "BaselineError", "areas_at", "baseline_from_bytes", "line_wgs84", "load_baseline",
           "no_longer_occupied", "polygon_wgs84", "to_metric", "to_wgs84", "town_radius_km", "ukraine_m"]
