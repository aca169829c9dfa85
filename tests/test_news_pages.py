"""Newspaper CMS pages: dates as Vietnamese papers print them, machine-readable dates and
bylines, the site's name never taken for a byline, related-news teasers never taken for the
article. Pages are made up here; the real dantri pages are only read when ../shared is present."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ocop_nlp.parse.html import html_to_article, parse_date
from ocop_nlp.parse.reader import article_from_bytes

BODY = "".join(
    f"<p>Đoạn văn thứ {i} của bài báo kể lại buổi làm việc tại xã.</p>" for i in range(8)
)


def page(head: str = "", before: str = "", after: str = "", body: str = BODY) -> str:
    return (
        f"<html><head><title>Tin tức</title>{head}</head><body>"
        f"<header><span class='date'>Thứ Hai, 07/12/2026</span></header>"
        f"<article><h1 class='detail-title'>Tỉnh họp bàn về OCOP</h1>{before}"
        f"<div class='detail-content'>{body}</div>{after}</article></body></html>"
    )


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Thứ Ba, 24/12/2022 - 10:24", "2022-12-24"),
        ("10:24 | 24-12-2022", "2022-12-24"),
        ("Cập nhật: 24.12.2022 10:24 GMT+7", "2022-12-24"),
        ("Thứ bảy, ngày 24 tháng 12 năm 2022", "2022-12-24"),
        ("24 tháng 12, 2022", "2022-12-24"),
        ("Chủ nhật, 24 Tháng Mười Hai 2022", "2022-12-24"),
        ("Chủ nhật, 5 tháng Giêng 2023 08:00", "2023-01-05"),
        # "6 tháng năm 2022" is "the six months of 2022", not a date in May
        ("6 tháng năm 2022", None),
    ],
)
def test_dates_as_newspapers_print_them(text: str, want: str | None) -> None:
    assert parse_date(text) == want


@pytest.mark.parametrize(
    ("head", "before", "want"),
    [
        (
            '<meta property="article:published_time" content="2022-12-24T10:24:43+07:00">',
            "",
            "2022-12-24",
        ),
        ("", '<span itemprop="datePublished" content="2022-12-23">hôm qua</span>', "2022-12-23"),
        ("", '<time datetime="2022-12-22T08:00:00+07:00">8 giờ trước</time>', "2022-12-22"),
        ("", '<div class="post-meta">Thứ Năm, 22/12/2022, 08:00 (GMT+7)</div>', "2022-12-22"),
        (
            '<script type="application/ld+json">{"@context":"https://schema.org","@graph":['
            '{"@type":"WebSite","name":"Báo X"},{"@type":["NewsArticle"],'
            '"datePublished":"2022-12-21T07:00:00+07:00","author":[{"@type":"Person","name":"Hà Phong"}]}]}</script>',
            "",
            "2022-12-21",
        ),
    ],
)
def test_machine_readable_dates_and_never_the_header_clock(
    head: str, before: str, want: str
) -> None:
    # The header's clock (07/12/2026) comes before the headline: never the article's date.
    assert html_to_article(page(head, before)).published == want


def test_json_ld_author_and_broken_json_ld() -> None:
    ld = (
        '<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2022-12-21",'
        '"author":{"@type":"Person","name":"Hà Phong"},"publisher":{"@type":"Organization","name":"Báo X"}}</script>'
        '<script type="application/ld+json">{"@type": "NewsArticle", broken</script>'
    )
    art = html_to_article(page(ld))
    assert (art.published, art.author) == ("2022-12-21", "Hà Phong")
    # A huge block is not read (hostile pages), and nothing fails.
    huge = '<script type="application/ld+json">[' + "1," * 150_000 + "1]</script>"
    assert html_to_article(page(huge)).published is None


@pytest.mark.parametrize(
    "before",
    [
        '<div class="author-wrap"><span class="author-avatar"></span>'
        '<div class="author-name"><b>Hà Phong</b></div><div class="author-time">24/12/2022 - 10:24</div></div>',
        '<p class="tac-gia">Tác giả: Hà Phong</p>',
        '<span class="byline">Bởi Hà Phong | 24/12/2022</span>',
        '<span itemprop="author" itemscope><span itemprop="name">Hà Phong</span></span>',
        '<a rel="author" href="/tac-gia/ha-phong">Hà Phong</a>',
        '<div id="tacgia">Hà Phong</div>',
    ],
)
def test_byline_in_an_element_named_for_the_author(before: str) -> None:
    assert html_to_article(page(before=before)).author == "Hà Phong"


def test_comment_and_related_authors_and_the_site_name_are_not_bylines() -> None:
    after = (
        '<div class="comments"><span class="comment-author">Bạn đọc A</span></div>'
        '<div class="related"><div class="article-item"><span class="author">Người khác</span></div></div>'
    )
    head = '<meta name="author" content="Dân Trí"><meta property="og:site_name" content="Báo điện tử Dân Trí">'
    assert html_to_article(page(head, after=after)).author is None
    # The host names the paper too: "Dân Trí" on dantri.com.vn.
    art = html_to_article(
        page('<meta name="author" content="Dân Trí">'), "https://dantri.com.vn/a.htm"
    )
    assert art.author is None


def test_credit_line_in_a_source_block() -> None:
    after = '<div class="singular-source">Theo <strong>Forbes</strong></div>'
    assert html_to_article(page(after=after)).author == "Theo Forbes"


@pytest.mark.parametrize(
    ("url", "want"),
    [
        ("https://dantri.com.vn/kinh-doanh/bai-viet-20221224162858354.htm", "2022-12-24"),
        ("https://baomoi.vn/2022/12/23/bai-viet/", "2022-12-23"),
        ("https://baomoi.vn/tin/bai-viet-12345.htm", None),
        ("https://baomoi.vn/tin/bai-viet-20221399162858354.htm", None),
    ],
)
def test_date_from_the_address_when_the_page_shows_none(url: str, want: str | None) -> None:
    assert html_to_article(page(), url).published == want


def test_a_list_of_related_teasers_is_not_the_article() -> None:
    teasers = "".join(
        f'<div class="article-item"><h3 class="article-title">Tin khác số {i}</h3>'
        f'<div class="article-content">{"Tóm tắt một bài báo khác rất dài. " * 8}</div></div>'
        for i in range(3)
    )
    html = (
        '<html><head><meta property="og:title" content="Bài chính"></head><body>'
        f'<article><h1 class="title-page">Bài chính</h1><div class="singular-content">{BODY * 3}</div></article>'
        f"<aside-list>{teasers}</aside-list></body></html>"
    )
    art = html_to_article(html)
    assert art.title == "Bài chính"
    assert "Đoạn văn thứ 1" in art.text and "Tóm tắt" not in art.text


def test_photo_story_keeps_its_captions() -> None:
    figures = "".join(
        f"<figure><img src='{i}.jpg'><figcaption>Chú thích ảnh số {i} kể lại diễn biến buổi tập "
        f"của đội tuyển trên sân.</figcaption></figure>"
        for i in range(6)
    )
    art = html_to_article(page(body="<p>Ảnh: PV</p>" + figures))
    assert "Chú thích ảnh số 5" in art.text
    # In an ordinary article the captions stay out.
    art = html_to_article(
        page(body=BODY + "<figure><figcaption>Quang cảnh hội nghị</figcaption></figure>")
    )
    assert "Quang cảnh" not in art.text


HTML_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "html"


@pytest.mark.skipif(not (HTML_DIR / "INDEX.jsonl").exists(), reason="needs ../shared/data/html")
def test_saved_dantri_pages_have_title_date_and_body() -> None:
    entries = [
        json.loads(line) for line in (HTML_DIR / "INDEX.jsonl").read_text("utf-8").splitlines()
    ]
    assert len(entries) == 25
    for entry in entries:
        art = article_from_bytes((HTML_DIR / entry["file"]).read_bytes(), entry["file"])
        stamp = entry["original_url"].rsplit("-", 1)[1][:8]
        assert art.published == f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}", entry["file"]
        assert art.title and len(art.text) > 500, entry["file"]
        assert art.author != "Dân Trí", entry["file"]
