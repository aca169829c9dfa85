"""The Dask engine: the same `process_task`, on a Dask cluster.

`--scheduler tcp://HOST:8786` joins a running cluster; without it a LocalCluster starts here
(one single-threaded worker process per core). Records are cut into partitions of a few
articles; at most a few partitions per worker are in flight, and each comes back as soon as it
is done (`as_completed`) so this process, the only writer, appends its results to OUT. Workers
warm the models up once (a worker plugin). A worker that dies mid-partition loses nothing: the
scheduler runs that partition again on another worker, and the writer drops any id it has
already written, so OUT never holds an id twice.

Dask is optional: `pip install "ocop-nlp[dask]"`.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

from ocop_nlp.batch.task import Engine, Result, Task, chunked, process_tasks, warm_up
from ocop_nlp.errors import OcopError
from ocop_nlp.extract.resources import Resources

log = logging.getLogger(__name__)

PARTITION_SIZE = 8
PARTITIONS_PER_WORKER = 3
INSTALL_HINT = 'The Dask engine needs Dask; install it with: pip install "ocop-nlp[dask]"'


class DaskMissingError(OcopError):
    reason = "dask missing"


def require_dask() -> None:
    try:
        import dask.distributed  # noqa: F401
    except ImportError as e:
        raise DaskMissingError(INSTALL_HINT + ".") from e


def _warm_plugin(resources: Resources | None = None) -> Any:
    from dask.distributed import WorkerPlugin

    class WarmUp(WorkerPlugin):
        """Load the NLP models once per worker process, before its first partition."""

        name = "ocop-warm-up"

        def setup(self, worker: Any) -> None:
            warm_up(resources)

    return WarmUp()


def start_local_cluster(n_workers: int, dashboard_address: str | None = ":8787") -> Any:
    """A LocalCluster of `n_workers` single-threaded worker processes that start warm.

    Where the platform has a fork server, workers fork from it after it has loaded the models
    once (`ocop_nlp.batch.preload`), instead of each spawning and loading them again: start-up
    costs one model load, not one per worker, and the model pages are shared.
    """
    import multiprocessing

    import dask
    from dask.distributed import LocalCluster

    options: dict[str, Any] = {}
    if "forkserver" in multiprocessing.get_all_start_methods():
        from distributed.utils import get_mp_context

        options["distributed.worker.multiprocessing-method"] = "forkserver"
        with dask.config.set(options):
            get_mp_context().set_forkserver_preload(
                ["distributed", "dask", "ocop_nlp.batch.preload"]
            )
    with dask.config.set(options):
        return LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=dashboard_address,
            silence_logs=logging.ERROR,
        )


def dask_engine(
    scheduler: str | None = None,
    workers: int | None = None,
    partition_size: int = PARTITION_SIZE,
    process: Callable[..., list[Result]] = process_tasks,
    dashboard_address: str | None = ":8787",
    stream: Any = None,
    resources: Resources | None = None,
) -> Engine:
    """An engine running `process` over partitions of tasks on Dask.

    `process` is replaceable so tests can make a worker die mid-partition. `resources` go to
    `process` (as a keyword) with every partition: pickled, they are names only (paths and
    versions), and each worker loads them once.
    """
    require_dask()
    if resources is not None:
        process = functools.partial(process, resources=resources)

    def run(tasks: Iterable[Task], emit: Callable[[Result], None]) -> None:
        from dask.distributed import Client, as_completed
        from distributed.client import FutureCancelledError

        if not logging.getLogger().isEnabledFor(logging.INFO):
            # distributed logs every connection at INFO; `ocop -v` shows them, plain runs not.
            logging.getLogger("distributed").setLevel(logging.ERROR)
        cluster = None
        try:
            if scheduler:
                client = Client(scheduler, timeout="30s")
            else:
                cluster = start_local_cluster(workers or os.cpu_count() or 2, dashboard_address)
                client = Client(cluster)
        except OSError as e:
            raise OcopError(
                f"Could not reach the Dask scheduler {scheduler} ({e}); check the address and "
                "that `dask scheduler` runs there."
            ) from e
        try:
            if client.dashboard_link and (stream or sys.stderr).isatty():
                print(f"Dask dashboard: {client.dashboard_link}", file=stream or sys.stderr)
            client.register_plugin(_warm_plugin(resources))

            asked = {"at": 0.0, "workers": 1}

            def limit() -> int:
                # Asked again every few seconds (one round trip): the workers of a shared
                # cluster come and go during a long run.
                if time.monotonic() - asked["at"] > 5:
                    asked["workers"] = max(1, len(client.scheduler_info()["workers"]))
                    asked["at"] = time.monotonic()
                return PARTITIONS_PER_WORKER * int(asked["workers"])

            queue = as_completed()
            parts: dict[Any, list[Task]] = {}

            def take(fut: Any) -> None:
                part = parts.pop(fut.key)
                try:
                    results = fut.result()
                except (FutureCancelledError, OSError) as e:
                    raise OcopError(
                        f"The Dask cluster went away ({e.__class__.__name__}); the results "
                        "written so far are kept: run the same command again to resume."
                    ) from e
                except Exception as e:  # noqa: BLE001 - e.g. KilledWorker after every retry
                    msg = (
                        f"The partition with this article failed on the cluster "
                        f"({e.__class__.__name__}: {e}); run the batch again to retry it."
                    )
                    results = [(t.id, None, "worker died", msg) for t in part]
                for r in results:
                    emit(r)

            for part in chunked(tasks, partition_size):
                # pure=False: two runs of the same records are two tasks, never a cached one.
                fut = client.submit(process, part, pure=False, retries=2)
                parts[fut.key] = part
                queue.add(fut)
                if queue.count() >= limit():
                    take(next(queue))
            for fut in queue:
                take(fut)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    return run
