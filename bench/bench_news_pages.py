"""How well are real newspaper pages (dantri.com.vn's own CMS) parsed? Title, date, byline, body.

The pages are the 25 saved dantri articles in ../shared/data/html (INDEX.jsonl gives each
file's original URL). ../shared/data/news holds no record for them (its dantri corpus is from
2020-2021, these pages from December 2022), so the reference is read from each page here with
dantri's own markup, which the generic reader never sees:

- title: `h1.title-page` (`h1.e-magazine__title`; `og:title` on a long-form page without one);
- published: the JSON-LD `datePublished` when the page has one, otherwise the date that starts
  dantri's article id in the URL (`...-20221224095943188.htm`: yyyymmddHHMMSS + ms). The saved
  pages show no date of their own (the copy's author removed the byline row);
- author: the JSON-LD author, the `.singular-source` line ("Theo <source>") or the right-aligned
  closing lines of the article, otherwise none (the site name in `<meta name=author>` is the
  publisher, not a byline);
- body: `.singular-sapo` and `.singular-content` (`.e-magazine__sapo`, `.e-magazine__body`)
  with its captions (photo stories keep their text there), without widgets.

Fields are scored as in bench_pages.py (exact title and byline after NFC and whitespace
collapse, the YYYY-MM-DD of the date, syllable F1 >= 0.9 of the body). The page goes through
`article_from_bytes` twice: with its URL (as the crawler reads it) and without (`ocop batch`).
trafilatura's column is added when it is importable (it is not a dependency).

    python bench/bench_news_pages.py [--show-misses N]

Results go to bench/results/news_pages.json (figures only, no page text).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT.parent / "shared" / "data" / "html"
RESULTS = ROOT / "bench" / "results" / "news_pages.json"
sys.path.insert(0, str(ROOT / "bench"))

from bench_pages import (  # noqa: E402
    Page,
    Parsed,
    measure,
    report,
    trafilatura_parser,
)

_URL_ID = re.compile(r"-(\d{4})(\d{2})(\d{2})\d{6,9}\.htm")


def reference(html: str, url: str) -> dict[str, Any]:
    """The page's fields read with dantri's own markup (see the module docstring)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(re.sub(r"^\s*<%@[^%]*%>", "", html), "lxml")

    def text(el: Any) -> str:
        return re.sub(r"\s+", " ", el.get_text(" ", strip=True)).strip()

    ld: dict[str, Any] = {}
    for script in soup.select('script[type="application/ld+json"]'):
        data = json.loads(script.string or "null")
        if isinstance(data, dict) and data.get("@type") == "NewsArticle":
            ld = data
    title_el = soup.select_one("h1.title-page") or soup.select_one("h1.e-magazine__title")
    if title_el is None:  # an e-magazine page: its headline is the page's og:title
        og = soup.find("meta", property="og:title")
        title = str(og["content"]).strip() if og is not None else None
    else:
        title = text(title_el)
    published = (ld.get("datePublished") or "")[:10] or None
    if published is None and (m := _URL_ID.search(url)):
        published = f"{m[1]}-{m[2]}-{m[3]}"
    author = (ld.get("author") or {}).get("name") if isinstance(ld.get("author"), dict) else None
    source = soup.select_one(".singular-source")
    content = soup.select_one(".singular-content") or soup.select_one(".e-magazine__body")
    closing: list[str] = []
    if content is not None:
        for p in reversed(content.find_all("p", recursive=False)):
            if "right" not in str(p.get("style") or ""):
                break
            closing.insert(0, text(p))
    if author is None and source is not None and text(source):
        author = text(source)
    if author is None and closing:
        author = " ".join(closing)
    parts: list[str] = []
    sapo = soup.select_one(".singular-sapo") or soup.select_one(".e-magazine__sapo")
    if sapo is not None:
        parts.append(text(sapo))
    if content is not None:
        for el in content.select(".dantri-widget"):
            el.decompose()
        for block in content.find_all(["p", "figcaption", "h2", "h3", "h4", "li", "td"]):
            if block.find_parent(["li", "td"]) is None and text(block):
                parts.append(text(block))
        if closing:
            parts = parts[: -len(closing)]
    return {
        "title": title,
        "published": published,
        "author": author,
        "text": "\n".join(parts),
    }


def load_pages() -> list[Page]:
    pages = []
    for line in (HTML / "INDEX.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        data = (HTML / entry["file"]).read_bytes()
        ref = reference(data.decode("utf-8"), entry["original_url"])
        ref["url"] = entry["original_url"]
        pages.append(Page(entry["file"], data, ref))
    return pages


def ours_with_url(page: Page) -> Parsed:
    from ocop_nlp.parse.reader import article_from_bytes

    art = article_from_bytes(page.data, page.file, page.ref["url"])
    return art.title, art.published, art.author, art.text


def ours_without_url(page: Page) -> Parsed:
    from ocop_nlp.parse.reader import article_from_bytes

    art = article_from_bytes(page.data, page.file)
    return art.title, art.published, art.author, art.text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--show-misses", type=int, default=0, metavar="N", help="print N misses per field"
    )
    args = ap.parse_args()
    if not (HTML / "INDEX.jsonl").exists():
        raise SystemExit(f"{HTML} is not here; the benchmark needs ../shared/data.")
    pages = load_pages()
    ours_with_url(pages[0])  # imports and the lexicon load outside the timing
    scores = {
        "ocop-nlp+url": measure(pages, ours_with_url),
        "ocop-nlp": measure(pages, ours_without_url),
    }
    traf = trafilatura_parser()
    if traf is not None:
        scores["trafilatura"] = measure(pages, traf)
    first = scores["ocop-nlp+url"]
    print(
        f"{len(pages)} dantri pages; {first.ref_dates} with a reference date, "
        f"{first.ref_authors} with a reference author"
    )
    report(
        scores,
        "ocop-nlp+url",
        args.show_misses,
        "python bench/bench_news_pages.py",
        RESULTS,
        len(pages),
        skip=("body_f1_ge_0.9_ref_without_related_list",),
    )


if __name__ == "__main__":
    sys.exit(main())
