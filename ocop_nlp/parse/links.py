"""What a fetched page is (article, listing, other) and which of its links are worth a request.

Discovery for `ocop crawl`, without a site profile: the URL's shape (SharePoint
`/Pages/<long-slug>.aspx` against `default.aspx` and `?Page=N`, WordPress `/YYYY/MM/slug/`
against `/category/` and `/page/N/`, Joomla `view=article` against `view=category`), the page's
shape (one long block of paragraphs, or many similar links with dates and a pager) and the words
of links ("Liên hệ", "Lịch công tác", "Đăng nhập", "Tìm kiếm", "In bài", "RSS", "Sơ đồ site").
The word lists and URL shapes are data (`data/profiles/generic.toml`); a site profile's rules
run first. Sitemaps (plain, indexes, gzip'd, broken) and RSS/Atom feeds are read here too.

>>> page = analyse_page('<a href="/lien-he">Liên hệ</a><a href="/tin/page/2/">2</a>',
...                     "http://x.vn/tin/")
>>> page.kind, page.listing_links, page.skipped
('other', ['http://x.vn/tin/page/2/'], [('http://x.vn/lien-he', 'contact page')])
"""

from __future__ import annotations

import email.utils
import html as html_lib
import io
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal
from urllib.parse import urlsplit

import feedparser
from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PageElement
from lxml import etree

from ocop_nlp.errors import ConfigError
from ocop_nlp.fetch.urls import canonical_url, file_kind
from ocop_nlp.parse.profiles import (
    GENERIC,
    Profile,
    check_patterns,
    profiles_dir,
    read_toml,
    url_target,
)
from ocop_nlp.parse.soup import page_soup, text_head, within_budget

__all__ = [
    "FeedEntry",
    "PageKind",
    "PageLinks",
    "SitemapEntry",
    "analyse_page",
    "parse_feed",
    "parse_sitemap",
    "sniff_xml_kind",
]

PageKind = Literal["article", "listing", "other"]

# The sitemap protocol caps a file at 50 MB uncompressed; more is a mistake or a gzip bomb.
MAX_XML_BYTES = 50_000_000
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})

# Elements that end a run of text: a string belongs to its nearest one, its parent is the
# container whose paragraphs are summed (where the article is, as readability does it).
_BLOCK = frozenset(
    {"p", "div", "td", "th", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "dd", "dt"}
    | {"section", "article", "main", "body", "table", "tr", "ul", "ol", "pre", "figure"}
    | {"figcaption", "center", "form", "header", "footer", "nav", "aside", "html", "head", "dl"}
)
_TITLE_TAGS = frozenset({"p", "h2", "h3", "div", "span", "td"})
_TITLE_CLASSES = frozenset(
    {"title", "article-title", "entry-title", "post-title", "news-title", "tieude", "tieu-de"}
)
_NO_TEXT = frozenset({"noscript", "option", "select", "button", "title", "textarea", "template"})
_DATE = re.compile(r"\b\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}\b|\b\d{4}-\d{2}-\d{2}\b")
_ROOT = re.compile(
    rb"\A(?:\s|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)*<([A-Za-z_][\w.:-]*)", re.DOTALL
)
_LOC = re.compile(r"<(?:\w+:)?loc>\s*(.*?)\s*</(?:\w+:)?loc>", re.DOTALL | re.IGNORECASE)
_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")
_DMY = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_SPACE = re.compile(r"\s+")
_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*:")

# Thresholds of the page shape, in characters of text outside links.
_ARTICLE_BODY = 600  # one container with this much paragraph text is an article ...
_ARTICLE_ONE_BLOCK = 1000  # ... or this much in a single block (div + <br> bodies)
_ARTICLE_WITH_URL = 250  # enough when the URL looks like an article too
_STUB_WITH_URL = 120  # an article URL with less text is a stub ("Xem chi tiết tại đây")
_SHORT_ARTICLE = 200  # a headline and two paragraphs of this much, and no list: a short notice
_HEADLINE_WORDS = 5  # a link text this long is a headline, wherever it stands
_ITEM_WORDS = 3  # ... or this long when it repeats the markup of its neighbours


@dataclass(slots=True)
class PageLinks:
    """A page's kind and its links, split the way the crawler queues them."""

    kind: PageKind
    why: str  # short reason: "profile article URL", "long body (2,345 chars), 4 article links"
    article_links: list[str]  # canonical URLs that look like articles (listing items, related)
    listing_links: list[str]  # pagers and section/category listings
    other_links: list[str]  # same-site pages of lower priority (menus); never files or forms
    feeds: list[str]  # RSS/Atom documents: <link rel=alternate>, or links that are feeds
    skipped: list[tuple[str, str]]  # (url, why): files, mailto, contact pages, off-site ...


@dataclass(slots=True)
class SitemapEntry:
    url: str
    lastmod: str | None  # as written in the sitemap (W3C datetime), or news:publication_date
    published: str | None = None  # news:publication_date as written, when the entry has one


@dataclass(slots=True)
class FeedEntry:
    url: str
    title: str | None
    published: str | None  # YYYY-MM-DD, the date as the feed wrote it (its own time zone)


@dataclass(frozen=True, slots=True)
class _Rules:
    version: str
    article: tuple[re.Pattern[str], ...]
    listing: tuple[re.Pattern[str], ...]
    article_slug: tuple[re.Pattern[str], ...]
    system: tuple[re.Pattern[str], ...]
    feed: tuple[re.Pattern[str], ...]
    pager_url: tuple[re.Pattern[str], ...]
    pages: tuple[tuple[str, tuple[str, ...], tuple[re.Pattern[str], ...]], ...]
    chrome_tags: frozenset[str]
    chrome_words: re.Pattern[str]  # any of the words, inside an id or class
    pager_words: re.Pattern[str]
    pager_text: frozenset[str]


_GENERIC_KEYS = {
    "": {"version", "urls", "pages", "chrome", "pager"},
    "urls": {"article", "listing", "article_slug", "system", "feed", "pager"},
    "chrome": {"tags", "class_words"},
    "pager": {"class_words", "text"},
}


def _alternation(words: tuple[str, ...]) -> re.Pattern[str]:
    # One search per element instead of one per word: this runs on every ancestor of a link.
    return re.compile("|".join(re.escape(w.lower()) for w in words) or r"(?!)")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip().lower()


@cache
def generic_rules() -> _Rules:
    """The packaged rules every page is read with (data/profiles/generic.toml), checked once."""
    where = f"ocop_nlp/data/profiles/{GENERIC}.toml"
    data = read_toml(profiles_dir().joinpath(f"{GENERIC}.toml").read_text(encoding="utf-8"), where)
    for table, keys in _GENERIC_KEYS.items():
        section = data if not table else data.get(table, {})
        for key in section:
            if key not in keys:
                raise ConfigError(f"{where}: unknown key '{table + '.' if table else ''}{key}'.")

    def regexes(table: dict[str, Any], key: str, name: str) -> tuple[re.Pattern[str], ...]:
        pats = check_patterns(table.get(key, []), where, name, "re")
        # One alternation per list: these run on every link of every page.
        return (re.compile("|".join(f"(?:{p})" for p in pats) or r"(?!)", re.IGNORECASE),)

    urls = data.get("urls", {})
    pages = []
    for kind, spec in data.get("pages", {}).items():
        if set(spec) - {"text", "url"}:
            raise ConfigError(f"{where}: [pages.{kind}] takes only 'text' and 'url'.")
        words = check_patterns(spec.get("text", []), where, f"pages.{kind}.text", "str")
        pages.append((kind, tuple(_norm(w) for w in words), regexes(spec, "url", kind)))
    chrome = data.get("chrome", {})
    pager = data.get("pager", {})
    return _Rules(
        version=str(data.get("version", "?")),
        article=regexes(urls, "article", "urls.article"),
        listing=regexes(urls, "listing", "urls.listing"),
        article_slug=regexes(urls, "article_slug", "urls.article_slug"),
        system=regexes(urls, "system", "urls.system"),
        feed=regexes(urls, "feed", "urls.feed"),
        pager_url=regexes(urls, "pager", "urls.pager"),
        pages=tuple(pages),
        chrome_tags=frozenset(check_patterns(chrome.get("tags", []), where, "chrome.tags", "str")),
        chrome_words=_alternation(
            check_patterns(chrome.get("class_words", []), where, "chrome.class_words", "str")
        ),
        pager_words=_alternation(
            check_patterns(pager.get("class_words", []), where, "pager.class_words", "str")
        ),
        pager_text=frozenset(
            _norm(w) for w in check_patterns(pager.get("text", []), where, "pager.text", "str")
        ),
    )


def _any(patterns: tuple[re.Pattern[str], ...], target: str) -> bool:
    return any(p.search(target) for p in patterns)


def _text_kind(text: str, rules: _Rules, more: int = 3) -> str | None:
    """The page kind a text names: the word itself, or the word and at most `more` words."""
    if not text or len(text) > 60:
        return None
    for kind, words, _ in rules.pages:
        for w in words:
            if text == w or (
                more and text.startswith(w + " ") and text.count(" ") - w.count(" ") <= more
            ):
                return kind
    return None


def _url_page_kind(target: str, rules: _Rules) -> str | None:
    for kind, _, patterns in rules.pages:
        if _any(patterns, target):
            return kind
    return None


def _link_text(a: Tag) -> str:
    text = a.get_text(" ", strip=True)
    if not text:
        title = a.get("title")
        img = a.find("img")
        alt = img.get("alt") if isinstance(img, Tag) else None
        text = str(title or alt or "")
    return _norm(text)


def _attr_words(el: Tag) -> str:
    attrs = el.attrs
    if not attrs:
        return ""
    classes = attrs.get("class")
    cls = " ".join(classes) if isinstance(classes, list) else str(classes or "")
    return f"{attrs.get('id') or ''} {cls} {attrs.get('role') or ''}".lower()


class _Chrome:
    """Is an element inside a menu, header or footer? Remembered per element: one walk a page."""

    def __init__(self, rules: _Rules) -> None:
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


def _in_pager(a: Tag, rules: _Rules) -> bool:
    node: Any = a.parent
    for _ in range(4):
        if not isinstance(node, Tag) or node.name in ("body", "html"):
            return False
        if rules.pager_words.search(_attr_words(node)):
            return True
        node = node.parent
    return False


def _dated(a: Tag) -> bool:
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


def _signature(a: Tag) -> str:
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


@dataclass(slots=True)
class _Body:
    chars: int = 0  # text outside links in the best container
    link_chars: int = 0
    paragraphs: int = 0  # blocks of 40+ characters in it
    headlines: int = 0  # link texts of 4+ words in it (a list of items with excerpts)


@dataclass(slots=True)
class _Scan:
    """What one walk over the parsed page gathers: its links, a few head tags, the text."""

    body: _Body
    anchors: list[Tag]
    head_links: list[Tag]
    base: Tag | None
    h1: Tag | None
    title: Tag | None  # the first <title>
    headline: bool  # an <h1> or an element classed as a title (p.Title, h2.entry-title ...)
    og_type: str


def _scan(soup: BeautifulSoup) -> _Scan:
    """One pass over the page: the tags we need, and the container holding the most text.

    Text is summed per container (the parent of the string's nearest block element), as
    readability does it; link text is counted apart, so a menu never looks like an article.
    """
    own: Counter[int] = Counter()
    linked: Counter[int] = Counter()
    heads: Counter[int] = Counter()
    block_chars: Counter[int] = Counter()
    block_container: dict[int, int] = {}
    anchors: list[Tag] = []
    head_links: list[Tag] = []
    base: Tag | None = None
    h1: Tag | None = None
    headline = False
    og_type = ""
    title: Tag | None = None
    # Each element's nearest block (or the no-text element hiding its strings), and whether a
    # link lies in between, handed down an explicit stack: no string walks up its ancestors.
    stack: list[tuple[Iterator[PageElement], Tag | None, bool]] = [
        (iter(soup.contents), None, False)
    ]
    while stack:
        children, block, in_link = stack[-1]
        node = next(children, None)
        if node is None:
            stack.pop()
            continue
        if isinstance(node, Tag):
            name = node.name
            if name in _BLOCK or name in _NO_TEXT:
                stack.append((iter(node.contents), node, False))
            else:
                stack.append((iter(node.contents), block, in_link or name == "a"))
            if name == "a":
                if "href" in node.attrs:
                    anchors.append(node)
            elif name == "link":
                if "href" in node.attrs:
                    head_links.append(node)
            elif name == "h1":
                h1 = h1 or node
                headline = True
            elif not headline and name in _TITLE_TAGS:
                classes = node.attrs.get("class")
                if classes and any(c.lower() in _TITLE_CLASSES for c in classes):
                    headline = True
            elif name == "base":
                if base is None and "href" in node.attrs:
                    base = node
            elif name == "meta" and node.attrs.get("property") == "og:type":
                og_type = str(node.attrs.get("content") or "").lower()
            elif name == "title" and title is None:
                title = node
            continue
        if type(node) is not NavigableString:
            continue  # comments, scripts, styles, CDATA
        n = len(node.strip())
        if not n:
            continue
        el = block
        if el is None or el.name in _NO_TEXT or el.name in ("head", "html"):
            continue
        container = id(el.parent) if el.parent is not None else id(el)
        if in_link:
            linked[container] += n
            if node.count(" ") >= 3:
                heads[container] += 1
        else:
            own[container] += n
            block_chars[id(el)] += n
            block_container[id(el)] = container
    body = _Body()
    if own:
        best = max(own, key=lambda c: own[c] - linked[c] // 2)
        paragraphs = sum(
            1 for b, c in block_container.items() if c == best and block_chars[b] >= 40
        )
        body = _Body(own[best], linked[best], paragraphs, heads[best])
    return _Scan(body, anchors, head_links, base, h1, title, headline, og_type)


class _Collector:
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


def _scheme_reason(href: str) -> str | None:
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


def analyse_page(
    html: str, url: str, profile: Profile | None = None, soup: BeautifulSoup | None = None
) -> PageLinks:
    """Tell what the page at `url` is and sort its links; one parse of the HTML.

    Pass the site's `profile` when known (see `parse.profiles.detect_profile`); its URL rules
    and selectors decide first, the generic rules fill in. `soup`, when given, is the page
    already parsed (the crawler parses once for this and for the article); it is only read.
    """
    rules = generic_rules()
    page_url = canonical_url(url) or url
    page_host = urlsplit(page_url).netloc
    if soup is None or not within_budget(soup):
        soup = page_soup(html)
    scan = _scan(soup)
    base = page_url
    if scan.base is not None:
        base = canonical_url(str(scan.base["href"]), base=page_url) or page_url
    out = _Collector(page_url)
    chrome = _Chrome(rules)
    resolved: dict[str, str | None] = {}

    def resolve(href: str) -> str | None:
        # Menus repeat the same links; canonical_url is the costliest step per link.
        if href not in resolved:
            resolved[href] = canonical_url(href, base=base)
        return resolved[href]

    def on_site(target: str) -> bool:
        # `target` is canonical already, so its netloc is what host_of would return.
        return urlsplit(target).netloc == page_host

    pager = False
    for link in scan.head_links:
        rel = " ".join(link.get("rel") or []).lower()
        target = resolve(str(link["href"]))
        if target is None:
            continue
        if "alternate" in rel and str(link.get("type") or "").lower() in FEED_TYPES:
            if on_site(target):
                out.feed(target)
            else:
                out.skip(target, "off-site")
        elif rel in ("next", "prev", "previous") and on_site(target):
            out.add(target, "listing")
            pager = True

    profile_items: set[int] = set()
    profile_pager: set[int] = set()
    if profile is not None:
        if profile.listing_items:
            profile_items = {id(t) for t in soup.select(", ".join(profile.listing_items))}
        if profile.next_page:
            profile_pager = {id(t) for t in soup.select(", ".join(profile.next_page))}

    anchors = [(a, str(a["href"]), _link_text(a)) for a in scan.anchors]
    numbered: Counter[int] = Counter(
        id(a.parent) for a, _, text in anchors if text.strip("[]").isdigit() and len(text) <= 6
    )
    signatures: Counter[str] = Counter()
    sig_of: dict[int, str] = {}
    for a, _, text in anchors:
        if text.count(" ") + 1 >= _ITEM_WORDS:
            sig_of[id(a)] = sig = _signature(a)
            signatures[sig] += 1

    items: set[str] = set()
    dated = 0
    for a, href, text in anchors:
        why = _scheme_reason(href)
        target = None if why else resolve(href)
        if target is None:
            if why:
                out.skip(href.strip()[:200], why)
            continue
        if target == page_url:
            continue
        if not on_site(target):
            out.skip(target, "off-site")
            continue
        kind = file_kind(target)
        if kind:
            out.skip(target, f"file ({kind})")
            continue
        path = url_target(target)
        if _any(rules.feed, path):
            out.feed(target)
            continue
        by_profile = profile.url_kind(path) if profile is not None else None
        if by_profile == "skip":
            out.skip(target, "profile skip rule")
            continue
        if _any(rules.system, path):
            out.skip(target, "system page")
            continue
        page_kind = _url_page_kind(path, rules) or _text_kind(text, rules)
        if page_kind:
            out.skip(target, f"{page_kind} page")
            continue
        repeats = signatures[sig_of[id(a)]] if id(a) in sig_of else 0
        link_kind = _classify_link(
            a,
            text,
            path,
            by_profile,
            rules,
            chrome,
            profile_items,
            profile_pager,
            numbered,
            repeats,
        )
        if link_kind == "pager":
            pager = True
            link_kind = "listing"
        out.add(target, link_kind)
        if link_kind == "article" and target not in items and not chrome(a):
            items.add(target)
            if _dated(a):
                dated += 1

    kind, why = _page_kind(soup, scan, page_url, profile, rules, items, dated, pager)
    return PageLinks(
        kind=kind,
        why=why,
        article_links=out.of("article"),
        listing_links=out.of("listing"),
        other_links=out.of("other"),
        feeds=out.feeds,
        skipped=list(out.skipped.items()),
    )


def _classify_link(
    a: Tag,
    text: str,
    path: str,
    by_profile: str | None,
    rules: _Rules,
    chrome: _Chrome,
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
        or _any(rules.pager_url, path)
    ):
        return "pager"
    if _any(rules.article, path):
        return "other" if chrome(a) else "article"
    if _any(rules.listing, path):
        return "listing"
    if chrome(a):
        return "other"
    if _any(rules.article_slug, path):
        return "article"
    words = text.count(" ") + 1 if text else 0
    if (words >= _HEADLINE_WORDS and len(text) >= 25) or (words >= _ITEM_WORDS and repeats >= 3):
        return "article"
    return "other"


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _page_kind(
    soup: BeautifulSoup,
    scan: _Scan,
    page_url: str,
    profile: Profile | None,
    rules: _Rules,
    items: set[str],
    dated: int,
    pager: bool,
) -> tuple[PageKind, str]:
    path = url_target(page_url)
    by_profile = profile.url_kind(path) if profile is not None else None
    if by_profile == "skip":
        return "other", "profile skip URL"
    title = scan.title.get_text(" ", strip=True) if scan.title is not None else ""
    heading = scan.h1.get_text(" ", strip=True) if scan.h1 is not None else ""
    # A page's own heading must be the word itself: "Tìm kiếm cứu nạn" is news, not a form.
    named = _url_page_kind(path, rules) or _text_kind(_norm(heading), rules, more=0)
    if named is None and title:
        named = _text_kind(_norm(re.split(r"\s+[|\-–:]\s+", title)[0]), rules, more=0)
    if named is None and _any(rules.system, path):
        named = "system"
    if named:
        return "other", f"{named} page"
    if by_profile == "article":
        return "article", "profile article URL"
    if by_profile == "listing":
        return "listing", "profile listing URL"

    body = scan.body
    n_items = len(items)
    links_note = _count(n_items, "article link")
    body_note = f"{body.chars:,} chars in {_count(body.paragraphs, 'paragraph')}"
    article_url = _any(rules.article, path)
    listing_url = not article_url and _any(rules.listing, path)
    dense = body.link_chars <= 0.35 * (body.chars + body.link_chars)
    excerpts = body.headlines >= 4 and body.chars < 350 * body.headlines
    strong = (
        dense
        and not excerpts
        and (
            (body.chars >= _ARTICLE_BODY and body.paragraphs >= 2)
            or body.chars >= _ARTICLE_ONE_BLOCK
        )
    )
    og_article = scan.og_type == "article"

    if listing_url:
        return "listing", f"listing URL, {links_note}"
    block = profile.article_block or profile.article_body if profile is not None else ()
    if block:
        found = soup.select_one(", ".join(block))
        if found is not None and len(found.get_text(" ", strip=True)) >= _ARTICLE_WITH_URL:
            return "article", "profile article body"
    if strong:
        return "article", f"long body ({body_note}), {links_note}"
    slug_url = article_url or _any(rules.article_slug, path)
    if (slug_url or og_article) and body.chars >= _ARTICLE_WITH_URL and dense:
        return "article", f"article URL, {body_note}"
    if n_items >= 5 or (n_items >= 2 and (pager or dated >= 2)):
        extra = ", pager" if pager else ""
        extra += f", {dated} dated" if dated else ""
        return "listing", f"{links_note}{extra}"
    if scan.headline and body.paragraphs >= 2 and body.chars >= _SHORT_ARTICLE and n_items <= 2:
        return "article", f"headline and a short body ({body_note})"
    if slug_url and body.chars >= _STUB_WITH_URL:
        return "article", f"article URL, short body ({body_note})"
    return "other", f"short page ({body.chars:,} chars), {links_note}"


# --- sitemaps and feeds ---------------------------------------------------------------------


def _gunzip(data: bytes, limit: int = MAX_XML_BYTES) -> bytes:
    """Uncompressed bytes: gzip'd input is inflated (a truncated stream as far as it goes)."""
    if data[:2] != b"\x1f\x8b":
        return data
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        return inflater.decompress(data, limit)
    except zlib.error:
        return b""


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def sniff_xml_kind(data: bytes) -> Literal["sitemap", "sitemapindex", "feed"] | None:
    """What an XML document is, from its root element; None for HTML and anything else.

    Works on the first bytes of a response (gzip'd or not), so a crawler can decide early.
    """
    head = _gunzip(data[:65536], 65536)[:8192].lstrip(b"\xef\xbb\xbf")
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        head = head.decode("utf-16", "ignore").encode("utf-8")
    m = _ROOT.match(head)
    if not m:
        return None
    name = m.group(1).decode("ascii", "ignore").rsplit(":", 1)[-1].lower()
    if name == "urlset":
        return "sitemap"
    if name == "sitemapindex":
        return "sitemapindex"
    if name in ("rss", "feed", "rdf"):
        return "feed"
    return None


def parse_sitemap(data: bytes) -> tuple[list[SitemapEntry], list[str]]:
    """(page entries, child sitemaps) of a sitemap or sitemap index; gzip'd bytes accepted.

    Broken XML is read as far as it can be; a plain-text sitemap (one URL a line) is read too.
    URLs come back canonical, each once.
    """
    raw = _gunzip(data)
    entries: list[SitemapEntry] = []
    children: list[str] = []
    seen: set[str] = set()

    def keep(loc: str | None) -> str | None:
        url = canonical_url(html_lib.unescape(loc.strip())) if loc else None
        if url is None or url in seen:
            return None
        seen.add(url)
        return url

    root = None
    if raw.lstrip()[:1] == b"<":
        parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
        try:
            root = etree.fromstring(raw, parser)
        except etree.XMLSyntaxError:
            root = None
    if root is not None:
        for el in root.iter():
            name = _local(el.tag)
            if name not in ("url", "sitemap"):
                continue
            loc = lastmod = news_date = None
            for child in el:
                cname = _local(child.tag)
                if cname == "loc" and loc is None:
                    loc = child.text
                elif cname == "lastmod":
                    lastmod = (child.text or "").strip() or None
                elif cname == "news":
                    for sub in child.iter():
                        if _local(sub.tag) == "publication_date":
                            news_date = (sub.text or "").strip() or None
            url = keep(loc)
            if url is None:
                continue
            if name == "sitemap":
                children.append(url)
            else:
                entries.append(SitemapEntry(url, lastmod or news_date, news_date))
    if entries or children:
        return entries, children
    text = raw.decode("utf-8", "replace")
    if "<" in text[:200]:
        # Too broken for the recovering parser: the <loc> elements are still readable.
        index = "<sitemapindex" in text[:2000].lower()
        for loc in _LOC.findall(text):
            url = keep(loc)
            if url:
                (children.append(url) if index else entries.append(SitemapEntry(url, None)))
    else:
        for line in text.splitlines():
            if line.strip().lower().startswith(("http://", "https://")):
                url = keep(line)
                if url:
                    entries.append(SitemapEntry(url, None))
    return entries, children


def _feed_day(raw: str | None, parsed: Any) -> str | None:
    """YYYY-MM-DD of a feed date as written: ISO, RFC 822, or Vietnamese d/m/Y."""
    if raw:
        m = _ISO_DAY.match(raw)
        if m:
            return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
        try:
            return email.utils.parsedate_to_datetime(raw).date().isoformat()
        except (TypeError, ValueError, IndexError):
            pass
        m = _DMY.search(raw)
        if m:
            d, mth, y = (int(g) for g in m.groups())
            if 1 <= d <= 31 and 1 <= mth <= 12:
                return f"{y:04d}-{mth:02d}-{d:02d}"
    if parsed:
        return f"{parsed.tm_year:04d}-{parsed.tm_mon:02d}-{parsed.tm_mday:02d}"
    return None


def parse_feed(data: bytes) -> list[FeedEntry]:
    """Entries of an RSS 0.9x/1.0/2.0 or Atom feed (feedparser); broken feeds as far as they go."""
    parsed = feedparser.parse(io.BytesIO(_gunzip(data)))
    base = parsed.feed.get("link") if parsed.get("feed") else None
    out: list[FeedEntry] = []
    seen: set[str] = set()
    for e in parsed.entries:
        link = e.get("link")
        if not link:
            link = next((x.get("href") for x in e.get("links", []) if x.get("href")), None)
        url = canonical_url(link, base=base) if link else None
        if url is None or url in seen:
            continue
        seen.add(url)
        title = _SPACE.sub(" ", e.get("title") or "").strip() or None
        # dict.get: FeedParserDict.get maps missing keys to others, with a deprecation warning.
        raw = dict.get(e, "published") or dict.get(e, "updated") or dict.get(e, "created")
        parsed_day = dict.get(e, "published_parsed") or dict.get(e, "updated_parsed")
        out.append(FeedEntry(url, title, _feed_day(raw, parsed_day)))
    return out
