"""A synthetic corpus of English war-reporting articles for the geoparse benchmark.

``build_corpus()`` returns varied news-like articles (each ~2–8 KB) that together hold at least ``target_bytes``
of UTF-8. Articles mix three kinds of paragraph:

* paragraphs of the seed articles (``seeds/*.txt``), shuffled and recombined;
* paragraphs generated from ~30 templates of war-reporting phrasing, their placeholders filled with Ukrainian
  settlements from the gazetteer (big towns and small villages, sometimes under a Latin-script alternative
  spelling; half of them from the one oblast each article is mostly about) and oblast/raion names, plus people,
  units, dates, numbers, quotes and ordinary capitalised words;
* paragraphs that name no place at all.

The output is deterministic for a given ``seed`` (one ``random.Random``; no global randomness).

    .venv/bin/python bench/make_corpus.py [--mb 6] [--seed 1234]

writes one ``.txt`` per article into ``bench/out/corpus/`` and prints the count and total size.
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SEEDS_DIR = ROOT / "seeds"
PROFILES = ("news", "villages", "seeds")
OUT_DIR = ROOT / "bench" / "out" / "corpus"

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
PEOPLE = (
    "Oleh Syniehubov", "Serhiy Haidai", "Pavlo Kyrylenko", "Vitaliy Kim", "Volodymyr Zelensky", "Hanna Maliar",
    "Oleksiy Reznikov", "Valeriy Zaluzhnyi", "Oleksandr Syrskyi", "Mykhailo Podolyak", "Dmytro Kuleba",
    "Iryna Vereshchuk", "Ihor Terekhov", "Vitali Klitschko", "Natalia Humeniuk", "Yuriy Ihnat", "Denis Pushilin",
    "Leonid Pasechnik", "Vladimir Saldo", "Yevgeny Balitsky", "Igor Konashenkov", "Sergei Shoigu",
    "Dmitry Peskov", "Ramzan Kadyrov", "Yevgeny Prigozhin", "Jens Stoltenberg", "Lloyd Austin", "John Kirby",
    "Ben Wallace", "Antony Blinken", "Rafael Grossi", "Maria Zakharova", "Andriy Yermak", "Kyrylo Budanov",
)
TITLES = (
    "the regional governor", "a military spokesman", "the head of the military administration",
    "a senior defence official", "the mayor", "a spokeswoman for the southern command", "an adviser to the president",
    "the deputy defence minister", "a local council member", "the commander of the brigade",
)
UNITS = (
    "the 93rd Mechanized Brigade", "the 25th Airborne Brigade", "the 92nd Mechanized Brigade",
    "the 3rd Assault Brigade", "the 128th Mountain Assault Brigade", "the Azov Regiment",
    "the 1st Guards Tank Army", "the Wagner Group", "the 20th Combined Arms Army", "the 8th Army",
    "the Territorial Defence Forces", "the National Guard", "the 72nd Mechanized Brigade",
    "Kraken special forces", "the 58th Motorised Rifle Division", "the 810th Naval Infantry Brigade",
)
SOURCES = (
    "Reuters", "the Associated Press", "the Institute for the Study of War", "the Kyiv Independent",
    "the General Staff", "the British Ministry of Defence", "Ukrainska Pravda", "the BBC", "Al Jazeera",
    "the Financial Times", "CNN", "Agence France-Presse", "the Pentagon", "the United Nations",
)
WEAPONS = (
    "HIMARS rockets", "Grad rockets", "Iskander missiles", "Shahed drones", "Kalibr cruise missiles",
    "artillery", "mortar fire", "cluster munitions", "glide bombs", "Lancet drones", "tank fire",
)
QUOTES = (
    "We will not give up a single metre of our land",
    "The situation is difficult but under control",
    "The enemy is suffering heavy losses",
    "Our guys are holding the line",
    "There is no electricity, no water and no gas",
    "Every day we find new graves",
    "The evacuation must continue as long as it is safe",
    "We are moving forward slowly, step by step",
    "They are shelling everything that moves",
    "Nobody expected the front to collapse so quickly",
)
TOPICS = ("grain exports", "energy prices", "sanctions", "the refugee crisis", "military aid", "the peace talks",
          "inflation", "the nuclear plant", "prisoner exchanges", "the winter")

# War-reporting sentences. {place}/{place2}/{place3} are settlements, {region} an oblast's short name ("Kharkiv"),
# {raion} a raion's short name.
TEMPLATES = (
    "Ukrainian forces recaptured {place} on {weekday}, the governor said.",
    "Shelling hit {place} in the {region} region overnight.",
    "{person} said troops had advanced toward {place}.",
    "Fighting continued near {place}, {n} km from {place2}.",
    "Russian troops withdrew from {place} and {place2} after {weekday}'s counterattack, according to {source}.",
    "At least {n} civilians were killed when {weapon} struck {place} on {month} {day}.",
    "\"{quote},\" {person}, {title}, told reporters in {place}.",
    "{unit} reported repelling {n} attacks near {place} over the past day.",
    "The village of {place} in the {raion} district was left without power after the strike.",
    "Residents of {place} queued for water as the front moved closer to {place2}.",
    "{source} said Russian forces were regrouping between {place} and {place2}.",
    "Ukraine's General Staff said its troops had liberated {n} settlements in the {region} oblast, including {place}.",
    "Drone footage verified by {source} showed destroyed tanks on the road from {place} to {place2}.",
    "Evacuation buses left {place} for {place2} early on {weekday}, {person} wrote on Telegram.",
    "Russian-installed officials in {place} ordered residents to leave within {n} hours.",
    "A school and a hospital in {place} were damaged by {weapon}, officials in the {region} region said.",
    "Heavy fighting was reported on the outskirts of {place}, about {n} kilometres south of {place2}.",
    "{person} accused Moscow of using {weapon} against {place} and nearby {place2}.",
    "Soldiers of {unit} crossed the river near {place} on {month} {day}.",
    "The front line now runs roughly from {place} through {place2} to {place3}.",
    "In {place}, volunteers were clearing rubble from a five-storey block hit on {weekday}.",
    "Ukrainian officials said {n} bodies had been exhumed from a mass grave near {place}.",
    "Partisans blew up a railway bridge outside {place}, {source} reported.",
    "Russia's defence ministry claimed its forces had taken {place}, a claim Kyiv denied.",
    "Power was restored to {n} homes in {place} and the surrounding {raion} district.",
    "{person}, {title}, said the situation around {place} remained \"extremely tense\".",
    "Mine-clearing teams began work in fields near {place} after the Russian retreat.",
    "The road between {place} and {place2} is under constant fire, drivers told {source}.",
    "An ammunition depot near {place} exploded on {weekday} night, sending smoke across the {region} region.",
    "Ukraine's southern command said it had pushed Russian units back {n} km from {place}.",
    "Humanitarian aid reached {place} for the first time since {month}, the UN said.",
    "On {weekday}, {person} visited positions near {place} and handed out medals to {unit}.",
)
# Paragraph filler that names no place at all (people, numbers, ordinary capitalised words only).
NO_PLACE_TEMPLATES = (
    "{person} said the next weeks would be decisive for the campaign.",
    "Analysts at {source} said the pace of the advance had surprised Western officials.",
    "The Kremlin did not respond to a request for comment on {weekday}.",
    "Prices for {topic} have risen sharply since {month}, according to {source}.",
    "NATO foreign ministers will meet again in {month} to discuss {topic}.",
    "\"{quote},\" {person} said in a video address on {weekday} evening.",
    "More than {n} people have applied for temporary protection since {month}.",
    "The European Commission proposed a new package of measures on {topic} on {weekday}.",
    "{person} did not say how many troops had taken part in the operation.",
    "The figures could not be independently verified by {source}.",
    "Officials said {n} prisoners of war had been returned in the latest exchange.",
    "The Pentagon announced another ${n} million in security assistance on {weekday}.",
    "{title} declined to give details, citing operational security.",
    "In a statement, {unit} thanked volunteers for drones, vehicles and medical kits.",
)
HEADLINES = (
    "Ukraine says troops retake {place} as counteroffensive gathers pace",
    "Shelling kills {n} in {place}, officials say",
    "Russian forces dig in near {place} as winter approaches",
    "Live updates: fighting rages around {place}",
    "Residents return to ruins of {place} after Russian retreat",
    "{person}: \"{quote}\"",
    "What we know about the battle for {place}",
    "Kyiv claims gains in {region} region",
)


def _is_latin(name: str) -> bool:
    """Every letter of ``name`` is a Latin letter (accents allowed): "Kup’yans’k" yes, "Куп'янськ" no."""
    letters = [ch for ch in name if ch.isalpha()]
    return bool(letters) and all("LATIN" in unicodedata.name(ch, "") for ch in letters)


class _Filler:
    """Draws the values a template's placeholders take; all randomness goes through ``rng``."""

    def __init__(self, rng: random.Random, gazetteer, profile: str = "news"):
        if profile not in PROFILES:
            raise ValueError(f"profile must be one of {PROFILES}")
        self.rng = rng
        self.profile = profile
        settlements = [p for p in gazetteer.places if p.kind == "settlement" and p.country == "UA"]
        settlements.sort(key=lambda p: p.place_id)  # independent of the file's row order
        if not settlements:
            raise RuntimeError("the gazetteer holds no Ukrainian settlements")
        self.all_settlements = settlements
        self.big_settlements = [p for p in settlements if p.population >= 20_000] or settlements
        by_oblast: dict[str, list] = {}
        for place in settlements:
            if place.admin1.endswith(" Oblast"):
                by_oblast.setdefault(place.admin1, []).append(place)
        self.by_oblast = by_oblast
        self.oblasts = sorted(by_oblast) or ["Kharkiv Oblast"]
        regions = sorted((p for p in gazetteer.places if p.kind == "region" and p.country == "UA"),
                         key=lambda p: p.place_id)
        self.raions = [p.name.removesuffix(" Raion") for p in regions if p.name.endswith(" Raion")] or ["Izium"]
        self.focus = self.oblasts[0]
        self.drawn: dict[str, set[str]] = {}
        # "news": places named about as often as news names them — in proportion to population^0.6, so a city of
        # 1M is named ~60 times as often as a village of 1,000 (villages without a count weigh as 300 people).
        self._weights = {id(p): max(p.population, 300) ** 0.6 for p in settlements}
        self._local_weights = {o: list(itertools.accumulate(self._weights[id(p)] for p in ps))
                               for o, ps in by_oblast.items()}
        self._all_weights = list(itertools.accumulate(self._weights[id(p)] for p in settlements))

    def new_article(self) -> None:
        """An article is mostly about one oblast, as reports are: pick it."""
        self.focus = self.rng.choice(self.oblasts)
        self.drawn: dict[str, set[str]] = {}   # name as written → the places drawn under it in this article

    def settlement(self) -> str:
        rng = self.rng
        local = self.by_oblast.get(self.focus, ())
        if self.profile == "news":
            if local and rng.random() < 0.5:
                place = rng.choices(local, cum_weights=self._local_weights[self.focus])[0]
            else:
                place = rng.choices(self.all_settlements, cum_weights=self._all_weights)[0]
        else:  # "villages": a stress test — three of four names a random village, most with many namesakes
            if local and rng.random() < 0.5:
                pool = local
            else:
                pool = self.big_settlements if rng.random() < 0.45 else self.all_settlements
            place = rng.choice(pool)
        name = place.name
        if rng.random() < 0.25:
            latin = [n for n in place.alt_names if n != place.name and n[:1].isupper() and _is_latin(n)]
            if latin:
                name = rng.choice(latin)
        self.drawn.setdefault(name, set()).add(place.place_id)
        return name

    def values(self) -> dict[str, str]:
        rng = self.rng
        places = [self.settlement() for _ in range(3)]
        region = (self.focus if rng.random() < 0.7 else rng.choice(self.oblasts)).removesuffix(" Oblast")
        self.drawn.setdefault(region, set()).add("region")   # "Luhansk" the oblast, beside "Luhansk" the city
        return {
            "place": places[0], "place2": places[1], "place3": places[2],
            "region": region,
            "raion": rng.choice(self.raions),
            "person": rng.choice(PEOPLE), "title": rng.choice(TITLES), "unit": rng.choice(UNITS),
            "source": rng.choice(SOURCES), "weapon": rng.choice(WEAPONS), "quote": rng.choice(QUOTES),
            "topic": rng.choice(TOPICS), "weekday": rng.choice(WEEKDAYS), "month": rng.choice(MONTHS),
            "day": str(rng.randint(1, 28)), "n": str(rng.choice((2, 3, 5, 7, 10, 12, 15, 20, 30, 40, 100, 250))),
        }

    def fill(self, template: str) -> str:
        text = template.format(**self.values())
        return text[0].upper() + text[1:]


def seed_paragraphs(seeds_dir: Path = SEEDS_DIR, longest: int = 1_200) -> list[str]:
    """Every paragraph of the seed articles long enough to be prose (headlines and captions left out); a block
    longer than ``longest`` characters is cut at sentence ends into paragraphs of about half that."""
    paragraphs = []
    for path in sorted(seeds_dir.glob("*.txt")):
        for block in path.read_text(encoding="utf-8").split("\n\n"):
            block = " ".join(block.split())
            if len(block) < 80:
                continue
            if len(block) <= longest:
                paragraphs.append(block)
                continue
            chunk = ""
            for sentence in re.split(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])", block):
                chunk = f"{chunk} {sentence}".strip()
                if len(chunk) >= longest // 2:
                    paragraphs.append(chunk)
                    chunk = ""
            if len(chunk) >= 80:
                paragraphs.append(chunk)
    return paragraphs


def _article(rng: random.Random, filler: _Filler, seeds: list[str], size: int) -> str:
    filler.new_article()
    parts = [filler.fill(rng.choice(HEADLINES))]
    length = len(parts[0].encode("utf-8"))
    while length < size:
        roll = rng.random()
        if roll < 0.25 and seeds:
            paragraph = rng.choice(seeds)
        elif roll < 0.40:
            paragraph = " ".join(filler.fill(rng.choice(NO_PLACE_TEMPLATES)) for _ in range(rng.randint(2, 5)))
        else:
            sentences = [rng.choice(TEMPLATES) for _ in range(rng.randint(2, 6))]
            if rng.random() < 0.5:  # the odd place-free sentence inside a place-rich paragraph
                sentences.insert(rng.randint(0, len(sentences)), rng.choice(NO_PLACE_TEMPLATES))
            paragraph = " ".join(filler.fill(s) for s in sentences)
        parts.append(paragraph)
        length += len(paragraph.encode("utf-8")) + 2
    return "\n\n".join(parts).rstrip() + "\n"


def build_corpus(target_bytes: int = 6_000_000, seed: int = 1234, *, gazetteer=None, profile: str = "news",
                 truth: list | None = None) -> list[str]:
    """Varied news-like articles (~2–8 KB each), at least ``target_bytes`` of UTF-8 in all; same seed, same corpus.

    ``profile``: "news" draws settlements in proportion to population^0.6; "villages" draws three in four from
    all villages alike (a stress test of namesake resolution). ``truth``: a list that gets, per generated article,
    {settlement name as written: the place ids drawn under that name} (draws a template did not use included)."""
    if gazetteer is None:
        from mapapp.gazetteer import load_gazetteer

        gazetteer = load_gazetteer()
    if profile == "seeds":  # the five seed articles as they are, repeated: real war reporting, nothing generated
        texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS_DIR.glob("*.txt"))]
        articles, total = [], 0
        while total < target_bytes:
            articles.append(texts[len(articles) % len(texts)])
            total += len(articles[-1].encode("utf-8"))
        return articles
    rng = random.Random(seed)
    filler = _Filler(rng, gazetteer, profile)
    seeds = seed_paragraphs()
    articles: list[str] = []
    total = 0
    while total < target_bytes:
        text = _article(rng, filler, seeds, rng.randint(2_000, 7_000))
        articles.append(text)
        if truth is not None:
            truth.append(filler.drawn)
        total += len(text.encode("utf-8"))
    return articles


def write_corpus(articles: list[str], out_dir: Path = OUT_DIR) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("article_*.txt"):
        old.unlink()
    for i, text in enumerate(articles):
        (out_dir / f"article_{i:05d}.txt").write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the benchmark corpus to bench/out/corpus/.")
    parser.add_argument("--mb", type=float, default=6.0, help="corpus size in MB (10^6 bytes; default 6)")
    parser.add_argument("--seed", type=int, default=1234, help="random seed (default 1234)")
    parser.add_argument("--profile", choices=PROFILES, default="news", help="settlement mix (default news)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help=f"output folder (default {OUT_DIR})")
    args = parser.parse_args(argv)
    articles = build_corpus(int(args.mb * 1_000_000), args.seed, profile=args.profile)
    write_corpus(articles, args.out)
    total = sum(len(a.encode("utf-8")) for a in articles)
    print(f"{len(articles)} articles, {total / 1e6:.2f} MB written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
