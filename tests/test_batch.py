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
