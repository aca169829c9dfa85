"""HTML page -> Article: headline, displayed date, byline and the body text.

The page is parsed once and walked once; every rule reads that walk. A site profile's CSS
selectors (`PageSelectors`) go first, then rules that hold for portals in general:

- headline: the SharePoint `p.Title` and other named headline elements, `og:title`, the heading
  just before the body, the first `h1`, `<title>` — never "Home" or the site's own name;
- date: the SharePoint date cell (`td.Time`), the page's metadata, a date in brackets after the
  headline, then date elements and "Ngày đăng: ..." lines *after* the headline (a header clock
  before it shows today's date, not the article's);
- body: the article block (`div.ExternalClass…` with its lead, `.journal-content-article`,
  `.entry-content`, `[itemprop=articleBody]`, … or the densest block of paragraphs), without
  related-news lists, share and print links or captions;
- byline: the last line when it reads like one ("Thu Cúc", "Nguồn: Báo Đắk Nông", "Tin, ảnh:
  ...", "Vương Hợp – TTVHTT"), or a short right-aligned or bold closing line.

The word lists live in `data/page.toml`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

import soupsieve
from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString, PageElement, PreformattedString

from ocop_nlp.config import lexicon
from ocop_nlp.errors import ConfigError, InputError
from ocop_nlp.parse.page_text import looks_like_author, split_page
from ocop_nlp.parse.soup import PageSoup, page_soup, text_head, within_budget
from ocop_nlp.records import Article

__all__ = ["DATE_ORDERS", "PageSelectors", "block_text", "html_to_article", "parse_date"]

DATE_ORDERS = ("dmy", "mdy", "ymd")


@dataclass(frozen=True, slots=True)
class PageSelectors:
    """CSS selectors a site profile gives for its family; tried before the generic rules.

    `date_order` reads numeric dates: "dmy" (05/08/2019 is 5 August, as Vietnamese sites
    write), "mdy" or "ymd". ISO dates (2019-08-05) are read as such whatever the order.
    """

    title: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    published: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    date_order: str = "dmy"

    def __post_init__(self) -> None:
        if self.date_order not in DATE_ORDERS:
            raise ConfigError(
                f"The date order {self.date_order!r} is not known; use one of "
                f"{', '.join(DATE_ORDERS)}."
            )


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
_DROP = {
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
}
# ASP.NET (SharePoint) wraps the whole page in one <form>: a form holding this much text is the
# page, not a search box.
_PAGE_FORM_CHARS = 500
# Named article blocks, best first; a `*` entry is a class prefix (SharePoint's rich-text field
# gets a generated class name, ExternalClass<hex>).
_BODY_CLASSES = (
    "ExternalClass*",
    "journal-content-article",
    "article-content",
    "detail-content",
    "entry-content",
    "post-content",
    "news-content",
    "content-detail",
    "singular-content",
    "fck_detail",
    "article-body",
    "item-page",
)
_TITLE_CLASSES = (
    ("p", "Title"),
    ("", "Title"),
    ("", "entry-title"),
    ("", "article-title"),
    ("h1", "title"),
    ("", "detail-title"),
    ("", "title-detail"),
    ("", "post-title"),
    ("h2", "title"),
)
_TITLE_META = ("og:title", "twitter:title")
_SITE_META = ("og:site_name", "application-name")
_DATE_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "dc.date.issued",
    "dc.date",
    "date",
)
_AUTHOR_META = ("author", "article:author", "dc.creator")
_SPLIT_TITLE = re.compile(r"(\s+[|\-–—:»]\s+|\s*\|\s*)")
# "( )" or "( 2019-05-16T05:00:00.000Z )" after a headline: the page's date field, not the headline.
_TRAILING_BRACKET = re.compile(
    r"\s*[(\[]\s*((?:\d{4}-\d{1,2}-\d{1,2}(?:[T ][\d:.]+(?:Z|[+\-]\d{2}:?\d{2})?)?"
    r"|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}(?:\s*[-,]?\s*\d{1,2}:\d{2}(?::\d{2})?)?)?)\s*[)\]]\s*$"
)
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_NUMERIC = re.compile(r"(?<!\d)(\d{1,4})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{1,4})(?!\d)")
_SPACED = re.compile(r"(?<![\d/.:\-])(\d{1,2})\s+(\d{1,2})\s+(\d{4})(?!\d)")
# Months in words (the alternation is longest first, so "mười hai" is not read as "mười").
# "năm" (May) is left out: "6 tháng năm 2022" is "the six months of 2022".
_MONTH_WORDS = {
    "giêng": 1, "một": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "sáu": 6, "bảy": 7,
    "tám": 8, "chín": 9, "mười": 10, "mười một": 11, "mười hai": 12, "chạp": 12,
}  # fmt: skip
_MONTH_ALT = "|".join(sorted(_MONTH_WORDS, key=len, reverse=True))
# "ngày 24 tháng 12 năm 2022", "24 tháng 12, 2022", "24 Tháng Mười Hai 2022"
_WORDED = re.compile(
    rf"(?:ngày\s+)?(?<!\d)(\d{{1,2}})\s+tháng\s+(\d{{1,2}}|{_MONTH_ALT})\s*(?:năm|,|/)?\s*(\d{{4}})(?!\d)",
    re.IGNORECASE,
)
# Article ids that start with their publication time (dantri, vnexpress-style CMSs):
# "...-20221224095943188.htm" is 2022-12-24 09:59:43.
_URL_STAMP = re.compile(
    r"(?<!\d)(20\d{2})(\d{2})(\d{2})([01]\d|2[0-3])([0-5]\d)([0-5]\d)\d{0,4}(?:\.\w+)?$"
)
_URL_DAY_PATH = re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/")
# A line opening with a weekday and a date: "Thứ Năm, 22/12/2022, 08:00 (GMT+7)".
_WEEKDAY_DATE = r"^\s*(?:thứ\s*(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s*nhật|cn)\s*[,\-–|]?\s*(?:ngày\s+)?\d{1,4}\s*[/.\-\s]"
_RIGHT = re.compile(r"text-align\s*:\s*right", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…;:]\s*$")


def _words_pattern(words: Iterable[str]) -> re.Pattern[str]:
    alts = "|".join(sorted((re.escape(w.lower()) for w in words), key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{alts})(?![a-z0-9])")


@dataclass(frozen=True, slots=True)
class _Rules:
    """The word lists of data/page.toml, compiled once."""

    furniture: re.Pattern[str]
    lead: re.Pattern[str]
    date_class: re.Pattern[str]
    date_label: re.Pattern[str]
    not_titles: frozenset[str]
    site_prefixes: tuple[str, ...]
    author_class: re.Pattern[str]
    author_furniture: re.Pattern[str]
    source_class: re.Pattern[str]


@cache
def _rules() -> _Rules:
    page = lexicon("page")
    return _Rules(
        furniture=_words_pattern(page["furniture_class_words"]),
        lead=_words_pattern(page["lead_class_words"]),
        date_class=_words_pattern(page["date_class_words"]),
        date_label=re.compile(
            "|".join([*(re.escape(p) for p in page["date_line_prefixes"]), _WEEKDAY_DATE]),
            re.IGNORECASE,
        ),
        not_titles=frozenset(t.lower() for t in [*page["not_titles"], *page["chrome_lines"]]),
        site_prefixes=tuple(p.lower() for p in page["site_name_prefixes"]),
        author_class=_words_pattern(page["author_class_words"]),
        author_furniture=_words_pattern(page["author_furniture_words"]),
        source_class=_words_pattern(page["source_class_words"]),
    )


def block_text(node: Tag) -> str:
    """Text of a node with a line break at every block element, as a reader sees it.

    Comments, doctype and processing instructions are not text (archived pages carry
    archive.org comments such as "TIMESTAMPS").
    """
    out: list[str] = []
    # An explicit stack, not recursion: a legacy page nests 1,200 unclosed <font> tags.
    stack: list[tuple[Iterator[PageElement], str]] = [(iter(node.contents), "")]
    while stack:
        children, closing = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            out.append(closing)
        elif isinstance(child, Tag):
            name = child.name or ""
            block = name in _BLOCKS
            if block:
                out.append("\n")
            if name in ("td", "th"):
                out.append(" ")
            stack.append((iter(child.contents), "\n" if block else ""))
        elif not isinstance(child, PreformattedString):
            # A newline in the source is a space to a reader; lines come from blocks.
            out.append(str(child).replace("\r", " ").replace("\n", " "))
    return "".join(out)


def _date(y: int, m: int, d: int) -> str | None:
    if not 1900 <= y <= 2100:
        return None
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def parse_date(text: str, order: str = "dmy", spaced: bool = False) -> str | None:
    """The first date in `text` as "YYYY-MM-DD", or None.

    `spaced` also reads day, month and year separated by blanks ("thứ năm, 08 08 2019 08:51"),
    which only a date element is trusted with.

    >>> parse_date("(Cập nhật lúc: 11/07/2018 10:28:58 )"), parse_date("2019-05-16T05:00:00Z")
    ('2018-07-11', '2019-05-16')
    >>> parse_date("08/05/2019", order="mdy"), parse_date("ngày 5 tháng 8 năm 2019")
    ('2019-08-05', '2019-08-05')
    """
    m = _ISO.search(text)
    if m and (found := _date(int(m[1]), int(m[2]), int(m[3]))):
        return found
    m = _WORDED.search(text)
    if m:
        month = int(m[2]) if m[2].isdigit() else _MONTH_WORDS[" ".join(m[2].lower().split())]
        if found := _date(int(m[3]), month, int(m[1])):
            return found
    for m in _NUMERIC.finditer(text):
        a, b, c = m.groups()
        if len(a) == 4:
            found = _date(int(a), int(b), int(c))
        elif len(c) == 4 and order == "mdy":
            found = _date(int(c), int(a), int(b))
        elif len(c) == 4:
            found = _date(int(c), int(b), int(a))
        else:
            continue
        if found:
            return found
    if spaced:
        for m in _SPACED.finditer(text):
            a, b, y = (int(g) for g in m.groups())
            found = _date(y, a, b) if order == "mdy" else _date(y, b, a)
            if found:
                return found
    return None


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u200b", " ")).strip()


def _text_sums(soup: BeautifulSoup) -> tuple[dict[int, int], dict[int, int]]:
    """Per element: characters of its stripped text, and of the text of the links inside it.

    Summed bottom-up in one walk; asking each candidate block for its text costs its whole
    subtree, and nested candidates make that quadratic.
    """
    text: dict[int, int] = {}
    links: dict[int, int] = {}
    stack: list[tuple[Tag, Iterator[PageElement]]] = [(soup, iter(soup.contents))]
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if stack:
                parent, own = id(stack[-1][0]), id(node)
                text[parent] = text.get(parent, 0) + text.get(own, 0)
                inner = links.get(own, 0) + (text.get(own, 0) if node.name == "a" else 0)
                links[parent] = links.get(parent, 0) + inner
        elif isinstance(child, Tag):
            stack.append((child, iter(child.contents)))
        elif isinstance(child, NavigableString) and type(child) in Tag.MAIN_CONTENT_STRING_TYPES:
            n = len(child.strip())
            if n:
                text[id(node)] = text.get(id(node), 0) + n
    return text, links


class _Page:
    """One walk over the parsed page: document order, elements by class, tag and attribute."""

    def __init__(self, soup: BeautifulSoup) -> None:
        self.soup = soup
        self.order: dict[int, int] = {}
        self.by_class: dict[str, list[Tag]] = {}
        self.by_name: dict[str, list[Tag]] = {}
        self.external: list[Tag] = []  # SharePoint rich-text fields, div.ExternalClass<hex>
        self.itemprop: dict[str, list[Tag]] = {}
        self.ids: list[Tag] = []
        # Where each element's subtree ends in document order: "is A inside B" without a walk.
        self.last: dict[int, int] = {}
        open_els: list[Tag] = []
        for i, el in enumerate(soup.find_all(True)):
            self.order[id(el)] = i
            while open_els and open_els[-1] is not el.parent:
                self.last[id(open_els.pop())] = i - 1
            open_els.append(el)
            self.by_name.setdefault(el.name, []).append(el)
            attrs = el.attrs
            classes = attrs.get("class")
            if classes:
                for c in classes:
                    self.by_class.setdefault(c, []).append(el)
                    if c.startswith("ExternalClass") and el.name == "div":
                        self.external.append(el)
            if attrs.get("id"):
                self.ids.append(el)
            prop = attrs.get("itemprop")
            if prop:
                self.itemprop.setdefault(str(prop).lower(), []).append(el)
        for el in open_els:
            self.last[id(el)] = len(self.order) - 1
        self._sums: tuple[dict[int, int], dict[int, int]] | None = None
        self.meta: dict[str, str] = {}
        for el in self.by_name.get("meta", []):
            key = el.get("property") or el.get("name") or el.get("itemprop")
            content = el.get("content")
            if key and content and str(key).lower() not in self.meta:
                self.meta[str(key).lower()] = str(content).strip()

    def text_len(self, el: Tag) -> int:
        """`len(el.get_text(strip=True))`, from one pass over the page instead of one per call."""
        if self._sums is None:
            self._sums = _text_sums(self.soup)
        if el.__dict__.get("interesting_string_types") != Tag.MAIN_CONTENT_STRING_TYPES:
            return len(el.get_text(strip=True))  # <script>, <rt> ...: bs4 reads other strings
        return self._sums[0].get(id(el), 0)

    def link_len(self, el: Tag) -> int:
        """The text of the links inside `el`: sum(len(a.get_text(strip=True)) for a in ...)."""
        self.text_len(el)
        assert self._sums is not None
        return self._sums[1].get(id(el), 0)

    def pos(self, el: Tag) -> int:
        return self.order.get(id(el), -1)

    def inside(self, el: Tag, container: Tag) -> bool:
        """Is `el` a descendant of `container`?"""
        return self.pos(container) < self.pos(el) <= self.last.get(id(container), -1)

    def first_meta(self, names: Iterable[str]) -> str | None:
        return next((self.meta[n] for n in names if self.meta.get(n)), None)


# --- headline ----------------------------------------------------------------------------


def _site_names(page: _Page) -> set[str]:
    return {page.meta[n].lower() for n in _SITE_META if page.meta.get(n)}


def _is_site_name(text: str, sites: set[str]) -> bool:
    low = text.lower()
    rules = _rules()
    if low in sites or low in rules.not_titles:
        return True
    return len(text.split()) <= 12 and low.startswith(rules.site_prefixes)


def _without_site_name(text: str, sites: set[str]) -> str:
    """'Headline - Cổng thông tin điện tử tỉnh X' -> 'Headline'; the headline's own dashes stay."""
    parts = _SPLIT_TITLE.split(text)
    words, seps = parts[0::2], parts[1::2]
    while len(words) > 1 and _is_site_name(words[-1].strip(), sites):
        words.pop()
        seps.pop()
    while len(words) > 1 and _is_site_name(words[0].strip(), sites):
        words.pop(0)
        seps.pop(0)
    return "".join(w + s for w, s in zip(words, [*seps, ""], strict=False)).strip()


def _headline_text(el: Tag) -> tuple[str, str | None]:
    """The headline and a date shown in brackets after it: 'Tin mới ( 2019-05-16T05:00Z )'."""
    text = _squash(el.get_text(" ", strip=True))
    m = _TRAILING_BRACKET.search(text)
    if m and m.start() > 0:
        return text[: m.start()].strip(), parse_date(m[1]) if m[1] else None
    return text, None


def _acceptable(text: str, sites: set[str]) -> bool:
    return bool(text) and len(text) <= 400 and not _is_site_name(text, sites)


def _title(
    page: _Page, sel: PageSelectors, body: Tag | None
) -> tuple[str | None, Tag | None, str | None]:
    """(headline, its element, a date shown with it)."""
    sites = _site_names(page)
    for css in sel.title:
        for el in page.soup.select(css):
            text, date = _headline_text(el)
            if text:
                return text, el, date
    og = page.first_meta(_TITLE_META)
    og_text = _without_site_name(_squash(og), sites) if og else ""
    for name, cls in _TITLE_CLASSES:
        found = []
        for el in page.by_class.get(cls, []):
            if name and el.name != name:
                continue
            text, date = _headline_text(el)
            if _acceptable(text, sites):
                found.append((text, el, date))
        if len({text for text, _, _ in found}) > 1:
            # The headlines of a list of other articles; the page's own one, when named, is og:title.
            found = [f for f in found if f[0] == og_text]
        if found:
            return found[0]
    for el in page.itemprop.get("headline", []):
        text, date = _headline_text(el)
        if _acceptable(text, sites):
            return text, el, date
    if og_text and _acceptable(og_text, sites):
        return og_text, None, None
    if body is not None:
        heading = body.find_previous(["h1", "h2", "h3"])
        if isinstance(heading, Tag) and _near(heading, body):
            text, date = _headline_text(heading)
            if _acceptable(text, sites):
                return text, heading, date
    for el in page.by_name.get("h1", []):
        text, date = _headline_text(el)
        if _acceptable(text, sites):
            return text, el, date
    for el in page.by_name.get("title", [])[:1]:
        text = _without_site_name(_squash(el.get_text(" ")), sites)
        if _acceptable(text, sites):
            return text, None, None
    return None, None, None


def _near(heading: Tag, body: Tag) -> bool:
    """The heading sits in the body's container (up to two levels above the body)."""
    containers = {id(p) for p in (body.parent, body.parent.parent if body.parent else None) if p}
    return any(id(p) in containers for p in heading.parents)


# --- body --------------------------------------------------------------------------------


def _outermost(page: _Page, els: list[Tag]) -> list[Tag]:
    """Drop the matches nested in another match: their text is already counted."""
    kept: set[int] = set()
    reach = -1  # the end of the outermost match seen so far, in document order
    for el in sorted(els, key=page.pos):
        pos = page.pos(el)
        if pos < 0 or pos > reach:
            kept.add(id(el))
            reach = max(reach, page.last.get(id(el), pos))
    return [el for el in els if id(el) in kept]


def _body(page: _Page, sel: PageSelectors) -> list[Tag]:
    for css in sel.body:
        found = _outermost(page, [el for el in page.soup.select(css) if page.text_len(el) > 0])
        if found:
            return found
    for cls in _BODY_CLASSES:
        if cls.endswith("*"):
            cands = page.external
        elif cls == "article-body":
            cands = page.by_class.get(cls, []) + page.itemprop.get("articlebody", [])
        else:
            cands = page.by_class.get(cls, [])
        if cands:
            best = max(cands, key=page.text_len)
            if page.text_len(best) >= 200 and not _teasers(page, cands, best):
                return [best]
    for el in page.by_name.get("article", []):
        if page.text_len(el) >= 200:
            return [max(page.by_name["article"], key=page.text_len)]
    dense = _density_body(page)
    if dense is not None:
        return [dense]
    return page.by_name.get("body", [])[:1]


def _teasers(page: _Page, cands: list[Tag], best: Tag) -> bool:
    """Several blocks of the class, none twice the next: the summaries of a related-news list
    ("article-content" on each item), not the article."""
    if len(cands) < 2:
        return False
    sizes = sorted((page.text_len(el) for el in cands), reverse=True)
    return sizes[0] < 2 * sizes[1]


def _children(el: Tag, names: tuple[str, ...]) -> list[Tag]:
    """`el.find_all(names, recursive=False)`, without bs4's costly set-up of a search per call."""
    return [c for c in el.contents if isinstance(c, Tag) and c.name in names]


def _density_body(page: _Page) -> Tag | None:
    """The element holding the most paragraph text directly: where the article is.

    Link text counts against a block, so a list of headlines loses to the paragraphs; it is
    measured only for the best few blocks by paragraph text, which keeps this one pass.
    """
    scored: list[tuple[float, int, Tag]] = []
    for name in ("div", "td", "article", "section", "main"):
        for el in page.by_name.get(name, []):
            paras = _children(el, ("p", "br"))
            if not paras:
                continue
            text_len = sum(len(p.get_text(" ", strip=True)) for p in paras if p.name == "p")
            scored.append((text_len + 20 * len(paras), page.pos(el), el))
    scored.sort(key=lambda s: (-s[0], s[1]))
    best, best_score = None, 0.0
    for score, _, el in scored[:8]:
        link_len = sum(len(a.get_text(" ", strip=True)) for a in el.find_all("a"))
        if score - 2 * link_len > best_score:
            best, best_score = el, score - 2 * link_len
    return best


def _with_lead(page: _Page, body: Tag, title_el: Tag | None) -> list[Tag]:
    """The body and its lead (sapo) when the page keeps the lead apart, after the headline."""
    # SharePoint keeps the lead and the journal-content block in one ExternalClass field.
    external = {id(el) for el in page.external}
    for parent in body.parents:
        if id(parent) in external:
            return [parent]
    start = page.pos(title_el) if title_el is not None else -1
    end = page.pos(body)
    lead_words = _rules().lead
    leads: list[Tag] = []
    if start >= 0:
        for cls, els in page.by_class.items():
            if not lead_words.search(cls.lower()):
                continue
            for el in els:
                if start < page.pos(el) < end and not page.inside(el, body):
                    leads.append(el)
    leads = _outermost(page, [el for el in leads if page.text_len(el) > 0])
    leads.sort(key=page.pos)
    return [*leads, body]


def _keep_photo_story_captions(part: Tag) -> None:
    """In a photo story the captions are the text: kept when they outweigh the paragraphs."""
    captions = part.find_all("figcaption")
    if not captions:
        return
    caption_len = sum(len(c.get_text(strip=True)) for c in captions)
    if 2 * caption_len > len(part.get_text(strip=True)):
        for c in captions:
            c.name = "p"
            c.attrs.pop("class", None)


def _drop_furniture(page: _Page, part: Tag) -> None:
    """Related-news lists, share/print links, captions and tag lists inside the article block."""
    words = _rules().furniture
    for el in part.find_all(True):
        if _decomposed(el):
            continue
        if el.name == "figcaption":
            el.decompose()
            continue
        label = " ".join([*(el.get("class") or []), str(el.get("id") or "")]).lower()
        furniture = bool(label.strip()) and words.search(label) is not None
        if furniture or (el.name in ("ul", "ol") and _is_link_list(page, el)):
            el.decompose()


def _decomposed(el: Tag) -> bool:
    """`el.decomposed` without its fall-back: on a tag never decomposed, bs4 looks for a child tag
    named "_decomposed" through all the descendants, which makes clean-up quadratic."""
    return bool(el.__dict__.get("_decomposed"))


def _is_link_list(page: _Page, el: Tag) -> bool:
    """A list whose items are mostly links: other articles, not the article's own list.

    Read before anything inside it is dropped (elements come in document order), so the sums
    taken over the whole page still hold for it.
    """
    items = _children(el, ("li",))
    if len(items) < 2:
        return False
    text = page.text_len(el)
    links = page.link_len(el)
    return text > 0 and links >= 0.8 * text


# --- date and byline ---------------------------------------------------------------------


def _date_in(el: Tag, order: str) -> str | None:
    for attr in ("datetime", "content", "title"):
        value = el.get(attr)
        if value and (found := parse_date(str(value), order)):
            return found
    return parse_date(text_head(el, 200), order, spaced=True)


def _published(
    page: _Page,
    sel: PageSelectors,
    title_el: Tag | None,
    heading_date: str | None,
    ld: _LinkedData,
) -> str | None:
    order = sel.date_order
    for css in sel.published:
        for el in page.soup.select(css):
            if found := _date_in(el, order):
                return found
    # The SharePoint news header cell; it sits above the headline, in the article's own row.
    for el in page.by_class.get("Time", []):
        if found := _date_in(el, order):
            return found
    meta = page.first_meta(_DATE_META)
    if meta and (found := parse_date(meta, order)):
        return found
    if ld.published:
        return ld.published
    if heading_date:
        return heading_date
    start = page.pos(title_el) if title_el is not None else -1
    article = title_el.find_parent("article") if title_el is not None else None
    date_words = _rules().date_class
    cands: list[Tag] = list(page.by_name.get("time", []))
    cands += page.itemprop.get("datepublished", [])
    cands += [el for c, els in page.by_class.items() if date_words.search(c.lower()) for el in els]
    for el in sorted(cands, key=page.pos):
        if page.pos(el) < start and not (article is not None and page.inside(el, article)):
            continue  # before the headline: a header clock showing today's date
        if start < 0 and el.find_parent(["header", "nav"]) is not None:
            continue
        if found := _date_in(el, order):
            return found
    label = _rules().date_label
    for s in page.soup.find_all(string=label):
        parent = s.parent
        if not isinstance(parent, Tag) or page.pos(parent) < start:
            continue
        text = str(s) if parse_date(str(s), order) else text_head(parent, 200)
        if found := parse_date(text[:200], order):
            return found
    return None


# Schema.org types whose datePublished and author are the article's.
_ARTICLE_TYPES = frozenset(
    {"article", "newsarticle", "blogposting", "reportagenews", "analysisnewsarticle",
     "opinionnewsarticle", "backgroundnewsarticle", "report", "liveblogposting"}
)  # fmt: skip
# A JSON-LD block longer than this is not article metadata; it is not read (hostile pages).
_LD_MAX_CHARS = 200_000
_LD_MAX_NODES = 500


@dataclass(slots=True)
class _LinkedData:
    """The article's JSON-LD (NewsArticle, Article, ...): its date, byline and headline."""

    published: str | None = None
    author: str | None = None
    headline: str | None = None


def _ld_names(value: object) -> list[str]:
    """Person names of a JSON-LD author: a string, a Person, or a list of them."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items[:10]:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            kind = str(item.get("@type") or "person").lower()
            if kind == "person" and isinstance(item.get("name"), str):
                names.append(item["name"])
    return [n for n in (_squash(n) for n in names) if n]


def _linked_data(soup: BeautifulSoup) -> _LinkedData:
    """Read before the scripts are dropped; broken or huge blocks are skipped, not errors."""
    found = _LinkedData()
    for script in soup.find_all("script", type=re.compile(r"ld\+json", re.IGNORECASE)):
        raw = script.string
        if not raw or len(raw) > _LD_MAX_CHARS:
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        stack: list[object] = [data]
        seen = 0
        while stack and seen < _LD_MAX_NODES:
            node = stack.pop()
            seen += 1
            if isinstance(node, list):
                stack.extend(reversed(node))
                continue
            if not isinstance(node, dict):
                continue
            if "@graph" in node:
                stack.append(node["@graph"])
            kinds = node.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if not any(isinstance(k, str) and k.lower() in _ARTICLE_TYPES for k in kinds):
                continue
            date = node.get("datePublished") or node.get("dateCreated")
            if found.published is None and isinstance(date, str):
                found.published = parse_date(date)
            names = _ld_names(node.get("author"))
            if found.author is None and names:
                found.author = ", ".join(names)
            if found.headline is None and isinstance(node.get("headline"), str):
                found.headline = _squash(node["headline"]) or None
    return found


def _url_date(url: str | None) -> str | None:
    """The date a URL carries: /2022/12/24/ in the path, or an id starting with its timestamp."""
    if not url:
        return None
    path = urlsplit(url).path
    m = _URL_DAY_PATH.search(path)
    if m and (found := _date(int(m[1]), int(m[2]), int(m[3]))):
        return found
    m = _URL_STAMP.search(path.rsplit("/", 1)[-1])
    if m:
        return _date(int(m[1]), int(m[2]), int(m[3]))
    return None


_CREDIT = re.compile(r"(?:theo|nguồn)\b", re.IGNORECASE)
_BYLINE_LABEL = re.compile(
    r"^(?:tác giả|bởi|by|người viết|viết bởi|đăng bởi|posted by|written by|bút danh)\s*[:：]?\s*",
    re.IGNORECASE,
)
# A date or a clock after the name in a byline row: "Hà Phong - 24/12/2022 10:24".
_BYLINE_TAIL = re.compile(
    r"\s*[|–—\-,]?\s*(?:(?:thứ|chủ nhật)\b.*|\d{1,4}\s*[/.\-:]\s*\d{1,2}.*|\d+\s+(?:giờ|phút|ngày)\s+trước.*)$",
    re.IGNORECASE,
)


def _byline_text(el: Tag) -> str | None:
    text = _squash(el.get_text(" ", strip=True))
    text = _BYLINE_TAIL.sub("", _BYLINE_LABEL.sub("", text)).strip(" -–—|,:")
    if not text or len(text) > 80 or len(text.split()) > 10 or _SENTENCE_END.search(text):
        return None
    if not any(c.isalpha() for c in text):
        return None
    return text


def _author_element(page: _Page, title_el: Tag | None) -> str | None:
    """The byline in an element named for it (class or id author, tac-gia, byline, ...).

    Read after the body's furniture was dropped: elements gone from the page are passed over.
    """
    rules = _rules()
    cands = list(page.itemprop.get("author", []))
    cands += [
        el for c, els in page.by_class.items() if rules.author_class.search(c.lower()) for el in els
    ]
    cands += [
        el
        for el in page.by_name.get("a", [])
        if not _decomposed(el) and "author" in (el.get("rel") or [])
    ]
    # A credit line in a "source" block counts when it reads as one: "Theo Forbes".
    cands += [
        el
        for c, els in page.by_class.items()
        if rules.source_class.search(c.lower())
        for el in els
        if not _decomposed(el) and _CREDIT.match(text_head(el, 40).lstrip())
    ]
    cands += [
        el
        for el in page.ids
        if not _decomposed(el) and rules.author_class.search(str(el.get("id")).lower())
    ]
    cands = sorted(
        {
            id(el): el for el in cands if not _decomposed(el) and el.name not in ("meta", "link")
        }.values(),
        key=page.pos,
    )
    start = page.pos(title_el) if title_el is not None else -1
    article = title_el.find_parent("article") if title_el is not None else None
    for i, el in enumerate(cands):
        if _decomposed(el):
            continue
        if any(page.inside(other, el) for other in cands[i + 1 : i + 4]):
            continue  # the row around the name ("author-wrap"): its name element comes next
        if page.pos(el) < start and not (article is not None and page.inside(el, article)):
            continue
        if start < 0 and el.find_parent(["header", "nav"]) is not None:
            continue
        if _in_furniture(el, rules.author_furniture):
            continue  # a comment's or a related article's author
        if text := _byline_text(el):
            return text
    return None


def _in_furniture(el: Tag, words: re.Pattern[str]) -> bool:
    for node in [el, *el.parents]:
        label = " ".join([*(node.get("class") or []), str(node.get("id") or "")]).lower()
        if label.strip() and words.search(label):
            return True
    return False


def _fold(text: str) -> str:
    """'Dân Trí' -> 'dantri': for comparing a name with a host."""
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in text if c.isalnum() and not unicodedata.combining(c))


def _is_publisher(name: str, page: _Page, url: str | None) -> bool:
    """`<meta name=author content="Dân Trí">` names the paper, not the writer."""
    low = name.lower()
    sites = [*_site_names(page), page.meta.get("copyright", "").lower()]
    if any(low in site for site in sites if site):
        return True
    host = urlsplit(url or page.meta.get("og:url") or "").hostname or ""
    folded = _fold(name)
    return bool(folded) and folded in _fold(host)


def _closing_line_is_byline(parts: list[Tag], last_line: str) -> bool:
    """The closing line is set apart as a byline: right-aligned, or all in bold."""
    if not last_line or len(last_line) > 60 or len(last_line.split()) > 10:
        return False
    if _SENTENCE_END.search(last_line):
        return False
    for el in reversed(parts[-1].find_all(["p", "div", "span", "strong", "b", "td"])):
        if _squash(el.get_text(" ")) != last_line:
            continue
        node: Tag | None = el
        while node is not None and node is not parts[-1].parent:
            if _RIGHT.search(str(node.get("style") or "")) or node.get("align") == "right":
                return True
            if node.name in ("strong", "b"):
                return True
            node = node.parent
        bold = el.find(["strong", "b"])
        return bold is not None and _squash(bold.get_text(" ")) == last_line
    return False


def _author(page: _Page, sel: PageSelectors) -> str | None:
    for css in sel.author:
        for el in page.soup.select(css):
            text = _squash(el.get_text(" ", strip=True))
            if text:
                return text
    return None


# --- the page ----------------------------------------------------------------------------


def html_to_article(
    html: str,
    url: str | None = None,
    selectors: PageSelectors | None = None,
    soup: BeautifulSoup | None = None,
) -> Article:
    """Parse a page. Raises InputError when it holds no readable text at all.

    `selectors` (from a site profile) are tried before the generic rules, field by field.
    `soup`, when given, is `html` already parsed with lxml (the crawler's, after it read the
    links); page furniture is removed from it in place.
    """
    sel = selectors or PageSelectors()
    for group in (sel.title, sel.body, sel.published, sel.author):
        for css in group:
            _check_css(css)
    if soup is None or not within_budget(soup):
        html = re.sub(r"^\s*<%@[^%]*%>", "", html)  # JSP directives left in saved pages
        soup = page_soup(html)
    warnings = list(soup.budget_warnings) if isinstance(soup, PageSoup) else []
    ld = _linked_data(soup)  # before the scripts go
    # One walk; find_all with a list of names is several times slower in bs4.
    for t in [el for el in soup.find_all(True) if el.name in _DROP]:
        if _decomposed(t):
            continue
        if t.name == "form" and _longer_than(t, _PAGE_FORM_CHARS):
            continue
        t.decompose()
    page = _Page(soup)

    body_els = _body(page, sel)
    if not body_els:
        raise InputError("The HTML page has no body, so there is no article text to read.")
    title, title_el, heading_date = _title(page, sel, body_els[0])
    published = _published(page, sel, title_el, heading_date, ld)
    author = _author(page, sel)
    if not sel.body:
        body_els = _with_lead(page, body_els[0], title_el)
    for part in body_els:
        _keep_photo_story_captions(part)
        _drop_furniture(page, part)
    raw = "\n".join(block_text(part) for part in body_els)
    lines = [_squash(ln) for ln in raw.split("\n")]
    text = "\n".join(ln for ln in lines if ln)

    parts = split_page(text, first_line_title=not title)
    body = parts.body
    if title and body.startswith(title):
        body = body[len(title) :].lstrip("\n ")
    if author:
        if body.endswith(author):
            body = body[: -len(author)].rstrip("\n ")
    elif parts.author:
        author = parts.author
    elif body and "\n" in body:
        last = body.rsplit("\n", 1)[-1]
        if looks_like_author(last) or _closing_line_is_byline(body_els, last):
            author = last
            body = body.rsplit("\n", 1)[0]
    # The signed closing line goes first: a CMS's byline element often names the account that
    # posted the article ("Đăng bởi Ban biên tập"), not its writer.
    if not author:
        author = _author_element(page, title_el)
    if not author and ld.author and not _is_publisher(ld.author, page, url):
        author = ld.author
    if not author:
        meta_author = page.first_meta(_AUTHOR_META)
        if (
            meta_author
            and looks_like_author(meta_author)
            and not _is_publisher(meta_author, page, url)
        ):
            author = meta_author
    if not body.strip():
        warnings.append("The page has no article text that could be found.")
    return Article(
        text=body,
        title=title or parts.title,
        url=url or page.meta.get("og:url"),
        # A date the page shows, else the one its address carries ("/2022/12/24/", "-20221224...").
        published=published or parts.published or _url_date(url or page.meta.get("og:url")),
        author=author,
        warnings=warnings,
    )


def _longer_than(el: Tag, limit: int) -> bool:
    """`len(el.get_text()) > limit`, reading no further than the limit."""
    size = 0
    for s in el.strings:
        size += len(s)
        if size > limit:
            return True
    return False


@cache
def _check_css(css: str) -> None:
    """A profile's selector is checked once, with a message naming it."""
    try:
        soupsieve.compile(css)
    except (soupsieve.SelectorSyntaxError, ValueError) as e:
        first = str(e).splitlines()[0]
        raise ConfigError(f"The CSS selector {css!r} is not valid ({first}).") from e
