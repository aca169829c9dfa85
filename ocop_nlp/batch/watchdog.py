"""A pool worker's start: it leaves Ctrl-C to the parent, dies with its parent, then warms up.

A parent killed with -9 cannot tell its workers; without the watch they would wait for work
forever. Runs in the worker process (the pool's initializer), so it must stay picklable by name.
"""

from __future__ import annotations

import os
import signal
import threading
import time

from ocop_nlp.batch.task import warm_up
from ocop_nlp.extract.resources import Resources


def init_worker(parent_pid: int, resources: Resources | None = None) -> None:
    """Ignore SIGINT, watch `parent_pid` (POSIX), then load the models (of `resources`) once."""
    # Ctrl-C on a terminal reaches the whole process group. Workers that died of it made the
    # parent report "a worker process died"; the parent alone stops the pool and says that the
    # batch can be resumed.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if os.name == "posix":
        threading.Thread(
            target=watch_parent, args=(parent_pid,), name="ocop-parent-watch", daemon=True
        ).start()
    warm_up(resources)


def watch_parent(parent_pid: int, every: float = 1.0) -> None:
    """End this process as soon as `parent_pid` is gone (checked every `every` seconds)."""
    while True:
        time.sleep(every)
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:  # the pid was reused by another user's process
            os._exit(1)
