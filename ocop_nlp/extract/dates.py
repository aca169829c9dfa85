"""Dates, periods, durations and ordinals in Vietnamese provincial news.

Times matter twice downstream: directives carry deadlines, and the figure extractor must not
count "6 tháng" or "3 năm" as figures. So every time expression is found with its span, and so is
every ordinal ("đợt 2", "khóa XIV", "số 15/2019/NQ-HĐND") whose number is a label, not a figure.

>>> parse_date("Thứ Tư, 11/07/2018 - 10:28")
datetime.date(2018, 7, 11)
>>> [(m.text, m.kind, m.value) for m in find_times("Sáng 10/7, tỉnh sơ kết 6 tháng đầu năm 2018.")]
[('Sáng 10/7', 'date', None), ('6 tháng đầu năm 2018', 'period', '2018-H1')]
>>> [(m.text, m.value) for m in find_times("trong 3 năm qua, giai đoạn 2021-2025")]
[('trong 3 năm qua', 'P3Y'), ('giai đoạn 2021-2025', '2021/2025')]
>>> d = find_deadline("Các sở hoàn thành trước ngày 30/6/2019.")
>>> (d.text, d.value)
('hoàn thành trước ngày 30/6/2019', '2019-06-30')
>>> text = "Nghị quyết số 15/2019/NQ-HĐND, kỳ họp thứ 7"
>>> [text[s:e] for s, e in find_ordinals(text)]
['Nghị quyết số 15/2019/NQ-HĐND', 'kỳ họp thứ 7']
"""

from __future__ import annotations

import datetime as dt
import math
import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from ocop_nlp.extract.literals import gate, lowered, may_match

if TYPE_CHECKING:
    from dateparser.date import DateDataParser

__all__ = ["TimeMatch", "find_deadline", "find_ordinals", "find_times", "parse_date"]

KINDS = ("date", "period", "duration", "year", "time")


@dataclass(frozen=True, slots=True)
class TimeMatch:
    """One time expression; `text == source[start:end]`.

    `value` is ISO-like: "2018-07-10", "2018-07", "2018", "2018-H1", "2024-Q3", "2021/2025",
    "2018/.." (from 2018 until now), "P3Y" for durations, "10:30" for times; None when the text
    does not pin it down (no year and no default_year, "vài năm", "Tết").
    """

    start: int
    end: int
    text: str
    kind: str
    value: str | None


_F = re.IGNORECASE

# Number boundaries: not inside 1.234.567, 10/7/2018 or 10:28, nor glued to letters.
_L = r"(?<![\w./:])(?<!\d[,-])"
_R = r"(?![\w/:]|[.,-]\d)"
_D2 = r"\d{1,2}"
_Y4 = r"\d{4}"
_ROMAN = r"(?-i:[IVXLC]+)(?!\w)"

_WEEKDAY = r"(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s+nhật)"
_DAYPART = r"(?:rạng\s+sáng|sáng\s+sớm|sáng|chiều|tối|trưa|đêm)"
_DAYWORD = r"(?:ngày|mùng|mồng|hôm)"
_LEAD_OPT = (
    rf"(?<!\w)(?:{_DAYPART}\s+(?:nay\s+|qua\s+|mai\s+)?)?(?:{_WEEKDAY}\s*[,-]?\s*)?"
    rf"(?:{_DAYWORD}\s+)?"
)
# Without a year, "10/7" is only a date when something says so: "ngày 10/7", "Sáng 10/7".
_LEAD_REQ = (
    rf"(?<!\w)(?:{_DAYPART}\s+(?:nay\s+|qua\s+|mai\s+)?(?:{_WEEKDAY}\s*[,-]?\s*)?"
    rf"(?:{_DAYWORD}\s+)?|{_WEEKDAY}\s*[,-]?\s*(?:{_DAYWORD}\s+)?|{_DAYWORD}\s+)"
)

_MONTH_WORDS = {
    "giêng": 1,
    "một": 1,
    "hai": 2,
    "ba": 3,
    "tư": 4,
    "bốn": 4,
    "năm": 5,
    "sáu": 6,
    "bảy": 7,
    "tám": 8,
    "chín": 9,
    "mười": 10,
    "mười một": 11,
    "mười hai": 12,
    "chạp": 12,
}
# Word months only when capitalised: lower-case "tháng năm" is the idiom "years and months".
# "tháng năm" stays out in lower case: it is also the idiom "years and months".
_MONTH = (
    r"(?:\d{1,2}|(?-i:Mười\s+[Mm]ột|Mười\s+[Hh]ai|Giêng|Chạp|Một|Hai|Ba|Tư|Bốn|Năm|Sáu|Bảy|"
    r"Tám|Chín|Mười)|(?-i:mười\s+một|mười\s+hai|giêng|chạp|một|hai|ba|tư|bốn|sáu|bảy|tám|chín|"
    r"mười))(?!\w)"
)
_EDGE = r"nửa\s+đầu|nửa\s+cuối|đầu|cuối|giữa"
_REL_YEAR = r"(?P<rel>nay|ngoái|trước|tới|sau|tiếp\s+theo|kế\s+tiếp)(?!\w)"
# After a day ("mồng 3 tháng ba") a month in words is a month even in lower case.
_MONTH_AFTER_DAY = (
    r"(?:\d{1,2}|mười\s+một|mười\s+hai|giêng|chạp|một|hai|ba|tư|bốn|năm|sáu|bảy|tám|chín|"
    r"mười)(?!\w)"
)
_QUY = r"q(?:uý|úy)"

_NUM_WORDS = {
    "một": 1,
    "hai": 2,
    "ba": 3,
    "bốn": 4,
    "sáu": 6,
    "bảy": 7,
    "tám": 8,
    "chín": 9,
    "mười": 10,
    "mười một": 11,
    "mười hai": 12,
    "mười lăm": 15,
    "hai mươi": 20,
    "ba mươi": 30,
    "nửa": 0.5,
    "vài": None,
    "mấy": None,
}
# "năm" (five) is left out on purpose: "năm năm", "năm tháng" read as year words far more often.
_NUM_WORD = (
    r"(?:mười\s+một|mười\s+hai|mười\s+lăm|hai\s+mươi|ba\s+mươi|một|hai|ba|bốn|sáu|bảy|tám|"
    r"chín|mười|nửa|vài|mấy)"
)
_NUMBER = rf"(?:\d{{1,3}}(?:\.\d{{3}})+|\d+(?:,\d+)?|{_NUM_WORD})"
_UNIT = r"(?:ngày|tuần|tháng|năm|q(?:uý|úy)|giờ|tiếng|phút|giây|thập\s+k[ỷỉ]|thập\s+niên)"
_UNIT_ISO = {
    "năm": ("Y", 1),
    "tháng": ("M", 1),
    "quý": ("M", 3),
    "tuần": ("W", 1),
    "ngày": ("D", 1),
    "giờ": ("H", 1),
    "tiếng": ("H", 1),
    "phút": ("TM", 1),
    "giây": ("S", 1),
    "thập kỷ": ("Y", 10),
    "thập niên": ("Y", 10),
}
_RETROSPECTIVE = ("qua", "trước", "gần đây", "liên tiếp", "liền", "vừa qua", "trở lại đây", "nay")


@dataclass(slots=True)
class _Cand:
    start: int
    end: int
    kind: str
    value: str | None
    rank: int
    year: int | None = None
    year_given: bool = False
    # Re-renders the value for another year, so "từ tháng 7 đến tháng 9/2018" can lend 2018 left.
    render: Callable[[int | None], str | None] | None = None


_Builder = Callable[[re.Match[str], int | None], "_Cand | None"]


class _Pattern(NamedTuple):
    regex: re.Pattern[str]
    build: _Builder


def _int(s: str | None) -> int | None:
    return int(s) if s else None


def _month_of(s: str) -> int | None:
    if s.isdigit():
        m = int(s)
        return m if 1 <= m <= 12 else None
    return _MONTH_WORDS.get(" ".join(s.lower().split()))


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _iso(y: int | None, m: int | None = None, d: int | None = None) -> str | None:
    if y is None:
        return None
    if m is None:
        return f"{y:04d}"
    if d is None:
        return f"{y:04d}-{m:02d}"
    return f"{y:04d}-{m:02d}-{d:02d}"


def _plausible_year(y: int) -> bool:
    return 1000 <= y <= 2099


def _span(m: re.Match[str]) -> tuple[int, int]:
    if "x" in m.re.groupindex and m.group("x") is not None:
        return m.start("x"), m.end("x")
    return m.start(), m.end()


def _cand(
    m: re.Match[str],
    kind: str,
    value: str | None,
    rank: int,
    year: int | None = None,
    year_given: bool = False,
    render: Callable[[int | None], str | None] | None = None,
) -> _Cand:
    start, end = _span(m)
    return _Cand(start, end, kind, value, rank, year, year_given, render)


def _day_cand(
    m: re.Match[str], y: int | None, mo: int | None, d: int, default_year: int | None
) -> _Cand | None:
    if mo is None:
        return None
    if y is not None:
        if not _plausible_year(y) or _safe_date(y, mo, d) is None:
            return None
        return _cand(m, "date", _iso(y, mo, d), 2, y, True, lambda yy: _iso(yy, mo, d))
    # 2000 is a leap year, so "29/2" without a year survives and "31/2" does not.
    if _safe_date(2000, mo, d) is None:
        return None

    def render(yy: int | None) -> str | None:
        return _iso(yy, mo, d) if yy is not None and _safe_date(yy, mo, d) else None

    return _cand(m, "date", render(default_year), 2, default_year, False, render)


def _year_of(m: re.Match[str]) -> int | None:
    groups = m.groupdict()
    return _int(groups.get("y") or groups.get("y_") or groups.get("y__"))


def _build_dmy(m: re.Match[str], default_year: int | None) -> _Cand | None:
    y = _year_of(m)
    return _day_cand(m, y, _month_of(m.group("m")), int(m.group("d")), default_year)


def _build_month(m: re.Match[str], default_year: int | None) -> _Cand | None:
    mo = _month_of(m.group("m"))
    if mo is None:
        return None
    y = _year_of(m)
    if y is not None and not _plausible_year(y):
        return None
    edge = m.groupdict().get("edge")
    kind = "period" if edge else "date"
    # "tháng 5 năm nay", "tháng 8 năm trước": a month of this or last year.
    year = y if y is not None else _relative_year(m.groupdict().get("rel"), default_year)
    return _cand(m, kind, _iso(year, mo), 4, year, y is not None, lambda yy: _iso(yy, mo))


def _build_month_range(m: re.Match[str], default_year: int | None) -> _Cand | None:
    m1, m2 = _month_of(m.group("m1")), _month_of(m.group("m2"))
    if m1 is None or m2 is None or m1 >= m2:
        return None
    y = _year_of(m)
    year = y if y is not None else default_year
    value = f"{_iso(year, m1)}/{_iso(year, m2)}" if year is not None else None
    return _cand(m, "period", value, 1, year, y is not None)


def _relative_year(word: str | None, default_year: int | None) -> int | None:
    if default_year is None or word is None:
        return default_year
    key = " ".join(word.lower().split())
    shift = {"ngoái": -1, "trước": -1, "tới": 1, "sau": 1, "tiếp theo": 1, "kế tiếp": 1}.get(key, 0)
    return default_year + shift


def _build_quarter(m: re.Match[str], default_year: int | None) -> _Cand | None:
    q_text = m.group("q")
    words = {"một": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4}
    roman = {"I": 1, "II": 2, "III": 3, "IV": 4}
    q = int(q_text) if q_text.isdigit() else roman.get(q_text) or words.get(q_text.lower())
    if q is None:
        return None
    y = _year_of(m)
    year = y if y is not None else _relative_year(m.group("rel"), default_year)

    def render(yy: int | None) -> str | None:
        return f"{yy:04d}-Q{q}" if yy is not None else None

    return _cand(m, "period", render(year), 3, year, y is not None, render)


def _months_value(year: int | None, n: int, edge: str | None) -> str | None:
    if year is None:
        return None
    tail = edge is not None and edge.lower() == "cuối"
    named = {(6, False): "H1", (6, True): "H2", (3, False): "Q1", (3, True): "Q4"}
    if (n, tail) in named:
        return f"{year:04d}-{named[n, tail]}"
    first, last = (13 - n, 12) if tail else (1, n)
    return f"{year:04d}-{first:02d}/{year:04d}-{last:02d}"


def _build_months_of_year(m: re.Match[str], default_year: int | None) -> _Cand | None:
    n_text = m.group("n").lower()
    n = int(n_text) if n_text.isdigit() else _NUM_WORDS.get(" ".join(n_text.split()))
    edge, y_text, rel = m.group("edge"), m.group("y"), m.group("rel")
    if not isinstance(n, int) or not 1 <= n <= 12 or not (edge or y_text or rel):
        return None
    y = _int(y_text)
    year = y if y is not None else _relative_year(rel, default_year)

    def render(yy: int | None) -> str | None:
        return _months_value(yy, n, edge)

    return _cand(m, "period", render(year), 3, year, y is not None, render)


def _build_year(m: re.Match[str], default_year: int | None) -> _Cand | None:
    edge, y_text, rel = m.group("edge"), m.group("y"), m.group("rel")
    if not (edge or y_text or rel):
        return None
    y = _int(y_text)
    if y is not None and not _plausible_year(y):
        return None
    year = y if y is not None else _relative_year(rel, default_year)
    edge_key = " ".join(edge.lower().split()) if edge else None
    half = {"nửa đầu": "H1", "nửa cuối": "H2"}.get(edge_key or "")

    def render(yy: int | None) -> str | None:
        if yy is None:
            return None
        return f"{yy:04d}-{half}" if half else f"{yy:04d}"

    kind = "period" if edge else "year"
    return _cand(m, kind, render(year), 5, year, y is not None, render)


def _build_year_range(m: re.Match[str], default_year: int | None) -> _Cand | None:
    y1, y2 = int(m.group("y1")), int(m.group("y2"))
    if not y1 < y2 <= y1 + 100:
        return None
    return _cand(m, "period", f"{y1}/{y2}", 1, y2, True)


def _build_day_range(m: re.Match[str], default_year: int | None) -> _Cand | None:
    d1, d2, mo = int(m.group("d1")), int(m.group("d2")), _month_of(m.group("m"))
    y = _int(m.group("y"))
    if mo is None or not d1 < d2 or not (y or m.group("pre") or m.group("tu")):
        return None
    year = y if y is not None else default_year
    if _safe_date(year or 2000, mo, d2) is None or (y is not None and not _plausible_year(y)):
        return None
    consecutive = m.group("sep1").lower() != "và" or d2 == d1 + 1
    value = f"{_iso(year, mo, d1)}/{_iso(year, mo, d2)}" if year and consecutive else None
    return _cand(m, "period", value, 1, year, y is not None)


def _build_dm_range(m: re.Match[str], default_year: int | None) -> _Cand | None:
    d1, d2 = int(m.group("d1")), int(m.group("d2"))
    m1, m2 = _month_of(m.group("m1")), _month_of(m.group("m2"))
    y1, y2 = _int(m.group("y1")), _int(m.group("y2"))
    if m1 is None or m2 is None or not (y1 or y2 or m.group("tu") or m.group("pre")):
        return None
    end_year = y2 or y1 or default_year
    start_year = y1 or end_year
    if start_year is None or end_year is None:
        ok = _safe_date(2000, m1, d1) and _safe_date(2000, m2, d2)
        return _cand(m, "period", None, 1) if ok else None
    if not y1 and (m1, d1) > (m2, d2):
        start_year -= 1
    a, b = _safe_date(start_year, m1, d1), _safe_date(end_year, m2, d2)
    if a is None or b is None or a >= b:
        return None
    return _cand(m, "period", f"{a.isoformat()}/{b.isoformat()}", 1, end_year, bool(y1 or y2))


def _number(text: str) -> float | None:
    key = " ".join(text.lower().split())
    if key in _NUM_WORDS:
        return _NUM_WORDS[key]
    # Vietnamese writes 1.500 for fifteen hundred and 1,5 for one and a half.
    value = float(key.replace(".", "").replace(",", "."))
    return value if math.isfinite(value) else None  # 400 digits: a duration without a value


def _iso_duration(parts: list[tuple[float, str]]) -> str:
    totals: dict[str, float] = {}
    for amount, unit in parts:
        unit = " ".join(unit.lower().replace("qúy", "quý").replace("kỉ", "kỷ").split())
        code, factor = _UNIT_ISO[unit]
        totals[code] = totals.get(code, 0) + amount * factor

    def fmt(x: float) -> str:
        return str(int(x)) if x == int(x) else f"{x:g}"

    date_part = "".join(f"{fmt(totals[c])}{c}" for c in ("Y", "M", "W", "D") if c in totals)
    time_part = "".join(f"{fmt(totals[c])}{c[-1]}" for c in ("H", "TM", "S") if c in totals)
    return "P" + date_part + ("T" + time_part if time_part else "")


def _build_duration(m: re.Match[str], default_year: int | None) -> _Cand | None:
    parts = [(m.group("n"), m.group("u"))]
    if m.group("n2"):
        parts.append((m.group("n2"), m.group("u2")))
    amounts = [(_number(n), u) for n, u in parts]
    if any(a is None for a, _ in amounts):
        return _cand(m, "duration", None, 7)
    return _cand(m, "duration", _iso_duration([(a, u) for a, u in amounts if a is not None]), 7)


def _clock(h: int, minute: int, second: int | None, daypart: str | None) -> str | None:
    if daypart:
        part = daypart.lower()
        afternoon = part in ("chiều", "tối") and h < 12
        night = part == "đêm" and 6 <= h < 12
        # "1 giờ trưa" is 13:00, "12 giờ trưa" noon.
        after_noon = part == "trưa" and h <= 2
        if afternoon or night or after_noon:
            h += 12
    if h > 24 or minute > 59 or (second is not None and second > 59):
        return None
    return f"{h:02d}:{minute:02d}" + (f":{second:02d}" if second is not None else "")


def _time_builder(rank: int) -> _Builder:
    def build(m: re.Match[str], default_year: int | None) -> _Cand | None:
        groups = m.groupdict()
        h, minute = int(m.group("h")), int(groups.get("mi") or 0)
        if groups.get("half"):
            minute = 30
        elif groups.get("kem"):
            before = int(groups["kem"])
            if not 0 < before < 60 or h == 0:
                return None
            h, minute = h - 1, 60 - before
        value = _clock(h, minute, _int(groups.get("s")), groups.get("dp"))
        return _cand(m, "time", value, rank) if value else None

    return build


def _clock_range(m: re.Match[str], default_year: int | None) -> _Cand | None:
    """ "10:00-11:00", "13:30 - 17:00 chiều": both ends, as "10:00/11:00"."""
    dp = m.group("dp")
    first = _clock(int(m.group("h")), int(m.group("mi")), None, dp)
    last = _clock(int(m.group("h2")), int(m.group("mi2")), None, dp)
    if first is None or last is None or last <= first:
        return None
    return _cand(m, "time", f"{first}/{last}", 5)


def _p(pattern: str, build: _Builder) -> _Pattern:
    return _Pattern(re.compile(pattern, _F), build)


_DMY = rf"{_L}(?P<d>{_D2})(?P<sep>[/.-])(?P<m>{_D2})(?P=sep)(?P<y>{_Y4}){_R}"
_DM = rf"{_L}(?P<d>{_D2})[/.-](?P<m>{_D2}){_R}"
_ISO_DATE = rf"{_L}(?P<y>{_Y4})-(?P<m>{_D2})-(?P<d>{_D2})(?!\d|[/-]\d)"
_WORD_DATE = (
    rf"(?<!\w)(?:{_WEEKDAY}\s*[,-]?\s*)?(?:{_DAYPART}\s+)?{_DAYWORD}\s+(?P<d>{_D2})\s+tháng\s+"
    rf"(?P<m>{_MONTH_AFTER_DAY})(?:\s*(?:năm|,)\s*(?P<y>{_Y4})(?!\w))?"
)
_WORD_DATE_BARE = rf"{_L}(?P<d>{_D2})\s+tháng\s+(?P<m>{_MONTH})\s*(?:năm|,)\s*(?P<y>{_Y4})(?!\w)"
_HOUR = r"(?P<h>\d{1,2})"
_DAYPART_AFTER = rf"(?:\s+(?P<dp>{_DAYPART}))?"

_TIME_PATTERNS = [
    _p(
        rf"{_L}{_HOUR}\s?h(?:\s?(?P<mi>\d{{2}})\s?['’]?)?(?!\w){_DAYPART_AFTER}(?!\w)",
        _time_builder(6),
    ),
    _p(rf"{_L}{_HOUR}g(?P<mi>\d{{2}})(?!\w){_DAYPART_AFTER}(?!\w)", _time_builder(6)),
    _p(
        rf"{_L}{_HOUR}\s+giờ\s+(?P<mi>\d{{1,2}})(?:\s+phút)?(?!\w){_DAYPART_AFTER}(?!\w)",
        _time_builder(6),
    ),
    _p(
        rf"{_L}{_HOUR}:(?P<mi>\d{{2}})\s*[-–]\s*(?P<h2>\d{{1,2}}):(?P<mi2>\d{{2}})(?![\w:]|[.,]\d)"
        rf"{_DAYPART_AFTER}(?!\w)",
        _clock_range,
    ),
    _p(
        rf"{_L}{_HOUR}:(?P<mi>\d{{2}})(?::(?P<s>\d{{2}}))?(?![\w:]|[.,]\d){_DAYPART_AFTER}(?!\w)",
        _time_builder(6),
    ),
    # "9 giờ rưỡi" is 9:30, "10 giờ kém 15" is 9:45: clock times, only after "lúc" or before a
    # part of the day ("mất 2 giờ rưỡi" is a length of time).
    _p(
        rf"(?<!\w)lúc\s+(?P<x>{_L}{_HOUR}\s+giờ\s+(?:(?P<half>rưỡi)|kém\s+(?P<kem>\d{{1,2}})"
        rf"(?:\s+phút)?){_DAYPART_AFTER})(?!\w)",
        _time_builder(0),
    ),
    _p(
        rf"{_L}{_HOUR}\s+giờ\s+(?:(?P<half>rưỡi)|kém\s+(?P<kem>\d{{1,2}})(?:\s+phút)?)"
        rf"\s+(?P<dp>{_DAYPART})(?!\w)",
        _time_builder(0),
    ),
    # "kém" is only ever said of a clock: "11 giờ kém 15" is 10:45.
    _p(
        rf"{_L}{_HOUR}\s+giờ\s+kém\s+(?P<kem>\d{{1,2}})(?:\s+phút)?{_DAYPART_AFTER}(?!\w)",
        _time_builder(0),
    ),
    # "7:30 chiều ngày 20/4": the part of the day opens the date too (see "4 giờ chiều" below).
    _p(
        rf"{_L}{_HOUR}:(?P<mi>\d{{2}})(?=\s+(?P<dp>{_DAYPART})\s+(?:ngày|hôm|mùng|mồng|nay|\d))",
        _time_builder(0),
    ),
    # "4 giờ chiều ngày 23/4": the part of the day also opens the date, so it is looked at, not
    # taken, and the hour stays a time rather than a length.
    _p(
        rf"{_L}{_HOUR}\s+giờ(?:\s+(?P<mi>\d{{1,2}})(?:\s+phút)?)?(?=\s+(?P<dp>{_DAYPART})\s+"
        rf"(?:ngày|hôm|mùng|mồng|nay|\d))",
        _time_builder(0),
    ),
    # "N giờ" alone is a length of time unless something marks it as a clock time.
    _p(rf"(?<!\w)lúc\s+(?P<x>{_L}{_HOUR}\s+giờ{_DAYPART_AFTER})(?!\w)", _time_builder(0)),
    _p(rf"{_L}{_HOUR}\s+giờ\s+(?P<dp>{_DAYPART})(?!\w)", _time_builder(0)),
    _p(rf"{_L}{_HOUR}\s+giờ(?=\s*,?\s*(?:ngày|hôm)\s)", _time_builder(0)),
]

_PATTERNS = [
    _p(_LEAD_OPT + _DMY, _build_dmy),
    _p(_LEAD_REQ + _DM, _build_dmy),
    _p(
        rf"(?<!\w)(?:trước|chậm\s+nhất(?:\s+là)?|muộn\s+nhất(?:\s+là)?|hạn\s+chót(?:\s+là)?)\s+"
        rf"(?P<x>{_DM})",
        _build_dmy,
    ),
    _p(
        rf"(?<!\w)(?:{_DAYPART}|hôm)\s+(?:nay|qua|mai)\s*\(\s*{_L}(?P<d>{_D2})[/.-](?P<m>{_D2})"
        rf"(?:[/.-](?P<y>{_Y4}))?\s*\)",
        _build_dmy,
    ),
    _p(_ISO_DATE, _build_dmy),
    _p(_WORD_DATE, _build_dmy),
    _p(_WORD_DATE_BARE, _build_dmy),
    _p(
        rf"(?:(?P<edge>{_EDGE})\s+)?(?<!\w)tháng\s+(?P<m>{_MONTH})"
        rf"(?:\s*[/-]\s*(?P<y>{_Y4})|\s+(?:của\s+)?năm\s+(?:(?P<y_>{_Y4})|{_REL_YEAR})"
        rf"|\s+(?P<y__>(?:19|20)\d{{2}}))?(?![\w/]|[.,]\d)",
        _build_month,
    ),
    _p(rf"{_L}(?P<m>{_D2})/(?P<y>(?:19|20)\d{{2}}){_R}", _build_month),
    _p(
        rf"(?<!\w)(?:từ\s+)?tháng\s+(?P<m1>{_D2})\s*(?:-|–|đến|tới)\s*(?:tháng\s+)?(?P<m2>{_D2})"
        rf"(?:\s*[/-]\s*(?P<y>{_Y4})|\s+năm\s+(?P<y_>{_Y4}))?(?![\w/]|[.,]\d)",
        _build_month_range,
    ),
    _p(
        rf"(?:(?P<edge>{_EDGE})\s+)?(?<!\w){_QUY}\s+(?P<q>(?-i:IV|I{{1,3}})|[1-4]|một|hai|ba|bốn|tư)(?!\w)"
        rf"(?:\s*[/-]\s*(?P<y>{_Y4})|\s+(?:của\s+)?năm\s+(?:(?P<y_>{_Y4})|{_REL_YEAR}))?"
        rf"(?![\w/]|[.,]\d)",
        _build_quarter,
    ),
    _p(
        rf"(?<![\w.,])(?P<n>\d{{1,2}}|{_NUM_WORD})\s+tháng\s+(?:(?P<edge>đầu|cuối)\s+)?năm"
        rf"(?:\s+(?P<y>{_Y4})|\s+(?P<rel>nay|qua|ngoái|trước))?(?![\w/]|[.,]\d)",
        _build_months_of_year,
    ),
    _p(
        rf"(?:(?P<edge>{_EDGE})\s+)?(?<!\w)năm(?:\s+(?P<y>{_Y4})(?![\w/]|[.,]\d)|"
        rf"\s+(?P<rel>nay|ngoái|trước|qua|tới|sau|tiếp\s+theo|kế\s+tiếp)(?!\w))?(?!\w)",
        _build_year,
    ),
    _p(
        rf"(?<!\w)(?:(?:giai\s+đoạn|thời\s+k[ỳì]|nhiệm\s+k[ỳì]|niên\s+kh(?:óa|oá)|niên\s+độ|"
        rf"các\s+năm)\s+)?(?:từ\s+)?(?:năm\s+)?{_L}(?P<y1>(?:19|20)\d{{2}})\s*"
        rf"(?:-|–|—|(?:đến|tới)(?:\s+năm)?)\s*(?P<y2>(?:19|20)\d{{2}})(?![\w/]|[.,]\d)",
        _build_year_range,
    ),
    _p(
        rf"(?<!\w)(?P<tu>từ\s+)?(?:(?P<pre>{_DAYWORD})\s+)?{_L}(?P<d1>{_D2})\s*"
        rf"(?P<sep1>-|–|đến|tới|và)\s*(?:ngày\s+)?(?P<d2>{_D2})(?P<sep>[/.-])(?P<m>{_D2})"
        rf"(?:(?P=sep)(?P<y>{_Y4}))?{_R}",
        _build_day_range,
    ),
    _p(
        rf"(?<!\w)(?P<tu>từ\s+)?(?:(?P<pre>{_DAYWORD})\s+)?{_L}(?P<d1>{_D2})/(?P<m1>{_D2})"
        rf"(?:/(?P<y1>{_Y4}))?\s*(?:-|–|đến|tới)\s*(?:ngày\s+)?(?P<d2>{_D2})/(?P<m2>{_D2})"
        rf"(?:/(?P<y2>{_Y4}))?{_R}",
        _build_dm_range,
    ),
    _p(
        # (?<!thứ\s): "thứ Hai tuần tới" is Monday, not two weeks.
        rf"(?<!\w)(?:(?:trong\s+vòng|trong\s+suốt|trong|suốt|sau|vòng|mất)\s+)?(?<![\w.,])(?<!thứ\s)"
        rf"(?P<n>{_NUMBER})\s+(?P<u>{_UNIT})(?!\w)(?!\s+công(?!\w))"
        rf"(?:\s+(?:và\s+)?(?P<n2>{_NUMBER})\s+(?P<u2>{_UNIT})(?!\w)(?!\s+công(?!\w)))?"
        # "2 năm 2019" and "10 tháng 7" are parts of dates, not lengths of time.
        rf"(?!\s*\d)"
        rf"(?:\s+(?:qua|tới|nay|trước|sau|gần\s+đây|liên\s+tiếp|liền|vừa\s+qua|"
        rf"trở\s+lại\s+đây))?(?!\w)",
        _build_duration,
    ),
    *_TIME_PATTERNS,
]
_PATTERN_GATES = [gate(p.regex) for p in _PATTERNS]

_DOC_TYPE = (
    r"(?:quyết\s+định|nghị\s+quyết|nghị\s+định|chỉ\s+thị|thông\s+tư(?:\s+liên\s+tịch)?|"
    r"công\s+văn|công\s+điện|kế\s+hoạch|thông\s+báo|luật|pháp\s+lệnh|quy\s+định|quy\s+chế|"
    r"chương\s+trình|đề\s+án|tờ\s+trình|báo\s+cáo|hướng\s+dẫn|văn\s+bản|kết\s+luận)"
)
# Issuer codes are upper case with the odd lower-case tail: QĐ-UBND, NQ/TW, QĐ-TTg, QH14.
_DOC_CODE = r"(?-i:[A-ZĐ][A-ZĐ0-9]*[a-zđ]*(?:[-/.&][A-ZĐ][A-ZĐ0-9]*[a-zđ]*)*)(?![\w])"
_ORDINAL_KEYWORD = (
    # "vòng 2" is a round, but "vòng 30 ngày" is "within 30 days".
    r"(?:đợt|lần|phiên|vòng(?!\s+\S+\s+(?:ngày|tuần|tháng|năm|giờ)(?!\w))|k[ỳì]\s+họp|"
    r"kh(?:óa|oá)|đại\s+hội|giai\s+đoạn|chương|mục|tiểu\s+mục|điều|khoản|phụ\s+lục|bước)"
)
_PLACE_KEYWORD = (
    r"(?:phòng|tổ\s+dân\s+phố|tổ|thôn|xóm|ấp|bản|buôn|khu\s+phố|khu\s+vực|tiểu\s+khu|khu|khóm|"
    r"lô|hẻm|ngõ|ngách|kiệt|số\s+nhà|nhà\s+số|đường\s+số|thửa(?:\s+đất)?|tờ\s+bản\s+đồ)"
)
_NUM_END = r"(?![\w/]|[.,]\d)"

_ORDINAL_PATTERNS = [
    re.compile(
        rf"(?<!\w)(?:{_DOC_TYPE}\s+)?(?:số\s*:?\s*)?(?<![\w/.-])\d+(?:[/-]\d{{2,4}})?[/-]{_DOC_CODE}",
        _F,
    ),
    re.compile(rf"(?<!\w){_DOC_TYPE}\s+số\s*:?\s*\d+(?:/\d{{4}})?(?![\w/])", _F),
    re.compile(
        rf"(?<!\w)(?P<kw>(?:k[ỳì]\s+họp|lần|phiên|đợt|vòng|hội\s+nghị|đại\s+hội|kh(?:óa|oá))\s+)?"
        rf"thứ\s+(?P<n>\d+|{_ROMAN}){_NUM_END}",
        _F,
    ),
    re.compile(
        rf"(?<!\w){_ORDINAL_KEYWORD}\s+(?:số\s+)?(?:\d{{1,3}}|{_ROMAN}){_NUM_END}(?!\s*[-–]\s*\d)",
        _F,
    ),
    re.compile(r"(?<!\w)điểm\s+(?-i:[a-zđ])(?!\w)", _F),
    re.compile(
        rf"(?<!\w){_PLACE_KEYWORD}\s+(?:số\s+)?\d+(?:[A-Za-z](?!\w))?(?:/\d+)*{_NUM_END}", _F
    ),
    re.compile(
        r"(?<!\w)(?:quốc\s+lộ|tỉnh\s+lộ|huyện\s+lộ|đường\s+tỉnh|đường\s+huyện|(?-i:QL|TL|ĐT|ĐH))"
        rf"\s*\.?\s*\d+(?:[A-Za-z](?!\w))?{_NUM_END}",
        _F,
    ),
    # "km 25" is a chainage; "25 km" is a distance and stays a figure.
    re.compile(rf"(?<![\d])(?<!\d\s)(?<!\w)km\s*\d+(?:\s*\+\s*\d+)?{_NUM_END}", _F),
]
# The words each pattern needs (`extract/literals.py`): a sentence without them is not searched.
_ORDINAL_GATES = [gate(p) for p in _ORDINAL_PATTERNS]
_WEEKDAY_AHEAD = re.compile(
    r"\s*[,(-]?\s*(?:(?:ngày\s+)?\d{1,2}[/.-]\d|(?:ngày|mồng|mùng)(?:\s+(?:mồng|mùng))?\s+\d{1,2}\s+tháng)",
    _F,
)


def _longest_first(spans: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Keep non-overlapping (start, end, rank, id) spans: longest first, then lower rank, then
    earlier; return them in text order."""
    starts: list[int] = []
    chosen: list[tuple[int, int, int, int]] = []
    for span in sorted(spans, key=lambda s: (-(s[1] - s[0]), s[2], s[0])):
        at = bisect_left(starts, span[0])
        if at > 0 and chosen[at - 1][1] > span[0]:
            continue
        if at < len(chosen) and chosen[at][0] < span[1]:
            continue
        starts.insert(at, span[0])
        chosen.insert(at, span)
    return chosen


def _overlaps_any(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether [start, end) meets any of `spans`, which are sorted and non-overlapping."""
    at = bisect_left(spans, (end,))
    return at > 0 and spans[at - 1][1] > start


def find_ordinals(text: str) -> list[tuple[int, int]]:
    """Spans whose numbers are labels, not figures: rounds, sessions, clauses, places, documents.

    >>> text = "Kỳ họp thứ 7 HĐND khóa XIV thông qua Điều 5, khoản 2 Quyết định số 1048/QĐ-UBND"
    >>> [text[s:e] for s, e in find_ordinals(text)]
    ['Kỳ họp thứ 7', 'khóa XIV', 'Điều 5', 'khoản 2', 'Quyết định số 1048/QĐ-UBND']
    >>> text = "Nâng cấp Quốc lộ 14 đoạn km 25, thôn 3 (đợt 01)"
    >>> [text[s:e] for s, e in find_ordinals(text)]
    ['Quốc lộ 14', 'km 25', 'thôn 3', 'đợt 01']
    """
    spans: list[tuple[int, int, int, int]] = []
    low = lowered(text)
    for rank, pattern in enumerate(_ORDINAL_PATTERNS):
        if not may_match(_ORDINAL_GATES[rank], low):
            continue
        for m in pattern.finditer(text):
            groups = m.groupdict()
            weekday = "n" in groups and not groups.get("kw") and groups["n"] in "234567"
            # "Thứ 3, 10/7" is a weekday heading a date; find_times owns it.
            if weekday and _WEEKDAY_AHEAD.match(text, m.end()):
                continue
            spans.append((m.start(), m.end(), rank, len(spans)))
    return [(s, e) for s, e, _, _ in _longest_first(spans)]


_RANGE_GAP = re.compile(r"\s*(?P<sep>đến|tới|-|–|—)\s*(?:hết\s+)?", _F)
_FROM_BEFORE = re.compile(r"(?<!\w)từ\s+$", _F)
_UNTIL_NOW = re.compile(
    r"\s*(?:đến|tới)\s+(?:nay|hiện\s+nay|hiện\s+tại|thời\s+điểm\s+này)(?!\w)", _F
)
_JOINABLE = ("date", "year", "period")


def _join(text: str, a: _Cand, b: _Cand | None) -> tuple[_Cand, bool] | None:
    """Join "từ A đến B", "A - B" and "từ A đến nay" into one period; say if B was used."""
    if a.kind not in _JOINABLE:
        return None
    from_match = _FROM_BEFORE.search(text, max(0, a.start - 8), a.start)
    start = from_match.start() if from_match else a.start
    now = _UNTIL_NOW.match(text, a.end)
    if from_match and now and (b is None or b.start >= now.end()):
        value = f"{a.value}/.." if a.value else None
        return _Cand(start, now.end(), "period", value, 1, a.year, a.year_given), False
    if b is None or b.kind not in _JOINABLE or a.render is None or b.render is None:
        return None
    gap = _RANGE_GAP.fullmatch(text, a.end, b.start)
    if gap is None or (gap.group("sep").isalpha() and not from_match):
        return None
    a_value, b_value = a.value, b.value
    if not a.year_given and b.year_given and b.year is not None:
        a_value = a.render(b.year)
        # "từ tháng 10 đến tháng 3/2019" starts in 2018.
        if a_value is not None and b_value is not None and a_value > b_value:
            a_value = a.render(b.year - 1)
    value = f"{a_value}/{b_value}" if a_value and b_value else None
    return _Cand(start, b.end, "period", value, 1, b.year, b.year_given), True


def _candidates(
    text: str, default_year: int | None, ordinals: list[tuple[int, int]] | None = None
) -> list[_Cand]:
    blocked = find_ordinals(text) if ordinals is None else ordinals
    found: list[_Cand] = []
    low = lowered(text)
    for pattern, words in zip(_PATTERNS, _PATTERN_GATES, strict=True):
        if not may_match(words, low):
            continue
        for m in pattern.regex.finditer(text):
            cand = pattern.build(m, default_year)
            if cand is None or cand.end <= cand.start:
                continue
            if _overlaps_any(cand.start, cand.end, blocked):
                continue
            found.append(cand)
    keep = _longest_first([(c.start, c.end, c.rank, i) for i, c in enumerate(found)])
    ordered = [found[i] for _, _, _, i in keep]
    joined: list[_Cand] = []
    i = 0
    while i < len(ordered):
        nxt = ordered[i + 1] if i + 1 < len(ordered) else None
        result = _join(text, ordered[i], nxt)
        if result is None or (joined and result[0].start < joined[-1].end):
            joined.append(ordered[i])
            i += 1
            continue
        joined.append(result[0])
        i += 2 if result[1] else 1
    return joined


def find_times(
    text: str, default_year: int | None = None, ordinals: list[tuple[int, int]] | None = None
) -> list[TimeMatch]:
    """Every date, period, duration, year and clock time in `text`, in order, non-overlapping.

    `default_year` (usually the article's publication year) fills in "tháng 7", "quý I",
    "năm nay" and "6 tháng đầu năm"; without it their value is None but they are still found.
    `ordinals`: `find_ordinals(text)`, when the caller has them already.

    >>> [(m.text, m.kind, m.value) for m in find_times("Ngày 10/7/2018, lúc 14h00")]
    [('Ngày 10/7/2018', 'date', '2018-07-10'), ('14h00', 'time', '14:00')]
    >>> [(m.text, m.value) for m in find_times("quý III/2024 và 9 tháng năm 2023")]
    [('quý III/2024', '2024-Q3'), ('9 tháng năm 2023', '2023-01/2023-09')]
    >>> [(m.text, m.value) for m in find_times("từ đầu năm đến nay", default_year=2018)]
    [('từ đầu năm đến nay', '2018/..')]
    >>> [m.text for m in find_times("đợt 2 năm 2019, lần thứ 3")]
    ['năm 2019']
    """
    return [
        TimeMatch(c.start, c.end, text[c.start : c.end], c.kind, c.value)
        for c in _candidates(text, default_year, ordinals)
    ]


_PARSE_PATTERNS = [
    re.compile(_ISO_DATE, _F),
    re.compile(_DMY, _F),
    re.compile(_WORD_DATE, _F),
    re.compile(_WORD_DATE_BARE, _F),
    re.compile(_DM, _F),
]
_HAS_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=8)
def _date_parser(default_year: int | None) -> DateDataParser:
    # dateparser takes ~0.5 s to import; only word forms our regexes missed ever pay for it.
    from dateparser.date import DateDataParser

    settings: dict[str, object] = {
        "DATE_ORDER": "DMY",
        "PREFER_DAY_OF_MONTH": "first",
        "RETURN_AS_TIMEZONE_AWARE": False,
        # Relative words ("hôm nay") and bare timestamps would tie results to the clock.
        "PARSERS": ["custom-formats", "absolute-time"],
        "REQUIRE_PARTS": ["day", "month", "year"],
    }
    if default_year is not None:
        settings["REQUIRE_PARTS"] = ["day", "month"]
        settings["RELATIVE_BASE"] = dt.datetime(default_year, 1, 1)
        settings["PREFER_DATES_FROM"] = "current_period"
    return DateDataParser(languages=["vi"], settings=settings)


def parse_date(s: str, default_year: int | None = None) -> dt.date | None:
    """The calendar date written in `s`, day first; None if there is none or it does not exist.

    >>> parse_date("11/07/2018 10:28:58")
    datetime.date(2018, 7, 11)
    >>> parse_date("ngày 10 tháng 7 năm 2018")
    datetime.date(2018, 7, 10)
    >>> parse_date("10/7", default_year=2018)
    datetime.date(2018, 7, 10)
    >>> parse_date("31/2/2018") is None
    True
    """
    if not isinstance(s, str) or not s.strip() or len(s) > 200:
        return None
    for pattern in _PARSE_PATTERNS:
        m = pattern.search(s)
        if m is None:
            continue
        groups = m.groupdict()
        month = _month_of(groups["m"])
        year = _int(groups.get("y")) or default_year
        if month is None or year is None:
            return None
        # A numeric date that does not exist is an error in the source, not a word form.
        return _safe_date(year, month, int(groups["d"]))
    if not _HAS_DIGIT.search(s):
        return None
    try:
        found = _date_parser(default_year).get_date_data(s.strip()).date_obj
    except Exception:  # dateparser raises assorted errors on odd input; a bad date is just None
        return None
    return found.date() if found is not None else None


_DEADLINE_CUE = re.compile(
    r"(?<!\w)(?P<done>(?:hoàn\s+thành|hoàn\s+tất|thực\s+hiện\s+xong|xong)\s+)?"
    r"(?P<cue>chậm\s+nhất(?:\s+(?:là|vào|đến|trước))?|muộn\s+nhất(?:\s+(?:là|vào))?|"
    r"hạn\s+chót(?:\s+(?:là|vào))?|thời\s+hạn(?:\s+(?:là|đến|trước))?|không\s+quá|trước|"
    r"đến(?:\s+hết)?|tới|trong)\s*:?\s*$",
    _F,
)
_DONE_BEFORE = re.compile(r"(?<!\w)(?:hoàn\s+thành|hoàn\s+tất|thực\s+hiện\s+xong|xong)\s+$", _F)
_HOLIDAY = re.compile(
    r"(?<!\w)(?:dịp\s+)?Tết(?:\s+(?:Nguyên\s+đán|Dương\s+lịch|Âm\s+lịch|cổ\s+truyền|Trung\s+thu))?"
    r"(?:\s+(?-i:Giáp|Ất|Bính|Đinh|Mậu|Kỷ|Canh|Tân|Nhâm|Quý)\s+(?-i:[A-ZĐ]\w*))?"
    r"(?:\s+\d{4})?(?!\w)|(?<!\w)(?:ngày\s+)?Quốc\s+khánh(?:\s+2/9)?(?!\w)",
    _F,
)
_TIME_THEN_DATE = re.compile(r"\s*,?\s*$")


def _cue_rank(cue: str) -> int:
    word = cue.split()[0].lower()
    return {"đến": 1, "tới": 1, "trong": 2}.get(word, 0)


def find_deadline(text: str, default_year: int | None = None) -> TimeMatch | None:
    """The deadline of a directive sentence: a cue (trước, chậm nhất, hạn chót, trong, đến...)
    followed by a time. The firmest cue wins ("trước" over "đến" over "trong"), then the first.

    >>> d = find_deadline("Sở Tài chính báo cáo UBND tỉnh chậm nhất ngày 15/8.", default_year=2019)
    >>> (d.text, d.kind, d.value)
    ('chậm nhất ngày 15/8', 'date', '2019-08-15')
    >>> d = find_deadline("Các huyện triển khai trong quý III")
    >>> (d.text, d.kind, d.value)
    ('trong quý III', 'period', None)
    >>> find_deadline("Trước Tết Nguyên đán, các xã rà soát hộ nghèo").value is None
    True
    >>> find_deadline("Năm 2018, tỉnh có 25 sản phẩm OCOP") is None
    True
    """
    times = find_times(text, default_year)
    taken = [(t.start, t.end) for t in times]
    targets = list(times)
    for m in _HOLIDAY.finditer(text):
        if all(m.end() <= s or m.start() >= e for s, e in taken):
            targets.append(TimeMatch(m.start(), m.end(), m.group(), "date", None))
    targets.sort(key=lambda t: t.start)

    best: tuple[int, int, TimeMatch] | None = None
    for i, target in enumerate(targets):
        if target.kind == "duration":
            words = target.text.lower().split()
            if words[0] != "trong" or any(target.text.lower().endswith(r) for r in _RETROSPECTIVE):
                continue
            done = _DONE_BEFORE.search(text, max(0, target.start - 24), target.start)
            start, rank = (done.start() if done else target.start), 2
        else:
            cue = _DEADLINE_CUE.search(text, max(0, target.start - 40), target.start)
            if cue is None:
                continue
            start, rank = cue.start(), _cue_rank(cue.group("cue"))
            if cue.group("done") and rank == 2:
                rank = 1
        end, kind, value = target.end, target.kind, target.value
        nxt = targets[i + 1] if i + 1 < len(targets) else None
        # "trước 17 giờ ngày 15/8/2024": the date is the deadline, the hour only sharpens it.
        time_then_date = kind == "time" and nxt is not None and nxt.kind == "date"
        if (
            time_then_date
            and nxt is not None
            and _TIME_THEN_DATE.match(text[target.end : nxt.start])
        ):
            end, kind, value = nxt.end, nxt.kind, nxt.value
        if best is None or (rank, start) < best[:2]:
            best = (rank, start, TimeMatch(start, end, text[start:end], kind, value))
    return best[2] if best else None
