"""What an XML document a crawler fetched is (sitemap, sitemap index, feed), gzip'd or not.

`sniff_xml_kind` reads only the first bytes of an answer, so the crawler can tell a sitemap or
a feed from a page before parsing it; `gunzip` inflates a gzip'd sitemap within a size cap.
`parse.sitemaps` and `parse.feeds` read the documents themselves.
"""

from __future__ import annotations

import re
import zlib
from typing import Any, Literal

__all__ = ["MAX_XML_BYTES", "gunzip", "local_name", "sniff_xml_kind"]

# The sitemap protocol caps a file at 50 MB uncompressed; more is a mistake or a gzip bomb.
MAX_XML_BYTES = 50_000_000
_ROOT = re.compile(
    rb"\A(?:\s|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)*<([A-Za-z_][\w.:-]*)", re.DOTALL
)


def gunzip(data: bytes, limit: int = MAX_XML_BYTES) -> bytes:
    """Uncompressed bytes: gzip'd input is inflated (a truncated stream as far as it goes)."""
    if data[:2] != b"\x1f\x8b":
        return data
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        return inflater.decompress(data, limit)
    except zlib.error:
        return b""


def local_name(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def sniff_xml_kind(data: bytes) -> Literal["sitemap", "sitemapindex", "feed"] | None:
    """What an XML document is, from its root element; None for HTML and anything else.

    Works on the first bytes of a response (gzip'd or not), so a crawler can decide early.
    """
    head = gunzip(data[:65536], 65536)[:8192].lstrip(b"\xef\xbb\xbf")
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
