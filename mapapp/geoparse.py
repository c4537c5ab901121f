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
import weakref
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


@dataclass(frozen=True, slots=True)
class _Piece:
    """A place name inside one capitalised token, with what its checks need (computed once per distinct token)."""
    offset: int
    surface: str
    key: str
    places: tuple[Place, ...]
    fuzzy: bool
    all_countries: bool
    has_river: bool
    has_other_kinds: bool   # a region, river, country… besides settlements: "the town of X" then matters
    big: bool               # a city or country too well known to be a person's name
    word_like: bool         # an English word too ("Mir"): needs a cue before it


def _pieces(word: str, gaz: Gazetteer) -> tuple[str, tuple[_Piece, ...]]:
    """(the token's matching key, the place names in the token). Pure: memoised per gazetteer."""
    surface = _POSSESSIVE.sub("", word)
    key = normalize_name(surface)
    if key in gaz or "-" not in surface:
        parts = [(0, surface, key)]
    else:  # a compound: Moscow-backed, pro-Moscow, Izyum-Kupiansk
        parts, offset = [], 0
        for part in surface.split("-"):
            if part[:1].isupper():
                parts.append((offset, part, normalize_name(part)))
            offset += len(part) + 1
    pieces = []
    for offset, part, part_key in parts:
        piece = _piece(offset, part, part_key, gaz)
        if piece is not None:
            pieces.append(piece)
    return key, tuple(pieces)


def _piece(offset: int, surface: str, key: str, gaz: Gazetteer) -> _Piece | None:
    if not key or key in _NEVER_PLACES or len(key) < 3:
        return None
    places, fuzzy = gaz.resolve_key(key)
    if not places or (fuzzy and surface.isupper()):
        return None
    big = any(p.kind == "country" or (p.kind == "settlement" and (
        p.population >= 1_000_000 or (p.theater and p.population >= 100_000))) for p in places)
    return _Piece(offset, surface, key, places, fuzzy, all(p.kind == "country" for p in places),
                  any(p.kind == "river" for p in places), any(p.kind != "settlement" for p in places), big,
                  key in gaz.word_like)


_PIECES_CACHE: "weakref.WeakKeyDictionary[Gazetteer, dict]" = weakref.WeakKeyDictionary()


def _candidate_spans(text: str, gaz: Gazetteer) -> list[_Span]:
    memo = _PIECES_CACHE.setdefault(gaz, {})
    matches = list(_TOKEN.finditer(text))
    words = [m.group() for m in matches]
    spans: list[_Span] = []
    prefixes = gaz.prefixes
    i, count = 0, len(matches)
    while i < count:
        info = memo.get(words[i])
        if info is None:
            info = _pieces(words[i], gaz)
            if len(memo) < 500_000:
                memo[words[i]] = info
        key, pieces = info
        start = matches[i].start()
        consumed = 1
        if key in prefixes:
            # Longest multi-word name first: "Ruska Lozova", "Staryi Saltiv", "Siverskyi Donets".
            probe, j, best = key, i, None
            while j + 1 < count and text[matches[j].end():matches[j + 1].start()] in (" ", "\u00a0"):
                j += 1
                following = memo.get(words[j]) or _pieces(words[j], gaz)
                probe = f"{probe} {following[0]}"
                if probe in gaz:
                    best = j
                if probe not in prefixes:
                    break
            if best is not None:
                surface = _POSSESSIVE.sub("", text[start:matches[best].end()])
                piece = _piece(0, surface, normalize_name(surface), gaz)
                if piece is not None:
                    pieces, consumed = (piece,), best - i + 1
        for piece in pieces:
            span = _span_in_context(piece, start + piece.offset, text, gaz)
            if span is not None:
                spans.append(span)
        i += consumed
    return spans


def _span_in_context(piece: _Piece, start: int, text: str, gaz: Gazetteer) -> _Span | None:
    """The words around a name decide its kind ("Donetsk region"), or that it is no place at all ("Oleh Synie…")."""
    end = start + len(piece.surface)
    span = _Span(start, end, piece.surface, piece.key, piece.fuzzy, piece.places)
    if piece.all_countries:
        return span  # "Ukraine", "Russia": the most frequent names, and never a person or a river
    after = text[end:end + 40]
    before = text[max(0, start - 40):start]
    region = _REGION_AFTER.match(after)
    if region:
        span.kind_hint = "raion" if region.group(2) else "region"
    elif piece.has_river and (_RIVER_NEAR_AFTER.match(after) or _RIVER_NEAR_BEFORE.search(before)):
        span.kind_hint = "river"
    if piece.has_other_kinds:
        span.settlement_cue = bool(_SETTLEMENT_BEFORE.search(before))
    if not span.kind_hint and not piece.big and _looks_like_person(before, after, gaz):
        return None
    if piece.word_like:
        if piece.key in gaz.common_words:
            span.locative = bool(_LOCATIVE_BEFORE.search(before))
            if not (span.locative or span.kind_hint or span.settlement_cue):
                return None
        if not span.kind_hint and _is_sentence_initial(text, start) and all(_small(p) for p in piece.places):
            # "Plus, they..." — a hamlet sharing a word that opens a sentence needs more than capitalisation.
            return None
    return span


def _small(place: Place) -> bool:
    return place.kind == "settlement" and place.population < 5_000


_FOLLOWER = re.compile(rf"[ \u00a0]([{_UPPER}][a-z’'ʼ]+)")


def _looks_like_person(before: str, after: str, gaz: Gazetteer) -> bool:
    """ "Oleh Syniehubov", "governor Haidai": a place name standing where a person's name stands."""
    if _TITLE_BEFORE.search(before[-30:]):
        return True
    follower = _FOLLOWER.match(after)
    if follower:
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


def _distance_latlon_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance: within 0.5% of the great-circle distance at the few hundred kilometres that
    matter here, and several times cheaper."""
    dx = (lon2 - lon1) * math.cos(math.radians((lat1 + lat2) * 0.5))
    dy = lat2 - lat1
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


_TEMPERATURE = 0.06       # softmax temperature over candidate scores: 0.06 apart ≈ e times likelier
_NEAR_WEIGHT, _BESIDE_WEIGHT, _ARTICLE_WEIGHT = 0.55, 0.3, 0.35
_NEAR_SCALE_KM, _ARTICLE_SCALE_KM = 60.0, 150.0
_REGION_NEAR_BONUS, _REGION_BONUS = 0.25, 0.08
_APPROXIMATE_FLOOR_KM = 8.0  # a village placed at its hromada's seat is only somewhere near the town it is compared with
# Same-sentence closeness is computed only for readings in the 3×3 grid cells of 2° around an anchor: beyond
# ~150 km it is worth < 0.05 and is left out.
_CELL_DEG = 2.0
_MAX_ANCHORS = 60
_MAX_CANDIDATES = 10
_ANCHOR_CONFIDENCE = 0.6
_DECIDED = 0.97  # prior-only confidence above which context is not computed


class _Options:
    """The readings a name can have (after the kind filter), with what scoring needs precomputed once."""

    __slots__ = ("places", "prior", "floor", "cells", "by_admin1", "first", "quality", "scored", "distances")

    def __init__(self, places: tuple[Place, ...], quality: float):
        self.places = places
        self.quality = quality
        self.distances: dict[str, tuple[tuple[int, float], ...]] = {}  # anchor place_id → nearby readings, km
        self.prior = [_prior(p) for p in places]
        self.floor = [_APPROXIMATE_FLOOR_KM if p.approximate else 0.0 for p in places]
        self.cells: dict[tuple[int, int], list[int]] = {}
        self.by_admin1: dict[str, list[int]] = {}
        for i, place in enumerate(places):
            self.cells.setdefault((int(place.lat // _CELL_DEG), int(place.lon // _CELL_DEG)), []).append(i)
            if place.admin1:
                self.by_admin1.setdefault(place.admin1, []).append(i)
        self.scored = _Scored(self, list(self.prior))
        self.first = self.scored.ranking({})

    def near_indices(self, lat: float, lon: float, reach: int = 1):
        """Readings in the grid cells around a point (all of them when there are few)."""
        if len(self.places) <= (2 * reach + 1) ** 2:
            return range(len(self.places))
        cy, cx = int(lat // _CELL_DEG), int(lon // _CELL_DEG)
        found = []
        for dy in range(-reach, reach + 1):
            for dx in range(-reach, reach + 1):
                found.extend(self.cells.get((cy + dy, cx + dx), ()))
        return found


class _Scored:
    """Base scores of a name's readings for one article pass, with their softmax normaliser, so that a mention's
    own evidence (a few nearby readings) updates the distribution without touching the other readings."""

    __slots__ = ("options", "scores", "top_score", "total", "order")

    def __init__(self, options: _Options, scores: list[float]):
        self.options = options
        self.scores = scores
        self.top_score = max(scores)
        self.total = sum(math.exp((s - self.top_score) / _TEMPERATURE) for s in scores)
        self.order = sorted(range(len(scores)), key=lambda i: -scores[i])

    def ranking(self, added: dict[int, float]) -> list[tuple[Place, float]]:
        """(place, confidence) best first, at most ``_MAX_CANDIDATES``: softmax of base + ``added`` scores."""
        places, scores, quality = self.options.places, self.scores, self.options.quality
        if len(places) == 1:
            return [(places[0], quality)]
        top, total = self.top_score, self.total
        if added:
            new = {i: scores[i] + a for i, a in added.items()}
            new_top = max(top, max(new.values()))
            total *= math.exp((top - new_top) / _TEMPERATURE)
            for i, value in new.items():
                total += math.exp((value - new_top) / _TEMPERATURE) - math.exp((scores[i] - new_top) / _TEMPERATURE)
            top = new_top
            unchanged = [i for i in self.order[:_MAX_CANDIDATES + len(new)] if i not in new]
            candidates = sorted([(new[i], i) for i in new] + [(scores[i], i) for i in unchanged],
                                key=lambda item: -item[0])[:_MAX_CANDIDATES]
        else:
            candidates = [(scores[i], i) for i in self.order[:_MAX_CANDIDATES]]
        return [(places[i], math.exp((value - top) / _TEMPERATURE) / total * quality) for value, i in candidates]


_OPTIONS_CACHE: "weakref.WeakKeyDictionary[Gazetteer, dict]" = weakref.WeakKeyDictionary()


def _options_for(span: _Span, gaz: Gazetteer) -> _Options:
    """Memoised per gazetteer: a corpus names the same places over and over."""
    cache = _OPTIONS_CACHE.setdefault(gaz, {})
    quality = _match_quality(span, gaz)
    memo_key = (span.key, span.kind_hint, quality)
    options = cache.get(memo_key)
    if options is None:
        options = _Options(_kind_filter(span), quality)
        if len(cache) < 200_000:
            cache[memo_key] = options
    return options


def _match_quality(span: _Span, gaz: Gazetteer) -> float:
    quality = 0.98
    if span.fuzzy:
        quality *= 0.8
    if span.key in gaz.common_words:
        quality *= 0.75
    return quality


def _anchors(spans: list[_Span], ranked: list[list[tuple[Place, float]]]):
    """Confident answers in the theater, by sentence and for the article, with the oblasts the article names."""
    by_sentence: dict[int, list[tuple[str, Place]]] = {}
    places: dict[str, Place] = {}
    regions: dict[int, set[str]] = {}
    for span, options in zip(spans, ranked):
        best, confidence = options[0]
        if best.kind == "region" and best.admin1:
            regions.setdefault(span.sentence, set()).add(best.admin1)
        if confidence >= _ANCHOR_CONFIDENCE and best.kind in ("settlement", "region", "river") and best.theater:
            by_sentence.setdefault(span.sentence, []).append((span.key, best))
            places.setdefault(best.place_id, best)
    return by_sentence, list(places.values())[:_MAX_ANCHORS], regions


def _article_centre(anchors: list[Place]) -> tuple[float, float] | None:
    """(lat, lon) the article is about: the median latitude and longitude of its anchors (robust to a stray
    Moscow)."""
    if not anchors:
        return None
    mid = len(anchors) // 2
    return sorted(a.lat for a in anchors)[mid], sorted(a.lon for a in anchors)[mid]


def _article_closeness(options: _Options, centre: tuple[float, float] | None) -> dict[int, float]:
    """Closeness of each reading to the article's centre (readings within ~300 km; further ones get < 0.05)."""
    if centre is None:
        return {}
    lat, lon = centre
    places = options.places
    return {i: _ARTICLE_WEIGHT * math.exp(-_distance_latlon_km(places[i].lat, places[i].lon, lat, lon)
                                          / _ARTICLE_SCALE_KM)
            for i in options.near_indices(lat, lon, reach=2)}


def _distances_to(options: _Options, anchor: Place) -> tuple[tuple[int, float], ...]:
    """(reading, km) for the readings of a name near an anchor; memoised: the same towns anchor many articles."""
    found = options.distances.get(anchor.place_id)
    if found is None:
        places, floor = options.places, options.floor
        found = tuple((i, max(floor[i], _distance_latlon_km(places[i].lat, places[i].lon, anchor.lat, anchor.lon)))
                      for i in options.near_indices(anchor.lat, anchor.lon) if places[i] is not anchor)
        if len(options.distances) < 2_000:
            options.distances[anchor.place_id] = found
    return found


def _add_closeness(added: dict[int, float], options: _Options, anchors: list[Place], weight: float) -> None:
    """Add ``weight``·exp(−d/60 km) for each reading's nearest anchor (only readings near some anchor)."""
    if not anchors:
        return
    nearest: dict[int, float] = {}
    for anchor in anchors:
        for i, d in _distances_to(options, anchor):
            if d < nearest.get(i, math.inf):
                nearest[i] = d
    for i, d in nearest.items():
        added[i] = added.get(i, 0.0) + weight * math.exp(-d / _NEAR_SCALE_KM)


def _add_region_bonus(added: dict[int, float], options: _Options, regions_near: set[str], regions: set[str]) -> None:
    for admin1 in regions:
        bonus = _REGION_NEAR_BONUS if admin1 in regions_near else _REGION_BONUS
        for i in options.by_admin1.get(admin1, ()):
            added[i] = added.get(i, 0.0) + bonus


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
    options = [_options_for(span, gaz) for span in spans]

    # Pass 1 uses priors only; its confident answers anchor pass 2. Pass 3 revisits only the mentions pass 2
    # left unsure, now that more places are settled (a village resolved next to a town helps the hamlet beside it).
    ranked = [opts.first for opts in options]
    # A name whose best reading is already near-certain from priors alone (the capital, not a hamlet of the same
    # name) is not worth the context: no article's evidence could turn it.
    todo = [i for i, opts in enumerate(options) if len(opts.places) > 1 and opts.first[0][1] < _DECIDED]
    previous_anchors = None
    for _ in range(2):
        by_sentence, article_anchors, regions_by_sentence = _anchors(spans, ranked)
        if not todo or (by_sentence, regions_by_sentence) == previous_anchors:
            break  # nothing new to lean on: another pass would give the same answers
        previous_anchors = (by_sentence, regions_by_sentence)
        centre = _article_centre(article_anchors)
        regions = set().union(*regions_by_sentence.values())
        article_terms: dict[int, dict[int, float]] = {}
        new_ranked = list(ranked)
        for i in todo:
            span, opts = spans[i], options[i]
            article_term = article_terms.get(id(opts))
            if article_term is None:
                article_term = article_terms[id(opts)] = _article_closeness(opts, centre)
            added = dict(article_term)
            # The sentence itself, then its neighbours: "…the Siverskyi Donets River. … areas of Hryhorivka".
            _add_closeness(added, opts, _others(by_sentence.get(span.sentence, []), span.key), _NEAR_WEIGHT)
            _add_closeness(added, opts, _others(by_sentence.get(span.sentence - 1, []) +
                                                by_sentence.get(span.sentence + 1, []), span.key), _BESIDE_WEIGHT)
            if regions:
                regions_near = set().union(*(regions_by_sentence.get(span.sentence + d, ()) for d in (-1, 0, 1)))
                _add_region_bonus(added, opts, regions_near, regions)
            new_ranked[i] = opts.scored.ranking(added)
        ranked = new_ranked
        todo = [i for i in todo if ranked[i][0][1] < _ANCHOR_CONFIDENCE]

    min_score = settings.MIN_SCORE
    mentions = []
    for span, options_ranked in zip(spans, ranked):
        best, confidence = options_ranked[0]
        if span.settlement_cue and best.kind != "settlement":
            confidence *= 0.7
        resolved = best if confidence >= min_score else None
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
    options = _Options(_kind_filter(span), _match_quality(span, gaz))
    others = tuple(p for p in span.places if p not in options.places)
    ranked = options.first + [(p, 0.0) for p in others]
    ranked = ranked[:limit]
    best, confidence = ranked[0]
    return (best if confidence >= settings.MIN_SCORE else None), ranked
