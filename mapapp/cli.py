"""``python -m mapapp``: argument parsing only; every subcommand hands straight to the package.

Errors go to stderr, one line each; stdout carries only the requested data. Exit 0 when every input was
handled, 1 when any input could not be read (after handling the others), 2 for wrong usage.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path

from mapapp import settings

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2


def _error(message: str) -> None:
    print(f"mapapp: {' '.join(str(message).split())}", file=sys.stderr)


def _place_json(place, score=None) -> dict:
    return place.as_dict(score=score)


def cmd_geocode(args) -> int:
    from mapapp.geoparse import geocode

    best, ranked = geocode(args.name)
    if best is None and (args.online or settings.ONLINE_GEOCODER):
        from mapapp.online_geocoder import OnlineGeocoder

        online = OnlineGeocoder().lookup(args.name)
        if online is not None:
            best, ranked = online, [(online, 0.5)]
    if args.json:
        best_score = next((s for p, s in ranked if best is not None and p.place_id == best.place_id), None)
        payload = {"query": args.name, "best": _place_json(best, best_score) if best else None,
                   "candidates": [_place_json(p, s) for p, s in ranked]}
        print(json.dumps(payload, ensure_ascii=False, indent=1))
    else:
        if not ranked:
            print(f"{args.name}: no place of that name")
        for place, score in ranked:
            mark = "*" if best is not None and place.place_id == best.place_id else " "
            approx = " (approximate)" if place.approximate else ""
            print(f"{mark} {score:.2f}  {place.name:<24} {place.kind:<10} {place.admin1 or '-':<24} {place.country:<3} "
                  f"{place.lat:.4f},{place.lon:.4f}  {place.place_id}{approx}")
    if not ranked:
        _error(f"no place named {args.name!r} in the gazetteer")
    return EXIT_OK


MENTION_FIELDS = ("article", "surface", "start", "end", "name", "lat", "lon", "kind", "place_id", "score",
                  "approximate", "admin1")   # and "candidates"


def _mention_values(article: str, mention) -> tuple:
    """A mention's fields but its candidates, in ``MENTION_FIELDS`` order."""
    place = mention.place
    if place is None:
        return (article, mention.surface, mention.start, mention.end, None, None, None, mention.kind, None,
                mention.score, None, None)
    return (article, mention.surface, mention.start, mention.end, place.name, place.lat, place.lon, mention.kind,
            place.place_id, mention.score, place.approximate, place.admin1)


def mention_json(article: str, mention) -> dict:
    row = dict(zip(MENTION_FIELDS, _mention_values(article, mention)))
    row["candidates"] = [_place_json(p, s) for p, s in mention.candidates]
    return row


_json_string = json.encoder.encode_basestring  # what json.dumps(..., ensure_ascii=False) writes for a str


def _json_scalar(value) -> str:
    kind = type(value)
    if kind is str:
        return _json_string(value)
    if kind is float and math.isfinite(value):
        return float.__repr__(value)
    if kind is int:
        return int.__repr__(value)
    if value is None or kind is bool:
        return "null" if value is None else "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


def json_indented(value, newline: str = "\n") -> str:
    """``json.dumps(value, ensure_ascii=False, indent=1)`` for a value nested where lines start with ``newline``
    (json's pure-Python encoder, used whenever ``indent`` is given, is several times slower than this)."""
    if type(value) is dict and all(type(key) is str for key in value):
        if not value:
            return "{}"
        inner = newline + " "
        return ("{" + inner + ("," + inner).join(f"{_json_string(key)}: {json_indented(item, inner)}"
                                                 for key, item in value.items()) + newline + "}")
    if type(value) is list or type(value) is tuple:
        if not value:
            return "[]"
        inner = newline + " "
        return "[" + inner + ("," + inner).join(json_indented(item, inner) for item in value) + newline + "]"
    if type(value) in (str, float, int, bool) or value is None:
        return _json_scalar(value)
    return json.dumps(value, ensure_ascii=False, indent=1).replace("\n", newline)


class _MentionWriter:
    """``json_indented(mention_json(article, mention), "\\n ")``, as an element of the output array, faster: the
    candidates are most of the output, and the same few thousand places recur in them, so each place's text is
    made once (all but its score, which follows its other fields last)."""

    ROW = "\n "            # rows are elements of the top-level array
    CANDIDATE = "\n   "    # candidates are elements of a list in a row

    def __init__(self):
        self.places: dict[str, str] = {}
        self.keys = [f"{_json_string(key)}: " for key in MENTION_FIELDS]

    def row(self, article: str, mention) -> str:
        fields = ",\n  ".join([key + _json_scalar(value)
                               for key, value in zip(self.keys, _mention_values(article, mention))])
        return f'{{\n  {fields},\n  "candidates": {self.candidates(mention.candidates)}{self.ROW}}}'

    def candidates(self, candidates) -> str:
        if not candidates:
            return "[]"
        newline = self.CANDIDATE
        parts = []
        for place, score in candidates:
            fields = self.places.get(place.place_id)
            if fields is None:   # "{" and the fields, without the closing line
                fields = json_indented(_place_json(place), newline)[:-len(newline) - 1]
                self.places[place.place_id] = fields
            if score is None:
                parts.append(f"{fields}{newline}}}")
            else:
                parts.append(f'{fields},{newline} "score": {_json_scalar(round(score, 3))}{newline}}}')
        return "[" + newline + ("," + newline).join(parts) + "\n  ]"


def cmd_geoparse(args) -> int:
    from mapapp.articles import ArticleError, read_article_text
    from mapapp.geoparse import mentions_from_text

    # Each mention is written as soon as its file is parsed, not gathered first: a 50 MB file names a few hundred
    # thousand places. The JSON is what json.dump(rows, indent=1) writes, one row at a time.
    status = EXIT_OK
    out = sys.stdout
    writer = _MentionWriter()
    rows_written = 0
    for name in args.files:
        try:
            text, _ = read_article_text(name)
        except ArticleError as exc:
            _error(exc)
            status = EXIT_INPUT
            continue
        article = Path(name).stem
        for mention in mentions_from_text(text):
            if args.json:
                out.write(",\n " if rows_written else "[\n ")
                out.write(writer.row(article, mention))
            else:
                row = dict(zip(MENTION_FIELDS, _mention_values(article, mention)))
                where = f"{row['lat']:.4f},{row['lon']:.4f}" if row["place_id"] else "unresolved"
                out.write(f"{row['article']}\t{row['start']}-{row['end']}\t{row['surface']}\t{row['name'] or '-'}\t"
                          f"{row['kind']}\t{where}\t{row['score']:.2f}\n")
            rows_written += 1
        del text
    if args.json:
        out.write("\n]\n" if rows_written else "[]\n")
    return status


ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm")


def _article_files(paths: list[str]) -> list[tuple[Path, dict]]:
    """(file, its metadata.csv row) for every article file named or inside a named folder."""
    from mapapp.articles import read_metadata

    found = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            meta = read_metadata(path)
            found += [(p, meta.get(p.name, {})) for p in sorted(path.iterdir())
                      if p.suffix.lower() in ARTICLE_SUFFIXES and p.is_file()]
        else:
            found.append((path, read_metadata(path.parent).get(path.name, {}) if path.parent.exists() else {}))
    return found


def cmd_ingest(args) -> int:
    from dataclasses import replace

    from mapapp.articles import ArticleError, article_from_file, parse_date, stated_publication_date
    from mapapp.store import Store

    try:
        published = parse_date(args.published) if args.published else None
    except ArticleError as exc:
        _error(exc)
        return EXIT_USAGE
    status = EXIT_OK
    store = Store(database_path(args))
    try:
        for path, meta in _article_files(args.paths or [settings.get("SEEDS_DIR")]):
            try:
                merged = {k: v for k, v in meta.items() if v}
                for key, value in (("title", args.title), ("outlet", args.outlet), ("url", args.url)):
                    merged.setdefault(key, value or "")
                if published and not merged.get("published"):
                    merged["published"] = published.isoformat()
                article = article_from_file(path, metadata=merged)
            except ArticleError as exc:
                _error(exc)
                status = EXIT_INPUT
                continue
            if article.published is None:
                stated = stated_publication_date(article.text)
                if stated is not None:
                    article = replace(article, published=stated)
                else:
                    _error(f"{path}: no publication date (give --published); stored as undated, "
                           "its relative dates left unresolved")
            result = store.add_article(article)
            extra = f"\tduplicate of {result.duplicate_of}" if result.duplicate_of else ""
            print(f"{result.status}\t{result.article_id}\t{result.reports} reports{extra}")
    finally:
        store.close()
    return status


def cmd_reextract(args) -> int:
    from mapapp.store import Store

    with Store(database_path(args)) as store:
        if args.if_changed and store.extraction_current():
            print("extraction up to date")
            return EXIT_OK
        count = store.reextract()
    print(f"re-extracted {count} articles")
    return EXIT_OK


def event_feature(event) -> dict:
    sources = [{"article": s.article, "outlet": s.outlet, "published": s.published.isoformat() if s.published
                else None, "url": s.url, "quote": s.quote} for s in event.sources]
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [event.place.lon, event.place.lat]},  # GeoJSON: lon, lat
        "properties": {
            "event_id": event.event_id, "place": event.place.name, "place_id": event.place.place_id,
            "event_type": event.event_type, "date": event.date.isoformat() if event.date else None,
            "date_precision": event.date_precision, "actor": event.actor, "claimed_by": event.claimed_by,
            "disputed": event.disputed, "counter_claim": event.counter_claim, "confidence": event.confidence,
            "geo_precision": "approximate" if event.place.approximate else "exact",
            "articles": list(event.articles), "sources": sources, "quote": event.quote,
        },
    }


EVENT_CSV_FIELDS = ("event_id", "place", "place_id", "lat", "lon", "event_type", "date", "date_precision", "actor",
                    "claimed_by", "disputed", "counter_claim", "confidence", "geo_precision", "articles", "sources",
                    "quote")


def cmd_events(args) -> int:
    import csv

    from mapapp.store import Store

    with Store(database_path(args)) as store:
        features = [event_feature(e) for e in store.events()]
    if args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=EVENT_CSV_FIELDS, lineterminator="\n")
        writer.writeheader()
        for feature in features:
            row = dict(feature["properties"])
            row["lon"], row["lat"] = feature["geometry"]["coordinates"]
            row["articles"] = " | ".join(row["articles"])
            row["sources"] = " | ".join(f"{s['outlet'] or s['article']} ({s['published'] or 'undated'}): {s['quote']}"
                                        for s in row["sources"])
            writer.writerow({k: ("" if row[k] is None else row[k]) for k in EVENT_CSV_FIELDS})
    else:
        json.dump({"type": "FeatureCollection", "features": features}, sys.stdout, ensure_ascii=False, indent=1)
        print()
    return EXIT_OK


def cmd_areas(args) -> int:
    from mapapp.areas import areas_at, load_baseline
    from mapapp.articles import ArticleError, parse_date
    from mapapp.store import Store

    try:
        when = parse_date(args.date, field="--date")
    except ArticleError as exc:
        _error(exc)
        return EXIT_USAGE
    baseline = load_baseline(args.baseline) if args.baseline else None  # a bad file: one line, exit 1 (main)
    with Store(database_path(args)) as store:
        areas = areas_at(store.events(), when, baseline=baseline)
    json.dump(areas.feature_collection(), sys.stdout, ensure_ascii=False)
    print()
    return EXIT_OK


def cmd_claims(args) -> int:
    from mapapp.areas import areas_at, load_baseline
    from mapapp.claims import check_claims, checks_table, claims_from_article
    from mapapp.store import Store

    baseline = load_baseline(args.baseline) if args.baseline else None  # a bad file: one line, exit 1 (main)
    with Store(database_path(args)) as store:
        articles = {a.id: a for a in store.articles()}
        events = store.events()
    cache = {}

    def areas_on(claim):
        when = articles[claim.article].published
        if when is None:
            return None
        if when not in cache:
            cache[when] = areas_at(events, when, baseline=baseline if baseline and baseline.date <= when else None)
        return cache[when]

    claims = [c for a in articles.values() for c in claims_from_article(a)]
    print(checks_table(check_claims(claims, areas_on=areas_on)))
    return EXIT_OK


def cmd_export(args) -> int:
    from mapapp.areas import load_baseline
    from mapapp.articles import ArticleError, parse_date
    from mapapp.export import (ExportError, ExportUsageError, check_export_layers, check_view, export_map,
                               format_for)

    try:
        when = parse_date(args.date, field="--date")
        since = parse_date(args.since, field="--from") if args.since else None
        format_for(args.out)   # an unknown extension is wrong usage, found before any work
        view = layers = None
        if args.bbox is not None:
            parts = args.bbox.split(",")
            try:
                numbers = [float(part) for part in parts]
            except ValueError:
                numbers = []
            if len(numbers) != 4 or len(parts) != 4:
                raise ExportUsageError(f"--bbox {args.bbox!r}: give four numbers S,W,N,E in degrees, "
                                       "e.g. --bbox 48.9,36.8,49.5,37.7")
            view = check_view(numbers)
        if args.layers is not None:
            layers = check_export_layers(args.layers.split(","))
            if not layers:
                raise ExportUsageError("--layers is empty: name one or more of liberated, contested, front, "
                                       "arrows, settlements, recent")
    except (ArticleError, ExportError) as exc:
        _error(exc)
        return EXIT_USAGE
    baseline = load_baseline(args.baseline) if args.baseline else None  # a bad file: one line, exit 1 (main)
    try:
        path = export_map(database_path(args), when, args.out, title=args.title, subtitle=args.subtitle, size=args.size,
                          since=since, handout=args.handout, baseline=baseline, view=view, layers=layers)
    except ExportError as exc:
        _error(exc)
        return exc.exit_code
    print(path)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mapapp",
        description="Front-line map from news reports: geocode names, geoparse articles, ingest them, list events.")
    parser.add_argument("--db", default=None,
                        help="SQLite store (default data/mapapp.sqlite; the MAPAPP_DB environment variable overrides)")
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND")
    sub.required = True

    geocode = sub.add_parser("geocode", help="look a place name up in the gazetteer")
    geocode.add_argument("name", metavar="NAME", help="a place name in any spelling, e.g. Izyum, 'Kharkiv region'")
    geocode.add_argument("--json", action="store_true", help="print {query, best, candidates} as JSON")
    geocode.add_argument("--online", action="store_true",
                         help="ask Nominatim (1 request/s, cached on disk) when the gazetteer has no such name")
    geocode.set_defaults(func=cmd_geocode)

    geoparse = sub.add_parser("geoparse", help="find and resolve every place mention in article files")
    geoparse.add_argument("files", nargs="+", metavar="FILE", help="article files (.txt, .md, .html)")
    geoparse.add_argument("--json", action="store_true", help="print a JSON array, one object per mention")
    geoparse.set_defaults(func=cmd_geoparse)
    ingest = sub.add_parser("ingest", help="add articles to the store (default: seeds/ with seeds/metadata.csv)")
    ingest.add_argument("paths", nargs="*", metavar="PATH", help="article files or folders (.txt, .md, .html)")
    ingest.add_argument("--published", help="publication date YYYY-MM-DD for files without one")
    ingest.add_argument("--outlet", help="outlet for files without one")
    ingest.add_argument("--title", help="title for files without one")
    ingest.add_argument("--url", help="URL for files without one")
    ingest.set_defaults(func=cmd_ingest)

    reextract = sub.add_parser("reextract", help="extract every stored article again (after an upgrade of the "
                                                 "extractor or gazetteer); corrections are kept")
    reextract.add_argument("--if-changed", action="store_true",
                           help="only when the extractor or gazetteer changed since the store was extracted")
    reextract.set_defaults(func=cmd_reextract)

    events = sub.add_parser("events", help="every event in the store, as GeoJSON points or CSV")
    events.add_argument("--format", choices=("geojson", "csv"), default="geojson")
    events.set_defaults(func=cmd_events)
    areas = sub.add_parser("areas", help="liberated/contested areas, front line and advance arrows at a date")
    areas.add_argument("--date", required=True, help="YYYY-MM-DD")
    areas.add_argument("--baseline", help="an assessed control map (GeoJSON or KML, a status per polygon)")
    areas.add_argument("--format", choices=("geojson",), default="geojson")
    areas.set_defaults(func=cmd_areas)

    claims = sub.add_parser("claims", help="quantities the articles state (distances, areas, depths) vs the map")
    claims.add_argument("--baseline", help="a control map before the articles (gives the old front for depths)")
    claims.set_defaults(func=cmd_claims)

    export = sub.add_parser("export", help="the map at a date as PNG/SVG/PDF, a GIF/MP4 timelapse, an offline HTML "
                                           "timeline, or the data as GeoJSON/KML/CSV/GPKG (format from --out)")
    export.add_argument("--date", required=True, help="YYYY-MM-DD: the map's date (a timelapse's last frame)")
    export.add_argument("--out", required=True, metavar="FILE",
                        help="output file; its extension picks the format: png svg pdf gif mp4 html geojson kml "
                             "csv gpkg (images also get FILE.txt, their alt text)")
    export.add_argument("--from", dest="since", metavar="YYYY-MM-DD",
                        help="a timelapse's first frame (default: the first event); a handout's first page")
    export.add_argument("--title", help="the map's title (wrapped to two lines; default: 'Reported control on …')")
    export.add_argument("--subtitle", help="the line under the title")
    export.add_argument("--size", choices=("social", "web", "print"), default=None,
                        help="social 1200x675, web 1600x1000 (default for images), print A4 at 300 dpi; "
                             "timelapses default to social")
    export.add_argument("--handout", action="store_true",
                        help="with a .pdf: one A4 page per key date, the map and the reports quoted")
    export.add_argument("--baseline", help="an assessed control map (GeoJSON or KML) for the front line")
    export.add_argument("--bbox", metavar="S,W,N,E",
                        help="frame the map on this box (south,west,north,east in degrees, as the app's map shows "
                             "it); widened to the image's shape, never cropped (default: around every place)")
    export.add_argument("--layers", metavar="LAYER,…",
                        help="draw only these layers: liberated, contested, front, arrows, settlements, recent "
                             "(default: all but recent); data files ignore --bbox and --layers")
    export.set_defaults(func=cmd_export)
    return parser


def database_path(args) -> str:
    return args.db or os.environ.get("MAPAPP_DB") or settings.get("DB")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors and 0 for --help
        return int(exc.code or 0)
    from mapapp.areas import BaselineError
    from mapapp.gazetteer import GazetteerError
    from mapapp.store import StoreError

    try:
        return args.func(args)
    except (GazetteerError, StoreError, BaselineError) as exc:
        _error(exc)
        return EXIT_INPUT
    except BrokenPipeError:  # `... | head` closed the pipe: not an error of ours
        return EXIT_OK
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
