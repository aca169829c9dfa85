"""`ocop batch`: many articles in, one extraction per line out; resumable, never dies on one.

Records stream from the input (`inputs`); each result is appended to OUT as one line and
flushed as it arrives (`sink`), so a crash loses at most the articles in hand, and a re-run
skips what is done (`resume`). Failures go to `OUT.errors.jsonl` with the reason: a record that
cannot be read (bad JSON, nested too deeply, a line over `max_input_bytes`, skipped without
being held), analysed or saved fails alone, and the run goes on.

The per-article function `task.process_task` is pure and picklable; engines (`engines`, by
name) only decide where it runs: in this process (`workers=1`), in a pool of worker processes
(`local`, the default, one per core) or on Dask (`cluster`). Whatever the engine, only this
process writes OUT, the errors file and the store, and at most a few chunks of work are in
flight, so memory stays flat however long the input is.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from ocop_nlp.batch.engines import engine_by_name
from ocop_nlp.batch.inputs import count_inputs, iter_tasks
from ocop_nlp.batch.progress import Progress
from ocop_nlp.batch.resume import Resume, done_ids
from ocop_nlp.batch.sink import Sink, errors_path
from ocop_nlp.batch.summary import BatchSummary
from ocop_nlp.batch.task import Engine, Task
from ocop_nlp.errors import InputError
from ocop_nlp.store.db import is_store_path


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
) -> BatchSummary:
    """Extract every article of `source` into `out` (JSONL), skipping ids already there.

    `workers`: processes (local engine; default one per core) or LocalCluster workers (dask);
    `engine`: a name of `engines.ENGINES` ("local", "dask") or an `Engine` (a function of tasks
    and a result callback, as `local.pool_engine` and `cluster.dask_engine` make);
    `scheduler`: a Dask scheduler to join; `db`: a store that also records every article and
    extraction (idempotently); a store read as `source` is written back to unless `db` names
    another. With a store, the store decides what is done: an id with a text it has not
    extracted is a new version, and `reextract` redoes what an older tool, rules or clause
    model version made.
    """
    src, dst = Path(source), Path(out)
    if not src.exists():
        raise InputError(f"{src} does not exist; give a .jsonl, .jsonl.gz, folder or store.")
    if dst.exists() and dst.resolve() == src.resolve():
        raise InputError(f"The output {dst} is the input itself; write the results elsewhere.")
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be 1 or more (got {workers}).")
    run = engine if callable(engine) else engine_by_name(engine, workers, scheduler)

    dst.parent.mkdir(parents=True, exist_ok=True)
    seen = done_ids(dst)
    summary = BatchSummary()
    prog = Progress(progress or sys.stderr, None)
    if prog.line.live:
        prog.total = count_inputs(src)
    t0 = time.monotonic()
    store = None
    if db is None and is_store_path(src):
        db = src
    if db is not None:
        from ocop_nlp.store import open_store

        store = open_store(db)
    resume = Resume(seen, store, reextract)
    try:
        # The errors file describes this run: records that failed before are tried again, so
        # appending would list a failure once per run.
        with (
            open(dst, "ab", buffering=0) as fo,  # unbuffered: `Sink._append` owns each write
            open(errors_path(dst), "w", encoding="utf-8", newline="\n") as fe,
        ):
            sink = Sink(fo, fe, store, summary, prog)

            def todo() -> Iterator[Task]:
                for task in iter_tasks(src):
                    if task is None:
                        continue
                    if isinstance(task, tuple):
                        sink.fail(*task)
                        continue
                    verdict = resume.decide(task)
                    if verdict.state == "skip":
                        summary.skipped += 1
                        continue
                    if verdict.state == "version":
                        summary.versions += 1
                    elif verdict.state == "stale":
                        summary.stale += 1
                    sink.expect(task.id, verdict.source_hash, verdict.in_out)
                    yield task

            run(todo(), sink.result)
    finally:
        if store is not None:
            store.close()
    prog.finish(summary)
    summary.seconds = time.monotonic() - t0
    return summary
