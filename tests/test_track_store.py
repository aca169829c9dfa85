"""The store is the one place: batches write articles and extractions, a batch from a store
writes back into it, an id with another text is a new version, `--reextract`, migrations."""

from __future__ import annotations

import io
import sqlite3

from conftest import summary_line, write_jsonl

from ocop_nlp.store import SCHEMA_VERSION, StoredArticle, open_store
from ocop_nlp.store.db import MIGRATIONS


def _records(own_records, n):
    return [
        {**r, "url": f"https://caobang.gov.vn/tin/{r['id']}", "published": f"2019-0{i + 1}-15"}
        for i, r in enumerate(own_records[:n])
    ]


def test_batch_with_db_writes_the_article_rows_with_title_and_date(run_ocop, tmp_path, own_records):
    recs = _records(own_records, 3)
    src = write_jsonl(tmp_path / "in.jsonl.gz", recs)
    db = tmp_path / "tin.db"
    code, _, err = run_ocop("batch", str(src), "-o", str(tmp_path / "o.jsonl"), "--db", str(db))
    assert code == 0, err
    with open_store(db) as st:
        assert st.count_articles() == 3
        a = st.get_article(recs[1]["id"])
        assert a is not None
        assert (a.title, a.published, a.url) == (recs[1]["title"], "2019-02-15", recs[1]["url"])


def test_a_batch_from_a_store_writes_its_extractions_back_into_that_store(
    run_cli, tmp_path, own_records
):
    db = tmp_path / "portal.db"
    with open_store(db) as st:
        for r in own_records[:3]:
            st.save_article(StoredArticle(id=r["id"], text=r["text"], title=r["title"]))
    code, _, err = run_cli("batch", str(db), "-o", str(tmp_path / "out.jsonl"))
    assert code == 0, err
    with open_store(db) as st:
        assert st.count_extractions() == 3
        assert st.directives()
    code, out, err = run_cli("export", "--db", str(db), "--what", "directives", "--format", "csv")
    assert code == 0 and len(out.splitlines()) > 1
    # Again with --db: everything is in OUT and in the store, so nothing is redone.
    code, _, err = run_cli("batch", str(db), "-o", str(tmp_path / "out.jsonl"), "--db", str(db))
    assert code == 0 and "3 already done" in summary_line(err)


def test_a_store_that_missed_the_extractions_gets_them_without_a_second_line_in_out(
    run_cli, tmp_path, own_records
):
    src = write_jsonl(tmp_path / "in.jsonl", own_records[:2])
    out = tmp_path / "out.jsonl"
    assert run_cli("batch", str(src), "-o", str(out))[0] == 0
    db = tmp_path / "tin.db"
    code, _, err = run_cli("batch", str(src), "-o", str(out), "--db", str(db))
    assert code == 0, err
    assert summary_line(err).startswith("2 ok")
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2
    with open_store(db) as st:
        assert st.count_extractions() == 2 and st.count_articles() == 2


def test_an_empty_export_says_so_on_stderr(run_cli, tmp_path):
    open_store(tmp_path / "tin.db").close()
    code, out, err = run_cli("export", "--db", str(tmp_path / "tin.db"), "--what", "directives")
    assert code == 0 and out == ""
    assert "No directives in" in err and "empty" in err


def test_an_id_seen_again_with_another_text_is_a_new_version_not_already_done(
    run_cli, tmp_path, own_records
):
    r = own_records[0]
    changed = {**r, "text": r["text"] + "\nĐính chính: số liệu đã được cập nhật."}
    db = tmp_path / "tin.db"
    out = tmp_path / "out.jsonl"
    # In one input, and then again in a later run.
    src = write_jsonl(tmp_path / "in.jsonl", [r, changed])
    code, _, err = run_cli("batch", str(src), "-o", str(out), "--db", str(db))
    assert code == 0, err
    assert summary_line(err).startswith("2 ok") and "1 seen again with another text" in err
    again = {**r, "text": r["text"] + "\nBản cập nhật lần hai."}
    src2 = write_jsonl(tmp_path / "in2.jsonl", [again])
    code, _, err = run_cli("batch", str(src2), "-o", str(out), "--db", str(db))
    assert code == 0 and summary_line(err).startswith("1 ok"), err
    with open_store(db) as st:
        assert [v for v, _, _ in st.article_versions(r["id"])] == [1, 2, 3]
        assert st.count_extractions() == 3
        a = st.get_article(r["id"])
        assert a is not None and a.text is not None and "lần hai" in a.text
    # Without a store, the same input twice in one run also keeps both texts.
    code, _, err = run_cli("batch", str(src), "-o", str(tmp_path / "plain.jsonl"))
    assert summary_line(err).startswith("2 ok"), err


def test_a_batch_record_with_another_text_keeps_the_previous_text_as_the_crawler_does(
    run_cli, tmp_path, own_records
):
    r = own_records[0]
    db = tmp_path / "tin.db"
    out = tmp_path / "out.jsonl"
    assert (
        run_cli(
            "batch", str(write_jsonl(tmp_path / "a.jsonl", [r])), "-o", str(out), "--db", str(db)
        )[0]
        == 0
    )
    with open_store(db) as st:
        first = st.get_article(r["id"])
        assert first is not None and first.text
    changed = {**r, "title": "Tiêu đề đã sửa", "text": r["text"] + "\nĐính chính: đã sửa số liệu."}
    code, _, err = run_cli(
        "batch", str(write_jsonl(tmp_path / "b.jsonl", [changed])), "-o", str(out), "--db", str(db)
    )
    assert code == 0, err
    with open_store(db) as st:
        now = st.get_article(r["id"])
        versions = st.versions_of(r["id"])
    assert now is not None and now.text is not None and "Đính chính" in now.text
    assert now.title == "Tiêu đề đã sửa"
    assert [v.version for v in versions] == [1, 2]
    # The earlier text survives word for word, with the title it had; today's lives in articles.
    assert (versions[0].text, versions[0].title) == (first.text, first.title)
    assert versions[0].content_hash == first.content_hash
    assert versions[1].text is None and versions[1].content_hash == now.content_hash


def test_reextract_redoes_what_an_older_rules_version_made(run_cli, tmp_path, own_records):
    src = write_jsonl(tmp_path / "in.jsonl", own_records[:2])
    db = tmp_path / "tin.db"
    out = tmp_path / "out.jsonl"
    assert run_cli("batch", str(src), "-o", str(out), "--db", str(db))[0] == 0
    with sqlite3.connect(db) as c:
        c.execute(
            "UPDATE extractions SET rules_version = 'cues:0' WHERE article_id = ?",
            (own_records[0]["id"],),
        )
    code, _, err = run_cli("batch", str(src), "-o", str(out), "--db", str(db))
    assert "2 already done" in err
    code, _, err = run_cli("batch", str(src), "-o", str(out), "--db", str(db), "--reextract")
    assert code == 0, err
    assert summary_line(err).startswith("1 ok") and "1 re-extracted" in err
    with sqlite3.connect(db) as c:
        assert (
            c.execute("SELECT COUNT(*) FROM extractions WHERE rules_version = 'cues:0'").fetchone()[
                0
            ]
            == 0
        )


def test_reextract_redoes_what_another_clause_model_made(run_cli, tmp_path, own_records):
    src = write_jsonl(tmp_path / "in.jsonl", own_records[:2])
    db = tmp_path / "tin.db"
    out = tmp_path / "out.jsonl"
    assert run_cli("batch", str(src), "-o", str(out), "--db", str(db))[0] == 0
    # Same tool and rules, an older clause-type model: only `versions["model"]` tells.
    with sqlite3.connect(db) as c:
        c.execute(
            "UPDATE extractions SET extraction = json_set(extraction, '$.versions.model', "
            "'clause_type:crf:0000000000') WHERE article_id = ?",
            (own_records[1]["id"],),
        )
    code, _, err = run_cli("batch", str(src), "-o", str(out), "--db", str(db), "--reextract")
    assert code == 0, err
    assert summary_line(err).startswith("1 ok") and "1 re-extracted" in err
    with sqlite3.connect(db) as c:
        models = {
            m
            for (m,) in c.execute(
                "SELECT json_extract(extraction, '$.versions.model') FROM extractions"
            )
        }
    assert "clause_type:crf:0000000000" not in models
    # Made now with this model: a second --reextract has nothing to redo.
    code, _, err = run_cli("batch", str(src), "-o", str(out), "--db", str(db), "--reextract")
    assert "2 already done" in err, err


def _schema_2_store(path):
    """A store as ocop made it before this change: migrations 1 and 2 only."""
    c = sqlite3.connect(path, isolation_level=None)
    c.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at TEXT NOT NULL)"
    )
    for version, name, statements in MIGRATIONS[:2]:
        for sql in statements:
            c.execute(sql)
        c.execute("INSERT INTO schema_migrations VALUES (?, ?, 'then')", (version, name))
    return c


def test_a_schema_2_store_is_migrated_and_keeps_its_rows(run_cli, tmp_path, own_records):
    db = tmp_path / "old.db"
    c = _schema_2_store(db)
    r = own_records[0]
    c.execute(
        "INSERT INTO articles (id, title, text, content_hash) VALUES (?, ?, ?, 'sha256-old')",
        (r["id"], r["title"], r["text"]),
    )
    c.close()
    code, _, err = run_cli("batch", str(db), "-o", str(tmp_path / "out.jsonl"))
    assert code == 0, err
    with open_store(db) as st:
        assert st.schema_version() == SCHEMA_VERSION
        assert [n for v, n in st.migrations() if v == 4] == [
            "article versions, extraction source hash"
        ]
        assert st.count_articles() == 1 and st.count_extractions() == 1
        assert st.get_article(r["id"]).title == r["title"]  # type: ignore[union-attr]


def test_a_store_from_a_newer_schema_is_refused_by_the_cli_in_one_sentence(run_cli, tmp_path):
    open_store(tmp_path / "tin.db").close()
    with sqlite3.connect(tmp_path / "tin.db") as c:
        c.execute("INSERT INTO schema_migrations VALUES (99, 'from the future', 'x')")
    code, _, err = run_cli("export", "--db", str(tmp_path / "tin.db"))
    assert code == 1
    assert "newer ocop" in err and len(err.strip().splitlines()) == 1


def test_the_key_of_a_record_with_a_lone_surrogate_is_computed_not_raised():
    # json.loads accepts "\ud800"; the batch parent hashes each record's raw text to spot new
    # versions before a worker cleans it, so hashing must not raise on it.
    from ocop_nlp.store import content_hash

    assert content_hash("hội nghị \ud800 sơ kết").startswith("sha256-")
    assert content_hash("sơ kết" * 400_000) == content_hash(("sơ kết" * 400_000).encode("utf-8"))


# Written for these tests: one order to three agencies at once.
SEVERAL = {
    "id": "cb-2020-08",
    "url": "https://caobang.gov.vn/tin-tuc/von-ocop",
    "published": "2020-08-05",
    "title": "Nguồn vốn cho OCOP",
    "text": "Ngày 5/8/2020, đồng chí Lê Văn Bình, Phó Chủ tịch UBND tỉnh Cao Bằng chủ trì hội "
    "nghị về Chương trình OCOP. Phó Chủ tịch yêu cầu Sở Tài chính, Sở Xây dựng và UBND các "
    "huyện rà soát nguồn vốn hỗ trợ các chủ thể OCOP trước ngày 30/9/2020.",
}


def _several_store(tmp_path):
    from ocop_nlp.batch import run_batch

    src = write_jsonl(tmp_path / "in.jsonl", [SEVERAL])
    db = tmp_path / "tin.db"
    run_batch(src, tmp_path / "out.jsonl", progress=io.StringIO(), workers=1, db=db)
    return db


def test_a_directive_to_several_agencies_is_found_under_each(run_cli, tmp_path):
    from ocop_nlp.track import Filters, query_directives, query_mentions

    db = _several_store(tmp_path)
    with open_store(db) as st:
        for who in ("Sở Tài chính", "Sở Xây dựng", "UBND huyện", "Ủy ban nhân dân các huyện"):
            [it] = query_directives(st, Filters(addressee=who))
            assert it.addressees == ["Sở Tài chính", "Sở Xây dựng", "UBND huyện"], who
        assert not query_directives(st, Filters(addressee="Sở Y tế"))
        [m] = query_mentions(st, Filters(addressee="Sở Xây dựng"))
        assert m.addressee == "Sở Tài chính, Sở Xây dựng và UBND các huyện"
        assert m.agencies == ["Sở Tài chính", "Sở Xây dựng", "UBND huyện"]
        rows = st.conn.execute(
            "SELECT addressee_part, part_agency FROM addressee_rows ORDER BY seq"
        ).fetchall()
    assert rows == [
        ("Sở Tài chính", "Sở Tài chính"),
        ("Sở Xây dựng", "Sở Xây dựng"),
        ("UBND các huyện", "UBND huyện"),
    ]
    code, out, err = run_cli(
        "export", "--db", str(db), "--what", "directives", "--addressee", "Sở Xây dựng",
        "--format", "csv",
    )  # fmt: skip
    assert code == 0, err
    assert "Sở Tài chính; Sở Xây dựng; UBND huyện" in out
    code, out, err = run_cli("directives", "--db", str(db), "--addressee", "UBND huyện")
    assert code == 0 and "Sở Tài chính +2" in out, err


def _store_at(path, version):
    """A store as an ocop of schema `version` made it (its migrations only)."""
    c = sqlite3.connect(path, isolation_level=None)
    c.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at TEXT NOT NULL)"
    )
    for v, name, statements in MIGRATIONS[:version]:
        for sql in statements:
            c.execute(sql)
        c.execute("INSERT INTO schema_migrations VALUES (?, ?, 'then')", (v, name))
    return c


def test_a_schema_5_store_is_migrated_and_its_directives_and_officials_filled_on_first_use(
    tmp_path,
):
    """From the schema before the addressee table: the extraction rows of a schema-5 store
    are re-resolved on first use, and the directive is then found under each agency."""
    from ocop_nlp.track import Filters, query_directives, query_officials

    (tmp_path / "now").mkdir()
    made = _several_store(tmp_path / "now")
    doc, tool, rules = (
        sqlite3.connect(made)
        .execute("SELECT extraction, tool_version, rules_version FROM extractions")
        .fetchone()
    )
    old = tmp_path / "old.db"
    c = _store_at(old, 5)
    c.execute(
        "INSERT INTO articles (id, url, title, published, text, content_hash) "
        "VALUES (?, ?, ?, ?, ?, 'sha256-old')",
        (SEVERAL["id"], SEVERAL["url"], SEVERAL["title"], SEVERAL["published"], SEVERAL["text"]),
    )
    c.execute(
        "INSERT INTO extractions (article_id, content_hash, extraction, tool_version, "
        "rules_version, created_at, updated_at) VALUES (?, 'sha256-x', ?, ?, ?, 'then', 'then')",
        (SEVERAL["id"], doc, tool, rules),
    )
    c.close()
    with open_store(old) as st:
        assert st.schema_version() == SCHEMA_VERSION
        assert [n for v, n in st.migrations() if v == 7] == [
            "addressees: one row per agency a directive names"
        ]
        [it] = query_directives(st, Filters(addressee="Sở Xây dựng"))
        assert it.addressees == ["Sở Tài chính", "Sở Xây dựng", "UBND huyện"]
        # Migration 8 too: the chair of that meeting is among the officials.
        [o] = query_officials(st, name="Lê Văn Bình")
        assert (o.position, o.province, o.first_seen) == ("Phó Chủ tịch", "Cao Bằng", "2020-08-05")
