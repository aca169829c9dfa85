"""Figures: a quantity the article reports, what it counts (`unit`) and what is said of it.

"đợt 01 đã có 66 tổ chức, cá nhân với 69 sản phẩm đăng ký tham gia" gives
66 tổ chức, cá nhân and 69 sản phẩm (đăng ký tham gia) — not 1 (đợt 01 is an ordinal).
Dates, periods, durations, ordinals and document numbers are found first and their numbers
never become figures.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

from ocop_nlp.config import lexicon
from ocop_nlp.extract.dates import find_ordinals, find_times
from ocop_nlp.extract.numbers import NumberMatch, find_numbers
from ocop_nlp.nlp.words import Words, word_spans
from ocop_nlp.records import Figure, Sentence


@dataclass(frozen=True, slots=True)
class _Units:
    spell: dict[str, str]
    measure: re.Pattern[str]
    time: re.Pattern[str]
    ordinal: re.Pattern[str]
    unit_stops: frozenset[str]
    qual_stops: frozenset[str]
    not_before: dict[str, list[str]]


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def _units() -> _Units:
    u = lexicon("units")
    spell = {s: canon for canon, spellings in u["measures"].items() for s in spellings}
    return _Units(
        spell=spell,
        measure=re.compile(r"\s*(" + _alternation(list(spell)) + r")(?![\w²³])"),
        time=re.compile(r"\s*(?:" + _alternation(u["time_units"]) + r")(?!\w)", re.IGNORECASE),
        ordinal=re.compile(
            r"(?:^|\W)(?:" + _alternation(u["ordinal_before"]) + r")\s*$", re.IGNORECASE
        ),
        unit_stops=frozenset(u["unit_stops"]),
        qual_stops=frozenset(u["qualifier_stops"]),
        not_before=dict(u.get("measure_not_before", {})),
    )


def _blocked(sentence: str, default_year: int | None) -> list[tuple[int, int]]:
    spans = [(t.start, t.end) for t in find_times(sentence, default_year)]
    spans += list(find_ordinals(sentence))
    return spans


def _overlaps(a: int, b: int, spans: list[tuple[int, int]]) -> bool:
    return any(a < e and s < b for s, e in spans)


def _is_stop(word: str, stops: frozenset[str]) -> bool:
    return word.lower() in stops or not any(ch.isalnum() or ch == "%" for ch in word)


def extract_figures(sentences: list[Sentence], default_year: int | None = None) -> list[Figure]:
    """Figures of every sentence, offsets into the text the sentences index."""
    out: list[Figure] = []
    for s in sentences:
        if not any(ch.isdigit() for ch in s.text) and not _has_word_numeral(s.text):
            continue
        out.extend(_sentence_figures(s, default_year))
    return out


_WORD_NUMERAL = re.compile(r"(?i)\b(hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|mươi|trăm)\b")


def _has_word_numeral(text: str) -> bool:
    return bool(_WORD_NUMERAL.search(text))


def _sentence_figures(s: Sentence, default_year: int | None) -> list[Figure]:
    u = _units()
    text = s.text
    numbers = [n for n in find_numbers(text) if math.isfinite(n.value)]
    if not numbers:
        return []
    blocked = _blocked(text, default_year)
    words: Words | None = None
    out: list[Figure] = []
    for n in numbers:
        if _overlaps(n.start, n.end, blocked) or _not_a_figure(text, n):
            continue
        after = text[n.end :]
        if u.time.match(after):
            continue
        m = u.measure.match(after)
        unit: str | None = None
        unit_end = n.end
        value = n.value
        if m and _measure_is_another_word(m.group(1), after[m.end() :]):
            m = None
        if m:
            unit = u.spell[m.group(1)]
            unit_end = n.end + m.end()
            # "2,5 triệu đồng", "41 tỷ đồng": the scale is in the number; money is in đồng.
        if words is None:
            words = word_spans(text)
        if unit is None:
            unit, unit_end = _counted_noun(words, unit_end)
        if not unit:
            continue
        qualifier, qual_end = _qualifier(words, unit_end)
        # The span is the number and its unit; approximators ("hơn", "khoảng") stay outside so
        # the evidence reads the same as `value` and `unit`.
        start, end = n.start, unit_end
        if n.kind == "words" and n.text.lower() in ("một", "mỗi"):
            continue
        out.append(
            Figure(
                value=value,
                text=text[start:end],
                unit=unit,
                qualifier=qualifier,
                start=s.start + start,
                end=s.start + end,
                value_max=n.value_max,
            )
        )
    return out


def _measure_is_another_word(spelling: str, rest: str) -> bool:
    """'đồng chí' after a number is people, not money."""
    nexts = _units().not_before.get(spelling)
    if not nexts:
        return False
    word = rest.lstrip()
    return any(
        word.startswith(n) and word[len(n) : len(n) + 1] in ("", " ", ",", ".", ";") for n in nexts
    )


def _not_a_figure(text: str, n: NumberMatch) -> bool:
    u = _units()
    before = text[: n.start]
    if u.ordinal.search(before):
        return True
    # A bare year ("năm 2019" is caught by dates; "2019" alone after a noun too).
    if n.kind == "digits" and re.fullmatch(r"(19|20)\d\d", n.text) and n.value_max is None:
        return True
    # Numbered list items ("1.", "2)") and numbers glued to letters are labels, not quantities.
    return bool(re.match(r"^\s*[.)]\s", text[n.end :]) and not before.strip())


def _counted_noun(words: Words, pos: int) -> tuple[str | None, int]:
    """The noun right after the number: 'sản phẩm', or a list 'tổ chức, cá nhân'."""
    u = _units()
    stops: frozenset[str] = u.unit_stops
    i = next((k for k, (_, a, _) in enumerate(words) if a >= pos), len(words))
    if i >= len(words) or _is_stop(words[i][0], stops) or words[i][0][0].isdigit():
        return None, pos
    if words[i][0][0].isupper() and not words[i][0].isupper():
        return None, pos  # a capitalised word after a number is a name: "Quốc lộ 14 Bắc Kạn"
    unit_words = [words[i]]
    j = i + 1
    # "tổ chức, cá nhân với ...": a comma and one more noun before a stop word extends the list.
    if (
        j + 2 < len(words)
        and words[j][0] == ","
        and not _is_stop(words[j + 1][0], stops)
        and _is_stop(words[j + 2][0], stops)
        and words[j + 2][0] not in (",", ".", ";")
        and not words[j + 1][0][0].isdigit()
    ):
        unit_words = [words[i], words[j], words[j + 1]]
    first, last = unit_words[0], unit_words[-1]
    text = _join(words, first, last)
    return text, last[2]


def _join(words: Words, first: tuple[str, int, int], last: tuple[str, int, int]) -> str:
    parts = []
    for w, a, b in words:
        if a >= first[1] and b <= last[2]:
            parts.append(w)
    out = ""
    for p in parts:
        out += p if (p in ",.;:" or not out) else " " + p
    return out


def _qualifier(words: Words, pos: int) -> tuple[str | None, int]:
    """What is said of the counted thing: 'đăng ký tham gia', 'đạt yêu cầu' (two words at most)."""
    u = _units()
    stops: frozenset[str] = u.qual_stops
    i = next((k for k, (_, a, _) in enumerate(words) if a >= pos), len(words))
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
