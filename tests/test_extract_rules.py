"""Behaviour of the rule extractors on short sentences the team wrote."""

from __future__ import annotations

import pytest

from ocop_nlp.extract.challenges import is_challenge_clause
from ocop_nlp.extract.officials import find_officials
from ocop_nlp.extract.pipeline import extract_article
from ocop_nlp.nlp.normalize import normalize_text
from ocop_nlp.nlp.sentences import split_sentences
from ocop_nlp.records import Article


def _ex(text: str, published: str = "2024-05-01"):
    return extract_article(Article(text=text, published=published))


@pytest.mark.parametrize(
    ("text", "title", "name"),
    [
        (
            "Phó Chủ tịch UBND tỉnh Đỗ Thị Minh Hoa chủ trì",
            "Phó Chủ tịch UBND tỉnh",
            "Đỗ Thị Minh Hoa",
        ),
        ("Bí thư Tỉnh ủy phát biểu", "Bí thư Tỉnh ủy", None),
        ("Giám đốc Sở NN&PTNT Nguyễn Văn Bình cho biết", "Giám đốc Sở NN&PTNT", "Nguyễn Văn Bình"),
        ("Thủ tướng Nguyễn Xuân Phúc yêu cầu", "Thủ tướng", "Nguyễn Xuân Phúc"),
        ("Chủ tịch UBND tỉnh Lâm Đồng yêu cầu", "Chủ tịch UBND tỉnh Lâm Đồng", None),
        (
            "Chủ tịch UBND tỉnh Bắc Kạn Đỗ Thị Minh Hoa nói",
            "Chủ tịch UBND tỉnh Bắc Kạn",
            "Đỗ Thị Minh Hoa",
        ),
        (
            "đồng chí Lê Văn Tám, Phó Chủ tịch Thường trực UBND huyện Đắk Song chủ trì",
            "Phó Chủ tịch Thường trực UBND huyện Đắk Song",
            "Lê Văn Tám",
        ),
    ],
)
def test_official_title_and_name_are_split_by_lexicon(text, title, name):
    o = find_officials(text)[0]
    assert (o.title, o.name) == (title, name)


def test_old_style_tone_marks_are_moved_but_closed_syllables_are_not():
    assert normalize_text("Hoà Bình, thuỷ lợi, khoẻ, hoàn thành, tuyển, quả, thảo luận") == (
        "Hòa Bình, thủy lợi, khỏe, hoàn thành, tuyển, quả, thảo luận"
    )


def test_sentences_do_not_end_after_abbreviations_or_initials():
    s = split_sentences("Sáng 10/7, TP. Buôn Ma Thuột họp. Ông Nguyễn V. An phát biểu…/.\nTiếp")
    assert [x.text for x in s] == [
        "Sáng 10/7, TP. Buôn Ma Thuột họp.",
        "Ông Nguyễn V. An phát biểu…/.",
        "Tiếp",
    ]


def test_a_body_can_issue_a_directive():
    ds = _ex(
        "Tại phiên họp, Chính phủ yêu cầu các bộ, ngành khẩn trương hoàn thiện hồ sơ."
    ).directives
    assert [(d.issuer.title, d.addressee, d.action) for d in ds] == [
        ("Chính phủ", "các bộ, ngành", "khẩn trương hoàn thiện hồ sơ")
    ]


def test_deadline_is_read_from_the_action():
    ds = _ex("UBND tỉnh đề nghị Sở Tài chính bố trí kinh phí trước ngày 30/6/2024.").directives
    assert ds[0].addressee == "Sở Tài chính" and ds[0].deadline == "2024-06-30"


def test_a_bodys_own_plan_is_not_a_directive():
    text = (
        "Chủ tịch UBND tỉnh Nguyễn Văn An yêu cầu các địa phương rà soát hồ sơ. "
        "Thời gian tới, Sở Công Thương sẽ tiếp tục tổ chức hội chợ."
    )
    ds = _ex(text).directives
    assert [d.action for d in ds] == ["rà soát hồ sơ"]


def test_title_alone_resolves_to_the_official_named_earlier():
    text = (
        "Phó Chủ tịch UBND tỉnh Trần Văn Bình chủ trì hội nghị. "
        "Đối với các Sở, ngành, Phó Chủ tịch UBND tỉnh yêu cầu: rà soát hồ sơ; bố trí kinh phí."
    )
    ds = _ex(text).directives
    assert [(d.issuer.name, d.addressee) for d in ds] == [("Trần Văn Bình", "các Sở, ngành")] * 2


def test_enumerated_sentences_continue_an_announced_list():
    text = (
        "Kết luận hội nghị, Chủ tịch UBND tỉnh Lê Văn Hùng yêu cầu các địa phương tập trung vào "
        "hai nhóm nhiệm vụ.\nMột là, rà soát toàn bộ sản phẩm.\nHai là, hỗ trợ các chủ thể "
        "hoàn thiện hồ sơ."
    )
    ds = _ex(text).directives
    assert [(d.addressee, d.action) for d in ds] == [
        ("các địa phương", "rà soát toàn bộ sản phẩm"),
        ("các địa phương", "hỗ trợ các chủ thể hoàn thiện hồ sơ"),
    ]


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        ("công tác tuyên truyền chưa hiệu quả", True),
        ("thiết bị chế biến còn thô sơ", True),
        ("việc bố trí nguồn lực còn gặp nhiều khó khăn", True),
        ("các đại biểu thảo luận về những khó khăn, hạn chế", False),
        ("Ban Chỉ huy quân sự xã còn phối hợp với các lực lượng", False),
        ("doanh nghiệp không chỉ tạo việc làm mà còn góp phần bảo vệ môi trường", False),
        ("học sinh có hoàn cảnh khó khăn được tặng quà", False),
    ],
)
def test_a_challenge_states_a_shortcoming_not_a_topic(clause, expected):
    assert is_challenge_clause(clause) is expected


def test_figures_skip_dates_periods_ordinals_and_document_numbers():
    text = (
        "Theo Quyết định số 1048/QĐ-UBND, 6 tháng đầu năm 2024, đợt 2 có 15 hợp tác xã "
        "đăng ký, giai đoạn 2021 - 2025 đạt 1.234,5 tấn, thu 1,2 tỷ đồng, tăng 15%."
    )
    figs = [(f.value, f.unit) for f in _ex(text).figures]
    assert figs == [(15, "hợp tác xã"), (1234.5, "tấn"), (1_200_000_000, "đồng"), (15, "%")]
