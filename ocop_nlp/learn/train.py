"""Train and compare clause-type models with cross-validation grouped by article.

`train_model()` (behind `ocop train`) compares, with GroupKFold over the annotated articles:
the rules alone; the per-clause linear models (the best by macro-F1 combined with the rules by
a policy); and the CRF over each article's clauses (`extract/sequence.py`). Item-level scores
are nested: in each outer fold the model is fitted and its policy chosen on the other folds'
articles only (the policy by an inner cross-validation), and the test fold is read as the
pipeline reads it (its own clause units, the rules' items). The system with the better mean of
challenge and directive F1 is fitted on every article and written to `models/` with
`models/clause_type.json`. `evaluate_model()` (behind `ocop evaluate`) reports the same
comparison without writing anything.
"""

from __future__ import annotations

import copy
import json
import platform
import time
from bisect import bisect_right
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ocop_nlp import __version__
from ocop_nlp.config import rules_version
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
from ocop_nlp.extract.pipeline import RULE_ITEM_STAGES, Pipeline
from ocop_nlp.extract.sequence import (
    SEQUENCE_FEATURE_VERSION,
    SequencePolicy,
    apply_sequence,
    article_units,
    sequence_features,
    unit_rule_labels,
)
from ocop_nlp.extract.units import Unit
from ocop_nlp.learn.corpus import (
    AnnotatedArticle,
    article,
    corpus_digest,
    data_hash,
    load_corpus,
)
from ocop_nlp.learn.evaluate import (
    LONG_CHARS,
    ItemCounts,
    LabelReport,
    choose_policy,
    combine_labels,
    grouped_counts,
    label_report,
)
from ocop_nlp.nlp.sentences import split_sentences
from ocop_nlp.records import Extraction, Sentence

FAMILIES = ("logreg", "linsvc", "cnb")
N_SPLITS = 5
INNER_SPLITS = 4
CRF_L1 = 0.0
CRF_L2 = 0.1  # 0.01 and 1.0 scored within 0.01 item F1 on held-out folds (86 articles)
CRF_ITERATIONS = 150
CRF_MIN_COUNT = 2  # features in fewer training clauses are left out (like min_df)


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
    sequence: list[list[str]]  # CRF features of the annotated clauses
    run_units: list[Unit]  # the clauses the pipeline cuts the text into
    run_sequence: list[list[str]]  # and their CRF features


def build_dataset(corpus: list[AnnotatedArticle]) -> list[ArticleData]:
    rules_only = Pipeline(RULE_ITEM_STAGES)  # the rules' spans the model reads at run time
    out = []
    for ann in corpus:
        sents = split_sentences(ann.text)
        starts = [s.start for s in sents]
        units = [Unit(c.start, c.end, bisect_right(starts, c.start) - 1) for c in ann.clauses]
        ex = rules_only(article(ann.id))
        feats = clause_features(ann.text, [(u.start, u.end, u.sentence) for u in units], sents)
        rules = unit_rule_labels(ex, units)
        run_units = article_units(ann.text, sents)
        out.append(
            ArticleData(
                ann,
                sents,
                units,
                [c.label for c in ann.clauses],
                feats,
                rules,
                ex,
                sequence_features(ann.text, sents, units, rules),
                run_units,
                sequence_features(ann.text, sents, run_units, unit_rule_labels(ex, run_units)),
            )
        )
    return out


def _folds(data: list[ArticleData], n_splits: int = N_SPLITS) -> list[list[int]]:
    """Article indexes of each test fold (GroupKFold: no article in two folds)."""
    from sklearn.model_selection import GroupKFold

    idx = list(range(len(data)))
    folds = []
    for _, test in GroupKFold(n_splits=n_splits).split(idx, groups=[d.ann.id for d in data]):
        folds.append(sorted(int(i) for i in test))
    return folds


# --- the CRF over an article's clauses ------------------------------------------------


def fit_crf(data: list[ArticleData]) -> Any:
    """An `underthesea_core.CRFModel` fitted on the annotated clauses of `data`."""
    from underthesea_core import CRFTrainer

    trainer = CRFTrainer(
        loss_function="lbfgs",
        l1_penalty=CRF_L1,
        l2_penalty=CRF_L2,
        max_iterations=CRF_ITERATIONS,
        verbose=0,
    )
    seen: Counter[str] = Counter(f for d in data for feats in d.sequence for f in set(feats))
    # a feature of one clause only teaches nothing that carries over, and it bloats the file
    kept = [[[f for f in feats if seen[f] >= CRF_MIN_COUNT] for feats in d.sequence] for d in data]
    return trainer.train(kept, [d.labels for d in data])


def _marginals(tagger: Any, feats: list[list[str]]) -> list[dict[str, float]]:
    labels = list(tagger.labels())
    return [dict(zip(labels, row, strict=True)) for row in tagger.marginals(feats)] if feats else []


@dataclass(slots=True)
class SeqFold:
    """One article's held-out CRF output: probabilities of its annotated clauses (for the
    clause-level report) and of the clauses the pipeline cuts (for the items)."""

    clause_probs: list[dict[str, float]]
    run_probs: list[dict[str, float]]


def crf_out_of_fold(data: list[ArticleData], n_splits: int = N_SPLITS) -> list[SeqFold]:
    from underthesea_core import CRFTagger

    out: list[SeqFold] = [SeqFold([], []) for _ in data]
    for test in _folds(data, n_splits):
        held = set(test)
        tagger = CRFTagger.from_model(fit_crf([d for i, d in enumerate(data) if i not in held]))
        for i in test:
            d = data[i]
            out[i] = SeqFold(_marginals(tagger, d.sequence), _marginals(tagger, d.run_sequence))
    return out


def sequence_extraction(
    d: ArticleData, probs: list[dict[str, float]], pol: SequencePolicy
) -> Extraction:
    """The rules' extraction of `d` as the CRF with policy `pol` leaves it (a copy)."""
    ex = copy.copy(d.extraction)
    ex.challenges = list(ex.challenges)
    ex.directives = [copy.copy(x) for x in ex.directives]
    return apply_sequence(ex, d.run_units, probs, pol)


_ADD = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
_KEEP = (0.0, 0.1, 0.2, 0.3, 0.4)
# A rule directive the model scores below the keep threshold is dropped, unless the rules read
# it from an explicit order ("yêu cầu: A; B", "giao Sở X ..."; `sequence._ordered_explicitly`,
# which leaves out orders only reported or named: "đã chỉ đạo", "Chỉ thị số 13", "đề nghị hai
# bên"). Held out (352 articles, add 0.4, one refit per fold), keep 0.02 / 0.1 / 0.2 gave
# directive F1 0.760 / 0.765 / 0.763 (another refit of the same code: 0.758 / 0.767 / 0.767):
# the inner cross-validation chooses among them.
_KEEP_DIRECTIVE = (0.0, 0.02, 0.1, 0.2)


def choose_sequence_policy(
    data: list[ArticleData], probs: list[list[dict[str, float]]]
) -> SequencePolicy:
    """The thresholds with the best item-level F1 on `data` given held-out `probs`: the
    directive pair first, then the challenge pair with it."""

    def score(pol: SequencePolicy, key: str) -> float:
        pairs = [(d.ann, sequence_extraction(d, p, pol)) for d, p in zip(data, probs, strict=True)]
        return grouped_counts(pairs)["all"][key].f1

    best = SequencePolicy()
    cands = [(a, k) for a in _ADD for k in _KEEP]
    directive_cands = [(a, k) for a in _ADD for k in _KEEP_DIRECTIVE]
    a, k = max(directive_cands, key=lambda c: score(SequencePolicy(c[0], c[1]), "directives"))
    best.add_directive, best.keep_directive = a, k
    a, k = max(
        cands,
        key=lambda c: score(
            SequencePolicy(best.add_directive, best.keep_directive, c[0], c[1]), "challenges"
        ),
    )
    best.add_challenge, best.keep_challenge = a, k
    return best


def crf_nested(data: list[ArticleData]) -> tuple[list[Extraction], list[SequencePolicy]]:
    """Held-out extractions by the CRF: in each outer fold the CRF is fitted and its policy
    chosen (by an inner cross-validation) on the other folds' articles only."""
    from underthesea_core import CRFTagger

    out: list[Extraction | None] = [None] * len(data)
    policies = []
    for test in _folds(data):
        held = set(test)
        train = [d for i, d in enumerate(data) if i not in held]
        inner = crf_out_of_fold(train, INNER_SPLITS)
        pol = choose_sequence_policy(train, [f.run_probs for f in inner])
        policies.append(pol)
        tagger = CRFTagger.from_model(fit_crf(train))
        for i in test:
            out[i] = sequence_extraction(data[i], _marginals(tagger, data[i].run_sequence), pol)
    return [e for e in out if e is not None], policies


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


SYSTEMS = ("rules", "logreg", "crf")  # held-out, item level; the last two are models


@dataclass(slots=True)
class Comparison:
    n_articles: int
    n_clauses: int
    label_counts: dict[str, int]
    portal_articles: int
    long_articles: int
    families: dict[str, LabelReport]  # per-clause families and "crf", clause level
    winner: str  # the best per-clause family
    rules: LabelReport
    combined: LabelReport
    policy: Policy
    nested_items: dict[str, dict[str, dict[str, ItemCounts]]]  # system -> group -> field
    kept: str  # "logreg" (per-clause + rules) or "crf": what `ocop train` writes
    sequence_policy: SequencePolicy
    fold_policies: list[SequencePolicy]
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def _items_score(t: dict[str, ItemCounts]) -> float:
    return (t["challenges"].f1 + t["directives"].f1) / 2


def compare(corpus: list[AnnotatedArticle] | None = None) -> tuple[Comparison, list[ArticleData]]:
    t0 = time.perf_counter()
    corpus = corpus if corpus is not None else load_corpus()
    if len(corpus) < N_SPLITS * INNER_SPLITS // 2:
        raise OcopError(
            f"Only {len(corpus)} annotated articles; nested cross-validation needs "
            f"{N_SPLITS * INNER_SPLITS // 2}."
        )
    data = build_dataset(corpus)
    gold = [lab for d in data for lab in d.labels]
    reports: dict[str, LabelReport] = {}
    oof: dict[str, list[list[Prediction]]] = {}
    for fam in FAMILIES:
        oof[fam] = out_of_fold(fam, data)
        reports[fam] = label_report(gold, [p.label for ps in oof[fam] for p in ps])
    winner = max(FAMILIES, key=lambda f: reports[f].macro_f1)
    seq = crf_out_of_fold(data)
    reports["crf"] = label_report(
        gold, [max(p, key=p.__getitem__) for f in seq for p in f.clause_probs]
    )
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
    nested = {"rules": grouped_counts((d.ann, d.extraction) for d in data)}
    pairs = []
    for test in _folds(data):
        inner = [it for i, it in enumerate(items) if i not in set(test)]
        pol = choose_policy(inner)
        for i in test:
            d = data[i]
            pairs.append((d.ann, refined_extraction(d, preds[i], pol)))
    nested["logreg"] = grouped_counts(pairs)
    crf_ex, fold_policies = crf_nested(data)
    nested["crf"] = grouped_counts(zip([d.ann for d in data], crf_ex, strict=True))
    kept = max(("logreg", "crf"), key=lambda s: _items_score(nested[s]["all"]))
    seq_policy = choose_sequence_policy(data, [f.run_probs for f in seq])
    counts = {lab: gold.count(lab) for lab in reports[winner].labels}
    cmp = Comparison(
        len(data),
        len(gold),
        counts,
        sum(d.ann.portal for d in data),
        sum(len(d.ann.text) > LONG_CHARS for d in data),
        reports,
        winner,
        rules,
        combined,
        policy,
        nested,
        kept,
        seq_policy,
        fold_policies,
        time.perf_counter() - t0,
    )
    return cmp, data


def refined_extraction(d: ArticleData, preds: list[Prediction], pol: Policy) -> Extraction:
    """The rules' extraction of `d` as the per-clause model with policy `pol` leaves it."""
    from ocop_nlp.extract.model import refine

    ex = copy.copy(d.extraction)
    ex.challenges, ex.directives = list(ex.challenges), list(ex.directives)
    return refine(ex, d.sentences, None, pol, preds)


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


def _items_dict(t: dict[str, dict[str, ItemCounts]]) -> dict[str, Any]:
    return {
        g: {
            k: {
                "precision": round(c.precision, 4),
                "recall": round(c.recall, 4),
                "f1": round(c.f1, 4),
                "pred": c.pred_n,
                "gold": c.gold_n,
            }
            for k, c in fields.items()
        }
        for g, fields in t.items()
    }


def train_model(out_dir: Path | None = None) -> TrainResult:
    """Compare, fit what won on every annotated article, write the artifact and metadata."""
    cmp, data = compare()
    d = out_dir or model_dir()
    d.mkdir(parents=True, exist_ok=True)
    meta_path = d / f"{MODEL_NAME}.json"
    for ext in ("joblib", "npz", "crf"):  # a stale file of the kind not kept would mislead
        (d / f"{MODEL_NAME}.{ext}").unlink(missing_ok=True)
    meta: dict[str, Any] = {"model": MODEL_NAME}
    if cmp.kept == "crf":
        path = d / f"{MODEL_NAME}.crf"
        model = fit_crf(data)
        model.save(str(path))
        meta |= {
            "kind": "sequence",
            "family": "crf",
            "labels": [str(x) for x in model.get_labels()],
            "feature_version": SEQUENCE_FEATURE_VERSION,
            "crf": {"l2": CRF_L2, "max_iterations": CRF_ITERATIONS},
            "policy": asdict(cmp.sequence_policy),
        }
    else:
        import joblib

        est = _fit(cmp.winner, data)
        path = d / f"{MODEL_NAME}.joblib"
        # The terms dropped by min_df are kept only for introspection; they would bloat the file.
        vec = est.named_steps["features"]
        if hasattr(vec, "stop_words_"):
            del vec.stop_words_
        joblib.dump(est, path, compress=3)
        # The same model as plain arrays, read at extraction time without scikit-learn.
        write_compact(est, d)
        meta |= {
            "kind": "clause",
            "family": cmp.winner,
            "labels": [str(c) for c in est.classes_],
            "feature_version": FEATURE_VERSION,
            "policy": asdict(cmp.policy),
        }
    meta |= {
        "rules_version": rules_version(),
        "data_sha1": data_hash(),
        "corpus_sha256": corpus_digest(),
        "articles": cmp.n_articles,
        "clauses": cmp.n_clauses,
        "label_counts": cmp.label_counts,
        "trained": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "versions": _versions(),
        "cv": {
            "scheme": f"GroupKFold({N_SPLITS}) by article, policies by an inner "
            f"GroupKFold({INNER_SPLITS}) without the test fold",
            "families": {f: _report_dict(r) for f, r in cmp.families.items()},
            "rules": _report_dict(cmp.rules),
            "combined": _report_dict(cmp.combined),
            "items_nested": {name: _items_dict(t) for name, t in cmp.nested_items.items()},
        },
    }
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return TrainResult(cmp, path, meta_path, path.stat().st_size)


def evaluate_model() -> Comparison:
    """The cross-validated comparison, written nowhere."""
    return compare()[0]
