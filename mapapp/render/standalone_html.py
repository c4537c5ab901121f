"""One HTML file that plays the whole corpus offline: Leaflet, its stylesheet and jQuery are inlined (from the
``xstatic-*`` packages; nothing is fetched), the base map is the committed Natural Earth extract, and a time
slider steps through the key dates.

Every feature carries ``start`` and ``end`` (ISO dates, ``end`` exclusive, null for "still so"): the slider shows
the features whose interval contains its date, as folium's TimestampedGeoJson does, without its CDN scripts.
Popup text is escaped here, in Python; the page's script only inserts it.
"""

from __future__ import annotations

import base64
import html
import json
import re
from datetime import date

import folium
from branca.element import Element, MacroElement, Template

from mapapp.areas import areas_at, change_dates, to_wgs84
from mapapp.events import Event
from mapapp.render import style
from mapapp.render.folium_layers import LABEL_LIMIT, borders_layer, display_name, popup_counts, popup_head
from mapapp.render.static_map import (DEFAULT_LAYERS, DEFAULT_SUBTITLE, LAYER_KEYS, NOT_VERIFIED, check_layers,
                                      credits_line, date_stamp, long_date)
from mapapp.timeline import span, state_at

THEATER_CENTER = (49.0, 36.5)  # lat, lon


def _package_file(package: str, name: str) -> str:
    import importlib
    from pathlib import Path

    return (Path(importlib.import_module(f"xstatic.pkg.{package}").BASE_DIR) / name).read_text(encoding="utf-8")


def _leaflet_css() -> str:
    """Leaflet's stylesheet with its control images as data: URIs."""
    import importlib
    from pathlib import Path

    images = Path(importlib.import_module("xstatic.pkg.leaflet").BASE_DIR) / "images"

    def inline(match):
        path = images / match.group(1)
        if not path.exists():
            return "none"
        return f"url(data:image/png;base64,{base64.b64encode(path.read_bytes()).decode('ascii')})"
    return re.sub(r"url\(images/([\w.-]+)\)", inline, _package_file("leaflet", "leaflet.css"))


def _inline_script(source: str) -> str:
    # No source-map fetch, and nothing that would close the <script> element early.
    source = re.sub(r"//# sourceMappingURL=\S+", "", source)
    return "<script>" + source.replace("</script", "<\\/script") + "</script>"


def _key_dates(events: list[Event]) -> list[date]:
    """The slider's steps: every day the map changes (a report begins, a report of fighting lapses), up to the last
    report."""
    bounds = span(events)
    return [d for d in change_dates(events) if d <= bounds[1]] if bounds else []


def _popup(state) -> str:
    event = state.event or state.last_shelling
    source = event.sources[0]
    rows = popup_head(state, quote_limit=None)
    if source.url:
        rows.append(f'<a href="{html.escape(source.url, quote=True)}" target="_blank" rel="noopener">source</a>')
    return "<br>".join(rows + popup_counts(event))


def timeline_features(events: list[Event], *, baseline=None) -> tuple[list[str], list[dict]]:
    """(key dates, GeoJSON features with ``start``/``end`` and a Leaflet ``style``) for the whole corpus."""
    dates = _key_dates(events)
    iso = [d.isoformat() for d in dates]
    features: list[dict] = []
    for i, day in enumerate(dates):
        end = iso[i + 1] if i + 1 < len(iso) else None
        use_baseline = baseline if baseline is not None and (baseline.date is None or baseline.date <= day) else None
        areas = areas_at(events, day, baseline=use_baseline)
        for polygon in areas.polygons:
            colour = style.STATUS_COLOURS.get(polygon["status"], style.UNKNOWN_COLOUR)
            inferred = polygon["basis"] == "inferred"
            features.append({"type": "Feature", "geometry": _rounded(to_wgs84(polygon["geometry"])),
                             "properties": {
                                 "start": iso[i], "end": end, "kind": "area", "status": polygon["status"],
                                 "tooltip": html.escape(f"{polygon['status']} ({polygon['basis']}) · "
                                                        f"{polygon['geometry'].area / 1e6:,.0f} km²"),
                                 "style": {"color": colour, "weight": style.AREA_EDGE_WEIGHT, "fillColor": colour,
                                           "fillOpacity": style.fill_opacity(polygon["status"], polygon["basis"]),
                                           "dashArray": style.DASH_INFERRED if inferred else None}}})
        for line in areas.lines:
            colour = style.FRONT_LINE_COLOUR if line["kind"] == "front_line" else style.STATUS_COLOURS["advance"]
            features.append({"type": "Feature", "geometry": _rounded(to_wgs84(line["geometry"])),
                             "properties": {"start": iso[i], "end": end, "kind": line["kind"],
                                            "tooltip": html.escape(line["kind"].replace("_", " ")),
                                            "style": {"color": colour, "weight": style.LINE_WEIGHT,
                                                      "dashArray": style.DASH_INFERRED
                                                      if line["kind"] == "advance" else None}}})
    # Markers: one feature per place and state, from the key date it begins to the one it is replaced on.
    current: dict[str, tuple] = {}
    # Up to ``LABEL_LIMIT`` places, each is named on the map, as in the app (names that would overlap are hidden).
    named = len({e.place.place_id for e in events}) <= LABEL_LIMIT
    for i, day in enumerate(dates):
        states = state_at(events, day)
        for place_id, state in states.items():
            event = state.event or state.last_shelling
            key = (state.status, event.event_id if event else None)
            if place_id in current and current[place_id][0] == key:
                continue
            if place_id in current:
                current[place_id][1]["properties"]["end"] = iso[i]
            status = state.status or "shelling"
            colour = style.STATUS_COLOURS.get(status, style.UNKNOWN_COLOUR)
            fuzzy = (state.precision or "day") != "day" or state.place.approximate
            feature = {"type": "Feature",
                       "geometry": {"type": "Point", "coordinates": [state.place.lon, state.place.lat]},
                       "properties": {"start": iso[i], "end": None, "kind": "place", "popup": _popup(state),
                                      "tooltip": html.escape(f"{state.place.name}: {status}"),
                                      "style": {"radius": style.MARKER_RADIUS, "color": colour, "fillColor": colour,
                                                "fillOpacity": style.MARKER_FILL_OPACITY,
                                                "weight": style.MARKER_EDGE_WEIGHT,
                                                "dashArray": style.DASH_FUZZY if fuzzy else None}}}
            if state.place.kind != "settlement":   # a region or river reported as a whole: its name, no point
                feature["properties"]["label"] = html.escape(state.place.name)
            elif named:
                feature["properties"]["name"] = html.escape(display_name(state.place))
            current[place_id] = (key, feature)
            features.append(feature)
    order = {"area": 0, "front_line": 1, "advance": 2, "place": 3}
    features.sort(key=lambda f: order.get(f["properties"]["kind"], 4))
    return iso, features


def _rounded(geom) -> dict:
    """GeoJSON of a geometry with five decimals (about a metre): a smaller file, the same map."""
    from shapely.geometry import mapping

    return json.loads(json.dumps(mapping(geom)), parse_float=lambda x: round(float(x), 5))


_SLIDER = Template("""
{% macro header(this, kwargs) %}
<style>
 .mapapp-panel { background: rgba(255,255,255,.94); padding: 8px 10px; border: 1px solid #999; border-radius: 4px;
   font: 13px/1.35 sans-serif; max-width: 430px; }
 .mapapp-panel h1 { font-size: 16px; margin: 0 0 2px 0; }
 .mapapp-panel .sub { color: #444; margin-bottom: 4px; }
 .mapapp-panel input[type=range] { width: 100%; }
 .mapapp-panel .date { font-weight: bold; font-size: 15px; }
 .mapapp-panel .stamp, .mapapp-panel .credits { color: #555; font-size: 11px; }
 .mapapp-panel .sw { display: inline-block; width: 14px; height: 10px; margin-right: 4px; vertical-align: middle; }
 .mapapp-panel button { font: inherit; margin-right: 6px; }
 .leaflet-container { background: {{ this.sea }}; }
 """ + style.NAME_LABEL_CSS + style.SCALE_CSS + """
 """ + style.AREA_LABEL_CSS + """
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
""" + style.DECLUTTER_JS + """
(function () {
  var map = {{ this._parent.get_name() }};
  var data = {{ this.payload }};
  mapappDeclutter(map);
  var layer = L.geoJSON(null, {
    style: function (f) { return f.properties.style; },
    pointToLayer: function (f, latlng) {
      if (f.properties.label) {
        return L.marker(latlng, {icon: L.divIcon({className: 'mapapp-area', iconSize: null,
          html: '<span style="border-color:' + f.properties.style.color + '">' + f.properties.label + '</span>'})});
      }
      return L.circleMarker(latlng, f.properties.style);
    },
    onEachFeature: function (f, l) {
      if (f.properties.popup) { l.bindPopup(f.properties.popup, {maxWidth: 360}); }
      if (f.properties.name) {
        l.bindTooltip(f.properties.name, {permanent: true, direction: 'right', offset: [8, 0],
                                          className: 'mapapp-label'});
      } else if (f.properties.tooltip) { l.bindTooltip(f.properties.tooltip); }
    }
  }).addTo(map);
  var panel = L.control({position: 'topright'});
  panel.onAdd = function () {
    var div = L.DomUtil.create('div', 'mapapp-panel');
    div.innerHTML = data.header;
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  panel.addTo(map);
  var slider = document.getElementById('mapapp-slider');
  var label = document.getElementById('mapapp-date');
  var stamp = document.getElementById('mapapp-stamp');
  var play = document.getElementById('mapapp-play');
  function show(i) {
    var day = data.dates[i];
    layer.clearLayers();
    layer.addData(data.features.filter(function (f) {
      return f.properties.start <= day && (f.properties.end === null || day < f.properties.end);
    }));
    label.textContent = data.labels[i] || '';
    stamp.textContent = data.stamps[i] || '';
    slider.setAttribute('aria-valuetext', data.labels[i] || '');
    document.body.setAttribute('data-mapapp-date', day || '');
  }
  slider.addEventListener('input', function () { show(+slider.value); });
  var timer = null;
  play.addEventListener('click', function () {
    if (timer) { clearInterval(timer); timer = null; play.textContent = '▶ Play'; return; }
    if (+slider.value >= data.dates.length - 1) { slider.value = 0; show(0); }
    play.textContent = '❚❚ Pause';
    timer = setInterval(function () {
      if (+slider.value >= data.dates.length - 1) {
        clearInterval(timer); timer = null; play.textContent = '▶ Play'; return;
      }
      slider.value = +slider.value + 1; show(+slider.value);
    }, 1200);
  });
  // keep the places clear of the panel in the top right corner
  var box = document.querySelector('.mapapp-panel');
  if (data.bounds) {
    map.fitBounds(data.bounds, {paddingTopLeft: [20, 20], paddingBottomRight: [box.offsetWidth + 20, 20]});
  }
  show(data.start);
})();
{% endmacro %}
""")


class _TimeSlider(MacroElement):
    def __init__(self, payload: dict):
        super().__init__()
        self._name = "MapappTimeSlider"
        self._template = _SLIDER
        # JSON inside <script>: "</" could end the element early, so it is escaped.
        self.payload = json.dumps(payload, ensure_ascii=False).replace("</", "<\\/")
        self.sea = style.SEA_COLOUR


def _legend_html(layers=DEFAULT_LAYERS) -> str:
    c = style.STATUS_COLOURS
    rows = []
    if "liberated" in layers:
        rows += [
            (f'<span class="sw" style="background:{c["liberated"]};opacity:.6;border:1px solid {c["liberated"]}">'
             "</span>liberated area (reported)"),
            (f'<span class="sw" style="background:{c["liberated"]};opacity:.3;border:1px dashed {c["liberated"]}">'
             "</span>liberated area (inferred)"),
        ]
    if "contested" in layers:
        rows.append(f'<span class="sw" style="background:{c["contested"]};opacity:.6"></span>contested / grey zone')
    if "settlements" in layers:
        dots = " ".join(f'<span style="color:{c[s]}">●</span>&nbsp;{s}' for s in
                        ("liberated", "occupied", "contested", "advance", "shelling"))
        rows.append(f"places: {dots}")
        rows.append(style.AREA_LABEL_SWATCH + " a region or river reported as a whole, framed in its status colour")
    return "<br>".join(rows)


# Which of the app's layers (``mapapp.app_view.LAYERS``) each feature belongs to; the page has no "recent" layer.
def _feature_layer(feature: dict) -> str:
    props = feature["properties"]
    if props["kind"] == "place":
        return "settlements"
    if props["kind"] == "advance":
        return "arrows"
    if props["kind"] == "front_line":
        return "front"
    return {"liberated": "liberated", "contested": "contested"}.get(props.get("status"), "front")


def standalone_map_html(events: list[Event], when: date, *, title: str | None = None, baseline=None, view=None,
                        layers=None) -> str:
    """The standalone page (a string of HTML): the corpus on a Leaflet map, its slider set to ``when``.

    ``view``: (south, west, north, east) in degrees, where the map opens (default: around every place reported);
    the reader can pan and zoom from there. ``layers``: the app's layer keys whose features the page carries
    (default: all; ``recent`` has no counterpart here)."""
    events = [e for e in events if e.date is not None]
    dates, features = timeline_features(events, baseline=baseline)
    chosen = check_layers(layers)
    chosen = frozenset(LAYER_KEYS) if chosen is None else chosen
    features = [f for f in features if _feature_layer(f) in chosen]
    start = max((i for i, d in enumerate(dates) if d <= when.isoformat()), default=0)
    title = " ".join((title or "Front line from the news: reports over time").split())
    located = [(e.place.lat, e.place.lon) for e in events if e.place.theater]
    bounds = [[min(p[0] for p in located) - 0.3, min(p[1] for p in located) - 0.3],
              [max(p[0] for p in located) + 0.3, max(p[1] for p in located) + 0.3]] if located else None
    if view is not None:   # exactly the asked-for box, in Leaflet's [[south, west], [north, east]]
        south, west, north, east = (float(v) for v in view)
        bounds = [[south, west], [north, east]]
    header = (f"<h1 dir=\"auto\">{html.escape(title)}</h1><div class=\"sub\">{html.escape(DEFAULT_SUBTITLE)}</div>"
              '<div><span class="date" id="mapapp-date"></span></div>'
              f'<input type="range" id="mapapp-slider" min="0" max="{max(len(dates) - 1, 0)}" step="1" '
              f'value="{start}" aria-label="Date">'
              '<div><button type="button" id="mapapp-play">▶ Play</button>'
              '<span class="stamp" id="mapapp-stamp"></span></div>'
              f"<div>{_legend_html(chosen)}</div>"
              f'<div class="credits">{html.escape(credits_line(events))}</div>')
    if not dates:
        header += f"<p><i>No dated reports yet: nothing to play. {html.escape(NOT_VERIFIED)}</i></p>"
    payload = {"dates": dates, "features": features, "start": start, "bounds": bounds, "header": header,
               "labels": [long_date(date.fromisoformat(d)) for d in dates],
               "stamps": [date_stamp(events, date.fromisoformat(d)) for d in dates]}
    fmap = folium.Map(location=THEATER_CENTER, zoom_start=6, tiles=None, control_scale=True)
    # Leaflet and jQuery come inline (below), never from a CDN.
    fmap.default_js = []
    fmap.default_css = []
    borders_layer().add_to(fmap)
    _TimeSlider(payload).add_to(fmap)
    root = fmap.get_root()
    root.header.add_child(Element(f"<title>{html.escape(title)}</title>"), name="mapapp_title")
    page = root.render()
    inline = (f"<style>{_leaflet_css()}</style>\n" + _inline_script(_package_file("leaflet", "leaflet.js")) + "\n"
              + _inline_script(_package_file("jquery", "jquery.min.js")) + "\n")
    head = re.search(r"<head[^>]*>", page)
    return page[:head.end()] + "\n" + inline + page[head.end():]
