"""Portal pages saved as text: tell the article from the portal around it.

A page copied out of a browser (the seed page is one) carries SharePoint chrome ("Skip Ribbon
Commands", menus, "Sign In"), a headline, an "(Cập nhật lúc: 11/07/2018 10:28:58 )" line, image
captions between paragraphs and the author's name on the last line. These rules hold for
provincial portals in general; the phrases themselves live in `data/page.toml`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ocop_nlp.config import lexicon

_TERMINAL = re.compile(r"[.!?…:;\"”)»]\s*(?:/\.)?$|/\.$")
_SENTENCE_END = re.compile(r"[.!?…;]\s*$")
_DATE_IN_LINE = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_NAME_WORD = re.compile(
    r"^[A-ZĐÂĂÊÔƠƯÁÀẢÃẠẤẦẨẪẬẮẰẲẴẶÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ]"
)


@dataclass(slots=True)
class PageParts:
    title: str | None
    published: str | None
    author: str | None
    body: str
    dropped: list[str]


@cache
def _chrome() -> tuple[frozenset[str], tuple[str, ...]]:
    page = lexicon("page")
    return (
        frozenset(c.lower() for c in page["chrome_lines"]),
        tuple(c.lower() for c in page["chrome_contains"]),
    )


def _is_chrome(line: str) -> bool:
    lines, contains = _chrome()
    low = line.lower()
    if low in lines:
        return True
    if len(line.split()) >= 25 or not any(p in low for p in contains):
        return False
    return not looks_like_author(line)  # "Theo Cổng thông tin điện tử tỉnh ..." credits a source


def _date_line(line: str) -> str | None:
    page = lexicon("page")
    low = line.lower().strip("() ")
    if not any(low.startswith(p) for p in page["date_line_prefixes"]) and not re.fullmatch(
        r"\(?\s*(?:thứ \w+,?\s*)?\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}(?:\s*[-|,]?\s*\d{1,2}:\d{2}(?::\d{2})?)?\s*\)?",
        low,
    ):
        return None
    m = _DATE_IN_LINE.search(line)
    if not m:
        return None
    d, mth, y = (int(g) for g in m.groups())
    if not (1 <= d <= 31 and 1 <= mth <= 12):
        return None
    return f"{y:04d}-{mth:02d}-{d:02d}"


def looks_like_caption(line: str) -> bool:
    """'Quang cảnh Hội nghị' between two paragraphs is an image caption, not a sentence.

    Short, no final punctuation, not a list item, not a heading that introduces a list.
    """
    words = line.split()
    if not words or len(words) > 12 or _TERMINAL.search(line):
        return False
    if line[0] in "-+•*–" or line[0].isdigit():
        return False
    low = line.lower()
    page = lexicon("page")
    if any(low.startswith(p) for p in page["caption_prefixes"]):
        return True
    return len(words) <= 6


def looks_like_author(line: str) -> bool:
    """'Thu Cúc', 'Vương Hợp – TTVHTT', 'Nguồn: Báo Đắk Nông', 'Theo daknong.gov.vn', 'PV'.

    >>> looks_like_author("Tin, ảnh: Ngô Tấm"), looks_like_author("Theo đó, xã được hỗ trợ vốn")
    (True, False)
    """
    low = line.lower().strip()
    if len(line) <= 80 and low.startswith(tuple(lexicon("page")["byline_prefixes"])):
        return True
    # "Theo daknong online" names a source; "Theo kế hoạch, ..." opens a sentence.
    if re.match(r"^theo\s*[:\-]?\s*\S", low) and len(line) <= 80:
        return "," not in line and len(line.split()) <= 10 and not _SENTENCE_END.search(line)
    words = re.split(r"[\s\-–()/,]+", line.strip())
    words = [w for w in words if w]
    if not 1 <= len(words) <= 8 or len(line) > 45 or _TERMINAL.search(line):
        return False
    caps = sum(1 for w in words if _NAME_WORD.match(w) or w.isupper())
    return caps >= max(1, len(words) - 1)


def is_stub(line: str) -> bool:
    """'Xem chi tiết tại đây', 'Tải về': a link to the full text or a file, not article text."""
    low = line.lower().strip(" .:…»>\"“”'()[]")
    return low in lexicon("page")["stub_lines"]


def split_page(text: str, first_line_title: bool = True) -> PageParts:
    """Split a normalised page text into title, date, author and body.

    Without a date line, a short first line that does not end like a sentence is taken for the
    headline; `first_line_title=False` turns that guess off (an HTML page whose markup already
    named its title starts its body with a paragraph, however short).

    >>> p = split_page("Skip Ribbon Commands\\nTin mới\\n(Cập nhật lúc: 11/07/2018 10:28:58 )\\n"
    ...                "Ngày 10/7/2018, UBND tỉnh họp.\\nThu Cúc\\nSign In")
    >>> (p.title, p.published, p.author, p.body)
    ('Tin mới', '2018-07-11', 'Thu Cúc', 'Ngày 10/7/2018, UBND tỉnh họp.')
    """
    lines = text.split("\n")
    dropped: list[str] = []
    kept: list[str] = []
    for line in lines:
        (dropped if _is_chrome(line) else kept).append(line)

    title = published = author = None
    date_idx = next((i for i, ln in enumerate(kept[:12]) if _date_line(ln)), None)
    if date_idx is not None:
        published = _date_line(kept[date_idx])
        dropped.append(kept[date_idx])
        if date_idx > 0:
            title = kept[date_idx - 1]
            dropped.extend(kept[: date_idx - 1])
        kept = kept[date_idx + 1 :]
    if title is None and first_line_title and len(kept) > 1:
        first = kept[0]
        if len(first.split()) <= 40 and not re.search(r"[.;:,]$", first):
            title = first
            kept = kept[1:]

    # The author's name closes the article, before any "Xem chi tiết tại đây" link; it is kept
    # as shown ("Theo TTXVN" names a source, "Thu Cúc" a reporter).
    while kept and is_stub(kept[-1]):
        dropped.append(kept.pop())
    if len(kept) > 1 and looks_like_author(kept[-1]):
        author = kept[-1]
        dropped.append(kept.pop())

    body_lines = []
    for i, line in enumerate(kept):
        inner = 0 < i < len(kept) - 1 or (i == 0 and len(kept) > 1)
        if inner and looks_like_caption(line):
            dropped.append(line)
            continue
        body_lines.append(line)
    return PageParts(title, published, author, "\n".join(body_lines), dropped)
