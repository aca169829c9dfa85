"""`ocop crawl` end to end against fixture sites on a real http.server and a real SQLite store.

What is stored, what is skipped and why, and how many requests reached the server and when:
politeness is measured from the server's own log, not assumed.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import unicodedata
from datetime import datetime
from pathlib import Path

import pytest
from fixture_sites import VN, FixtureServer, Route, newspaper_site, portal_site

from ocop_nlp.config import load_settings
from ocop_nlp.crawl.crawler import CrawlOptions, crawl
from ocop_nlp.store import open_store
from ocop_nlp.store.frontier import Frontier

ROOT = Path(__file__).resolve().parent.parent
DELAY = 0.05
CONTACT = "vanphong@tinh.example.vn"


def fast_settings(**kw):
    """Short timeouts and backoffs so the fault pages cost seconds, not minutes."""
    base = dict(
        fetch_timeout=1.0,
        crawl_retries=1,
        crawl_backoff=0.05,
        crawl_max_retry_after=5.0,
        contact=CONTACT,
    )
    base.update(kw)
    return load_settings(**base)


def crawl_fixture(urls: list[str], db: Path, **kw):
    """Crawl a fixture site with no delay, the short fault settings and no progress output."""
    return crawl(
        urls, db, options=CrawlOptions(delay=0.0, **kw), settings=fast_settings(), progress=None
    )


def _flat(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split())


@pytest.fixture(scope="module")
def portal_crawl(tmp_path_factory):
    site = portal_site(36, faults=True)
    db = tmp_path_factory.mktemp("crawl") / "portal.db"
    with FixtureServer(site) as server:
        summary = crawl(
            [server.url("/")],
            db,
            options=CrawlOptions(delay=DELAY),
            settings=fast_settings(),
            progress=None,
        )
    return site, server, db, summary


def _articles(db: Path) -> dict[str, dict]:
    with open_store(db) as st:
        return {
            a.id: {
                "title": a.title,
                "published": a.published,
                "author": a.author,
                "text": a.text,
                "hash": a.content_hash,
            }
            for a in st.iter_articles()
        }


def _frontier(db: Path) -> dict[str, dict]:
    with open_store(db) as st:
        return {r["url"]: r for r in Frontier(st).items()}


def test_every_article_of_the_portal_is_stored_once_with_its_title_date_and_author(portal_crawl):
    site, server, db, summary = portal_crawl
    stored = _articles(db)
    # site.articles lists each article once, at its first URL; the copies are site.duplicates.
    assert summary.stored == len(site.articles) == len(stored)
    for path, e in site.articles.items():
        a = stored.get(server.url(path))
        assert a is not None, f"{path} was not stored"
        assert _flat(a["title"]) == _flat(e.title), path
        assert a["published"] == e.published, path
        assert _flat(a["author"]) == _flat(e.author), path
        for para in e.text.split("\n"):
            assert _flat(para) in _flat(a["text"]), (path, para[:40])
        assert unicodedata.is_normalized("NFC", a["text"])


def test_the_same_article_at_a_second_url_is_recorded_as_a_duplicate(portal_crawl):
    site, server, db, summary = portal_crawl
    assert site.duplicates, "the fixture portal has an article at two URLs"
    rows = _frontier(db)
    for second, first in site.duplicates.items():
        row = rows[server.url(second)]
        assert row["outcome"] == "duplicate"
        assert row["article_id"] == server.url(first)
    assert summary.duplicates == len(site.duplicates)


def test_each_fault_endpoint_ends_as_expected_with_the_requests_it_deserves(portal_crawl):
    site, server, db, _ = portal_crawl
    rows = _frontier(db)
    retries = fast_settings().crawl_retries
    for path, fault in site.faults.items():
        row = rows.get(server.url(path))
        assert row is not None, f"{path} ({fault.what}) was never queued"
        if fault.stored:
            assert row["outcome"] in ("stored", "duplicate"), (path, row)
        else:
            assert row["outcome"] == fault.outcome, (path, fault.what, row)
            assert row["reason"], path  # a sentence for the operator
        # attempts counts every request the fetch sent: retries and redirect hops.
        assert row["attempts"] == fault.expected_requests(retries), (path, fault.what)
        assert server.hits(path) >= 1


def test_files_forbidden_pages_contact_and_calendar_are_never_stored(portal_crawl):
    site, server, db, _ = portal_crawl
    stored = _articles(db)
    for path in site.forbidden:
        assert server.requests_to(path) == [], f"robots.txt forbids {path}"
    for path, kind in site.kinds.items():
        if kind in ("contact", "calendar", "file", "about", "listing", "home"):
            assert server.url(path) not in stored, (path, kind)
        if kind == "file":
            assert server.hits(path) == 0, f"{path} is a file; its URL says so"
    # What was left out is on record with the reason, without a request.
    rows = _frontier(db)
    for path, kind in site.kinds.items():
        if kind in ("file", "contact", "calendar") and server.url(path) in rows:
            row = rows[server.url(path)]
            assert (row["state"], row["outcome"]) == ("skipped", "not-followed"), (path, row)
            assert row["reason"] and row["fetched_at"] is None
    reasons = {r["reason"] for r in rows.values() if r["outcome"] == "not-followed"}
    assert any("pdf" in r for r in reasons) and any("contact" in r for r in reasons), reasons


def test_requests_to_one_host_are_spaced_by_the_delay_and_name_the_tool(portal_crawl):
    _, server, _, _ = portal_crawl
    log = sorted(server.log, key=lambda r: r.time)
    gaps = [b.time - a.time for a, b in zip(log, log[1:], strict=False)]
    # The server logs a request when it arrives; the fetcher waits DELAY after the previous
    # answer ended, so arrivals are at least DELAY apart (a little less for clock jitter).
    assert min(gaps) >= DELAY * 0.8
    for r in log:
        ua = r.header("User-Agent") or ""
        assert ua.startswith("ocop-nlp/") and CONTACT in ua


def test_robots_crawl_delay_wins_over_a_shorter_delay(tmp_path):
    site = portal_site(12, faults=False, crawl_delay=0.3)
    with FixtureServer(site) as server:
        crawl(
            [server.url("/")],
            tmp_path / "s.db",
            options=CrawlOptions(delay=0.0, max_pages=6),
            settings=fast_settings(),
            progress=None,
        )
    times = sorted(r.time for r in server.log)
    assert len(times) >= 6
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.3 * 0.9


def test_a_rerun_fetches_listings_and_new_articles_only(tmp_path):
    site = portal_site(24, faults=False)
    db = tmp_path / "s.db"
    with FixtureServer(site) as server:
        opts = CrawlOptions(delay=0.0)
        first = crawl([server.url("/")], db, options=opts, settings=fast_settings(), progress=None)
        assert first.stored == len(site.articles)
        old = set(site.news)
        new_path = site.add_article(
            "Huyện tổng kết công tác chuyển đổi số năm 2024",
            [
                "Sáng nay, Ủy ban nhân dân huyện tổng kết công tác chuyển đổi số năm 2024 "
                "và triển khai nhiệm vụ năm 2025.",
                "Năm 2024, huyện đã cấp 1.250 chữ ký số cho cán bộ, công chức; 96% hồ sơ "
                "thủ tục hành chính được tiếp nhận trực tuyến.",
                "Chủ tịch Ủy ban nhân dân huyện yêu cầu các xã đẩy mạnh thanh toán không "
                "dùng tiền mặt trong quý I năm 2025.",
            ],
            datetime(2025, 1, 6, 8, 30, tzinfo=VN),
            "Thanh Tâm",
        )
        server.clear_log()
        second = crawl([server.url("/")], db, options=opts, settings=fast_settings(), progress=None)
        paths = [r.path for r in server.log]
    assert second.stored == 1 and not second.resumed
    assert new_path in paths
    refetched = [p for p in paths if p in old]
    assert refetched == [], f"settled articles fetched again: {refetched}"
    assert server.url(new_path) in _articles(db)


def test_a_newspaper_is_collected_through_its_sitemap_index_and_feed(tmp_path):
    site = newspaper_site(30)
    db = tmp_path / "paper.db"
    with FixtureServer(site) as server:
        s = crawl_fixture([server.url("/")], db)
        sitemap_hits = [r.path for r in server.log if "sitemap" in r.path]
    stored = _articles(db)
    assert s.stored == len(site.articles)
    for path, e in site.articles.items():
        a = stored[server.url(path)]
        assert _flat(a["title"]) == _flat(e.title)
        assert a["published"] == e.published
    assert any(p.endswith(".gz") for p in sitemap_hits), sitemap_hits


def _crawl_cmd(url: str, db: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "ocop_nlp", "crawl", url, "--db", str(db), *extra]


def _env() -> dict[str, str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8", OCOP_FETCH_TIMEOUT="1")
    env["OCOP_CRAWL_RETRIES"] = "1"
    env["OCOP_CRAWL_BACKOFF"] = "0.05"
    return env


def _stored_count(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as c:
            return int(c.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0


@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 is a POSIX signal")
def test_a_crawl_killed_mid_way_resumes_with_nothing_lost_or_duplicated(tmp_path):
    site = portal_site(36, faults=False)
    with FixtureServer(site) as server:
        url = server.url("/")
        whole = tmp_path / "whole.db"
        subprocess.run(_crawl_cmd(url, whole, "--delay", "0"), env=_env(), check=True,
                       capture_output=True)  # fmt: skip
        killed = tmp_path / "killed.db"
        proc = subprocess.Popen(
            _crawl_cmd(url, killed, "--delay", "0.1"),
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while _stored_count(killed) < 8 and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        part = _stored_count(killed)
        assert 8 <= part < len(site.articles)
        again = subprocess.run(
            _crawl_cmd(url, killed, "--delay", "0"), env=_env(), capture_output=True, text=True
        )
        assert again.returncode == 0, again.stderr
        assert "Resumed run 1" in again.stderr
    a, b = _articles(whole), _articles(killed)
    assert {k: v["hash"] for k, v in a.items()} == {k: v["hash"] for k, v in b.items()}
    with open_store(killed) as st:
        assert Frontier(st).queued() == 0
        hashes = [r[0] for r in st.conn.execute("SELECT content_hash FROM articles")]
    assert len(hashes) == len(set(hashes))


def test_the_cli_crawls_prints_a_summary_and_the_store_feeds_batch_and_export(tmp_path):
    site = portal_site(12, faults=False)
    db = tmp_path / "s.db"
    with FixtureServer(site) as server:
        proc = subprocess.run(
            _crawl_cmd(server.url("/"), db, "--delay", "0", "--contact", CONTACT),
            env=_env(),
            capture_output=True,
            text=True,
            encoding="utf-8",
        )
    assert proc.returncode == 0, proc.stderr
    assert "articles stored" in proc.stderr and "left in the queue" in proc.stderr
    exp = subprocess.run(
        [
            sys.executable,
            "-m",
            "ocop_nlp",
            "export",
            "--db",
            str(db),
            "--what",
            "articles",
            "--format",
            "csv",
        ],  # fmt: skip
        capture_output=True,
        env=_env(),
    )
    assert exp.returncode == 0
    assert exp.stdout.startswith("\ufeff".encode())
    assert b"title" in exp.stdout.splitlines()[0]
    # The crawled store is an input of batch: one extraction per stored article, id = its URL.
    out = tmp_path / "tin.jsonl"
    batch = subprocess.run(
        [sys.executable, "-m", "ocop_nlp", "batch", str(db), "-o", str(out), "--workers", "1"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=_env(),
    )
    assert batch.returncode == 0, batch.stderr
    ids = {json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()}
    assert ids == set(_articles(db))


def test_the_progress_line_shows_pages_articles_queue_errors_and_rate():
    from collections import Counter

    from ocop_nlp.crawl.crawler import CrawlSummary, Progress

    out = io.StringIO()
    p = Progress(out, live=True)
    p.update(CrawlSummary(pages=12, stored=5, failed=Counter({"http-404": 1})), 7, force=True)
    p.finish()
    line = out.getvalue()
    assert line.startswith("\r12 pages, 5 articles stored, 7 queued, 1 errors, ")
    assert "pages/s" in line and line.endswith("\n")
    quiet = io.StringIO()
    Progress(quiet).update(CrawlSummary(pages=1), 0, force=True)  # not a terminal: silent
    assert quiet.getvalue() == ""


def test_a_start_url_that_is_not_a_web_address_is_refused_in_plain_words(tmp_path):
    from ocop_nlp.cli import main

    err = io.StringIO()
    old = sys.stderr
    sys.stderr = err
    try:
        code = main(["crawl", "mailto:ai@tinh.vn", "--db", str(tmp_path / "s.db")])
    finally:
        sys.stderr = old
    assert code == 1
    assert "is not a web address to crawl" in err.getvalue()


def test_two_start_hosts_are_crawled_in_turn_each_at_its_own_pace(tmp_path):
    portal, paper = portal_site(12, faults=False), newspaper_site(10)
    with FixtureServer(portal) as a, FixtureServer(paper) as b:
        s = crawl(
            [a.url("/"), b.url("/")],
            tmp_path / "two.db",
            options=CrawlOptions(delay=0.2, max_pages=12),
            settings=fast_settings(),
            progress=None,
        )
    assert s.pages == 12 and len(s.sites) == 2
    # The host ready soonest goes next, so neither waits for the other to finish.
    assert len(a.log) >= 4 and len(b.log) >= 4
    for server in (a, b):
        times = sorted(r.time for r in server.log)
        assert min(y - x for x, y in zip(times, times[1:], strict=False)) >= 0.2 * 0.8


def test_a_host_whose_robots_txt_fails_is_left_alone_until_the_next_run(tmp_path):
    site = portal_site(12, faults=False)
    site.routes["/robots.txt"] = Route(status=503, body=b"busy", content_type="text/plain")
    with FixtureServer(site) as server:
        s = crawl(
            [server.url("/")],
            tmp_path / "s.db",
            options=CrawlOptions(delay=0.0),
            settings=fast_settings(),
            progress=None,
        )
        paths = {r.path for r in server.log}
    assert paths == {"/robots.txt"}  # retried as the fetcher retries, then nothing else
    assert s.stored == 0 and s.skipped["host whose robots.txt failed"] == 1
    assert s.queued == 2  # the start page and /sitemap.xml wait for a run when robots.txt answers
