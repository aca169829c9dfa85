"""Issue 10: directives read in their scope, captions kept out, negations kept in the action.

Every sentence here was written by the team for these tests.
"""

from __future__ import annotations

from ocop_nlp.extract.captions import caption_sentences, reading_sentences
from ocop_nlp.extract.directives import split_addressee
from ocop_nlp.extract.pipeline import RULE_STAGES, Pipeline
from ocop_nlp.nlp.sentences import split_sentences
from ocop_nlp.records import Article

_RULES = Pipeline(RULE_STAGES)


def _ex(text: str):
    return _RULES(Article(text=text, published="2024-05-01"))


def test_the_scope_of_an_order_carries_over_the_next_sentences():
    ds = _ex(
        "Chủ tịch UBND tỉnh Lê Văn Hòa yêu cầu Sở Y tế chủ động rà soát nhân lực tại các "
        "trạm y tế. Cùng với đó, phối hợp với các huyện chuẩn bị thuốc dự phòng. Đồng thời, "
        "kiểm tra việc trực cấp cứu trong dịp lễ."
    ).directives
    assert [d.action[:20] for d in ds] == [
        "chủ động rà soát nhâ",
        "phối hợp với các huy",
        "kiểm tra việc trực c",
    ]
    assert {d.addressee for d in ds} == {"Sở Y tế"}
    assert {d.issuer.name for d in ds} == {"Lê Văn Hòa"}


def test_the_scope_ends_at_a_report_or_a_plan():
    ds = _ex(
        "Chủ tịch UBND huyện Trần Minh yêu cầu các xã rà soát diện tích lúa bị hạn. "
        "Sở Nông nghiệp cho biết đã cấp 20 tấn giống. "
        "Tiếp tục theo dõi thời tiết để chủ động ứng phó."
    ).directives
    assert len(ds) == 1


def test_a_past_act_after_an_order_is_not_an_order():
    ds = _ex(
        "Giám đốc Sở Tài chính yêu cầu các phòng hoàn thành quyết toán trong tháng 6. "
        "Các phòng đã triển khai rà soát hồ sơ từ đầu năm."
    ).directives
    assert len(ds) == 1


def test_the_unmarked_items_of_a_list_after_a_head_are_orders():
    ds = _ex(
        "Theo đó, UBND huyện yêu cầu UBND các xã, thị trấn thực hiện các nhiệm vụ sau:\n"
        "Chủ động bố trí lực lượng trực tại các chốt kiểm dịch.\n"
        "Chuẩn bị vật tư, hóa chất để xử lý khi có ổ dịch.\n"
        "Trưởng các thôn vận động người dân không giết mổ gia súc bệnh.\n"
        "Xem chi tiết tại đây"
    ).directives
    assert [d.action.split()[0] for d in ds] == ["Chủ", "Chuẩn", "vận"]
    assert ds[0].addressee == "UBND các xã, thị trấn"
    assert {d.issuer.title for d in ds} == {"UBND huyện"}


def test_items_under_an_addressee_heading_are_orders_to_it():
    ds = _ex(
        "Kết luận hội nghị, Bí thư Huyện ủy Phạm Thanh yêu cầu các đơn vị thực hiện tốt "
        "các nội dung sau.\n"
        "Phòng Giáo dục huyện: tiếp tục rà soát cơ sở vật chất các trường; chủ động chuẩn bị "
        "cho năm học mới."
    ).directives
    assert [(d.addressee, d.action[:12]) for d in ds][-2:] == [
        ("Phòng Giáo dục huyện", "tiếp tục rà "),
        ("Phòng Giáo dục huyện", "chủ động chu"),
    ]


def test_a_negation_belongs_to_the_action_not_the_addressee():
    assert split_addressee("các xã tuyệt đối không được lơ là trong phòng cháy") == (
        "các xã",
        7,
    )
    ds = _ex(
        "Phó Chủ tịch UBND tỉnh Hoàng Nam yêu cầu các xã tuyệt đối không được lơ là trong mùa khô."
    ).directives
    assert (ds[0].addressee, ds[0].action) == (
        "các xã",
        "tuyệt đối không được lơ là trong mùa khô",
    )


def test_a_caption_never_names_the_issuer():
    text = (
        "Sáng 5/3, UBND huyện tổ chức hội nghị triển khai nhiệm vụ năm 2024.\n"
        "Chủ tịch UBND huyện Vũ Đức Long phát biểu tại hội nghị\n"
        "Phát biểu kết luận, Phó Chủ tịch UBND huyện Ngô Thị Hạnh yêu cầu các phòng, ban "
        "rà soát kế hoạch. Bà đề nghị các xã hoàn thành thu thuế trước quý III."
    )
    sents = split_sentences(text)
    assert caption_sentences(sents) == {1}
    ds = _ex(text).directives
    assert len(ds) == 2
    assert {d.issuer.name for d in ds} == {"Ngô Thị Hạnh"}


def test_scene_titles_and_credits_are_captions():
    sents = split_sentences(
        "Quang cảnh hội nghị.\n"
        "Ảnh: Thu Hà\n"
        "Phát biểu tại hội nghị, ông Lý Văn Sơn cho biết năm nay huyện trồng 300 ha rừng."
    )
    assert caption_sentences(sents) == {0, 1}


def test_a_credit_glued_to_the_next_paragraph_is_cut_off():
    sents = split_sentences(
        "Ảnh: Minh Anh Đồng chí Trần Văn Nam, Chủ tịch UBND xã yêu cầu các thôn rà soát hộ nghèo."
    )
    read = reading_sentences(sents)
    assert read[0].text.startswith("Đồng chí Trần Văn Nam")
    assert read[0].start == sents[0].start + len("Ảnh: Minh Anh ")
    ds = _ex(sents[0].text).directives
    assert ds[0].issuer.name == "Trần Văn Nam"


def test_a_reporting_body_continuing_its_work_is_not_an_order():
    ds = _ex(
        "Năm 2023, toàn huyện cấp 1.200 giấy chứng nhận quyền sử dụng đất. Phòng Tài nguyên "
        "và Môi trường tiếp tục đôn đốc các xã hoàn thiện hồ sơ tồn đọng."
    ).directives
    assert ds == []


def test_a_document_issues_its_unmarked_items():
    ds = _ex(
        "UBND tỉnh vừa ban hành Công điện về phòng, chống bão số 3.\n"
        "Các sở, ngành và địa phương theo dõi chặt chẽ diễn biến của bão.\n"
        "Kiểm tra, gia cố các công trình đê điều, hồ chứa.\n"
        "Tuyệt đối không cho tàu thuyền ra khơi khi có lệnh cấm biển."
    ).directives
    assert len(ds) == 3
    assert {d.issuer.title for d in ds} == {"UBND tỉnh"}


def test_challenges_without_cue_words():
    text = (
        "Năm nay, giá phân bón tăng gấp đôi so với năm trước. Nguồn nước tưới mới đáp ứng 40% "
        "nhu cầu của vụ đông. Dự báo số ca mắc sốt xuất huyết còn tăng trong mùa mưa."
    )
    got = [c.text for c in _ex(text).challenges]
    assert len(got) == 3


def test_a_concession_before_a_success_and_good_news_are_not_challenges():
    text = (
        "Tuy còn gặp nhiều khó khăn nhưng huyện đã đạt các chỉ tiêu đề ra. "
        "Đến nay chưa phát hiện ổ dịch mới trên địa bàn huyện."
    )
    assert _ex(text).challenges == []


def test_a_lead_in_stays_outside_the_challenge():
    got = _ex("Theo Sở Công Thương, giá thức ăn chăn nuôi tăng cao trong quý II.").challenges
    assert [c.text for c in got] == ["giá thức ăn chăn nuôi tăng cao trong quý II"]


def test_a_body_that_has_continued_its_work_reports_it():
    text = (
        "Năm 2023, toàn tỉnh cấp 1.200 giấy chứng nhận quyền sử dụng đất. Sở Tài nguyên và Môi "
        "trường đã tiếp tục đôn đốc các huyện hoàn thiện hồ sơ tồn đọng."
    )
    assert _ex(text).directives == []
    # The same verb in a leader's words is an order.
    text = "Chủ tịch UBND tỉnh Lê Văn Hòa chỉ đạo Sở Tài nguyên và Môi trường đôn đốc các huyện."
    assert len(_ex(text).directives) == 1


def test_a_document_gives_the_order_of_its_issuer():
    ds = _ex(
        "Chủ tịch UBND tỉnh Lê Văn Hòa yêu cầu Sở Y tế chủ động rà soát nhân lực. "
        "Công văn cũng chỉ đạo Sở Tài chính bố trí kinh phí mua thuốc."
    ).directives
    assert [(d.issuer.name, d.addressee) for d in ds] == [
        ("Lê Văn Hòa", "Sở Y tế"),
        ("Lê Văn Hòa", "Sở Tài chính"),
    ]


def test_an_officials_words_with_a_modal_are_orders():
    ds = _ex(
        "Bộ trưởng Nguyễn Văn Thành cho rằng, để giữ thị trường, các doanh nghiệp cần đổi mới "
        "bao bì sản phẩm."
    ).directives
    assert [(d.addressee, d.action) for d in ds] == [
        ("các doanh nghiệp", "đổi mới bao bì sản phẩm")
    ]


def test_a_quotation_tagged_with_its_speaker_is_an_order():
    ds = _ex(
        "Bí thư Tỉnh ủy Đặng Văn Minh dự hội nghị.\n"
        '"Các huyện phải hoàn thành việc cắm mốc giới trước mùa mưa", ông Minh nhấn mạnh.'
    ).directives
    assert [(d.issuer.name, d.addressee) for d in ds] == [("Đặng Văn Minh", "Các huyện")]


def test_a_bodys_opinion_is_not_an_order():
    ds = _ex(
        "Hiệp hội Doanh nghiệp tỉnh cho rằng các doanh nghiệp cần thêm thời gian để chuẩn bị."
    ).directives
    assert ds == []


def test_roman_numbered_items_and_a_body_that_leads_a_task():
    ds = _ex(
        "UBND tỉnh vừa ban hành Chỉ thị về lập kế hoạch đầu tư công năm 2025.\n"
        "Vốn đầu tư công phải được bố trí theo thứ tự: (i) trả hết nợ đọng xây dựng cơ bản; "
        "(ii) bố trí đủ vốn cho dự án chuyển tiếp.\n"
        "Sở Kế hoạch và Đầu tư chủ trì tổng hợp kế hoạch, báo cáo UBND tỉnh trước ngày 30/9."
    ).directives
    assert [d.action.split()[0] for d in ds][-3:] == ["trả", "bố", "chủ"]


def test_an_official_asked_for_help_and_a_question_are_not_orders():
    ds = _ex(
        "Chủ tịch UBND tỉnh Lê Văn Hòa yêu cầu các sở rà soát quy hoạch vùng nuôi tôm. "
        "Vậy, phải làm gì để đạt mục tiêu này? "
        "Doanh nghiệp kiến nghị Chính phủ cần có gói tín dụng riêng cho ngành tôm."
    ).directives
    assert len(ds) == 1


def test_harm_stated_without_cue_words_is_a_challenge_and_an_order_not_to_harm_is_not():
    got = _ex(
        "Việc cấp phép chậm gây khó khăn cho doanh nghiệp. "
        "Cán bộ tuyệt đối không được gây phiền hà cho người dân."
    ).challenges
    assert [c.text for c in got] == ["Việc cấp phép chậm gây khó khăn cho doanh nghiệp"]


def test_a_topic_or_an_agenda_item_is_not_a_challenge():
    got = _ex(
        "Giám đốc Sở cũng thẳng thắn chỉ ra những hạn chế. "
        "Phiên họp xem xét, xử lý khó khăn trong việc giải thể các hợp tác xã."
    ).challenges
    assert got == []


def test_newspaper_titles_and_periphrases_give_orders():
    ds = _ex(
        "Phó thủ tướng Lâm Quang Vinh yêu cầu các bộ rà soát quy hoạch cảng cá. "
        "Người đứng đầu Chính phủ đề nghị các tỉnh ven biển kiểm soát tàu cá."
    ).directives
    assert [(d.issuer.title, d.addressee) for d in ds] == [
        ("Phó thủ tướng", "các bộ"),
        ("Người đứng đầu Chính phủ", "các tỉnh ven biển"),
    ]


def test_a_pronoun_whose_referent_was_only_in_a_caption_still_gives_an_order():
    ds = _ex(
        "Bí thư Huyện ủy Phan Đình Lộc phát biểu tại diễn đàn\n"
        "Đồng chí đề nghị các cấp, các ngành rà soát chương trình vì trẻ em."
    ).directives
    assert len(ds) == 1 and ds[0].issuer.name is None


def test_the_sender_of_a_document_issues_its_request():
    ds = _ex(
        "Thanh tra tỉnh vừa có văn bản đề nghị các sở, ngành gửi báo cáo công tác tiếp dân."
    ).directives
    assert [(d.issuer.title, d.addressee) for d in ds] == [("Thanh tra tỉnh", "các sở, ngành")]


def test_after_an_order_verb_and_a_comma_any_verb_gives_the_order():
    ds = _ex(
        "Phát biểu tại phiên họp, Phó Chủ tịch UBND tỉnh Đào Minh Châu đề nghị, các sở "
        "tính toán kỹ nguồn vốn trước khi phân bổ."
    ).directives
    assert [(d.addressee, d.action[:8]) for d in ds] == [("các sở", "tính toá")]


def test_a_sentence_opened_by_a_pronoun_gives_its_order_to_the_speaker():
    ds = _ex(
        "Chủ tịch UBND tỉnh Lê Văn Hòa thăm công ty môi trường đô thị. "
        "Ông biểu dương tập thể công nhân và đề nghị công ty đổi mới thiết bị thu gom rác."
    ).directives
    assert [(d.issuer.name, d.addressee) for d in ds] == [("Lê Văn Hòa", "công ty")]


def test_a_list_ends_when_another_official_speaks():
    ds = _ex(
        "Bộ trưởng Hà Văn Quyết yêu cầu các đơn vị thực hiện các nhiệm vụ sau:\n"
        "Rà soát toàn bộ dự án chậm tiến độ.\n"
        "Thay mặt doanh nghiệp, Tổng giám đốc Phùng Văn Tài cho biết công ty phải hoàn thành "
        "dự án trong năm nay."
    ).directives
    assert [d.action.split()[0] for d in ds] == ["Rà"]


def test_a_lower_case_title_in_running_text_is_an_issuer():
    ds = _ex(
        "Tại hội nghị, phó thủ tướng Vũ Minh Đức yêu cầu các tập đoàn thuộc Bộ Công Thương "
        "rà soát dự án thua lỗ."
    ).directives
    assert [(d.issuer.name, d.addressee) for d in ds] == [
        ("Vũ Minh Đức", "các tập đoàn thuộc Bộ Công Thương")
    ]


def test_a_quotation_over_two_sentences_is_the_tagged_speakers():
    ds = _ex(
        "Phó thủ tướng Lâm Quang Vinh dự hội nghị.\n"
        "“Kiên quyết xử lý cán bộ tiếp tay cho buôn lậu. Không có vùng cấm trong việc này”, "
        "Phó thủ tướng nhấn mạnh."
    ).directives
    assert [(d.issuer.name, d.action[:9]) for d in ds][:1] == [("Lâm Quang Vinh", "Kiên quyế")]


def test_a_purpose_after_a_problem_and_a_problem_after_nhung_are_challenges():
    got = _ex(
        "Các xã chưa điều tra lượng rác thải nguy hại để có biện pháp giải quyết. "
        "Huyện đã có nhiều giải pháp nhưng việc triển khai còn thiếu kiên quyết."
    ).challenges
    assert len(got) == 2


def test_a_concession_after_a_speaker_is_not_a_challenge():
    got = _ex(
        "Phát biểu tại hội nghị, Bộ trưởng Lê Minh Hoan cho rằng, dù còn nhiều khó khăn nhưng "
        "ngành tôm đang đứng trước nhiều cơ hội lớn."
    ).challenges
    assert got == []


def test_a_warning_about_a_state_of_things_is_a_challenge_not_an_order():
    ex = _ex(
        "Thủ tướng Lê Minh Khải cũng lưu ý hiện nay cơ chế chính sách cho vùng chưa được "
        "hoàn thiện."
    )
    assert ex.directives == [] and len(ex.challenges) == 1


def test_a_call_and_an_order_after_a_condition_are_orders():
    ds = _ex(
        "Chủ tịch UBND huyện Lò Văn Pao kêu gọi các hộ chăn nuôi khai báo đàn lợn. "
        "Khi phát hiện lợn ốm, báo cáo ngay về UBND xã. "
        "Chủ tịch UBND các xã, thị trấn tích cực tuyên truyền cho người dân."
    ).directives
    assert [d.action.split()[0] for d in ds] == ["khai", "báo", "tích"]
    assert ds[2].addressee == "Chủ tịch UBND các xã, thị trấn"


def test_voters_and_deputies_requests_are_not_orders():
    ds = _ex(
        "Cử tri huyện Đông Sơn kiến nghị Sở Giao thông vận tải sớm sửa chữa tuyến đường liên xã. "
        "Đại biểu Trần Văn Nam đề nghị các sở rà soát lại quy hoạch chợ. "
        "Chủ tịch UBND tỉnh Lê Văn Hòa yêu cầu Sở Giao thông vận tải khảo sát tuyến đường."
    ).directives
    assert [(d.issuer.name, d.addressee) for d in ds] == [("Lê Văn Hòa", "Sở Giao thông vận tải")]


def test_a_resolution_gives_the_orders_of_the_body_it_is_of():
    ds = _ex(
        "Tổng Bí thư Lê Văn Hòa đã ký ban hành Nghị quyết Hội nghị lần thứ ba Ban Chấp hành "
        "Trung ương về phát triển du lịch.\n"
        "Nghị quyết nêu rõ, du lịch của nhiều địa phương còn nhỏ lẻ.\n"
        "Tập trung xây dựng các sản phẩm du lịch đặc trưng.\n"
        "Tăng cường quảng bá điểm đến trên các nền tảng số."
    ).directives
    assert [d.action[:22] for d in ds] == ["Tập trung xây dựng các", "Tăng cường quảng bá đi"]
    # the body the resolution is of gives its orders, not the official who signed it
    assert {(d.issuer.name, d.issuer.title) for d in ds} == {(None, "Ban Chấp hành Trung ương")}
