from datetime import date

import pytest

from mapapp.articles import Article
from mapapp.claims import MILE_KM, SQ_MILE_KM2, check_claims, checks_table, claims_from_article


def claims(text):
    return claims_from_article(Article("t", "t", "o", date(2022, 9, 10), text))


@pytest.mark.parametrize("text, kind, stated, qualifier", [
    ("Troops took more than 1,000 square kilometres this week.", "area", 1000.0, "more than"),
    ("Almost a thousand square miles of territory were liberated.", "area", 1000 * SQ_MILE_KM2, "almost"),
    ("They penetrated to a depth of 50 kilometres.", "depth", 50.0, ""),
    ("Kupiansk, 45 miles north of Izyum, fell.", "distance", 45 * MILE_KM, ""),
    ("Lyman lies some 30 km east of Sloviansk.", "distance", 30.0, "some"),
])
def test_each_quantity_form_is_read(text, kind, stated, qualifier):
    found = claims(text)
    assert len(found) == 1
    assert (found[0].kind, round(found[0].stated, 1), found[0].qualifier) == (kind, round(stated, 1), qualifier)


def test_distances_are_checked_geodesically_with_their_qualifier():
    checks = check_claims(claims("Kupiansk, 45 miles north of Izyum, is a railway hub. "
                                 "Kharkiv, which is just 50 miles from Belgorod, was shelled. "
                                 "Sloviansk lies 300 km from Kramatorsk."))
    verdicts = {c.note: (c.verdict, c.measured) for c in checks}
    assert verdicts["Kupiansk – Izium"][0] == "agrees" and 55 < verdicts["Kupiansk – Izium"][1] < 65
    assert verdicts["Kharkiv – Belgorod"][0] == "agrees"
    assert verdicts["Sloviansk – Kramatorsk"][0] == "disagrees"


def test_area_claims_need_a_map_and_compare_with_its_liberated_area():
    from mapapp.areas import areas_at
    from mapapp.events import events_from_articles

    text = ("Ukrainian troops recaptured Balakliia on Thursday and liberated Izium and Kupiansk on Friday, taking more "
            "than 100 square kilometres, though not more than 100,000 square kilometres.")
    article = Article("t", "t", "o", date(2022, 9, 10), text)
    found = claims_from_article(article)
    assert [c.verdict for c in check_claims(found)] == ["cannot check", "cannot check"]
    areas = areas_at(events_from_articles([article]), date(2022, 9, 10))
    checked = check_claims(found, areas_on=lambda claim: areas)
    liberated = areas.area_km2("liberated")
    assert 100 < liberated < 100_000
    assert [c.verdict for c in checked] == ["agrees", "disagrees"]
    assert all(c.measured == round(liberated, 1) for c in checked)
    table = checks_table(checked)
    assert table.startswith("| article | claim |") and "disagrees" in table
