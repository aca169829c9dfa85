"""`ocop batch`: many articles in, one extraction per line out; resumable, never dies on one.

Records stream from the input (a `.jsonl`/`.jsonl.gz` of article records or a folder of
`.html`/`.txt` files); each result is appended to OUT as one line and flushed, so a crash loses
at most the article in hand, and a re-run skips the ids already in OUT. Failures go to
`OUT.errors.jsonl` with the reason. The per-article function is pure and picklable: the
parallel and Dask engines of a later release call the same `process_record`.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ocop_nlp.errors import InputError, OcopError
from ocop_nlp.extract.pipeline import extract_article
from ocop_nlp.parse.reader import (
    article_from_bytes,
    article_from_record,
    content_id,
    read_file_bytes,
)


@dataclass(slots=True)
class Task:
    """One unit of work: a record dict, or a file to read (for folders)."""

    id: str
    record: dict[str, Any] | None = None
    path: str | None = None


@dataclass(slots=True)
class BatchSummary:
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def line(self) -> str:
        s = f"{self.ok:,} ok, {self.failed:,} failed"
        if self.reasons:
            s += ": " + ", ".join(f"{n:,} {r}" for r, n in self.reasons.most_common())
        if self.skipped:
            s += f"; {self.skipped:,} already done"
        rate = self.ok / self.seconds if self.seconds > 0 else 0.0
        return s + f" ({self.seconds:.1f} s, {rate:.1f} articles/s)"


def iter_tasks(source: Path) -> Iterator[Task | tuple[str, str, str] | None]:
    """Tasks from INPUT; a record that cannot even be read yields (id, reason, message)."""
    if source.is_dir():
        for p in sorted(source.rglob("*")):
            if p.is_file() and p.suffix.lower() in (".html", ".htm", ".txt"):
                yield Task(id=p.relative_to(source).as_posix(), path=str(p))
        return
    name = source.name.lower()
    if not (name.endswith(".jsonl") or name.endswith(".jsonl.gz") or name.endswith(".ndjson")):
        raise InputError(
            f"{source} is not a .jsonl, .jsonl.gz or a folder; batch reads article records "
            "(one JSON object per line) or a folder of .html/.txt files."
        )
    opener = gzip.open if name.endswith(".gz") else open
    lineno = 0
    try:
        # utf-8-sig: a file saved by a Windows editor starts with a byte order mark.
        with opener(source, "rt", encoding="utf-8-sig", errors="replace") as f:  # type: ignore[operator]
            for lineno, line in enumerate(f, 1):
                yield _task_of_line(line, lineno)
    except (OSError, EOFError) as e:
        if lineno == 0:
            raise InputError(f"Could not read {source}: {e}.") from e
        # A .gz cut short (a copy that did not finish): keep what was read, report the rest.
        yield (
            f"line-{lineno + 1}",
            "bad input",
            f"{source} could not be read after line {lineno} ({e}); the records after it were "
            "not processed.",
        )


def _task_of_line(line: str, lineno: int) -> Task | tuple[str, str, str] | None:
    if not line.strip():
        return None
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as e:
        return (
            f"line-{lineno}",
            "bad json",
            f"Line {lineno} is not valid JSON ({e.msg}, column {e.colno}).",
        )
    if not isinstance(rec, dict):
        return (f"line-{lineno}", "bad input", f"Line {lineno} is not a JSON object.")
    rid = rec.get("id")
    if rid is None:
        rid = content_id(str(rec.get("text", "")))
        rec["id"] = rid
    return Task(id=str(rid), record=rec)


def process_task(task: Task) -> tuple[str, dict[str, Any] | None, str | None, str | None]:
    """(id, extraction dict, failure reason, message). Never raises for a bad record."""
    try:
        if task.path is not None:
            p = Path(task.path)
            art = article_from_bytes(read_file_bytes(p), p.name)
        else:
            art = article_from_record(task.record or {})
        art.id = task.id
        ex = extract_article(art)
        return task.id, ex.to_dict(), None, None
    except OcopError as e:
        return task.id, None, e.reason, str(e)
    except Exception as e:  # noqa: BLE001 - one broken record must never stop a batch
        return task.id, None, "internal error", f"{e.__class__.__name__}: {e}"


def done_ids(out: Path) -> set[str]:
    """Ids already written to OUT; a torn last line (crash mid-write) is cut off."""
    ids: set[str] = set()
    if not out.exists():
        return ids
    with open(out, "rb+") as f:
        data = f.read()
        good = data.rfind(b"\n") + 1
        if good < len(data):
            f.truncate(good)  # the half-written line of a killed run: redo that article
        for line in data[:good].splitlines():
            try:
                ids.add(str(json.loads(line)["id"]))
            except (ValueError, KeyError, TypeError):
                continue
    return ids


class _Progress:
    def __init__(self, stream: TextIO, total: int | None) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.total = total
        self.t0 = time.monotonic()
        self.last = 0.0

    def update(self, s: BatchSummary, force: bool = False) -> None:
        if not self.live:
            return
        now = time.monotonic()
        if not force and now - self.last < 0.2:
            return
        self.last = now
        n = s.ok + s.failed
        rate = n / max(now - self.t0, 1e-9)
        tot = f"/{self.total:,}" if self.total else ""
        eta = ""
        if self.total and rate > 0:
            eta = f", ETA {max(0, self.total - n - s.skipped) / rate:.0f} s"
        self.stream.write(f"\r{n:,}{tot} done, {rate:.1f} articles/s{eta}, {s.failed:,} errors ")
        self.stream.flush()


def run_batch(
    source: str | os.PathLike[str], out: str | os.PathLike[str], progress: TextIO | None = None
) -> BatchSummary:
    """Extract every article of `source` into `out` (JSONL), skipping ids already there."""
    src, dst = Path(source), Path(out)
    if not src.exists():
        raise InputError(f"{src} does not exist; give a .jsonl, a .jsonl.gz or a folder.")
    if dst.exists() and dst.resolve() == src.resolve():
        raise InputError(f"The output {dst} is the input itself; write the results elsewhere.")
    dst.parent.mkdir(parents=True, exist_ok=True)
    err_path = dst.with_name(dst.name.removesuffix(".jsonl") + ".errors.jsonl")
    seen = done_ids(dst)
    summary = BatchSummary()
    prog = _Progress(progress or sys.stderr, None)
    t0 = time.monotonic()
    # The errors file describes this run: records that failed before are tried again, so
    # appending would list a failure once per run.
    with (
        open(dst, "a", encoding="utf-8", newline="\n") as fo,
        open(err_path, "w", encoding="utf-8", newline="\n") as fe,
    ):
        for task in iter_tasks(src):
            if task is None:
                continue
            if isinstance(task, tuple):
                _fail(fe, summary, *task)
                continue
            if task.id in seen:
                summary.skipped += 1
                continue
            seen.add(task.id)
            rid, result, reason, msg = process_task(task)
            if result is None:
                _fail(fe, summary, rid, reason or "error", msg or "")
            else:
                fo.write(json.dumps(result, ensure_ascii=False) + "\n")
                fo.flush()
                summary.ok += 1
            prog.update(summary)
    prog.update(summary, force=True)
    if prog.live:
        prog.stream.write("\n")
    summary.seconds = time.monotonic() - t0
    return summary


def _fail(fe: TextIO, s: BatchSummary, rid: str, reason: str, msg: str) -> None:
    fe.write(json.dumps({"id": rid, "reason": reason, "message": msg}, ensure_ascii=False) + "\n")
    fe.flush()
    s.failed += 1
    s.reasons[reason] += 1
