"""What the app's map page decides, without Streamlit: steps through time, filters, the shared view in the URL,
what changed between two dates, who may edit. ``streamlit_app.py`` only lays these out as widgets."""

from __future__ import annotations

import hmac
import math
import threading
from bisect import bisect_right
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import quote_plus, urlencode, urlsplit, urlunsplit

from shapely import union_all

from mapapp.areas import Areas, Baseline, areas_at, change_dates
from mapapp.events import Event

# Map layers the reader can switch on and off (also kept in the URL as ``layers``).
LAYERS = {
    "liberated": "Liberated areas",
    "contested": "Contested / grey zones",
    "front": "Front line and occupied (needs a baseline)",
    "arrows": "Advance arrows",
    "settlements": "Settlements by status",
    "recent": "Reports of the last 7 days",
}
RECENT_DAYS = 7
QUOTE_IN_LINK = 40   # characters of the quoted sentence a link carries to find it again in its article
EVENT_TYPES = ("liberated", "advance", "contested", "occupied", "shelling")


def event_dates(events: list[Event]) -> list[date]:
    """Every distinct event date, in order: the stops of play and of previous/next."""
    return sorted({e.date for e in events if e.date is not None})


def step(dates: list[date], when: date, direction: int) -> date | None:
    """The event date just before (-1) or after (+1) ``when``; None at either end."""
    if direction > 0:
        later = [d for d in dates if d > when]
        return later[0] if later else None
    earlier = [d for d in dates if d < when]
    return earlier[-1] if earlier else None


def play_from(dates: list[date], when: date) -> date | None:
    """Where pressing play starts: the first event date when the slider stands at (or past) the last one, so play
    always shows the front moving; otherwise where the slider is."""
    if not dates:
        return None
    return dates[0] if when >= dates[-1] else when


def filter_events(events: list[Event], *, types=(), outlets=(), disputed: str = "all") -> list[Event]:
    """Events of the chosen types and outlets (empty selection: all); ``disputed`` is all, only or hide."""
    chosen = []
    for event in events:
        if types and event.event_type not in types:
            continue
        if outlets and not any((s.outlet or s.article) in outlets for s in event.sources):
            continue
        if disputed == "only" and not event.disputed or disputed == "hide" and event.disputed:
            continue
        chosen.append(event)
    return chosen


def outlets_of(events: list[Event]) -> list[str]:
    return sorted({s.outlet or s.article for e in events for s in e.sources})


def timeline_rows(events: list[Event]) -> list[dict]:
    """Events in date order, one row each, as the timeline panel lists them (undated ones last)."""
    ordered = sorted(events, key=lambda e: (e.date or date.max, e.place.name, e.event_type))
    return [{"date": e.date, "precision": e.date_precision or "", "place": e.place.name, "event": e.event_type,
             "disputed": e.disputed, "outlet": ", ".join(sorted({s.outlet or s.article for s in e.sources})),
             "sources": len(e.sources), "quote": e.sources[0].quote if e.sources else "", "id": e.event_id}
            for e in ordered]


def sources_up_to(events: list[Event], when: date) -> list[dict]:
    """The articles behind what the map shows on ``when``: outlet, date, title id and how many events."""
    counts: dict[str, dict] = {}
    for event in events:
        if event.date is None or event.date > when:
            continue
        for source in event.sources:
            row = counts.setdefault(source.article, {"article": source.article, "outlet": source.outlet or "",
                                                     "published": source.published, "url": source.url,
                                                     "events": 0})
            row["events"] += 1
    return sorted(counts.values(), key=lambda r: (r["published"] or date.max, r["article"]))


@dataclass(frozen=True)
class Change:
    start: date
    end: date
    gained_km2: float          # liberated on ``end`` and not on ``start``
    lost_km2: float            # liberated on ``start`` and no longer on ``end``
    contested_km2: float       # contested on ``end`` and not on ``start``
    new_events: int


def change_of(before: Areas, after: Areas, events: list[Event]) -> Change:
    """What the reported map gained and lost from one date's areas to a later one's, in km²."""
    def union(areas, status):
        return union_all([p["geometry"] for p in areas.polygons if p["status"] == status])

    lib_before, lib_after = union(before, "liberated"), union(after, "liberated")
    con_before, con_after = union(before, "contested"), union(after, "contested")
    new = sum(1 for e in events if e.date is not None and before.date < e.date <= after.date)
    return Change(before.date, after.date, lib_after.difference(lib_before).area / 1e6,
                  lib_before.difference(lib_after).area / 1e6, con_after.difference(con_before).area / 1e6, new)


def changes_between(events: list[Event], start: date, end: date, *, baseline: Baseline | None = None) -> Change:
    """``change_of`` for two dates (their order does not matter)."""
    start, end = min(start, end), max(start, end)
    return change_of(areas_at(events, start, baseline=baseline), areas_at(events, end, baseline=baseline), events)


class AreaCache:
    """The areas of every date of one corpus (and baseline), computed once each, on demand or ahead of the reader.

    A date's areas change only where a report's date window begins or a report of fighting lapses
    (``change_dates``), so every date between two such days shares one entry: dragging through quiet days costs
    nothing. ``warm`` fills the entries in a background thread, nearest dates first, so a reader stepping or playing
    through a large corpus mostly hits computed entries."""

    def __init__(self, events: list[Event], baseline: Baseline | None = None, *, limit: int = 400, prepare=None):
        """``prepare(areas)``: called on each date's areas where they are computed (in the warm-up too), to get
        ready what the map draws from them. ``markers``: a memo of drawn markers that lives as long as these
        events (``events_layer``'s ``memo``)."""
        self.events, self.baseline, self.limit, self.prepare = events, baseline, limit, prepare
        self.markers: dict = {}
        self.starts = change_dates(events)
        self._areas: dict[date | None, Areas] = {}
        self._changed = threading.Condition()
        self._computing: set = set()    # keys being computed now (by a reader or the warm-up)
        self._readers = 0               # views being drawn now: the warm-up waits for them
        self._warming: threading.Thread | None = None

    def key(self, when: date) -> date | None:
        """The latest change on or before ``when`` (None before the first)."""
        i = bisect_right(self.starts, when)
        return self.starts[i - 1] if i else None

    def get(self, when: date) -> Areas:
        """The areas on ``when``: cached, or awaited if the warm-up is computing them now, or computed."""
        key = self.key(when)
        with self._changed:
            while key in self._computing:
                self._changed.wait()
            found = self._areas.get(key)
            if found is not None:
                return found
            self._computing.add(key)
        try:
            found = areas_at(self.events, key or when, baseline=self.baseline)
            if self.prepare is not None:
                self.prepare(found)
        finally:
            with self._changed:
                self._computing.discard(key)
                if found is not None and len(self._areas) < self.limit:
                    self._areas[key] = found
                self._changed.notify_all()
        return found

    @contextmanager
    def reading(self):
        """Around drawing a view: the warm-up starts no new date meanwhile, so it does not slow the reader."""
        with self._changed:
            self._readers += 1
        try:
            yield self
        finally:
            with self._changed:
                self._readers -= 1
                self._changed.notify_all()

    def __contains__(self, when: date) -> bool:
        with self._changed:
            return self.key(when) in self._areas

    def _warm_up(self, order: list[date]) -> None:
        for when in order:
            with self._changed:
                while self._readers:
                    self._changed.wait()
            self.get(when)

    def warm(self, around: date) -> threading.Thread:
        """Compute the other dates' areas in a daemon thread, nearest to ``around`` first (once per cache),
        pausing between dates while a reader's view is being drawn."""
        if self._warming is None:
            order = sorted(self.starts, key=lambda d: abs((d - around).days))[:self.limit]
            self._warming = threading.Thread(target=self._warm_up, args=(order,), daemon=True, name="areas-warm-up")
            self._warming.start()
        return self._warming


# ------------------------------------------------------------------------------------------------------------
# The view in the URL: date and layers are bound to widgets; centre and zoom are kept here.

def view_of(places, *, width_px: int = 700, max_zoom: int = 11) -> tuple[tuple[float, float], int] | None:
    """A centre and a zoom that show ``places`` (the settlements in the theater, else any place there) on a map
    about ``width_px`` wide: where the map looks once an article is added. None when none is in the theater."""
    located = [p for p in places if p.theater and p.kind == "settlement"] or [p for p in places if p.theater]
    if not located:
        return None
    south, north = min(p.lat for p in located), max(p.lat for p in located)
    west, east = min(p.lon for p in located), max(p.lon for p in located)
    centre = ((south + north) / 2, (west + east) / 2)
    # Web Mercator: 256·2^zoom pixels to 360° of longitude; a degree of latitude is about 1/cos(lat) of those.
    span = max(east - west, (north - south) / math.cos(math.radians(centre[0])), 0.05)
    zoom = int(math.floor(math.log2(width_px * 360 / (256 * span))))
    return centre, max(5, min(max_zoom, zoom))


def date_from_query(raw: str | None) -> date | None:
    """The date of a shared link's ``date=``: ISO ("2022-09-10"), or microseconds since 1970 as links made by an
    earlier version may hold; None when it is neither."""
    if not raw:
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        pass
    try:
        micros = int(float(raw))
        return (datetime(1970, 1, 1) + timedelta(microseconds=micros)).date()
    except (ValueError, OverflowError):
        return None


def parse_center(raw: str | None) -> tuple[float, float] | None:
    """``"49.2,37.3"`` → (49.2, 37.3); anything else (garbage, out of range) → None."""
    if not raw:
        return None
    try:
        lat, lon = (float(part) for part in str(raw).split(","))
    except ValueError:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def parse_zoom(raw: str | None) -> int | None:
    try:
        zoom = int(str(raw))
    except (TypeError, ValueError):
        return None
    return zoom if 1 <= zoom <= 18 else None


def format_center(center: tuple[float, float]) -> str:
    return f"{center[0]:.4f},{center[1]:.4f}"


def share_url(base_url: str | None, *, when: date, layers, center=None, zoom=None, view: str | None = None) -> str:
    """A link that reopens this view, with every part explicit (so a later article does not move its date)."""
    params = {"date": when.isoformat()}
    if view:
        params["view"] = view
    query = urlencode(params) + "".join(f"&layers={layer}" for layer in layers)
    if center:
        query += "&" + urlencode({"center": format_center(center)})
    if zoom:
        query += f"&zoom={int(zoom)}"
    if not base_url:
        return "?" + query
    parts = urlsplit(base_url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


def app_address(url: str | None) -> str:
    """The app's own address without query or fragment ("" when unknown): what relative links are completed with."""
    if not url:
        return ""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", "")) if parts.netloc else ""


def article_link(base_url: str | None, article_id: str, quote: str = "") -> str:
    """Where a popup's "read the article" goes: the app's article view with the quoted sentence highlighted."""
    # The start of the sentence is enough to find it (the article view highlights the whole sentence); the full
    # quote in every popup's link would double what the map sends.
    query = (f"view=Articles+and+places&article={quote_plus(article_id)}"
             f"&quote={quote_plus(' '.join(quote.split())[:QUOTE_IN_LINK])}")
    if not base_url:
        return "?" + query
    parts = urlsplit(base_url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


def recent_events(events: list[Event], when: date, days: int = RECENT_DAYS) -> list[Event]:
    """Events dated within ``days`` up to ``when``: the ones play and the 'recent reports' layer highlight."""
    since = when - timedelta(days=days - 1)
    return [e for e in events if e.date is not None and since <= e.date <= when]


# ------------------------------------------------------------------------------------------------------------
# Editors and readers

def editing_allowed(configured_password: str | None, given: str | None) -> bool:
    """No password configured: a local single user, everything is open. Otherwise only the right password edits."""
    if not configured_password:
        return True
    return bool(given) and hmac.compare_digest(configured_password.encode(), str(given).encode())
