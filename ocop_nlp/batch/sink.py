"""Where results go: the one writer of OUT, the errors file and the store.

Whatever the engine, only this process writes, a result at a time as it arrives: the store
first, then one whole line of OUT (or none), so a crash loses at most the articles in hand.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import IO, Any, TextIO

from ocop_nlp.batch.progress import Progress
from ocop_nlp.batch.summary import BatchSummary
from ocop_nlp.batch.task import Result
from ocop_nlp.errors import OcopError
from ocop_nlp.records import extraction_from_dict, replace_lone_surrogates


def errors_path(out: Path) -> Path:
    return out.with_name(out.name.removesuffix(".jsonl") + ".errors.jsonl")


class Sink:
    """The one writer: OUT, the errors file, the store, the summary and the progress line."""

    def __init__(
        self,
        out: IO[bytes],
        errors: TextIO,
        store: Any,
        summary: BatchSummary,
        progress: Progress,
    ) -> None:
        self.out, self.errors, self.store = out, errors, store
        self.summary, self.progress = summary, progress
        # Results written per id, and results due per id (more than one for an id met again
        # with another text): a partition retried after its worker died comes back twice.
        self.written: Counter[str] = Counter()
        self.due: Counter[str] = Counter()
        # Per id in flight: the hash of its input text (for the store), and whether OUT has
        # that id's line already (a store that lacked it gets it, OUT gets no second line).
        self.source_hash: dict[str, list[str | None]] = {}
        self.in_out: set[str] = set()

    def expect(self, rid: str, source_hash: str | None, in_out: bool = False) -> None:
        """A task sent to the engine: its result is due, made from the text of `source_hash`;
        `in_out` when OUT holds its line already (only the store needs the result)."""
        self.source_hash.setdefault(rid, []).append(source_hash)
        self.due[rid] += 1
        if in_out:
            self.in_out.add(rid)

    def result(self, r: Result) -> None:
        rid, doc, reason, msg = r
        if doc is None:
            self.fail(rid, reason or "error", msg or "")
            return
        if self.written[rid] >= max(1, self.due[rid]):
            return
        try:
            # Encoded before anything is saved: text UTF-8 cannot hold fails here, not halfway
            # through a line of OUT.
            line = (json.dumps(doc, ensure_ascii=False) + "\n").encode("utf-8")
            if self.store is not None:
                # The store first: if we die between the two, the re-run redoes the article and
                # the upsert makes that harmless; the other way round the store would miss it.
                self.store.save_extraction(
                    extraction_from_dict(doc), source_hash=self._pop_hash(rid)
                )
        except Exception as e:  # noqa: BLE001 - one record that cannot be saved fails alone
            where = "the output or the store" if self.store is not None else "the output"
            self.fail(
                rid,
                "not saved",
                f"The extraction of {rid} could not be written to {where} "
                f"({e.__class__.__name__}: {e}); it was left out.",
            )
            return
        if rid in self.in_out:
            self.in_out.discard(rid)  # already in OUT: only the store needed it
        else:
            self._append(line)
        self.written[rid] += 1
        self.summary.ok += 1
        self.progress.update(self.summary)

    def _append(self, line: bytes) -> None:
        """One whole line at the end of OUT, or none: a failed write is cut off again."""
        fd = self.out.fileno()
        end = os.lseek(fd, 0, os.SEEK_END)
        try:
            view = memoryview(line)
            while view:
                view = view[self.out.write(view) or 0 :]
        except OSError as e:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, end)
            raise OcopError(
                f"Could not write the output {self.out.name} ({e.strerror or e}); the results "
                "written so far are kept: make room and run the same command again to resume."
            ) from e

    def _pop_hash(self, rid: str) -> str | None:
        hashes = self.source_hash.get(rid)
        if not hashes:
            return None
        h = hashes.pop(0)  # one id twice in an input: its results come back in input order
        if not hashes:
            del self.source_hash[rid]
        return h

    def fail(self, rid: str, reason: str, msg: str) -> None:
        line = json.dumps({"id": rid, "reason": reason, "message": msg}, ensure_ascii=False)
        # An error message may quote the very text UTF-8 could not hold.
        self.errors.write(replace_lone_surrogates(line)[0] + "\n")
        self.errors.flush()
        self.summary.failed += 1
        self.summary.reasons[reason] += 1
        self.progress.update(self.summary)
