"""Folium layers: one function per layer, each returning a ``folium.FeatureGroup``."""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from pathlib import Path

import folium
from branca.element import Element, Figure, MacroElement, Template

from mapapp.geoparse import Mention
from mapapp.render.article_html import KIND_COLOURS
# The palette and line styles are shared with the exported static maps (mapapp/render/style.py).
from mapapp.render.style import (AREA_EDGE_WEIGHT, BASE_FILL_OPACITY, BORDER_COLOUR, DASH_FUZZY, DASH_INFERRED,
                                 FRONT_LINE_COLOUR, LINE_WEIGHT, MARKER_EDGE_WEIGHT, MARKER_FILL_OPACITY,
                                 MARKER_RADIUS, NEIGHBOUR_FILL, STATUS_COLOURS, UKRAINE_FILL, UNKNOWN_COLOUR,
                                 fill_opacity)

THEATER_CENTER = (49.0, 36.5)  # lat, lon
GEONAMES_ATTRIBUTION = 'Places: <a href="https://www.geonames.org/">GeoNames</a> (CC BY 4.0), KATOTTG'


class _Rendered(Element):
    """Text already rendered: branca's ``Element(text)`` would compile it as a Jinja template (seconds for a
    megabyte of map data); this one renders as itself."""

    def __init__(self, text: str):
        super().__init__()
        self._text = text

    def render(self, **kwargs) -> str:
        return self._text


class DataElement(MacroElement):
    """A MacroElement whose rendered header/html/script parts are added to the page as they are, not re-parsed as
    templates. Every element of ours that carries map data derives from it."""

    def render(self, **kwargs):
        figure = self.get_root()
        assert isinstance(figure, Figure), "You cannot render this Element if it is not in a Figure."
        for part, target in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
            macro = self._template.module.__dict__.get(part)
            if macro is not None:
                target.add_child(_Rendered(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


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



DISPLAY_TOLERANCE_M = 300.0   # about a pixel at zoom 9 (≈ 200 m/px): invisible at the zooms the theater is read at


def display_features(areas) -> list[dict]:
    """The areas as the browser needs them: simplified in metres, then in lon/lat rounded to ~10 m, with only the
    properties the styles and tooltips use (no free text from articles or uploaded files reaches the page's
    script). Exports and the CLI use ``Areas.feature_collection()``, the exact geometry."""
    import numpy
    import shapely
    from shapely.geometry import mapping

    from mapapp.areas import to_wgs84

    cached = getattr(areas, "_display_features", None)   # the same Areas object is shown again and again
    if cached is not None:
        return cached
    features = []
    for item, props in ([(p, {"status": p["status"], "basis": p["basis"],
                               "area_km2": round(p["geometry"].area / 1e6, 1)}) for p in areas.polygons]
                        + [(line, {k: line[k] for k in ("kind", "date") if k in line}) for line in areas.lines]):
        geometry = item["geometry"]
        simpler = geometry.simplify(DISPLAY_TOLERANCE_M, preserve_topology=False)
        lonlat = shapely.transform(to_wgs84(simpler if not simpler.is_empty else geometry),
                                   lambda xy: numpy.round(xy, 3))   # ~100 m, within the simplification
        shown = mapping(lonlat)
        if lonlat.is_empty or not shown.get("coordinates"):
            continue
        features.append({"type": "Feature", "properties": props, "geometry": shown})
    areas._display_features = features
    return features


def areas_layers(areas, features: list[dict] | None = None) -> list[folium.FeatureGroup]:
    """Liberated, contested and occupied polygons (reported solid, inferred dashed and paler), the front line and
    advance arrows, one toggleable group each. ``features``: ``display_features(areas)`` if already made."""
    features = display_features(areas) if features is None else features
    groups = {
        "liberated": folium.FeatureGroup(name="Liberated (reported and inferred)"),
        "contested": folium.FeatureGroup(name="Contested / grey zone"),
        "occupied": folium.FeatureGroup(name="Occupied (baseline)"),
        "front_line": folium.FeatureGroup(name="Front line (needs a baseline)"),
        "advance": folium.FeatureGroup(name="Advance arrows"),
    }
    by_group: dict[str, list[dict]] = {}
    for feature in features:
        props = feature["properties"]
        key = props.get("status") or props.get("kind")
        if key not in groups:
            continue
        colour = STATUS_COLOURS.get(key, UNKNOWN_COLOUR) if key != "front_line" else FRONT_LINE_COLOUR
        inferred = props.get("basis") == "inferred"
        style = {"color": colour, "weight": LINE_WEIGHT if key in ("front_line", "advance") else AREA_EDGE_WEIGHT,
                 "fillColor": colour, "fillOpacity": fill_opacity(key, props.get("basis")),
                 "dashArray": DASH_INFERRED if inferred or key == "advance" else None}
        label = {"front_line": "front line", "advance": f"advance reported {props.get('date', '')}"}.get(
            key, f"{key} ({props.get('basis')}) · {props.get('area_km2', 0):,.0f} km²")
        by_group.setdefault(key, []).append({"type": "Feature", "geometry": feature["geometry"],
                                             "properties": {"style": style, "tooltip": html.escape(label)}})
    for key, items in by_group.items():
        StyledGeoJson(items).add_to(groups[key])
    return list(groups.values())


class StyledGeoJson(DataElement):
    """Features that carry their own Leaflet style and (escaped) tooltip in ``properties``, drawn by one
    ``L.geoJSON`` call: no per-feature folium objects, no templates compiled from the data."""

    _template = Template("""
{% macro script(this, kwargs) %}
L.geoJSON({{ this.data_json }}, {
  style: function (f) { return f.properties.style; },
  onEachFeature: function (f, layer) { if (f.properties.tooltip) { layer.bindTooltip(f.properties.tooltip); } }
}).addTo({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, features: list[dict]):
        super().__init__()
        self._name = "StyledGeoJson"
        self.data_json = script_safe_json({"type": "FeatureCollection", "features": features})


POPUP_QUOTE_CHARS = 400   # a popup quotes at most this much of a sentence; the article link shows all of it


def short_quote(quote: str, limit: int = POPUP_QUOTE_CHARS) -> str:
    quote = " ".join(quote.split())
    return quote if len(quote) <= limit else quote[:limit].rsplit(" ", 1)[0] + " …"


LABEL_LIMIT = 40   # up to this many places, each is named on the map; beyond, names show on hover


# Markup that every popup repeats is sent once: in the data each fragment is one private-use character, put back
# by the browser when a popup opens. Characters of that range in article text become U+FFFD first, so nothing
# from an article can turn into markup.
POPUP_FRAGMENTS = ('<a href="?view=Articles+and+places&amp;article=', "&amp;quote=",
                   '" target="_blank">read the article</a>', '" target="_blank">article</a>', "</b> — ", "<br>",
                   "</b>", "“", "”")
_POPUP_TOKENS = tuple(chr(0xE000 + i) for i in range(len(POPUP_FRAGMENTS)))
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def compact_popup(markup: str) -> str:
    """``markup`` with each of ``POPUP_FRAGMENTS`` replaced by its token (see ``expand_popup``)."""
    markup = _PRIVATE_USE.sub("\ufffd", markup)
    for token, fragment in zip(_POPUP_TOKENS, POPUP_FRAGMENTS):
        markup = markup.replace(fragment, token)
    return markup


def expand_popup(compact: str) -> str:
    """What the browser does with a compacted popup (kept here for tests and non-browser readers)."""
    return _PRIVATE_USE.sub(lambda m: POPUP_FRAGMENTS[ord(m.group()) - 0xE000], compact)


class CircleMarkers(DataElement):
    """Many circle markers as one compact data array drawn by a few lines of Leaflet, instead of one folium object
    (and several templates) per marker: thousands of places stay fast to render and small to send.

    ``tooltip`` and ``popup`` are HTML the caller has already escaped; the array is JSON-encoded with ``<``, ``>``
    and ``&`` escaped, so no text can close the script it sits in."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var group = {{ this._parent.get_name() }}, styles = {{ this.styles_json }}, base = {{ this.link_base_json }};
  var fragments = {{ this.fragments_json }};
  function popup(text) {
    text = text.replace(/[\ue000-\uf8ff]/g, function (c) { return fragments[c.charCodeAt(0) - 0xE000]; });
    return base ? text.split('href="?').join('href="' + base + '?') : text;
  }
  {{ this.data_json }}.forEach(function (d) {
    var s = styles[d[2]], marker;
    if (s.shape === "label") {
      // A region, river or border reported as a whole: its name, framed in the status colour, and no point.
      marker = L.marker([d[0], d[1]], {icon: L.divIcon({className: "mapapp-area", iconSize: null,
        html: '<span style="border-color:' + s.color + (s.dashArray ? ';border-style:dashed' : '')
              + '">' + (d[5] || d[3]) + '</span>'})});
      if (d[3]) { marker.bindTooltip(d[3]); }
    } else {
      marker = L.circleMarker([d[0], d[1]], s);
      if (d[5]) {
        marker.bindTooltip(d[5], {permanent: true, direction: "right", offset: [8, 0], className: "mapapp-label"});
      } else if (d[3]) { marker.bindTooltip(d[3]); }
    }
    if (d[4]) { marker.bindPopup(function () { return popup(d[4]); }, {maxWidth: 380}); }
    marker.addTo(group);
  });
})();
{% endmacro %}
""")

    def __init__(self, *, link_base: str = ""):
        """``link_base``: the app's address, put in front of every relative link (``href="?…"``) in the popups
        by the browser, so it is sent once rather than in each popup."""
        super().__init__()
        self._name = "CircleMarkers"
        self.rows: list = []
        self.styles: list[dict] = []
        self.link_base_json = json.dumps(link_base)
        self.fragments_json = script_safe_json(POPUP_FRAGMENTS)

    def add(self, lat: float, lon: float, style: dict, *, tooltip: str = "", popup: str = "",
            label: str = "") -> tuple:
        """``label``: a name shown beside the marker at all times (instead of the tooltip on hover). Returns the
        marker as ``add_row`` takes it again (into this or another ``CircleMarkers``)."""
        texts = (tooltip, compact_popup(popup), label)
        made = (f"{round(lat, 4)},{round(lon, 4)}", {k: v for k, v in style.items() if v is not None},
                script_safe_json(texts)[1:-1])     # encoded once: a memo re-uses it as it is
        self.add_row(made)
        return made

    def add_row(self, made: tuple) -> None:
        position, style, texts = made
        if style not in self.styles:
            self.styles.append(style)
        self.rows.append(f"[{position},{self.styles.index(style)},{texts}]")

    @property
    def data_json(self) -> str:
        return "[" + ",".join(self.rows) + "]"   # each row is script-safe JSON already

    @property
    def styles_json(self) -> str:
        return script_safe_json(self.styles)


def display_name(place, names: str = "en") -> str:
    """The place's name in the language the settings ask for: en (the gazetteer's), uk (Ukrainian) or both."""
    if names == "en":
        return place.name
    cyrillic = [n for n in place.alt_names if any("\u0400" <= ch <= "\u04ff" for ch in n)]
    ukrainian = [n for n in cyrillic if any(ch in "іїєґІЇЄҐ" for ch in n)] or cyrillic
    if not ukrainian:
        return place.name
    return ukrainian[0] if names == "uk" else f"{place.name} ({ukrainian[0]})"


def popup_head(state, *, names: str = "en", quote_limit: int | None = POPUP_QUOTE_CHARS) -> list[str]:
    """The first lines of a place's popup (escaped HTML): name and status, date, the quote, outlet and date."""
    event = state.event or state.last_shelling
    source = event.sources[0]
    fuzzy = "" if (event.date_precision or "day") == "day" else f" (that {event.date_precision})"
    quote = short_quote(source.quote, quote_limit) if quote_limit else source.quote
    status = state.status or "shelling"
    if status == "advance" and event.actor == "Russia":
        status = "Russian advance"   # an advance is Ukrainian unless the report says whose
    elif status == "shelling" and event.actor == "Ukraine":
        status = "shelling by Ukrainian forces"   # and shelling Russian
    return [f"<b>{html.escape(display_name(state.place, names))}</b> — {html.escape(status)}"
            + (" <i>(disputed)</i>" if state.disputed else ""),
            f"{html.escape(event.date.isoformat())}{html.escape(fuzzy)}",
            f"“{html.escape(quote)}”",
            f"— {html.escape(source.outlet or source.article)}, "
            f"{html.escape(source.published.isoformat() if source.published else 'undated')}"]


def popup_counts(event) -> list[str]:
    """A popup's closing lines: the counter-claim, and how many sources report the event."""
    rows = []
    if event.counter_claim:
        rows.append(f"counter-claim: “{html.escape(event.counter_claim)}”")
    if len(event.sources) > 1:
        rows.append(f"{len(event.sources)} sources")
    return rows


def events_layer(states, *, when, link=None, names: str = "en", name: str = "Settlements by status",
                 link_base: str = "", memo: dict | None = None) -> folium.FeatureGroup:
    """One marker per place with its status at the date; the popup quotes the report (escaped) and its source.
    ``link(article_id, quote)``, when given, makes the popup link to the article with the sentence highlighted.

    ``memo``: a dict kept with the events (as long as they live: it is keyed on the event objects) and given the
    same ``link`` and ``names`` each time; a place whose state is the same as on an earlier date re-uses its
    marker instead of building the popup again (dragging the date changes a few places at a time)."""
    group = folium.FeatureGroup(name=name)
    markers = CircleMarkers(link_base=link_base)
    labelled = len(states) <= LABEL_LIMIT
    for state in states.values():
        event = state.event or state.last_shelling
        if event is None:
            continue
        key = (id(event), state.place.place_id, state.status, state.disputed, names, labelled)
        made = memo.get(key) if memo is not None else None
        if made is not None:
            markers.add_row(made)
            continue
        status = state.status or "shelling"
        source = event.sources[0]
        fuzzy = (event.date_precision or "day") != "day"
        rows = popup_head(state, names=names)
        if link is not None:
            rows.append(f'<a href="{html.escape(link(source.article, source.quote))}" target="_blank">'
                        f"read the article</a>")
        if event.claimed_by:
            rows.append(f"claimed by {html.escape(event.claimed_by)}")
        rows += popup_counts(event)
        if state.place.approximate:
            rows.append("<i>place approximate (hromada centre)</i>")
        colour = STATUS_COLOURS.get(status, UNKNOWN_COLOUR)
        dashed = DASH_FUZZY if fuzzy or state.place.approximate else None
        tooltip = html.escape(f"{display_name(state.place, names)}: {status}")
        if state.place.kind != "settlement":
            # A report about a region, a river or a border as a whole: a point would read as a town.
            kind = state.place.kind if state.place.kind in ("region", "river") else "area"
            rows.append(f"<i>a report about the {kind} as a whole: its label marks no particular spot</i>")
            made = markers.add(state.place.lat, state.place.lon, {"shape": "label", "color": colour,
                                                                  "dashArray": dashed},
                               tooltip=tooltip, popup="<br>".join(rows),
                               label=html.escape(display_name(state.place, names)))
        else:
            made = markers.add(state.place.lat, state.place.lon,
                               {"radius": MARKER_RADIUS, "color": colour, "fill": True,
                                "fillOpacity": MARKER_FILL_OPACITY, "weight": MARKER_EDGE_WEIGHT, "dashArray": dashed},
                               tooltip=tooltip, popup="<br>".join(rows),
                               label=html.escape(display_name(state.place, names)) if labelled else "")
        if memo is not None:
            memo[key] = made
    markers.add_to(group)
    return group


class StaticGeoJson(DataElement):
    """A fixed GeoJSON layer (the base map) drawn by Leaflet with one style for all its features, or one per
    ``match`` property value: no per-feature work in Python, no bounds computation, one template compiled once."""

    _template = Template("""
{% macro script(this, kwargs) %}
L.geoJSON({{ this.data_json }}, {interactive: false, attribution: {{ this.attribution_json }},
  style: function (f) {
  var s = {{ this.style_json }}, by = {{ this.match_json }};
  var k = by && f.properties ? f.properties[by.property] : null;
  return (by && k in by.styles) ? Object.assign({}, s, by.styles[k]) : s;
}}).addTo({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, data_json: str, style: dict, match: dict | None = None, *, attribution: str = ""):
        super().__init__()
        self._name = "StaticGeoJson"
        self.attribution_json = json.dumps(attribution)
        self.data_json = data_json
        self.style_json = json.dumps(style)
        self.match_json = json.dumps(match)


def script_safe_json(value) -> str:
    """JSON to embed as a literal in a <script> block. What could end the block or switch the HTML parser's
    script state — ``</`` and ``<!--`` — is written with JS escapes (``<\\/``, ``\\u003c!--``), which mean the
    same characters to JavaScript; every other character stays as it is (escaping each ``<`` of the popups'
    markup would add a fifth to what the map sends)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<!--", "\\u003c!--").replace("</", "<\\/")


@lru_cache(maxsize=4)
def _script_safe_json(path: str) -> str:
    return script_safe_json(json.loads(Path(path).read_text(encoding="utf-8")))


def borders_layer() -> folium.FeatureGroup:
    """Country shapes and oblast lines from the committed Natural Earth extracts: the map reads without tiles
    (offline)."""
    from mapapp.basemap import BASEMAP_DIR, NATURAL_EARTH_CREDIT

    group = folium.FeatureGroup(name="Borders (Natural Earth)", control=False)
    StaticGeoJson(_script_safe_json(str(BASEMAP_DIR / "countries.geojson")),
                  # Neighbours unstroked: their shapes are cut at the theater's box, which is no border.
                  {"color": BORDER_COLOUR, "weight": 1.2, "stroke": False, "fill": True, "fillColor": NEIGHBOUR_FILL,
                   "fillOpacity": BASE_FILL_OPACITY},
                  {"property": "iso_a2", "styles": {"UA": {"fillColor": UKRAINE_FILL, "stroke": True}}},
                  attribution=f"{NATURAL_EARTH_CREDIT} · {GEONAMES_ATTRIBUTION}").add_to(group)
    oblasts = BASEMAP_DIR / "oblast_lines.geojson"
    if oblasts.exists():   # oblast boundaries help a reader find "the Kharkiv region"
        StaticGeoJson(_script_safe_json(str(oblasts)),
                      {"color": BORDER_COLOUR, "weight": 0.7, "opacity": 0.6, "dashArray": "4 3"}).add_to(group)
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
