"""Re-crawls: stored articles fetched again conditionally, a changed page updated with its old
text kept, URL-family trap counts and feed dates carried from one run to the next."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime
from email.utils import format_datetime

from fixture_sites import FixtureServer, Route, cms_paper_site, portal_site
from test_crawl import _articles, _frontier, crawl_fixture, fast_settings

from ocop_nlp.crawl.crawler import CrawlOptions, crawl
from ocop_nlp.store import open_store
from ocop_nlp.store.frontier import Frontier

NEW_LEAD = "Bản cập nhật: Ủy ban nhân dân tỉnh bổ sung số liệu đến hết tháng 6."


def test_a_recheck_asks_conditionally_and_updates_only_the_changed_page_keeping_its_old_text(
    tmp_path,
):
    """Six portal articles: most answer ETag and Last-Modified, one Last-Modified only, one
    neither. Between two runs one article's page changes. The second run (`recheck_days=0`)
    asks for every stored article again with the validators it was given: the unchanged ones
    answer 304 (no body, nothing parsed), the one without validators comes back whole with the
    same text, and the changed one is updated with its previous text kept as version 1."""
    site = portal_site(6, faults=False)
    changed, dated_only, bare = site.news[1], site.news[2], site.news[3]
    site.routes[dated_only].etag = None
    site.routes[bare].etag = site.routes[bare].last_modified = None
    db = tmp_path / "re.db"
    with FixtureServer(site) as server:
        first = crawl_fixture([server.url("/")], db)
        assert first.stored == len(site.articles)
        old_text = _articles(db)[server.url(changed)]["text"]

        route = site.routes[changed]
        render = route.body
        assert callable(render)
        route.body = lambda record: render(record).replace(
            b"<p>", f"<p>{NEW_LEAD}</p><p>".encode(), 1
        )
        route.etag = '"phien-ban-2"'
        route.last_modified = format_datetime(datetime.now(UTC), usegmt=True)
        server.clear_log()
        second = crawl(
            [server.url("/")],
            db,
            options=CrawlOptions(delay=0.0, recheck_days=0),
            settings=fast_settings(),
            progress=None,
        )
        log = {r.path: r for r in server.log}
    n = len(site.articles)
    assert second.rechecked == n and second.stored == 0
    assert second.updated == 1
    # Every article was asked for again, with what its server gave as validators.
    for path in site.articles:
        assert path in log, path
    assert log[changed].header("If-None-Match") and log[changed].status == 200
    assert log[dated_only].header("If-Modified-Since") and not log[dated_only].header(
        "If-None-Match"
    )
    assert not log[bare].header("If-None-Match") and not log[bare].header("If-Modified-Since")
    not_modified = [p for p in site.articles if log[p].status == 304]
    assert sorted(not_modified) == sorted(p for p in site.articles if p not in (changed, bare))

    rows = _frontier(db)
    assert rows[server.url(changed)]["outcome"] == "updated"
    assert rows[server.url(bare)]["outcome"] == "unchanged"
    for p in not_modified:
        assert rows[server.url(p)]["outcome"] == "not-modified", p
    with open_store(db) as st:
        # A 304 has no body: nothing was read or parsed for it.
        run_log = [
            r for r in Frontier(st).fetch_log(second.run_id) if r["outcome"] == "not-modified"
        ]
        assert len(run_log) >= len(not_modified) and all(r["bytes"] == 0 for r in run_log)
        now = st.get_article(server.url(changed))
        assert now is not None and NEW_LEAD in (now.text or "")
        versions = st.versions_of(server.url(changed))
        assert [v.version for v in versions] == [1, 2]
        assert versions[0].text == old_text and versions[1].text is None
        assert versions[1].content_hash == now.content_hash
        # An unchanged article keeps no second version.
        assert len(st.versions_of(server.url(bare))) == 0
    assert second.unchanged >= n - 1


def test_articles_are_not_rechecked_before_their_time(tmp_path):
    site = portal_site(4, faults=False)
    db = tmp_path / "wait.db"
    with FixtureServer(site) as server:
        crawl_fixture([server.url("/")], db)
        server.clear_log()
        again = crawl_fixture([server.url("/")], db)
        paths = {r.path for r in server.log}
    assert again.rechecked == 0
    assert not paths & set(site.articles)


def test_a_page_without_a_date_takes_the_date_of_the_feed_that_listed_it(tmp_path):
    """No date on the page, none in its address, none in a sitemap: the RSS item's pubDate."""
    site = cms_paper_site(4)
    real = site.news[0]
    html = site.routes[real].body.decode("utf-8")

    shown = r'<div class="article__meta">.*?</div>|<div class="ngay-dang">.*?</div>'
    undated = re.sub(shown + r'|<script type="application/ld\+json">.*?</script>', "", html)
    undated = undated.replace(real, "/tin/bai-khong-ngay.htm")
    site.add_html("/tin/bai-khong-ngay.htm", undated.replace("<p>", "<p>Bản mới. ", 1), "article")
    site.add("/sitemap.xml", Route(status=404, body=b"none"), "sitemap")

    def feed(record):
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Tin</title>'
            f"<link>{record.base_url}/</link><item><title>Bài không ngày</title>"
            f"<link>{record.base_url}/tin/bai-khong-ngay.htm</link>"
            "<pubDate>Mon, 06 May 2024 09:00:00 +0700</pubDate></item></channel></rss>"
        ).encode()

    site.add("/rss.xml", Route(body=feed, content_type="application/rss+xml"), "feed")
    home = site.routes["/"]
    home.body = home.body.replace(
        b"</head>",
        b'<link rel="alternate" type="application/rss+xml" href="/rss.xml"></head>',
        1,
    )
    db = tmp_path / "feed.db"
    with FixtureServer(site) as server:
        crawl_fixture([server.url("/")], db)
        url = server.url("/tin/bai-khong-ngay.htm")
        assert server.hits("/rss.xml") == 1
    assert _articles(db)[url]["published"] == "2024-05-06"
    # Pages that show their own date keep it: the feed is only the fallback.
    for path, e in site.articles.items():
        assert _articles(db)[server.url(path)]["published"] == e.published


def _album_site():
    site = cms_paper_site(6)

    def album(record):
        n = int(record.path.split("album=")[1].split("&")[0])
        links = "".join(
            f'<li><a href="/thu-vien-anh.htm?album={n * 25 + i}">Album {n * 25 + i}</a></li>'
            for i in range(25)
        )
        return (
            f"<html><head><title>Album {n}</title></head><body><h1>Thư viện ảnh</h1>"
            f"<ul>{links}</ul></body></html>"
        ).encode()

    site.add("/thu-vien-anh.htm", Route(body=album), "other")
    home = site.routes["/"]
    home.body = home.body.replace(
        b'<main class="main">',
        '<main class="main"><a href="/thu-vien-anh.htm?album=1">Ảnh</a>'.encode(),
        1,
    )
    return site


def test_url_family_counts_survive_a_resumed_run(tmp_path):
    """A photo library whose pages each link 25 new albums. With `crawl_max_barren_family=5` the
    family is followed 5 pages in a row at most. A run cut after the third album page and then
    resumed (as after a kill) goes on counting from 3, not from 0: 5 album pages in all."""
    settings = fast_settings(crawl_max_barren_family=5, crawl_max_depth=12)

    def albums(log):
        return [r.path for r in log if r.path.startswith("/thu-vien-anh")]

    # Where the third album page comes, counted in pages (robots.txt aside), on a whole crawl.
    with FixtureServer(_album_site()) as server:
        whole = crawl(
            [server.url("/")],
            tmp_path / "whole.db",
            options=CrawlOptions(delay=0.0),
            settings=settings,
            progress=None,
        )
        order = [r.path for r in server.log if r.path != "/robots.txt"]
    assert len(albums(server.log)) == 5, albums(server.log)
    cut = [i for i, p in enumerate(order) if p.startswith("/thu-vien-anh")][2] + 1

    db = tmp_path / "cut.db"
    with FixtureServer(_album_site()) as server:
        first = crawl(
            [server.url("/")],
            db,
            options=CrawlOptions(delay=0.0, max_pages=cut),
            settings=settings,
            progress=None,
        )
        assert first.stop == "max-pages" and len(albums(server.log)) == 3
        with sqlite3.connect(db) as conn:  # left unfinished, as a crawl killed there leaves it
            conn.execute("UPDATE crawl_runs SET finished_at = NULL WHERE id = ?", (first.run_id,))
        second = crawl(
            [server.url("/")], db, options=CrawlOptions(delay=0.0), settings=settings, progress=None
        )
        assert second.resumed
        assert len(albums(server.log)) == 5, albums(server.log)
    assert second.stored + first.stored == whole.stored
    with open_store(db) as st:
        traps = Frontier(st).trap_families()
    assert [t["family"].split("/", 1)[1] for t in traps] == ["thu-vien-anh.htm?album"]
    assert "URL trap" in traps[0]["reason"] and traps[0]["barren"] == 5
