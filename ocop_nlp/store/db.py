"""SQLite store: schema, migrations and a small typed API (the only place SQL is written).

Tables:
- `articles`: one row per article (`id`), with what a crawler learns when fetching it (url,
  canonical url, site, HTTP status, ETag, Last-Modified, the raw page zlib-compressed) and the
  text; `content_hash` is UNIQUE, so the same story under a second URL is stored once.
- `extractions`: one row per (article, content hash of the analysed text): running the same
  article twice updates that row; a changed text gives a new row, so history survives. The
  extraction JSON is kept whole, with the tool, rules and model versions that made it.
- `directives`: the directives of the latest extraction of each article, one row per item, for
  tracking who was asked to do what and when.
- `article_versions` (migration 4): each distinct text an article id arrived with, numbered,
  so a record seen again with another text is a new version, never dropped as "already done";
  `extractions.source_hash` is the hash of the input text that extraction was made from. An
  article whose text changed, re-crawled or seen again by `batch --db`, keeps its previous
  text there (migration 6; `Store._keep_previous_text`, one path for both).

A connection belongs to one process: batch workers return results and the parent writes.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ocop_nlp.errors import InputError
from ocop_nlp.records import Extraction, extraction_from_dict

STORE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
_SQLITE_MAGIC = b"SQLite format 3\x00"

# Named migrations, applied in order, each in its own transaction. Never edit one that shipped:
# add the next. Statements are separate so each runs inside the same BEGIN ... COMMIT.
MIGRATIONS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (
        1,
        "articles, extractions, directives",
        (
            """CREATE TABLE articles (
                id TEXT PRIMARY KEY,
                url TEXT,
                canonical_url TEXT,
                site TEXT,
                title TEXT,
                published TEXT,
                author TEXT,
                text TEXT,
                raw_html BLOB,
                content_hash TEXT NOT NULL UNIQUE,
                fetched_at TEXT,
                http_status INTEGER,
                etag TEXT,
                last_modified TEXT
            )""",
            "CREATE INDEX articles_url ON articles (url)",
            "CREATE INDEX articles_canonical_url ON articles (canonical_url)",
            "CREATE INDEX articles_site_published ON articles (site, published)",
            """CREATE TABLE extractions (
                article_id TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                extraction TEXT NOT NULL,
                tool_version TEXT,
                rules_version TEXT,
                model_version TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (article_id, content_hash)
            )""",
            """CREATE TABLE directives (
                article_id TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                position INTEGER NOT NULL,
                issuer_name TEXT,
                issuer_title TEXT,
                addressee TEXT,
                action TEXT NOT NULL,
                deadline TEXT,
                start_offset INTEGER NOT NULL,
                end_offset INTEGER NOT NULL,
                published TEXT,
                PRIMARY KEY (article_id, position)
            )""",
            "CREATE INDEX directives_addressee ON directives (addressee)",
            "CREATE INDEX directives_published ON directives (published)",
        ),
    ),
    (
        2,
        "crawl frontier, crawl runs, fetch log",
        (
            # One row per canonical URL the crawler has queued. `state` is queued / done /
            # skipped / failed; a killed crawl resumes from the queued rows.
            """CREATE TABLE crawl_frontier (
                url TEXT PRIMARY KEY,
                site TEXT NOT NULL,
                kind TEXT NOT NULL,
                depth INTEGER NOT NULL,
                priority INTEGER NOT NULL,
                state TEXT NOT NULL DEFAULT 'queued',
                found_on TEXT,
                found_at TEXT NOT NULL,
                fetched_at TEXT,
                run_id INTEGER,
                outcome TEXT,
                reason TEXT,
                http_status INTEGER,
                etag TEXT,
                last_modified TEXT,
                lastmod TEXT,
                article_id TEXT,
                attempts INTEGER NOT NULL DEFAULT 0
            )""",
            "CREATE INDEX crawl_frontier_queue ON crawl_frontier (state, site, priority)",
            """CREATE TABLE crawl_runs (
                id INTEGER PRIMARY KEY,
                started_at TEXT NOT NULL,
                finished_at TEXT,
                status TEXT,
                seeds TEXT NOT NULL,
                options TEXT,
                summary TEXT
            )""",
            """CREATE TABLE fetch_log (
                id INTEGER PRIMARY KEY,
                run_id INTEGER,
                url TEXT NOT NULL,
                final_url TEXT,
                http_status INTEGER,
                outcome TEXT NOT NULL,
                reason TEXT,
                attempts INTEGER,
                elapsed_ms INTEGER,
                bytes INTEGER,
                fetched_at TEXT NOT NULL
            )""",
            "CREATE INDEX fetch_log_url ON fetch_log (url)",
        ),
    ),
    (
        3,
        "crawl frontier: listing chains",
        (
            # Pagers and archives add no depth, so a chain of listings is bounded by these:
            # `chain` is a listing's place in its chain of listings, `barren` how many listing
            # pages in a row before it brought no new article link.
            "ALTER TABLE crawl_frontier ADD COLUMN chain INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE crawl_frontier ADD COLUMN barren INTEGER NOT NULL DEFAULT 0",
        ),
    ),
    (
        4,
        "article versions, extraction source hash",
        (
            # The hash of the text as given (record text, or the crawled text or page): what
            # `batch` compares to decide whether an id it meets again is already done.
            "ALTER TABLE extractions ADD COLUMN source_hash TEXT",
            "CREATE INDEX extractions_article ON extractions (article_id, source_hash)",
            """CREATE TABLE article_versions (
                article_id TEXT NOT NULL,
                version INTEGER NOT NULL,
                content_hash TEXT NOT NULL,
                title TEXT,
                published TEXT,
                seen_at TEXT NOT NULL,
                PRIMARY KEY (article_id, version),
                UNIQUE (article_id, content_hash)
            )""",
        ),
    ),
    (
        5,
        "places, tracked directives, views for analysts",
        (
            # The province as the article knew it, its 2025 unit (63 -> 34 on 1 July 2025),
            # the district where stated, and where that was read (site / text).
            "ALTER TABLE articles ADD COLUMN province_id TEXT",
            "ALTER TABLE articles ADD COLUMN province TEXT",
            "ALTER TABLE articles ADD COLUMN province_2025 TEXT",
            "ALTER TABLE articles ADD COLUMN district TEXT",
            "ALTER TABLE articles ADD COLUMN place_source TEXT",
            # Articles whose extraction changed since tracking last ran (`ocop_nlp.track`).
            "CREATE TABLE track_queue (article_id TEXT PRIMARY KEY)",
            "INSERT INTO track_queue SELECT DISTINCT article_id FROM extractions",
            # One row per directive of an article's latest extraction, resolved: canonical
            # agency (and its 2025 successor), due date, the tracked item it belongs to.
            """CREATE TABLE mentions (
                article_id TEXT NOT NULL,
                position INTEGER NOT NULL,
                published TEXT,
                site TEXT,
                province TEXT,
                province_2025 TEXT,
                district TEXT,
                issuer TEXT,
                addressee_raw TEXT,
                agency_id TEXT,
                agency_name TEXT,
                agency_level TEXT,
                agency_2025 TEXT,
                junk INTEGER NOT NULL DEFAULT 0,
                action TEXT NOT NULL,
                deadline TEXT,
                due TEXT,
                continuation INTEGER NOT NULL DEFAULT 0,
                start_offset INTEGER NOT NULL,
                end_offset INTEGER NOT NULL,
                evidence TEXT,
                folded TEXT NOT NULL,
                addressee_folded TEXT NOT NULL DEFAULT '',
                issuer_folded TEXT NOT NULL DEFAULT '',
                item_id TEXT,
                PRIMARY KEY (article_id, position)
            )""",
            "CREATE INDEX mentions_item ON mentions (item_id)",
            "CREATE INDEX mentions_block ON mentions (agency_2025, published)",
            "CREATE INDEX mentions_published ON mentions (published)",
            # Sentences that report progress ("đã hoàn thành", "đã triển khai"): evidence that a
            # tracked item was reported done.
            """CREATE TABLE progress (
                article_id TEXT NOT NULL,
                start_offset INTEGER NOT NULL,
                end_offset INTEGER NOT NULL,
                published TEXT,
                province_2025 TEXT,
                sentence TEXT NOT NULL,
                folded TEXT NOT NULL,
                PRIMARY KEY (article_id, start_offset)
            )""",
            # Repeats of one directive across meetings. `id` is stable: a hash of the block and
            # the earliest mention.
            """CREATE TABLE items (
                id TEXT PRIMARY KEY,
                block TEXT NOT NULL,
                agency_id TEXT,
                addressee TEXT,
                agency_level TEXT,
                action TEXT NOT NULL,
                first_seen TEXT,
                last_seen TEXT,
                mentions INTEGER NOT NULL,
                articles INTEGER NOT NULL,
                continued INTEGER NOT NULL DEFAULT 0,
                due TEXT,
                due_article TEXT,
                due_start INTEGER,
                due_end INTEGER,
                done_article TEXT,
                done_start INTEGER,
                done_end INTEGER,
                done_sentence TEXT
            )""",
            "CREATE INDEX items_block ON items (block)",
            """CREATE TABLE track_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
            # Views for sqlite3, datasette and pandas: rows without JSON to parse.
            """CREATE VIEW latest_extractions AS
                SELECT e.* FROM extractions e
                WHERE e.rowid = (SELECT e2.rowid FROM extractions e2
                                 WHERE e2.article_id = e.article_id
                                 ORDER BY e2.updated_at DESC, e2.rowid DESC LIMIT 1)""",
            """CREATE VIEW directive_rows AS
                SELECT m.article_id, m.position, m.published, a.title, a.url, m.site,
                       m.province, m.province_2025, m.district, m.issuer,
                       m.addressee_raw AS addressee, m.agency_name AS agency,
                       m.agency_level, m.junk, m.action, m.deadline, m.due, m.continuation,
                       m.start_offset, m.end_offset, m.evidence, m.item_id
                FROM mentions m LEFT JOIN articles a ON a.id = m.article_id""",
            """CREATE VIEW item_rows AS
                SELECT i.id AS item_id, i.addressee, i.agency_level, i.action, i.first_seen,
                       i.last_seen, i.mentions, i.articles, i.continued, i.due,
                       i.done_article, i.done_sentence
                FROM items i""",
            """CREATE VIEW item_mentions AS
                SELECT i.id AS item_id, i.addressee AS item_addressee, i.action AS item_action,
                       d.*
                FROM items i JOIN directive_rows d ON d.item_id = i.id""",
            """CREATE VIEW figure_rows AS
                SELECT e.article_id, a.published, a.title, a.site, a.province,
                       a.province_2025, a.district,
                       json_extract(f.value, '$.value') AS value,
                       json_extract(f.value, '$.unit') AS unit,
                       json_extract(f.value, '$.qualifier') AS qualifier,
                       json_extract(f.value, '$.text') AS text,
                       json_extract(f.value, '$.start') AS start_offset,
                       json_extract(f.value, '$.end') AS end_offset
                FROM latest_extractions e JOIN articles a ON a.id = e.article_id,
                     json_each(e.extraction, '$.figures') f""",
            """CREATE VIEW challenge_rows AS
                SELECT e.article_id, a.published, a.title, a.site, a.province,
                       a.province_2025, a.district,
                       json_extract(c.value, '$.text') AS text,
                       json_extract(c.value, '$.start') AS start_offset,
                       json_extract(c.value, '$.end') AS end_offset
                FROM latest_extractions e JOIN articles a ON a.id = e.article_id,
                     json_each(e.extraction, '$.challenges') c""",
        ),
    ),
    (
        6,
        "crawl re-checks: previous texts, listed dates, URL-family counters",
        (
            # The text of a version an article has moved on from (a page whose text changed
            # between two crawls); NULL for the text the article holds now.
            "ALTER TABLE article_versions ADD COLUMN text TEXT",
            # The date the sitemap entry or feed item that listed a URL gives it (YYYY-MM-DD):
            # the article's date when its page shows none.
            "ALTER TABLE crawl_frontier ADD COLUMN listed_date TEXT",
            # URL families (a path with its numbers and query values taken out) and how many of
            # their pages in a row were no article and brought none: kept across runs, so a
            # resumed or later crawl does not walk into the same trap again.
            """CREATE TABLE crawl_families (
                family TEXT PRIMARY KEY,
                site TEXT NOT NULL,
                barren INTEGER NOT NULL,
                reason TEXT,
                updated_at TEXT NOT NULL
            )""",
        ),
    ),
    (
        7,
        "addressees: one row per agency a directive names",
        (
            # "Sở Tài chính, Sở Xây dựng và UBND các huyện" names three agencies: each gets a
            # row (its part as written, canonical agency, 2025 successor), so `--addressee`
            # finds the directive under each. `mentions.agency_id` stays the whole addressee's
            # agency, the one tracked items are grouped by.
            """CREATE TABLE mention_agencies (
                article_id TEXT NOT NULL,
                position INTEGER NOT NULL,
                seq INTEGER NOT NULL,
                addressee TEXT NOT NULL,
                agency_id TEXT,
                agency_name TEXT,
                agency_level TEXT,
                agency_2025 TEXT,
                PRIMARY KEY (article_id, position, seq)
            )""",
            "CREATE INDEX mention_agencies_agency ON mention_agencies (agency_id)",
            # Every agency an item's mentions name, first named first (a JSON array).
            "ALTER TABLE items ADD COLUMN addressees TEXT",
            # Every article is resolved again on first use, which fills the new table.
            "INSERT OR IGNORE INTO track_queue SELECT DISTINCT article_id FROM extractions",
            """CREATE VIEW addressee_rows AS
                SELECT ma.seq, ma.addressee AS addressee_part, ma.agency_name AS part_agency,
                       ma.agency_level AS part_level, d.*
                FROM mention_agencies ma JOIN directive_rows d
                  ON d.article_id = ma.article_id AND d.position = ma.position""",
        ),
    ),
    (
        8,
        "officials by name and title over time",
        (
            # One row per official (a chair or an issuer) per article and position. A person
            # is `person_key`: the folded name, with the province for local officials (two
            # provinces' "Nguyễn Văn An" are two people); `position_key` the folded position.
            """CREATE TABLE official_mentions (
                article_id TEXT NOT NULL,
                person_key TEXT NOT NULL,
                position_key TEXT NOT NULL,
                name TEXT NOT NULL,
                title TEXT,
                position TEXT,
                role TEXT NOT NULL,
                agency_id TEXT,
                agency_name TEXT,
                agency_level TEXT,
                province TEXT,
                province_2025 TEXT,
                published TEXT,
                name_folded TEXT NOT NULL,
                PRIMARY KEY (article_id, person_key, position_key)
            )""",
            "CREATE INDEX official_mentions_person ON official_mentions (person_key, position_key)",
            "CREATE INDEX official_mentions_name ON official_mentions (name_folded)",
            "INSERT OR IGNORE INTO track_queue SELECT DISTINCT article_id FROM extractions",
            # For sqlite3, datasette and pandas: one row per person and position, over time.
            """CREATE VIEW officials AS
                SELECT person_key, position_key,
                       (SELECT o2.name FROM official_mentions o2
                        WHERE o2.person_key = o.person_key GROUP BY o2.name
                        ORDER BY COUNT(*) DESC, o2.name LIMIT 1) AS name,
                       (SELECT o3.title FROM official_mentions o3
                        WHERE o3.person_key = o.person_key AND o3.position_key = o.position_key
                        GROUP BY o3.title ORDER BY COUNT(*) DESC, LENGTH(o3.title) DESC LIMIT 1)
                         AS title,
                       MAX(o.position) AS position,
                       MAX(o.agency_name) AS agency, MAX(o.agency_level) AS agency_level,
                       MAX(o.province) AS province, MAX(o.province_2025) AS province_2025,
                       MIN(substr(o.published, 1, 10)) AS first_seen,
                       MAX(substr(o.published, 1, 10)) AS last_seen,
                       COUNT(DISTINCT o.article_id) AS articles,
                       json_group_array(DISTINCT o.article_id) AS article_ids
                FROM official_mentions o GROUP BY o.person_key, o.position_key""",
        ),
    ),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]


def content_hash(data: str | bytes) -> str:
    """A stable key for a text (or raw bytes): 'sha256-' and 32 hex digits."""
    h = hashlib.sha256()
    if isinstance(data, str):
        # A slice at a time: a huge record is not copied whole to bytes (UTF-8 of the slices
        # joined is the UTF-8 of the text, so the key is the same).
        for i in range(0, len(data), 1 << 20):
            h.update(data[i : i + (1 << 20)].encode("utf-8", errors="surrogatepass"))
    else:
        h.update(data)
    return "sha256-" + h.hexdigest()[:32]


def is_store_path(path: str | os.PathLike[str]) -> bool:
    """True for a `.db`/`.sqlite`/`.sqlite3` name or any file that starts as SQLite does."""
    p = Path(path)
    if p.suffix.lower() in STORE_SUFFIXES:
        return True
    if p.is_file():
        with open(p, "rb") as f:
            return f.read(16) == _SQLITE_MAGIC
    return False


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(slots=True)
class StoredArticle:
    """An `articles` row. `raw_html` is the page as fetched (bytes, compressed on disk)."""

    id: str
    text: str | None = None
    url: str | None = None
    canonical_url: str | None = None
    site: str | None = None
    title: str | None = None
    published: str | None = None
    author: str | None = None
    raw_html: bytes | None = None
    fetched_at: str | None = None
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None  # filled from text (or raw_html) when saved

    def to_record(self) -> dict[str, Any]:
        """The contract's article record (what `batch` reads); the page when there is no text."""
        rec: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "url": self.canonical_url or self.url,
            "published": self.published,
            "author": self.author,
            "source": self.site,
        }
        if self.text is not None:
            rec["text"] = self.text
        elif self.raw_html is not None:
            rec["html"] = self.raw_html.decode("utf-8", errors="replace")
        return rec


@dataclass(slots=True)
class ArticleVersion:
    """One text an article arrived with (`article_versions`)."""

    version: int
    content_hash: str
    title: str | None
    published: str | None
    seen_at: str
    text: str | None  # kept once the article moved on to another text; None for today's


@dataclass(slots=True)
class StoredExtraction:
    article_id: str
    content_hash: str
    extraction: Extraction
    tool_version: str | None
    rules_version: str | None
    model_version: str | None
    created_at: str
    updated_at: str


@dataclass(slots=True)
class StoredDirective:
    article_id: str
    position: int
    issuer_name: str | None
    issuer_title: str | None
    addressee: str | None
    action: str
    deadline: str | None
    start: int
    end: int
    published: str | None
    content_hash: str


_ARTICLE_COLUMNS = (
    "id, url, canonical_url, site, title, published, author, text, raw_html, content_hash, "
    "fetched_at, http_status, etag, last_modified"
)


class Store:
    """One open store. Use `open_store(path)`; close it (or use `with`) when done."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            # Autocommit mode: transactions are explicit (`transaction`), so a migration's DDL
            # and its version row commit together or not at all.
            self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, safe
        except sqlite3.DatabaseError as e:
            raise InputError(
                f"{self.path} is not a usable SQLite store ({e}); give a store made by ocop "
                "or a new file name."
            ) from e
        self._migrate()

    # --- lifecycle -----------------------------------------------------------------------

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception (for `store` modules)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def _migrate(self) -> None:
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        done = self.schema_version()
        if done > SCHEMA_VERSION:
            raise InputError(
                f"{self.path} was written by a newer ocop (schema {done}, this one knows "
                f"{SCHEMA_VERSION}); upgrade ocop-nlp to use it."
            )
        for version, name, statements in MIGRATIONS:
            if version <= done:
                continue
            with self.transaction() as c:
                for sql in statements:
                    c.execute(sql)
                c.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (version, name, _now()),
                )

    def schema_version(self) -> int:
        row = self.conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)

    def migrations(self) -> list[tuple[int, str]]:
        return [
            (int(v), str(n))
            for v, n in self.conn.execute(
                "SELECT version, name FROM schema_migrations ORDER BY version"
            )
        ]

    def journal_mode(self) -> str:
        return str(self.conn.execute("PRAGMA journal_mode").fetchone()[0])

    # --- articles ------------------------------------------------------------------------

    def save_article(self, a: StoredArticle) -> bool:
        """Insert or update the article `a.id`; False when its content is already stored under
        another id (the same story at a second URL), which is then left alone."""
        with self.transaction() as c:
            return self.save_article_in(c, a) is None

    def save_article_in(self, c: sqlite3.Connection, a: StoredArticle) -> str | None:
        """`save_article` inside the caller's transaction (the crawler stores an article, its
        links and its frontier row at once). Returns the id already holding the same content,
        or None when `a` was stored."""
        if a.text is None and a.raw_html is None:
            raise InputError(f"Article {a.id} has neither text nor a page; nothing to store.")
        key = a.content_hash or content_hash(a.text if a.text is not None else a.raw_html or b"")
        row = c.execute(
            "SELECT id FROM articles WHERE content_hash = ? AND id != ?", (key, a.id)
        ).fetchone()
        if row:
            return str(row[0])
        self._keep_previous_text(c, a.id, key, a.title, a.published, _now())
        html = zlib.compress(a.raw_html) if a.raw_html is not None else None
        c.execute(
            f"INSERT INTO articles ({_ARTICLE_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET url = excluded.url, "
            "canonical_url = excluded.canonical_url, site = excluded.site, "
            "title = excluded.title, published = excluded.published, "
            "author = excluded.author, text = excluded.text, "
            "raw_html = excluded.raw_html, content_hash = excluded.content_hash, "
            "fetched_at = excluded.fetched_at, http_status = excluded.http_status, "
            "etag = excluded.etag, last_modified = excluded.last_modified",
            (
                a.id,
                a.url,
                a.canonical_url,
                a.site,
                a.title,
                a.published,
                a.author,
                a.text,
                html,
                key,
                a.fetched_at,
                a.http_status,
                a.etag,
                a.last_modified,
            ),
        )
        a.content_hash = key
        return None

    def _keep_previous_text(
        self,
        c: sqlite3.Connection,
        article_id: str,
        key: str,
        title: str | None,
        published: str | None,
        now: str,
    ) -> None:
        """`article_id` is about to hold the text hashed `key` (a re-crawled page, or a batch
        record seen again): the text it holds now stays as a numbered version, with its words.
        The one place both the crawler and `batch --db` keep an earlier text."""
        before = c.execute(
            "SELECT content_hash, text, title, published FROM articles WHERE id = ?",
            (article_id,),
        ).fetchone()
        if before is None or before[0] == key:
            return
        old_key, old_text, old_title, old_published = before
        self._add_version(c, article_id, str(old_key), old_title, old_published, now)
        c.execute(
            "UPDATE article_versions SET text = ? WHERE article_id = ? AND content_hash = ?",
            (old_text, article_id, old_key),
        )
        self._add_version(c, article_id, key, title, published, now)
        # The text it holds now lives in `articles` (a page changed back to an older text).
        c.execute(
            "UPDATE article_versions SET text = NULL WHERE article_id = ? AND content_hash = ?",
            (article_id, key),
        )

    def content_hash_in(self, c: sqlite3.Connection, article_id: str) -> str | None:
        """The content hash `article_id` is stored with, inside the caller's transaction."""
        row = c.execute("SELECT content_hash FROM articles WHERE id = ?", (article_id,)).fetchone()
        return str(row[0]) if row else None

    def get_article(self, article_id: str) -> StoredArticle | None:
        row = self.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return _article_of_row(row) if row else None

    def has_article(self, article_id: str) -> bool:
        """Is `article_id` stored? (No row read: the page blob stays on disk.)"""
        row = self.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row is not None

    def count_articles(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def iter_articles(self, page: int = 200) -> Iterator[StoredArticle]:
        """Every article in insertion order, `page` rows at a time (memory stays flat)."""
        last = 0
        while True:
            rows = self.conn.execute(
                f"SELECT rowid, {_ARTICLE_COLUMNS} FROM articles WHERE rowid > ? "
                "ORDER BY rowid LIMIT ?",
                (last, page),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _article_of_row(row[1:])
            last = rows[-1][0]

    # --- extractions and directives ------------------------------------------------------

    def save_extraction(self, ex: Extraction, source_hash: str | None = None) -> bool:
        """Record `ex` (idempotent: the same article and text twice is one row, updated).

        `source_hash` is `content_hash` of the input text it was made from (what `batch`
        compares on a re-run). The article row is written too when the store lacks it, and
        updated when this text is a new version of it (a crawled article keeps its row: its
        hash is the one it was read with). Its directives replace the article's earlier ones.
        True when the extraction row is new.
        """
        key = content_hash(ex.text)
        v = ex.versions
        now = _now()
        doc = json.dumps(ex.to_dict(), ensure_ascii=False)
        with self.transaction() as c:
            self._article_of_extraction(c, ex, source_hash or key, now)
            new = (
                c.execute(
                    "SELECT 1 FROM extractions WHERE article_id = ? AND content_hash = ?",
                    (ex.id, key),
                ).fetchone()
                is None
            )
            c.execute(
                "INSERT INTO extractions (article_id, content_hash, extraction, tool_version, "
                "rules_version, model_version, created_at, updated_at, source_hash) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (article_id, content_hash) DO UPDATE SET "
                "extraction = excluded.extraction, tool_version = excluded.tool_version, "
                "rules_version = excluded.rules_version, model_version = excluded.model_version, "
                "updated_at = excluded.updated_at, "
                "source_hash = COALESCE(excluded.source_hash, source_hash)",
                (
                    ex.id,
                    key,
                    doc,
                    v.get("ocop_nlp"),
                    v.get("rules"),
                    v.get("model") or v.get("underthesea"),
                    now,
                    now,
                    source_hash,
                ),
            )
            c.execute("DELETE FROM directives WHERE article_id = ?", (ex.id,))
            c.execute("INSERT OR IGNORE INTO track_queue (article_id) VALUES (?)", (ex.id,))
            c.executemany(
                "INSERT INTO directives (article_id, content_hash, position, issuer_name, "
                "issuer_title, addressee, action, deadline, start_offset, end_offset, published) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        ex.id,
                        key,
                        i,
                        d.issuer.name if d.issuer else None,
                        d.issuer.title if d.issuer else None,
                        d.addressee,
                        d.action,
                        d.deadline,
                        d.start,
                        d.end,
                        ex.article.published,
                    )
                    for i, d in enumerate(ex.directives)
                ],
            )
        return new

    def _article_of_extraction(
        self, c: sqlite3.Connection, ex: Extraction, source_hash: str, now: str
    ) -> None:
        """The article row behind `ex`: inserted when missing, moved on to this text when the
        id arrives with another one; each distinct text is a numbered `article_versions` row."""
        a = ex.article
        row = c.execute("SELECT content_hash FROM articles WHERE id = ?", (ex.id,)).fetchone()
        if row is None:
            # DO NOTHING also covers the UNIQUE content hash: the same story under another id.
            c.execute(
                "INSERT INTO articles (id, url, site, title, published, author, text, "
                "content_hash, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (ex.id, a.url, a.source, a.title, a.published, a.author, ex.text, source_hash, now),
            )
        elif row[0] != source_hash:
            holder = c.execute(
                "SELECT 1 FROM articles WHERE content_hash = ? AND id != ?", (source_hash, ex.id)
            ).fetchone()
            if holder is None:
                self._keep_previous_text(c, ex.id, source_hash, a.title, a.published, now)
                c.execute(
                    "UPDATE articles SET text = ?, title = COALESCE(?, title), "
                    "published = COALESCE(?, published), content_hash = ? WHERE id = ?",
                    (ex.text, a.title, a.published, source_hash, ex.id),
                )
            else:
                # Another id already holds this text (content_hash is UNIQUE): the article
                # keeps its own, and its versions still say it arrived with both.
                self._add_version(c, ex.id, str(row[0]), None, None, now)
        self._add_version(c, ex.id, source_hash, a.title, a.published, now)

    @staticmethod
    def _add_version(
        c: sqlite3.Connection,
        article_id: str,
        key: str,
        title: str | None,
        published: str | None,
        now: str,
    ) -> None:
        c.execute(
            "INSERT INTO article_versions (article_id, version, content_hash, title, published, "
            "seen_at) SELECT ?, COALESCE(MAX(version), 0) + 1, ?, ?, ?, ? FROM article_versions "
            "WHERE article_id = ? ON CONFLICT (article_id, content_hash) DO NOTHING",
            (article_id, key, title, published, now, article_id),
        )

    def article_versions(self, article_id: str) -> list[tuple[int, str, str | None]]:
        """(version, content hash, title) of each text `article_id` arrived with, oldest first."""
        return [
            (int(v), str(h), t)
            for v, h, t in self.conn.execute(
                "SELECT version, content_hash, title FROM article_versions WHERE article_id = ? "
                "ORDER BY version",
                (article_id,),
            )
        ]

    def versions_of(self, article_id: str) -> list[ArticleVersion]:
        """Every text `article_id` arrived with, oldest first; earlier texts with their words."""
        return [
            ArticleVersion(int(v), str(h), t, p, str(seen), text)
            for v, h, t, p, seen, text in self.conn.execute(
                "SELECT version, content_hash, title, published, seen_at, text "
                "FROM article_versions WHERE article_id = ? ORDER BY version",
                (article_id,),
            )
        ]

    def extracted(self, with_model: bool = False) -> dict[str, list[tuple[str | None, ...]]]:
        """{article id: [(source hash, tool version, rules version), ...]} of every extraction:
        what `batch` into this store needs to tell done, new versions and stale ones apart.
        `with_model` adds the clause-type model version each was made with (its
        `versions["model"]`, None when the rules ran alone), read from the JSON: slower."""
        out: dict[str, list[tuple[str | None, ...]]] = {}
        model = "json_extract(extraction, '$.versions.model')" if with_model else "NULL"
        for aid, h, tool, rules, m in self.conn.execute(
            f"SELECT article_id, source_hash, tool_version, rules_version, {model} FROM extractions"
        ):
            out.setdefault(str(aid), []).append(
                (h, tool, rules, m) if with_model else (h, tool, rules)
            )
        return out

    def count_extractions(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM extractions").fetchone()[0])

    def iter_extractions(self) -> Iterator[StoredExtraction]:
        cur = self.conn.execute(
            "SELECT article_id, content_hash, extraction, tool_version, rules_version, "
            "model_version, created_at, updated_at FROM extractions ORDER BY rowid"
        )
        for row in cur:
            yield StoredExtraction(
                row[0],
                row[1],
                extraction_from_dict(json.loads(row[2])),
                row[3],
                row[4],
                row[5],
                row[6],
                row[7],
            )

    def directives(self, article_id: str | None = None) -> list[StoredDirective]:
        sql = (
            "SELECT article_id, position, issuer_name, issuer_title, addressee, action, "
            "deadline, start_offset, end_offset, published, content_hash FROM directives"
        )
        args: tuple[str, ...] = ()
        if article_id is not None:
            sql += " WHERE article_id = ?"
            args = (article_id,)
        rows = self.conn.execute(sql + " ORDER BY article_id, position", args).fetchall()
        return [StoredDirective(*row) for row in rows]


def _article_of_row(row: tuple[Any, ...]) -> StoredArticle:
    (aid, url, canon, site, title, pub, author, text, html, key, fetched, status, etag, lm) = row
    return StoredArticle(
        id=aid,
        text=text,
        url=url,
        canonical_url=canon,
        site=site,
        title=title,
        published=pub,
        author=author,
        raw_html=zlib.decompress(html) if html is not None else None,
        fetched_at=fetched,
        http_status=status,
        etag=etag,
        last_modified=lm,
        content_hash=key,
    )


def open_store(path: str | os.PathLike[str]) -> Store:
    """Open (creating and migrating when needed) the store at `path`."""
    p = Path(path)
    if p.parent and not p.parent.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
    return Store(p)
