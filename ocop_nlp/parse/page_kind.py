"""Is a page an article, a listing or neither? Its URL, its heading, its profile, its shape.

The numbers are in `parse.thresholds`; the walk that measures the page in `parse.page_scan`.
"""

from __future__ import annotations

import re
from typing import Literal

from bs4 import BeautifulSoup

from ocop_nlp.parse.link_rules import LinkRules, matches_any, norm, text_kind, url_page_kind
from ocop_nlp.parse.page_scan import PageScan
from ocop_nlp.parse.profiles import Profile, url_target
from ocop_nlp.parse.thresholds import (
    ARTICLE_BODY,
    ARTICLE_ONE_BLOCK,
    ARTICLE_PARAGRAPHS,
    ARTICLE_WITH_URL,
    EXCERPT_CHARS,
    EXCERPT_HEADLINES,
    LISTING_DATED_ITEMS,
    LISTING_ITEMS,
    LISTING_ITEMS_WITH_PAGER,
    MAX_LINK_SHARE,
    SHORT_ARTICLE,
    SHORT_ARTICLE_MAX_ITEMS,
    STUB_WITH_URL,
)

__all__ = ["PageKind", "kind_of_page"]

PageKind = Literal["article", "listing", "other"]


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def kind_of_page(
    soup: BeautifulSoup,
    scan: PageScan,
    page_url: str,
    profile: Profile | None,
    rules: LinkRules,
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
    named = url_page_kind(path, rules) or text_kind(norm(heading), rules, more=0)
    if named is None and title:
        named = text_kind(norm(re.split(r"\s+[|\-–:]\s+", title)[0]), rules, more=0)
    if named is None and matches_any(rules.system, path):
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
    article_url = matches_any(rules.article, path)
    listing_url = not article_url and matches_any(rules.listing, path)
    dense = body.link_chars <= MAX_LINK_SHARE * (body.chars + body.link_chars)
    excerpts = body.headlines >= EXCERPT_HEADLINES and body.chars < EXCERPT_CHARS * body.headlines
    strong = (
        dense
        and not excerpts
        and (
            (body.chars >= ARTICLE_BODY and body.paragraphs >= ARTICLE_PARAGRAPHS)
            or body.chars >= ARTICLE_ONE_BLOCK
        )
    )
    og_article = scan.og_type == "article"

    if listing_url:
        return "listing", f"listing URL, {links_note}"
    block = profile.article_block or profile.article_body if profile is not None else ()
    if block:
        found = soup.select_one(", ".join(block))
        if found is not None and len(found.get_text(" ", strip=True)) >= ARTICLE_WITH_URL:
            return "article", "profile article body"
    if strong:
        return "article", f"long body ({body_note}), {links_note}"
    slug_url = article_url or matches_any(rules.article_slug, path)
    if (slug_url or og_article) and body.chars >= ARTICLE_WITH_URL and dense:
        return "article", f"article URL, {body_note}"
    if n_items >= LISTING_ITEMS or (
        n_items >= LISTING_ITEMS_WITH_PAGER and (pager or dated >= LISTING_DATED_ITEMS)
    ):
        extra = ", pager" if pager else ""
        extra += f", {dated} dated" if dated else ""
        return "listing", f"{links_note}{extra}"
    if (
        scan.headline
        and body.paragraphs >= ARTICLE_PARAGRAPHS
        and body.chars >= SHORT_ARTICLE
        and n_items <= SHORT_ARTICLE_MAX_ITEMS
    ):
        return "article", f"headline and a short body ({body_note})"
    if slug_url and body.chars >= STUB_WITH_URL:
        return "article", f"article URL, short body ({body_note})"
    return "other", f"short page ({body.chars:,} chars), {links_note}"
