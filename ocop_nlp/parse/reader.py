"""Any input the user names -> one Article (the start of the pipeline).

INPUT may be a `.txt` file, an `.html`/`.htm` page, a `.json` article record, a URL, or "-" for
text on stdin. Bytes are decoded here, once, with legacy Vietnamese encodings repaired.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

from ocop_nlp.config import Settings, load_settings
from ocop_nlp.errors import InputError, TooLargeError
from ocop_nlp.fetch.http import fetch_url
from ocop_nlp.parse.encodings import decode_bytes
from ocop_nlp.parse.html import html_to_article
from ocop_nlp.parse.page_text import split_page
from ocop_nlp.records import Article

_HTML_SNIFF = re.compile(rb"^\s*(?:<!doctype html|<html|<%@|<head|<body|<\?xml)", re.I)


def content_id(text: str) -> str:
    """A stable id for a record that came without one: a hash of its text."""
    return "sha1-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def article_from_record(rec: dict[str, Any]) -> Article:
    """A contract article record (dict) -> Article. Only `text` is required."""
    if not isinstance(rec, dict):
        raise InputError('The JSON is not an article record (an object with a "text" field).')
    text = rec.get("text")
    if text is None and rec.get("html"):
        art = html_to_article(str(rec["html"]), rec.get("url"))
        text = art.text
    if not isinstance(text, str):
        raise InputError('The article record has no "text" field (a string is required).')
    pub = rec.get("published")
    if isinstance(pub, str) and len(pub) >= 10:
        pub = pub[:10]
    return Article(
        text=text,
        id=str(rec["id"]) if rec.get("id") is not None else None,
        title=rec.get("title"),
        url=rec.get("url"),
        published=pub,
        author=rec.get("author"),
        source=rec.get("source"),
    )


def article_from_text(text: str, source: str | None = None) -> Article:
    """Plain text, possibly a whole portal page copied from a browser."""
    from ocop_nlp.nlp.normalize import normalize_text

    parts = split_page(normalize_text(text))
    art = Article(
        text=parts.body,
        title=parts.title,
        published=parts.published,
        author=parts.author,
        source=source,
    )
    return art


def article_from_bytes(
    data: bytes, name: str, url: str | None = None, declared: str | None = None
) -> Article:
    text, warnings = decode_bytes(data, declared)
    suffix = Path(name).suffix.lower()
    if suffix in (".html", ".htm", ".jsp", ".aspx", ".php") or _HTML_SNIFF.match(data[:512]):
        art = html_to_article(text, url)
    elif suffix == ".json":
        try:
            rec = json.loads(text)
        except json.JSONDecodeError as e:
            raise InputError(f"{name} is not valid JSON (line {e.lineno}: {e.msg}).") from e
        art = article_from_record(rec)
    else:
        art = article_from_text(text)
    art.url = art.url or url
    art.warnings[:0] = warnings
    return art


def read_input(source: str, settings: Settings | None = None) -> Article:
    """Read INPUT as `ocop extract` understands it.

    >>> read_input("tests/articles/01_bac_kan_ocop_so_ket.txt").title  # doctest: +SKIP
    'Bắc Kạn sơ kết 6 tháng thực hiện Chương trình OCOP'
    """
    settings = settings or load_settings()
    if source == "-":
        data = sys.stdin.buffer.read(settings.max_input_bytes + 1)
        _check_size(len(data), "stdin", settings)
        art = article_from_bytes(data, "stdin.txt")
    elif re.match(r"^https?://", source, re.I):
        resp = fetch_url(source, settings)
        art = article_from_bytes(
            resp.body,
            "page.html" if "html" in resp.content_type else "page.txt",
            url=resp.url,
            declared=resp.charset,
        )
    else:
        path = Path(source)
        if not path.exists():
            raise InputError(
                f"{source} does not exist; give a .txt, .html or .json file, a URL, or - for stdin."
            )
        if path.is_dir():
            raise InputError(
                f"{source} is a folder; `ocop extract` reads one article "
                "(use `ocop batch` for a folder)."
            )
        _check_size(path.stat().st_size, source, settings)
        art = article_from_bytes(path.read_bytes(), path.name)
        art.source = art.source or None
    if art.id is None:
        art.id = content_id(art.text)
    return art


def _check_size(size: int, name: str, settings: Settings) -> None:
    if size > settings.max_input_bytes:
        raise TooLargeError(
            f"{name} is {size / 1e6:.1f} MB, larger than the {settings.max_input_bytes / 1e6:.0f} MB "
            "an article may be; split it or raise OCOP_MAX_INPUT_BYTES."
        )
