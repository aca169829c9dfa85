"""The SQLite store: migrations, idempotent upserts, and `ocop batch` into and out of it."""

from __future__ import annotations

import json
import sqlite3
import zlib

import pytest
from conftest import jsonl_by_id, summary_line, write_jsonl

from ocop_nlp.errors import InputError
from ocop_nlp.records import extraction_from_dict
from ocop_nlp.store import SCHEMA_VERSION, StoredArticle, content_hash, open_store


def test_a_new_store_is_migrated_in_wal_mode_with_named_versions(tmp_path):
    with open_store(tmp_path / "tin.db") as st:
        assert st.journal_mode() == "wal"
        assert st.schema_version() == SCHEMA_VERSION
        assert st.migrations()[0] == (1, "articles, extractions, directives")
    with sqlite3.connect(tmp_path / "tin.db") as c:
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"schema_migrations", "articles", "extractions", "directives"} <= tables


def test_reopening_a_store_applies_no_migration_twice(tmp_path):
    for _ in range(3):
        with open_store(tmp_path / "tin.db") as st:
            assert len(st.migrations()) == SCHEMA_VERSION


def test_a_store_from_a_newer_ocop_is_refused_with_a_sentence(tmp_path):
    open_store(tmp_path / "tin.db").close()
    with sqlite3.connect(tmp_path / "tin.db") as c:
        c.execute("INSERT INTO schema_migrations VALUES (99, 'from the future', 'x')")
    with pytest.raises(InputError, match="newer ocop"):
        open_store(tmp_path / "tin.db")


def test_a_file_that_is_not_sqlite_is_refused_with_a_sentence(tmp_path):
    bad = tmp_path / "tin.db"
    bad.write_bytes(b"day khong phai sqlite" * 100)
    with pytest.raises(InputError, match="not a usable SQLite store"):
        open_store(bad)


def test_an_article_round_trips_with_its_page_compressed_on_disk(tmp_path, sharepoint_page):
    page = sharepoint_page.encode("utf-8")
    a = StoredArticle(
        id="caobang-1",
        url="https://caobang.gov.vn/tin/1",
        site="caobang.gov.vn",
        title="Sơ kết OCOP",
        raw_html=page,
        http_status=200,
        etag='"abc"',
        last_modified="Sat, 13 Jul 2024 01:05:11 GMT",
        fetched_at="2024-07-13T08:05:11+07:00",
    )
    with open_store(tmp_path / "tin.db") as st:
        assert st.save_article(a)
        got = st.get_article("caobang-1")
    assert got is not None and got.raw_html == page and got.etag == '"abc"'
    assert got.content_hash == content_hash(page)
    with sqlite3.connect(tmp_path / "tin.db") as c:
        blob = c.execute("SELECT raw_html FROM articles").fetchone()[0]
    assert len(blob) < len(page) and zlib.decompress(blob) == page


def test_the_same_text_under_a_second_id_is_stored_once(tmp_path):
    with open_store(tmp_path / "tin.db") as st:
        assert st.save_article(StoredArticle(id="a", text="Hội nghị sơ kết OCOP."))
        assert not st.save_article(StoredArticle(id="b", text="Hội nghị sơ kết OCOP."))
        assert st.save_article(StoredArticle(id="a", text="Hội nghị sơ kết OCOP.", title="Mới"))
        assert st.count_articles() == 1
        assert st.get_article("a").title == "Mới"  # type: ignore[union-attr]


def test_saving_an_extraction_twice_is_one_row_with_its_directives_once(tmp_path, own_extractions):
    doc = own_extractions["01_cao_bang_so_ket_6_thang"]
    ex = extraction_from_dict(doc)
    assert ex.directives, "article 01 has directives"
    with open_store(tmp_path / "tin.db") as st:
        assert st.save_extraction(ex) is True
        assert st.save_extraction(extraction_from_dict(doc)) is False
        assert st.count_extractions() == 1
        [row] = st.iter_extractions()
        rows = st.directives(ex.id)
    assert row.extraction.to_dict() == doc
    assert (row.tool_version, row.rules_version) == (
        doc["versions"]["ocop_nlp"],
        doc["versions"]["rules"],
    )
    assert row.model_version
    assert [(d.addressee, d.action, d.start, d.end) for d in rows] == [
        (d["addressee"], d["action"], d["start"], d["end"]) for d in doc["directives"]
    ]
    assert rows[0].issuer_name == doc["directives"][0]["issuer"]["name"]


def test_batch_with_db_records_each_article_once_even_when_run_twice(
    run_cli, tmp_path, own_records, own_extractions
):
    src = write_jsonl(tmp_path / "in.jsonl", own_records[:8])
    db = tmp_path / "tin.db"
    for out in ("a.jsonl", "b.jsonl"):  # a fresh OUT: every article is extracted again
        code, _, err = run_cli("batch", str(src), "-o", str(tmp_path / out), "--db", str(db))
        assert code == 0, err
    with open_store(db) as st:
        assert st.count_extractions() == 8
        stored = {r.article_id: r.extraction.to_dict() for r in st.iter_extractions()}
        n_directives = len(st.directives())
    assert stored == jsonl_by_id(tmp_path / "b.jsonl")
    assert stored == {r["id"]: own_extractions[r["id"]] for r in own_records[:8]}
    assert n_directives == sum(len(d["directives"]) for d in stored.values())


def test_batch_reads_the_articles_of_a_store(run_cli, tmp_path, own_records, own_extractions):
    db = tmp_path / "tin.db"
    with open_store(db) as st:
        for r in own_records[:5]:
            st.save_article(StoredArticle(id=r["id"], text=r["text"], title=r["title"]))
        st.save_article(StoredArticle(id="trang", raw_html=b"<html><body></body></html>"))
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli("batch", str(db), "-o", str(out), "--db", str(db))
    assert code == 0, err
    assert summary_line(err).startswith("5 ok, 1 failed: 1 ")
    assert jsonl_by_id(out) == {r["id"]: own_extractions[r["id"]] for r in own_records[:5]}
    [failure] = [json.loads(x) for x in (tmp_path / "out.errors.jsonl").read_text().splitlines()]
    assert failure["id"] == "trang"
    with open_store(db) as st:
        assert st.count_extractions() == 5


def test_export_gives_extractions_as_jsonl_and_directives_as_csv_for_excel(
    run_cli, tmp_path, own_records, own_extractions
):
    import csv
    import io

    db = tmp_path / "tin.db"
    src = write_jsonl(tmp_path / "in.jsonl", own_records[:3])
    assert run_cli("batch", str(src), "-o", str(tmp_path / "o.jsonl"), "--db", str(db))[0] == 0
    code, out, err = run_cli("export", "--db", str(db))
    assert code == 0, err
    got = {d["id"]: d for d in map(json.loads, out.splitlines())}
    assert got == {r["id"]: own_extractions[r["id"]] for r in own_records[:3]}

    csv_path = tmp_path / "chi-dao.csv"
    code, _, err = run_cli(
        "export", "--db", str(db), "--what", "directives", "--format", "csv", "-o", str(csv_path)
    )
    assert code == 0, err
    raw = csv_path.read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    expected = [
        (r["id"], d["action"])
        for r in own_records[:3]
        for d in own_extractions[r["id"]]["directives"]
    ]
    assert sorted((row["article_id"], row["action"]) for row in rows) == sorted(expected)


def test_export_of_a_missing_store_fails_with_a_sentence(run_cli, tmp_path):
    code, _, err = run_cli("export", "--db", str(tmp_path / "khong-co.db"))
    assert code == 1
    assert "does not exist" in err and not (tmp_path / "khong-co.db").exists()
