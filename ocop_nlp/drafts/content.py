"""What a draft says, worked out once for every template and format.

The extractors give bare items (a figure's number and unit, a directive's action); a reader
needs them in the source's words: "69 sản phẩm đăng ký tham gia", "Doanh thu ... ước đạt
18,6 tỷ đồng", results apart from targets, the same fact once, and an opening line in the
usage of Vietnamese news ("Ngày 10/7/2018, UBND tỉnh Bắc Kạn tổ chức Hội nghị sơ kết ...").
Every phrase here is cut from the article's text, never written by us, so an editor can check
it against the sentence named in its evidence. Items carry stable ids (F3, C1, D10: the kind
and the place in the extraction) that `--exclude` takes and the evidence shows.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ocop_nlp.nlp.sentences import split_sentences
from ocop_nlp.records import Extraction

# The one way a draft marks what the article does not say, for the editor to fill in.
MISSING = "[cần bổ sung: {}]"

_MONTH_YEAR = re.compile(r"^(\d{4})-(\d{2})$")
_FULL = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_PART = re.compile(r"^(\d{4})-(Q[1-4]|H[12])$")
_ROMAN = {"Q1": "I", "Q2": "II", "Q3": "III", "Q4": "IV"}


def _date(iso: str | None, doc: bool) -> str:
    """A date value of the extractors (dates.TimeMatch) in words; "" for what is not a date."""
    if not iso:
        return ""
    if "/" in iso:  # a period: "2023-01/2023-09", "2018/.."
        a, b = iso.split("/", 1)
        first, last = _date(a, doc), _date(b, doc) if b != ".." else ""
        return f"từ {first} đến {last}" if first and last else (f"từ {first}" if first else "")
    if m := _FULL.match(iso):
        d, mo, y = int(m[3]), int(m[2]), m[1]
        return f"ngày {d} tháng {mo} năm {y}" if doc else f"{d}/{mo}/{y}"
    if m := _MONTH_YEAR.match(iso):
        return f"tháng {int(m[2])} năm {m[1]}" if doc else f"tháng {int(m[2])}/{m[1]}"
    if m := _PART.match(iso):
        if m[2] in _ROMAN:
            return f"quý {_ROMAN[m[2]]} năm {m[1]}" if doc else f"quý {_ROMAN[m[2]]}/{m[1]}"
        return f"6 tháng {'đầu' if m[2] == 'H1' else 'cuối'} năm {m[1]}"
    if re.fullmatch(r"\d{4}", iso):
        return f"năm {iso}"
    return ""  # a duration or a time of day: never shown as ISO in a draft


def date_news(iso: str | None) -> str:
    """A date as news writes it.

    >>> date_news("2018-07-10"), date_news("2024-09"), date_news("2024"), date_news("2024-Q3")
    ('10/7/2018', 'tháng 9/2024', 'năm 2024', 'quý III/2024')
    """
    return _date(iso, doc=False)


def date_doc(iso: str | None) -> str:
    """A date as an administrative document writes it (Nghị định 30/2020/NĐ-CP).

    >>> date_doc("2018-07-10"), date_doc("2024-09"), date_doc("2024-Q3"), date_doc("2023-01/2023-09")
    ('ngày 10 tháng 7 năm 2018', 'tháng 9 năm 2024', 'quý III năm 2024', 'từ tháng 1 năm 2023 đến tháng 9 năm 2023')
    """
    return _date(iso, doc=True)


def _said_in(iso: str | None, action: str) -> bool:
    """Whether the action already names the deadline ("trước ngày 30/6/2024", "quý III/2024")."""
    said = date_news(iso)
    return bool(said) and said.removeprefix("năm ").removeprefix("tháng ") in action


def deadline_doc(iso: str | None, action: str = "") -> str:
    """A deadline for a document, or "" when the action already says it.

    >>> deadline_doc("2024-09-30"), deadline_doc("2024-Q3", "trình UBND tỉnh trong quý III/2024")
    ('ngày 30 tháng 9 năm 2024', '')
    """
    return "" if _said_in(iso, action) else date_doc(iso)


def deadline_news(iso: str | None, action: str = "") -> str:
    """A deadline in a news sentence, or "" when the action already says it.

    >>> deadline_news("2024-09-30"), deadline_news("2024"), deadline_news("2024", "trong năm 2024")
    ('hoàn thành trước 30/9/2024', 'trong năm 2024', '')
    """
    said = date_news(iso)
    if not said or _said_in(iso, action):
        return ""
    if _FULL.match(iso or ""):
        return f"hoàn thành trước {said}"
    return said if said.startswith("từ ") else f"trong {said}"


# Units that measure rather than name what is counted: "18,6 tỷ đồng" says nothing alone.
_MEASURES = {"%", "đồng", "ha", "tấn", "kg", "km", "m", "m2", "m3", "lượt", "usd", "người"}
# A clause ends at these (a decimal comma has no space after it: "18,6").
_CLAUSE_END = re.compile(r"[,;:.!?…]\s|[;:.!?…]$|\n|\(|\)")
# A long tail after the figure is cut before these words, unless another figure follows.
_TAIL_CUT = re.compile(r"\s(?:tại|cho|về|để|nhằm|trên địa bàn|theo)\s")
_TARGET = re.compile(
    r"phấn đấu|mục tiêu (?:là|đến|năm)|chỉ tiêu (?:năm|đề ra|giao)|\bdự kiến\b|\bsẽ\b"
    r"|năm (?:tới|sau)|(?:đến|tới) (?:hết )?năm 20\d\d|kế hoạch (?:năm|giai đoạn) 20\d\d",
    re.I,
)
_SUBJECTLESS = {"tăng", "giảm", "đạt", "bằng", "mới", "chỉ", "còn", "khoảng", "ước", "gần", "trên"}


@dataclass(slots=True)
class Item:
    """One line of a draft, with the evidence that backs it."""

    id: str
    text: str
    start: int
    end: int
    sentence: str
    ids: list[str] = field(default_factory=list)  # every item merged into this line

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "sentence": self.sentence,
            "ids": self.ids,
        }


class Sentences:
    """The sentences of an extraction's text as the extractors split it (same offsets)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans = [(x.start, x.end) for x in split_sentences(text)]
        self.starts = [a for a, _ in self.spans]

    def of(self, pos: int) -> tuple[int, int]:
        """The span of the sentence holding `pos`, or an empty span between sentences."""
        i = bisect.bisect_right(self.starts, pos) - 1
        if i >= 0 and pos < self.spans[i][1]:
            return self.spans[i]
        return pos, pos


def _clause_bounds(text: str, a: int, b: int, start: int, end: int, inside: list[tuple[int, int]]):
    """The clause of sentence [a, b) around [start, end); delimiters inside figures do not count."""

    def hidden(i: int) -> bool:
        return any(s <= i < e for s, e in inside)

    left = a
    for m in _CLAUSE_END.finditer(text, a, start):
        if not hidden(m.start()):
            left = m.end()
    right = b
    for m in _CLAUSE_END.finditer(text, end, b):
        if not hidden(m.start()):
            right = m.start()
            break
    return left, right


def _words(s: str) -> list[str]:
    return s.split()


def figure_items(
    ex: Extraction, sentences: Sentences, skip: set[str]
) -> tuple[list[Item], list[Item]]:
    """Results and targets: each figure in the words of its clause, one line per sentence.

    A figure in a directive's span is left to the directive; a % figure whose clause names no
    subject ("tăng 12%") joins the clause before it or stays out (it remains in the evidence
    of the extraction, never a bare "100 %").
    """
    text = ex.text
    spans = [(f.start, f.end) for f in ex.figures]
    # A figure inside a directive or a challenge belongs to that item, not to the results.
    in_directive = [(d.start, d.end) for d in ex.directives]
    in_directive += [(c.start, c.end) for c in ex.challenges]
    taken: set[int] = set()
    phrases: list[tuple[str, int, int, list[int], tuple[int, int]]] = []
    for i, f in enumerate(ex.figures):
        if i in taken or f"F{i + 1}" in skip:
            continue
        if any(s <= f.start < e for s, e in in_directive):
            continue
        a, b = sentences.of(f.start)
        if re.match(r"(?:Tham dự|Dự\b|Đến dự)", text[a:b]):
            continue  # who attended is not a result
        left, right = _clause_bounds(text, a, b, f.start, f.end, spans)
        members = [
            j
            for j, g in enumerate(ex.figures)
            if left <= g.start and g.end <= right and j not in taken and f"F{j + 1}" not in skip
        ]
        if i not in members:  # a figure whose own text holds a clause's end
            members.insert(0, i)
            left, right = min(left, f.start), max(right, f.end)
        last = max(ex.figures[j].end for j in members)
        lead = text[left : f.start].strip()
        measure = all(ex.figures[j].unit.lower() in _MEASURES for j in members)
        prev = phrases[-1] if phrases else None
        if measure and (not lead or set(_words(lead.lower())) <= _SUBJECTLESS):
            # "tăng 12%": the subject is in the clause before, in the same sentence.
            if prev and prev[4] == (a, b) and left - prev[2] <= 3:
                phrases.pop()
                left, members = prev[1], prev[3] + members
            elif f.unit == "%":
                continue
        elif measure and len(_words(lead)) > 20:
            if f.unit == "%":
                continue
            left = f.start
        elif not measure and len(_words(lead)) > 8 and not re.search(r"tổng|\blên\b", lead):
            left = min(ex.figures[j].start for j in members)
        tail = text[last:right]
        cut = _TAIL_CUT.search(tail)
        if len(_words(tail)) > 6 and cut:
            right = last + cut.start()
        phrase = text[left:right].strip(" ,;:–-")
        taken.update(members)
        phrases.append((phrase, left, right, members, (a, b)))

    results: list[Item] = []
    targets: list[Item] = []
    seen: dict[tuple[tuple[float, str], ...], Item] = {}
    by_sentence: dict[tuple[int, int, bool], Item] = {}
    for phrase, left, right, members, (a, b) in phrases:
        ids = [f"F{j + 1}" for j in members]
        key = tuple(sorted((ex.figures[j].value, ex.figures[j].unit) for j in members))
        if key in seen:  # the same fact said twice: one line, both places in the evidence
            seen[key].ids.extend(ids)
            continue
        is_target = bool(_TARGET.search(text[left:right])) or bool(
            _TARGET.search(text[a:left]) and "phấn đấu" in text[a:left].lower()
        )
        group = (a, b, is_target)
        if group in by_sentence:
            item = by_sentence[group]
            item.text += "; " + phrase
            item.end = max(item.end, right)
            item.ids.extend(ids)
        else:
            item = Item(ids[0], phrase, left, right, text[a:b], list(ids))
            by_sentence[group] = item
            (targets if is_target else results).append(item)
        seen[key] = item
    return results, targets


def _province(text: str) -> str | None:
    """The province the article names most: "tỉnh Bắc Kạn", not "UBND tỉnh Đỗ Thị Minh Hoa"
    nor "toàn tỉnh đạt"."""
    names: Counter[str] = Counter()
    for m in re.finditer(r"\btỉnh((?: [^\s,.;:()“”\"]+){1,3})", text):
        words: list[str] = []
        for w in m.group(1).split():
            if not w[:1].isupper():
                break
            words.append(w)
        if 1 <= len(words) <= 2:  # a person's name after a title has three words or more
            names[" ".join(words)] += 1
    return names.most_common(1)[0][0] if names else None


_ORGANISER = re.compile(
    r"(?:^|,\s)((?:UBND|Ủy ban|Uỷ ban|HĐND|Hội đồng|Tỉnh ủy|Tỉnh uỷ|Sở|Ban|Văn phòng|Thường trực)"
    r"[^,.;:]{0,80}?)\s+(?:đã\s+)?(?:tổ chức|họp|tiến hành)\b"
)
_PLACE = re.compile(
    r"\btại ((?:hội trường|trụ sở|thành phố|TP\.?|huyện|thị xã|xã|phường|nhà văn hóa|"
    r"khách sạn|trung tâm|điểm cầu|[A-ZĐ][a-zà-ỹđ]+ [A-ZĐ])[^,.;:]{0,80})"
)


def opening(ex: Extraction, sentences: Sentences) -> dict[str, Any]:
    """Who held which meeting, where, with whom: each field from the article's own words."""
    text = ex.text
    m = ex.meeting
    province = _province(f"{ex.article.title or ''}\n{text}")  # the headline may be the only place
    out: dict[str, Any] = {
        "province": province,
        "organiser": None,
        "event": None,
        "place": None,
        "participants": None,
        "event_is_subject": False,
    }
    if m is None:
        return out
    kind = (m.kind or "").lower()
    found = text.lower().find(kind) if kind else -1
    if found >= 0:
        a, b = sentences.of(found)
        event = text[found:b].rstrip(" .…")
        if len(event) <= 300:
            out["event"] = event[:1].upper() + event[1:]
        head = text[a:found]
        # "Ngày 10/7/2024, Kỳ họp thứ 19 ... tiến hành ...": the meeting is the sentence's subject.
        out["event_is_subject"] = bool(
            re.fullmatch(r"(?:(?:Sáng|Chiều|Tối|Trưa|Ngày|Hôm nay)[^,]{0,30},\s*)?", head)
        )
        if org := _ORGANISER.search(head):
            name = org.group(1).strip()
            if province and name.endswith("tỉnh"):
                name += f" {province}"
            out["organiser"] = name
        if place := _PLACE.search(text[a:b]):
            out["place"] = place.group(1).strip()
        # "Tham dự có ..." usually follows within two sentences.
        for sa, sb in sentences.spans:
            if sa < a or sa > b + 600:
                continue
            if t := re.match(
                r"(?:Tham dự|Dự (?:hội nghị|họp|phiên họp|buổi làm việc)|Đến dự)"
                r"(?: hội nghị| buổi làm việc| cuộc họp)?(?: có)?\s*(.+)",
                text[sa:sb],
            ):
                out["participants"] = t.group(1).rstrip(" .")
                break
    if out["event"] is None and m.kind:
        out["event"] = (m.kind[:1].upper() + m.kind[1:]) + (f" {m.topic}" if m.topic else "")
    return out


# Meeting words written in lower case inside a sentence; "Hội nghị", "Kỳ họp" keep capitals.
_COMMON_EVENT = re.compile(r"^(Buổi|Cuộc|Phiên|Đoàn|Chuyến)\b")


def lead_sentence(date: str, fields: dict[str, Any], chair: str) -> str:
    """The opening sentence(s): who held which meeting, when and where, from the article's words.

    `date` is already in the genre's form ("Ngày 10/7/2018" or "Ngày 10 tháng 7 năm 2018");
    "" when the article gives no event to open with (the template marks the gap).

    >>> lead_sentence("Ngày 10/7/2018", {"organiser": "UBND tỉnh Bắc Kạn", "event": "Hội nghị sơ kết",
    ...     "place": None, "event_is_subject": False}, "Phó Chủ tịch UBND tỉnh Đỗ Thị Minh Hoa")
    'Ngày 10/7/2018, UBND tỉnh Bắc Kạn tổ chức Hội nghị sơ kết. Phó Chủ tịch UBND tỉnh Đỗ Thị Minh Hoa chủ trì.'
    """
    event = fields.get("event")
    if not event:
        return ""
    place = fields.get("place")
    where = f" tại {place}" if place and place not in event else ""
    opener = f"{date}, " if date else ""
    if fields.get("event_is_subject"):  # "Ngày 10/7, Kỳ họp thứ 19 ... tiến hành phiên chất vấn"
        text = f"{opener}{event}{where}."
        return text[:1].upper() + text[1:] + (f" {chair} chủ trì." if chair else "")
    inside = _COMMON_EVENT.sub(lambda m: m.group(1).lower(), event)
    organiser = fields.get("organiser")
    if organiser:
        text = f"{opener}{organiser} tổ chức {inside}{where}."
        if chair and chair != organiser:
            text += f" {chair} chủ trì."
    elif chair:
        verb = "có" if inside.startswith(("buổi", "chuyến", "đoàn")) else "chủ trì"
        text = f"{opener}{chair} {verb} {inside}{where}."
    else:
        text = f"{opener}{event}{where}." if opener else f"{event}{where}."
    return text[:1].upper() + text[1:]
