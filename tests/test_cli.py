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
    for sub in ("geocode", "geoparse"):
        assert sub in result.stdout.decode()
        assert f"python -m mapapp {sub}" in readme
