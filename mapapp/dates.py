"""Dates as reports write them, resolved against the article's publication date (Europe/Kyiv local dates).

"Sept 8" → that day; "on Thursday" → the latest Thursday on or before publication (so "on Monday" in an article
published on a Monday is that day); "yesterday"; "overnight" / "today" / "this morning" → the publication day;
"earlier this week" → that week (precision "week", dated its Monday); "last April" / "in April" → the latest April
before the publication month (precision "month"); "at the start of July" → July (month). An impossible date such
as "Sept 31" is no date. Without a publication date nothing relative resolves: the result is None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
PRECISIONS = ("day", "week", "month")
_MONTH_STEMS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

_MONTH = r"(?P<month>january|february|march|april|may|june|july|august|september|october|november|december|" \
         r"jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)\d\d))?"
_EXPLICIT = re.compile(
    rf"\b(?:{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?{_YEAR}|(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?"
    rf"(?P<month2>january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|"
    rf"mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?{_YEAR.replace('year', 'year2')})\b", re.IGNORECASE)
_ISO = re.compile(r"\b(?P<y>20\d\d)-(?P<m>\d\d)-(?P<d>\d\d)\b")
_WEEKDAY = re.compile(r"\b(?:(?P<mod>on|last|this|earlier|early|late|since|by|from)\s+)?"
                      r"(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.IGNORECASE)
_YESTERDAY = re.compile(r"\byesterday\b", re.IGNORECASE)
_TODAY = re.compile(r"\b(?:today|this morning|this afternoon|this evening|tonight|overnight|last night)\b",
                    re.IGNORECASE)
_THIS_WEEK = re.compile(r"\b(?:earlier|later)?\s*this week\b", re.IGNORECASE)
_LAST_WEEK = re.compile(r"\blast week\b", re.IGNORECASE)
_MONTH_ONLY = re.compile(
    r"\b(?:(?P<mod>last|in|since|during|early|late|mid|mid-|(?:at\s+)?the\s+(?:start|beginning|end|middle)\s+of)"
    r"\s*)(?P<month>january|february|march|april|may|june|july|august|september|october|november|december)\b"
    r"(?!\s+\d{1,2}\b)" + _YEAR.replace("year", "year3"), re.IGNORECASE)   # "in May 2023", not "in May 5"


_TODAY_WORDS = ("today", "this morning", "this afternoon", "this evening", "tonight", "overnight", "last night")


def _mentions_today(lowered: str, sentence: str) -> bool:
    """Whether ``_TODAY`` may match: it can only where the sentence holds one of its words, case aside (with
    re.IGNORECASE, "ı" and "İ" also match "i", "ſ" "s" and the Kelvin sign "k": such a sentence just tries it)."""
    if "İ" in sentence or "ı" in sentence or "ſ" in sentence or "\u212a" in sentence:
        return True
    return any(word in lowered for word in _TODAY_WORDS)


@dataclass(frozen=True, slots=True)
class ResolvedDate:
    date: date
    precision: str        # "day" | "week" | "month"
    text: str             # the words it was read from
    start: int            # offset of those words in the sentence


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:  # "Sept 31"
        return None


def _year_for(month: int, day: int, published: date) -> int:
    """A date written without a year is the latest one not far after publication (reports look back)."""
    candidate = _safe_date(published.year, month, min(day, 28))
    if candidate is not None and candidate > published + timedelta(days=7):
        return published.year - 1
    return published.year


def dates_in(sentence: str, published: date | None) -> list[ResolvedDate]:
    """Every date expression in a sentence, resolved; most precise first where they overlap."""
    found: list[ResolvedDate] = []
    lowered = sentence.lower()
    # Cheap look-ups first: most sentences name no month, weekday or week, and their patterns need not run.
    has_month = any(stem in lowered for stem in _MONTH_STEMS)
    for m in (_ISO.finditer(sentence) if "-" in sentence else ()):
        d = _safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
        if d:
            found.append(ResolvedDate(d, "day", m.group(), m.start()))
    for m in (_EXPLICIT.finditer(sentence) if has_month else ()):
        month = MONTHS[(m["month"] or m["month2"]).lower().rstrip(".")]
        day = int(m["day"] or m["day2"])
        year_text = m["year"] or m["year2"]
        if year_text:
            year = int(year_text)
        elif published is not None:
            year = _year_for(month, day, published)
        else:
            continue
        d = _safe_date(year, month, day)
        if d:
            found.append(ResolvedDate(d, "day", m.group(), m.start()))
    if published is not None:
        for m in (_WEEKDAY.finditer(sentence) if "day" in lowered else ()):
            if any(r.start <= m.start() < r.start + len(r.text) for r in found):
                continue
            target = WEEKDAYS[m["weekday"].lower()]
            back = (published.weekday() - target) % 7
            if (m["mod"] or "").lower() == "last" and back == 0:
                back = 7
            found.append(ResolvedDate(published - timedelta(days=back), "day", m.group(), m.start()))
        for m in (_YESTERDAY.finditer(sentence) if "yesterday" in lowered else ()):
            found.append(ResolvedDate(published - timedelta(days=1), "day", m.group(), m.start()))
        for m in (_TODAY.finditer(sentence) if _mentions_today(lowered, sentence) else ()):
            found.append(ResolvedDate(published, "day", m.group(), m.start()))
        monday = published - timedelta(days=published.weekday())
        for m in (_THIS_WEEK.finditer(sentence) if "week" in lowered else ()):
            found.append(ResolvedDate(monday, "week", m.group().strip(), m.start()))
        for m in (_LAST_WEEK.finditer(sentence) if "week" in lowered else ()):
            found.append(ResolvedDate(monday - timedelta(days=7), "week", m.group(), m.start()))
    for m in (_MONTH_ONLY.finditer(sentence) if has_month else ()):
        if any(r.start <= m.start("month") < r.start + len(r.text) + 1 for r in found):
            continue
        month = MONTHS[m["month"].lower()]
        if m["year3"]:
            year = int(m["year3"])
        elif published is not None:
            # "last April" in May is this April; "in September" in May is last September.
            year = published.year if month < published.month or (
                month == published.month and (m["mod"] or "").lower() not in ("last",)) else published.year - 1
        else:
            continue
        found.append(ResolvedDate(date(year, month, 1), "month", m.group(), m.start()))
    found.sort(key=lambda r: (PRECISIONS.index(r.precision), r.start))
    return found


def date_of(sentence: str, published: date | None) -> ResolvedDate | None:
    """The most precise date a sentence states, or None."""
    dates = dates_in(sentence, published)
    return dates[0] if dates else None


def window(d: date, precision: str) -> tuple[date, date]:
    """The days a dated report may mean: its day, its week (Monday–Sunday) or its month."""
    if precision == "week":
        start = d - timedelta(days=d.weekday())
        return start, start + timedelta(days=6)
    if precision == "month":
        start = d.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
        return start, following - timedelta(days=1)
    return d, d


def overlaps(a: tuple[date, str], b: tuple[date, str], *, slack_days: int = 1) -> bool:
    """Two dated reports may mean the same day (day precision within ``slack_days``)."""
    a0, a1 = window(*a)
    b0, b1 = window(*b)
    return a0 - timedelta(days=slack_days) <= b1 and b0 - timedelta(days=slack_days) <= a1


def long_date(d: date) -> str:
    """"9 September 2022": a date as maps and their titles write it."""
    return f"{d.day} {d:%B %Y}"
