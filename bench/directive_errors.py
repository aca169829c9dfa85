"""Held-out directive errors by kind: the error-analysis loop for issue 10.

Runs the CRF over the annotated articles out of fold (GroupKFold(5) by article, as `ocop
train` does) and scores the pipeline's items against the annotation, then sorts every
unmatched directive (a false positive: an item no annotated directive pairs with; a false
negative: an annotated directive no item pairs with) into a kind: a span-boundary mismatch,
a report / plan / list head / quotation read as an order, a clause the model was not asked
about, one below the threshold, one blocked by a rule check, and so on. Counts are printed;
the items themselves (article id, offsets, the rules' label, the CRF probability, the text)
go to a TSV under /tmp, never into the repository (they hold shared text).

    python bench/directive_errors.py [--nested] [--policy 0.3] [--out /tmp/directive_errors.tsv]

Without --nested the policy is fixed (`--policy`, the add threshold of directives; the other
thresholds from models/clause_type.json) and the CRF is fitted once per fold (5 fits, about a
minute); with --nested the policy is chosen per fold by an inner GroupKFold(4) exactly as
`ocop train` does (25 fits).
"""

from __future__ import annotations

import argparse
import json
import pickle
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ocop_nlp.extract.sequence import (  # noqa: E402
    SequencePolicy,
    _states_not_orders,
    can_be_action,
    sequence_features,
    unit_rule_labels,
)
from ocop_nlp.learn.corpus import action_span, load_corpus  # noqa: E402
from ocop_nlp.learn.evaluate import GROUPS, Syllables, grouped_counts, match_spans  # noqa: E402
from ocop_nlp.learn.train import (  # noqa: E402
    _folds,
    _marginals,
    build_dataset,
    crf_nested,
    fit_crf,
    sequence_extraction,
)

_PAST = re.compile(r"(?i)(?<!\w)(?:đã|vừa|đang)(?!\w)")
_PLAN = re.compile(r"(?i)(?<!\w)(?:sẽ|dự kiến|thời gian tới|trong năm|phấn đấu|kế hoạch)(?!\w)")
_QUOTE = re.compile(r"[“”\"]")
_UPWARD = re.compile(r"(?i)(?<!\w)(?:kiến nghị|đề xuất|mong muốn)(?!\w)")
_PURPOSE = re.compile(r"(?i)^\W*(?:nhằm|mục đích|mục tiêu|để)(?!\w)")
_MODAL = re.compile(r"(?i)(?<!\w)(?:cần|phải|yêu cầu|đề nghị|chỉ đạo|giao|lưu ý)(?!\w)")


def _ov(a: int, b: int, c: int, d: int) -> int:
    return max(0, min(b, d) - max(a, c))


def _unit_at(units, a: int, b: int) -> int | None:
    """The clause unit that overlaps `[a, b)` most."""
    best, most = None, 0
    for j, u in enumerate(units):
        o = _ov(a, b, u.start, u.end)
        if o > most:
            best, most = j, o
    return best


def held_out(data, nested: bool, add: float):
    """Held-out extractions and the run-unit probabilities behind them."""
    from underthesea_core import CRFTagger

    probs: list[list[dict[str, float]]] = [[] for _ in data]
    meta = json.loads((ROOT / "models" / "clause_type.json").read_text(encoding="utf-8"))
    pol = SequencePolicy.from_dict(meta.get("policy"))
    pol.add_directive = add
    for test in _folds(data):
        held = set(test)
        tagger = CRFTagger.from_model(fit_crf([d for i, d in enumerate(data) if i not in held]))
        for i in test:
            probs[i] = _marginals(tagger, data[i].run_sequence)
    if nested:
        exs, pols = crf_nested(data)
        print(
            "fold policies:", [(p.add_directive, p.add_challenge, p.keep_challenge) for p in pols]
        )
    else:
        exs = [sequence_extraction(d, p, pol) for d, p in zip(data, probs, strict=True)]
    return exs, probs, pol


def classify(data, exs, probs, pol):
    rows = []
    kinds: Counter[str] = Counter()
    for d, ex, pr in zip(data, exs, probs, strict=True):
        ann, text = d.ann, d.ann.text
        syl = Syllables(text)
        gold = [c for c in ann.clauses if c.label == "directive"]
        gspans = [action_span(text, c) for c in gold]
        pspans = [(x.start, x.end) for x in ex.directives]
        pairs = match_spans(syl, gspans, pspans)
        mg, mp = {g for g, _ in pairs}, {p for _, p in pairs}
        rule_spans = {(x.start, x.end) for x in d.extraction.directives}
        units = d.run_units
        run_rules = unit_rule_labels(d.extraction, units)

        for pi, (a, b) in enumerate(pspans):
            src = "rule" if (a, b) in rule_spans else "crf"
            if pi in mp:
                j = _unit_at(units, a, b)
                p = pr[j].get("directive", 0.0) if j is not None else -1
                rows.append(("TP", src, "", ann.id, a, b, "", f"{p:.2f}", text[a:b][:160]))
                continue
            over = [c for c in ann.clauses if _ov(a, b, c.start, c.end)]
            gd = [c for c in over if c.label == "directive"]
            seg = text[a:b]
            if gd:
                bs, be = max((action_span(text, c) for c in gd), key=lambda g: syl.f1((a, b), g))
                if len(gd) > 1:
                    kind = "boundary:item covers several gold clauses"
                elif a >= bs and b <= be:
                    kind = "boundary:item inside a longer gold clause"
                elif a <= bs and b >= be:
                    kind = "boundary:item longer than the gold clause"
                else:
                    kind = "boundary:shifted"
                if gspans.index((bs, be)) in mg:
                    kind += " (gold already matched: duplicate)"
            elif not over:
                kind = "fp:unannotated text"
            else:
                lab = max(over, key=lambda c: _ov(a, b, c.start, c.end)).label
                nxt = text[b : b + 3].lstrip()
                if nxt.startswith(":") or seg.rstrip().endswith(("sau", "như")):
                    sub = "list head"
                elif _QUOTE.search(text[max(0, a - 2) : b + 2]):
                    sub = "quoted"
                elif _UPWARD.search(seg) or _UPWARD.search(text[max(0, a - 80) : a]):
                    sub = "request upward/proposal"
                elif _PAST.search(seg[:60]):
                    sub = "past/report"
                elif _PLAN.search(seg):
                    sub = "plan"
                elif _PURPOSE.search(seg):
                    sub = "purpose"
                elif _MODAL.search(seg):
                    sub = "has order word"
                else:
                    sub = "plain"
                kind = f"fp:{lab}:{sub}"
            j = _unit_at(units, a, b)
            p = pr[j].get("directive", 0.0) if j is not None else -1
            rl = run_rules[j] if j is not None else "-"
            kinds[f"FP {src} {kind}"] += 1
            rows.append(("FP", src, kind, ann.id, a, b, rl, f"{p:.2f}", seg[:160]))
        for gi, (a, b) in enumerate(gspans):
            if gi in mg:
                continue
            seg = text[a:b]
            overp = [x for x in ex.directives if _ov(a, b, x.start, x.end)]
            # the clause unit is the annotated clause's, the span matched its action's
            j = _unit_at(units, gold[gi].start, gold[gi].end)
            u = units[j] if j is not None else None
            p = pr[j] if j is not None else {}
            pd, pc = p.get("directive", 0.0), p.get("challenge", 0.0)
            rule_here = [x for x in d.extraction.directives if _ov(a, b, x.start, x.end)]
            if overp:
                kind = "boundary"
                x = max(overp, key=lambda x: _ov(a, b, x.start, x.end))
                if len(overp) > 1:
                    kind += ":gold clause split into several items"
                elif x.start <= a and x.end >= b:
                    kind += ":item longer than the gold clause"
                elif x.start >= a and x.end <= b:
                    kind += ":item inside the gold clause"
                else:
                    kind += ":shifted"
            elif u is None:
                kind = "fn:no run unit"
            elif u.start != gold[gi].start or u.end != gold[gi].end:
                kind = "fn:gold clause is not a run unit"
            elif any(_ov(a, b, c.start, c.end) for c in ex.challenges):
                kind = "fn:taken by a challenge item"
            elif not can_be_action(text, u):
                kind = "fn:blocked: can_be_action"
            elif pd >= pol.add_directive and _states_not_orders(text, u):
                kind = "fn:blocked: states_not_orders"
            elif pd >= pol.add_directive and pd < pc:
                kind = "fn:challenge more likely"
            elif pd >= pol.add_directive:
                kind = "fn:blocked: purpose"
            elif pd >= 0.1:
                kind = "fn:below threshold (p 0.1-thr)"
            else:
                kind = "fn:model says no (p<0.1)"
            if not overp and not kind.startswith("fn:no"):
                # the context: is it in a list, after a directive, with an order word
                prev = text[max(0, a - 4) : a]
                ctx = (
                    "list"
                    if ":" in prev or re.match(r"\s*[-–+•]", text[a - 3 : a + 1] or "")
                    else "modal"
                    if _MODAL.search(seg)
                    else "plain"
                )
                kind += f" [{ctx}]"
            kinds[f"FN {kind}"] += 1
            rows.append(
                (
                    "FN",
                    "rule" if rule_here else "-",
                    kind,
                    ann.id,
                    a,
                    b,
                    run_rules[j] if j is not None else "-",
                    f"{pd:.2f}",
                    seg[:160],
                )
            )
    return kinds, rows


def refeature(data) -> None:
    """The CRF features again, from the cached rules' output (for feature experiments)."""
    for d in data:
        d.sequence = sequence_features(d.ann.text, d.sentences, d.units, d.rules)
        d.run_sequence = sequence_features(
            d.ann.text, d.sentences, d.run_units, unit_rule_labels(d.extraction, d.run_units)
        )


def show_scores(pairs) -> None:
    g = grouped_counts(pairs)
    for grp in GROUPS:
        t = g[grp]
        cells = "  ".join(
            f"{k[:4]} {t[k].precision:.3f}/{t[k].recall:.3f}/{t[k].f1:.3f}"
            for k in ("figures", "challenges", "directives")
        )
        print(
            f"{grp:<9} {cells}  adr {t['addressee'].f1:.3f} ({t['addressee'].gold_n})"
            f"  iss {t['issuer'].f1:.3f} ({t['issuer'].gold_n})  cspan {t['challenge_span'].f1:.3f}"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nested", action="store_true")
    ap.add_argument("--policy", type=float, default=0.3)
    ap.add_argument("--keep", type=float, default=0.0, help="keep threshold of rule directives")
    ap.add_argument("--out", default="/tmp/directive_errors.tsv")
    ap.add_argument(
        "--cache", help="a pickle of the dataset under /tmp: read if there, else written"
    )
    ap.add_argument("--probs", help="a pickle of the CRF's held-out probabilities: read or written")
    ap.add_argument(
        "--refeat", action="store_true", help="recompute the CRF features (cached data)"
    )
    args = ap.parse_args()
    t0 = time.perf_counter()
    cache = Path(args.cache) if args.cache else None
    if cache is not None and cache.exists():
        data = pickle.loads(cache.read_bytes())
        if args.refeat:
            refeature(data)
    else:
        data = build_dataset(load_corpus())
        if cache is not None:
            cache.write_bytes(pickle.dumps(data))
    t1 = time.perf_counter()
    saved = Path(args.probs) if args.probs else None
    if saved is not None and saved.exists() and not args.nested:
        # the CRF's held-out probabilities of an earlier run: for policy and item experiments
        probs = pickle.loads(saved.read_bytes())
        meta = json.loads((ROOT / "models" / "clause_type.json").read_text(encoding="utf-8"))
        pol = SequencePolicy.from_dict(meta.get("policy"))
        pol.add_directive, pol.keep_directive = args.policy, args.keep
        exs = [sequence_extraction(d, p, pol) for d, p in zip(data, probs, strict=True)]
    else:
        exs, probs, pol = held_out(data, args.nested, args.policy)
        if not args.nested and args.keep:
            pol.keep_directive = args.keep
            exs = [sequence_extraction(d, p, pol) for d, p in zip(data, probs, strict=True)]
        if saved is not None:
            saved.write_bytes(pickle.dumps(probs))
    t2 = time.perf_counter()
    print(f"dataset {t1 - t0:.0f} s, CRF {t2 - t1:.0f} s; policy {pol}")
    print("rules only:")
    show_scores((d.ann, d.extraction) for d in data)
    print("CRF + rules (held out):")
    show_scores(zip([d.ann for d in data], exs, strict=True))
    kinds, rows = classify(data, exs, probs, pol)
    for side in ("FP", "FN"):
        tot = sum(n for k, n in kinds.items() if k.startswith(side))
        print(f"\n{side}: {tot}")
        for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]):
            if k.startswith(side):
                print(f"  {n:5d}  {k[3:]}")
    with open(args.out, "w", encoding="utf-8") as f:
        for r in rows:
            f.write("\t".join(map(str, r)).replace("\n", " ") + "\n")
    g = grouped_counts(zip([d.ann for d in data], exs, strict=True))["all"]
    with open(args.out + ".who", "w", encoding="utf-8") as f:
        f.writelines(
            m.replace("\n", " ") + "\n" for m in g["addressee"].misses + g["issuer"].misses
        )
    print(f"items in {args.out}, addressee and issuer misses in {args.out}.who")


if __name__ == "__main__":
    main()
