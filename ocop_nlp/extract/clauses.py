"""Clause splitting shared by the challenge and directive extractors.

A Vietnamese report lists items with ";" after a colon ("yêu cầu: A; B; C"), with enumerators
("Một là, ... Hai là, ..."), or with commas between full clauses. Offsets are kept throughout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ocop_nlp.extract.resources import Resources, per_resources

_TRAIL = " \t.…;,:/"
_LEAD = " \t-–•+*,:"


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    start: int  # offset in the string the piece was cut from
    end: int


def trim(text: str, start: int) -> Piece:
    """Strip list marks and trailing punctuation ("…/.", ";"), keeping offsets right."""
    a, b = 0, len(text)
    while a < b and text[a] in _LEAD:
        a += 1
    while b > a and (text[b - 1] in _TRAIL or text[b - 1] in '"”'):
        # keep a closing quote that closes an opening one inside the piece
        if text[b - 1] in '"”' and text.count("“") + text.count('"') > text.count("”"):
            break
        b -= 1
    return Piece(text[a:b], start + a, start + b)


# The characters split_top reads, by separator: it steps from one to the next, not through
# every character (the rules split every sentence and clause of an article this way).
_MARKS: dict[str, re.Pattern[str]] = {}


def split_top(text: str, sep: str, start: int = 0) -> list[Piece]:
    """Split on `sep` outside brackets and quotes."""
    if sep not in text:
        whole = trim(text, start)
        return [whole] if whole.text else []
    marks = _MARKS.get(sep)
    if marks is None:
        marks = _MARKS[sep] = re.compile("[" + re.escape("()[]“”" + sep) + "]")
    out: list[Piece] = []
    depth = 0
    quote = False
    cut = 0
    for m in marks.finditer(text):
        i, ch = m.start(), m.group()
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch == "“":
            quote = True
        elif ch == "”":
            quote = False
        elif ch == sep and depth == 0 and not quote:
            out.append(Piece(text[cut:i], start + cut, start + i))
            cut = i + 1
    out.append(Piece(text[cut:], start + cut, start + len(text)))
    return [p for p in (trim(p.text, p.start) for p in out) if p.text]


@per_resources
def _enumerator_re(r: Resources) -> re.Pattern[str]:
    words = sorted(r.lexicon("cues")["enumerators"], key=len, reverse=True)
    return re.compile(
        r"(?i)(?:^|(?<=[\s.;:]))(?:" + "|".join(map(re.escape, words)) + r")\s*[,:]\s*"
    )


def split_enumeration(text: str, start: int = 0) -> list[Piece]:
    """'Một là, A. Hai là, B.' -> [A, B]; text without enumerators -> [text]."""
    ms = list(_enumerator_re().finditer(text))
    if len(ms) < 2:
        return [trim(text, start)] if text.strip() else []
    out = []
    head = text[: ms[0].start()]
    if head.strip(_TRAIL + _LEAD):
        out.append(trim(head, start))
    for k, m in enumerate(ms):
        end = ms[k + 1].start() if k + 1 < len(ms) else len(text)
        out.append(trim(text[m.end() : end], start + m.end()))
    return [p for p in out if p.text]


_COLON_MARKS = re.compile("[(“)”:]")


def colon_split(text: str) -> tuple[str, int] | None:
    """(head, index of the body after the first top-level colon), or None."""
    if ":" not in text:
        return None
    depth = 0
    for m in _COLON_MARKS.finditer(text):
        i, ch = m.start(), m.group()
        if ch in "(“":
            depth += 1
        elif ch in ")”":
            depth = max(0, depth - 1)
        elif ch == ":" and depth == 0 and i + 1 < len(text) and not text[i + 1].isdigit():
            return text[:i], i + 1
    return None
