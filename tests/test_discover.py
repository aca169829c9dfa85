"""Discovery for `ocop crawl`: what a page is, which links to follow, sitemaps, feeds, profiles.

The pages are written here (our own Vietnamese, bodies from corpora/own); the marked corpus
tests read the saved real pages in ../shared/data at run time and skip when it is absent.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from pathlib import Path

import pytest
from conftest import SHARED, article_parts

from ocop_nlp.errors import ConfigError
from ocop_nlp.parse.feeds import parse_feed
from ocop_nlp.parse.links import analyse_page
from ocop_nlp.parse.profiles import builtin_profiles, detect_profile, load_profile
from ocop_nlp.parse.sitemaps import parse_sitemap
from ocop_nlp.parse.xmldoc import sniff_xml_kind

SITE = "http://sonnptnt.backan.gov.vn"
HEADLINES = [
    "Hội nghị sơ kết Chương trình OCOP 6 tháng đầu năm 2024",
    "Tập huấn kỹ năng bán hàng trực tuyến cho chủ thể OCOP",
    "Huyện Chợ Đồn đánh giá, phân hạng 12 sản phẩm OCOP đợt 1",
    "Khai mạc hội chợ nông sản và sản phẩm OCOP tỉnh Bắc Kạn",
    "Đoàn công tác của tỉnh làm việc với hợp tác xã miến dong",
    "Ba Bể triển khai kế hoạch phát triển du lịch cộng đồng",
    "Nâng hạng sản phẩm mật ong bạc hà lên 4 sao",
    "Ngân Sơn hỗ trợ vốn cho các hộ trồng cây dược liệu",
    "Xây dựng vùng nguyên liệu gắn với sản phẩm OCOP chủ lực",
    "Kiểm tra tiến độ xây dựng nông thôn mới tại xã Nông Thượng",
]


def _slug(text: str) -> str:
    table = str.maketrans(
        "àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ",
        "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd",
    )
    return re.sub(r"[^a-z0-9]+", "-", text.lower().translate(table)).strip("-")


SHAREPOINT_CHROME = """
<div id="s4-ribbonrow"><a href="javascript:;">Skip Ribbon Commands</a>
<a href="#mainContent">Skip to main content</a></div>
<div class="ms-menu"><ul id="topnav">
<li><a href="/">Trang chủ</a></li>
<li><a href="/gioithieu/Pages/lich-su-hinh-thanh.aspx">Giới thiệu</a></li>
<li><a href="/tin-tuc/Pages/default.aspx">Tin tức - Sự kiện</a></li>
<li><a href="/van-ban/Pages/van-ban-chi-dao.aspx">Văn bản chỉ đạo điều hành</a></li>
<li><a href="/lich-cong-tac/Pages/default.aspx">Lịch công tác</a></li>
<li><a href="/_layouts/Authenticate.aspx?Source=%2F">Đăng nhập</a></li>
</ul></div>
"""
SHAREPOINT_FOOTER = """
<div class="Footer"><a href="/Pages/default.aspx">Trang chủ</a> |
<a href="/Pages/gop-y.aspx">Góp ý</a> | <a href="/Pages/lien-he.aspx">Liên hệ</a> |
<a href="/Pages/so-do-site.aspx">Sơ đồ site</a> | <a href="/Pages/rss.aspx">RSS</a> |
<a href="https://mail.backan.gov.vn/">Thư điện tử</a>
<p>Cơ quan chủ quản: Sở Nông nghiệp và Phát triển nông thôn tỉnh Bắc Kạn.
Liên hệ: <a href="mailto:banbientap@backan.gov.vn">banbientap@backan.gov.vn</a></p></div>
"""


def sharepoint(body: str, title: str = "Sở Nông nghiệp và PTNT tỉnh Bắc Kạn") -> str:
    return f"""<!DOCTYPE html>
<html dir="ltr"><head><meta name="GENERATOR" content="Microsoft SharePoint">
<meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>{title}</title>
<link rel="stylesheet" href="/_layouts/1033/styles/Themable/corev4.css">
<link rel="alternate" type="application/rss+xml" title="Tin tức"
 href="/_layouts/listfeed.aspx?List=%7B1A2B%7D">
</head><body onload="_spBodyOnLoadWrapper();"><form id="aspnetForm" action="default.aspx">
<div id="s4-workspace">{SHAREPOINT_CHROME}
<div id="s4-mainarea">{body}</div>{SHAREPOINT_FOOTER}</div></form></body></html>"""


def news_items(n: int, prefix: str = "/tin-tuc/Pages/") -> str:
    rows = []
    for i, h in enumerate(HEADLINES[:n]):
        rows.append(
            f'<tr><td class="news-item"><a href="{prefix}{_slug(h)}.aspx">{h}</a>'
            f' <span class="date">({(i % 28) + 1:02d}/07/2024)</span></td></tr>'
        )
    return "<table class='news-list'>" + "".join(rows) + "</table>"


def article_body(name: str = "01_cao_bang_so_ket_6_thang") -> tuple[str, str]:
    title, paras = article_parts(name)
    return title, "".join(f"<p>{p}</p>" for p in paras)


# --- pages ------------------------------------------------------------------------------------


def test_sharepoint_home_menu_links_are_other_news_block_links_are_articles():
    body = (
        '<div class="news-block"><h2><a href="/tin-tuc/Pages/default.aspx">Tin nổi bật</a></h2>'
        + news_items(6)
        + '<a href="/tin-tuc/Pages/default.aspx?Page=2">Xem tiếp</a></div>'
        + '<p><a href="/VanBan/QD-123-UBND.pdf">Quyết định số 123/QĐ-UBND</a>'
        + ' <a href="/SiteAssets/ke-hoach.docx">Kế hoạch</a></p>'
    )
    page = analyse_page(sharepoint(body), SITE + "/")
    assert page.kind == "listing"
    assert page.article_links == [f"{SITE}/tin-tuc/Pages/{_slug(h)}.aspx" for h in HEADLINES[:6]]
    assert f"{SITE}/gioithieu/Pages/lich-su-hinh-thanh.aspx" in page.other_links
    assert f"{SITE}/tin-tuc/Pages/default.aspx" in page.listing_links
    assert f"{SITE}/tin-tuc/Pages/default.aspx?Page=2" in page.listing_links
    assert page.feeds == [f"{SITE}/_layouts/listfeed.aspx?List=%7B1A2B%7D"]
    why = dict(page.skipped)
    assert why[f"{SITE}/Pages/lien-he.aspx"] == "contact page"
    assert why[f"{SITE}/Pages/gop-y.aspx"] == "contact page"
    assert why[f"{SITE}/Pages/so-do-site.aspx"] == "sitemap page"
    assert why[f"{SITE}/Pages/rss.aspx"] == "rss page"
    assert why[f"{SITE}/lich-cong-tac/Pages/default.aspx"] == "calendar page"
    assert why[f"{SITE}/_layouts/Authenticate.aspx?Source=%2F"] == "system page"
    assert why[f"{SITE}/VanBan/QD-123-UBND.pdf"] == "file (pdf)"
    assert why[f"{SITE}/SiteAssets/ke-hoach.docx"] == "file (document)"
    assert why["https://mail.backan.gov.vn/"] == "off-site"
    assert why["mailto:banbientap@backan.gov.vn"] == "mailto link"
    every = page.article_links + page.listing_links + page.other_links
    assert not set(every) & set(why), "a link is both followed and skipped"
    assert all(u.startswith(SITE) for u in every)


def test_sharepoint_listing_with_numbered_pager_and_trang_sau_is_a_listing():
    pager = (
        '<div class="paging"><span>1</span> <a href="?Page=2">2</a> <a href="?Page=3">3</a>'
        ' <a href="?Page=2">Trang sau</a></div>'
    )
    html = sharepoint(news_items(10) + pager)
    # The URL says nothing: the page's shape (ten dated items and a pager) decides.
    url = SITE + "/tin-tuc-su-kien/tin-hoat-dong"
    page = analyse_page(html, url)
    assert page.kind == "listing"
    assert "10 article links" in page.why and "pager" in page.why
    assert {url + "?Page=2", url + "?Page=3"} <= set(page.listing_links)
    assert len(page.article_links) == 10
    profiled = analyse_page(html, url, load_profile("sharepoint"))
    assert profiled.kind == "listing" and len(profiled.article_links) == 10


def test_numbered_pager_without_a_pager_class_is_found_by_its_numbers():
    pager = "<p>" + " ".join(f'<a href="/tin/danh-sach?p_page={i}">{i}</a>' for i in (2, 3, 4))
    page = analyse_page(sharepoint(news_items(4) + pager + "</p>"), SITE + "/tin/danh-sach")
    assert page.kind == "listing"
    assert [u.rsplit("=", 1)[1] for u in page.listing_links if "p_page" in u] == ["2", "3", "4"]


def test_sharepoint_article_page_is_an_article_and_its_related_items_articles(sharepoint_page):
    url = SITE + "/tin-tuc/Pages/cao-bang-so-ket-chuong-trinh-ocop-6-thang-dau-nam-2024.aspx"
    page = analyse_page(sharepoint_page, url)
    assert page.kind == "article"
    assert page.article_links == [f"{SITE}/tin/1", f"{SITE}/tin/2"]  # "Tin liên quan"
    assert f"{SITE}/gioi-thieu" not in page.article_links
    with_profile = analyse_page(sharepoint_page, url, load_profile("sharepoint"))
    assert (with_profile.kind, with_profile.why) == ("article", "profile article URL")


def test_article_is_told_by_its_shape_when_the_url_says_nothing():
    title, body = article_body("03_dak_nong_lam_viec_so_nn")
    html = sharepoint(
        f'<table id="tableforprint"><tr><td><p class="Title">{title}</p></td></tr>'
        f'<tr><td class="Time">(Cập nhật lúc: 11/07/2024 10:28:58 )</td></tr>'
        f'<tr><td><div class="ExternalClass9F">{body}</div></td></tr></table>'
        f"<h3>Các tin khác</h3>{news_items(5)}"
    )
    page = analyse_page(html, SITE + "/tin/12345")
    assert page.kind == "article"
    assert page.why.startswith("long body")
    assert len(page.article_links) == 5


def test_contact_and_calendar_pages_are_other_by_url_or_heading():
    contact = sharepoint(
        "<h1>Liên hệ</h1><p>Địa chỉ: Tổ 1, phường Đức Xuân, thành phố Bắc Kạn, tỉnh Bắc Kạn."
        " Điện thoại: 0209 3870 000. Thư điện tử: sonnptnt@backan.gov.vn.</p>" * 4
    )
    by_url = analyse_page(contact, SITE + "/Pages/lien-he.aspx")
    by_heading = analyse_page(contact, SITE + "/gioi-thieu/thong-tin-co-quan")
    assert (by_url.kind, by_url.why) == ("other", "contact page")
    assert (by_heading.kind, by_heading.why) == ("other", "contact page")
    rows = "".join(
        f"<tr><td>Thứ {d}</td><td>Sáng: Giám đốc Sở dự họp giao ban tại UBND tỉnh. Chiều:"
        " làm việc với các phòng chuyên môn về tiến độ Chương trình OCOP.</td></tr>"
        for d in ("Hai", "Ba", "Tư", "Năm", "Sáu")
    )
    calendar = sharepoint(f"<h1>Lịch công tác tuần 29</h1><table>{rows}</table>")
    page = analyse_page(calendar, SITE + "/lich-cong-tac/Pages/lich-cong-tac-tuan-29.aspx")
    assert (page.kind, page.why) == ("other", "calendar page")


def test_a_short_notice_with_a_headline_and_no_list_is_an_article():
    html = (
        '<table id="tableforprint"><tr><td><p class="Title">Thông báo lịch tiêm phòng gia súc'
        "</p></td></tr><tr><td><div><p>Trạm Thú y huyện thông báo lịch tiêm phòng đợt 2 cho "
        "đàn trâu, bò trên địa bàn các xã.</p><p>Đề nghị các hộ chăn nuôi đưa gia súc đến điểm "
        "tiêm đúng giờ, mang theo sổ theo dõi.</p><p>Mọi thắc mắc xin hỏi cán bộ thú y xã."
        "</p></div></td></tr></table>"
    )
    page = analyse_page(html, SITE + "/thong-bao/Pages/tb-12.aspx")
    assert page.kind == "article" and page.why.startswith("headline and a short body")


def test_a_contact_url_wins_over_a_profile_listing_url():
    html = sharepoint("<h2>Thông tin liên hệ</h2><p>Số 1, đường Trường Chinh.</p>")
    sp = load_profile("sharepoint")
    page = analyse_page(html, SITE + "/lien-he/Pages/default.aspx", sp)
    assert (page.kind, page.why) == ("other", "contact page")
    assert analyse_page(html, SITE + "/tin-tuc/Pages/default.aspx", sp).kind == "listing"


def test_wordpress_category_page_with_page_2_is_a_listing():
    items = "".join(
        f'<article class="post type-post"><header class="entry-header"><h2 class="entry-title">'
        f'<a href="/2024/07/{_slug(h)}/">{h}</a></h2>'
        f'<div class="entry-meta"><time class="entry-date" datetime="2024-07-{i + 1:02d}">'
        f"{i + 1:02d}/07/2024</time></div></header><div class='entry-summary'><p>{h}. Tin tóm tắt do "
        f"phóng viên gửi về từ cơ sở.</p></div></article>"
        for i, h in enumerate(HEADLINES[:6])
    )
    html = f"""<!DOCTYPE html><html lang="vi"><head>
<meta name="generator" content="WordPress 6.5.2"><title>Kinh tế – Báo Bắc Kạn</title>
<link rel="alternate" type="application/rss+xml" href="/chuyen-muc/kinh-te/feed/">
<link rel="next" href="/chuyen-muc/kinh-te/page/2/">
<link rel="stylesheet" href="/wp-content/themes/news/style.css"></head>
<body class="archive category"><header class="site-header"><nav class="main-navigation"><ul>
<li><a href="/chuyen-muc/thoi-su/">Thời sự</a></li><li><a href="/gioi-thieu/">Giới thiệu</a></li>
<li><a href="/lien-he/">Liên hệ</a></li></ul></nav>
<form action="/"><input name="s"></form></header>
<main>{items}<nav class="navigation pagination"><div class="nav-links">
<span class="page-numbers current">1</span>
<a class="page-numbers" href="/chuyen-muc/kinh-te/page/2/">2</a>
<a class="next page-numbers" href="/chuyen-muc/kinh-te/page/2/">Trang sau »</a></div></nav></main>
<footer><a href="/wp-login.php">Đăng nhập</a> <a href="/?s=ocop">Tìm kiếm</a>
<a href="/2024/07/hoi-nghi/?replytocom=12">Trả lời</a></footer></body></html>"""
    url = "https://baobackan.vn/chuyen-muc/kinh-te/"
    page = analyse_page(html, url)
    assert page.kind == "listing"
    assert page.article_links == [
        f"https://baobackan.vn/2024/07/{_slug(h)}/" for h in HEADLINES[:6]
    ]
    assert "https://baobackan.vn/chuyen-muc/kinh-te/page/2/" in page.listing_links
    assert "https://baobackan.vn/chuyen-muc/thoi-su/" in page.listing_links
    assert "https://baobackan.vn/gioi-thieu/" in page.other_links
    assert page.feeds == ["https://baobackan.vn/chuyen-muc/kinh-te/feed/"]
    why = dict(page.skipped)
    assert why["https://baobackan.vn/lien-he/"] == "contact page"
    assert why["https://baobackan.vn/wp-login.php"] == "system page"
    assert why["https://baobackan.vn/?s=ocop"] == "search page"
    assert why["https://baobackan.vn/2024/07/hoi-nghi/?replytocom=12"] == "system page"
    wp = detect_profile(html, url)
    assert wp is not None and wp.name == "wordpress"
    profiled = analyse_page(html, url, wp)
    assert (profiled.kind, profiled.why) == ("listing", "profile listing URL")
    assert profiled.article_links == page.article_links


def test_wordpress_article_page_is_an_article(wordpress_page):
    url = "https://baoquangngai.vn/2024/01/quang-ngai-tong-ket-chuong-trinh-ocop-nam-2023/"
    page = analyse_page(wordpress_page, url)
    assert page.kind == "article"
    assert "https://baoquangngai.vn/p/1" in page.article_links  # "Bài viết mới" in the sidebar
    assert detect_profile(wordpress_page, url).name == "wordpress"  # type: ignore[union-attr]


def test_joomla_category_blog_is_a_listing_and_its_print_and_login_links_are_skipped():
    base = "http://chodon.backan.gov.vn/index.php?option=com_content"
    items = "".join(
        f'<div class="items-row"><div class="item"><div class="page-header"><h2>'
        f'<a href="/index.php?option=com_content&amp;view=article&amp;id={40 + i}:{_slug(h)}'
        f'&amp;catid=8&amp;Itemid=101">{h}</a></h2></div>'
        f'<dd class="published">Ngày đăng: {i + 1:02d}/07/2024</dd></div></div>'
        for i, h in enumerate(HEADLINES[:4])
    )
    html = f"""<!DOCTYPE html><html><head>
<meta name="generator" content="Joomla! - Open Source Content Management">
<link rel="alternate" type="application/rss+xml"
 href="/index.php?option=com_content&amp;view=category&amp;id=8&amp;format=feed&amp;type=rss">
<script src="/media/jui/js/jquery.min.js"></script><title>Tin tức - Sự kiện</title></head>
<body><div class="moduletable_menu"><ul class="nav menu">
<li><a href="/index.php?option=com_content&amp;view=featured&amp;Itemid=101">Trang chủ</a></li>
<li><a href="/index.php?option=com_users&amp;view=login">Đăng nhập</a></li></ul></div>
<div class="blog">{items}
<div class="pagination"><ul><li><a href="{base}&amp;view=category&amp;id=8&amp;start=10">2</a></li>
<li class="pagination-next"><a href="{base}&amp;view=category&amp;id=8&amp;start=10">Tiếp</a></li>
</ul></div></div>
<a href="{base}&amp;view=article&amp;id=40&amp;tmpl=component&amp;print=1">In</a></body></html>"""
    url = base + "&view=category&id=8&Itemid=101"
    page = analyse_page(html, url)
    assert page.kind == "listing"
    assert len(page.article_links) == 4 and all("view=article" in u for u in page.article_links)
    assert base + "&view=category&id=8&start=10" in page.listing_links
    assert page.feeds and "format=feed" in page.feeds[0]
    why = dict(page.skipped)
    assert why["http://chodon.backan.gov.vn/index.php?option=com_users&view=login"] == "login page"
    assert any("print=1" in u for u in why)
    joomla = detect_profile(html, url)
    assert joomla is not None and joomla.name == "joomla"
    assert analyse_page(html, url, joomla).kind == "listing"


def test_a_news_heading_that_starts_with_a_form_word_is_still_news():
    _, body = article_body("05_ca_mau_kiem_tra_nam_can")
    html = "<html><head><title>Tìm kiếm cứu nạn trên biển</title></head><body>"
    html += f"<h1>Tìm kiếm cứu nạn trên biển</h1><div class='noi-dung'>{body}</div></body></html>"
    page = analyse_page(html, SITE + "/tin/9876")
    assert page.kind == "article", page.why


def test_base_href_and_feed_links_in_anchors():
    html = (
        '<html><head><base href="http://x.backan.gov.vn/tin-tuc/"></head><body>'
        '<a href="bai-viet/hoi-nghi-so-ket-chuong-trinh-ocop-nam-2024">Hội nghị sơ kết OCOP</a>'
        '<a href="/feed/">RSS của trang</a></body></html>'
    )
    page = analyse_page(html, "http://x.backan.gov.vn/a/b")
    assert page.article_links == [
        "http://x.backan.gov.vn/tin-tuc/bai-viet/hoi-nghi-so-ket-chuong-trinh-ocop-nam-2024"
    ]
    assert page.feeds == ["http://x.backan.gov.vn/feed/"]


def test_broken_html_still_gives_links():
    html = '<div><a href="/tin/Pages/hoi-nghi-ocop-tinh-bac-kan-nam-2024.aspx">Hội nghị OCOP<div'
    page = analyse_page(html + "<p>dở dang", SITE + "/")
    assert page.kind == "listing"  # the site's home
    assert page.article_links == [f"{SITE}/tin/Pages/hoi-nghi-ocop-tinh-bac-kan-nam-2024.aspx"]


# --- feeds ------------------------------------------------------------------------------------

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Tin tức - Sở Nông nghiệp Bắc Kạn</title>
<link>http://sonnptnt.backan.gov.vn/</link><description>Tin mới</description>
<item><title>Bắc Kạn có thêm 12 sản phẩm OCOP đạt 3 sao</title>
<link>http://sonnptnt.backan.gov.vn/tin-tuc/Pages/12-san-pham-ocop.aspx?utm_source=rss</link>
<pubDate>Tue, 16 Jul 2024 06:00:00 +0700</pubDate></item>
<item><title>Tập huấn   kỹ năng  bán hàng</title>
<link>http://sonnptnt.backan.gov.vn/tin-tuc/Pages/tap-huan.aspx</link>
<pubDate>15/07/2024 14:20</pubDate></item>
<item><title>Không có đường dẫn</title></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Báo Bắc Kạn</title>
<link href="https://baobackan.vn/"/><updated>2024-07-16T08:00:00+07:00</updated>
<id>https://baobackan.vn/</id>
<entry><title>Hội chợ OCOP thu hút khách tham quan</title>
<link rel="alternate" href="https://baobackan.vn/2024/07/hoi-cho-ocop/"/>
<id>tag:baobackan.vn,2024:1</id><published>2024-07-16T06:30:00+07:00</published>
<updated>2024-07-16T09:00:00+07:00</updated></entry>
<entry><title>Nâng hạng sản phẩm mật ong</title>
<link href="https://baobackan.vn/2024/07/nang-hang-mat-ong/"/>
<id>tag:baobackan.vn,2024:2</id><updated>2024-07-14T21:00:00+07:00</updated></entry>
</feed>"""


def test_rss_feed_entries_with_local_dates_and_canonical_urls():
    entries = parse_feed(RSS.encode("utf-8"))
    assert [(e.url, e.title, e.published) for e in entries] == [
        (
            f"{SITE}/tin-tuc/Pages/12-san-pham-ocop.aspx",
            "Bắc Kạn có thêm 12 sản phẩm OCOP đạt 3 sao",
            "2024-07-16",  # the feed's own day, not UTC's (2024-07-15 23:00)
        ),
        (f"{SITE}/tin-tuc/Pages/tap-huan.aspx", "Tập huấn kỹ năng bán hàng", "2024-07-15"),
    ]
    assert sniff_xml_kind(RSS.encode("utf-8")) == "feed"


def test_atom_feed_entries():
    entries = parse_feed(ATOM.encode("utf-8"))
    assert [(e.url, e.published) for e in entries] == [
        ("https://baobackan.vn/2024/07/hoi-cho-ocop/", "2024-07-16"),
        ("https://baobackan.vn/2024/07/nang-hang-mat-ong/", "2024-07-14"),
    ]
    assert entries[0].title == "Hội chợ OCOP thu hút khách tham quan"
    assert sniff_xml_kind(ATOM.encode("utf-8")) == "feed"


def test_broken_feed_is_read_as_far_as_it_goes():
    broken = RSS.split("<item><title>Tập huấn")[0].encode("utf-8")  # cut after the first item
    assert [e.url for e in parse_feed(broken)] == [f"{SITE}/tin-tuc/Pages/12-san-pham-ocop.aspx"]
    assert parse_feed(b"\x00 not a feed at all") == []


# --- sitemaps ---------------------------------------------------------------------------------


def sitemap_xml(n: int = 3) -> bytes:
    urls = "".join(
        f"<url><loc>{SITE}/tin-tuc/Pages/{_slug(h)}.aspx</loc>"
        f"<lastmod>2024-07-{i + 1:02d}T08:00:00+07:00</lastmod>"
        f"<image:image><image:loc>{SITE}/PublishingImages/{i}.jpg</image:loc></image:image></url>"
        for i, h in enumerate((HEADLINES * 40)[:n])
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"{urls}<url><loc> {SITE}/tin-tuc/Pages/tin-nhanh.aspx?a=1&amp;utm_medium=x </loc>"
        "<news:news><news:publication_date>2024-07-20</news:publication_date></news:news></url>"
        "</urlset>"
    ).encode()


def test_sitemap_entries_and_lastmod_and_no_image_urls():
    entries, children = parse_sitemap(sitemap_xml())
    assert children == []
    assert [(e.url, e.lastmod) for e in entries] == [
        (f"{SITE}/tin-tuc/Pages/{_slug(HEADLINES[0])}.aspx", "2024-07-01T08:00:00+07:00"),
        (f"{SITE}/tin-tuc/Pages/{_slug(HEADLINES[1])}.aspx", "2024-07-02T08:00:00+07:00"),
        (f"{SITE}/tin-tuc/Pages/{_slug(HEADLINES[2])}.aspx", "2024-07-03T08:00:00+07:00"),
        (f"{SITE}/tin-tuc/Pages/tin-nhanh.aspx?a=1", "2024-07-20"),
    ]
    assert sniff_xml_kind(sitemap_xml()) == "sitemap"


def test_a_news_sitemap_gives_the_publication_date_apart_from_lastmod():
    data = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"<url><loc>{SITE}/tin/a.htm</loc><lastmod>2024-07-09T10:00:00+07:00</lastmod>"
        "<news:news><news:publication_date>2024-07-01T08:00:00+07:00</news:publication_date>"
        f"</news:news></url><url><loc>{SITE}/tin/b.htm</loc><news:news><news:publication_date>"
        "2024-07-02</news:publication_date></news:news></url></urlset>"
    ).encode()
    entries, _ = parse_sitemap(data)
    assert [(e.lastmod, e.published) for e in entries] == [
        ("2024-07-09T10:00:00+07:00", "2024-07-01T08:00:00+07:00"),
        ("2024-07-02", "2024-07-02"),
    ]


def test_sitemap_index_gives_child_sitemaps():
    index = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        "<!-- sinh tự động -->"
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{SITE}/sitemap-tin-tuc.xml</loc><lastmod>2024-07-01</lastmod></sitemap>"
        f"<sitemap><loc>{SITE}/sitemap-van-ban.xml.gz</loc></sitemap></sitemapindex>"
    ).encode()
    assert parse_sitemap(index) == (
        [],
        [f"{SITE}/sitemap-tin-tuc.xml", f"{SITE}/sitemap-van-ban.xml.gz"],
    )
    assert sniff_xml_kind(index) == "sitemapindex"


def test_gzipped_sitemap_and_sniffing_its_first_bytes():
    big = sitemap_xml(400)
    packed = gzip.compress(big)
    entries, _ = parse_sitemap(packed)
    assert len(entries) == len(parse_sitemap(big)[0]) > 10
    assert sniff_xml_kind(packed[:2048]) == "sitemap"  # what the crawler has at first


def test_broken_sitemaps_are_read_best_effort():
    cut = sitemap_xml(5)[:-300]  # truncated mid-way, as a dropped connection leaves it
    entries, _ = parse_sitemap(cut)
    assert 3 <= len(entries) <= 5
    garbage = f"<urlset><url><loc>{SITE}/a-b-c</loc></url><url><loc>{SITE}/d<<</loc>".encode()
    assert [e.url for e in parse_sitemap(garbage)[0]][:1] == [f"{SITE}/a-b-c"]
    text = f"{SITE}/tin/mot\n\n{SITE}/tin/hai\nkhông phải url\n".encode()
    assert [e.url for e in parse_sitemap(text)[0]] == [f"{SITE}/tin/mot", f"{SITE}/tin/hai"]
    assert parse_sitemap(b"") == ([], [])
    assert parse_sitemap(b"\x1f\x8b not really gzip") == ([], [])


def test_sniff_tells_html_and_junk_from_xml():
    assert sniff_xml_kind("<!DOCTYPE html><html><body>Trang chủ</body></html>".encode()) is None
    xhtml = b'<?xml version="1.0"?><!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml">'
    assert sniff_xml_kind(xhtml) is None
    assert sniff_xml_kind(b"\xef\xbb\xbf<?xml version='1.0'?>\n<rdf:RDF>") == "feed"
    assert sniff_xml_kind(b"") is None
    assert sniff_xml_kind(b"%PDF-1.4") is None


# --- profiles ---------------------------------------------------------------------------------


def test_builtin_profiles_load_and_give_article_selectors():
    assert {"sharepoint", "wordpress", "joomla"} <= set(builtin_profiles())
    assert "generic" not in builtin_profiles()
    for name in builtin_profiles():
        profile = load_profile(name)
        assert profile.name == name and profile.version
        assert (profile.article_block or profile.article_body) and profile.date_order == "dmy"
        assert profile.article_selectors() is not None
    sp = load_profile("sharepoint")
    assert sp.is_article_url(f"{SITE}/Lists/Posts/Post.aspx?ID=12")
    assert sp.is_listing_url(f"{SITE}/tin-tuc/Pages/default.aspx?Page=3")
    assert sp.is_skip_url(f"{SITE}/_layouts/Authenticate.aspx")
    assert not sp.is_skip_url(f"{SITE}/_layouts/listfeed.aspx?List=1")


def test_article_selectors_convert_to_page_selectors():
    from ocop_nlp.parse.html import PageSelectors

    sel = load_profile("sharepoint").article_selectors()
    assert isinstance(sel, PageSelectors)
    assert sel.title[0] == "#tableforprint p.Title" and sel.date_order == "dmy"
    assert load_profile("wordpress").article_selectors().body[0] == ".entry-content"  # type: ignore[union-attr]


def test_detect_profile_from_markers_without_a_generator():
    html = sharepoint("")
    assert detect_profile(html.replace("Microsoft SharePoint", "x"), SITE).name == "sharepoint"  # type: ignore[union-attr]
    assert detect_profile("<html><body><p>Trang tĩnh</p></body></html>", SITE) is None


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "tinh-nha.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_profile_file_with_a_bad_regex_is_refused_naming_file_and_key(tmp_path):
    path = _write(tmp_path, 'version = "1"\n[urls]\narticle = ["/tin/(\\\\d+"]\n')
    with pytest.raises(ConfigError) as e:
        load_profile(path)
    assert "tinh-nha.toml" in str(e.value) and "urls.article[0]" in str(e.value)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('version = "1"\n[urls]\nartcle = ["x"]\n', "unknown key 'urls.artcle'"),
        ('version = "1"\ncolour = "red"\n', "unknown key 'colour'"),
        ('version = "1"\n[links]\nnext_page = ["a[href"]\n', "links.next_page[0]"),
        ('version = "1"\n[article]\ndate_order = "dym"\n', "article.date_order"),
        ('[urls]\narticle = ["x"]\n', "'version' is missing"),
        ('version = "1"\n[urls]\narticle = "x"\n', "must be a list of strings"),
        ("version = \n", "not valid TOML"),
    ],
)
def test_profile_file_faults_are_plain_config_errors(tmp_path, text, words):
    with pytest.raises(ConfigError, match=re.escape(words)):
        load_profile(_write(tmp_path, text))


def test_unknown_profile_name_lists_the_packaged_ones():
    with pytest.raises(ConfigError, match="sharepoint"):
        load_profile("drupal")
    with pytest.raises(ConfigError, match="does not exist"):
        load_profile("/khong/co/tinh-nha.toml")


def test_a_profile_file_from_a_path_makes_a_site_exact(tmp_path):
    path = _write(
        tmp_path,
        'version = "1"\nname = "tinh-nha"\n[urls]\narticle = [\'/tin/\\d+$\']\n'
        "skip = ['/van-ban/']\n[links]\nlisting_items = ['ul.dstin a']\n",
    )
    profile = load_profile(path)
    html = (
        '<ul class="dstin"><li><a href="/tin/7">Tin</a></li><li><a href="/x">Khác</a></li></ul>'
        '<a href="/van-ban/1">Văn bản</a>'
    )
    page = analyse_page(html, "http://tinh.vn/tin/5", profile)
    assert (page.kind, page.why) == ("article", "profile article URL")
    assert page.article_links == ["http://tinh.vn/tin/7", "http://tinh.vn/x"]
    assert dict(page.skipped)["http://tinh.vn/van-ban/1"] == "profile skip rule"


# --- the saved real pages (../shared/data) ---------------------------------------------------

PORTAL = SHARED / "data" / "portal"
DANTRI = SHARED / "data" / "html"


@pytest.fixture(scope="module")
def portal_pages() -> list[tuple[Path, str]]:
    records = SHARED / "data" / "news" / "portal_articles.jsonl.gz"
    if not PORTAL.exists() or not records.exists():
        pytest.skip("../shared/data/portal is not here; the real-page tests need it")
    urls = {}
    with gzip.open(records, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            urls[r["file"]] = r["url"]
    return [(p, urls[p.name]) for p in sorted(PORTAL.glob("*__index.html")) if p.name in urls]


@pytest.mark.corpus
def test_saved_portal_article_pages_are_articles(portal_pages, capsys):
    misses = []
    started = time.perf_counter()
    for path, url in portal_pages:
        page = analyse_page(path.read_text(encoding="utf-8", errors="replace"), url)
        if page.kind != "article":
            misses.append((path.name, page.kind, page.why))
    ms = 1000 * (time.perf_counter() - started) / len(portal_pages)
    rate = 1 - len(misses) / len(portal_pages)
    with capsys.disabled():
        print(f"\nportal pages: {rate:.1%} of {len(portal_pages)} are articles ({ms:.0f} ms/page)")
    # "Lịch tiếp công dân tháng 5/2019" pages are schedules: calendars by design, not misses.
    assert all(why == "calendar page" for _, _, why in misses), misses
    assert rate >= 0.98, misses


@pytest.mark.corpus
def test_saved_dantri_pages_are_articles():
    index = DANTRI / "INDEX.jsonl"
    if not index.exists():
        pytest.skip("../shared/data/html is not here; the real-page tests need it")
    rows = [json.loads(line) for line in index.read_text(encoding="utf-8").splitlines() if line]
    kinds = {}
    for row in rows:
        html = (DANTRI / row["file"]).read_text(encoding="utf-8", errors="replace")
        html = re.sub(r"^\s*<%@[^%]*%>", "", html)  # the JSP line the repository added
        kinds[row["file"]] = analyse_page(html, row["original_url"]).kind
    assert len(kinds) == 25
    assert set(kinds.values()) == {"article"}, kinds
