"""Legacy Vietnamese encodings, charset sniffing and Unicode normalisation."""

from __future__ import annotations

import codecs
import json
import random
import unicodedata
from importlib import resources

import pytest

from ocop_nlp.errors import EncodingError, InputError
from ocop_nlp.parse.encodings import (
    TCVN3,
    VNI,
    _encode_legacy,
    decode_bytes,
    normalize_unicode,
    repair_legacy_text,
)

TONES = ["", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"]
LOWER = [unicodedata.normalize("NFC", base + tone) for base in "aăâeêioôơuưy" for tone in TONES] + [
    "đ"
]
LOWER = [ch for ch in LOWER if not ch.isascii()]
UPPER = [ch.upper() for ch in LOWER]
TCVN3_CAPITALS = set("ĂÂÊÔƠƯĐ")  # the only capitals with a TCVN3 code of their own

SENTENCES = [
    "Phó Chủ tịch UBND tỉnh chủ trì Hội nghị sơ kết Đề án OCOP; các địa phương cần đẩy mạnh "
    "tuyên truyền.",
    "Năm 2023, toàn tỉnh có 152 sản phẩm được công nhận đạt chuẩn OCOP từ 3 sao trở lên.",
    "Giám đốc Sở Nông nghiệp và Phát triển nông thôn báo cáo kết quả thực hiện nhiệm vụ.",
    "Huyện Bắc Hà đề nghị hỗ trợ vốn vay ưu đãi cho hợp tác xã sản xuất mận, chè và mật ong.",
    "Ủy ban nhân dân tỉnh yêu cầu các sở, ngành khẩn trương hoàn thiện hồ sơ trước ngày 15/9.",
    "Một số chủ thể còn lúng túng khi xây dựng câu chuyện sản phẩm, thiết kế bao bì và nhãn mác.",
    "Đồng chí Bí thư Tỉnh ủy nhấn mạnh phải gắn chương trình với du lịch cộng đồng.",
    "Miến dong, rượu ngô, nấm hương và gạo nếp cái hoa vàng được người tiêu dùng ưa chuộng.",
    "Kinh phí hỗ trợ từ ngân sách năm nay đạt gần 12 tỷ đồng, tăng 8% so với cùng kỳ.",
    "Những khó khăn, vướng mắc về mặt bằng và thị trường tiêu thụ cần sớm được tháo gỡ.",
    "Ông Nguyễn Văn Hùng, Trưởng phòng Kinh tế huyện, cho biết sẽ mở lớp tập huấn vào quý IV.",
    "Chị Lý Thị Mỹ, chủ cơ sở chế biến dược liệu, chia sẻ: “Chúng tôi muốn mở rộng vùng "
    "nguyên liệu.”",
    "Các xã vùng cao như Tả Van, Lũng Cú vẫn thiếu kho lạnh và xe chuyên dụng để bảo quản nông sản.",
    "Hội đồng đã chấm điểm, phân hạng 45 sản phẩm; 7 sản phẩm bị loại vì chưa đủ hồ sơ pháp lý.",
    "Đến năm 2025, phấn đấu mỗi xã có ít nhất một sản phẩm đạt 3 sao – ưu tiên doanh nghiệp trẻ.",
    "Bà con ở bản Nậm Đăm đã kỹ lưỡng ghi chép sổ sách, ngõ xóm sạch sẽ, cỗ bàn gọn gàng.",
    "Chiếc thuyền nhỏ lững lờ trôi; mẹ ẵm em bé, bẽn lẽn hỏi thăm, trẻ nhỏ ngẩn ngơ nhìn.",
    "Thửa ruộng bậc thang ửng vàng, giữ gìn lũy tre, tấm lụa mỏng, mũi tên; gỗ xẻ chất đống.",
    "Mỗi ỷ lại đều bị phê bình; quyết tâm vượt khó, chẳng ngại ứng dụng khoa học ở huyện lỵ, "
    "lửa nhỏ ấm êm, suối chảy rì rầm qua khe ẩm.",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "QUYẾT ĐỊNH VỀ VIỆC PHÊ DUYỆT KẾT QUẢ ĐÁNH GIÁ, PHÂN HẠNG SẢN PHẨM OCOP NĂM 2024",
]

# Correct Unicode Vietnamese that repair_legacy_text must leave alone. The first ones use only
# letters that also exist in Latin-1, so nothing but the syllable scoring protects them.
UNICODE_VIETNAMESE = [
    "Chào các bác, chào các cô chú.",
    "Ông bà tôi có nhà bên sông.",
    "Mùa thu này ít mây.",
    "Cô giáo và các em hát.",
    "Tình hình chung vùng núi cao còn khó.",
    "Bà con làm chè xanh, nuôi cá và trâu bò.",
    "Chính sách cho vay là cách giúp dân.",
    "Tôi là ai?",
    "Tôi có cá, cô có cà, bác có chè.",
    "Báo cáo tình hình.",
    *SENTENCES,
    "Sở Công Thương phối hợp tổ chức hội chợ giới thiệu sản phẩm OCOP tại Hà Nội.",
    "Trên địa bàn hiện có 28 hợp tác xã tham gia chương trình, chiếm gần 40% số chủ thể.",
]

FOREIGN = [
    "The committee met on Monday and agreed a new budget for rural roads.",
    "Our café served crème brûlée to a naïve guest who wrote his résumé in Zürich.",
    "Le comité a présenté à Hanoï un rapport détaillé sur l'été : où est la fenêtre de l'hôtel ?",
    "Même à côté du théâtre, l'élève et le maître déjeunent près de la forêt.",
    "A mãe não está em São Paulo; ela vê os irmãos amanhã de manhã.",
    "El niño pidió más café en la cafetería de la señora Muñoz.",
    "Die Mädchen müssen früh aufstehen, weil die Straße schön ist.",
]


def _cp1258_style(text: str) -> str:
    """Windows-1258 keeps â ê ô ă ơ ư đ precomposed and writes the tone as a combining mark."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + tones)
    return "".join(out)


def test_sentences_cover_every_vowel_with_every_tone_and_d_stroke():
    text = unicodedata.normalize("NFC", " ".join(SENTENCES)).lower()
    assert sorted(set(LOWER) - set(text)) == []


def test_data_file_has_a_header_and_full_tables():
    path = resources.files("ocop_nlp").joinpath("data", "legacy_encodings.json")
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert raw["_source"] and raw["_version"]
    tcvn3, vni = raw["tcvn3"]["letters"], raw["vni"]["letters"]
    assert set(tcvn3) == set(LOWER) | TCVN3_CAPITALS
    assert set(vni) == set(LOWER) | set(UPPER)
    assert len(set(tcvn3.values())) == len(tcvn3)  # one code, one letter
    assert len(set(vni.values())) == len(vni)


@pytest.mark.parametrize("encoding", [TCVN3, VNI])
def test_every_letter_round_trips_in_lowercase_text(encoding):
    for letter in LOWER:
        text = f"hội nghị sơ kết {letter}n"
        assert repair_legacy_text(_encode_legacy(text, encoding).decode("cp1252")) == (
            text,
            encoding,
        )


@pytest.mark.parametrize("encoding", [TCVN3, VNI])
def test_every_capital_round_trips_in_a_heading(encoding):
    for letter in UPPER:
        text = f"HỘI NGHỊ SƠ KẾT {letter}N"
        assert repair_legacy_text(_encode_legacy(text, encoding).decode("cp1252")) == (
            text,
            encoding,
        )


def test_vni_keeps_the_case_of_every_capital_without_context():
    for letter in UPPER:
        text = f"{SENTENCES[0]} {letter}"
        assert repair_legacy_text(_encode_legacy(text, VNI).decode("cp1252"))[0] == text


def test_tcvn3_capitals_without_a_code_read_as_lowercase_in_running_text():
    # "Hồ" and "HỒ" are the same TCVN3 bytes; in a normal sentence the lowercase reading wins.
    text, legacy = repair_legacy_text(
        _encode_legacy("Chủ tịch HỒ Chí Minh", TCVN3).decode("cp1252")
    )
    assert (text, legacy) == ("Chủ tịch Hồ Chí Minh", TCVN3)


def test_tcvn3_bytes_of_known_words():
    assert _encode_legacy("Phó Chủ tịch", TCVN3) == b"Ph\xe3 Ch\xf1 t\xdech"
    assert _encode_legacy("người Đắk Lắk", TCVN3) == b"ng\xad\xeai \xa7\xbek L\xbek"


def test_vni_bytes_of_known_words():
    assert _encode_legacy("Việt Nam", VNI) == b"Vie\xe4t Nam"
    assert _encode_legacy("ĐƯỢC", VNI) == b"\xd1\xd6\xd4\xcfC"


@pytest.mark.parametrize("encoding", [TCVN3, VNI])
@pytest.mark.parametrize("sentence", SENTENCES)
def test_legacy_bytes_decode_to_the_original_sentence(encoding, sentence):
    text, warnings = decode_bytes(_encode_legacy(sentence, encoding))
    assert text == sentence
    assert any(encoding in w for w in warnings)


@pytest.mark.parametrize("encoding", [TCVN3, VNI])
def test_legacy_page_declared_as_latin1_is_repaired(encoding):
    body = "\n".join(f"<p>{s}</p>" for s in SENTENCES[:5])
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
        f"</head><body>\n{body}\n</body></html>"
    )
    text, warnings = decode_bytes(_encode_legacy(page, encoding), declared="iso-8859-1")
    assert text == page
    assert warnings == [f"The text was typed in the legacy {encoding} encoding; converted it."]


def test_tcvn3_paste_inside_a_unicode_page_is_repaired_and_the_template_kept():
    legacy = _encode_legacy(SENTENCES[0], TCVN3).decode("cp1252")
    page = f"<title>Cổng thông tin điện tử tỉnh Lào Cai</title>\n<p>{legacy}</p>\n<p>Tôi là ai?</p>"
    text, warnings = decode_bytes(page.encode("utf-8"), declared="utf-8")
    assert text == (
        f"<title>Cổng thông tin điện tử tỉnh Lào Cai</title>\n<p>{SENTENCES[0]}</p>\n"
        "<p>Tôi là ai?</p>"
    )
    assert len(warnings) == 1 and TCVN3 in warnings[0]


def test_tcvn3_capital_at_the_start_of_a_paragraph_or_sentence_is_restored():
    text = "Ủy ban nhân dân tỉnh họp. Ấp Bình An được khen; Ở xã khác thì chưa."
    legacy = _encode_legacy(text, TCVN3).decode("cp1252")
    expected = "Ủy ban nhân dân tỉnh họp. Ấp Bình An được khen; ở xã khác thì chưa."
    assert repair_legacy_text(f"<p>{legacy}</p>") == (f"<p>{expected}</p>", TCVN3)


def test_tcvn3_line_that_reads_as_syllables_either_way_is_converted_in_a_legacy_document():
    # "Lóng tóng" is well formed too; only the rest of the document says it is TCVN3.
    document = "Lúng túng\n" + SENTENCES[5]
    legacy = _encode_legacy(document, TCVN3).decode("cp1252")
    assert legacy.startswith("Lóng tóng\n")
    assert repair_legacy_text(legacy) == (document, TCVN3)


def test_unicode_line_beside_a_tcvn3_paste_is_not_converted():
    legacy = _encode_legacy(SENTENCES[0], TCVN3).decode("cp1252")
    document = f"Tôi có cá.\n{legacy}\nCổng thông tin"
    assert repair_legacy_text(document) == (f"Tôi có cá.\n{SENTENCES[0]}\nCổng thông tin", TCVN3)


@pytest.mark.parametrize("encoding", [TCVN3, VNI])
def test_legacy_bytes_declared_as_windows_1258_are_still_repaired(encoding):
    text, warnings = decode_bytes(_encode_legacy(SENTENCES[9], encoding), declared="windows-1258")
    assert text == SENTENCES[9]
    assert warnings[-1] == f"The text was typed in the legacy {encoding} encoding; converted it."


def test_legacy_label_in_the_header_is_understood():
    data = _encode_legacy(SENTENCES[10], VNI)
    assert decode_bytes(data, declared="VNI-Windows")[0] == SENTENCES[10]


def test_windows_1258_bytes_declared_as_latin1_are_repaired():
    data = _cp1258_style(SENTENCES[11]).encode("cp1258")
    assert decode_bytes(data, declared="iso-8859-1")[0] == SENTENCES[11]


def test_tcvn3_soft_hyphen_is_the_letter_u_horn():
    assert repair_legacy_text("ng\u00adêi d©n") == ("người dân", TCVN3)


@pytest.mark.parametrize("sentence", UNICODE_VIETNAMESE)
def test_correct_unicode_vietnamese_is_left_alone(sentence):
    assert repair_legacy_text(sentence) == (sentence, None)
    decomposed = unicodedata.normalize("NFD", sentence)
    assert repair_legacy_text(decomposed) == (decomposed, None)


def test_correct_unicode_vietnamese_is_left_alone_as_one_document():
    document = "\n".join(UNICODE_VIETNAMESE)
    assert repair_legacy_text(document) == (document, None)
    assert decode_bytes(document.encode("utf-8")) == (document, [])


@pytest.mark.parametrize("sentence", FOREIGN)
def test_english_french_and_other_latin_text_is_left_alone(sentence):
    assert repair_legacy_text(sentence) == (sentence, None)
    text, _ = decode_bytes(sentence.encode("cp1252"), declared="windows-1252")
    assert text == sentence


def test_foreign_paragraph_is_left_alone():
    paragraph = " ".join(FOREIGN)
    assert repair_legacy_text(paragraph) == (paragraph, None)


def test_undeclared_western_text_reads_as_windows_1252():
    paragraph = " ".join(FOREIGN)
    text, warnings = decode_bytes(paragraph.encode("cp1252"))
    assert text == paragraph
    assert warnings == ["The bytes are not UTF-8 and not Vietnamese; guessed the charset cp1252."]


def test_plain_ascii_and_empty_text_are_left_alone():
    assert repair_legacy_text("UBND tinh Lao Cai, OCOP 2024") == (
        "UBND tinh Lao Cai, OCOP 2024",
        None,
    )
    assert repair_legacy_text("") == ("", None)


@pytest.mark.parametrize("sentence", SENTENCES)
def test_windows_1258_bytes_decode_and_compose_to_nfc(sentence):
    data = _cp1258_style(sentence).encode("cp1258")
    text, _ = decode_bytes(data)
    assert text == sentence
    assert unicodedata.is_normalized("NFC", text)


def test_windows_1258_declared_in_meta():
    page = '<meta charset="windows-1258"><p>' + SENTENCES[0] + "</p>"
    text, warnings = decode_bytes(_cp1258_style(page).encode("cp1258"))
    assert text == page
    assert warnings == []


def test_windows_1258_read_as_windows_1252_is_repaired():
    misread = _cp1258_style(SENTENCES[2]).encode("cp1258").decode("cp1252")
    assert repair_legacy_text(misread) == (SENTENCES[2], "Windows-1258")


def test_normalize_unicode_composes_nfd_and_windows_1258_marks():
    for sentence in SENTENCES:
        assert normalize_unicode(unicodedata.normalize("NFD", sentence)) == sentence
        assert normalize_unicode(_cp1258_style(sentence)) == sentence
    assert normalize_unicode("Vie\u0302\u0323t") == "Việt"
    assert normalize_unicode("Vie\u0323\u0302t") == "Việt"
    assert normalize_unicode("ke\u0301\u0302t") == "kết"  # tone typed before the circumflex
    assert normalize_unicode("a\u0301\u0306c") == "ắc"


def test_normalize_unicode_mixed_nfc_and_nfd():
    mixed = "Hội nghị " + unicodedata.normalize("NFD", "sơ kết Đề án") + " OCOP"
    assert normalize_unicode(mixed) == "Hội nghị sơ kết Đề án OCOP"


def test_normalize_unicode_leaves_nfc_and_ascii_alone():
    assert normalize_unicode(SENTENCES[0]) == SENTENCES[0]
    assert normalize_unicode("OCOP 2024") == "OCOP 2024"
    assert normalize_unicode("") == ""


@pytest.mark.parametrize(
    "declared", ["iso-8859-1", "windows-1252", "text/html; charset=ISO-8859-1"]
)
def test_utf8_page_with_a_wrong_declared_charset_decodes_as_utf8(declared):
    text, warnings = decode_bytes(SENTENCES[0].encode("utf-8"), declared=declared)
    assert text == SENTENCES[0]
    assert warnings and "UTF-8" in warnings[0]


def test_utf8_page_with_a_wrong_meta_charset_decodes_as_utf8():
    page = (
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">' + SENTENCES[1]
    )
    text, warnings = decode_bytes(page.encode("utf-8"))
    assert text == page
    assert "<meta>" in warnings[0]


def test_utf8_without_declaration():
    assert decode_bytes(SENTENCES[3].encode("utf-8")) == (SENTENCES[3], [])


def test_utf8_with_a_few_broken_bytes_keeps_the_rest():
    data = (SENTENCES[0] + " ").encode("utf-8") * 3 + b"\x96 " + SENTENCES[1].encode("utf-8")
    text, warnings = decode_bytes(data)
    assert SENTENCES[1] in text and "\ufffd" in text
    assert warnings == ["A few bytes are not valid UTF-8 (1 places); they were replaced with �."]


@pytest.mark.parametrize("declared", [None, "windows-1252", "utf-8"])
def test_forty_stray_bytes_in_a_utf8_article_keep_it_utf8(declared):
    # 40 invalid bytes among ~800 Vietnamese letters used to tip the whole text into
    # windows-1252 mojibake ("Tá»‘i 30/3").
    rng = random.Random(9)
    body = bytearray(" ".join(SENTENCES * 3).encode("utf-8")[:5000])
    for _ in range(40):
        body.insert(rng.randrange(len(body)), rng.choice([0xFF, 0x80, 0x9D, 0xC3, 0xE1]))
    text, warnings = decode_bytes(bytes(body), declared)
    assert "á»" not in text and "Ä‘" not in text  # no windows-1252 mojibake
    assert text.count("\ufffd") >= 40
    assert sum(s in text for s in SENTENCES) >= len(SENTENCES) // 2
    assert any("not valid UTF-8" in w for w in warnings)


def test_utf8_with_bom():
    text, warnings = decode_bytes(codecs.BOM_UTF8 + SENTENCES[4].encode("utf-8"))
    assert (text, warnings) == (SENTENCES[4], [])


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec):
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(codec, b"")
    data = bom + SENTENCES[5].encode(codec)
    assert decode_bytes(data) == (SENTENCES[5], [])


def test_utf16_without_bom():
    text, warnings = decode_bytes(SENTENCES[6].encode("utf-16-le"))
    assert text == SENTENCES[6]
    assert "UTF-16" in warnings[0]


def test_utf16_text_of_a_tcvn3_document_is_repaired():
    legacy = _encode_legacy(SENTENCES[7], TCVN3).decode("cp1252")
    text, warnings = decode_bytes(codecs.BOM_UTF16_LE + legacy.encode("utf-16-le"))
    assert text == SENTENCES[7]
    assert TCVN3 in warnings[0]


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00data.csv", "a ZIP archive"),
        (b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml word/document.xml", "a Word (.docx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "an old Microsoft Office (.doc or .xls)"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "a gzip-compressed file"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"),
    ],
)
def test_binary_files_raise_a_clear_encoding_error(data, kind):
    with pytest.raises(EncodingError) as err:
        decode_bytes(data)
    message = str(err.value)
    assert message.startswith(f"This looks like {kind}")
    assert "not text or HTML" in message
    assert isinstance(err.value, InputError)


def test_nul_and_control_bytes_raise_encoding_error():
    with pytest.raises(EncodingError, match="binary file"):
        decode_bytes(b"abc\x00\x01\x02\x03" * 50)
    with pytest.raises(EncodingError, match="binary file"):
        decode_bytes(bytes(range(1, 32)) * 20)


def test_empty_bytes_give_empty_text_and_a_warning():
    text, warnings = decode_bytes(b"")
    assert text == ""
    assert warnings == ["The input is empty: there are no bytes to decode."]


def test_unknown_declared_charset_is_ignored_with_a_warning():
    text, warnings = decode_bytes(SENTENCES[0].encode("utf-8"), declared="x-made-up")
    assert text == SENTENCES[0]
    assert "x-made-up" in warnings[0]


def test_non_vietnamese_single_byte_text_falls_back_to_detection():
    russian = "Комитет утвердил новый бюджет для сельских дорог и школ в этом году."
    text, warnings = decode_bytes((russian + " ").encode("cp1251") * 5)
    assert text.startswith(russian)
    assert warnings and "guessed" in warnings[0]
