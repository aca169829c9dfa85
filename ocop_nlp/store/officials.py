"""The SQL of officials over time (table `official_mentions`, view `officials`); the logic is
in `ocop_nlp.track.officials`."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from ocop_nlp.store.db import Store
from ocop_nlp.store.tracking import dict_rows, in_keys

OFFICIAL_COLUMNS = (
    "article_id",
    "person_key",
    "position_key",
    "name",
    "title",
    "position",
    "role",
    "agency_id",
    "agency_name",
    "agency_level",
    "province",
    "province_2025",
    "published",
    "name_folded",
)


def replace_officials(
    c: sqlite3.Connection, article_id: str, rows: Iterable[tuple[Any, ...]]
) -> None:
    """The officials of one article, replaced (inside the caller's transaction)."""
    c.execute("DELETE FROM official_mentions WHERE article_id = ?", (article_id,))
    c.executemany(
        f"INSERT OR IGNORE INTO official_mentions ({', '.join(OFFICIAL_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(OFFICIAL_COLUMNS))})",
        list(rows),
    )


def attach_unplaced(c: sqlite3.Connection) -> None:
    """An official seen without a province (a national position, or an article whose province
    is unknown) is the person of that name seen in a province, when there is exactly one."""
    c.execute(
        "UPDATE official_mentions SET person_key = name_folded || '|' "
        "WHERE province_2025 IS NULL AND person_key != name_folded || '|'"
    )
    c.execute(
        """UPDATE official_mentions SET person_key = (
               SELECT MIN(o2.person_key) FROM official_mentions o2
               WHERE o2.name_folded = official_mentions.name_folded
                 AND o2.province_2025 IS NOT NULL)
           WHERE province_2025 IS NULL AND (
               SELECT COUNT(DISTINCT o3.person_key) FROM official_mentions o3
               WHERE o3.name_folded = official_mentions.name_folded
                 AND o3.province_2025 IS NOT NULL) = 1"""
    )


def query_officials(
    st: Store,
    name: str | None = None,
    provinces: frozenset[str] | None = None,
    province_text: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """One row per person and position, over the mentions passing the filters (`name`,
    `province_text` folded; `provinces` 2025 unit ids), by name, then first seen."""
    args: dict[str, Any] = {}
    w = ["1 = 1"]
    if name:
        w.append("o.name_folded LIKE :name")
        args["name"] = f"%{name}%"
    if provinces is not None:
        # The person's province: rows seen without one count for their person too.
        w.append(in_keys("v.province_2025", provinces, "prov", args))
    if province_text:
        w.append("(o.person_key LIKE :ptext OR o.title LIKE :ptext)")
        args["ptext"] = f"%{province_text}%"
    if since:
        w.append("o.published >= :since")
        args["since"] = since
    if until:
        w.append("substr(o.published, 1, 10) <= :until")
        args["until"] = until
    sql = f"""
        SELECT v.person_key, v.position_key, v.name, v.title, v.position, v.agency,
               v.agency_level, v.province, v.province_2025,
               MIN(substr(o.published, 1, 10)) AS first_seen,
               MAX(substr(o.published, 1, 10)) AS last_seen,
               COUNT(DISTINCT o.article_id) AS articles,
               json_group_array(DISTINCT o.article_id) AS article_ids,
               json_group_array(DISTINCT o.role) AS roles
        FROM official_mentions o
        JOIN officials v ON v.person_key = o.person_key AND v.position_key = o.position_key
        WHERE {" AND ".join(w)}
        GROUP BY o.person_key, o.position_key
        ORDER BY v.name, first_seen IS NULL, first_seen, v.position_key
    """
    return list(dict_rows(st, sql, args, limit))
