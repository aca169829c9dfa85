"""Score an older commit's pipeline on today's annotated corpus, with today's matching.

The older commit is checked out in a temporary git worktree; its `extract_article` reads every
annotated article (a child process with that tree first on the path), and the extractions are
scored here by `ocop_nlp.learn.evaluate.grouped_counts`, the matching `ocop evaluate` uses.
Needs ../shared/data. Prints P/R/F1 per group and field.

    python bench/compare_release.py 316bdc8
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DUMP = """
import gzip, json, sys
from pathlib import Path
ids = set(json.loads(sys.argv[2]))
from ocop_nlp.extract.pipeline import extract_article
from ocop_nlp.parse.reader import article_from_record
with open(sys.argv[1], "w", encoding="utf-8") as out:
    for f in sorted(Path(sys.argv[3]).glob("*.jsonl.gz")):
        for line in gzip.open(f, "rt", encoding="utf-8"):
            r = json.loads(line)
            if r["id"] in ids:
                d = extract_article(article_from_record(r)).to_dict()
                d["id"] = r["id"]
                out.write(json.dumps(d, ensure_ascii=False) + "\\n")
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("commit", help="the older commit, e.g. 316bdc8")
    args = ap.parse_args()
    from ocop_nlp.learn.corpus import load_corpus, shared_data_dir
    from ocop_nlp.learn.evaluate import grouped_counts
    from ocop_nlp.records import extraction_from_dict

    anns = {a.id: a for a in load_corpus()}
    with tempfile.TemporaryDirectory() as d:
        tree, dump = Path(d) / "tree", Path(d) / "old.jsonl"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(tree), args.commit], cwd=ROOT, check=True
        )
        try:
            env = {**os.environ, "PYTHONPATH": str(tree)}
            news = str(shared_data_dir() / "news")
            subprocess.run(
                [sys.executable, "-c", DUMP, str(dump), json.dumps(sorted(anns)), news],
                cwd=tree,
                env=env,
                check=True,
            )
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT)
        exs = {}
        for line in dump.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            exs[rec["id"]] = extraction_from_dict(rec)
    pairs = [(anns[i], exs[i]) for i in anns if i in exs]
    print(f"{args.commit} on {len(pairs)} annotated articles (precision/recall/F1):")
    for group, fields in grouped_counts(pairs).items():
        cells = ", ".join(
            f"{k} {c.precision:.2f}/{c.recall:.2f}/{c.f1:.3f}" for k, c in fields.items()
        )
        print(f"  {group}: {cells}")


if __name__ == "__main__":
    main()
