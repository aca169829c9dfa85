"""`ocop batch`: many articles in, one extraction per line out; resumable, never dies on one.

Records stream from the input (a `.jsonl`/`.jsonl.gz` of article records, a folder of
`.html`/`.txt` files, or a store); each result is appended to OUT as one line and flushed as
it arrives, so a crash loses at most the articles in hand, and a re-run skips the ids already
in OUT. Failures go to `OUT.errors.jsonl` with the reason: a record that cannot be read (bad
JSON, nested too deeply, a line over `max_input_bytes`, skipped without being held), analysed
or saved fails alone, and the run goes on.

The per-article function `process_task` is pure and picklable; engines only decide where it
runs: in this process (`workers=1`), in a pool of worker processes (the default, one per core)
or on Dask (`ocop_nlp.batch.cluster`). Whatever the engine, only this process writes OUT, the
errors file and the store, and at most a few chunks of work are in flight, so memory stays flat
however long the input is.
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import itertools
import json
import multiprocessing
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TextIO

from ocop_nlp.config import load_settings
from ocop_nlp.errors import InputError, OcopError, TooLargeError
from ocop_nlp.extract.pipeline import extract_article
from ocop_nlp.extract.resources import Resources
from ocop_nlp.parse.reader import (
    article_from_bytes,
    article_from_record,
    content_id,
    megabytes,
    read_file_bytes,
)
from ocop_nlp.progress import LiveLine
from ocop_nlp.records import Article, extraction_from_dict, replace_lone_surrogates
from ocop_nlp.store.db import content_hash, is_store_path

# (id, extraction dict or None, failure reason or None, message or None)
Result = tuple[str, dict[str, Any] | None, str | None, str | None]
# An input record that could not even be read: (id, reason, message)
ReadFailure = tuple[str, str, str]
Engine = Callable[[Iterable["Task"], Callable[[Result], None]], None]

# Articles sent to a worker at once: large enough that messaging costs nothing next to ~50 ms
# of analysis per article, small enough that results stream back and work spreads evenly.
CHUNK_SIZE = 4
# Chunks in flight per worker: one being analysed, the next waiting, one spare.
CHUNKS_PER_WORKER = 3


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
    versions: int = 0  # ids met again with another text, extracted as a new version
    stale: int = 0  # re-extracted because an older tool or rules version made them
    reasons: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def line(self) -> str:
        """'12,403 ok, 17 failed: 11 empty text, 6 bad encoding (…)'."""
        s = f"{self.ok:,} ok, {self.failed:,} failed"
        if self.reasons:
            s += ": " + ", ".join(f"{n:,} {r}" for r, n in self.reasons.most_common())
        if self.skipped:
            s += f"; {self.skipped:,} already done"
        if self.versions:
            s += f"; {self.versions:,} seen again with another text (kept as new versions)"
        if self.stale:
            s += f"; {self.stale:,} re-extracted (made by an older version)"
        rate = self.ok / self.seconds if self.seconds > 0 else 0.0
        return s + f" ({self.seconds:.1f} s, {rate:.1f} articles/s)"


# --- input ------------------------------------------------------------------------------


def iter_tasks(source: Path, max_bytes: int | None = None) -> Iterator[Task | ReadFailure | None]:
    """Tasks from INPUT; a record that cannot even be read yields (id, reason, message).

    A line of more than `max_bytes` (default: the setting `max_input_bytes`) is skipped without
    being held in memory and reported as too large.
    """
    from ocop_nlp.store import is_store_path, open_store

    limit = max_bytes or load_settings().max_input_bytes

    if source.is_dir():
        for p in sorted(source.rglob("*")):
            if p.is_file() and p.suffix.lower() in (".html", ".htm", ".txt"):
                yield Task(id=p.relative_to(source).as_posix(), path=str(p))
        return
    if is_store_path(source):
        with open_store(source) as store:
            for a in store.iter_articles():
                yield Task(id=a.id, record=a.to_record())
        return
    name = source.name.lower()
    if not (name.endswith(".jsonl") or name.endswith(".jsonl.gz") or name.endswith(".ndjson")):
        raise InputError(
            f"{source} is not a .jsonl, .jsonl.gz or a folder; batch reads article records "
            "(one JSON object per line), a folder of .html/.txt files or a store (.db)."
        )
    opener = gzip.open if name.endswith(".gz") else open
    lineno = 0
    try:
        with opener(source, "rb") as f:  # type: ignore[operator]
            for lineno, line in _record_lines(f.readline, limit):
                if isinstance(line, int):
                    yield (
                        f"line-{lineno}",
                        TooLargeError.reason,
                        f"Line {lineno} is a record of {megabytes(line)}, larger than the "
                        f"{limit / 1e6:g} MB a record may be; it was skipped (raise "
                        "OCOP_MAX_INPUT_BYTES if it really is one article).",
                    )
                    continue
                yield _task_of_line(line.decode("utf-8", errors="replace"), lineno)
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


def count_inputs(source: Path) -> int | None:
    """How many records INPUT holds, when that is cheap to know (None for a .gz)."""
    from ocop_nlp.store import is_store_path, open_store

    if source.is_dir():
        return sum(
            1
            for p in source.rglob("*")
            if p.is_file() and p.suffix.lower() in (".html", ".htm", ".txt")
        )
    if is_store_path(source):
        with open_store(source) as store:
            return store.count_articles()
    if source.name.lower().endswith(".gz"):
        return None
    n = 0
    with open(source, "rb") as f:
        while block := f.read(1 << 20):
            n += block.count(b"\n")
    return n


def _record_lines(
    readline: Callable[[int], bytes], limit: int
) -> Iterator[tuple[int, bytes | int]]:
    """(line number, line) for each line `readline` gives; (line number, its size) for a line
    longer than `limit` bytes, which is read through to its end in pieces, never held whole."""
    lineno = 0
    while line := readline(limit + 1):
        lineno += 1
        if lineno == 1:
            line = line.removeprefix(codecs.BOM_UTF8)  # a file saved by a Windows editor
        if len(line) <= limit or line.endswith(b"\n"):
            yield lineno, line
            continue
        size = len(line)
        while (piece := readline(1 << 20)) and not piece.endswith(b"\n"):
            size += len(piece)
        yield lineno, size + len(piece.rstrip(b"\n"))


# The fields `article_from_record` reads; the rest of a record (an extraction's figures, say)
# need not travel to a worker.
_RECORD_FIELDS = (
    *("id", "text", "html", "url", "title", "published", "author", "source"),
    *("schema", "article"),  # an extraction given as a record
)


def _shallow(value: Any, nested: bool = False) -> Any:
    """A field's value, with any list or object in it emptied (one level kept when `nested`).

    Such values are refused anyway (a title must be a string), and a deep one could not even be
    pickled to a worker: at ~990 levels that raises RecursionError and would stop the batch.
    """
    if isinstance(value, dict) and nested:
        return {k: _shallow(v) for k, v in value.items()}
    if isinstance(value, (dict, list)):
        return type(value)()
    return value


_HUGE_NUMBER = "holds a number of more than 4,300 digits; an article record has none."


def _task_of_line(line: str, lineno: int) -> Task | ReadFailure | None:
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
    except RecursionError:
        return (
            f"line-{lineno}",
            "bad json",
            f"Line {lineno} is nested too deeply (about a thousand levels of brackets) to be "
            "read as JSON; an article record is a flat object.",
        )
    except ValueError:  # Python refuses to read an integer of more than 4,300 digits
        return (f"line-{lineno}", "bad json", f"Line {lineno} {_HUGE_NUMBER}")
    if not isinstance(rec, dict):
        return (f"line-{lineno}", "bad input", f"Line {lineno} is not a JSON object.")
    rec = {k: _shallow(rec[k], k == "article") for k in _RECORD_FIELDS if k in rec}
    rid = rec.get("id")
    if rid is None:
        text = rec.get("text")
        rid = content_id(text if isinstance(text, str) else line)
    elif isinstance(rid, (str, int)) and not isinstance(rid, bool):
        # The id is written to OUT and the errors file, which hold UTF-8 only.
        rid = replace_lone_surrogates(str(rid))[0]
    else:
        return (
            f"line-{lineno}",
            "bad input",
            f'Line {lineno} has an "id" that is not a string or a number.',
        )
    rec["id"] = rid
    return Task(id=rid, record=rec)


# --- the per-article function (runs wherever the engine puts it) -------------------------


def process_task(task: Task, resources: Resources | None = None) -> Result:
    """(id, extraction dict, failure reason, message). Never raises for a bad record.

    `resources`: the lexicons and model to extract with (default: the packaged ones); they
    travel to a worker as names and load there once."""
    try:
        if task.path is not None:
            p = Path(task.path)
            art = article_from_bytes(read_file_bytes(p), p.name)
        else:
            art = article_from_record(task.record or {})
        art.id = task.id
        ex = extract_article(art, resources=resources)
        return task.id, ex.to_dict(), None, None
    except OcopError as e:
        return task.id, None, e.reason, str(e)
    except Exception as e:  # noqa: BLE001 - one broken record must never stop a batch
        return task.id, None, "internal error", f"{e.__class__.__name__}: {e}"


def process_tasks(tasks: list[Task], resources: Resources | None = None) -> list[Result]:
    """A chunk of tasks (one message to a worker, one back)."""
    return [process_task(t, resources) for t in tasks]


_WARM_TEXT = (
    "Chiều 10/7, Phó Chủ tịch UBND tỉnh Đỗ Thị Minh Hoa chủ trì hội nghị sơ kết Đề án OCOP. "
    "Toàn tỉnh có 42 sản phẩm đạt yêu cầu. Phó Chủ tịch yêu cầu các sở, ngành tiếp tục đẩy "
    "mạnh tuyên truyền; các địa phương cần chủ động bố trí nguồn vốn."
)


def warm_up(resources: Resources | None = None) -> None:
    """Load the models and lexicons of this process once, before the first real article.

    Worker processes run it as their initializer, so no article pays for model loading and
    timings per article stay even.
    """
    # A failed warm-up only means the first article loads the models instead.
    with contextlib.suppress(Exception):
        extract_article(Article(text=_WARM_TEXT, id="warm-up"), resources=resources)


def _init_worker(parent_pid: int, resources: Resources | None = None) -> None:
    """A pool worker's start: leave Ctrl-C to the parent, watch the parent, then warm up."""
    # Ctrl-C on a terminal reaches the whole process group. Workers that died of it made the
    # parent report "a worker process died"; the parent alone stops the pool and says that the
    # batch can be resumed.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if os.name == "posix":
        # A parent killed with -9 cannot tell its workers; they would wait for work forever.
        import threading

        def watch() -> None:
            while True:
                time.sleep(1.0)
                try:
                    os.kill(parent_pid, 0)
                except ProcessLookupError:
                    os._exit(1)
                except PermissionError:  # the pid was reused by another user's process
                    os._exit(1)

        threading.Thread(target=watch, name="ocop-parent-watch", daemon=True).start()
    warm_up(resources)


# --- resuming ------------------------------------------------------------------------------


def done_ids(out: Path) -> set[str]:
    """Ids already written to OUT; a torn last line (crash mid-write) is cut off."""
    ids: set[str] = set()
    if not out.exists():
        return ids
    with open(out, "rb+") as f:
        # Find the end of the last whole line without reading a huge OUT into memory twice.
        size = f.seek(0, os.SEEK_END)
        good = size
        pos = size
        while pos > 0:
            step = min(pos, 1 << 16)
            pos -= step
            f.seek(pos)
            block = f.read(step)
            nl = block.rfind(b"\n")
            if nl >= 0:
                good = pos + nl + 1
                break
        else:
            good = 0
        if good < size:
            f.truncate(good)  # the half-written line of a killed run: redo that article
        f.seek(0)
        for line in f:
            try:
                ids.add(str(json.loads(line)["id"]))
            except (ValueError, KeyError, TypeError):
                continue
    return ids


# --- progress --------------------------------------------------------------------------------


class Progress:
    """A live line on a terminal (done/total, articles/s, ETA, errors); silent otherwise."""

    def __init__(self, stream: TextIO, total: int | None, live: bool | None = None) -> None:
        self.line = LiveLine(stream, live)
        self.total = total

    def update(self, s: BatchSummary, force: bool = False) -> None:
        if not self.line.due(force):
            return
        n = s.ok + s.failed
        rate = n / self.line.elapsed()
        tot = f"/{self.total:,}" if self.total else ""
        eta = ""
        if self.total and rate > 0:
            eta = f", ETA {_duration(max(0, self.total - n - s.skipped) / rate)}"
        self.line.show(
            f"{n + s.skipped:,}{tot} done, {rate:.1f} articles/s{eta}, {s.failed:,} errors"
        )

    def finish(self, s: BatchSummary) -> None:
        self.update(s, force=True)
        self.line.finish()


def _duration(seconds: float) -> str:
    m, sec = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


# --- where results go --------------------------------------------------------------------------


class _Sink:
    """The one writer: OUT, the errors file, the store, the summary and the progress line."""

    def __init__(
        self,
        out: IO[bytes],
        errors: TextIO,
        store: Any,
        summary: BatchSummary,
        progress: Progress,
    ) -> None:
        self.out, self.errors, self.store = out, errors, store
        self.summary, self.progress = summary, progress
        # Results written per id, and results due per id (more than one for an id met again
        # with another text): a partition retried after its worker died comes back twice.
        self.written: Counter[str] = Counter()
        self.due: Counter[str] = Counter()
        # Per id in flight: the hash of its input text (for the store), and whether OUT has
        # that id's line already (a store that lacked it gets it, OUT gets no second line).
        self.source_hash: dict[str, list[str | None]] = {}
        self.in_out: set[str] = set()

    def result(self, r: Result) -> None:
        rid, doc, reason, msg = r
        if doc is None:
            self.fail(rid, reason or "error", msg or "")
            return
        if self.written[rid] >= max(1, self.due[rid]):
            return
        try:
            # Encoded before anything is saved: text UTF-8 cannot hold fails here, not halfway
            # through a line of OUT.
            line = (json.dumps(doc, ensure_ascii=False) + "\n").encode("utf-8")
            if self.store is not None:
                # The store first: if we die between the two, the re-run redoes the article and
                # the upsert makes that harmless; the other way round the store would miss it.
                self.store.save_extraction(
                    extraction_from_dict(doc), source_hash=self._pop_hash(rid)
                )
        except Exception as e:  # noqa: BLE001 - one record that cannot be saved fails alone
            where = "the output or the store" if self.store is not None else "the output"
            self.fail(
                rid,
                "not saved",
                f"The extraction of {rid} could not be written to {where} "
                f"({e.__class__.__name__}: {e}); it was left out.",
            )
            return
        if rid in self.in_out:
            self.in_out.discard(rid)  # already in OUT: only the store needed it
        else:
            self._append(line)
        self.written[rid] += 1
        self.summary.ok += 1
        self.progress.update(self.summary)

    def _append(self, line: bytes) -> None:
        """One whole line at the end of OUT, or none: a failed write is cut off again."""
        fd = self.out.fileno()
        end = os.lseek(fd, 0, os.SEEK_END)
        try:
            view = memoryview(line)
            while view:
                view = view[self.out.write(view) or 0 :]
        except OSError as e:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, end)
            raise OcopError(
                f"Could not write the output {self.out.name} ({e.strerror or e}); the results "
                "written so far are kept: make room and run the same command again to resume."
            ) from e

    def _pop_hash(self, rid: str) -> str | None:
        hashes = self.source_hash.get(rid)
        if not hashes:
            return None
        h = hashes.pop(0)  # one id twice in an input: its results come back in input order
        if not hashes:
            del self.source_hash[rid]
        return h

    def fail(self, rid: str, reason: str, msg: str) -> None:
        line = json.dumps({"id": rid, "reason": reason, "message": msg}, ensure_ascii=False)
        # An error message may quote the very text UTF-8 could not hold.
        self.errors.write(replace_lone_surrogates(line)[0] + "\n")
        self.errors.flush()
        self.summary.failed += 1
        self.summary.reasons[reason] += 1
        self.progress.update(self.summary)


# --- engines -----------------------------------------------------------------------------------


def chunked(tasks: Iterable[Task], size: int) -> Iterator[list[Task]]:
    it = iter(tasks)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def in_process_engine(resources: Resources | None = None) -> Engine:
    """The engine of `--workers 1`: no pool, nothing to start."""

    def run(tasks: Iterable[Task], emit: Callable[[Result], None]) -> None:
        for task in tasks:
            emit(process_task(task, resources))

    return run


def _pool_context() -> multiprocessing.context.BaseContext:
    # forkserver: workers fork from a small clean server, never from this process and its
    # threads (a Dask client, a test runner); spawn where there is no forkserver (Windows).
    # The fork server loads the models once (`preload`), so each worker starts warm and
    # shares the model pages with its siblings.
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["ocop_nlp.batch.preload"])
    return ctx


def pool_engine(
    workers: int, chunk_size: int = CHUNK_SIZE, resources: Resources | None = None
) -> Engine:
    """An engine that runs `process_task` in `workers` processes, each warmed up once."""

    def run(tasks: Iterable[Task], emit: Callable[[Result], None]) -> None:
        limit = workers * CHUNKS_PER_WORKER
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=_pool_context(),
            initializer=_init_worker,
            initargs=(os.getpid(), resources),
        ) as pool:
            pending: set[Future[list[Result]]] = set()
            try:
                for chunk in chunked(tasks, chunk_size):
                    pending.add(pool.submit(process_tasks, chunk, resources))
                    if len(pending) >= limit:  # bounded: read more input only as work ends
                        pending = _collect(pending, emit, FIRST_COMPLETED)
                while pending:
                    pending = _collect(pending, emit, FIRST_COMPLETED)
            except BrokenProcessPool as e:
                raise OcopError(
                    "A worker process died (out of memory, or killed); the results written so "
                    "far are kept: run the same command again to resume."
                ) from e
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise

    return run


def _collect(
    pending: set[Future[list[Result]]], emit: Callable[[Result], None], when: str
) -> set[Future[list[Result]]]:
    done, rest = wait(pending, return_when=when)
    for fut in done:
        for r in fut.result():
            emit(r)
    return rest


# --- the batch ---------------------------------------------------------------------------------


def errors_path(out: Path) -> Path:
    return out.with_name(out.name.removesuffix(".jsonl") + ".errors.jsonl")


def run_batch(
    source: str | os.PathLike[str],
    out: str | os.PathLike[str],
    progress: TextIO | None = None,
    *,
    workers: int | None = None,
    engine: str | Engine = "local",
    scheduler: str | None = None,
    db: str | os.PathLike[str] | None = None,
    reextract: bool = False,
    resources: Resources | None = None,
) -> BatchSummary:
    """Extract every article of `source` into `out` (JSONL), skipping ids already there.

    `workers`: processes (local engine; default one per core) or LocalCluster workers (dask);
    `engine`: "local", "dask" or an `Engine` (a function of tasks and a result callback, as
    `pool_engine` and `cluster.dask_engine` make); `scheduler`: a Dask scheduler to join;
    `db`: a store that also records every article and extraction (idempotently); a store
    read as `source` is written back to unless `db` names another. With a store, the store
    decides what is done: an id with a text it has not extracted is a new version, and
    `reextract` redoes what an older tool or rules version made. `resources`: the lexicons
    and model to extract with (default: the packaged ones; not for an `Engine` given here).
    """
    src, dst = Path(source), Path(out)
    if not src.exists():
        raise InputError(f"{src} does not exist; give a .jsonl, .jsonl.gz, folder or store.")
    if dst.exists() and dst.resolve() == src.resolve():
        raise InputError(f"The output {dst} is the input itself; write the results elsewhere.")
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be 1 or more (got {workers}).")
    n_workers = workers or os.cpu_count() or 1
    run: Engine
    if callable(engine):
        run = engine
    elif engine not in ("local", "dask"):
        raise InputError(f"Unknown engine {engine!r}; use local or dask.")
    elif engine == "dask":
        from ocop_nlp.batch.cluster import dask_engine

        run = dask_engine(scheduler=scheduler, workers=workers, resources=resources)
    elif n_workers == 1:
        run = in_process_engine(resources)
    else:
        run = pool_engine(n_workers, resources=resources)

    dst.parent.mkdir(parents=True, exist_ok=True)
    seen = done_ids(dst)
    summary = BatchSummary()
    stream = progress or sys.stderr
    prog = Progress(stream, None)
    if prog.line.live:
        prog.total = count_inputs(src)
    t0 = time.monotonic()
    store = None
    if db is None and is_store_path(src):
        db = src
    if db is not None:
        from ocop_nlp.store import open_store

        store = open_store(db)
    done = _DoneInStore(store, reextract) if store is not None else None
    try:
        # The errors file describes this run: records that failed before are tried again, so
        # appending would list a failure once per run.
        with (
            open(dst, "ab", buffering=0) as fo,  # unbuffered: `_Sink._append` owns each write
            open(errors_path(dst), "w", encoding="utf-8", newline="\n") as fe,
        ):
            sink = _Sink(fo, fe, store, summary, prog)
            run_hashes: dict[str, str | None] = {}

            def todo() -> Iterator[Task]:
                for task in iter_tasks(src):
                    if task is None:
                        continue
                    if isinstance(task, tuple):
                        sink.fail(*task)
                        continue
                    h = _source_hash(task)
                    if done is not None:
                        # Done means in the store and in OUT; a fresh OUT is filled again.
                        state = done.state(task.id, h)
                        if state == "done" and task.id in seen:
                            summary.skipped += 1
                            continue
                        if state == "version":
                            summary.versions += 1
                        elif state == "stale":
                            summary.stale += 1
                        if task.id in seen and state != "version":
                            sink.in_out.add(task.id)
                    elif task.id in seen:
                        if h is None or run_hashes.get(task.id, h) == h:
                            summary.skipped += 1
                            continue
                        summary.versions += 1
                    seen.add(task.id)
                    run_hashes[task.id] = h
                    sink.source_hash.setdefault(task.id, []).append(h)
                    sink.due[task.id] += 1
                    yield task

            run(todo(), sink.result)
    finally:
        if store is not None:
            store.close()
    prog.finish(summary)
    summary.seconds = time.monotonic() - t0
    return summary


def _source_hash(task: Task) -> str | None:
    """The hash of a record's text (or page) as given; None for a file (read by the worker)."""
    rec = task.record
    if rec is None:
        return None
    body = rec.get("text")
    if not isinstance(body, str):
        body = rec.get("html")
    return content_hash(body) if isinstance(body, str) else None


class _DoneInStore:
    """What a store already holds, to decide per id: "done", "new", "version" or "stale"."""

    def __init__(self, store: Any, reextract: bool) -> None:
        from ocop_nlp import __version__
        from ocop_nlp.config import rules_version

        self.known = store.extracted()
        self.current = (__version__, rules_version()) if reextract else None

    def state(self, rid: str, h: str | None) -> str:
        # Marked as done with the current versions, so a repeat later in the input is skipped.
        mark = (h, *(self.current or (None, None)))
        rows = self.known.get(rid)
        if not rows:
            self.known[rid] = [mark]
            return "new"
        # A row without a source hash was stored before schema 3: taken to be this text.
        match = [r for r in rows if h is None or r[0] in (h, None)]
        if not match:
            rows.append(mark)
            return "version"
        if self.current is not None and all((r[1], r[2]) != self.current for r in match):
            rows.append(mark)
            return "stale"
        return "done"
