"""The local engines: in this process (`--workers 1`), or a pool of worker processes.

Each worker starts through `watchdog.init_worker` (warm models, dies with its parent); at most
`CHUNKS_PER_WORKER` chunks per worker are in flight, so memory stays flat however long the
input is.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from ocop_nlp.batch.task import Engine, Result, Task, chunked, process_task, process_tasks
from ocop_nlp.batch.watchdog import init_worker
from ocop_nlp.errors import OcopError
from ocop_nlp.extract.resources import Resources

# Articles sent to a worker at once: large enough that messaging costs nothing next to ~50 ms
# of analysis per article, small enough that results stream back and work spreads evenly.
CHUNK_SIZE = 4
# Chunks in flight per worker: one being analysed, the next waiting, one spare.
CHUNKS_PER_WORKER = 3


def run_in_process(
    tasks: Iterable[Task], emit: Callable[[Result], None], resources: Resources | None = None
) -> None:
    """The engine of `--workers 1`: no pool, nothing to start. Other resources than the
    packaged ones: `functools.partial(run_in_process, resources=r)`."""
    for task in tasks:
        emit(process_task(task, resources))


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
    """An engine that runs `process_task` in `workers` processes, each warmed up once.

    `resources` (default: the packaged ones) go to each worker as names; it loads them once."""

    def run(tasks: Iterable[Task], emit: Callable[[Result], None]) -> None:
        limit = workers * CHUNKS_PER_WORKER
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=_pool_context(),
            initializer=init_worker,
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
