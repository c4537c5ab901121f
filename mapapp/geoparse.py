"""Geoparsing: find the places an article names and resolve each to one gazetteer place, or say it cannot.

Recognition is a scan of capitalised words against the gazetteer's name index (longest match first, possessives
and hyphenated compounds split, one spelling mistake tolerated for well-known places). Resolution among namesakes
weighs each candidate's prior (population, being in the theater) against the article's own evidence: a named
oblast, and how close the candidate lies to the places the same sentence and the whole article name.

For speed, recognition learns each distinct word once (per gazetteer) and looks only at the words that may be names;
resolution scores every reading of every ambiguous mention of an article at once, as numpy columns
(``_Resolver``), instead of one reading at a time. Memos hold positions in ``gaz.places`` rather than Place objects,
so that the garbage collector has little to walk; the one exception, a reading set's prior-only answer
(``_prior_tail``), holds the candidates tuple its mentions share.

``mentions_from_text`` runs in C when ``mapapp/_fastparse.c`` is built (``python -m mapapp.fastbuild``; ``make``
does it): the same rules and the same answers to the last bit, four to six times faster. The code below stays the
reference and the fallback, and ``tests/test_fastparse.py`` holds the two equal: a rule changed here must be
changed there too.
"""

from __future__ import annotations

import bisect
import math
import os
import re
import warnings
from collections import ChainMap
from dataclasses import dataclass, fields
from functools import reduce
from itertools import compress
from operator import add, and_, attrgetter, itemgetter, methodcaller, or_

import numpy as np

from mapapp import fastbuild, settings
from mapapp import gazetteer as gazetteer_module
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


_MENTION_FIELDS = ("surface", "start", "end", "place", "kind", "score", "candidates")
assert tuple(f.name for f in fields(Mention)) == _MENTION_FIELDS
# ``Mention(...)`` about twice as fast (``mentions_from_text``): the frozen dataclass's ``__init__`` sets each field
# through ``object.__setattr__``; these set the slots directly (Mention has no ``__post_init__``).
_MENTION_SETTERS = tuple(Mention.__dict__[name].__set__ for name in _MENTION_FIELDS)


# ------------------------------------------------------------------------------------------------------------
# Tokens

_UPPER = "".join(chr(c) for c in range(0x41, 0x530) if chr(c).isupper() and chr(c).isalpha())
_WORD_CHARS = r"\w’'ʼ´`"
# A capitalised word, with apostrophes and hyphens inside (Kup’yans’k, Rostov-on-Don), or a "pro-"/"anti-" prefix
# before one (pro-Moscow); initialisms with dots (U.S.).
_TOKEN = re.compile(
    rf"(?<![\w’'ʼ])(?:(?:[A-Z]\.){{2,}}|(?:(?:pro|anti|ex)-)?[{_UPPER}][{_WORD_CHARS}]*(?:-[{_WORD_CHARS}]+)*)")
# ``_TOKEN`` rewritten to open with the character class of a token's first letter, so that the regex engine skips
# ahead to the next such letter instead of trying the whole pattern at every character (the same matches: the
# look-behind now looks past that first letter). Without "pro-", "anti-" or "ex-" in a text, only capitals open one.
_TOKEN_ANY = re.compile(
    rf"[{_UPPER}pae](?<![\w’'ʼ][{_UPPER}pae])(?:(?<=[A-Z])\.(?:[A-Z]\.)+"
    rf"|(?:(?<=p)ro|(?<=a)nti|(?<=e)x)-[{_UPPER}][{_WORD_CHARS}]*(?:-[{_WORD_CHARS}]+)*"
    rf"|(?<=[{_UPPER}])[{_WORD_CHARS}]*(?:-[{_WORD_CHARS}]+)*)")
_TOKEN_CAPITAL = re.compile(
    rf"[{_UPPER}](?<![\w’'ʼ][{_UPPER}])(?:(?<=[A-Z])\.(?:[A-Z]\.)+|[{_WORD_CHARS}]*(?:-[{_WORD_CHARS}]+)*)")
_POSSESSIVE = re.compile(r"(?:['’ʼ]s|s['’ʼ]|['’ʼ])$")
_POSSESSIVE_ENDS = ("s", "'", "’", "ʼ")  # what a word ``_POSSESSIVE`` changes ends with (words hold no newline)
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’»)\]]*(?=\s)|\n")
# The same, opening with the class of its first character (see ``_TOKEN_ANY``).
_SENTENCE_END_FAST = re.compile(r"[.!?…\n](?:(?<=\n)|(?<=[.!?…])[.!?…]*[\"”’»)\]]*(?=\s))")


def _tokens(text: str) -> list[re.Match]:
    """``_TOKEN.finditer(text)``, faster."""
    if "pro-" in text or "anti-" in text or "ex-" in text:
        return list(_TOKEN_ANY.finditer(text))
    return list(_TOKEN_CAPITAL.finditer(text))

# Matched at the end of a name with ``match(text, end, end + 40)``: as on ``text[end:end + 40]``.
_REGION_AFTER = re.compile(
    r"\s*(?:(region|regions|oblast|oblasts|province|governorate|people[’']?s republic)"
    r"|(district|raion|rayon))\b", re.IGNORECASE)
_RIVER_NEAR_AFTER = re.compile(r"\s*(?:river|riverbank|river's|river’s)\b", re.IGNORECASE)
# "the Oskil river", "the river Dnipro", and "across the Dnipro", "the left bank of the Dnipro": a name that is also
# a city is the river there (a city takes no article in English).
_RIVER_NEAR_BEFORE = re.compile(r"\b(?:rivers?|(?:across|along|crossing|crossed|cross|over|banks?\s+of|bridges?\s+on)"
                                r"\s+the)\s*$", re.IGNORECASE)
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
    """A name as ``geocode`` reads it (``mentions_from_text`` keeps its names as tuples: see ``_candidate_spans``)."""
    start: int
    end: int
    surface: str
    key: str
    fuzzy: bool
    rows: tuple[int, ...]              # the places of that name: positions in ``gaz.places``
    kind_hint: str | None = None       # "region", "raion", "river" from the words around it


def _sentence_starts(text: str) -> list[int]:
    return [0, *map(_MATCH_END, _SENTENCE_END_FAST.finditer(text))]


def _is_sentence_initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t\r\"“‘'([«—–-":
        i -= 1
    return i < 0 or text[i] in ".!?…\n:;>”’"


@dataclass(slots=True)
class _Piece:
    """A place name inside one capitalised token, with what its checks need (computed once per distinct token).
    Places are held as positions in ``gaz.places``: memoised for the whole corpus, a piece then holds nothing the
    garbage collector has to walk."""
    offset: int
    surface: str
    key: str
    rows: tuple[int, ...]
    fuzzy: bool
    all_countries: bool
    has_river: bool
    has_other_kinds: bool   # a region, river, country… besides settlements: "the town of X" then matters
    big: bool               # a city or country too well known to be a person's name
    word_like: bool         # an English word too ("Mir"): needs a cue before it
    all_small: bool         # every place a settlement under 5,000 people
    quality: float          # how well the name matches (``_match_quality``)
    bits: int               # the flags above as bits (``_COUNTRY``…), for the compiled code
    plain: _Options | None = None   # its readings when the words around give no kind hint, once first needed


def _pieces(word: str, gaz: Gazetteer) -> tuple[str, tuple[_Piece, ...]]:
    """(the token's matching key, the place names in the token). Pure: memoised per gazetteer."""
    surface = _POSSESSIVE.sub("", word) if word.endswith(_POSSESSIVE_ENDS) else word
    key = normalize_name(surface)
    if "-" not in surface or key in gaz.name_keys:
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
    rows, fuzzy = gaz.resolve_key_ids(key)
    if not rows or (fuzzy and surface.isupper()):
        return None
    flags = _state(gaz).place_flags(gaz)
    if len(rows) == 1:  # most names
        some = every = flags[rows[0]]
    else:
        some = reduce(or_, map(flags.__getitem__, rows))
        every = reduce(and_, map(flags.__getitem__, rows))
    bits = (every & _EVERY) | (some & _SOME) | (_WORD_LIKE if key in gaz.word_like else 0)
    return _Piece(offset, surface, key, rows, fuzzy, bool(bits & _COUNTRY), bool(bits & _RIVER),
                  bool(bits & _NOT_SETTLEMENT), bool(bits & _BIG), bool(bits & _WORD_LIKE), bool(bits & _SMALL),
                  _quality(key, fuzzy, gaz), bits)


# What ``_piece`` asks of a name's places, as bits per place: any (``_SOME``) or every (``_EVERY``) of them… With
# ``_WORD_LIKE`` for the name itself, these are ``_Piece.bits`` (``BIT_…`` in _fastparse.c).
_COUNTRY, _RIVER, _NOT_SETTLEMENT, _BIG, _WORD_LIKE, _SMALL = 1, 2, 4, 8, 16, 32
_EVERY, _SOME = _COUNTRY | _SMALL, _RIVER | _NOT_SETTLEMENT | _BIG


def _place_flags(place: Place) -> int:
    big = place.kind == "country" or (place.kind == "settlement" and (
        place.population >= 1_000_000 or (place.theater and place.population >= 100_000)))
    return ((_COUNTRY if place.kind == "country" else 0) | (_RIVER if place.kind == "river" else 0)
            | (_NOT_SETTLEMENT if place.kind != "settlement" else 0) | (_BIG if big else 0)
            | (_SMALL if _small(place) else 0))


_MATCH_TEXT = itemgetter(0)
_MATCH_END = methodcaller("end")
_MEMO_LIMIT = 500_000
_OPTIONS_MEMO_LIMIT = 200_000


class _Recognizer:
    """What recognition learns once per distinct word, for one gazetteer: the word's key and the place names in
    it, whether it can be (or start) a name at all, and whether it reads as a person's surname after a name."""

    def __init__(self):
        self.words: dict[str, tuple[str, tuple[_Piece, ...]]] = {}
        self.names: set[str] = set()  # words holding a place name, or starting a multi-word one
        self.multi: dict[str, _Piece | None] = {}
        self.surname: dict[str, bool] = {}

    def learn(self, words, gaz: Gazetteer) -> tuple[dict, set]:
        """(word → (key, pieces), words that may be names) covering ``words``."""
        known, names = self.words, self.names
        unknown = set(words).difference(known)
        if not unknown:
            return known, names
        prefixes = gaz.prefixes
        if len(known) + len(unknown) > _MEMO_LIMIT:  # memo full: learn this text's new words for it alone
            known, names = ChainMap({}, known), set(names)
        for word in unknown:
            info = known[word] = _pieces(word, gaz)
            if info[1] or info[0] in prefixes:
                names.add(word)
        return known, names

    def multi_word(self, surface: str, gaz: Gazetteer) -> _Piece | None:
        piece = self.multi.get(surface, self)
        if piece is self:
            piece = _piece(0, surface, normalize_name(surface), gaz)
            if len(self.multi) < _MEMO_LIMIT:
                self.multi[surface] = piece
        return piece

    def is_surname(self, word: str, gaz: Gazetteer) -> bool:
        """A capitalised word after a name that is no place, nor "Region"…: "Oleh Syniehubov"."""
        found = self.surname.get(word)
        if found is None:
            key = normalize_name(word)
            found = key not in gaz and key not in _REGION_WORDS and key not in _NEVER_PLACES
            if len(self.surname) < _MEMO_LIMIT:
                self.surname[word] = found
        return found


def _candidate_spans(text: str, gaz: Gazetteer) -> list[tuple]:
    """The names in ``text`` the words around them allow, in order, each as (start, end, piece, kind hint,
    settlement cue): a tuple, cheaper to make than an object for every name of every article."""
    recognizer = _state(gaz).recognizer
    matches = _tokens(text)
    words = list(map(_MATCH_TEXT, matches))
    known, names = recognizer.learn(words, gaz)
    spans: list[tuple] = []
    append = spans.append
    prefixes, name_keys = gaz.prefixes, gaz.name_keys
    count = len(matches)
    resume = 0
    # Only the words that hold a place name, or may start one, need a look.
    for i in compress(range(count), map(names.__contains__, words)):
        if i < resume:
            continue  # inside a multi-word name already taken
        key, pieces = known[words[i]]
        start = matches[i].start()
        consumed = 1
        if key in prefixes:
            # Longest multi-word name first: "Ruska Lozova", "Staryi Saltiv", "Siverskyi Donets".
            probe, j, best = key, i, None
            while j + 1 < count and text[matches[j].end():matches[j + 1].start()] in (" ", "\u00a0"):
                j += 1
                probe = f"{probe} {known[words[j]][0]}"
                if probe in name_keys:
                    best = j
                if probe not in prefixes:
                    break
            if best is not None:
                piece = recognizer.multi_word(_POSSESSIVE.sub("", text[start:matches[best].end()]), gaz)
                if piece is not None:
                    pieces, consumed = (piece,), best - i + 1
        for piece in pieces:
            span = _span_in_context(piece, start + piece.offset, text, gaz, recognizer)
            if span is not None:
                append(span)
        resume = i + consumed
    return spans


def _span_in_context(piece: _Piece, start: int, text: str, gaz: Gazetteer, recognizer: _Recognizer) -> tuple | None:
    """The words around a name decide its kind ("Donetsk region"), or that it is no place at all ("Oleh Synie…"):
    (start, end, piece, kind hint, settlement cue), or None."""
    end = start + len(piece.surface)
    if piece.all_countries:
        # "Ukraine", "Russia": the most frequent names, and never a person or a river
        return start, end, piece, None, False
    kind_hint = None
    settlement_cue = False
    before = None
    # ``_REGION_AFTER`` and ``_FOLLOWER`` in one match: the first that fits, a region word or a capitalised word.
    after = _AFTER.match(text, end, end + 40)
    if after and after.group(3) is None:
        kind_hint = "raion" if after.group(2) else "region"
    elif text.startswith(" and ", end) and _AND_REGIONS.match(text, end, end + 60):
        kind_hint = "region"   # "the Dnipropetrovsk and Kharkiv regions"
    elif piece.has_river:
        before = text[max(0, start - 40):start]
        if _RIVER_NEAR_AFTER.match(text, end, end + 40) or _RIVER_NEAR_BEFORE.search(before):
            kind_hint = "river"
    if piece.has_other_kinds:
        if before is None:
            before = text[max(0, start - 40):start]
        # "…town of X": the pattern ends in "of" and spaces, which most contexts lack.
        settlement_cue = before.rstrip()[-2:].lower() == "of" and bool(_SETTLEMENT_BEFORE.search(before))
    if not kind_hint and text[max(0, start - 14):start].rstrip().endswith(_UNIT_BEFORE):
        return None
    if text[max(0, start - 10):start].endswith(_NAME_PART_BEFORE):
        return None   # "Malaya Loknya": the rest of a name the gazetteer lacks, not "Loknia"
    if not kind_hint and not piece.big:
        # ``_looks_like_person``: a title just before ("governor Haidai"), or a surname after ("Oleh Syniehubov").
        window = text[max(0, start - 30):start].rstrip()
        if window.endswith(_TITLE_ENDS) and _title_before(window):  # most names: no title (nor title and dot)
            return None
        follower = after.group(3) if after else None
        if follower is not None:
            surname = recognizer.surname.get(follower)
            if surname is None:
                surname = recognizer.is_surname(follower, gaz)
            if surname:
                return None
    if piece.word_like:
        if before is None:
            before = text[max(0, start - 40):start]
        if piece.key in gaz.common_words:
            # "in X", "near X", "the town of X": an everyday word needs one of them, or a kind hint.
            if not (kind_hint or settlement_cue or _LOCATIVE_BEFORE.search(before)):
                return None
        if not kind_hint and piece.all_small and _is_sentence_initial(text, start):
            # "Plus, they..." — a hamlet sharing a word that opens a sentence needs more than capitalisation.
            return None
    return start, end, piece, kind_hint, settlement_cue


def _small(place: Place) -> bool:
    return place.kind == "settlement" and place.population < 5_000


_AND_REGIONS = re.compile(r" and (?:the )?[A-ZА-ЯІЇЄҐ][\w’'ʼ-]+(?: [A-Z][\w’'ʼ-]+)? (?:regions|oblasts|provinces)\b")
_FOLLOWER = re.compile(rf"[ \u00a0]([{_UPPER}][a-z’'ʼ]+)")
_AFTER = re.compile(rf"(?i:{_REGION_AFTER.pattern})|{_FOLLOWER.pattern}")
_TITLES = ("President", "Minister", "General", "Colonel", "Major", "Captain", "Lieutenant", "Sergeant", "Mr", "Mrs",
           "Ms", "Dr", "spokesman", "spokeswoman", "spokesperson", "governor", "mayor", "commander", "adviser",
           "advisor", "named", "Saint", "St")
# A unit named after a place or a direction is no place, however big: "Battlegroup Vostok", "the Dnepr group".
# The first word of a two-word name ("Malaya Loknya", "Velyka …"): when the whole is unknown, its second word alone
# is not the place.
_NAME_PART_BEFORE = tuple(f"{word} " for word in ("Malaya", "Bolshaya", "Velikaya", "Novaya", "Staraya", "Malyi",
                                                  "Malyy", "Velykyi", "Mala", "Velyka", "Nova", "Stara", "Verkhnia",
                                                  "Nyzhnia", "Verkhnyaya", "Nizhnyaya", "Krasnaya"))
_UNIT_BEFORE = ("Battlegroup", "battlegroup", "Battle Group", "battle group", "Group", "group", "Grouping",
                "grouping")


def _title_before(before: str) -> bool:
    """``_TITLE_BEFORE.search(before)``: a title, then perhaps a dot, then spaces, at the end."""
    stripped = before.rstrip()
    for text in (stripped, stripped[:-1] if stripped.endswith(".") else ""):
        if text.endswith(_TITLES):
            for title in _TITLES:
                if text.endswith(title):
                    at = len(text) - len(title)
                    if at == 0 or not (text[at - 1].isalnum() or text[at - 1] == "_"):
                        return True
    return False


# What a text before a name that ``_title_before`` accepts must end with (after ``rstrip``): a title, or one and a dot.
_TITLE_ENDS = _TITLES + tuple(f"{title}." for title in _TITLES)


# ------------------------------------------------------------------------------------------------------------
# Resolution

def _kind_filter(rows: tuple[int, ...], kind_hint: str | None, places: list[Place]) -> tuple[int, ...]:
    """The readings the words around a name allow ("Kharkiv region": the oblast), as positions in ``places``."""
    if kind_hint in ("region", "raion"):
        regions = [r for r in rows if places[r].kind == "region"]
        if regions:
            if kind_hint == "raion":
                raions = [r for r in regions if places[r].name.endswith("Raion")]
                return tuple(raions or regions)
            oblasts = [r for r in regions if not places[r].name.endswith("Raion")]
            return tuple(oblasts or regions)
    if kind_hint == "river":
        rivers = [r for r in rows if places[r].kind == "river"]
        if rivers:
            return tuple(rivers)
    settlements = [r for r in rows if places[r].kind == "settlement"]
    if settlements:
        return tuple(settlements)
    # A bare region name that is not also a settlement ("Donbas", "Crimea"), a country, a river: oblasts before raions.
    return tuple(sorted(rows, key=lambda r: places[r].name.endswith("Raion")))


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
_FEW_FOR_CENTRE, _FEW_FOR_ANCHOR = 25, 9  # a name with this few readings has each one scored, wherever they lie
_MAX_CANDIDATES = 10
_ANCHOR_CONFIDENCE = 0.6
_DECIDED = 0.97  # prior-only confidence above which context is not computed


class _Options:
    """The readings a name can have (after the kind filter) and their prior-only ranking, as positions in
    ``gaz.places`` (memoised for the corpus: nothing in it for the garbage collector to walk)."""

    __slots__ = ("rows", "quality", "gids", "first_rows", "first_confidence", "tail")

    def __init__(self, rows: tuple[int, ...], quality: float, prior: list[float], compiled=None):
        """``compiled``: the compiled module's columns, to rank with (the same answer, faster)."""
        self.rows = rows
        self.quality = quality
        self.gids = None  # ``rows`` as a numpy array, made when a resolver first needs it (``_Block``)
        self.tail = None  # what a mention with the prior-only ranking holds (``_prior_tail``), once first needed
        if len(rows) == 1:
            self.first_rows, self.first_confidence = rows, (quality,)
            return
        if compiled is not None:
            self.first_rows, self.first_confidence = _FAST.first_ranking(compiled, rows, quality)
            return
        # Softmax of the priors (the ranking without any evidence from the article), best first.
        scores = [prior[row] for row in rows]
        top = max(scores)
        weights = [math.exp((s - top) / _TEMPERATURE) for s in scores]
        total = reduce(add, weights)  # in order (sum() compensates from Python 3.12 on)
        # Best first, ties in the gazetteer's order (``reverse`` keeps a sort stable).
        order = sorted(range(len(scores)), key=scores.__getitem__, reverse=True)[:_MAX_CANDIDATES]
        self.first_rows = tuple(rows[i] for i in order)
        self.first_confidence = tuple(weights[i] / total * quality for i in order)

    def first(self, gaz: Gazetteer) -> list[tuple[Place, float]]:
        return list(zip(map(gaz.places.__getitem__, self.first_rows), self.first_confidence))


def _prior_tail(options: _Options, places: list[Place], min_score: float) -> tuple:
    """(min_score, place or None, kind, score, candidates) of a mention that keeps the prior-only ranking of its
    readings and has no "town of" cue: the same for every such mention of the name, so made once and shared
    (the candidates tuple too: the mentions of a long text then share it instead of each holding a copy)."""
    rows, confidences = options.first_rows, options.first_confidence
    best, confidence = places[rows[0]], confidences[0]
    return (min_score, best if confidence >= min_score else None, best.kind, round(confidence, 3),
            tuple(zip(map(places.__getitem__, rows), confidences)))


# A grid cell as one integer, cell_y·512 + cell_x (cells of 2°: |cell_y| ≤ 45, |cell_x| ≤ 90, so two cells' columns
# differ by less than 256 and the difference of their codes tells rows and columns apart), shifted so that a code minus
# another indexes the ``_WINDOW`` tables.
_CODE_ROW = 512
_CODE_SHIFT = 92 * _CODE_ROW + 256


def _window(reach: int):
    """Code differences (shifted) of two cells at most ``reach`` rows and columns apart."""
    table = np.zeros(2 * _CODE_SHIFT + 1, dtype=bool)
    for dy in range(-reach, reach + 1):
        for dx in range(-reach, reach + 1):
            table[_CODE_SHIFT + dy * _CODE_ROW + dx] = True
    return table


_WINDOW_ANCHOR, _WINDOW_CENTRE = _window(1), _window(2)


class _Columns:
    """The gazetteer's places as numeric columns (index = position in ``gaz.places``): latitude, longitude, grid
    cell, prior, distance floor, oblast code, whether a confident answer there anchors the others, so that a whole
    article's readings are scored at once with numpy instead of one reading at a time."""

    def __init__(self, gaz: Gazetteer):
        places = gaz.places
        self._places = places
        self._row: dict[int, int] | None = None
        self.lat = np.fromiter(map(attrgetter("lat"), places), dtype=np.float64, count=len(places))
        self.lon = np.fromiter(map(attrgetter("lon"), places), dtype=np.float64, count=len(places))
        # int(lat // _CELL_DEG): numpy's floor division of floats is Python's.
        self.code = (np.floor_divide(self.lat, _CELL_DEG).astype(np.intp) * _CODE_ROW
                     + np.floor_divide(self.lon, _CELL_DEG).astype(np.intp))
        self.prior_list = list(map(_prior, places))
        self.prior = np.array(self.prior_list, dtype=np.float64)
        self.floor = np.array([_APPROXIMATE_FLOOR_KM if p.approximate else 0.0 for p in places], dtype=np.float64)
        codes: dict[str, int] = {}
        self.admin1 = np.array([codes.setdefault(p.admin1, len(codes)) if p.admin1 else -1 for p in places],
                               dtype=np.intp)
        self.admin1_code = codes
        # An oblast (or raion) named: its admin1 code, else −1.
        self.region = np.where([p.kind == "region" for p in places], self.admin1, -1)
        self.anchors = np.array([p.kind in ("settlement", "region", "river") and p.theater for p in places], dtype=bool)
        first_of_id: dict[str, int] = {}
        self.same_id = np.array([first_of_id.setdefault(p.place_id, i) for i, p in enumerate(places)], dtype=np.intp)
        self._compiled = None

    def compiled(self, fast, place_flags: list[int]):
        """These columns and the places' flags (``_State.place_flags``) as the compiled module's C arrays, made on
        first use."""
        if self._compiled is None:
            cell_y = np.floor_divide(self.lat, _CELL_DEG).astype(np.intp)
            cell_x = np.floor_divide(self.lon, _CELL_DEG).astype(np.intp)
            flags = np.array(place_flags, dtype=np.intp)
            self._compiled = fast.columns(len(self._places), self.lat, self.lon, self.prior, self.floor, cell_y, cell_x,
                                          self.admin1, self.region, self.same_id, self.anchors, flags,
                                          len(self.admin1_code))
        return self._compiled

    @property
    def row(self) -> dict[int, int]:
        """id(place) → its position in ``gaz.places`` (``geocode``), made on first use."""
        if self._row is None:
            self._row = {id(p): i for i, p in enumerate(self._places)}
        return self._row


class _State:
    """What the geoparser derives from one gazetteer and keeps for as long as the gazetteer lives (in
    ``gaz.derived``): its numeric columns, built on first use, and the memos of recognition and of readings."""

    def __init__(self):
        self._columns: _Columns | None = None
        self._flags: list[int] | None = None
        self.recognizer = _Recognizer()
        self.options: dict[tuple[str, str | None, float], _Options] = {}
        self._context: tuple | None = None

    def compiled_context(self, gaz: Gazetteer, fast) -> tuple:
        """What ``_fastparse.parse`` reads and calls, in the order of its ``CX_…`` names: the memos and the regular
        expressions of this module, so that the compiled code answers as the Python code does."""
        if self._context is None:
            recognizer = self.recognizer
            self._context = (
                self.columns(gaz).compiled(fast, self.place_flags(gaz)), recognizer.words, recognizer.names,
                lambda words: recognizer.learn(words, gaz), gaz.prefixes, gaz._index, recognizer.surname,
                lambda word: recognizer.is_surname(word, gaz), _AFTER.match, _AND_REGIONS.match,
                _RIVER_NEAR_AFTER.match, _RIVER_NEAR_BEFORE.search, _SETTLEMENT_BEFORE.search,
                _LOCATIVE_BEFORE.search, _title_before, gaz.common_words,
                lambda piece, hint: _piece_options(piece, hint, gaz, self), gaz.places, Mention,
                _setters(Mention, _MENTION_FIELDS), _DECIDED,
                # learning a new word
                normalize_name, gaz.resolve_key_ids, _NEVER_PLACES, gaz.word_like, _Piece,
                _setters(_Piece, _PIECE_FIELDS), recognizer.multi, self.options, _Options,
                _setters(_Options, _OPTIONS_FIELDS), _MEMO_LIMIT, _OPTIONS_MEMO_LIMIT,
                gazetteer_module._NORMALIZED, gazetteer_module._NORMALIZED_MAX, gaz._lookups,
                gazetteer_module.LOOKUPS_MAX)
        return self._context

    def place_flags(self, gaz: Gazetteer) -> list[int]:
        if self._flags is None:
            self._flags = [_place_flags(p) for p in gaz.places]
        return self._flags

    def columns(self, gaz: Gazetteer) -> _Columns:
        if self._columns is None:
            self._columns = _Columns(gaz)
        return self._columns


def _setters(cls, names: tuple[str, ...]) -> tuple:
    """The slot descriptors of ``cls`` for ``names``: the compiled code sets an instance's slots through them."""
    return tuple(cls.__dict__[name] for name in names)


_PIECE_FIELDS = tuple(f.name for f in fields(_Piece))
_OPTIONS_FIELDS = _Options.__slots__


def _state(gaz: Gazetteer) -> _State:
    state = gaz.derived.get(__name__)
    if state is None:
        state = gaz.derived[__name__] = _State()
    return state


def _options_for(key: str, rows: tuple[int, ...], kind_hint: str | None, quality: float, gaz: Gazetteer,
                 state: _State, other_kinds: bool = True) -> _Options:
    """Memoised per gazetteer: a corpus names the same places over and over. ``other_kinds``: False when every
    reading is a settlement (the kind filter then keeps them all)."""
    memo_key = (key, kind_hint, quality)
    options = state.options.get(memo_key)
    if options is None:
        if kind_hint is not None or other_kinds:
            rows = _kind_filter(rows, kind_hint, gaz.places)
        columns = state.columns(gaz)
        compiled = columns.compiled(_FAST, state.place_flags(gaz)) if _FAST is not None else None
        options = _Options(rows, quality, columns.prior_list, compiled)
        if len(state.options) < _OPTIONS_MEMO_LIMIT:
            state.options[memo_key] = options
    return options


def _piece_options(piece: _Piece, kind_hint: str | None, gaz: Gazetteer, state: _State) -> _Options:
    """``_options_for`` a name read in a text; without a kind hint (most names) kept on the piece itself."""
    if kind_hint is not None:
        return _options_for(piece.key, piece.rows, kind_hint, piece.quality, gaz, state)
    options = piece.plain
    if options is None:
        options = piece.plain = _options_for(piece.key, piece.rows, None, piece.quality, gaz, state,
                                             piece.has_other_kinds)
    return options


def _quality(key: str, fuzzy: bool, gaz: Gazetteer) -> float:
    quality = 0.98
    if fuzzy:
        quality *= 0.8
    if key in gaz.common_words:
        quality *= 0.75
    return quality


def _match_quality(span: _Span, gaz: Gazetteer) -> float:
    return _quality(span.key, span.fuzzy, gaz)


class _Evidence:
    """What one pass of resolution leans on: the confident answers in the theater (anchors: span, sentence, name,
    place), the oblasts named by sentence, and the article's centre, the median latitude and longitude of its
    distinct anchors (at most ``_MAX_ANCHORS``; robust to a stray Moscow)."""

    def __init__(self, columns: _Columns, sentence, key, best_row, best_confidence):
        anchor = ((best_confidence >= _ANCHOR_CONFIDENCE) & columns.anchors.take(best_row)).nonzero()[0]
        self.sentence, self.key = sentence.take(anchor), key.take(anchor)
        self.row = best_row.take(anchor)
        region = columns.region.take(best_row)
        named = (region >= 0).nonzero()[0]
        self.region_sentence, self.region = sentence.take(named), region.take(named)
        # Compared with the previous pass's: the same anchors sentence by sentence, the same oblasts named.
        self.signature = (self.sentence.tobytes(), self.key.tobytes(), self.row.tobytes(),
                          frozenset(zip(self.region_sentence.tolist(), self.region.tolist())))
        self.centre = None
        self.keys = frozenset()
        self._centres: dict[int, tuple[float, float] | None] = {}
        if anchor.size:
            # Each anchor as (name, place, lat, lon); the centre is taken over distinct places.
            self._anchors = list(zip(self.key.tolist(), columns.same_id.take(self.row).tolist(),
                                     columns.lat.take(self.row).tolist(), columns.lon.take(self.row).tolist()))
            self.keys = frozenset(key for key, *_ in self._anchors)
            self.centre = self._centre(self._anchors)

    @staticmethod
    def _centre(anchors) -> tuple[float, float] | None:
        first: dict[int, tuple[float, float]] = {}  # place → where it is (the first of its anchors)
        for _, place, lat, lon in anchors:
            if place not in first:
                first[place] = (lat, lon)
                if len(first) == _MAX_ANCHORS:
                    break
        if not first:
            return None
        mid = len(first) // 2
        return sorted(lat for lat, _ in first.values())[mid], sorted(lon for _, lon in first.values())[mid]

    def centre_without(self, key: int) -> tuple[float, float] | None:
        """The article's centre for a name that is itself an anchor: from the other names' anchors only (a lone
        "Zolochiv" must not pull its own likeliest reading to the centre and vouch for it)."""
        if key not in self._centres:
            self._centres[key] = self._centre([anchor for anchor in self._anchors if anchor[0] != key])
        return self._centres[key]


def _distances_km(lat1, lon1, lat2, lon2):
    """``_distance_latlon_km`` over numpy arrays (the same operations in the same order)."""
    dx = (lon2 - lon1) * np.cos(np.radians((lat1 + lat2) * 0.5))
    dy = lat2 - lat1
    return 111.195 * np.sqrt(dx * dx + dy * dy)


_BLOCK_READINGS = 200_000  # readings scored together at most (a 50 MB text is resolved block by block)


class _Resolver:
    """An article's ambiguous mentions (``todo``) resolved in context, all at once: every reading of every such
    mention as flat numpy columns, in blocks of consecutive mentions, scored against the article's evidence."""

    def __init__(self, gaz: Gazetteer, sentences: list[int], keys: list[str], options: list[_Options],
                 todo: list[int]):
        """``sentences``, ``keys``, ``options``: each mention's sentence, name key and readings."""
        self.gaz, self.options, self.todo = gaz, options, todo
        self.columns = _state(gaz).columns(gaz)
        key_ids: dict[str, int] = {}
        self.sentence = np.array(sentences, dtype=np.intp)
        self.key = np.array([key_ids.setdefault(key, len(key_ids)) for key in keys], dtype=np.intp)
        self.blocks: list[_Block] = []
        start = size = 0
        for stop, i in enumerate(todo):
            size += len(options[i].rows)
            if size >= _BLOCK_READINGS or stop == len(todo) - 1:
                self.blocks.append(_Block(self, start, stop + 1))
                start, size = stop + 1, 0

    def resolve(self, best_rows: list[int], best_confidence: list[float]) -> dict[int, tuple[list, list]]:
        """Pass 1 uses priors only; its confident answers anchor pass 2. Pass 3 revisits only the mentions pass 2
        left unsure, now that more places are settled (a village resolved next to a town helps the hamlet beside
        it). Returns {mention: (positions in ``gaz.places``, confidences)} for the mentions whose ranking the
        article's evidence changed; the others keep their prior-only ranking."""
        todo = self.todo
        best_row = np.array(best_rows, dtype=np.intp)
        best_conf = np.array(best_confidence, dtype=np.float64)
        ranked: dict[int, tuple[list, list]] = {}
        active = [list(range(block.start, block.stop)) for block in self.blocks]  # positions in ``todo`` unsure
        previous = None
        for _ in range(2):
            if not any(active):
                break  # every mention settled
            evidence = _Evidence(self.columns, self.sentence, self.key, best_row, best_conf)
            if evidence.signature == previous:
                break  # nothing new to lean on: another pass would give the same answers
            previous = evidence.signature
            best_row, best_conf = best_row.copy(), best_conf.copy()
            for block, block_active in zip(self.blocks, active):
                if not block_active:
                    continue
                for j, ranking in zip(block_active, block.rank(block_active, evidence)):
                    i = todo[j]
                    if ranking is None:  # no evidence for any reading: the prior-only ranking
                        ranked.pop(i, None)
                        first = self.options[i]
                        best_row[i], best_conf[i] = first.first_rows[0], first.first_confidence[0]
                    else:
                        ranked[i] = ranking
                        best_row[i], best_conf[i] = ranking[0][0], ranking[1][0]
            active = [[j for j in block_active if best_conf[todo[j]] < _ANCHOR_CONFIDENCE]
                      for block_active in active]
        return ranked


def _within(sorted_sentences: np.ndarray, sentence: np.ndarray):
    """For each sentence s, the range [low, high) of ``sorted_sentences`` (ascending) in s − 1 … s + 1."""
    return (sorted_sentences.searchsorted(sentence - 1, "left"),
            sorted_sentences.searchsorted(sentence + 1, "right"))


def _ranges(low: np.ndarray, high: np.ndarray):
    """(which range, position) for every position of every range [low, high)."""
    sizes = high - low
    ends = sizes.cumsum()
    total = int(ends[-1]) if ends.size else 0
    which = np.arange(low.size).repeat(sizes)
    return which, np.arange(total) - (ends - sizes - low).repeat(sizes)


class _Block:
    """The readings of the mentions ``todo[start:stop]`` as flat numpy columns, one segment per mention."""

    def __init__(self, resolver: _Resolver, start: int, stop: int):
        self.gaz, self.start, self.stop = resolver.gaz, start, stop
        self.columns = columns = resolver.columns
        members = resolver.todo[start:stop]
        todo_options = [resolver.options[i] for i in members]
        index = np.array(members, dtype=np.intp)
        self.mention_sentence, self.mention_key = resolver.sentence.take(index), resolver.key.take(index)
        self.counts = counts = np.array([len(o.rows) for o in todo_options], dtype=np.intp)
        ends = counts.cumsum()
        self.offsets = ends - counts
        self.n = n = int(ends[-1])
        for o in todo_options:
            if o.gids is None:
                o.gids = np.array(o.rows, dtype=np.intp)
        self.rows = rows = np.concatenate([o.gids for o in todo_options])
        self.segment = np.arange(len(members)).repeat(counts)
        self.lat, self.lon = columns.lat.take(rows), columns.lon.take(rows)
        self.code = columns.code.take(rows) + _CODE_SHIFT
        self.base, self.floor = columns.prior.take(rows), columns.floor.take(rows)
        self.admin1 = columns.admin1.take(rows)
        # A name with few readings has every one of them scored, wherever they lie.
        self.few_for_centre = counts.take(self.segment) <= _FEW_FOR_CENTRE
        self.few_for_anchor = counts <= _FEW_FOR_ANCHOR
        self.quality = np.array([o.quality for o in todo_options]).take(self.segment)
        self.in_top = (np.arange(n) - self.offsets.take(self.segment)) < _MAX_CANDIDATES
        top_sizes = np.minimum(counts, _MAX_CANDIDATES)
        self.top_ends, self.top_sizes = top_sizes.cumsum().tolist(), top_sizes.tolist()
        self.closeness_weight = np.repeat([_NEAR_WEIGHT, _BESIDE_WEIGHT], n)
        self._last_regions = None

    def _nearest_anchors(self, active: np.ndarray, evidence: _Evidence):
        """Each reading's distance to the nearest anchor of its own sentence (first n) and of the sentences beside
        it (last n), ∞ where there is none. Another name only: a mention must not vouch for its own reading. Only
        readings in the 3×3 grid cells around an anchor count (all readings of a name with few); a reading at the
        anchor's own place counts too (one town under two names). None when no mention has an anchor."""
        sentence = self.mention_sentence.take(active)
        which, anchor = _ranges(*_within(evidence.sentence, sentence))  # anchors in the sentences around
        other = evidence.key.take(anchor) != self.mention_key.take(active).take(which)
        which, anchor = which.compress(other), anchor.compress(other)
        if not which.size:
            return None
        mention, beside = active.take(which), evidence.sentence.take(anchor) != sentence.take(which)
        anchor = evidence.row.take(anchor)
        sizes = self.counts.take(mention)
        ends = sizes.cumsum()
        columns, n = self.columns, self.n
        # One row per (reading, anchor) pair; its slot in the result: the reading, or n + the reading when beside.
        reading = (self.offsets.take(mention) - ends + sizes).repeat(sizes) + np.arange(int(ends[-1]))
        slot = reading + (beside * n).repeat(sizes)
        anchor_row = anchor.repeat(sizes)
        near = (self.few_for_anchor.take(mention).repeat(sizes)
                | _WINDOW_ANCHOR.take(self.code.take(reading) - columns.code.take(anchor_row)))
        near = near.nonzero()[0]
        reading, anchor_row = reading.take(near), anchor_row.take(near)
        d = np.maximum(self.floor.take(reading), _distances_km(self.lat.take(reading), self.lon.take(reading),
                                                               columns.lat.take(anchor_row),
                                                               columns.lon.take(anchor_row)))
        nearest = np.full(2 * n, np.inf)
        np.minimum.at(nearest, slot.take(near), d)
        return nearest

    def _region_bonus(self, evidence: _Evidence):
        """(bonus, readings with one): a reading in an oblast the article names gets ``_REGION_BONUS``, or
        ``_REGION_NEAR_BONUS`` when its own sentence or one beside names it; None when no reading is in one.
        The oblasts named seldom change from one pass to the next: the last answer is kept."""
        key = evidence.signature[3]
        if self._last_regions is not None and self._last_regions[0] == key:
            return self._last_regions[1]
        codes = len(self.columns.admin1_code) + 1  # the last code stands for "no oblast" (−1)
        named = np.zeros(codes, dtype=bool)
        named[evidence.region] = True
        inside = named.take(self.admin1)
        found = None
        if inside.any():
            # (mention, oblast) pairs named in the mention's sentence or one beside, as mention · codes + oblast + 1
            # (0: no oblast).
            which, region = _ranges(*_within(evidence.region_sentence, self.mention_sentence))
            pairs = which * codes + evidence.region.take(region) + 1
            readings = self.segment * codes + self.admin1 + 1
            if self.counts.size * codes <= 4_000_000:
                table = np.zeros(self.counts.size * codes, dtype=bool)
                table[pairs] = True
                near = table.take(readings)
            else:
                near = np.isin(readings, pairs)
            found = np.where(inside, np.where(near, _REGION_NEAR_BONUS, _REGION_BONUS), 0.0), inside
        self._last_regions = (key, found)
        return found

    def rank(self, active: list[int], evidence: _Evidence) -> list[tuple[list[int], list[float]] | None]:
        """The ranking of the ``active`` mentions' readings (positions in the resolver's ``todo``) with the
        article's evidence added to their priors: closeness to the article's centre (readings within 5×5 grid
        cells of it), to the confident places of the same sentence and of the sentences beside it, and a bonus for
        an oblast the article names. Each ranking is (positions in ``gaz.places``, confidences) best first, or None
        where no evidence touched any reading."""
        added = changed = None
        local = np.array(active, dtype=np.intp) - self.start
        if evidence.centre is not None:
            # The article's centre; for a name that is an anchor itself, the centre of the other names' anchors.
            own = evidence.keys.intersection(self.mention_key.take(local).tolist())
            if own:
                lookup = np.zeros(int(self.mention_key.max()) + 1, dtype=np.intp)
                centres = [evidence.centre]
                for key in own:
                    lookup[key] = len(centres)
                    centres.append(evidence.centre_without(key) or (math.nan, math.nan))
                which = lookup.take(self.mention_key).take(self.segment)
                c_lat, c_lon = np.array(centres).T
                c_lat, c_lon = c_lat.take(which), c_lon.take(which)
                no_centre = np.isnan(c_lat)
                c_code = (np.floor_divide(np.where(no_centre, 0.0, c_lat), _CELL_DEG) * _CODE_ROW
                          + np.floor_divide(np.where(no_centre, 0.0, c_lon), _CELL_DEG)).astype(np.intp)
                changed = (self.few_for_centre | _WINDOW_CENTRE.take(self.code - c_code)) & ~no_centre
            else:
                c_lat, c_lon = evidence.centre
                c_code = int(c_lat // _CELL_DEG) * _CODE_ROW + int(c_lon // _CELL_DEG)
                changed = self.few_for_centre | _WINDOW_CENTRE.take(self.code - c_code)
            term = _ARTICLE_WEIGHT * np.exp(_distances_km(self.lat, self.lon, c_lat, c_lon) / -_ARTICLE_SCALE_KM)
            added = np.where(changed, term, 0.0)
        nearest = self._nearest_anchors(local, evidence) if evidence.row.size else None
        if nearest is not None:
            n = self.n
            has = nearest < np.inf
            term = np.exp(nearest / -_NEAR_SCALE_KM) * self.closeness_weight  # exp(−∞) = 0: no anchor, nothing
            added = term[:n] + term[n:] if added is None else added + term[:n] + term[n:]
            changed = has[:n] | has[n:] if changed is None else changed | has[:n] | has[n:]
        bonus = self._region_bonus(evidence) if evidence.region.size else None
        if bonus is not None:
            added = bonus[0] if added is None else added + bonus[0]
            changed = bonus[1] if changed is None else changed | bonus[1]
        if changed is None:
            return [None] * len(active)
        score = self.base + added
        offsets, segment = self.offsets, self.segment
        top = np.maximum.reduceat(score, offsets)
        weight = np.exp((score - top.take(segment)) / _TEMPERATURE)
        total = np.add.reduceat(weight, offsets)
        confidence = weight / total.take(segment) * self.quality
        # Best first; among equal scores the readings the evidence touched, then in the gazetteer's order.
        take = np.lexsort((~changed, -score, segment))[self.in_top]
        taken_rows = self.rows.take(take).tolist()
        taken_confidence = confidence.take(take).tolist()
        touched = np.logical_or.reduceat(changed, offsets).tolist()
        ends, sizes = self.top_ends, self.top_sizes
        return [(taken_rows[ends[j] - sizes[j]:ends[j]], taken_confidence[ends[j] - sizes[j]:ends[j]])
                if touched[j] else None for j in local.tolist()]


def _compiled_module():
    """``mapapp._fastparse`` (``python -m mapapp.fastbuild``) when it is built from the source beside it, else None:
    the Python code then runs, with the same answers. ``MAPAPP_PURE_PYTHON=1`` asks for the Python code."""
    if os.environ.get("MAPAPP_PURE_PYTHON"):
        return None
    try:
        from mapapp import _fastparse
    except ImportError:
        return None
    if getattr(_fastparse, "SOURCE_HASH", None) != fastbuild.source_hash():
        warnings.warn("mapapp/_fastparse.c changed since it was built: geoparsing runs its slower Python code "
                      "(python -m mapapp.fastbuild rebuilds it)", RuntimeWarning, stacklevel=2)
        return None
    _fastparse.set_upper(_UPPER)
    _fastparse.set_suffixes((_UNIT_BEFORE, _NAME_PART_BEFORE, _TITLE_ENDS))
    _fastparse.set_parameters(_TEMPERATURE, _NEAR_WEIGHT, _BESIDE_WEIGHT, _ARTICLE_WEIGHT, _NEAR_SCALE_KM,
                              _ARTICLE_SCALE_KM, _REGION_NEAR_BONUS, _REGION_BONUS, _ANCHOR_CONFIDENCE, _MAX_ANCHORS,
                              _MAX_CANDIDATES, _FEW_FOR_CENTRE, _FEW_FOR_ANCHOR, _CELL_DEG)
    return _fastparse


_FAST = _compiled_module()


def implementation() -> str:
    """Which code geoparses: the compiled module or the Python code (and why)."""
    if _FAST is not None:
        return "compiled (mapapp/_fastparse.c)"
    if os.environ.get("MAPAPP_PURE_PYTHON"):
        return "Python (MAPAPP_PURE_PYTHON is set)"
    return "Python (the compiled module is not built: python -m mapapp.fastbuild)"


def prepare(gazetteer: Gazetteer | None = None) -> None:
    """Build now what geoparsing otherwise builds on first use: the gazetteer's fuzzy index, its numeric columns
    and place flags, and the compiled code's tables."""
    gaz = gazetteer or load_gazetteer()
    gaz.fuzzy_keys("zaporizhzhja")  # one letter off a known name: builds the fuzzy index
    state = _state(gaz)
    state.place_flags(gaz)
    state.columns(gaz)
    if _FAST is not None:
        state.compiled_context(gaz, _FAST)


def mentions_from_text(text: str, *, gazetteer: Gazetteer | None = None) -> list[Mention]:
    """Every place mention in ``text``, in order, each resolved or marked unresolved (``place`` None)."""
    gaz = gazetteer or load_gazetteer()
    if _FAST is not None:
        return _FAST.parse(text, _state(gaz).compiled_context(gaz, _FAST), settings.MIN_SCORE)
    spans = _candidate_spans(text, gaz)
    if not spans:
        return []
    state = _state(gaz)
    options = [(piece.plain or _piece_options(piece, None, gaz, state)) if hint is None
               else _piece_options(piece, hint, gaz, state) for _, _, piece, hint, _ in spans]
    # A name whose best reading is already near-certain from priors alone (the capital, not a hamlet of the same
    # name) is not worth the context: no article's evidence could turn it.
    todo = [i for i, opts in enumerate(options) if len(opts.rows) > 1 and opts.first_confidence[0] < _DECIDED]
    ranked = {}
    if todo:
        starts = _sentence_starts(text)
        sentences = [bisect.bisect_right(starts, span[0]) - 1 for span in spans]
        ranked = _Resolver(gaz, sentences, [span[2].key for span in spans], options, todo).resolve(
            [opts.first_rows[0] for opts in options], [opts.first_confidence[0] for opts in options])
    min_score = settings.MIN_SCORE
    places = gaz.places
    place_at = places.__getitem__
    new = object.__new__
    set_surface, set_start, set_end, set_place, set_kind, set_score, set_candidates = _MENTION_SETTERS
    mentions = []
    append = mentions.append
    for i, (start, end, piece, _, settlement_cue) in enumerate(spans):
        opts = options[i]
        found = ranked.get(i) if ranked else None
        if found is None and not settlement_cue:
            tail = opts.tail
            if tail is None or tail[0] != min_score:
                tail = opts.tail = _prior_tail(opts, places, min_score)
            _, resolved, kind, score, candidates = tail
        else:
            rows, confidences = found or (opts.first_rows, opts.first_confidence)
            best, confidence = places[rows[0]], confidences[0]
            if settlement_cue and best.kind != "settlement":
                confidence *= 0.7
            score = round(confidence, 3)
            resolved = best if confidence >= min_score else None
            kind = best.kind
            candidates = tuple(zip(map(place_at, rows), confidences))
        # ``Mention(...)``, faster (see ``_MENTION_SETTERS``)
        mention = new(Mention)
        set_surface(mention, piece.surface)
        set_start(mention, start)
        set_end(mention, end)
        set_place(mention, resolved)
        set_kind(mention, kind)
        set_score(mention, score)
        set_candidates(mention, candidates)
        append(mention)
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
    columns = _state(gaz).columns(gaz)
    span = _Span(0, len(cleaned), cleaned, normalize_name(cleaned), fuzzy,
                 tuple(columns.row[id(p)] for p, _ in hits), hint)
    options = _Options(_kind_filter(span.rows, span.kind_hint, gaz.places), _match_quality(span, gaz),
                       columns.prior_list)
    kept = set(options.rows)
    others = tuple(gaz.places[row] for row in span.rows if row not in kept)
    ranked = options.first(gaz) + [(p, 0.0) for p in others]
    ranked = ranked[:limit]
    best, confidence = ranked[0]
    return (best if confidence >= settings.MIN_SCORE else None), ranked
