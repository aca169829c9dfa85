"""What a batch did, counted as it goes and said in one line at the end."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ocop_nlp.i18n import tr


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
        """'12,403 ok, 17 failed: 11 empty text, 6 bad encoding (…)', in the chosen language."""
        s = tr("{ok} ok, {failed} failed").format(ok=f"{self.ok:,}", failed=f"{self.failed:,}")
        if self.reasons:
            s += ": " + ", ".join(f"{n:,} {reason_words(r)}" for r, n in self.reasons.most_common())
        if self.skipped:
            s += tr("; {n} already done").format(n=f"{self.skipped:,}")
        if self.versions:
            s += tr("; {n} seen again with another text (kept as new versions)").format(
                n=f"{self.versions:,}"
            )
        if self.stale:
            s += tr("; {n} re-extracted (made by an older version)").format(n=f"{self.stale:,}")
        rate = self.ok / self.seconds if self.seconds > 0 else 0.0
        return s + tr(" ({seconds} s, {rate} articles/s)").format(
            seconds=f"{self.seconds:.1f}", rate=f"{rate:.1f}"
        )


def reason_words(reason: str) -> str:
    """An error's `reason` tag (errors.py) for a person; the tag itself stays in the errors
    file, which scripts read."""
    words = {
        "error": tr("error"),
        "bad input": tr("bad input"),
        "empty text": tr("empty text"),
        "bad encoding": tr("bad encoding"),
        "too large": tr("too large"),
        "fetch failed": tr("fetch failed"),
        "bad template": tr("bad template"),
        "bad config": tr("bad config"),
    }
    return words.get(reason, reason)
