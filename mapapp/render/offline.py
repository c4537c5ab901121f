"""Leaflet from the ``xstatic-leaflet`` package instead of a CDN, so maps draw with no network.

Streamlit serves ``static/`` at ``/app/static/`` (``server.enableStaticServing`` in ``.streamlit/config.toml``);
the files are copied there from the installed package at start-up, never committed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import folium

from mapapp.settings import PROJECT_ROOT

STATIC_DIR = PROJECT_ROOT / "static"
STATIC_URL = "/app/static"


def _package_dir(name: str) -> Path:
    import importlib

    return Path(importlib.import_module(f"xstatic.pkg.{name}").BASE_DIR)


def ensure_static_assets(static_dir: Path = STATIC_DIR) -> Path:
    """Copy Leaflet (script, stylesheet, marker images) and jQuery (folium's popups use it) into ``static/``."""
    target = static_dir / "leaflet"
    if not (target / "leaflet.js").exists():
        source = _package_dir("leaflet")
        target.mkdir(parents=True, exist_ok=True)
        for name in ("leaflet.js", "leaflet.css"):
            shutil.copy2(source / name, target / name)
        shutil.copytree(source / "images", target / "images", dirs_exist_ok=True)
    jquery = static_dir / "jquery" / "jquery.min.js"
    if not jquery.exists():
        jquery.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(_package_dir("jquery") / "jquery.min.js", jquery)
    return static_dir


def use_local_leaflet(fmap: folium.Map, *, base_url: str = STATIC_URL) -> folium.Map:
    """Point the map at the locally served Leaflet and jQuery only (no Bootstrap or Font Awesome from CDNs)."""
    fmap.default_js = [("leaflet", f"{base_url}/leaflet/leaflet.js"), ("jquery", f"{base_url}/jquery/jquery.min.js")]
    fmap.default_css = [("leaflet_css", f"{base_url}/leaflet/leaflet.css")]
    return fmap
