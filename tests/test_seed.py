"""The canonical case: the seed page of the Bắc Kạn portal, asserted in full."""

from __future__ import annotations

import json

from ocop_nlp.extract.pipeline import extract_article
from ocop_nlp.parse.reader import read_input

ISSUER = {"name": "Đỗ Thị Minh Hoa", "title": "Phó Chủ tịch UBND tỉnh"}


def _seed(seed_path):
    return extract_article(read_input(str(seed_path))).to_dict()


def test_seed_article_metadata_and_meeting(seed_path):
    d = _seed(seed_path)
    assert d["schema"] == "ocop-nlp/extraction@1"
    assert d["article"]["title"] == (
        "UBND tỉnh sơ kết đánh giá kết quả thực hiện Đề án “Mỗi xã, phường một sản phẩm” "
        "6 tháng đầu năm 2018"
    )
    assert d["article"]["published"] == "2018-07-11"
    assert d["article"]["author"] == "Thu Cúc"
    assert d["meeting"] == {
        "kind": "hội nghị sơ kết",
        "date": "2018-07-10",
        "chair": ISSUER,
        "topic": "đánh giá kết quả thực hiện Đề án “Mỗi xã, phường một sản phẩm” 6 tháng đầu năm",
    }


def test_seed_portal_chrome_is_not_body_text(seed_path):
    text = _seed(seed_path)["text"]
    for chrome in [
        "Skip Ribbon Commands",
        "Skip to main content",
        "Sign In",
        "Trang chủ Góp ý",
        "Quang cảnh Hội nghị",
        "Cập nhật lúc",
        "Thu Cúc",
    ]:
        assert chrome not in text
    assert text.startswith("Ngày 10/7/2018, UBND tỉnh tổ chức Hội nghị sơ kết")
    assert text.endswith("cho các hợp tác xã…/.")


def test_seed_figures_exactly(seed_path):
    figs = [(f["value"], f["unit"], f["qualifier"], f["text"]) for f in _seed(seed_path)["figures"]]
    assert figs == [
        (8, "buổi", "tuyên truyền", "08 buổi"),
        (66, "tổ chức, cá nhân", None, "66 tổ chức, cá nhân"),
        (69, "sản phẩm", "đăng ký tham gia", "69 sản phẩm"),
        (42, "sản phẩm", "đạt yêu cầu", "42 sản phẩm"),
    ]


def test_seed_challenges_one_per_clause(seed_path):
    d = _seed(seed_path)
    texts = [c["text"] for c in d["challenges"]]
    assert len(texts) == 4
    assert texts[0].startswith("Mặc dù công tác triển khai Đề án")
    assert texts[0].endswith(
        "đều chưa có nhiều kinh nghiệm trong quá trình triển khai tổ chức thực hiện"
    )
    assert texts[1:] == [
        "việc bố trí nguồn lực và nhân lực để thực hiện Đề án còn gặp nhiều khó khăn",
        "công tác tuyên truyền chưa hiệu quả",
        "nhận thức của các hợp tác xã trong thực hiện OCOP còn hạn chế",
    ]


def test_seed_directives_by_addressee(seed_path):
    d = _seed(seed_path)
    ds = d["directives"]
    assert len(ds) == 11
    assert all(x["issuer"] == ISSUER for x in ds)
    addressees = [x["addressee"] for x in ds]
    assert addressees == (
        ["cấp ủy, chính quyền các cấp trên địa bàn tỉnh"]
        + ["các địa phương"] * 3
        + ["các Sở, ngành liên quan"] * 7
    )
    actions = [x["action"] for x in ds]
    assert actions[0].startswith("tăng cường hơn nữa sự lãnh đạo, chỉ đạo")
    assert actions[1].startswith("tiếp tục phối hợp với đơn vị chức năng")
    assert actions[4].startswith("Tiếp tục phối hợp đơn vị tư vấn")
    assert actions[10] == (
        "tích cực tham mưu, đề xuất các giải pháp nâng cao năng lực hoạt động cho các hợp tác xã"
    )


def test_seed_every_offset_is_the_evidence(seed_path):
    d = _seed(seed_path)
    text = d["text"]
    for f in d["figures"]:
        assert text[f["start"] : f["end"]] == f["text"]
    for c in d["challenges"] + d["achievements"]:
        assert text[c["start"] : c["end"]] == c["text"]
    for x in d["directives"]:
        assert text[x["start"] : x["end"]] == x["action"]


def test_seed_not_figures(seed_path):
    texts = " | ".join(f["text"] for f in _seed(seed_path)["figures"])
    for wrong in ["đợt 01", "6 tháng", "06 tháng", "2018 - 2020", "2019"]:
        assert wrong not in texts


def test_seed_through_the_cli(run_cli, seed_path):
    code, out, err = run_cli("extract", str(seed_path))
    assert code == 0, err
    assert len(json.loads(out)["directives"]) == 11
