"""Issue 10: addressees cut short by the clause split ("Người | đứng đầu ...", "Thanh tra |
chuyên ngành"). The sentences are written for these tests, not taken from the shared data."""

from __future__ import annotations

import pytest

from ocop_nlp.extract.directives import complete_addressee, split_addressee
from ocop_nlp.extract.pipeline import RULE_STAGES, Pipeline, extract_article
from ocop_nlp.records import Article

_RULES = Pipeline(RULE_STAGES)
_LEAD = "Phát biểu kết luận hội nghị, Chủ tịch UBND tỉnh Trần Văn Bình yêu cầu "


@pytest.mark.parametrize(
    ("order", "addressee", "action"),
    [
        # underthesea tags "đứng" a verb: the head alone was "người".
        (
            "người đứng đầu các sở, ngành phải chịu trách nhiệm về tiến độ giải ngân.",
            "người đứng đầu các sở, ngành",
            "chịu trách nhiệm về tiến độ giải ngân",
        ),
        # "Thanh tra" is a known body and "chuyên ngành" a lower-case word after it.
        (
            "Thanh tra chuyên ngành tăng cường kiểm tra các cơ sở sản xuất thực phẩm.",
            "Thanh tra chuyên ngành",
            "tăng cường kiểm tra các cơ sở sản xuất thực phẩm",
        ),
        # "Tổ chức" is an action word, "Huyện ủy" a verb: capitals go on a name.
        (
            "Ban Tổ chức Huyện ủy chủ trì rà soát đội ngũ cán bộ cấp xã.",
            "Ban Tổ chức Huyện ủy",
            "chủ trì rà soát đội ngũ cán bộ cấp xã",
        ),
        (
            "Ban Chỉ đạo huyện khẩn trương kiểm tra các điểm sạt lở.",
            "Ban Chỉ đạo huyện",
            "khẩn trương kiểm tra các điểm sạt lở",
        ),
        # a list that goes on after a comma past the known bodies
        (
            "các Sở, ngành, địa phương khẩn trương hoàn thành việc sắp xếp trụ sở dôi dư.",
            "các Sở, ngành, địa phương",
            "khẩn trương hoàn thành việc sắp xếp trụ sở dôi dư",
        ),
        # "tổ chức" in a list of bodies is a noun, not the action "tổ chức"
        (
            "các trường học, tổ chức, hợp tác xã khẩn trương rà soát hồ sơ đất đai.",
            "các trường học, tổ chức, hợp tác xã",
            "khẩn trương rà soát hồ sơ đất đai",
        ),
        # a negation or modal still opens the action
        (
            "các xã tuyệt đối không được lơ là trong phòng chống dịch.",
            "các xã",
            "tuyệt đối không được lơ là trong phòng chống dịch",
        ),
    ],
)
@pytest.mark.parametrize("run", [_RULES, extract_article], ids=["rules", "shipped"])
def test_addressee_keeps_its_complement(run, order, addressee, action):
    text = _LEAD + order
    ex = run(Article(text=text, published="2024-05-01"))
    assert [(d.addressee, d.action) for d in ex.directives] == [(addressee, action)]
    d = ex.directives[0]
    assert ex.text[d.start : d.end] == d.action  # offsets still point at the action


def test_a_directive_carrying_a_cut_addressee_takes_the_whole_one():
    text = (
        "Chủ tịch UBND tỉnh Trần Văn Bình yêu cầu người đứng đầu các sở, ngành phải rà soát "
        "danh mục dự án chậm tiến độ. Đồng thời, báo cáo kết quả trước ngày 15/6."
    )
    ex = _RULES(Article(text=text, published="2024-05-01"))
    assert {d.addressee for d in ex.directives} == {"người đứng đầu các sở, ngành"}


@pytest.mark.parametrize(
    "text",
    [
        "Sở Y tế chủ động phối hợp với các huyện.",
        "các huyện ven biển chú trọng bảo vệ rừng phòng hộ.",
        "Ngân hàng Nhà nước, một mặt bảo đảm tăng trưởng tín dụng.",
        "các trường học, tổ chức thực hiện nghiêm quy định về phòng cháy.",
    ],
)
def test_a_whole_addressee_is_left_as_it_is(text):
    addr, _ = split_addressee(text)
    assert addr is not None
    assert complete_addressee(text, addr) is None
