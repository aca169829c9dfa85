"""`ocop batch`: many articles in, one extraction per line out; resumable; never dies on one."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from conftest import article_record, jsonl_by_id, kill_batch_midway, summary_line, write_jsonl

GARBAGE = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(32)) * 8).decode("latin-1")


def _lines(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    assert text == "" or text.endswith("\n"), "OUT must end with a whole line"
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture(scope="module")
def records(article_paths) -> list[dict]:
    return [article_record(p) for p in article_paths]


@pytest.fixture(scope="module")
def expected(records) -> dict[str, dict]:
    """What `ocop extract` gives for each record: a batch line must be the same."""
    from ocop_nlp.extract.pipeline import extract_article
    from ocop_nlp.parse.reader import article_from_record

    return {r["id"]: extract_article(article_from_record(r)).to_dict() for r in records}


@pytest.mark.parametrize("name", ["in.jsonl", "in.jsonl.gz"])
def test_batch_writes_one_extraction_per_record(run_cli, tmp_path, records, expected, name):
    src = write_jsonl(tmp_path / name, records)
    out = tmp_path / "out.jsonl"
    code, stdout, err = run_cli("batch", str(src), "-o", str(out))
    assert code == 0, err
    assert stdout == ""
    assert jsonl_by_id(out) == expected
    assert summary_line(err).startswith(f"{len(records)} ok, 0 failed (")
    assert (tmp_path / "out.errors.jsonl").read_text() == ""


def test_batch_of_a_folder_uses_paths_relative_to_the_folder_as_ids(
    run_cli, tmp_path, article_paths, sharepoint_page, wordpress_page
):
    folder = tmp_path / "trang"
    (folder / "2024" / "07").mkdir(parents=True)
    (folder / "cao-bang.html").write_text(sharepoint_page, encoding="utf-8")
    (folder / "2024" / "quang-ngai.htm").write_text(wordpress_page, encoding="utf-8")
    (folder / "2024" / "07" / "bai.txt").write_bytes(article_paths[2].read_bytes())
    (folder / "ghi-chu.md").write_text("không phải bài viết", encoding="utf-8")
    (folder / "anh.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli("batch", str(folder), "-o", str(out))
    assert code == 0, err
    got = jsonl_by_id(out)
    assert set(got) == {"cao-bang.html", "2024/quang-ngai.htm", "2024/07/bai.txt"}
    assert got["cao-bang.html"]["article"]["published"] == "2024-07-13"
    assert got["2024/quang-ngai.htm"]["article"]["author"] == "Minh Châu"
    code, one, _ = run_cli("extract", str(folder / "cao-bang.html"))
    assert {**json.loads(one), "id": "cao-bang.html"} == got["cao-bang.html"]


def test_batch_with_bad_records_finishes_and_lists_each_failure(run_cli, tmp_path, records):
    bad = [{"id": "rong", "title": "Bài rỗng", "text": "   "}, {"id": "rac", "text": GARBAGE}]
    src = write_jsonl(
        tmp_path / "in.jsonl",
        records[:10] + bad + records[10:],
        extra_lines=('{"id": "cut", "text": "Ngày 5/3/2024', '["không", "phải", "bản ghi"]'),
    )
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli("batch", str(src), "-o", str(out))
    assert code == 0, err
    assert "Traceback" not in err
    assert set(jsonl_by_id(out)) == {r["id"] for r in records}
    failures = _lines(tmp_path / "out.errors.jsonl")
    # Workers finish in any order, so failures are listed in any order too.
    assert sorted((f["id"], f["reason"]) for f in failures) == sorted(
        [
            ("rong", "empty text"),
            ("rac", "bad encoding"),
            (f"line-{len(records) + 3}", "bad json"),
            (f"line-{len(records) + 4}", "bad input"),
        ]
    )
    assert all(f["message"].endswith(".") for f in failures)
    summary = summary_line(err)
    assert summary.startswith(f"{len(records)} ok, 4 failed: ")
    for part in ("1 empty text", "1 bad encoding", "1 bad json", "1 bad input"):
        assert part in summary


def test_batch_rerun_skips_done_ids_and_writes_nothing_twice(run_cli, tmp_path, records):
    src = write_jsonl(tmp_path / "in.jsonl", records + [{"id": "rong", "text": ""}])
    out = tmp_path / "out.jsonl"
    assert run_cli("batch", str(src), "-o", str(out))[0] == 0
    first = out.read_bytes()
    code, _, err = run_cli("batch", str(src), "-o", str(out))
    assert code == 0, err
    assert out.read_bytes() == first
    assert summary_line(err).startswith(
        f"0 ok, 1 failed: 1 empty text; {len(records)} already done"
    )
    assert len(_lines(tmp_path / "out.errors.jsonl")) == 1


def test_batch_rerun_on_more_records_does_only_the_new_ones(run_cli, tmp_path, records, expected):
    out = tmp_path / "out.jsonl"
    run_cli("batch", str(write_jsonl(tmp_path / "a.jsonl", records[:5])), "-o", str(out))
    code, _, err = run_cli("batch", str(write_jsonl(tmp_path / "b.jsonl", records)), "-o", str(out))
    assert code == 0
    assert summary_line(err).startswith(f"{len(records) - 5} ok, 0 failed; 5 already done")
    assert jsonl_by_id(out) == expected


def test_batch_records_without_id_get_a_content_id_and_are_skipped_on_rerun(
    run_cli, tmp_path, records
):
    plain = [{"text": r["text"]} for r in records[:3]]
    src = write_jsonl(tmp_path / "in.jsonl", plain)
    out = tmp_path / "out.jsonl"
    run_cli("batch", str(src), "-o", str(out))
    ids = set(jsonl_by_id(out))
    assert len(ids) == 3 and all(i.startswith("sha1-") for i in ids)
    code, _, err = run_cli("batch", str(src), "-o", str(out))
    assert "3 already done" in summary_line(err)
    assert set(jsonl_by_id(out)) == ids


def test_batch_resumes_after_a_torn_last_line(run_cli, tmp_path, records, expected):
    out = tmp_path / "out.jsonl"
    run_cli("batch", str(write_jsonl(tmp_path / "a.jsonl", records[:10])), "-o", str(out))
    torn = json.dumps(expected[records[10]["id"]], ensure_ascii=False)
    with open(out, "a", encoding="utf-8") as f:
        f.write(torn[: len(torn) // 2])  # a crash in the middle of writing record 11
    code, _, err = run_cli("batch", str(write_jsonl(tmp_path / "b.jsonl", records)), "-o", str(out))
    assert code == 0, err
    assert summary_line(err).startswith(f"{len(records) - 10} ok, 0 failed; 10 already done")
    assert jsonl_by_id(out) == expected


def test_batch_exits_1_when_nothing_succeeded(run_cli, tmp_path):
    src = write_jsonl(
        tmp_path / "in.jsonl", [{"id": "a", "text": ""}, {"id": "b"}], extra_lines=("{nope",)
    )
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli("batch", str(src), "-o", str(out))
    assert code == 1
    assert summary_line(err).startswith("0 ok, 3 failed: ")
    assert "Nothing succeeded" in err
    assert len(_lines(tmp_path / "out.errors.jsonl")) == 3


def test_batch_refuses_a_folder_file_too_large_without_reading_it(
    run_cli, tmp_path, article_paths, monkeypatch
):
    folder = tmp_path / "trang"
    folder.mkdir()
    (folder / "a.txt").write_bytes(article_paths[0].read_bytes())
    with open(folder / "lon.txt", "wb") as f:
        f.truncate(6_000_000)
    real_read = Path.read_bytes

    def guarded(self):
        assert self.name != "lon.txt", "the oversized file was read"
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", guarded)
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli("batch", str(folder), "-o", str(out))
    assert code == 0
    assert set(jsonl_by_id(out)) == {"a.txt"}
    [failure] = _lines(tmp_path / "out.errors.jsonl")
    assert (failure["id"], failure["reason"]) == ("lon.txt", "too large")


def test_batch_of_a_gzip_cut_short_keeps_what_it_read(run_cli, tmp_path, records):
    whole = gzip.compress(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    )
    src = tmp_path / "in.jsonl.gz"
    src.write_bytes(whole[: len(whole) * 2 // 3])
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli("batch", str(src), "-o", str(out))
    assert code == 0, err
    assert "Traceback" not in err
    done = jsonl_by_id(out)
    assert 0 < len(done) < len(records)
    [failure] = _lines(tmp_path / "out.errors.jsonl")
    assert failure["reason"] == "bad input" and "could not be read after line" in failure["message"]


def test_batch_input_of_another_kind_fails_with_a_sentence(run_cli, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,text\n1,Ngày 5/3/2024\n", encoding="utf-8")
    code, _, err = run_cli("batch", str(src), "-o", str(tmp_path / "out.jsonl"))
    assert code == 1
    assert err.count("\n") == 1 and "is not a .jsonl, .jsonl.gz or a folder" in err


def test_batch_output_that_is_the_input_is_refused(run_cli, tmp_path, records):
    src = write_jsonl(tmp_path / "in.jsonl", records[:2])
    before = src.read_bytes()
    code, _, err = run_cli("batch", str(src), "-o", str(src))
    assert code == 1
    assert "is the input itself" in err
    assert src.read_bytes() == before


def test_batch_killed_with_sigkill_resumes_to_the_same_result(run_cli, tmp_path, many_records):
    """A real `kill -9` in the middle of a one-process run, then the same command again.

    (The pool's version is in test_batch_parallel.py.)"""
    many = many_records
    src = write_jsonl(tmp_path / "in.jsonl", many)

    reference = tmp_path / "reference.jsonl"
    assert run_cli("batch", str(src), "-o", str(reference))[0] == 0

    out = tmp_path / "out.jsonl"
    written = kill_batch_midway(src, out, workers=1)
    assert 20 <= written < len(many), "the run must be killed in the middle"

    code, _, err = run_cli("batch", str(src), "-o", str(out))
    assert code == 0, err
    assert re.search(rf"; {written:,} already done", summary_line(err))
    assert jsonl_by_id(out) == jsonl_by_id(reference)


def _poison_lines(limit: int) -> tuple[str, ...]:
    """Raw lines that used to stop every run at the same record, or blow its memory up."""
    surrogate = (
        '{"id": "mat-\\udc00", "title": "Tin \\ud800", "text": "Ngày 5/3/2024, UBND huyện họp '
        'bàn 12 sản phẩm OCOP \\ud800 mới."}'
    )
    deep = '{"id": "sau", "text": ' + "[" * 2_000 + "]" * 2_000 + "}"
    # Loads (or fails as bad JSON deeper in a stack), but pickled to a worker it may not.
    deep_title = '{"id": "tieu-de-sau", "text": "Ngày 5/3/2024, huyện họp.", "title": ' + (
        "[" * 800 + "]" * 800 + "}"
    )
    huge = json.dumps({"id": "lon", "text": "Ngày 5/3/2024. " + "x" * limit})
    return surrogate, deep, deep_title, huge


@pytest.mark.parametrize("workers", ["1", "2"])
def test_batch_poison_records_fail_alone_and_a_resume_goes_past_them(
    run_cli, tmp_path, records, monkeypatch, workers
):
    monkeypatch.setenv("OCOP_MAX_INPUT_BYTES", "200000")
    src = write_jsonl(tmp_path / "in.jsonl", records[:4], extra_lines=_poison_lines(200_000))
    with open(src, "a", encoding="utf-8") as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records[4:8])
    out, db = tmp_path / "out.jsonl", tmp_path / "kho.db"
    code, _, err = run_cli("batch", str(src), "-o", str(out), "--db", str(db), "--workers", workers)
    assert code == 0, err
    assert "Traceback" not in err and "unexpected" not in err
    done = jsonl_by_id(out)
    good = {r["id"] for r in records[:8]}
    # Lone surrogates become U+FFFD (one character for one: offsets hold), with a warning.
    assert set(done) == good | {"mat-\ufffd", "tieu-de-sau"}
    fixed = done["mat-\ufffd"]
    assert "\ufffd" in fixed["text"] and fixed["article"]["title"] == "Tin \ufffd"
    assert any("surrogate" in w for w in fixed["warnings"])
    assert fixed["text"][fixed["figures"][0]["start"] : fixed["figures"][0]["end"]] == "12 sản phẩm"
    failures = {f["id"]: f for f in _lines(tmp_path / "out.errors.jsonl")}
    n = len(records[:4])
    assert {i: f["reason"] for i, f in failures.items()} == {
        f"line-{n + 2}": "bad json",
        f"line-{n + 4}": "too large",
    }
    assert "nested too deeply" in failures[f"line-{n + 2}"]["message"]
    assert f"Line {n + 4} is a record of 0.2 MB" in failures[f"line-{n + 4}"]["message"]
    assert summary_line(err).startswith(f"{len(good) + 2} ok, 2 failed: ")

    # The resume reads past them to the records added since.
    with open(src, "a", encoding="utf-8") as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records[8:12])
    code, _, err = run_cli("batch", str(src), "-o", str(out), "--db", str(db), "--workers", workers)
    assert code == 0, err
    assert summary_line(err).startswith("4 ok, 2 failed: ")
    assert set(jsonl_by_id(out)) == {r["id"] for r in records[:12]} | {"mat-\ufffd", "tieu-de-sau"}


def test_a_record_the_sink_cannot_write_fails_alone_and_leaves_no_half_line(
    tmp_path, records, expected
):
    from ocop_nlp.batch import run_batch

    ids = [r["id"] for r in records[:3]]
    broken = {**expected[ids[1]], "text": expected[ids[1]]["text"] + "\ud800"}

    def engine(tasks, emit):
        for t in tasks:  # what a worker might send back: one extraction UTF-8 cannot hold
            emit((t.id, broken if t.id == ids[1] else expected[t.id], None, None))

    src = write_jsonl(tmp_path / "in.jsonl", records[:3])
    out, db = tmp_path / "out.jsonl", tmp_path / "kho.db"
    summary = run_batch(src, out, engine=engine, db=db)
    assert (summary.ok, summary.failed) == (2, 1)
    assert set(jsonl_by_id(out)) == {ids[0], ids[2]}
    [failure] = _lines(tmp_path / "out.errors.jsonl")
    assert failure["id"] == ids[1] and failure["reason"] == "not saved"
    assert "UnicodeEncodeError" in failure["message"]
    from ocop_nlp.store import open_store

    with open_store(db) as store:
        assert store.count_extractions() == 2


def test_a_gzip_holding_one_giant_line_is_read_through_without_holding_it(run_cli, tmp_path):

    src = tmp_path / "in.jsonl.gz"
    with gzip.open(src, "wb") as f:
        f.write(b'{"id": "a", "text": "Ng\\u00e0y 5/3/2024, huy\\u1ec7n h\\u1ecdp."}\n')
        f.write(b'{"id": "lon", "text": "')
        block = b"x" * (1 << 20)
        for _ in range(30):  # 30 MB of one line, 30 kB on disk
            f.write(block)
        f.write(b'"}\n{"id": "b", "text": "Ng\\u00e0y 6/3/2024, t\\u1ec9nh h\\u1ecdp."}\n')
    assert src.stat().st_size < 100_000
    from ocop_nlp.batch.inputs import _record_lines

    with gzip.open(src, "rb") as f:
        reads = []

        def readline(n: int) -> bytes:
            line = f.readline(n)
            reads.append(len(line))
            return line

        lines = list(_record_lines(readline, 5_000_000))
    assert [(n, v if isinstance(v, int) else "line") for n, v in lines] == [
        (1, "line"),
        (2, 30 * (1 << 20) + 25),
        (3, "line"),
    ]
    assert max(reads) <= 5_000_001  # never more than the limit in hand
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli("batch", str(src), "-o", str(out), "--workers", "1")
    assert code == 0, err
    assert set(jsonl_by_id(out)) == {"a", "b"}
    [failure] = _lines(tmp_path / "out.errors.jsonl")
    assert failure == {
        "id": "line-2",
        "reason": "too large",
        "message": "Line 2 is a record of 31.5 MB, larger than the 5 MB a record may be; it was "
        "skipped (raise OCOP_MAX_INPUT_BYTES if it really is one article).",
    }


def test_a_line_holding_a_number_python_refuses_to_read_fails_alone(run_cli, tmp_path, records):
    # json.loads raises ValueError (not JSONDecodeError) for an integer of over 4,300 digits.
    huge = '{"id": "so-lon", "text": "Có ' + "9" * 5000 + ' hộ.", "n": ' + "9" * 5000 + "}"
    src = write_jsonl(tmp_path / "in.jsonl", records[:3], extra_lines=(huge,))
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli("batch", str(src), "-o", str(out), "--workers", "1")
    assert code == 0, err
    assert set(jsonl_by_id(out)) == {r["id"] for r in records[:3]}
    [failure] = _lines(tmp_path / "out.errors.jsonl")
    assert (failure["id"], failure["reason"]) == ("line-4", "bad json")
    assert "4,300 digits" in failure["message"]
