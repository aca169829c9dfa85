"""Vietnamese numerals as provincial news writes them: digits, number words, scales and ranges.

Vietnamese groups thousands with "." and marks decimals with ",", says big numbers with scale
words, and spells small ones out. `find_numbers` returns every number it can stand behind, with
offsets into the text it was given; units, dates and qualifiers are left to later stages.

>>> [(m.text, m.value) for m in find_numbers("hỗ trợ 1,2 tỷ đồng cho 3.288 hộ")]
[('1,2 tỷ', 1200000000.0), ('3.288', 3288.0)]
>>> m = find_numbers("tăng 15,5% so với cùng kỳ")[0]
>>> m.text, m.value, m.text in "15,5%"
('15,5', 15.5, True)
>>> [(m.text, m.value) for m in find_numbers("hai mươi mốt sản phẩm đạt 3 sao")]
[('hai mươi mốt', 21.0), ('3', 3.0)]
>>> m = find_numbers("mỗi hộ được hỗ trợ 3-5 triệu đồng")[0]
>>> m.text, m.value, m.value_max, m.scale
('3-5 triệu', 3000000.0, 5000000.0, 'triệu')
>>> parse_number("một trăm linh năm"), parse_number("1.234,5"), parse_number("10/7/2018")
(105.0, 1234.5, None)

Pass NFC text (the normalised text of the contract is NFC): decomposed diacritics match no word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

__all__ = [
    "CLASSIFIERS",
    "CURRENCY_PREFIXES",
    "NEEDS_CLASSIFIER",
    "DIGIT_WORDS",
    "NUMERAL_WORDS",
    "SCALE_WORDS",
    "NumberMatch",
    "PART_OF_WHOLE",
    "find_numbers",
    "scale_exponent",
    "parse_number",
]


@dataclass(frozen=True, slots=True)
class NumberMatch:
    """One number in a text.

    "hơn 41 tỷ đồng" gives `NumberMatch(value=41e9, start=4, end=10, text="41 tỷ",
    kind="digits", scale="tỷ")`: "hơn" and "đồng" are the caller's to read.
    """

    value: float
    start: int
    end: int
    text: str
    kind: str  # "digits" when the span holds a digit, else "words"
    value_max: float | None = None  # the high end of "400 - 500", "3-5 triệu"
    scale: str | None = None  # the first scale word(s) as written: "tỷ", "nghìn tỷ", "k"


# Cardinal digits as said alone or before "trăm"; "tư" is four only in a few places (see below).
DIGIT_WORDS: dict[str, int] = {
    "không": 0,
    "một": 1,
    "hai": 2,
    "ba": 3,
    "bốn": 4,
    "tư": 4,
    "năm": 5,
    "sáu": 6,
    "bảy": 7,
    "bẩy": 7,
    "tám": 8,
    "chín": 9,
}

# Exponents of ten; "trăm" is a scale after digits ("5 trăm triệu") and inside word groups.
SCALE_WORDS: dict[str, int] = {
    "trăm": 2,
    "nghìn": 3,
    "ngàn": 3,
    "vạn": 4,  # ten thousand, in older and southern usage: "18 vạn con" = 180.000 con
    "triệu": 6,
    "tỷ": 9,
    "tỉ": 9,
}

# The units that may follow "mười" / "X mươi": "mốt" (1), "tư" (4), "lăm"/"nhăm" (5) replace the
# plain digit there. "năm" is left out on purpose: "hai mươi năm" is "twenty years", not 25.
_UNITS_AFTER_MUOI: dict[str, int] = {
    "mốt": 1,
    "một": 1,
    "hai": 2,
    "ba": 3,
    "bốn": 4,
    "tư": 4,
    "lăm": 5,
    "nhăm": 5,
    "sáu": 6,
    "bảy": 7,
    "bẩy": 7,
    "tám": 8,
    "chín": 9,
}
_UNITS_AFTER_MUOI_TEN = {w: d for w, d in _UNITS_AFTER_MUOI.items() if w != "mốt"}

# "linh"/"lẻ" mark an empty tens place: "một trăm linh năm" = 105, "hai nghìn lẻ tư" = 2004.
_UNITS_AFTER_LINH: dict[str, int] = {w: d for w, d in DIGIT_WORDS.items() if d > 0}

# The shortened tail after a scale: "hai trăm mốt" = 210, "hai nghìn ba" = 2300, "một triệu
# rưỡi" = 1.5 triệu. "năm" and "một" stay out: "hai nghìn năm" is "two thousand years".
_SHORT_TAIL: dict[str, int] = {
    "mốt": 1,
    "hai": 2,
    "ba": 3,
    "bốn": 4,
    "tư": 4,
    "rưỡi": 5,
    "sáu": 6,
    "bảy": 7,
    "bẩy": 7,
    "tám": 8,
    "chín": 9,
}
_TENS_MARKERS = frozenset({"mươi", "chục"})
_EMPTY_TENS = frozenset({"linh", "lẻ"})
_DECIMAL_WORDS = frozenset({"phẩy", "chấm"})  # spoken decimal mark: "hai phẩy năm" = 2,5
_FRACTION_DIGITS: dict[str, int] = {**DIGIT_WORDS, "lăm": 5}

NUMERAL_WORDS: frozenset[str] = frozenset(
    {*DIGIT_WORDS, *SCALE_WORDS, *_UNITS_AFTER_MUOI, *_TENS_MARKERS, *_EMPTY_TENS}
    | {"mười", "rưỡi"}
)

# A scale word followed by these is another word: "tỷ lệ" (rate), "triệu tập" (to convene).
_NOT_SCALE_BEFORE: dict[str, frozenset[str]] = {
    "tỷ": frozenset({"lệ", "trọng", "giá", "số", "suất"}),
    "tỉ": frozenset({"lệ", "trọng", "giá", "số", "suất"}),
    "triệu": frozenset({"tập", "chứng", "hồi", "phú"}),
}

# Currency codes written glued to the amount ("USD1,23", "VND1000"); any other letters glued
# before digits make a code ("QL14", "H5N1", "Covid-19") that holds no figure.
CURRENCY_PREFIXES: frozenset[str] = frozenset(
    {"USD", "EUR", "GBP", "INR", "JPY", "CNY", "VND", "VNĐ", "AED", "Rs"}
)

# What a lone "năm", "tư" or "chín" must count before we believe it is a numeral: the words are
# far more often "year", "invest/private/fourth" and "ripe" ("năm 2019", "đầu tư", "quả chín").
NEEDS_CLASSIFIER: frozenset[str] = frozenset({"năm", "tư", "chín"})
CLASSIFIERS: frozenset[str] = frozenset(
    {
        "buổi", "bản", "bộ", "cá nhân", "cán bộ", "cấp", "cây", "chỉ tiêu", "chiếc", "chủ thể",
        "chương trình", "con", "công trình", "cơ sở", "cuộc", "dự án", "doanh nghiệp",
        "đại biểu", "điểm", "đoàn", "đơn vị", "đợt", "gian hàng", "giải pháp", "giờ", "ha",
        "hécta", "hội nghị", "hộ", "hợp tác xã", "huyện", "kg", "km", "khu", "làng", "lần",
        "lao động", "lĩnh vực", "loại", "lớp", "mặt hàng", "mô hình", "mục tiêu", "ngày",
        "ngành", "người", "nhiệm vụ", "nhóm", "nội dung", "phút", "phường", "quả", "sản phẩm",
        "sao", "tấn", "tầng", "thành phố", "thành viên", "thị trấn", "thôn", "tiêu chí", "tỉnh",
        "tổ", "tổ chức", "tuần", "tuyến", "trường", "văn bản", "vị trí", "vòng", "vùng", "xã",
        "xe", "đồng", "đô", "bảng", "euro", "pound", "pounds", "yên", "xu", "xen",
    }
)  # fmt: skip

# Words that cannot be what a cardinal counts, so a lone numeral word before them is no number.
_NOT_COUNTED = frozenset(
    {
        "à", "ạ", "ấy", "bị", "bởi", "các", "cho", "chỉ", "có", "cũng", "của", "cùng", "do",
        "đã", "đang", "để", "đến", "đều", "đi", "đó", "được", "hay", "hoặc", "hơn", "khi",
        "không", "kia", "là", "lại", "lắm", "lên", "mà", "mấy", "mọi", "mỗi", "nào", "này",
        "nên", "nếu", "nhé", "nhất", "như", "nhưng", "những", "nữa", "ra", "rất", "rồi", "sẽ",
        "tại", "theo", "thì", "thôi", "thứ", "tới", "trên", "trong", "từ", "từng", "và",
        "vào", "vẫn", "về", "vì", "với", "xuống",
    }
)  # fmt: skip

# "năm" is "year" after these ("cuối năm", "hằng năm") and before those ("năm nay", "năm học").
_YEAR_BEFORE = frozenset(
    {"tháng", "cuối", "đầu", "giữa", "trong", "các", "hằng", "hàng", "mỗi", "cả", "những",
     "nhiều", "từng", "mọi", "vài", "mấy"}
)  # fmt: skip
_YEAR_AFTER = frozenset(
    {"nay", "qua", "tới", "trước", "sau", "học", "ngân sách", "ngoái", "kia", "đó", "này",
     "sinh", "tài chính", "thứ"}
)  # fmt: skip
# Other homographs, by the word before ("đầu tư" invest, "quả chín" ripe) or the words after
# ("ba mẹ" parents, "ba kích" a medicinal root, "chín muồi" ripe).
_NOT_NUMERAL_AFTER: dict[str, frozenset[str]] = {
    "năm": _YEAR_BEFORE,
    "tư": frozenset({"đầu", "thứ", "phần", "quý", "hạng"}),
    "chín": frozenset({"quả", "trái", "cây", "lúa", "nấu"}),
}
_NOT_NUMERAL_BEFORE: dict[str, frozenset[str]] = {
    "năm": _YEAR_AFTER,
    "ba": frozenset({"mẹ", "má", "lô", "gác", "hoa", "kích"}),
    "chín": frozenset({"muồi", "chắn", "mọng", "rộ"}),
}

_TOKEN_RE = re.compile(r"(?P<digits>[0-9]+(?:[.,][0-9]+)*)|(?P<word>[^\W\d_]+)")
_SPACES_RE = re.compile(r"[ \t\u00a0]+")
_DASH_RE = re.compile(r"[ \t\u00a0]*[-\u2013\u2014][ \t\u00a0]*")
_VN_GROUPED_RE = re.compile(r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+(?:,[0-9]+)?")
# English grouping: two or more ",ddd" groups, or one with a "." decimal after it, or a lone
# ",000" ("3,000 căn", "100,000 đô"): a Vietnamese decimal never ends in three zeros, while a
# lone ",ddd" ("8,030 tỷ") is a decimal.
_EN_GROUPED_RE = re.compile(
    r"[1-9][0-9]{0,2}(?:,[0-9]{3}){2,}(?:\.[0-9]+)?|[1-9][0-9]{0,2},(?:[0-9]{3}\.[0-9]+|000)"
)
_PLAIN_RE = re.compile(r"([0-9]+)(?:([.,])([0-9]+))?")
_MONTH_YEAR_RE = re.compile(r"(?:0?[1-9]|1[0-2])\.(?:19|20)[0-9]{2}")
_SENTENCE_START_MARKS = frozenset("\n.!?:;…-–—•+*")
_OPENING_MARKS = " \t\u00a0\"'“‘«([<"
# "/20" then a lower-case word: the whole that a part is counted against.
# "/20" before a lower-case word: the whole a part is counted against ("17/20 chỉ tiêu"); a whole
# under 5 makes a share ("2/3 bệnh nhân"), not a count. The figure step reads the same form.
PART_OF_WHOLE = re.compile(r"/([5-9]|[1-9]\d{1,2})(?=\s+[^\W\dA-ZĐ])")
_GLUED_SQUARE_CUBE = re.compile(r"(?:k|c|d)?m[23](?![\w/:.,]\w)", re.IGNORECASE)
_GLUED_UNIT_BEFORE_DASH = re.compile(
    r"\d(?:kg|km|cm|mm|m|g|đ|ha|ml|l|tấn|tạ|usd|vnđ|vnd)-$", re.IGNORECASE
)
# Longer digit runs are ids or phone numbers, and would overflow a float.
_MAX_DIGIT_CHARS = 40

# An exact decimal as (integer, places): value = integer / 10**places. Floats only at the end,
# so "1,2 tỷ" is 1200000000.0 exactly rather than 1.2 * 1e9.
_Exact = tuple[int, int]


@dataclass(slots=True)
class _Token:
    start: int
    end: int
    text: str
    lower: str
    is_digits: bool


@dataclass(slots=True)
class _Quantity:
    exact: _Exact
    core: _Exact  # digits before their scale words, so "3-5 triệu" can lend "triệu" to 3
    scale_exp: int  # the exponent that first scale run applied
    start: int
    end: int
    next_index: int
    scale: str | None


def scale_exponent(scale: str) -> int | None:
    """The power of ten of a scale as written: "triệu" 6, "nghìn tỷ" 12, "k" 3; None otherwise."""
    words = scale.lower().split()
    if words == ["k"]:
        return 3
    if not words or any(w not in SCALE_WORDS for w in words):
        return None
    return sum(SCALE_WORDS[w] for w in words)


def parse_number(s: str) -> float | None:
    """The value of `s` when the whole of it is one number, else None.

    >>> parse_number("3.288"), parse_number("1,234,567"), parse_number("08")
    (3288.0, 1234567.0, 8.0)
    >>> parse_number("1 tỷ 200 triệu"), parse_number("hai nghìn không trăm hai mươi")
    (1200000000.0, 2020.0)
    >>> parse_number("400 - 500"), parse_number("15,5%"), parse_number("QL14")
    (None, None, None)
    """
    text = s.strip()
    # ",77" is 0,77 only when it stands alone; inside prose a leading comma is punctuation.
    if text.startswith(","):
        text = "0" + text
    tokens = _tokenize(text)
    if not tokens or tokens[0].start != 0:
        return None
    quantity = _read_quantity(text, tokens, 0, bare_scale=True)
    if quantity is None or quantity.end != len(text):
        return None
    return _to_float(quantity.exact)


def find_numbers(text: str) -> list[NumberMatch]:
    """Every number in `text`, in order, with `text[m.start:m.end] == m.text`.

    Tokens that are dates, times, codes or document numbers give nothing; ordinals and years do
    come back, for the caller to tell apart by their context.

    >>> [(m.text, m.value) for m in find_numbers("đợt 01 có 66 tổ chức; ngày 10/7/2018")]
    [('01', 1.0), ('66', 66.0)]
    >>> [m.text for m in find_numbers("cuối năm, năm sản phẩm dịch Covid-19 và H5N1")]
    ['năm']
    >>> [(m.text, m.value, m.value_max) for m in find_numbers("giai đoạn 2018 - 2020")]
    [('2018 - 2020', 2018.0, 2020.0)]
    """
    tokens = _tokenize(text)
    matches: list[NumberMatch] = []
    i = 0
    while i < len(tokens):
        first = tokens[i]
        if not first.is_digits and first.lower not in NUMERAL_WORDS:
            i += 1
            continue
        quantity = _read_quantity(text, tokens, i, bare_scale=False)
        if quantity is None:
            i += 1
            continue
        value_max = None
        if first.is_digits:
            quantity, value_max = _with_range_end(text, tokens, quantity)
        elif not _words_count_something(text, tokens, i, quantity):
            i = quantity.next_index
            continue
        span = text[quantity.start : quantity.end]
        matches.append(
            NumberMatch(
                value=_to_float(quantity.exact),
                start=quantity.start,
                end=quantity.end,
                text=span,
                kind="digits" if any(c.isdigit() for c in span) else "words",
                value_max=value_max,
                scale=quantity.scale,
            )
        )
        i = quantity.next_index
    return matches


def _tokenize(text: str) -> list[_Token]:
    return [
        _Token(m.start(), m.end(), m.group(), m.group().lower(), m.lastgroup == "digits")
        for m in _TOKEN_RE.finditer(text)
    ]


def _spaced(text: str, left: _Token | int, right: _Token) -> bool:
    """True when only spaces (no punctuation, no line break) stand between the two."""
    end = left if isinstance(left, int) else left.end
    return _SPACES_RE.fullmatch(text, end, right.start) is not None


def _parse_digits(token: str) -> _Exact | None:
    """A digit token's exact value: "1.234,5" -> (12345, 1), "4.0" -> (40, 1), "1.2.3" -> None."""
    if len(token) > _MAX_DIGIT_CHARS:
        return None
    if _VN_GROUPED_RE.fullmatch(token):
        whole, _, fraction = token.partition(",")
        whole = whole.replace(".", "")
    elif _EN_GROUPED_RE.fullmatch(token):
        whole, _, fraction = token.partition(".")
        whole = whole.replace(",", "")
    elif match := _PLAIN_RE.fullmatch(token):
        whole, mark, fraction = match.group(1), match.group(2), match.group(3) or ""
        # "1234.567" is neither grouping (head too long) nor a decimal we can trust.
        if mark == "." and len(fraction) == 3 and not whole.startswith("0"):
            return None
        if mark == "." and _MONTH_YEAR_RE.fullmatch(token):
            return None  # "tháng 10.2018" is a date, like "10.7.2018"
    else:
        return None
    return int(whole + fraction), len(fraction)


def _is_code(text: str, tokens: list[_Token], i: int) -> bool:
    """Digits that belong to a date, time, code or document number rather than a quantity."""
    token = tokens[i]
    start, end = token.start, token.end
    before = text[start - 1] if start else ""
    if before.isalpha():
        previous = tokens[i - 1]
        return not (previous.end == start and previous.text in CURRENCY_PREFIXES)
    if before in ("/", "_") or (before == ":" and text[start - 2 : start - 1].isdigit()):
        return True
    if before == "-" and text[start - 2 : start - 1].isalpha():
        # "3kg-6kg", "50.000đ-100.000đ": the low end's unit glued before the dash.
        return _GLUED_UNIT_BEFORE_DASH.search(text, max(0, start - 8), start) is None
    after, after_next = text[end : end + 1], text[end + 1 : end + 2]
    if after == "/" and after_next.isalnum():
        # "17/20 chỉ tiêu", "5/7 xã" count part of a whole; "15/2019/NQ", "10/7" do not.
        whole = PART_OF_WHOLE.match(text, end)
        return whole is None or not (token.text.isdigit() and int(token.text) <= int(whole[1]))
    return _is_glued_code(text, tokens, i, start, end)


def _is_glued_code(text: str, tokens: list[_Token], i: int, start: int, end: int) -> bool:
    after, after_next = text[end : end + 1], text[end + 1 : end + 2]
    if (after == ":" and after_next.isdigit()) or (after == "-" and after_next.isalpha()):
        return True
    # "10h30", "5N1": letters glued between digits; but "500m2", "8,5km2" are areas.
    return (
        i + 2 < len(tokens)
        and tokens[i + 1].start == end
        and tokens[i + 2].is_digits
        and tokens[i + 2].start == tokens[i + 1].end
        and _GLUED_SQUARE_CUBE.match(text, end) is None
    )


def _read_quantity(text: str, tokens: list[_Token], i: int, bare_scale: bool) -> _Quantity | None:
    """The longest number from token i: digits or words, spoken decimal, scales, smaller groups."""
    first = tokens[i]
    if first.is_digits:
        core = _parse_digits(first.text)
        if core is None or _is_code(text, tokens, i):
            return None
        end, j = first.end, i + 1
        if _k_suffix(text, tokens, j, end):
            kilo = tokens[j]
            return _Quantity(_shift(core, 3), core, 3, first.start, kilo.end, j + 1, kilo.text)
        may_continue = first.text.isdigit()
    else:
        run = _word_run(text, tokens, i)
        parsed = _parse_words([t.lower for t in run], bare_scale)
        if parsed is None:
            return None
        value, used, scale_run = parsed
        core, j = (value, 0), i + used
        end = tokens[j - 1].end
        if scale_run is not None:
            scale = text[run[scale_run[0]].start : run[scale_run[1] - 1].end]
            return _Quantity(core, core, scale_run[2], first.start, end, j, scale)
        may_continue = True
    spoken = _spoken_fraction(text, tokens, j, end) if may_continue else None
    if spoken is not None:
        digits, j = spoken
        core = (core[0] * 10 ** len(digits) + int(digits), len(digits))
        end = tokens[j - 1].end
    elif not first.is_digits:
        return _Quantity(core, core, 0, first.start, end, j, None)
    read = _read_scales(text, tokens, j, end)
    if read is None:
        return _Quantity(core, core, 0, first.start, end, j, None)
    scale_exp, j, scale = read
    exact = _shift(core, scale_exp)
    end = tokens[j - 1].end
    if j < len(tokens) and tokens[j].lower == "rưỡi" and _spaced(text, end, tokens[j]):
        exact = _add(exact, (5 * 10 ** (scale_exp - 1), 0))
        end, j = tokens[j].end, j + 1
    exact, end, j = _add_smaller_groups(text, tokens, j, end, exact, scale_exp)
    return _Quantity(exact, core, scale_exp, first.start, end, j, scale)


def _k_suffix(text: str, tokens: list[_Token], j: int, end: int) -> bool:
    """Whether a k glued to the digits means thousands ("10k đồng"), not a unit ("10km")."""
    if j >= len(tokens) or tokens[j].start != end or tokens[j].lower != "k":
        return False
    return not text[tokens[j].end : tokens[j].end + 1].isdigit()


def _word_run(text: str, tokens: list[_Token], i: int) -> list[_Token]:
    """The numeral words from i on, joined by spaces only; a collocation ("tỷ lệ") ends it."""
    run = [tokens[i]]
    j = i + 1
    while (
        j < len(tokens)
        and not tokens[j].is_digits
        and tokens[j].lower in NUMERAL_WORDS
        and _spaced(text, tokens[j - 1], tokens[j])
        and not _scale_is_other_word(text, tokens, j)
    ):
        run.append(tokens[j])
        j += 1
    return run


def _scale_is_other_word(text: str, tokens: list[_Token], j: int) -> bool:
    blockers = _NOT_SCALE_BEFORE.get(tokens[j].lower)
    return (
        blockers is not None
        and j + 1 < len(tokens)
        and tokens[j + 1].lower in blockers
        and _spaced(text, tokens[j], tokens[j + 1])
    )


def _parse_group(words: list[str], i: int, after_scale: bool, bare: bool) -> tuple[int, int] | None:
    """A number below 1000 at words[i]: (value, index after it), or None.

    After a scale word a lone digit is the shortened tail ("hai nghìn ba" = 2300), which the
    caller reads, so here it must open with hundreds, "linh"/"lẻ" or tens.
    """
    n = len(words)
    j, value, hundreds = i, 0, False
    if j + 1 < n and words[j] in DIGIT_WORDS and words[j] != "tư" and words[j + 1] == "trăm":
        value, j, hundreds = DIGIT_WORDS[words[j]] * 100, j + 2, True
    elif bare and j < n and words[j] == "trăm":
        value, j, hundreds = 100, j + 1, True
    if j >= n:
        return (value, j) if hundreds else None
    word = words[j]
    following = words[j + 1] if j + 1 < n else None
    if (hundreds or after_scale) and word in _EMPTY_TENS and following in _UNITS_AFTER_LINH:
        return value + _UNITS_AFTER_LINH[following], j + 2
    if word == "mười":
        if following in _UNITS_AFTER_MUOI_TEN:
            return value + 10 + _UNITS_AFTER_MUOI_TEN[following], j + 2
        return value + 10, j + 1
    if DIGIT_WORDS.get(word, 0) >= 2 and word != "tư" and following in _TENS_MARKERS:
        value += DIGIT_WORDS[word] * 10
        unit = words[j + 2] if j + 2 < n else None
        if unit in _UNITS_AFTER_MUOI:
            return value + _UNITS_AFTER_MUOI[unit], j + 3
        return value, j + 2
    if hundreds and word in _SHORT_TAIL and following not in _TENS_MARKERS:
        return value + _SHORT_TAIL[word] * 10, j + 1
    if not hundreds and not after_scale and word in DIGIT_WORDS:
        return DIGIT_WORDS[word], j + 1
    return (value, j) if hundreds else None


def _parse_words(
    words: list[str], bare: bool
) -> tuple[int, int, tuple[int, int, int] | None] | None:
    """The longest word numeral at the head of `words`.

    Returns (value, words used, first scale run as (from, to, exponent) or None). Groups close at
    each scale word, and a larger scale takes in the smaller groups before it, so "hai nghìn tỷ"
    is 2e12 while "một tỷ hai trăm triệu" is 1.2e9.
    """
    n = len(words)
    parts: list[tuple[int, int]] = []  # closed (value, exponent), exponents falling
    group = _parse_group(words, 0, after_scale=False, bare=bare)
    current, j = group if group is not None else (None, 0)
    best = (current, j) if current is not None else None
    scale_run: tuple[int, int, int] | None = None
    while j < n and words[j] in SCALE_WORDS and words[j] != "trăm":
        exp = SCALE_WORDS[words[j]]
        smaller = [value for value, e in parts if e < exp]
        if any(e == exp for _, e in parts):
            break  # "một nghìn hai nghìn" is two numbers
        if current is None and not smaller and not (bare and j == 0):
            break
        base = (current or 0) + sum(smaller) or 1
        parts = [(value, e) for value, e in parts if e > exp] + [(base * 10**exp, exp)]
        if scale_run is None:
            scale_run = (j, j + 1, exp)
        elif scale_run[1] == j:
            scale_run = (scale_run[0], j + 1, scale_run[2] + exp)
        j += 1
        best = (sum(v for v, _ in parts), j)
        tail = _SHORT_TAIL.get(words[j]) if j < n else None
        if tail is not None and (j + 1 == n or words[j + 1] not in NUMERAL_WORDS):
            return best[0] + tail * 10 ** (exp - 1), j + 1, scale_run
        if (
            j + 1 < n
            and words[j] in DIGIT_WORDS
            and words[j] not in ("tư", "không")
            and words[j + 1] in SCALE_WORDS
            and words[j + 1] != "trăm"
            and SCALE_WORDS[words[j + 1]] < exp
        ):
            # "hai triệu ba nghìn" = 2.003.000: a lone digit before a smaller scale opens a group.
            current, j = DIGIT_WORDS[words[j]], j + 1
            continue
        group = _parse_group(words, j, after_scale=True, bare=False)
        if group is None:
            current = None
            continue
        current, j = group
        best = (best[0] + current, j)
    if best is None:
        return None
    return best[0], best[1], scale_run


def _spoken_fraction(text: str, tokens: list[_Token], j: int, end: int) -> tuple[str, int] | None:
    """The digits after a spoken decimal mark ("2 chấm 23", "hai phẩy năm") and the next index."""
    if j + 1 >= len(tokens) or tokens[j].lower not in _DECIMAL_WORDS:
        return None
    if not _spaced(text, end, tokens[j]) or not _spaced(text, tokens[j], tokens[j + 1]):
        return None
    k = j + 1
    if tokens[k].is_digits:
        return (tokens[k].text, k + 1) if tokens[k].text.isdigit() else None
    run = _word_run(text, tokens, k)
    by_digit = ""
    for token in run:
        if token.lower not in _FRACTION_DIGITS:
            break
        by_digit += str(_FRACTION_DIGITS[token.lower])
    whole = _parse_words([t.lower for t in run], bare=False)
    # "ba năm" is read digit by digit (35); "hai mươi ba" as the number it names (23).
    if whole is not None and whole[2] is None and whole[1] > len(by_digit):
        return str(whole[0]), k + whole[1]
    return (by_digit, k + len(by_digit)) if by_digit else None


def _read_scales(text: str, tokens: list[_Token], j: int, end: int) -> tuple[int, int, str] | None:
    """Scale words after a number, growing ("trăm triệu", "nghìn tỷ"): exponent, next, text."""
    exp, k, last = 0, j, -1
    while (
        k < len(tokens)
        and tokens[k].lower in SCALE_WORDS
        and SCALE_WORDS[tokens[k].lower] > last
        and (
            _spaced(text, end if k == j else tokens[k - 1].end, tokens[k])
            # "250triệu", "45nghìn": a scale glued to the digits before it.
            or (k == j and j > 0 and tokens[j - 1].is_digits and tokens[k].start == end)
        )
        and not _scale_is_other_word(text, tokens, k)
    ):
        last = SCALE_WORDS[tokens[k].lower]
        exp += last
        k += 1
    if k == j:
        return None
    return exp, k, text[tokens[j].start : tokens[k - 1].end]


def _add_smaller_groups(
    text: str, tokens: list[_Token], j: int, end: int, exact: _Exact, exp: int
) -> tuple[_Exact, int, int]:
    """Digit groups with ever smaller scales add to the number: "1 tỷ 200 triệu"."""
    while j + 1 < len(tokens) and tokens[j].is_digits and _spaced(text, end, tokens[j]):
        part = _parse_digits(tokens[j].text)
        read = _read_scales(text, tokens, j + 1, tokens[j].end)
        if part is None or read is None or _is_code(text, tokens, j):
            break
        part_exp, k, _ = read
        scaled = _shift(part, part_exp)
        if part_exp >= exp or not _less(scaled, (10**exp, 0)):
            break
        exact, end, j, exp = _add(exact, scaled), tokens[k - 1].end, k, part_exp
    return exact, end, j


def _range_end(text: str, tokens: list[_Token], low: _Quantity) -> _Quantity | None:
    """The high end of "400 - 500", "3–5 triệu", "VND1000-VND2000", if one follows."""
    j = low.next_index
    if j >= len(tokens):
        return None
    gap_end = tokens[j].start
    if (
        tokens[j].text in CURRENCY_PREFIXES
        and j + 1 < len(tokens)
        and tokens[j + 1].start == tokens[j].end
    ):
        j += 1
    if not tokens[j].is_digits or _DASH_RE.fullmatch(text, low.end, gap_end) is None:
        return None
    return _read_quantity(text, tokens, j, bare_scale=False)


def _with_range_end(
    text: str, tokens: list[_Token], low: _Quantity
) -> tuple[_Quantity, float | None]:
    """`low` stretched over a rising dash range after it, and the range's high value."""
    high = _range_end(text, tokens, low)
    if high is None:
        return low, None
    low_exact = low.exact
    if high.scale is not None and low.scale is None and _less(low.core, high.core):
        low_exact = _shift(low.core, high.scale_exp)  # "3-5 triệu": both ends are triệu
    if not _less(low_exact, high.exact):
        return low, None  # "tỷ số 3-1" is a score, not a range
    stretched = replace(
        low,
        exact=low_exact,
        end=high.end,
        next_index=high.next_index,
        scale=high.scale or low.scale,
    )
    return stretched, _to_float(high.exact)


def _words_count_something(text: str, tokens: list[_Token], i: int, quantity: _Quantity) -> bool:
    """Whether number words at token i are a cardinal here, not a name or a homograph."""
    first = tokens[i]
    after = tokens[quantity.next_index] if quantity.next_index < len(tokens) else None
    if after is not None and not (after.is_digits or _spaced(text, quantity.end, after)):
        after = None
    if first.text[0].isupper():
        # "huyện Ba Bể", "Hai Bà Trưng", "ông Ba cho biết": capitals make a name.
        if not _at_sentence_start(text, first.start):
            return False
        if after is not None and after.text[0].isupper():
            return False
    if quantity.next_index - i > 1:
        return True
    word, j = first.lower, quantity.next_index
    if word == "một":
        return True  # "một" is also the article "a"; the caller judges from what it counts
    if word == "không" or after is None or after.is_digits or not after.text[0].islower():
        return False
    previous = tokens[i - 1] if i and _spaced(text, tokens[i - 1], first) else None
    if previous is not None:
        # "tháng bảy" names a month; "3 năm", "hai năm" count years.
        if previous.lower == "tháng" or previous.lower in _NOT_NUMERAL_AFTER.get(word, ()):
            return False
        if word == "năm" and (previous.is_digits or previous.lower in NUMERAL_WORDS):
            return False
    if _phrase_in(text, tokens, j, _NOT_NUMERAL_BEFORE.get(word, frozenset())):
        return False
    if word in NEEDS_CLASSIFIER:
        return _phrase_in(text, tokens, j, CLASSIFIERS)
    # "ba bốn người" is "three or four"; but "mười năm" is ten years.
    return (after.lower not in NUMERAL_WORDS or after.lower == "năm") and (
        after.lower not in _NOT_COUNTED
    )


def _phrase_in(text: str, tokens: list[_Token], j: int, phrases: frozenset[str]) -> bool:
    """Whether one to three spaced words from token j make a phrase in `phrases`."""
    words: list[str] = []
    for k in range(j, min(j + 3, len(tokens))):
        token = tokens[k]
        if token.is_digits or not _spaced(text, tokens[k - 1], token):
            break
        words.append(token.lower)
        if " ".join(words) in phrases:
            return True
    return False


def _at_sentence_start(text: str, start: int) -> bool:
    k = start
    while k > 0 and text[k - 1] in _OPENING_MARKS:
        k -= 1
    return k == 0 or text[k - 1] in _SENTENCE_START_MARKS


def _shift(exact: _Exact, exp: int) -> _Exact:
    number, places = exact
    if exp >= places:
        return number * 10 ** (exp - places), 0
    return number, places - exp


def _add(a: _Exact, b: _Exact) -> _Exact:
    places = max(a[1], b[1])
    return a[0] * 10 ** (places - a[1]) + b[0] * 10 ** (places - b[1]), places


def _less(a: _Exact, b: _Exact) -> bool:
    places = max(a[1], b[1])
    return a[0] * 10 ** (places - a[1]) < b[0] * 10 ** (places - b[1])


def _to_float(exact: _Exact) -> float:
    number, places = exact
    return number / 10**places if places else float(number)
