"""A newspaper on its own CMS, crawled end to end: dates and bylines on every article however
the page prints them, print versions and tracking parameters never stored twice, the Windows-1258
article read like the others."""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections import Counter
from datetime import datetime, timedelta

import pytest
from fixture_sites import (
    CMS_PAPER_NAME,
    FixtureServer,
    Route,
    cms_paper_site,
    newspaper_site,
    portal_site,
)
from test_crawl import _articles, _flat, _frontier, crawl_fixture, fast_settings

from ocop_nlp.crawl.crawler import CrawlOptions, crawl, url_family
from ocop_nlp.store import open_store


@pytest.fixture(scope="module")
def cms_crawl(tmp_path_factory):
    site = cms_paper_site(20)
    db = tmp_path_factory.mktemp("cms") / "cms.db"
    with FixtureServer(site) as server:
        summary = crawl_fixture([server.url("/")], db)
        paths = [r.path for r in server.log]
    return site, server, db, summary, paths


def test_every_article_is_stored_once_with_its_date_and_byline(cms_crawl):
    site, server, db, summary, _ = cms_crawl
    stored = _articles(db)
    assert summary.stored == len(site.articles) == len(stored)
    for path, e in site.articles.items():
        a = stored.get(server.url(path))
        assert a is not None, f"{path} was not stored"
        assert _flat(a["title"]) == _flat(e.title), path
        assert a["published"] == e.published, path  # never the header's clock (07/12/2026)
        assert _flat(a["author"]) == _flat(e.author), (
            path
        )  # never the paper, a commenter or a teaser
        for para in e.text.split("\n"):
            assert _flat(para) in _flat(a["text"]), (path, para[:40])
        assert unicodedata.is_normalized("NFC", a["text"])
        assert "Tóm tắt tin khác" not in a["text"] and "Bạn đọc" not in a["text"]
        assert CMS_PAPER_NAME not in (a["author"] or "")


def test_print_versions_and_tracking_parameters_are_not_stored_twice(cms_crawl):
    site, server, db, summary, paths = cms_crawl
    rows = _frontier(db)
    assert not [u for u in rows if "utm_" in u]
    assert not [p for p in paths if "utm_" in p]
    printed = [u for u in rows if "/print/" in u]
    stored = _articles(db)
    assert not [u for u in printed if u in stored]
    for u in printed:
        assert rows[u]["outcome"] in ("duplicate", "skipped", "not-followed"), (
            u,
            rows[u]["outcome"],
        )
    # No share-button address is fetched: it is on another host.
    assert not [p for p in paths if "sharer" in p]


def _with_front_links(site, hrefs: list[str]) -> None:
    """Links at the top of the home page."""
    home = site.routes["/"]
    extra = "".join(f'<a href="{h}">Bài {i}</a>' for i, h in enumerate(hrefs)).encode()
    home.body = home.body.replace(b'<main class="main">', b'<main class="main">' + extra, 1)


@pytest.mark.parametrize("old_first", [True, False])
def test_an_article_is_stored_under_its_final_address_and_the_first_is_its_alias(
    tmp_path, old_first
):
    """An old address redirecting 301 then 302 to the article, and a second address serving the
    article's page, which names its canonical one. Either way round, the article is stored once,
    under its own address, and the others are aliases of it, not duplicates."""
    site = cms_paper_site(6)
    real = site.news[0]
    site.add_redirect("/tin-cu/bai-cu.aspx", "/chuyen-tiep/bai.htm", 301)
    site.add_redirect("/chuyen-tiep/bai.htm", real, 302)
    site.add("/tin/5.htm", site.routes[real], "article")  # same page, rel=canonical to `real`
    _with_front_links(site, ["/tin-cu/bai-cu.aspx", "/tin/5.htm"])
    db = tmp_path / "alias.db"
    with FixtureServer(site) as server:
        # The crawler picks pages that read as articles first; the seed sets which comes first.
        first = server.url("/tin-cu/bai-cu.aspx" if old_first else real)
        s = crawl_fixture([first, server.url("/")], db)
        real_hits = sum(1 for r in server.log if r.path == real)
    stored = _articles(db)
    assert s.stored == len(site.articles) == len(stored)
    assert s.duplicates == 0 and s.aliases == 2
    assert server.url(real) in stored and server.url("/tin-cu/bai-cu.aspx") not in stored
    rows = _frontier(db)
    for alias in ("/tin-cu/bai-cu.aspx", "/tin/5.htm"):
        row = rows[server.url(alias)]
        assert (row["outcome"], row["article_id"]) == ("alias", server.url(real)), alias
    assert rows[server.url(real)]["outcome"] == "stored"
    with open_store(db) as st:
        assert st.get_article(server.url(real)).url == server.url(real)
    # Reached through the redirect first, the article's own address is not fetched again; the
    # other way round, the redirect is followed to it (nothing tells where it leads before).
    assert real_hits == (1 if old_first else 2)


def test_a_url_family_that_brings_no_article_stops_being_followed(tmp_path):
    """A photo library whose every page links 25 more albums (?album=N, then ?album=N&anh=M), and
    a session id in the address of an event list: new query values on every page, no article.
    Each family is followed `crawl_max_barren_family` pages in a row, then recorded as a trap."""
    site = cms_paper_site(6)

    def album(record):
        n = int(record.path.split("album=")[1].split("&")[0])
        links = "".join(
            f'<li><a href="/thu-vien-anh.htm?album={n * 25 + i}">Album {n * 25 + i}</a></li>'
            for i in range(25)
        )
        pics = "".join(
            f'<a href="/thu-vien-anh.htm?album={n}&anh={j}">Ảnh {j}</a>' for j in range(25)
        )
        return (
            f"<html><head><title>Album {n}</title></head><body><h1>Thư viện ảnh</h1>"
            f"<ul>{links}</ul><div>{pics}</div></body></html>"
        ).encode()

    def events(record):
        sid = record.path.split("sid=")[1]
        return (
            "<html><body><h1>Sự kiện</h1>"
            + "".join(f'<a href="/su-kien.htm?sid={sid}{k}&ky={k}">Kỳ {k}</a> ' for k in range(8))
            + "</body></html>"
        ).encode()

    site.add("/thu-vien-anh.htm", Route(body=album), "other")
    site.add("/su-kien.htm", Route(body=events), "other")
    _with_front_links(site, ["/thu-vien-anh.htm?album=1", "/su-kien.htm?sid=a1&ky=0"])
    db = tmp_path / "trap.db"
    settings = fast_settings(crawl_max_barren_family=5, crawl_max_depth=6)
    with FixtureServer(site) as server:
        s = crawl(
            [server.url("/")], db, options=CrawlOptions(delay=0.0), settings=settings, progress=None
        )
        album_hits = [r.path for r in server.log if r.path.startswith("/thu-vien-anh")]
        event_hits = [r.path for r in server.log if r.path.startswith("/su-kien")]
    assert s.stored == len(site.articles)
    # Three families (album=, album=&anh=, sid=&ky=): at most 5 pages in a row each. Without the
    # rule the crawl goes on to depth 6: hundreds of album pages.
    assert len(album_hits) <= 2 * 5, album_hits
    assert len(event_hits) <= 5, event_hits
    rows = _frontier(db)
    trapped = [
        r
        for u, r in rows.items()
        if "thu-vien-anh" in u and r["reason"] and "URL trap" in r["reason"]
    ]
    assert len(trapped) >= 20
    assert "thu-vien-anh.htm?album" in trapped[0]["reason"]


_WEEKDAYS = ["thu-hai", "thu-ba", "thu-tu", "thu-nam", "thu-sau", "thu-bay", "chu-nhat"]
_MONTHS = [
    "mot",
    "hai",
    "ba",
    "tu",
    "nam",
    "sau",
    "bay",
    "tam",
    "chin",
    "muoi",
    "muoi-mot",
    "muoi-hai",
]


def _calendar_in_words(site, days: int) -> list[str]:
    """A news archive whose day pages are named in words ("thu-hai-ngay-4-thang-muoi-mot"),
    each linking the six days after it: no number or query value tells one family apart."""
    first = datetime(2024, 10, 1)
    paths = []
    for k in range(days):
        d = first + timedelta(days=k)
        paths.append(
            f"/tin-theo-ngay/{_WEEKDAYS[d.weekday()]}-ngay-{d.day}-thang-{_MONTHS[d.month - 1]}"
        )
    for k, path in enumerate(paths):
        links = "".join(
            f'<li><a href="{p}">Ngày {j + 1}</a></li>' for j, p in enumerate(paths[k + 1 : k + 7])
        )
        site.add_html(
            path,
            f"<html><head><title>Tin theo ngày</title></head><body><h1>Tin theo ngày</h1>"
            f"<p>Chưa có tin trong ngày này.</p><ul>{links}</ul></body></html>",
            "other",
        )
    return paths


def test_an_archive_paging_by_dates_in_words_is_one_url_family_and_a_trap(tmp_path):
    site = cms_paper_site(6)
    paths = _calendar_in_words(site, 90)
    _with_front_links(site, [paths[0]])
    settings = fast_settings(crawl_max_barren_family=5, crawl_max_depth=40)
    with FixtureServer(site) as server:
        s = crawl(
            [server.url("/")],
            tmp_path / "ngay.db",
            options=CrawlOptions(delay=0.0),
            settings=settings,
            progress=None,
        )
        hits = [r.path for r in server.log if r.path.startswith("/tin-theo-ngay/")]
    assert s.stored == len(site.articles)
    # Weekday and month words fold like numbers: one family, 5 pages, not 90 days of them.
    assert len(hits) <= 5, hits
    reasons = {
        r["reason"] for u, r in _frontier(tmp_path / "ngay.db").items() if "/tin-theo-ngay/" in u
    }
    assert any(r and "URL trap" in r and "tin-theo-ngay/#" in r for r in reasons), reasons


def test_dates_in_words_never_merge_two_article_slugs_of_the_fixture_sites():
    """Every article address of the fixture sites keeps the family it had by numbers alone: two
    articles share one only when their addresses differ by numbers."""
    for site in (cms_paper_site(20), newspaper_site(30), portal_site()):
        families: dict[str, set[str]] = {}
        for path in site.articles:
            if (family := url_family(f"http://x.vn{path}")) is not None:
                families.setdefault(family, set()).add(re.sub(r"\d+", "#", path))
        merged = {f: p for f, p in families.items() if len(p) > 1}
        assert not merged, (site.name, merged)


SLOW = 0.4  # seconds each page of the slow hosts takes to answer


def _slow_hosts(n: int, articles: int = 4):
    sites = []
    for i in range(n):
        site = cms_paper_site(articles, first_text=articles * i)
        site.add("/sitemap.xml", Route(status=404, body=b"none"), "sitemap")
        for route in site.routes.values():
            route.delay_before_headers = SLOW
        sites.append(site)
    return sites


class InFlight:
    """Requests being answered right now, over all the fixture servers and per host: every
    answer takes `seconds`, counted while the server holds it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.lock = threading.Lock()
        self.now: Counter[str] = Counter()
        self.peak = 0
        self.peak_per_host = 0
        self.fetch_threads = 0

    def slow_down(self, site, host: str) -> None:
        for route in site.routes.values():
            route.body = self._held(route, host)

    def _held(self, route: Route, host: str):
        def render(record):
            with self.lock:
                self.now[host] += 1
                self.peak = max(self.peak, sum(self.now.values()))
                self.peak_per_host = max(self.peak_per_host, self.now[host])
                # The crawl's fetch threads (its deadline watchdog aside).
                workers = [t for t in threading.enumerate() if t.name.startswith("ocop-fetch_")]
                self.fetch_threads = max(self.fetch_threads, len(workers))
            try:
                time.sleep(self.seconds)
                return inner(record) if callable(inner) else inner
            finally:
                with self.lock:
                    self.now[host] -= 1

        inner = route.body
        return render


@pytest.mark.parametrize("n_hosts", [4, 20])
def test_several_hosts_are_fetched_at_once_each_one_request_at_a_time(tmp_path, n_hosts):
    """Slow local hosts (127.0.0.1 on n ports), 4 fetched at once. At most 4 requests are ever
    being answered together, whatever the number of hosts, and at least 2 (they overlap); no
    host ever has two; each host's requests are spaced by the answer and its own delay; and
    the crawl runs on 4 fetch threads for 4 hosts as for 20: what grows with the hosts is the
    queue in the store, not the threads. The speedup is measured by bench/bench_hosts.py."""
    slow, delay = 0.1, 0.05
    sites = [cms_paper_site(2, first_text=2 * i) for i in range(n_hosts)]
    servers = [FixtureServer(site) for site in sites]
    gauge = InFlight(slow)
    for site, server in zip(sites, servers, strict=True):
        site.add("/sitemap.xml", Route(status=404, body=b"none"), "sitemap")
        gauge.slow_down(site, server.host)
        server.start()
    try:
        s = crawl(
            [server.url("/") for server in servers],
            tmp_path / "many.db",
            options=CrawlOptions(delay=delay),
            settings=fast_settings(fetch_timeout=5.0, crawl_hosts_at_once=4),
            progress=None,
        )
        logs = [list(server.log) for server in servers]
    finally:
        for server in servers:
            server.stop()
    assert s.stored == sum(len(site.articles) for site in sites)
    assert sum(len(log) for log in logs) >= 6 * n_hosts
    assert 2 <= gauge.peak <= 4, gauge.peak
    assert gauge.peak_per_host == 1
    assert 1 <= gauge.fetch_threads <= 4
    for log in logs:
        starts = sorted(r.time for r in log)
        # The next request to a host comes after the answer and the host's delay.
        gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
        assert min(gaps) >= slow + delay - 0.03, gaps


def test_one_host_at_a_time_when_so_set(tmp_path):
    sites = _slow_hosts(2, articles=2)
    servers = [FixtureServer(site) for site in sites]
    for server in servers:
        server.start()
    try:
        s = crawl(
            [server.url("/") for server in servers],
            tmp_path / "one.db",
            options=CrawlOptions(delay=0.0),
            settings=fast_settings(fetch_timeout=5.0, crawl_hosts_at_once=1),
            progress=None,
        )
        starts = sorted(r.time for server in servers for r in server.log)
    finally:
        for server in servers:
            server.stop()
    assert s.stored == sum(len(site.articles) for site in sites)
    # Never two requests in flight, whatever the host.
    assert min(b - a for a, b in zip(starts, starts[1:], strict=False)) >= SLOW - 0.05


def test_four_fetch_threads_settle_every_url_as_one_at_a_time_does(tmp_path):
    """The portal with its faults (unreadable pages, duplicates, redirects, stubs), crawled one
    request at a time and with 4 fetch threads: the same articles, the same outcome per URL."""
    runs = []
    for at_once in (1, 4):
        site = portal_site(12)
        db = tmp_path / f"at{at_once}.db"
        with FixtureServer(site) as server:
            crawl(
                [server.url("/")],
                db,
                options=CrawlOptions(delay=0.0),
                settings=fast_settings(crawl_hosts_at_once=at_once),
                progress=None,
            )
            base = server.url("/")
        rows = _frontier(db)
        outcomes = {u.replace(base, "/"): (r["state"], r["outcome"]) for u, r in rows.items()}
        articles = {
            u.replace(base, "/"): (a["title"], a["published"], a["author"], a["text"])
            for u, a in _articles(db).items()
        }
        runs.append((outcomes, articles))
    (one, one_articles), (four, four_articles) = runs
    assert one_articles and one_articles == four_articles
    assert one == four


def test_a_page_without_a_date_takes_its_sitemap_date(tmp_path):
    """No date on the page, none in its address: the sitemap's lastmod is the date."""
    site = cms_paper_site(4)
    real = site.news[0]
    html = site.routes[real].body.decode("utf-8")
    shown = r'<div class="article__meta">.*?</div>|<div class="ngay-dang">.*?</div>'
    undated = re.sub(shown + r'|<script type="application/ld\+json">.*?</script>', "", html)
    undated = undated.replace(real, "/tin/bai-khong-ngay.htm")
    site.add_html("/tin/bai-khong-ngay.htm", undated.replace("<p>", "<p>Bản mới. ", 1), "article")

    def sitemap(record):
        return (
            '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/'
            f'sitemap/0.9"><url><loc>{record.base_url}/tin/bai-khong-ngay.htm</loc>'
            "<lastmod>2024-05-06T09:00:00+07:00</lastmod></url></urlset>"
        ).encode()

    site.add("/sitemap.xml", Route(body=sitemap, content_type="application/xml"), "sitemap")
    db = tmp_path / "nodate.db"
    with FixtureServer(site) as server:
        crawl_fixture([server.url("/")], db)
        url = server.url("/tin/bai-khong-ngay.htm")
    assert _articles(db)[url]["published"] == "2024-05-06"
