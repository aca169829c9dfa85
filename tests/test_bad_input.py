"""Bad and odd inputs: each gives one clear sentence (exit 1) or an extraction with a warning.

Never a traceback. Legacy encodings and decomposed Unicode must extract like clean Unicode.
"""

from __future__ import annotations

import io
import json
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from conftest import ARTICLES, article_record
from test_encodings import _cp1258_style

from ocop_nlp.parse.encodings import TCVN3, VNI, _encode_legacy

ARTICLE_01 = ARTICLES / "01_cao_bang_so_ket_6_thang.txt"
# A plain report, one with a bulleted list, one with old-style tone marks ("hoà", "thuỷ").
SAMPLES = ["01_cao_bang_so_ket_6_thang", "06_thai_binh_trien_khai_gach_dau_dong",
           "11_thanh_hoa_dau_kieu_cu"]  # fmt: skip


def _fails_with_one_sentence(code: int, out: str, err: str, *phrases: str) -> None:
    assert code == 1
    assert out == ""
    assert "Traceback" not in err
    lines = err.strip().split("\n")
    assert len(lines) == 1, err
    assert lines[0].endswith("."), err
    for phrase in phrases:
        assert phrase in err


def _extract(run_cli, path: Path) -> tuple[dict, str]:
    code, out, err = run_cli("extract", str(path))
    assert code == 0, err
    assert "Traceback" not in err
    return json.loads(out), err


def _same_extraction(a: dict, b: dict) -> None:
    for key in ("id", "article", "text", "meeting", "figures", "challenges", "directives"):
        assert a[key] == b[key], key


@pytest.fixture(scope="module")
def unicode_extractions() -> dict[str, dict]:
    from ocop_nlp.extract.pipeline import extract_article
    from ocop_nlp.parse.reader import read_input

    return {n: extract_article(read_input(str(ARTICLES / f"{n}.txt"))).to_dict() for n in SAMPLES}


@pytest.mark.parametrize(
    ("content", "phrase"),
    [(b"", "is empty"), (b"  \n\t\r\n   \n", "holds only whitespace")],
    ids=["empty", "whitespace"],
)
def test_empty_or_blank_file_fails_with_a_sentence_naming_it(run_cli, tmp_path, content, phrase):
    path = tmp_path / "bai.txt"
    path.write_bytes(content)
    _fails_with_one_sentence(*run_cli("extract", str(path)), str(path), phrase)


def test_empty_stdin_fails_with_a_sentence(run_cli, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\n \n")))
    _fails_with_one_sentence(*run_cli("extract", "-"), "stdin", "only whitespace")


@pytest.mark.parametrize(
    ("magic", "what"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "a PNG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>", "a PDF file"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00bai.txt", "a ZIP archive"),
    ],
    ids=["png", "pdf", "zip"],
)
@pytest.mark.parametrize("suffix", [".txt", ".html", ".json"])
def test_binary_file_is_named_for_what_it_is(run_cli, tmp_path, magic, what, suffix):
    path = tmp_path / f"bai{suffix}"
    path.write_bytes(magic + bytes(range(256)) * 4)
    _fails_with_one_sentence(*run_cli("extract", str(path)), f"This looks like {what}")


def test_file_of_nul_and_control_bytes_is_refused(run_cli, tmp_path):
    path = tmp_path / "bai.txt"
    path.write_bytes(b"\x00\x01\x02\x03" * 500)
    _fails_with_one_sentence(*run_cli("extract", str(path)), "binary")


def test_20_mb_file_is_refused_from_its_size_before_it_is_read(run_cli, tmp_path, monkeypatch):
    path = tmp_path / "qua-lon.txt"
    chunk = ARTICLE_01.read_bytes()
    with open(path, "wb") as f:
        for _ in range(20_000_000 // len(chunk) + 1):
            f.write(chunk)
    assert path.stat().st_size > 20_000_000

    def no_reading(self, *a, **k):
        raise AssertionError(f"{self} was read although its size alone refuses it")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    monkeypatch.setattr(Path, "read_text", no_reading)
    t0 = time.monotonic()
    code, out, err = run_cli("extract", str(path))
    assert time.monotonic() - t0 < 1.0
    _fails_with_one_sentence(code, out, err, "is 20.0 MB, larger than the 5 MB", "split it")


def test_20_mb_on_stdin_is_refused(run_cli, monkeypatch):
    big = io.BytesIO(b"Ngay 10/7/2024 " * 1_400_000)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(big))
    # Reading stops at the limit, so the size is "more than" it (it used to say "is 5.0 MB").
    _fails_with_one_sentence(
        *run_cli("extract", "-"), "stdin holds more than the 5 MB an article may be"
    )


def test_english_text_gives_empty_lists_and_a_warning(run_cli, tmp_path):
    path = tmp_path / "english.txt"
    path.write_text(
        "Council reviews rural product programme\n\n"
        "On 10 July the provincial council met to review the rural product programme. "
        "The chair asked departments to report on progress by the end of September. "
        "Members said that funding remained limited and that markets were hard to reach.\n",
        encoding="utf-8",
    )
    d, err = _extract(run_cli, path)
    assert "warning: The text does not look like Vietnamese" in err
    assert d["figures"] == d["challenges"] == d["directives"] == []
    assert d["meeting"] is None


@pytest.mark.parametrize("name", SAMPLES)
def test_decomposed_unicode_extracts_like_precomposed(run_cli, tmp_path, name, unicode_extractions):
    nfc = (ARTICLES / f"{name}.txt").read_text(encoding="utf-8")
    path = tmp_path / "nfd.txt"
    path.write_text(unicodedata.normalize("NFD", nfc), encoding="utf-8")
    assert path.read_text(encoding="utf-8") != nfc
    d, err = _extract(run_cli, path)
    _same_extraction(d, unicode_extractions[name])
    assert unicodedata.is_normalized("NFC", d["text"])


@pytest.mark.parametrize("encoding", [TCVN3, VNI])
@pytest.mark.parametrize("name", SAMPLES)
def test_legacy_font_encoded_text_extracts_like_unicode(
    run_cli, tmp_path, name, encoding, unicode_extractions
):
    text = (ARTICLES / f"{name}.txt").read_text(encoding="utf-8")
    path = tmp_path / "legacy.txt"
    path.write_bytes(_encode_legacy(text, encoding))
    d, err = _extract(run_cli, path)
    _same_extraction(d, unicode_extractions[name])
    assert f"legacy {encoding} encoding" in err


@pytest.mark.parametrize("name", SAMPLES)
def test_windows_1258_bytes_with_combining_tones_extract_like_unicode(
    run_cli, tmp_path, name, unicode_extractions
):
    text = (ARTICLES / f"{name}.txt").read_text(encoding="utf-8")
    data = _cp1258_style(text).encode("cp1258")
    assert "\u0301".encode("cp1258") in data  # the tones really are combining marks
    path = tmp_path / "cp1258.txt"
    path.write_bytes(data)
    d, _ = _extract(run_cli, path)
    _same_extraction(d, unicode_extractions[name])


def test_tcvn3_portal_page_declared_latin1_extracts_like_the_unicode_page(
    run_cli, tmp_path, sharepoint_page
):
    utf8 = tmp_path / "unicode.html"
    utf8.write_text(sharepoint_page, encoding="utf-8")
    legacy = tmp_path / "tcvn3.html"
    page = sharepoint_page.replace("charset=utf-8", "charset=iso-8859-1")
    legacy.write_bytes(_encode_legacy(page, TCVN3))
    a, _ = _extract(run_cli, utf8)
    b, err = _extract(run_cli, legacy)
    _same_extraction(b, a)
    assert "TCVN3" in err


def test_tcvn3_text_inside_a_json_record_is_repaired(run_cli, tmp_path, unicode_extractions):
    rec = article_record(ARTICLE_01)
    rec["text"] = _encode_legacy(rec["text"], TCVN3).decode("cp1252")
    path = tmp_path / "record.json"
    path.write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
    d, err = _extract(run_cli, path)
    expected = unicode_extractions["01_cao_bang_so_ket_6_thang"]
    assert d["text"] == expected["text"]
    assert d["directives"] == expected["directives"]
    assert "TCVN3" in err


def test_html_without_a_body_fails_with_a_sentence(run_cli, tmp_path):
    path = tmp_path / "trang.html"
    path.write_text("<html><head><title>x</title></head></html>", encoding="utf-8")
    _fails_with_one_sentence(*run_cli("extract", str(path)), "no body")


def test_html_body_without_article_text_fails_with_a_sentence(run_cli, tmp_path):
    path = tmp_path / "trang.html"
    path.write_text(
        "<html><body><nav><a href='/'>Trang chủ</a></nav><script>var x = 1;</script></body></html>",
        encoding="utf-8",
    )
    _fails_with_one_sentence(*run_cli("extract", str(path)), "no text")


def test_broken_html_with_unclosed_tags_is_still_read(run_cli, tmp_path):
    path = tmp_path / "hong.html"
    path.write_text(
        "<html><head><title>Giao ban OCOP</title><body><div class='content'><p>Ngày 5/3/2024, "
        "UBND huyện tổ chức hội nghị giao ban <b>Chương trình OCOP.<p>Có 12 sản phẩm đạt "
        "3 sao.<div><p>Chủ tịch UBND huyện yêu cầu các xã hoàn thiện hồ sơ trước ngày 30/4/2024"
        "<table><tr><td>ô lẻ",
        encoding="utf-8",
    )
    d, err = _extract(run_cli, path)
    assert d["article"]["title"] == "Giao ban OCOP"
    assert d["text"].startswith("Ngày 5/3/2024, UBND huyện tổ chức hội nghị giao ban")
    assert "Có 12 sản phẩm đạt 3 sao." in d["text"]
    assert any(f["value"] == 12 for f in d["figures"])


def test_json_record_without_text_fails_with_a_sentence(run_cli, tmp_path):
    path = tmp_path / "record.json"
    path.write_text('{"id": "a1", "title": "Giao ban OCOP"}', encoding="utf-8")
    _fails_with_one_sentence(*run_cli("extract", str(path)), 'no "text" field')


def test_json_that_is_not_an_object_fails_with_a_sentence(run_cli, tmp_path):
    path = tmp_path / "record.json"
    path.write_text('["Ngày 5/3/2024, UBND huyện họp."]', encoding="utf-8")
    _fails_with_one_sentence(*run_cli("extract", str(path)), "not an article record")


def test_invalid_json_fails_with_a_sentence_giving_the_line(run_cli, tmp_path):
    path = tmp_path / "record.json"
    path.write_text('{"id": "a1",\n "text": "Ngày 5/3/2024\n', encoding="utf-8")
    _fails_with_one_sentence(*run_cli("extract", str(path)), "is not valid JSON (line 2")


def test_json_record_whose_text_is_binary_garbage_fails_with_a_sentence(run_cli, tmp_path):
    path = tmp_path / "record.json"
    garbage = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(32)) * 8).decode("latin-1")
    path.write_text(json.dumps({"id": "g1", "text": garbage}), encoding="utf-8")
    _fails_with_one_sentence(*run_cli("extract", str(path)), "record g1 holds binary data")


def test_unreadable_file_fails_with_a_sentence(run_cli, tmp_path, monkeypatch):
    path = tmp_path / "bai.txt"
    path.write_text("Ngày 5/3/2024, UBND huyện họp.", encoding="utf-8")

    def denied(self, *a, **k):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", denied)  # read_bytes opens too
    _fails_with_one_sentence(*run_cli("extract", str(path)), "Could not read", "Permission denied")


def test_extraction_file_given_as_a_record_is_extracted_again_with_its_metadata(
    run_cli, tmp_path, unicode_extractions
):
    previous = dict(unicode_extractions["01_cao_bang_so_ket_6_thang"])
    previous["figures"] = []  # an old extraction: the new run must not copy it
    path = tmp_path / "old.json"
    path.write_text(json.dumps(previous, ensure_ascii=False), encoding="utf-8")
    d, _ = _extract(run_cli, path)
    _same_extraction(d, unicode_extractions["01_cao_bang_so_ket_6_thang"])


# --- hostile values: one sentence or a clean result, never "this is a bug" ----------------


def test_a_400_digit_number_before_nam_is_a_duration_without_a_value(run_cli, tmp_path):
    path = tmp_path / "bai.txt"
    path.write_text(
        f"Ngày 5/3/2024, huyện họp. Dự án kéo dài {'9' * 400} năm với 12 sản phẩm OCOP.",
        encoding="utf-8",
    )
    code, out, err = run_cli("extract", str(path))
    assert code == 0, err  # was OverflowError in the duration code
    assert [f["text"] for f in json.loads(out)["figures"]] == ["12 sản phẩm"]


def _extraction_file(tmp_path, unicode_extractions, **changes) -> Path:
    doc = {**unicode_extractions["01_cao_bang_so_ket_6_thang"], **changes}
    path = tmp_path / "trich-xuat.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_draft_of_an_extraction_whose_text_is_a_number_fails_with_a_sentence(
    run_cli, tmp_path, unicode_extractions
):
    path = _extraction_file(tmp_path, unicode_extractions, text=12345)
    _fails_with_one_sentence(*run_cli("draft", str(path)), "text is int (12345), not a string")


def test_draft_of_an_extraction_with_a_figure_value_abc_fails_with_a_sentence(
    run_cli, tmp_path, unicode_extractions
):
    figures = [dict(f) for f in unicode_extractions["01_cao_bang_so_ket_6_thang"]["figures"]]
    figures[1]["value"] = "abc"
    path = _extraction_file(tmp_path, unicode_extractions, figures=figures)
    _fails_with_one_sentence(
        *run_cli("draft", str(path)), "figures[1].value is str ('abc'), not a finite number"
    )


@pytest.mark.parametrize("command", ["extract", "draft"])
@pytest.mark.parametrize("depth", [1_100, 100_000])
def test_deeply_nested_json_fails_with_a_sentence(run_cli, tmp_path, command, depth):
    path = tmp_path / "sau.json"
    path.write_text('{"text": ' + "[" * depth + "]" * depth + "}", encoding="utf-8")
    _fails_with_one_sentence(*run_cli(command, str(path)), "nested too deeply")


def test_lone_surrogates_in_a_record_become_replacement_characters_with_a_warning(
    run_cli, tmp_path
):
    path = tmp_path / "bai.json"
    path.write_text(
        '{"title": "Tin \\udfff", "text": "Ngày 5/3/2024, huyện \\ud800 có 12 sản phẩm OCOP."}',
        encoding="utf-8",
    )
    code, out, err = run_cli("extract", str(path))
    assert code == 0, err
    d = json.loads(out)
    assert d["text"] == "Ngày 5/3/2024, huyện \ufffd có 12 sản phẩm OCOP."
    assert d["article"]["title"] == "Tin \ufffd"
    [figure] = d["figures"]
    assert d["text"][figure["start"] : figure["end"]] == "12 sản phẩm"
    assert "2 lone UTF-16 surrogate(s)" in err


def test_lone_surrogates_in_an_extraction_given_to_draft_are_replaced(
    run_cli, tmp_path, unicode_extractions
):
    doc = unicode_extractions["01_cao_bang_so_ket_6_thang"]
    title = doc["article"]["title"]
    path = tmp_path / "trich-xuat.json"
    # ASCII JSON: the lone surrogate is written as the escape "\ud800", as other tools do.
    path.write_text(
        json.dumps({**doc, "article": {**doc["article"], "title": title + "\ud800"}}),
        encoding="utf-8",
    )
    code, out, err = run_cli("draft", str(path), "--template", "tin-bai")
    assert code == 0, err
    assert out.startswith(f"# {title}\ufffd\n")


@pytest.mark.parametrize("command", ["extract", "draft"])
def test_a_number_python_refuses_to_read_fails_with_a_sentence(run_cli, tmp_path, command):
    path = tmp_path / "so.json"
    path.write_text('{"text": "Có 12 hộ.", "n": ' + "9" * 5000 + "}", encoding="utf-8")
    _fails_with_one_sentence(*run_cli(command, str(path)), "4,300 digits")
