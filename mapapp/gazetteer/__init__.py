"""The gazetteer: every place the reports may name, indexed by its name variants.

Reads the compact files in ``data/gazetteer/`` (built by ``mapapp.gazetteer.build``); needs no network.
Coordinates are kept as ``lat``/``lon`` attributes and never as an unnamed pair.
"""

from __future__ import annotations

import csv
import gzip
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mapapp import settings

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "gazetteer"
COLUMNS = ("place_id", "name", "kind", "lat", "lon", "admin1", "country", "population", "approximate", "theater",
           "katottg", "raion", "hromada", "names", "keys")
KINDS = ("settlement", "region", "country", "river", "other")

_APOSTROPHES = dict.fromkeys(map(ord, "'’ʼ`´‘ʹʻ"), None)
_SPACES = dict.fromkeys(map(ord, "-‐‑–—./"), " ")
# Both at once: no apostrophe becomes a space, nor the reverse. Every other ASCII character maps to itself: without
# an entry, ``str.translate`` raises and catches a KeyError for each character it leaves alone (3 times slower).
_FOLD = {**{code: code for code in range(128)}, **_APOSTROPHES, **_SPACES}


class _Combining(dict):
    """A ``str.translate`` table dropping combining marks, filled in as characters are met."""

    def __missing__(self, code: int):
        value = self[code] = None if unicodedata.combining(chr(code)) else code
        return value


_COMBINING = _Combining()


_NORMALIZED: dict[str, str] = {}  # memo; str → str, so the garbage collector never has to walk it
_NORMALIZED_MAX = 200_000
LOOKUPS_MAX = 500_000  # keys ``resolve_key_ids`` remembers


def normalize_name(text: str) -> str:
    """The matching key of a name: accents and apostrophes dropped, case folded, hyphens as spaces.

    "Kup’yans’k" → "kupyansk", "Limán" → "liman", "Rostov-on-Don" → "rostov on don". Cyrillic is folded the
    same way on both sides (й → и), so it still matches itself. Memoised (``normalize_name.cache_clear()``).
    """
    found = _NORMALIZED.get(text)
    if found is None:
        if text.isascii():  # NFKD leaves it as it is, it has no combining marks, and casefold() is lower()
            folded = text.lower().translate(_FOLD)
        else:
            folded = unicodedata.normalize("NFKD", text).translate(_COMBINING).casefold().translate(_FOLD)
        found = " ".join(folded.split())
        if len(_NORMALIZED) >= _NORMALIZED_MAX:
            _NORMALIZED.clear()
        _NORMALIZED[text] = found
    return found


normalize_name.cache_clear = _NORMALIZED.clear


@dataclass(frozen=True, slots=True)
class Place:
    place_id: str
    name: str
    lat: float
    lon: float
    kind: str
    admin1: str
    country: str
    population: int
    alt_names: tuple[str, ...]
    approximate: bool = False
    theater: bool = True
    katottg: str = ""
    raion: str = ""
    hromada: str = ""

    def as_dict(self, *, score: float | None = None) -> dict:
        """The place as the CLI and exports print it (DESIGN.md's field names)."""
        record = {
            "place_id": self.place_id, "name": self.name, "lat": self.lat, "lon": self.lon, "kind": self.kind,
            "admin1": self.admin1, "country": self.country, "population": self.population or None,
            "approximate": self.approximate,
        }
        if score is not None:
            record["score"] = round(score, 3)
        return record


class GazetteerError(RuntimeError):
    """The gazetteer files are missing or unreadable."""


class Gazetteer:
    """Name variants → places, with exact and one-edit fuzzy look-up."""

    def __init__(self, places: list[Place], english_words: dict[str, float] | None = None,
                 keys: list[list[str]] | None = None):
        """``keys``: each place's normalised variants, precomputed by the build (computed here when absent)."""
        self.places = places
        self.by_id = {p.place_id: p for p in places}
        english_words = english_words or {}
        # Names that are everyday English words ("Mir", "Victoria") need a cue such as "in" or "village of";
        # rarer words ("Yet"-like) only when they open a sentence.
        self.common_words = frozenset(w for w, z in english_words.items() if z >= settings.COMMON_WORD_ZIPF)
        self.word_like = frozenset(english_words)
        if keys is None:
            keys = [place_keys(place.alt_names) for place in places]
        index: dict[str, list[int]] = {}
        for i, place_key_list in enumerate(keys):
            for key in place_key_list:
                if key:
                    index.setdefault(key, []).append(i)
        self._index = {key: tuple(ids) for key, ids in index.items()}
        # Every matching key: ``key in gaz.name_keys`` is ``key in gaz`` without a Python-level call (for loops
        # that ask it of every word).
        self.name_keys = self._index.keys()
        # Every proper word-prefix of a multi-word name ("ruska" of "ruska lozova"): the look-ahead goes on only
        # while the words read so far can still become a name.
        self.prefixes: set[str] = set()
        for key in self._index:
            if " " in key:
                words = key.split(" ")
                for n in range(1, len(words)):
                    self.prefixes.add(" ".join(words[:n]))
        # What other modules derive from this gazetteer and keep for as long as it lives (the geoparser's memos and
        # numeric columns), by module name.
        self.derived: dict[str, object] = {}
        self._fuzzy_min_population = settings.FUZZY_MIN_POPULATION
        self._fuzzy_min_length = settings.FUZZY_MIN_LENGTH
        self._fuzzy: dict[str, tuple[str, ...]] | None = None  # built on the first misspelling: most look-ups are exact
        # Memo of ``resolve_key_ids``: positions in ``places``, never Place objects, so that the garbage collector
        # can stop tracking its entries.
        self._lookups: dict[str, tuple[tuple[int, ...], bool]] = {}

    # -- exact and fuzzy look-up -------------------------------------------------------------------------------
    def lookup(self, key: str) -> tuple[Place, ...]:
        """Places whose variants normalise to ``key`` (already normalised)."""
        return tuple(self.places[i] for i in self._index.get(key, ()))

    def __contains__(self, key: str) -> bool:
        return key in self._index

    def _fuzzy_eligible(self, place: Place) -> bool:
        # Misspellings are tolerated for the places reporters write about often, not for every hamlet: a
        # one-letter slip in a person's name must not land in a village of 300.
        if place.kind in ("region", "river"):
            return True
        if place.kind != "settlement":
            return False
        # Places outside the theater are never guessed from a misspelling: "Putin" is not Putian.
        return place.theater and place.population >= self._fuzzy_min_population

    def _fuzzy_index(self) -> dict[str, tuple[str, ...]]:
        deletions: dict[str, set[str]] = {}
        for key, ids in self._index.items():
            if len(key) < self._fuzzy_min_length or " " in key or not key.isascii():
                continue
            if not any(self._fuzzy_eligible(self.places[i]) for i in ids):
                continue
            for variant in _one_deletion(key):
                deletions.setdefault(variant, set()).add(key)
        return {k: tuple(v) for k, v in deletions.items()}

    def fuzzy_keys(self, key: str) -> list[str]:
        """Index keys within one edit (insertion, deletion, substitution, transposition) of ``key``."""
        if len(key) < self._fuzzy_min_length or not key.isascii():
            return []
        if self._fuzzy is None:
            self._fuzzy = self._fuzzy_index()
        found = set()
        for variant in _one_deletion(key):
            found.update(self._fuzzy.get(variant, ()))
        return sorted(k for k in found if k != key and _within_one_edit(key, k))

    def resolve_key(self, key: str) -> tuple[tuple[Place, ...], bool]:
        """(places, matched_fuzzily) for a normalised key: exact variants first, else one-edit neighbours among
        well-known places. Memoised: a corpus names the same towns over and over."""
        ids, fuzzy = self.resolve_key_ids(key)
        return tuple(map(self.places.__getitem__, ids)), fuzzy

    def resolve_key_ids(self, key: str) -> tuple[tuple[int, ...], bool]:
        """``resolve_key`` with positions in ``places`` instead of places."""
        hit = self._lookups.get(key)
        if hit is None:
            ids = self._index.get(key, ())
            fuzzy = False
            if not ids and key not in self.common_words:
                places = self.places
                ids = tuple(dict.fromkeys(i for k in self.fuzzy_keys(key) for i in self._index.get(k, ())
                                          if self._fuzzy_eligible(places[i])))
                fuzzy = bool(ids)
            hit = (ids, fuzzy)
            if len(self._lookups) < LOOKUPS_MAX:
                self._lookups[key] = hit
        return hit

    def candidates(self, name: str, *, kinds: tuple[str, ...] | None = None, fuzzy: bool = True
                   ) -> list[tuple[Place, bool]]:
        """Places a free-text name may mean, as (place, matched_fuzzily)."""
        key = normalize_name(name)
        hits = [(p, False) for p in self.lookup(key)]
        if not hits and fuzzy:
            hits = [(p, True) for k in self.fuzzy_keys(key) for p in self.lookup(k) if self._fuzzy_eligible(p)]
        if kinds:
            hits = [(p, f) for p, f in hits if p.kind in kinds]
        seen = set()
        return [(p, f) for p, f in hits if not (p.place_id in seen or seen.add(p.place_id))]


def place_keys(names) -> list[str]:
    """A place's distinct matching keys, in the order of its names."""
    return list(dict.fromkeys(k for k in map(normalize_name, names) if k))


def _one_deletion(key: str):
    yield key
    for i in range(len(key)):
        yield key[:i] + key[i + 1:]


def _within_one_edit(a: str, b: str) -> bool:
    """Optimal string alignment distance ≤ 1 (a transposition counts as one edit)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:]


def _read_places(path: Path) -> list[Place]:
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, delimiter="\t")
            header = next(reader)
            if tuple(header) != COLUMNS:
                raise GazetteerError(f"{path}: unexpected columns {header}; rebuild with `make gazetteer`")
            places, keys = [], []
            for row in reader:
                (pid, name, kind, lat, lon, admin1, country, pop, approx, theater, katottg, raion, hromada,
                 names, row_keys) = row
                places.append(Place(pid, name, float(lat), float(lon), kind, admin1, country, int(pop or 0),
                                    tuple(names.split("|")), approx == "1", theater == "1", katottg, raion, hromada))
                keys.append(row_keys.split("|"))
            return places, keys
    except FileNotFoundError as exc:
        raise GazetteerError(f"gazetteer file {path} is missing; build it with `make gazetteer`") from exc
    except (OSError, EOFError, ValueError, csv.Error) as exc:
        raise GazetteerError(f"gazetteer file {path} is unreadable ({exc}); rebuild it with `make gazetteer`") from exc


def _read_word_frequencies(path: Path) -> dict[str, float]:
    """Place-name variants that are also English words → Zipf frequency (see ``common_words.txt``)."""
    if not path.exists():
        return {}
    words = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, _, zipf = line.partition("\t")
            words[word.strip()] = float(zipf or 9.0)
    return words


@lru_cache(maxsize=4)
def load_gazetteer(data_dir: Path = DATA_DIR) -> Gazetteer:
    """The gazetteer, loaded once per process."""
    data_dir = Path(data_dir)
    places, keys = _read_places(data_dir / "places.tsv.gz")
    return Gazetteer(places, _read_word_frequencies(data_dir / "common_words.txt"), keys)


__all__ = ["Gazetteer", "GazetteerError", "Place", "load_gazetteer", "normalize_name", "DATA_DIR", "COLUMNS"]
