"""Plain-text tables for `ocop train` and `ocop evaluate`."""

from __future__ import annotations

from ocop_nlp.learn.evaluate import ItemCounts, LabelReport
from ocop_nlp.learn.gate import GateResult
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
        f"{c.n_articles - c.portal_articles} newspaper; {c.long_articles} over 6,000 "
        f"characters), {c.n_clauses} clauses: {counts}",
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
    out += ["", f"combination policy chosen on held-out folds: {c.policy}"]
    out += [f"CRF policy (on all held-out probabilities): {c.sequence_policy}", ""]
    out.append(format_labels(c.families[c.winner], f"{c.winner}, held-out folds"))
    out.append("")
    out.append(format_labels(c.families["crf"], "crf, held-out folds"))
    out.append("")
    out.append(format_systems(c.nested_items))
    out.append("")
    out.append(f"kept by `ocop train`: {c.kept}")
    out.append(f"({c.seconds:.0f} s)")
    return "\n".join(out)


_NAMES = {
    "shipped": "pipeline as shipped (in-sample)",
    "rules": "rules only",
    "logreg": "LR per clause + rules",
    "crf": "CRF over the article + rules",
}


def format_systems(
    t: dict[str, dict[str, dict[str, ItemCounts]]],
    title: str = "Item level, held-out folds (model and policy fitted without the test fold)",
) -> str:
    """Item-level P/R/F1 of each system, per category and per group."""
    lines = [
        f"### {title}",
        "",
        _row(
            [
                "group",
                "system",
                "figures",
                "challenges",
                "directives",
                "addressee",
                "issuer",
                "challenge span",
            ]
        ),
        _row(["---"] * 8),
    ]
    for group in t[next(iter(t))]:
        for name, groups in t.items():
            f = groups[group]
            n = f["directives"].gold_n + f["challenges"].gold_n + f["figures"].gold_n
            if not n:
                continue
            cells = [
                f"{f[k].precision:.2f}/{f[k].recall:.2f}/**{f[k].f1:.3f}**"
                for k in ("figures", "challenges", "directives")
            ]
            cells += [f"{f[k].f1:.3f} ({f[k].gold_n})" for k in ("addressee", "issuer")]
            cells.append(f"{f['challenge_span'].f1:.3f}")
            lines.append(_row([group, _NAMES.get(name, name), *cells]))
    lines.append("")
    lines.append(
        "cells: precision/recall/F1; addressee and issuer: accuracy over matched directives "
        "whose annotation names one (how many)"
    )
    return "\n".join(lines)


def format_gate_result(r: GateResult) -> str:
    """The gate's scores per group, each gated one with its floor, then what failed."""
    floors = r.baseline.get("floors", {})
    lines = [format_systems(r.scores, "Item level, the gate"), "", "### Floors", ""]
    lines.append(_row(["system", "field", "F1", "floor"]))
    lines.append(_row(["---"] * 4))
    for system, fields in floors.items():
        for name, floor in fields.items():
            if system == "held_out":
                f1 = r.held_out.get(name, 0.0)
            else:
                f1 = r.scores[system]["all"][name].f1
            lines.append(_row([system, name, f"{f1:.3f}", f"{floor:.2f}"]))
    if r.wrote:
        lines.append(f"\nwrote {r.wrote}")
    lines += ["", *(f"FAILED: {f}" for f in r.failures)] if r.failures else ["", "gate passed"]
    return "\n".join(lines)
