"""Batch input: the records of a `.jsonl`/`.jsonl.gz`, a folder of `.html`/`.txt` files or a
store, as `Task`s; a record that cannot even be read comes out as a `ReadFailure` (id, reason,
message), never as an exception, and a line over `max_input_bytes` is never held whole.
"""

from __future__ import annotations

import codecs
import gzip
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ocop_nlp.batch.task import ReadFailure, Task
from ocop_nlp.config import load_settings
from ocop_nlp.errors import InputError, TooLargeError
from ocop_nlp.parse.reader import content_id, megabytes
from ocop_nlp.records import replace_lone_surrogates


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
