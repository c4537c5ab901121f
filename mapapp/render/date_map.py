"""The app's map at a date, split in two so the browser keeps its view while the date moves:

- ``base_map``: the parts that never change with the date (vector base map, legend, scale, tiles);
- ``date_layers``: the feature groups for one date (areas, front line, arrows, settlements, recent reports),
  which streamlit-folium swaps in without reloading the map (``feature_group_to_add``).
"""

from __future__ import annotations

import html
import math

import folium
from branca.element import MacroElement, Template

from mapapp.app_view import LAYERS, RECENT_DAYS, recent_events
from mapapp.render.folium_layers import (STATUS_COLOURS, THEATER_CENTER, CircleMarkers, areas_layers,
                                         borders_layer, display_features, display_name, events_layer,
                                         script_safe_json, short_quote)
from mapapp.render.style import AREA_LABEL_CSS, AREA_LABEL_SWATCH, DECLUTTER_JS, NAME_LABEL_CSS, SCALE_CSS

ARROW_HEAD_KM = 6.0

_LEGEND = Template("""
{% macro html(this, kwargs) %}
<style>""" + NAME_LABEL_CSS + SCALE_CSS + """
  .mapapp-legend { background: rgba(255,255,255,.92); padding: 4px 8px; border: 1px solid #999; border-radius: 4px;
  font: 11px/1.3 sans-serif; max-width: 250px; } .mapapp-legend summary { cursor: pointer; font-weight: bold; }
  .leaflet-control-attribution { font-size: 10px; }
  """ + AREA_LABEL_CSS + """</style>
{% endmacro %}
{% macro script(this, kwargs) %}
""" + DECLUTTER_JS + """
(function () {
  // A Leaflet control in the bottom-left corner, stacked above the scale bar; the credits keep the other corner.
  var legend = L.control({position: "bottomleft"});
  legend.onAdd = function () {
    var box = L.DomUtil.create("details", "mapapp-legend");
    box.open = true;
    box.innerHTML = {{ this.html_json }};
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    return box;
  };
  legend.addTo({{ this._parent.get_name() }});
  // A popup opened over the legend folds it away (the quote, its source and links stay readable and clickable);
  // it unfolds when the popup closes.
  var map = {{ this._parent.get_name() }}, box = legend.getContainer(), folded = false;
  map.on("popupopen", function (e) {
    if (!box.open) { return; }
    var a = e.popup.getElement().getBoundingClientRect(), b = box.getBoundingClientRect();
    if (a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top) { box.open = false; folded = true; }
  });
  map.on("popupclose", function () { if (folded) { box.open = true; folded = false; } });
  mapappDeclutter(map);
})();
{% endmacro %}
""")


def _swatch(colour: str, opacity: float, border: str) -> str:
    return (f'<span style="display:inline-block;width:13px;height:9px;margin-right:4px;vertical-align:middle;'
            f'background:{colour};opacity:{opacity};border:1px {border} {colour};"></span>')


def _dot(colour: str, style: str = "solid") -> str:
    return (f'<span style="display:inline-block;width:8px;height:8px;border-radius:50%;margin:0 3px 0 1px;'
            f'vertical-align:middle;background:{colour};border:2px {style} {colour};"></span>')


class Legend(MacroElement):
    """A small legend box (folds away); every swatch uses the same colours as the layers."""

    def __init__(self, note: str):
        super().__init__()
        self._template = _LEGEND
        c = STATUS_COLOURS
        rows = [
            _swatch(c["liberated"], 0.7, "solid") + "Liberated, reported &nbsp;"
            + _swatch(c["liberated"], 0.3, "dashed") + "inferred",
            _swatch(c["contested"], 0.7, "solid") + "Contested &nbsp;"
            + _swatch(c["occupied"], 0.35, "solid") + "Occupied (baseline)",
            '<span style="display:inline-block;width:13px;border-top:3px solid #000;margin-right:4px;'
            f'vertical-align:middle;"></span>Front line &nbsp;<b style="color:{c["advance"]}">➤</b> Advance',
            "Places: " + " ".join(_dot(c[s]) + s for s in ("liberated", "contested", "occupied", "advance",
                                                            "shelling")),
            AREA_LABEL_SWATCH + " a region, river or border reported as a whole (framed in its status colour)",
            _dot("#777", "dashed") + "approximate place or fuzzy date &nbsp;"
            '<span style="display:inline-block;width:9px;height:9px;border-radius:50%;margin:0 3px 0 1px;'
            f'vertical-align:middle;border:2px solid #000;"></span>reported in the last {RECENT_DAYS} days',
        ]
        self.html_json = script_safe_json('<summary>Legend</summary>' + "<br>".join(rows)
                                          + f'<div style="margin-top:3px; color:#444;">{html.escape(note)}</div>')


def base_map(*, tiles: str | None = "OpenStreetMap", note: str = "", fit=None) -> folium.Map:
    """The map without date-dependent layers. ``fit`` is ((south, west), (north, east)) to open on."""
    fmap = folium.Map(location=THEATER_CENTER, zoom_start=7, tiles=tiles if tiles and tiles != "none" else None,
                      control_scale=True)
    borders_layer().add_to(fmap)
    Legend(note or "Reported claims, not verified control.").add_to(fmap)
    if fit:
        fmap.fit_bounds(fit)
    return fmap


def fit_of(events, pad: float = 0.3):
    """Bounds around the theater's reported settlements (None when there are none)."""
    located = [e.place for e in events if e.place.theater and e.place.kind == "settlement"]
    if not located:
        return None
    return ((min(p.lat for p in located) - pad, min(p.lon for p in located) - pad),
            (max(p.lat for p in located) + pad, max(p.lon for p in located) + pad))


def _arrow_head(coords: list[list[float]]) -> list[tuple[float, float]] | None:
    """A filled triangle (lat, lon points) at the end of a (lon, lat) line, sized in kilometres."""
    if len(coords) < 2:
        return None
    (x0, y0), (x1, y1) = coords[-2][:2], coords[-1][:2]
    k = math.cos(math.radians(y1))
    dx, dy = (x1 - x0) * k, y1 - y0
    length = math.hypot(dx, dy)
    if length == 0:
        return None
    ux, uy = dx / length, dy / length
    size = ARROW_HEAD_KM / 111.0
    back_x, back_y = -ux * size, -uy * size
    side_x, side_y = -uy * size * 0.5, ux * size * 0.5
    points = [(x1, y1), (x1 + (back_x + side_x) / k, y1 + back_y + side_y),
              (x1 + (back_x - side_x) / k, y1 + back_y - side_y)]
    return [(lat, lon) for lon, lat in points]


def arrows_layer(areas, features: list[dict] | None = None) -> folium.FeatureGroup:
    """Advance arrows with heads: the dashed line of the push and a filled head where it arrived."""
    group = folium.FeatureGroup(name=LAYERS["arrows"])
    for feature in display_features(areas) if features is None else features:
        props = feature["properties"]
        if props.get("kind") != "advance":
            continue
        lines = ([feature["geometry"]["coordinates"]] if feature["geometry"]["type"] == "LineString"
                 else feature["geometry"]["coordinates"])
        label = html.escape(f"advance reported {props.get('date', '')}")
        for coords in lines:
            folium.PolyLine([(lat, lon) for lon, lat, *_ in coords], color=STATUS_COLOURS["advance"], weight=3,
                            dash_array="6 4", tooltip=label).add_to(group)
            head = _arrow_head(coords)
            if head:
                folium.Polygon(head, color=STATUS_COLOURS["advance"], fill=True, fill_opacity=1.0, weight=1,
                               tooltip=label).add_to(group)
    return group


def recent_layer(events, when, *, link=None, names: str = "en", link_base: str = "") -> folium.FeatureGroup:
    """A black ring around each place reported in the last days: what is new at this date, one popup per report."""
    group = folium.FeatureGroup(name=LAYERS["recent"])
    markers = CircleMarkers(link_base=link_base)
    by_place: dict[str, list] = {}
    for event in recent_events(events, when):
        if event.place.kind == "settlement":   # a region's report is on its label: a ring would mark a point
            by_place.setdefault(event.place.place_id, []).append(event)
    for items in by_place.values():
        place = items[0].place
        rows = [_report_row(event, link) for event in sorted(items, key=lambda e: (e.date, e.event_type))]
        markers.add(place.lat, place.lon, {"radius": 12, "color": "#000000", "weight": 2, "fill": False},
                    tooltip=html.escape(f"{display_name(place, names)}: reported {items[-1].date.isoformat()}"),
                    popup=f"<b>{html.escape(display_name(place, names))}</b><br>" + "<br>".join(rows))
    markers.add_to(group)
    return group


def _report_row(event, link=None) -> str:
    """One report in a popup (escaped): date, type, the quote, its outlet, and a link to the article."""
    source = event.sources[0]
    row = (f"<b>{html.escape(event.date.isoformat())}</b> {html.escape(event.event_type)}"
           f"{' (disputed)' if event.disputed else ''}: “{html.escape(short_quote(source.quote))}” — "
           f"{html.escape(source.outlet or source.article)}")
    if link is not None:
        row += f' <a href="{html.escape(link(source.article, source.quote))}" target="_blank">article</a>'
    return row


CHOSEN_LAYER = "Chosen in the timeline"


def chosen_layer(event, *, link=None, names: str = "en", link_base: str = "") -> folium.FeatureGroup:
    """A wide dashed ring around the place of the event chosen in the timeline, with that event's own report (the
    place's marker shows its state at the date, which another report of the same day may have set)."""
    group = folium.FeatureGroup(name=CHOSEN_LAYER)
    markers = CircleMarkers(link_base=link_base)
    name = display_name(event.place, names)
    markers.add(event.place.lat, event.place.lon, {"radius": 18, "color": "#000000", "weight": 3, "fill": False,
                                                   "dashArray": "6 4"},
                tooltip=html.escape(f"Chosen: {name}, {event.event_type}, {event.date.isoformat()}"),
                popup=f"<b>{html.escape(name)}</b> — chosen in the timeline<br>" + _report_row(event, link))
    markers.add_to(group)
    return group


def date_layers(areas, states, events, when, *, layers=tuple(LAYERS), link=None, names: str = "en",
                link_base: str = "", memo: dict | None = None, chosen=None) -> list[folium.FeatureGroup]:
    """The chosen layers for one date, in drawing order (areas under lines under markers). ``link`` makes each
    report's article link; relative links (``?…``) are completed in the browser with ``link_base``. ``memo``:
    see ``events_layer``. ``chosen``: the event chosen in the timeline, ringed from its date on."""
    shown = set(layers)
    wanted = {"liberated": "liberated", "contested": "contested", "occupied": "front", "front_line": "front"}
    groups = []
    features = display_features(areas)
    for key, group in zip(("liberated", "contested", "occupied", "front_line", "advance"),
                          areas_layers(areas, features)):
        if key in wanted and wanted[key] in shown:
            groups.append(group)
    if "arrows" in shown:
        groups.append(arrows_layer(areas, features))
    if "settlements" in shown:
        groups.append(events_layer(states, when=when, link=link, names=names, name=LAYERS["settlements"],
                                   link_base=link_base, memo=memo))
    if "recent" in shown:
        groups.append(recent_layer(events, when, link=link, names=names, link_base=link_base))
    if chosen is not None and chosen.date is not None and chosen.date <= when:
        groups.append(chosen_layer(chosen, link=link, names=names, link_base=link_base))
    return groups
