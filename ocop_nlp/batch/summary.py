"""What a batch did, counted as it goes and said in one line at the end."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(slots=True)
class BatchSummary:
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    versions: int = 0  # ids met again with another text, extracted as a new version
    stale: int = 0  # re-extracted because an older tool or rules version made them
    reasons: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def line(self) -> str:
        """'12,403 ok, 17 failed: 11 empty text, 6 bad encoding (…)'."""
        s = f"{self.ok:,} ok, {self.failed:,} failed"
        if self.reasons:
            s += ": " + ", ".join(f"{n:,} {r}" for r, n in self.reasons.most_common())
        if self.skipped:
            s += f"; {self.skipped:,} already done"
        if self.versions:
            s += f"; {self.versions:,} seen again with another text (kept as new versions)"
        if self.stale:
            s += f"; {self.stale:,} re-extracted (made by an older version)"
        rate = self.ok / self.seconds if self.seconds > 0 else 0.0
        return s + f" ({self.seconds:.1f} s, {rate:.1f} articles/s)"
