"""App benchmark (issue #5): server-side time per slider change, the map's HTML payload, and how soon the map is
visible after the page opens on a warm server.

Targets: ≤ 150 ms per slider change with the seed corpus, ≤ 500 ms with a synthetic corpus of 5,000 events;
payload ≤ 2 MB; map visible ≤ 2 s after page open (warm server).

"Server-side time per slider change" is measured two ways:
- *compute*: what the app does when the date moves — areas and states at the new date, the base map and the date's
  layers, rendered to the strings streamlit-folium sends (its own `_get_map_string`/`_get_feature_group_string`);
- *AppTest* (seed corpus only): the whole script rerun after `slider.set_value`, as Streamlit's test harness
  runs it (includes the harness's own polling, so it is an upper bound).
- *real server*: the app under `streamlit run` in headless Chromium, the slider moved a day at a time with the
  keyboard; the app logs its own server time per view (`MAPAPP_PERF_LOG`). A slider change reruns only the map's
  fragment. Run on the seeds and on a store of ≥ 5,000 events extracted from the synthetic news corpus.
Every date is new to the app's cache (the worst case: a reader dragging to dates not seen before).

    .venv/bin/python bench/app_bench.py            # all of it
    .venv/bin/python bench/app_bench.py --no-browser
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mapapp.app_view import event_dates  # noqa: E402
from mapapp.areas import areas_at  # noqa: E402
from mapapp.articles import seed_articles  # noqa: E402
from mapapp.events import Event, Source  # noqa: E402
from mapapp.gazetteer import load_gazetteer  # noqa: E402
from mapapp.render.date_map import base_map, date_layers, fit_of  # noqa: E402
from mapapp.render.offline import use_local_leaflet  # noqa: E402
from mapapp.store import Store  # noqa: E402
from mapapp.timeline import state_at  # noqa: E402


def synthetic_events(n: int, seed: int = 5) -> list[Event]:
    """``n`` events at real settlements of the eastern and southern oblasts over six months, of every type, with
    quotes as long as real ones; a place gets several events over time, as in a real campaign."""
    rng = random.Random(seed)
    gaz = load_gazetteer()
    oblasts = ("Kharkiv Oblast", "Donetsk Oblast", "Luhansk Oblast", "Zaporizhzhia Oblast", "Kherson Oblast")
    places = [p for p in gaz.places if p.kind == "settlement" and p.admin1 in oblasts and not p.approximate]
    places = rng.sample(places, min(len(places), n // 3))
    start = date(2022, 4, 1)
    kinds = ("liberated", "advance", "contested", "occupied", "shelling")
    events = []
    for i in range(n):
        place = rng.choice(places)
        when = start + timedelta(days=rng.randrange(183))
        kind = rng.choices(kinds, weights=(3, 3, 2, 1, 3))[0]
        quote = (f"Ukrainian officials said on {when:%A} that forces had {kind} positions near {place.name}, "
                 f"a claim that could not be independently verified, according to the regional administration.")
        source = Source(article=f"synthetic-{i % 700}", outlet=f"Outlet {i % 23}", published=when, url="",
                        quote=quote)
        events.append(Event(event_id=f"e{i}", place=place, event_type=kind, date=when, date_precision="day",
                            actor="", claimed_by=None, disputed=rng.random() < 0.1, counter_claim=None,
                            sources=(source,), confidence=0.7))
    return events


def slider_change(events: list[Event], when: date) -> tuple[float, int]:
    """Seconds for one date change, and the bytes the browser receives for the view."""
    from streamlit_folium import _get_feature_group_string, _get_map_string

    started = time.perf_counter()
    areas = areas_at(events, when)
    states = state_at(events, when)
    fmap = use_local_leaflet(base_map(note="bench", fit=fit_of(events)))
    groups = date_layers(areas, states, events, when, link=lambda a, q: f"?article={a}")
    page = fmap.get_root().render()
    script = _get_map_string(fmap)
    layers = "".join(_get_feature_group_string(g, map=fmap, idx=i) for i, g in enumerate(groups))
    elapsed = time.perf_counter() - started
    return elapsed, len(page.encode()) + len(script.encode()) + len(layers.encode())


def measure_compute(name: str, events: list[Event], limit_ms: float, samples: int = 25) -> bool:
    dates = event_dates(events)
    picks = [dates[round(i * (len(dates) - 1) / (min(samples, len(dates)) - 1))]
             for i in range(min(samples, len(dates)))]
    times, sizes = [], []
    for when in picks:
        elapsed, size = slider_change(events, when)
        times.append(elapsed * 1000)
        sizes.append(size)
    median, worst = statistics.median(times), max(times)
    ok = median <= limit_ms
    print(f"{name}: {len(events)} events, {len(picks)} dates: slider change median {median:.0f} ms, "
          f"worst {worst:.0f} ms (target ≤ {limit_ms:.0f} ms) {'PASS' if ok else 'FAIL'}")
    payload = max(sizes) / 1e6
    print(f"{name}: map HTML payload largest {payload:.3f} MB (target ≤ 2 MB) {'PASS' if payload <= 2 else 'FAIL'}")
    return ok and payload <= 2


def measure_apptest(db: Path) -> bool:
    from streamlit.testing.v1 import AppTest

    os.environ["MAPAPP_DB"] = str(db)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.run()
    with Store(db) as store:
        dates = event_dates(store.events())
    times = []
    for when in dates:
        at.slider(key="date").set_value(when)
        started = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - started) * 1000)
        assert not at.exception, at.exception
    median = statistics.median(times)
    print(f"seeds (AppTest, whole script rerun): {len(times)} dates, median {median:.0f} ms, worst {max(times):.0f} ms "
          f"(target ≤ 150 ms) {'PASS' if median <= 150 else 'FAIL'}")
    return median <= 150


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chromium() -> str | None:
    import shutil

    return shutil.which("chromium") or shutil.which("chromium-browser")


@contextmanager
def _app_in_chromium(script: str, **env: str):
    """The app (or ``script``) under `streamlit run` on a free port, and headless Chromium: yields (url, browser)."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / script),
                             "--server.port", str(port), "--server.address", "127.0.0.1"],
                            cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT), **env),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=_chromium(), args=[
                "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"])
            try:
                yield url, browser
            finally:
                browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def measure_browser(db: Path, loads: int = 5, *, script: str = "streamlit_app.py", label: str = "the app") -> float:
    if _chromium() is None:
        print("map visible: skipped (no chromium)")
        return 0.0
    times = []
    with _app_in_chromium(script, MAPAPP_DB=str(db)) as (url, browser):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url) else r.abort())
        for i in range(loads + 1):     # the first load warms the server (gazetteer, caches)
            page = context.new_page()
            started = time.perf_counter()
            page.goto(url)
            frame = page.frame_locator("iframe[title*='st_folium']").first
            frame.locator("path.leaflet-interactive").first.wait_for(timeout=120_000)
            if i:
                times.append(time.perf_counter() - started)
            page.close()
    median = statistics.median(times)
    print(f"map visible after page open, {label} (warm server, offline, headless Chromium): median {median:.2f} s, "
          f"worst {max(times):.2f} s over {len(times)} loads")
    return median


def synthetic_store(db: Path, n_events: int) -> int:
    """A store with at least ``n_events`` events extracted from the synthetic news corpus (bench/make_corpus.py),
    its articles published over six months: the real pipeline, not hand-made events. Returns the event count."""
    sys.path.insert(0, str(ROOT / "bench"))
    from make_corpus import build_corpus

    from mapapp.articles import Article

    start = date(2022, 4, 1)
    count = 0
    with Store(db) as store:
        for i, text in enumerate(build_corpus(target_bytes=12_000_000, seed=7, profile="news")):
            store.add_article(Article(id=f"synthetic-{i:05d}", title="", outlet=f"Outlet {i % 23}",
                                      published=start + timedelta(days=i % 183), text=text))
            if i % 100 == 99:
                count = len(store.events())
                if count >= n_events:
                    break
    return count


def measure_server(db: Path, name: str, limit_ms: float, steps: int = 12, settle: float = 2.0) -> bool:
    """The real app in a real browser: move the slider a day at a time with the keyboard and read the server's
    own time for each view (``MAPAPP_PERF_LOG``): what a reader dragging the date costs the server."""
    if _chromium() is None:
        print(f"{name} (real server): skipped (no chromium)")
        return True
    log = db.with_suffix(".perf.log")
    times = []
    with _app_in_chromium("streamlit_app.py", MAPAPP_DB=str(db), MAPAPP_PERF_LOG=str(log)) as (url, browser):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.frame_locator("iframe[title*='st_folium']").first.locator(
            "path.leaflet-interactive").first.wait_for(timeout=300_000)
        thumb = page.locator("[data-testid='stSlider']").filter(has_text="Date").get_by_role("slider")
        thumb.focus()
        time.sleep(settle)   # > 2 s: let the app's background warm-up of the areas finish first
        for _ in range(steps):
            seen = len(log.read_text().splitlines()) if log.exists() else 0
            value = thumb.get_attribute("aria-valuetext")
            thumb.press("ArrowLeft")
            deadline = time.time() + 60
            while time.time() < deadline:
                lines = log.read_text().splitlines() if log.exists() else []
                if len(lines) > seen and lines[-1].split("\t")[0] != value:
                    break
                time.sleep(0.05)
            time.sleep(0.3)   # let follow-up reruns (the map reporting its view) land in the log too
            lines = log.read_text().splitlines()
            times.append(max(float(line.split("\t")[1]) for line in lines[seen:]))
    median = statistics.median(times)
    ok = median <= limit_ms
    print(f"{name} (real server, fragment rerun per slider step, new dates): median {median:.0f} ms, "
          f"worst {max(times):.0f} ms over {len(times)} steps (target ≤ {limit_ms:.0f} ms) {'PASS' if ok else 'FAIL'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-browser", action="store_true", help="skip the page-open timing")
    parser.add_argument("--events", type=int, default=5000, help="synthetic corpus size")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite"
        with Store(db) as store:
            for article in seed_articles():
                store.add_article(article)
            seeds = store.events()
        slider_change(seeds, event_dates(seeds)[-1])   # warm imports
        ok &= measure_compute("seeds", seeds, 150)
        ok &= measure_compute("synthetic", synthetic_events(args.events), 500)
        ok &= measure_apptest(db)
        if not args.no_browser:
            ok &= measure_server(db, "seeds", 150)
            floor = measure_browser(db, script="bench/minimal_map_app.py", label="floor: title + one map")
            app = measure_browser(db)
            print(f"map visible: the app {app:.2f} s vs the floor {floor:.2f} s on this machine "
                  f"(target ≤ 2 s) {'PASS' if app <= 2 else 'FAIL'}")
            ok &= app <= 2
            big = Path(tmp) / "synthetic.sqlite"
            started = time.perf_counter()
            count = synthetic_store(big, args.events)
            print(f"synthetic store: {count} events extracted from the news corpus in "
                  f"{time.perf_counter() - started:.0f} s")
            with Store(big) as store:
                ok &= measure_compute(f"synthetic store ({count} extracted events)", store.events(), 500, samples=12)
            ok &= measure_server(big, f"synthetic {count} events, right after page open", 500)
            measure_server(big, f"synthetic {count} events, after the areas warm-up (150 s)", 500, settle=150)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
