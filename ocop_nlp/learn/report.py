"""Plain-text tables for `ocop train` and `ocop evaluate`."""

from __future__ import annotations

from ocop_nlp.learn.evaluate import ItemCounts, LabelReport
from ocop_nlp.learn.train import Comparison


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def format_labels(r: LabelReport, title: str) -> str:
    lines = [f"### {title}", "", _row(["label", "precision", "recall", "F1", "support"])]
    lines.append(_row(["---"] * 5))
    for lab in r.labels:
        lines.append(
            _row(
                [
                    lab,
                    f"{r.precision[lab]:.3f}",
                    f"{r.recall[lab]:.3f}",
                    f"{r.f1[lab]:.3f}",
                    str(r.support[lab]),
                ]
            )
        )
    lines.append(f"\naccuracy {r.accuracy:.3f}, macro-F1 {r.macro_f1:.3f}")
    lines += ["", "confusion (rows gold, columns predicted):", ""]
    lines.append(_row(["gold \\ pred", *r.labels]))
    lines.append(_row(["---"] * (len(r.labels) + 1)))
    for lab, row in zip(r.labels, r.confusion, strict=True):
        lines.append(_row([lab, *map(str, row)]))
    return "\n".join(lines)


def format_gate(t: dict[str, ItemCounts], title: str = "Item level") -> str:
    lines = [f"### {title}", "", _row(["field", "precision", "recall", "F1", "items (pred/gold)"])]
    lines.append(_row(["---"] * 5))
    for k, c in t.items():
        lines.append(
            _row(
                [
                    k,
                    f"{c.precision:.3f}",
                    f"{c.recall:.3f}",
                    f"{c.f1:.3f}",
                    f"{c.pred_n}/{c.gold_n}",
                ]
            )
        )
    return "\n".join(lines)


def format_comparison(c: Comparison) -> str:
    counts = ", ".join(f"{k} {v}" for k, v in c.label_counts.items())
    out = [
        f"{c.n_articles} annotated articles ({c.portal_articles} portal, "
        f"{c.n_articles - c.portal_articles} newspaper), {c.n_clauses} clauses: {counts}",
        "cross-validation: GroupKFold(5) by article (no article in both train and test)",
        "",
        "### Model families (clause type, held-out folds)",
        "",
        _row(["family", "accuracy", "macro-F1", *c.rules.labels]),
        _row(["---"] * (3 + len(c.rules.labels))),
    ]
    rows = [*((f, r) for f, r in c.families.items()), ("rules only", c.rules)]
    rows.append((f"combined ({c.winner} + rules)", c.combined))
    for name, r in rows:
        out.append(
            _row(
                [
                    name + (" (winner)" if name == c.winner else ""),
                    f"{r.accuracy:.3f}",
                    f"{r.macro_f1:.3f}",
                    *(f"{r.f1[lab]:.3f}" for lab in r.labels),
                ]
            )
        )
    out += ["", f"combination policy chosen on held-out folds: {c.policy}", ""]
    out.append(format_labels(c.families[c.winner], f"{c.winner}, held-out folds"))
    out.append("")
    for name, t in c.nested_items.items():
        out.append(
            format_gate(t, f"Item level, {name} (nested CV: policy chosen without the fold)")
        )
        out.append("")
    out.append(f"({c.seconds:.0f} s)")
    return "\n".join(out)
