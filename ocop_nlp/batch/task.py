"""The unit of batch work and the function that does it, shared by every engine.

`process_task` is pure and picklable: a worker process, a Dask worker or this process runs it
on a `Task` and returns a `Result`; it never raises for a bad record. An `Engine` is a function
of tasks and a result callback: it decides only where `process_task` runs.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ocop_nlp.errors import OcopError
from ocop_nlp.extract.pipeline import extract_article
from ocop_nlp.extract.resources import Resources
from ocop_nlp.parse.reader import article_from_bytes, article_from_record, read_file_bytes
from ocop_nlp.records import Article

# (id, extraction dict or None, failure reason or None, message or None)
Result = tuple[str, dict[str, Any] | None, str | None, str | None]
# An input record that could not even be read: (id, reason, message)
ReadFailure = tuple[str, str, str]
Engine = Callable[[Iterable["Task"], Callable[[Result], None]], None]


@dataclass(slots=True)
class Task:
    """One unit of work: a record dict, or a file to read (for folders)."""

    id: str
    record: dict[str, Any] | None = None
    path: str | None = None


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


def chunked(tasks: Iterable[Task], size: int) -> Iterator[list[Task]]:
    """Tasks in lists of `size` (the last shorter): what engines send to a worker at once."""
    it = iter(tasks)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


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
