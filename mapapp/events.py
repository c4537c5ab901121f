"""Events: what a report says happened where and when, with the sentence that says it.

Sentence by sentence, a *trigger* (a verb or noun phrase of the event vocabulary: "liberated", "raised the flag
over", "fighting around", "reached the outskirts of", "shelling") is linked to the place names around it — the
nearest trigger wins each place, within the same sentence. Phrases that are not events (hypotheticals, purposes,
distances, supply lines, adjectives such as "Russia-occupied") are recognised first and keep the places they
govern out. Dates come from the sentence (``mapapp.dates``), else the publication date. Disputes and claimants
come from the sentence or, for a counter-claim, from another sentence naming the same place.

``reports_from_article`` gives one ``Report`` per (sentence, place); ``events_from_reports`` merges reports of
the same place and type whose dates may mean the same day into one ``Event`` with several sources.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import date

from mapapp.articles import Article
from mapapp.basemap import nearest_border_point
from mapapp.dates import PRECISIONS, dates_in, overlaps, window
from mapapp.gazetteer import Gazetteer, Place, load_gazetteer, normalize_name
from mapapp.geoparse import Mention, mentions_from_text

EVENT_TYPES = ("liberated", "advance", "contested", "occupied", "shelling")
ACTORS = {"liberated": "Ukraine", "advance": "Ukraine", "occupied": "Russia", "shelling": "Russia", "contested": ""}


@dataclass(frozen=True, slots=True)
class Source:
    article: str
    outlet: str
    published: date | None
    url: str
    quote: str


@dataclass(frozen=True, slots=True)
class Report:
    """One sentence's claim about one place."""
    article: str
    place: Place
    event_type: str
    date: date | None
    date_precision: str | None
    quote: str
    sentence_start: int
    mention_start: int
    mention_end: int
    claimed_by: str | None = None
    disputed: bool = False
    counter_claim: str | None = None
    confidence: float = 0.5
    actor: str | None = None    # whose forces, where the sentence says and it differs from ``ACTORS[event_type]``


@dataclass(frozen=True, slots=True)
class Event:
    event_id: str
    place: Place
    event_type: str
    date: date | None
    date_precision: str | None
    actor: str
    claimed_by: str | None
    disputed: bool
    counter_claim: str | None
    sources: tuple[Source, ...]
    confidence: float
    articles: tuple[str, ...] = field(default=())

    @property
    def quote(self) -> str:
        return self.sources[0].quote if self.sources else ""


# ------------------------------------------------------------------------------------------------------------
# Sentences

_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9А-ЯІЇЄҐ])|\n\s*\n|(?<![,:;])\n")
# The same breaks, found faster: the pattern opens with the class of its first character (the end of a sentence, or a
# newline), so that the regex engine skips ahead to the next one instead of trying the pattern at every character.
# After a sentence's end, the break is group 1 (the end itself is no part of it); after a newline, the whole match.
_SENTENCE_BREAK_FAST = re.compile(
    r"[.!?…\n](?:(?<=[.!?…])([\"”’)\]]*\s+)(?=[\"“‘(\[]?[A-Z0-9А-ЯІЇЄҐ])|(?<=\n)\s*\n|(?<=\n)(?<![,:;]\n))")


# A full stop after one of these, or after an initial ("V.", "U.S."), ends no sentence: "on Aug. 16", "Gov. Oleh
# Syniehubov", "Lt. Gen. Syrskyi", "St. Petersburg".
_ABBREVIATIONS = frozenset(
    "gov gen lt col maj sgt capt cmdr adm mr mrs ms dr st sen rep prof est jr sr vs dept govt pres mt ft"
    .split())
_BEFORE_NUMBER = frozenset("jan feb mar apr jun jul aug sep sept oct nov dec no nos".split())  # "Aug. 16", "No. 3"
_WORD_BEFORE_STOP = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")


def _sentence_breaks(text: str):
    """(start, end) of each match of ``_SENTENCE_BREAK`` in ``text``, in order, except after an abbreviation."""
    for m in _SENTENCE_BREAK_FAST.finditer(text):
        if m.start(1) < 0:
            yield m.span()
            continue
        if text[m.start()] == "." and not text[m.start() - 5:m.start()].isalnum():  # a word of 5+ letters is none
            word = _WORD_BEFORE_STOP.search(text, max(0, m.start() - 12), m.start() + 1)
            if word is not None and word.start() > 0 and text[word.start() - 1].isalnum():
                word = None  # the end of a longer word ("…the other 12.")
            if word is not None and ("." in word[1] or (len(word[1]) == 1 and word[1].isupper())
                                     or word[1].lower() in _ABBREVIATIONS
                                     or (word[1].lower() in _BEFORE_NUMBER and text[m.end(1):m.end(1) + 1].isdigit())):
                continue
        yield m.span(1)


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; a line ending in a comma runs on ("According to X,\\nRussian soldiers…")."""
    spans, start = [], 0
    for break_start, break_end in _sentence_breaks(text):
        if break_start > start and text[start:break_start].strip():
            spans.append((start, break_start))
        start = break_end
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


# ------------------------------------------------------------------------------------------------------------
# Triggers

@dataclass(frozen=True)
class _Trigger:
    kind: str | None        # an event type, None for a phrase that governs places without being an event, or
    pattern: re.Pattern     # "mask" for one that only hides the words inside it; matched on lower-cased text
    strength: float
    direction: str = "both"  # "after": places follow it ("retreat from X"); "both": also before ("X, liberated by")
    stems: tuple[str, ...] = ()  # every match contains one of these: sentences without any skip the pattern
    reach: int | None = None     # how far (characters) a place may lie from it; None: ``_WINDOW_AFTER``/``_BEFORE``
    orient: str | None = None    # how the side doing it changes the event (``_oriented``): "capture", "withdrawal",
                                 # "mover"; None: the pattern names the side itself or it does not matter


def _t(kind, pattern, strength=0.8, direction="both", *, stems, reach=None, orient=None):
    return _Trigger(kind, re.compile(pattern), strength, direction, tuple(stems), reach, orient)


def _any_of(stems) -> re.Pattern:
    """``_any_of(stems).search(text)`` is ``any(stem in text for stem in stems)``, in one call."""
    return re.compile("|".join(map(re.escape, stems)))


_TRIGGERS = (
    # Gains "west of Verbove" are at Verbove (before "west of" below claims the words as a mere bearing).
    _t("advance", r"\b(?:(?:made|making|make|makes)\s+(?:small\s+|some\s+|further\s+|modest\s+|limited\s+|new\s+)?"
                  r"(?:gains|progress|advances)|advanc(?:ed|ing))\s+(?:(?:north|south|east|west|north-?east|"
                  r"north-?west|south-?east|south-?west)(?:ern)?\s+of|near|around|toward|towards|in)\b|"
                  r"\bedg(?:ed|ing|es|e)\s+(?:closer\s+)?(?:towards?|to|on)\b|"
                  r"\bimprov\w*\s+(?:their|its|the)\s+(?:tactical\s+)?positions?\s+(?:near|around|in|outside)\b|"
                  r"\bpushed\b(?=\s+(?:\w+\s+){0,3}back\s+(?:near|around)\b)", 0.65, "after",
       stems=("gains", "progress", "advances", "advanced", "advancing", "edg", "improv", "pushed"), orient="mover"),
    # Not events, but they hold the places they govern: supply lines, encirclement, distances, bases, adjectives.
    _t(None, r"\b(?:supplies|supply (?:routes?|lines?)|lines of communication|cut off)\b"
             r"(?:\s+(?:to|of|around|in))?", 1.0, stems=("suppl", "communication", "cut off")),
    _t(None, r"\b(?:encircl\w*|surround\w*)\b(?:\s+(?:of|around|in))?", 1.0, "after", stems=("encircl", "surround")),
    _t(None, r"\b\d[\d,.]*\s*(?:-?\s*)(?:km|kilomet(?:er|re)s?|miles?)\s+(?:\w+\s+){0,2}(?:of|from)\b", 1.0, "after", stems=("km", "kilomet", "mile")),
    _t(None, r"\b(?:just|some|about|only)\s+\d[\d,.]*\s*(?:km|kilomet(?:er|re)s?|miles?)\b", 1.0, "after", stems=("km", "kilomet", "mile")),
    # Adjectives describing a place's earlier state mask their verb ("the Russia-occupied town of Kupiansk").
    _t("mask", r"\b(?:[\w-]+-(?:occupied|held|controlled)|occupied territor\w*|russian-held)\b", 1.0, stems=("-occupied", "-held", "-controlled", "occupied territor", "russian-held")),
    # "from the direction of X", "the battle of X": the place that follows, not the one before.
    _t(None, r"\b(?:direction\s+of|battle\s+of|population\s+of|base\s+for)\b", 1.0, "after",
       stems=("direction", "battle of", "population of", "base for")),
    _t(None, r"\b(?:major base|base for|hub|battle of|population of|evacuat\w+|direction|fled|"
             r"flee(?:ing)?)\b", 1.0, stems=("base", "hub", "battle of", "population of", "resident", "evacuat", "direction", "fled", "flee")),
    _t(None, r"\b(?:north|south|east|west|northeast|northwest|southeast|southwest)(?:ern)?\s+of\b", 1.0, "after", stems=("north", "south", "east", "west")),
    # A participle after "after" or "since" tells what came before the news: "the counteroffensive stalled after
    # liberating Robotyne".
    _t(None, r"\b(?:after|since|following)\s+(?:liberating|recapturing|retaking|capturing|seizing|taking)\b", 1.0,
       "after", stems=("after", "since", "following")),
    # liberated
    _t("liberated", r"\b(?:liberat(?:ed|ing|ion[”\"’']?\s+of|es?)|recaptur(?:ed|es?|ing)|retak(?:en|es?|ing)|retook|"
                    r"reclaim(?:ed|ing|s)?|regain(?:ed|ing|s)?|took back|taken back|won back|freed|de-?occupied|"
                    r"(?:back|returning|returned|return)\s+(?:\w+\s+)?under ukrainian control|ukrainian (?:forces|troops) (?:have |had )?(?:taken|took) "
                    r"(?:full )?control of|"
                    r"recapture of|re-?entered|re-?entering)\b", 0.9, stems=("liberat", "recaptur", "retak", "retook", "reclaim", "regain", "took back", "taken back", "won back", "freed", "occupied", "ukrainian control", "entered", "entering"),
       orient="capture"),
    _t("liberated", r"\b(?:raised|raising|hoisted|hoisting)\s+(?:the\s+)?(?:ukrainian\s+|national\s+)?flags?\b"
                    r"(?:\s+(?:over|in|above))?|\bflags?\b[^.;]{0,40}?\b(?:had been |has been |have been |was |were )?"
                    r"(?:raised|hoisted)\s+(?:over|in|above)\b", 0.85, stems=("flag",), orient="capture"),
    # Pulling back from *around* a town is ground gained near it, not the town retaken.
    _t("advance", r"\b(?:withdr(?:ew|awn|awing|aw)|retreat(?:ed|ing|s)?|pull(?:ed|ing|s)?\s+(?:back|out)|"
                  r"pushed\s+(?:\w+\s+){0,2}back)\s+(?:\w+\s+){0,2}?(?:from|out\s+of|(?<=out\s)of)\s+(?:the\s+)?(?:areas?\s+|"
                  r"positions\s+|territor(?:y|ies)\s+)?(?:around|the outskirts of|near)\b", 0.7,
       "after", stems=("around", "outskirts", "near")),
    # So is a siege lifted, abandoned or broken: the besiegers pull back from a town they never took. ("Ended" is
    # left out: a siege also ends with the town's fall.)
    _t("advance", r"\b(?:abandon(?:ed|ing|s)?|lift(?:ed|ing|s)?|br(?:oke|oken|eak|eaks|eaking))\s+"
                  r"(?:the\s+|their\s+|its\s+|a\s+)?(?:semi-)?siege\s+(?:of|around|on)\b"
                  r"|\bsiege\s+(?:of|around|on)\b(?=[^.;]{0,40}?\b(?:was|were|has been|had been)\s+"
                  r"(?:lifted|abandoned|broken)\b)", 0.7, "after", stems=("siege",)),
    # A withdrawal is the other side's gain: Ukrainian troops pulling out of a town leave it to Russia.
    _t("occupied", r"\bukrainian (?:forces|troops|units|soldiers|defenders|army)\s+(?:\w+\s+){0,3}?"
                   r"(?:withdr(?:ew|awn|awing|aw|aws)|retreat(?:ed|ing|s)?|pull(?:ed|ing|s)?\s+(?:back|out))\s+"
                   r"(?:\w+\s+){0,3}?(?:from|out of)\b", 0.75, "after", stems=("ukrainian forces", "ukrainian troops",
                                                                "ukrainian units", "ukrainian soldiers",
                                                                "ukrainian defenders", "ukrainian army")),
    _t("liberated", r"\b(?:withdr(?:ew|awn|awing|aw)|retreat(?:ed|ing|s)?|pull(?:ed|ing|s)?\s+(?:back|out)|"
                    r"regroup(?:ed|ing)?(?:\s+and\s+transferred)?|fled|abandon(?:ed|ing)|expelled|driven out|"
                    r"ousted|pushed\s+(?:\w+\s+){0,2}(?:back|out))\s+(?:\w+\s+){0,3}?from\b|"
                    r"\b(?:withdr(?:ew|awn|awing|aw|aws)|pull(?:ed|ing|s)?)\s+(?:\w+\s+){0,2}?out\s+of\b", 0.75, "after",
       stems=("withdr", "retreat", "pull", "regroup", "fled", "abandon", "expel", "driven out", "ousted", "pushed"),
       orient="withdrawal"),
    _t("liberated", r"\bregrouped and transferred\b", 0.7, "before", stems=("regrouped",)),
    # Russian troops leaving a place leave it to Ukraine: "Russian troops were leaving the villages of …".
    # The place comes right after the verb ("left 20 dead near Bakhmut", "left behind mines" are not the place).
    _t("liberated", r"\brussian (?:forces|troops|units|soldiers|army)\s+(?:\w+\s+){0,3}?(?:left|leaving|leave|leaves)"
                    r"\b(?!\s+(?:behind|\d|dozens|hundreds|thousands|their|them|it|its|the bodies|mines|bank|flank|side))(?<!the left)"
                    r"(?<!on left)", 0.7, "after",
       stems=("russian forces", "russian troops", "russian units", "russian soldiers", "russian army"), reach=45),
    # occupied
    _t("occupied", r"\b(?:fell|fallen)\s+to\s+(?:russian|russia|the russians|moscow)\b|\b(?:captured|seized|taken|"
                   r"occupied|overrun)\s+by\s+(?:russian|russia|the russians)\w*\b|\bunder russian (?:control|"
                   r"occupation)\b|\b(?:russian (?:forces|troops|army)|russia) (?:captured?|captures|seized?|seizes|"
                   r"occupied|occupies)\b|\brussian (?:forces|troops) (?:have |had )?(?:taken|took) "
                   r"(?:full )?control of\b", 0.85, stems=("fell", "fallen", "captured by", "seized by", "taken by", "occupied by", "overrun by", "under russian", "russian forces", "russian troops", "russian army", "russia ")),
    # "Russian forces took Soledar", but not "Russia takes aim at…" nor a place further on.
    _t("occupied", r"\b(?:russian (?:forces|troops|army)|russia) (?:took|takes?)\b(?!\s+(?:aim|part|steps|over\s+\d))"
                   r"(?:\s+(?:the\s+)?(?:town|city|village|settlement)\s+of)?", 0.8, "after",
       stems=("russian forces", "russian troops", "russian army", "russia "), reach=3),
    # A monitoring map's verdict: "DeepState marked Zvanivka as occupied".
    _t("occupied", r"\bmarked\b(?=[^.;]{0,40}?\bas\s+(?:occupied|russian-(?:held|controlled)|under\s+russian\s+control))",
       0.7, "after", stems=("marked",), reach=40),
    # "The fall of Avdiivka": the place right after it, not every place further on in the sentence.
    _t("occupied", r"\b(?:the\s+)?fall of\b(?![^.;]{0,40}?\bto\s+(?:the\s+)?(?:ukrain|kyiv))", 0.7, "after",
       stems=("fall of",), reach=3),
    # advance
    _t("advance", r"\breach(?:ed|es|ing)?\s+(?:the\s+)?(?:(?:north|south|east|west|north-?east|north-?west|south-?east|"
                  r"south-?west)(?:ern)?\s+)?(?:outskirts|edge|approaches|suburbs|centre|center)\s+of\b",
       0.85, "after", stems=("reach",), orient="mover"),
    _t("advance", r"\b(?:advanc(?:ed|ing)\s+(?:near|around)|(?:advanc(?:ed|ing|es|e)|push(?:ed|ing|es)?|mov(?:ed|ing|es)|"
                  r"clos(?:ed|ing|es|e) in)\s+(?:on|toward|towards|"
                  r"into|to|as far as))\b|\b(?:enter(?:ed|ing|s)?|approach(?:ed|ing)|attack(?:ed|ing)|"
                  r"counter-?attack(?:ed|ing)|taking aim at|offensive (?:on|against|toward|towards)|"
                  r"counteroffensive (?:on|against|toward|towards)|"
                  r"counteroffensive against russian forces in|assault on|(?:counter)?offensive (?:around|in)|"
                  r"advanc(?:ed|ing|es|e)\s+(?:\w+\s+){1,4}?(?:toward|towards)|"
                  r"advanc(?:ed|ing)\s+(?:in|along|into)\s+(?:(?:the\s+)?(?:north|south|east|west|central|centre|"
                  r"center|north-?east|north-?west|south-?east|south-?west)(?:ern)?\s+(?:part\s+of\s+)?)?|"
                  r"control territory up (?:until|to)|(?:clawing|claw|clawed) back (?:land|ground|territory)|"
                  r"push(?:ed|ing|es)?\s+forward\s+(?:\w+\s+){0,3}?(?:near|around|toward|towards|in|into)|"
                  r"infiltrat\w*(?:\s+into)?)\b",
       0.65, "after", stems=("advanc", "push", "mov", "clos", "enter", "approach", "attack", "aim at", "offensive", "assault", "control territory", "claw", "infiltrat"),
       orient="mover"),
    _t("advance", r"\b(?:was|were|been|being)\s+(?:attacked|approached|entered|reached|stormed)\b|\bmoved in\b", 0.65,
       "before", stems=("was ", "were ", "been ", "being ", "moved in"), orient="mover"),
    # Captured, seized, took control: whose troops did it decides the event (``_oriented``); unknown, none.
    _t("capture", r"\b(?:captur(?:ed|es|e|ing)|seiz(?:ed|es|e|ing)|overr?an|overrun|(?:took|taken|take|takes|taking)"
                  r"(?:\s+(?:full\s+|complete\s+|total\s+)?control\s+of)?|(?:now\s+|fully\s+)?controls?(?!\s+of))\b",
       0.8, "after", stems=("captur", "seiz", "overran", "overrun", "took", "taken", "tak", "control"), reach=30,
       orient="capture"),
    # contested
    # Attacks around a town, kept up or repelled: fighting there, not a move onto it. ("Attacks on" a city are as
    # often strikes: left to the other words of the sentence.)
    _t("contested", r"\b(?:attacks|assaults|counter-?attacks)\s+(?:around|near|in\s+the\s+(?:area|vicinity)\s+of)\b|"
                    r"\b(?:attacks|assaults|attempts)\s+(?:on|against)\b(?=[^.;]{0,80}?\b(?:were|was|had\s+been|have\s+been)\s+"
                    r"(?:repelled|repulsed|stopped|beaten\s+back|thwarted))|"
                    r"\b(?:repel\w*|repuls\w*|stopp\w*)\s+(?:\w+\s+){0,2}(?:attacks|assaults)\s+(?:on|against)\b|"
                    r"\b(?:tried|attempted|trying|attempting)\s+(?:\d+\s+times\s+|again\s+|repeatedly\s+)?to\s+"
                    r"(?:advance|break\s+through|storm|attack)\s+(?:near|around|on|toward|towards|in)\b", 0.7,
       stems=("attacks", "assaults", "tried", "attempt", "trying")),
    _t("contested", r"\b(?:(?:heavy |fierce |intense )?fighting|battles? for|clashes|clashed|firefights?|"
                    r"contested|grey zone|gray zone|situation in|remains? (?:quite |very )?difficult|"
                    r"(?:tried|trying|attempt(?:ed|ing)?) to cross|river crossing|crossing the)\b", 0.7, stems=("fight", "battle", "clash", "contested", "zone", "situation in", "difficult", "cross")),
    # shelling
    _t("shelling", r"\b(?:shell(?:ed|ing|s)?|bombard(?:ed|ing|ment)|bomb(?:ed|ing)|air ?strikes?|missile (?:strikes?|"
                   r"attacks?)|rocket (?:strikes?|attacks?|fire)|strikes? on|struck|artillery (?:fire|strikes?)|"
                   r"pummell?(?:ed|ing)|drone (?:strikes?|attacks?)|explosions?|"
                   r"(?:came|comes|come|coming)\s+under\s+(?:\w+\s+){0,2}?(?:attack|fire)|"
                   r"(?:drones?|missiles?|rockets?|shells?|bombs?|strikes?|artillery|shelling)\s+(?:also\s+|again\s+)?"
                   r"(?:hit|hits|slammed\s+into|landed\s+(?:in|on)|damaged|destroyed))\b", 0.75, stems=("shell", "bomb", "strike", "struck", "artillery", "pummel", "drone", "explosion", "missile", "rocket", "came under", "comes under", "come under", "coming under"), orient="mover"),
    _t("shelling", r"\b(?:killed|died|dead|wounded|injured|injuries|hospitali[sz]ed|casualties)\b", 0.55, stems=("kill", "died", "dead", "wound", "injur", "hospitali", "casualt")),
    # Attempts and purposes name places that were not (yet) taken: "attempting to seize Kyiv", "let alone seizing".
    _t(None, r"\b(?:attempt\w*|trying|tried|try|fail\w*|sought|seeking|plans?|planned|aim\w*|order)\s+to\s+\w+|"
             r"\blet alone\s+\w+", 1.0, "after", stems=("attempt", "trying", "tried", "try", "fail", "sought", "seeking", "plan", "aim", "order", "let alone")),
)

# Words before a trigger that make it something that has not happened: a forecast, a purpose, a condition, a
# negation. Looked for between the trigger and the clause's start (at most ~60 characters back).
_HYPOTHETICAL_WORDS = (
    r"may|might|could|would|will|shall|if|unless|whether|plans?|planning|aims?|aiming|intends?|expected|"
    r"hopes?|ready|wants?|wanted|predict\w*|threat\w*|possible|possibly|likely to|going to|failed to|fail to|"
    r"not|never|no longer|cannot|can't|didn't|did not|won't|attempts? to|attempt to|try to|seeks? to|"
    r"order to|in order|so as to|bid to|second attempt|failed|unsuccessful|abortive|to")
_HYPOTHETICAL = re.compile(rf"\b(?:{_HYPOTHETICAL_WORDS})\s+(?:\w+\s+){{0,3}}$", re.IGNORECASE)
# ``_HYPOTHETICAL.search(text)`` is ``_HYPOTHETICAL_REVERSED.match(text[::-1])``: the pattern can only match at the
# end of the text, so it is read backwards from there once instead of being tried at every character.
_HYPOTHETICAL_REVERSED = re.compile(
    r"(?:\s+\w+){0,3}\s+(?:%s)\b" % "|".join(
        "".join(reversed(re.findall(r"\\w\*|.\?|.", word))) for word in _HYPOTHETICAL_WORDS.split("|")),
    re.IGNORECASE)
_HEDGE = re.compile(r"\b(?:reportedly|apparently|unconfirmed|allegedly|if confirmed|could not be (?:independently )?"
                    r"verified|rumou?rs?|claims? to have)\b", re.IGNORECASE)
_CLAUSE_START = re.compile(r"[;:—–]|,\s+(?:but|while|although|though|and)\b|\bbut\b|[“‘\"]")
# The same matches, the pattern opening with the class of their first character (the regex engine skips ahead).
_CLAUSE_START_FAST = re.compile(
    r"[;:—–“‘\",b](?:(?<=[;:—–“‘\"])|(?<=,)\s+(?:but|while|although|though|and)\b|(?<=b)(?<!\wb)ut\b)")
_DISPUTE_SAME = re.compile(r"\b(?:something|which|a claim|claims?)\s+(?:\w+\s+){0,2}(?:disputes?|denies|denied|"
                           r"rejects?|rejected)\b|\b(?:disputed|denied|rejected)\s+by\b|"
                           # an unconfirmed claim: "ISW has not observed confirmation", "could not be verified"
                           r"\b(?:has|have|had)\s+not\s+(?:yet\s+)?(?:observed|seen|found)\s+(?:\w+\s+){0,2}?"
                           r"(?:confirmation|evidence)|\bno\s+(?:visual\s+|independent\s+)?confirmation\b|"
                           r"\bcould\s+not\s+(?:be\s+)?(?:independently\s+)?(?:verif|confirm)\w*|"
                           r"\bnot\s+(?:been\s+|yet\s+been\s+)?(?:independently\s+)?(?:confirmed|verified)\b",
                           re.IGNORECASE)
_COUNTER = re.compile(r"\bonly\s+(?:been\s+)?(?:withdrawn|pulled\s+back|retreated|left)\b|\b(?:denies|denied|"
                      r"disputes|disputed|refuted|rejects|rejected|dismissed|dismisses)\b|\bnot true\b|\bremain(?:s|ed)? in control\b",
                      re.IGNORECASE)
_BORDER = re.compile(r"\b(?:reach(?:ed|es|ing)?|pushed\s+(?:\w+\s+){0,4}back\s+to|back\s+to|as far as)\s+(?:the\s+)?"
                     r"(?:(?:russian|ukraine[’']?s|state|russian state)\s+)*border\b", re.IGNORECASE)
_CLAIM_VERB = re.compile(r"\b(?:said|says|claimed|claims|claim|reported|reports|announced|tweeted|wrote|stated|"
                         r"admitted|admits|acknowledged|acknowledges|conceded|concedes|confirmed|told)\b")
_ACCORDING = re.compile(r"\baccording to\s+(?:the\s+)?(?P<who>[^,.;:“”\"]{3,90})", re.IGNORECASE)
_ROLE = re.compile(r"\b(?:ministry|spokes(?:man|woman|person)|governor|officials?|president|minister|staff|military|"
                   r"forces|army|institute|adviser|commander|mayor|head|sources?|channels|analysts?|intelligence|"
                   r"administration|command|ukraine|russia|kyiv|moscow|kremlin|(?:mil)?bloggers?|correspondents?|group)\b",
                   re.IGNORECASE)
_HISTORY_YEAR = re.compile(r"\b(?:19|20)\d\d\b")

_EVENT_KINDS = ("settlement", "region", "river")  # a river only as the line an advance reached
# A name that is the agent or the seat of whoever speaks is not where the event is: "retaken by Kyiv", "officials
# in Washington and Kyiv", "the governor of Kharkiv", "settlements around Kharkiv".
_NOT_THE_PLACE = re.compile(
    r"(?:\bby|\b(?:news|blow|boost|setback|victory|win|defeat|success|embarrassment|humiliation|headache)\s+(?:for|to)"
    r"|\b(?:speaking|writing|reporting|visiting|returned)\s+(?:from|in|to)|\b(?:plant|station)\s+(?:in|at|near)|\b(?:road|highway|motorway|railway|route)"
    r"\s+(?:\w+\s+){0,2}?(?:to|from|between|linking)|\b(?:officials?|sources?|authorities|government|ministry|spokes\w+|"
    r"governor|mayor|head|"
    r"administration|channels?|leaders?)\s+(?:in|from|of|for)"
    r"|\b(?:settlements|towns|villages|cities|positions|lines|parts?)\s+(?:around|near|outside)"
    r"|\b(?:transferred|moved|redeployed|sent|relocated|withdrawn|pulled back|regrouped|retreat\w*|fall(?:ing)? back|"
    r"fell back|fled|heading|head)[”\"’]?\s+(?:\w+\s+){0,2}(?:to|toward|towards|into))\s+"
    r"(?:(?:the|separatist|self-proclaimed|so-called|breakaway|neighbou?ring|occupied)\s+)*"
    r"(?:(?:city|town|region)\s+of\s+)?(?:[A-Z][\w’'-]+(?:\s*,\s*|\s+and\s+))*$")
# A name that speaks, holds or commands is its government or its people, not the event's place: "Kyiv said",
# "Kyiv has held Kupiansk since…", "Kyiv's troops", "Kharkiv's governor".
_AGENT_AFTER = re.compile(
    r"(?:[’']s\s+(?:own\s+|top\s+|regional\s+|military\s+)?(?:forces|troops|army|military|soldiers|units|government|"
    r"officials?|governor|mayor|administration|defen[cs]e\s+ministry|ministry|general\s+staff|commanders?|"
    r"spokes\w+|leaders?|leadership|counter-?offensive|offensive|drones?|missiles?|artillery)\b)"
    r"|\s+(?:(?:regional|city|military|oblast|state|district|civil-military)\s+){0,3}(?:governor|mayor|officials|"
    r"authorities|administration|"
    r"council|prosecutors?|police)\b"
    r"|\s+(?:has\s+|had\s+|have\s+|also\s+|later\s+|quickly\s+|repeatedly\s+)?(?:said|says|claimed|claims|denied|denies|"
    r"insist(?:s|ed)|announced|accused|reported|ordered|admitted|confirmed|warned|insisted|responded|"
    r"held|holds|controlled|controls|sent|deployed|launched)\b(?!\s+out\b)")
_OF_BEFORE = re.compile(r"\b(?:of|in|from|near|at)\s+(?:the\s+)?$")   # "residents of Kupiansk reported": not the agent
# A name that names a front, an offensive or a unit is not the place of the event: "as the Kharkiv offensive
# widened", "on the Zaporizhzhia front", "in the Kupiansk direction", "the Khortytsia group of forces".
_OPERATION_AFTER = re.compile(r"\s+(?:counter-?offensive|offensive|front|frontline|direction|axis|sector|operation|"
                              r"group\s+of\s+(?:forces|troops)|operational\s+group|brigade|battalion|regiment|"
                              r"division|corps)\b", re.IGNORECASE)
# A power plant named after a town is not the town: the Zaporizhzhia plant is at Enerhodar, 50 km away.
_PLANT_AFTER = re.compile(r"\s+(?:nuclear\s+(?:power\s+)?(?:plant|station)|npp|power\s+(?:plant|station))\b",
                          re.IGNORECASE)
# A region named right after a settlement only locates it: "Vasylenkove in the Kharkiv region", "Balakliya, Kharkiv".
_LOCATOR_GAP = re.compile(r"^(?:\s*,\s*|\s+(?:in|of|near)\s+)(?:the\s+)?$")
# Or after a description of the settlement: "Snihurivka, a town of 12,000 people in the Mykolaiv region".
# Or after a list's common place: "liberated A on July 27 and B on Aug. 16, both in neighbouring Donetsk Oblast".
_BOTH_IN = re.compile(r"\b(?:both|all|each|all\s+three|all\s+of\s+them)\s+(?:located\s+)?in\s+(?:the\s+)?"
                      r"(?:neighbou?ring\s+|nearby\s+|adjacent\s+)?$")
_POSSESSIVE_LOCATOR = re.compile(r"(?:\s+(?:region|oblast|province))?[’']s\s+[A-ZА-ЯІЇЄҐ]")
_APPOSITION_GAP = re.compile(r",\s+(?:a|an|the)\s+(?:[^.;:,]|(?<=\d)[,.](?=\d)){0,80}?\b(?:in|of)\s+(?:the\s+)?$")
# So does one that opens the sentence as its setting, before the places it reports: "In the Zaporizhzhia region,
# Ukrainian forces held Robotyne…" (matched on the words before the region's name, and after it).
_FRAME_BEFORE = re.compile(r"^\W*(?:(?:Elsewhere|Meanwhile|Further \w+|Farther \w+),?\s+)?(?:In|in|Across|across)\s+"
                           r"(?:the\s+)?$")
_FRAME_AFTER = re.compile(r"(?:\s+(?:region|oblast|province))?\s*,", re.IGNORECASE)
# Where the speakers are, not where the event is: "In Kharkiv, officials said Izium was retaken".
_SPEAKERS_AFTER = re.compile(r"\s*,\s+(?:the\s+|local\s+|regional\s+|military\s+|ukrainian\s+|russian\s+)*"
                             r"(?:officials?|authorities|governor|mayor|spokes\w+|commanders?|military|police|"
                             r"prosecutors?|ministry|administration)\b[^,.;]{0,40}?\b(?:said|say|says|reported|told|"
                             r"announced|confirmed)\b", re.IGNORECASE)
_SINCE = re.compile(r"\b(?:since|which|whom)\b", re.IGNORECASE)  # a date after them dates another clause
_RECENT = re.compile(r"\b(?:recent(?:ly)?|in recent days|over the past (?:few |several )?days)\b", re.IGNORECASE)
_VAGUE_PAST = re.compile(r"\b(?:earlier this year|last year|years? ago|months ago|in the past|"
                         r"(?:\w+\s+)?(?:weeks|months|years|a\s+month|a\s+year)\s+later|at\s+the\s+time|back\s+then)\b",
                         re.IGNORECASE)   # history told in passing, or a narrative's "two months later"
_PRONOUN_SUBJECT = re.compile(r"^\s*(?:It|The (?:town|city|village|settlement))\b")
# Words that every match of a pattern holds: where a sentence has none of them, the pattern is not tried. For a
# case-insensitive pattern they are looked for in ``_caseless(sentence)``.
_COUNTER_WORDS = ("only", "deni", "disput", "refuted", "reject", "dismiss", "not true", "remain")
_DISPUTE_WORDS = ("disput", "deni", "reject", "confirmation", "evidence", "could not", "not confirmed",
                  "not been", "not verified", "not independently", "not yet")
_HEDGE_WORDS = ("reportedly", "apparently", "unconfirmed", "allegedly", "if confirmed", "could not be", "rumo", "claim")
_VAGUE_PAST_WORDS = ("year", "months ago", "in the past", "later", "at the time", "back then")
_RECENT_WORDS = ("recent", "over the past")
_CLAIM_WORDS = ("said", "says", "claim", "reported", "reports", "announced", "tweeted", "wrote", "stated", "admit",
                "acknowledge", "conced", "confirmed", "told")  # case-sensitive, as _CLAIM_VERB
# Under re.IGNORECASE a few characters match an ASCII letter besides its two cases (İ and ı match i, ſ matches s,
# the Kelvin sign K matches k): mapped to it before lower-casing, a text holds every word such a pattern can match.
_CASELESS = str.maketrans({"İ": "i", "ı": "i", "ſ": "s", "\u212a": "k"})


def _caseless(text: str) -> str:
    if "İ" in text or "ı" in text or "ſ" in text or "\u212a" in text:
        text = text.translate(_CASELESS)
    return text.lower()


def _has(text: str, words: tuple[str, ...]) -> bool:
    for word in words:
        if word in text:
            return True
    return False


_DATE_REACH = 110  # a date phrase further than this from the trigger dates another clause
_YEAR_REACH = 70   # a past year this close to the trigger makes it history
_WINDOW_BEFORE, _WINDOW_AFTER = 90, 90


@dataclass(frozen=True, slots=True)
class _Hit:
    kind: str | None
    start: int
    end: int
    strength: float
    direction: str
    reach: int | None = None
    orient: str | None = None


_TRIGGER_STEMS = tuple((trigger, _any_of(trigger.stems)) for trigger in _TRIGGERS)
_ALL_STEMS = tuple(sorted({stem for trigger in _TRIGGERS for stem in trigger.stems}))


_STEM_TRIGGERS = {stem: sum(1 << i for i, trigger in enumerate(_TRIGGERS) if stem in trigger.stems)
                  for stem in _ALL_STEMS}
_STEM_BYTES = tuple((stem.encode("ascii"), len(stem), _STEM_TRIGGERS[stem]) for stem in _ALL_STEMS)


def _trigger_masks(text: str, spans: list[tuple[int, int]]) -> list[int] | None:
    """For each sentence (``spans``), a bit mask of the triggers with a stem inside it: the stems are found once in
    the whole article, lower-cased (as bytes, one per character, so that ``bytes.find`` runs fast). None where
    lower-casing changes the length of the text ("İ"): then each sentence looks for them itself."""
    lowered = text.lower()
    if len(lowered) != len(text):
        return None
    data = lowered.encode("latin-1", "replace")  # one byte per character; no stem holds a "?"
    starts = [start for start, _ in spans]
    masks = [0] * len(spans)
    for stem, size, bits in _STEM_BYTES:
        at = data.find(stem)
        while at >= 0:
            k = bisect.bisect_right(starts, at) - 1
            if k >= 0 and at + size <= spans[k][1]:
                masks[k] |= bits
            at = data.find(stem, at + 1)
    return masks


def _triggers_in(sentence: str, mask: int | None = None) -> list[_Hit]:
    """The triggers of a sentence, each phrase claimed by the first trigger (in ``_TRIGGERS`` order) that matches
    it; a trigger whose stems are absent (``mask``: the bits of those present, from ``_trigger_masks``) is not tried
    at all."""
    lowered = sentence.lower()
    if len(lowered) != len(sentence):  # a character whose lower case is longer ("İ"): keep the offsets right
        lowered = "".join(ch.lower()[0] for ch in sentence)
    claimed: list[tuple[int, int, _Trigger]] = []
    for index, (trigger, stems) in enumerate(_TRIGGER_STEMS):
        if not (mask >> index & 1 if mask is not None else stems.search(lowered)):
            continue
        for m in trigger.pattern.finditer(lowered):
            if any(a <= m.start() < b or m.start() <= a < m.end() for a, b, _ in claimed):
                continue
            claimed.append((m.start(), m.end(), trigger))
    hits: list[_Hit] = []
    for start, end, trigger in sorted(claimed, key=lambda c: c[0]):
        if trigger.kind == "mask":
            continue  # an adjective phrase: it only hides the verb inside it
        if trigger.kind is not None and _is_hypothetical(sentence, start):
            hits.append(_Hit(None, start, end, 1.0, trigger.direction, trigger.reach))
        else:
            hits.append(_Hit(trigger.kind, start, end, trigger.strength, trigger.direction, trigger.reach,
                             trigger.orient))
    return hits


_KEPT_ON = re.compile(r"\b(?:continu\w*|kept|keep|keeps|began|begun|started|managed)\s+to\s+$")
_CONDITIONAL = re.compile(r"(?:^|\b)(?:[Ii]f|unless|whether|would|could|might|may|will|shall|should)\b")
_CONDITIONAL_WORDS = ("if", "If", "unless", "whether", "would", "could", "might", "may", "will", "shall", "should")


def _is_hypothetical(sentence: str, start: int) -> bool:
    """A forecast, condition, purpose or negation governs the words before the trigger in its clause."""
    before = sentence[max(0, start - 90):start]
    clause = _CLAUSE_START_FAST.split(before)[-1]
    if _KEPT_ON.search(clause):   # "continued to advance toward X", "managed to enter X": it happened
        return bool(_has(clause, _CONDITIONAL_WORDS) and _CONDITIONAL.search(clause))
    return bool(_HYPOTHETICAL_REVERSED.match(clause[-60:][::-1])
                or (_has(clause, _CONDITIONAL_WORDS) and _CONDITIONAL.search(clause)))


def _nearest_hit(hits: list[_Hit], start: int, end: int) -> _Hit | None:
    """The trigger governing a place: the closest one on either side (after-only triggers only look ahead)."""
    best, best_distance = None, None
    for hit in hits:
        if hit.end <= start:
            distance = start - hit.end
            if distance > (_WINDOW_AFTER if hit.reach is None else hit.reach):
                continue
        elif hit.start >= end:
            if hit.direction == "after":
                continue
            distance = hit.start - end
            if distance > (_WINDOW_BEFORE if hit.reach is None else hit.reach):
                continue
        else:
            distance = 0
        if best_distance is None or distance < best_distance:
            best, best_distance = hit, distance
    return best


# Whose forces: the words that name a side, nearest the verb in its clause. A pronoun ("its forces", "his men",
# "our troops") is the side of whoever makes the claim.
_SIDE_WORD = re.compile(r"\b(?P<ru>russia\w*|moscow|kremlin|wagner|prigozhin|putin|shoigu|gerasimov|belousov|"
                        r"konashenkov|kadyrov\w*|akhmat|pushilin|saldo|balitsky|separatists?|dpr|lpr|occupiers?|"
                        r"invaders?|rashists?|orcs|battle\s?groups?)\b|"
                        r"\b(?P<ua>ukrain\w*|kyiv\w*|kiev|zelensk\w*|syrsk\w*|zaluzhn\w*|budanov|zsu)\b|"
                        r"\b(?P<own>its|his|their|our|we)\b|\b(?P<enemy>enemy|enemy's)\b")
_SIDE_CLAUSE = re.compile(r"[,;:—–()]|\b(?:after|before|when|while|as|because|since|although|though|but|and|despite|"
                          r"amid|until|where|which|who)\b")
_ASIDE = re.compile(r",\s+(?:as a result of|in the course of|during|following|thanks to|according to|however|in turn|"
                    r"in particular|reportedly|it said|the ministry said)\b[^,]{0,80},")
_BY_SIDE = re.compile(r"[\s'‘’“”\"]*(?:\w+\s+){0,2}?by\s+(?:the\s+)?(?:\w+\s+){0,1}?(?P<who>\w+)")
_CAPTURE_GAP = re.compile(
    r"[\s'‘’“”\"]*(?P<part>(?:most|much|part|parts|half|some)\s+of\s+)?(?:(?:the|a|an)\s+)?(?:(?:key|strategic|strategically\s+important|embattled|small|nearby|"
    r"front-?line|industrial|eastern|western|northern|southern|[\w]+-(?:held|occupied|controlled))\s+)*"
    r"(?:(?:villages?|towns?|city|cities|settlements?|hamlets?)\s+of\s+)?"
    r"(?:[A-ZА-ЯІЇЄҐ][\w’'-]*(?:\s*,\s*(?:and\s+)?|\s+and\s+))*"
    r"[\s'‘’“”\"]*")


_OTHER_SIDE = {"Russia": "Ukraine", "Ukraine": "Russia"}


def _side_of(words: str) -> str | None:
    """"Russia" or "Ukraine" when the words name one side (the last such word), else None."""
    side = None
    for m in _SIDE_WORD.finditer(words.lower()):
        if m.group("ru"):
            side = "Russia"
        elif m.group("ua"):
            side = "Ukraine"
    return side


def _side_in(stretch: str, claimed_by: str | None) -> str | None:
    """The side named nearest the end of ``stretch``: a pronoun ("its", "our") is the claimant's side, "the enemy"
    the other one (Russia's when the claimant is unknown: the English-language reports this reads are mostly
    Ukrainian-sourced, and Russia's ministry writes "Ukrainian formations")."""
    for m in reversed(list(_SIDE_WORD.finditer(stretch))):
        if m.group("ru"):
            return "Russia"
        if m.group("ua"):
            return "Ukraine"
        voice = _side_of(claimed_by) if claimed_by else None
        if m.group("enemy"):
            return _OTHER_SIDE.get(voice, "Russia")
        if voice is not None:
            return voice
        # a pronoun of an unknown claimant: the side named before it, if any ("Ukraine's staff said its troops…")
    return None


def _side_doing(hit: _Hit, sentence: str, who: str | None) -> str | None:
    """Whose forces do what the trigger says: an agent after it ("retaken by Russian forces"), else the side named
    nearest before it in its clause ("Russia's defence ministry said its forces had 'liberated'…")."""
    named = _side_of(sentence[hit.start:hit.end])   # "Ukrainian forces took control of", "back under Ukrainian control"
    if named is not None:
        return named
    by = _BY_SIDE.match(sentence, hit.end)
    if by is not None and by.end() - hit.end <= 40:
        side = _side_of(by["who"])
        if side is not None:
            return side
    before = sentence[max(0, hit.start - 160):hit.start].lower()
    if ", " in before:   # an aside between commas is no clause of its own ("Units of X, as a result of …, have")
        before = _ASIDE.sub(" ", before)
    # Its clause first; then, back to the last comma, the subject that "and" shares ("Russian units have cut the
    # road … and are attacking the village of X"); else whoever makes the claim ("Units of the 5th brigade
    # liberated X, the Russian ministry said").
    for stretch in (_SIDE_CLAUSE.split(before)[-1], re.split(r"[,;:—–()]", before)[-1]):
        side = _side_in(stretch, who)
        if side is not None:
            return side
    return _side_of(who) if who else None


def _oriented(hit: _Hit, sentence: str, who: str | None) -> tuple[str | None, str | None]:
    """The event type and actor of a trigger once the side doing it is known: a "liberation" claimed by Moscow is a
    capture (Russia's ministry calls its captures liberations), a withdrawal by Ukrainian troops leaves the place to
    Russia, a capture is liberated or occupied by whose it is (unknown: no event), an advance is its mover's."""
    if hit.orient is None:
        return hit.kind, None
    side = _side_doing(hit, sentence, who)
    if hit.orient == "capture":
        if side == "Russia":
            return "occupied", "Russia"
        if side == "Ukraine":
            return "liberated", "Ukraine"
        return (None, None) if hit.kind == "capture" else (hit.kind, None)
    if hit.orient == "withdrawal":
        return ("occupied", "Russia") if side == "Ukraine" else (hit.kind, None)
    return hit.kind, side   # "mover"


def claimant(sentence: str, folded: str | None = None) -> str | None:
    """Who makes the claim: "Ukraine's defence ministry said…", "…, governor Oleh Syniehubov wrote", "according to…".
    ``folded``: ``_caseless(sentence)``, if the caller has it."""
    if folded is None:
        folded = _caseless(sentence)
    m = _ACCORDING.search(sentence) if "according to" in folded else None
    if m and not re.match(r"(?i)(?:him|her|them|it|this|that|reports?|sources?)\b", m["who"].strip()):
        who = m["who"].strip()
        return who[:1].upper() + who[1:] if who else None
    for verb in (_CLAIM_VERB.finditer(sentence) if _has(sentence, _CLAIM_WORDS) else ()):
        before = sentence[max(0, verb.start() - 110):verb.start()]
        before = re.split(r"[,;:“”\"‘’]|\b(?:that|which|who|after|before|when|as|because|while|since)\b|"
                          r"\band\b(?=\s+[a-z])",
                          before)[-1]
        words = re.sub(r"\b(?:also|earlier|later|had|has|have|on \w+day|\w+day|on)\b", " ", before).split()
        phrase = " ".join(words).strip(" .'’")
        if not phrase or len(phrase) > 90:
            continue
        capitalised = sum(1 for w in words if w[:1].isupper())
        if capitalised and (_ROLE.search(phrase) or capitalised >= 2) and not re.match(r"(?i)^(?:it|he|she|they|we|"
                                                                                       r"this|that|which)$", phrase):
            return phrase
    return None


# ------------------------------------------------------------------------------------------------------------
# Reports and events

def _border_place(near: Place) -> Place:
    lat, lon = nearest_border_point(near.lat, near.lon)
    return Place(place_id=f"border:UA-RU:{lat:.3f},{lon:.3f}", name=f"Russia–Ukraine border near {near.name}",
                 lat=lat, lon=lon, kind="other", admin1=near.admin1, country="UA", population=0,
                 alt_names=("border",), approximate=True)


def reports_from_article(article: Article, *, gazetteer: Gazetteer | None = None,
                         mentions: list[Mention] | None = None) -> list[Report]:
    """Every (sentence, place) claim of an event in the article."""
    gaz = gazetteer or load_gazetteer()
    text = article.text
    if mentions is None:
        mentions = mentions_from_text(text, gazetteer=gaz)
    usable = [m for m in mentions if m.place is not None and m.kind in _EVENT_KINDS and m.place.theater
              and m.place.country == "UA"]
    reports: list[Report] = []
    counter_claims: list[tuple[str, str]] = []  # (place_id, sentence) stating the opposite of another sentence
    mention_index = 0
    previous_topic = None
    # Where an article is about: its most named settlement (what "reached the border" is near, if nothing closer).
    counts: dict[str, int] = {}
    for m in usable:
        if m.kind == "settlement":
            counts[m.place.place_id] = counts.get(m.place.place_id, 0) + 1
    topic = max(counts, key=counts.get) if counts else None
    anchor = next((m.place for m in usable if m.place.place_id == topic), None)
    spans = sentences(text)
    masks: list[int] | None | bool = False  # found on the first sentence that needs them
    claimed_before: tuple[str, ...] = ()    # the places the previous sentence reported
    for index, (s_start, s_end) in enumerate(spans):
        sentence = text[s_start:s_end]
        in_sentence = []
        while mention_index < len(usable) and usable[mention_index].start < s_end:
            if usable[mention_index].start >= s_start:
                in_sentence.append(usable[mention_index])
            mention_index += 1
        pronoun = not in_sentence and _PRONOUN_SUBJECT.match(sentence) and previous_topic is not None
        if not in_sentence and not pronoun and "border" not in sentence:
            previous_topic = None  # no place, no event: skip the trigger search
            if claimed_before and _has(_caseless(sentence), _COUNTER_WORDS) and _COUNTER.search(sentence):
                # "Ukraine's General Staff dismissed the claim as fiction": the claim of the sentence before
                counter_claims += [(place_id, " ".join(sentence.split())) for place_id in claimed_before]
            claimed_before = ()
            continue
        if masks is False:
            masks = _trigger_masks(text, spans)
        hits = _triggers_in(sentence, masks[index] if masks is not None else None)
        folded = _caseless(sentence)
        border = _BORDER.search(sentence) if "border" in folded else None
        if not hits and not border:
            if _has(folded, _COUNTER_WORDS) and _COUNTER.search(sentence):
                counter_claims += [(m.place.place_id, " ".join(sentence.split())) for m in in_sentence]
            settlements_here = [m for m in in_sentence if m.kind == "settlement"]
            previous_topic = settlements_here[0] if settlements_here else None
            claimed_before = ()
            continue
        reported_before = len(reports)
        stated = dates_in(sentence, article.published)
        if (not stated and article.published is not None and _has(folded, _VAGUE_PAST_WORDS)
                and _VAGUE_PAST.search(sentence)):
            claimed_before = ()
            continue  # history told in passing ("earlier this year")
        # Years before the publication year date the clause they stand in ("in 2014 and 2015 separatists seized…").
        past_years = [m.start() for m in (_HISTORY_YEAR.finditer(sentence) if "19" in sentence or "20" in sentence
                                          else ())
                      if article.published is not None and int(m.group()) < article.published.year
                      and not any(d.start <= m.start() < d.start + len(d.text) for d in stated)]
        if pronoun:
            in_sentence = [previous_topic]  # "It was recently liberated last April" — the previous sentence's place
        quote = " ".join(sentence.split())
        who = claimant(sentence, folded)
        disputed = _has(folded, _DISPUTE_WORDS) and bool(_DISPUTE_SAME.search(sentence))
        hedge = 0.8 if _has(folded, _HEDGE_WORDS) and _HEDGE.search(sentence) else 1.0
        previous = None
        for mention in in_sentence:
            rel_start, rel_end = mention.start - s_start, mention.end - s_start
            if rel_start < 0:  # the place of a pronoun subject: it stands where the pronoun does
                rel_start, rel_end = 0, len(_PRONOUN_SUBJECT.match(sentence).group())
            locator = _only_locates(mention, previous, in_sentence, text, sentence, rel_start, rel_end)
            previous = mention
            hit = None if locator else _nearest_hit(hits, rel_start, rel_end)
            if hit is not None and hit.start > rel_end and "," in sentence[rel_end:rel_end + 2]:
                hit = _past_relative_clause(hits, sentence, rel_start, rel_end, hit)
            if hit is None or hit.kind is None:
                continue
            kind, actor = _oriented(hit, sentence, who)
            if kind is None or (mention.kind == "river" and kind != "advance"):
                continue
            if hit.kind == "capture":
                gap = _CAPTURE_GAP.fullmatch(sentence, hit.end, rel_start)
                if gap is None:
                    continue
                if gap["part"]:   # "captured most of the town of Kurakhove": fought over, not taken
                    kind, actor = "contested", None
            if _not_the_place(sentence, rel_start, rel_end):
                continue
            if any(abs(y - hit.start) <= _YEAR_REACH for y in past_years):
                continue
            own = _own_date(stated, sentence, rel_end) if len(stated) > 1 else None
            when, precision = (own.date, own.precision) if own is not None else _date_near(
                stated, hit.start, sentence, article.published, folded)
            reports.append(Report(article.id, mention.place, kind, when, precision, quote, s_start,
                                  mention.start, mention.end, who, disputed, quote if disputed else None,
                                  round(min(0.99, hit.strength * mention.score * hedge), 3),
                                  actor if actor != ACTORS[kind] else None))
        if border and not _is_hypothetical(sentence, border.start()):
            when, precision = _date_near(stated, border.start(), sentence, article.published, folded)
            near = next((m.place for m in in_sentence if m.kind == "settlement"), anchor)
            if near is not None:
                reports.append(Report(article.id, _border_place(near), "advance", when, precision, quote, s_start,
                                      s_start + border.start(), s_start + border.end(), who, disputed,
                                      quote if disputed else None, round(0.8 * hedge, 3)))
        if _has(folded, _COUNTER_WORDS) and _COUNTER.search(sentence):  # a counter-claim, even when it reports a
            # (partial) change itself
            counter_claims += [(m.place.place_id, quote) for m in in_sentence]
        settlements_here = [m for m in in_sentence if m.kind == "settlement"]
        previous_topic = settlements_here[0] if settlements_here else None
        claimed_before = tuple({r.place.place_id for r in reports[reported_before:]})
    # A counter-claim elsewhere in the article ("…only withdrawn from the part of Kupiansk on the west bank").
    for place_id, counter in counter_claims:
        reports = [replace(r, disputed=True, counter_claim=r.counter_claim or counter)
                   if r.place.place_id == place_id and r.event_type in ("liberated", "advance", "occupied") else r
                   for r in reports]
    return reports


_RELATIVE = re.compile(r",\s+(?:where|which|whose|who|when)\b[^,;:]{0,140},")


def _past_relative_clause(hits, sentence: str, start: int, end: int, hit: _Hit) -> _Hit | None:
    """A trigger inside a relative clause right after a place tells of the clause, not of the place: "Irpin, where
    fighting had raged since March, was declared liberated" is liberated. The nearest trigger after the clause
    then governs the place (none: no event)."""
    clause = _RELATIVE.match(sentence, end)
    if clause is None or not clause.start() <= hit.start < clause.end():
        return hit
    later = [h for h in hits if h.start >= clause.end()]
    best = _nearest_hit(later, start, clause.end()) if later else None
    return best


def _not_the_place(sentence: str, start: int, end: int) -> bool:
    """Whether the words around a name make it the agent, the speakers' seat, a plant, a front or a road's end
    rather than where the event is (``_NOT_THE_PLACE``, ``_PLANT_AFTER``, ``_AGENT_AFTER``, ``_OPERATION_AFTER``)."""
    return bool(_NOT_THE_PLACE.search(sentence[max(0, start - 80):start]) or _PLANT_AFTER.match(sentence, end)
                or (_AGENT_AFTER.match(sentence, end) and not _OF_BEFORE.search(sentence, max(0, start - 12), start))
                or _OPERATION_AFTER.match(sentence, end))


def _only_locates(mention, previous, in_sentence, text: str, sentence: str, rel_start: int, rel_end: int) -> bool:
    """Whether a name only says where the event or its speakers are, and is not the event's place: a region that
    is not a KATOTTG unit, one right after a settlement ("Vasylenkove in the Kharkiv region"), one that opens the
    sentence as its setting ("In the Zaporizhzhia region, … Robotyne"), or any name that opens it as where the
    speakers are ("In Kharkiv, officials said Izium…"); the last two only when the sentence names a settlement
    besides."""
    if mention.kind == "region" and _POSSESSIVE_LOCATOR.match(text, mention.end):
        return True   # "in Kharkiv region's Kupiansk district": the region only locates the place it owns
    if mention.kind == "region" and (not mention.place.place_id.startswith("katottg:") or (
            previous is not None and previous.kind == "settlement" and previous.end <= mention.start
            and (_LOCATOR_GAP.match(text[previous.end:mention.start])
                 or _APPOSITION_GAP.match(text, previous.end, mention.start)
                 or _BOTH_IN.search(text, max(previous.end, mention.start - 60), mention.start)))):
        return True
    if rel_start <= 0 or _FRAME_BEFORE.match(sentence[:rel_start]) is None:
        return False
    if not any(m is not mention and m.kind == "settlement" for m in in_sentence):
        return False
    return bool((mention.kind == "region" and _FRAME_AFTER.match(sentence, rel_end))
                or _SPEAKERS_AFTER.match(sentence, rel_end))


_OWN_DATE_GAP = re.compile(r"\s*(?:,\s*)?(?:on|in|at|by)?\s*$")


def _own_date(stated, sentence: str, end: int):
    """Where a sentence gives several dates, one right after a place is that place's: "liberated Staromaiorske on
    July 27 and Urozhaine on Aug. 16"."""
    for d in stated:
        if end <= d.start <= end + 12 and _OWN_DATE_GAP.match(sentence, end, d.start):
            return d
    return None


def _date_near(stated, position: int, sentence: str, published: date | None,
               folded: str | None = None) -> tuple[date | None, str | None]:
    """The date phrase closest to the trigger, if it is in reach; else "recently" (that week); else publication."""
    # A date after "since" or "which" dates that clause ("…, which Russia had held since March"), not the trigger.
    near = [d for d in stated if abs(d.start - position) <= _DATE_REACH
            and not (d.start > position and _SINCE.search(sentence, position, d.start + 5))]
    if near:
        best = min(near, key=lambda d: (abs(d.start - position), PRECISIONS.index(d.precision)))
        return best.date, best.precision
    if published is None:
        return None, None
    if _has(folded if folded is not None else _caseless(sentence), _RECENT_WORDS) and _RECENT.search(sentence):
        return window(published, "week")[0], "week"
    return published, "day"


def _event_id(place_id: str, event_type: str, when: date | None, precision: str | None,
              actor: str | None = None) -> str:
    raw = f"{place_id}|{event_type}|{when.isoformat() if when else 'undated'}|{precision}"
    if actor is not None:   # only where it is not the type's usual actor: the other ids stay as they were
        raw += f"|{actor}"
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:12]


def _quote_key(quote: str) -> str:
    return normalize_name(quote)[:300]


def events_from_reports(reports: list[Report], articles: dict[str, Article]) -> list[Event]:
    """Reports of one place and type whose dates may mean the same day become one event; the same sentence
    reprinted by several outlets (wire copy) counts as one source."""
    groups: dict[tuple[str, str, str | None], list[list[Report]]] = {}  # (place, type, actor) → clusters
    for report in sorted(reports, key=lambda r: (r.date or date.max, PRECISIONS.index(r.date_precision or "month"))):
        clusters = groups.setdefault((report.place.place_id, report.event_type, report.actor), [])
        for cluster in clusters:
            head = cluster[0]
            if (head.date is None) == (report.date is None) and (
                    head.date is None or overlaps((head.date, head.date_precision), (report.date,
                                                                                      report.date_precision))):
                cluster.append(report)
                break
        else:
            clusters.append([report])
    events = []
    for (_, event_type, actor), clusters in groups.items():
        for cluster in clusters:
            # The most precise date, and of those the earliest: a town retaken on Thursday is still reported Friday.
            best = min(cluster, key=lambda r: (PRECISIONS.index(r.date_precision or "month"), r.date or date.max,
                                               -r.confidence))
            sources, seen = [], set()
            # The report that dates the event comes first: the popup's quote, date and claimant agree.
            for r in sorted(cluster, key=lambda r: (r is not best, articles[r.article].published or date.max,
                                                    r.article, r.sentence_start)):
                key = _quote_key(r.quote)
                if key in seen:
                    continue
                seen.add(key)
                a = articles[r.article]
                sources.append(Source(a.id, a.outlet, a.published, a.url, r.quote))
            miss = 1.0
            for r in cluster:
                miss *= 1.0 - r.confidence
            disputed = any(r.disputed for r in cluster)
            events.append(Event(
                event_id=_event_id(best.place.place_id, event_type, best.date, best.date_precision, actor),
                place=best.place, event_type=event_type, date=best.date, date_precision=best.date_precision,
                actor=actor or ACTORS[event_type], claimed_by=best.claimed_by,
                disputed=disputed, counter_claim=next((r.counter_claim for r in cluster if r.counter_claim), None),
                sources=tuple(sources), confidence=round(min(0.99, 1.0 - miss), 3),
                articles=tuple(dict.fromkeys(s.article for s in sources))))
    events.sort(key=lambda e: (e.date or date.max, e.place.name, e.event_type))
    return events


def events_from_articles(articles: list[Article], *, gazetteer: Gazetteer | None = None) -> list[Event]:
    gaz = gazetteer or load_gazetteer()
    reports = [r for a in articles for r in reports_from_article(a, gazetteer=gaz)]
    return events_from_reports(reports, {a.id: a for a in articles})


__all__ = ["Event", "Report", "Source", "EVENT_TYPES", "claimant", "events_from_articles", "events_from_reports",
           "reports_from_article", "sentences", "window"]
