"""Which directives are repeats of one another: TF-IDF over syllable unigrams and bigrams of
the folded action, cosine similarity, and groups joined at or above a threshold (within one
canonical addressee; the caller makes the blocks).

>>> sim = Similarity(["tang cuong tuyen truyen ocop", "day manh tuyen truyen ocop",
...                   "bo tri von cho xay dung nong thon moi"])
>>> groups(sim, [0, 1, 2], 0.3)
[[0, 1], [2]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ocop_nlp.store.fold import fold_words


class Similarity:
    """A vectoriser fitted on a set of actions; rows of `matrix` follow `texts`."""

    def __init__(self, texts: Sequence[str]) -> None:
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer = TfidfVectorizer(
            analyzer="word",
            token_pattern=r"\S+",
            ngram_range=(1, 2),
            sublinear_tf=True,
            preprocessor=fold_words,
            dtype=np.float64,
        )
        # A vocabulary cannot be empty: texts of punctuation alone fit on a placeholder word.
        fit_on = [t for t in texts if fold_words(t)] or ["ocop"]
        self.vectorizer.fit(fit_on)
        self.matrix = self.transform(texts)

    def transform(self, texts: Sequence[str]) -> Any:
        if not texts:  # sklearn refuses an empty batch
            from scipy.sparse import csr_matrix

            return csr_matrix((0, len(self.vectorizer.vocabulary_)))
        return self.vectorizer.transform(list(texts))

    def pair(self, a: str, b: str) -> float:
        m = self.transform([a, b])
        return float((m[0] @ m[1].T).toarray()[0, 0])


def groups(sim: Similarity, rows: Sequence[int], threshold: float) -> list[list[int]]:
    """Rows of `sim.matrix` joined (single link) where cosine >= threshold; each group keeps
    the order of `rows`, groups ordered by their first row."""
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # Blocks can hold thousands of directives ("các sở, ngành"): compare in slices so the
    # similarity matrix in memory stays a few thousand rows wide.
    x = sim.matrix[list(rows)]
    step = 2000
    for lo in range(0, len(rows), step):
        s = (x[lo : lo + step] @ x.T).tocoo()
        for i, j, v in zip(s.row, s.col, s.data, strict=True):
            a, b = lo + int(i), int(j)
            if a < b and v >= threshold:
                ra, rb = find(a), find(b)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
    out: dict[int, list[int]] = {}
    for i in range(len(rows)):
        out.setdefault(find(i), []).append(rows[i])
    return [out[k] for k in sorted(out)]
