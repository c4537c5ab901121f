"""Every spelling a reporter may use lands on the right place; kinds are kept apart."""

import pytest

from mapapp.geoparse import geocode

IZIUM = "geonames:707292"
KUPIANSK = "geonames:703656"
BALAKLIIA = "geonames:712926"  # the Kharkiv-oblast town, not the Poltava village of 503
LYMAN_DONETSK = "geonames:704204"
KHARKIV = "geonames:706483"
BAKHMUT = "geonames:713174"
SIEVIERODONETSK = "geonames:691999"


@pytest.mark.parametrize("spelling, place_id", [
    ("Izyum", IZIUM), ("Izium", IZIUM), ("Izyim", IZIUM), ("IZYUM", IZIUM), ("Ізюм", IZIUM), ("Изюм", IZIUM),
    ("Kupiansk", KUPIANSK), ("Kupyansk", KUPIANSK), ("Kup'yans'k", KUPIANSK),
    ("Куп’янськ", KUPIANSK), ("Куп'янськ", KUPIANSK), ("Купʼянськ", KUPIANSK),
    ("Balakliia", BALAKLIIA), ("Balakliya", BALAKLIIA), ("Balakleya", BALAKLIIA),
    ("Limán", LYMAN_DONETSK), ("Lyman", LYMAN_DONETSK), ("Krasnyy Liman", LYMAN_DONETSK),
    ("Kharkicv", KHARKIV), ("Kharkov", KHARKIV), ("Kharkiv", KHARKIV),
    ("Severodonetsk", SIEVIERODONETSK), ("Sievierodonetsk", SIEVIERODONETSK), ("Lysychnask", "geonames:702972"),
    ("Artemivsk", BAKHMUT), ("Artemovsk", BAKHMUT), ("Bakhmut", BAKHMUT),
])
def test_spellings_resolve_to_the_place_meant(spelling, place_id):
    best, candidates = geocode(spelling)
    assert best is not None, spelling
    assert best.place_id == place_id, (spelling, best)


def test_coordinates_are_lat_lon_not_swapped():
    best, _ = geocode("Kharkiv")
    assert 49.9 < best.lat < 50.1 and 36.1 < best.lon < 36.4


def test_villages_without_coordinates_are_placed_at_their_hromada_seat_and_marked(gazetteer):
    best, _ = geocode("Vasylenkove")
    assert best.approximate and best.place_id.startswith("katottg:UA63")
    assert best.admin1 == "Kharkiv Oblast"
    shevchenkove = [p for p in gazetteer.lookup("shevchenkove") if p.admin1 == "Kharkiv Oblast" and not p.approximate]
    assert any(abs(p.lat - best.lat) < 1e-6 and abs(p.lon - best.lon) < 1e-6 for p in shevchenkove)


@pytest.mark.parametrize("query, name, kind", [
    ("Kharkiv region", "Kharkiv Oblast", "region"), ("Donetsk oblast", "Donetsk Oblast", "region"),
    ("Kyiv region", "Kyiv Oblast", "region"), ("Izyum district", "Izium Raion", "region"),
    ("Donbas", "Donbas", "region"), ("Oskil river", "Oskil", "river"),
    ("Siverskyi Donets", "Siverskyi Donets", "river"), ("Ukraine", "Ukraine", "country"),
    ("Belgorod region", "Belgorod Oblast", "region"),
])
def test_regions_rivers_and_countries_are_their_own_kind(query, name, kind):
    best, _ = geocode(query)
    assert (best.name, best.kind) == (name, kind)


def test_donetsk_alone_is_the_city_and_the_oblast_is_a_candidate():
    best, candidates = geocode("Donetsk")
    assert best.place_id == "geonames:709717" and best.kind == "settlement"
    assert any(p.kind == "region" and p.name == "Donetsk Oblast" for p, _ in candidates)
    assert any(p.country == "RU" for p, _ in candidates)  # the Russian town of Donetsk is offered, not chosen


def test_world_cities_are_found_but_never_from_a_misspelling():
    assert geocode("Novosibirsk")[0].country == "RU"
    assert geocode("Washington")[0].country == "US"
    assert geocode("Putin")[0] is None  # one edit from Putian (China): not a place


def test_unknown_name_gives_no_best_and_no_candidates():
    assert geocode("Qwertyuiopgrad") == (None, [])


def test_every_place_has_valid_fields(gazetteer):
    from mapapp.gazetteer import KINDS

    for place in gazetteer.places:
        assert place.kind in KINDS
        assert -90 <= place.lat <= 90 and -180 <= place.lon <= 180
        assert place.place_id.split(":")[0] in ("geonames", "katottg", "geonames-admin1", "curated")
    ukraine = [p for p in gazetteer.places if p.country == "UA" and p.kind == "settlement"]
    assert len([p for p in ukraine if p.place_id.startswith("geonames:")]) == 5488
    assert len(ukraine) > 25_000  # the codifier's villages too
