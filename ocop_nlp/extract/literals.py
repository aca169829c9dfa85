"""Gates for regular expressions: the words a match must contain.

Most cue and date patterns open with a word boundary or a lookbehind ("\\bchưa\\s+...",
"\\b(?:khó khăn|hạn chế)...", "(?<!\\w)(?P<h>\\d{1,2})\\s+giờ"); Python's regex engine then tries
the pattern at every position of the text. A match must contain one of the words the pattern
requires, so a substring test on the lower-cased text rules most patterns out first, and only
the rest are searched. The answers are the same: a gate only skips searches that cannot match.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# `re._parser` is the standard library's own pattern parser (3.11+): any pattern it does not
# describe the way this code expects simply gets no gate and is always searched.
from re import _parser as sre  # type: ignore[attr-defined]

# Characters whose case-insensitive regex match is exactly equality after str.lower(): ASCII
# and Vietnamese letters, and punctuation without case. (Not "µ", "ı", "ſ", the Kelvin sign or
# "İ": the regex engine pairs those with other letters, or lower() lengthens them.)
CASELESS_SAFE = frozenset(
    "".join(map(chr, range(0x20, 0x7F)))
    + "\t\n\xa0“”‘’–—…•°²³·«»"
    + "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư"
    + "".join(map(chr, range(0x1EA0, 0x1EFA)))
)
_ZERO_WIDTH = {sre.AT, sre.ASSERT, sre.ASSERT_NOT}


def lowered(text: str) -> str | None:
    """`text.lower()` when a substring test on it answers as the regex engine's case-insensitive
    matching would (every character in CASELESS_SAFE), else None: then nothing is gated."""
    return text.lower() if set(text) <= CASELESS_SAFE else None


def required_words(pattern: str) -> frozenset[str] | None:
    """Lower-cased strings one of which any text `pattern` matches in holds, or None (no gate).

    >>> sorted(required_words(r"\\b(?:khó khăn|hạn chế)\\s+(?:là|do)\\b"))
    ['hạn chế', 'khó khăn']
    >>> required_words(r"\\bchưa\\s+(?!từng)\\w+")
    frozenset({'chưa'})
    >>> required_words(r"(?P<h>\\d{1,2})\\s+giờ")
    frozenset({'giờ'})
    >>> required_words(r"[^,]{0,60}\\d+") is None
    True
    """
    try:
        return _words_of(list(sre.parse(pattern, re.IGNORECASE)))
    except Exception:  # noqa: BLE001 - an unfamiliar pattern is searched, never gated
        return None


def _words_of(items: Sequence[tuple[object, object]]) -> frozenset[str] | None:
    """Words one of which a match of this sequence holds: every element of a sequence must
    match, so any element's words will do; the most selective (longest shortest word) wins."""
    best: frozenset[str] | None = None
    i = 0
    while i < len(items):
        op, av = items[i]
        words: frozenset[str] | None = None
        if op is sre.LITERAL:
            run = []
            while i < len(items) and items[i][0] is sre.LITERAL:
                run.append(chr(items[i][1]))  # type: ignore[arg-type]
                i += 1
            words = _word("".join(run))
            i -= 1
        elif op is sre.SUBPATTERN:
            words = _words_of(list(av[-1]))  # type: ignore[index]
        elif op is sre.BRANCH:
            out: set[str] = set()
            for alt in av[1]:  # type: ignore[index]
                alt_words = _words_of(list(alt))
                if alt_words is None:
                    out = set()
                    break
                out |= alt_words
            words = frozenset(out) or None
        # anything else (classes, repeats, lookarounds, boundaries) gives no word
        if words and (best is None or min(map(len, words)) > min(map(len, best))):
            best = words
        i += 1
    return best


def _word(run: str) -> frozenset[str] | None:
    if not run or not set(run) <= CASELESS_SAFE or len(run.lower()) != len(run):
        return None
    return frozenset({run.lower()})


def gate(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """`required_words` of a compiled pattern, for a case-insensitive one only (a case-
    sensitive match holds its words too, but lower-casing the text is then needless work)."""
    return required_words(pattern.pattern) if pattern.flags & re.IGNORECASE else None


def may_match(words: frozenset[str] | None, low: str | None) -> bool:
    """False only when a pattern with these required words cannot match the text whose
    `lowered` form is `low`."""
    return words is None or low is None or any(map(low.__contains__, words))


class GatedSearch:
    """Does any of these patterns (compiled with `flags`) match? The same answer as searching
    each, with the searches that cannot match skipped (see the module docstring)."""

    __slots__ = ("_gated", "_always")

    def __init__(self, patterns: Sequence[str], flags: int = re.IGNORECASE) -> None:
        self._gated: list[tuple[tuple[str, ...], re.Pattern[str]]] = []
        self._always: list[re.Pattern[str]] = []
        for p in patterns:
            words = required_words(p) if flags & re.IGNORECASE else None
            if words:
                self._gated.append((tuple(words), re.compile(p, flags)))
            else:
                self._always.append(re.compile(p, flags))

    def any_match(self, text: str, low: str | None) -> bool:
        """`low`: `lowered(text)`, when the caller has it."""
        if low is None:
            return any(p.search(text) for _, p in self._gated) or any(
                p.search(text) for p in self._always
            )
        holds = low.__contains__  # the gate is asked for every pattern of every clause
        for words, p in self._gated:
            if any(map(holds, words)) and p.search(text):
                return True
        return any(p.search(text) for p in self._always)

    def search(self, text: str) -> bool:
        """Whether any pattern matches `text` (in place of a list of patterns' searches)."""
        return self.any_match(text, lowered(text))
