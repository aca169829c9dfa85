"""The crawler's persisted frontier in a real SQLite store: runs, re-queueing, settling."""

from __future__ import annotations

from ocop_nlp.store import open_store
from ocop_nlp.store.db import SCHEMA_VERSION, StoredArticle
from ocop_nlp.store.frontier import Frontier, NewLink, Settled

SITE = "cong.example.vn"


def _link(path: str, kind: str = "article", depth: int = 1, **kw) -> NewLink:
    return NewLink(f"http://{SITE}{path}", SITE, kind, depth, 2, **kw)


def test_migration_2_adds_the_crawl_tables_to_an_existing_store(tmp_path):
    db = tmp_path / "s.db"
    with open_store(db) as st:
        assert st.schema_version() == SCHEMA_VERSION >= 2
        names = {r[0] for r in st.conn.execute("SELECT name FROM sqlite_master")}
    assert {"crawl_frontier", "crawl_runs", "fetch_log", "articles"} <= names


def test_a_url_is_queued_once_and_settling_writes_article_links_and_log_together(tmp_path):
    with open_store(tmp_path / "s.db") as st:
        fr = Frontier(st)
        run, resumed = fr.open_run([f"http://{SITE}/"], [SITE], {})
        assert not resumed
        assert fr.add([_link("/a"), _link("/a"), _link("/b")]) == 2
        item = fr.next_item(SITE)
        assert item is not None and item.url.endswith("/a")
        art = StoredArticle(id=item.url, text="Hội nghị sơ kết OCOP tỉnh. " * 10)
        fr.settle(run, item, Settled("done", "stored", kind="article"), art, [_link("/c")])
        assert st.get_article(item.url) is not None
        assert fr.queued([SITE]) == 2  # /b and the new /c
        assert [r["outcome"] for r in fr.fetch_log(run)] == ["stored"]


def test_the_same_text_at_a_second_url_is_a_duplicate_not_a_second_article(tmp_path):
    with open_store(tmp_path / "s.db") as st:
        fr = Frontier(st)
        run, _ = fr.open_run([], [SITE], {})
        fr.add([_link("/a"), _link("/a-copy")])
        text = "Ủy ban nhân dân huyện họp giao ban tháng. " * 8
        for _ in range(2):
            item = fr.next_item(SITE)
            assert item is not None
            done = fr.settle(
                run, item, Settled("done", "stored"), StoredArticle(id=item.url, text=text)
            )
        assert done.outcome == "duplicate"
        assert done.reason and f"http://{SITE}/a" in done.reason
        assert st.count_articles() == 1


def test_an_unfinished_run_is_resumed_and_a_finished_one_requeues_what_can_change(tmp_path):
    with open_store(tmp_path / "s.db") as st:
        fr = Frontier(st)
        run, _ = fr.open_run(["x"], [SITE], {})
        fr.add([_link("/", "seed", 0), _link("/tin", "listing"), _link("/bai")])
        for outcome, state in (("listing", "done"), ("listing", "done"), ("stored", "done")):
            item = fr.next_item(SITE)
            assert item is not None
            fr.settle(run, item, Settled(state, outcome))
        # Killed before finishing: the next open resumes the same run, nothing re-queued.
        assert fr.open_run(["x"], [SITE], {}) == (run, True)
        assert fr.queued() == 0
        fr.finish_run(run, "done", {})
        run2, resumed = fr.open_run(["x"], [SITE], {})
        assert (run2, resumed) == (run + 1, False)
        queued = {r["url"].rsplit("/", 1)[1] for r in fr.items("queued")}
        assert queued == {"", "tin"}  # the seed and the listing; the article stays settled


def test_retryable_failures_are_retried_on_the_next_run_and_a_404_is_not(tmp_path):
    with open_store(tmp_path / "s.db") as st:
        fr = Frontier(st)
        run, _ = fr.open_run([], [SITE], {})
        fr.add([_link("/loi"), _link("/mat")])
        for outcome in ("server-error", "http-404"):
            item = fr.next_item(SITE)
            assert item is not None
            fr.settle(run, item, Settled("failed", outcome))
        fr.finish_run(run, "done", {})
        fr.open_run([], [SITE], {})
        assert [r["url"].rsplit("/", 1)[1] for r in fr.items("queued")] == ["loi"]


def test_a_newer_sitemap_lastmod_requeues_a_stored_article(tmp_path):
    with open_store(tmp_path / "s.db") as st:
        fr = Frontier(st)
        run, _ = fr.open_run([], [SITE], {})
        fr.add([_link("/a", lastmod="2024-01-01")])
        item = fr.next_item(SITE)
        assert item is not None
        fr.settle(run, item, Settled("done", "stored"))
        assert fr.add([_link("/a", lastmod="2024-01-01")]) == 0
        assert fr.add([_link("/a", lastmod="2024-03-05")]) == 1
        assert fr.queued() == 1
