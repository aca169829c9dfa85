"""Officials: "Phó Chủ tịch UBND tỉnh Đỗ Thị Minh Hoa" -> title + name, by rules and lexicon.

underthesea's CRF NER reads "UBND tỉnh Đỗ Thị Minh Hoa" as one location, so the decision is
ours: a title head from the lexicon, the body and place it belongs to, then a run of capitalised
words that starts with a family name. A place before the name is split off by the same lexicon
("UBND tỉnh Bắc Kạn Đỗ Thị Minh Hoa").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ocop_nlp.extract.resources import Resources, per_resources

UPPER = "A-ZĐÂĂÊÔƠƯÁÀẢÃẠẤẦẨẪẬẮẰẲẴẶÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ"
_CAPWORD = rf"[{UPPER}][\w'’]*"


@dataclass(frozen=True, slots=True)
class OfficialMatch:
    start: int
    end: int
    title: str | None
    name: str | None


def _alt(items: list[str]) -> str:
    return "|".join(re.escape(x) for x in sorted(set(items), key=len, reverse=True))


@per_resources
def _patterns(r: Resources) -> dict[str, re.Pattern[str]]:
    t = r.lexicon("titles")
    head = (
        rf"(?:(?:{_alt(t['head_prefixes'])})\s+)?(?:{_alt(t['heads'])})"
        rf"(?:\s+(?:{_alt(t['head_suffixes'])}))?(?![\w])"
    )
    return {
        "head": re.compile(head),
        "body": re.compile(rf"\s+(?:{_alt(t['bodies'])})(?![\w&])", re.IGNORECASE),
        "level": re.compile(rf"\s+(?:{_alt(t['levels'])})(?![\w])"),
        "place": re.compile(rf"\s+(?:{_alt(t['places'])})(?![\w])"),
        "run": re.compile(rf"\s+{_CAPWORD}(?:\s+{_CAPWORD})*"),
        "honorific_name": re.compile(
            rf"(?:[Đđ]ồng chí|[Đđ]/c|\b[Ôô]ng|\b[Bb]à)\s+({_CAPWORD}(?:\s+{_CAPWORD}){{1,4}})"
            r"\s*[,–\-]\s*"
        ),
    }


@per_resources
def _surnames(r: Resources) -> frozenset[str]:
    return frozenset(r.lexicon("titles")["surnames"])


def _split_name(run: str, after_level: bool) -> tuple[str, str | None]:
    """Split a run of capitalised words into (place, name)."""
    words = run.split()
    sur = _surnames()
    n = len(words)
    for i, w in enumerate(words):
        if w in sur and 2 <= n - i <= 5 and (i > 0 or not after_level or n - i <= 4):
            return " ".join(words[:i]), " ".join(words[i:])
    if not after_level and 2 <= n <= 4:
        return "", run.strip()
    return run.strip(), None


def match_official_at(text: str, pos: int) -> OfficialMatch | None:
    """The official whose title starts exactly at `pos`, or None."""
    p = _patterns()
    m = p["head"].match(text, pos)
    if not m:
        return None
    end = title_end = m.end()
    after_level = False
    b = p["body"].match(text, end)
    if b:
        end = title_end = b.end()
    lv = p["level"].match(text, end)
    if lv:
        end = title_end = lv.end()
        after_level = True
    pl = p["place"].match(text, end)
    if pl:
        end = title_end = pl.end()
        after_level = False
    name = None
    r = p["run"].match(text, end)
    if r:
        place, name = _split_name(r.group(0), after_level)
        if place:
            # The place belongs to the title: "Chủ tịch UBND tỉnh Bắc Kạn".
            title_end = r.start() + r.group(0).index(place) + len(place)
        end = r.end() if name else title_end
    title = re.sub(r"\s+", " ", text[pos:title_end]).strip()
    return OfficialMatch(pos, end, title, name)


def split_title(title: str) -> tuple[str, str]:
    """(position, what follows it) of a title as extracted; ("", title) without a known head.

    >>> split_title("Phó Chủ tịch UBND tỉnh Cao Bằng")
    ('Phó Chủ tịch', 'UBND tỉnh Cao Bằng')
    """
    t = " ".join(title.split())
    m = _patterns()["head"].match(t)
    if not m:
        return "", t
    return t[: m.end()], t[m.end() :].strip()


def find_officials(text: str) -> list[OfficialMatch]:
    """Every official named in `text`, in order.

    >>> [(o.title, o.name) for o in find_officials(
    ...     "Phó Chủ tịch UBND tỉnh Đỗ Thị Minh Hoa chủ trì; Bí thư Tỉnh ủy phát biểu.")]
    [('Phó Chủ tịch UBND tỉnh', 'Đỗ Thị Minh Hoa'), ('Bí thư Tỉnh ủy', None)]
    """
    p = _patterns()
    out: list[OfficialMatch] = []
    pos = 0
    while True:
        m = p["head"].search(text, pos)
        if not m:
            break
        # A head glued to a preceding word is not a title ("nguyên Chủ tịch" is fine).
        if m.start() > 0 and text[m.start() - 1].isalnum():
            pos = m.start() + 1
            continue
        om = match_official_at(text, m.start())
        assert om is not None
        # "đồng chí Nguyễn Văn An, Phó Chủ tịch UBND tỉnh": the name stands before the title.
        if om.name is None:
            before = text[max(0, m.start() - 60) : m.start()]
            h = None
            for h in p["honorific_name"].finditer(before):  # noqa: B007 - the last one counts
                pass
            if h is not None and h.end() == len(before):
                start = m.start() - len(before) + h.start()
                om = OfficialMatch(start, om.end, om.title, h.group(1))
        out.append(om)
        pos = om.end if om.end > m.start() else m.start() + 1
    return out
