"""Write the records of the dev split (../shared/data/splits/dev_ids.txt) found in the news
files to one `.jsonl.gz`, for sessions on real dev data (README, "Running batches" and "Track
directives"). The output holds shared text: keep it outside the repository.

    python bench/dev_records.py -o /tmp/dev.jsonl.gz
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", required=True, help="a .jsonl.gz outside the repository")
    a = ap.parse_args()
    ids = set((DATA / "splits" / "dev_ids.txt").read_text(encoding="utf-8").split())
    n = 0
    with gzip.open(a.output, "wt", encoding="utf-8") as out:
        for f in sorted((DATA / "news").glob("*.jsonl.gz")):
            with gzip.open(f, "rt", encoding="utf-8") as fh:
                for line in fh:
                    if json.loads(line)["id"] in ids:
                        out.write(line if line.endswith("\n") else line + "\n")
                        n += 1
    print(f"wrote {n:,} of {len(ids):,} dev records to {a.output}")


if __name__ == "__main__":
    main()
