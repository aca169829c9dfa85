"""How well are real portal pages parsed? Title, displayed date, author byline and body text.

The yardstick is the 192 saved SharePoint pages in ../shared/data/portal/*.html and their
reference records in ../shared/data/news/portal_articles.jsonl.gz (matched by the record's `file`
key). Each page goes through the path `ocop batch FOLDER` takes: the file's bytes ->
`article_from_bytes` -> `html_to_article`. Per page:

- title: exact after NFC and whitespace collapse;
- published: the YYYY-MM-DD of ours equals the date part of the reference (pages whose reference
  has no date count as right when we give none either);
- author: exact after NFC and whitespace collapse, on pages whose reference has a byline, and
  overall (a null reference is right when we give null too);
- body: F1 of the multisets of lowercased NFC syllables (tokens split on whitespace and
  punctuation); the figure is the share of pages at F1 >= 0.9. Precision and recall are given
  apart too: the reference keeps image captions and, where a saved page's markup is broken, the
  related-news list after the article, both of which we drop; it lacks a lead kept outside the
  rich-text field, which we keep.

ms/page is the time of `article_from_bytes` (decoding and parsing), files already read: wall
time and the process's CPU time (steadier when other work shares the cores).
trafilatura's figures are added when it is importable (it is not a dependency).

    python bench/bench_pages.py [--show-misses N]

--show-misses N prints up to N misses per field (file name, ours and the reference) to the
terminal. Results go to bench/results/pages.json (figures only, no page text).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import platform
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
PORTAL = DATA / "portal"
RECORDS = DATA / "news" / "portal_articles.jsonl.gz"
RESULTS = ROOT / "bench" / "results" / "pages.json"
sys.path.insert(0, str(ROOT / "bench"))

from bench_extract import _git_describe as git_describe  # noqa: E402

FIELDS = ("title", "published", "author", "body")
_TOKEN = re.compile(r"\w+")


def norm(value: str | None) -> str | None:
    """NFC with whitespace runs (no-break and zero-width spaces included) collapsed."""
    if value is None:
        return None
    value = unicodedata.normalize("NFC", value).replace("\u200b", " ")
    return re.sub(r"\s+", " ", value).strip() or None


def syllables(text: str) -> Counter[str]:
    return Counter(_TOKEN.findall(unicodedata.normalize("NFC", text).lower()))


def syllable_prf(ours: str, ref: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of our syllables against the reference's (multisets)."""
    a, b = syllables(ours), syllables(ref)
    common = sum((a & b).values())
    if not common:
        return 0.0, 0.0, 0.0
    p, r = common / sum(a.values()), common / sum(b.values())
    return p, r, 2 * p * r / (p + r)


def syllable_f1(ours: str, ref: str) -> float:
    return syllable_prf(ours, ref)[2]


def without_related_list(text: str) -> str:
    """The reference text up to a related-news heading ("Tin đã đưa", …) on a line of its own.

    Where a saved page's markup is broken, the list of older headlines sits inside the article
    block and the reference text kept it; we drop it by design, so this second figure shows how
    the body compares once that list is set aside.
    """
    from ocop_nlp.config import lexicon

    # Of the chrome lines, only the headings of news lists ("Tin …", "Các tin …", "Bài viết …").
    heads = {
        h.lower()
        for h in lexicon("page")["chrome_lines"]
        if re.match(r"(các )?(tin|bài)\b", h.lower())
    }
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if (norm(line) or "").lower().rstrip(":") in heads and i > 0:
            return "\n".join(lines[:i])
    return text


@dataclass(slots=True)
class Page:
    file: str
    data: bytes
    ref: dict[str, Any]


@dataclass(slots=True)
class Score:
    """The figures for one parser over all pages; `misses` holds (file, ours, reference)."""

    pages: int = 0
    title: int = 0
    published: int = 0
    published_with_ref: int = 0
    ref_dates: int = 0
    author: int = 0
    author_with_ref: int = 0
    ref_authors: int = 0
    body_090: int = 0
    body_p090: int = 0
    body_r090: int = 0
    body_f1_sum: float = 0.0
    body_090_cut: int = 0  # against the reference cut at a related-news heading
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    misses: dict[str, list[tuple[str, str, str]]] = field(
        default_factory=lambda: {f: [] for f in FIELDS}
    )

    def figures(self) -> dict[str, float]:
        n = self.pages or 1
        return {
            "title_exact": self.title / n,
            "published": self.published / n,
            "published_on_pages_with_date": self.published_with_ref / (self.ref_dates or 1),
            "author_on_pages_with_author": self.author_with_ref / (self.ref_authors or 1),
            "author_overall": self.author / n,
            "body_f1_ge_0.9": self.body_090 / n,
            "body_f1_mean": self.body_f1_sum / n,
            "body_f1_ge_0.9_ref_without_related_list": self.body_090_cut / n,
            "body_precision_ge_0.9": self.body_p090 / n,
            "body_recall_ge_0.9": self.body_r090 / n,
            "ms_per_page": 1000 * self.seconds / n,
            "cpu_ms_per_page": 1000 * self.cpu_seconds / n,
        }


def load_pages() -> list[Page]:
    """The saved .html pages that have a reference record, in file-name order."""
    with gzip.open(RECORDS, "rt", encoding="utf-8") as f:
        refs = {rec["file"]: rec for rec in map(json.loads, f) if rec.get("file")}
    return [
        Page(p.name, p.read_bytes(), refs[p.name])
        for p in sorted(PORTAL.glob("*.html"))
        if p.name in refs
    ]


Parsed = tuple[str | None, str | None, str | None, str]


def ours(page: Page) -> Parsed:
    from ocop_nlp.parse.reader import article_from_bytes

    art = article_from_bytes(page.data, page.file)
    return art.title, art.published, art.author, art.text


def trafilatura_parser() -> Callable[[Page], Parsed] | None:
    try:
        import trafilatura
    except ImportError:
        return None

    def run(page: Page) -> Parsed:
        doc = trafilatura.bare_extraction(page.data.decode("utf-8", "replace"), with_metadata=True)
        if doc is None:
            return None, None, None, ""
        get = doc.get if isinstance(doc, dict) else lambda k: getattr(doc, k, None)
        return get("title"), get("date"), get("author"), get("text") or ""

    return run


def measure(pages: list[Page], parse: Callable[[Page], Parsed]) -> Score:
    s = Score()
    for page in pages:
        ref = page.ref
        t0, c0 = time.perf_counter(), time.process_time()
        title, published, author, body = parse(page)
        s.seconds += time.perf_counter() - t0
        s.cpu_seconds += time.process_time() - c0
        s.pages += 1
        if norm(title) == norm(ref["title"]):
            s.title += 1
        else:
            s.misses["title"].append((page.file, str(title), str(ref["title"])))
        ref_date = (ref.get("published") or "")[:10] or None
        got_date = (published or "")[:10] or None
        s.ref_dates += ref_date is not None
        if got_date == ref_date:
            s.published += 1
            s.published_with_ref += ref_date is not None
        else:
            s.misses["published"].append((page.file, str(got_date), str(ref_date)))
        ref_author = norm(ref.get("author"))
        s.ref_authors += ref_author is not None
        if norm(author) == ref_author:
            s.author += 1
            s.author_with_ref += ref_author is not None
        else:
            s.misses["author"].append((page.file, str(author), str(ref_author)))
        p, r, f1 = syllable_prf(body, ref.get("text") or "")
        s.body_f1_sum += f1
        s.body_090_cut += syllable_f1(body, without_related_list(ref.get("text") or "")) >= 0.9
        s.body_p090 += p >= 0.9
        s.body_r090 += r >= 0.9
        if f1 >= 0.9:
            s.body_090 += 1
        else:
            s.misses["body"].append((page.file, f"F1 {f1:.3f} (P {p:.3f}, R {r:.3f})", ""))
    return s


def _short(text: str, width: int = 70) -> str:
    text = text.replace("\n", " | ")
    return text if len(text) <= width else text[: width - 1] + "…"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--show-misses", type=int, default=0, metavar="N", help="print N misses per field"
    )
    args = ap.parse_args()
    if not RECORDS.exists():
        raise SystemExit(f"{RECORDS} is not here; the benchmark needs ../shared/data.")
    pages = load_pages()
    ours(pages[0])  # imports and the lexicon load outside the timing
    scores = {"ocop-nlp": measure(pages, ours)}
    traf = trafilatura_parser()
    if traf is not None:
        scores["trafilatura"] = measure(pages, traf)

    first = scores["ocop-nlp"]
    print(
        f"{len(pages)} pages; {first.ref_dates} with a reference date, "
        f"{first.ref_authors} with a reference author"
    )
    report(scores, "ocop-nlp", args.show_misses, "python bench/bench_pages.py", RESULTS, len(pages))


def report(
    scores: dict[str, Any],
    first_name: str,
    show_misses: int,
    command: str,
    results: Path,
    pages: int,
    skip: tuple[str, ...] = (),
) -> None:
    """Print each figure per parser and `show_misses` misses per field, write `results`."""
    first = scores[first_name]
    names = list(scores)
    print(f"{'figure':<42}" + "".join(f"{n:>14}" for n in names))
    figures = {n: s.figures() for n, s in scores.items()}
    for key in figures[first_name]:
        if key in skip:
            continue
        fmt = "{:>14.1f}" if key.endswith("ms_per_page") else "{:>14.1%}"
        print(f"{key:<42}" + "".join(fmt.format(figures[n][key]) for n in names))
    if show_misses:
        for name in FIELDS:
            misses = first.misses[name]
            print(f"\n{name}: {len(misses)} misses")
            for file, got, want in misses[:show_misses]:
                print(f"  {file}\n    ours: {_short(got)}\n    ref:  {_short(want)}")
    results.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "command": command,
        "code": git_describe(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "pages": pages,
        "pages_with_reference_date": first.ref_dates,
        "pages_with_reference_author": first.ref_authors,
        "figures": figures,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    results.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten to {results.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
