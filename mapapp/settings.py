"""Every setting of the project in one table: name, default, help. Nothing configurable hides elsewhere.

A setting can be overridden by an environment variable ``MAPAPP_<NAME>`` (the database also by ``MAPAPP_DB``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str

    @property
    def value(self):
        raw = os.environ.get(f"MAPAPP_{self.name}")
        if raw is None:
            return self.default
        kind = type(self.default)
        if kind is bool:
            return raw.strip().lower() in ("1", "true", "yes", "on")
        return kind(raw)


SETTINGS = (
    Setting("DB", str(PROJECT_ROOT / "data" / "mapapp.sqlite"), "SQLite store (also --db or MAPAPP_DB)."),
    Setting("SEEDS_DIR", str(PROJECT_ROOT / "seeds"), "Folder of seed articles with metadata.csv."),
    Setting("MAX_ARTICLE_BYTES", 60_000_000, "Largest article file read; bigger files are refused."),
    Setting("FUZZY_MIN_LENGTH", 5, "Shortest name (letters) matched with one spelling mistake."),
    Setting("FUZZY_MIN_POPULATION", 20_000, "Smallest town in the theater matched with one spelling mistake."),
    Setting("COMMON_WORD_ZIPF", 3.5, "English-word frequency (Zipf) above which a place name needs a cue ('in X')."),
    Setting("MIN_SCORE", 0.35, "Least confidence for a mention to be resolved; below it, unresolved."),
    Setting("ONLINE_GEOCODER", False, "Ask Nominatim (via geopy) for names the gazetteer lacks; off by default."),
    Setting("ONLINE_CACHE", str(PROJECT_ROOT / "data" / "cache" / "nominatim.json"), "On-disk cache of online answers."),
    Setting("ONLINE_USER_AGENT", "frontline-map (newsroom tool)", "User agent sent to Nominatim."),
    # The app
    Setting("TILES", "OpenStreetMap", "Base tiles under the map ('none' for none); the vector base map always draws."),
    Setting("NAMES", "en", "Language of place names on the map: en (English/transliterated), uk (Ukrainian) or both."),
    Setting("DEFAULT_DATE", "", "Date the map opens at (YYYY-MM-DD); empty: the latest event."),
    Setting("DEFAULT_CENTER", "", "Centre the map opens at ('lat,lon'); empty: fit the places reported."),
    Setting("DEFAULT_ZOOM", 0, "Zoom the map opens at (1-18); 0: fit the places reported."),
    Setting("EDITOR_PASSWORD", "", "When set (or st.secrets['editor_password']), adding articles and corrections "
                                   "need it; everyone else gets a read-only map. Empty: everything open."),
    Setting("APP_MAX_ARTICLE_BYTES", 5_000_000, "Largest article the app accepts by paste or upload (the CLI reads "
                                                "up to MAX_ARTICLE_BYTES)."),
    Setting("PLAY_SECONDS", 2.0, "Seconds per step when the timeline plays."),
    Setting("PERF_LOG", "", "A file the app appends its server time per map view to (bench/app_bench.py); empty: off."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str):
    return _BY_NAME[name].value


def __getattr__(name: str):
    # settings.MIN_SCORE reads the current value, so tests and the app can override through the environment.
    if name in _BY_NAME:
        return _BY_NAME[name].value
    raise AttributeError(name)
