"""Scoring geoparser output against a hand annotation (``tests/data/seed_mentions.json``).

A gold settlement mention is *found* when a resolved mention overlaps its span and lies within
``tolerance_km`` of the annotated point (``approximate_tolerance_km`` when the place is approximate, i.e. placed
at its hromada's seat). A reported settlement is *wrong* when it matches no gold mention that way; where the
annotator read a name as its oblast ("guys in Kharkiv") and the parser as the city, the report counts as right
when the city lies in that oblast — the two readings differ in scope, not in place.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Score:
    gold: int
    found: int
    reported: int
    wrong: int
    missed: tuple[str, ...]
    wrong_rows: tuple[str, ...]

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def wrong_share(self) -> float:
        return self.wrong / self.reported if self.reported else 0.0


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(h)))


def load_gold(path: str | Path) -> list[dict]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _overlaps(a: dict, b: dict) -> bool:
    return a["article"] == b["article"] and a["start"] < b["end"] and b["start"] < a["end"]


def _close(pred: dict, gold: dict, tolerance_km: float, approximate_tolerance_km: float) -> bool:
    if pred.get("lat") is None or gold.get("lat") is None:
        return False
    limit = approximate_tolerance_km if pred.get("approximate") else tolerance_km
    return distance_km(pred["lat"], pred["lon"], gold["lat"], gold["lon"]) <= limit


def score_settlements(predicted: list[dict], gold: list[dict], *, tolerance_km: float = 5.0,
                      approximate_tolerance_km: float = 25.0) -> Score:
    """``predicted``: rows as ``geoparse --json`` prints them; ``gold``: the annotation's rows."""
    gold_settlements = [g for g in gold if g["kind"] == "settlement"]
    reported = [p for p in predicted if p.get("place_id") and p["kind"] == "settlement"]
    found, missed = 0, []
    for g in gold_settlements:
        if any(_overlaps(p, g) and _close(p, g, tolerance_km, approximate_tolerance_km) for p in reported):
            found += 1
        else:
            missed.append(f"{g['article']}:{g['start']} {g['surface']} → {g['name']}")
    wrong = []
    for p in reported:
        ok = any(_overlaps(p, g) and (
            (g["kind"] == "settlement" and _close(p, g, tolerance_km, approximate_tolerance_km))
            or (g["kind"] == "region" and g.get("admin1") and p.get("admin1") == g["admin1"]))
            for g in gold)
        if not ok:
            wrong.append(f"{p['article']}:{p['start']} {p['surface']} → {p['name']} ({p['lat']}, {p['lon']})")
    return Score(len(gold_settlements), found, len(reported), len(wrong), tuple(missed), tuple(wrong))


# ------------------------------------------------------------------------------------------------------------
# Events (issue #3): matched by place, type and date.

@dataclass(frozen=True)
class EventScore:
    gold: int
    predicted: int
    matched_gold: int
    matched_predicted: int
    missed: tuple[str, ...]
    extra: tuple[str, ...]

    @property
    def recall(self) -> float:
        return self.matched_gold / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.matched_predicted / self.predicted if self.predicted else 1.0


def _window(day: str, precision: str) -> tuple:
    from datetime import date

    from mapapp.dates import window

    return window(date.fromisoformat(day), precision or "day")


def _dates_agree(a: dict, b: dict) -> bool:
    """Within a day for day-precise dates; within the stated precision (week, month) otherwise."""
    from datetime import timedelta

    if not a.get("date") or not b.get("date"):
        return False
    a0, a1 = _window(a["date"], a.get("date_precision"))
    b0, b1 = _window(b["date"], b.get("date_precision"))
    return a0 - timedelta(days=1) <= b1 and b0 - timedelta(days=1) <= a1


def _same_place(pred: dict, gold: dict, tolerance_km: float) -> bool:
    if pred.get("place") == gold.get("place"):
        return True
    limit = 25.0 if pred.get("geo_precision") == "approximate" else tolerance_km
    return distance_km(pred["lat"], pred["lon"], gold["lat"], gold["lon"]) <= limit and (
        pred.get("kind", "settlement") == gold.get("place_kind", "settlement") or gold.get("place_kind") == "border"
        or pred["place_id"].startswith("border:"))


def score_events(predicted: list[dict], gold: list[dict], *, tolerance_km: float = 10.0) -> EventScore:
    """``predicted``: the properties of ``events`` features plus ``lat``/``lon``; ``gold``: seed_events.json."""
    def match(p, g):
        return p["event_type"] == g["event_type"] and _same_place(p, g, tolerance_km) and _dates_agree(p, g)

    matched_gold = [g for g in gold if any(match(p, g) for p in predicted)]
    matched_pred = [p for p in predicted if any(match(p, g) for g in gold)]
    missed = tuple(f"{g['place']} {g['event_type']} {g['date']} ({g['date_precision']})" for g in gold
                   if g not in matched_gold)
    extra = tuple(f"{p['place']} {p['event_type']} {p['date']} ({p['date_precision']}): {p['quote'][:80]}"
                  for p in predicted if p not in matched_pred)
    return EventScore(len(gold), len(predicted), len(matched_gold), len(matched_pred), missed, extra)
