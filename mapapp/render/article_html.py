"""An article's text as HTML with its place mentions marked. Every piece of article text is escaped."""

from __future__ import annotations

import html

from mapapp.geoparse import Mention

KIND_COLOURS = {  # Okabe–Ito: distinguishable with the common colour-vision deficiencies
    "settlement": "#E69F00", "region": "#56B4E9", "country": "#CC79A7", "river": "#0072B2", "other": "#999999",
}
UNRESOLVED_COLOUR = "#D55E00"


def highlighted_article_html(text: str, mentions: list[Mention]) -> str:
    """``<mark>`` around each mention, titled with the place it resolves to; the rest escaped as plain text."""
    parts, cursor = [], 0
    for mention in sorted(mentions, key=lambda m: m.start):
        if mention.start < cursor:
            continue
        parts.append(html.escape(text[cursor:mention.start]))
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
    parts.append(html.escape(text[cursor:]))
    body = "".join(parts).replace("\n", "<br>")
    return f'<div class="article-text" style="line-height:1.6">{body}</div>'
