"""How fast does `ocop crawl` collect a site, and how polite is it with the default delay?

Two measurements against a real HTTP server on 127.0.0.1 serving the test suite's generated
1,000-page portal (tests/fixture_sites.py: paged listings and article pages, no delays):

- speed: a whole crawl with `--delay 0` into a new store (robots.txt, discovery, parsing,
  storing included), in pages/s;
- politeness: a crawl with the default settings (1 s per host) stopped after N pages, and the
  request rate the server actually saw (requests/s, and the smallest gap between two requests).

Each crawl runs in a fresh `ocop crawl` process, as an operator would run it. Results go to
bench/results/crawl.json.

With --real, a third crawl runs over the 192 saved SharePoint portal pages of ../shared/data
(served as they are by `http.server`, whose directory listing is the start page) and scores
what the crawler stored against the reference records, field by field, as bench_pages.py does
for the parser alone: the same parser, reached through discovery and the store.

    python bench/bench_crawl.py [--pages 1000] [--polite-pages 20] [--real]
"""

from __future__ import annotations

import argparse
import json
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "crawl.json"
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_extract import _git_describe as git_describe  # noqa: E402
from fixture_sites import FixtureServer, big_site  # noqa: E402


def _crawl(url: str, db: Path, *extra: str) -> tuple[float, str]:
    t0 = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "ocop_nlp", "crawl", url, "--db", str(db), *extra],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"ocop crawl failed ({proc.returncode}): {proc.stderr.strip()}")
    return time.monotonic() - t0, proc.stderr.strip().splitlines()[-1]


def _count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as c:
        return int(c.execute(sql).fetchone()[0])


def crawl_real_pages() -> dict[str, Any]:
    """Crawl the saved portal pages from a plain directory server; score what was stored."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import unquote, urlsplit

    sys.path.insert(0, str(ROOT / "bench"))
    from bench_pages import PORTAL, Page, load_pages, measure

    from ocop_nlp.store import open_store

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(PORTAL))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "real.db"
            seconds, summary = _crawl(base, db, "--delay", "0", "--max-depth", "2")
            with open_store(db) as st:
                stored = {
                    unquote(urlsplit(a.url or a.id).path.rsplit("/", 1)[-1]): a
                    for a in st.iter_articles()
                }
    finally:
        server.shutdown()
    pages = load_pages()

    def from_store(page: Page) -> tuple[str | None, str | None, str | None, str]:
        a = stored.get(page.file)
        if a is None:
            return None, None, None, ""
        return a.title, a.published, a.author, a.text or ""

    figures = measure(pages, from_store).figures()
    kept = {k: round(v, 3) for k, v in figures.items() if "ms" not in k}
    missing = sorted(p.file for p in pages if p.file not in stored)
    result = {
        "seconds": round(seconds, 1),
        "html_pages_with_reference": len(pages),
        "stored": sum(1 for p in pages if p.file in stored),
        "not_stored": missing,
        "figures": kept,
        "summary": summary,
    }
    print(
        f"saved portal pages: {result['stored']}/{len(pages)} stored in {seconds:.1f} s; "
        + ", ".join(f"{k} {v:.1%}" for k, v in kept.items())
    )
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=1000, help="article pages on the local site")
    ap.add_argument("--polite-pages", type=int, default=20, help="pages for the delay run")
    ap.add_argument("--real", action="store_true", help="also crawl the saved portal pages")
    args = ap.parse_args()
    out: dict[str, Any] = {
        "command": "python bench/bench_crawl.py " + " ".join(sys.argv[1:]),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "python": platform.python_version(),
        "commit": git_describe(),
    }
    with tempfile.TemporaryDirectory() as tmp, FixtureServer(big_site(args.pages)) as srv:
        db = Path(tmp) / "speed.db"
        seconds, summary = _crawl(srv.base_url + "/", db, "--delay", "0")
        fetched = _count(db, "SELECT COUNT(*) FROM fetch_log")
        stored = _count(db, "SELECT COUNT(*) FROM articles")
        kib = _count(db, "SELECT CAST(AVG(bytes) AS INTEGER) FROM fetch_log") / 1024
        out["speed"] = {
            "seconds": round(seconds, 2),
            "pages_fetched": fetched,
            "articles_stored": stored,
            "requests_seen_by_server": len(srv.log),
            "mean_page_kib": round(kib, 1),
            "pages_per_s": round(fetched / seconds, 1),
            "summary": summary,
        }
        print(
            f"--delay 0: {fetched:,} pages ({stored:,} articles) in {seconds:.1f} s = "
            f"{fetched / seconds:.1f} pages/s, {kib:.1f} KiB per page (whole process: start-up, "
            "robots.txt, parsing and storing included)"
        )
        srv.log.clear()
        db2 = Path(tmp) / "polite.db"
        seconds, summary = _crawl(srv.base_url + "/", db2, "--max-pages", str(args.polite_pages))
        times = sorted(r.time for r in srv.log)
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        span = times[-1] - times[0] if len(times) > 1 else 0.0
        rate = (len(times) - 1) / span if span > 0 else 0.0
        out["polite"] = {
            "requests": len(times),
            "span_s": round(span, 2),
            "requests_per_s": round(rate, 3),
            "min_gap_s": round(min(gaps), 3) if gaps else None,
            "summary": summary,
        }
        print(
            f"default delay: {len(times)} requests over {span:.1f} s = {rate:.2f} requests/s; "
            f"smallest gap {min(gaps) if gaps else 0:.2f} s"
        )
    if args.real:
        out["real_portal_pages"] = crawl_real_pages()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
