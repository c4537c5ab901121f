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


def _sentence_breaks(text: str):
    """(start, end) of each match of ``_SENTENCE_BREAK`` in ``text``, in order."""
    for m in _SENTENCE_BREAK_FAST.finditer(text):
        yield m.span(1) if m.start(1) >= 0 else m.span()


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


def _t(kind, pattern, strength=0.8, direction="both", *, stems, reach=None):
    return _Trigger(kind, re.compile(pattern), strength, direction, tuple(stems), reach)


def _any_of(stems) -> re.Pattern:
    """``_any_of(stems).search(text)`` is ``any(stem in text for stem in stems)``, in one call."""
    return re.compile("|".join(map(re.escape, stems)))


_TRIGGERS = (
    # Not events, but they hold the places they govern: supply lines, encirclement, distances, bases, adjectives.
    _t(None, r"\b(?:supplies|supply (?:routes?|lines?)|lines of communication|cut off)\b"
             r"(?:\s+(?:to|of|around|in))?", 1.0, stems=("suppl", "communication", "cut off")),
    _t(None, r"\b(?:encircl\w*|surround\w*)\b(?:\s+(?:of|around|in))?", 1.0, "after", stems=("encircl", "surround")),
    _t(None, r"\b\d[\d,.]*\s*(?:-?\s*)(?:km|kilomet(?:er|re)s?|miles?)\s+(?:\w+\s+){0,2}(?:of|from)\b", 1.0, "after", stems=("km", "kilomet", "mile")),
    _t(None, r"\b(?:just|some|about|only)\s+\d[\d,.]*\s*(?:km|kilomet(?:er|re)s?|miles?)\b", 1.0, "after", stems=("km", "kilomet", "mile")),
    # Adjectives describing a place's earlier state mask their verb ("the Russia-occupied town of Kupiansk").
    _t("mask", r"\b(?:[\w-]+-(?:occupied|held|controlled)|occupied territor\w*|russian-held)\b", 1.0, stems=("-occupied", "-held", "-controlled", "occupied territor", "russian-held")),
    _t(None, r"\b(?:major base|base for|hub|battle of|population of|residents? of|evacuat\w+|direction|fled|"
             r"flee(?:ing)?)\b", 1.0, stems=("base", "hub", "battle of", "population of", "resident", "evacuat", "direction", "fled", "flee")),
    _t(None, r"\b(?:north|south|east|west|northeast|northwest|southeast|southwest)(?:ern)?\s+of\b", 1.0, "after", stems=("north", "south", "east", "west")),
    # liberated
    _t("liberated", r"\b(?:liberat(?:ed|ing|ion of|es?)|recaptur(?:ed|es?|ing)|retak(?:en|es?|ing)|retook|"
                    r"reclaim(?:ed|ing|s)?|regain(?:ed|ing|s)?|took back|taken back|won back|freed|de-?occupied|"
                    r"back under ukrainian control|ukrainian (?:forces|troops) (?:have |had )?(?:taken|took) "
                    r"(?:full )?control of|"
                    r"recapture of)\b", 0.9, stems=("liberat", "recaptur", "retak", "retook", "reclaim", "regain", "took back", "taken back", "won back", "freed", "occupied", "ukrainian control")),
    _t("liberated", r"\b(?:raised|raising|hoisted|hoisting)\s+(?:the\s+)?(?:ukrainian\s+|national\s+)?flags?\b"
                    r"(?:\s+over)?|\bflags?\b[^.;]{0,40}?\b(?:had been |was |were )?(?:raised|hoisted)\s+over\b", 0.85, stems=("flag",)),
    # Pulling back from *around* a town is ground gained near it, not the town retaken.
    _t("advance", r"\b(?:withdr(?:ew|awn|awing|aw)|retreat(?:ed|ing|s)?|pull(?:ed|ing|s)?\s+(?:back|out)|"
                  r"pushed\s+(?:\w+\s+){0,2}back)\s+(?:\w+\s+){0,2}?from\s+(?:around|the outskirts of|near)\b", 0.7,
       "after", stems=("from around", "from the outskirts", "from near")),
    # So is a siege lifted, abandoned or broken: the besiegers pull back from a town they never took. ("Ended" is
    # left out: a siege also ends with the town's fall.)
    _t("advance", r"\b(?:abandon(?:ed|ing|s)?|lift(?:ed|ing|s)?|br(?:oke|oken|eak|eaks|eaking))\s+"
                  r"(?:the\s+|their\s+|its\s+|a\s+)?(?:semi-)?siege\s+(?:of|around|on)\b"
                  r"|\bsiege\s+(?:of|around|on)\b(?=[^.;]{0,40}?\b(?:was|were|has been|had been)\s+"
                  r"(?:lifted|abandoned|broken)\b)", 0.7, "after", stems=("siege",)),
    # A withdrawal is the other side's gain: Ukrainian troops pulling out of a town leave it to Russia.
    _t("occupied", r"\bukrainian (?:forces|troops|units|soldiers|defenders|army)\s+(?:\w+\s+){0,3}?"
                   r"(?:withdr(?:ew|awn|awing|aw|aws)|retreat(?:ed|ing|s)?|pull(?:ed|ing|s)?\s+(?:back|out))\s+"
                   r"(?:\w+\s+){0,3}?from\b", 0.75, "after", stems=("ukrainian forces", "ukrainian troops",
                                                                "ukrainian units", "ukrainian soldiers",
                                                                "ukrainian defenders", "ukrainian army")),
    _t("liberated", r"\b(?:withdr(?:ew|awn|awing|aw)|retreat(?:ed|ing|s)?|pull(?:ed|ing|s)?\s+(?:back|out)|"
                    r"regroup(?:ed|ing)?(?:\s+and\s+transferred)?|fled|abandon(?:ed|ing)|expelled|driven out|"
                    r"ousted|pushed\s+(?:\w+\s+){0,2}(?:back|out))\s+(?:\w+\s+){0,3}?from\b", 0.75, "after", stems=("withdr", "retreat", "pull", "regroup", "fled", "abandon", "expel", "driven out", "ousted", "pushed")),
    _t("liberated", r"\bregrouped and transferred\b", 0.7, "before", stems=("regrouped",)),
    # Russian troops leaving a place leave it to Ukraine: "Russian troops were leaving the villages of …".
    # The place comes right after the verb ("left 20 dead near Bakhmut", "left behind mines" are not the place).
    _t("liberated", r"\brussian (?:forces|troops|units|soldiers|army)\s+(?:\w+\s+){0,3}?(?:left|leaving|leave|leaves)"
                    r"\b(?!\s+(?:behind|\d|dozens|hundreds|thousands|their|them|it|its|the bodies|mines))", 0.7, "after",
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
    # "The fall of Avdiivka": the place right after it, not every place further on in the sentence.
    _t("occupied", r"\b(?:the\s+)?fall of\b(?![^.;]{0,40}?\bto\s+(?:the\s+)?(?:ukrain|kyiv))", 0.7, "after",
       stems=("fall of",), reach=3),
    # advance
    _t("advance", r"\breach(?:ed|es|ing)?\s+(?:the\s+)?(?:outskirts|edge|approaches|suburbs|centre|center)\s+of\b",
       0.85, "after", stems=("reach",)),
    _t("advance", r"\b(?:advanc(?:ed|ing|es)|push(?:ed|ing)?|mov(?:ed|ing)|clos(?:ed|ing) in)\s+(?:on|toward|towards|"
                  r"into|to|as far as)\b|\b(?:enter(?:ed|ing|s)?|approach(?:ed|ing)|attack(?:ed|ing)|"
                  r"counter-?attack(?:ed|ing)|taking aim at|offensive (?:on|against|toward|towards)|"
                  r"counteroffensive (?:on|against|toward|towards)|"
                  r"counteroffensive against russian forces in|assault on|(?:counter)?offensive (?:around|in)|"
                  r"control territory up (?:until|to)|(?:clawing|claw|clawed) back (?:land|ground|territory))\b",
       0.65, "after", stems=("advanc", "push", "mov", "clos", "enter", "approach", "attack", "aim at", "offensive", "assault", "control territory", "claw")),
    _t("advance", r"\b(?:was|were|been|being)\s+(?:attacked|approached|entered|reached|stormed)\b|\bmoved in\b", 0.65,
       "before", stems=("was ", "were ", "been ", "being ", "moved in")),
    # contested
    # Attacks around a town, kept up or repelled: fighting there, not a move onto it. ("Attacks on" a city are as
    # often strikes: left to the other words of the sentence.)
    _t("contested", r"\battacks\s+(?:around|near)\b|\brepel\w*\s+(?:\w+\s+){0,2}attacks\s+(?:on|against)\b", 0.7,
       stems=("attacks",)),
    _t("contested", r"\b(?:(?:heavy |fierce |intense )?fighting|battles? for|clashes|clashed|firefights?|"
                    r"contested|grey zone|gray zone|situation in|remains? (?:quite |very )?difficult|"
                    r"(?:tried|trying|attempt(?:ed|ing)?) to cross|river crossing|crossing the)\b", 0.7, stems=("fight", "battle", "clash", "contested", "zone", "situation in", "difficult", "cross")),
    # shelling
    _t("shelling", r"\b(?:shell(?:ed|ing|s)?|bombard(?:ed|ing|ment)|bomb(?:ed|ing)|air ?strikes?|missile (?:strikes?|"
                   r"attacks?)|rocket (?:strikes?|attacks?|fire)|strikes? on|struck|artillery (?:fire|strikes?)|"
                   r"pummell?(?:ed|ing)|drone (?:strikes?|attacks?)|explosions?)\b", 0.75, stems=("shell", "bomb", "strike", "struck", "artillery", "pummel", "drone", "explosion", "missile", "rocket")),
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
    r"order to|in order|so as to|bid to|second attempt|to")
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
                           r"rejects?|rejected)\b|\b(?:disputed|denied|rejected)\s+by\b", re.IGNORECASE)
_COUNTER = re.compile(r"\bonly\s+(?:been\s+)?(?:withdrawn|pulled\s+back|retreated|left)\b|\b(?:denies|denied|"
                      r"disputes|disputed|refuted|rejects|rejected)\b|\bnot true\b|\bremain(?:s|ed)? in control\b",
                      re.IGNORECASE)
_BORDER = re.compile(r"\b(?:reach(?:ed|es|ing)?|pushed\s+(?:\w+\s+){0,4}back\s+to|back\s+to|as far as)\s+(?:the\s+)?"
                     r"(?:(?:russian|ukraine[’']?s|state|russian state)\s+)*border\b", re.IGNORECASE)
_CLAIM_VERB = re.compile(r"\b(?:said|says|claimed|claims|claim|reported|reports|announced|tweeted|wrote|stated|"
                         r"admitted|admits|confirmed|told)\b")
_ACCORDING = re.compile(r"\baccording to\s+(?:the\s+)?(?P<who>[^,.;:“”\"]{3,90})", re.IGNORECASE)
_ROLE = re.compile(r"\b(?:ministry|spokes(?:man|woman|person)|governor|officials?|president|minister|staff|military|"
                   r"forces|army|institute|adviser|commander|mayor|head|sources?|channels|analysts?|intelligence|"
                   r"administration|command|ukraine|russia|kyiv|moscow|kremlin)\b", re.IGNORECASE)
_HISTORY_YEAR = re.compile(r"\b(?:19|20)\d\d\b")

_EVENT_KINDS = ("settlement", "region", "river")  # a river only as the line an advance reached
# A name that is the agent or the seat of whoever speaks is not where the event is: "retaken by Kyiv", "officials
# in Washington and Kyiv", "the governor of Kharkiv", "settlements around Kharkiv".
_NOT_THE_PLACE = re.compile(
    r"(?:\bby|\b(?:officials?|sources?|authorities|government|ministry|spokes\w+|governor|mayor|head|"
    r"administration|channels?|leaders?|residents)\s+(?:in|from|of|for)"
    r"|\b(?:settlements|towns|villages|cities|positions|lines|parts?)\s+(?:around|near|outside)"
    r"|\b(?:transferred|moved|redeployed|sent|relocated|withdrawn|pulled back|regrouped|retreat\w*|fall(?:ing)? back|"
    r"fell back|fled|heading|head)[”\"’]?\s+(?:\w+\s+){0,2}(?:to|toward|towards|into))\s+"
    r"(?:(?:the|separatist|self-proclaimed|so-called|breakaway|neighbou?ring|occupied)\s+)*"
    r"(?:(?:city|town|region)\s+of\s+)?(?:[A-Z][\w’'-]+(?:\s*,\s*|\s+and\s+))*$")
# A power plant named after a town is not the town: the Zaporizhzhia plant is at Enerhodar, 50 km away.
_PLANT_AFTER = re.compile(r"\s+(?:nuclear\s+(?:power\s+)?(?:plant|station)|npp|power\s+(?:plant|station))\b",
                          re.IGNORECASE)
# A region named right after a settlement only locates it: "Vasylenkove in the Kharkiv region", "Balakliya, Kharkiv".
_LOCATOR_GAP = re.compile(r"^(?:\s*,\s*|\s+(?:in|of|near)\s+)(?:the\s+)?$")
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
_SINCE = re.compile(r"\bsince\b", re.IGNORECASE)
_RECENT = re.compile(r"\b(?:recent(?:ly)?|in recent days|over the past (?:few |several )?days)\b", re.IGNORECASE)
_VAGUE_PAST = re.compile(r"\b(?:earlier this year|last year|years? ago|months ago|in the past)\b", re.IGNORECASE)
_PRONOUN_SUBJECT = re.compile(r"^\s*(?:It|The (?:town|city|village|settlement))\b")
# Words that every match of a pattern holds: where a sentence has none of them, the pattern is not tried. For a
# case-insensitive pattern they are looked for in ``_caseless(sentence)``.
_COUNTER_WORDS = ("only", "deni", "disput", "refuted", "reject", "not true", "remain")
_DISPUTE_WORDS = ("disput", "deni", "reject")
_HEDGE_WORDS = ("reportedly", "apparently", "unconfirmed", "allegedly", "if confirmed", "could not be", "rumo", "claim")
_VAGUE_PAST_WORDS = ("year", "months ago", "in the past")
_RECENT_WORDS = ("recent", "over the past")
_CLAIM_WORDS = ("said", "says", "claim", "reported", "reports", "announced", "tweeted", "wrote", "stated", "admit",
                "confirmed", "told")  # case-sensitive, as _CLAIM_VERB
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
            hits.append(_Hit(trigger.kind, start, end, trigger.strength, trigger.direction, trigger.reach))
    return hits


_CONDITIONAL = re.compile(r"(?:^|\b)(?:[Ii]f|unless|whether|would|could|might|may|will|shall|should)\b")
_CONDITIONAL_WORDS = ("if", "If", "unless", "whether", "would", "could", "might", "may", "will", "shall", "should")


def _is_hypothetical(sentence: str, start: int) -> bool:
    """A forecast, condition, purpose or negation governs the words before the trigger in its clause."""
    before = sentence[max(0, start - 90):start]
    clause = _CLAUSE_START_FAST.split(before)[-1]
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
        before = re.split(r"[,;:“”\"‘’]|\b(?:that|after|before|when|as|because|while|since)\b|\band\b(?=\s+[a-z])",
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
            continue
        stated = dates_in(sentence, article.published)
        if (not stated and article.published is not None and _has(folded, _VAGUE_PAST_WORDS)
                and _VAGUE_PAST.search(sentence)):
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
            if hit is None or hit.kind is None or (mention.kind == "river" and hit.kind != "advance"):
                continue
            if _NOT_THE_PLACE.search(sentence[max(0, rel_start - 80):rel_start]) or _PLANT_AFTER.match(sentence,
                                                                                                    rel_end):
                continue
            if any(abs(y - hit.start) <= _YEAR_REACH for y in past_years):
                continue
            when, precision = _date_near(stated, hit.start, sentence, article.published, folded)
            reports.append(Report(article.id, mention.place, hit.kind, when, precision, quote, s_start,
                                  mention.start, mention.end, who, disputed, quote if disputed else None,
                                  round(min(0.99, hit.strength * mention.score * hedge), 3)))
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
    # A counter-claim elsewhere in the article ("…only withdrawn from the part of Kupiansk on the west bank").
    for place_id, counter in counter_claims:
        reports = [replace(r, disputed=True, counter_claim=r.counter_claim or counter)
                   if r.place.place_id == place_id and r.event_type in ("liberated", "advance", "occupied") else r
                   for r in reports]
    return reports


def _only_locates(mention, previous, in_sentence, text: str, sentence: str, rel_start: int, rel_end: int) -> bool:
    """Whether a name only says where the event or its speakers are, and is not the event's place: a region that
    is not a KATOTTG unit, one right after a settlement ("Vasylenkove in the Kharkiv region"), one that opens the
    sentence as its setting ("In the Zaporizhzhia region, … Robotyne"), or any name that opens it as where the
    speakers are ("In Kharkiv, officials said Izium…"); the last two only when the sentence names a settlement
    besides."""
    if mention.kind == "region" and (not mention.place.place_id.startswith("katottg:") or (
            previous is not None and previous.kind == "settlement" and previous.end <= mention.start
            and _LOCATOR_GAP.match(text[previous.end:mention.start]))):
        return True
    if rel_start <= 0 or _FRAME_BEFORE.match(sentence[:rel_start]) is None:
        return False
    if not any(m is not mention and m.kind == "settlement" for m in in_sentence):
        return False
    return bool((mention.kind == "region" and _FRAME_AFTER.match(sentence, rel_end))
                or _SPEAKERS_AFTER.match(sentence, rel_end))


def _date_near(stated, position: int, sentence: str, published: date | None,
               folded: str | None = None) -> tuple[date | None, str | None]:
    """The date phrase closest to the trigger, if it is in reach; else "recently" (that week); else publication."""
    # A date after "since" dates that clause ("…, which Russia had held since March"), not the trigger before it.
    near = [d for d in stated if abs(d.start - position) <= _DATE_REACH
            and not (d.start > position and _SINCE.search(sentence, position, d.start))]
    if near:
        best = min(near, key=lambda d: (abs(d.start - position), PRECISIONS.index(d.precision)))
        return best.date, best.precision
    if published is None:
        return None, None
    if _has(folded if folded is not None else _caseless(sentence), _RECENT_WORDS) and _RECENT.search(sentence):
        return window(published, "week")[0], "week"
    return published, "day"


def _event_id(place_id: str, event_type: str, when: date | None, precision: str | None) -> str:
    raw = f"{place_id}|{event_type}|{when.isoformat() if when else 'undated'}|{precision}"
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:12]


def _quote_key(quote: str) -> str:
    return normalize_name(quote)[:300]


def events_from_reports(reports: list[Report], articles: dict[str, Article]) -> list[Event]:
    """Reports of one place and type whose dates may mean the same day become one event; the same sentence
    reprinted by several outlets (wire copy) counts as one source."""
    groups: dict[tuple[str, str], list[list[Report]]] = {}
    for report in sorted(reports, key=lambda r: (r.date or date.max, PRECISIONS.index(r.date_precision or "month"))):
        clusters = groups.setdefault((report.place.place_id, report.event_type), [])
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
    for (_, event_type), clusters in groups.items():
        for cluster in clusters:
            # The most precise date, and of those the earliest: a town retaken on Thursday is still reported Friday.
            best = min(cluster, key=lambda r: (PRECISIONS.index(r.date_precision or "month"), r.date or date.max,
                                               -r.confidence))
            sources, seen = [], set()
            for r in sorted(cluster, key=lambda r: (articles[r.article].published or date.max, r.article,
                                                    r.sentence_start)):
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
                event_id=_event_id(best.place.place_id, event_type, best.date, best.date_precision),
                place=best.place, event_type=event_type, date=best.date, date_precision=best.date_precision,
                actor=ACTORS[event_type], claimed_by=next((r.claimed_by for r in cluster if r.claimed_by), None),
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
