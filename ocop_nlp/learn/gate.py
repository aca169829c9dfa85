"""The quality gate: the installed pipeline (rules + shipped model) and the rules alone scored
item by item on the annotated real articles, against floors kept in a committed baseline
(`corpora/gate_baseline.json`) with the digest of the corpus they were measured on.

`ocop evaluate --gate` fails when a score is below its floor, or when the corpus changed since
the baseline was written (its floors then say nothing); `--update-baseline` measures again and
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
) -> GateResult:
    """Score, compare with the baseline, and (with `update`) write a new one."""
    corpus = corpus if corpus is not None else load_corpus()
    digest = corpus_digest()
    scores = {"shipped": gate_groups(corpus), "rules": gate_groups(corpus, rules_only=True)}
    base = read_baseline(path)
    res = GateResult(scores, base)
    if update:
        floors = {s: {k: floor_of(scores[s]["all"][k].f1) for k in ks} for s, ks in GATED.items()}
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
                s: {k: round(scores[s]["all"][k].f1, 4) for k in ks} for s, ks in GATED.items()
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
    res.failures += check_floors(scores, base.get("floors", {}))
    return res
