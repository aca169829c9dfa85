"""How well the grouping threshold separates repeats from different orders, on annotated pairs
(`corpora/annotations/directive_pairs.jsonl`: stand-off, article id + directive offsets + label).

Each pair's directives are looked up by (article, start, end) among a store's mentions; the
store's mentions fit the TF-IDF, as `refresh` does.
"""

from __future__ import annotations

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
    index = {(r[0], r[1], r[2]): i for i, r in enumerate(rows)}
    out, missing = [], 0
    for p in pairs:
        a, b = p["a"], p["b"]
        i = index.get((a["article"], a["start"], a["end"]))
        j = index.get((b["article"], b["start"], b["end"]))
        if i is None or j is None:
            missing += 1
            continue
        cos = float((sim.matrix[i] @ sim.matrix[j].T).toarray()[0, 0])
        out.append((cos, int(p["same"])))
    return out, missing


def score_at(scored: list[tuple[float, int]], threshold: float, missing: int = 0) -> PairScore:
    tp = sum(1 for s, y in scored if s >= threshold and y)
    fp = sum(1 for s, y in scored if s >= threshold and not y)
    fn = sum(1 for s, y in scored if s < threshold and y)
    return PairScore(threshold, tp, fp, fn, missing)
