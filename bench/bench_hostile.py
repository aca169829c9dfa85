"""Peak memory and time of `ocop batch` on the worst inputs we know, and on the whole corpus.

Each case is a whole `ocop batch INPUT -o OUT --workers 2` process, its process tree sampled
every 0.2 s with psutil (bench_batch's `run_batch_process`): wall time, the summary line, and
the peak RSS of the parent and of each worker. The hostile inputs are generated here, in /tmp,
never from real text:

- long-sentence: one record of 400,000 characters without a sentence break;
- huge-record: a 1.2 MB `.jsonl.gz` whose one record unpacks to 1.2 GB;
- poison-lines: a lone-surrogate escape, a line nested 2,000 brackets deep, a line that is not
  JSON, between good records;
- nested-pages: a folder with a page of 1,200 unclosed `<font>` tags and a page nested 100,000
  `<div>`s deep;
- many-numbers: one record of 400,000 characters of numbers and units ("1.234 ha, 56 tỷ đồng, ...").

`--whole` adds every record of ../shared/data/news (47,042 articles) as one input.

    python bench/bench_hostile.py [--only long-sentence,huge-record,...] [--whole]

Results go to bench/results/hostile.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_batch import run_batch_process  # noqa: E402 - a script beside us
from bench_extract import NEWS, _git_describe  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "hostile.json"
GOOD = (
    "Chiều 10/7, Phó Chủ tịch UBND tỉnh chủ trì hội nghị sơ kết Đề án OCOP. Toàn tỉnh có 42 "
    "sản phẩm đạt yêu cầu. Phó Chủ tịch yêu cầu các sở, ngành tiếp tục đẩy mạnh tuyên truyền."
)


def _good(i: int) -> dict[str, Any]:
    return {"id": f"good-{i}", "text": GOOD}


def long_sentence(tmp: Path) -> Path:
    # Syllables and numbers without any punctuation: one "sentence" that the figure step
    # hands to the word segmenter whole.
    words = "công tác tuyên truyền chưa hiệu quả các địa phương có 12 hộ tiếp tục rà soát "
    text = (words * (400_000 // len(words) + 1))[:400_000]
    path = tmp / "long-sentence.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps({"id": "long", "text": text}, ensure_ascii=False) + "\n")
        f.write(json.dumps(_good(1), ensure_ascii=False) + "\n")
    return path


def huge_record(tmp: Path) -> Path:
    path = tmp / "huge-record.jsonl.gz"
    block = "a" * (1 << 20)
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as f:
        f.write(json.dumps(_good(1)) + "\n")
        f.write('{"id": "huge", "text": "')
        for _ in range(1200):  # 1.2 GB unpacked
            f.write(block)
        f.write('"}\n')
        f.write(json.dumps(_good(2)) + "\n")
    return path


def poison_lines(tmp: Path) -> Path:
    path = tmp / "poison.jsonl"
    lines = [
        json.dumps(_good(1)),
        '{"id": "surrogate", "text": "Sở Y tế \\ud800 yêu cầu các xã rà soát."}',
        "[" * 2000 + "]" * 2000,
        '{"id": "deep", "text": ' + "[" * 2000 + "]" * 2000 + "}",
        "{not json",
        json.dumps(_good(2)),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def nested_pages(tmp: Path) -> Path:
    folder = tmp / "nested-pages"
    folder.mkdir(exist_ok=True)
    body = f"<p>{GOOD}</p>"
    (folder / "font1200.html").write_text(
        "<html><body>" + "<font size=2>" * 1200 + body + "</body></html>", encoding="utf-8"
    )
    (folder / "div100000.html").write_text(
        "<html><body>" + "<div>" * 100_000 + body + "</div>" * 100_000 + "</body></html>",
        encoding="utf-8",
    )
    (folder / "good.html").write_text(
        f"<html><head><title>Hội nghị</title></head><body><article>{body * 5}</article></body></html>",
        encoding="utf-8",
    )
    return folder


def many_numbers(tmp: Path) -> Path:
    piece = "đạt 1.234 ha, 56 tỷ 250 triệu đồng, 78,5%, 9.000 hộ; "
    text = (piece * (400_000 // len(piece) + 1))[:400_000]
    path = tmp / "many-numbers.jsonl"
    path.write_text(json.dumps({"id": "numbers", "text": text}, ensure_ascii=False) + "\n")
    return path


def whole_corpus(tmp: Path) -> Path:
    path = tmp / "whole.jsonl"
    with open(path, "wb") as out:
        for src in sorted(NEWS.glob("*.jsonl.gz")):
            with gzip.open(src, "rb") as f:
                while block := f.read(1 << 20):
                    out.write(block)
    return path


CASES: dict[str, Callable[[Path], Path]] = {
    "long-sentence": long_sentence,
    "huge-record": huge_record,
    "poison-lines": poison_lines,
    "nested-pages": nested_pages,
    "many-numbers": many_numbers,
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default=",".join(CASES), help="cases, comma-separated")
    ap.add_argument("--whole", action="store_true", help="also the whole shared corpus")
    ap.add_argument("--workers", default="2")
    ap.add_argument("--timeout", type=float, default=300, help="kill a case after S seconds")
    args = ap.parse_args()
    res: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    res.update(
        {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "machine": platform.machine(),
            "code": _git_describe(),
        }
    )
    cases = dict(CASES)
    if args.whole:
        cases["whole-corpus"] = whole_corpus
    with tempfile.TemporaryDirectory(dir="/tmp") as d:
        tmp = Path(d)
        for name, make in cases.items():
            if name not in args.only.split(",") and name != "whole-corpus":
                continue
            src = make(tmp)
            limit = None if name == "whole-corpus" else args.timeout
            r = run_batch_process(src, tmp, "--workers", args.workers, check=False, timeout=limit)
            res.setdefault("cases", {})[name] = r
            print(
                f"{name}: exit {r['returncode']}{' (killed: timeout)' if r['timed_out'] else ''}, "
                f"{r['wall_s']:.1f} s, parent peak "
                f"{r['parent_peak_rss_mb']:.0f} MB, worker peaks "
                f"{[round(x) for x in r['worker_peak_rss_mb']]} MB; {r['summary']}"
            )
            if r["errors"]:
                print("  errors: " + "; ".join(r["errors"][:6]))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
