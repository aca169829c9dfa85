"""RSS 0.9x/1.0/2.0 and Atom feeds: each item's address, title and date (feedparser).

>>> parse_feed(b'''<rss version="2.0"><channel><link>http://x.vn/</link><item><title>Tin</title>
... <link>/tin/a.htm</link><pubDate>Mon, 06 May 2024 09:00:00 +0700</pubDate></item></channel></rss>''')
[FeedEntry(url='http://x.vn/tin/a.htm', title='Tin', published='2024-05-06')]
"""

from __future__ import annotations

import email.utils
import io
import re
from dataclasses import dataclass
from typing import Any

import feedparser

from ocop_nlp.fetch.urls import canonical_url
from ocop_nlp.parse.xmldoc import gunzip

__all__ = ["FEED_TYPES", "FeedEntry", "parse_feed"]

# The media types a page's <link rel=alternate> names a feed with.
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})
_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")
_DMY = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_SPACE = re.compile(r"\s+")


@dataclass(slots=True)
class FeedEntry:
    url: str
    title: str | None
    published: str | None  # YYYY-MM-DD, the date as the feed wrote it (its own time zone)


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
    parsed = feedparser.parse(io.BytesIO(gunzip(data)))
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
