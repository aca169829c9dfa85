"""Engines by name: `ocop batch --engine NAME` looks its engine up here.

An engine factory takes the number of workers asked for (None: the engine's default) and a
scheduler address (only engines that join a cluster use it) and returns an `Engine`. The Dask
engine's module is imported only when it is asked for: Dask is optional, and `ocop --help`
stays instant.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from ocop_nlp.batch.task import Engine
from ocop_nlp.errors import InputError

EngineFactory = Callable[[int | None, str | None], Engine]


def _local(workers: int | None, scheduler: str | None) -> Engine:
    from ocop_nlp.batch.local import pool_engine, run_in_process

    n = workers or os.cpu_count() or 1
    return run_in_process if n == 1 else pool_engine(n)


def _dask(workers: int | None, scheduler: str | None) -> Engine:
    from ocop_nlp.batch.cluster import dask_engine

    return dask_engine(scheduler=scheduler, workers=workers)


ENGINES: dict[str, EngineFactory] = {"local": _local, "dask": _dask}


def register_engine(name: str, factory: EngineFactory) -> None:
    """Make `--engine NAME` run `factory(workers, scheduler)`'s engine."""
    ENGINES[name] = factory


def engine_by_name(name: str, workers: int | None = None, scheduler: str | None = None) -> Engine:
    """The engine called `name`, made for `workers` workers (and `scheduler`, for Dask)."""
    factory = ENGINES.get(name)
    if factory is None:
        raise InputError(f"Unknown engine {name!r}; use {' or '.join(ENGINES)}.")
    return factory(workers, scheduler)
