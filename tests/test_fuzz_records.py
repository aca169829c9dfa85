"""Fuzz the doors hostile input comes through: batch records, `extract` of text, extractions.

Every example must end in a clean result (an extraction that UTF-8 and strict JSON can hold,
its offsets pointing at its evidence) or one of our named errors (an OcopError, or its reason
in a batch) — never "internal error", never an exception of Python's own. Seeded
(`derandomize`): the same examples every run, so a failure reproduces.
"""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocop_nlp.batch.inputs import _task_of_line
from ocop_nlp.batch.task import Task, process_task
from ocop_nlp.errors import OcopError
from ocop_nlp.extract.pipeline import extract_article
from ocop_nlp.parse.reader import article_from_bytes, article_from_record
from ocop_nlp.records import extraction_from_dict

# Enough to meet each kind of hostile piece many times; the whole file runs in well under 60 s.
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# One example, however hostile, takes a few seconds at most (the analysis of ~50 ms, plus
# models loading on the first).
EXAMPLE_SECONDS = 20.0

VIETNAMESE = [
    "Ngày 5/3/2024, UBND huyện họp",
    "toàn tỉnh có",
    "sản phẩm OCOP đạt 3 sao",
    "tổ chức, cá nhân",
    "tỷ đồng",
    "nghìn tỷ đồng",
    "năm",
    "tháng",
    "giai đoạn 2021 - 2025",
    "%",
    "Phó Chủ tịch yêu cầu các sở, ngành:",
    "; các địa phương cần",
    ". ",
    "\n",
]
CONTROL = ["\x1b", "\x0c", "\x00", "\x7f", "\x08", "\u200b", "\ufeff", "\u202e"]
SURROGATES = st.integers(0xD800, 0xDFFF).map(chr)


@st.composite
def huge_numbers(draw: st.DrawFn) -> str:
    n = draw(st.integers(0, 10**400))
    style = draw(st.sampled_from(["plain", "dots", "power", "comma", "digits"]))
    if style == "digits":  # past what a float holds (10**308)
        s = draw(st.sampled_from("123456789")) * draw(st.integers(300, 500))
    elif style == "dots":
        s = f"{n:,}".replace(",", ".")
    elif style == "power":
        s = f"10**{draw(st.integers(0, 100_000))}"
    elif style == "comma":
        s = f"{n},{draw(st.integers(0, 10**30))}"
    else:
        s = str(n)
    unit = draw(st.sampled_from(["năm", "tỷ đồng", "triệu đồng", "sản phẩm", "%", "ha", "tháng"]))
    return f"{s} {unit}"


pieces = st.one_of(
    st.sampled_from(VIETNAMESE),
    st.sampled_from(CONTROL),
    SURROGATES,
    huge_numbers(),
    huge_numbers().map(lambda s: s + " với 12 sản phẩm"),  # dates are read near a figure
    st.just("1.000.000.000.000.000.000 tỷ đồng"),
    st.just("10**400 năm"),
    st.text(st.characters(exclude_categories=[]), max_size=12),  # any code point at all
)
hostile_text = st.lists(pieces, max_size=40).map(" ".join)


def json_values() -> st.SearchStrategy:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**400), 10**400),
        st.floats(allow_nan=True, allow_infinity=True),
        hostile_text,
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=8,
    )


def nested(depth: int, value: str = "1") -> str:
    return "[" * depth + value + "]" * depth


@st.composite
def record_lines(draw: st.DrawFn) -> str:
    """One line of a batch input: a record, a record with hostile fields, or not a record."""
    kind = draw(st.sampled_from(["record", "fields", "html", "nested", "garbage"]))
    if kind == "nested":
        depth = draw(st.sampled_from([10, 500, 999, 1_001, 2_000, 50_000]))
        where = draw(st.sampled_from(["whole", "text", "title", "article"]))
        inner = nested(depth)
        if where == "whole":
            return inner
        if where == "article":
            head = '{"schema": "ocop-nlp/extraction@1", "text": "Ngày 5/3/2024.", "article": '
            return head + '{"title": ' + inner + "}}"
        return '{"id": "sau", "text": "Ngày 5/3/2024.", "' + where + '": ' + inner + "}"
    if kind == "garbage":
        return draw(hostile_text)
    record: dict = {"text": draw(hostile_text)}
    if kind == "html":  # a page saved in a record: the HTML parser gets the hostile text
        page = "<html><body><article><h1>{}</h1><p>{}</p><p>{}</p></article></body></html>"
        record = {"html": page.format(*(draw(hostile_text) for _ in range(3)))}
        record["url"] = draw(st.sampled_from(["https://x.gov.vn/a", draw(hostile_text)]))
    elif kind == "fields":
        for name in ("id", "title", "published", "url", "author", "source", "html", "text"):
            if draw(st.booleans()):
                record[name] = draw(json_values())
    else:
        for name in ("id", "title", "published"):
            if draw(st.booleans()):
                record[name] = draw(hostile_text)
    # Any JSON writer may escape non-ASCII (and so spell lone surrogates as "\ud800").
    ascii_only = draw(st.booleans())
    try:
        return json.dumps(record, ensure_ascii=ascii_only)
    except (ValueError, UnicodeError):  # a value JSON cannot write (2**4300 digits, say)
        return json.dumps({"text": "Ngày 5/3/2024."})


def _assert_clean(doc: dict) -> None:
    """An extraction UTF-8 and strict JSON can hold, each offset pointing at its evidence."""
    line = json.dumps(doc, ensure_ascii=False, allow_nan=False)
    line.encode("utf-8")
    text = doc["text"]
    for key in ("figures", "challenges", "directives", "achievements"):
        for item in doc[key]:
            assert 0 <= item["start"] <= item["end"] <= len(text)
            if key == "figures":
                assert text[item["start"] : item["end"]] == item["text"]
    assert extraction_from_dict(json.loads(line)).to_dict() == json.loads(line)


def _timed(fn):
    t0 = time.monotonic()
    out = fn()
    assert time.monotonic() - t0 < EXAMPLE_SECONDS
    return out


@FUZZ
@given(record_lines())
def test_a_batch_record_gives_an_extraction_or_a_named_failure(line):
    task = _timed(lambda: _task_of_line(line, 7))
    if task is None:
        assert not line.strip()
        return
    if isinstance(task, tuple):
        rid, reason, message = task
        assert rid == "line-7" and reason in ("bad json", "bad input")
        assert message.endswith(".")
        return
    assert isinstance(task, Task)
    task.id.encode("utf-8")  # written to OUT and the errors file
    rid, doc, reason, message = _timed(lambda: process_task(task))
    assert rid == task.id
    if doc is None:
        assert reason not in (None, "internal error"), message
        assert message and message.endswith(".")
        message.encode("utf-8")
    else:
        _assert_clean(doc)


@FUZZ
@given(hostile_text, st.sampled_from(["utf-8", "surrogatepass", "cp1258"]))
def test_extract_of_hostile_text_gives_an_extraction_or_a_named_error(text, encoding):
    if encoding == "cp1258":
        data = text.encode("cp1258", errors="replace")
    else:
        data = text.encode("utf-8", errors="replace" if encoding == "utf-8" else "surrogatepass")
    try:
        art = _timed(lambda: article_from_bytes(data, "bai.txt"))
        doc = _timed(lambda: extract_article(art).to_dict())
    except OcopError as e:
        assert str(e).endswith(".")
        return
    _assert_clean(doc)


@FUZZ
@given(hostile_text, hostile_text)
def test_a_record_with_surrogates_extracts_with_a_warning(text, title):
    try:
        art = article_from_record({"text": text + "\ud800", "title": title})
    except OcopError:
        return
    assert "\ud800" not in art.text and art.text.endswith("\ufffd")
    assert any("surrogate" in w for w in art.warnings)
    _assert_clean(_timed(lambda: extract_article(art).to_dict()))


@pytest.fixture(scope="module")
def extraction() -> dict:
    text = (
        "Ngày 5/3/2024, UBND huyện họp. Toàn huyện có 12 sản phẩm OCOP đạt 3 sao. "
        "Phó Chủ tịch yêu cầu các xã đẩy mạnh tuyên truyền."
    )
    return extract_article(article_from_record({"id": "mau", "text": text})).to_dict()


@FUZZ
@given(st.data())
def test_an_edited_extraction_reads_back_or_names_the_bad_field(extraction, data):
    doc = json.loads(json.dumps(extraction))
    for _ in range(data.draw(st.integers(1, 3))):
        key = data.draw(st.sampled_from(sorted(doc)))
        target = doc
        if isinstance(doc[key], list) and doc[key] and data.draw(st.booleans()):
            target = doc[key][0] if isinstance(doc[key][0], dict) else doc
            key = data.draw(st.sampled_from(sorted(target))) if target is not doc else key
        elif isinstance(doc[key], dict) and doc[key] and data.draw(st.booleans()):
            target = doc[key]
            key = data.draw(st.sampled_from(sorted(target)))
        target[key] = data.draw(json_values())
    try:
        ex = extraction_from_dict(doc)
    except OcopError as e:
        assert "missing or malformed field" in str(e) and str(e).endswith(".")
        return
    json.dumps(ex.to_dict(), ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize("depth", [998, 1_001, 5_000, 200_000])
def test_nested_lines_are_bad_json_or_records_never_a_crash(depth):
    for line in (nested(depth), f'{{"text": "Ngày 5/3/2024.", "title": {nested(depth)}}}'):
        task = _task_of_line(line, 3)
        if isinstance(task, Task):
            assert process_task(task)[2] != "internal error"
        else:
            assert task is not None and task[1] in ("bad json", "bad input")
