"""How fast is directive tracking over a store the size of the shared corpus?

1. Extractions: the first N records of ../shared/data/news (sha1(id) order, as bench_batch),
   extracted with `run_batch` (or read from `--extractions OUT.jsonl`, e.g. a whole-corpus
   run's output).
2. Ingest: the extractions saved into a fresh store (`Store.save_extraction`, which writes the
   article rows too), then `ocop_nlp.track.refresh` (places, agencies, grouping, status, FTS).
   With `--scale M` the N extractions are saved again under new ids, with their dates moved by
   whole years, until the store holds M articles: the corpus's size with real extraction
   content (every directive then repeats M/N times, a harder case for grouping than the real
   corpus, where 6,579 directives were found in 47,042 articles).
3. Queries: each filter of `ocop directives` (and a timeline, and the items export) run 20
   times on the ingested store; p50 and p95 in ms. Budget: p95 < 200 ms.
4. The grouping threshold on the annotated pairs (`--pairs`): precision and recall per
   threshold, on a store of the pairs' dev articles.

    python bench/bench_track.py [--n 2000] [--scale 47042] [--extractions OUT.jsonl] [--pairs]
                                [--work DIR]

Results go to bench/results/track.json; article text stays in /tmp.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NEWS = ROOT.parent / "shared" / "data" / "news"
PAIRS = ROOT / "corpora" / "annotations" / "directive_pairs.jsonl"
sys.path.insert(0, str(ROOT))

from ocop_nlp.batch import run_batch  # noqa: E402
from ocop_nlp.records import extraction_from_dict  # noqa: E402
from ocop_nlp.store import open_store  # noqa: E402
from ocop_nlp.track import (  # noqa: E402
    Filters,
    query_directives,
    query_officials,
    refresh,
    timeline,
)

BUDGET_MS = 200.0


def records(n: int) -> list[dict[str, Any]]:
    """The first n records in sha1(id) order (the same prefix for every n)."""
    allrecs = []
    for f in sorted(NEWS.glob("*.jsonl.gz")):
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                allrecs.append((hashlib.sha1(r["id"].encode()).hexdigest(), line))
    allrecs.sort()
    return [json.loads(line) for _, line in allrecs[:n]]


def extract(n: int, work: Path) -> Path:
    src = work / "in.jsonl"
    with open(src, "w", encoding="utf-8") as f:
        for r in records(n):
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    out = work / "out.jsonl"
    t0 = time.monotonic()
    s = run_batch(src, out, progress=io.StringIO(), workers=os.cpu_count() or 1)
    print(f"extracted {s.ok:,} in {time.monotonic() - t0:.0f} s ({s.line()})", flush=True)
    return out


def _shift(doc: dict[str, Any], k: int) -> dict[str, Any]:
    d = json.loads(json.dumps(doc))
    d["id"] = f"{doc['id']}~{k}"
    pub = d["article"].get("published")
    if pub and len(pub) >= 4 and pub[:4].isdigit():
        d["article"]["published"] = f"{int(pub[:4]) - k:04d}{pub[4:]}"
    # The copy is another article: a text of its own (content hashes are unique per text).
    d["text"] = d["text"] + f"\n(bản {k})"
    return d


def ingest(out: Path, db: Path, scale: int | None) -> dict[str, Any]:
    docs = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x]
    target = scale or len(docs)
    t0 = time.monotonic()
    n = 0
    with open_store(db) as st:
        k = 0
        while n < target:
            for doc in docs:
                if n >= target:
                    break
                st.save_extraction(extraction_from_dict(doc if k == 0 else _shift(doc, k)))
                n += 1
            k += 1
        t_save = time.monotonic() - t0
        t1 = time.monotonic()
        summary = refresh(st)
        t_track = time.monotonic() - t1
        n_mentions = st.conn.execute("SELECT COUNT(*) FROM mentions").fetchone()[0]
        n_items = st.conn.execute("SELECT COUNT(*) FROM items").fetchone()[0]
        n_officials = st.conn.execute("SELECT COUNT(*) FROM officials").fetchone()[0]
    size = sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))
    res = {
        "articles": n,
        "distinct_extractions": len(docs),
        "mentions": n_mentions,
        "items": n_items,
        "officials": n_officials,
        "save_s": round(t_save, 1),
        "track_s": round(t_track, 1),
        "ingest_rate_per_s": round(n / (t_save + t_track), 1),
        "store_mb": round(size / 1e6, 1),
        "refresh": {"articles": summary.articles, "blocks": summary.blocks},
    }
    print(json.dumps(res), flush=True)
    return res


QUERIES: dict[str, dict[str, Any]] = {
    "all (first 100)": {"limit": 100},
    "since/until a year": {"since": "2017-01-01", "until": "2017-12-31"},
    "province": {"province": "Hà Nội"},
    "site": {"site": "daknong"},
    "issuer": {"issuer": "Thủ tướng"},
    "addressee": {"addressee": "Bộ NN&PTNT"},
    "status overdue": {"status": "overdue"},
    "recurring": {"recurring": True},
    "q (FTS)": {"q": "tuyen truyen"},
    "addressee + q + since": {"addressee": "các sở, ngành", "q": "kiem tra", "since": "2016-01-01"},
    "as of a day": {"as_of": "2017-06-30"},
    "addressee among several": {"addressee": "Bộ Tài chính"},
}
OFFICIAL_QUERIES: dict[str, dict[str, Any]] = {
    "officials by name": {"name": "nguyen"},
    "officials by province": {"province": "Hà Nội"},
}


def queries(db: Path, repeat: int = 20) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with open_store(db) as st:
        for name, kw in QUERIES.items():
            times, n = [], 0
            for _ in range(repeat):
                t0 = time.perf_counter()
                n = len(query_directives(st, Filters(**kw)))
                times.append((time.perf_counter() - t0) * 1000)
            out[name] = _stats(times, n)
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            _, ms = timeline(st, "Bộ Công Thương")
            times.append((time.perf_counter() - t0) * 1000)
        out["timeline addressee"] = _stats(times, len(ms))
        for name, kw in OFFICIAL_QUERIES.items():
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                n = len(query_officials(st, **kw))
                times.append((time.perf_counter() - t0) * 1000)
            out[name] = _stats(times, n)
    for name, s in out.items():
        flag = "" if s["p95_ms"] < BUDGET_MS else "  OVER BUDGET"
        print(
            f"{name:28} rows {s['rows']:6,}  p50 {s['p50_ms']:7.1f} ms  p95 {s['p95_ms']:7.1f} ms{flag}"
        )
    return out


def _stats(times: list[float], rows: int) -> dict[str, Any]:
    times.sort()
    return {
        "rows": rows,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
    }


def pairs(work: Path) -> list[dict[str, Any]]:
    from ocop_nlp.track.evaluate import load_pairs, pair_similarities, score_at

    ps = load_pairs(PAIRS)
    wanted = {p[s]["article"] for p in ps for s in "ab"}
    src = work / "pairs.jsonl"
    with open(src, "w", encoding="utf-8") as f:
        for path in sorted(NEWS.glob("*.jsonl.gz")):
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                for line in fh:
                    if json.loads(line)["id"] in wanted:
                        f.write(line)
    run_batch(src, work / "pairs.out.jsonl", progress=io.StringIO(), workers=1, db=work / "p.db")
    with open_store(work / "p.db") as st:
        scored, missing = pair_similarities(st, ps)
    rows = []
    print(f"{len(scored)} pairs ({sum(y for _, y in scored)} same), {missing} not found")
    print("threshold  precision  recall  F1")
    for t in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7):
        s = score_at(scored, t, missing)
        rows.append(
            {
                "threshold": t,
                "precision": round(s.precision, 3),
                "recall": round(s.recall, 3),
                "f1": round(s.f1, 3),
                "tp": s.tp,
                "fp": s.fp,
                "fn": s.fn,
            }
        )
        print(f"{t:9.2f}  {s.precision:9.3f}  {s.recall:6.3f}  {s.f1:.3f}")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=2000, help="records to extract (default 2000)")
    ap.add_argument("--scale", type=int, help="articles to ingest (copies of the N, see above)")
    ap.add_argument("--extractions", help="an OUT.jsonl of extractions instead of extracting")
    ap.add_argument(
        "--pairs", action="store_true", help="only the threshold on the annotated pairs"
    )
    ap.add_argument("--work", help="keep the inputs, extractions and store in this folder")
    a = ap.parse_args()
    res: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "load": os.getloadavg()[0]}}
    with tempfile.TemporaryDirectory(prefix="bench_track_") as tmp:
        work = Path(a.work or tmp)
        work.mkdir(parents=True, exist_ok=True)
        for old in work.glob("track.db*"):
            old.unlink()
        if a.pairs:
            res["pairs"] = pairs(work)
        else:
            out = Path(a.extractions) if a.extractions else extract(a.n, work)
            if not a.extractions and a.work:
                print(f"extractions kept: --extractions {out} skips extracting next time")
            res["ingest"] = ingest(out, work / "track.db", a.scale)
            res["queries"] = queries(work / "track.db")
    dest = HERE / "results" / "track.json"
    old = json.loads(dest.read_text()) if dest.exists() else {}
    old.update(res)
    dest.write_text(json.dumps(old, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {dest}")


if __name__ == "__main__":
    main()
