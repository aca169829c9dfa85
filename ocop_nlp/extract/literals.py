"""Gates for the lexicon's regular expressions: the words a match must contain.

Most cue patterns open with a word boundary and a word ("\\bchưa\\s+...", "\\b(?:khó khăn|hạn
chế)..."); Python's regex engine then tries the pattern at every word of the text. A match
must contain one of the pattern's leading words, so a substring test on the lower-cased text
rules most patterns out first, and only the rest are searched. The answer is the same: the
gate only skips searches that cannot match.
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


def leading_words(pattern: str) -> frozenset[str] | None:
    """Lower-cased strings one of which every match of `pattern` holds, or None (no gate).

    >>> sorted(leading_words(r"\\b(?:khó khăn|hạn chế)\\s+(?:là|do)\\b"))
    ['hạn chế', 'khó khăn']
    >>> leading_words(r"\\bchưa\\s+(?!từng)\\w+")
    frozenset({'chưa'})
    >>> leading_words(r"[^,]{0,60}\\btăng") is None
    True
    """
    try:
        return _words_of(list(sre.parse(pattern, re.IGNORECASE)))
    except Exception:  # noqa: BLE001 - an unfamiliar pattern is searched, never gated
        return None


def _words_of(items: Sequence[tuple[object, object]]) -> frozenset[str] | None:
    i = 0
    while i < len(items) and items[i][0] in _ZERO_WIDTH:
        i += 1  # a boundary or a lookaround consumes nothing
    if i == len(items):
        return None
    op, av = items[i]
    if op is sre.LITERAL:
        run = []
        while i < len(items) and items[i][0] is sre.LITERAL:
            run.append(chr(items[i][1]))  # type: ignore[arg-type]
            i += 1
        word = "".join(run)
        if not set(word) <= CASELESS_SAFE or len(word.lower()) != len(word):
            return None
        return frozenset({word.lower()})
    if op is sre.SUBPATTERN:
        return _words_of(list(av[-1]))  # type: ignore[index]
    if op is sre.BRANCH:
        out: set[str] = set()
        for alt in av[1]:  # type: ignore[index]
            words = _words_of(list(alt))
            if words is None:
                return None
            out |= words
        return frozenset(out)
    return None


class GatedSearch:
    """Does any of these patterns (compiled with `flags`) match? The same answer as searching
    each, with the searches that cannot match skipped (see the module docstring)."""

    __slots__ = ("_gated", "_always")

    def __init__(self, patterns: Sequence[str], flags: int = re.IGNORECASE) -> None:
        self._gated: list[tuple[frozenset[str], re.Pattern[str]]] = []
        self._always: list[re.Pattern[str]] = []
        for p in patterns:
            words = leading_words(p) if flags & re.IGNORECASE else None
            if words:
                self._gated.append((words, re.compile(p, flags)))
            else:
                self._always.append(re.compile(p, flags))

    def any_match(self, text: str, low: str | None) -> bool:
        """`low`: `text.lower()` when every character of `text` is in CASELESS_SAFE, else None
        (then every pattern is searched)."""
        for words, p in self._gated:
            if (low is None or any(w in low for w in words)) and p.search(text):
                return True
        return any(p.search(text) for p in self._always)
