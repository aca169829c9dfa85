"""How well the grouping threshold separates repeats from different orders, on annotated pairs
(`corpora/annotations/directive_pairs.jsonl`: stand-off, article id + directive offsets + label).

Each side of a pair is the store's mention that overlaps its span best (over half of the
union), else the annotated span of the article's normalised text (checked by its SHA-1); the
store's mentions fit the TF-IDF, as `refresh` does. So a later release that cuts actions a
little differently, or no longer finds one, can still be scored.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ocop_nlp.store.db import Store
from ocop_nlp.track.core import refresh
from ocop_nlp.track.grouping import Similarity


@dataclass(frozen=True, slots=True)
class PairScore:
    threshold: float
    tp: int
    fp: int
    fn: int
    missing: int  # pairs whose directives the store's extractions no longer have

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_pairs(path: str | Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in Path(path).read_text(encoding="utf-8").splitlines() if x]


def pair_similarities(
    st: Store, pairs: list[dict[str, Any]]
) -> tuple[list[tuple[float, int]], int]:
    """(cosine, label) of each pair found in the store, and how many were not found."""
    refresh(st)
    rows = st.conn.execute(
        "SELECT article_id, start_offset, end_offset, action FROM mentions ORDER BY rowid"
    ).fetchall()
    sim = Similarity([r[3] for r in rows])
    by_article: dict[str, list[tuple[int, int, int]]] = {}
    for i, r in enumerate(rows):
        by_article.setdefault(r[0], []).append((r[1], r[2], i))

    def find(side: dict[str, Any]) -> int | None:
        # The pairs were anchored on the directives of one release; a later release may cut the
        # same action a little differently, so the best-overlapping mention (over half of the
        # two spans' union) stands for it.
        best: float = 0.5
        best_i: int | None = None
        for start, end, i in by_article.get(side["article"], ()):
            inter = min(end, side["end"]) - max(start, side["start"])
            if inter <= 0:
                continue
            ratio = inter / (max(end, side["end"]) - min(start, side["start"]))
            if ratio > best:
                best, best_i = ratio, i
        return best_i

    texts: dict[str, str] = {}
    for article_id, extraction in st.conn.execute(
        "SELECT article_id, extraction FROM latest_extractions"
    ):
        texts[article_id] = json.loads(extraction).get("text") or ""

    def action(side: dict[str, Any]) -> str | None:
        i = find(side)
        if i is not None:
            return str(rows[i][3])
        # No mention there any more: the annotated span itself (it holds the addressee too,
        # so it is the second choice).
        text = texts.get(side["article"])
        if text is not None:
            digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()
            if digest == side["text_sha1"]:
                return text[side["start"] : side["end"]]
        return None

    out, missing = [], 0
    for p in pairs:
        ta, tb = action(p["a"]), action(p["b"])
        if ta is None or tb is None:
            missing += 1
            continue
        out.append((sim.pair(ta, tb), int(p["same"])))
    return out, missing


def score_at(scored: list[tuple[float, int]], threshold: float, missing: int = 0) -> PairScore:
    tp = sum(1 for s, y in scored if s >= threshold and y)
    fp = sum(1 for s, y in scored if s >= threshold and not y)
    fn = sum(1 for s, y in scored if s < threshold and y)
    return PairScore(threshold, tp, fp, fn, missing)
