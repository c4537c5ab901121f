"""Ingest benchmark: articles per second into a fresh SQLite store, geoparsing, event extraction and writes
included (issue #3 target: ≥ 200 articles/s on one core over ≥ 2,000 articles of varied text).

    .venv/bin/python bench/ingest_bench.py [--articles 2000] [--profile news] [--check]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from make_corpus import PROFILES, build_corpus  # noqa: E402

from mapapp.articles import Article  # noqa: E402
from mapapp.gazetteer import load_gazetteer  # noqa: E402
from mapapp.store import Store  # noqa: E402

TARGET = 200.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--profile", choices=PROFILES, default="news")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)
    gaz = load_gazetteer()
    gaz.fuzzy_keys("zaporizhzhja")  # build the lazy index before timing
    texts = []
    seed = args.seed
    while len(texts) < args.articles:
        texts += build_corpus(2_000_000, seed, gazetteer=gaz, profile=args.profile)
        seed += 1
    texts = texts[:args.articles]
    start_day = date(2022, 2, 24)
    # A dateline makes every article distinct content (the "seeds" profile repeats five texts), so each is ingested.
    articles = [Article(f"bench-{i:05d}", f"Bench {i}", f"Outlet {i % 17}", start_day + timedelta(days=i % 300),
                        f"Dispatch {i:05d}.\n{t}") for i, t in enumerate(texts)]
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        with Store(Path(tmp) / "bench.sqlite", gazetteer=gaz) as store:
            t0 = time.perf_counter()
            reports = sum(store.add_article(a).reports for a in articles)
            ingest_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            events = store.events()
            events_s = time.perf_counter() - t0
    rate = len(articles) / ingest_s
    print(f"corpus [{args.profile}]:   {len(articles):,} articles, {megabytes:.2f} MB")
    print(f"ingest:            {ingest_s:6.2f} s   {rate:7.1f} articles/s   ({megabytes / ingest_s:.2f} MB/s; "
          f"{reports:,} reports)   target ≥ {TARGET:g} articles/s")
    print(f"events from store: {events_s:6.2f} s   ({len(events):,} events after merging)")
    ok = rate >= TARGET
    print(f"{'PASS' if ok else 'FAIL'}  ingest {rate:.1f} articles/s ≥ {TARGET:g}")
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
