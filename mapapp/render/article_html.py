"""An article's text as HTML with its place mentions marked. Every piece of article text is escaped."""

from __future__ import annotations

import html
import re

from mapapp.geoparse import Mention
from mapapp.events import sentences

KIND_COLOURS = {  # Okabe–Ito: distinguishable with the common colour-vision deficiencies
    "settlement": "#E69F00", "region": "#56B4E9", "country": "#CC79A7", "river": "#0072B2", "other": "#999999",
}
UNRESOLVED_COLOUR = "#D55E00"


QUOTE_STYLE = "background:#fff3a3;box-shadow:0 0 0 2px #fff3a3;scroll-margin-top:80px"


def quote_span(text: str, quote: str) -> tuple[int, int] | None:
    """Where a quoted sentence stands in the article (whitespace differences forgiven); None if it is not there."""
    quote = " ".join((quote or "").split())
    if not quote:
        return None
    start = text.find(quote)
    if start >= 0:
        end = start + len(quote)
    else:
        found = re.search(r"\s+".join(re.escape(w) for w in quote.split(" ")), text)
        if not found:
            return None
        start, end = found.span()
    # A quote given by its first words (as links carry it) runs to the end of its sentence, as the extractor cut it
    # (a line ending in a comma runs on: "According to Major General Igor Konashenkov,\nRussian soldiers…").
    for s_start, s_end in sentences(text):
        if s_start <= start < s_end:
            return start, max(end, s_end)
    return start, end


def highlighted_article_html(text: str, mentions: list[Mention], *, quote: str = "") -> str:
    """``<mark>`` around each mention, titled with the place it resolves to; the rest escaped as plain text.
    ``quote``, when found in the text, is highlighted as the reported sentence (``id="quote"``)."""
    span = quote_span(text, quote)
    parts, cursor, state = [], 0, "before"

    def plain(start: int, end: int) -> None:
        nonlocal state
        if span and state == "before" and span[0] <= end:   # open the quote here (or right after a mention)
            at = max(start, span[0])
            parts.append(html.escape(text[start:at]) + f'<span id="quote" style="{QUOTE_STYLE}">')
            start, state = at, "inside"
        if span and state == "inside" and span[1] <= end:
            at = max(start, span[1])
            parts.append(html.escape(text[start:at]) + "</span>")
            start, state = at, "after"
        parts.append(html.escape(text[start:end]))

    for mention in sorted(mentions, key=lambda m: m.start):
        if mention.start < cursor:
            continue
        plain(cursor, mention.start)
        if mention.place is not None:
            place = mention.place
            colour = KIND_COLOURS.get(mention.kind, KIND_COLOURS["other"])
            approx = ", approximate" if place.approximate else ""
            title = f"{place.name} ({place.kind}, {place.admin1 or place.country}{approx}) score {mention.score:.2f}"
        else:
            colour = UNRESOLVED_COLOUR
            title = f"unresolved ({len(mention.candidates)} candidates) score {mention.score:.2f}"
        parts.append(f'<mark style="background:{colour}33;border-bottom:2px solid {colour}" '
                     f'title="{html.escape(title, quote=True)}">{html.escape(text[mention.start:mention.end])}</mark>')
        cursor = mention.end
    plain(cursor, len(text))
    if state == "inside":
        parts.append("</span>")
    body = "".join(parts).replace("\n", "<br>")
    return f'<div class="article-text" style="line-height:1.6">{body}</div>'
