"""Resuming: what a batch has already done, from OUT (ids written) or from a store (texts
extracted, and by which versions), so a re-run redoes only what is missing, new or stale.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ocop_nlp.batch.task import Task
from ocop_nlp.store.db import content_hash


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


def source_hash(task: Task) -> str | None:
    """The hash of a record's text (or page) as given; None for a file (read by the worker)."""
    rec = task.record
    if rec is None:
        return None
    body = rec.get("text")
    if not isinstance(body, str):
        body = rec.get("html")
    return content_hash(body) if isinstance(body, str) else None


class DoneInStore:
    """What a store already holds, to decide per id: "done", "new", "version" or "stale".

    With `reextract`, an extraction is stale when the tool, the rules or the clause-type model
    that made it (`versions["model"]`; none when the rules ran alone) differ from this one's.
    """

    def __init__(self, store: Any, reextract: bool) -> None:
        self.known = store.extracted(with_model=reextract)
        self.current = current_versions() if reextract else None

    def state(self, rid: str, h: str | None) -> str:
        # Marked as done with the current versions, so a repeat later in the input is skipped.
        mark = (h, *(self.current or (None, None, None)))
        rows = self.known.get(rid)
        if not rows:
            self.known[rid] = [mark]
            return "new"
        # A row without a source hash was stored before schema 3: taken to be this text.
        match = [r for r in rows if h is None or r[0] in (h, None)]
        if not match:
            rows.append(mark)
            return "version"
        if self.current is not None and all(tuple(r[1:]) != self.current for r in match):
            rows.append(mark)
            return "stale"
        return "done"


def current_versions() -> tuple[str | None, str | None, str | None]:
    """(tool, rules, clause-type model) versions this process extracts with: what an
    extraction made now records in `versions`. Loads the model (a fraction of a second)."""
    from ocop_nlp import __version__
    from ocop_nlp.extract.resources import Resources

    r = Resources.default()
    model = r.model()
    return __version__, r.rules_version(), model.version if model is not None else None


@dataclass(frozen=True, slots=True)
class Verdict:
    """What to do with one task: `state` is "skip" (done already), "new", "version" (an id
    met again with another text), "stale" (made by an older version) or "redo" (in the store,
    missing from OUT); `in_out` when OUT has its line already (only the store needs it)."""

    state: str
    in_out: bool
    source_hash: str | None


class Resume:
    """Per task, in input order: skip it, or run it and say why. With a store, the store
    decides what is done (done means in the store and in OUT; a fresh OUT is filled again);
    without one, OUT's ids do, and an id met again in this run with another text is a new
    version."""

    def __init__(self, out_ids: set[str], store: Any | None, reextract: bool) -> None:
        self.seen = out_ids
        self.done = DoneInStore(store, reextract) if store is not None else None
        self.run_hashes: dict[str, str | None] = {}

    def decide(self, task: Task) -> Verdict:
        h = source_hash(task)
        in_out = False
        state = "new"
        if self.done is not None:
            state = self.done.state(task.id, h)
            if state == "done":
                if task.id in self.seen:
                    return Verdict("skip", False, h)
                state = "redo"
            in_out = task.id in self.seen and state != "version"
        elif task.id in self.seen:
            if h is None or self.run_hashes.get(task.id, h) == h:
                return Verdict("skip", False, h)
            state = "version"
        self.seen.add(task.id)
        self.run_hashes[task.id] = h
        return Verdict(state, in_out, h)
