"""The live line of a batch on a terminal (done/total, articles/s, ETA, errors)."""

from __future__ import annotations

from typing import TextIO

from ocop_nlp.batch.summary import BatchSummary
from ocop_nlp.progress import LiveLine


class Progress:
    """A live line on a terminal (done/total, articles/s, ETA, errors); silent otherwise."""

    def __init__(self, stream: TextIO, total: int | None, live: bool | None = None) -> None:
        self.line = LiveLine(stream, live)
        self.total = total

    def update(self, s: BatchSummary, force: bool = False) -> None:
        if not self.line.due(force):
            return
        n = s.ok + s.failed
        rate = n / self.line.elapsed()
        tot = f"/{self.total:,}" if self.total else ""
        eta = ""
        if self.total and rate > 0:
            eta = f", ETA {_duration(max(0, self.total - n - s.skipped) / rate)}"
        self.line.show(
            f"{n + s.skipped:,}{tot} done, {rate:.1f} articles/s{eta}, {s.failed:,} errors"
        )

    def finish(self, s: BatchSummary) -> None:
        self.update(s, force=True)
        self.line.finish()


def _duration(seconds: float) -> str:
    m, sec = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"
