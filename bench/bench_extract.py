"""How fast is extraction, next to bare underthesea word segmentation of the same text?

On N real meeting reports (portal meeting reports first, then the dev ids, then other records
whose text contains "hội nghị"; each group in sha1(id) order), two modes each run in a fresh
Python process, so imports and model loading count the same way for both:

- extract: `extract_article(article_from_record(rec))` for every record;
- segment: `word_tokenize(s)` for every `s` in `sent_tokenize(rec["text"])` (underthesea).

Each process times a cold pass (from process spawn: interpreter, imports, model loading, then
the N records) and then a warm pass over the same records (start-up excluded), in wall time
and in the process's CPU time (steadier when other work shares the cores). Peak RSS is the
process's own maximum resident set. Results go to bench/results/extract.json.

    python bench/bench_extract.py [--n 300] [--pairs 1] [--profile]

--pairs N runs the two modes N times, in turn (extract, segment, extract, ...), and gives the
median of each figure and of the per-pair ratios, with their range: on a machine shared with
other work the two sides of one pair see about the same load, so the ratio stays meaningful
when single runs drift. --profile also runs the warm extraction under cProfile and prints its
top 15 functions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
NEWS = DATA / "news"
DEV_IDS = DATA / "splits" / "dev_ids.txt"
RESULTS = ROOT / "bench" / "results" / "extract.json"
MODES = ("extract", "segment")


def select_records(n: int) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """N meeting reports: portal meeting reports, then dev ids, then other "hội nghị" texts."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from make_real_sample import PORTAL, is_meeting_report, read_records

    dev = set(DEV_IDS.read_text(encoding="utf-8").split())
    groups: dict[str, list[dict[str, Any]]] = {"portal": [], "dev": [], "hội nghị": []}
    for path in sorted(NEWS.glob("*.jsonl.gz")):
        for rec in read_records(path):
            if path.name == PORTAL and (rec["id"] in dev or is_meeting_report(rec)):
                groups["portal"].append(rec)
            elif rec["id"] in dev:
                groups["dev"].append(rec)
            elif "hội nghị" in (rec.get("text") or "").lower():
                groups["hội nghị"].append(rec)
    chosen: list[dict[str, Any]] = []
    composition: dict[str, int] = {}
    for name, recs in groups.items():
        recs.sort(key=lambda r: hashlib.sha1(r["id"].encode("utf-8")).hexdigest())
        take = recs[: max(0, n - len(chosen))]
        chosen += take
        composition[name] = len(take)
    return chosen, composition


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def worker(mode: str, source: str, spawned: float) -> None:
    """One fresh process: imports, cold pass, warm pass; prints one JSON line."""
    if mode == "extract":
        from ocop_nlp.extract.pipeline import extract_article
        from ocop_nlp.parse.reader import article_from_record

        def run(rec: dict[str, Any]) -> None:
            extract_article(article_from_record(rec))

    else:
        from underthesea import sent_tokenize, word_tokenize

        def run(rec: dict[str, Any]) -> None:
            for sentence in sent_tokenize(rec["text"]):
                word_tokenize(sentence)

    imported, imported_cpu = time.time(), time.process_time()
    with open(source, encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    t0, c0 = time.perf_counter(), time.process_time()
    for rec in records:
        run(rec)
    cold_pass, cold_pass_cpu = time.perf_counter() - t0, time.process_time() - c0
    if mode == "extract":
        # The per-sentence segmentation caches would make the second pass over the same records
        # free; a batch never sees the same sentence twice, so neither may the benchmark.
        try:
            from ocop_nlp.nlp.words import default_segmenter

            default_segmenter().cache_clear()
        except ImportError:  # code before the Segmenter (bench an older commit the same way)
            from ocop_nlp.nlp.words import pos_spans, word_spans

            word_spans.cache_clear()
            pos_spans.cache_clear()
    t0, c0 = time.perf_counter(), time.process_time()
    for rec in records:
        run(rec)
    warm, warm_cpu = time.perf_counter() - t0, time.process_time() - c0
    startup = imported - spawned
    out = {
        "mode": mode,
        "n": len(records),
        "startup_s": startup,
        "cold_s": startup + cold_pass,
        "warm_s": warm,
        # CPU seconds of this process (process_time counts from its start): steadier than wall
        # time when other work shares the cores.
        "startup_cpu_s": imported_cpu,
        "cold_cpu_s": imported_cpu + cold_pass_cpu,
        "warm_cpu_s": warm_cpu,
        "peak_rss_mb": _peak_rss_mb(),
    }
    print(json.dumps(out))


def _git_describe() -> str | None:
    """The commit measured, with "-dirty" when the working tree differs from it."""
    proc = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.stdout.strip() or None


def run_worker(mode: str, source: str) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", mode, "--input", source]
    spawned = time.time()
    proc = subprocess.run(
        [*cmd, "--spawned", repr(spawned)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"The {mode} worker failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def profile_extract(records: list[dict[str, Any]], top: int = 15) -> str:
    import cProfile
    import io
    import pstats

    from ocop_nlp.extract.pipeline import extract_article
    from ocop_nlp.parse.reader import article_from_record

    for rec in records:  # warm-up: models and compiled patterns load outside the profile
        extract_article(article_from_record(rec))
    prof = cProfile.Profile()
    prof.enable()
    for rec in records:
        extract_article(article_from_record(rec))
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300, help="number of meeting reports (300)")
    ap.add_argument("--pairs", type=int, default=1, help="runs of both modes, in turn (1)")
    ap.add_argument("--profile", action="store_true", help="print a cProfile of extraction")
    ap.add_argument("--worker", choices=MODES, help=argparse.SUPPRESS)
    ap.add_argument("--input", help=argparse.SUPPRESS)
    ap.add_argument("--spawned", type=float, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.input, args.spawned)
        return

    records, composition = select_records(args.n)
    chars = sum(len(r.get("text") or "") for r in records)
    with tempfile.NamedTemporaryFile(
        "w", suffix=".jsonl", encoding="utf-8", delete=False, dir="/tmp"
    ) as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
        source = f.name
    load_before = os.getloadavg()[0]
    try:
        runs = [{mode: run_worker(mode, source) for mode in MODES} for _ in range(args.pairs)]
        load_after = os.getloadavg()[0]
        profile = profile_extract(records) if args.profile else None
    finally:
        os.unlink(source)

    for run in runs:
        for r in run.values():
            r["cold_articles_per_s"] = r["n"] / r["cold_s"]
            r["warm_articles_per_s"] = r["n"] / r["warm_s"]
            r["warm_ms_per_article"] = 1000 * r["warm_s"] / r["n"]
            r["warm_cpu_ms_per_article"] = 1000 * r["warm_cpu_s"] / r["n"]
    # each figure the median over the runs (one run: the run itself)
    res = {
        mode: {
            k: (statistics.median(run[mode][k] for run in runs) if k != "mode" else mode)
            for k in runs[0][mode]
        }
        for mode in MODES
    }
    pair_ratios = [
        {
            "cold": run["extract"]["cold_s"] / run["segment"]["cold_s"],
            "warm": run["extract"]["warm_s"] / run["segment"]["warm_s"],
            "cold_cpu": run["extract"]["cold_cpu_s"] / run["segment"]["cold_cpu_s"],
            "warm_cpu": run["extract"]["warm_cpu_s"] / run["segment"]["warm_cpu_s"],
        }
        for run in runs
    ]
    ratio = {k: statistics.median(p[k] for p in pair_ratios) for k in pair_ratios[0]}
    spread = {k: (min(p[k] for p in pair_ratios), max(p[k] for p in pair_ratios)) for k in ratio}
    print(f"{len(records)} articles ({composition}), {chars:,} characters")
    if args.pairs > 1:
        print(f"{args.pairs} pairs of runs in turn; each figure and ratio is their median")
    print(f"load average (1 min): {load_before:.2f} before, {load_after:.2f} after")
    print(
        f"{'mode':<9} {'start-up s':>10} {'cold art/s':>11} {'warm art/s':>11} {'ms/art':>7} "
        f"{'CPU ms/art':>10} {'RSS MB':>7}"
    )
    for mode, r in res.items():
        print(
            f"{mode:<9} {r['startup_s']:>10.2f} {r['cold_articles_per_s']:>11.1f} "
            f"{r['warm_articles_per_s']:>11.1f} {r['warm_ms_per_article']:>7.1f} "
            f"{r['warm_cpu_ms_per_article']:>10.1f} {r['peak_rss_mb']:>7.0f}"
        )
    print(
        f"extract / segment time: cold {ratio['cold']:.2f}x, warm {ratio['warm']:.2f}x "
        f"(CPU time: cold {ratio['cold_cpu']:.2f}x, warm {ratio['warm_cpu']:.2f}x)"
    )
    if args.pairs > 1:
        print(
            "  ranges over the pairs: "
            + ", ".join(f"{k} {lo:.2f}-{hi:.2f}" for k, (lo, hi) in spread.items())
        )

    from ocop_nlp.nlp.words import underthesea_version

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "n": len(records),
        "composition": composition,
        "characters": chars,
        "modes": res,
        "extract_over_segment_time": ratio,
        "pairs": args.pairs,
        "extract_over_segment_time_per_pair": pair_ratios,
        "load_average_1min": {"before": load_before, "after": load_after},
        "code": _git_describe(),
        "python": platform.python_version(),
        "underthesea": underthesea_version(),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
    }
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    if profile:
        print(profile)


if __name__ == "__main__":
    main()
