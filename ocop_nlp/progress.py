"""One live status line on a terminal, shared by `ocop batch` and `ocop crawl`.

Rewritten in place at most five times a second; silent when the stream is not a terminal
(cron, CI, a pipe), so logs stay clean.
"""

from __future__ import annotations

import time
from typing import TextIO


class LiveLine:
    def __init__(self, stream: TextIO | None, live: bool | None = None) -> None:
        self.stream = stream
        self.live = bool(stream is not None and (stream.isatty() if live is None else live))
        self.t0 = time.monotonic()
        self.last = 0.0

    def due(self, force: bool = False) -> bool:
        """Whether a new line should be shown now (callers skip building it otherwise)."""
        if not self.live:
            return False
        now = time.monotonic()
        if not force and now - self.last < 0.2:
            return False
        self.last = now
        return True

    def elapsed(self) -> float:
        return max(time.monotonic() - self.t0, 1e-9)

    def show(self, text: str) -> None:
        assert self.stream is not None  # due() is False without a stream
        self.stream.write(f"\r{text}\x1b[K")
        self.stream.flush()

    def finish(self) -> None:
        if self.live and self.stream is not None:
            self.stream.write("\n")
            self.stream.flush()
