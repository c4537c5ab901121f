"""Data exports for analysts: GeoJSON, KML, CSV and GeoPackage of the events up to a date and the areas on it.

Every feature carries its provenance: events their sources (article, outlet, publication date, URL, the quoted
sentence), areas the ids of the events they are drawn from and their basis (reported / inferred / baseline).
Coordinates are WGS84; GeoJSON and KML order them lon, lat.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import date

from shapely.geometry import mapping, shape

from mapapp.areas import Areas, to_wgs84
from mapapp.cli import EVENT_CSV_FIELDS, event_feature
from mapapp.events import Event
from mapapp.render import style
from mapapp.render.static_map import CREDIT_BASEMAP, CREDIT_PLACES, NOT_VERIFIED

PROVENANCE = f"Extracted from news articles by mapapp. {CREDIT_PLACES}. {CREDIT_BASEMAP}. {NOT_VERIFIED}"


def collection_properties(when: date, areas: Areas, since: date | None) -> dict:
    return {"date": when.isoformat(), "from": since.isoformat() if since else None,
            "baseline": areas.baseline.source if areas.baseline else None, "provenance": PROVENANCE}


def _valid(geom, polygonal: bool):
    """A geometry that validators accept: reprojection can leave a sliver ring of fewer than four points."""
    import shapely
    from shapely.ops import unary_union

    geom = shapely.make_valid(geom)
    if geom.geom_type == "GeometryCollection":
        wanted = ("Polygon", "MultiPolygon") if polygonal else ("LineString", "MultiLineString")
        geom = unary_union([g for g in geom.geoms if g.geom_type in wanted])
    return geom


def area_features(areas: Areas) -> list[dict]:
    """Areas and lines as GeoJSON features (lon, lat) with ``layer`` = ``areas`` or ``lines``."""
    features = []
    for feature in areas.feature_collection()["features"]:
        props = dict(feature["properties"])
        props["layer"] = "areas" if "status" in props else "lines"
        props["as_of"] = areas.date.isoformat()
        geom = _valid(shape(feature["geometry"]), props["layer"] == "areas")
        if not geom.is_empty:
            features.append({"type": "Feature", "geometry": mapping(geom), "properties": props})
    return features


def geojson_document(events: list[Event], areas: Areas, when: date, since: date | None = None) -> dict:
    event_items = []
    for event in events:
        feature = event_feature(event)
        feature["properties"]["layer"] = "events"
        event_items.append(feature)
    return {"type": "FeatureCollection", "properties": collection_properties(when, areas, since),
            "features": event_items + area_features(areas)}


def geojson_bytes(events, areas, when, since=None) -> bytes:
    return json.dumps(geojson_document(events, areas, when, since), ensure_ascii=False, indent=1).encode("utf-8")


def csv_row(event: Event) -> dict:
    """One event as the CLI's ``events --format csv`` writes it (lists joined with `` | ``)."""
    feature = event_feature(event)
    row = dict(feature["properties"])
    row["lon"], row["lat"] = feature["geometry"]["coordinates"]
    row["articles"] = " | ".join(row["articles"])
    row["sources"] = " | ".join(f"{s['outlet'] or s['article']} ({s['published'] or 'undated'}): {s['quote']}"
                                for s in row["sources"])
    return {k: ("" if row[k] is None else row[k]) for k in EVENT_CSV_FIELDS}


def csv_bytes(events: list[Event]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EVENT_CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for event in events:
        writer.writerow(csv_row(event))
    # A byte-order mark so that spreadsheet programs read the UTF-8 (Cyrillic names, curly quotes) as such.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# ------------------------------------------------------------------------------------------------------------
# KML

KML_NS = "http://www.opengis.net/kml/2.2"


def _kml_colour(hex_colour: str, alpha: float) -> str:
    """#RRGGBB + opacity → KML's aabbggrr."""
    r, g, b = hex_colour[1:3], hex_colour[3:5], hex_colour[5:7]
    return f"{round(alpha * 255):02x}{b}{g}{r}".lower()


def _coords(xy) -> str:
    return " ".join(f"{x:.5f},{y:.5f}" for x, y, *_ in xy)


def _kml_geometry(parent: ET.Element, geom) -> None:
    kind = geom.geom_type
    if kind == "Point":
        ET.SubElement(ET.SubElement(parent, "Point"), "coordinates").text = _coords(geom.coords)
    elif kind == "LineString":
        line = ET.SubElement(parent, "LineString")
        ET.SubElement(line, "tessellate").text = "1"
        ET.SubElement(line, "coordinates").text = _coords(geom.coords)
    elif kind == "Polygon":
        polygon = ET.SubElement(parent, "Polygon")
        outer = ET.SubElement(ET.SubElement(polygon, "outerBoundaryIs"), "LinearRing")
        ET.SubElement(outer, "coordinates").text = _coords(geom.exterior.coords)
        for ring in geom.interiors:
            inner = ET.SubElement(ET.SubElement(polygon, "innerBoundaryIs"), "LinearRing")
            ET.SubElement(inner, "coordinates").text = _coords(ring.coords)
    else:   # Multi* and collections
        multi = ET.SubElement(parent, "MultiGeometry")
        for part in geom.geoms:
            _kml_geometry(multi, part)


def _extended_data(parent: ET.Element, values: dict) -> None:
    extended = ET.SubElement(parent, "ExtendedData")
    for key, value in values.items():
        data = ET.SubElement(extended, "Data", name=key)
        if isinstance(value, (list, dict)):
            value = json.dumps(value, ensure_ascii=False)
        ET.SubElement(data, "value").text = "" if value is None else str(value)


def kml_bytes(events: list[Event], areas: Areas, when: date, *, title: str) -> bytes:
    """A KML document (Google Earth, QGIS): folders of areas, lines and events, each with its provenance in
    ``ExtendedData`` and, for events, the quoted report in the description."""
    ET.register_namespace("", KML_NS)
    root = ET.Element("kml", xmlns=KML_NS)
    document = ET.SubElement(root, "Document")
    ET.SubElement(document, "name").text = title
    ET.SubElement(document, "description").text = f"As of {when.isoformat()}. {PROVENANCE}"
    for status, colour in style.STATUS_COLOURS.items():
        for basis, opacity in (("reported", style.FILL_OPACITY_REPORTED), ("inferred", style.FILL_OPACITY_INFERRED),
                               ("baseline", style.FILL_OPACITY_OCCUPIED)):
            kml_style = ET.SubElement(document, "Style", id=f"{status}-{basis}")
            line = ET.SubElement(kml_style, "LineStyle")
            ET.SubElement(line, "color").text = _kml_colour(colour, 1.0)
            ET.SubElement(line, "width").text = str(style.LINE_WEIGHT if status == "advance" else 1.5)
            ET.SubElement(ET.SubElement(kml_style, "PolyStyle"), "color").text = _kml_colour(colour, opacity)
            icon = ET.SubElement(kml_style, "IconStyle")
            ET.SubElement(icon, "color").text = _kml_colour(colour, 1.0)
            ET.SubElement(ET.SubElement(icon, "Icon"), "href").text = \
                "http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png"
    front = ET.SubElement(document, "Style", id="front_line")
    line = ET.SubElement(front, "LineStyle")
    ET.SubElement(line, "color").text = _kml_colour(style.FRONT_LINE_COLOUR, 1.0)
    ET.SubElement(line, "width").text = str(style.LINE_WEIGHT)

    folders = {name: ET.SubElement(document, "Folder") for name in ("Areas", "Lines", "Events")}
    for name, folder in folders.items():
        ET.SubElement(folder, "name").text = name
    for feature in area_features(areas):
        props = feature["properties"]
        placemark = ET.SubElement(folders["Areas" if props["layer"] == "areas" else "Lines"], "Placemark")
        if props["layer"] == "areas":
            ET.SubElement(placemark, "name").text = f"{props['status']} ({props['basis']})"
            ET.SubElement(placemark, "styleUrl").text = f"#{props['status']}-{props['basis']}"
        else:
            ET.SubElement(placemark, "name").text = props["kind"].replace("_", " ")
            ET.SubElement(placemark, "styleUrl").text = "#front_line" if props["kind"] == "front_line" \
                else "#advance-reported"
        _extended_data(placemark, props)
        _kml_geometry(placemark, shape(feature["geometry"]))
    for event in events:
        feature = event_feature(event)
        props = feature["properties"]
        placemark = ET.SubElement(folders["Events"], "Placemark")
        ET.SubElement(placemark, "name").text = f"{props['place']}: {props['event_type']}"
        if props["date"]:
            ET.SubElement(ET.SubElement(placemark, "TimeStamp"), "when").text = props["date"]
        sources = "; ".join(f"{s['outlet'] or s['article']} ({s['published'] or 'undated'})" for s in props["sources"])
        ET.SubElement(placemark, "description").text = f"“{props['quote']}” — {sources}"
        ET.SubElement(placemark, "styleUrl").text = f"#{props['event_type']}-reported"
        _extended_data(placemark, {k: v for k, v in props.items() if k != "quote"} | {"quote": props["quote"]})
        _kml_geometry(placemark, shape(feature["geometry"]))
    ET.indent(root, space=" ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


# ------------------------------------------------------------------------------------------------------------
# GeoPackage

GPKG_LAYERS = ("events", "areas", "lines")


def write_gpkg(path, events: list[Event], areas: Areas) -> None:
    """Three layers (``events`` points, ``areas`` polygons, ``lines`` front line and advances) in EPSG:4326;
    lists are stored as ``|``-joined text and the sources as JSON."""
    import geopandas as gpd

    def frame(rows, geoms, geometry_type):
        return gpd.GeoDataFrame(rows, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"), crs="EPSG:4326"), \
            geometry_type

    event_rows, event_geoms = [], []
    for event in events:
        feature = event_feature(event)
        props = feature["properties"]
        row = {k: props[k] for k in ("event_id", "place", "place_id", "event_type", "date", "date_precision",
                                     "actor", "claimed_by", "disputed", "counter_claim", "confidence",
                                     "geo_precision", "quote")}
        row["articles"] = " | ".join(props["articles"])
        row["outlets"] = " | ".join(dict.fromkeys(s["outlet"] or s["article"] for s in props["sources"]))
        row["sources_json"] = json.dumps(props["sources"], ensure_ascii=False)
        event_rows.append(row)
        event_geoms.append(shape(feature["geometry"]))
    area_rows, area_geoms, line_rows, line_geoms = [], [], [], []
    for polygon in areas.polygons:
        area_rows.append({"status": polygon["status"], "basis": polygon["basis"],
                          "area_km2": round(polygon["geometry"].area / 1e6, 1),
                          "sources": " | ".join(polygon["sources"]), "as_of": areas.date.isoformat()})
        area_geoms.append(_valid(to_wgs84(polygon["geometry"]), True))
    for line in areas.lines:
        line_rows.append({"kind": line["kind"], "event_id": line.get("event_id"), "date": line.get("date"),
                          "sources": " | ".join(line.get("sources", [])), "as_of": areas.date.isoformat()})
        line_geoms.append(_valid(to_wgs84(line["geometry"]), False))
    empty_events = {k: [] for k in ("event_id", "place", "event_type", "date", "quote", "sources_json")}
    layers = {
        "events": frame(event_rows or empty_events, event_geoms, "Point"),
        "areas": frame(area_rows or {"status": [], "basis": [], "area_km2": [], "sources": []}, area_geoms,
                       "MultiPolygon"),
        "lines": frame(line_rows or {"kind": [], "event_id": [], "date": []}, line_geoms, "MultiLineString"),
    }
    for name, (gdf, geometry_type) in layers.items():
        if geometry_type.startswith("Multi") and len(gdf):
            gdf = gdf.set_geometry(gdf.geometry.apply(_as_multi))
        gdf.to_file(path, layer=name, driver="GPKG", engine="pyogrio", geometry_type=geometry_type)


def _as_multi(geom):
    from shapely.geometry import MultiLineString, MultiPolygon

    if geom.geom_type == "Polygon":
        return MultiPolygon([geom])
    if geom.geom_type == "LineString":
        return MultiLineString([geom])
    return geom


__all__ = ["geojson_document", "geojson_bytes", "csv_bytes", "csv_row", "kml_bytes", "write_gpkg", "GPKG_LAYERS",
           "area_features"]
