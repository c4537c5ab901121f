"""Claim checks: quantities the articles state, compared with the map.

Three kinds of claim are read from each sentence:

- **distance** between two named places — "Kupiansk, 45 miles north of Izyum", "Limán, just 25 miles from the twin
  cities of Lysychnask and Severodonetsk", "Kharkiv, which is just 50 miles from Belgorod" — compared with the
  geodesic distance between the places (WGS84 ellipsoid, pyproj);
- **area** retaken — "more than 1,000 square kilometres", "almost a thousand square miles of territory liberated" —
  compared with the liberated area the map shows at the article's date;
- **depth** of an advance — "to a depth of 50 kilometres" — compared with the longest advance arrow at that date
  (only with a baseline, which gives the old front).

Qualifiers set the test: "more than X" needs ≥ X; "almost/nearly X" needs 0.8·X to 1.02·X; "about/some/just/
around X" and a bare X need ±25 % (reporters round). A claim the map cannot measure is reported as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyproj import Geod

from mapapp.articles import Article
from mapapp.events import sentences
from mapapp.gazetteer import Gazetteer, load_gazetteer
from mapapp.geoparse import mentions_from_text

MILE_KM = 1.609344
SQ_MILE_KM2 = MILE_KM ** 2
_GEOD = Geod(ellps="WGS84")

_NUMBER_WORDS = {"a thousand": 1000, "one thousand": 1000, "a hundred": 100, "two thousand": 2000,
                 "a dozen": 12, "dozens of": 24}
_NUMBER = r"(?P<number>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|a thousand|one thousand|two thousand|a hundred)"
_QUALIFIER = r"(?P<qualifier>more than|over|at least|almost|nearly|about|around|some|roughly|approximately|just|" \
             r"only|up to|less than|under)?\s*"
_AREA = re.compile(_QUALIFIER + _NUMBER + r"\s*(?P<unit>square (?:kilometres|kilometers|km|miles?)|sq\.? ?(?:km|mi(?:les)?)|km2|km²)",
                   re.IGNORECASE)
_DEPTH = re.compile(r"depth of\s+" + _QUALIFIER + _NUMBER + r"\s*(?P<unit>kilometres|kilometers|km|miles?)",
                    re.IGNORECASE)
_DISTANCE = re.compile(_QUALIFIER + _NUMBER + r"[\s-]*(?P<unit>kilometres|kilometers|km|miles?)\s+"
                       r"(?:(?P<direction>north|south|east|west|northeast|northwest|southeast|southwest)(?:ern)?\s+)?"
                       r"(?:of|from)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Claim:
    article: str
    kind: str               # "distance" | "area" | "depth"
    quote: str
    stated: float           # in km or km²
    qualifier: str          # "more than", "almost", … or ""
    text: str               # the words the number was read from
    places: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Check:
    claim: Claim
    measured: float | None  # km or km²; None when the map cannot measure it
    verdict: str            # "agrees" | "disagrees" | "cannot check"
    note: str = ""


def _number(raw: str) -> float:
    raw = raw.lower().strip()
    if raw in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[raw])
    return float(raw.replace(",", ""))


def _unit_factor(unit: str, *, area: bool) -> float:
    unit = unit.lower()
    if "mi" in unit:
        return SQ_MILE_KM2 if area else MILE_KM
    return 1.0


def claims_from_article(article: Article, *, gazetteer: Gazetteer | None = None) -> list[Claim]:
    gaz = gazetteer or load_gazetteer()
    mentions = [m for m in mentions_from_text(article.text, gazetteer=gaz)
                if m.place is not None and m.kind == "settlement"]
    found = []
    for start, end in sentences(article.text):
        sentence = article.text[start:end]
        quote = " ".join(sentence.split())
        for m in _AREA.finditer(sentence):
            found.append(Claim(article.id, "area", quote, _number(m["number"]) * _unit_factor(m["unit"], area=True),
                               (m["qualifier"] or "").lower(), m.group().strip()))
        for m in _DEPTH.finditer(sentence):
            found.append(Claim(article.id, "depth", quote, _number(m["number"]) * _unit_factor(m["unit"], area=False),
                               (m["qualifier"] or "").lower(), m.group().strip()))
        here = [x for x in mentions if start <= x.start < end]
        for m in _DISTANCE.finditer(sentence):
            if "depth of" in sentence[max(0, m.start() - 12):m.start()].lower():
                continue
            before = [x for x in here if x.end - start <= m.start()]
            after = [x for x in here if x.start - start >= m.end()]
            if not before or not after:
                continue
            # "Kupiansk, 45 miles north of Izyum": the place named last before the number, and the first after it.
            a, b = before[-1].place, after[0].place
            if a.place_id == b.place_id:
                continue
            found.append(Claim(article.id, "distance", quote,
                               _number(m["number"]) * _unit_factor(m["unit"], area=False),
                               (m["qualifier"] or "").lower(), m.group().strip(), (a.place_id, b.place_id)))
    return found


def _verdict(stated: float, measured: float, qualifier: str) -> str:
    if qualifier in ("more than", "over", "at least"):
        ok = measured >= stated * 0.95
    elif qualifier in ("less than", "under", "up to"):
        ok = measured <= stated * 1.05
    elif qualifier in ("almost", "nearly"):
        ok = stated * 0.8 <= measured <= stated * 1.02
    else:
        ok = stated * 0.75 <= measured <= stated * 1.25
    return "agrees" if ok else "disagrees"


def check_claims(claims: list[Claim], *, gazetteer: Gazetteer | None = None, areas_on=None) -> list[Check]:
    """``areas_on(published_date)`` → an ``Areas`` for area and depth claims (or None: cannot check)."""
    gaz = gazetteer or load_gazetteer()
    checks = []
    for claim in claims:
        if claim.kind == "distance":
            a, b = (gaz.by_id[p] for p in claim.places)
            _, _, metres = _GEOD.inv(a.lon, a.lat, b.lon, b.lat)  # pyproj Geod takes lon, lat
            km = metres / 1000.0
            note = f"{a.name} – {b.name}" + (" (approximate place)" if a.approximate or b.approximate else "")
            checks.append(Check(claim, round(km, 1), _verdict(claim.stated, km, claim.qualifier), note))
            continue
        areas = areas_on(claim) if areas_on is not None else None
        if areas is None:
            checks.append(Check(claim, None, "cannot check", "no map for the article's date"))
            continue
        if claim.kind == "area":
            measured = areas.area_km2("liberated")
            note = "liberated area shown on the article's date"
        else:
            arrows = [line["geometry"].length / 1000.0 for line in areas.lines if line["kind"] == "advance"]
            if not arrows:
                checks.append(Check(claim, None, "cannot check", "no advance arrows (needs a baseline)"))
                continue
            measured = max(arrows)
            note = "longest advance arrow from the old front"
        checks.append(Check(claim, round(measured, 1), _verdict(claim.stated, measured, claim.qualifier), note))
    return checks


def checks_table(checks: list[Check]) -> str:
    """A table a journalist can read (Markdown)."""
    rows = ["| article | claim | stated | measured | verdict | what was measured |", "|---|---|---|---|---|---|"]
    for check in checks:
        unit = "km²" if check.claim.kind == "area" else "km"
        measured = f"{check.measured:,.0f} {unit}" if check.measured is not None else "—"
        rows.append(f"| {check.claim.article} | “{check.claim.text}” ({check.claim.kind}) | "
                    f"{check.claim.qualifier + ' ' if check.claim.qualifier else ''}{check.claim.stated:,.0f} {unit} | "
                    f"{measured} | {check.verdict} | {check.note} |")
    return "\n".join(rows)

