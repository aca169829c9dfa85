"""Dates for tracking: filter bounds as analysts type them, and a directive's due date.

>>> parse_day("2019", end=True), parse_day("03/2019"), parse_day("15/3/2019")
('2019-12-31', '2019-03-01', '2019-03-15')
>>> due_of("xong trước ngày 20/2", "2017-01-05"), due_of("2017-Q2", None)
('2017-02-20', '2017-06-30')
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from ocop_nlp.errors import InputError
from ocop_nlp.i18n import tr

ACCEPTED = "YYYY, YYYY-MM, YYYY-MM-DD, MM/YYYY or DD/MM/YYYY"


def _end_of_month(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def parse_day(text: str, end: bool = False) -> str:
    """An ISO day from a filter bound; a year or month means its first day (or last with
    `end`). Raises InputError naming the accepted forms."""
    t = text.strip()
    try:
        if m := re.fullmatch(r"(\d{4})", t):
            y = int(m.group(1))
            return (date(y, 12, 31) if end else date(y, 1, 1)).isoformat()
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", t) or re.fullmatch(r"(\d{1,2})/(\d{4})", t):
            a, b = int(m.group(1)), int(m.group(2))
            y, mo = (a, b) if a > 12 else (b, a)
            return (_end_of_month(y, mo) if end else date(y, mo, 1)).isoformat()
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", t):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", t):
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1))).isoformat()
    except ValueError:
        pass
    raise InputError(
        tr("{text!r} is not a date; give YYYY, YYYY-MM, YYYY-MM-DD, MM/YYYY or DD/MM/YYYY.").format(
            text=text
        )
    )


_QUARTER = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_MONTH_WORDS = {
    "một": 1, "giêng": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7,
    "tám": 8, "chín": 9, "mười": 10, "mười một": 11, "mười hai": 12, "chạp": 12,
}  # fmt: skip


def due_of(deadline: str | None, published: str | None) -> str | None:
    """The last day a directive's deadline allows, or None when it names no day, month,
    quarter or year. A day or month without a year is taken in the article's year (the next
    one when that is already past at publication)."""
    if not deadline:
        return None
    t = deadline.strip().lower()
    pub = _pub(published)
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", t):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        if m := re.fullmatch(r"(\d{4})-(\d{2})", t):
            return _end_of_month(int(m.group(1)), int(m.group(2))).isoformat()
        if m := re.fullmatch(r"(\d{4})-q([1-4])", t):
            return _end_of_month(int(m.group(1)), int(m.group(2)) * 3).isoformat()
        if m := re.fullmatch(r"(\d{4})", t):
            return f"{m.group(1)}-12-31"
        if m := re.search(r"(\d{1,2})[/\-.](\d{1,2})(?:[/\-.](\d{4}))?", t):
            d, mo = int(m.group(1)), int(m.group(2))
            if m.group(3):
                return date(int(m.group(3)), mo, d).isoformat()
            if pub is None:
                return None
            day = date(pub.year, mo, d)
            return (day if day >= pub else date(pub.year + 1, mo, d)).isoformat()
        if pub is None:
            return None
        if m := re.search(r"quý\s+(iv|iii|ii|i|[1-4])\b", t):
            q = _QUARTER[m.group(1)]
            return _end_of_month(pub.year, q * 3).isoformat()
        if m := re.search(r"tháng\s+(\d{1,2})\b", t):
            return _end_of_month(pub.year, int(m.group(1))).isoformat()
        if m := re.search(r"tháng\s+(mười hai|mười một|\w+)", t):
            word = _MONTH_WORDS.get(m.group(1))
            return _end_of_month(pub.year, word).isoformat() if word else None
        if "năm nay" in t:
            return f"{pub.year}-12-31"
    except ValueError:
        return None
    return None


def _pub(published: str | None) -> date | None:
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        return None
