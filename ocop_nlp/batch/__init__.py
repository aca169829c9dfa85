"""Batches: the per-article function and the engines that run it (in process, a process pool,
Dask). `run_batch` is what `ocop batch` calls."""

from ocop_nlp.batch.local import BatchSummary, process_task, run_batch

__all__ = ["BatchSummary", "process_task", "run_batch"]
