"""The annotation tool: show an article's clauses with the rules' label, take a label, write
stand-off JSONL with offsets computed here (nobody types an offset).

    python -m ocop_nlp.learn.annotate show ID [ID ...]           # clauses, numbered, pre-labelled
    python -m ocop_nlp.learn.annotate label ID --pass 1 -o FILE   # interactive, on a terminal
    python -m ocop_nlp.learn.annotate apply DECISIONS --pass 1 -o FILE   # batch, scripted
    python -m ocop_nlp.learn.annotate review FILE ID [ID ...]     # clauses with FILE's labels
    python -m ocop_nlp.learn.annotate review --blind FILE ID ...  # the same, unlabelled
    python -m ocop_nlp.learn.annotate review --blind FILE ID ...  # the same clauses, unlabelled
    python -m ocop_nlp.learn.annotate amend CORRECTIONS FILE --by c1   # re-check FILE in place

A decisions file has one line per article: `ID<TAB>TOKENS`, one token per clause in the order
`show` numbers them. A token is a label letter — f(igure) c(hallenge) d(irective)
a(chievement) o(ther) — optionally followed by `{...}` edits separated by `|`:
`A=text` (addressee: the nearest occurrence of `text` at or before the clause), `I=text`
(issuer, likewise), `A=-`/`I=-` (none), `xN` (figure N of the clause shown is wrong),
`+text` (a figure the rules missed: the span of `text` in the clause). Lines starting with `#`
are comments. A corrections file (amend) has `ID<TAB>N<TAB>TOKEN` lines (clause N as `review`
numbers it, the same token syntax) and `ID<TAB>checked` lines for articles re-checked whole;
amend rewrites FILE with one line per clause still, marking re-checked lines `"recheck"`. Without edits, a directive takes the rules' issuer and addressee when a rule
directive overlaps the clause, and a clause keeps the rules' figures inside it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from ocop_nlp.errors import OcopError
from ocop_nlp.extract.pipeline import extract_article
from ocop_nlp.extract.sequence import unit_rule_labels
from ocop_nlp.extract.units import Unit, clause_units
from ocop_nlp.learn.corpus import LABELS, article, indexed_text, read_annotation_lines, text_sha1
from ocop_nlp.records import Extraction

LETTERS = {lab[0]: lab for lab in LABELS}


@dataclass(slots=True)
class Shown:
    unit: Unit
    rule: str
    figures: list[dict]
    issuer: tuple[int, int] | None
    addressee: tuple[int, int] | None


def _overlap(a: int, b: int, c: int, d: int) -> int:
    return max(0, min(b, d) - max(a, c))


def _find_before(text: str, needle: str | None, pos: int) -> tuple[int, int] | None:
    """The last occurrence of `needle` that starts before `pos` (else the first after)."""
    if not needle:
        return None
    i = text.rfind(needle, 0, pos)
    if i < 0:
        i = text.find(needle, pos)
    return (i, i + len(needle)) if i >= 0 else None


def rule_label(ex: Extraction, start: int, end: int) -> str:
    """The label the rules give a clause: what their items overlap, most specific first."""
    return unit_rule_labels(ex, [Unit(start, end, 0)])[0]


def shown_clauses(article_id: str) -> tuple[str, list[Shown]]:
    text = indexed_text(article_id)
    ex = extract_article(article(article_id))
    if ex.text != text:
        raise OcopError(f"{article_id}: the extraction's text is not the indexed text.")
    out = []
    for u in clause_units(text):
        figs = [
            {"span": [f.start, f.end], "value": f.value, "unit": f.unit}
            for f in ex.figures
            if u.start <= f.start and f.end <= u.end
        ]
        d = next((d for d in ex.directives if _overlap(u.start, u.end, d.start, d.end)), None)
        iss = adr = None
        if d is not None:
            who = d.issuer.name or d.issuer.title if d.issuer else None
            iss = _find_before(text, who, u.end)
            adr = _find_before(text, d.addressee, u.end)
        out.append(Shown(u, rule_label(ex, u.start, u.end), figs, iss, adr))
    return text, out


def render(article_id: str, blind: bool = False) -> str:
    """The numbered clauses; `blind` hides the rules' label, figures, issuer and addressee so
    that an independent annotator is not anchored by them (pass 1 is never shown)."""
    text, shown = shown_clauses(article_id)
    lines = [f"## {article_id} ({len(shown)} clauses, sha1 {text_sha1(text)[:10]})"]
    for k, s in enumerate(shown):
        if blind:
            lines.append(f"{k:3} | {text[s.unit.start : s.unit.end]}")
            continue
        extra = ""
        if s.rule == "directive":
            extra = " ".join(
                f"{n}=«{text[a:b]}»"
                for n, sp in (("A", s.addressee), ("I", s.issuer))
                if sp
                for a, b in [sp]
            )
        figs = " ".join(
            f"[{n}]{text[f['span'][0] : f['span'][1]]}" for n, f in enumerate(s.figures, 1)
        )
        lines.append(
            f"{k:3} {s.rule[0]} | {text[s.unit.start : s.unit.end]}"
            + (f"  ‖ {figs}" if figs else "")
            + (f"  ‖ {extra}" if extra else "")
        )
    return "\n".join(lines)


_TOKEN = re.compile(r"([fcdao])(?:\{([^}]*)\})?")


def parse_tokens(line: str) -> list[tuple[str, list[str]]]:
    out = []
    pos = 0
    line = line.strip()
    while pos < len(line):
        if line[pos].isspace():
            pos += 1
            continue
        m = _TOKEN.match(line, pos)
        if not m:
            raise OcopError(f"Bad decision token at {line[pos : pos + 20]!r}.")
        out.append((LETTERS[m.group(1)], [e for e in (m.group(2) or "").split("|") if e]))
        pos = m.end()
    return out


def decide(
    article_id: str, tokens: list[tuple[str, list[str]]], pass_no: int, annotator: str
) -> list[dict]:
    """Annotation lines for one article from its decisions (one per shown clause)."""
    text, shown = shown_clauses(article_id)
    if len(tokens) != len(shown):
        raise OcopError(
            f"{article_id}: {len(tokens)} decisions for {len(shown)} clauses; give one per clause."
        )
    sha = text_sha1(text)
    out = []
    for s, (label, edits) in zip(shown, tokens, strict=True):
        u = s.unit
        iss, adr = (s.issuer, s.addressee) if label == "directive" else (None, None)
        spans, figs = _read_edits(text, u, edits, list(s.figures), article_id)
        iss = spans.get("issuer", iss)
        adr = spans.get("addressee", adr)
        out.append(
            {
                "article": article_id,
                "text_sha1": sha,
                "start": u.start,
                "end": u.end,
                "label": label,
                "issuer": list(iss) if iss else None,
                "addressee": list(adr) if adr else None,
                "figures": figs,
                "rule": s.rule,
                "pass": pass_no,
                "annotator": annotator,
            }
        )
    return out


def _edit(
    text: str, u: Unit, line: dict, label: str, edits: list[str], shown: Shown | None, aid: str
) -> dict:
    """One annotation line with a corrected label and edits; a clause that becomes a directive
    takes the rules' issuer and addressee unless edited, one that stops being one loses them."""
    out = dict(line)
    if label == "directive" and line["label"] != "directive" and shown is not None:
        out["issuer"] = list(shown.issuer) if shown.issuer else None
        out["addressee"] = list(shown.addressee) if shown.addressee else None
    elif label != "directive":
        out["issuer"] = out["addressee"] = None
    out["label"] = label
    spans, out["figures"] = _read_edits(text, u, edits, list(line.get("figures") or []), aid)
    for key, span in spans.items():
        out[key] = list(span) if span else None
    return out


def _read_edits(
    text: str, u: Unit, edits: list[str], figs: list[dict], aid: str
) -> tuple[dict[str, tuple[int, int] | None], list[dict]]:
    """The edits of one decision (`A=`/`I=` spans, `xN` figure drops, `+text` figures): the
    issuer/addressee spans they set (None: "-", none) and the clause's figures after them."""
    spans: dict[str, tuple[int, int] | None] = {}
    drop: set[int] = set()
    for e in edits:
        if e.startswith(("A=", "I=")):
            val = e[2:].strip()
            span = None if val == "-" else _find_before(text, val, u.end)
            if val != "-" and span is None:
                raise OcopError(f"{aid}: {val!r} is not in the text.")
            spans["addressee" if e[0] == "A" else "issuer"] = span
        elif e.startswith("x"):
            drop.add(int(e[1:]))
        elif e.startswith("+"):
            i = text.find(e[1:], u.start, u.end)
            if i < 0:
                raise OcopError(f"{aid}: figure {e[1:]!r} is not in clause {u}.")
            figs.append({"span": [i, i + len(e) - 1], "value": None, "unit": None})
        else:
            raise OcopError(f"{aid}: unknown edit {e!r}.")
    return spans, [f for n, f in enumerate(figs, 1) if n not in drop]


def _article_lines(lines: list[dict], aid: str) -> list[dict]:
    """The file's lines of one article in text order (its own clauses: the cutting of `show`
    may have moved since it was labelled)."""
    mine = sorted((a for a in lines if a["article"] == aid), key=lambda a: a["start"])
    if not mine:
        raise OcopError(f"{aid} is not in the file.")
    return mine


def review(path: Path, article_id: str, blind: bool = False) -> str:
    """The clauses of one article with the labels, issuer and addressee `path` gives them.

    `blind` shows the file's clauses, numbered as `amend` reads them, without their labels,
    and marks paragraph breaks: a re-check made without seeing the first annotator's label
    (nor any model's) is one that can go either way."""
    text = indexed_text(article_id)
    lines = _article_lines(list(read_annotation_lines([path])), article_id)
    out = [f"## {article_id} ({len(lines)} clauses) labels of {path.name}"]
    if blind:
        out[0] = f"## {article_id} ({len(lines)} clauses, blind)"
        prev = 0
        for k, a in enumerate(lines):
            if "\n" in text[prev : a["start"]]:
                out.append("")
            out.append(f"{k:3} | {text[a['start'] : a['end']]}")
            prev = a["end"]
        return "\n".join(out)
    for k, a in enumerate(lines):
        spans = " ".join(
            f"{n}=«{text[a[key][0] : a[key][1]]}»"
            for n, key in (("A", "addressee"), ("I", "issuer"))
            if a.get(key)
        )
        out.append(
            f"{k:3} {a['label'][0]} | {text[a['start'] : a['end']]}"
            + (f"  ‖ {spans}" if spans else "")
        )
    return "\n".join(out)


def _joined(before: str | None, by: str) -> str:
    return by if not before or by in before.split("+") else f"{before}+{by}"


def amend(corrections: Path, path: Path, by: str) -> dict[str, int]:
    """Apply a re-check to an annotation file in place; counts of what changed, by kind."""
    lines = list(read_annotation_lines([path]))
    todo: dict[str, list[tuple[int, str]]] = {}
    for n, raw in enumerate(corrections.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        parts = raw.split("\t")
        if len(parts) == 2 and parts[1].strip() == "checked":
            todo.setdefault(parts[0].strip(), [])
        elif len(parts) == 3:
            todo.setdefault(parts[0].strip(), []).append((int(parts[1]), parts[2].strip()))
        else:
            raise OcopError(f"{corrections}:{n}: expected ID<TAB>N<TAB>TOKEN or ID<TAB>checked.")
    counts = {"articles": 0, "clauses": 0, "label": 0, "issuer": 0, "addressee": 0, "figures": 0}
    replaced: dict[int, dict] = {}
    index = {id(a): i for i, a in enumerate(lines)}
    for aid, fixes in todo.items():
        text, shown = shown_clauses(aid)
        units = {(x.unit.start, x.unit.end): x for x in shown}
        mine = _article_lines(lines, aid)
        counts["articles"] += 1
        counts["clauses"] += len(mine)
        # every re-check stays on record ("c1+c2"): a line read twice is not one read once
        new = [dict(a, recheck=_joined(a.get("recheck"), by)) for a in mine]
        for k, token in fixes:
            ((label, edits),) = parse_tokens(token)
            before = new[k]
            u = Unit(before["start"], before["end"], 0)
            new[k] = _edit(text, u, before, label, edits, units.get((u.start, u.end)), aid)
            for key in ("label", "issuer", "addressee", "figures"):
                if (new[k].get(key) or None) != (mine[k].get(key) or None):
                    counts[key] += 1
        for a, b in zip(mine, new, strict=True):
            replaced[index[id(a)]] = b
    out = [replaced.get(i, a) for i, a in enumerate(lines)]
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        for d in out:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    tmp.replace(path)  # the whole file or nothing: a failed run never leaves half a file
    return counts


def apply_decisions(path: Path, pass_no: int, annotator: str) -> list[dict]:
    out: list[dict] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        aid, _, rest = line.partition("\t")
        try:
            out.extend(decide(aid.strip(), parse_tokens(rest), pass_no, annotator))
        except OcopError as e:
            raise OcopError(f"{path}:{n}: {e}") from e
    return out


def interactive(article_id: str, pass_no: int, annotator: str) -> list[dict]:
    text, shown = shown_clauses(article_id)
    tokens: list[tuple[str, list[str]]] = []
    for k, s in enumerate(shown):
        print(f"\n[{k}/{len(shown)}] rules say {s.rule}\n  {text[s.unit.start : s.unit.end]}")
        while True:
            ans = input("label [f c d a o, Enter = rules' label, {edits} allowed]: ").strip()
            ans = ans or s.rule[0]
            try:
                (tok,) = parse_tokens(ans)
                tokens.append(tok)
                break
            except (OcopError, ValueError):
                print("  one letter of f c d a o, e.g. d{A=các địa phương}")
    return decide(article_id, tokens, pass_no, annotator)


def write_lines(lines: list[dict], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "a", encoding="utf-8", newline="\n") as f:
        for d in lines:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")


@dataclass(slots=True)
class Agreement:
    articles: int
    clauses: int
    percent: float
    kappa: float
    disagreements: list[tuple[str, int, int, str, str]]  # article, start, end, pass 1, pass 2
    # per label: (clauses pass 1 gives it, clauses pass 2 gives it, kappa of it against the rest)
    per_label: dict[str, tuple[int, int, float]]
    confusion: dict[tuple[str, str], int]  # (pass 1, pass 2) -> clauses, disagreeing pairs only


def agreement(annotator: str | None = None) -> Agreement:
    """Pass 1 against pass 2 on the clauses both passes labelled (same article and span);
    `annotator` keeps only that annotator's pass-2 lines (an independent annotator's figure)."""
    from sklearn.metrics import cohen_kappa_score

    from ocop_nlp.learn.corpus import annotation_files, read_annotation_lines

    first = {
        (a["article"], a["start"], a["end"]): a["label"]
        for a in read_annotation_lines(annotation_files(1))
    }
    second = {
        (a["article"], a["start"], a["end"]): a["label"]
        for a in read_annotation_lines(annotation_files(2))
        if annotator is None or a.get("annotator") == annotator
    }
    keys = [k for k in second if k in first]
    if not keys:
        raise OcopError("No clause is labelled in both passes (corpora/annotations/pass2*.jsonl).")
    y1 = [first[k] for k in keys]
    y2 = [second[k] for k in keys]
    same = sum(a == b for a, b in zip(y1, y2, strict=True))
    per_label = {}
    for lab in LABELS:
        b1 = [y == lab for y in y1]
        b2 = [y == lab for y in y2]
        # one label against the rest; kappa is undefined (nan) when neither pass uses it
        k = float(cohen_kappa_score(b1, b2)) if any(b1) or any(b2) else float("nan")
        per_label[lab] = (sum(b1), sum(b2), k)
    confusion: dict[tuple[str, str], int] = {}
    for a, b in zip(y1, y2, strict=True):
        if a != b:
            confusion[(a, b)] = confusion.get((a, b), 0) + 1
    return Agreement(
        len({k[0] for k in keys}),
        len(keys),
        same / len(keys),
        float(cohen_kappa_score(y1, y2, labels=list(LABELS))),
        [(*k, a, b) for k, a, b in zip(keys, y1, y2, strict=True) if a != b],
        per_label,
        confusion,
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ocop_nlp.learn.annotate", description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("show", help="print the numbered clauses with the rules' label")
    s.add_argument("ids", nargs="+")
    s.add_argument("--blind", action="store_true", help="hide the rules' labels, figures and spans")
    g = sub.add_parser("agreement", help="Cohen's kappa and % agreement of pass 1 and pass 2")
    g.add_argument("--annotator", help="only this annotator's pass-2 lines")
    r = sub.add_parser("review", help="an annotation file's labels on the numbered clauses")
    r.add_argument("file")
    r.add_argument("ids", nargs="+")
    r.add_argument("--blind", action="store_true", help="hide the file's labels and spans")
    m = sub.add_parser("amend", help="apply a re-check (ID N TOKEN lines) to a file in place")
    m.add_argument("corrections")
    m.add_argument("file")
    m.add_argument("--by", required=True, help='who re-checked (written as "recheck")')
    for name in ("label", "apply"):
        x = sub.add_parser(name)
        x.add_argument("source", help="an article id (label) or a decisions file (apply)")
        x.add_argument("--pass", dest="pass_no", type=int, choices=[1, 2], default=1)
        x.add_argument("--annotator", default="a1")
        x.add_argument("-o", "--output", required=True, help="append JSONL here")
    a = p.parse_args(argv)
    try:
        if a.cmd == "show":
            for aid in a.ids:
                print(render(aid, blind=a.blind))
            return 0
        if a.cmd == "review":
            for aid in a.ids:
                print(review(Path(a.file), aid, blind=a.blind))
            return 0
        if a.cmd == "amend":
            counts = amend(Path(a.corrections), Path(a.file), a.by)
            print(", ".join(f"{k} {v}" for k, v in counts.items()))
            return 0
        if a.cmd == "agreement":
            ag = agreement(a.annotator)
            print(
                f"{ag.articles} articles, {ag.clauses} clauses: agreement {ag.percent:.1%}, "
                f"Cohen's kappa {ag.kappa:.3f}"
            )
            for lab, (n1, n2, k) in ag.per_label.items():
                print(f"  {lab:<12} pass 1 {n1:4}  pass 2 {n2:4}  kappa {k:.3f}")
            for (l1, l2), n in sorted(ag.confusion.items(), key=lambda x: -x[1]):
                print(f"  pass 1 {l1} / pass 2 {l2}: {n}")
            for aid, st, en, l1, l2 in ag.disagreements:
                print(f"  {aid} [{st}:{en}] pass 1 {l1}, pass 2 {l2}")
            return 0
        if a.cmd == "label":
            lines = interactive(a.source, a.pass_no, a.annotator)
        else:
            lines = apply_decisions(Path(a.source), a.pass_no, a.annotator)
        write_lines(lines, Path(a.output))
        print(f"{len(lines)} clauses written to {a.output}", file=sys.stderr)
        return 0
    except OcopError as e:
        print(str(e), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
