"""Exports: the map at a date as an image (PNG, SVG, PDF; a handout PDF), a timelapse (GIF, MP4), a standalone
offline HTML timeline, and the data (GeoJSON, KML, CSV, GeoPackage). The format follows the file's extension.

Two entry points, for the CLI and the app alike::

    export_map(store_or_events, when, "map.png", title="…", size="social")   # → Path; writes map.png.txt too
    export_bytes(store_or_events, when, "png", title="…")                    # → bytes, for a download button

Files are written to a temporary name beside the target and renamed into place: an export that fails leaves no
half-written file.
"""

from __future__ import annotations

import importlib.util
import io
import os
import tempfile
from datetime import date
from pathlib import Path

from mapapp.events import Event
from mapapp.render.static_map import SIZES, alt_text, events_until

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


def _render(stream_or_path, events: list[Event], when: date, fmt: str, *, title, subtitle, size, since, handout,
            baseline, labels) -> str | None:
    """Write the export; returns the alt text for images and timelapses (None for the others)."""
    from mapapp.export import data, images

    if fmt in IMAGE_FORMATS and not handout:
        return images.write_map(stream_or_path, events, when, fmt, title=title, subtitle=subtitle,
                                size=size or "web", baseline=baseline, labels=labels)
    if fmt == "pdf":
        return images.write_handout(stream_or_path, events, when, since=since, title=title, subtitle=subtitle,
                                    baseline=baseline, labels=labels)[0]
    if fmt in TIMELAPSE_FORMATS:
        dated = [e.date for e in events if e.date is not None]
        start = since or (min(dated) if dated else when)
        start = min(start, when)
        writer = images.write_gif if fmt == "gif" else images.write_mp4
        return writer(stream_or_path, events, start, when, title=title, subtitle=subtitle, size=size or "social",
                      baseline=baseline, labels=labels)[0]
    if fmt == "html":
        from mapapp.render.standalone_html import standalone_map_html

        stream_or_path.write(standalone_map_html(events, when, title=title, baseline=baseline).encode("utf-8"))
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
               write_alt_text: bool = True) -> Path:
    """Export to ``out_path`` in the format its extension names (or ``fmt``) and return the path.

    ``source``: a ``Store``, a database path or a list of events. ``size``: ``social`` (1200×675), ``web``
    (1600×1000; the default for images) or ``print`` (A4 landscape, 300 dpi); timelapses default to ``social``.
    ``since``: the timelapse's first date (default: the first event) or the handout's first page; for data
    exports, events before it are left out. ``handout``: with PDF, one A4 page per key date with the reports
    quoted. Images and timelapses also get their alt text beside them (``map.png.txt``).

    Raises ``ExportUsageError`` for a wrong format or option, ``ExportWriteError`` when the file cannot be
    written.
    """
    out_path = Path(out_path)
    fmt = format_for(out_path, fmt)
    _check(fmt, when, since, handout, size)
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
                                  handout=handout, baseline=baseline, labels=labels)
        else:
            with os.fdopen(handle, "wb") as stream:
                description = _render(stream, events, when, fmt, title=title, subtitle=subtitle, size=size,
                                      since=since, handout=handout, baseline=baseline, labels=labels)
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
                 labels: bool = True) -> bytes:
    """The same export as ``export_map`` as bytes (``fmt`` is an extension: ``png``, ``gif``, ``gpkg``…), for an
    in-app download button; ``MEDIA_TYPES[fmt]`` is its MIME type and ``export_alt_text`` its alt text."""
    fmt = format_for(None, fmt)
    _check(fmt, when, since, handout, size)
    events = events_from(source)
    if _needs_path(fmt):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"export.{fmt}"
            _render(path, events, when, fmt, title=title, subtitle=subtitle, size=size, since=since,
                    handout=handout, baseline=baseline, labels=labels)
            return path.read_bytes()
    buffer = io.BytesIO()
    _render(buffer, events, when, fmt, title=title, subtitle=subtitle, size=size, since=since, handout=handout,
            baseline=baseline, labels=labels)
    return buffer.getvalue()


def export_alt_text(source, when: date, *, title: str | None = None, baseline=None) -> str:
    """The alt text of the map at ``when`` (what ``map.png.txt`` holds), for an ``<img alt>`` in the app."""
    from mapapp.areas import areas_at
    from mapapp.render.static_map import default_title

    events = events_from(source)
    return alt_text(events, when, title=title or default_title(when), areas=areas_at(events, when, baseline=baseline))


__all__ = ["export_map", "export_bytes", "export_alt_text", "format_for", "alt_text_path", "events_from",
           "FORMATS", "MEDIA_TYPES", "ExportError", "ExportUsageError", "ExportWriteError"]
