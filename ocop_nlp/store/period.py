"""The SQL of drafts made from a store: the latest extraction of each article in a period.

An article's day is its publication date, else the date its extraction gives it, else its
meeting's date (undated pages, as in tracking). The province is the 2025 unit tracking wrote
on the article row, so `ocop_nlp.track.refresh` runs before these queries.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ocop_nlp.store.db import Store
from ocop_nlp.store.tracking import MentionFilter, _connect_functions, in_keys

_DAY = (
    "substr(COALESCE(a.published, json_extract(e.extraction, '$.article.published'), "
    "json_extract(e.extraction, '$.meeting.date')), 1, 10)"
)


@dataclass(slots=True)
class PeriodRow:
    """One article of the period: its latest extraction (as stored) and its row's fields."""

    article_id: str
    day: str | None
    extraction: dict[str, Any]
    published: str | None
    title: str | None
    url: str | None
    site: str | None
    province: str | None


def extractions_in_period(st: Store, f: MentionFilter) -> Iterator[PeriodRow]:
    """The latest extraction of every article whose day is within `f.since`..`f.until` and,
    when `f` names one, in its province; oldest first."""
    _connect_functions(st.conn)
    args: dict[str, Any] = {}
    where = ["1 = 1"]
    if f.since:
        where.append(f"{_DAY} >= :since")
        args["since"] = f.since
    if f.until:
        where.append(f"{_DAY} <= :until")
        args["until"] = f.until
    if f.provinces is not None:
        where.append(in_keys("a.province_2025", f.provinces, "prov", args))
    if f.province_text:  # a place the gazetteer does not know: its name in the title or row
        where.append("fold(COALESCE(a.title, '') || ' ' || COALESCE(a.province, '')) LIKE :pt")
        args["pt"] = f"%{f.province_text}%"
    if f.site:
        where.append("a.site LIKE :site")
        args["site"] = f"%{f.site}%"
    sql = (
        f"SELECT e.article_id, {_DAY} AS day, e.extraction, a.published, a.title, a.url, a.site, "
        "a.province "
        "FROM latest_extractions e LEFT JOIN articles a ON a.id = e.article_id "
        f"WHERE {' AND '.join(where)} ORDER BY day, e.article_id"
    )
    for aid, day, doc, published, title, url, site, province in st.conn.execute(sql, args):
        yield PeriodRow(aid, day, json.loads(doc), published, title, url, site, province)
