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
