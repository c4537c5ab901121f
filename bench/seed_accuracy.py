"""Accuracy on the five seed articles against our own annotation (tests/data/): place mentions (issue #2: ≥ 95 %
found and placed within a few km, ≤ 5 % of reported settlements wrong) and events (issue #3: recall ≥ 0.90,
precision ≥ 0.85). The CLI as a user runs it, on a temporary store.

    .venv/bin/python bench/seed_accuracy.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mapapp.evaluation import load_gold, score_events, score_settlements  # noqa: E402


def _cli(*args: str) -> str:
    return subprocess.run([sys.executable, "-m", "mapapp", *args], cwd=ROOT, check=True, capture_output=True,
                          text=True).stdout


def main() -> int:
    mentions = json.loads(_cli("geoparse", *map(str, sorted((ROOT / "seeds").glob("*.txt"))), "--json"))
    places = score_settlements(mentions, load_gold(ROOT / "tests" / "data" / "seed_mentions.json"))
    print(f"settlement mentions: {places.found}/{places.gold} found and placed ({places.recall:.3f}; target ≥ 0.95), "
          f"{places.wrong}/{places.reported} reported wrong ({places.wrong_share:.3f}; target ≤ 0.05)")
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "seeds.sqlite")
        _cli("--db", db, "ingest")
        features = json.loads(_cli("--db", db, "events"))["features"]
    predicted = [dict(f["properties"], lon=f["geometry"]["coordinates"][0], lat=f["geometry"]["coordinates"][1])
                 for f in features]
    events = score_events(predicted, load_gold(ROOT / "tests" / "data" / "seed_events.json"))
    print(f"events: recall {events.recall:.3f} ({events.matched_gold}/{events.gold}; target ≥ 0.90), precision "
          f"{events.precision:.3f} ({events.matched_predicted}/{events.predicted}; target ≥ 0.85)")
    for label, rows in (("missed", events.missed), ("extra", events.extra)):
        for row in rows:
            print(f"  {label}: {row}")
    ok = places.recall >= 0.95 and places.wrong_share <= 0.05 and events.recall >= 0.90 and events.precision >= 0.85
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
