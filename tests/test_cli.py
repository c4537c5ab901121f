"""The command line as newsroom scripts use it: fields, exit codes, bad input."""

import json

from conftest import ROOT, run_cli

PLACE_FIELDS = {"place_id", "name", "lat", "lon", "kind", "admin1", "country", "population", "approximate", "score"}
MENTION_FIELDS = {"article", "surface", "start", "end", "name", "lat", "lon", "kind", "place_id", "score",
                  "candidates"}


def test_geocode_json_has_the_contract_fields():
    result = run_cli("geocode", "Izyim", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["query"] == "Izyim"
    assert PLACE_FIELDS <= set(payload["best"]) and payload["best"]["name"] == "Izium"
    assert payload["candidates"] and all(PLACE_FIELDS <= set(c) for c in payload["candidates"])
    assert result.stderr == b""


def test_geocode_unknown_name_is_data_not_a_crash():
    result = run_cli("geocode", "Qwertyuiopgrad", "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout) == {"query": "Qwertyuiopgrad", "best": None, "candidates": []}
    assert len(result.stderr.decode().strip().splitlines()) == 1


def test_geoparse_json_offsets_and_fields():
    seed = ROOT / "seeds" / "004_6a4f189e7c262899.txt"
    result = run_cli("geoparse", seed, "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    text = seed.read_text(encoding="utf-8")
    assert rows and all(MENTION_FIELDS <= set(r) for r in rows)
    assert all(text[r["start"]:r["end"]] == r["surface"] for r in rows)
    assert {r["article"] for r in rows} == {"004_6a4f189e7c262899"}
    liman = [r for r in rows if r["surface"] == "Limán"]
    assert liman and all(r["place_id"] == "geonames:704204" for r in liman)


def test_geoparse_json_is_what_the_json_module_writes_for_the_mentions(tmp_path):
    """The CLI writes its JSON by hand, for speed: byte for byte what json.dumps(indent=1) writes, scores and
    candidates included, with and without a resolved place."""
    from mapapp.cli import mention_json
    from mapapp.geoparse import mentions_from_text

    text = ("Shelling hit Kupiansk and Kupyansk-Vuzlovyi; troops “advanced” near Qwertyuiopgrad and the Oskil river. "
            "In Lyman, Donetsk region, and in Balakliia, Kharkiv region, officials said \\ nothing.")
    article = tmp_path / "mixed.txt"
    article.write_text(text, encoding="utf-8")
    result = run_cli("geoparse", article, ROOT / "seeds" / "001_e1de64e4ded32e85.txt", "--json")
    assert result.returncode == 0, result.stderr
    seed_text = (ROOT / "seeds" / "001_e1de64e4ded32e85.txt").read_text(encoding="utf-8")
    expected = [mention_json("mixed", m) for m in mentions_from_text(text)] + \
        [mention_json("001_e1de64e4ded32e85", m) for m in mentions_from_text(seed_text)]
    assert any(len(row["candidates"]) > 1 for row in expected)
    assert result.stdout.decode("utf-8") == json.dumps(expected, ensure_ascii=False, indent=1) + "\n"


def test_bad_inputs_each_get_one_line_and_the_good_file_is_still_parsed(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Ukrainian troops entered Izium on Saturday.", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "photo.txt"
    binary.write_bytes(bytes(range(256)) * 40)
    missing = tmp_path / "missing.txt"
    result = run_cli("geoparse", empty, binary, missing, good, "--json")
    assert result.returncode == 1
    errors = result.stderr.decode().strip().splitlines()
    assert len(errors) == 3 and "Traceback" not in result.stderr.decode()
    assert "empty" in errors[0] and "binary" in errors[1] and "no such file" in errors[2]
    rows = json.loads(result.stdout)
    assert [(r["article"], r["name"]) for r in rows] == [("good", "Izium")]


def test_cp1251_and_html_articles(tmp_path):
    cyrillic = tmp_path / "ua.txt"
    cyrillic.write_bytes("Сили оборони звільнили Балаклію та Ізюм. Бої тривають біля Куп’янська.".encode("cp1251",
                                                                                                        "replace"))
    page = tmp_path / "page.html"
    page.write_text("<html><head><script>var Kyiv=1;</script><style>p{}</style></head><body><h1>News</h1>"
                    "<p>Troops reached&nbsp;Lysychansk &amp; Bakhmut.</p></body></html>", encoding="utf-8")
    result = run_cli("geoparse", cyrillic, page, "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    by_article = {}
    for r in rows:
        by_article.setdefault(r["article"], []).append(r["name"])
    assert "Izium" in by_article["ua"]
    assert by_article["page"] == ["Lysychansk", "Bakhmut"]  # the script's "Kyiv" is not article text


def test_an_oversized_file_is_refused_with_a_message(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("Kharkiv. " * 2000, encoding="utf-8")
    result = run_cli("geoparse", big, "--json", env={"MAPAPP_MAX_ARTICLE_BYTES": "1000"})
    assert result.returncode == 1
    assert "larger than" in result.stderr.decode() and json.loads(result.stdout) == []


def test_wrong_usage_exits_2():
    assert run_cli("geoparse").returncode == 2
    assert run_cli("no-such-command").returncode == 2


def test_help_lists_the_subcommands_the_readme_shows():
    result = run_cli("--help")
    assert result.returncode == 0
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for sub in ("geocode", "geoparse", "ingest", "events", "areas", "claims"):
        assert sub in result.stdout.decode()
        assert f"python -m mapapp {sub}" in readme


EVENT_PROPERTIES = {"event_id", "place", "place_id", "event_type", "date", "date_precision", "actor", "claimed_by",
                    "disputed", "counter_claim", "confidence", "geo_precision", "articles", "sources", "quote"}


def test_ingest_seeds_then_events_as_geojson_and_csv(tmp_path):
    db = tmp_path / "m.sqlite"
    first = run_cli("--db", db, "ingest")
    assert first.returncode == 0, first.stderr
    assert first.stdout.decode().count("added") == 5
    again = run_cli("ingest", env={"MAPAPP_DB": str(db)})     # MAPAPP_DB picks the same store
    assert again.stdout.decode().count("unchanged") == 5
    geo = json.loads(run_cli("--db", db, "events").stdout)
    assert geo["type"] == "FeatureCollection" and geo["features"]
    for feature in geo["features"]:
        assert EVENT_PROPERTIES <= set(feature["properties"])
        lon, lat = feature["geometry"]["coordinates"]
        assert 44 < lat < 53 and 22 < lon < 41                # lon, lat order in GeoJSON
        assert feature["properties"]["sources"][0]["quote"] == feature["properties"]["quote"]
    kupiansk = [f["properties"] for f in geo["features"]
                if f["properties"]["place"] == "Kupiansk" and f["properties"]["event_type"] == "liberated"]
    assert kupiansk and kupiansk[0]["disputed"] and kupiansk[0]["counter_claim"]
    csv_out = run_cli("--db", db, "events", "--format", "csv").stdout.decode()
    import csv as csv_module
    import io
    rows = list(csv_module.DictReader(io.StringIO(csv_out)))
    assert len(rows) == len(geo["features"]) and "sources" in rows[0]


def test_ingest_bad_inputs_and_undated_article(tmp_path):
    db = tmp_path / "m.sqlite"
    undated = tmp_path / "undated.txt"
    undated.write_text("Ukrainian troops recaptured Izium on Friday, officials said.", encoding="utf-8")
    stated = tmp_path / "stated.txt"
    stated.write_text("Published September 10, 2022\nUkrainian troops recaptured Kupiansk on Friday.",
                      encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = run_cli("--db", db, "ingest", undated, stated, empty, tmp_path / "missing.txt")
    assert result.returncode == 1
    errors = result.stderr.decode().strip().splitlines()
    assert len(errors) == 3 and any("undated" in e for e in errors) and "Traceback" not in result.stderr.decode()
    assert result.stdout.decode().count("added") == 2
    events = {f["properties"]["place"]: f["properties"] for f in json.loads(run_cli("--db", db, "events").stdout)
              ["features"]}
    assert events["Kupiansk"]["date"] == "2022-09-09"          # Friday before the stated publication date
    assert events["Izium"]["date"] is None                     # undated: "on Friday" left unresolved
    assert run_cli("--db", db, "ingest", "--published", "2022-09-31").returncode == 2


def test_a_store_that_is_not_a_database_is_a_one_line_error(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not sqlite at all" * 50)
    result = run_cli("--db", bad, "events")
    assert result.returncode == 1 and len(result.stderr.decode().strip().splitlines()) == 1
