"""The store: articles, their place mentions and event reports, and user corrections, in one SQLite file.

- Schema versioned by ``PRAGMA user_version`` with forward migrations (``MIGRATIONS``).
- Every write is one transaction (``BEGIN IMMEDIATE`` … ``COMMIT``): a process killed mid-ingest leaves the
  previous state; WAL journaling lets several readers (two app sessions) read while one writes.
- Extracted facts (mentions, reports) are derived from the article text and may be recomputed at will
  (``reextract``); user corrections live in their own table, refer to events by id, are never overwritten by
  extraction, and are undone by marking them undone (who, when) — nothing is deleted.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import contextmanager
from functools import lru_cache
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timezone
from pathlib import Path

from mapapp.articles import Article, content_id
from mapapp.events import EVENT_TYPES, Event, Report, Source, events_from_reports, reports_from_article
from mapapp.gazetteer import Gazetteer, Place, load_gazetteer
from mapapp.geoparse import mentions_from_text
from mapapp.settings import PROJECT_ROOT

MIGRATIONS = (
    # 1: the first schema
    """
    CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        content_hash TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        outlet TEXT NOT NULL DEFAULT '',
        published TEXT,
        url TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL,
        added_at TEXT NOT NULL,
        retracted_at TEXT,
        retracted_by TEXT,
        retracted_why TEXT
    );
    CREATE TABLE mentions (
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        surface TEXT NOT NULL,
        place_id TEXT,
        kind TEXT NOT NULL,
        score REAL NOT NULL,
        PRIMARY KEY (article_id, start)
    );
    CREATE TABLE reports (
        id INTEGER PRIMARY KEY,
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        place_id TEXT NOT NULL,
        place TEXT NOT NULL,
        event_type TEXT NOT NULL,
        date TEXT,
        date_precision TEXT,
        quote TEXT NOT NULL,
        sentence_start INTEGER NOT NULL,
        mention_start INTEGER NOT NULL,
        mention_end INTEGER NOT NULL,
        claimed_by TEXT,
        disputed INTEGER NOT NULL DEFAULT 0,
        counter_claim TEXT,
        confidence REAL NOT NULL
    );
    CREATE INDEX reports_article ON reports(article_id);
    CREATE TABLE corrections (
        id INTEGER PRIMARY KEY,
        action TEXT NOT NULL CHECK (action IN ('reject', 'move', 'retype', 'redate', 'add')),
        event_id TEXT,
        payload TEXT NOT NULL DEFAULT '{}',
        who TEXT NOT NULL,
        why TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,
        undone_at TEXT,
        undone_by TEXT
    );
    """,
    # 2: what extracted the stored mentions and reports (see ``extraction_fingerprint``)
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 3: whose forces, where a report's sentence says and it is not the event type's usual actor
    """
    ALTER TABLE reports ADD COLUMN actor TEXT;
    """,
)
# The code and data that turn an article into mentions and reports: when any of them changes, stored extractions
# are stale (``Store.extraction_current``, CLI ``reextract --if-changed``, run by `make run`).
EXTRACTION_SOURCES = ("mapapp/articles.py", "mapapp/dates.py", "mapapp/claims.py", "mapapp/events.py",
                      "mapapp/geoparse.py", "mapapp/basemap.py", "mapapp/gazetteer", "data/gazetteer",
                      "data/basemap")
CORRECTION_ACTIONS = ("reject", "move", "retype", "redate", "add")


class StoreError(RuntimeError):
    """A store that cannot be opened or a correction that cannot apply; the message is for the user."""


@dataclass(frozen=True, slots=True)
class Correction:
    id: int
    action: str
    event_id: str | None
    payload: dict
    who: str
    why: str
    at: str
    undone_at: str | None = None
    undone_by: str | None = None


@dataclass(frozen=True, slots=True)
class IngestResult:
    article_id: str
    status: str          # "added" | "unchanged" | "duplicate"
    reports: int = 0
    duplicate_of: str | None = None


@lru_cache(maxsize=1)
def extraction_fingerprint() -> str:
    """A digest of every file in ``EXTRACTION_SOURCES`` (not their documentation)."""
    digest = hashlib.sha256()
    for name in EXTRACTION_SOURCES:
        path = PROJECT_ROOT / name
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file() and file.suffix != ".md" and "__pycache__" not in file.parts:
                digest.update(file.relative_to(PROJECT_ROOT).as_posix().encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:16]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


_PLACE_FIELDS = tuple(f.name for f in fields(Place))


# place_id → (place, its JSON): the same towns are reported over and over.
_PLACE_JSON: dict[str, tuple[Place, str]] = {}


def _place_json(place: Place) -> str:
    """The place as reported, kept with the report: border points and a later gazetteer change stay readable."""
    known = _PLACE_JSON.get(place.place_id)
    if known is not None and (known[0] is place or known[0] == place):
        return known[1]
    data = {name: getattr(place, name) for name in _PLACE_FIELDS}
    data["alt_names"] = list(place.alt_names[:3])
    encoded = json.dumps(data, ensure_ascii=False)
    if len(_PLACE_JSON) >= 100_000:
        _PLACE_JSON.clear()
    _PLACE_JSON[place.place_id] = (place, encoded)
    return encoded


def _place_from_json(raw: str) -> Place:
    data = json.loads(raw)
    data["alt_names"] = tuple(data.get("alt_names", ()))
    return Place(**data)


class Store:
    def __init__(self, path: str | Path, *, gazetteer: Gazetteer | None = None):
        self.path = Path(path)
        self._gazetteer = gazetteer
        try:
            if self.path.parent and not self.path.parent.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL keeps every committed transaction through a killed process (only a power cut may
            # lose the last ones) and spares an fsync per article.
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute("PRAGMA busy_timeout=30000")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable database ({exc})") from None
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot open ({exc.strerror or exc})") from None

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            self._gazetteer = load_gazetteer()
        return self._gazetteer

    def close(self) -> None:
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- schema ------------------------------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        version = self.schema_version
        if version > len(MIGRATIONS):
            raise StoreError(f"{self.path}: schema version {version} is newer than this program knows "
                             f"({len(MIGRATIONS)}); upgrade the program")
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.transaction():
                for statement in filter(str.strip, script.split(";")):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def transaction(self):
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    # -- articles ----------------------------------------------------------------------------------------------
    def add_article(self, article: Article) -> IngestResult:
        """Store an article with its mentions and reports; the same content again changes nothing."""
        digest = content_id(article.text)
        row = self.db.execute("SELECT id FROM articles WHERE content_hash = ?", (digest,)).fetchone()
        if row is not None:
            return IngestResult(row[0], "unchanged" if row[0] == article.id else "duplicate",
                                duplicate_of=None if row[0] == article.id else row[0])
        if self.db.execute("SELECT 1 FROM articles WHERE id = ?", (article.id,)).fetchone():
            article = replace(article, id=f"{article.id}-{digest[:8]}")  # same file name, new content
        mentions = mentions_from_text(article.text, gazetteer=self.gazetteer)
        reports = reports_from_article(article, gazetteer=self.gazetteer, mentions=mentions)
        with self.transaction():
            if self._empty():
                self._set_meta("extraction", extraction_fingerprint())   # an empty store: all extracted by this
            self.db.execute(
                "INSERT INTO articles (id, content_hash, title, outlet, published, url, text, added_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (article.id, digest, article.title, article.outlet,
                 article.published.isoformat() if article.published else None, article.url, article.text, _now()))
            self._write_extraction(article.id, mentions, reports)
        return IngestResult(article.id, "added", len(reports))

    def _write_extraction(self, article_id: str, mentions, reports: list[Report]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO mentions (article_id, start, end, surface, place_id, kind, score) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(article_id, m.start, m.end, m.surface, m.place.place_id if m.place else None, m.kind, m.score)
             for m in mentions])
        self.db.executemany(
            "INSERT INTO reports (article_id, place_id, place, event_type, date, date_precision, quote, "
            "sentence_start, mention_start, mention_end, claimed_by, disputed, counter_claim, confidence, actor) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(article_id, r.place.place_id, _place_json(r.place), r.event_type,
              r.date.isoformat() if r.date else None, r.date_precision, r.quote, r.sentence_start, r.mention_start,
              r.mention_end, r.claimed_by, int(r.disputed), r.counter_claim, r.confidence, r.actor) for r in reports])

    def _empty(self) -> bool:
        return self.db.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is None

    def _set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def extraction_current(self) -> bool:
        """Whether the stored mentions and reports come from this program's extractor and gazetteer (an empty
        store is current)."""
        if self._empty():
            return True
        row = self.db.execute("SELECT value FROM meta WHERE key = 'extraction'").fetchone()
        return row is not None and row[0] == extraction_fingerprint()

    def reextract(self) -> int:
        """Recompute every article's mentions and reports (after a better extractor or gazetteer); corrections
        are untouched. One transaction per article; the store is marked current once all are done."""
        count = 0
        for article in self.articles(include_retracted=True):
            mentions = mentions_from_text(article.text, gazetteer=self.gazetteer)
            reports = reports_from_article(article, gazetteer=self.gazetteer, mentions=mentions)
            with self.transaction():
                self.db.execute("DELETE FROM mentions WHERE article_id = ?", (article.id,))
                self.db.execute("DELETE FROM reports WHERE article_id = ?", (article.id,))
                self._write_extraction(article.id, mentions, reports)
            count += 1
        with self.transaction():
            self._set_meta("extraction", extraction_fingerprint())
        return count

    def retract(self, article_id: str, *, who: str, why: str = "") -> None:
        """Withdraw an article: its events go; the article and the retraction (who, when, why) stay."""
        with self.transaction():
            changed = self.db.execute(
                "UPDATE articles SET retracted_at = ?, retracted_by = ?, retracted_why = ? "
                "WHERE id = ? AND retracted_at IS NULL", (_now(), who, why, article_id)).rowcount
        if not changed:
            raise StoreError(f"no article {article_id!r} to retract")

    def articles(self, *, include_retracted: bool = False) -> list[Article]:
        sql = "SELECT id, title, outlet, published, text, url FROM articles"
        if not include_retracted:
            sql += " WHERE retracted_at IS NULL"
        return [Article(id=i, title=t, outlet=o, published=date.fromisoformat(p) if p else None, text=x, url=u)
                for i, t, o, p, x, u in self.db.execute(sql + " ORDER BY published, id")]

    def retracted(self) -> list[tuple[str, str, str, str]]:
        return list(self.db.execute("SELECT id, retracted_at, retracted_by, retracted_why FROM articles "
                                    "WHERE retracted_at IS NOT NULL"))

    def mentions(self, article_id: str) -> list[tuple[int, int, str, str | None, str, float]]:
        return list(self.db.execute("SELECT start, end, surface, place_id, kind, score FROM mentions "
                                    "WHERE article_id = ? ORDER BY start", (article_id,)))

    def reported_places(self, article_id: str) -> list[Place]:
        """The places an article's reports are about, each once."""
        return [_place_from_json(p) for (p,) in self.db.execute(
            "SELECT place FROM reports WHERE article_id = ? GROUP BY place_id ORDER BY MIN(id)", (article_id,))]

    def reports(self) -> list[Report]:
        rows = self.db.execute(
            "SELECT r.article_id, r.place, r.event_type, r.date, r.date_precision, r.quote, r.sentence_start, "
            "r.mention_start, r.mention_end, r.claimed_by, r.disputed, r.counter_claim, r.confidence, r.actor "
            "FROM reports r JOIN articles a ON a.id = r.article_id WHERE a.retracted_at IS NULL ORDER BY r.id")
        return [Report(a, _place_from_json(p), t, date.fromisoformat(d) if d else None, dp, q, ss, ms, me, c,
                       bool(disp), cc, conf, actor)
                for a, p, t, d, dp, q, ss, ms, me, c, disp, cc, conf, actor in rows]

    # -- events and corrections --------------------------------------------------------------------------------
    def extracted_events(self) -> list[Event]:
        articles = {a.id: a for a in self.articles()}
        return events_from_reports(self.reports(), articles)

    def events(self) -> list[Event]:
        """Extracted events with every active correction applied, in order."""
        events = {e.event_id: e for e in self.extracted_events()}
        for correction in self.corrections(active_only=True):
            events = _apply(correction, events, self.gazetteer)
        return sorted(events.values(), key=lambda e: (e.date or date.max, e.place.name, e.event_type))

    def correct(self, action: str, *, event_id: str | None = None, who: str, why: str = "",
                **payload) -> Correction:
        """Record a correction. ``reject``/``move`` (place_id)/``retype`` (event_type)/``redate`` (date,
        date_precision) need an existing event_id; ``add`` takes place_id, event_type, date, date_precision,
        quote."""
        if action not in CORRECTION_ACTIONS:
            raise StoreError(f"unknown correction {action!r}; one of {', '.join(CORRECTION_ACTIONS)}")
        if not who.strip():
            raise StoreError("a correction needs who makes it")
        current = {e.event_id: e for e in self.events()}
        if action != "add" and event_id not in current:
            raise StoreError(f"no event {event_id!r} to {action}")
        _apply(Correction(0, action, event_id, payload, who, why, _now()), current, self.gazetteer)  # validates
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO corrections (action, event_id, payload, who, why, at) VALUES (?, ?, ?, ?, ?, ?)",
                (action, event_id, json.dumps(payload, ensure_ascii=False, default=str), who, why, _now()))
        return self.correction(cursor.lastrowid)

    def undo(self, correction_id: int, *, who: str) -> None:
        with self.transaction():
            changed = self.db.execute("UPDATE corrections SET undone_at = ?, undone_by = ? "
                                      "WHERE id = ? AND undone_at IS NULL", (_now(), who, correction_id)).rowcount
        if not changed:
            raise StoreError(f"no active correction {correction_id}")

    def correction(self, correction_id: int) -> Correction:
        row = self.db.execute("SELECT id, action, event_id, payload, who, why, at, undone_at, undone_by "
                              "FROM corrections WHERE id = ?", (correction_id,)).fetchone()
        return Correction(row[0], row[1], row[2], json.loads(row[3]), *row[4:])

    def corrections(self, *, active_only: bool = False) -> list[Correction]:
        sql = "SELECT id FROM corrections" + (" WHERE undone_at IS NULL" if active_only else "") + " ORDER BY id"
        return [self.correction(i) for (i,) in self.db.execute(sql).fetchall()]


def _apply(correction: Correction, events: dict[str, Event], gazetteer: Gazetteer) -> dict[str, Event]:
    """The events after one correction. A correction whose event no longer exists (re-extraction dropped it)
    is kept in the table and simply has nothing to act on."""
    action, payload = correction.action, correction.payload
    events = dict(events)
    if action == "add":
        place = gazetteer.by_id.get(payload.get("place_id", ""))
        if place is None:
            raise StoreError(f"unknown place_id {payload.get('place_id')!r}")
        event_type = payload.get("event_type")
        if event_type not in EVENT_TYPES:
            raise StoreError(f"event_type must be one of {', '.join(EVENT_TYPES)}")
        when = _parse_date(payload.get("date"))
        precision = payload.get("date_precision") or "day"
        event_id = f"user-{correction.id}" if correction.id else "user-new"
        source = Source("correction", f"correction by {correction.who}", when, "",
                        payload.get("quote") or correction.why or "added by an editor")
        events[event_id] = Event(event_id, place, event_type, when, precision,
                                 "Ukraine" if event_type in ("liberated", "advance") else (
                                     "Russia" if event_type in ("occupied", "shelling") else ""),
                                 payload.get("claimed_by"), bool(payload.get("disputed", False)), None, (source,),
                                 1.0, ("correction",))
        return events
    event = events.get(correction.event_id or "")
    if event is None:
        return events
    if action == "reject":
        del events[event.event_id]
    elif action == "move":
        place = gazetteer.by_id.get(payload.get("place_id", ""))
        if place is None:
            raise StoreError(f"unknown place_id {payload.get('place_id')!r}")
        events[event.event_id] = replace(event, place=place)
    elif action == "retype":
        if payload.get("event_type") not in EVENT_TYPES:
            raise StoreError(f"event_type must be one of {', '.join(EVENT_TYPES)}")
        events[event.event_id] = replace(event, event_type=payload["event_type"])
    elif action == "redate":
        precision = payload.get("date_precision") or event.date_precision or "day"
        if precision not in ("day", "week", "month"):
            raise StoreError("date_precision must be day, week or month")
        events[event.event_id] = replace(event, date=_parse_date(payload.get("date")), date_precision=precision)
    return events


def _parse_date(value) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise StoreError(f"date {value!r} is not YYYY-MM-DD") from None


__all__ = ["Store", "StoreError", "Correction", "IngestResult", "MIGRATIONS", "CORRECTION_ACTIONS",
           "EXTRACTION_SOURCES", "extraction_fingerprint"]
