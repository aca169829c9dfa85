"""`ocop export`: rows of a store as JSON lines or CSV (UTF-8 with a BOM, so Excel reads the
Vietnamese right)."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from typing import Any, TextIO

from ocop_nlp.errors import InputError
from ocop_nlp.store.db import open_store
from ocop_nlp.store.frontier import FETCH_LOG_FIELDS, FRONTIER_FIELDS, Frontier

WHAT = ("articles", "extractions", "directives", "frontier", "fetch-log")
FORMATS = ("jsonl", "csv")

_ARTICLE_FIELDS = (
    "id",
    "url",
    "canonical_url",
    "site",
    "title",
    "published",
    "author",
    "text",
    "content_hash",
    "fetched_at",
    "http_status",
    "etag",
    "last_modified",
)
_EXTRACTION_FIELDS = (
    "article_id",
    "content_hash",
    "title",
    "published",
    "meeting_kind",
    "meeting_date",
    "chair",
    "figures",
    "challenges",
    "directives",
    "tool_version",
    "rules_version",
    "model_version",
    "created_at",
    "updated_at",
)
_DIRECTIVE_FIELDS = (
    "article_id",
    "position",
    "published",
    "issuer_name",
    "issuer_title",
    "addressee",
    "action",
    "deadline",
    "start",
    "end",
    "content_hash",
)


def _rows(store_path: str | os.PathLike[str], what: str, full: bool) -> Iterator[dict[str, Any]]:
    with open_store(store_path) as st:
        if what == "articles":
            for a in st.iter_articles():
                yield {f: getattr(a, f) for f in _ARTICLE_FIELDS}
        elif what == "extractions":
            for x in st.iter_extractions():
                ex = x.extraction
                if full:  # JSON lines: the extraction itself, as `batch` writes it
                    yield ex.to_dict()
                    continue
                m = ex.meeting
                chair = m.chair if m else None
                yield {
                    "article_id": x.article_id,
                    "content_hash": x.content_hash,
                    "title": ex.article.title,
                    "published": ex.article.published,
                    "meeting_kind": m.kind if m else None,
                    "meeting_date": m.date if m else None,
                    "chair": " ".join(p for p in (chair.title, chair.name) if p) if chair else None,
                    "figures": len(ex.figures),
                    "challenges": len(ex.challenges),
                    "directives": len(ex.directives),
                    "tool_version": x.tool_version,
                    "rules_version": x.rules_version,
                    "model_version": x.model_version,
                    "created_at": x.created_at,
                    "updated_at": x.updated_at,
                }
        elif what == "frontier":
            yield from Frontier(st).items()
        elif what == "fetch-log":
            yield from Frontier(st).fetch_log()
        else:
            for d in st.directives():
                yield {f: getattr(d, f) for f in _DIRECTIVE_FIELDS}


def export(
    store_path: str | os.PathLike[str], out: TextIO, what: str = "extractions", fmt: str = "jsonl"
) -> int:
    """Write the store's `what` to `out` as `fmt`; returns the number of rows."""
    if what not in WHAT:
        raise InputError(f"Cannot export {what!r}; choose one of {', '.join(WHAT)}.")
    if fmt not in FORMATS:
        raise InputError(f"Unknown format {fmt!r}; choose jsonl or csv.")
    if not os.path.exists(store_path):
        raise InputError(f"The store {store_path} does not exist; make one with `ocop batch --db`.")
    n = 0
    if fmt == "jsonl":
        for row in _rows(store_path, what, full=True):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
        return n
    fields = {
        "articles": _ARTICLE_FIELDS,
        "extractions": _EXTRACTION_FIELDS,
        "directives": _DIRECTIVE_FIELDS,
        "frontier": FRONTIER_FIELDS,
        "fetch-log": FETCH_LOG_FIELDS,
    }
    out.write("\ufeff")  # Excel needs the BOM to read UTF-8
    writer = csv.DictWriter(out, fieldnames=fields[what], lineterminator="\r\n")
    writer.writeheader()
    for row in _rows(store_path, what, full=False):
        writer.writerow(row)
        n += 1
    return n
