"""The clause-type model at run time: loaded lazily by the `Resources` that name its directory
(once per process for the default ones), checked, then used to refine the rules' challenges
and directives.

`models/clause_type.json` (metadata) says which kind `ocop train` kept, next to its file at the
repository root, found through `OCOP_MODEL_DIR` or next to the package (an editable install):

- `"kind": "sequence"`: `models/clause_type.crf`, a CRF over the article's clauses
  (`extract/sequence.py`), read by `underthesea_core`;
- `"kind": "clause"` (or no kind): the per-clause linear model, `models/clause_type.npz` (plain
  arrays, `write_compact`, tied by sha1 to `models/clause_type.joblib`), scored without
  scikit-learn; the joblib file is the fallback and needs the scikit-learn it was made with.

Neither scoring path imports scikit-learn, so a model loads whatever scikit-learn is installed.
A missing or unreadable file, or one made for other features or other rules (the lexicon
versions, `config.rules_version()`), gives one warning and the pipeline runs on rules alone.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import warnings
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ocop_nlp.config import rules_version
from ocop_nlp.extract.clause_features import FEATURE_VERSION, clause_features
from ocop_nlp.extract.resources import Resources, default_model_dir, per_resources
from ocop_nlp.extract.sequence import SequenceModel, can_be_action
from ocop_nlp.extract.units import Unit, clause_units
from ocop_nlp.records import Challenge, Directive, Extraction, Sentence

log = logging.getLogger(__name__)
MODEL_NAME = "clause_type"


def model_dir() -> Path:
    return default_model_dir()


@dataclass(slots=True)
class Policy:
    """How the model may change the rules' items (thresholds on the model's probability)."""

    veto: float | None = None  # drop a rule challenge/directive the model calls 'other'
    add_challenges: float | None = None  # add a clause the model calls a challenge
    add_directives: float | None = None  # add a clause the model calls a directive

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Policy:
        d = d or {}
        return cls(d.get("veto"), d.get("add_challenges"), d.get("add_directives"))


@dataclass(slots=True)
class Prediction:
    unit: Unit
    label: str
    prob: float
    probs: dict[str, float] = field(default_factory=dict)


class ClauseModel:
    """A fitted scikit-learn pipeline (features -> label) with its metadata."""

    def __init__(self, estimator: Any, meta: dict[str, Any]) -> None:
        self.estimator = estimator
        self.meta = meta
        self.labels: list[str] = [str(c) for c in estimator.classes_]
        self.policy = Policy.from_dict(meta.get("policy"))

    @property
    def version(self) -> str:
        return f"{MODEL_NAME}:{self.meta.get('family', '?')}:{self.meta.get('data_sha1', '?')[:10]}"

    def probabilities(self, features: list[list[str]]) -> list[dict[str, float]]:
        if not features:
            return []
        est = self.estimator
        if hasattr(est, "predict_proba"):
            rows = est.predict_proba(features)
        else:  # LinearSVC: a softmax of the margins stands in for probabilities
            rows = []
            for r in est.decision_function(features):
                m = max(r)
                e = [math.exp(x - m) for x in r]
                rows.append([x / sum(e) for x in e])
        return [dict(zip(self.labels, map(float, r), strict=True)) for r in rows]

    kind = "clause"

    def refine(self, ex: Extraction, sentences: list[Sentence]) -> Extraction:
        return refine(ex, sentences, self)

    def predict(
        self, text: str, sentences: list[Sentence], units: list[Unit] | None = None
    ) -> list[Prediction]:
        units = clause_units(text, sentences) if units is None else units
        feats = clause_features(text, [(u.start, u.end, u.sentence) for u in units], sentences)
        out = []
        for u, p in zip(units, self.probabilities(feats), strict=True):
            label = max(p, key=p.__getitem__)
            out.append(Prediction(u, label, p[label], p))
        return out


def _warn(msg: str) -> None:
    warnings.warn(msg, RuntimeWarning, stacklevel=3)
    log.warning(msg)


def clause_rules(version: object) -> str:
    """The part of a rules version the model's features read: page furniture (`page:`) shapes
    which text a page gives, not how a clause of it looks, so a new page lexicon keeps the model."""
    return "+".join(p for p in str(version).split("+") if not p.startswith("page:"))


def _installed_version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "none"


def check_meta(
    meta: dict[str, Any], joblib_only: bool = False, rules: str | None = None
) -> str | None:
    """Why a model with this metadata cannot be used here, or None.

    `joblib_only`: the model can only be read from its joblib file, which needs the
    scikit-learn minor version it was written with; the other files need none. `rules`: the
    rules version it will run with (default: the packaged lexicons').
    """
    rules = rules or rules_version()
    from ocop_nlp.extract.sequence import SEQUENCE_FEATURE_VERSION

    kind = meta.get("kind", "clause")
    want_features = SEQUENCE_FEATURE_VERSION if kind == "sequence" else FEATURE_VERSION
    if meta.get("feature_version") != want_features:
        return (
            f"it was trained on features version {meta.get('feature_version')}, this code "
            f"makes version {want_features}"
        )
    if clause_rules(meta.get("rules_version")) != clause_rules(rules):
        return f"it was trained on rules {meta.get('rules_version')}, these are {rules}"
    if joblib_only:
        want = str(meta.get("versions", {}).get("scikit-learn", ""))
        # The distribution's metadata, not `import sklearn`: the check must stay cheap.
        have = _installed_version("scikit-learn")
        if want.split(".")[:2] != have.split(".")[:2]:
            return f"it was made with scikit-learn {want}, this is {have}"
    return None


class CompactLinear:
    """A fitted `TfidfVectorizer(analyzer=identity) -> linear classifier` pipeline as arrays,
    scored with scikit-learn's own operations in its order (counts in column order, log + 1,
    idf, L2 norm, dot with the weights, softmax), so its probabilities are the pipeline's.
    """

    __slots__ = ("_coef", "_idf", "_index", "_intercept", "classes_")

    def __init__(
        self,
        terms: list[str],
        idf: list[float],
        coef: list[list[float]],
        intercept: list[float],
        classes: list[str],
    ) -> None:
        self._index = {t: i for i, t in enumerate(terms)}
        self._idf = idf
        self._coef = [tuple(col) for col in zip(*coef, strict=True)]  # per term, per class
        self._intercept = intercept
        self.classes_ = classes

    def decision_function(self, docs: list[list[str]]) -> list[list[float]]:
        index, idf, coef, intercept = self._index, self._idf, self._coef, self._intercept
        out = []
        for feats in docs:
            counts: dict[int, int] = {}
            for f in feats:
                j = index.get(f)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            cols = sorted(counts)
            data = [_sublinear_tf(counts[j]) * idf[j] for j in cols]
            norm = 0.0
            for x in data:
                norm += x * x
            if norm != 0.0:
                norm = math.sqrt(norm)
                data = [x / norm for x in data]
            scores = [0.0] * len(intercept)
            for x, j in zip(data, cols, strict=True):
                scores = [s + x * w for s, w in zip(scores, coef[j], strict=True)]
            out.append([s + b for s, b in zip(scores, intercept, strict=True)])
        return out


@cache
def _sublinear_tf(count: int) -> float:
    """1 + log(count), by numpy's log as scikit-learn takes it."""
    import numpy as np

    return float(np.log(np.array([count], dtype=np.float64))[0]) + 1.0


class CompactLogistic(CompactLinear):
    """A logistic regression: softmax of the scores, as its `predict_proba` (3+ classes)."""

    __slots__ = ()

    def predict_proba(self, docs: list[list[str]]) -> Any:
        import numpy as np

        x = np.array(self.decision_function(docs), dtype=np.float64)
        x -= np.max(x, axis=1).reshape((-1, 1))
        np.exp(x, out=x)
        x /= np.sum(x, axis=1).reshape((-1, 1))
        return x


def _sha1(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


def write_compact(estimator: Any, directory: Path) -> Path | None:
    """Write `clause_type.npz` for the estimator saved as `directory/clause_type.joblib`.

    Only the shape the runtime can score exactly is written (identity analyzer, sublinear tf,
    idf, L2 norm, a linear model over 3+ classes); for any other the file is removed and the
    joblib file is used. Returns the path written, or None.
    """
    import numpy as np

    path = directory / f"{MODEL_NAME}.npz"
    path.unlink(missing_ok=True)
    vec, clf = estimator.named_steps["features"], estimator.named_steps["clf"]
    p = vec.get_params()
    exact = (
        getattr(p["analyzer"], "__name__", "") == "identity"
        and not p["lowercase"]
        and not p["binary"]
        and p["sublinear_tf"]
        and p["use_idf"]
        and p["norm"] == "l2"
        and p["dtype"] is np.float64
        and len(clf.classes_) > 2
        and clf.coef_.shape == (len(clf.classes_), len(vec.vocabulary_))
    )
    if not exact:
        return None
    terms = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
    np.savez_compressed(
        path,
        terms=np.array(terms, dtype=str),
        idf=vec.idf_,
        coef=clf.coef_,
        intercept=clf.intercept_,
        classes=np.array([str(c) for c in clf.classes_], dtype=str),
        softmax=np.array(hasattr(clf, "predict_proba")),
        source_sha1=np.array(_sha1(directory / f"{MODEL_NAME}.joblib")),
    )
    return path


def _load_compact(directory: Path) -> CompactLinear | None:
    """The compact model, if there is one made from the joblib file beside it."""
    import numpy as np

    path = directory / f"{MODEL_NAME}.npz"
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as z:
        if str(z["source_sha1"]) != _sha1(directory / f"{MODEL_NAME}.joblib"):
            return None  # a stale leftover of an earlier model
        kind = CompactLogistic if bool(z["softmax"]) else CompactLinear
        return kind(
            z["terms"].tolist(),
            z["idf"].tolist(),
            z["coef"].tolist(),
            z["intercept"].tolist(),
            z["classes"].tolist(),
        )


def load_model(
    directory: Path | None = None, rules: str | None = None
) -> ClauseModel | SequenceModel | None:
    """The model in `directory` (default `model_dir()`), or None with one warning; `rules`:
    the rules version it will run with (default: the packaged lexicons')."""
    d = directory or model_dir()
    meta_path = d / f"{MODEL_NAME}.json"
    if not meta_path.exists():
        _warn(
            f"No clause-type model at {meta_path} (train one with `ocop train`); "
            "challenges and directives come from the rules alone."
        )
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("kind") == "sequence":
            return _load_sequence(d, meta, rules)
        path = d / f"{MODEL_NAME}.joblib"
        if not path.exists():
            _warn(
                f"No clause-type model at {path} (train one with `ocop train`); "
                "challenges and directives come from the rules alone."
            )
            return None
        estimator: Any = _load_compact(d)
        why = check_meta(meta, joblib_only=estimator is None, rules=rules)
        if why:
            _warn(f"The clause-type model at {path} is not used: {why}; retrain with `ocop train`.")
            return None
        if estimator is None:
            import joblib

            estimator = joblib.load(path)
    except Exception as e:  # noqa: BLE001 - a broken artifact must not stop extraction
        _warn(f"The clause-type model in {d} could not be read ({e}); using the rules alone.")
        return None
    return ClauseModel(estimator, meta)


def _load_sequence(d: Path, meta: dict[str, Any], rules: str | None) -> SequenceModel | None:
    path = d / f"{MODEL_NAME}.crf"
    if not path.exists():
        _warn(
            f"No clause-type model at {path} (train one with `ocop train`); "
            "challenges and directives come from the rules alone."
        )
        return None
    why = check_meta(meta, rules=rules)
    if why:
        _warn(f"The clause-type model at {path} is not used: {why}; retrain with `ocop train`.")
        return None
    from underthesea_core import CRFTagger

    tagger = CRFTagger()
    tagger.load(str(path))
    return SequenceModel(tagger, meta)


def _overlap(a: int, b: int, c: int, d: int) -> int:
    return max(0, min(b, d) - max(a, c))


def _best_unit(preds: list[Prediction], starts: list[int], a: int, b: int) -> Prediction | None:
    k = max(0, bisect_right(starts, a) - 1)
    best, most = None, 0
    for p in preds[k : k + 40]:
        if p.unit.start >= b:
            break
        ov = _overlap(a, b, p.unit.start, p.unit.end)
        if ov > most:
            best, most = p, ov
    return best


@per_resources
def _cue_re(r: Resources, kind: str, whole: bool = True) -> re.Pattern[str]:
    """The cue words an addition of `kind` needs. `whole=False` drops the check after the word:
    its matches in a sentence then include every match in any prefix of the sentence."""
    c = r.lexicon("cues")
    if kind == "directive":
        words = [*c["strong_directive_verbs"], *c["obligation_after_subject"]]
    else:
        words = [*c["challenge_markers"], *c["challenge_nouns"]]
    alt = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    return re.compile(rf"(?i)(?<![\w])(?:{alt})" + (r"(?![\w])" if whole else ""))


def _worth_asking(text: str, u: Unit, sentences: list[Sentence], policy: Policy) -> bool:
    """A cheap test that a clause could be added: the cue words an addition needs are in its
    sentence up to the clause, or the clause opens a sentence after a colon (a list line).
    On the annotated articles this asks about 30% of the clauses and loses no addition."""
    sent = sentences[u.sentence]
    near = text[sent.start : u.end]
    list_line = (
        u.sentence > 0
        and not any(ch.isalnum() for ch in text[sent.start : u.start])
        and sentences[u.sentence - 1].text.rstrip().endswith(":")
    )
    for kind, threshold in (
        ("directive", policy.add_directives),
        ("challenge", policy.add_challenges),
    ):
        if threshold is not None and (list_line or _cue_re(kind).search(near)):
            return True
    return False


def _sentences_worth_asking(sentences: list[Sentence], policy: Policy) -> set[int]:
    """Sentences that may hold a clause `_worth_asking` passes: a cue word up to the clause
    end can only be a cue match in the sentence (prefix matches are found without the check
    after the word), and a list line follows a sentence that ends with a colon."""
    kinds = [
        kind
        for kind, threshold in (
            ("directive", policy.add_directives),
            ("challenge", policy.add_challenges),
        )
        if threshold is not None
    ]
    out: set[int] = set()
    if not kinds:
        return out
    for si, s in enumerate(sentences):
        if (si > 0 and sentences[si - 1].text.rstrip().endswith(":")) or any(
            _cue_re(kind, whole=False).search(s.text) for kind in kinds
        ):
            out.add(si)
    return out


def refine(
    ex: Extraction,
    sentences: list[Sentence],
    model: ClauseModel | None,
    policy: Policy | None = None,
    preds: list[Prediction] | None = None,
) -> Extraction:
    """Apply the model to the rules' challenges and directives, in place, by `policy`.

    `preds` (the model's predictions for the text's clause units) may be given to skip the
    model, as cross-validation does.
    """
    policy = policy or (model.policy if model else Policy())
    if policy.veto is None and policy.add_challenges is None and policy.add_directives is None:
        return ex
    covered = [(c.start, c.end) for c in ex.challenges] + [(d.start, d.end) for d in ex.directives]
    if preds is None:
        if model is None:
            return ex
        # Ask the model only about clauses the policy could change: it segments every clause
        # it reads, which would double the cost of an extraction if it read them all. Without
        # a veto only additions count, so only sentences that may hold one are cut into
        # clauses, and when only directives may be added, only clauses that can be actions.
        only = None if policy.veto is not None else _sentences_worth_asking(sentences, policy)
        directives_only = policy.veto is None and policy.add_challenges is None
        units = []
        for u in clause_units(ex.text, sentences, only):
            hit = any(_overlap(u.start, u.end, a, b) for a, b in covered)
            if (hit and policy.veto is not None) or (
                not hit
                and _worth_asking(ex.text, u, sentences, policy)
                and not (directives_only and not can_be_action(ex.text, u))
            ):
                units.append(u)
        preds = model.predict(ex.text, sentences, units)
    starts = [p.unit.start for p in preds]

    def vetoed(a: int, b: int) -> bool:
        p = _best_unit(preds, starts, a, b)
        return (
            policy.veto is not None
            and p is not None
            and p.label == "other"
            and p.prob >= policy.veto
        )

    ex.challenges = [c for c in ex.challenges if not vetoed(c.start, c.end)]
    ex.directives = [d for d in ex.directives if not vetoed(d.start, d.end)]
    taken = [(c.start, c.end) for c in ex.challenges] + [(d.start, d.end) for d in ex.directives]
    for p in preds:
        u = p.unit
        if any(_overlap(u.start, u.end, a, b) for a, b in taken):
            continue
        if sentences and not _worth_asking(ex.text, u, sentences, policy):
            continue
        add_c, add_d = policy.add_challenges, policy.add_directives
        if p.label == "challenge" and add_c is not None and p.prob >= add_c:
            ex.challenges.append(Challenge(ex.text[u.start : u.end], u.start, u.end))
        elif (
            p.label == "directive"
            and add_d is not None
            and p.prob >= add_d
            and can_be_action(ex.text, u)
        ):
            # the issuer of the nearest directive before it: lists continue one speaker's turn
            before = [d for d in ex.directives if d.end <= u.start]
            issuer = before[-1].issuer if before else None
            ex.directives.append(
                Directive(issuer, None, ex.text[u.start : u.end], None, u.start, u.end)
            )
    ex.challenges.sort(key=lambda c: c.start)
    ex.directives.sort(key=lambda d: d.start)
    return ex
