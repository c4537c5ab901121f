"""Issue #2's measure: on the five seed articles, against our own annotation (tests/data/seed_mentions.json)."""

import json

from conftest import ROOT, run_cli

from mapapp.evaluation import load_gold, score_settlements


def test_settlement_mentions_found_and_placed_on_the_seeds():
    result = run_cli("geoparse", *sorted((ROOT / "seeds").glob("*.txt")), "--json")
    assert result.returncode == 0, result.stderr
    score = score_settlements(json.loads(result.stdout), load_gold(ROOT / "tests" / "data" / "seed_mentions.json"))
    assert score.gold >= 100
    assert score.recall >= 0.95, score.missed
    assert score.wrong_share <= 0.05, score.wrong_rows


def test_the_issue_spellings_in_the_seeds_resolve(gazetteer):
    from mapapp.geoparse import mentions_from_text

    wanted = {"Izyim": "Izium", "Limán": "Lyman", "Kharkicv": "Kharkiv", "Lysychnask": "Lysychansk",
              "Kupyansk": "Kupiansk", "Balakliya": "Balakliia", "Vasylenkove": "Vasylenkove", "Yahidne": "Yahidne"}
    seen = {}
    for path in (ROOT / "seeds").glob("*.txt"):
        for m in mentions_from_text(path.read_text(encoding="utf-8"), gazetteer=gazetteer):
            if m.surface in wanted and m.place is not None:
                seen[m.surface] = (m.place.name, m.place.admin1)
    assert {k: v[0] for k, v in seen.items()} == wanted
    assert seen["Limán"][1] == "Donetsk Oblast" and seen["Yahidne"][1] == "Donetsk Oblast"


def test_events_on_the_seeds_against_our_annotation(tmp_path):
    from mapapp.evaluation import score_events

    db = tmp_path / "seeds.sqlite"
    assert run_cli("--db", db, "ingest").returncode == 0
    features = json.loads(run_cli("--db", db, "events").stdout)["features"]
    predicted = [dict(f["properties"], lon=f["geometry"]["coordinates"][0], lat=f["geometry"]["coordinates"][1])
                 for f in features]
    gold = json.loads((ROOT / "tests" / "data" / "seed_events.json").read_text(encoding="utf-8"))
    must = score_events(predicted, [g for g in gold if g["must_have"]])
    assert must.recall == 1.0, must.missed        # the border, Ruska Lozova, Balakliia, Izyum, Kupiansk, …
    score = score_events(predicted, gold)
    # Measured 0.90 recall (28/31) / 0.90 precision (28/31); issue #3 asks 0.90 / 0.85. Recall has no margin
    # left: one lost event is 27/31 = 0.87. Precision keeps room for one more extra event (28/32 = 0.875).
    assert score.recall >= 0.90, score.missed
    assert score.precision >= 0.87, score.extra
    kupiansk = [p for p in predicted if p["place"] == "Kupiansk" and p["event_type"] == "liberated"]
    assert kupiansk[0]["disputed"] and "west bank" in kupiansk[0]["counter_claim"]
