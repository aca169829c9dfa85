"""Hostile pages: deep nesting, floods of elements, markup bs4 warns about.

Every page is read within one parse budget (`parse.soup`): a result with a warning, or one plain
sentence, in bounded time. The pages are generated here; the time bounds are generous (the
slowest case takes about 5 s on a loaded 2-core machine, and ran for minutes or crashed before).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from ocop_nlp.errors import InputError
from ocop_nlp.parse.html import block_text, html_to_article
from ocop_nlp.parse.links import analyse_page
from ocop_nlp.parse.soup import MAX_DEPTH, MAX_ELEMENTS, page_soup, plain_text, text_head

ROOT = Path(__file__).resolve().parent.parent
SENTENCE = "Hội nghị sơ kết chương trình OCOP của tỉnh đã diễn ra sáng nay. "
BOUND = 20.0  # seconds; each case takes a few seconds at most


def page(body: str, title: str = "Tin thử") -> str:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


def nested(tag: str, levels: int, closed: bool, text: bool = True) -> str:
    opening = "".join(f"<{tag}>" + (f"Câu {i}. " if text else "") for i in range(levels))
    return opening + (f"</{tag}>" * levels if closed else "")


def legacy_font_page() -> str:
    """An 82 KB legacy page: 1,200 unclosed <font> tags around the article's sentences."""
    return page(
        "<h1>Tin cũ</h1>"
        + "".join(f"<font face='Arial' size=2>{SENTENCE[:30]} " for _ in range(1200))
    )


def timed(f, *args, **kwargs):
    start = time.perf_counter()
    result = f(*args, **kwargs)
    return result, time.perf_counter() - start


def test_legacy_page_of_1200_unclosed_font_tags_is_read_with_a_warning():
    art = html_to_article(legacy_font_page())
    assert art.title == "Tin cũ"
    assert art.text.count("Hội nghị sơ kết chương trình") == 1200
    assert any(f"more than {MAX_DEPTH} levels deep" in w for w in art.warnings)


@pytest.mark.parametrize(
    ("tag", "levels", "closed"),
    [("div", 2000, True), ("div", 4000, True), ("div", 100_000, True), ("font", 100_000, False)],
)
def test_deeply_nested_page_is_read_in_bounded_time(tag, levels, closed):
    art, seconds = timed(html_to_article, page(nested(tag, levels, closed)))
    assert seconds < BOUND
    # The text stays, in order, as far as the element budget reaches and beyond.
    assert art.text.startswith("Câu 0.")
    assert f"Câu {levels // 2}. Câu {levels // 2 + 1}." in " ".join(art.text.split())
    assert art.text.rstrip().endswith(f"Câu {levels - 1}.")
    assert any("levels deep" in w for w in art.warnings)


def test_deep_nesting_inside_the_article_block_keeps_the_article():
    body = ("<p>" + SENTENCE * 3 + "</p>") * 5 + nested("span", 3000, False) + "<p>Kết thúc.</p>"
    html = page(f"<h1>Tiêu đề</h1><div class='entry-content'>{body}</div>")
    art, seconds = timed(html_to_article, html)
    assert seconds < BOUND
    assert art.title == "Tiêu đề"
    assert art.text.startswith(SENTENCE.strip())
    assert "Câu 2999." in art.text and art.text.rstrip().endswith("Kết thúc.")


def test_blocks_below_the_depth_limit_still_end_lines():
    deep = "<div>" * (MAX_DEPTH + 50) + "<p>Đoạn một.</p>trôi<p>Đoạn hai.</p>"
    soup = page_soup(page(deep))
    assert soup.body is not None
    lines = [ln.strip() for ln in block_text(soup.body).split("\n") if ln.strip()]
    assert lines == ["Đoạn một.", "trôi", "Đoạn hai."]


def test_page_of_200000_sibling_elements_is_read_with_a_warning():
    html = page("<div class='entry-content'>" + "<p>Tin số một.</p>" * 200_000 + "</div>")
    art, seconds = timed(html_to_article, html)
    assert seconds < BOUND
    assert any(f"more than {MAX_ELEMENTS:,} elements" in w for w in art.warnings)


def test_5_mb_page_of_nested_tags_gives_a_result_or_a_sentence():
    html = page("<b>" * 1_660_000)
    try:
        art, seconds = timed(html_to_article, html)
    except InputError as e:
        assert str(e).endswith(".") and "\n" not in str(e)
    else:
        assert seconds < BOUND
        assert any("elements" in w for w in art.warnings)


CANDIDATE_CHAINS = {
    # 255 nested article blocks: each asked for its text read the whole page again.
    "body": "<div class='entry-content'>" * 255 + f"<p>{SENTENCE}</p>" * 45_000,
    "lists": "<div class='entry-content'>"
    + "<ul><li><a href='/a'>x</a></li><li>" * 120
    + f"<p>{SENTENCE}</p>" * 45_000,
    "leads": "<h1>T</h1>"
    + "<div class='sapo'>" * 250
    + f"<p class='sapo'>{SENTENCE}</p>" * 45_000
    + f"<div class='entry-content'>{SENTENCE * 20}</div>",
    "dates": "<h1>T</h1>" + "<div class='date'>" * 250 + "<span class='date'>x</span>" * 45_000,
}


@pytest.mark.parametrize("name", sorted(CANDIDATE_CHAINS))
def test_nested_candidate_blocks_are_measured_once(name, monkeypatch):
    """Nodes bs4 walks for us stay a small multiple of the page, not the chain times the page."""
    html = page(CANDIDATE_CHAINS[name])
    nodes = len(list(BeautifulSoup(html, "lxml").descendants))
    walked = 0
    real = Tag.descendants.fget

    def counting(self):
        nonlocal walked
        for node in real(self):
            walked += 1
            yield node

    monkeypatch.setattr(Tag, "descendants", property(counting))
    art, seconds = timed(html_to_article, html)
    assert seconds < BOUND
    assert art.text
    assert walked < 10 * nodes


def test_text_sums_of_the_page_match_bs4s_get_text(sharepoint_page):
    from ocop_nlp.parse.html import _Page

    extra = (
        "<div id='x'> Tin <!-- chú thích --> <b>mới</b><script>var a = 1;</script>"
        "<ruby>漢<rt>kan</rt></ruby><a href='/a'> Liên <a href='/b'>kết</a></a>"
        "<ul><li><a href='/c'>Một</a></li><li>Hai <style>p{}</style></li></ul></div>"
    )
    for html in (sharepoint_page, page(extra)):
        soup = BeautifulSoup(html, "lxml")
        pg = _Page(soup)
        for el in soup.find_all(True):
            assert pg.text_len(el) == len(el.get_text(strip=True)), el.name
            links = sum(len(a.get_text(strip=True)) for a in el.find_all("a"))
            assert pg.link_len(el) == links, el.name


def test_bounded_tree_keeps_depth_and_size_whatever_the_page():
    soup = page_soup(page(nested("div", 20_000, False) + "<p>x</p>" * 100_000))
    tags = soup.find_all(True)
    assert len(tags) <= MAX_ELEMENTS
    depth, stack = 0, [(soup, 0)]
    while stack:
        node, d = stack.pop()
        depth = max(depth, d)
        stack.extend((c, d + 1) for c in node.contents if isinstance(c, Tag))
    assert depth <= MAX_DEPTH + 1
    assert len(soup.budget_warnings) == 2


def test_ordinary_page_is_parsed_exactly_as_before(sharepoint_page):
    soup = page_soup(sharepoint_page)
    assert soup.budget_warnings == ()
    assert str(soup) == str(BeautifulSoup(sharepoint_page, "lxml"))
    assert html_to_article(sharepoint_page).warnings == []


def test_a_tree_parsed_elsewhere_is_read_again_within_the_budget():
    """The crawler hands its own soup to both readers; a deep one is parsed again, bounded."""
    html = page(nested("font", 3000, False))
    art = html_to_article(html, soup=BeautifulSoup(html, "lxml"))
    assert art.text == html_to_article(html).text
    assert any("levels deep" in w for w in art.warnings)
    links = analyse_page(html, "http://x.vn/tin/", soup=BeautifulSoup(html, "lxml"))
    assert links.kind == analyse_page(html, "http://x.vn/tin/").kind


@pytest.mark.parametrize(
    "body",
    [
        nested("font", 100_000, False),
        nested("div", 100_000, True),
        "<div class='menu'>" + "<span><a href='/tin/bai-viet-so-{0}'>Bài viết số</a>" * 50_000,
    ],
    ids=["font", "div", "links"],
)
def test_links_of_a_deeply_nested_page_are_read_in_bounded_time(body):
    links, seconds = timed(analyse_page, page(body), "http://x.vn/tin/")
    assert seconds < BOUND
    assert links.kind in ("article", "listing", "other")


def test_clean_up_never_searches_the_tree_through_bs4_attribute_fallback(monkeypatch):
    """`tag.decomposed` and `soup.body` look for a child tag by name when the attribute is unset:
    a search of all the descendants, quadratic when done for every element of a deep page."""
    fallbacks: list[str] = []
    real = Tag.__getattr__

    def spy(self, name):
        fallbacks.append(name)
        return real(self, name)

    html = page("<div class='entry-content'>" + nested("div", 300, True) + "</div>")
    monkeypatch.setattr(Tag, "__getattr__", spy)
    html_to_article(html)
    analyse_page(html, "http://x.vn/tin/")
    assert fallbacks == []


@pytest.mark.parametrize("levels", [2000, 4000])
def test_clean_up_of_deep_pages_is_not_quadratic(levels):
    """2,000 levels took 7.6 s and 4,000 took 31 s when each element searched its subtree."""
    html = page("<div class='entry-content'><ul>" + nested("div", levels, True) + "</ul></div>")
    _, seconds = timed(html_to_article, html)
    assert seconds < 5.0


def test_plain_text_of_a_flood_of_unclosed_brackets_and_scripts_is_linear():
    text, seconds = timed(plain_text, "<" * 2_000_000 + "<b>chữ</b>" + "<script>x" * 200_000)
    assert seconds < BOUND
    assert text.strip("< ") == "chữ"


@pytest.mark.parametrize("limit", [0, 1, 5, 12, 300])
def test_text_head_is_the_start_of_get_text(limit):
    el = BeautifulSoup("<div> Ngày <b>5/8/2019</b>\n<i> </i>họp <p>tỉnh  ủy</p></div>", "lxml").div
    assert text_head(el, limit) == el.get_text(" ", strip=True)[:limit]


BS4_WARNED = {
    "url.html": "http://example.com/tin-tuc/bai-viet",
    "name.html": "trang-chu.html",
    "feed.html": '<?xml version="1.0" encoding="utf-8"?>\n<rss><channel><item><title>Tin OCOP'
    "</title><description>Ngày 5/8/2019, UBND tỉnh họp về chương trình OCOP."
    "</description></item></channel></rss>",
}


def run_extract(path: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "ocop_nlp", "extract", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


@pytest.mark.parametrize("name", sorted(BS4_WARNED))
def test_extract_prints_no_bs4_warning(tmp_path, name):
    path = tmp_path / name
    path.write_text(BS4_WARNED[name], encoding="utf-8")
    done = run_extract(path)
    assert "Warning" not in done.stderr and "bs4" not in done.stderr, done.stderr


def test_parsing_leaves_the_callers_warning_filters_alone():
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        html_to_article(BS4_WARNED["feed.html"])
        analyse_page(BS4_WARNED["url.html"], "http://x.vn/")
        warnings.warn("still shown", UserWarning, stacklevel=1)
    assert [str(w.message) for w in seen] == ["still shown"]


def test_extract_of_a_100000_level_page_finishes_with_a_warning(tmp_path):
    path = tmp_path / "deep.html"
    body = nested("font", 100_000, False, text=False) + "<p>" + SENTENCE * 20 + "</p>"
    path.write_text(page(body), encoding="utf-8")
    start = time.perf_counter()
    done = run_extract(path)
    assert time.perf_counter() - start < BOUND
    assert done.returncode == 0, done.stderr
    assert "levels deep" in done.stderr and "Traceback" not in done.stderr
    assert "Hội nghị sơ kết" in done.stdout


def test_extract_of_a_5_mb_page_of_tags_ends_with_a_result_or_one_sentence(tmp_path):
    path = tmp_path / "tags.html"
    path.write_text(page("<b>" * 1_600_000 + SENTENCE), encoding="utf-8")
    start = time.perf_counter()
    done = run_extract(path)
    assert time.perf_counter() - start < BOUND
    assert done.returncode in (0, 1)
    assert "Traceback" not in done.stderr and "bug" not in done.stderr
    if done.returncode == 1:
        assert done.stderr.count("\n") == 1
