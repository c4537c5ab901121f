"""Namesake resolution at scale: the synthetic corpus knows which place it drew for each settlement name it wrote,
so every mention of such a name can be scored — placed right (within 5 km of the drawn place), wrong, or left
unresolved. The seed articles' hand annotation (bench/seed_accuracy.py) is the real-text check; this one covers
thousands of namesakes the seeds never name.

    .venv/bin/python bench/resolution_accuracy.py               # 2 MB each of the news and villages profiles
    .venv/bin/python bench/resolution_accuracy.py --mb 6 --profiles news

A name drawn for two different places in one article is left out (no single right answer), as are mentions of
names the generator did not draw (regions, countries, the seed paragraphs' places).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from make_corpus import build_corpus  # noqa: E402

from mapapp.evaluation import distance_km  # noqa: E402
from mapapp.gazetteer import load_gazetteer  # noqa: E402
from mapapp.geoparse import mentions_from_text  # noqa: E402

RIGHT_KM = 5.0


def score(profile: str, mb: float, seed: int, gaz) -> dict:
    truth: list[dict[str, set[str]]] = []
    articles = build_corpus(int(mb * 1e6), seed, gazetteer=gaz, profile=profile, truth=truth)
    counts = {"right": 0, "wrong": 0, "unresolved": 0, "confident wrong": 0}
    started = time.perf_counter()
    for text, drawn in zip(articles, truth):
        for mention in mentions_from_text(text, gazetteer=gaz):
            ids = drawn.get(mention.surface)
            if ids is None or len(ids) != 1 or "region" in ids:
                continue
            expected = gaz.by_id[next(iter(ids))]
            if mention.place is None:
                counts["unresolved"] += 1
            elif distance_km(mention.place.lat, mention.place.lon, expected.lat, expected.lon) <= RIGHT_KM:
                counts["right"] += 1
            else:
                counts["wrong"] += 1
                if mention.score >= 0.8:
                    counts["confident wrong"] += 1
    counts["seconds"] = time.perf_counter() - started
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=2.0, help="corpus size per profile in MB (default 2)")
    parser.add_argument("--seed", type=int, default=99, help="corpus seed (default 99)")
    parser.add_argument("--profiles", nargs="+", default=["news", "villages"], choices=["news", "villages"])
    args = parser.parse_args(argv)
    gaz = load_gazetteer()
    for profile in args.profiles:
        c = score(profile, args.mb, args.seed, gaz)
        scored = c["right"] + c["wrong"] + c["unresolved"]
        print(f"{profile:9s} {scored:6,d} mentions of drawn settlements: "
              f"right {c['right'] / scored:6.1%}  wrong {c['wrong'] / scored:5.1%} "
              f"(at score ≥ 0.8: {c['confident wrong'] / scored:4.1%})  unresolved {c['unresolved'] / scored:5.1%}"
              f"   [{c['seconds']:.1f} s]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
