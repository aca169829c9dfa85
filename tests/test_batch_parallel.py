"""`ocop batch --workers N`: a pool of processes gives what one process gives, streams its input,
survives `kill -9`, and shows a progress line only on a terminal."""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import jsonl_by_id, kill_batch_midway, summary_line, write_jsonl

from ocop_nlp.batch import run_batch
from ocop_nlp.batch.local import CHUNK_SIZE, CHUNKS_PER_WORKER, pool_engine
from ocop_nlp.batch.task import Task

BAD = [
    {"id": "rong", "title": "Bài rỗng", "text": "   "},
    {"id": "khong-text", "title": "Không có nội dung"},
]


def test_two_workers_write_the_same_extractions_and_failures_as_one(
    run_cli, tmp_path, own_records, own_extractions
):
    src = write_jsonl(tmp_path / "in.jsonl.gz", own_records[:12] + BAD + own_records[12:])
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli("batch", str(src), "-o", str(out), "--workers", "2")
    assert code == 0, err
    assert jsonl_by_id(out) == own_extractions
    failures = jsonl_by_id(tmp_path / "out.errors.jsonl")
    assert {k: f["reason"] for k, f in failures.items()} == {
        "rong": "empty text",
        "khong-text": "bad input",
    }
    assert summary_line(err).startswith(f"{len(own_records)} ok, 2 failed: ")


def test_parallel_rerun_skips_done_ids_and_does_only_the_new_ones(
    run_cli, tmp_path, own_records, own_extractions
):
    out = tmp_path / "out.jsonl"
    run_cli("batch", str(write_jsonl(tmp_path / "a.jsonl", own_records[:7])), "-o", str(out))
    code, _, err = run_cli(
        "batch",
        str(write_jsonl(tmp_path / "b.jsonl", own_records)),
        "-o",
        str(out),
        "--workers",
        "2",
    )
    assert code == 0, err
    assert summary_line(err).startswith(f"{len(own_records) - 7} ok, 0 failed; 7 already done")
    assert jsonl_by_id(out) == own_extractions


def test_the_pool_reads_input_only_as_results_come_back(many_records):
    """Memory stays flat: never more than the in-flight chunks are read ahead of the results."""
    workers = 2
    pulled = 0
    ahead: list[int] = []

    def tasks():
        nonlocal pulled
        for r in many_records[:60]:
            pulled += 1
            yield Task(id=r["id"], record=r)

    done: list[str] = []

    def emit(result) -> None:
        done.append(result[0])
        ahead.append(pulled - len(done))

    pool_engine(workers)(tasks(), emit)
    assert sorted(done) == sorted(r["id"] for r in many_records[:60])
    bound = workers * CHUNKS_PER_WORKER * CHUNK_SIZE
    assert max(ahead) <= bound, f"read {max(ahead)} records ahead of the results (bound {bound})"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_on_a_terminal_shows_done_total_rate_eta_and_errors(tmp_path, own_records):
    src = write_jsonl(tmp_path / "in.jsonl", own_records[:6] + BAD[:1])
    term = _Terminal()
    s = run_batch(src, tmp_path / "out.jsonl", progress=term, workers=1)
    assert (s.ok, s.failed) == (6, 1)
    last = term.getvalue().rstrip("\n").split("\r")[-1]
    assert re.match(r"^7/7 done, [\d.]+ articles/s, ETA 0:00, 1 errors", last), last
    assert term.getvalue().endswith("\n")


def test_progress_is_quiet_when_not_a_terminal(tmp_path, own_records):
    src = write_jsonl(tmp_path / "in.jsonl", own_records[:3])
    quiet = io.StringIO()
    run_batch(src, tmp_path / "out.jsonl", progress=quiet, workers=1)
    assert quiet.getvalue() == ""


def test_summary_groups_failures_by_reason_with_thousands_separators():
    from collections import Counter

    from ocop_nlp.batch import BatchSummary

    s = BatchSummary(ok=12403, failed=17, reasons=Counter({"empty text": 11, "bad encoding": 6}))
    assert s.line().startswith("12,403 ok, 17 failed: 11 empty text, 6 bad encoding (")


def test_zero_workers_is_refused_with_a_sentence(run_cli, tmp_path, own_records):
    src = write_jsonl(tmp_path / "in.jsonl", own_records[:1])
    code, _, err = run_cli("batch", str(src), "-o", str(tmp_path / "o.jsonl"), "--workers", "0")
    assert code == 1
    assert "--workers must be 1 or more" in err


def _descendants(pid: int) -> set[int]:
    """Every process below `pid` (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(d.name))
    found, todo = set(), [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            found.add(c)
            todo.append(c)
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_parallel_batch_killed_with_sigkill_resumes_and_leaves_no_worker_behind(
    run_cli, tmp_path, many_records
):
    records = many_records[:80]
    src = write_jsonl(tmp_path / "in.jsonl", records)
    reference = tmp_path / "reference.jsonl"
    assert run_cli("batch", str(src), "-o", str(reference))[0] == 0

    out = tmp_path / "out.jsonl"
    workers: set[int] = set()
    written = kill_batch_midway(
        src, out, workers=2, watch=lambda pid: workers.update(_descendants(pid))
    )
    assert 20 <= written < len(records), "the run must be killed in the middle"
    assert workers, "the pool had worker processes"
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(p) for p in workers), "workers outlived their killed parent"

    code, _, err = run_cli("batch", str(src), "-o", str(out), "--workers", "2")
    assert code == 0, err
    assert re.search(rf"; {written:,} already done", summary_line(err))
    assert jsonl_by_id(out) == jsonl_by_id(reference)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_stops_a_parallel_batch_with_the_resume_message_not_a_dead_worker(
    run_cli, tmp_path, many_records
):
    src = write_jsonl(tmp_path / "in.jsonl", many_records)
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "ocop_nlp", "batch", str(src), "-o", str(out), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if out.exists() and out.read_bytes().count(b"\n") >= 12:
            break
        time.sleep(0.01)
    # A terminal's Ctrl-C is SIGINT to the whole process group, and a worker may get it before
    # the parent does: send it to the workers first, then to the parent.
    for pid in _descendants(proc.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    message = err.decode("utf-8")
    assert proc.returncode == 130, message
    assert "Stopped by the user; a batch can be resumed with the same command." in message
    assert "worker process died" not in message
    code, _, err2 = run_cli("batch", str(src), "-o", str(out), "--workers", "2")
    assert code == 0, err2
    assert len(jsonl_by_id(out)) == len(many_records)
