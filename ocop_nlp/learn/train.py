"""Train and compare clause-type models with cross-validation grouped by article.

`train_model()` (behind `ocop train`) compares the model families with GroupKFold over the
annotated articles, keeps the winner (best macro-F1), picks how the model may change the rules'
items on held-out articles, fits the winner on all clauses and writes
`models/clause_type.joblib` + `models/clause_type.json`. `evaluate_model()` (behind
`ocop evaluate`) reports the same comparison without writing anything.
"""

from __future__ import annotations

import json
import platform
import time
from bisect import bisect_right
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ocop_nlp import __version__
from ocop_nlp.errors import OcopError
from ocop_nlp.extract.clause_features import FEATURE_VERSION, clause_features, identity
from ocop_nlp.extract.model import (
    MODEL_NAME,
    ClauseModel,
    Policy,
    Prediction,
    model_dir,
    write_compact,
)
from ocop_nlp.extract.pipeline import RULE_STAGES, Pipeline
from ocop_nlp.extract.units import Unit
from ocop_nlp.learn.annotate import rule_label
from ocop_nlp.learn.corpus import AnnotatedArticle, article, data_hash, load_corpus
from ocop_nlp.learn.evaluate import (
    ItemCounts,
    LabelReport,
    choose_policy,
    combine_labels,
    label_report,
    refined_counts,
    total_counts,
)
from ocop_nlp.nlp.sentences import split_sentences
from ocop_nlp.records import Extraction, Sentence

FAMILIES = ("logreg", "linsvc", "cnb")
N_SPLITS = 5


def make_estimator(family: str) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import ComplementNB
    from sklearn.pipeline import Pipeline as SkPipeline
    from sklearn.svm import LinearSVC

    clf: Any
    if family == "logreg":
        clf = LogisticRegression(C=4.0, class_weight="balanced", max_iter=5000)
    elif family == "linsvc":
        clf = LinearSVC(C=0.3, class_weight="balanced")
    elif family == "cnb":
        clf = ComplementNB(alpha=0.3)
    else:
        raise OcopError(f"Unknown model family {family!r}; use one of {', '.join(FAMILIES)}.")
    vec = TfidfVectorizer(analyzer=identity, min_df=2, sublinear_tf=True, lowercase=False)
    return SkPipeline([("features", vec), ("clf", clf)])


@dataclass(slots=True)
class ArticleData:
    ann: AnnotatedArticle
    sentences: list[Sentence]
    units: list[Unit]
    labels: list[str]
    features: list[list[str]]
    rules: list[str]
    extraction: Extraction  # the rules alone


def build_dataset(corpus: list[AnnotatedArticle]) -> list[ArticleData]:
    rules_only = Pipeline(RULE_STAGES)
    out = []
    for ann in corpus:
        sents = split_sentences(ann.text)
        starts = [s.start for s in sents]
        units = [Unit(c.start, c.end, bisect_right(starts, c.start) - 1) for c in ann.clauses]
        ex = rules_only(article(ann.id))
        feats = clause_features(ann.text, [(u.start, u.end, u.sentence) for u in units], sents)
        rules = [rule_label(ex, u.start, u.end) for u in units]
        out.append(ArticleData(ann, sents, units, [c.label for c in ann.clauses], feats, rules, ex))
    return out


def _folds(data: list[ArticleData]) -> list[list[int]]:
    """Article indexes of each test fold (GroupKFold: no article in two folds)."""
    from sklearn.model_selection import GroupKFold

    idx = list(range(len(data)))
    folds = []
    for _, test in GroupKFold(n_splits=N_SPLITS).split(idx, groups=[d.ann.id for d in data]):
        folds.append(sorted(int(i) for i in test))
    return folds


def _fit(family: str, data: list[ArticleData]) -> Any:
    est = make_estimator(family)
    est.fit([f for d in data for f in d.features], [lab for d in data for lab in d.labels])
    return est


def out_of_fold(family: str, data: list[ArticleData]) -> list[list[Prediction]]:
    """Each article's clause predictions by a model that never saw that article."""
    preds: list[list[Prediction]] = [[] for _ in data]
    for test in _folds(data):
        train = [d for i, d in enumerate(data) if i not in set(test)]
        model = ClauseModel(_fit(family, train), {"family": family})
        for i in test:
            d = data[i]
            probs = model.probabilities(d.features)
            preds[i] = [
                Prediction(u, max(p, key=p.__getitem__), max(p.values()), p)
                for u, p in zip(d.units, probs, strict=True)
            ]
    return preds


@dataclass(slots=True)
class Comparison:
    n_articles: int
    n_clauses: int
    label_counts: dict[str, int]
    portal_articles: int
    families: dict[str, LabelReport]
    winner: str
    rules: LabelReport
    combined: LabelReport
    policy: Policy
    nested_items: dict[str, dict[str, ItemCounts]]  # rules / combined (nested CV)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def compare(corpus: list[AnnotatedArticle] | None = None) -> tuple[Comparison, list[ArticleData]]:
    t0 = time.perf_counter()
    corpus = corpus if corpus is not None else load_corpus()
    if len(corpus) < N_SPLITS:
        raise OcopError(
            f"Only {len(corpus)} annotated articles; cross-validation needs {N_SPLITS}."
        )
    data = build_dataset(corpus)
    gold = [lab for d in data for lab in d.labels]
    reports: dict[str, LabelReport] = {}
    oof: dict[str, list[list[Prediction]]] = {}
    for fam in FAMILIES:
        oof[fam] = out_of_fold(fam, data)
        reports[fam] = label_report(gold, [p.label for ps in oof[fam] for p in ps])
    winner = max(FAMILIES, key=lambda f: reports[f].macro_f1)
    preds = oof[winner]
    rules = label_report(gold, [r for d in data for r in d.rules])
    items = [(d.ann, d.extraction, d.sentences, preds[i]) for i, d in enumerate(data)]
    policy = choose_policy(items)
    combined = label_report(
        gold,
        [
            combine_labels(r, p, policy)
            for i, d in enumerate(data)
            for r, p in zip(d.rules, preds[i], strict=True)
        ],
    )
    # Nested: the policy for each fold is chosen on the other folds' articles only.
    nested = {"rules": total_counts((d.ann, d.extraction) for d in data)}
    comb = {k: ItemCounts() for k in nested["rules"]}
    for test in _folds(data):
        inner = [it for i, it in enumerate(items) if i not in set(test)]
        pol = choose_policy(inner)
        for k, c in refined_counts([items[i] for i in test], pol).items():
            comb[k].add(c)
    nested["combined"] = comb
    counts = {lab: gold.count(lab) for lab in reports[winner].labels}
    cmp = Comparison(
        len(data),
        len(gold),
        counts,
        sum(d.ann.portal for d in data),
        reports,
        winner,
        rules,
        combined,
        policy,
        nested,
        time.perf_counter() - t0,
    )
    return cmp, data


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    out = {"python": platform.python_version(), "ocop_nlp": __version__}
    for dist in ("scikit-learn", "numpy", "scipy", "joblib", "underthesea"):
        try:
            out[dist] = version(dist)
        except Exception:  # noqa: BLE001 - an absent distribution is reported as unknown
            out[dist] = "unknown"
    return out


def _report_dict(r: LabelReport) -> dict[str, Any]:
    d = asdict(r)
    d["labels"] = list(r.labels)
    return d


@dataclass(slots=True)
class TrainResult:
    comparison: Comparison
    model_path: Path
    meta_path: Path
    size_bytes: int


def train_model(out_dir: Path | None = None) -> TrainResult:
    """Compare, fit the winner on every annotated clause, write the artifact and metadata."""
    import joblib

    cmp, data = compare()
    est = _fit(cmp.winner, data)
    d = out_dir or model_dir()
    d.mkdir(parents=True, exist_ok=True)
    path, meta_path = d / f"{MODEL_NAME}.joblib", d / f"{MODEL_NAME}.json"
    # The terms dropped by min_df are kept only for introspection; they would bloat the file.
    vec = est.named_steps["features"]
    if hasattr(vec, "stop_words_"):
        del vec.stop_words_
    joblib.dump(est, path, compress=3)
    # The same model as plain arrays, read at extraction time without importing scikit-learn.
    write_compact(est, d)
    meta = {
        "model": MODEL_NAME,
        "family": cmp.winner,
        "labels": [str(c) for c in est.classes_],
        "feature_version": FEATURE_VERSION,
        "data_sha1": data_hash(),
        "articles": cmp.n_articles,
        "clauses": cmp.n_clauses,
        "label_counts": cmp.label_counts,
        "trained": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "versions": _versions(),
        "policy": asdict(cmp.policy),
        "cv": {
            "scheme": f"GroupKFold({N_SPLITS}) by article",
            "families": {f: _report_dict(r) for f, r in cmp.families.items()},
            "rules": _report_dict(cmp.rules),
            "combined": _report_dict(cmp.combined),
            "items_nested": {
                name: {k: round(c.f1, 4) for k, c in t.items()}
                for name, t in cmp.nested_items.items()
            },
        },
    }
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return TrainResult(cmp, path, meta_path, path.stat().st_size)


def evaluate_model() -> Comparison:
    """The cross-validated comparison, written nowhere."""
    return compare()[0]
