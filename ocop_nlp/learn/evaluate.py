"""Measure: clause labels (per-label P/R/F1, confusion), rules vs model vs combined, and the
item-level quality of the whole extraction on the annotated articles (the gate).

Item level, per annotated article:
- challenges and directives: a predicted item is right when it overlaps a clause annotated
  with that label; an annotated clause is found when a predicted item overlaps it
  (precision over predicted items, recall over annotated clauses, so one clause read as two
  items is not punished twice);
- figures: a predicted figure is right when its span overlaps an annotated figure with the
  same value (annotated figures were pre-filled from the rules, then corrected by hand).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ocop_nlp.extract.model import Policy, Prediction, refine
from ocop_nlp.learn.corpus import LABELS, AnnotatedArticle
from ocop_nlp.records import Extraction, Sentence

ITEM_FIELDS = ("figures", "challenges", "directives", "addressee")


@dataclass(slots=True)
class ItemCounts:
    pred_ok: int = 0
    pred_n: int = 0
    gold_ok: int = 0
    gold_n: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: ItemCounts) -> None:
        self.pred_ok += other.pred_ok
        self.pred_n += other.pred_n
        self.gold_ok += other.gold_ok
        self.gold_n += other.gold_n
        self.misses += other.misses

    @property
    def precision(self) -> float:
        return self.pred_ok / self.pred_n if self.pred_n else 1.0

    @property
    def recall(self) -> float:
        return self.gold_ok / self.gold_n if self.gold_n else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _ov(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return min(a[1], b[1]) > max(a[0], b[0])


def _span_counts(gold: list[tuple[int, int]], pred: list[tuple[int, int]]) -> ItemCounts:
    return ItemCounts(
        pred_ok=sum(any(_ov(p, g) for g in gold) for p in pred),
        pred_n=len(pred),
        gold_ok=sum(any(_ov(g, p) for p in pred) for g in gold),
        gold_n=len(gold),
    )


def _same_value(gold: dict, value: float) -> bool:
    v = gold.get("value")
    return v is None or abs(float(v) - value) <= 1e-6 * max(1.0, abs(float(v)))


def _norm(s: str | None) -> str:
    return (s or "").lower().strip(" .,;:…")


def item_counts(ann: AnnotatedArticle, ex: Extraction) -> dict[str, ItemCounts]:
    """Item-level counts of one extraction against one annotated article."""
    out: dict[str, ItemCounts] = {}
    for key, label, items in (
        ("challenges", "challenge", ex.challenges),
        ("directives", "directive", ex.directives),
    ):
        gold = [(c.start, c.end) for c in ann.clauses if c.label == label]
        pred = [(i.start, i.end) for i in items]
        sc = _span_counts(gold, pred)
        sc.misses += [
            f"{ann.id} {key} missed [{g[0]}:{g[1]}]"
            for g in gold
            if not any(_ov(g, p) for p in pred)
        ]
        sc.misses += [
            f"{ann.id} {key} extra [{p[0]}:{p[1]}]"
            for p in pred
            if not any(_ov(p, g) for g in gold)
        ]
        out[key] = sc
    gold_figs = [f for c in ann.clauses for f in c.figures]
    fc = ItemCounts(pred_n=len(ex.figures), gold_n=len(gold_figs))
    fc.pred_ok = sum(
        any(_ov((f.start, f.end), tuple(g["span"])) and _same_value(g, f.value) for g in gold_figs)
        for f in ex.figures
    )
    fc.gold_ok = sum(
        any(_ov((f.start, f.end), tuple(g["span"])) and _same_value(g, f.value) for f in ex.figures)
        for g in gold_figs
    )
    out["figures"] = fc
    # The addressee of each annotated directive that has one and that a predicted item found.
    ac = ItemCounts()
    for c in ann.clauses:
        if c.label != "directive" or not c.addressee:
            continue
        d = next((d for d in ex.directives if _ov((d.start, d.end), (c.start, c.end))), None)
        if d is None:
            continue
        ok = _norm(d.addressee) == _norm(ann.text[c.addressee[0] : c.addressee[1]])
        ac.add(ItemCounts(int(ok), 1, int(ok), 1))
    out["addressee"] = ac
    return out


def total_counts(
    pairs: Iterable[tuple[AnnotatedArticle, Extraction]],
) -> dict[str, ItemCounts]:
    tot = {k: ItemCounts() for k in ITEM_FIELDS}
    for ann, ex in pairs:
        for k, c in item_counts(ann, ex).items():
            tot[k].add(c)
    return tot


# --- clause level -----------------------------------------------------------------------


@dataclass(slots=True)
class LabelReport:
    labels: tuple[str, ...]
    precision: dict[str, float]
    recall: dict[str, float]
    f1: dict[str, float]
    support: dict[str, int]
    accuracy: float
    macro_f1: float
    confusion: list[list[int]]  # rows: gold, columns: predicted, in `labels` order


def label_report(gold: list[str], pred: list[str]) -> LabelReport:
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    labels = list(LABELS)
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    cm = confusion_matrix(gold, pred, labels=labels)
    acc = sum(g == q for g, q in zip(gold, pred, strict=True)) / max(1, len(gold))
    return LabelReport(
        tuple(labels),
        dict(zip(labels, map(float, p), strict=True)),
        dict(zip(labels, map(float, r), strict=True)),
        dict(zip(labels, map(float, f), strict=True)),
        dict(zip(labels, map(int, s), strict=True)),
        acc,
        float(sum(f) / len(f)),
        [[int(x) for x in row] for row in cm],
    )


def combine_labels(rule: str, pred: Prediction, policy: Policy) -> str:
    """The clause label the combined pipeline gives (the clause-level view of `refine`)."""
    if rule in ("challenge", "directive"):
        if policy.veto is not None and pred.label == "other" and pred.prob >= policy.veto:
            return "other"
        return rule
    add = {"challenge": policy.add_challenges, "directive": policy.add_directives}.get(pred.label)
    if rule == "other" and add is not None and pred.prob >= add:
        return pred.label
    return rule


# --- the combination on held-out articles ----------------------------------------------


def refined_counts(
    items: list[tuple[AnnotatedArticle, Extraction, list[Sentence], list[Prediction]]],
    policy: Policy,
) -> dict[str, ItemCounts]:
    pairs = []
    for ann, ex, sents, preds in items:
        e = copy.copy(ex)
        e.challenges, e.directives = list(ex.challenges), list(ex.directives)
        pairs.append((ann, refine(e, sents, None, policy, preds)))
    return total_counts(pairs)


def policy_grid() -> list[Policy]:
    """The policies tried. Thresholds start at 0.75: below that, additions won on the real
    articles but cost precision on our hand-written ones (`tests/articles_score.py`)."""
    out = []
    for veto in (None, 0.8, 0.9):
        for add_c in (None, 0.8, 0.9):
            for add_d in (None, 0.75, 0.8, 0.9):
                out.append(Policy(veto, add_c, add_d))
    return out


def policy_score(t: dict[str, ItemCounts]) -> float:
    return (t["challenges"].f1 + t["directives"].f1) / 2


def choose_policy(
    items: list[tuple[AnnotatedArticle, Extraction, list[Sentence], list[Prediction]]],
    score: Callable[[dict[str, ItemCounts]], float] = policy_score,
) -> Policy:
    """The grid policy with the best item-level challenge+directive F1 on `items`.

    A policy must beat the rules alone (no change) to be chosen.
    """
    best, best_score = Policy(), score(refined_counts(items, Policy()))
    for pol in policy_grid():
        s = score(refined_counts(items, pol))
        if s > best_score + 1e-9:
            best, best_score = pol, s
    return best
