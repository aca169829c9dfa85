"""Score the extractor on our own hand-written articles (corpora/own/*.json).

Run directly for a per-article report: `python tests/articles_score.py`. The test module
`test_articles.py` pins floors on the same numbers.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ocop_nlp.extract.pipeline import extract_article
from ocop_nlp.parse.reader import read_input

ARTICLES = Path(__file__).resolve().parent.parent / "corpora" / "own"


def _norm(s: str | None) -> str:
    return unicodedata.normalize("NFC", (s or "")).lower().strip(" .,;:…")


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp, self.fp, self.fn = self.tp + tp, self.fp + fp, self.fn + fn

    @property
    def f1(self) -> float:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return 2 * p * r / (p + r) if p + r else 0.0


def _match(expected: list, got: list, same) -> tuple[int, int, int, list]:
    used: set[int] = set()
    tp = 0
    missed = []
    for e in expected:
        k = next((i for i, g in enumerate(got) if i not in used and same(e, g)), None)
        if k is None:
            missed.append(e)
        else:
            used.add(k)
            tp += 1
    return tp, len(got) - tp, len(expected) - tp, missed


def _same_figure(e: dict, g: dict) -> bool:
    if abs(float(e["value"]) - float(g["value"])) > 1e-6 * max(1.0, abs(float(e["value"]))):
        return False
    ours = _norm(g["unit"] + " " + (g.get("qualifier") or ""))
    return ours.startswith(_norm(e["unit"])) or _norm(e["unit"]).startswith(_norm(g["unit"]))


def _same_challenge(e: str, g: dict) -> bool:
    a, b = _norm(e), _norm(g["text"])
    return a == b or (
        len(a) > 10 and (a in b or b in a) and min(len(a), len(b)) > 0.6 * max(len(a), len(b))
    )


def _same_directive(e: dict, g: dict) -> bool:
    return _norm(g["action"]).startswith(_norm(e["action_starts"]))


def score(paths: list[Path] | None = None, verbose: bool = False) -> dict[str, Counts]:
    totals = {
        k: Counts()
        for k in ("meeting", "figures", "challenges", "directives", "addressee", "issuer")
    }
    for jp in paths or sorted(ARTICLES.glob("*.json")):
        exp = json.loads(jp.read_text(encoding="utf-8"))
        got = extract_article(read_input(str(jp.with_suffix(".txt")))).to_dict()
        em, gm = exp.get("meeting"), got.get("meeting")
        ok_meeting = (em is None and gm is None) or (
            em is not None
            and gm is not None
            and em.get("kind") == gm.get("kind")
            and em.get("date") == gm.get("date")
            and _norm((em.get("chair") or {}).get("name"))
            == _norm((gm.get("chair") or {}).get("name"))
        )
        totals["meeting"].add(int(ok_meeting), int(not ok_meeting), int(not ok_meeting))
        if not ok_meeting:
            totals["meeting"].misses.append(f"{jp.stem}: expected {em}, got {gm}")
        for key, same in (
            ("figures", _same_figure),
            ("challenges", _same_challenge),
            ("directives", _same_directive),
        ):
            tp, fp, fn, missed = _match(exp.get(key, []), got[key], same)
            totals[key].add(tp, fp, fn)
            totals[key].misses += [f"{jp.stem}: missed {m}" for m in missed]
            if verbose and (fp or fn):
                print(f"--- {jp.stem} {key}: tp={tp} fp={fp} fn={fn}")
                for m in missed:
                    print("   MISSED", m)
                for g in got[key]:
                    if not any(same(e, g) for e in exp.get(key, [])):
                        print(
                            "   EXTRA ", {k: g[k] for k in g if k not in ("start", "end", "issuer")}
                        )
        for e in exp.get("directives", []):
            g = next((g for g in got["directives"] if _same_directive(e, g)), None)
            if g is None:
                continue
            a_ok = _norm(e.get("addressee")) == _norm(g.get("addressee"))
            totals["addressee"].add(int(a_ok), int(not a_ok), int(not a_ok))
            if not a_ok:
                totals["addressee"].misses.append(
                    f"{jp.stem}: {e.get('addressee')!r} vs {g.get('addressee')!r}"
                )
            iss = g.get("issuer") or {}
            i_ok = _norm(e.get("issuer")) in (_norm(iss.get("name")), _norm(iss.get("title")))
            totals["issuer"].add(int(i_ok), int(not i_ok), int(not i_ok))
            if not i_ok:
                totals["issuer"].misses.append(f"{jp.stem}: {e.get('issuer')!r} vs {iss}")
    return totals


if __name__ == "__main__":
    t = score(verbose="-v" in sys.argv)
    for k, c in t.items():
        print(f"{k:12} F1 {c.f1:.3f}  tp {c.tp} fp {c.fp} fn {c.fn}")
    if "-m" in sys.argv:
        for k, c in t.items():
            for m in c.misses:
                print(k, m)
