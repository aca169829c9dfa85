import doctest
import math
import subprocess
import sys

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ocop_nlp.extract import numbers
from ocop_nlp.extract.numbers import NumberMatch, find_numbers, parse_number


def found(text: str) -> list[float | tuple[float, float]]:
    """Values of `find_numbers`, a range as (low, high)."""
    return [m.value if m.value_max is None else (m.value, m.value_max) for m in find_numbers(text)]


def spans(text: str) -> list[tuple[str, float]]:
    return [(m.text, m.value) for m in find_numbers(text)]


def not_ours(*args: object, reason: str) -> object:
    return pytest.param(*args, marks=pytest.mark.xfail(strict=True, reason=reason))


# Examples (not code) from facebook/duckling, BSD licence: Duckling/Numeral/VI/Corpus.hs at
# commit 754de86f38c191ae947ea5d7536362a3d45a9d55. Its rules are in Duckling/Numeral/VI/Rules.hs.
NEGATIVE = "a leading '-' in news is a list bullet, and 'âm'/'giảm' are read by the caller"
LETTER_SUFFIX = "M and G clash with metres and '5G'; only a glued k is read as thousands"
DUCKLING_NUMERAL_FACTS = [
    ("0", 0),
    ("không", 0),
    ("1", 1),
    ("một", 1),
    ("2", 2),
    ("hai", 2),
    ("33", 33),
    ("ba mươi ba", 33),
    ("14", 14),
    ("mười bốn", 14),
    ("16", 16),
    ("mười sáu", 16),
    ("17", 17),
    ("mười bảy", 17),
    ("18", 18),
    ("mười tám", 18),
    ("100", 100),
    ("trăm", 100),
    ("1,1", 1.1),
    ("1,10", 1.1),
    ("01,10", 1.1),
    ("0,77", 0.77),
    (",77", 0.77),
    ("100.000", 100000),
    ("100000", 100000),
    ("100K", 100000),
    ("100k", 100000),
    not_ours("3M", 3000000, reason=LETTER_SUFFIX),
    ("3000K", 3000000),
    ("3000000", 3000000),
    ("3.000.000", 3000000),
    ("1.200.000", 1200000),
    ("1200000", 1200000),
    not_ours("1,2M", 1200000, reason=LETTER_SUFFIX),
    ("1200K", 1200000),
    not_ours(",0012G", 1200000, reason=LETTER_SUFFIX),
    not_ours("- 1.200.000", -1200000, reason=NEGATIVE),
    not_ours("-1200000", -1200000, reason=NEGATIVE),
    not_ours("âm 1.200.000", -1200000, reason=NEGATIVE),
    not_ours("-1,2M", -1200000, reason=NEGATIVE),
    not_ours("-1200K", -1200000, reason=NEGATIVE),
    not_ours("-,0012G", -1200000, reason=NEGATIVE),
    ("hai chục", 20),
    ("hai mươi", 20),
    ("5 nghìn", 5000),
    ("năm nghìn", 5000),
    ("năm ngàn", 5000),
    ("hai trăm nghìn", 200000),
    ("hai trăm ngàn", 200000),
    ("một tỷ", 1000000000),
    ("một tỉ", 1000000000),
    ("hai mươi mốt nghìn không trăm mười một", 21011),
    ("bảy trăm hai mươi mốt nghìn không trăm mười hai", 721012),
]


@pytest.mark.parametrize(("text", "value"), DUCKLING_NUMERAL_FACTS)
def test_duckling_numeral_example_parses_to_its_value(text, value):
    assert parse_number(text) == value


# Examples from Duckling/AmountOfMoney/VI/Corpus.hs at 2867ea9e81c77400bbe0fbe525dc215fcfe5f4ed.
# Currencies, "và ... xen" cents and "từ/giữa ... đến/và" intervals belong to a later stage, so
# each example states the numerals it holds; a dash range is one (low, high) match.
DUCKLING_MONEY_FACTS = [
    ("$10", [10]),
    ("10$", [10]),
    ("mười đô", [10]),
    ("mười đô la", [10]),
    ("mười đô mỹ", [10]),
    ("mười xen", [10]),
    ("mười xu", [10]),
    ("$10.000", [10000]),
    ("10K$", [10000]),
    ("$10k", [10000]),
    ("USD1,23", [1.23]),
    ("2 đô la và 23 xen", [2, 23]),
    ("hai đô la và 23 xen", [2, 23]),
    ("2 đô 23 xu", [2, 23]),
    ("hai đô 23", [2, 23]),
    ("2 chấm 23 đô la", [2.23]),
    ("hai phẩy 23 đô", [2.23]),
    ("mười đồng", [10]),
    ("10.000 đồng", [10000]),
    ("10K đồng", [10000]),
    ("10k đồng", [10000]),
    ("1000 VNĐ", [1000]),
    ("VN$1000", [1000]),
    ("20€", [20]),
    ("20 euros", [20]),
    ("20 Euro", [20]),
    ("20 Euros", [20]),
    ("EUR 20", [20]),
    ("EUR29,99", [29.99]),
    ("Rs. 20", [20]),
    ("Rs 20", [20]),
    ("20 Rupees", [20]),
    ("20Rs", [20]),
    ("Rs20", [20]),
    ("20 Rupees 43", [20, 43]),
    ("hai mươi rupees 43", [20, 43]),
    ("hai mươi rupees 43 xen", [20, 43]),
    ("INR33", [33]),
    ("£9", [9]),
    ("chín pounds", [9]),
    ("GBP3,01", [3.01]),
    ("GBP 3,01", [3.01]),
    ("1 AED.", [1]),
    ("1 dirham", [1]),
    ("giữa 1000 và 2000 đồng", [1000, 2000]),
    ("giữa 1000 đồng và 2000 đồng", [1000, 2000]),
    ("từ 1000 đồng đến 2000 đồng", [1000, 2000]),
    ("từ 1000 VNĐ tới 2000 VNĐ", [1000, 2000]),
    ("từ 1000 đến 2000 đồng", [1000, 2000]),
    ("khoảng 1000-2000 đồng", [(1000, 2000)]),
    ("khoảng chừng từ 1000 đến 2000 đồng", [1000, 2000]),
    ("tầm khoảng 1000 tới 2000 đồng", [1000, 2000]),
    ("xấp xỉ VND1000-VND2000", [(1000, 2000)]),
    ("1000-2000 đồng", [(1000, 2000)]),
    ("giữa 1,1 và 1,3 đô la", [1.1, 1.3]),
    ("từ 1 phẩy 1 đến một chấm ba đô la", [1.1, 1.3]),
    ("dưới bảy ngàn đồng", [7000]),
    ("ít hơn bảy nghìn đồng", [7000]),
    ("kém hơn 7k đồng", [7000]),
    ("không tới 7000 đồng", [7000]),
    ("không cao hơn 7000 đồng", [7000]),
    ("không hơn 7.000 đồng", [7000]),
    ("không quá 7.000 đồng", [7000]),
    ("từ 7000 đồng trở xuống", [7000]),
    ("nhiều hơn 1 đô la và bốn mươi hai xen", [1, 42]),
    ("ít nhất $1,42", [1.42]),
    ("hơn 1,42 đô la", [1.42]),
    ("trên một đô la và 42 xu", [1, 42]),
    ("không ít hơn 1,42 đô la", [1.42]),
    ("cao hơn $1,42", [1.42]),
    ("từ $1,42 trở lên", [1.42]),
]


@pytest.mark.parametrize(("text", "values"), DUCKLING_MONEY_FACTS)
def test_duckling_money_example_yields_its_numerals(text, values):
    assert found(text) == values


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.234,5", 1234.5),
        ("10.000", 10000),
        ("3.288", 3288),
        ("1,2", 1.2),
        ("1,234,567", 1234567),
        ("1,234.5", 1234.5),
        ("3,000", 3000),
        ("8,030", 8.03),
        ("0.500", 0.5),
        ("4.0", 4.0),
        ("08", 8),
        ("06", 6),
        ("1,2 tỷ", 1_200_000_000),
        ("10 ngàn", 10_000),
        ("2 tỉ", 2_000_000_000),
        ("2 nghìn tỷ", 2_000_000_000_000),
        ("3 trăm triệu", 300_000_000),
        ("1 tỷ 200 triệu", 1_200_000_000),
        ("2 triệu 500 nghìn", 2_500_000),
        ("1 triệu rưỡi", 1_500_000),
        ("hai mươi", 20),
        ("ba", 3),
        ("hai mươi mốt", 21),
        ("hai mươi tư", 24),
        ("bốn mươi lăm", 45),
        ("năm mươi nhăm", 55),
        ("mười lăm", 15),
        ("bẩy", 7),
        ("một trăm linh năm", 105),
        ("một nghìn lẻ một", 1001),
        ("hai nghìn không trăm hai mươi", 2020),
        ("một triệu rưỡi", 1_500_000),
        ("ba trăm nghìn", 300_000),
        ("hai trăm mốt", 210),
        ("hai nghìn ba", 2300),
        ("hai nghìn tỷ", 2_000_000_000_000),
        ("một tỷ hai trăm triệu", 1_200_000_000),
        ("hai phẩy năm tỷ", 2_500_000_000),
        ("Hai Mươi", 20),
    ],
)
def test_parse_number_reads_vietnamese_conventions(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "text",
    ["", "sản phẩm", "400 - 500", "15,5%", "10/7/2018", "1.2.3", "1234.567", "QL14", "hơn 41 tỷ"],
)
def test_parse_number_is_none_unless_the_whole_string_is_one_number(text):
    assert parse_number(text) is None


def test_qualifier_before_and_unit_after_stay_outside_the_span():
    [match] = find_numbers("hơn 41 tỷ đồng")
    assert match == NumberMatch(41e9, 4, 9, "41 tỷ", "digits", scale="tỷ")


def test_percent_sign_is_left_for_the_unit_stage():
    assert spans("tăng 15,5% so với cùng kỳ") == [("15,5", 15.5)]


@pytest.mark.parametrize(
    ("text", "span", "low", "high", "scale"),
    [
        ("400 - 500", "400 - 500", 400, 500, None),
        ("400-500 ha", "400-500", 400, 500, None),
        ("3 – 5 sản phẩm", "3 – 5", 3, 5, None),
        ("3-5 triệu đồng", "3-5 triệu", 3e6, 5e6, "triệu"),
        ("giai đoạn 2018 - 2020", "2018 - 2020", 2018, 2020, None),
    ],
)
def test_dash_range_is_one_match_with_both_ends(text, span, low, high, scale):
    [match] = find_numbers(text)
    assert (match.text, match.value, match.value_max, match.scale) == (span, low, high, scale)


def test_dash_between_falling_numbers_is_no_range():
    assert found("tỷ số 3-1") == [3, 1]


@pytest.mark.parametrize(
    "text",
    [
        "Ngày 10/7/2018, UBND tỉnh",
        "lúc 11/07/2018 10:28:58",
        "tháng 10.2018",
        "phòng dịch Covid-19",
        "cúm H5N1",
        "nhóm A1",
        "tuyến QL14",
        "Sở NN&PTNT, QĐ-UBND",
        "Quyết định số 1234/QĐ-UBND",
        "Nghị quyết 20-NQ/TW",
        "họp lúc 10h30",
        "số 1.2.3",
    ],
)
def test_dates_times_and_codes_yield_no_number(text):
    assert find_numbers(text) == []


def test_industry_four_point_zero_reads_as_a_decimal():
    assert spans("công nghiệp 4.0") == [("4.0", 4.0)]


def test_units_glued_after_digits_do_not_hide_the_number():
    assert found("15km, 20ha, 5kg, 100 m2") == [15, 20, 5, 100]


def test_glued_k_is_thousands_and_is_the_scale():
    [match] = find_numbers("mỗi suất 50k.")
    assert (match.text, match.value, match.scale) == ("50k", 50_000, "k")


@pytest.mark.parametrize(
    "text",
    [
        "tháng năm",
        "cuối năm",
        "đầu năm nay",
        "trong năm tổ chức hội chợ",
        "các năm sản phẩm",
        "hằng năm tổ chức",
        "hàng năm",
        "mỗi năm",
        "năm nay",
        "năm qua",
        "năm tới",
        "năm trước",
        "năm sau",
        "năm học mới",
        "năm ngân sách",
        "năm Mậu Tuất",
    ],
)
def test_year_nam_is_not_five(text):
    assert find_numbers(text) == []


def test_nam_before_a_year_leaves_only_the_year():
    assert found("kế hoạch năm 2019") == [2019]


def test_nam_counting_products_is_five():
    assert spans("có năm sản phẩm đạt 3 sao") == [("năm", 5), ("3", 3)]


def test_years_counted_in_digits_or_words_keep_the_count_not_nam():
    assert found("sau 3 năm, sau hai mươi năm, mười năm qua") == [3, 20, 10]


@pytest.mark.parametrize("text", ["không có", "không đạt yêu cầu", "không tới 7000"])
def test_khong_alone_is_never_zero(text):
    assert 0 not in found(text)


def test_khong_inside_a_numeral_is_zero_hundreds():
    assert spans("năm hai nghìn không trăm hai mươi") == [("hai nghìn không trăm hai mươi", 2020)]


@pytest.mark.parametrize(
    "text", ["kinh tế tư nhân", "thứ tư", "đơn vị tư vấn", "đầu tư cơ sở hạ tầng", "tư duy"]
)
def test_tu_that_means_private_fourth_or_invest_is_not_four(text):
    assert find_numbers(text) == []


def test_tu_after_tens_is_four():
    assert spans("hai mươi tư sản phẩm") == [("hai mươi tư", 24)]


def test_mot_is_returned_for_the_caller_to_judge():
    [match] = find_numbers("Mỗi xã, phường một sản phẩm")
    assert (match.text, match.value, match.kind) == ("một", 1, "words")


@pytest.mark.parametrize(
    "text", ["huyện Ba Bể", "phố Hai Bà Trưng", "ông Ba cho biết", "ba mẹ", "cây ba kích"]
)
def test_names_and_homographs_are_not_numerals(text):
    assert find_numbers(text) == []


def test_capitalised_numeral_opening_a_sentence_counts():
    assert found("Hai sản phẩm đạt 4 sao. Ba huyện chưa có") == [2, 4, 3]


@pytest.mark.parametrize(("text", "value"), [("hai huyện", 2), ("bảy xã", 7), ("mười đô", 10)])
def test_lone_numeral_word_before_a_counted_noun_counts(text, value):
    assert found(text) == [value]


@pytest.mark.parametrize("text", ["hàng trăm hộ", "hàng chục nghìn người", "tỷ lệ hộ nghèo"])
def test_bare_scale_words_are_vague_not_numbers(text):
    assert find_numbers(text) == []


def test_scale_word_starting_another_word_is_not_a_scale():
    assert spans("năm 2018 tỷ lệ hộ nghèo giảm") == [("2018", 2018)]


def test_numbers_in_a_report_sentence_keep_order_and_offsets():
    text = (
        "đợt 01 đã có 66 tổ chức, cá nhân với 69 sản phẩm đăng ký tham gia, "
        "trong đó có 42 sản phẩm đạt yêu cầu"
    )
    matches = find_numbers(text)
    assert [m.value for m in matches] == [1, 66, 69, 42]
    assert [m.text for m in matches] == ["01", "66", "69", "42"]
    assert [m.start for m in matches] == [text.index(s) for s in ("01", "66", "69", "42")]
    assert all(text[m.start : m.end] == m.text for m in matches)


def test_offsets_hold_for_words_scales_and_ranges_in_one_sentence():
    text = (
        "Năm 2019, tỉnh hỗ trợ hơn 1,2 tỷ đồng cho hai mươi mốt hợp tác xã, "
        "mỗi hợp tác xã 50 - 60 triệu đồng."
    )
    expected = [
        ("2019", 2019, None),
        ("1,2 tỷ", 1.2e9, None),
        ("hai mươi mốt", 21, None),
        ("50 - 60 triệu", 50e6, 60e6),
    ]
    matches = find_numbers(text)
    assert [(m.text, m.value, m.value_max) for m in matches] == expected
    assert [m.start for m in matches] == [text.index(span) for span, _, _ in expected]


@given(st.integers(min_value=0, max_value=10**15))
def test_dot_grouped_integer_round_trips(n):
    assert parse_number(f"{n:,}".replace(",", ".")) == n
    assert parse_number(str(n)) == n


@given(st.integers(min_value=0, max_value=10**12), st.text("0123456789", min_size=1, max_size=6))
def test_comma_decimal_round_trips(whole, fraction):
    assume(not (fraction == "000" and 0 < whole < 1000))  # "3,000" is English grouping
    expected = float(f"{whole}.{fraction}")
    assert parse_number(f"{whole},{fraction}") == expected
    grouped = f"{whole:,}".replace(",", ".")
    assert parse_number(f"{grouped},{fraction}") == expected


FRAGMENTS = [
    "1.234,5", "10.000", "3.288", "1,2", "08", "2018", "10/7/2018", "4.0", "1,234,567", "15,5%",
    "tỷ", "tỉ", "triệu", "nghìn", "ngàn", "trăm", "mươi", "mười", "một", "hai", "ba", "tư", "năm",
    "không", "linh", "lẻ", "mốt", "lăm", "rưỡi", "phẩy", "chấm", "k", "K", "USD", "Covid",
    "sản phẩm", "tháng", "lệ", "Ba", "-", "–", "/", ":", ",", ".", "9" * 50, "0,000",
]  # fmt: skip
texts = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)),
        st.sampled_from([" ", "", " - ", "-", ", ", ".", "\n"]),
    ),
    max_size=14,
).map(lambda parts: "".join(fragment + gap for fragment, gap in parts))


@settings(max_examples=300)
@given(texts)
def test_found_numbers_point_at_their_text_and_are_finite(text):
    previous_end = 0
    for m in find_numbers(text):
        assert text[m.start : m.end] == m.text
        assert previous_end <= m.start < m.end
        assert math.isfinite(m.value)
        assert m.value_max is None or m.value < m.value_max
        assert m.kind == ("digits" if any(c.isdigit() for c in m.text) else "words")
        if m.value_max is None:
            assert parse_number(m.text) == m.value
        previous_end = m.end


def test_docstring_examples_hold():
    assert doctest.testmod(numbers).failed == 0


def test_import_pulls_in_nothing_heavy():
    code = "import sys, ocop_nlp.extract.numbers; print(' '.join(sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert not {"regex", "numpy", "underthesea", "sklearn", "decimal"} & set(loaded)
