"""Figures: a quantity the article reports, what it counts (`unit`) and what is said of it.

"đợt 01 đã có 66 tổ chức, cá nhân với 69 sản phẩm đăng ký tham gia" gives
66 tổ chức, cá nhân and 69 sản phẩm (đăng ký tham gia) — not 1 (đợt 01 is an ordinal).
Dates, periods, durations, ordinals and document numbers are found first and their numbers
never become figures.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from dataclasses import dataclass

from ocop_nlp.extract.dates import find_ordinals, find_times
from ocop_nlp.extract.numbers import (
    CLASSIFIERS,
    PART_OF_WHOLE,
    NumberMatch,
    find_numbers,
    scale_exponent,
)
from ocop_nlp.extract.resources import Resources, per_resources, uses_resources, word_spans
from ocop_nlp.nlp.words import Words
from ocop_nlp.records import Figure, Sentence


@dataclass(frozen=True, slots=True)
class _Units:
    spell: dict[str, str]
    measure: re.Pattern[str]
    time: re.Pattern[str]
    ordinal: re.Pattern[str]
    unit_stops: frozenset[str]
    measure_words: frozenset[str]
    qual_stops: frozenset[str]
    not_before: dict[str, list[str]]


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@per_resources
def _units(r: Resources) -> _Units:
    u = r.lexicon("units")
    spell = {s: canon for canon, spellings in u["measures"].items() for s in spellings}
    return _Units(
        spell=spell,
        measure=re.compile(r"\s*(" + _alternation(list(spell)) + r")(?![\w²³])"),
        time=re.compile(r"\s*(?:" + _alternation(u["time_units"]) + r")(?!\w)", re.IGNORECASE),
        ordinal=re.compile(
            r"(?:^|\W)(?:" + _alternation(u["ordinal_before"]) + r")\s*$", re.IGNORECASE
        ),
        unit_stops=frozenset(u["unit_stops"]),
        measure_words=frozenset(u.get("measure_words", [])),
        qual_stops=frozenset(u["qualifier_stops"]),
        not_before=dict(u.get("measure_not_before", {})),
    )


def _blocked(sentence: str, default_year: int | None) -> list[tuple[int, int]]:
    ordinals = find_ordinals(sentence)  # once: find_times needs them too
    spans = [(t.start, t.end) for t in find_times(sentence, default_year, ordinals)]
    spans += ordinals
    return spans


class _Blocked:
    """Spans no figure may overlap, asked in O(log n): a sentence may hold thousands of each."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans = sorted(spans)
        self.starts = [s for s, _ in spans]
        self.max_end: list[int] = []
        top = -1
        for _, e in spans:
            top = max(top, e)
            self.max_end.append(top)

    def overlaps(self, a: int, b: int) -> bool:
        i = bisect_left(self.starts, b)  # the spans that start before b
        return i > 0 and self.max_end[i - 1] > a


def _is_stop(word: str, stops: frozenset[str]) -> bool:
    return word.lower() in stops or not any(ch.isalnum() or ch == "%" for ch in word)


@uses_resources
def extract_figures(
    sentences: list[Sentence], default_year: int | None = None, resources: Resources | None = None
) -> list[Figure]:
    """Figures of every sentence, offsets into the text the sentences index."""
    out: list[Figure] = []
    for s in sentences:
        if not any(ch.isdigit() for ch in s.text) and not _has_word_numeral(s.text):
            continue
        out.extend(_sentence_figures(s, default_year))
    return out


# A sentence with none of these holds no number in words ("một tỷ đồng", "hai triệu ba nghìn").
_WORD_NUMERAL = re.compile(
    r"(?i)\b(một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|mươi|trăm|nghìn|ngàn|triệu|tỷ|tỉ|vạn)\b"
)


def _has_word_numeral(text: str) -> bool:
    return bool(_WORD_NUMERAL.search(text))


# Between the two ends of a range: "400 - 500", "từ 400 đến 500", "giữa 1.000 và 2.000".
_RANGE_JOIN = re.compile(r"\s*(?:[-\u2013\u2014]|\s(?:đến|tới|và)\s)\s*", re.IGNORECASE)
# A word range needs its opening word before the low end ("từ", "khoảng", "giữa" for "và").
_RANGE_OPEN = re.compile(
    r"(?:^|\W)(từ|khoảng|trong khoảng|dao động|giữa|từ khoảng)\s+$", re.IGNORECASE
)


def _sentence_figures(s: Sentence, default_year: int | None) -> list[Figure]:
    u = _units()
    text = s.text
    numbers = [
        n
        for n in find_numbers(text)
        if math.isfinite(n.value) and not (n.kind == "words" and n.text.lower() in ("một", "mỗi"))
    ]
    if not numbers:
        return []
    blocked = _Blocked(_blocked(text, default_year))
    words: Words | None = None
    word_starts: list[int] = []
    out: list[Figure] = []
    taken_until = 0  # the end of the last figure: "30 m 3" must not give a figure "3" too
    # Every look is anchored at the number (pattern.match(text, pos), a window before it), never
    # a copy of the rest of the sentence: a sentence of 400,000 characters holds 20,000 numbers.
    for k, n in enumerate(numbers):
        if n.start < taken_until:
            continue
        if blocked.overlaps(n.start, n.end) or _not_a_figure(text, n):
            continue
        if u.time.match(text, n.end):
            continue
        start, value, value_max, num_end = n.start, n.value, n.value_max, n.end
        high = _word_range_end(text, numbers, k) if value_max is None else None
        if high is not None:
            # "từ 3 đến 5 triệu đồng": the low end borrows the high end's scale.
            exp = scale_exponent(high.scale) if high.scale and not n.scale else None
            if exp is not None:
                scaled = value * 10**exp
                value = scaled if scaled < high.value else value
            value_max, num_end = high.value, high.end
            if u.time.match(text, num_end):
                continue  # "từ 7 đến 10 ngày" is a length of time
        whole = PART_OF_WHOLE.match(text, num_end)
        if whole is not None and value_max is None:
            num_end = whole.end()  # "17/20 chỉ tiêu": 17, counted against 20
            if u.time.match(text, num_end):
                continue  # "24/24 giờ" is round the clock
        m = u.measure.match(text, num_end)
        unit: str | None = None
        unit_end = num_end
        if m and _measure_is_another_word(m.group(1), text, m.end()):
            m = None
        if m:
            unit = u.spell[m.group(1)]
            unit_end = m.end()
            # "3kg-6kg", "50.000đ-100.000đ", "từ 400 ha đến 500 ha": one range, one unit.
            if value_max is None:
                glued = _unit_range_end(text, numbers, k, unit_end, unit)
                if glued is not None:
                    value_max, unit_end = glued
        elif start > 0 and text[start - 1] == "$":
            unit, start = "USD", start - 1
        if words is None:
            words = word_spans(text)
            word_starts = [a for _, a, _ in words]
        if unit is None:
            unit, unit_end = _counted_noun(words, bisect_left(word_starts, unit_end), unit_end)
        if not unit:
            continue
        if _is_bare_year(n) and high is None and not _counts_after_year(unit, m is not None):
            continue
        qualifier, qual_end = _qualifier(words, bisect_left(word_starts, unit_end), unit_end)
        # The span is the number and its unit; approximators ("hơn", "khoảng") stay outside so
        # the evidence reads the same as `value` and `unit`.
        end = unit_end
        taken_until = end
        out.append(
            Figure(
                value=value,
                text=text[start:end],
                unit=unit,
                qualifier=qualifier,
                start=s.start + start,
                end=s.start + end,
                value_max=value_max,
            )
        )
    return out


def _word_range_end(text: str, numbers: list[NumberMatch], k: int) -> NumberMatch | None:
    """The high end of "từ 400 đến 500", "giữa 1.000 và 2.000", "khoảng 1.000 tới 2.000"."""
    if k + 1 >= len(numbers):
        return None
    low, high = numbers[k], numbers[k + 1]
    join = _RANGE_JOIN.fullmatch(text, low.end, high.start)
    if join is None or high.value <= low.value and not (high.scale and not low.scale):
        return None
    opening = _RANGE_OPEN.search(text, max(0, low.start - 20), low.start)
    if opening is None:
        return None
    word = join.group().strip().lower()
    if (word == "và") != (opening.group(1).lower() == "giữa"):
        return None
    return high


def _unit_range_end(
    text: str, numbers: list[NumberMatch], k: int, unit_end: int, unit: str
) -> tuple[float, int] | None:
    """The high end and its unit's end when the same unit follows it: "3kg-6kg"."""
    if k + 1 >= len(numbers):
        return None
    low, high = numbers[k], numbers[k + 1]
    join = _RANGE_JOIN.fullmatch(text, unit_end, high.start)
    if join is None or high.value <= low.value or high.value_max is not None:
        return None
    if join.group().strip().lower() not in ("-", "\u2013", "\u2014"):
        opening = _RANGE_OPEN.search(text, max(0, low.start - 20), low.start)
        if opening is None or opening.group(1).lower() == "giữa":
            return None
    m = _units().measure.match(text, high.end)
    if m is None or _units().spell[m.group(1)] != unit:
        return None
    return high.value, m.end()


def _measure_is_another_word(spelling: str, text: str, pos: int) -> bool:
    """'đồng chí' after a number is people, not money."""
    nexts = _units().not_before.get(spelling)
    if not nexts:
        return False
    word = text[pos : pos + 64].lstrip()
    return any(
        word.startswith(n) and word[len(n) : len(n) + 1] in ("", " ", ",", ".", ";") for n in nexts
    )


# The longest ordinal word ("tiểu khu", "lần thứ") and its spaces fit in this window.
_ORDINAL_WINDOW = 40
_LIST_LABEL = re.compile(r"\s*[.)]\s")


# "Chỉ thị 08 CT/TU", "08-CT/TU", "12-KL/TU": the number of a document, not a quantity.
_DOC_REFERENCE = re.compile(r"\s*[-\u2013]?\s*[A-ZĐ]{1,6}[-/][A-ZĐ]")
# Counted things that make a 19xx/20xx number an amount rather than a year ("2015 hộ").
# Places and bodies stay out: "đến 2025 tỉnh phấn đấu" opens a clause about the province.
_COUNTED_AFTER_YEAR = frozenset(CLASSIFIERS) - {
    "ngày", "giờ", "phút", "tuần", "lần", "đợt", "loại", "tỉnh", "huyện", "xã", "phường",
    "thị trấn", "thành phố", "thôn", "ngành", "tổ chức", "đoàn", "cấp", "vùng", "khu",
}  # fmt: skip


def _is_bare_year(n: NumberMatch) -> bool:
    return n.kind == "digits" and bool(re.fullmatch(r"(19|20)\d\d", n.text)) and not n.value_max


def _counts_after_year(unit: str, measured: bool) -> bool:
    """Whether '2015 <unit>' counts something: a measure ("2000 đồng") or a counted noun."""
    return (
        measured
        or unit.lower() in _COUNTED_AFTER_YEAR
        or unit.split()[0].lower() in (_COUNTED_AFTER_YEAR)
    )


def _not_a_figure(text: str, n: NumberMatch) -> bool:
    u = _units()
    # With pos/endpos, "^" matches only at the text's real start and "$" at the number.
    if u.ordinal.search(text, max(0, n.start - _ORDINAL_WINDOW), n.start):
        return True
    if _DOC_REFERENCE.match(text, n.end):
        return True
    # Numbered list items ("1.", "2)") and numbers glued to letters are labels, not quantities.
    return bool(_LIST_LABEL.match(text, n.end)) and not text[: n.start].strip()


def _counted_noun(words: Words, i: int, pos: int) -> tuple[str | None, int]:
    """The noun right after the number (words[i] is the first word at or after `pos`)."""
    u = _units()
    stops: frozenset[str] = u.unit_stops
    if i >= len(words) or _is_stop(words[i][0], stops) or words[i][0][0].isdigit():
        return None, pos
    if words[i][0][0].isupper() and not words[i][0].isupper():
        return None, pos  # a capitalised word after a number is a name: "Quốc lộ 14 Bắc Kạn"
    unit_words = [words[i]]
    j = i + 1
    # "1.250 lượt người": a measure word takes the counted noun after it.
    if (
        words[i][0].lower() in u.measure_words
        and j < len(words)
        and not _is_stop(words[j][0], stops)
        and not _is_stop(words[j][0], u.qual_stops)
        and not words[j][0][0].isdigit()
        and not (words[j][0][0].isupper() and not words[j][0].isupper())
        and words[j][1] == words[i][2] + 1
    ):
        unit_words.append(words[j])
        j += 1
    # "tổ chức, cá nhân với ...": a comma and one more noun before a stop word extends the list.
    if (
        j + 2 < len(words)
        and words[j][0] == ","
        and not _is_stop(words[j + 1][0], stops)
        and not _is_stop(words[j + 1][0], u.qual_stops)
        and _is_stop(words[j + 2][0], stops)
        and words[j + 2][0] not in (",", ".", ";")
        and not words[j + 1][0][0].isdigit()
    ):
        unit_words = [*unit_words, words[j], words[j + 1]]
    out = ""
    for w, _, _ in unit_words:
        out += w if (w in ",.;:" or not out) else " " + w
    return out, unit_words[-1][2]


def _qualifier(words: Words, i: int, pos: int) -> tuple[str | None, int]:
    """What is said of the counted thing: 'đăng ký tham gia', 'đạt yêu cầu' (two words at most).

    words[i] is the first word at or after `pos`.
    """
    u = _units()
    stops: frozenset[str] = u.qual_stops
    taken: list[tuple[str, int, int]] = []
    while i < len(words) and len(taken) < 2:
        w = words[i][0]
        if _is_stop(w, stops) or w[0].isdigit() or w[0].isupper():
            break
        taken.append(words[i])
        i += 1
    if taken and i < len(words) and words[i][0].lower() in ("mới", "trở lên", "hơn"):
        taken.append(words[i])
    if not taken:
        return None, pos
    return " ".join(w for w, _, _ in taken), taken[-1][2]
