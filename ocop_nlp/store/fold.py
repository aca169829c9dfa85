"""Folding Vietnamese for search keys: lower case, no diacritics, and "đ" -> "d", which Unicode
does not decompose (so SQLite's `remove_diacritics` leaves it alone).

>>> fold("Đào tạo NÔNG NGHIỆP")
'dao tao nong nghiep'
"""

from __future__ import annotations

import re
import unicodedata

_MARKS = re.compile(r"[\u0300-\u036f]")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """`text` in lower case without diacritics; "đ"/"Đ" become "d"."""
    t = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return _MARKS.sub("", t).lower()


def fold_words(text: str) -> str:
    """`fold` with "&" read as "và" and every other non-letter a single space."""
    return " ".join(_NON_WORD.sub(" ", fold(text.replace("&", " và "))).split())
