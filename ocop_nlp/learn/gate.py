"""The quality gate: the installed pipeline (rules + shipped model) scored item by item on the
annotated real articles. `tests/test_quality_gate.py` pins floors on these numbers;
`ocop evaluate --gate` prints them.

The shipped model was trained on these same articles, so these numbers are in-sample for its
part; the held-out estimate is `ocop evaluate` (GroupKFold by article).
"""

from __future__ import annotations

from ocop_nlp.extract.pipeline import RULE_STAGES, Pipeline, extract_article
from ocop_nlp.learn.corpus import AnnotatedArticle, article, load_corpus
from ocop_nlp.learn.evaluate import ItemCounts, total_counts


def gate_counts(
    corpus: list[AnnotatedArticle] | None = None, rules_only: bool = False
) -> dict[str, ItemCounts]:
    corpus = corpus if corpus is not None else load_corpus()
    run = Pipeline(RULE_STAGES) if rules_only else extract_article
    return total_counts((ann, run(article(ann.id))) for ann in corpus)
