"""The map's symbology in one place: the app's folium layers and the exported images draw with these values.

Colours are Okabe–Ito, distinguishable with the common colour-vision deficiencies. Opacities and dash patterns
say how sure a shape is: reported areas are solid, inferred ones paler and dashed.
"""

from __future__ import annotations

STATUS_COLOURS = {
    "liberated": "#0072B2", "contested": "#E69F00", "occupied": "#D55E00", "advance": "#009E73",
    "shelling": "#CC79A7",
}
FRONT_LINE_COLOUR = "#000000"
UNKNOWN_COLOUR = "#000000"

# Fill opacity of an area by status and basis.
FILL_OPACITY_REPORTED = 0.35
FILL_OPACITY_INFERRED = 0.15
FILL_OPACITY_OCCUPIED = 0.10
MARKER_FILL_OPACITY = 0.9

LINE_WEIGHT = 3          # front line and advance arrows, in CSS pixels (Leaflet) / points (static maps)
AREA_EDGE_WEIGHT = 1
MARKER_RADIUS = 7
MARKER_EDGE_WEIGHT = 2
DASH_INFERRED = "6 4"    # inferred areas and advance arrows (Leaflet dashArray)
DASH_FUZZY = "3 3"       # a marker whose date is a week or month, or whose place is approximate

# Base map (Natural Earth): Ukraine lighter than its neighbours, the sea behind both.
BORDER_COLOUR = "#555555"
UKRAINE_FILL = "#f7f3e8"
NEIGHBOUR_FILL = "#e6e6e6"
BASE_FILL_OPACITY = 0.6
SEA_COLOUR = "#dbe7ef"
OBLAST_LINE_COLOUR = "#9a9a9a"
WATER_COLOUR = "#a9c8dc"


def fill_opacity(status: str, basis: str | None) -> float:
    if basis == "inferred":
        return FILL_OPACITY_INFERRED
    return FILL_OPACITY_OCCUPIED if status == "occupied" else FILL_OPACITY_REPORTED


def dash_pattern(text: str | None) -> tuple[float, ...] | None:
    """A Leaflet dashArray ("6 4") as the on/off sequence matplotlib takes."""
    return tuple(float(x) for x in text.split()) if text else None

DEFAULT_TITLE = "Reported control on {date}"   # a map's title when the journalist gives none

# Place names beside their points (Leaflet maps: the app's and the offline player's).
NAME_LABEL_CSS = (".mapapp-label { background: rgba(255,255,255,.8); border: none; box-shadow: none; padding: 0 3px; "
                  "font: 600 11px sans-serif; color: #222; } .mapapp-label::before { display: none; }")
# The scale bar's labels in a small font, so that "10 km" fits inside a short bar (the page's font is larger).
SCALE_CSS = ".leaflet-control-scale-line { font: 11px/1.3 sans-serif; padding: 0 3px; white-space: nowrap; }"
# A region, river or border reported as a whole is drawn as its name in a frame of its status colour, not as a point
# (Leaflet maps: the app's and the offline player's; the frame's colour is set per label).
AREA_LABEL_CSS = (".mapapp-area span { display: inline-block; transform: translate(-50%, -50%); white-space: nowrap; "
                  "cursor: pointer; font: italic 600 11px sans-serif; letter-spacing: .08em; text-transform: uppercase; "
                  "color: #333; background: rgba(255,255,255,.75); border: 1.5px solid #777; padding: 0 3px; }")
AREA_LABEL_SWATCH = ('<i style="font-weight:600;letter-spacing:.08em;border:1.5px solid #777;padding:0 2px;">'
                     "REGION</i>")   # the legends' sample of such a name

# Names on a map must not sit on one another: after every zoom, pan or change of layers, a name that would overlap
# one already shown is hidden (its point and popup stay); settlements' names come first, then regions' framed
# names, which must not cover a settlement's point either (zoomed in, they show again). ``mapappDeclutter(map)`` is
# called once per map, by the app's base map and by the offline player.
DECLUTTER_JS = """
function mapappDeclutter(map) {
  var pending = null;
  function run() {
    pending = null;
    var root = map.getContainer();
    var names = Array.prototype.slice.call(root.querySelectorAll('.leaflet-tooltip.mapapp-label'));
    var areas = Array.prototype.slice.call(root.querySelectorAll('.mapapp-area'));
    var kept = [], dots = [], origin = root.getBoundingClientRect();
    // The settlements' points, only when a region's framed name is shown (it must not cover them either).
    if (areas.length) {
      map.eachLayer(function (layer) {
        if (layer instanceof L.CircleMarker) {
          var p = map.latLngToContainerPoint(layer.getLatLng()), r = layer.getRadius();
          dots.push({left: origin.left + p.x - r, right: origin.left + p.x + r,
                     top: origin.top + p.y - r, bottom: origin.top + p.y + r});
        }
      });
    }
    function overlaps(box, others) {
      return others.some(function (k) {
        return box.left < k.right && box.right > k.left && box.top < k.bottom && box.bottom > k.top;
      });
    }
    names.concat(areas).forEach(function (el) {
      el.style.visibility = '';
      var area = el.classList.contains('mapapp-area');
      var box = (area && el.firstElementChild ? el.firstElementChild : el).getBoundingClientRect();
      if (!box.width) { return; }
      if (overlaps(box, kept) || (area && overlaps(box, dots))) { el.style.visibility = 'hidden'; }
      else { kept.push(box); }
    });
  }
  function later() { if (pending === null) { pending = setTimeout(run, 60); } }
  map.on('zoomend moveend layeradd layerremove resize', later);
  later();
}
"""
