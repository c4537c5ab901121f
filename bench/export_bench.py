"""Export benchmark: the static map, the print PDF and a timelapse, timed on the seed articles.

    .venv/bin/python bench/export_bench.py            # report; exit code always 0
    .venv/bin/python bench/export_bench.py --check    # exit 1 when a target is missed
    .venv/bin/python bench/export_bench.py --repeat 3 # best of 3 (default 2)

Targets (issue 6): PNG 1600×1000 ≤ 3 s, A4 PDF ≤ 5 s, a 10-frame GIF ≤ 20 s. Each export is timed as the app
and the CLI call it (``export_map``: events → drawn → encoded → written), in a process that has already imported
the libraries and read the store (the CLI's start-up is reported apart). Files go to ``bench/out/export/``.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out" / "export"
WHEN = date(2022, 9, 10)
GIF_FROM = date(2022, 9, 1)    # 1–10 September: one frame a day, 10 frames

TARGETS = (  # name, file, options, target seconds
    ("PNG 1600x1000 (web)", "map_web.png", {"size": "web"}, 3.0),
    ("PDF A4 300 dpi (print)", "map_print.pdf", {"size": "print"}, 5.0),
    ("GIF 10 frames 1200x675", "timelapse.gif", {"since": GIF_FROM}, 20.0),
)
INFO = (
    ("PNG 1200x675 (social)", "map_social.png", {"size": "social"}),
    ("PNG A4 300 dpi (print)", "map_print.png", {"size": "print"}),
    ("SVG 1600x1000", "map_web.svg", {"size": "web"}),
    ("handout PDF (A4, a page per key date)", "handout.pdf", {"handout": True}),
    ("standalone HTML", "map.html", {}),
    ("GeoPackage", "data.gpkg", {}),
)


def _events():
    from mapapp.articles import seed_articles
    from mapapp.store import Store

    db = Path(tempfile.mkdtemp()) / "bench.sqlite"
    with Store(db) as store:
        for article in seed_articles():
            store.add_article(article)
        return store.events(), db


def _time(events, name, options, repeat) -> float:
    from mapapp.export import export_map

    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        export_map(events, WHEN, OUT / name, **options)
        best = min(best, time.perf_counter() - start)
    return best


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--repeat", type=int, default=2, help="runs per export; the best is reported")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)

    start = time.perf_counter()
    for module in ("matplotlib.figure", "mapapp.export", "mapapp.export.images", "mapapp.store"):
        importlib.import_module(module)   # import cost shown on its own line
    imports = time.perf_counter() - start
    start = time.perf_counter()
    events, db = _events()
    ingest = time.perf_counter() - start
    # First draw pays for fonts, the gazetteer's context cities and the base map's projection: warm up once.
    start = time.perf_counter()
    _time(events, "warmup.png", {"size": "social"}, 1)
    warmup = time.perf_counter() - start
    print(f"imports {imports:.2f} s · seed store {ingest:.2f} s ({len(events)} events) · first export "
          f"(warm-up) {warmup:.2f} s")

    missed = 0
    for name, file, options, target in TARGETS:
        seconds = _time(events, file, options, args.repeat)
        verdict = "PASS" if seconds <= target else "FAIL"
        missed += verdict == "FAIL"
        extra = ""
        if file.endswith(".gif"):
            from PIL import Image

            with Image.open(OUT / file) as image:
                extra = f", {image.n_frames} frames"
        print(f"{verdict}  {name:<28} {seconds:6.2f} s  (target ≤ {target:.0f} s{extra}; "
              f"{(OUT / file).stat().st_size / 1e3:,.0f} kB)")
    for name, file, options in INFO:
        seconds = _time(events, file, options, 1)
        print(f"info  {name:<38} {seconds:6.2f} s  ({(OUT / file).stat().st_size / 1e3:,.0f} kB)")

    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "mapapp", "--db", str(db), "export", "--date", WHEN.isoformat(),
                             "--out", str(OUT / "cli_web.png")], cwd=ROOT, capture_output=True)
    print(f"info  CLI `export --out map.png` end to end (interpreter start-up, imports, store) "
          f"{time.perf_counter() - start:6.2f} s  exit {result.returncode}")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
