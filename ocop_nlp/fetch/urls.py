"""Canonical URLs, hosts and file kinds: what the crawler may queue, and under which key.

One page reached through different spellings must have one key in the frontier and the store:

>>> canonical_url("HTTP://Backan.GOV.vn:80/tin tuc/Pages/a.aspx?Page=2&utm_source=zalo#top")
'http://backan.gov.vn/tin%20tuc/Pages/a.aspx?Page=2'
>>> canonical_url("../Pages/b.aspx", base="http://backan.gov.vn/tin-tuc/Lists/x.aspx")
'http://backan.gov.vn/tin-tuc/Pages/b.aspx'
>>> canonical_url("mailto:banbientap@backan.gov.vn") is None
True

Non-ASCII letters in paths and queries are percent-encoded as UTF-8 (what browsers put on the
wire), so "/tin-tức" and "/tin-t%E1%BB%A9c" share one key.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

__all__ = ["TRACKING_PARAMETERS", "canonical_url", "file_kind", "host_of", "same_host"]

# Query parameters that only say where a click came from; they never change the page, and
# keeping them would store one article once per share. Names compare case-insensitively;
# entries ending in "_" are prefixes.
TRACKING_PARAMETERS = (
    "utm_",  # Google Analytics campaigns (utm_source, utm_medium, utm_campaign, ...)
    "fbclid",  # Facebook
    "gclid",  # Google Ads
    "gclsrc",
    "dclid",
    "gbraid",
    "wbraid",
    "_ga",  # Google Analytics cross-domain linker
    "_gl",
    "mc_cid",  # Mailchimp
    "mc_eid",
    "msclkid",  # Microsoft Ads
    "yclid",  # Yandex
    "igshid",  # Instagram
    "ttclid",  # TikTok
    "twclid",  # X / Twitter
    "zarsrc",  # Zalo, the messenger most Vietnamese shares go through
    "gidzl",  # Zalo
    "_hsenc",  # HubSpot
    "_hsmi",
)

_DEFAULT_PORTS = {"http": 80, "https": 443}
# RFC 3986 unreserved characters: an escape of one of them means the character itself.
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Characters that may stand unescaped in a path or query (reserved and unreserved).
_ALLOWED = _UNRESERVED | frozenset(":/?#[]@!$&'()*+,;=%")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
# Browsers drop tabs and newlines anywhere in a URL; portal editors leave them inside hrefs.
_BROWSER_STRIPPED = re.compile(r"[\t\n\r]")

_DOCUMENT_EXTENSIONS = frozenset(
    {"doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "rtf", "rar", "zip", "7z"}
)
_IMAGE_EXTENSIONS = frozenset(
    {"jpg", "jpeg", "jfif", "png", "gif", "bmp", "webp", "svg", "tif", "tiff", "ico", "heic"}
)
_MEDIA_EXTENSIONS = frozenset(
    {"mp3", "mp4", "m4a", "m4v", "avi", "wmv", "wma", "flv", "mov", "mkv", "wav", "ogg", "webm"}
    | {"mpg", "mpeg", "3gp"}
)


def _normalise_escapes(part: str) -> str:
    """Decode escapes of unreserved characters, upper-case the others, escape what must be.

    Reserved characters keep their escaped or unescaped form: "%2F" in a path segment and "+"
    or "%2B" in a query mean different things to the server.
    """

    def decode(m: re.Match[str]) -> str:
        ch = chr(int(m.group(1), 16))
        return ch if ch in _UNRESERVED else "%" + m.group(1).upper()

    out = []
    pos = 0
    for m in _ESCAPE.finditer(part):
        out.append(_escape_raw(part[pos : m.start()]))
        out.append(decode(m))
        pos = m.end()
    out.append(_escape_raw(part[pos:]))
    return "".join(out)


def _escape_raw(text: str) -> str:
    """Escape characters not allowed raw in a URL (spaces, non-ASCII letters, a stray '%')."""
    return "".join(
        ch if ch in _ALLOWED and ch != "%" else "".join(f"%{b:02X}" for b in ch.encode("utf-8"))
        for ch in text
    )


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4: "/a/./b/../c" -> "/a/c"; empty segments ("//") are the server's business."""
    segments = path.split("/")
    if not {".", ".."} & set(segments):
        return path
    out: list[str] = []
    for segment in segments[1:]:
        if segment == "..":
            if out:
                out.pop()
        elif segment != ".":
            out.append(segment)
    if segments[-1] in (".", ".."):
        out.append("")  # "/a/b/.." names the folder "/a/"
    return "/" + "/".join(out)


def _is_tracking(name: str) -> bool:
    key = unquote(name).lower()
    return any(key.startswith(p) if p.endswith("_") else key == p for p in TRACKING_PARAMETERS)


def canonical_url(url: str, base: str | None = None) -> str | None:
    """The one spelling of `url` (resolved against `base`) used as its key; None if not http(s).

    Lower-case scheme and host, no default port, no fragment, no tracking parameters, the
    other query parameters in their order, an empty path as "/", "." and ".." segments
    resolved, percent-escapes normalised.

    >>> canonical_url("/tin-tuc/Pages/default.aspx?Page=2#main", base="https://Example.vn")
    'https://example.vn/tin-tuc/Pages/default.aspx?Page=2'
    >>> canonical_url("https://example.vn/tin-tức/a/./b/../c")
    'https://example.vn/tin-t%E1%BB%A9c/a/c'
    """
    url = _BROWSER_STRIPPED.sub("", url or "").strip()
    if not url or url.startswith("#"):
        return None
    if base:
        try:
            url = urljoin(_BROWSER_STRIPPED.sub("", base).strip(), url)
        except ValueError:
            return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port that is not a number, an unbalanced IPv6 bracket
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if ":" in host:
        host = f"[{host}]"  # IPv6 literals keep their brackets
    # User names and passwords in links are dropped: they would end up in the store.
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _remove_dot_segments(_normalise_escapes(parts.path)) or "/"
    if not path.startswith("/"):
        path = "/" + path
    kept = [
        _normalise_escapes(piece)
        for piece in parts.query.split("&")
        if piece and not _is_tracking(piece.split("=", 1)[0])
    ]
    return urlunsplit((scheme, netloc, path, "&".join(kept), ""))


def host_of(url: str) -> str:
    """The lower-case host, with ":port" when the port is not the scheme's default; "" if none.

    >>> host_of("HTTP://Backan.gov.vn:80/Pages/default.aspx"), host_of("http://127.0.0.1:8080/")
    ('backan.gov.vn', '127.0.0.1:8080')
    """
    canonical = canonical_url(url)
    return urlsplit(canonical).netloc if canonical else ""


def same_host(a: str, b: str) -> bool:
    """Do two URLs name the same host and port? ("www." counts: it may be another server.)"""
    host = host_of(a)
    return bool(host) and host == host_of(b)


def file_kind(url: str) -> str | None:
    """'pdf', 'document', 'image' or 'media' from the path's extension; None for pages.

    >>> file_kind("http://x.vn/VanBan/QD-123.PDF"), file_kind("http://x.vn/Pages/a.aspx")
    ('pdf', None)
    """
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    name = unquote(path).rsplit("/", 1)[-1]
    if "." not in name:
        return None
    ext = name.rsplit(".", 1)[1].lower()
    if ext == "pdf":
        return "pdf"
    if ext in _DOCUMENT_EXTENSIONS:
        return "document"
    if ext in _IMAGE_EXTENSIONS:
        return "image"
    if ext in _MEDIA_EXTENSIONS:
        return "media"
    return None


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words a calendar or date archive spells its pages with, as slugs write them (no diacritics):
# Vietnamese months, weekdays and numbers, English months and weekdays.
_DATE_ANCHORS = _words(
    "thang ngay tuan quy "
    "january february march april june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday"
)
_DATE_WORDS = _DATE_ANCHORS | _words(
    "nam thu chu nhat mot hai ba bon tu lam sau bay tam chin muoi linh le gieng chap of "
    "may jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed fri sat sun"
)
_SEGMENT = re.compile(r"[^/]+")
_SLUG_TOKEN = re.compile(r"[^\W_]+")


def _ascii_slug(segment: str) -> str:
    text = unicodedata.normalize("NFD", unquote(segment).lower().replace("đ", "d"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def is_date_in_words(segment: str) -> bool:
    """A path segment that is only a date, with at least one word: "thang-muoi-2024",
    "thu-hai", "15-january-2024", "chu-nhat". A slug with any other word is not."""
    stem = segment.rsplit(".", 1)[0] if "." in segment else segment
    tokens = _SLUG_TOKEN.findall(_ascii_slug(stem))
    words = [t for t in tokens if not t.isdigit()]
    if not words or any(w not in _DATE_WORDS for w in words):
        return False
    # "thu" and "chu" name a weekday only with a number or "nhat" after them ("thu-hai",
    # "chu-nhat"); alone, or "may" alone, they are words of their own.
    pairs = zip(tokens, tokens[1:], strict=False)
    return (
        any(w in _DATE_ANCHORS for w in words)
        or any(a in ("thu", "chu") and b in _DATE_WORDS - {"thu", "chu"} for a, b in pairs)
        or len(words) < len(tokens)
    )


def fold_dates_in_words(path: str) -> str:
    """`path` with each segment that is a date in words (or a weekday, a month) made "#", the
    way a URL family folds numbers: a calendar paging "thang-muoi", "thang-muoi-mot" is one path.

    >>> fold_dates_in_words("/lich/thu-hai-ngay-15-thang-muoi.htm")
    '/lich/#.htm'
    >>> fold_dates_in_words("/archive/january-2024/"), fold_dates_in_words("/tin/hop-ky-thu-hai.htm")
    ('/archive/#/', '/tin/hop-ky-thu-hai.htm')
    """

    def fold(m: re.Match[str]) -> str:
        seg = m.group(0)
        if not is_date_in_words(seg):
            return seg
        return "#" + (seg[seg.rindex(".") :] if "." in seg else "")

    return _SEGMENT.sub(fold, path)
