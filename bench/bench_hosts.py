"""Many sites at once: how much faster is a crawl of 20 slow hosts with several fetched at the
same time, and does its memory grow with the number of hosts?

Each host is the test suite's newspaper on its own CMS (tests/fixture_sites.py, 4 articles,
about 9 requests) on its own port of 127.0.0.1, answering every request after `--slow` seconds
(a small provincial server). Each crawl is a fresh `ocop crawl` process with `--delay 0.1`
and OCOP_CRAWL_HOSTS_AT_ONCE set; its peak resident memory is the child's own (wait4), so the
servers, which run in this process, are not counted; so is its CPU time. Every host still gets one request at a
time with its own delay; the bench checks it from the servers' logs.

    python bench/bench_hosts.py [--hosts 20] [--slow 0.2]

Results go to bench/results/hosts.json. The machine may be shared: wall times are the figure
most disturbed by other load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "hosts.json"
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_extract import _git_describe as git_describe  # noqa: E402
from fixture_sites import FixtureServer, Route, Site, cms_paper_site  # noqa: E402

DELAY = 0.1


def slow_sites(n: int, slow: float, articles: int = 4) -> list[Site]:
    sites = []
    for i in range(n):
        site = cms_paper_site(articles, first_text=articles * i)
        site.add("/sitemap.xml", Route(status=404, body=b"none"), "sitemap")
        for route in site.routes.values():
            route.delay_before_headers = slow
        sites.append(site)
    return sites


def crawl_once(n_hosts: int, at_once: int, slow: float) -> dict[str, Any]:
    """One `ocop crawl` over `n_hosts` fresh slow hosts; its time, memory and politeness."""
    servers = [FixtureServer(site) for site in slow_sites(n_hosts, slow)]
    for server in servers:
        server.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "hosts.db"
            env = dict(os.environ, OCOP_CRAWL_HOSTS_AT_ONCE=str(at_once), PYTHONPATH=str(ROOT))
            cmd = [sys.executable, "-m", "ocop_nlp", "crawl"]
            cmd += [s.url("/") for s in servers]
            cmd += ["--db", str(db), "--delay", str(DELAY), "--timeout", "10"]
            t0 = time.monotonic()
            proc = subprocess.Popen(
                cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            # wait4: this child's own peak memory, not the largest of all children so far.
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.monotonic() - t0
            out, err = proc.communicate()
            if status != 0:
                raise SystemExit(f"ocop crawl failed:\n{err}")
        logs = [list(s.log) for s in servers]
    finally:
        for server in servers:
            server.stop()
    requests = sum(len(log) for log in logs)
    # Politeness per host: the next request starts after the answer (slow) and the delay.
    gaps: list[float] = []
    for log in logs:
        starts = sorted(r.time for r in log)
        gaps += [b - a for a, b in zip(starts, starts[1:], strict=False)]
    return {
        "hosts": n_hosts,
        "hosts_at_once": at_once,
        "seconds": round(seconds, 2),
        "requests": requests,
        "summary": err.strip().splitlines()[-1] if err.strip() else out.strip(),
        "max_rss_mib": round(usage.ru_maxrss / 1024, 1),  # Linux: KiB
        # The crawl's CPU time (all its threads, start-up included): near `seconds`, the
        # crawl is bound by its own work, not by the hosts' answers.
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "smallest_gap_one_host_s": round(min(gaps), 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hosts", type=int, default=20)
    ap.add_argument("--slow", type=float, default=0.2, help="seconds each answer takes")
    a = ap.parse_args()
    runs = [
        crawl_once(a.hosts, 1, a.slow),
        crawl_once(a.hosts, 4, a.slow),
        crawl_once(a.hosts, 8, a.slow),
        crawl_once(4, 4, a.slow),
    ]
    base = runs[0]["seconds"]
    print(f"{a.hosts} hosts answering in {a.slow:g} s, --delay {DELAY:g}, one crawl process each")
    print(
        f"{'hosts':>5} {'at once':>7} {'seconds':>8} {'speedup':>7} {'requests':>8} "
        f"{'max RSS MiB':>11} {'smallest gap':>12} {'CPU s':>6}"
    )
    for r in runs:
        speedup = base / r["seconds"] if r["hosts"] == a.hosts else float("nan")
        r["speedup"] = round(speedup, 2) if r["hosts"] == a.hosts else None
        print(
            f"{r['hosts']:>5} {r['hosts_at_once']:>7} {r['seconds']:>8.1f} "
            f"{speedup:>7.2f} {r['requests']:>8} {r['max_rss_mib']:>11.1f} "
            f"{r['smallest_gap_one_host_s']:>12.3f} {r['cpu_seconds']:>6.1f}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "commit": git_describe(),
                "python": platform.python_version(),
                "slow": a.slow,
                "delay": DELAY,
                "runs": runs,
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
