"""Text normalisation: one Unicode form, one tone-mark placement, tidy whitespace.

Every offset the extractors emit points into the string this module returns, so it runs once,
first, and nothing downstream rewrites the text.
"""

from __future__ import annotations

import re
import unicodedata

# "hoà"/"thuỷ" (mark on the second vowel) vs "hòa"/"thủy" (mark on the first) on the open
# diphthongs oa, oe, uy. Both spellings are in use; we keep the one most portals and underthesea's
# training data use ("hòa") so lexicon lookups and deduplication see one spelling.
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_NEW_STYLE = re.compile(
    r"(?<![qQ])([oOuU])([aAeEyY])([\u0300\u0301\u0303\u0309\u0323])(?![\w\u0300-\u036f])"
)
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANKS = re.compile(r"\n{2,}")


def move_tone_marks(text: str) -> str:
    """'hoà' -> 'hòa', 'thuỷ' -> 'thủy', 'Khoẻ' -> 'Khỏe'; other words untouched.

    Works on the decomposed form so the tone mark is a separate code point we can move. Only an
    open syllable moves ('hoàn', 'tuyển' are right as they are), and never after "q" ('quả').
    """
    nfd = unicodedata.normalize("NFD", text)
    if not any(t in nfd for t in _TONES):
        return text
    moved = _NEW_STYLE.sub(lambda m: m.group(1) + m.group(3) + m.group(2), nfd)
    return unicodedata.normalize("NFC", moved)


def normalize_text(text: str) -> str:
    """Return the canonical body text.

    >>> normalize_text("  Hoà  Bình\\u00a0\\u00a0tỉnh\\r\\n\\r\\n\\r\\nThuỷ lợi ")
    'Hòa Bình tỉnh\\nThủy lợi'

    Paragraphs end up separated by exactly one "\\n" (the contract's article format); spaces
    inside a line collapse to one; zero-width characters and soft hyphens vanish.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ZERO_WIDTH.sub("", text)
    text = unicodedata.normalize("NFC", text)
    text = move_tone_marks(text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    text = "\n".join(line for line in lines if line)
    return _BLANKS.sub("\n", text)
