"""How many of the number, date and figure forms of `tests/data/number_forms.tsv` are read exactly.

Each case is a sentence the team wrote, with the figures (value, upper bound, unit) or the time
expressions (kind, ISO value; default year 2020) a Vietnamese reader takes from it. A case
passes only when the extraction gives exactly that list, in any order. Prints one row per form
and the failures, and writes bench/results/forms.json.

    python bench/bench_forms.py [--show-failures]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TABLE = ROOT / "tests" / "data" / "number_forms.tsv"
# Other projects' test suites kept as facts, each file naming its source and commit.
SUITES = [ROOT / "tests" / "data" / "duckling_vi_time.tsv"]
RESULTS = HERE / "results" / "forms.json"


Case = tuple[str, str, str, list[str], int]


def read_cases(path: Path = TABLE) -> list[Case]:
    """(form, kind, text, expected items, default year) per case of the table.

    A "# default_year: N" line sets the year a date without one takes (2020 otherwise).
    """
    cases = []
    year = 2020
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# default_year:"):
            year = int(line.split(":", 1)[1])
        if not line.strip() or line.startswith("#"):
            continue
        form, kind, text, *rest = line.split("\t")
        expected = rest[0] if rest else ""
        items = [x.strip() for x in expected.split(" | ") if x.strip()]
        cases.append((form, kind, text, items, year))
    return cases


def all_cases() -> list[Case]:
    return read_cases(TABLE) + [c for suite in SUITES for c in read_cases(suite)]


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def figures_of(text: str) -> list[str]:
    from ocop_nlp.extract.pipeline import extract_article
    from ocop_nlp.records import Article

    ex = extract_article(Article(text=text, id="form"))
    out = []
    for f in ex.figures:
        value = _num(f.value) + (f"-{_num(f.value_max)}" if f.value_max is not None else "")
        out.append(f"{value} {f.unit}")
    return out


def times_of(text: str, year: int = 2020) -> list[str]:
    from ocop_nlp.extract.dates import find_times

    return [f"{m.kind} {m.value}" for m in find_times(text, year)]


def run(cases: list[Case]) -> list[dict[str, Any]]:
    rows = []
    for form, kind, text, expected, year in cases:
        got = figures_of(text) if kind == "figure" else times_of(text, year)
        rows.append(
            {
                "form": form,
                "kind": kind,
                "text": text,
                "expected": expected,
                "got": got,
                "ok": sorted(got) == sorted(expected),
            }
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show-failures", action="store_true")
    args = ap.parse_args()
    rows = run(all_cases())
    by_form: dict[str, list[bool]] = defaultdict(list)
    for r in rows:
        by_form[r["form"]].append(r["ok"])
    print(f"{'form':<18} {'read exactly':>12}")
    for form, oks in by_form.items():
        print(f"{form:<18} {sum(oks):>5} / {len(oks):<5}")
    total = sum(r["ok"] for r in rows)
    print(f"{'all':<18} {total:>5} / {len(rows):<5} ({100 * total / len(rows):.1f}%)")
    if args.show_failures:
        for r in rows:
            if not r["ok"]:
                print(
                    f"- [{r['form']}] {r['text']}\n    expected {r['expected']}\n    got      {r['got']}"
                )
    try:
        code = subprocess.run(
            ["git", "describe", "--always", "--dirty"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip()
    except OSError:
        code = ""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "code": code,
                "python": sys.version.split()[0],
                "by_form": {f: [sum(o), len(o)] for f, o in by_form.items()},
                "total": [total, len(rows)],
                "failures": [r for r in rows if not r["ok"]],
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
