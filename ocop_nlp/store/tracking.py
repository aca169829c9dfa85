"""The SQL of directive tracking (tables `mentions`, `mention_agencies`, `progress`, `items`,
`track_queue`, `track_meta`, and the FTS5 index `mentions_fts`); `ocop_nlp.track` holds the
logic.

Search folds case and diacritics twice over: the `folded` column is already lower case without
diacritics and with "đ" -> "d" (Unicode does not decompose "đ"), and the FTS5 tokenizer runs
with `remove_diacritics 2`. Where this Python's SQLite lacks FTS5, `--q` falls back to LIKE on
the same folded column (ASCII, so LIKE's case folding is enough).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ocop_nlp.store.db import Store
from ocop_nlp.store.fold import fold_words

MENTION_COLUMNS = (
    "article_id",
    "position",
    "published",
    "site",
    "province",
    "province_2025",
    "district",
    "issuer",
    "addressee_raw",
    "agency_id",
    "agency_name",
    "agency_level",
    "agency_2025",
    "junk",
    "action",
    "deadline",
    "due",
    "continuation",
    "start_offset",
    "end_offset",
    "evidence",
    "folded",
    "addressee_folded",
    "issuer_folded",
)
# One row per agency a directive names (`mention_agencies`).
AGENCY_COLUMNS = (
    "article_id",
    "position",
    "seq",
    "addressee",
    "agency_id",
    "agency_name",
    "agency_level",
    "agency_2025",
)


@dataclass(slots=True)
class MentionFilter:
    """SQL-ready filters on mentions (built by `ocop_nlp.track` from what analysts type)."""

    since: str | None = None
    until: str | None = None
    provinces: frozenset[str] | None = None  # 2025 unit ids
    province_text: str | None = None  # an unknown place: folded, matched in the text
    site: str | None = None
    issuer: str | None = None  # folded
    agency_ids: frozenset[str] = frozenset()
    addressee_text: str | None = None  # folded
    q: str | None = None  # folded


def _connect_functions(c: sqlite3.Connection) -> None:
    c.create_function("fold", 1, lambda s: fold_words(s) if s else "", deterministic=True)


def fts_available(c: sqlite3.Connection) -> bool:
    try:
        c.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_probe USING fts5(x)")
        c.execute("DROP TABLE temp.fts_probe")
        return True
    except sqlite3.OperationalError:
        return False


# --- writing -------------------------------------------------------------------------------


def queued(st: Store, limit: int) -> list[str]:
    return [r[0] for r in st.conn.execute("SELECT article_id FROM track_queue LIMIT ?", (limit,))]


def queue_size(st: Store) -> int:
    return int(st.conn.execute("SELECT COUNT(*) FROM track_queue").fetchone()[0])


def latest_of(
    st: Store, ids: Sequence[str]
) -> Iterator[tuple[str, dict[str, Any], tuple[Any, ...]]]:
    """(id, latest extraction dict, (site, url, title, published)) of each article in `ids`."""
    marks = ",".join("?" * len(ids))
    rows = st.conn.execute(
        f"SELECT e.article_id, e.extraction, a.site, a.url, a.title, a.published "
        f"FROM latest_extractions e LEFT JOIN articles a ON a.id = e.article_id "
        f"WHERE e.article_id IN ({marks})",
        tuple(ids),
    )
    for aid, doc, site, url, title, pub in rows:
        yield aid, json.loads(doc), (site, url, title, pub)


def blocks_of(st: Store, ids: Sequence[str]) -> set[str]:
    marks = ",".join("?" * len(ids))
    return {
        r[0]
        for r in st.conn.execute(
            f"SELECT DISTINCT COALESCE(agency_2025, '') FROM mentions WHERE article_id IN ({marks})",
            tuple(ids),
        )
    }


def replace_article(
    c: sqlite3.Connection,
    article_id: str,
    place: tuple[str | None, ...],
    mentions: Iterable[tuple[Any, ...]],
    progress: Iterable[tuple[Any, ...]],
    agencies: Iterable[tuple[Any, ...]] = (),
) -> None:
    """The tracked rows of one article, replaced (inside the caller's transaction)."""
    c.execute(
        "UPDATE articles SET province_id = ?, province = ?, province_2025 = ?, district = ?, "
        "place_source = ? WHERE id = ?",
        (*place, article_id),
    )
    c.execute("DELETE FROM mentions WHERE article_id = ?", (article_id,))
    c.execute("DELETE FROM progress WHERE article_id = ?", (article_id,))
    c.execute("DELETE FROM mention_agencies WHERE article_id = ?", (article_id,))
    c.executemany(
        f"INSERT INTO mention_agencies ({', '.join(AGENCY_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(AGENCY_COLUMNS))})",
        list(agencies),
    )
    c.executemany(
        f"INSERT INTO mentions ({', '.join(MENTION_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(MENTION_COLUMNS))})",
        list(mentions),
    )
    c.executemany(
        "INSERT OR IGNORE INTO progress (article_id, start_offset, end_offset, published, "
        "province_2025, sentence, folded) VALUES (?, ?, ?, ?, ?, ?, ?)",
        list(progress),
    )
    c.execute("DELETE FROM track_queue WHERE article_id = ?", (article_id,))


def rebuild_fts(st: Store) -> bool:
    """Re-index `mentions` for `--q`; False when this SQLite has no FTS5 (LIKE is used)."""
    c = st.conn
    if not fts_available(c):
        set_meta(st, "fts", "0")
        return False
    c.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS mentions_fts USING fts5(folded, content='mentions', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    c.execute("INSERT INTO mentions_fts (mentions_fts) VALUES ('rebuild')")
    set_meta(st, "fts", "1")
    return True


def set_meta(st: Store, key: str, value: str) -> None:
    st.conn.execute(
        "INSERT INTO track_meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def get_meta(st: Store, key: str) -> str | None:
    row = st.conn.execute("SELECT value FROM track_meta WHERE key = ?", (key,)).fetchone()
    return str(row[0]) if row else None


@dataclass(slots=True)
class BlockMention:
    rowid: int
    article_id: str
    position: int
    published: str | None
    agency_id: str | None
    agency_name: str | None
    agency_level: str | None
    action: str
    due: str | None
    continuation: int
    start: int
    end: int


def block_mentions(st: Store, block: str) -> list[BlockMention]:
    rows = st.conn.execute(
        "SELECT rowid, article_id, position, published, agency_id, agency_name, agency_level, "
        "action, due, continuation, start_offset, end_offset FROM mentions "
        "WHERE COALESCE(agency_2025, '') = ? ORDER BY published, article_id, position",
        (block,),
    ).fetchall()
    return [BlockMention(*r) for r in rows]


def all_blocks(st: Store) -> set[str]:
    return {
        r[0] for r in st.conn.execute("SELECT DISTINCT COALESCE(agency_2025, '') FROM mentions")
    }


def all_actions(st: Store) -> tuple[list[int], list[str]]:
    """(rowids, actions) of every mention, in rowid order."""
    rows = st.conn.execute("SELECT rowid, action FROM mentions ORDER BY rowid").fetchall()
    return [r[0] for r in rows], [r[1] for r in rows]


def replace_items(
    c: sqlite3.Connection, block: str, items: list[dict[str, Any]], members: dict[str, list[int]]
) -> None:
    c.execute("DELETE FROM items WHERE block = ?", (block,))
    for it in items:
        cols = list(it)
        c.execute(
            f"INSERT INTO items ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            [it[k] for k in cols],
        )
    c.executemany(
        "UPDATE mentions SET item_id = ? WHERE rowid = ?",
        [(iid, rid) for iid, rids in members.items() for rid in rids],
    )


def progress_rows(st: Store) -> list[tuple[str, int, int, str | None, str | None, str, str]]:
    return st.conn.execute(
        "SELECT article_id, start_offset, end_offset, published, province_2025, sentence, "
        "folded FROM progress ORDER BY published"
    ).fetchall()


def item_heads(st: Store) -> list[tuple[str, str | None, list[int], list[str | None]]]:
    """(item id, first seen, mention rowids, provinces) of every item."""
    out: dict[str, tuple[str, str | None, list[int], list[str | None]]] = {}
    for iid, first, rowid, prov in st.conn.execute(
        "SELECT i.id, i.first_seen, m.rowid, m.province_2025 FROM items i "
        "JOIN mentions m ON m.item_id = i.id"
    ):
        it = out.setdefault(iid, (iid, first, [], []))
        it[2].append(rowid)
        it[3].append(prov)
    return list(out.values())


def set_done(c: sqlite3.Connection, done: dict[str, tuple[str, int, int, str] | None]) -> None:
    c.executemany(
        "UPDATE items SET done_article = ?, done_start = ?, done_end = ?, done_sentence = ? "
        "WHERE id = ?",
        [((*(v or (None, None, None, None)),) + (k,)) for k, v in done.items()],
    )


# --- reading -------------------------------------------------------------------------------

# `:today` is the day the status is asked for: a report of done counts from its publication.
STATUS_SQL = (
    "CASE WHEN i.done_article IS NOT NULL AND COALESCE((SELECT substr(p.published, 1, 10) "
    "FROM progress p WHERE p.article_id = i.done_article AND p.start_offset = i.done_start), "
    "'') <= :today THEN 'reported done' "
    "WHEN i.due IS NOT NULL AND i.due < :today THEN 'overdue' ELSE 'open' END"
)


def _where(st: Store, f: MentionFilter, args: dict[str, Any], alias: str = "m") -> str:
    w = ["1 = 1"]
    if f.since:
        w.append(f"{alias}.published >= :since")
        args["since"] = f.since
    if f.until:
        w.append(f"substr({alias}.published, 1, 10) <= :until")
        args["until"] = f.until
    if f.provinces is not None:
        w.append(in_keys(f"{alias}.province_2025", f.provinces, "prov", args))
    if f.province_text:
        w.append(f"{alias}.folded LIKE :province_text")
        args["province_text"] = f"%{f.province_text}%"
    if f.site:
        w.append(f"{alias}.site LIKE :site")
        args["site"] = f"%{f.site}%"
    if f.issuer:
        w.append(f"{alias}.issuer_folded LIKE :issuer")
        args["issuer"] = f"%{f.issuer}%"
    if f.agency_ids or f.addressee_text:
        parts = []
        if f.agency_ids:
            parts.append(in_keys(f"{alias}.agency_id", f.agency_ids, "ag", args))
            # One of several agencies the addressee names (a row-value IN: the subquery runs
            # once on the agency index, not once per mention).
            parts.append(
                f"({alias}.article_id, {alias}.position) IN (SELECT article_id, position FROM "
                "mention_agencies WHERE " + in_keys("agency_id", f.agency_ids, "ag", args) + ")"
            )
        if f.addressee_text:
            args["addressee"] = f"%{f.addressee_text}%"
            parts.append(f"{alias}.addressee_folded LIKE :addressee")
        w.append("(" + " OR ".join(parts) + ")")
    if f.q:
        if get_meta(st, "fts") == "1":
            args["q"] = " ".join(f'"{t}"' for t in f.q.split())
            w.append(
                f"{alias}.rowid IN (SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH :q)"
            )
        else:
            args["q"] = f"%{f.q}%"
            w.append(f"{alias}.folded LIKE :q")
    return " AND ".join(w)


def query_items(
    st: Store,
    f: MentionFilter,
    today: str,
    status: str | None,
    recurring: bool,
    limit: int | None,
) -> list[dict[str, Any]]:
    """Items with at least one mention passing `f`; counts and dates over those mentions."""
    _connect_functions(st.conn)
    args: dict[str, Any] = {"today": today, "status": status, "recurring": int(recurring)}
    sql = f"""
        SELECT i.id, i.addressee, i.agency_level, i.action,
               MIN(substr(m.published, 1, 10)) AS first_seen,
               MAX(substr(m.published, 1, 10)) AS last_seen,
               COUNT(*) AS mentions, COUNT(DISTINCT m.article_id) AS articles,
               json_group_array(DISTINCT m.issuer) AS issuers,
               json_group_array(DISTINCT m.province) AS provinces,
               json_group_array(DISTINCT m.article_id) AS article_ids,
               {STATUS_SQL} AS status, i.due, i.due_article, i.due_start, i.due_end,
               (SELECT d.evidence FROM mentions d WHERE d.article_id = i.due_article
                AND d.start_offset = i.due_start LIMIT 1) AS due_sentence,
               i.done_article, i.done_start, i.done_end, i.done_sentence, i.continued,
               i.addressees
        FROM mentions m JOIN items i ON i.id = m.item_id
        WHERE {_where(st, f, args)}
        GROUP BY i.id
        HAVING (:status IS NULL OR status = :status)
           AND (:recurring = 0 OR COUNT(DISTINCT m.article_id) >= 2)
        ORDER BY articles DESC, mentions DESC, last_seen DESC, i.id
    """
    return list(dict_rows(st, sql, args, limit))


def agencies_of(st: Store, article_ids: Iterable[str]) -> dict[tuple[str, int], list[str]]:
    """{(article id, position): the canonical names of the agencies that directive names}."""
    ids = sorted(set(article_ids))
    out: dict[tuple[str, int], list[str]] = {}
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        for aid, pos, name in st.conn.execute(
            "SELECT article_id, position, COALESCE(agency_name, addressee) FROM "
            f"mention_agencies WHERE article_id IN ({','.join('?' * len(part))}) "
            "ORDER BY article_id, position, seq",
            tuple(part),
        ):
            out.setdefault((aid, pos), []).append(name)
    return out


def query_mentions(
    st: Store, f: MentionFilter, item_id: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Mention rows (with article title and url) passing `f`, oldest first."""
    _connect_functions(st.conn)
    args: dict[str, Any] = {}
    where = _where(st, f, args)
    if item_id is not None:
        where += " AND m.item_id = :item"
        args["item"] = item_id
    sql = (
        "SELECT m.*, a.title, a.url FROM mentions m "
        f"LEFT JOIN articles a ON a.id = m.article_id WHERE {where} "
        "ORDER BY m.published, m.article_id, m.position"
    )
    rows = list(dict_rows(st, sql, args, limit))
    named = agencies_of(st, (r["article_id"] for r in rows))
    for r in rows:
        r["agencies"] = named.get((r["article_id"], r["position"]), [])
    return rows


def dict_rows(
    st: Store, sql: str, args: dict[str, Any], limit: int | None = None
) -> Iterator[dict[str, Any]]:
    if limit:
        sql += " LIMIT :limit"
        args["limit"] = limit
    cur = st.conn.execute(sql, args)
    names = [d[0] for d in cur.description]
    for row in cur:
        yield dict(zip(names, row, strict=True))


def in_keys(column: str, keys: frozenset[str], name: str, args: dict[str, Any]) -> str:
    """`column IN (:name0, ...)` with the keys bound; never matches for no keys."""
    ordered = sorted(keys)
    args.update({f"{name}{i}": k for i, k in enumerate(ordered)})
    return f"{column} IN ({', '.join(f':{name}{i}' for i in range(len(ordered))) or 'NULL'})"


def item_exists(st: Store, item_id: str) -> bool:
    return st.conn.execute("SELECT 1 FROM items WHERE id = ?", (item_id,)).fetchone() is not None


def view_rows(
    st: Store, view: str, f: MentionFilter, text_column: str | None
) -> Iterator[dict[str, Any]]:
    """Rows of `figure_rows` / `challenge_rows` passing the article-level parts of `f`."""
    if view not in ("figure_rows", "challenge_rows"):
        raise ValueError(view)
    _connect_functions(st.conn)
    args: dict[str, Any] = {}
    w = ["1 = 1"]
    if f.since:
        w.append("v.published >= :since")
        args["since"] = f.since
    if f.until:
        w.append("substr(v.published, 1, 10) <= :until")
        args["until"] = f.until
    if f.provinces is not None:
        w.append(in_keys("v.province_2025", f.provinces, "prov", args))
    if f.site:
        w.append("v.site LIKE :site")
        args["site"] = f"%{f.site}%"
    if f.q and text_column:
        w.append(f"fold(v.{text_column}) LIKE :q")
        args["q"] = f"%{f.q}%"
    sql = f"SELECT v.* FROM {view} v WHERE {' AND '.join(w)} ORDER BY v.published, v.article_id"
    yield from dict_rows(st, sql, args)
