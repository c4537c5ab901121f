"""Areas benchmark: nowcast the liberated ground from a DeepState baseline plus the seed articles' events, and
score it against DeepState's own later map (issue #4: IoU ≥ 0.70 and precision ≥ 0.85 on 2022-09-10 from the
2022-09-06 baseline; also 09-08, 09-11 from 09-06 and 05-17 from 05-01). Also times one date's areas (`ms`) and
their GeoJSON in WGS84 (`+geojson ms`: reprojection, sliver removal and validity repair).

Truth for date D from baseline B: occupied(B) − occupied(D) (it includes DeepState's grey zone at D). Predicted:
the liberated and contested polygons inside occupied(B). Reads ../shared/reference/deepstate/ in place.

    .venv/bin/python bench/areas_bench.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mapapp.areas import areas_at, load_baseline, no_longer_occupied  # noqa: E402
from mapapp.articles import seed_articles  # noqa: E402
from mapapp.store import Store  # noqa: E402

REFERENCE = ROOT.parent / "shared" / "reference" / "deepstate"
CASES = (("2022-09-06", "2022-09-10"), ("2022-09-06", "2022-09-08"), ("2022-09-06", "2022-09-11"),
         ("2022-05-01", "2022-05-17"))


def scores(prediction, truth) -> tuple[float, float, float]:
    inter = prediction.intersection(truth).area
    union = prediction.union(truth).area
    return (inter / union if union else 0.0, inter / prediction.area if prediction.area else 0.0,
            inter / truth.area if truth.area else 0.0)


def main() -> int:
    if not REFERENCE.exists():
        print(f"no reference data at {REFERENCE}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        with Store(Path(tmp) / "seeds.sqlite") as store:
            for article in seed_articles():
                store.add_article(article)
            events = store.events()
    print(f"{len(events)} events from the seed articles")
    print(f"{'baseline':10} {'date':10} {'IoU':>5} {'prec':>5} {'recall':>6} {'shown km²':>10} {'truth km²':>10} "
          f"{'ms':>6} {'+geojson ms':>11}")
    ok = True
    for base_day, day in CASES:
        baseline = load_baseline(REFERENCE / f"{base_day}.geojson")
        later = load_baseline(REFERENCE / f"{day}.geojson")
        truth = baseline.occupied.difference(later.occupied)
        t0 = time.perf_counter()
        areas = areas_at(events, date.fromisoformat(day), baseline=baseline)
        elapsed = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        areas.feature_collection()
        geojson_ms = (time.perf_counter() - t0) * 1000
        shown = no_longer_occupied(areas)
        iou, precision, recall = scores(shown, truth)
        print(f"{base_day:10} {day:10} {iou:5.2f} {precision:5.2f} {recall:6.2f} {shown.area / 1e6:10,.0f} "
              f"{truth.area / 1e6:10,.0f} {elapsed:6.0f} {geojson_ms:11.0f}")
        if (base_day, day) == CASES[0]:
            ok = iou >= 0.70 and precision >= 0.85
    print(("PASS" if ok else "FAIL") + "  2022-09-10 from 2022-09-06: IoU ≥ 0.70 and precision ≥ 0.85")
    return 0


if __name__ == "__main__":
    sys.exit(main())
