"""The meeting an article reports: its kind, date, chair and topic.

"Ngày 10/7/2018, UBND tỉnh tổ chức Hội nghị sơ kết đánh giá kết quả thực hiện Đề án ...
Phó Chủ tịch UBND tỉnh Đỗ Thị Minh Hoa chủ trì Hội nghị." -> hội nghị sơ kết, 2018-07-10,
chaired by Đỗ Thị Minh Hoa.
"""

from __future__ import annotations

import re

from ocop_nlp.extract.dates import find_times
from ocop_nlp.extract.officials import find_officials
from ocop_nlp.extract.resources import Resources, current, per_resources, uses_resources
from ocop_nlp.records import Meeting, Official, Sentence

# The meeting is named in the headline or the lead; later mentions are about other meetings.
_LEAD_SENTENCES = 4


@per_resources
def _kind_re(r: Resources) -> re.Pattern[str]:
    kinds = sorted(r.lexicon("cues")["meeting_kinds"], key=len, reverse=True)
    return re.compile(r"(?i)(?<![\w])(" + "|".join(map(re.escape, kinds)) + r")(?![\w])")


@per_resources
def _verb_re(r: Resources) -> re.Pattern[str]:
    verbs = sorted(r.lexicon("cues")["meeting_verbs"], key=len, reverse=True)
    return re.compile(
        r"(?i)(?:UBND|HĐND|Ủy ban|Tỉnh ủy|Huyện ủy|Sở|Ban|Đoàn|tỉnh|huyện|Bộ)[^.,;:]{0,40}?\s("
        + "|".join(map(re.escape, verbs))
        + r")(?![\w])"
    )


_CHAIR = re.compile(r"(?i)(?<![\w])chủ trì(?![\w])")
_CHAIR_OF = re.compile(
    r"(?i)dưới sự chủ trì của\s+(?:đồng chí|ông|bà)?\s*|do\s+(?:đồng chí|ông|bà)?\s*"
)


@uses_resources
def extract_meeting(
    title: str | None,
    sentences: list[Sentence],
    default_year: int | None,
    resources: Resources | None = None,
) -> Meeting | None:
    lead = sentences[:_LEAD_SENTENCES]
    kind = None
    kind_sentence: Sentence | None = None
    topic = None
    for s in lead:
        m = _kind_re().search(s.text)
        if m:
            kind = m.group(1).lower()
            kind_sentence = s
            topic = _topic(s.text[m.end() :])
            break
    if kind is None and title:
        m = _kind_re().search(title)
        if m:
            kind, topic = m.group(1).lower(), _topic(title[m.end() :])
        else:
            v = _verb_re().search(title)
            if v:
                kind = current().lexicon("cues")["meeting_verbs"][v.group(1).lower()]
                topic = _topic(title[v.end() :])
    if kind == "hội nghị" and title:
        # "Hội nghị" in the lead, "sơ kết" in the headline: the headline says which kind.
        v = re.search(r"(?i)(?<![\w])(sơ kết|tổng kết|triển khai)(?![\w])", title)
        if v:
            kind = "hội nghị " + v.group(1).lower()
    chair = _chair(lead) or _leader(kind_sentence, kind)
    if kind is None and chair is None:
        return None
    date = None
    for s in ([kind_sentence] if kind_sentence else []) + lead:
        for t in find_times(s.text, default_year):
            if t.kind == "date" and t.value and len(t.value) == 10:
                date = t.value
                break
        if date:
            break
    return Meeting(kind=kind, date=date, chair=chair, topic=topic)


def _topic(rest: str) -> str | None:
    """What the meeting is about: up to the first comma or full stop outside quotes."""
    rest = rest.strip()
    depth, end = 0, len(rest)
    for i, ch in enumerate(rest):
        if ch in "“(":
            depth += 1
        elif ch in "”)":
            depth = max(0, depth - 1)
        elif ch in ",.;:" and depth == 0 and (i + 1 == len(rest) or rest[i + 1] == " "):
            end = i
            break
    topic = rest[:end].strip(" ,.")
    return topic or None


def _leader(s: Sentence | None, kind: str | None) -> Official | None:
    """No "chủ trì": the official who 'có buổi làm việc' / leads the delegation chairs it."""
    if s is None or kind is None:
        return None
    k = s.text.lower().find(kind)
    for o in find_officials(s.text):
        between = s.text[o.end : k].lower()
        if o.end <= k and not re.search(r"(?<![\w])(?:dự|tham dự|cùng dự)(?![\w])", between):
            return Official(o.name, o.title)
    return None


def _chair(lead: list[Sentence]) -> Official | None:
    for s in lead:
        c = _CHAIR.search(s.text)
        if not c:
            continue
        offs = find_officials(s.text)
        # "Phó Chủ tịch UBND tỉnh Đỗ Thị Minh Hoa chủ trì" (official before the verb) or
        # "dưới sự chủ trì của đồng chí Đỗ Thị Minh Hoa, Phó Chủ tịch ..." (after it).
        before = [o for o in offs if o.end <= c.start() and c.start() - o.end <= 40]
        after = [o for o in offs if o.start >= c.end() and o.start - c.end() <= 40]
        pick = before[-1] if before else (after[0] if after else None)
        if pick is not None:
            return Official(pick.name, pick.title)
    return None
