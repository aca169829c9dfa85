"""Drafts: golden files of the seed page, footnotes that lead back to the evidence, templates."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ARTICLES, check_golden, docx_footnotes

from ocop_nlp.drafts.render import draft, draft_context, format_number, format_quantity
from ocop_nlp.records import Article, Directive, Extraction, Figure, Official

SEED_GROUPS = [
    "1. Cấp ủy, chính quyền các cấp trên địa bàn tỉnh",
    "2. Các địa phương",
    "3. Các Sở, ngành liên quan",
]
SECTIONS = [
    "I. THÔNG TIN CHUNG",
    "II. KẾT QUẢ",
    "III. KHÓ KHĂN, HẠN CHẾ",
    "IV. CHỈ ĐẠO",
    "Dẫn chứng",
]
FOOTNOTE = re.compile(r"^\[\^([FCD]\d+)\]: «(.*?)» \(ký tự (\d+)–(\d+)\); (.*)$", re.M)


def _extract(path: Path) -> Extraction:
    from ocop_nlp.extract.pipeline import extract_article
    from ocop_nlp.parse.reader import read_input

    return extract_article(read_input(str(path)))


@pytest.fixture(scope="module")
def seed_extraction(seed_path) -> Extraction:
    return _extract(seed_path)


@pytest.fixture(scope="module")
def article_extractions() -> dict[str, Extraction]:
    return {p.stem: _extract(p) for p in sorted(ARTICLES.glob("*.txt"))}


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_seed_draft_matches_its_golden_file(run_cli, seed_path, fmt):
    # Through the CLI with the default template: the same golden file as the library's
    # bien-ban-tom-tat draft in test_draft_documents.
    code, out, err = run_cli("draft", str(seed_path), "--format", fmt)
    assert code == 0, err
    check_golden(f"seed.bien-ban-tom-tat.{fmt}", out)


def _check_md_footnotes(md: str, ex: Extraction) -> None:
    notes = FOOTNOTE.findall(md)
    cited = re.findall(r"\[\^([FCD]\d+)\](?!:)", md)
    # One numbering scheme: the item ids, each cited once and explained once.
    assert cited == [n[0] for n in notes] and len(set(cited)) == len(cited)
    assert len(notes) >= len(ex.challenges) + len(ex.directives)
    quoted: dict[str, str] = {}
    for n, evidence, start, end, source in notes:
        assert ex.text[int(start) : int(end)] == evidence
        m = re.fullmatch(r"câu gốc: «(.*)»|cùng câu gốc với ([FCD]\d+)", source)
        assert m, source
        sentence = m.group(1) if m.group(1) is not None else quoted[m.group(2)]
        quoted[n] = sentence
        assert evidence in sentence
        assert sentence in ex.text


def _check_html_offsets(html: str, ex: Extraction) -> None:
    soup = BeautifulSoup(html, "html.parser")
    items = soup.find_all(attrs={"data-id": True})
    spans = {(x.start, x.end) for x in [*ex.challenges, *ex.directives]}
    assert len(items) >= len(ex.challenges) + len(ex.directives)
    for li in items:
        start, end = int(li["data-start"]), int(li["data-end"])
        assert (start, end) in spans or li["data-id"].startswith("F")
        note = li.find("a")["href"].lstrip("#")
        assert note == li["data-id"]
        source = soup.find(id=note).get_text()
        assert source.startswith(f"{note}. «{ex.text[start:end]}» (ký tự {start}–{end}); ")


def test_seed_draft_footnotes_point_to_evidence_in_the_extraction_text(seed_extraction):
    _check_md_footnotes(draft(seed_extraction, format="md"), seed_extraction)
    _check_html_offsets(draft(seed_extraction, format="html"), seed_extraction)


def test_every_article_draft_footnote_points_to_its_evidence(article_extractions):
    for name, ex in article_extractions.items():
        try:
            _check_md_footnotes(draft(ex, format="md"), ex)
            _check_html_offsets(draft(ex, format="html"), ex)
        except AssertionError as e:
            raise AssertionError(f"{name}: {e}") from e


def test_footnote_quotes_the_one_sentence_that_holds_the_evidence(seed_extraction):
    notes = draft_context(seed_extraction)["notes"]
    figure_66 = next(n for n in notes if "66 tổ chức, cá nhân" in n["evidence"])
    assert figure_66["evidence"] == (
        "đợt 01 đã có 66 tổ chức, cá nhân với 69 sản phẩm đăng ký tham gia, trong đó có 42 sản "
        "phẩm đạt yêu cầu tham gia Đề án"
    )
    # The sentence before ends with "…"; it is not part of the quote.
    assert figure_66["sentence"].startswith("Cùng với đó, đơn vị chức năng")
    assert figure_66["sentence"].endswith("42 sản phẩm đạt yêu cầu tham gia Đề án.")


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize(
    "name", ["01_cao_bang_so_ket_6_thang", "19_hoa_binh_so_ket_nhieu_nguoi_chi_dao"]
)
def test_draft_from_an_extraction_file_equals_draft_from_the_article(run_cli, tmp_path, name, fmt):
    article = ARTICLES / f"{name}.txt"
    saved = tmp_path / "extraction.json"
    assert run_cli("extract", str(article), "-o", str(saved))[0] == 0
    code_a, from_article, err_a = run_cli("draft", str(article), "--format", fmt)
    code_b, from_json, err_b = run_cli("draft", str(saved), "--format", fmt)
    assert code_a == code_b == 0, err_a + err_b
    assert from_json == from_article


def test_draft_of_an_extraction_with_offsets_outside_the_text_is_refused(run_cli, tmp_path):
    saved = tmp_path / "extraction.json"
    run_cli("extract", str(ARTICLES / "01_cao_bang_so_ket_6_thang.txt"), "-o", str(saved))
    d = json.loads(saved.read_text(encoding="utf-8"))
    d["text"] = d["text"][:100]  # cut by hand: every later footnote would cite the wrong words
    saved.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    code, out, err = run_cli("draft", str(saved))
    assert code == 1 and out == ""
    assert "outside the text" in err and "Traceback" not in err


def test_draft_of_a_malformed_extraction_is_refused_with_a_sentence(run_cli, tmp_path):
    saved = tmp_path / "extraction.json"
    saved.write_text(
        json.dumps({"schema": "ocop-nlp/extraction@1", "text": "x", "figures": [{"value": 1}]}),
        encoding="utf-8",
    )
    code, _, err = run_cli("draft", str(saved))
    assert code == 1
    assert "missing or malformed field" in err and "Traceback" not in err


def test_user_template_path_renders_with_the_draft_values(run_cli, tmp_path):
    tpl = tmp_path / "ngan.md.j2"
    tpl.write_text(
        "{{ article.title }}\n"
        "{% for g in directive_groups %}- {{ g.addressee }}: {{ g.directives | length }}\n"
        "{% endfor %}{{ figures[0].value_vi }} {{ figures[0].unit }}\n",
        encoding="utf-8",
    )
    code, out, err = run_cli(
        "draft", str(ARTICLES / "01_cao_bang_so_ket_6_thang.txt"), "--template", str(tpl)
    )
    assert code == 0, err
    assert out.startswith("Cao Bằng sơ kết Chương trình OCOP 6 tháng đầu năm 2024\n")
    assert "- các Sở, ngành liên quan: 3\n" in out
    assert out.endswith("38 chủ thể\n")


def test_user_template_can_extend_a_builtin_one(run_cli, tmp_path):
    tpl = tmp_path / "mo-rong.md.j2"
    tpl.write_text('{% extends "tin-bai.md.j2" %}', encoding="utf-8")
    article = str(ARTICLES / "01_cao_bang_so_ket_6_thang.txt")
    code, out, err = run_cli("draft", article, "--template", str(tpl))
    assert code == 0, err
    assert out == run_cli("draft", article, "--template", "tin-bai")[1]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{% for x in figures %}{{ x.unit }}", "has a syntax error on line 1"),
        ("{{ article.title }}\n{{ figures | khong_co_bo_loc }}", "has a syntax error on line 2"),
        (
            "{{ cuoc_hop.ngay }}",
            "uses a value that drafts do not provide ('cuoc_hop' is undefined)",
        ),
        ("{{ meeting.chair.ho_ten }}", "uses a value that drafts do not provide"),
        ('{% include "khong-co.j2" %}', "includes or extends 'khong-co.j2'"),
        ("{{ figures[0].value / 0 }}", "failed while rendering (ZeroDivisionError"),
        ("{{ article.__class__.__mro__ }}", "reaches into Python internals"),
    ],
    ids=[
        "syntax",
        "unknown-filter",
        "unknown-variable",
        "unknown-field",
        "include",
        "zero",
        "dunder",
    ],
)
def test_bad_user_template_gives_a_clear_template_error(run_cli, tmp_path, source, message):
    tpl = tmp_path / "hong.md.j2"
    tpl.write_text(source, encoding="utf-8")
    code, out, err = run_cli(
        "draft", str(ARTICLES / "01_cao_bang_so_ket_6_thang.txt"), "--template", str(tpl)
    )
    assert code == 1
    assert out == ""
    assert "Traceback" not in err and err.count("\n") == 1
    assert err.startswith(f"The template {tpl} ")
    assert message in err


def test_unknown_template_name_lists_the_builtin_ones(run_cli):
    code, _, err = run_cli(
        "draft", str(ARTICLES / "01_cao_bang_so_ket_6_thang.txt"), "--template", "bien-ban"
    )
    assert code == 1
    assert "There is no template called 'bien-ban'; use one of bien-ban-tom-tat, tin-bai" in err


class _Balance(HTMLParser):
    """Every element that must be closed is closed, in order."""

    VOID = {"meta", "br", "img", "link", "hr", "input"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.doctype = False

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def _check_html(html: str) -> BeautifulSoup:
    checker = _Balance()
    checker.feed(html)
    assert checker.doctype
    assert checker.errors == [] and checker.stack == []
    soup = BeautifulSoup(html, "html.parser")
    assert soup.html["lang"] == "vi"
    assert soup.find("meta", charset="utf-8")
    return soup


def test_html_draft_is_well_formed_with_the_four_sections(run_cli, seed_path):
    code, out, err = run_cli("draft", str(seed_path), "--format", "html")
    assert code == 0, err
    soup = _check_html(out)
    assert soup.title.get_text().startswith("Hội nghị sơ kết đánh giá kết quả")
    assert [h.get_text() for h in soup.find_all("h2")] == SECTIONS
    assert [h.get_text() for h in soup.find_all("h3")] == SEED_GROUPS
    # The national heading and the place-and-date line of Nghị định 30/2020/NĐ-CP.
    heading = soup.find("table", class_="the-thuc").get_text(" ", strip=True)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc" in heading
    assert "UBND TỈNH BẮC KẠN" in heading and "Bắc Kạn, ngày 11 tháng 7 năm 2018" in heading


@pytest.mark.parametrize("template", ["bien-ban-tom-tat", "tin-bai"])
def test_every_builtin_html_template_is_well_formed_for_every_article(
    article_extractions, template
):
    for ex in article_extractions.values():
        _check_html(draft(ex, template, "html"))


def test_seed_directives_are_grouped_by_addressee_in_order_of_appearance(seed_extraction):
    groups = draft_context(seed_extraction)["directive_groups"]
    assert [
        f"{i}. " + g["addressee"][0].upper() + g["addressee"][1:] for i, g in enumerate(groups, 1)
    ] == SEED_GROUPS
    assert [len(g["directives"]) for g in groups] == [1, 3, 7]
    md = draft(seed_extraction, format="md")
    assert re.findall(r"^### (.+)$", md, re.M) == SEED_GROUPS


def _extraction(directives: list[tuple[str | None, str]], title: str = "Họp") -> Extraction:
    text = " ".join(action + "." for _, action in directives)
    ds, pos = [], 0
    for addressee, action in directives:
        ds.append(
            Directive(Official("Minh", "Chủ tịch"), addressee, action, None, pos, pos + len(action))
        )
        pos += len(action) + 2
    return Extraction(id="t1", article=Article(text=text, title=title), text=text, directives=ds)


def test_directives_without_addressee_go_to_a_general_group_and_groups_keep_first_order():
    ex = _extraction(
        [("Sở Công Thương", "mở hội chợ"), (None, "báo cáo kết quả"), ("Các huyện", "rà soát hồ sơ"),
         ("Sở Công Thương", "quảng bá sản phẩm")]
    )  # fmt: skip
    groups = draft_context(ex)["directive_groups"]
    assert [(g["addressee"], [d["action"] for d in g["directives"]]) for g in groups] == [
        ("Sở Công Thương", ["mở hội chợ", "quảng bá sản phẩm"]),
        ("Chung", ["báo cáo kết quả"]),
        ("Các huyện", ["rà soát hồ sơ"]),
    ]


def test_html_draft_escapes_text_from_the_article():
    ex = _extraction([("Các xã <b>", "lập <script>alert(1)</script> kế hoạch")], title="A & B <i>")
    html = draft(ex, format="html")
    assert "<script>" not in html and "<b>" not in html
    assert "A &amp; B &lt;i&gt;" in html
    _check_html(html)


def test_draft_numbers_are_written_the_vietnamese_way():
    assert format_number(1234.5) == "1.234,5"
    assert format_number(1200000000) == "1.200.000.000"
    assert format_number(2.999) == "3"
    assert format_number(0.25) == "0,25"
    assert format_quantity(18600000000, "đồng") == "18,6 tỷ"
    assert format_quantity(350000000, "đồng") == "350 triệu"
    assert format_quantity(1234567, "đồng") == "1.234.567"
    assert format_quantity(1200, "sản phẩm") == "1.200"
    text = "Doanh thu đạt 18,6 tỷ đồng."
    fig = Figure(18_600_000_000, "18,6 tỷ đồng", "đồng", None, 14, 26)
    ex = Extraction(id="t", article=Article(text=text), text=text, figures=[fig])
    # A sum of money says what it counts, in the source's words.
    assert "- Doanh thu đạt 18,6 tỷ đồng.[^F1]" in draft(ex, format="md")


def test_draft_output_file(run_cli, tmp_path):
    target = tmp_path / "ban-thao.html"
    code, out, err = run_cli(
        "draft", str(ARTICLES / "02_quang_ngai_tong_ket_nam.txt"), "--format", "html", "-o",
        str(target),
    )  # fmt: skip
    assert code == 0, err
    assert out == ""
    assert [
        h.get_text() for h in _check_html(target.read_text(encoding="utf-8")).find_all("h2")
    ] == (SECTIONS)


def test_docx_draft_holds_the_same_sections_and_items(run_cli, tmp_path, article_paths):
    import docx

    src = article_paths[0]
    out = tmp_path / "tom-tat.docx"
    code, _, err = run_cli("draft", str(src), "-o", str(out))
    assert code == 0, err
    d = docx.Document(str(out))
    heads = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    for h in ["II. KẾT QUẢ", "III. MỤC TIÊU", "IV. KHÓ KHĂN, HẠN CHẾ", "V. CHỈ ĐẠO"]:
        assert h in heads
    # The evidence is in Word footnotes, each keeping its item's id, not in a list at the end.
    assert "Dẫn chứng" not in heads
    from ocop_nlp.extract.pipeline import extract_article
    from ocop_nlp.parse.reader import read_input

    ex = extract_article(read_input(str(src)))
    cited = [n.split(".")[0] for n in docx_footnotes(out.read_bytes())]
    assert [c for c in cited if c[0] in "CD"] == [
        *(f"C{i}" for i in range(1, len(ex.challenges) + 1)),
        *(f"D{i}" for i in range(1, len(ex.directives) + 1)),
    ]


def test_docx_draft_needs_an_output_file(run_cli, article_paths):
    code, out, err = run_cli("draft", str(article_paths[0]), "--format", "docx")
    assert code == 1 and "-o" in err and "Traceback" not in err
