import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocop_nlp.extract.dates import (
    KINDS,
    TimeMatch,
    find_deadline,
    find_ordinals,
    find_times,
    parse_date,
)

PARSE_CASES = [
    ("11/07/2018 10:28:58", None, dt.date(2018, 7, 11)),
    ("10/7/2018", None, dt.date(2018, 7, 10)),
    ("10-7-2018", None, dt.date(2018, 7, 10)),
    ("10.7.2018", None, dt.date(2018, 7, 10)),
    ("ngày 10/7/2018", None, dt.date(2018, 7, 10)),
    ("ngày 10 tháng 7 năm 2018", None, dt.date(2018, 7, 10)),
    ("Thứ Tư, 11/07/2018", None, dt.date(2018, 7, 11)),
    ("Thứ tư, ngày 11 tháng 7 năm 2018", None, dt.date(2018, 7, 11)),
    ("2018-07-11", None, dt.date(2018, 7, 11)),
    ("2018-07-11T10:28:58+07:00", None, dt.date(2018, 7, 11)),
    ("11/07/2018 - 10:28", None, dt.date(2018, 7, 11)),
    ("Cập nhật: 10:28 11/07/2018", None, dt.date(2018, 7, 11)),
    ("10/7", 2018, dt.date(2018, 7, 10)),
    ("ngày 10 tháng 7", 2018, dt.date(2018, 7, 10)),
    ("mùng 5 tháng 7 năm 2018", None, dt.date(2018, 7, 5)),
    ("10 tháng Bảy năm 2018", None, dt.date(2018, 7, 10)),
    ("ngày 29/2", 2020, dt.date(2020, 2, 29)),
    # Word forms our own patterns do not know go to dateparser.
    ("10 thg 7, 2018", None, dt.date(2018, 7, 10)),
    ("10 tháng bảy 2018", None, dt.date(2018, 7, 10)),
    ("10/7/18", None, dt.date(2018, 7, 10)),
]

INVALID_DATES = [
    ("31/2/2018", None),
    ("ngày 31 tháng 2 năm 2018", None),
    ("29/2/2019", None),
    ("ngày 29/2", 2019),
    ("32/1/2018", None),
    ("10/13/2018", None),
    ("00/10/2018", None),
    ("10/7/0000", None),
    ("10/7", None),
    ("tháng 7/2018", None),
    ("hôm nay", None),
    ("Tết Nguyên đán", None),
    ("1531305000", None),
    ("", None),
    ("   ", None),
    ("không có ngày nào", None),
]


@pytest.mark.parametrize(("text", "default_year", "expected"), PARSE_CASES)
def test_parse_date_reads_numeric_and_word_forms_day_first(text, default_year, expected):
    assert parse_date(text, default_year) == expected


@pytest.mark.parametrize(("text", "default_year"), INVALID_DATES)
def test_parse_date_returns_none_for_impossible_or_missing_dates(text, default_year):
    assert parse_date(text, default_year) is None


def test_parse_date_returns_none_for_non_strings():
    assert parse_date(None) is None  # type: ignore[arg-type]


TIMES_CASES = [
    ("Ngày 10/7/2018", None, [("Ngày 10/7/2018", "date", "2018-07-10")]),
    ("ngày 10 tháng 7 năm 2018", None, [("ngày 10 tháng 7 năm 2018", "date", "2018-07-10")]),
    ("Thứ Tư, 11/07/2018", None, [("Thứ Tư, 11/07/2018", "date", "2018-07-11")]),
    ("Thứ 3, 10/7/2018", None, [("Thứ 3, 10/7/2018", "date", "2018-07-10")]),
    ("Sáng 10/7, UBND tỉnh họp", 2018, [("Sáng 10/7", "date", "2018-07-10")]),
    ("Sáng 10/7, UBND tỉnh họp", None, [("Sáng 10/7", "date", None)]),
    ("Chiều nay (10/7), tỉnh họp", 2019, [("Chiều nay (10/7)", "date", "2019-07-10")]),
    ("2018-07-11", None, [("2018-07-11", "date", "2018-07-11")]),
    ("12.10.2018", None, [("12.10.2018", "date", "2018-10-12")]),
    ("6 tháng đầu năm 2018", None, [("6 tháng đầu năm 2018", "period", "2018-H1")]),
    ("6 tháng đầu năm", None, [("6 tháng đầu năm", "period", None)]),
    ("6 tháng đầu năm", 2018, [("6 tháng đầu năm", "period", "2018-H1")]),
    ("06 tháng cuối năm 2018", None, [("06 tháng cuối năm 2018", "period", "2018-H2")]),
    ("9 tháng năm 2023", None, [("9 tháng năm 2023", "period", "2023-01/2023-09")]),
    ("3 tháng đầu năm 2023", None, [("3 tháng đầu năm 2023", "period", "2023-Q1")]),
    ("nửa đầu năm 2019", None, [("nửa đầu năm 2019", "period", "2019-H1")]),
    ("quý III/2024", None, [("quý III/2024", "period", "2024-Q3")]),
    ("quý 3 năm 2024", None, [("quý 3 năm 2024", "period", "2024-Q3")]),
    ("Quý IV/2024", None, [("Quý IV/2024", "period", "2024-Q4")]),
    ("qúy II/2024", None, [("qúy II/2024", "period", "2024-Q2")]),
    ("quý I", None, [("quý I", "period", None)]),
    ("quý I", 2020, [("quý I", "period", "2020-Q1")]),
    ("giai đoạn 2018 - 2020", None, [("giai đoạn 2018 - 2020", "period", "2018/2020")]),
    ("giai đoạn 2021-2025", None, [("giai đoạn 2021-2025", "period", "2021/2025")]),
    ("thời kỳ 2021 – 2030", None, [("thời kỳ 2021 – 2030", "period", "2021/2030")]),
    ("nhiệm kỳ 2020-2025", None, [("nhiệm kỳ 2020-2025", "period", "2020/2025")]),
    ("kết quả 2018 - 2020", None, [("2018 - 2020", "period", "2018/2020")]),
    ("từ năm 2018 đến năm 2020", None, [("từ năm 2018 đến năm 2020", "period", "2018/2020")]),
    ("năm 2019", None, [("năm 2019", "year", "2019")]),
    ("năm nay", None, [("năm nay", "year", None)]),
    ("năm nay", 2024, [("năm nay", "year", "2024")]),
    ("so với cùng kỳ năm trước", 2024, [("năm trước", "year", "2023")]),
    ("tháng 7/2018", None, [("tháng 7/2018", "date", "2018-07")]),
    ("tháng 7 năm 2018", None, [("tháng 7 năm 2018", "date", "2018-07")]),
    ("tháng Bảy năm 2018", None, [("tháng Bảy năm 2018", "date", "2018-07")]),
    ("tháng 7", None, [("tháng 7", "date", None)]),
    ("tháng 7", 2018, [("tháng 7", "date", "2018-07")]),
    ("đầu năm 2018", None, [("đầu năm 2018", "period", "2018")]),
    ("cuối tháng 9/2024", None, [("cuối tháng 9/2024", "period", "2024-09")]),
    ("từ đầu năm 2018 đến nay", None, [("từ đầu năm 2018 đến nay", "period", "2018/..")]),
    ("từ đầu năm đến nay", 2018, [("từ đầu năm đến nay", "period", "2018/..")]),
    (
        "từ tháng 10 đến tháng 3/2019",
        None,
        [("từ tháng 10 đến tháng 3/2019", "period", "2018-10/2019-03")],
    ),
    (
        "từ quý I đến quý III/2024",
        None,
        [("từ quý I đến quý III/2024", "period", "2024-Q1/2024-Q3")],
    ),
    ("tháng 7-8/2018", None, [("tháng 7-8/2018", "period", "2018-07/2018-08")]),
    ("ngày 10-12/7/2018", None, [("ngày 10-12/7/2018", "period", "2018-07-10/2018-07-12")]),
    ("từ 10/7 đến 12/7/2018", None, [("từ 10/7 đến 12/7/2018", "period", "2018-07-10/2018-07-12")]),
    ("10 giờ 30", None, [("10 giờ 30", "time", "10:30")]),
    ("14h00", None, [("14h00", "time", "14:00")]),
    ("8h30 sáng", None, [("8h30 sáng", "time", "08:30")]),
    ("lúc 2 giờ chiều", None, [("2 giờ chiều", "time", "14:00")]),
    ("trong 3 ngày", None, [("trong 3 ngày", "duration", "P3D")]),
    ("3 năm qua", None, [("3 năm qua", "duration", "P3Y")]),
    ("trong 6 tháng", None, [("trong 6 tháng", "duration", "P6M")]),
    ("trong vòng 30 ngày", None, [("trong vòng 30 ngày", "duration", "P30D")]),
    ("sau 2 tuần", None, [("sau 2 tuần", "duration", "P2W")]),
    ("hơn 1,5 năm", None, [("1,5 năm", "duration", "P1.5Y")]),
    ("trong 2 giờ 30 phút", None, [("trong 2 giờ 30 phút", "duration", "PT2H30M")]),
    ("2 quý", None, [("2 quý", "duration", "P6M")]),
    ("vài năm gần đây", None, [("vài năm gần đây", "duration", None)]),
    ("ba năm liên tiếp", None, [("ba năm liên tiếp", "duration", "P3Y")]),
]


@pytest.mark.parametrize(("text", "default_year", "expected"), TIMES_CASES)
def test_find_times_returns_span_kind_and_value(text, default_year, expected):
    found = find_times(text, default_year)
    assert [(m.text, m.kind, m.value) for m in found] == expected
    for m in found:
        assert text[m.start : m.end] == m.text


def test_find_times_keeps_every_expression_of_a_lede_in_order():
    text = (
        "Sáng 11/7, UBND tỉnh tổ chức hội nghị sơ kết 6 tháng đầu năm 2018. Trong 3 năm qua, "
        "tỉnh có 45 sản phẩm OCOP; giai đoạn 2018 - 2020 phấn đấu đạt 100 sản phẩm."
    )
    assert [(m.text, m.value) for m in find_times(text, 2018)] == [
        ("Sáng 11/7", "2018-07-11"),
        ("6 tháng đầu năm 2018", "2018-H1"),
        ("Trong 3 năm qua", "P3Y"),
        ("giai đoạn 2018 - 2020", "2018/2020"),
    ]


def test_find_times_splits_a_timestamp_into_date_and_time():
    found = find_times("11/07/2018 10:28:58")
    assert [(m.kind, m.value) for m in found] == [("date", "2018-07-11"), ("time", "10:28:58")]


@pytest.mark.parametrize(
    "text",
    [
        "đợt 01",
        "lần thứ 2",
        "kỳ họp thứ 7",
        "khóa XIV",
        "Nghị quyết số 15/2019/NQ-HĐND",
        "tăng 12,5% so với cùng kỳ",
        "đạt 1.234.567 đồng",
        "tỷ lệ 7/10 xã",
        "1.500 ngày công",
        "những năm tháng gian khó",
        "quý vị đại biểu",
        "diện tích 14 ha",
        "Kế hoạch 2024",
        "họp vào thứ Hai tuần tới",
    ],
)
def test_find_times_ignores_ordinals_figures_and_look_alikes(text):
    assert find_times(text) == []


def test_find_times_drops_the_duration_hidden_in_an_ordinal():
    assert [m.text for m in find_times("đợt 2 năm 2019")] == ["năm 2019"]


def test_find_times_skips_dates_that_do_not_exist():
    assert find_times("ngày 31/2/2018") == []


ORDINAL_CASES = [
    ("đợt 01", "đợt 01"),
    ("đợt 2", "đợt 2"),
    ("lần thứ 2", "lần thứ 2"),
    ("xếp thứ 3", "thứ 3"),
    ("kỳ họp thứ 7", "kỳ họp thứ 7"),
    ("khóa XIV", "khóa XIV"),
    ("Khóa 12", "Khóa 12"),
    ("khoá XV", "khoá XV"),
    ("Nghị quyết số 15/2019/NQ-HĐND", "Nghị quyết số 15/2019/NQ-HĐND"),
    ("Quyết định số 1048/QĐ-UBND", "Quyết định số 1048/QĐ-UBND"),
    ("Nghị quyết 26-NQ/TW", "Nghị quyết 26-NQ/TW"),
    ("Chỉ thị số 05-CT/TW", "Chỉ thị số 05-CT/TW"),
    ("theo Quyết định 123/QĐ-TTg", "Quyết định 123/QĐ-TTg"),
    ("Luật số 35/2018/QH14", "Luật số 35/2018/QH14"),
    ("văn bản 2345/UBND-KT", "văn bản 2345/UBND-KT"),
    ("Điều 5", "Điều 5"),
    ("khoản 2", "khoản 2"),
    ("điểm a", "điểm a"),
    ("Phòng 203", "Phòng 203"),
    ("tổ 5", "tổ 5"),
    ("thôn 3", "thôn 3"),
    ("Quốc lộ 14", "Quốc lộ 14"),
    ("QL14", "QL14"),
    ("QL.1A", "QL.1A"),
    ("tỉnh lộ 2", "tỉnh lộ 2"),
    ("km 25", "km 25"),
    ("Km25+300", "Km25+300"),
    ("vòng 2", "vòng 2"),
]


@pytest.mark.parametrize(("text", "expected"), ORDINAL_CASES)
def test_find_ordinals_spans_labels_that_are_not_figures(text, expected):
    assert [text[s:e] for s, e in find_ordinals(text)] == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "dài 25 km",
        "tăng 3 lần",
        "tổng số 15 hộ",
        "khoảng 5 tỷ đồng",
        "Thứ 3, 10/7/2018",
        "trong vòng 30 ngày",
        "giai đoạn 2021-2025",
        "Báo cáo 6 tháng đầu năm",
    ],
)
def test_find_ordinals_leaves_counts_weekdays_and_periods_alone(text):
    assert find_ordinals(text) == []


def test_find_ordinals_finds_each_clause_of_a_legal_reference():
    text = "theo điểm a, khoản 2, Điều 5 Nghị định số 98/2018/NĐ-CP"
    assert [text[s:e] for s, e in find_ordinals(text)] == [
        "điểm a",
        "khoản 2",
        "Điều 5",
        "Nghị định số 98/2018/NĐ-CP",
    ]


DEADLINE_CASES = [
    (
        "Sở hoàn thành trước ngày 30/6/2019.",
        None,
        "hoàn thành trước ngày 30/6/2019",
        "date",
        "2019-06-30",
    ),
    ("Báo cáo chậm nhất ngày 15/8.", 2019, "chậm nhất ngày 15/8", "date", "2019-08-15"),
    ("Báo cáo chậm nhất ngày 15/8.", None, "chậm nhất ngày 15/8", "date", None),
    ("Các huyện triển khai trong quý III", 2024, "trong quý III", "period", "2024-Q3"),
    ("Các huyện triển khai trong quý III", None, "trong quý III", "period", None),
    ("Gửi hồ sơ trước 15/10/2024", None, "trước 15/10/2024", "date", "2024-10-15"),
    (
        "Dự án hoàn thành trong tháng 9/2024",
        None,
        "hoàn thành trong tháng 9/2024",
        "date",
        "2024-09",
    ),
    ("Giải ngân trước tháng 12/2024", None, "trước tháng 12/2024", "date", "2024-12"),
    ("Phấn đấu đạt chuẩn trong năm 2024", None, "trong năm 2024", "year", "2024"),
    ("Trước Tết Nguyên đán, các xã rà soát", None, "Trước Tết Nguyên đán", "date", None),
    ("Hạn chót là ngày 20/12", 2024, "Hạn chót là ngày 20/12", "date", "2024-12-20"),
    ("Nộp trước 17 giờ ngày 15/8/2024", None, "trước 17 giờ ngày 15/8/2024", "date", "2024-08-15"),
    ("Giải quyết hồ sơ trong 30 ngày", None, "trong 30 ngày", "duration", "P30D"),
    ("Đến năm 2025, có 100 sản phẩm OCOP", None, "Đến năm 2025", "year", "2025"),
]


@pytest.mark.parametrize(("text", "default_year", "span", "kind", "value"), DEADLINE_CASES)
def test_find_deadline_returns_cue_and_time(text, default_year, span, kind, value):
    found = find_deadline(text, default_year)
    assert found is not None
    assert (found.text, found.kind, found.value) == (span, kind, value)
    assert text[found.start : found.end] == found.text


def test_find_deadline_prefers_a_firm_cue_over_a_loose_one():
    text = "Trong năm 2024, các sở hoàn thành trước ngày 30/9/2024"
    assert find_deadline(text).text == "hoàn thành trước ngày 30/9/2024"


@pytest.mark.parametrize(
    "text",
    [
        "Năm 2018, tỉnh có 25 sản phẩm OCOP",
        "Trong 3 năm qua, tỉnh có 45 sản phẩm",
        "Trước hết, cần rà soát các sản phẩm",
        "Sáng 10/7, UBND tỉnh họp",
        "",
    ],
)
def test_find_deadline_is_none_without_a_cue_before_a_time(text):
    assert find_deadline(text, 2018) is None


def test_timematch_is_frozen_and_slotted():
    m = TimeMatch(0, 4, "2019", "year", "2019")
    with pytest.raises(AttributeError):
        m.value = "2020"  # type: ignore[misc]
    assert not hasattr(m, "__dict__")


NUMERIC_FORMS = [
    lambda d: f"{d.day}/{d.month}/{d.year}",
    lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
    lambda d: f"{d.day}-{d.month}-{d.year}",
    lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",
    lambda d: f"ngày {d.day}/{d.month}/{d.year}",
    lambda d: f"ngày {d.day} tháng {d.month} năm {d.year}",
    lambda d: f"Thứ Hai, {d.day:02d}/{d.month:02d}/{d.year}",
    lambda d: d.isoformat(),
]
DATES = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))
FILLER = st.sampled_from(
    ["", "UBND tỉnh họp", "tăng 12,5%", "đạt 1.234 tỷ đồng", "sản phẩm OCOP", "Quảng Nam"]
)


@settings(max_examples=300, deadline=None)
@given(day=DATES, form=st.sampled_from(NUMERIC_FORMS))
def test_parse_date_round_trips_numeric_forms(day, form):
    assert parse_date(form(day)) == day


@settings(max_examples=300, deadline=None)
@given(day=DATES, form=st.sampled_from(NUMERIC_FORMS), before=FILLER, after=FILLER)
def test_find_times_locates_a_date_inside_running_text(day, form, before, after):
    written = form(day)
    text = f"{before}, {written}, {after}."
    found = find_times(text)
    assert [(m.text, m.value) for m in found if m.kind == "date"] == [(written, day.isoformat())]
    assert text.index(written) == found[0].start


@settings(max_examples=200, deadline=None)
@given(
    day=st.integers(1, 31),
    month=st.integers(1, 12),
    year=st.integers(1900, 2099),
    sep=st.sampled_from("/-."),
)
def test_parse_date_rejects_days_past_the_end_of_the_month(day, month, year, sep):
    try:
        expected: dt.date | None = dt.date(year, month, day)
    except ValueError:
        expected = None
    assert parse_date(f"{day}{sep}{month}{sep}{year}") == expected


TOKENS = st.sampled_from(
    [
        "ngày",
        "tháng",
        "năm",
        "quý",
        "qúy",
        "III",
        "I",
        "đầu",
        "cuối",
        "từ",
        "đến",
        "nay",
        "trong",
        "trước",
        "chậm nhất",
        "giai đoạn",
        "đợt",
        "lần",
        "thứ",
        "khóa",
        "XIV",
        "số",
        "giờ",
        "h",
        "Sáng",
        "Thứ Tư",
        "10/7",
        "31/2",
        "10/7/2018",
        "2018",
        "2020",
        "-",
        "–",
        ",",
        "(",
        ")",
        ":",
        "6",
        "06",
        "30",
        "1.234",
        "12,5",
        "14h00",
        "10:28",
        "QĐ-UBND",
        "/",
        "Tết",
        "km",
        "Điều",
        "thôn",
        "trong vòng",
        "3 năm qua",
        "và",
        "hoàn thành",
    ]  # fmt: skip
)


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(TOKENS, max_size=25),
    joins=st.lists(st.sampled_from([" ", "", "  ", "\n"]), min_size=25, max_size=25),
    default_year=st.none() | st.integers(1990, 2030),
)
def test_all_finders_return_sorted_disjoint_spans_that_slice_back(words, joins, default_year):
    text = "".join(w + j for w, j in zip(words, joins, strict=False))
    found = find_times(text, default_year)
    for m in found:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.text
        assert m.kind in KINDS
    assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))
    ordinals = find_ordinals(text)
    assert all(0 <= s < e <= len(text) for s, e in ordinals)
    assert all(a[1] <= b[0] for a, b in zip(ordinals, ordinals[1:], strict=False))
    assert not any(m.start < e and s < m.end for m in found for s, e in ordinals)
    deadline = find_deadline(text, default_year)
    if deadline is not None:
        assert text[deadline.start : deadline.end] == deadline.text
        assert deadline.kind in KINDS


def test_importing_the_module_does_not_import_dateparser():
    import subprocess
    import sys
    from pathlib import Path

    import ocop_nlp.extract.dates as module

    root = Path(module.__file__).parents[2]
    code = "import sys, ocop_nlp.extract.dates; print('dateparser' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
