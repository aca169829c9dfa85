"""Batches: the per-article function and the engines that run it (in process, a process pool,
Dask). `run_batch` is what `ocop batch` calls.

Modules, one job each: `task` (the unit of work and `process_task`, shared by every engine),
`inputs` (records in), `resume` (what is done already), `sink` (the one writer), `progress`
and `summary` (what the run says), `engines` (engines by name), `local` (in process or a pool
of workers, started by `watchdog`), `cluster` (Dask), `run` (`run_batch`, tying them).
"""

from ocop_nlp.batch.run import run_batch
from ocop_nlp.batch.summary import BatchSummary
from ocop_nlp.batch.task import process_task

__all__ = ["BatchSummary", "process_task", "run_batch"]
