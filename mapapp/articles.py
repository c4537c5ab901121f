"""Articles: text files or pasted text with their metadata, read safely whatever arrives.

Reading never raises anything but ``ArticleError`` (with a one-line message) for a file that cannot be an
article: missing, empty, binary, too large. Text is decoded as UTF-8 when it is, otherwise by detection
(cp1251, KOI8-U, Latin-1…), and HTML is converted to text; offsets elsewhere refer to the text as read here.
"""

from __future__ import annotations

import csv
import hashlib
import html
import re
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from mapapp import settings


class ArticleError(ValueError):
    """An input that cannot be read as an article; the message is one line for the user."""


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    title: str
    outlet: str
    published: date | None
    text: str
    url: str = ""
    encoding: str = "utf-8"


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls > len(sample) * 0.05


def decode_bytes(data: bytes, *, name: str = "input") -> tuple[str, str]:
    """(text, encoding) of an article's bytes; raises ArticleError for empty or binary data."""
    if not data.strip():
        raise ArticleError(f"{name}: empty article (no text)")
    if _looks_binary(data):
        raise ArticleError(f"{name}: binary file, not text")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000], cp_isolation=["cp1251", "koi8_u", "koi8_r", "cp1252", "latin_1", "utf_16"]).best()
    encoding = best.encoding if best is not None else "cp1252"
    return data.decode(encoding, errors="replace"), encoding


class _TextFromHTML(HTMLParser):
    _SKIP = {"script", "style", "noscript", "template", "head", "svg"}
    _BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "blockquote",
              "figcaption", "header", "footer", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


_HTML_START = re.compile(r"^\s*(?:<!doctype html|<html\b|<head\b|<body\b|<article\b|<p\b|<div\b)", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    return bool(_HTML_START.match(text[:2000]))


def text_from_html(markup: str) -> str:
    """The readable text of an HTML page: scripts and styles dropped, blocks as lines, entities decoded."""
    parser = _TextFromHTML()
    parser.feed(markup)
    parser.close()
    text = html.unescape("".join(parser.parts))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def text_from_bytes(data: bytes, *, name: str = "input", html_hint: bool = False) -> tuple[str, str]:
    text, encoding = decode_bytes(data, name=name)
    if html_hint or looks_like_html(text):
        text = text_from_html(text)
        if not text.strip():
            raise ArticleError(f"{name}: HTML page without readable text")
    return text, encoding


def read_article_text(path: str | Path) -> tuple[str, str]:
    """(text, encoding) of an article file. Raises ArticleError with a one-line reason."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise ArticleError(f"{path}: is a folder, not an article file")
        limit = settings.MAX_ARTICLE_BYTES
        if size > limit:
            raise ArticleError(f"{path}: {size / 1e6:.0f} MB is larger than the {limit / 1e6:.0f} MB an article may be")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ArticleError(f"{path}: no such file") from None
    except PermissionError:
        raise ArticleError(f"{path}: permission denied") from None
    except OSError as exc:
        raise ArticleError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return text_from_bytes(data, name=str(path), html_hint=path.suffix.lower() in (".html", ".htm"))


def first_sentence(text: str, *, limit: int = 160) -> str:
    """A title for an article that has no headline line: its first sentence, cut at a word."""
    for line in text.splitlines():
        line = line.strip()
        if line:
            sentence = re.split(r"(?<=[.!?])\s", line, maxsplit=1)[0]
            return sentence if len(sentence) <= limit else sentence[:limit].rsplit(" ", 1)[0] + "…"
    return ""


def content_id(text: str) -> str:
    """Same content → same id, whatever the file is called."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:16]


def parse_date(value: str | None, *, field: str = "published") -> date | None:
    if value is None or not str(value).strip():
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ArticleError(f"{field}: {value!r} is not a date (expected YYYY-MM-DD)") from None


def read_metadata(folder: str | Path) -> dict[str, dict[str, str]]:
    """``metadata.csv`` of a folder (file, title, outlet, published, url) keyed by file name; {} if absent."""
    path = Path(folder) / "metadata.csv"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8", newline="") as handle:
        return {row["file"]: row for row in csv.DictReader(handle) if row.get("file")}


def article_from_file(path: str | Path, *, title: str = "", outlet: str = "", published: str | date | None = None,
                      url: str = "", metadata: dict[str, str] | None = None) -> Article:
    path = Path(path)
    text, encoding = read_article_text(path)
    meta = metadata or {}
    when = published if isinstance(published, date) else parse_date(published or meta.get("published"))
    return Article(id=path.stem, title=title or meta.get("title") or first_sentence(text),
                   outlet=outlet or meta.get("outlet", ""), published=when, text=text,
                   url=url or meta.get("url", ""), encoding=encoding)


def article_from_text(text: str, *, title: str = "", outlet: str = "", published: str | date | None = None,
                      url: str = "") -> Article:
    if not text or not text.strip():
        raise ArticleError("pasted text is empty")
    if looks_like_html(text):
        text = text_from_html(text)
    when = published if isinstance(published, date) else parse_date(published)
    return Article(id=content_id(text), title=title or first_sentence(text), outlet=outlet, published=when,
                   text=text, url=url)


def stated_publication_date(text: str) -> date | None:
    """A date with its year near the top of an article ("Published September 10, 2022"), if it states one."""
    from mapapp.dates import dates_in

    stated = [d for d in dates_in(text[:800], None) if d.precision == "day"]
    return min(stated, key=lambda d: d.start).date if stated else None


def seed_articles(folder: str | Path | None = None) -> list[Article]:
    """The seed corpus with its metadata.csv."""
    folder = Path(folder or settings.SEEDS_DIR)
    meta = read_metadata(folder)
    return [article_from_file(p, metadata=meta.get(p.name)) for p in sorted(folder.glob("*.txt"))]
