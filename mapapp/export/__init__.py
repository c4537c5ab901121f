"""Exports: the map at a date as an image (PNG, SVG, PDF; a handout PDF), a timelapse (GIF, MP4), a standalone
offline HTML timeline, and the data (GeoJSON, KML, CSV, GeoPackage). The format follows the file's extension.

Two entry points, for the CLI and the app alike::

    export_map(store_or_events, when, "map.png", title="…", size="social")   # → Path; writes map.png.txt too
    export_bytes(store_or_events, when, "png", title="…")                    # → bytes, for a download button

Both take the app's current view and layers: ``view=(south, west, north, east)`` (degrees, a Leaflet bounds box)
and ``layers=["liberated", "settlements", …]`` (keys of ``mapapp.app_view.LAYERS``); see ``export_map``.

Files are written to a temporary name beside the target and renamed into place: an export that fails leaves no
half-written file.
"""

from __future__ import annotations

import importlib.util
import io
import math
import os
import tempfile
from datetime import date
from pathlib import Path

from mapapp.events import Event
from mapapp.basemap import THEATER_BBOX
from mapapp.render.static_map import LAYER_KEYS, SIZES, alt_text, areas_in_layers, check_layers, events_until

IMAGE_FORMATS = ("png", "svg", "pdf")
TIMELAPSE_FORMATS = ("gif", "mp4")
DATA_FORMATS = ("geojson", "kml", "csv", "gpkg")
FORMATS = IMAGE_FORMATS + TIMELAPSE_FORMATS + ("html",) + DATA_FORMATS
_ALIASES = {"json": "geojson", "htm": "html"}
MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "gif": "image/gif",
               "mp4": "video/mp4", "html": "text/html", "geojson": "application/geo+json",
               "kml": "application/vnd.google-earth.kml+xml", "csv": "text/csv",
               "gpkg": "application/geopackage+sqlite3"}
ALT_TEXT_FORMATS = IMAGE_FORMATS + TIMELAPSE_FORMATS


class ExportError(Exception):
    """An export that cannot be made; the message is one line for the user. ``exit_code`` is the CLI's."""
    exit_code = 1


class ExportUsageError(ExportError):
    """Wrong usage: an unknown format, ``--handout`` with something other than PDF, a range that ends before it
    starts."""
    exit_code = 2


class ExportWriteError(ExportError):
    """The output file cannot be written (no such folder, no permission, disk full)."""
    exit_code = 1


def format_for(path: str | os.PathLike | None, fmt: str | None = None) -> str:
    """The export format: ``fmt`` when given, else the file's extension (``map.PNG`` → ``png``)."""
    raw = (fmt or (Path(path).suffix if path is not None else "")).lower().lstrip(".")
    raw = _ALIASES.get(raw, raw)
    if raw not in FORMATS:
        shown = f"'.{raw}'" if raw else "no extension"
        raise ExportUsageError(f"cannot export to {shown}: the file's extension picks the format, one of "
                               + ", ".join(FORMATS))
    if raw == "mp4" and importlib.util.find_spec("imageio_ffmpeg") is None:
        raise ExportUsageError("MP4 needs the imageio-ffmpeg package (pip install imageio-ffmpeg); "
                               "export a .gif instead")
    return raw


def alt_text_path(out_path: str | os.PathLike) -> Path:
    """Where an image's alt text goes: beside it, ``map.png`` → ``map.png.txt``."""
    out_path = Path(out_path)
    return out_path.with_name(out_path.name + ".txt")


def events_from(source) -> list[Event]:
    """A ``Store``, a database path or a list of events → the events (corrections applied)."""
    if isinstance(source, (list, tuple)):
        return list(source)
    if isinstance(source, (str, os.PathLike)):
        from mapapp.store import Store

        with Store(source) as store:
            return store.events()
    return source.events()


def _check(fmt: str, when: date, since: date | None, handout: bool, size: str | None) -> None:
    if handout and fmt != "pdf":
        raise ExportUsageError(f"--handout makes a PDF; the output is .{fmt}")
    if since is not None and since > when:
        raise ExportUsageError(f"--from {since.isoformat()} is after --date {when.isoformat()}")
    if size is not None and size not in SIZES:
        raise ExportUsageError(f"unknown size {size!r}: one of {', '.join(SIZES)}")


def check_view(view) -> tuple[float, float, float, float] | None:
    """``view`` as four floats (south, west, north, east), or None; ``ExportUsageError`` when it is not a box in
    degrees or lies wholly outside the base map (``THEATER_BBOX``). A part outside the base map is cut off when
    drawn."""
    if view is None:
        return None
    try:
        values = tuple(float(v) for v in view)
    except (TypeError, ValueError):
        raise ExportUsageError(f"the view must be four numbers south, west, north, east (degrees); got {view!r}") \
            from None
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise ExportUsageError(f"the view must be four numbers south, west, north, east (degrees); got {view!r}")
    south, west, north, east = values
    if not (-90 <= south < north <= 90):
        raise ExportUsageError(f"the view's south ({south:g}) must be below its north ({north:g}), both within ±90°")
    if not (-360 <= west < east <= 360):
        raise ExportUsageError(f"the view's west ({west:g}) must be left of its east ({east:g})")
    lon_min, lat_min, lon_max, lat_max = THEATER_BBOX
    if north <= lat_min or south >= lat_max or east <= lon_min or west >= lon_max:
        raise ExportUsageError(f"the view {south:g},{west:g},{north:g},{east:g} lies outside the base map "
                               f"(latitude {lat_min:g} to {lat_max:g}, longitude {lon_min:g} to {lon_max:g})")
    return values


def check_export_layers(layers) -> frozenset[str] | None:
    """``layers`` as a set of layer keys (a string is read as ``"liberated,settlements"``), or None;
    ``ExportUsageError`` naming any unknown key."""
    try:
        return check_layers(layers)
    except (TypeError, ValueError) as exc:
        raise ExportUsageError(str(exc) if isinstance(exc, ValueError)
                               else f"layers must be a list of: {', '.join(LAYER_KEYS)}") from None


def _render(stream_or_path, events: list[Event], when: date, fmt: str, *, title, subtitle, size, since, handout,
            baseline, labels, view=None, layers=None) -> str | None:
    """Write the export; returns the alt text for images and timelapses (None for the others)."""
    from mapapp.export import data, images

    if fmt in IMAGE_FORMATS and not handout:
        return images.write_map(stream_or_path, events, when, fmt, title=title, subtitle=subtitle,
                                size=size or "web", baseline=baseline, labels=labels, view=view, layers=layers)
    if fmt == "pdf":
        return images.write_handout(stream_or_path, events, when, since=since, title=title, subtitle=subtitle,
                                    baseline=baseline, labels=labels, view=view, layers=layers)[0]
    if fmt in TIMELAPSE_FORMATS:
        dated = [e.date for e in events if e.date is not None]
        start = since or (min(dated) if dated else when)
        start = min(start, when)
        writer = images.write_gif if fmt == "gif" else images.write_mp4
        return writer(stream_or_path, events, start, when, title=title, subtitle=subtitle, size=size or "social",
                      baseline=baseline, labels=labels, view=view, layers=layers)[0]
    if fmt == "html":
        from mapapp.render.standalone_html import standalone_map_html

        stream_or_path.write(standalone_map_html(events, when, title=title, baseline=baseline, view=view,
                                                 layers=layers).encode("utf-8"))
        return None
    from mapapp.areas import areas_at

    shown = [e for e in events_until(events, when) if since is None or e.date >= since]
    areas = areas_at(events, when, baseline=baseline)
    if fmt == "geojson":
        stream_or_path.write(data.geojson_bytes(shown, areas, when, since))
    elif fmt == "csv":
        stream_or_path.write(data.csv_bytes(shown))
    elif fmt == "kml":
        stream_or_path.write(data.kml_bytes(shown, areas, when, title=title or f"Reported control on {when}"))
    elif fmt == "gpkg":
        data.write_gpkg(stream_or_path, shown, areas)
    return None


def _needs_path(fmt: str) -> bool:
    return fmt in ("gpkg", "mp4")   # written by GDAL / ffmpeg to a file name, not a stream


def export_map(source, when: date, out_path: str | os.PathLike, *, fmt: str | None = None,
               title: str | None = None, subtitle: str | None = None, size: str | None = None,
               since: date | None = None, handout: bool = False, baseline=None, labels: bool = True,
               write_alt_text: bool = True, view=None, layers=None) -> Path:
    """Export to ``out_path`` in the format its extension names (or ``fmt``) and return the path.

    ``source``: a ``Store``, a database path or a list of events. ``size``: ``social`` (1200×675), ``web``
    (1600×1000; the default for images) or ``print`` (A4 landscape, 300 dpi); timelapses default to ``social``.
    ``since``: the timelapse's first date (default: the first event) or the handout's first page; for data
    exports, events before it are left out. ``handout``: with PDF, one A4 page per key date with the reports
    quoted. Images and timelapses also get their alt text beside them (``map.png.txt``).

    ``view``: ``(south, west, north, east)`` in degrees, the app map's bounds. Images, timelapse frames and the
    handout's maps frame exactly that area (cut to the base map, widened on the short side to the image's aspect
    ratio, never cropped; the inset's red box shows it); the standalone HTML opens on it. None: framed around
    every place reported (the default). ``layers``: keys of ``mapapp.app_view.LAYERS`` (``liberated``,
    ``contested``, ``front`` (front line and occupied; needs ``baseline``), ``arrows``, ``settlements``,
    ``recent``); only those are drawn and the legend lists only what is drawn. None draws every layer but
    ``recent`` (the black rings round the places reported in the last 7 days), as the export always did.
    The data exports (GeoJSON, KML, CSV, GeoPackage) ignore both: they are the full record with its provenance,
    not a picture, and a layer left out there would silently drop reports. Unknown layer keys or a malformed
    view raise ``ExportUsageError`` whatever the format.

    Raises ``ExportUsageError`` for a wrong format or option, ``ExportWriteError`` when the file cannot be
    written.
    """
    out_path = Path(out_path)
    fmt = format_for(out_path, fmt)
    _check(fmt, when, since, handout, size)
    view, layers = check_view(view), check_export_layers(layers)
    events = events_from(source)
    folder = out_path.parent if str(out_path.parent) else Path(".")
    if out_path.is_dir():
        raise ExportWriteError(f"cannot write {out_path}: it is a folder")
    if not folder.is_dir():
        raise ExportWriteError(f"cannot write {out_path}: no folder {folder}")
    try:
        handle, tmp_name = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=f".part.{fmt}", dir=folder)
    except OSError as exc:
        raise ExportWriteError(f"cannot write {out_path} ({exc.strerror or exc})") from None
    tmp = Path(tmp_name)
    try:
        if _needs_path(fmt):
            os.close(handle)
            tmp.unlink()
            description = _render(tmp, events, when, fmt, title=title, subtitle=subtitle, size=size, since=since,
                                  handout=handout, baseline=baseline, labels=labels, view=view, layers=layers)
        else:
            with os.fdopen(handle, "wb") as stream:
                description = _render(stream, events, when, fmt, title=title, subtitle=subtitle, size=size,
                                      since=since, handout=handout, baseline=baseline, labels=labels, view=view,
                                      layers=layers)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)   # mkstemp makes it private; an export is an ordinary file
        os.replace(tmp, out_path)
        if description and write_alt_text:
            alt_text_path(out_path).write_text(description + "\n", encoding="utf-8")
    except OSError as exc:
        raise ExportWriteError(f"cannot write {out_path} ({exc.strerror or exc})") from None
    finally:
        if tmp.exists():
            tmp.unlink()
    return out_path


def export_bytes(source, when: date, fmt: str, *, title: str | None = None, subtitle: str | None = None,
                 size: str | None = None, since: date | None = None, handout: bool = False, baseline=None,
                 labels: bool = True, view=None, layers=None) -> bytes:
    """The same export as ``export_map`` as bytes (``fmt`` is an extension: ``png``, ``gif``, ``gpkg``…), for an
    in-app download button; ``MEDIA_TYPES[fmt]`` is its MIME type and ``export_alt_text`` its alt text. ``view``
    and ``layers``: the app's current map bounds and layers, as ``export_map`` takes them."""
    fmt = format_for(None, fmt)
    _check(fmt, when, since, handout, size)
    view, layers = check_view(view), check_export_layers(layers)
    events = events_from(source)
    if _needs_path(fmt):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"export.{fmt}"
            _render(path, events, when, fmt, title=title, subtitle=subtitle, size=size, since=since,
                    handout=handout, baseline=baseline, labels=labels, view=view, layers=layers)
            return path.read_bytes()
    buffer = io.BytesIO()
    _render(buffer, events, when, fmt, title=title, subtitle=subtitle, size=size, since=since, handout=handout,
            baseline=baseline, labels=labels, view=view, layers=layers)
    return buffer.getvalue()


def export_alt_text(source, when: date, *, title: str | None = None, baseline=None, layers=None) -> str:
    """The alt text of the map at ``when`` (what ``map.png.txt`` holds), for an ``<img alt>`` in the app;
    ``layers`` as ``export_map`` takes them."""
    from mapapp.areas import areas_at
    from mapapp.render.static_map import DEFAULT_LAYERS, default_title
    from mapapp.timeline import state_at

    chosen = check_export_layers(layers)
    chosen = DEFAULT_LAYERS if chosen is None else chosen
    events = events_from(source)
    areas = areas_in_layers(areas_at(events, when, baseline=baseline), chosen)
    states = state_at(events, when) if "settlements" in chosen else {}
    return alt_text(events, when, title=title or default_title(when), areas=areas, states=states)


__all__ = ["export_map", "export_bytes", "export_alt_text", "format_for", "alt_text_path", "events_from",
           "check_view", "check_export_layers", "LAYER_KEYS", "FORMATS", "MEDIA_TYPES", "ExportError",
           "ExportUsageError", "ExportWriteError"]
