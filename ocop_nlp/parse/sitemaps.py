"""Sitemaps: plain, indexes of sitemaps, gzip'd, news sitemaps, broken ones and plain text.

>>> entries, children = parse_sitemap(b'''<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
... <url><loc>http://x.vn/tin/a.htm</loc><lastmod>2024-05-06</lastmod></url></urlset>''')
>>> entries, children
([SitemapEntry(url='http://x.vn/tin/a.htm', lastmod='2024-05-06', published=None)], [])
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass

from lxml import etree

from ocop_nlp.fetch.urls import canonical_url
from ocop_nlp.parse.xmldoc import gunzip, local_name

__all__ = ["SitemapEntry", "parse_sitemap"]

_LOC = re.compile(r"<(?:\w+:)?loc>\s*(.*?)\s*</(?:\w+:)?loc>", re.DOTALL | re.IGNORECASE)


@dataclass(slots=True)
class SitemapEntry:
    url: str
    lastmod: str | None  # as written in the sitemap (W3C datetime), or news:publication_date
    published: str | None = None  # news:publication_date as written, when the entry has one


def parse_sitemap(data: bytes) -> tuple[list[SitemapEntry], list[str]]:
    """(page entries, child sitemaps) of a sitemap or sitemap index; gzip'd bytes accepted.

    Broken XML is read as far as it can be; a plain-text sitemap (one URL a line) is read too.
    URLs come back canonical, each once.
    """
    raw = gunzip(data)
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
            name = local_name(el.tag)
            if name not in ("url", "sitemap"):
                continue
            loc = lastmod = news_date = None
            for child in el:
                cname = local_name(child.tag)
                if cname == "loc" and loc is None:
                    loc = child.text
                elif cname == "lastmod":
                    lastmod = (child.text or "").strip() or None
                elif cname == "news":
                    for sub in child.iter():
                        if local_name(sub.tag) == "publication_date":
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
