"""The crawler's persisted state: the frontier (every URL queued, with what became of it), the
runs, and a log of every fetch. SQL for crawling lives here, next to the articles it fills.

Each fetched URL is settled in one transaction: its article (if any), the links found on it and
its own frontier row commit together. Each row keeps the validators its server gave (ETag,
Last-Modified) for the next conditional request, and the date a sitemap or feed listed it
with; `crawl_families` keeps the URL families that brought no article, and why they became traps. A crawl killed at any instant therefore resumes from a
consistent frontier: a URL is either settled with everything it produced, or still queued.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ocop_nlp.fetch.urls import canonical_url
from ocop_nlp.store.db import Store, StoredArticle, _now

# Kinds whose content changes between runs: a new run fetches them again (conditionally).
REFRESHED_KINDS = ("seed", "robots", "sitemap", "feed", "listing", "page")
# Failures worth another try on the next run; a 404 or a robots refusal is not.
RETRYABLE_OUTCOMES = (
    "server-error",
    "timeout",
    "connection",
    "truncated",
    "retry-later",
    "interrupted",
)


@dataclass(slots=True)
class FrontierItem:
    url: str
    site: str
    kind: str
    depth: int
    priority: int
    found_on: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    lastmod: str | None = None
    article_id: str | None = None
    attempts: int = 0
    chain: int = 0  # its place in a chain of listings (0: not reached through a listing)
    barren: int = 0  # listing pages in a row before it that brought no new article link
    listed_date: str | None = None  # the date its sitemap entry or feed item gives (YYYY-MM-DD)


@dataclass(slots=True)
class NewLink:
    """A URL found on a page, a sitemap or a feed, to be queued when it is new."""

    url: str
    site: str
    kind: str
    depth: int
    priority: int
    found_on: str | None = None
    lastmod: str | None = None  # from a sitemap: a newer one re-queues a stored article
    # Why the link is recorded but not followed (a PDF, a contact page): kept so an operator
    # can see what was left out and why, without a request.
    not_followed: str | None = None
    chain: int = 0  # see FrontierItem
    barren: int = 0
    listed_date: str | None = None  # see FrontierItem


@dataclass(slots=True)
class Settled:
    """What became of one fetched URL, written in one transaction by `Frontier.settle`."""

    state: str  # done / skipped / failed
    outcome: str  # ok, not-modified, stored, duplicate, http-404, robots, ...
    reason: str | None = None
    kind: str | None = None  # what the page turned out to be (article, listing, ...)
    http_status: int | None = None
    final_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    attempts: int = 1
    elapsed: float = 0.0
    size: int = 0
    logged: bool = True  # False for URLs settled without a request (robots, depth)
    # The article this URL leads to when it is stored elsewhere (an alias of it).
    article_id: str | None = None
    # For an alias: what became of the article at its own address (stored, updated, duplicate).
    article_outcome: str | None = None


# Columns of `ocop export --what frontier` and `--what fetch-log`, in order.
FRONTIER_FIELDS = (
    "url",
    "site",
    "kind",
    "depth",
    "state",
    "outcome",
    "reason",
    "http_status",
    "article_id",
    "attempts",
    "fetched_at",
)
FETCH_LOG_FIELDS = (
    "run_id",
    "url",
    "final_url",
    "http_status",
    "outcome",
    "reason",
    "attempts",
    "elapsed_ms",
    "bytes",
    "fetched_at",
)

_ITEM_COLUMNS = (
    "url, site, kind, depth, priority, found_on, etag, last_modified, lastmod, article_id, "
    "attempts, chain, barren, listed_date"
)


class Frontier:
    """The frontier of one store. Use from one process (the crawler is single-threaded)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.conn = store.conn

    # --- runs ----------------------------------------------------------------------------

    def open_run(
        self,
        seeds: list[str],
        sites: list[str],
        options: dict[str, Any],
        page_error_tries: int = 3,
    ) -> tuple[int, bool]:
        """Start a run, or resume the last one when it never finished (a crash or kill -9).

        A new run queues again what may have changed since (seeds, listings, sitemaps, feeds)
        and the failures worth retrying; settled articles are not fetched again. A page whose
        reading failed unexpectedly ('page-error': a parser bug, a hostile page) is queued
        again until the fetch log holds `page_error_tries` such failures for it, so a page
        that always breaks the parser costs a few runs one request each, not every run.
        Returns (run id, resumed).
        """
        row = self.conn.execute(
            "SELECT id FROM crawl_runs WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row:
            return int(row[0]), True
        marks = ",".join("?" for _ in sites) or "''"
        kinds = ",".join("?" for _ in REFRESHED_KINDS)
        retry = ",".join("?" for _ in RETRYABLE_OUTCOMES)
        with self.store.transaction() as c:
            cur = c.execute(
                "INSERT INTO crawl_runs (started_at, seeds, options) VALUES (?, ?, ?)",
                (_now(), json.dumps(seeds), json.dumps(options, ensure_ascii=False)),
            )
            c.execute(
                f"UPDATE crawl_frontier SET state = 'queued' WHERE site IN ({marks}) AND ("
                f"(state = 'done' AND kind IN ({kinds})) OR "
                f"(state = 'failed' AND outcome IN ({retry})) OR "
                "(state = 'failed' AND outcome = 'page-error' AND (SELECT COUNT(*) FROM "
                "fetch_log AS g WHERE g.url = crawl_frontier.url AND g.outcome = 'page-error') < ?))",
                (*sites, *REFRESHED_KINDS, *RETRYABLE_OUTCOMES, page_error_tries),
            )
            run_id = int(cur.lastrowid or 0)
        return run_id, False

    def requeue_articles(self, sites: list[str], fetched_before: str, priority: int) -> int:
        """Queue again the stored articles of `sites` last fetched before `fetched_before` (an
        ISO time), to see whether their text changed; the crawl asks for them conditionally
        with the validators their server gave (ETag, Last-Modified), so an unchanged page
        costs a 304. Aliases and duplicates are not re-checked: their article is. Returns how
        many were queued; they come after everything else queued (`priority`)."""
        marks = ",".join("?" for _ in sites) or "''"
        with self.store.transaction() as c:
            cur = c.execute(
                "UPDATE crawl_frontier SET state = 'queued', priority = ? "
                f"WHERE site IN ({marks}) AND state = 'done' AND kind = 'article' "
                "AND article_id = url AND fetched_at <= ?",
                (priority, *sites, fetched_before),
            )
            return int(cur.rowcount)

    # --- URL families (traps beyond pagers) ------------------------------------------------

    def barren_families(self, sites: Iterable[str]) -> dict[str, int]:
        """{family: pages in a row of it that were no article and brought none} of `sites`."""
        wanted = list(sites)
        marks = ",".join("?" for _ in wanted) or "''"
        return {
            str(f): int(n)
            for f, n in self.conn.execute(
                f"SELECT family, barren FROM crawl_families WHERE site IN ({marks})", wanted
            )
        }

    def count_family(self, family: str, site: str, barren: int, reason: str | None) -> None:
        """Record a family's count (0: it brought an article, forget it); `reason` once it is
        a trap, so an operator sees why its links stopped being followed."""
        with self.store.transaction() as c:
            if barren == 0:
                c.execute("DELETE FROM crawl_families WHERE family = ?", (family,))
                return
            c.execute(
                "INSERT INTO crawl_families (family, site, barren, reason, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (family) DO UPDATE SET "
                "barren = excluded.barren, reason = excluded.reason, "
                "updated_at = excluded.updated_at",
                (family, site, barren, reason, _now()),
            )

    def trap_families(self) -> list[dict[str, Any]]:
        """The families recorded as traps, with why (for reports and tests)."""
        return [
            {"family": f, "site": s, "barren": int(n), "reason": r}
            for f, s, n, r in self.conn.execute(
                "SELECT family, site, barren, reason FROM crawl_families "
                "WHERE reason IS NOT NULL ORDER BY family"
            )
        ]

    def finish_run(self, run_id: int, status: str, summary: dict[str, Any]) -> None:
        with self.store.transaction() as c:
            c.execute(
                "UPDATE crawl_runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?",
                (_now(), status, json.dumps(summary, ensure_ascii=False), run_id),
            )

    # --- the queue -----------------------------------------------------------------------

    def add(self, links: Iterable[NewLink]) -> int:
        with self.store.transaction() as c:
            return self._add(c, links)

    def _add(self, c: sqlite3.Connection, links: Iterable[NewLink]) -> int:
        added = 0
        now = _now()
        for link in links:
            cur = c.execute(
                "INSERT OR IGNORE INTO crawl_frontier (url, site, kind, depth, priority, "
                "found_on, found_at, lastmod, state, outcome, reason, chain, barren, listed_date) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    link.url,
                    link.site,
                    link.kind,
                    link.depth,
                    link.priority,
                    link.found_on,
                    now,
                    link.lastmod,
                    "skipped" if link.not_followed else "queued",
                    "not-followed" if link.not_followed else None,
                    link.not_followed,
                    link.chain,
                    link.barren,
                    link.listed_date,
                ),
            )
            if link.not_followed:
                continue  # on record, not queued
            if cur.rowcount:
                added += 1
                continue
            if link.listed_date:
                # Found on a listing first, then in a feed: the feed's date is still worth keeping.
                c.execute(
                    "UPDATE crawl_frontier SET listed_date = ? WHERE url = ? AND listed_date IS NULL",
                    (link.listed_date, link.url),
                )
            if link.lastmod:
                # A sitemap says the page changed since we stored it: fetch it again.
                cur = c.execute(
                    "UPDATE crawl_frontier SET state = 'queued', lastmod = ?, priority = ? "
                    "WHERE url = ? AND state = 'done' AND (lastmod IS NULL OR lastmod < ?)",
                    (link.lastmod, link.priority, link.url, link.lastmod),
                )
                added += cur.rowcount
        return added

    def known(self, urls: Iterable[str]) -> set[str]:
        """Which of `urls` the frontier holds already, in any state."""
        wanted = list(dict.fromkeys(urls))
        found: set[str] = set()
        for i in range(0, len(wanted), 500):  # under SQLite's limit on bound parameters
            part = wanted[i : i + 500]
            marks = ",".join("?" for _ in part)
            found.update(
                str(r[0])
                for r in self.conn.execute(
                    f"SELECT url FROM crawl_frontier WHERE url IN ({marks})", part
                )
            )
        return found

    def next_item(self, site: str) -> FrontierItem | None:
        row = self.conn.execute(
            f"SELECT {_ITEM_COLUMNS} FROM crawl_frontier WHERE state = 'queued' AND site = ? "
            "ORDER BY priority, rowid LIMIT 1",
            (site,),
        ).fetchone()
        return FrontierItem(*row) if row else None

    def queued_sites(self, sites: Iterable[str] | None = None) -> list[str]:
        rows = self.conn.execute(
            "SELECT DISTINCT site FROM crawl_frontier WHERE state = 'queued'"
        ).fetchall()
        found = [str(r[0]) for r in rows]
        if sites is None:
            return found
        wanted = set(sites)
        return [s for s in found if s in wanted]

    def queued(self, sites: Iterable[str] | None = None) -> int:
        if sites is None:
            row = self.conn.execute(
                "SELECT COUNT(*) FROM crawl_frontier WHERE state = 'queued'"
            ).fetchone()
            return int(row[0])
        wanted = list(sites)
        marks = ",".join("?" for _ in wanted) or "''"
        row = self.conn.execute(
            f"SELECT COUNT(*) FROM crawl_frontier WHERE state = 'queued' AND site IN ({marks})",
            wanted,
        ).fetchone()
        return int(row[0])

    def states(self) -> Counter[str]:
        return Counter(
            {
                str(s): int(n)
                for s, n in self.conn.execute(
                    "SELECT state, COUNT(*) FROM crawl_frontier GROUP BY state"
                )
            }
        )

    def items(self, state: str | None = None) -> list[dict[str, Any]]:
        """Frontier rows as dicts (for reports and tests)."""
        sql = f"SELECT {', '.join(FRONTIER_FIELDS)} FROM crawl_frontier"
        args: tuple[str, ...] = ()
        if state:
            sql += " WHERE state = ?"
            args = (state,)
        return [
            dict(zip(FRONTIER_FIELDS, r, strict=True))
            for r in self.conn.execute(sql + " ORDER BY rowid", args)
        ]

    # --- settling one URL ----------------------------------------------------------------

    def settle(
        self,
        run_id: int,
        item: FrontierItem,
        done: Settled,
        article: StoredArticle | None = None,
        links: Iterable[NewLink] = (),
    ) -> Settled:
        """Write what became of `item` — its article, its links, its row, the fetch log — in
        one transaction. An article whose text is already stored under another URL is not
        stored again: the outcome becomes 'duplicate', naming the other id."""
        now = _now()
        with self.store.transaction() as c:
            article_id = done.article_id or item.article_id
            if article is not None:
                before = self.store.content_hash_in(c, article.id)
                other = self.store.save_article_in(c, article)
                if other is None:
                    article_id = article.id
                    if before is None:
                        done.outcome = "stored"
                    elif before == article.content_hash:
                        done.outcome = "unchanged"
                        done.reason = "Fetched again; the text is the same."
                    else:
                        done.outcome = "updated"
                        done.reason = "The text changed; the previous one is kept as a version."
                else:
                    done.outcome = "duplicate"
                    done.reason = f"The same text is already stored as {other}."
                    article_id = other
                if article.id != item.url:
                    self._settle_final_address(c, run_id, item, done, article, article_id, now)
            self._add(c, links)
            c.execute(
                "UPDATE crawl_frontier SET state = ?, kind = COALESCE(?, kind), fetched_at = ?, "
                "run_id = ?, outcome = ?, reason = ?, http_status = ?, "
                "etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified), "
                "article_id = ?, attempts = attempts + ? WHERE url = ?",
                (
                    done.state,
                    done.kind,
                    now,
                    run_id,
                    done.outcome,
                    done.reason,
                    done.http_status,
                    done.etag,
                    done.last_modified,
                    article_id,
                    done.attempts,
                    item.url,
                ),
            )
            if done.logged:
                c.execute(
                    "INSERT INTO fetch_log (run_id, url, final_url, http_status, outcome, reason, "
                    "attempts, elapsed_ms, bytes, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        run_id,
                        item.url,
                        done.final_url,
                        done.http_status,
                        done.outcome,
                        done.reason,
                        done.attempts,
                        int(done.elapsed * 1000),
                        done.size,
                        now,
                    ),
                )
        return done

    def _settle_final_address(
        self,
        c: sqlite3.Connection,
        run_id: int,
        item: FrontierItem,
        done: Settled,
        article: StoredArticle,
        article_id: str,
        now: str,
    ) -> None:
        """The article was reached through another address (a redirect, or a page naming its
        canonical one): its own address's row records it, done, so it is not fetched again,
        and the first address stays on record as an alias of it."""
        c.execute(
            "INSERT OR IGNORE INTO crawl_frontier (url, site, kind, depth, priority, found_on, "
            "found_at, state) VALUES (?, ?, 'article', ?, ?, ?, ?, 'queued')",
            (article.id, article.site, item.depth, item.priority, item.url, now),
        )
        # The validators belong to the address that answered: the article's own when the
        # redirects ended there (not when another address served a page naming it canonical).
        own = done.final_url is not None and canonical_url(done.final_url) == article.id
        c.execute(
            "UPDATE crawl_frontier SET state = 'done', kind = 'article', fetched_at = ?, "
            "run_id = ?, outcome = ?, reason = ?, http_status = ?, article_id = ?, "
            "etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified) WHERE url = ?",
            (
                now,
                run_id,
                done.outcome,
                done.reason,
                done.http_status,
                article_id,
                done.etag if own else None,
                done.last_modified if own else None,
                article.id,
            ),
        )
        done.article_outcome = done.outcome
        done.outcome = "alias"
        done.reason = f"An alias: the article is stored under its own address, {article.id}."

    def is_done(self, url: str) -> bool:
        row = self.conn.execute("SELECT state FROM crawl_frontier WHERE url = ?", (url,)).fetchone()
        return bool(row) and row[0] == "done"

    def fetch_log(self, run_id: int | None = None) -> list[dict[str, Any]]:
        sql = f"SELECT {', '.join(FETCH_LOG_FIELDS)} FROM fetch_log"
        args: tuple[int, ...] = ()
        if run_id is not None:
            sql += " WHERE run_id = ?"
            args = (run_id,)
        return [
            dict(zip(FETCH_LOG_FIELDS, r, strict=True))
            for r in self.conn.execute(sql + " ORDER BY id", args)
        ]
