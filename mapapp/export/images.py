"""Image exports: the map at a date (PNG, SVG, PDF), a timelapse (GIF, MP4) and the handout PDF.

Each writes into a binary stream; ``mapapp.export`` picks the stream (a file or bytes) and the alt text file.
"""

from __future__ import annotations

import html
import io
import re
import subprocess
from datetime import date, timedelta

import numpy as np
from matplotlib import rc_context

from mapapp.dates import window
from mapapp.events import Event
from mapapp.timeline import state_at
from mapapp.render.static_map import (DEFAULT_SUBTITLE, HANDOUT_SIZE, NOT_VERIFIED, SIZES, MapCanvas, font_props,
                                      alt_text, default_title, long_date, map_canvas,
                                      quiet_glyph_warnings)

SOFTWARE = "mapapp (front-line map from news reports)"
# Text stays text in SVG (editable in a drawing program) and PDF (TrueType, selectable).
_RC = {"svg.fonttype": "none", "pdf.fonttype": 42, "svg.hashsalt": "mapapp"}


def _metadata(fmt: str, title: str, description: str, credits: str) -> dict:
    if fmt == "png":
        return {"Title": title, "Description": description, "Author": SOFTWARE, "Software": SOFTWARE,
                "Source": credits, "Disclaimer": NOT_VERIFIED}
    if fmt == "svg":
        return {"Title": title, "Description": description, "Creator": SOFTWARE, "Source": credits, "Date": None}
    return {"Title": title, "Subject": description, "Author": SOFTWARE, "Creator": SOFTWARE,
            "Keywords": "Ukraine; front line; news reports", "CreationDate": None}


def _svg_with_title(svg: bytes, title: str, description: str) -> bytes:
    """Screen readers read an SVG's first ``<title>`` and ``<desc>``: put them first in the root element."""
    text = svg.decode("utf-8")
    match = re.search(r"<svg\b[^>]*>", text)
    head = match.group(0)
    if "role=" not in head:
        head = head[:-1] + ' role="img" aria-labelledby="mapapp-title mapapp-desc">'
    accessible = (f'\n <title id="mapapp-title">{html.escape(title, quote=False)}</title>'
                  f'\n <desc id="mapapp-desc">{html.escape(description, quote=False)}</desc>')
    return (text[:match.start()] + head + accessible + text[match.end():]).encode("utf-8")


def write_map(stream, events: list[Event], when: date, fmt: str, *, title: str | None, subtitle: str | None,
              size: str, baseline=None, labels: bool = True, view=None, layers=None) -> str:
    """The map at ``when`` as PNG, SVG or PDF into ``stream``; returns its alt text. ``view`` (south, west,
    north, east) frames the map on that area; ``layers`` (the app's layer keys) picks what is drawn."""
    title = title if title is not None and title.strip() else default_title(when)
    with quiet_glyph_warnings(), rc_context(_RC):
        canvas = map_canvas(events, when, size=size, title=title, subtitle=subtitle, baseline=baseline,
                            labels=labels, bounds=view, layers=layers)
        description = alt_text(events, when, title=title, areas=canvas.last_areas, states=canvas.last_states)
        metadata = _metadata(fmt, title, description, canvas.credits)
        if fmt == "svg":
            buffer = io.BytesIO()
            canvas.fig.savefig(buffer, format="svg", dpi=canvas.size.dpi, metadata=metadata)
            stream.write(_svg_with_title(buffer.getvalue(), title, description))
        else:
            canvas.fig.savefig(stream, format=fmt, dpi=canvas.size.dpi, metadata=metadata)
    return description


# ------------------------------------------------------------------------------------------------------------
# Timelapse

MAX_DAILY_FRAMES = 62        # up to two months: a frame a day, so time runs evenly
MAX_FRAMES = 120
FRAME_MS_DAILY, FRAME_MS_EVENT, LAST_FRAME_MS = 350, 900, 2500


def _event_starts(events: list[Event]) -> list[date]:
    return sorted({window(e.date, e.date_precision or "day")[0] for e in events if e.date is not None})


def timelapse_dates(events: list[Event], start: date, end: date, *, per: str = "auto") -> list[date]:
    """Frame dates from ``start`` to ``end``: one a day for short ranges (``per="day"``), else one per date on
    which a report starts (``per="event"``), always with ``start`` and ``end``; at most ``MAX_FRAMES``."""
    days = (end - start).days + 1
    if per == "day" or (per == "auto" and days <= MAX_DAILY_FRAMES):
        dates = [start + timedelta(days=i) for i in range(days)]
    else:
        dates = sorted({start, end, *[d for d in _event_starts(events) if start <= d <= end]})
    if len(dates) > MAX_FRAMES:   # keep the first and last, thin the middle evenly
        picks = np.linspace(0, len(dates) - 1, MAX_FRAMES).round().astype(int)
        dates = [dates[i] for i in sorted(set(picks))]
    return dates


def _frames(events, dates, *, title, subtitle, size, baseline, labels, view=None, layers=None):
    canvas = MapCanvas(events, size=SIZES[size], title=title, subtitle=subtitle, baseline=baseline, labels=labels,
                       view_until=dates[-1], legend_until=dates[-1], bounds=view, layers=layers)
    for day in dates:
        canvas.draw(day)
        yield canvas.rgb()


def timelapse_title(since: date, when: date) -> str:
    return f"Reported control, {long_date(since)} to {long_date(when)}"


def write_gif(stream, events: list[Event], since: date, when: date, *, title: str | None, subtitle: str | None,
              size: str, baseline=None, labels: bool = True, per: str = "auto", view=None,
              layers=None) -> tuple[str, int]:
    """An animated GIF (loops) from ``since`` to ``when``; returns (alt text, frame count)."""
    from PIL import Image

    dates = timelapse_dates(events, since, when, per=per)
    title = title if title is not None and title.strip() else timelapse_title(since, when)
    with quiet_glyph_warnings():
        rgb = list(_frames(events, dates, title=title, subtitle=subtitle or DEFAULT_SUBTITLE, size=size,
                           baseline=baseline, labels=labels, view=view, layers=layers))
    # One palette for all frames (taken from the last, fullest one): no colour flicker between frames.
    palette = Image.fromarray(rgb[-1]).quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    frames = [Image.fromarray(a).quantize(palette=palette, dither=Image.Dither.NONE) for a in rgb]
    daily = len(dates) > 1 and all((b - a).days == 1 for a, b in zip(dates, dates[1:]))
    durations = [FRAME_MS_DAILY if daily else FRAME_MS_EVENT] * (len(frames) - 1) + [LAST_FRAME_MS]
    description = timelapse_alt_text(events, since, when, dates, title)
    frames[0].save(stream, format="GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0,
                   comment=description.encode("utf-8")[:255 * 200])
    return description, len(frames)


def timelapse_alt_text(events, since, when, dates, title) -> str:
    first = len(state_at(events, since))
    daily = len(dates) > 1 and all((b - a).days == 1 for a, b in zip(dates, dates[1:]))
    return (f"Animation in {len(dates)} frames from {long_date(since)} to {long_date(when)}, one frame per "
            f"{'day' if daily else 'date with new reports'}. It starts with {first} place{'' if first == 1 else 's'} "
            f"marked and ends on this map: {alt_text(events, when, title=title)}")


def write_mp4(path, events: list[Event], since: date, when: date, *, title: str | None, subtitle: str | None,
              size: str, baseline=None, labels: bool = True, per: str = "auto", view=None,
              layers=None) -> tuple[str, int]:
    """The timelapse as H.264 MP4, with the ffmpeg that the ``imageio-ffmpeg`` wheel ships."""
    import imageio_ffmpeg

    dates = timelapse_dates(events, since, when, per=per)
    title = title if title is not None and title.strip() else timelapse_title(since, when)
    fps = 10
    daily = len(dates) > 1 and all((b - a).days == 1 for a, b in zip(dates, dates[1:]))
    hold = max(1, round((FRAME_MS_DAILY if daily else FRAME_MS_EVENT) / 1000 * fps))
    width, height = SIZES[size].width_px, SIZES[size].height_px
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
               "-s", f"{width}x{height}", "-r", str(fps), "-i", "-",
               "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2:color=white", "-c:v", "libx264", "-pix_fmt", "yuv420p",
               "-movflags", "+faststart", "-metadata", f"title={title}", str(path)]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        with quiet_glyph_warnings():
            frames = list(_frames(events, dates, title=title, subtitle=subtitle or DEFAULT_SUBTITLE, size=size,
                                  baseline=baseline, labels=labels, view=view, layers=layers))
        for i, frame in enumerate(frames):
            repeats = hold if i < len(frames) - 1 else round(LAST_FRAME_MS / 1000 * fps)
            for _ in range(repeats):
                process.stdin.write(np.ascontiguousarray(frame).tobytes())
        process.stdin.close()
        error = process.stderr.read().decode("utf-8", "replace").strip()
        process.stderr.close()
        if process.wait() != 0:
            raise OSError(f"ffmpeg failed: {error.splitlines()[-1] if error else 'unknown error'}")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for pipe in (process.stdin, process.stderr):
            if not pipe.closed:
                pipe.close()
    return timelapse_alt_text(events, since, when, dates, title), len(dates)


# ------------------------------------------------------------------------------------------------------------
# Handout

MAX_HANDOUT_PAGES = 30
QUOTE_CHARS = 320


def handout_dates(events: list[Event], since: date | None, when: date) -> list[date]:
    """Key dates: every date a report starts on, from ``since`` (default: the first) to ``when``; weekly when
    there would be more than ``MAX_HANDOUT_PAGES`` pages. ``when`` itself closes the list."""
    starts = [d for d in _event_starts(events) if (since is None or d >= since) and d <= when]
    if len(starts) > MAX_HANDOUT_PAGES:
        weeks: dict[tuple, date] = {}
        for d in starts:
            weeks[d.isocalendar()[:2]] = d
        starts = sorted(weeks.values())[-MAX_HANDOUT_PAGES:]
    if not starts or starts[-1] != when:
        starts.append(when)
    return starts[-MAX_HANDOUT_PAGES:]


def _event_lines(event: Event) -> tuple[str, str, str]:
    fuzzy = "" if (event.date_precision or "day") == "day" else f" (that {event.date_precision})"
    head = f"{event.place.name} — {event.event_type}, {long_date(event.date)}{fuzzy}"
    if event.disputed:
        head += " (disputed)"
    quote = event.quote if len(event.quote) <= QUOTE_CHARS else event.quote[:QUOTE_CHARS].rsplit(" ", 1)[0] + " …"
    cited = list(dict.fromkeys(f"{s.outlet or s.article}, {s.published.isoformat() if s.published else 'undated'}"
                               for s in event.sources))
    sources = "; ".join(cited[:3]) + (f" and {len(cited) - 3} more" if len(cited) > 3 else "")
    extra = []
    if event.claimed_by:
        extra.append(f"claimed by {event.claimed_by}")
    if event.counter_claim:
        extra.append(f"counter-claim: “{event.counter_claim[:160]}”")
    return head, f"“{quote}”", f"— {sources}" + (f" · {'; '.join(extra)}" if extra else "")


def write_handout(stream, events: list[Event], when: date, *, since: date | None, title: str | None,
                  subtitle: str | None, baseline=None, labels: bool = True, view=None,
                  layers=None) -> tuple[str, int]:
    """A4 portrait PDF, one page per key date: the map then, and the reports that start that day, quoted with
    their sources. Returns (alt text, page count). ``view`` and ``layers`` apply to every page's map; the quoted
    reports are all of that date's, wherever they are (the handout is the record)."""
    from matplotlib.backends.backend_pdf import PdfPages

    events = [e for e in events if e.date is not None]
    dates = handout_dates(events, since, when)
    title = title if title is not None and title.strip() else "How the reports drew the map"
    description = alt_text(events, when, title=title)
    metadata = _metadata("pdf", title, description, "")
    with quiet_glyph_warnings(), rc_context(_RC):
        canvas = MapCanvas(events, size=HANDOUT_SIZE, title=title,
                           subtitle=subtitle if subtitle is not None else DEFAULT_SUBTITLE, baseline=baseline,
                           labels=labels, view_until=when, legend_until=when, map_height_fraction=0.47,
                           bounds=view, layers=layers)
        f = canvas.fonts
        w_in = canvas.size.inches[0]
        width = w_in - 2 * canvas.pad
        with PdfPages(stream, metadata=metadata) as pdf:
            previous = None
            for page, day in enumerate(dates, start=1):
                canvas.draw(day)
                top = canvas.body_rect_in[1] - 0.22
                heading = f"Page {page} of {len(dates)} · reported for {long_date(day)}"
                new = [e for e in events if window(e.date, e.date_precision or "day")[0] <= day
                       and (previous is None or window(e.date, e.date_precision or "day")[0] > previous)]
                if page == 1 and since is None:
                    heading = f"Page 1 of {len(dates)} · the first reports, up to {long_date(day)}"
                y = canvas.text_block(heading, font_props(f.subtitle * 1.05, "bold"), max_lines=1, colour="#111111",
                                      width_in=width, x_in=canvas.pad, top_in=top, dynamic=True) - 0.08
                if not new:
                    new_text = "No new report on this date; the map shows the reports before it."
                    y = canvas.text_block(new_text, font_props(f.body, style_="italic"), max_lines=2, colour="#444444",
                                          width_in=width, x_in=canvas.pad, top_in=y, dynamic=True)
                bottom = canvas.footer_top + 0.15
                order = sorted(new, key=lambda e: (e.event_type == "shelling", e.date, e.place.name))
                for i, event in enumerate(order):
                    head, quote, source = _event_lines(event)
                    needed = (1 + 3 + 2) * f.body / 72 * 1.25 + 0.1
                    if y - needed < bottom:
                        rest = len(order) - i
                        canvas.text_block(f"… and {rest} more report{'s' if rest > 1 else ''} on this date "
                                          "(all of them are in the CSV and GeoJSON exports).",
                                          font_props(f.body, style_="italic"), max_lines=1, colour="#444444",
                                          width_in=width, x_in=canvas.pad, top_in=y, dynamic=True)
                        break
                    y = canvas.text_block(head, font_props(f.body, "bold"), max_lines=1, colour="#111111",
                                          width_in=width, x_in=canvas.pad, top_in=y, dynamic=True)
                    y = canvas.text_block(quote, font_props(f.body), max_lines=3, colour="#222222",
                                          width_in=width - 0.2, x_in=canvas.pad + 0.2, top_in=y, dynamic=True)
                    y = canvas.text_block(source, font_props(f.body * 0.9), max_lines=2, colour="#555555",
                                          width_in=width - 0.2, x_in=canvas.pad + 0.2, top_in=y, dynamic=True) - 0.08
                pdf.savefig(canvas.fig)
                previous = day
    return description, len(dates)


__all__ = ["write_map", "write_gif", "write_mp4", "write_handout", "timelapse_dates", "handout_dates"]
