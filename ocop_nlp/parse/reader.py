"""Any input the user names -> one Article (the start of the pipeline).

INPUT may be a `.txt` file, an `.html`/`.htm` page, a `.json` article record, a URL, or "-" for
text on stdin. Bytes are decoded here, once, with legacy Vietnamese encodings repaired.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import reprlib
import sys
from pathlib import Path
from typing import Any

from ocop_nlp.config import Settings, load_settings
from ocop_nlp.errors import EmptyTextError, EncodingError, InputError, TooLargeError
from ocop_nlp.i18n import tr
from ocop_nlp.parse.encodings import decode_bytes
from ocop_nlp.parse.html import html_to_article
from ocop_nlp.parse.page_text import split_page
from ocop_nlp.records import SCHEMA, Article, replace_lone_surrogates

_HTML_SNIFF = re.compile(rb"^\s*(?:<!doctype html|<html|<%@|<head|<body|<\?xml)", re.I)
_META_FIELDS = ("title", "url", "author", "source")
# C0 controls other than tab, newlines, form feed and escape: text never holds many of them.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\b")


def content_id(text: str) -> str:
    """A stable id for a record that came without one: a hash of its text."""
    return "sha1-" + hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def load_json(text: str | bytes, name: str) -> Any:
    """JSON from a file or a line; too deep a nesting is bad JSON too, said in one sentence."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"{name} is not valid JSON (line {e.lineno}: {e.msg}).") from e
    except RecursionError as e:
        raise InputError(
            f"{name} is nested too deeply (about a thousand levels of brackets) to be read as "
            "JSON; an article record is a flat object."
        ) from e
    except ValueError as e:  # Python refuses to read an integer of more than 4,300 digits
        raise InputError(
            f"{name} holds a number of more than 4,300 digits; an article record or an "
            "extraction has none."
        ) from e


def _published(value: Any, warnings: list[str]) -> str | None:
    """A record's `published` -> "YYYY-MM-DD" or None (with a warning when it is unreadable)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        v = value.strip()
        m = _DMY.match(v)
        try:
            if m:
                d, mth, y = (int(g) for g in m.groups())
                return dt.date(y, mth, d).isoformat()
            return dt.date.fromisoformat(v[:10]).isoformat()
        except ValueError:
            pass
    warnings.append(
        f'The record\'s "published" value {reprlib.repr(value)} is not a date (YYYY-MM-DD); it '
        "was left out."
    )
    return None


def _check_is_text(text: str, what: str) -> None:
    """Refuse binary data that arrived as a string (a PNG pasted into a JSON record)."""
    sample = text[:8192]
    if "\x00" in sample or len(_CONTROL.findall(sample)) > 0.1 * len(sample):
        raise EncodingError(
            f"The text of {what} holds binary data (NUL or control characters), not an article; "
            "give the article's text instead."
        )
    undecodable = sample.count("\ufffd")
    # the visible characters are counted only when there is something to weigh (per article)
    if undecodable and undecodable > 0.3 * (sum(1 for ch in sample if not ch.isspace()) or 1):
        raise EncodingError(
            f"The text of {what} is mostly undecodable bytes (shown as \ufffd); "
            "decode it with the right charset first."
        )


def article_from_record(rec: dict[str, Any]) -> Article:
    """A contract article record (dict) -> Article. Only `text` is required.

    An extraction (`"schema": "ocop-nlp/extraction@1"`) is a record too: its article fields are
    nested under `article`, and its `text` is extracted again.
    """
    if not isinstance(rec, dict):
        raise InputError('The JSON is not an article record (an object with a "text" field).')
    warnings: list[str] = []
    text = rec.get("text")
    meta = rec
    if rec.get("schema") == SCHEMA and isinstance(rec.get("article"), dict):
        meta = {**rec["article"], "id": rec.get("id")}
    lone = 0
    if text is None and rec.get("html"):
        html, lone = replace_lone_surrogates(str(rec["html"]))  # lxml cannot take them
        art = html_to_article(html, rec.get("url"))
        text = art.text
        warnings.extend(art.warnings)
    if not isinstance(text, str):
        raise InputError('The article record has no "text" field (a string is required).')
    rid = rec.get("id")
    if rid is not None and not isinstance(rid, (str, int)):
        raise InputError('The article record\'s "id" is not a string or a number.')
    rid = None if rid is None else replace_lone_surrogates(str(rid))[0]
    text, n = replace_lone_surrogates(text)
    lone += n
    _check_is_text(text, f"record {rid}" if rid is not None else "the record")
    fields: dict[str, str | None] = {}
    for name in _META_FIELDS:
        value = meta.get(name)
        if value is not None and not isinstance(value, str):
            warnings.append(f'The record\'s "{name}" is not a string; it was left out.')
            value = None
        if value is not None:
            value, n = replace_lone_surrogates(value)
            lone += n
        fields[name] = value
    if lone:
        warnings.append(
            f"The record held {lone:,} lone UTF-16 surrogate(s) (\\ud800-\\udfff escapes, "
            "half a character each); each was replaced with \ufffd."
        )
    return Article(
        text=text,
        id=rid,
        published=_published(meta.get("published"), warnings),
        warnings=warnings,
        **fields,
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
    _check_is_text(text, name)
    suffix = Path(name).suffix.lower()
    if suffix in (".html", ".htm", ".jsp", ".aspx", ".php") or _HTML_SNIFF.match(data[:512]):
        art = html_to_article(text, url)
    elif suffix == ".json":
        art = article_from_record(load_json(text, name))
    else:
        art = article_from_text(text)
    art.url = art.url or url
    art.warnings[:0] = warnings
    return art


def read_input(source: str, settings: Settings | None = None) -> Article:
    """Read INPUT as `ocop extract` understands it.

    >>> read_input("corpora/own/01_cao_bang_so_ket_6_thang.txt").title  # doctest: +SKIP
    'Cao Bằng sơ kết Chương trình OCOP 6 tháng đầu năm 2024'
    """
    settings = settings or load_settings()
    if source == "-":
        data = sys.stdin.buffer.read(settings.max_input_bytes + 1)
        # Reading stops one byte past the limit: the real size is unknown, only "more than".
        _check_size(len(data), "stdin", settings, stopped=True)
        _check_not_empty(data, "The text on stdin")
        art = article_from_bytes(data, "stdin.txt")
    elif re.match(r"^https?://", source, re.I):
        from ocop_nlp.fetch.http import fetch_url  # requests is only needed for URLs

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
                tr(
                    "{source} does not exist; give a .txt, .html or .json file, a URL, or - for "
                    "stdin."
                ).format(source=source)
            )
        if path.name.lower().endswith((".jsonl", ".jsonl.gz", ".ndjson")):
            raise InputError(
                tr(
                    "{source} holds many article records; `ocop extract` reads one "
                    "(use `ocop batch` for a .jsonl)."
                ).format(source=source)
            )
        if path.is_dir():
            raise InputError(
                tr(
                    "{source} is a folder; `ocop extract` reads one article "
                    "(use `ocop batch` for a folder)."
                ).format(source=source)
            )
        data = read_file_bytes(path, settings)
        _check_not_empty(data, source)
        art = article_from_bytes(data, path.name)
    if art.id is None:
        art.id = content_id(art.text)
    return art


def read_file_bytes(path: Path, settings: Settings | None = None) -> bytes:
    """The bytes of one input file; its size is checked before a byte is read.

    Reading stops one byte past the limit too, for a file that grows meanwhile or a device or
    pipe whose size the file system does not know.
    """
    settings = settings or load_settings()
    try:
        _check_size(path.stat().st_size, str(path), settings)
        with path.open("rb") as f:
            data = f.read(settings.max_input_bytes + 1)
    except OSError as e:
        raise InputError(
            tr("Could not read {path}: {reason}.").format(path=path, reason=e.strerror or e)
        ) from e
    _check_size(len(data), str(path), settings, stopped=True)
    return data


def _check_not_empty(data: bytes, name: str) -> None:
    if not data.strip():
        said = (
            tr("{name} holds only whitespace; there is no article to read.")
            if data
            else tr("{name} is empty; there is no article to read.")
        )
        raise EmptyTextError(said.format(name=name))


def _check_size(size: int, name: str, settings: Settings, stopped: bool = False) -> None:
    """Refuse more than `max_input_bytes`; `stopped`: reading stopped there, so "more than"."""
    if size > settings.max_input_bytes:
        limit = f"{settings.max_input_bytes / 1e6:g} MB"
        what = (
            f"holds more than the {limit}"
            if stopped
            else f"is {megabytes(size)}, larger than the {limit}"
        )
        raise TooLargeError(
            f"{name} {what} an article may be; split it or raise OCOP_MAX_INPUT_BYTES."
        )


def megabytes(n: int) -> str:
    """20000000 -> '20.0 MB'; under 0.1 MB in bytes ('1,001 bytes'), so it never reads 0.0."""
    return f"{n / 1e6:,.1f} MB" if n >= 100_000 else f"{n:,} bytes"
