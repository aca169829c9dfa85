"""Which of a page's links are articles, listings (pagers, categories) or other pages, and
which are not worth a request at all: one link at a time, with what the page around it says
(menus and footers, pagers, dates beside it, neighbours sharing its markup)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from bs4 import Tag

from ocop_nlp.fetch.urls import is_date_in_words
from ocop_nlp.parse.link_rules import LinkRules, matches_any, norm
from ocop_nlp.parse.soup import text_head
from ocop_nlp.parse.thresholds import HEADLINE_CHARS, HEADLINE_WORDS, ITEM_REPEATS, ITEM_WORDS

__all__ = [
    "Chrome",
    "Collector",
    "classify_link",
    "has_date_beside",
    "link_text",
    "scheme_reason",
    "signature",
]

_DATE = re.compile(r"\b\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}\b|\b\d{4}-\d{2}-\d{2}\b")
_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*:")


def link_text(a: Tag) -> str:
    text = a.get_text(" ", strip=True)
    if not text:
        title = a.get("title")
        img = a.find("img")
        alt = img.get("alt") if isinstance(img, Tag) else None
        text = str(title or alt or "")
    return norm(text)


def _attr_words(el: Tag) -> str:
    attrs = el.attrs
    if not attrs:
        return ""
    classes = attrs.get("class")
    cls = " ".join(classes) if isinstance(classes, list) else str(classes or "")
    return f"{attrs.get('id') or ''} {cls} {attrs.get('role') or ''}".lower()


class Chrome:
    """Is an element inside a menu, header or footer? Remembered per element: one walk a page."""

    def __init__(self, rules: LinkRules) -> None:
        self.rules = rules
        self.memo: dict[int, bool] = {}

    def own(self, el: Tag) -> bool:
        # An article's own <header>/<footer> (title, date, tags) belongs to the item.
        if el.name in self.rules.chrome_tags and (
            el.name not in ("header", "footer") or el.find_parent(("article", "main")) is None
        ):
            return True
        return self.rules.chrome_words.search(_attr_words(el)) is not None

    def __call__(self, el: Tag) -> bool:
        chain: list[int] = []
        node: Any = el.parent
        result = False
        while isinstance(node, Tag) and node.name != "[document]":
            key = id(node)
            if key in self.memo:
                result = self.memo[key]
                break
            chain.append(key)
            if node.name in ("article", "main"):
                break  # links inside an article or the main block are content unless nearer chrome
            if self.own(node):
                result = True
                break
            node = node.parent
        for key in chain:
            self.memo[key] = result
        return result


def _in_pager(a: Tag, rules: LinkRules) -> bool:
    node: Any = a.parent
    for _ in range(4):
        if not isinstance(node, Tag) or node.name in ("body", "html"):
            return False
        if rules.pager_words.search(_attr_words(node)):
            return True
        node = node.parent
    return False


def has_date_beside(a: Tag) -> bool:
    """Does a date stand beside the link (its parent, or beside the heading it is in)?"""
    node: Any = a.parent
    for _ in range(2):
        if not isinstance(node, Tag):
            return False
        if _DATE.search(text_head(node, 300)):
            return True
        if node.name not in ("h1", "h2", "h3", "h4", "h5", "h6"):
            return False
        node = node.parent
    return False


def signature(a: Tag) -> str:
    """The markup path above a link (3 levels): items of one list share it."""
    parts = []
    node: Any = a.parent
    for _ in range(3):
        if not isinstance(node, Tag):
            break
        classes = node.get("class")
        first = classes[0] if isinstance(classes, list) and classes else ""
        parts.append(f"{node.name}.{first}")
        node = node.parent
    return "/".join(parts)


class Collector:
    """Links by class, each URL once, the strongest class kept (article > listing > other)."""

    RANK = {"article": 3, "listing": 2, "other": 1}

    def __init__(self, page_url: str) -> None:
        self.page_url = page_url
        self.kind: dict[str, str] = {}
        self.feeds: list[str] = []
        self.skipped: dict[str, str] = {}

    def add(self, url: str, kind: str) -> None:
        if url == self.page_url:
            return
        old = self.kind.get(url)
        if old is None or self.RANK[kind] > self.RANK[old]:
            self.kind[url] = kind

    def feed(self, url: str) -> None:
        if url not in self.feeds:
            self.feeds.append(url)

    def skip(self, url: str, why: str) -> None:
        if url != self.page_url:
            self.skipped.setdefault(url, why)

    def of(self, kind: str) -> list[str]:
        return [u for u, k in self.kind.items() if k == kind and u not in self.skipped]


def scheme_reason(href: str) -> str | None:
    head = href.strip().lower()
    for scheme, why in (
        ("mailto:", "mailto link"),
        ("javascript:", "javascript link"),
        ("tel:", "phone link"),
    ):
        if head.startswith(scheme):
            return why
    if _SCHEME.match(head) and not head.startswith(("http:", "https:")):
        return "not a web link"  # ftp:, data:, file:, zalo: ...
    return None


def classify_link(
    a: Tag,
    text: str,
    path: str,
    by_profile: str | None,
    rules: LinkRules,
    chrome: Chrome,
    profile_items: set[int],
    profile_pager: set[int],
    numbered: Counter[int],
    repeats: int,
) -> str:
    """'article', 'listing', 'pager' (a listing reached through a pager) or 'other'."""
    if by_profile == "listing":
        return by_profile
    if by_profile == "article":
        return "other" if chrome(a) else "article"  # menus link "about" pages shaped alike
    if id(a) in profile_pager:
        return "pager"
    if id(a) in profile_items:
        return "article"
    if (
        text in rules.pager_text
        or (numbered[id(a.parent)] >= 2 and text.strip("[]").isdigit())
        or (_in_pager(a, rules) and len(text) <= 20)
        or matches_any(rules.pager_url, path)
    ):
        return "pager"
    if matches_any(rules.article, path):
        return "other" if chrome(a) else "article"
    if matches_any(rules.listing, path):
        return "listing"
    if chrome(a):
        return "other"
    # A slug that is only a date in words ("thu-hai-ngay-4-thang-muoi-mot") names a day of an
    # archive, not a story: left to the URL-family rule like numbered pages.
    if matches_any(rules.article_slug, path) and not is_date_in_words(
        path.rstrip("/").rsplit("/", 1)[-1]
    ):
        return "article"
    words = text.count(" ") + 1 if text else 0
    if (words >= HEADLINE_WORDS and len(text) >= HEADLINE_CHARS) or (
        words >= ITEM_WORDS and repeats >= ITEM_REPEATS
    ):
        return "article"
    return "other"
