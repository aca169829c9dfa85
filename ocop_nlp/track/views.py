"""Tracked directives as analysts read them: a table for the terminal, CSV for Excel (UTF-8
with a BOM), JSON lines for scripts; and `export` of figures, challenges, directives and items
with the same filters as `ocop directives`."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from ocop_nlp.errors import InputError
from ocop_nlp.i18n import tr
from ocop_nlp.store import tracking as sql
from ocop_nlp.store.db import Store, open_store
from ocop_nlp.track.core import Filters, Mention, TrackedItem, query_directives, refresh
from ocop_nlp.track.officials import Official

FORMATS = ("table", "csv", "jsonl")
# The columns CONTRACT.md fixes first, then what helps to check them.
ITEM_COLUMNS = (
    "id",
    "addressee",
    "action",
    "first_seen",
    "last_seen",
    "mentions",
    "status",
    "articles",
    "issuers",
    "provinces",
    "level",
    "due",
    "evidence_article",
    "evidence_start",
    "evidence_end",
    "evidence_text",
    "addressees",
)
MENTION_COLUMNS = (
    "published",
    "item_id",
    "article_id",
    "title",
    "site",
    "province",
    "issuer",
    "addressee",
    "agency",
    "action",
    "deadline",
    "continuation",
    "start",
    "end",
    "evidence",
    "agencies",
)


def open_existing(path: str | os.PathLike[str]) -> Store:
    """Open a store that must already exist (a query never creates an empty one)."""
    if not Path(path).exists():
        raise InputError(
            tr("The store {path} does not exist; make one with `ocop batch --db`.").format(
                path=path
            )
        )
    return open_store(path)


def item_row(it: TrackedItem) -> dict[str, Any]:
    ev = it.evidence
    return {
        "id": it.id,
        "addressee": it.addressee,
        "action": it.action,
        "first_seen": it.first_seen,
        "last_seen": it.last_seen,
        "mentions": it.mentions,
        "status": it.status,
        "articles": len(it.articles),
        "issuers": "; ".join(it.issuers),
        "provinces": "; ".join(it.provinces),
        "level": it.level,
        "due": it.due,
        "evidence_article": ev.article_id if ev else None,
        "evidence_start": ev.start if ev else None,
        "evidence_end": ev.end if ev else None,
        "evidence_text": ev.text if ev else None,
        "addressees": "; ".join(it.addressees),
    }


def mention_row(m: Mention) -> dict[str, Any]:
    return {
        "published": m.published,
        "item_id": m.item_id,
        "article_id": m.article_id,
        "title": m.title,
        "site": m.site,
        "province": m.province,
        "issuer": m.issuer,
        "addressee": m.addressee,
        "agency": m.agency,
        "action": m.action,
        "deadline": m.deadline,
        "continuation": m.continuation,
        "start": m.evidence.start,
        "end": m.evidence.end,
        "evidence": m.evidence.text,
        "agencies": "; ".join(m.agencies),
    }


def _cut(v: Any, width: int) -> str:
    s = "" if v is None else " ".join(str(v).split())
    return s if len(s) <= width else s[: width - 1] + "…"


def items_table(items: list[TrackedItem]) -> str:
    """A fixed-width table of the contract's columns (action cut to fit a terminal)."""
    head = (
        f"{tr('id'):13} {tr('addressee'):28} {tr('action'):50} {tr('first'):10} "
        f"{tr('last'):10} {tr('n'):>3} {tr('status')}"
    )
    lines = [head, "-" * len(head)]
    for it in items:
        who = it.addressee or "–"
        others = len([a for a in it.addressees if a != it.addressee])
        if others:  # "Sở Tài chính, Sở Xây dựng …": the first, and how many more
            who = f"{_cut(who, 28 - len(str(others)) - 2)} +{others}"
        lines.append(
            f"{it.id:13} {_cut(who, 28):28} {_cut(it.action, 50):50} "
            f"{it.first_seen or '?':10} {it.last_seen or '?':10} {it.mentions:>3} {status_words(it.status)}"
        )
    return "\n".join(lines) + "\n"


def status_words(status: str) -> str:
    """A tracked item's status for a person (tables and the report); CSV and JSON keep the
    status as stored."""
    words = {
        "open": tr("open"),
        "overdue": tr("overdue"),
        "reported done": tr("reported done"),
    }
    return words.get(status, status)


def mentions_table(ms: list[Mention]) -> str:
    lines = []
    for m in ms:
        mark = "↻ " if m.continuation else ""
        lines.append(
            f"{m.published or '?':10}  {m.item_id or '':13}  {_cut(m.agency or m.addressee or '–', 26):26}  "
            f"{mark}{_cut(m.action, 70)}\n{'':12}{_cut(m.title or m.article_id, 60)} "
            f"[{m.article_id} {m.evidence.start}:{m.evidence.end}]"
        )
    return "\n".join(lines) + ("\n" if lines else "")


def write_rows(
    rows: Iterable[dict[str, Any]], columns: tuple[str, ...], fmt: str, out: TextIO
) -> int:
    """Rows as CSV (with a BOM, for Excel) or JSON lines; returns how many."""
    n = 0
    if fmt == "jsonl":
        for r in rows:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
            n += 1
        return n
    out.write("\ufeff")
    w = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\r\n", extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow(r)
        n += 1
    return n


def format_items(items: list[TrackedItem], fmt: str) -> str:
    if fmt == "table":
        return items_table(items)
    buf = io.StringIO()
    if fmt == "jsonl":
        write_rows((it.to_dict() for it in items), ITEM_COLUMNS, fmt, buf)
    else:
        write_rows((item_row(it) for it in items), ITEM_COLUMNS, fmt, buf)
    return buf.getvalue()


def format_mentions(ms: list[Mention], fmt: str) -> str:
    if fmt == "table":
        return mentions_table(ms)
    buf = io.StringIO()
    if fmt == "jsonl":
        write_rows((m.to_dict() for m in ms), MENTION_COLUMNS, fmt, buf)
    else:
        write_rows((mention_row(m) for m in ms), MENTION_COLUMNS, fmt, buf)
    return buf.getvalue()


OFFICIAL_COLUMNS = (
    "name",
    "position",
    "title",
    "agency",
    "level",
    "province",
    "first_seen",
    "last_seen",
    "articles",
    "roles",
)


def official_row(o: Official) -> dict[str, Any]:
    """A flat row for CSV: lists joined with "; " (articles: how many)."""
    return {**o.to_dict(), "articles": len(o.articles), "roles": "; ".join(o.roles)}


def officials_table(officials: list[Official]) -> str:
    head = (
        f"{tr('name'):24} {tr('position'):26} {tr('agency'):28} {tr('province'):14} "
        f"{tr('first'):10} {tr('last'):10} {tr('n'):>4}"
    )
    lines = [head, "-" * len(head)]
    for o in officials:
        lines.append(
            f"{_cut(o.name, 24):24} {_cut(o.position or o.title or '–', 26):26} "
            f"{_cut(o.agency or '–', 28):28} {_cut(o.province or '–', 14):14} "
            f"{o.first_seen or '?':10} {o.last_seen or '?':10} {len(o.articles):>4}"
        )
    return "\n".join(lines) + "\n"


def format_officials(officials: list[Official], fmt: str) -> str:
    if fmt == "table":
        return officials_table(officials)
    buf = io.StringIO()
    if fmt == "jsonl":
        write_rows((o.to_dict() for o in officials), OFFICIAL_COLUMNS, fmt, buf)
    else:
        write_rows((official_row(o) for o in officials), OFFICIAL_COLUMNS, fmt, buf)
    return buf.getvalue()


# --- export -------------------------------------------------------------------------------------

TRACKED_WHAT = ("figures", "challenges", "directives", "items")


def export_tracked(
    store_path: str | os.PathLike[str],
    out: TextIO,
    what: str,
    fmt: str = "jsonl",
    filters: Filters | None = None,
) -> int:
    """Write figures, challenges, directives (one per mention, resolved) or items passing
    `filters` as CSV or JSON lines; returns the number of rows."""
    if what not in TRACKED_WHAT:
        raise InputError(
            tr("Cannot export {what!r} with filters; choose one of {choices}.").format(
                what=what, choices=", ".join(TRACKED_WHAT)
            )
        )
    if fmt not in ("jsonl", "csv"):
        raise InputError(tr("Unknown format {format!r}; choose jsonl or csv.").format(format=fmt))
    f = filters or Filters()
    with open_existing(store_path) as st:
        refresh(st)
        if what == "items":
            items = query_directives(st, f)
            rows: Iterator[dict[str, Any]] = (item_row(it) for it in items)
            return write_rows(rows, ITEM_COLUMNS, fmt, out)
        if what == "directives":
            rs = sql.query_mentions(st, f.sql(), limit=f.limit)
            return write_rows((_directive_row(r) for r in rs), DIRECTIVE_COLUMNS, fmt, out)
        view = "figure_rows" if what == "figures" else "challenge_rows"
        return write_rows(sql.view_rows(st, view, f.sql(), "text"), _VIEW_COLUMNS[view], fmt, out)


DIRECTIVE_COLUMNS = (
    "article_id",
    "position",
    "published",
    "title",
    "url",
    "site",
    "province",
    "province_2025",
    "district",
    "issuer",
    "addressee",
    "agency",
    "agency_level",
    "junk",
    "action",
    "deadline",
    "due",
    "continuation",
    "start",
    "end",
    "item_id",
    "agencies",
)


def _directive_row(r: dict[str, Any]) -> dict[str, Any]:
    return {
        **{k: r.get(k) for k in DIRECTIVE_COLUMNS},
        "addressee": r["addressee_raw"],
        "agency": r["agency_name"],
        "start": r["start_offset"],
        "end": r["end_offset"],
        "agencies": "; ".join(x for x in r.get("agencies") or [] if x),
    }


_VIEW_COLUMNS = {
    "figure_rows": (
        "article_id", "published", "title", "site", "province", "province_2025", "district",
        "value", "unit", "qualifier", "text", "start_offset", "end_offset",
    ),
    "challenge_rows": (
        "article_id", "published", "title", "site", "province", "province_2025", "district",
        "text", "start_offset", "end_offset",
    ),
}  # fmt: skip
