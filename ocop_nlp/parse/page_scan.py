"""One walk over a parsed page: its links, a few head tags, and the container holding the most
text outside links (where the article is, as readability finds it)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PageElement

__all__ = ["PageBody", "PageScan", "scan_page"]

# Elements that end a run of text: a string belongs to its nearest one, its parent is the
# container whose paragraphs are summed (where the article is, as readability does it).
_BLOCK = frozenset(
    {"p", "div", "td", "th", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "dd", "dt"}
    | {"section", "article", "main", "body", "table", "tr", "ul", "ol", "pre", "figure"}
    | {"figcaption", "center", "form", "header", "footer", "nav", "aside", "html", "head", "dl"}
)
_TITLE_TAGS = frozenset({"p", "h2", "h3", "div", "span", "td"})
_TITLE_CLASSES = frozenset(
    {"title", "article-title", "entry-title", "post-title", "news-title", "tieude", "tieu-de"}
)
_NO_TEXT = frozenset({"noscript", "option", "select", "button", "title", "textarea", "template"})


@dataclass(slots=True)
class PageBody:
    chars: int = 0  # text outside links in the best container
    link_chars: int = 0
    paragraphs: int = 0  # blocks of 40+ characters in it
    headlines: int = 0  # link texts of 4+ words in it (a list of items with excerpts)


@dataclass(slots=True)
class PageScan:
    """What one walk over the parsed page gathers: its links, a few head tags, the text."""

    body: PageBody
    anchors: list[Tag]
    head_links: list[Tag]
    base: Tag | None
    h1: Tag | None
    title: Tag | None  # the first <title>
    headline: bool  # an <h1> or an element classed as a title (p.Title, h2.entry-title ...)
    og_type: str


def scan_page(soup: BeautifulSoup) -> PageScan:
    """One pass over the page: the tags we need, and the container holding the most text.

    Text is summed per container (the parent of the string's nearest block element), as
    readability does it; link text is counted apart, so a menu never looks like an article.
    """
    own: Counter[int] = Counter()
    linked: Counter[int] = Counter()
    heads: Counter[int] = Counter()
    block_chars: Counter[int] = Counter()
    block_container: dict[int, int] = {}
    anchors: list[Tag] = []
    head_links: list[Tag] = []
    base: Tag | None = None
    h1: Tag | None = None
    headline = False
    og_type = ""
    title: Tag | None = None
    # Each element's nearest block (or the no-text element hiding its strings), and whether a
    # link lies in between, handed down an explicit stack: no string walks up its ancestors.
    stack: list[tuple[Iterator[PageElement], Tag | None, bool]] = [
        (iter(soup.contents), None, False)
    ]
    while stack:
        children, block, in_link = stack[-1]
        node = next(children, None)
        if node is None:
            stack.pop()
            continue
        if isinstance(node, Tag):
            name = node.name
            if name in _BLOCK or name in _NO_TEXT:
                stack.append((iter(node.contents), node, False))
            else:
                stack.append((iter(node.contents), block, in_link or name == "a"))
            if name == "a":
                if "href" in node.attrs:
                    anchors.append(node)
            elif name == "link":
                if "href" in node.attrs:
                    head_links.append(node)
            elif name == "h1":
                h1 = h1 or node
                headline = True
            elif not headline and name in _TITLE_TAGS:
                classes = node.attrs.get("class")
                if classes and any(c.lower() in _TITLE_CLASSES for c in classes):
                    headline = True
            elif name == "base":
                if base is None and "href" in node.attrs:
                    base = node
            elif name == "meta" and node.attrs.get("property") == "og:type":
                og_type = str(node.attrs.get("content") or "").lower()
            elif name == "title" and title is None:
                title = node
            continue
        if type(node) is not NavigableString:
            continue  # comments, scripts, styles, CDATA
        n = len(node.strip())
        if not n:
            continue
        el = block
        if el is None or el.name in _NO_TEXT or el.name in ("head", "html"):
            continue
        container = id(el.parent) if el.parent is not None else id(el)
        if in_link:
            linked[container] += n
            if node.count(" ") >= 3:
                heads[container] += 1
        else:
            own[container] += n
            block_chars[id(el)] += n
            block_container[id(el)] = container
    body = PageBody()
    if own:
        best = max(own, key=lambda c: own[c] - linked[c] // 2)
        paragraphs = sum(
            1 for b, c in block_container.items() if c == best and block_chars[b] >= 40
        )
        body = PageBody(own[best], linked[best], paragraphs, heads[best])
    return PageScan(body, anchors, head_links, base, h1, title, headline, og_type)
