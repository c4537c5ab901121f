"""The SQLite store: idempotent ingest, corrections that survive, transactions that survive a kill."""

import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date

import pytest

from conftest import ROOT, run_cli
from mapapp.articles import Article, seed_articles
from mapapp.store import MIGRATIONS, Store, StoreError


@pytest.fixture()
def store(tmp_path):
    with Store(tmp_path / "s.sqlite") as s:
        yield s


def _seeds():
    return seed_articles(ROOT / "seeds")


def test_ingest_is_idempotent_and_detects_the_same_text_under_another_name(store):
    first = [store.add_article(a).status for a in _seeds()]
    again = [store.add_article(a).status for a in _seeds()]
    assert first == ["added"] * 5 and again == ["unchanged"] * 5
    result = store.add_article(replace(_seeds()[0], id="reprint", outlet="Other outlet"))
    assert result.status == "duplicate" and result.duplicate_of == "000_d063339d75e8a888"
    assert len(store.articles()) == 5


def test_schema_is_versioned(store):
    assert store.schema_version == len(MIGRATIONS)
    store.db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="newer"):
        Store(store.path)


def test_a_file_that_is_not_a_database_is_refused_clearly(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable database"):
        Store(bad)


def test_corrections_apply_are_undoable_and_survive_reextraction_and_new_articles(store):
    for a in _seeds():
        store.add_article(a)
    events = {(e.place.name, e.event_type): e for e in store.events()}
    lyman = events[("Lyman", "contested")]
    balakliia = events[("Balakliia", "liberated")]
    reject = store.correct("reject", event_id=lyman.event_id, who="editor", why="caption, not a report")
    store.correct("redate", event_id=balakliia.event_id, who="editor", why="governor's post", date="2022-09-07",
                  date_precision="day")
    store.correct("add", who="editor", why="missed", place_id="geonames:707292", event_type="contested",
                  date="2022-09-08", quote="Fighting on the outskirts of Izium.")
    after = {(e.place.name, e.event_type): e for e in store.events()}
    assert ("Lyman", "contested") not in after
    assert after[("Balakliia", "liberated")].date == date(2022, 9, 7)
    assert after[("Izium", "contested")].sources[0].quote == "Fighting on the outskirts of Izium."
    store.reextract()
    store.add_article(Article("new", "t", "Wire", date(2022, 9, 11), "Ukrainian troops recaptured Kupiansk."))
    again = {(e.place.name, e.event_type): e for e in store.events()}
    assert ("Lyman", "contested") not in again and again[("Balakliia", "liberated")].date == date(2022, 9, 7)
    store.undo(reject.id, who="editor")
    assert ("Lyman", "contested") in {(e.place.name, e.event_type) for e in store.events()}
    history = store.corrections()
    assert [c.action for c in history] == ["reject", "redate", "add"] and history[0].undone_by == "editor"


def test_bad_corrections_are_refused(store):
    store.add_article(_seeds()[4])
    some = store.events()[0]
    with pytest.raises(StoreError):
        store.correct("retype", event_id=some.event_id, who="e", event_type="conquered")
    with pytest.raises(StoreError):
        store.correct("redate", event_id=some.event_id, who="e", date="2022-09-31")
    with pytest.raises(StoreError):
        store.correct("reject", event_id="nope", who="e")
    with pytest.raises(StoreError):
        store.correct("reject", event_id=some.event_id, who=" ")
    assert store.corrections() == []


def test_retraction_removes_events_and_keeps_the_record(store):
    for a in _seeds():
        store.add_article(a)
    store.retract("002_9a30e23632ec0dfa", who="editor", why="duplicate report")
    assert all("002_9a30e23632ec0dfa" not in e.articles for e in store.events())
    assert not any(e.place.name == "Ruska Lozova" for e in store.events())
    assert store.retracted()[0][0] == "002_9a30e23632ec0dfa"


def test_two_readers_while_a_writer_writes(tmp_path):
    path = tmp_path / "c.sqlite"
    writer, reader = Store(path), Store(path)
    writer.add_article(_seeds()[0])
    with writer.transaction():
        writer.db.execute("UPDATE articles SET title = 'changing'")
        assert reader.articles()[0].title != "changing"   # the reader sees the last committed state, unblocked
    assert reader.articles()[0].title == "changing"
    writer.close()
    reader.close()


def test_an_ingest_killed_midway_leaves_a_consistent_database(tmp_path):
    """Kill a real ingest process mid-way (many articles), then check: every stored article has its reports,
    nothing half-written, the corrections made before are intact, and a new ingest completes the rest."""
    db = tmp_path / "k.sqlite"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    body = (ROOT / "seeds" / "004_6a4f189e7c262899.txt").read_text(encoding="utf-8")
    for i in range(400):
        (corpus / f"a{i:03d}.txt").write_text(f"Report {i:03d}.\n{body}", encoding="utf-8")
    assert run_cli("--db", db, "ingest", ROOT / "seeds").returncode == 0
    with Store(db) as s:
        event = s.events()[0]
        s.correct("reject", event_id=event.event_id, who="editor", why="test")
    proc = subprocess.Popen([sys.executable, "-m", "mapapp", "--db", str(db), "ingest", str(corpus),
                             "--published", "2022-09-10"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    lines = 0
    while time.time() < deadline and lines < 20:   # let it commit some articles, then kill it hard
        if proc.stdout.readline():
            lines += 1
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    assert 5 + 20 <= stored < 405
    orphans = conn.execute("SELECT COUNT(*) FROM articles a WHERE a.id LIKE 'a%' AND NOT EXISTS "
                           "(SELECT 1 FROM mentions m WHERE m.article_id = a.id)").fetchone()[0]
    assert orphans == 0                               # no article without its extraction
    conn.close()
    with Store(db) as s:
        assert len(s.corrections(active_only=True)) == 1
        assert event.event_id not in {e.event_id for e in s.events()}
    result = run_cli("--db", db, "ingest", corpus, "--published", "2022-09-10", timeout=300)
    assert result.returncode == 0
    with Store(db) as s:
        assert len(s.articles()) == 405


def test_a_store_extracted_by_an_older_extractor_is_brought_up_to_date_once(tmp_path):
    db = tmp_path / "old.sqlite"
    with Store(db) as store:
        for article in _seeds():
            store.add_article(article)
        assert store.extraction_current()
        wanted = len(store.events())
        # as an earlier version of the program left it: fewer reports, another extractor's fingerprint
        store.db.execute("DELETE FROM reports WHERE article_id = ?", (_seeds()[0].id,))
        store.db.execute("UPDATE meta SET value = 'older' WHERE key = 'extraction'")
        assert not store.extraction_current() and len(store.events()) < wanted
    first = run_cli("--db", db, "reextract", "--if-changed")
    second = run_cli("--db", db, "reextract", "--if-changed")
    assert first.returncode == 0 and b"re-extracted 5 articles" in first.stdout
    assert second.returncode == 0 and b"up to date" in second.stdout
    with Store(db) as store:
        assert store.extraction_current() and len(store.events()) == wanted


def test_a_store_of_schema_2_gains_the_actor_column_and_keeps_its_reports(tmp_path):
    """A store written before reports had an actor opens, keeps every report and event, and re-extracts into the
    new column (a Russian advance then says so)."""
    from mapapp.store import MIGRATIONS

    db = tmp_path / "v2.sqlite"
    conn = sqlite3.connect(db)
    for script in MIGRATIONS[:2]:
        conn.executescript(script)
    conn.execute("PRAGMA user_version = 2")
    conn.execute("INSERT INTO articles (id, content_hash, text, added_at, published) VALUES "
                 "('a', 'h', 'Russian troops advanced toward Lyptsi.', '2024-05-14', '2024-05-14')")
    conn.execute("INSERT INTO reports (article_id, place_id, place, event_type, date, date_precision, quote, "
                 "sentence_start, mention_start, mention_end, confidence) VALUES ('a', 'x', ?, 'advance', "
                 "'2024-05-14', 'day', 'Russian troops advanced toward Lyptsi.', 0, 30, 36, 0.6)",
                 ('{"place_id": "x", "name": "Lyptsi", "lat": 50.2, "lon": 36.4, "kind": "settlement", '
                  '"admin1": "Kharkiv Oblast", "country": "UA", "population": 0}',))
    conn.commit()
    conn.close()
    with Store(db) as store:
        (report,) = store.reports()
        assert report.event_type == "advance" and report.actor is None
        store.reextract()
        (event,) = store.events()
        assert (event.place.name, event.event_type, event.actor) == ("Lyptsi", "advance", "Russia")
