"""The committed base map: Natural Earth country shapes of the theater and the Russia–Ukraine border.

Coordinates in the files are GeoJSON's lon, lat; functions here take and return lat/lon by name.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from shapely.geometry import Point, shape
from shapely.ops import nearest_points

BASEMAP_DIR = Path(__file__).resolve().parents[1] / "data" / "basemap"
THEATER_BBOX = (20.0, 43.5, 42.0, 54.0)  # lon_min, lat_min, lon_max, lat_max
NATURAL_EARTH_CREDIT = "Borders: Natural Earth (public domain)"


@lru_cache(maxsize=1)
def ua_ru_border():
    """The Russia–Ukraine state border as a shapely (Multi)LineString in lon/lat."""
    data = json.loads((BASEMAP_DIR / "ua_ru_border.geojson").read_text(encoding="utf-8"))
    return shape(data["features"][0]["geometry"])


def nearest_border_point(lat: float, lon: float) -> tuple[float, float]:
    """(lat, lon) of the point on the Russia–Ukraine border closest to a place (in degrees, good enough at
    the tens of kilometres between a town and the border)."""
    point = nearest_points(ua_ru_border(), Point(lon, lat))[0]
    return point.y, point.x


@lru_cache(maxsize=1)
def countries_geojson() -> dict:
    return json.loads((BASEMAP_DIR / "countries.geojson").read_text(encoding="utf-8"))
