"""Optional online fallback for names the gazetteer lacks: Nominatim through geopy.

Off by default (setting ``ONLINE_GEOCODER``); at most one request per second; every answer, including "not
found", is cached on disk so a name is asked once. Network failures return None: the app never depends on it.
Tests never call the network: they hand in their own ``query`` function.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable

from mapapp import settings
from mapapp.gazetteer import Place, normalize_name

MIN_INTERVAL_S = 1.0  # Nominatim's usage policy: at most one request per second


def _nominatim_query(name: str) -> dict | None:
    from geopy.exc import GeopyError
    from geopy.geocoders import Nominatim

    try:
        location = Nominatim(user_agent=settings.ONLINE_USER_AGENT, timeout=5).geocode(
            name, exactly_one=True, country_codes=["ua", "ru", "by"], language="en")
    except (GeopyError, OSError, ValueError):
        return None
    if location is None:
        return {}
    return {"name": location.address.split(",")[0], "lat": location.latitude, "lon": location.longitude,
            "osm_id": (location.raw or {}).get("osm_id")}


class OnlineGeocoder:
    def __init__(self, *, cache_path: str | Path | None = None, query: Callable[[str], dict | None] | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.cache_path = Path(cache_path or settings.ONLINE_CACHE)
        self._query = query or _nominatim_query
        self._clock, self._sleep = clock, sleep
        self._last = None
        self._cache = self._read_cache()

    def _read_cache(self) -> dict:
        try:
            return json.loads(self.cache_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _write_cache(self) -> None:
        try:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.cache_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self._cache, ensure_ascii=False, indent=1), encoding="utf-8")
            tmp.replace(self.cache_path)
        except OSError:
            pass  # a read-only disk costs a repeated request later, nothing else

    def lookup(self, name: str) -> Place | None:
        key = normalize_name(name)
        if not key:
            return None
        if key not in self._cache:
            if self._last is not None:
                wait = MIN_INTERVAL_S - (self._clock() - self._last)
                if wait > 0:
                    self._sleep(wait)
            answer = self._query(name)
            self._last = self._clock()
            if answer is None:  # network trouble: do not cache, try again another time
                return None
            self._cache[key] = answer
            self._write_cache()
        hit = self._cache[key]
        if not hit:
            return None
        return Place(place_id=f"osm:{hit.get('osm_id') or key}", name=hit["name"], lat=float(hit["lat"]),
                     lon=float(hit["lon"]), kind="other", admin1="", country="", population=0,
                     alt_names=(name,), approximate=True)
