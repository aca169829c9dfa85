"""Issue 10, third round: whom an order comes from when the title lists do not know it, orders
that are only named or reported, proposals between states, and the action span a directive
is measured by.

Every sentence here was written by the team for these tests.
"""

from __future__ import annotations

from ocop_nlp.extract.pipeline import RULE_STAGES, Pipeline
from ocop_nlp.extract.sequence import _article_features, _ordered_explicitly
from ocop_nlp.extract.units import clause_units
from ocop_nlp.learn.corpus import Clause, action_span
from ocop_nlp.records import Article

_RULES = Pipeline(RULE_STAGES)


def _ds(text: str):
    return _RULES(Article(text=text, published="2024-05-01")).directives


def test_a_body_the_title_lists_do_not_know_still_gives_its_order():
    ds = _ds("Hội đồng thi đua khen thưởng tỉnh yêu cầu các đơn vị gửi hồ sơ trước ngày 15/5.")
    assert len(ds) == 1
    assert ds[0].issuer is not None and ds[0].issuer.title == "Hội đồng thi đua khen thưởng tỉnh"
    assert ds[0].addressee == "các đơn vị"


def test_a_person_named_without_a_title_gives_the_order_by_name():
    ds = _ds("Đồng chí Lê Văn Bình đề nghị các xã kiểm tra lại danh sách hộ nghèo.")
    assert len(ds) == 1
    assert ds[0].issuer is not None and ds[0].issuer.name == "Lê Văn Bình"


def test_a_subject_that_is_already_the_action_is_no_issuer():
    # the order verb sits inside an action ("khẩn trương ... giao"), a business asks upwards
    assert not _ds("Doanh nghiệp đề nghị thành phố giảm phí bến bãi trong năm nay.")
    assert not _ds("Các hợp tác xã khẩn trương hoàn thiện hồ sơ theo yêu cầu của Sở.")


def test_an_order_only_named_or_referred_to_is_no_order():
    assert not _ds("Phó Chủ tịch UBND tỉnh Hoàng Văn Nam chỉ đạo như vậy tại buổi làm việc.")
    assert not _ds("Thực hiện Chỉ thị số 12 của UBND tỉnh, huyện tổ chức ra quân làm đường.")
    assert not _ds("Theo thời hạn mà UBND tỉnh yêu cầu, dự án khởi công vào quý III.")


def test_proposals_between_states_are_no_directives():
    assert not _ds("Chủ tịch nước Nguyễn Văn Tâm đề nghị hai bên tăng cường hợp tác thương mại.")
    assert not _ds("Thủ tướng Trần Quang Huy đề nghị phía bạn sớm mở lại cửa khẩu.")


def test_an_explicit_order_is_protected_only_when_it_is_given_here():
    given = "Giám đốc Sở yêu cầu các phòng: rà soát hồ sơ tồn đọng"
    assert _ordered_explicitly(given, given.index("rà soát"))
    reported = "Năm ngoái, Thủ tướng đã chỉ đạo các bộ rà soát hồ sơ tồn đọng"
    assert not _ordered_explicitly(reported, reported.index("rà soát"))
    between = "Chủ tịch nước đề nghị hai bên mở rộng hợp tác"
    assert not _ordered_explicitly(between, between.index("mở rộng"))


def _clause(text: str, part: str, addressee: str | None = None, issuer: str | None = None):
    a = text.index(part)
    span = lambda s: (text.index(s), text.index(s) + len(s)) if s else None  # noqa: E731
    return Clause("t", a, a + len(part), "directive", part, span(issuer), span(addressee))


def test_a_directive_is_matched_by_its_action_from_the_verb():
    text = "Đồng thời, Chủ tịch UBND tỉnh yêu cầu các sở, ngành tăng cường kiểm tra thị trường."
    whole = text.rstrip(".")
    c = _clause(text, whole, addressee="các sở, ngành", issuer="Chủ tịch UBND tỉnh")
    a, b = action_span(text, c)
    assert text[a:b] == "tăng cường kiểm tra thị trường"
    # with only the issuer: after the order verb
    c = _clause(text, whole, issuer="Chủ tịch UBND tỉnh")
    a, b = action_span(text, c)
    assert text[a:b] == "các sở, ngành tăng cường kiểm tra thị trường"
    # a clause that is all action only loses its connective
    text2 = "Cùng với đó, phối hợp với các huyện chuẩn bị thuốc dự phòng"
    a, b = action_span(text2, _clause(text2, text2))
    assert text2[a:b] == "phối hợp với các huyện chuẩn bị thuốc dự phòng"
    # an addressee late in the clause is the action's object, not whom it binds
    text3 = "Rà soát các văn bản hiện có và gửi ý kiến cho các đơn vị trong huyện"
    c = _clause(text3, text3, addressee="các đơn vị trong huyện")
    assert action_span(text3, c) == (0, len(text3))


def test_the_article_tells_an_essay_and_voters_requests_from_a_meeting():
    text = (
        "Chúng ta phải giữ gìn kỷ cương. Chúng ta cần đổi mới cách làm. "
        "Cử tri đề nghị sửa chữa tuyến đường liên xã."
    )
    units = clause_units(text)
    feats = _article_features(text, units, [[] for _ in units], ["other"] * len(units))
    assert {"art_we", "art_voters", "art_orders=0", "art_rules=0"} <= set(feats)


def test_a_capitalised_action_or_opener_is_no_name_and_needs_no_tagger(monkeypatch):
    import ocop_nlp.extract.directives as d

    def no_tagger(*a, **k):
        raise AssertionError("the POS tagger ran")

    monkeypatch.setattr(d, "pos_spans", no_tagger)
    assert d._pos_addressee("Tăng cường kiểm tra các chợ đầu mối") == (None, 0)
    assert d._pos_addressee("Theo Sở Tài chính, dự toán đã được giao") == (None, 0)
    monkeypatch.undo()
    # a proper noun still opens an addressee ("đề nghị Singapore tiếp tục ...")
    assert d._pos_addressee("Singapore tiếp tục hỗ trợ đào tạo cán bộ")[0] == "Singapore"
