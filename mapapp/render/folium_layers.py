"""Folium layers: one function per layer, each returning a ``folium.FeatureGroup``."""

from __future__ import annotations

import html

import folium

from mapapp.geoparse import Mention
from mapapp.render.article_html import KIND_COLOURS

THEATER_CENTER = (49.0, 36.5)  # lat, lon
GEONAMES_ATTRIBUTION = 'Places: <a href="https://www.geonames.org/">GeoNames</a> (CC BY 4.0), KATOTTG'


def mentions_layer(mentions: list[Mention], *, name: str = "Places named in the article") -> folium.FeatureGroup:
    """One circle per resolved place (several mentions of a place share it), popup with the surfaces seen."""
    group = folium.FeatureGroup(name=name)
    by_place: dict[str, list[Mention]] = {}
    for mention in mentions:
        if mention.place is not None and mention.kind in ("settlement", "region", "river"):
            by_place.setdefault(mention.place.place_id, []).append(mention)
    for items in by_place.values():
        place = items[0].place
        surfaces = sorted({m.surface for m in items})
        approx = "<br><i>approximate: placed at its hromada's centre</i>" if place.approximate else ""
        popup = (f"<b>{html.escape(place.name)}</b> ({html.escape(place.kind)})<br>"
                 f"{html.escape(place.admin1 or place.country)}<br>written as: {html.escape(', '.join(surfaces))}"
                 f"<br>{len(items)} mention(s){approx}")
        colour = KIND_COLOURS.get(place.kind, KIND_COLOURS["other"])
        folium.CircleMarker(
            location=(place.lat, place.lon),  # folium wants lat, lon
            radius=6 + min(len(items), 10), color=colour, fill=True, fill_opacity=0.7,
            dash_array="4 4" if place.approximate else None,
            tooltip=html.escape(place.name), popup=folium.Popup(popup, max_width=300),
        ).add_to(group)
    return group


def mentions_map(mentions: list[Mention], *, tiles: str | None = "OpenStreetMap") -> folium.Map:
    """A map of the theater with the article's places; tiles are decoration, the markers draw without them."""
    fmap = folium.Map(location=THEATER_CENTER, zoom_start=6, tiles=tiles, attr=GEONAMES_ATTRIBUTION if not tiles else None,
                      control_scale=True)
    mentions_layer(mentions).add_to(fmap)
    located = [m.place for m in mentions if m.place is not None and m.place.theater and m.kind == "settlement"]
    if located:
        lats = [p.lat for p in located]
        lons = [p.lon for p in located]
        fmap.fit_bounds([(min(lats) - 0.2, min(lons) - 0.2), (max(lats) + 0.2, max(lons) + 0.2)])
    folium.LayerControl().add_to(fmap)
    return fmap


# ------------------------------------------------------------------------------------------------------------
# The map at a date: areas, events, front line

STATUS_COLOURS = {  # Okabe–Ito, distinguishable with common colour-vision deficiencies
    "liberated": "#0072B2", "contested": "#E69F00", "occupied": "#D55E00", "advance": "#009E73",
    "shelling": "#CC79A7",
}


def areas_layers(areas) -> list[folium.FeatureGroup]:
    """Liberated, contested and occupied polygons (reported solid, inferred dashed and paler), the front line and
    advance arrows, one toggleable group each."""
    collection = areas.feature_collection()
    groups = {
        "liberated": folium.FeatureGroup(name="Liberated (reported and inferred)"),
        "contested": folium.FeatureGroup(name="Contested / grey zone"),
        "occupied": folium.FeatureGroup(name="Occupied (baseline)"),
        "front_line": folium.FeatureGroup(name="Front line (needs a baseline)"),
        "advance": folium.FeatureGroup(name="Advance arrows"),
    }
    for feature in collection["features"]:
        props = feature["properties"]
        key = props.get("status") or props.get("kind")
        if key not in groups:
            continue
        colour = STATUS_COLOURS.get(key, "#000000") if key != "front_line" else "#000000"
        inferred = props.get("basis") == "inferred"
        style = {"color": colour, "weight": 3 if key in ("front_line", "advance") else 1,
                 "fillColor": colour, "fillOpacity": 0.15 if inferred else (0.1 if key == "occupied" else 0.35),
                 "dashArray": "6 4" if inferred or key == "advance" else None}
        label = {"front_line": "front line", "advance": f"advance reported {props.get('date', '')}"}.get(
            key, f"{key} ({props.get('basis')}) · {props.get('area_km2', 0):,.0f} km²")
        folium.GeoJson(feature, style_function=lambda _f, s=style: s,
                       tooltip=html.escape(label)).add_to(groups[key])
    return list(groups.values())


def events_layer(states, *, when) -> folium.FeatureGroup:
    """One marker per place with its status at the date; the popup quotes the report (escaped) and its source."""
    group = folium.FeatureGroup(name="Places and reports")
    for state in states.values():
        event = state.event or state.last_shelling
        if event is None:
            continue
        status = state.status or "shelling"
        source = event.sources[0]
        fuzzy = "" if (event.date_precision or "day") == "day" else f" (that {event.date_precision})"
        rows = [f"<b>{html.escape(state.place.name)}</b> — {html.escape(status)}"
                + (" <i>(disputed)</i>" if state.disputed else ""),
                f"{html.escape(event.date.isoformat())}{html.escape(fuzzy)}",
                f"“{html.escape(source.quote)}”",
                f"— {html.escape(source.outlet or source.article)}, "
                f"{html.escape(source.published.isoformat() if source.published else 'undated')}"]
        if event.claimed_by:
            rows.append(f"claimed by {html.escape(event.claimed_by)}")
        if event.counter_claim:
            rows.append(f"counter-claim: “{html.escape(event.counter_claim)}”")
        if len(event.sources) > 1:
            rows.append(f"{len(event.sources)} sources")
        if state.place.approximate:
            rows.append("<i>place approximate (hromada centre)</i>")
        folium.CircleMarker(
            location=(state.place.lat, state.place.lon),  # folium wants lat, lon
            radius=7, color=STATUS_COLOURS.get(status, "#000000"), fill=True, fill_opacity=0.9, weight=2,
            dash_array="3 3" if fuzzy or state.place.approximate else None,
            tooltip=html.escape(f"{state.place.name}: {status}"),
            popup=folium.Popup("<br>".join(rows), max_width=360),
        ).add_to(group)
    return group


def borders_layer() -> folium.FeatureGroup:
    """Country shapes from the committed Natural Earth extract: the map reads without tiles (offline)."""
    from mapapp.basemap import NATURAL_EARTH_CREDIT, countries_geojson

    group = folium.FeatureGroup(name="Borders (Natural Earth)", control=False)
    folium.GeoJson(countries_geojson(), style_function=lambda f: {
        "color": "#555555", "weight": 1.2, "fill": True,
        "fillColor": "#f7f3e8" if f["properties"].get("iso_a2") == "UA" else "#e6e6e6", "fillOpacity": 0.6},
        attr=NATURAL_EARTH_CREDIT).add_to(group)
    return group


def map_at(areas, states, *, when, tiles: str | None = "OpenStreetMap") -> folium.Map:
    fmap = folium.Map(location=THEATER_CENTER, zoom_start=7, tiles=tiles, control_scale=True)
    borders_layer().add_to(fmap)
    for group in areas_layers(areas):
        group.add_to(fmap)
    events_layer(states, when=when).add_to(fmap)
    located = [s.place for s in states.values() if s.place.theater and s.place.kind == "settlement"]
    if located:
        fmap.fit_bounds([(min(p.lat for p in located) - 0.3, min(p.lon for p in located) - 0.3),
                         (max(p.lat for p in located) + 0.3, max(p.lon for p in located) + 0.3)])
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap
