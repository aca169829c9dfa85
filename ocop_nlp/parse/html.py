"""HTML page -> Article: title, published date, author and the body text.

Generic rules first (the densest block of paragraphs wins, navigation and furniture dropped);
the SharePoint layout of provincial portals (`#tableforprint`, `p.Title`, `td.Time`,
`div.ExternalClass…`, `.journal-content-article`) is recognised when present.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

from ocop_nlp.errors import InputError
from ocop_nlp.parse.page_text import looks_like_author, split_page
from ocop_nlp.records import Article

_BLOCKS = {
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "tr",
    "table",
    "ul",
    "ol",
    "blockquote",
    "figure",
    "figcaption",
    "section",
    "center",
    "pre",
    "article",
    "br",
    "dd",
    "dt",
    "header",
    "footer",
    "main",
}
_DROP = [
    "script",
    "style",
    "noscript",
    "nav",
    "form",
    "iframe",
    "svg",
    "button",
    "select",
    "input",
    "textarea",
    "template",
    "aside",
]
_DATE = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_BODY_SELECTORS = [
    "[itemprop=articleBody]",
    ".journal-content-article",
    "div[class^=ExternalClass]",
    ".article-content",
    ".detail-content",
    ".entry-content",
    ".post-content",
    ".news-content",
    ".content-detail",
    ".singular-content",
    ".fck_detail",
    "article",
]


def block_text(node: Tag) -> str:
    """Text of a node with a line break at every block element, as a reader sees it."""
    out: list[str] = []

    def walk(n: Tag) -> None:
        for child in n.children:
            if isinstance(child, Tag):
                name = child.name or ""
                if name in _BLOCKS:
                    out.append("\n")
                if name in ("td", "th"):
                    out.append(" ")
                walk(child)
                if name in _BLOCKS:
                    out.append("\n")
            else:
                out.append(str(child))

    walk(node)
    return "".join(out)


def _iso(text: str) -> str | None:
    m = _ISO.search(text)
    if m:
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    m = _DATE.search(text)
    if m:
        d, mth, y = (int(g) for g in m.groups())
        if 1 <= d <= 31 and 1 <= mth <= 12:
            return f"{y:04d}-{mth:02d}-{d:02d}"
    return None


def _meta(soup: BeautifulSoup, *names: str) -> str | None:
    for n in names:
        tag = soup.find("meta", attrs={"property": n}) or soup.find("meta", attrs={"name": n})
        if isinstance(tag, Tag) and tag.get("content"):
            return str(tag["content"]).strip()
    return None


def _date_of(soup: BeautifulSoup, selectors: list[str]) -> str | None:
    for sel in selectors:
        for t in soup.select(sel):
            found = _iso(str(t.get("datetime") or "")) or _iso(t.get_text(" ", strip=True))
            if found:
                return found
    return None


def _published(soup: BeautifulSoup) -> str | None:
    """The SharePoint date cell, then the page's own metadata, then date-looking elements.

    Metadata comes before `.date`: portal headers show today's date ("Thứ Hai, 22/01/2024")
    in such elements, above the article.
    """
    return (
        _date_of(soup, ["td.Time", ".Time"])
        or _iso(_meta(soup, "article:published_time", "pubdate", "date", "dc.date") or "")
        or _date_of(
            soup,
            [
                "article time[datetime]",
                "time[datetime]",
                ".post-date",
                ".ngaydang",
                ".date",
                ".time",
            ],
        )
    )


def _density_body(soup: BeautifulSoup) -> Tag | None:
    """The element holding the most paragraph text directly: where the article is."""
    best, best_score = None, 0.0
    for el in soup.find_all(["div", "td", "article", "section", "main"]):
        paras = [c for c in el.find_all(["p", "br"], recursive=False)]
        text_len = sum(len(p.get_text(" ", strip=True)) for p in el.find_all("p", recursive=False))
        link_len = sum(len(a.get_text(" ", strip=True)) for a in el.find_all("a"))
        score = text_len - 2 * link_len + 20 * len(paras)
        if score > best_score:
            best, best_score = el, score
    return best


def html_to_article(html: str, url: str | None = None) -> Article:
    """Parse a page. Raises InputError when it holds no readable text at all."""
    html = re.sub(r"^\s*<%@[^%]*%>", "", html)  # JSP directives left in saved pages
    soup = BeautifulSoup(html, "lxml")
    for name in _DROP:
        for t in soup.find_all(name):
            t.decompose()
    warnings: list[str] = []

    title = None
    for sel in [
        "p.Title",
        ".Title",
        "h1.title",
        "h1.article-title",
        ".nd_detail_chitiet h2",
        "h1",
        "h2.title",
    ]:
        title_el = soup.select_one(sel)
        if title_el and title_el.get_text(strip=True).lower() not in ("", "home"):
            title = title_el.get_text(" ", strip=True)
            break
    title = title or _meta(soup, "og:title", "twitter:title")
    if not title and soup.title and soup.title.string:
        title = re.split(r"\s+[|\-–]\s+", soup.title.string.strip())[0]

    published = _published(soup)

    body_el = None
    for sel in _BODY_SELECTORS:
        cands = soup.select(sel)
        if cands:
            body_el = max(cands, key=lambda c: len(c.get_text(strip=True)))
            if len(body_el.get_text(strip=True)) >= 200:
                break
            body_el = None
    if body_el is None:
        body_el = _density_body(soup) or soup.body
    if body_el is None:
        raise InputError("The HTML page has no body, so there is no article text to read.")
    # The lead (sapo) of SharePoint pages sits before the journal-content block in the same
    # ExternalClass container: take the container when it is the parent.
    parent = body_el.find_parent(
        lambda t: (
            isinstance(t, Tag)
            and any(str(c).startswith("ExternalClass") for c in (t.get("class") or []))
        )
    )
    if parent is not None:
        body_el = parent
    raw = block_text(body_el)
    lines = [re.sub(r"\s+", " ", ln).strip() for ln in raw.split("\n")]
    text = "\n".join(ln for ln in lines if ln)

    parts = split_page(text, first_line_title=not title)
    body = parts.body
    author = parts.author
    if title and body.startswith(title):
        body = body[len(title) :].lstrip("\n ")
    if not author and body:
        last = body.rsplit("\n", 1)[-1]
        if looks_like_author(last) and "\n" in body:
            author = last
            body = body.rsplit("\n", 1)[0]
    if not body.strip():
        warnings.append("The page has no article text that could be found.")
    return Article(
        text=body,
        title=title or parts.title,
        url=url or _meta(soup, "og:url"),
        published=published or parts.published,
        author=author,
        warnings=warnings,
    )
