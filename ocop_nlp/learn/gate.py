"""The quality gate: the installed pipeline (rules + shipped model) and the rules alone scored
item by item on the annotated real articles, against floors kept in a committed baseline
(`corpora/gate_baseline.json`) with the digest of the corpus they were measured on.

`ocop evaluate --gate` fails when a score is below its floor, when the corpus changed since
the baseline was written (its floors then say nothing), or when the shipped model was trained
on another corpus; the shipped model's held-out scores, recorded by `ocop train`, have floors
too; `--update-baseline` measures again and
writes floors just under the new scores, and refuses to lower a floor unless `--accept-lower`
is given. `tests/test_quality_gate.py` runs the same check.

The shipped model was trained on these same articles, so its numbers here are in-sample; the
held-out estimate is `ocop evaluate` (GroupKFold by article, nothing fitted on the test fold).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ocop_nlp.errors import OcopError
from ocop_nlp.extract.pipeline import RULE_STAGES, Pipeline, extract_article
from ocop_nlp.learn.corpus import REPO, AnnotatedArticle, article, corpus_digest, load_corpus
from ocop_nlp.learn.evaluate import ItemCounts, grouped_counts

BASELINE = REPO / "corpora" / "gate_baseline.json"
# What is gated: every field of the shipped pipeline, and the rules' own items (so a rule
# change that loses items shows even when the model hides it).
GATED = {
    "shipped": ("figures", "challenges", "directives", "addressee", "issuer", "challenge_span"),
    "rules": ("figures", "challenges", "directives"),
}
MARGIN = 0.01  # a floor sits this far under the score it was set from, rounded down
# The shipped model's held-out scores, as `ocop train` recorded them in its metadata (nested
# GroupKFold, nothing fitted on a test fold): gated without running the cross-validation again.
HELD_OUT = ("challenges", "directives")


def held_out_scores(model_meta: dict[str, Any]) -> dict[str, float]:
    """The held-out item F1 `ocop train` recorded for the kind of model it kept."""
    system = "crf" if model_meta.get("kind") == "sequence" else "logreg"
    table = model_meta.get("cv", {}).get("items_nested", {}).get(system, {}).get("all", {})
    return {k: float(table[k]["f1"]) for k in HELD_OUT if k in table}


def shipped_model_meta() -> dict[str, Any]:
    from ocop_nlp.extract.model import MODEL_NAME, model_dir

    path = model_dir() / f"{MODEL_NAME}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def gate_counts(
    corpus: list[AnnotatedArticle] | None = None, rules_only: bool = False
) -> dict[str, ItemCounts]:
    return gate_groups(corpus, rules_only)["all"]


def gate_groups(
    corpus: list[AnnotatedArticle] | None = None, rules_only: bool = False
) -> dict[str, dict[str, ItemCounts]]:
    corpus = corpus if corpus is not None else load_corpus()
    run = Pipeline(RULE_STAGES) if rules_only else extract_article
    return grouped_counts((ann, run(article(ann.id))) for ann in corpus)


@dataclass(slots=True)
class GateResult:
    scores: dict[str, dict[str, dict[str, ItemCounts]]]  # system -> group -> field
    baseline: dict[str, Any]
    failures: list[str] = field(default_factory=list)
    wrote: Path | None = None
    held_out: dict[str, float] = field(default_factory=dict)  # the shipped model's, from training

    @property
    def ok(self) -> bool:
        return not self.failures


def read_baseline(path: Path = BASELINE) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise OcopError(f"{path} is not valid JSON ({e.msg}); restore it from git.") from e


def floor_of(score: float) -> float:
    return math.floor((score - MARGIN) * 100 + 1e-9) / 100


def check_floors(
    scores: dict[str, dict[str, dict[str, ItemCounts]]], floors: dict[str, dict[str, float]]
) -> list[str]:
    """One sentence per gated score under its floor."""
    out = []
    for system, fields in floors.items():
        for name, floor in fields.items():
            c = scores[system]["all"][name]
            if c.f1 < floor - 1e-9:
                out.append(
                    f"{system} {name} F1 {c.f1:.3f} (P {c.precision:.3f}, R {c.recall:.3f}) is "
                    f"below its floor {floor:.2f}"
                    + (f"; first misses: {'; '.join(c.misses[:3])}" if c.misses else "")
                )
    return out


def run_gate(
    corpus: list[AnnotatedArticle] | None = None,
    update: bool = False,
    accept_lower: bool = False,
    path: Path = BASELINE,
    model_meta: dict[str, Any] | None = None,
) -> GateResult:
    """Score, compare with the baseline, and (with `update`) write a new one."""
    corpus = corpus if corpus is not None else load_corpus()
    digest = corpus_digest()
    scores = {"shipped": gate_groups(corpus), "rules": gate_groups(corpus, rules_only=True)}
    meta = shipped_model_meta() if model_meta is None else model_meta
    held = held_out_scores(meta)
    base = read_baseline(path)
    res = GateResult(scores, base, held_out=held)
    if meta and meta.get("corpus_sha256") != digest:
        res.failures.append(
            "The shipped model was trained on another annotated corpus than this one; retrain "
            "with `ocop train` (then `ocop evaluate --gate --update-baseline`)."
        )
        return res
    if update:
        floors = {s: {k: floor_of(scores[s]["all"][k].f1) for k in ks} for s, ks in GATED.items()}
        floors["held_out"] = {k: floor_of(v) for k, v in held.items()}
        old = base.get("floors", {}) if base.get("corpus_sha256") == digest else {}
        lower = [
            f"{s} {k} {old[s][k]:.2f} -> {v:.2f}"
            for s, fs in floors.items()
            for k, v in fs.items()
            if k in old.get(s, {}) and v < old[s][k] - 1e-9
        ]
        if lower and not accept_lower:
            res.failures.append(
                "The new baseline would lower floors on the same corpus ("
                + ", ".join(lower)
                + "); fix the regression, or pass --accept-lower to lower them on purpose."
            )
            return res
        new = {
            "corpus_sha256": digest,
            "articles": len(corpus),
            "clauses": sum(len(a.clauses) for a in corpus),
            "updated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "scores": {
                **{s: {k: round(scores[s]["all"][k].f1, 4) for k in ks} for s, ks in GATED.items()},
                "held_out": held,
            },
            "floors": floors,
        }
        path.write_text(json.dumps(new, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        res.baseline, res.wrote = new, path
        return res
    if not base:
        res.failures.append(
            f"There is no gate baseline at {path}; write one with "
            "`ocop evaluate --gate --update-baseline`."
        )
        return res
    if base.get("corpus_sha256") != digest:
        res.failures.append(
            f"The annotated corpus changed since the baseline was written (SHA-256 "
            f"{digest[:12]} != {str(base.get('corpus_sha256'))[:12]}); retrain with `ocop train` "
            "and re-baseline with `ocop evaluate --gate --update-baseline`."
        )
    floors = dict(base.get("floors", {}))
    for k, floor in floors.pop("held_out", {}).items():
        if held.get(k, 0.0) < floor - 1e-9:
            res.failures.append(
                f"the shipped model's held-out {k} F1 {held.get(k, 0.0):.3f} (recorded by "
                f"`ocop train`) is below its floor {floor:.2f}"
            )
    res.failures += check_floors(scores, floors)
    return res
