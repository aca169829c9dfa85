"""`ocop crawl` and `ocop extract URL` against a hostile server (tests/hostile_server.py): each
run ends within a generous bound, records what happened, and says which bound it hit.

Before issue 9's fixes each of these hung (a dripping header or body, an endless pager or
calendar, a robots.txt dripped), aborted (a page nested past the recursion limit), crawled a
host whose robots.txt never arrived, or followed a redirect to 169.254.169.254.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fixture_sites import FixtureServer, portal_site
from hostile_server import LINK_LOCAL, HostileServer

import ocop_nlp.crawl.crawler as crawler_module
from ocop_nlp.config import load_settings
from ocop_nlp.crawl.crawler import CrawlOptions, crawl
from ocop_nlp.fetch.polite import PoliteFetcher
from ocop_nlp.fetch.robots import rules_for_response
from ocop_nlp.store import open_store
from ocop_nlp.store.frontier import Frontier

# What each run may take at most, whatever the server does; the bad cases used to run forever.
BOUND = 25.0
ARTICLE = "/tin/bai-viet-so-1-hoi-nghi-ocop.html"
FAST = {
    "OCOP_FETCH_TIMEOUT": "1",
    "OCOP_FETCH_DEADLINE": "2",
    "OCOP_CRAWL_DELAY": "0",
    "OCOP_CRAWL_RETRIES": "0",
}


def fast_settings(**kw):
    base = dict(fetch_timeout=1.0, fetch_deadline=2.0, crawl_delay=0.0, crawl_retries=0)
    base.update(kw)
    return load_settings(**base)


@pytest.fixture(autouse=True)
def no_thread_left_behind():
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        left = [
            t
            for t in set(threading.enumerate()) - before
            if t.is_alive() and t.name.startswith(("ocop-fetch-deadline", "hostile-server"))
        ]
        if not left:
            return
        time.sleep(0.05)
    pytest.fail(f"threads left running: {left}")


def ocop(*args: str, **env: str) -> tuple[int, str, float]:
    """Run `python -m ocop_nlp ARGS` in a real process; (exit status, stderr, seconds)."""
    start = time.monotonic()
    p = subprocess.run(
        [sys.executable, "-m", "ocop_nlp", *args],
        capture_output=True,
        timeout=BOUND + 30,  # a hang fails the test here instead of stalling the suite
        env={**os.environ, **FAST, **env},
    )
    return p.returncode, p.stderr.decode("utf-8"), time.monotonic() - start


def frontier_rows(db: Path) -> dict[str, dict]:
    with open_store(db) as st:
        return {r["url"]: r for r in Frontier(st).items()}


# --- dripping servers: one deadline per request -------------------------------------------------


@pytest.mark.parametrize("path", ["/drip-headers", "/drip-body"])
def test_extract_url_ends_at_the_deadline_when_the_server_drips(path):
    with HostileServer() as srv:
        code, err, seconds = ocop("extract", srv.url(path))
    assert code == 1 and seconds < BOUND
    assert err.strip().splitlines() == [
        f"{srv.url(path)} did not send its whole page within 2 seconds (OCOP_FETCH_DEADLINE); "
        "the server sends too slowly."
    ]


def test_the_polite_fetcher_cuts_dripping_headers_at_the_deadline():
    with HostileServer() as srv, PoliteFetcher(fast_settings()) as f:
        r = f.fetch(srv.url("/drip-headers"))
    assert (r.outcome, r.attempts, r.body) == ("timeout", 1, None)
    assert "fetch_deadline" in (r.reason or "")
    assert r.elapsed < 2.0 + 3.0  # cut at the deadline, not at a per-read timeout (never)


def test_a_crawl_goes_past_a_page_whose_headers_drip(tmp_path):
    db = tmp_path / "drip.db"
    with HostileServer(home_links=("/drip-headers", ARTICLE)) as srv:
        code, err, seconds = ocop("crawl", srv.url("/home"), "--db", str(db))
    assert code == 0 and seconds < BOUND, err
    rows = frontier_rows(db)
    drip = rows[srv.url("/drip-headers")]
    assert (drip["state"], drip["outcome"]) == ("failed", "timeout")
    assert "within 2 seconds" in drip["reason"]
    assert rows[srv.url(ARTICLE)]["outcome"] == "stored"


# --- traps: listing chains are bounded -----------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "prefix"), [("/pager?Page=1", "/pager"), ("/lich/2024/06/", "/lich/")]
)
def test_an_endless_pager_or_calendar_ends_without_max_pages(tmp_path, start, prefix):
    db = tmp_path / "trap.db"
    with HostileServer() as srv:
        code, err, seconds = ocop("crawl", srv.url(start), "--db", str(db))
        fetched = srv.requests_to(prefix)
    assert code == 0 and seconds < BOUND, err
    barren = load_settings().crawl_max_barren_listings
    # The pager: its start page brings the articles, then `barren` empty pages. The calendar:
    # `barren` months each way.
    assert len(fetched) <= 2 * barren + 1, len(fetched)
    assert "listing trap" in err.splitlines()[-1]
    cut = [r for r in frontier_rows(db).values() if r["outcome"] == "not-followed"]
    assert cut and all("listing trap" in r["reason"] for r in cut)
    assert all(r["state"] == "skipped" for r in cut)


def test_a_pager_trap_is_cut_again_on_the_next_run_without_new_requests_past_it(tmp_path):
    db = tmp_path / "trap.db"
    with HostileServer() as srv:
        ocop("crawl", srv.url("/pager?Page=1"), "--db", str(db))
        first = len(srv.requests_to("/pager"))
        code, err, _ = ocop("crawl", srv.url("/pager?Page=1"), "--db", str(db))
        second = len(srv.requests_to("/pager")) - first
    assert code == 0, err
    assert second <= first  # the same listings refreshed, none past the cut


def test_the_listing_chain_cap_holds_when_every_page_brings_new_links(tmp_path):
    # The absolute cap: chains whose pages keep bringing articles are cut all the same.
    site = portal_site(36, faults=False)
    with FixtureServer(site) as server:
        s = crawl(
            [server.url("/")],
            tmp_path / "cap.db",
            options=CrawlOptions(delay=0.0),
            settings=fast_settings(crawl_max_listing_chain=1),
            progress=None,
        )
    assert s.skipped["listing trap"] >= 1
    with open_store(tmp_path / "cap.db") as st:
        rows = Frontier(st).items("skipped")
    assert any("crawl_max_listing_chain" in (r["reason"] or "") for r in rows)


# --- robots.txt that never arrives ---------------------------------------------------------------


@pytest.mark.parametrize("robots", ["stall", "drip"])
def test_a_crawl_whose_only_robots_txt_never_arrives_exits_1_in_one_sentence(tmp_path, robots):
    with HostileServer(robots=robots) as srv:
        code, err, seconds = ocop("crawl", srv.url("/home"), "--db", str(tmp_path / "r.db"))
        paths = [p for _, p in srv.log]
    assert code == 1 and seconds < BOUND
    assert paths == ["/robots.txt"]  # nothing else on the host is touched
    first = err.splitlines()[0]
    assert first.startswith("No host could be crawled: ")
    # A stall after the headers: a 200 without its body; a drip: headers that never end.
    answer = "could not be read whole" if robots == "stall" else "did not answer"
    assert f"robots.txt {answer} (" in first and "RFC 9309" in first
    assert "no host could be crawled" in err.splitlines()[-1]


def test_a_crawl_delay_of_days_closes_the_host_instead_of_stalling_the_run(tmp_path):
    with HostileServer(robots="crawl-delay") as srv:
        code, err, seconds = ocop("crawl", srv.url("/home"), "--db", str(tmp_path / "d.db"))
        paths = [p for _, p in srv.log]
    assert code == 1 and seconds < BOUND, err
    assert paths == ["/robots.txt"]
    assert err.splitlines()[0] == (
        f"No host could be crawled: {srv.url('/robots.txt')} asks for 1,000,000 seconds between "
        "requests (Crawl-delay), longer than crawl_max_retry_after (120 s), so the host is not "
        "crawled this run."
    )


def test_a_stalled_robots_txt_closes_its_host_while_another_host_is_crawled(tmp_path):
    site = portal_site(6, faults=False)
    with HostileServer(robots="stall") as bad, FixtureServer(site) as good:
        s = crawl(
            [bad.url("/home"), good.url("/")],
            tmp_path / "two.db",
            options=CrawlOptions(delay=0.0),
            settings=fast_settings(),
            progress=None,
        )
        bad_paths = [p for _, p in bad.log]
    assert bad_paths == ["/robots.txt"]
    assert s.stored == len(site.articles) and s.failure() is None
    assert list(s.closed) == [f"127.0.0.1:{bad.port}"]


def test_robots_rules_deny_a_2xx_whose_body_never_arrived():
    ua = "ocop-nlp/0.1"
    stalled = rules_for_response(200, None, ua, url="http://x.vn/robots.txt", reason="Too slow.")
    assert stalled.denied_reason and "could not be read whole (Too slow)" in stalled.denied_reason
    assert not stalled.allowed("http://x.vn/tin-tuc/")
    assert rules_for_response(404, None, ua).allowed("http://x.vn/tin-tuc/")
    assert rules_for_response(None, None, ua).denied_reason


# --- redirects into private networks -------------------------------------------------------------


def test_extract_refuses_a_redirect_to_a_link_local_address_and_names_it():
    with HostileServer() as srv:
        code, err, seconds = ocop("extract", srv.url("/to-link-local"))
    assert code == 1 and seconds < BOUND
    assert err.strip() == (
        f"{srv.url('/to-link-local')} redirected to {LINK_LOCAL}, a private or local address "
        "(169.254.169.254); not followed. Give --allow-private to follow it."
    )


def test_extract_resolves_a_redirect_target_name_to_find_a_private_address():
    # "localhost" is not 127.0.0.1 by name: the check resolves it.
    with HostileServer() as srv:
        code, err, _ = ocop("extract", srv.url("/to-loopback-name"))
        allowed, out_err, _ = ocop("extract", srv.url("/to-loopback-name"), "--allow-private")
    assert code == 1 and "(127.0.0.1); not followed" in err
    assert allowed == 0, out_err


def test_extract_follows_a_redirect_on_the_host_the_user_gave(tmp_path):
    with HostileServer() as srv:
        code, err, _ = ocop("extract", srv.url("/to-same-host"))
    assert code == 0, err


# --- pages that break the reader -----------------------------------------------------------------


def test_a_page_nested_past_the_recursion_limit_does_not_stop_the_crawl(tmp_path):
    db = tmp_path / "deep.db"
    with HostileServer(home_links=("/deep", ARTICLE)) as srv:
        code, err, seconds = ocop("crawl", srv.url("/home"), "--db", str(db))
    assert code == 0 and seconds < BOUND, err
    rows = frontier_rows(db)
    assert rows[srv.url(ARTICLE)]["outcome"] == "stored"
    deep = rows[srv.url("/deep")]
    # Read once parse/html.py walks without recursion; recorded on the page until then.
    assert deep["outcome"] in ("stored", "page-error"), deep
    if deep["outcome"] == "page-error":
        assert deep["state"] == "failed" and "RecursionError" in deep["reason"]


def test_any_error_on_one_page_is_recorded_there_and_retried_only_a_few_runs(tmp_path, monkeypatch):
    real = crawler_module.html_to_article

    def breaks_on_one_page(html, url, *args, **kw):
        if url.endswith("/deep"):
            raise KeyError("a parser bug")
        return real(html, url, *args, **kw)

    monkeypatch.setattr(crawler_module, "html_to_article", breaks_on_one_page)
    db = tmp_path / "err.db"
    with HostileServer(home_links=("/deep", ARTICLE)) as srv:
        runs = [
            crawl([srv.url("/home")], db, settings=fast_settings(), progress=None) for _ in range(4)
        ]
        deep_fetches = len(srv.requests_to("/deep"))
    assert runs[0].failed["page-error"] == 1 and runs[0].stored == 1
    tries = load_settings().crawl_page_error_tries
    assert deep_fetches == tries  # then left as failed for good
    assert runs[-1].failed["page-error"] == 0
    row = frontier_rows(db)[srv.url("/deep")]
    assert (row["state"], row["outcome"]) == ("failed", "page-error")
    assert row["reason"].startswith("The page could not be read (KeyError: ")


# --- bounds of a run -----------------------------------------------------------------------------


def test_a_run_stops_at_the_default_page_limit_and_says_so(tmp_path):
    site = portal_site(12, faults=False)
    with FixtureServer(site) as server:
        s = crawl(
            [server.url("/")],
            tmp_path / "p.db",
            options=CrawlOptions(delay=0.0),
            settings=fast_settings(crawl_max_pages=5),
            progress=None,
        )
    assert (s.stop, s.pages) == ("max-pages", 5)
    assert "stopped at 5 pages, the limit of one run (OCOP_CRAWL_MAX_PAGES)" in s.line()


def test_a_run_stops_at_max_time_and_says_so(tmp_path):
    db = tmp_path / "t.db"
    site = portal_site(36, faults=False)
    with FixtureServer(site) as server:
        code, err, seconds = ocop(
            "crawl", server.url("/"), "--db", str(db), "--delay", "0.2", "--max-time", "1"
        )
    assert code == 0 and seconds < BOUND, err
    assert "stopped after 1 s, the time limit of one run (--max-time); run again" in err
    with sqlite3.connect(db) as c:
        status = c.execute("SELECT status FROM crawl_runs").fetchone()[0]
    assert status == "max-time"
