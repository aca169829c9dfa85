"""Write tests/data/real_sample_ids.txt: the fixed 1,000-article sample for test_real_corpus.

The sample holds, in this order of priority:
1. every id of ../shared/data/splits/dev_ids.txt found in the news files (meeting reports);
2. the portal meeting/directive reports, picked by the filter that data/README.md describes;
3. a top-up from every news file, proportional to its size (at least MIN_PER_FILE from each),
   taking each file's records in sha1(id) order, so the choice is deterministic and stable when
   records are added.

Only ids are written, one per line, sorted; the test reads the records from ../shared.

    python bench/make_real_sample.py [--size 1000] [--out tests/data/real_sample_ids.txt]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
NEWS = DATA / "news"
DEV_IDS = DATA / "splits" / "dev_ids.txt"
PORTAL = "portal_articles.jsonl.gz"
MIN_PER_FILE = 15

# The portal filter of data/README.md ("Meeting/directive filter used for the portal articles").
MEETING_TERMS = (
    "hội nghị",
    "sơ kết",
    "tổng kết",
    "triển khai",
    "làm việc",
    "kiểm tra",
    "kỳ họp",
    "giao ban",
    "cuộc họp",
    "chủ trì",
    "tọa đàm",
    "đại hội",
)
DIRECTIVE_CUES = ("yêu cầu", "đề nghị", "chỉ đạo", "nhấn mạnh", "giao cho", "giao các", "đề ra")


def read_records(path: Path) -> Iterator[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def _fold(s: str | None) -> str:
    # Some texts are decomposed (NFD) and spell "toạ đàm"; compare on one form.
    return unicodedata.normalize("NFC", s or "").lower().replace("toạ", "tọa")


def is_meeting_report(rec: dict) -> bool:
    """The data README's portal filter: meeting term(s), a directive cue, >= 600 characters."""
    title, text = _fold(rec.get("title")), _fold(rec.get("text"))
    if len(text) < 600:
        return False
    in_title = any(t in title for t in MEETING_TERMS)
    if not in_title and sum(t in text for t in MEETING_TERMS) < 2:
        return False
    return any(c in text for c in DIRECTIVE_CUES)


def sha1_key(rid: str) -> str:
    return hashlib.sha1(rid.encode("utf-8")).hexdigest()


def make_sample(size: int) -> list[str]:
    dev = set(DEV_IDS.read_text(encoding="utf-8").split())
    files = sorted(NEWS.glob("*.jsonl.gz"))
    ids_by_file: dict[str, list[str]] = {}
    chosen: set[str] = set()
    for path in files:
        ids = []
        for rec in read_records(path):
            rid = str(rec["id"])
            ids.append(rid)
            if rid in dev or (path.name == PORTAL and is_meeting_report(rec)):
                chosen.add(rid)
        ids_by_file[path.name] = ids
    if len(chosen) > size:
        raise SystemExit(f"{len(chosen)} required ids do not fit in a sample of {size}.")

    free = {name: [i for i in ids if i not in chosen] for name, ids in ids_by_file.items()}
    total_free = sum(len(v) for v in free.values())
    room = size - len(chosen)
    quota = {
        name: min(len(v), max(MIN_PER_FILE, round(room * len(v) / total_free)))
        for name, v in free.items()
    }
    # Rounding and the per-file minimum can overshoot; trim the largest files first.
    while sum(quota.values()) > room:
        quota[max(quota, key=lambda n: quota[n])] -= 1
    while sum(quota.values()) < room:
        quota[max(quota, key=lambda n: len(free[n]) - quota[n])] += 1
    for name, v in free.items():
        chosen.update(sorted(v, key=sha1_key)[: quota[name]])
    return sorted(chosen)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=ROOT / "tests" / "data" / "real_sample_ids.txt")
    args = ap.parse_args()
    ids = make_sample(args.size)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(i + "\n" for i in ids), encoding="utf-8")
    print(f"{len(ids):,} ids written to {args.out}")


if __name__ == "__main__":
    main()
