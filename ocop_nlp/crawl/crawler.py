"""`ocop crawl`: from start URLs to articles in the store, politely and incrementally.

The loop takes the next queued URL of the host that is ready soonest, fetches it through the
polite fetcher (robots.txt, per-host delay, retries), reads it as a sitemap, a feed or a page,
and settles it in the store in one transaction with the article and links it produced. Nothing
lives only in memory: a crawl killed at any point resumes from the store's frontier, and a new
run fetches again only what can change (start pages, listings, sitemaps, feeds) and what failed
for a reason that may pass.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qsl, urlsplit

from bs4 import BeautifulSoup, Tag

from ocop_nlp.config import Settings, load_settings
from ocop_nlp.errors import InputError, OcopError
from ocop_nlp.fetch.polite import FEED_TYPES, HTML_TYPES, FetchResult, PoliteFetcher
from ocop_nlp.fetch.robots import RobotsRules, robots_url, rules_for_response
from ocop_nlp.fetch.urls import canonical_url, file_kind, fold_dates_in_words, host_of
from ocop_nlp.i18n import tr
from ocop_nlp.parse.encodings import decode_bytes
from ocop_nlp.parse.feeds import parse_feed
from ocop_nlp.parse.html import html_to_article, parse_date
from ocop_nlp.parse.links import PageLinks, analyse_page
from ocop_nlp.parse.profiles import Profile, detect_profile, load_profile
from ocop_nlp.parse.sitemaps import parse_sitemap
from ocop_nlp.parse.soup import page_soup
from ocop_nlp.parse.thresholds import MIN_ARTICLE_TEXT
from ocop_nlp.parse.xmldoc import sniff_xml_kind
from ocop_nlp.progress import LiveLine
from ocop_nlp.store.db import Store, StoredArticle, open_store
from ocop_nlp.store.frontier import Frontier, FrontierItem, NewLink, Settled

log = logging.getLogger(__name__)

# Lower is fetched first. Sitemaps and feeds name many articles for one request; articles come
# before the next listing page, so a crawl cut short by --max-pages has articles, not pagers.
# Stored articles fetched again to see whether they changed come last of all.
PRIORITY = {
    "robots": 0,
    "sitemap": 0,
    "feed": 0,
    "seed": 1,
    "article": 2,
    "listing": 3,
    "page": 4,
    "recheck": 5,
}
# What a sitemap or feed may come as: the fetcher's feed types, and what some portals wrongly
# serve theirs as; the content is sniffed before it is read as XML.
XML_TYPES = (*FEED_TYPES, "application/octet-stream", "text/html")
SKIPPED_OUTCOMES = {"not-html", "robots", "off-site", "file"}
TRAP = "listing trap"  # the summary's name for listing links no longer followed
_MAX_FAMILIES = 50_000  # families counted per run (memory stays bounded on any site)
_DIGITS = re.compile(r"\d+")


def url_family(url: str) -> str | None:
    """The URL with its numbers, query values and dates in words taken out; None for a plain
    path. A date in words is a whole path segment ("thang-muoi", "thu-hai", "january-2024"), so
    an article's slug that merely holds such words keeps its family apart.

    >>> url_family("http://x.vn/lich?ngay=2024-05-01&sid=9"), url_family("http://x.vn/2024/05/")
    ('x.vn/lich?ngay&sid', 'x.vn/#/#/')
    >>> url_family("http://x.vn/lich/thang-muoi/"), url_family("http://x.vn/lich/thu-hai.htm")
    ('x.vn/lich/#/', 'x.vn/lich/#.htm')
    >>> url_family("http://x.vn/gioi-thieu.htm") is None
    True
    """
    parts = urlsplit(url)
    names = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    path = _DIGITS.sub("#", fold_dates_in_words(parts.path))
    if not names and path == parts.path:
        return None
    return f"{parts.netloc}{path}" + (f"?{'&'.join(names)}" if names else "")


@dataclass(frozen=True, slots=True)
class ChainStep:
    """Where the listings found on a page stand in their chain, and whether to follow them."""

    chain: int
    barren: int
    stop: str | None  # why they are not followed; None: follow


def listing_chain(item: FrontierItem, new_articles: int, settings: Settings) -> ChainStep:
    """The pager and archive policy: listings add no depth, so their chains are bounded here.

    A chain grows by one listing page at each listing-to-listing link. It stops once
    `crawl_max_barren_listings` listing pages in a row brought no article link new to the
    frontier (a pager answering any ?Page=N, a calendar's endless "Tháng sau"), or at
    `crawl_max_listing_chain` pages whatever they brought.
    """
    in_chain = item.kind == "listing"
    chain = (item.chain if in_chain else 0) + 1
    barren = 0 if new_articles else (item.barren if in_chain else 0) + 1
    if barren >= settings.crawl_max_barren_listings:
        return ChainStep(
            chain,
            barren,
            f"A listing trap (a pager or calendar without end): {barren} listing pages in a "
            "row brought no new article link (crawl_max_barren_listings).",
        )
    if chain > settings.crawl_max_listing_chain:
        return ChainStep(
            chain,
            barren,
            f"More than {settings.crawl_max_listing_chain:,} listing pages in one chain "
            "(crawl_max_listing_chain).",
        )
    return ChainStep(chain, barren, None)


@dataclass(slots=True)
class CrawlOptions:
    max_pages: int | None = None  # pages fetched this run; settings.crawl_max_pages when None
    max_seconds: float | None = None  # this run's length; settings.crawl_max_seconds when None
    delay: float | None = None  # per-host delay; robots.txt Crawl-delay wins when larger
    profile: str | None = None  # a packaged profile name or a .toml path; detected otherwise
    max_depth: int | None = None  # settings.crawl_max_depth when None
    allow_hosts: tuple[str, ...] = ()  # hosts beyond the start URLs' that may be crawled
    guess_sitemap: bool = True  # try /sitemap.xml when robots.txt names none
    # Stored articles fetched more than this many days ago are fetched again (conditionally);
    # settings.crawl_recheck_days when None.
    recheck_days: float | None = None


@dataclass(slots=True)
class CrawlSummary:
    run_id: int = 0
    resumed: bool = False
    sites: list[str] = field(default_factory=list)
    pages: int = 0  # URLs fetched this run (robots.txt not counted)
    requests: int = 0  # HTTP requests sent, retries and robots.txt included
    stored: int = 0  # articles new to the store
    updated: int = 0  # articles stored before whose text changed (the old text is kept)
    duplicates: int = 0  # the same text at a second URL, not stored again
    aliases: int = 0  # URLs that led to an article stored under its own address (redirects)
    unchanged: int = 0  # 304 Not Modified, or fetched again with the same text
    rechecked: int = 0  # stored articles queued again this run to see whether they changed
    listings: int = 0  # pages read for their links (listings, menus, sitemaps, feeds)
    skipped: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    queued: int = 0  # left in the frontier at the end
    seconds: float = 0.0
    stop: str = "done"  # done / max-pages / max-time / no-host / interrupted
    stop_reason: str = ""  # for a bound: which one, its value and where it is set
    closed: dict[str, str] = field(default_factory=dict)  # host -> why it was not crawled

    def line(self) -> str:
        """One paragraph for a person: what was fetched, stored, skipped and failed."""
        rate = self.pages / self.seconds if self.seconds > 0 else 0.0
        n_sites = len(self.sites)
        head = (
            tr("Resumed run {run}: fetched {pages} pages from {sites} in {seconds} s")
            if self.resumed
            else tr("Run {run}: fetched {pages} pages from {sites} in {seconds} s")
        )
        parts = [
            head.format(
                run=self.run_id,
                pages=f"{self.pages:,}",
                sites=(tr("{n} sites") if n_sites != 1 else tr("{n} site")).format(n=n_sites),
                seconds=f"{self.seconds:.1f}",
            )
            + tr(" ({rate} pages/s, {requests} requests)").format(
                rate=f"{rate:.1f}", requests=f"{self.requests:,}"
            ),
            tr("{stored} articles stored, {updated} updated, {duplicates} duplicates, "
               "{unchanged} unchanged").format(
                stored=f"{self.stored:,}",
                updated=f"{self.updated:,}",
                duplicates=f"{self.duplicates:,}",
                unchanged=f"{self.unchanged:,}",
            ),
        ]  # fmt: skip
        if self.rechecked:
            parts.append(tr("{n} stored articles re-checked").format(n=f"{self.rechecked:,}"))
        if self.aliases:
            parts.append(
                tr("{n} addresses led to an article stored under its own").format(
                    n=f"{self.aliases:,}"
                )
            )
        if self.skipped:
            parts.append(
                tr("{n} skipped ({counts})").format(
                    n=f"{sum(self.skipped.values()):,}", counts=_counts(self.skipped)
                )
            )
        if self.failed:
            parts.append(
                tr("{n} failed ({counts})").format(
                    n=f"{sum(self.failed.values()):,}", counts=_counts(self.failed)
                )
            )
        tail = tr("{n} left in the queue").format(n=f"{self.queued:,}")
        if self.stop in ("max-pages", "max-time"):
            tail += tr(" ({reason}; run again to go on)").format(reason=self.stop_reason)
        elif self.stop == "no-host":
            tail += tr(" (no host could be crawled: see why above)")
        elif self.stop == "interrupted":
            tail += tr(" (interrupted; run the same command to resume)")
        parts.append(tail)
        return "; ".join(parts) + "."

    def failure(self) -> str | None:
        """One sentence when the run as a whole failed (the CLI then exits 1); None otherwise."""
        if self.stop == "no-host":
            why = " ".join(self.closed[h] for h in sorted(self.closed))
            return tr("No host could be crawled: {why}").format(why=why)
        read = self.stored + self.updated + self.unchanged + self.duplicates + self.listings
        if self.pages > 0 and read == 0:
            return tr("Nothing could be read from these sites; see the reasons above.")
        return None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["skipped"] = dict(self.skipped)
        d["failed"] = dict(self.failed)
        return d


def _counts(c: Counter[str]) -> str:
    return ", ".join(f"{n:,} {k}" for k, n in c.most_common())


class Progress:
    """A live line on a terminal (pages, articles, queue, errors, rate); silent otherwise."""

    def __init__(self, stream: TextIO | None, live: bool | None = None) -> None:
        self.line = LiveLine(stream, live)

    def update(self, s: CrawlSummary, queued: int | Callable[[], int], force: bool = False) -> None:
        """`queued` may be a function: the queue is counted only when a line is shown."""
        if not self.line.due(force):
            return
        n = queued() if callable(queued) else queued
        rate = s.pages / self.line.elapsed()
        errors = sum(s.failed.values())
        self.line.show(
            f"{s.pages:,} pages, {s.stored + s.updated:,} articles stored, {n:,} queued, "
            f"{errors:,} errors, {rate:.1f} pages/s"
        )

    def finish(self) -> None:
        self.line.finish()


class Crawler:
    """One crawl over one store. `run(seeds)` may be called once."""

    def __init__(
        self,
        store: Store,
        settings: Settings | None = None,
        options: CrawlOptions | None = None,
        progress: TextIO | None = None,
    ) -> None:
        self.store = store
        self.settings = settings or load_settings()
        self.options = options or CrawlOptions()
        self.frontier = Frontier(store)
        self.profile: Profile | None = (
            load_profile(self.options.profile) if self.options.profile else None
        )
        # URL family -> pages in a row of it that were no article and brought none (url_family);
        # read from the store when the run starts, kept there as it changes.
        self.barren_families: dict[str, int] = {}
        self.max_depth = (
            self.options.max_depth
            if self.options.max_depth is not None
            else self.settings.crawl_max_depth
        )
        self.sites: set[str] = set()
        self.robots: dict[str, RobotsRules] = {}
        self.closed: set[str] = set()
        # One fetcher (one HTTP session) per thread; a host always uses the same one, so its
        # delay is kept by one fetcher and it never has two requests in flight.
        self.fetchers = [
            PoliteFetcher(self.settings, delay=self.options.delay, allow=self._allowed)
            for _ in range(max(1, self.settings.crawl_hosts_at_once))
        ]
        self.fetcher = self.fetchers[0]
        self._slots: dict[str, int] = {}
        self.progress = Progress(progress)
        self.summary = CrawlSummary()

    # --- scope ---------------------------------------------------------------------------

    def _allowed(self, url: str) -> bool:
        """May this URL be requested at all (redirect hops included)?"""
        site = host_of(url)
        if site not in self.sites:
            return False
        rules = self.robots.get(site)
        return rules is None or rules.allowed(url)

    def _slot(self, site: str) -> int:
        """The fetcher (and thread) that fetches `site`, given in turn to hosts as they come."""
        if site not in self._slots:
            self._slots[site] = len(self._slots) % len(self.fetchers)
        return self._slots[site]

    def _fetcher(self, site: str) -> PoliteFetcher:
        return self.fetchers[self._slot(site)]

    def _link(self, url: str, kind: str, depth: int, found_on: str | None, **kw: Any) -> NewLink:
        return NewLink(url, host_of(url), kind, depth, PRIORITY[kind], found_on, **kw)

    # --- the run -------------------------------------------------------------------------

    def run(self, seeds: Iterable[str]) -> CrawlSummary:
        start = self.started = time.monotonic()
        canon: list[str] = []
        for seed in seeds:
            c = canonical_url(seed.strip())
            if c is None:
                raise InputError(
                    f"{seed!r} is not a web address to crawl; give an http:// or https:// URL."
                )
            canon.append(c)
        if not canon:
            raise InputError("Give at least one start URL to crawl.")
        self.sites = {host_of(u) for u in canon} | {h.lower() for h in self.options.allow_hosts}
        s = self.summary
        s.sites = sorted(self.sites)
        opts = {k: v for k, v in asdict(self.options).items() if v not in (None, (), False)}
        s.run_id, s.resumed = self.frontier.open_run(
            canon, s.sites, opts, self.settings.crawl_page_error_tries
        )
        self.frontier.add(self._link(u, "seed", 0, None) for u in canon)
        if not s.resumed:
            s.rechecked = self._requeue_stale_articles()
        self.barren_families = self.frontier.barren_families(s.sites)
        try:
            self._load_all_robots(canon)
            if {host_of(u) for u in canon} <= self.closed:
                s.stop = "no-host"  # the CLI says why in its one sentence
            else:
                for site in sorted(self.closed):
                    log.warning("%s", s.closed[site])
                s.stop = self._loop()
        except KeyboardInterrupt:
            s.stop = "interrupted"
        finally:
            s.requests = sum(f.requests_sent for f in self.fetchers)
            s.seconds = time.monotonic() - start
            s.queued = self.frontier.queued(self.sites)
            self.progress.update(s, s.queued, force=True)
            self.progress.finish()
            for f in self.fetchers:
                f.close()
        if s.stop != "interrupted":
            # An interrupted run stays open: the same command resumes it.
            self.frontier.finish_run(s.run_id, s.stop, s.to_dict())
        return s

    def _requeue_stale_articles(self) -> int:
        days = self.options.recheck_days
        if days is None:
            days = self.settings.crawl_recheck_days
        before = datetime.now(UTC) - timedelta(days=max(0.0, days))
        return self.frontier.requeue_articles(
            self.summary.sites, before.isoformat(timespec="seconds"), PRIORITY["recheck"]
        )

    def _loop(self) -> str:
        s = self.summary
        max_pages = self.options.max_pages
        if max_pages is None:
            max_pages, where = self.settings.crawl_max_pages, "OCOP_CRAWL_MAX_PAGES"
        else:
            where = "--max-pages"
        max_seconds = self.options.max_seconds
        if max_seconds is None:
            max_seconds, where_time = self.settings.crawl_max_seconds, "OCOP_CRAWL_MAX_SECONDS"
        else:
            where_time = "--max-time"

        def stop(in_flight: int) -> str | None:
            if s.pages + in_flight >= max_pages:
                s.stop_reason = tr("stopped at {n} pages, the limit of one run ({where})").format(
                    n=f"{max_pages:,}", where=where
                )
                return "max-pages"
            if time.monotonic() - self.started >= max_seconds:
                s.stop_reason = tr(
                    "stopped after {duration}, the time limit of one run ({where})"
                ).format(duration=_duration(max_seconds), where=where_time)
                return "max-time"
            return None

        if len(self.fetchers) > 1 and len(self.sites - self.closed) > 1:
            return self._loop_hosts_at_once(stop)
        while True:
            if ended := stop(0):
                return ended
            # A host whose robots.txt failed keeps its queue for the next run.
            open_sites = self.sites - self.closed
            sites = self.frontier.queued_sites(open_sites)
            if not sites:
                return "done"
            # The host whose politeness delay ends first goes next: several sites interleave.
            site = min(sites, key=lambda x: self._fetcher(x).ready_at(x))
            item = self.frontier.next_item(site)
            if item is None:
                continue
            try:
                self._process(item)
            except Exception as e:  # noqa: BLE001 - one page never stops the crawl
                self._page_error(item, e)
            self.progress.update(s, lambda: self.frontier.queued(self.sites))

    def _loop_hosts_at_once(self, stop: Callable[[int], str | None]) -> str:
        """Requests to different hosts in flight together, one per fetcher (see `_slot`).

        Only the requests run in the worker threads; every page is read, and the store and the
        frontier written, here, so SQLite keeps one user and the frontier one order.
        """
        s = self.summary
        running: dict[Future[FetchResult], FrontierItem] = {}
        busy: set[int] = set()
        ended: str | None = None
        with ThreadPoolExecutor(len(self.fetchers), thread_name_prefix="ocop-fetch") as pool:
            try:
                while True:
                    ended = ended or stop(len(running))
                    settled = False
                    if ended is None:
                        sites = self.frontier.queued_sites(self.sites - self.closed)
                        for site in sorted(sites, key=lambda x: self._fetcher(x).ready_at(x)):
                            slot = self._slot(site)
                            if slot in busy or stop(len(running)):
                                continue
                            item = self.frontier.next_item(site)
                            if item is None:
                                continue
                            try:
                                if not self._to_fetch(item):
                                    settled = True
                                    continue
                            except Exception as e:  # noqa: BLE001 - one page never stops the crawl
                                self._page_error(item, e)
                                settled = True
                                continue
                            running[pool.submit(self._fetch, item)] = item
                            busy.add(slot)
                    if not running:
                        if settled and ended is None:
                            continue
                        return ended or "done"
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        item = running.pop(future)
                        busy.discard(self._slot(item.site))
                        try:
                            self._fetched(item, future.result())
                        except Exception as e:  # noqa: BLE001 - one page never stops the crawl
                            self._page_error(item, e)
                    self.progress.update(s, lambda: self.frontier.queued(self.sites))
            except KeyboardInterrupt:
                # The requests in flight end within their deadline; their pages stay queued.
                for future in running:
                    future.cancel()
                raise

    def _page_error(self, item: FrontierItem, error: Exception) -> None:
        """Record an unexpected failure on its page; the store refusing that too stops the run."""
        log.warning("%s could not be read: %r", item.url, error)
        tries = self.settings.crawl_page_error_tries
        detail = str(error).encode("utf-8", "backslashreplace").decode("utf-8")[:200]
        reason = (
            f"The page could not be read ({error.__class__.__name__}: {detail}); it is tried "
            f"again on later runs until it has failed {tries} times."
        )
        self.summary.failed["page-error"] += 1
        self.frontier.settle(
            self.summary.run_id,
            item,
            Settled("failed", "page-error", reason, attempts=1, logged=True),
        )

    def _load_all_robots(self, seeds: list[str]) -> None:
        """Every host's robots.txt before any page: hosts of different fetchers at once (20 slow
        hosts do not wait for each other's robots.txt), the hosts of one fetcher in turn."""
        turns: dict[int, list[str]] = {}
        for site in sorted(self.sites):
            turns.setdefault(self._slot(site), []).append(site)

        def fetch_in_turn(sites: list[str]) -> list[tuple[str, str, FetchResult]]:
            return [(site, *self._fetch_robots(site, seeds)) for site in sites]

        if len(turns) == 1:
            fetched = fetch_in_turn(next(iter(turns.values())))
        else:
            with ThreadPoolExecutor(len(turns), thread_name_prefix="ocop-robots") as pool:
                fetched = [x for got in pool.map(fetch_in_turn, turns.values()) for x in got]
        # Read and recorded here, in the hosts' order: one SQLite user, the same queue order.
        for site, url, r in sorted(fetched, key=lambda x: x[0]):
            self._load_robots(site, url, r)

    def _fetch_robots(self, site: str, seeds: list[str]) -> tuple[str, FetchResult]:
        # The first start URL on this host gives the scheme; an --allow-host alone gets http.
        url = robots_url(next((u for u in seeds if host_of(u) == site), f"http://{site}/"))
        # Any type is read as robots.txt: a server's odd Content-Type is no reason to give up.
        return url, self._fetcher(site).fetch(url, accept=("text/plain", "*/*"))

    def _load_robots(self, site: str, url: str, r: FetchResult) -> None:
        fetcher = self._fetcher(site)
        rules = rules_for_response(r.status, r.body, fetcher.user_agent, url=url, reason=r.reason)
        if rules.denied_reason:
            self.closed.add(site)
            self.summary.closed[site] = rules.denied_reason
            self.summary.skipped["host whose robots.txt failed"] += 1
        self.robots[site] = rules
        delay = self.options.delay if self.options.delay is not None else self.settings.crawl_delay
        longest = self.settings.crawl_max_retry_after
        if (
            rules.crawl_delay is not None
            and rules.crawl_delay > longest
            and not rules.denied_reason
        ):
            # Waiting that long between requests would stall the run: honour it by not coming.
            self.closed.add(site)
            self.summary.closed[site] = (
                f"{url} asks for {rules.crawl_delay:,.0f} seconds between requests (Crawl-delay), "
                f"longer than crawl_max_retry_after ({longest:g} s), so the host is not crawled "
                "this run."
            )
            self.summary.skipped["host whose Crawl-delay is too long"] += 1
        elif rules.crawl_delay is not None and rules.crawl_delay > delay:
            fetcher.set_delay(site, rules.crawl_delay)
        links = [self._link(u, "sitemap", 0, url) for u in _canon_all(rules.sitemaps)]
        if not links and self.options.guess_sitemap:
            links.append(
                self._link(url.removesuffix("robots.txt") + "sitemap.xml", "sitemap", 0, url)
            )
        self.frontier.add(link for link in links if host_of(link.url) in self.sites)

    # --- one URL -------------------------------------------------------------------------

    def _process(self, item: FrontierItem) -> None:
        if self._to_fetch(item):
            self._fetched(item, self._fetch(item))

    def _to_fetch(self, item: FrontierItem) -> bool:
        """False when `item` is settled without a request (robots, files, depth, traps)."""
        rules = self.robots.get(item.site)
        if rules is not None and not rules.allowed(item.url):
            self._skip(item, "robots", "robots.txt disallows this URL for our User-Agent.")
            return False
        kind = file_kind(item.url)
        if kind is not None:
            self._skip(item, "file", f"A {kind} file, not a page.")
            return False
        if item.depth > self.max_depth:
            self._skip(item, "too-deep", f"More than {self.max_depth} links from a start URL.")
            return False
        # Listings have their own chains (listing_chain); other pages are bounded by family.
        if item.kind == "page" and (why := self._family_trap(item.url)):
            self._skip(item, "url-trap", why)
            return False
        return True

    def _fetch(self, item: FrontierItem) -> FetchResult:
        """The request alone: run in a worker thread when several hosts are fetched at once."""
        xml = item.kind in ("sitemap", "feed")
        return self._fetcher(item.site).fetch(
            item.url,
            etag=item.etag,
            last_modified=item.last_modified,
            accept=XML_TYPES if xml else HTML_TYPES,
        )

    def _fetched(self, item: FrontierItem, r: FetchResult) -> None:
        """Read and store what came back: always on the crawl's own thread (one SQLite user)."""
        s = self.summary
        xml = item.kind in ("sitemap", "feed")
        s.pages += 1
        if r.outcome == "not-modified":
            s.unchanged += 1
            self._settle(item, r, "done", "not-modified")
            return
        if not r.ok or r.body is None:
            if item.kind == "sitemap" and item.found_on and item.found_on.endswith("robots.txt"):
                # A guessed /sitemap.xml that is not there is normal, not an error.
                self._settle(item, r, "skipped", "no-sitemap", r.reason)
                s.skipped["no sitemap"] += 1
                return
            state = "skipped" if r.outcome in SKIPPED_OUTCOMES else "failed"
            (s.skipped if state == "skipped" else s.failed)[r.outcome] += 1
            self._settle(item, r, state, r.outcome, r.reason)
            return
        try:
            if xml or sniff_xml_kind(r.body[:2048]) is not None:
                self._read_xml(item, r)
            else:
                self._read_page(item, r)
        except OcopError as e:
            # One bad page never stops the crawl: it is recorded with the reason and skipped.
            s.failed["unreadable"] += 1
            self._settle(item, r, "failed", "unreadable", str(e))

    def _read_xml(self, item: FrontierItem, r: FetchResult) -> None:
        body = r.body or b""
        what = sniff_xml_kind(body[:4096]) or ("feed" if item.kind == "feed" else None)
        if what is None:
            # Not XML after all: a sitemap URL that answers with a page.
            if body.lstrip()[:1] == b"<" and item.kind != "sitemap":
                self._read_page(item, r)
                return
            self.summary.skipped["not a sitemap"] += 1
            self._settle(item, r, "skipped", "not-xml", "Neither a sitemap nor a feed.")
            return
        links: list[NewLink] = []
        if what in ("sitemap", "sitemapindex"):
            entries, children = parse_sitemap(body)
            # Sitemaps add no depth either: an index of indexes without end stops here.
            nested = (item.chain if item.kind == "sitemap" else 0) + 1
            too_deep = (
                f"More than {self.settings.crawl_max_listing_chain:,} sitemap indexes nested "
                "(crawl_max_listing_chain)."
                if nested > self.settings.crawl_max_listing_chain
                else None
            )
            for child in _canon_all(children):
                links.append(
                    self._link(
                        child, "sitemap", item.depth, item.url, chain=nested, not_followed=too_deep
                    )
                )
            for e in entries:
                u = canonical_url(e.url)
                if u:
                    links.append(
                        self._link(
                            u,
                            "article",
                            item.depth,
                            item.url,
                            lastmod=e.lastmod,
                            listed_date=parse_date(e.published) if e.published else None,
                        )
                    )
        else:
            for f in parse_feed(body):
                u = canonical_url(f.url)
                if u:
                    links.append(
                        self._link(u, "article", item.depth, item.url, listed_date=f.published)
                    )
        self.summary.listings += 1
        self._settle(item, r, "done", what, kind=item.kind, links=self._in_scope(links))

    def _read_page(self, item: FrontierItem, r: FetchResult) -> None:
        s = self.summary
        html, _warnings = decode_bytes(r.body or b"", r.charset)
        url = canonical_url(r.final_url) or item.url
        profile = self.profile or detect_profile(html, url)
        # Parsed once, within the parse budget: for the links, then the article.
        soup = page_soup(html)
        page: PageLinks = analyse_page(html, url, profile, soup)
        self._count_family(item, page)
        links = self._links_of(item, page)
        if page.kind == "article":
            # The article's own address: where the redirects ended, or the canonical address
            # the page names on the same site. The address that led here becomes its alias.
            url = _same_site_canonical(soup, url) or url
            if url != item.url and self.frontier.is_done(url) and self.store.has_article(url):
                s.aliases += 1
                done = Settled(
                    state="done",
                    outcome="alias",
                    reason=f"An alias: the article is stored under its own address, {url}.",
                    kind="article",
                    http_status=r.status,
                    final_url=r.final_url,
                    attempts=r.attempts,
                    elapsed=r.elapsed,
                    size=len(r.body or b""),
                    article_id=url,
                )
                self.frontier.settle(s.run_id, item, done, None, links)
                return
        if page.kind != "article":
            s.listings += 1
            kind = "listing" if page.kind == "listing" else "page"
            self._settle(item, r, "done", page.kind, page.why, kind=kind, links=links)
            return
        selectors = profile.article_selectors() if profile is not None else None
        art = html_to_article(html, url, selectors, soup)
        text = _nfc(art.text) or ""
        if len(text.strip()) < MIN_ARTICLE_TEXT:
            s.skipped["no article text"] += 1
            self._settle(
                item,
                r,
                "skipped",
                "no-text",
                f"Only {len(text.strip())} characters of article text (a stub or a menu page).",
                kind="page",
                links=links,
            )
            return
        stored = StoredArticle(
            id=url,
            text=text,
            url=url,
            canonical_url=url,
            site=host_of(url),
            title=_nfc(art.title),
            # The page's date, else the one the sitemap or feed that listed it gives: the news
            # sitemap's publication date or the feed item's date, then the sitemap's lastmod.
            published=art.published
            or item.listed_date
            or (parse_date(item.lastmod) if item.lastmod else None),
            author=_nfc(art.author),
            raw_html=r.body,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            http_status=r.status,
            etag=r.etag,
            last_modified=r.last_modified,
        )
        # The store tells stored, updated (the old text kept), unchanged and duplicate apart.
        done = self._settle(item, r, "done", "stored", kind="article", links=links, article=stored)
        if done.outcome == "alias":
            s.aliases += 1
        outcome = done.article_outcome or done.outcome
        if outcome == "duplicate":
            s.duplicates += 1
        elif outcome == "updated":
            s.updated += 1
        elif outcome == "unchanged":
            s.unchanged += 1
        else:
            s.stored += 1

    def _links_of(self, item: FrontierItem, page: PageLinks) -> list[NewLink]:
        deeper = item.depth + 1
        links = [self._link(u, "feed", item.depth, item.url) for u in page.feeds]
        links += [self._link(u, "article", deeper, item.url) for u in page.article_links]
        # Pagers do not add depth: page 40 of an archive is as close to the start as page 2;
        # their chains are bounded by `listing_chain` instead.
        if page.listing_links:
            known = self.frontier.known([*page.article_links, *page.listing_links])
            new_articles = sum(1 for u in set(page.article_links) if u not in known)
            step = listing_chain(item, new_articles, self.settings)
            if step.stop:
                self.summary.skipped[TRAP] += sum(
                    1 for u in set(page.listing_links) if u not in known
                )
            links += [
                self._link(
                    u,
                    "listing",
                    item.depth,
                    item.url,
                    chain=step.chain,
                    barren=step.barren,
                    not_followed=step.stop,
                )
                for u in page.listing_links
            ]
        links += [self._link(u, "page", deeper, item.url) for u in page.other_links]
        # Same-site links left out (files, contact and calendar pages) are recorded with why.
        links += [
            self._link(u, "page", deeper, item.url, not_followed=why)
            for u, why in page.skipped
            if host_of(u) in self.sites
        ]
        # Recorded with why, not queued (the summary counts those already queued, when skipped).
        for link in links:
            if (
                link.kind == "page"
                and not link.not_followed
                and (why := self._family_trap(link.url))
            ):
                link.not_followed = why
        return [
            link
            for link in self._in_scope(links)
            if link.depth <= self.max_depth or link.kind in ("listing", "feed")
        ]

    def _count_family(self, item: FrontierItem, page: PageLinks) -> None:
        """One more page in a row of its URL family that is no article and brings none new."""
        family = url_family(item.url)
        if family is None:
            return
        fresh = page.kind == "article" or bool(
            set(page.article_links) - self.frontier.known(page.article_links)
        )
        if fresh:
            if self.barren_families.pop(family, None) is not None:
                self.frontier.count_family(family, item.site, 0, None)
        elif family in self.barren_families or len(self.barren_families) < _MAX_FAMILIES:
            n = self.barren_families[family] = self.barren_families.get(family, 0) + 1
            # Kept in the store with the reason once it is a trap: a resumed or later run
            # does not walk the same trap again.
            self.frontier.count_family(family, item.site, n, self._trap_reason(family, n))

    def _family_trap(self, url: str) -> str | None:
        """Why links of `url`'s family are no longer followed, or None."""
        family = url_family(url)
        n = self.barren_families.get(family, 0) if family else 0
        return self._trap_reason(family, n) if family else None

    def _trap_reason(self, family: str, n: int) -> str | None:
        if n < self.settings.crawl_max_barren_family:
            return None
        return (
            f"A URL trap (filters, session ids, date archives): {n} pages in a row at {family} "
            "with new numbers, query values or dates in words brought no article "
            "(crawl_max_barren_family)."
        )

    def _in_scope(self, links: list[NewLink]) -> list[NewLink]:
        return [
            link
            for link in links
            if link.site in self.sites and (link.not_followed or not file_kind(link.url))
        ]

    # --- writing -------------------------------------------------------------------------

    def _skip(self, item: FrontierItem, outcome: str, reason: str) -> None:
        self.summary.skipped[outcome] += 1
        self.frontier.settle(
            self.summary.run_id,
            item,
            Settled("skipped", outcome, reason, attempts=0, logged=False),
        )

    def _settle(
        self,
        item: FrontierItem,
        r: FetchResult,
        state: str,
        outcome: str,
        reason: str | None = None,
        *,
        kind: str | None = None,
        links: list[NewLink] | None = None,
        article: StoredArticle | None = None,
    ) -> Settled:
        done = Settled(
            state=state,
            outcome=outcome,
            reason=reason,
            kind=kind,
            http_status=r.status,
            final_url=r.final_url,
            etag=r.etag,
            last_modified=r.last_modified,
            attempts=r.attempts,
            elapsed=r.elapsed,
            size=len(r.body or b""),
        )
        return self.frontier.settle(self.summary.run_id, item, done, article, links or ())


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:g} h"
    if seconds >= 60:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


def _canon_all(urls: Iterable[str]) -> list[str]:
    out = []
    for u in urls:
        c = canonical_url(u)
        if c:
            out.append(c)
    return out


def _same_site_canonical(soup: BeautifulSoup, url: str) -> str | None:
    """The page's <link rel=canonical> when it names another address on the same site.

    A canonical on another host (a syndicated copy) or the site's front page (a CMS that puts
    its home page there on every page) is not the article's address.
    """
    link = soup.find("link", rel="canonical", href=True)
    if not isinstance(link, Tag):
        return None
    canon = canonical_url(str(link["href"]), base=url)
    if not canon or canon == url or host_of(canon) != host_of(url):
        return None
    if urlsplit(canon).path in ("", "/"):
        return None
    return canon


def _nfc(text: str | None) -> str | None:
    return unicodedata.normalize("NFC", text) if text is not None else None


def crawl(
    seeds: Iterable[str],
    db: str | Path,
    *,
    options: CrawlOptions | None = None,
    settings: Settings | None = None,
    progress: TextIO | None = sys.stderr,
) -> CrawlSummary:
    """Crawl from `seeds` into the store at `db` (created when new); see `Crawler`."""
    with open_store(db) as store:
        return Crawler(store, settings, options, progress).run(seeds)
