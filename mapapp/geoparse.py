"""Geoparsing: find the places an article names and resolve each to one gazetteer place, or say it cannot.

Recognition is a scan of capitalised words against the gazetteer's name index (longest match first, possessives
and hyphenated compounds split, one spelling mistake tolerated for well-known places). Resolution among namesakes
weighs each candidate's prior (population, being in the theater) against the article's own evidence: a named
oblast, and how close the candidate lies to the places the same sentence and the whole article name.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass

from mapapp import settings
from mapapp.gazetteer import Gazetteer, Place, load_gazetteer, normalize_name


@dataclass(frozen=True, slots=True)
class Mention:
    surface: str
    start: int
    end: int
    place: Place | None
    kind: str
    score: float
    candidates: tuple[tuple[Place, float], ...]

    @property
    def resolved(self) -> bool:
        return self.place is not None


# ------------------------------------------------------------------------------------------------------------
# Tokens

_UPPER = "".join(chr(c) for c in range(0x41, 0x530) if chr(c).isupper() and chr(c).isalpha())
_WORD_CHARS = r"\w’'ʼ´`"
# A capitalised word, with apostrophes and hyphens inside (Kup’yans’k, Rostov-on-Don), or a "pro-"/"anti-" prefix
# before one (pro-Moscow); initialisms with dots (U.S.).
_TOKEN = re.compile(
    rf"(?<![\w’'ʼ])(?:(?:[A-Z]\.){{2,}}|(?:(?:pro|anti|ex)-)?[{_UPPER}][{_WORD_CHARS}]*(?:-[{_WORD_CHARS}]+)*)")
_POSSESSIVE = re.compile(r"(?:['’ʼ]s|s['’ʼ]|['’ʼ])$")
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’»)\]]*(?=\s)|\n")

_REGION_AFTER = re.compile(
    r"^\s*(?:(region|regions|oblast|oblasts|province|governorate|people[’']?s republic)"
    r"|(district|raion|rayon))\b", re.IGNORECASE)
_RIVER_NEAR_AFTER = re.compile(r"^\s*(?:river|riverbank|river's|river’s)\b", re.IGNORECASE)
_RIVER_NEAR_BEFORE = re.compile(r"\b(?:river|rivers)\s*$", re.IGNORECASE)
_LOCATIVE_BEFORE = re.compile(
    r"\b(?:in|near|of|from|to|at|around|outside|toward|towards|into|across|outskirts of|town of|city of|village of|"
    r"settlement of|north of|south of|east of|west of)\s*$", re.IGNORECASE)
_SETTLEMENT_BEFORE = re.compile(r"\b(?:town|city|village|settlement|hamlet|capital)\s+of\s*$", re.IGNORECASE)
_TITLE_BEFORE = re.compile(
    r"\b(?:President|Minister|General|Colonel|Major|Captain|Lieutenant|Sergeant|Mr|Mrs|Ms|Dr|spokesman|"
    r"spokeswoman|spokesperson|governor|mayor|commander|adviser|advisor|named|Saint|St)\.?\s*$")

# Capitalised words that are never places in English news copy even where a hamlet shares the name.
_NEVER_PLACES = frozenset(normalize_name(w) for w in (
    "January February March April May June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday Today Yesterday Tomorrow "
    "The A An And But Or If In On At Of For To By With From As It He She They We You I This That These Those "
    "Yet Plus Moreover However Meanwhile Elsewhere Despite Among Once After Before While Why What Who "
    "Mr Mrs Ms President Minister General Colonel Major Source Related Trending Video Twitter Telegram "
    "Russian Ukrainian European Western American British German Chechen NATO Kremlin"
).split())
_REGION_WORDS = frozenset(("region", "regions", "oblast", "oblasts", "province", "district", "raion", "rayon"))


@dataclass(slots=True)
class _Span:
    start: int
    end: int
    surface: str
    key: str
    fuzzy: bool
    places: tuple[Place, ...]
    kind_hint: str | None = None       # "region", "raion", "river" from the words around it
    settlement_cue: bool = False       # "the town of X"
    locative: bool = False             # "in X", "near X"
    sentence: int = 0


def _sentence_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in _SENTENCE_END.finditer(text)]


def _is_sentence_initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t\r\"“‘'([«—–-":
        i -= 1
    return i < 0 or text[i] in ".!?…\n:;>”’"


def _candidate_spans(text: str, gaz: Gazetteer) -> list[_Span]:
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    spans: list[_Span] = []
    i = 0
    while i < len(tokens):
        start, end, word = tokens[i]
        consumed = 1
        found = None
        first = normalize_name(_POSSESSIVE.sub("", word))
        # Longest multi-word name first: "Ruska Lozova", "Staryi Saltiv", "Siverskyi Donets".
        longest = gaz.max_words.get(first.split(" ")[0], 0) if first else 0
        if longest > 1:
            for n in range(min(longest, 4, len(tokens) - i), 1, -1):
                last_end = tokens[i + n - 1][1]
                between = [text[tokens[j][1]:tokens[j + 1][0]] for j in range(i, i + n - 1)]
                if any(gap not in (" ", "\u00a0") for gap in between):
                    continue
                surface = _POSSESSIVE.sub("", text[start:last_end])
                key = normalize_name(surface)
                if key in gaz:
                    found = [(start, start + len(surface), surface, key)]
                    consumed = n
                    break
        if found is None:
            found = _single_token(start, word, gaz)
        for s, e, surface, key in found:
            span = _resolve_key(s, e, surface, key, text, gaz)
            if span is not None:
                spans.append(span)
        i += consumed
    return spans


def _single_token(start: int, word: str, gaz: Gazetteer) -> list[tuple[int, int, str, str]]:
    """The token itself, or its capitalised parts when it is a compound (Moscow-backed, pro-Moscow, Izyum-Kupiansk)."""
    surface = _POSSESSIVE.sub("", word)
    key = normalize_name(surface)
    if key in gaz or "-" not in surface:
        return [(start, start + len(surface), surface, key)]
    parts, offset = [], start
    for part in surface.split("-"):
        if part[:1].isupper():
            parts.append((offset, offset + len(part), part, normalize_name(part)))
        offset += len(part) + 1
    return parts


def _resolve_key(start, end, surface, key, text, gaz: Gazetteer) -> _Span | None:
    if not key or key in _NEVER_PLACES or len(key) < 3:
        return None
    places, fuzzy = gaz.resolve_key(key)
    if not places or (fuzzy and surface.isupper()):
        return None
    span = _Span(start, end, surface, key, fuzzy, places)
    if all(p.kind == "country" for p in places):
        return span  # "Ukraine", "Russia": the most frequent names, and never a person or a river
    before = text[max(0, start - 40):start]
    after = text[end:end + 40]
    region = _REGION_AFTER.match(after)
    if region:
        span.kind_hint = "raion" if region.group(2) else "region"
    elif _RIVER_NEAR_AFTER.match(after) or _RIVER_NEAR_BEFORE.search(before):
        span.kind_hint = "river"
    if any(p.kind != "settlement" for p in places):
        span.settlement_cue = bool(_SETTLEMENT_BEFORE.search(before))
    if _looks_like_person(span, text, gaz):
        return None
    if key in gaz.common_words:
        span.locative = bool(_LOCATIVE_BEFORE.search(before))
        if not (span.locative or span.kind_hint or span.settlement_cue):
            return None
    if (key in gaz.word_like and not span.kind_hint and _is_sentence_initial(text, start)
            and all(_small(p) for p in places)):
        # "Plus, they..." — a hamlet sharing a word that opens a sentence needs more than capitalisation.
        return None
    return span


def _small(place: Place) -> bool:
    return place.kind == "settlement" and place.population < 5_000


def _looks_like_person(span: _Span, text: str, gaz: Gazetteer) -> bool:
    """ "Oleh Syniehubov", "governor Haidai": a place name standing where a person's name stands."""
    if span.kind_hint:
        return False
    big = any(p.kind == "country" or (p.kind == "settlement" and (
        p.population >= 1_000_000 or (p.theater and p.population >= 100_000))) for p in span.places)
    if _TITLE_BEFORE.search(text[max(0, span.start - 30):span.start]) and not big:
        return True
    after = text[span.end:span.end + 40]
    follower = re.match(rf"[ \u00a0]([{_UPPER}][a-z’'ʼ]+)", after)
    if follower and not big:
        word = normalize_name(follower.group(1))
        if word not in gaz and word not in _REGION_WORDS and word not in _NEVER_PLACES:
            return True
    return False


# ------------------------------------------------------------------------------------------------------------
# Resolution

def _kind_filter(span: _Span) -> tuple[Place, ...]:
    places = span.places
    if span.kind_hint in ("region", "raion"):
        regions = [p for p in places if p.kind == "region"]
        if regions:
            if span.kind_hint == "raion":
                raions = [p for p in regions if p.name.endswith("Raion")]
                return tuple(raions or regions)
            oblasts = [p for p in regions if not p.name.endswith("Raion")]
            return tuple(oblasts or regions)
    if span.kind_hint == "river":
        rivers = [p for p in places if p.kind == "river"]
        if rivers:
            return tuple(rivers)
    settlements = [p for p in places if p.kind == "settlement"]
    if settlements:
        return tuple(settlements)
    # A bare region name that is not also a settlement ("Donbas", "Crimea"), a country, a river: oblasts before raions.
    return tuple(sorted(places, key=lambda p: p.name.endswith("Raion")))


def _distance_km(a: Place, b: Place) -> float:
    """Distance between two places (each carries its own lat/lon). Equirectangular: within 0.5% of the
    great-circle distance at the few hundred kilometres that matter here, and several times cheaper."""
    mean_lat = math.radians((a.lat + b.lat) * 0.5)
    dx = (b.lon - a.lon) * math.cos(mean_lat)
    dy = b.lat - a.lat
    return 111.195 * math.sqrt(dx * dx + dy * dy)


def _prior(place: Place) -> float:
    """What is known before reading the article: bigger places and places in the theater are named more often."""
    population = place.population if place.population else 300  # approximate codifier villages: hamlet-sized
    value = 0.45 * min(1.0, math.log10(population + 1) / 6.5)
    if place.theater:
        value += 0.35
    if place.approximate:
        # Placed at its hromada's seat: GeoNames lists every village of 500 people or more, so one it lacks is
        # less likely to be the one in the news.
        value -= 0.1
    return value


def _article_centre(anchors: list[Place]) -> Place | None:
    """Where the article is about: the median latitude and longitude of its anchors (robust to a stray Moscow)."""
    if not anchors:
        return None
    lats = sorted(a.lat for a in anchors)
    lons = sorted(a.lon for a in anchors)
    mid = len(anchors) // 2
    return Place("centre", "article centre", lats[mid], lons[mid], "other", "", "", 0, ())


def _article_term(place: Place, centre: Place | None) -> float:
    """Closeness to the article's places as a whole."""
    return 0.35 * math.exp(-_distance_km(place, centre) / 150.0) if centre is not None else 0.0


def _context(place: Place, near: list[Place], beside: list[Place], article_term,
             regions_near: set[str], regions: set[str]) -> float:
    """Evidence from the article: closeness to the places named in the same and the adjacent sentences and to the
    article's other places, and lying in an oblast the article names (nearby counts more)."""
    value = 0.0
    # A village placed at its hromada's seat is not *at* the town it is compared with, only somewhere near it.
    floor = 8.0 if place.approximate else 0.0
    d_near = [max(floor, _distance_km(place, a)) for a in near if a.place_id != place.place_id]
    if d_near:
        value += 0.55 * math.exp(-min(d_near) / 60.0)
    d_beside = [max(floor, _distance_km(place, a)) for a in beside if a.place_id != place.place_id]
    if d_beside:
        value += 0.3 * math.exp(-min(d_beside) / 60.0)
    value += article_term(place)
    if place.admin1 in regions_near:
        value += 0.25
    elif place.admin1 in regions:
        value += 0.08
    return value


def _softmax(scores: list[float], temperature: float = 0.06) -> list[float]:
    top = max(scores)
    weights = [math.exp((s - top) / temperature) for s in scores]
    total = sum(weights)
    return [w / total for w in weights]


def _ranked(places: tuple[Place, ...], totals: list[float], quality: float) -> list[tuple[Place, float]]:
    probabilities = _softmax(totals)
    ranked = sorted(zip(places, probabilities), key=lambda item: -item[1])
    return [(p, q * quality) for p, q in ranked]


def _match_quality(span: _Span, gaz: Gazetteer) -> float:
    quality = 0.98
    if span.fuzzy:
        quality *= 0.8
    if span.key in gaz.common_words:
        quality *= 0.75
    return quality

_MAX_ANCHORS = 60
_MAX_CANDIDATES = 10


def _anchors(spans: list[_Span], ranked: list[list[tuple[Place, float]]], threshold: float):
    """Confident answers in the theater, by sentence and for the article, with the oblasts the article names."""
    by_sentence: dict[int, list[Place]] = {}
    places: dict[str, Place] = {}
    regions: dict[int, set[str]] = {}
    for span, options in zip(spans, ranked):
        best, confidence = options[0]
        if best.kind == "region" and best.admin1:
            regions.setdefault(span.sentence, set()).add(best.admin1)
        if confidence >= threshold and best.kind in ("settlement", "region", "river") and best.theater:
            by_sentence.setdefault(span.sentence, []).append((span.key, best))
            places.setdefault(best.place_id, (span.key, best))
    return by_sentence, list(places.values())[:_MAX_ANCHORS], regions


def _others(anchors: list[tuple[str, Place]], key: str) -> list[Place]:
    """Anchors that are not this very name: a mention must not vouch for its own reading."""
    return [place for anchor_key, place in anchors if anchor_key != key]


def mentions_from_text(text: str, *, gazetteer: Gazetteer | None = None) -> list[Mention]:
    """Every place mention in ``text``, in order, each resolved or marked unresolved (``place`` None)."""
    gaz = gazetteer or load_gazetteer()
    spans = _candidate_spans(text, gaz)
    if not spans:
        return []
    starts = _sentence_starts(text)
    for span in spans:
        span.sentence = bisect.bisect_right(starts, span.start) - 1
    options = [_kind_filter(span) for span in spans]
    quality = [_match_quality(span, gaz) for span in spans]

    # Pass 1 uses priors only; its confident answers anchor pass 2, whose answers anchor pass 3 (a village
    # resolved next to a town then helps the hamlet named beside it).
    ranked = [_ranked(opts, [_prior(p) for p in opts], q) for opts, q in zip(options, quality)]
    previous_anchors = None
    for _ in range(2):
        by_sentence, article_anchors, regions_by_sentence = _anchors(spans, ranked, 0.6)
        if (by_sentence, regions_by_sentence) == previous_anchors:
            break  # nothing new to lean on: another pass would give the same answers
        previous_anchors = (by_sentence, regions_by_sentence)
        article_memo: dict[str, float] = {}
        centre = _article_centre([place for _, place in article_anchors])
        regions = set().union(*regions_by_sentence.values())
        new_ranked = []
        for span, opts, q, current in zip(spans, options, quality, ranked):
            if len(opts) == 1:
                new_ranked.append(current)
                continue
            # The sentence itself, then its neighbours: "…the Siverskyi Donets River. … areas of Hryhorivka".
            near = _others(by_sentence.get(span.sentence, []), span.key)
            beside = _others(by_sentence.get(span.sentence - 1, []) + by_sentence.get(span.sentence + 1, []), span.key)

            def article_term(place):
                if place.place_id not in article_memo:
                    article_memo[place.place_id] = _article_term(place, centre)
                return article_memo[place.place_id]
            regions_near = set().union(*(regions_by_sentence.get(span.sentence + d, ()) for d in (-1, 0, 1)))
            totals = [_prior(p) + _context(p, near, beside, article_term, regions_near, regions) for p in opts]
            new_ranked.append(_ranked(opts, totals, q)[:_MAX_CANDIDATES])
        ranked = new_ranked

    mentions = []
    for span, options_ranked in zip(spans, ranked):
        best, confidence = options_ranked[0]
        if span.settlement_cue and best.kind != "settlement":
            confidence *= 0.7
        resolved = best if confidence >= settings.MIN_SCORE else None
        mentions.append(Mention(span.surface, span.start, span.end, resolved, best.kind, round(confidence, 3),
                                tuple(options_ranked)))
    return mentions


def geocode(name: str, *, gazetteer: Gazetteer | None = None, limit: int = 10) -> tuple[Place | None,
                                                                                      list[tuple[Place, float]]]:
    """A free-text name (any spelling, "Kharkiv region", "Oskil river") → (best place or None, ranked candidates)."""
    gaz = gazetteer or load_gazetteer()
    cleaned = " ".join(name.split())
    hint = None
    words = cleaned.split(" ")
    if len(words) > 1 and normalize_name(words[-1]) in _REGION_WORDS:
        hint = "raion" if normalize_name(words[-1]) in ("district", "raion", "rayon") else "region"
        cleaned = " ".join(words[:-1])
    elif len(words) > 1 and normalize_name(words[-1]) == "river":
        hint, cleaned = "river", " ".join(words[:-1])
    hits = gaz.candidates(cleaned, fuzzy=True)
    if not hits:
        return None, []
    fuzzy = hits[0][1]
    span = _Span(0, len(cleaned), cleaned, normalize_name(cleaned), fuzzy, tuple(p for p, _ in hits), hint)
    opts = _kind_filter(span)
    others = tuple(p for p in span.places if p not in opts)
    ranked = _ranked(opts, [_prior(p) for p in opts], _match_quality(span, gaz))
    ranked += [(p, 0.0) for p in others]
    ranked = ranked[:limit]
    best, confidence = ranked[0]
    return (best if confidence >= settings.MIN_SCORE else None), ranked
