"""How fast and how lean is `ocop batch`, on real articles from ../shared/data?

Every figure times whole `ocop batch` processes (start-up, model loading and writing OUT
included) on the same input, on this machine:

- ratio: `ocop batch --workers 1` on N meeting reports (bench_extract's selection) against bare
  underthesea segmentation of the same records (bench_extract's `segment` worker, its cold
  pass: process spawn, imports, models, then the records). Budget: at most 1.5. Also against
  bench_extract's `extract` worker (a bare `extract_article` loop, same cold pass): what the
  batch machinery itself adds (reading, JSON, writing, the summary).
- speedup: `--workers 2` against `--workers 1`, on the same N meeting reports and on 1,000.
- memory: peak RSS of each worker (and of the parent) while `--workers 2` runs over 1,000 and
  then 10,000 general news articles (the first in sha1(id) order, so the 1,000 are a prefix of
  the 10,000), sampled every 0.2 s with psutil. Budget: growth within 10%.
- dask: `--engine dask` (a LocalCluster of 2 single-threaded worker processes, started by the
  command) against the local engine with 2 workers, on 2,000 general articles. Budget: at most
  15% overhead.

Results go to bench/results/batch.json; no article text is written anywhere but /tmp. Needs
the dask extra (`pip install -e ".[dask]"`: Dask, and psutil for the memory samples).

    python bench/bench_batch.py [--n 300] [--only ratio,speedup,memory,dask]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_extract import (  # noqa: E402 - a script beside us
    NEWS,
    _git_describe,
    run_worker,
    select_records,
)
from make_real_sample import read_records  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "batch.json"
STEPS = ("ratio", "speedup", "memory", "dask")


def general_records(n: int) -> list[dict[str, Any]]:
    """The first n records of all news files in sha1(id) order (deterministic, mixed sources)."""
    keyed: list[tuple[str, Path, int]] = []
    for path in sorted(NEWS.glob("*.jsonl.gz")):
        for i, rec in enumerate(read_records(path)):
            keyed.append((hashlib.sha1(rec["id"].encode("utf-8")).hexdigest(), path, i))
    keyed.sort()
    wanted: dict[Path, set[int]] = {}
    for _, path, i in keyed[:n]:
        wanted.setdefault(path, set()).add(i)
    out: list[dict[str, Any]] = []
    for path, idx in wanted.items():
        out += [rec for i, rec in enumerate(read_records(path)) if i in idx]
    out.sort(key=lambda r: hashlib.sha1(r["id"].encode("utf-8")).hexdigest())
    return out


def write_input(records: list[dict[str, Any]], tmp: Path, name: str) -> Path:
    path = tmp / name
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


def _tree(pid: int) -> Iterator[Any]:
    import psutil

    try:
        root = psutil.Process(pid)
        yield root
        yield from root.children(recursive=True)
    except psutil.NoSuchProcess:
        return


def run_batch_process(
    source: Path, tmp: Path, *args: str, check: bool = True, timeout: float | None = None
) -> dict[str, Any]:
    """`ocop batch SOURCE -o TMP/out.jsonl ARGS` as a fresh process: wall time, peak RSS each.

    `check=False` returns a failed run (its exit status and stderr) instead of stopping;
    a run longer than `timeout` seconds is killed (with its workers) and says so.
    """
    import psutil

    out = tmp / "out.jsonl"
    for p in (out, tmp / "out.errors.jsonl"):
        p.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "ocop_nlp", "batch", str(source), "-o", str(out), *args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peaks: dict[int, tuple[str, float]] = {}
    timed_out = False
    while proc.poll() is None:
        if timeout is not None and time.perf_counter() - t0 > timeout:
            timed_out = True
            for p in reversed(list(_tree(proc.pid))):
                with contextlib.suppress(psutil.NoSuchProcess):
                    p.kill()
            proc.wait()
            break
        for p in _tree(proc.pid):
            try:
                rss = p.memory_info().rss / 2**20
                # Depth 1: the fork server (and multiprocessing's resource tracker); the
                # workers, forked from the server, are its children.
                name = "worker" if p.pid != proc.pid and p.ppid() != proc.pid else "helper"
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
            if rss > peaks.get(p.pid, ("", 0.0))[1]:
                peaks[p.pid] = (name, rss)
        time.sleep(0.2)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU seconds of the whole process tree (children are counted once reaped): steadier
    # than wall time when other work shares the cores.
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    err = proc.stderr.read() if proc.stderr else ""
    if proc.returncode != 0 and check:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err}")
    summary = next((ln for ln in err.splitlines() if " ok, " in ln), "")
    parent = peaks.pop(proc.pid, ("", 0.0))[1]
    workers = sorted((rss for name, rss in peaks.values() if name == "worker"), reverse=True)
    helpers = sorted((rss for name, rss in peaks.values() if name == "helper"), reverse=True)
    errors_file = tmp / "out.errors.jsonl"
    errors = []
    if errors_file.exists():
        for line in errors_file.read_text(encoding="utf-8").splitlines():
            e = json.loads(line)
            errors.append(f"{e['id']}: {e['reason']}")
    return {
        "args": list(args),
        "returncode": proc.returncode,
        "timed_out": timed_out,
        "stderr_tail": err[-500:],
        "errors": errors,
        "wall_s": wall,
        "cpu_s": cpu,
        "summary": summary,
        "parent_peak_rss_mb": parent,
        "worker_peak_rss_mb": workers,
        "helper_peak_rss_mb": helpers,
        "lines": out.read_bytes().count(b"\n") if out.exists() else 0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300, help="meeting reports for ratio/speedup (300)")
    ap.add_argument("--only", default=",".join(STEPS), help="steps to run, comma-separated")
    args = ap.parse_args()
    steps = args.only.split(",")
    res: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    res.update(
        {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "machine": platform.machine(),
        }
    )
    with tempfile.TemporaryDirectory(dir="/tmp") as d:
        tmp = Path(d)
        if "ratio" in steps or "speedup" in steps:
            meetings, composition = select_records(args.n)
            src = write_input(meetings, tmp, "meetings.jsonl")
            load_before = os.getloadavg()[0]
            one = run_batch_process(src, tmp, "--workers", "1")
            print(
                f"{len(meetings)} meeting reports ({composition}): --workers 1 {one['wall_s']:.1f} s"
            )
            if "ratio" in steps:
                seg = run_worker("segment", str(src))
                ext = run_worker("extract", str(src))
                ratio = one["wall_s"] / seg["cold_s"]
                cpu_ratio = one["cpu_s"] / seg["cold_cpu_s"]
                res["ratio"] = {
                    "n": len(meetings),
                    "composition": composition,
                    "batch_workers_1_s": one["wall_s"],
                    "segment_s": seg["cold_s"],
                    "extract_article_loop_s": ext["cold_s"],
                    "ratio": ratio,
                    "batch_over_extract_loop": one["wall_s"] / ext["cold_s"],
                    "batch_workers_1_cpu_s": one["cpu_s"],
                    "segment_cpu_s": seg["cold_cpu_s"],
                    "cpu_ratio": cpu_ratio,
                    "load_average_1min": {"before": load_before, "after": os.getloadavg()[0]},
                    "code": _git_describe(),
                }
                print(
                    f"  bare segmentation {seg['cold_s']:.1f} s; ratio {ratio:.2f}; a bare "
                    f"extract_article loop {ext['cold_s']:.1f} s (batch costs "
                    f"{one['wall_s'] / ext['cold_s']:.2f}x that)"
                )
                print(
                    f"  CPU time: batch {one['cpu_s']:.1f} s, segmentation "
                    f"{seg['cold_cpu_s']:.1f} s; ratio {cpu_ratio:.2f}; load average "
                    f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
                )
            if "speedup" in steps:
                two = run_batch_process(src, tmp, "--workers", "2")
                res["speedup"] = {
                    "n": len(meetings),
                    "workers_1_s": one["wall_s"],
                    "workers_2_s": two["wall_s"],
                    "speedup": one["wall_s"] / two["wall_s"],
                }
                print(
                    f"  --workers 2 {two['wall_s']:.1f} s; speedup {one['wall_s'] / two['wall_s']:.2f}"
                )
                more = general_records(1000)
                src2 = write_input(more, tmp, "general1000.jsonl")
                one2 = run_batch_process(src2, tmp, "--workers", "1")
                two2 = run_batch_process(src2, tmp, "--workers", "2")
                res["speedup_1000"] = {
                    "n": len(more),
                    "workers_1_s": one2["wall_s"],
                    "workers_2_s": two2["wall_s"],
                    "speedup": one2["wall_s"] / two2["wall_s"],
                }
                print(
                    f"1,000 general articles: --workers 1 {one2['wall_s']:.1f} s, --workers 2 "
                    f"{two2['wall_s']:.1f} s; speedup {one2['wall_s'] / two2['wall_s']:.2f}"
                )
        if "memory" in steps:
            big = general_records(10_000)
            mem = {}
            for n in (1_000, 10_000):
                src = write_input(big[:n], tmp, f"general{n}.jsonl")
                r = run_batch_process(src, tmp, "--workers", "2")
                mem[str(n)] = r
                print(
                    f"{n:,} articles, --workers 2: {r['wall_s']:.1f} s, worker peak RSS "
                    f"{[round(x) for x in r['worker_peak_rss_mb']]} MB, parent "
                    f"{r['parent_peak_rss_mb']:.0f} MB ({r['summary']})"
                )
            a, b = (max(mem[k]["worker_peak_rss_mb"]) for k in ("1000", "10000"))
            mem["growth"] = b / a - 1
            res["memory"] = mem
            print(f"worker peak RSS growth 1,000 -> 10,000: {100 * (b / a - 1):+.1f}%")
        if "dask" in steps:
            recs = general_records(2_000)
            src = write_input(recs, tmp, "general2000.jsonl")
            local = run_batch_process(src, tmp, "--workers", "2")
            dask = run_batch_process(src, tmp, "--engine", "dask", "--workers", "2")
            res["dask"] = {
                "n": len(recs),
                "local_workers_2_s": local["wall_s"],
                "dask_local_cluster_2_s": dask["wall_s"],
                "overhead": dask["wall_s"] / local["wall_s"] - 1,
                "local": local,
                "dask": dask,
            }
            print(
                f"2,000 articles: local 2 workers {local['wall_s']:.1f} s, Dask LocalCluster "
                f"{dask['wall_s']:.1f} s; overhead {100 * res['dask']['overhead']:+.1f}%"
            )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
