"""What a fetched page is (article, listing, other) and which of its links are worth a request.

Discovery for `ocop crawl`, without a site profile: the URL's shape (SharePoint
`/Pages/<long-slug>.aspx` against `default.aspx` and `?Page=N`, WordPress `/YYYY/MM/slug/`
against `/category/` and `/page/N/`, Joomla `view=article` against `view=category`), the page's
shape (one long block of paragraphs, or many similar links with dates and a pager) and the words
of links ("Liên hệ", "Lịch công tác", "Đăng nhập", "Tìm kiếm", "In bài", "RSS", "Sơ đồ site").
The word lists and URL shapes are data (`data/profiles/generic.toml`, `parse.link_rules`); a
site profile's rules run first. Each job has its module: one walk over the page
(`parse.page_scan`), the kind of each link (`parse.link_kinds`), the kind of the page
(`parse.page_kind`), with the numbers in one place (`parse.thresholds`); sitemaps and feeds are
read by `parse.sitemaps` and `parse.feeds`.

>>> page = analyse_page('<a href="/lien-he">Liên hệ</a><a href="/tin/page/2/">2</a>',
...                     "http://x.vn/tin/")
>>> page.kind, page.listing_links, page.skipped
('other', ['http://x.vn/tin/page/2/'], [('http://x.vn/lien-he', 'contact page')])
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from ocop_nlp.fetch.urls import canonical_url, file_kind
from ocop_nlp.parse.feeds import FEED_TYPES
from ocop_nlp.parse.link_kinds import (
    Chrome,
    Collector,
    classify_link,
    has_date_beside,
    link_text,
    scheme_reason,
    signature,
)
from ocop_nlp.parse.link_rules import generic_rules, matches_any, text_kind, url_page_kind
from ocop_nlp.parse.page_kind import PageKind, kind_of_page
from ocop_nlp.parse.page_scan import scan_page
from ocop_nlp.parse.profiles import Profile, url_target
from ocop_nlp.parse.soup import page_soup, within_budget
from ocop_nlp.parse.thresholds import ITEM_WORDS

__all__ = ["PageKind", "PageLinks", "analyse_page"]


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
    scan = scan_page(soup)
    base = page_url
    if scan.base is not None:
        base = canonical_url(str(scan.base["href"]), base=page_url) or page_url
    out = Collector(page_url)
    chrome = Chrome(rules)
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

    anchors = [(a, str(a["href"]), link_text(a)) for a in scan.anchors]
    numbered: Counter[int] = Counter(
        id(a.parent) for a, _, text in anchors if text.strip("[]").isdigit() and len(text) <= 6
    )
    signatures: Counter[str] = Counter()
    sig_of: dict[int, str] = {}
    for a, _, text in anchors:
        if text.count(" ") + 1 >= ITEM_WORDS:
            sig_of[id(a)] = sig = signature(a)
            signatures[sig] += 1

    items: set[str] = set()
    dated = 0
    for a, href, text in anchors:
        why = scheme_reason(href)
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
        if matches_any(rules.feed, path):
            out.feed(target)
            continue
        by_profile = profile.url_kind(path) if profile is not None else None
        if by_profile == "skip":
            out.skip(target, "profile skip rule")
            continue
        if matches_any(rules.system, path):
            out.skip(target, "system page")
            continue
        page_kind = url_page_kind(path, rules) or text_kind(text, rules)
        if page_kind:
            out.skip(target, f"{page_kind} page")
            continue
        repeats = signatures[sig_of[id(a)]] if id(a) in sig_of else 0
        link_kind = classify_link(
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
            if has_date_beside(a):
                dated += 1

    kind, why = kind_of_page(soup, scan, page_url, profile, rules, items, dated, pager)
    return PageLinks(
        kind=kind,
        why=why,
        article_links=out.of("article"),
        listing_links=out.of("listing"),
        other_links=out.of("other"),
        feeds=out.feeds,
        skipped=list(out.skipped.items()),
    )
