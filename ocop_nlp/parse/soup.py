"""HTML -> a BeautifulSoup tree of bounded depth and size: every page gets one parse budget.

A legacy page with 1,200 unclosed `<font>` tags nests 1,200 levels deep, and a hostile one
100,000; a 5 MB page of `<b>` holds 1.7 million elements. Whatever the page, the tree we build
has at most `MAX_DEPTH` levels and `MAX_ELEMENTS` elements, so every walk over it is bounded:

- elements deeper than `MAX_DEPTH` are read flat, each one a child of the element at the limit
  (as browsers do: Chromium stops nesting at 512), so their text stays, in order, and a block
  element still ends a line;
- after `MAX_ELEMENTS` elements the rest of the page is read as text only; past twice that
  many tags the markup is not even handed to lxml, its text is taken out by a linear scan (a
  5 MB page of `<b>` is 1.7 million tags).

Either way the Article carries a warning saying so. The budget counts levels and elements, not
seconds, so a page reads the same on any machine. The largest of the 192 saved portal pages
nests 40 levels and holds 1,738 elements.

bs4's warnings about odd input (markup that looks like a URL, XML parsed as HTML) are for
programmers calling it; here they are silenced, around our own parse only.
"""

from __future__ import annotations

import html as html_lib
import re
import warnings
from typing import Any

from bs4 import (
    BeautifulSoup,
    MarkupResemblesLocatorWarning,
    NavigableString,
    Tag,
    XMLParsedAsHTMLWarning,
)
from bs4.builder._lxml import LXMLTreeBuilder

__all__ = [
    "MAX_DEPTH",
    "MAX_ELEMENTS",
    "PageSoup",
    "page_soup",
    "plain_text",
    "text_head",
    "within_budget",
]

# libxml2's own tree builder stops at 256 levels; real pages stay under 50.
MAX_DEPTH = 256
# About 30 times the largest saved portal page; the tree then takes about 50 MB.
MAX_ELEMENTS = 50_000

# Elements that end a line: flattened or text-only, they still part their neighbours' words.
_BREAKS = frozenset(
    {"p", "div", "br", "li", "tr", "td", "th", "table", "ul", "ol", "h1", "h2", "h3", "h4"}
    | {"h5", "h6", "blockquote", "section", "article", "header", "footer", "main", "pre"}
    | {"center", "dd", "dt", "figure", "figcaption"}
)
_QUIET = (MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning)
_TAG_START = re.compile(r"<[A-Za-z]")
_RAW_START = re.compile(r"<!--|<(script|style|noscript|template|textarea)\b", re.IGNORECASE)
# `[^<>]`, not `[^>]`: a run of unclosed "<" must not make the scan quadratic.
_ANY_TAG = re.compile(r"<[^<>]*>")

_REAL, _FLAT, _TEXT = 0, 1, 2


class PageSoup(BeautifulSoup):
    """A page parsed within the budget; `budget_warnings` says what was read degraded."""

    budget_warnings: tuple[str, ...] = ()


class _BoundedBuilder(LXMLTreeBuilder):
    """bs4's lxml builder, with lxml's start/end events filtered through the budget.

    lxml reports every element's start and end, balanced, so our own stack mirrors the tree.
    """

    def __init__(self, max_depth: int, max_elements: int) -> None:
        super().__init__()
        self.max_depth = max_depth
        self.max_elements = max_elements
        self.open: list[int] = []  # how each open element was kept: _REAL, _FLAT or _TEXT
        self.flat: str | None = None  # the flattened element now open, a child at the limit
        self.elements = 0
        self.flattened = 0
        self.dropped = 0

    def feed(self, markup: Any) -> None:
        # Past the budget, lxml's events cost time for nothing: the rest is text only anyway.
        cut = _nth_tag(markup, 2 * self.max_elements) if isinstance(markup, str) else None
        if cut is None:
            super().feed(markup)
            return
        self.parser = self.parser_for(None)
        self.parser.feed(markup[:cut])
        # lxml may still hold the text before the cut: the rest goes after it, once closed.
        soup = self.soup
        assert soup is not None
        anchor = soup.currentTag if soup.currentTag is not None else soup
        self.parser.close()
        self.dropped += 1
        anchor.append(NavigableString(" " + plain_text(markup[cut:])))

    def start(self, tag: Any, attrib: Any, nsmap: Any = None) -> None:
        depth = len(self.open)
        if self.elements >= self.max_elements:
            self.open.append(_TEXT)
            self.dropped += 1
            if tag in _BREAKS:
                self.data(" ")
            return
        self.elements += 1
        if depth < self.max_depth:
            self.open.append(_REAL)
            super().start(tag, attrib, nsmap or {})
            return
        # Too deep: close the flattened element still open, then open this one beside it.
        self._close_flat()
        self.open.append(_FLAT)
        self.flattened += 1
        super().start(tag, attrib, nsmap or {})
        self.flat = tag

    def end(self, tag: Any) -> None:
        if not self.open:
            return
        kept = self.open.pop()
        if kept == _REAL:
            self._close_flat()
            super().end(tag)
        elif kept == _FLAT:
            self._close_flat()
        elif tag in _BREAKS:
            self.data(" ")

    def _close_flat(self) -> None:
        if self.flat is not None:
            super().end(self.flat)
            self.flat = None

    def notes(self) -> tuple[str, ...]:
        out = []
        if self.flattened:
            out.append(
                f"The page nests its elements more than {self.max_depth} levels deep; the "
                "deeper ones were read side by side, so some of its layout may be lost."
            )
        if self.dropped:
            out.append(
                f"The page has more than {self.max_elements:,} elements; the rest was read as "
                "plain text, so some of its layout may be lost."
            )
        return tuple(out)


def page_soup(html: str, max_depth: int = MAX_DEPTH, max_elements: int = MAX_ELEMENTS) -> PageSoup:
    """Parse a page with lxml within the budget; `budget_warnings` says what was degraded.

    >>> soup = page_soup("<div>" * 300 + "Tin mới")
    >>> soup.get_text(), len(soup.budget_warnings)
    ('Tin mới', 1)
    """
    builder = _BoundedBuilder(max_depth, max_elements)
    with warnings.catch_warnings():
        for category in _QUIET:
            warnings.simplefilter("ignore", category)
        soup = PageSoup(html, builder=builder)
    soup.budget_warnings = builder.notes()
    return soup


def _nth_tag(markup: str, n: int) -> int | None:
    """Where the n-th start tag begins, or None when the markup has fewer."""
    for i, m in enumerate(_TAG_START.finditer(markup), 1):
        if i == n:
            return m.start()
    return None


def plain_text(markup: str) -> str:
    """The text of a stretch of markup, without scripts, styles and comments; one linear scan.

    >>> plain_text("<p>Tin &amp; ảnh<script>x()</script><b>mới")
    ' Tin & ảnh mới'
    """
    low = markup.lower()
    out: list[str] = []
    pos = 0
    while (m := _RAW_START.search(markup, pos)) is not None:
        out.append(markup[pos : m.start()])
        closer = "-->" if m.group(1) is None else f"</{m.group(1).lower()}"
        end = low.find(closer, m.end())
        if end < 0:
            pos = len(markup)
            break
        pos = end + len(closer)
        if m.group(1) is not None:
            gt = markup.find(">", pos)
            pos = gt + 1 if gt >= 0 else len(markup)
    out.append(markup[pos:])
    return html_lib.unescape(_ANY_TAG.sub(" ", "".join(out)))


def text_head(el: Tag, limit: int) -> str:
    """`el.get_text(" ", strip=True)[:limit]`, reading only as many strings as that needs."""
    out: list[str] = []
    size = -1
    for s in el.stripped_strings:
        out.append(s)
        size += len(s) + 1
        if size >= limit:
            break
    return " ".join(out)[:limit]


def within_budget(
    soup: BeautifulSoup, max_depth: int = MAX_DEPTH, max_elements: int = MAX_ELEMENTS
) -> bool:
    """Does a tree parsed elsewhere keep to the budget? One walk, stopped at the first excess."""
    if isinstance(soup, PageSoup):
        return True
    stack: list[tuple[Tag, int]] = [(soup, 0)]
    elements = 0
    while stack:
        node, depth = stack.pop()
        for child in node.contents:
            if isinstance(child, Tag):
                elements += 1
                if depth + 1 > max_depth or elements > max_elements:
                    return False
                stack.append((child, depth + 1))
    return True
