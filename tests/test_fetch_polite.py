"""Canonical URLs, robots.txt and the polite fetcher, against real fixture servers on 127.0.0.1."""

from __future__ import annotations

import gzip
import socket

import pytest
from fixture_sites import (
    SLOW_SECONDS,
    FixtureServer,
    RequestRecord,
    Route,
    Site,
    newspaper_site,
    portal_site,
)

from ocop_nlp.config import load_settings, user_agent
from ocop_nlp.fetch.polite import FEED_TYPES, PoliteFetcher, parse_retry_after
from ocop_nlp.fetch.robots import RobotsRules, parse_robots, robots_url, rules_for_response
from ocop_nlp.fetch.urls import canonical_url, file_kind, host_of, same_host
from ocop_nlp.parse.encodings import decode_bytes

DELAY = 0.15
BACKOFF = 0.1
RETRIES = 2
TIMEOUT = 0.6
SLACK = 0.02  # the server stamps arrival a little after the client's clock says "sent"


def settings(**kw):
    base = dict(
        crawl_delay=DELAY,
        crawl_backoff=BACKOFF,
        crawl_retries=RETRIES,
        fetch_timeout=TIMEOUT,
        contact="webmaster-contact@example.org",
    )
    base.update(kw)
    return load_settings(**base)


def gaps(records: list[RequestRecord]) -> list[float]:
    return [b.time - a.time for a, b in zip(records, records[1:], strict=False)]


@pytest.fixture(scope="module")
def portal() -> Site:
    return portal_site(36, faults=True)


@pytest.fixture
def server(portal):
    with FixtureServer(portal) as srv:
        yield srv


@pytest.fixture
def fetcher():
    f = PoliteFetcher(settings())
    yield f
    f.close()


# --- canonical URLs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("HTTP://Backan.GOV.vn:80/a", None, "http://backan.gov.vn/a"),
        ("https://backan.gov.vn:443", None, "https://backan.gov.vn/"),
        ("http://backan.gov.vn:8080/a", None, "http://backan.gov.vn:8080/a"),
        (
            "/tin-tuc/Pages/default.aspx?Page=2",
            "http://x.vn/",
            "http://x.vn/tin-tuc/Pages/default.aspx?Page=2",
        ),
        (
            "?Page=3",
            "http://x.vn/tin-tuc/Pages/default.aspx?Page=2",
            "http://x.vn/tin-tuc/Pages/default.aspx?Page=3",
        ),
        (
            "http://x.vn/a?utm_source=zalo&id=5&fbclid=ab&zarsrc=30&gidzl=q",
            None,
            "http://x.vn/a?id=5",
        ),
        ("http://x.vn/a?UTM_Medium=x&_ga=1&gclid=2&mc_cid=3&mc_eid=4", None, "http://x.vn/a"),
        ("http://x.vn/a?b=2&a=1", None, "http://x.vn/a?b=2&a=1"),
        ("http://x.vn/a#binh-luan", None, "http://x.vn/a"),
        ("http://x.vn/tin tuc", None, "http://x.vn/tin%20tuc"),
        ("http://x.vn/tin%20tuc", None, "http://x.vn/tin%20tuc"),
        ("http://x.vn/tin-tức", None, "http://x.vn/tin-t%E1%BB%A9c"),
        ("http://x.vn/tin-t%e1%bb%a9c", None, "http://x.vn/tin-t%E1%BB%A9c"),
        ("http://x.vn/%7Euser/a%2Fb", None, "http://x.vn/~user/a%2Fb"),
        ("http://x.vn/a/./b/../c/", None, "http://x.vn/a/c/"),
        ("../../Pages/b.aspx", "http://x.vn/tin-tuc/Lists/x.aspx", "http://x.vn/Pages/b.aspx"),
        ("http://x.vn/../a", None, "http://x.vn/a"),
        ("//cdn.x.vn/a.js", "https://x.vn/", "https://cdn.x.vn/a.js"),
        ("  /a\n/b\t ", "http://x.vn/", "http://x.vn/a/b"),
        ("mailto:banbientap@x.vn", "http://x.vn/", None),
        ("javascript:__doPostBack()", "http://x.vn/", None),
        ("tel:02093870000", "http://x.vn/", None),
        ("data:text/html,hi", None, None),
        ("#mainContent", "http://x.vn/", None),
        ("", "http://x.vn/", None),
        ("ftp://x.vn/a", None, None),
        ("http://x.vn:port/a", None, None),
    ],
)
def test_canonical_url(url, base, expected):
    assert canonical_url(url, base) == expected


def test_canonical_url_is_idempotent_and_spellings_agree():
    spellings = [
        "http://X.vn/tin tức/a.aspx?Page=2&utm_source=fb#top",
        "http://x.vn:80/tin%20t%E1%BB%A9c/./a.aspx?Page=2",
        "http://x.vn/b/../tin%20t%e1%bb%a9c/a.aspx?Page=2&fbclid=1",
    ]
    keys = {canonical_url(u) for u in spellings}
    assert len(keys) == 1
    key = keys.pop()
    assert key is not None and canonical_url(key) == key


def test_hosts_and_file_kinds():
    assert host_of("HTTP://Backan.gov.vn:80/x") == "backan.gov.vn"
    assert host_of("http://127.0.0.1:8080/x") == "127.0.0.1:8080"
    assert same_host("http://x.vn/a", "https://X.vn/b")
    assert not same_host("http://x.vn/a", "http://www.x.vn/a")
    assert not same_host("mailto:a@x.vn", "mailto:a@x.vn")
    assert file_kind("http://x.vn/VanBan/QD-1520.PDF") == "pdf"
    assert file_kind("http://x.vn/VanBan/KH%2086.docx?download=1") == "document"
    assert file_kind("http://x.vn/a/b.rar") == "document"
    assert file_kind("http://x.vn/SiteAssets/anh.JPG") == "image"
    assert file_kind("http://x.vn/video/hop.mp4") == "media"
    for page in ("http://x.vn/Pages/a.aspx", "http://x.vn/a.html", "http://x.vn/index.php?id=1",
                 "http://x.vn/2024/05/01/tin/", "http://x.vn/"):  # fmt: skip
        assert file_kind(page) is None


# --- robots.txt -------------------------------------------------------------------------------

ROBOTS = """User-agent: BadBot
Disallow: /

User-agent: *
Disallow: /admin/
Disallow: /_layouts/
Allow: /_layouts/images/
Crawl-delay: 2.5
Sitemap: https://x.vn/sitemap.xml
"""


def test_robots_rules_for_our_user_agent():
    ua = "ocop-nlp/0.1 (+https://example.org/ocop-nlp; contact: a@b.vn)"
    rules = parse_robots(ROBOTS, ua)
    assert not rules.allowed("https://x.vn/admin/Pages/default.aspx")
    assert not rules.allowed("https://x.vn/_layouts/Authenticate.aspx?Source=%2F")
    assert rules.allowed("https://x.vn/_layouts/images/logo.png")
    assert rules.allowed("https://x.vn/tin-tuc/Pages/a.aspx")
    assert rules.allowed("https://x.vn/robots.txt")
    assert rules.crawl_delay == 2.5
    assert rules.sitemaps == ["https://x.vn/sitemap.xml"]
    bad = parse_robots(ROBOTS, "BadBot/2.0")
    assert not bad.allowed("https://x.vn/tin-tuc/Pages/a.aspx")


def test_robots_answers_other_than_200():
    ua = "ocop-nlp/0.1"
    assert rules_for_response(404, b"<html>not found</html>", ua).allowed("http://x.vn/admin/")
    assert RobotsRules.allow_all().allowed("http://x.vn/anything")
    for status in (500, 503, 429, None):
        rules = rules_for_response(status, None, ua, url="http://x.vn/robots.txt")
        assert not rules.allowed("http://x.vn/tin-tuc/Pages/a.aspx")
        assert rules.denied_reason and "not crawled this run" in rules.denied_reason
    ok = rules_for_response(200, ROBOTS.encode(), ua)
    assert ok.crawl_delay == 2.5 and not ok.allowed("http://x.vn/admin/a")
    assert robots_url("HTTP://X.vn:8080/a/b?c=1") == "http://x.vn:8080/robots.txt"


def test_robots_fetched_from_the_portal():
    site = portal_site(12, faults=False, crawl_delay=0.5)
    with FixtureServer(site) as srv, PoliteFetcher(settings()) as f:
        r = f.fetch(robots_url(srv.url("/")), accept=("text/plain",))
        rules = rules_for_response(r.status, r.body, user_agent(settings()))
        assert rules.crawl_delay == 0.5
        assert not rules.allowed(srv.url("/admin/Pages/default.aspx"))
        assert rules.allowed(srv.url("/tin-tuc/Pages/default.aspx?Page=2"))
        missing = f.fetch(srv.url("/no/robots.txt"), accept=("text/plain",))
        assert missing.outcome == "http-404"


def test_robots_5xx_means_the_host_is_not_crawled():
    site = Site("down")
    site.add("/robots.txt", Route(status=503, body=b"busy", content_type="text/plain"))
    with FixtureServer(site) as srv, PoliteFetcher(settings(crawl_retries=0)) as f:
        r = f.fetch(srv.url("/robots.txt"), accept=("text/plain",))
        rules = rules_for_response(r.status, r.body, "ocop-nlp")
    assert r.outcome == "server-error" and r.status == 503
    assert not rules.allowed(srv.url("/Pages/default.aspx"))


# --- the polite fetcher: the good path ------------------------------------------------------


def test_page_is_fetched_with_an_honest_user_agent(server, fetcher, portal):
    r = fetcher.fetch(server.url("/tin-tuc/Pages/default.aspx?Page=2"))
    assert r.ok and r.outcome == "ok" and r.reason is None
    assert (r.status, r.content_type, r.charset, r.attempts) == (200, "text/html", "utf-8", 1)
    assert r.body is not None and "Trang sau" in r.body.decode("utf-8")
    (record,) = server.log
    ua = record.header("User-Agent") or ""
    assert "ocop-nlp" in ua and "contact: webmaster-contact@example.org" in ua
    assert "gzip" in (record.header("Accept-Encoding") or "")
    assert fetcher.requests_sent == 1


def test_consecutive_requests_to_one_host_keep_the_delay(server, fetcher, portal):
    paths = list(portal.articles)[:4]
    for path in paths:
        assert fetcher.fetch(server.url(path)).ok
    records = server.requests_to("/tin-tuc/")
    assert len(records) == 4
    assert all(g >= DELAY - SLACK for g in gaps(records))


def test_set_delay_slows_one_host(server, portal):
    with PoliteFetcher(settings(), delay=0.0) as f:
        f.set_delay(server.host, 0.3)
        for path in list(portal.articles)[:3]:
            f.fetch(server.url(path))
    assert all(g >= 0.3 - SLACK for g in gaps(server.log))


def test_redirect_is_followed_politely(server, fetcher):
    r = fetcher.fetch(server.url("/"))
    assert r.ok and r.final_url == server.url("/Pages/default.aspx") and r.attempts == 2
    assert [x.path for x in server.log] == ["/", "/Pages/default.aspx"]
    assert gaps(server.log)[0] >= DELAY - SLACK


def test_conditional_get_gives_not_modified(server, fetcher, portal):
    url = server.url(list(portal.articles)[5])
    first = fetcher.fetch(url)
    assert first.ok and first.etag and first.last_modified
    again = fetcher.fetch(url, etag=first.etag)
    assert (again.outcome, again.status, again.body) == ("not-modified", 304, None)
    assert not again.ok and again.not_modified and again.etag == first.etag
    by_date = fetcher.fetch(url, last_modified=first.last_modified)
    assert by_date.outcome == "not-modified"
    assert server.log[1].header("If-None-Match") == first.etag
    assert server.log[2].header("If-Modified-Since") == first.last_modified
    changed = fetcher.fetch(url, etag='"something-else"')
    assert changed.ok and changed.body == first.body


def test_feeds_and_sitemaps_are_accepted_when_asked(fetcher):
    with FixtureServer(newspaper_site(12)) as srv:
        feed = fetcher.fetch(srv.url("/feed/"), accept=FEED_TYPES)
        assert feed.ok and feed.content_type == "application/rss+xml"
        assert b"<rss" in (feed.body or b"")
        index = fetcher.fetch(srv.url("/sitemap.xml"), accept=FEED_TYPES)  # 301 to the index
        assert index.ok and index.final_url == srv.url("/sitemap_index.xml")
        assert b"post-sitemap2.xml.gz" in (index.body or b"")
        packed = fetcher.fetch(srv.url("/post-sitemap2.xml.gz"), accept=FEED_TYPES)
        assert packed.ok and packed.content_type == "application/x-gzip"
        assert b"<urlset" in gzip.decompress(packed.body or b"")
        page = fetcher.fetch(srv.url("/feed/"))  # an HTML fetch refuses the feed
        assert page.outcome == "not-html" and page.body is None


# --- the polite fetcher: every fault endpoint ---------------------------------------------


def test_every_portal_fault_ends_as_its_table_says(portal):
    assert len(portal.faults) >= 10
    with FixtureServer(portal) as srv, PoliteFetcher(settings(crawl_delay=0.05)) as f:
        for path, fault in portal.faults.items():
            before = len(srv.log)
            r = f.fetch(srv.url(path))
            reached = len(srv.log) - before
            assert r.outcome == fault.outcome, (path, r.reason)
            assert reached == fault.expected_requests(RETRIES), path
            assert r.attempts == reached
            assert r.ok == (fault.outcome == "ok")
            assert (r.reason is None) == r.ok, path
            if not r.ok:
                assert r.body is None and r.reason and r.reason.endswith((".", ")"))
        assert f.requests_sent == len(srv.log)
        assert srv.requests_to("/admin/") == []


def test_404_is_not_retried(server, fetcher):
    r = fetcher.fetch(server.url("/thong-bao/Pages/khong-ton-tai.aspx"))
    assert (r.outcome, r.status, r.attempts) == ("http-404", 404, 1)
    assert "404 (Not Found)" in (r.reason or "")


def test_500_then_200_waits_its_backoff(server, fetcher, portal):
    path = "/thong-bao/Pages/loi-may-chu.aspx"
    r = fetcher.fetch(server.url(path))
    assert r.ok and r.attempts == 2 and portal.articles[path].title in r.body.decode()
    first, second = server.requests_to(path)
    assert (first.status, second.status) == (500, 200)
    assert second.time - first.time >= max(DELAY, BACKOFF) - SLACK


def test_429_waits_retry_after(server, fetcher):
    path = "/thong-bao/Pages/qua-tai.aspx"
    r = fetcher.fetch(server.url(path))
    assert r.ok and r.attempts == 2
    first, second = server.requests_to(path)
    assert first.status == 429
    assert second.time - first.time >= 1.0 - SLACK


def test_retry_after_longer_than_allowed_is_left_for_later():
    site = Site("busy")
    site.add("/a", Route(status=503, headers={"Retry-After": "30"}, body=b"busy"))
    site.add("/b", Route(status=429, body=b"slow down"))
    with FixtureServer(site) as srv, PoliteFetcher(settings(crawl_max_retry_after=5)) as f:
        r = f.fetch(srv.url("/a"))
        assert (r.outcome, r.retry_after, r.attempts, r.status) == ("retry-later", 30.0, 1, 503)
        assert "Retry-After" in (r.reason or "")
        b = f.fetch(srv.url("/b"))  # no Retry-After: backoff, then give up for this run
        assert (b.outcome, b.attempts) == ("retry-later", 1 + RETRIES)
        assert all(g >= BACKOFF - SLACK for g in gaps(srv.requests_to("/b")))


def test_parse_retry_after_forms():
    assert parse_retry_after("1") == 1.0
    assert parse_retry_after(" 2.5 ") == 2.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("") is None and parse_retry_after(None) is None
    assert parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT") == 0.0
    assert (parse_retry_after("Fri, 31 Dec 2100 23:59:59 GMT") or 0) > 3000


def test_slow_page_times_out_and_is_retried(server, fetcher):
    assert TIMEOUT < SLOW_SECONDS
    path = "/thong-bao/Pages/cham.aspx"
    r = fetcher.fetch(server.url(path))
    assert (r.outcome, r.status, r.attempts) == ("timeout", 200, 1 + RETRIES)
    assert r.elapsed >= (1 + RETRIES) * TIMEOUT
    records = server.requests_to(path)
    assert gaps(records)[0] >= BACKOFF and gaps(records)[1] >= 2 * BACKOFF


def test_a_trickling_body_hits_the_total_deadline():
    site = Site("trickle")
    # 6,000 bytes at 200 bytes every 0.1 s would take 3 s; each read alone is quick.
    site.add("/cham", Route(body=b"<html>" + b"x" * 6000, trickle=(200, 0.1)))
    with (
        FixtureServer(site) as srv,
        PoliteFetcher(settings(crawl_retries=0, fetch_deadline=1.0)) as f,
    ):
        r = f.fetch(srv.url("/cham"))
    assert (r.outcome, r.attempts) == ("timeout", 1)
    assert "fetch_deadline" in (r.reason or "")
    assert r.elapsed < 2.5  # the whole trickle would take 3 s: the deadline cut it


def test_one_deadline_bounds_all_the_hops_of_a_fetch():
    site = Site("slow-hops")
    # Each hop answers in 0.7 s, within the per-read timeout; four of them outlast the deadline.
    for n in range(4):
        site.add(f"/hop{n}", Route.redirect(f"/hop{n + 1}"))
        site.routes[f"/hop{n}"].delay_before_headers = 0.7
    site.add("/hop4", Route(body=b"<html>xong</html>"))
    with (
        FixtureServer(site) as srv,
        PoliteFetcher(settings(fetch_timeout=1.0, fetch_deadline=1.5, crawl_delay=0.0)) as f,
    ):
        r = f.fetch(srv.url("/hop0"))
    assert r.outcome == "timeout" and r.attempts == 3
    assert "for all tries and redirects" in (r.reason or "")


def test_redirect_loop_is_detected(server, fetcher):
    r = fetcher.fetch(server.url("/thong-bao/Pages/vong-lap-a.aspx"))
    assert (r.outcome, r.attempts, r.status) == ("redirect-loop", 2, 302)
    assert r.final_url == server.url("/thong-bao/Pages/vong-lap-a.aspx")
    assert len(server.log) == 2


def test_redirect_chain_longer_than_the_limit_is_given_up():
    site = Site("chain")
    for i in range(8):
        site.add_redirect(f"/r/{i}", f"/r/{i + 1}")
    with FixtureServer(site) as srv, PoliteFetcher(settings(crawl_max_redirects=3)) as f:
        r = f.fetch(srv.url("/r/0"))
    assert (r.outcome, r.attempts) == ("too-many-redirects", 4)
    assert r.final_url == srv.url("/r/4")


def test_redirect_hops_are_checked_against_scope_and_robots(server):
    site = Site("hops")
    site.add_redirect("/to-admin", "/admin/a")
    site.add_redirect("/away", "http://example.invalid/tin")
    site.add_redirect("/mail", "mailto:a@b.vn")
    site.add_html("/admin/a", "<p>secret</p>")
    rules = parse_robots("User-agent: *\nDisallow: /admin/\n", "ocop-nlp")
    with FixtureServer(site) as srv:
        allow = lambda u: same_host(u, srv.base_url) and rules.allowed(u)  # noqa: E731
        with PoliteFetcher(settings(), allow=allow) as f:
            robots = f.fetch(srv.url("/to-admin"))
            away = f.fetch(srv.url("/away"))
            mail = f.fetch(srv.url("/mail"))
        assert (robots.outcome, robots.final_url) == ("robots", srv.url("/admin/a"))
        assert (away.outcome, away.final_url) == ("off-site", "http://example.invalid/tin")
        assert mail.outcome == "off-site"
        assert srv.requests_to("/admin/") == []


def test_truncated_body_is_retried_with_growing_backoff(server, fetcher):
    path = "/thong-bao/Pages/cat-ngang.aspx"
    r = fetcher.fetch(server.url(path))
    assert (r.outcome, r.attempts, r.body) == ("truncated", 1 + RETRIES, None)
    first_gap, second_gap = gaps(server.requests_to(path))
    assert first_gap >= BACKOFF - SLACK and second_gap >= 2 * BACKOFF - SLACK


def test_backoff_waits_are_exact_with_an_injected_clock(server):
    waits: list[float] = []
    now = [0.0]

    def sleep(seconds: float) -> None:
        waits.append(round(seconds, 6))
        now[0] += seconds

    with PoliteFetcher(
        settings(crawl_retries=3), delay=0.0, sleep=sleep, clock=lambda: now[0]
    ) as f:
        r = f.fetch(server.url("/thong-bao/Pages/cat-ngang.aspx"))
    assert r.outcome == "truncated"
    assert waits == [BACKOFF, 2 * BACKOFF, 4 * BACKOFF]
    assert r.elapsed == pytest.approx(7 * BACKOFF)


def test_size_cap_refuses_early_and_while_streaming(server):
    with PoliteFetcher(settings(max_input_bytes=1_000_000)) as f:
        declared = f.fetch(server.url("/thong-bao/Pages/rat-lon.aspx"))
        streamed = f.fetch(server.url("/thong-bao/Pages/rat-lon-chunked.aspx"))
        small = f.fetch(server.url("/Pages/default.aspx"))
    for r in (declared, streamed):
        assert (r.outcome, r.attempts, r.body) == ("too-large", 1, None)
        assert "1,000,000 bytes" in (r.reason or "")
    assert small.ok


def test_non_html_is_skipped_without_reading_it(server, fetcher):
    pdf = fetcher.fetch(server.url("/VanBan/QD-1520-UBND-2024.pdf"))
    disguised = fetcher.fetch(server.url("/thong-bao/Pages/tai-lieu.aspx"))
    for r in (pdf, disguised):
        assert (r.outcome, r.content_type, r.body) == ("not-html", "application/pdf", None)
    wanted = fetcher.fetch(server.url("/VanBan/QD-1520-UBND-2024.pdf"), accept=("application/pdf",))
    assert wanted.ok and (wanted.body or b"").startswith(b"%PDF-")


def test_wrong_charset_header_comes_through_decode_bytes(server, fetcher, portal):
    path = "/thong-bao/Pages/sai-bang-ma.aspx"
    r = fetcher.fetch(server.url(path))
    assert r.ok and r.charset == "iso-8859-1"
    text, _ = decode_bytes(r.body or b"", declared=r.charset)
    assert portal.articles[path].title in text
    assert "Cập nhật lúc" in text


def test_tcvn3_page_comes_through_decode_bytes(server, fetcher, portal):
    path = "/thong-bao/Pages/ma-tcvn3.aspx"
    r = fetcher.fetch(server.url(path))
    assert r.ok and r.charset is None
    assert portal.articles[path].title.encode("utf-8") not in (r.body or b"")
    text, warnings = decode_bytes(r.body or b"", declared=r.charset)
    expected = portal.articles[path]
    assert expected.title in text and expected.text.split("\n")[1] in text
    assert any("TCVN3" in w for w in warnings)


def test_refused_connection_is_retried_then_reported():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with PoliteFetcher(settings(crawl_retries=1, crawl_delay=0.0)) as f:
        r = f.fetch(f"http://127.0.0.1:{port}/Pages/default.aspx")
        bad = f.fetch("mailto:a@b.vn")
    assert (r.outcome, r.status, r.attempts) == ("connection", None, 2)
    assert f"127.0.0.1:{port}" in (r.reason or "")
    assert (bad.outcome, bad.attempts) == ("bad-url", 0)


def test_server_logs_head_requests_too(portal):
    import requests

    with FixtureServer(portal) as srv:
        head = requests.head(srv.url("/Pages/default.aspx"), timeout=5)
        assert head.status_code == 200 and head.content == b""
        assert [(r.method, r.status) for r in srv.log] == [("HEAD", 200)]
        assert int(head.headers["Content-Length"]) > 1000
