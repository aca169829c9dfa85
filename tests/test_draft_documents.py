"""Drafts as documents: each template in each format, the Nghị định 30 layout read back from
the .docx, the format taken from -o, several inputs, evidence and exclusions, the public API.

Golden files cover the seed page (skipped without ../shared) and three articles of our own.
Regenerate them with OCOP_UPDATE_GOLDEN=1 after reading the new drafts.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import ARTICLES, check_golden, docx_footnotes, docx_text

import ocop_nlp
from ocop_nlp.drafts.render import BUILTIN, draft, draft_context
from ocop_nlp.records import Extraction

OWN = [
    "01_cao_bang_so_ket_6_thang",
    "02_quang_ngai_tong_ket_nam",
    "03_dak_nong_lam_viec_so_nn",
]
SINGLE = ["bien-ban-tom-tat", "tin-bai", "thong-bao-ket-luan"]
ISO_DATE = re.compile(r"\b\d{4}-\d{2}(?:-\d{2})?\b")


def _extract(path: Path) -> Extraction:
    from ocop_nlp.extract.pipeline import extract_article
    from ocop_nlp.parse.reader import read_input

    return extract_article(read_input(str(path)))


@pytest.fixture(scope="module")
def own() -> dict[str, Extraction]:
    return {name: _extract(ARTICLES / f"{name}.txt") for name in OWN}


@pytest.fixture(scope="module")
def seed(seed_path) -> Extraction:
    return _extract(seed_path)


def _as_text(ex: Extraction | list[Extraction], template: str, fmt: str) -> str:
    out = draft(ex, template, fmt)
    return docx_text(out) if isinstance(out, bytes) else out


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
@pytest.mark.parametrize("template", SINGLE)
def test_seed_drafts_match_their_golden_files(seed, template, fmt):
    check_golden(
        f"seed.{template}.{fmt}" + (".txt" if fmt == "docx" else ""), _as_text(seed, template, fmt)
    )


def test_seed_draft_values_match_their_golden_file(seed):
    values = json.loads(draft(seed, format="json"))
    values.pop("versions")  # the rules' version changes with every lexicon edit
    check_golden("seed.json", json.dumps(values, ensure_ascii=False, indent=2) + "\n")


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
@pytest.mark.parametrize("template", SINGLE)
@pytest.mark.parametrize("name", OWN)
def test_own_article_drafts_match_their_golden_files(own, name, template, fmt):
    check_golden(
        f"{name[:2]}.{template}.{fmt}" + (".txt" if fmt == "docx" else ""),
        _as_text(own[name], template, fmt),
    )


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_digest_of_four_meetings_matches_its_golden_file(seed, own, fmt):
    meetings = [seed, *own.values()]
    check_golden(
        f"ban-tin.{fmt}" + (".txt" if fmt == "docx" else ""), _as_text(meetings, "ban-tin", fmt)
    )


# --- content ---------------------------------------------------------------------------------


def test_results_say_what_they_count_in_the_source_words(seed, own):
    seed_results = [r["text"] for r in draft_context(seed)["results"]]
    assert any("69 sản phẩm đăng ký tham gia" in r for r in seed_results)
    cao_bang = draft_context(own["01_cao_bang_so_ket_6_thang"])
    texts = [r["text"] for r in cao_bang["results"]]
    # "24 sản phẩm đạt 3 sao" is one fact, not "24 sản phẩm" and "3 sao".
    assert "24 sản phẩm đạt 3 sao" in texts
    assert "Doanh thu từ các sản phẩm OCOP 6 tháng ước đạt 18,6 tỷ đồng" in texts
    quang_ngai = [r["text"] for r in draft_context(own["02_quang_ngai_tong_ket_nam"])["results"]]
    # A percentage keeps its subject: the clause before, in the same sentence.
    assert "Tổng doanh thu của các chủ thể ước đạt 215 tỷ đồng, tăng 12% so với năm 2022" in (
        quang_ngai
    )


def test_no_result_is_a_bare_number(seed, own):
    for ex in [seed, *own.values()]:
        for r in draft_context(ex)["results"]:
            assert not re.fullmatch(r"[\d.,\s]+\s*(%|\S+)", r["text"]), r["text"]


def test_targets_are_apart_from_results(own):
    c = draft_context(own["01_cao_bang_so_ket_6_thang"])
    assert [t["text"] for t in c["targets"]] == [
        "phấn đấu đến hết năm 2024 có thêm 20 sản phẩm được công nhận"
    ]
    assert not any("phấn đấu" in r["text"] for r in c["results"])


def test_the_same_fact_said_twice_is_one_line():
    from ocop_nlp.records import Article, Figure

    text = "Toàn tỉnh có 52 sản phẩm đăng ký. Như vậy, có 52 sản phẩm đăng ký trong đợt 1."
    a, b = (m.start() for m in re.finditer("52 sản phẩm", text))
    figs = [Figure(52, "52 sản phẩm", "sản phẩm", "đăng ký", a, a + 11)]
    figs.append(Figure(52, "52 sản phẩm", "sản phẩm", "đăng ký", b, b + 11))
    ex = Extraction(id="t", article=Article(text=text), text=text, figures=figs)
    results = draft_context(ex)["results"]
    assert [(r["text"], r["ids"]) for r in results] == [
        ("Toàn tỉnh có 52 sản phẩm đăng ký", ["F1", "F2"])
    ]


def test_opening_line_is_in_vietnamese_news_usage(seed):
    md = draft(seed, "tin-bai", "md")
    assert (
        "**Ngày 10/7/2018, UBND tỉnh Bắc Kạn tổ chức Hội nghị sơ kết đánh giá kết quả thực hiện "
        "Đề án “Mỗi xã, phường một sản phẩm” 6 tháng đầu năm, triển khai nhiệm vụ 06 tháng cuối "
        "năm 2018. Phó Chủ tịch UBND tỉnh Đỗ Thị Minh Hoa chủ trì.**"
    ) in md


def test_participants_come_from_the_article_and_missing_fields_are_marked_one_way(own, seed):
    quang_ngai = draft(own["02_quang_ngai_tong_ket_nam"], "thong-bao-ket-luan", "md")
    assert "Tham dự có lãnh đạo các sở, ngành, địa phương và gần 100 chủ thể sản xuất." in (
        quang_ngai
    )
    for ex in [seed, *own.values()]:
        for template in SINGLE:
            md = draft(ex, template, "md")
            marks = re.findall(r"\\\[([^\]]*?)\\\]", md)
            assert all(m.startswith("cần bổ sung: ") for m in marks), marks
            assert "Cuộc họp." not in md and "**Cuộc họp:**" not in md


def test_dates_are_written_as_the_genre_writes_them(own):
    dak_nong = own["03_dak_nong_lam_viec_so_nn"]
    assert [d.deadline for d in dak_nong.directives if d.deadline] == ["2024-06-30", "2024-Q3"]
    news = draft(dak_nong, "tin-bai", "md")
    doc = draft(dak_nong, "thong-bao-ket-luan", "md")
    assert "Ngày 14/3/2024," in news and "Ngày 14 tháng 3 năm 2024," in doc
    # The actions already say "trước ngày 30/6/2024" and "trong quý III/2024": news says it once.
    assert "hoàn thành trước" not in news.replace("hoàn thành trước ngày 30/6/2024", "")
    assert "(thời hạn:" not in doc
    assert "hoàn thành trước ngày 30/6/2024." in doc and "trong quý III/2024." in doc
    for text in (news, doc, docx_text(draft(dak_nong, "thong-bao-ket-luan", "docx"))):
        assert not ISO_DATE.search(text.split("Mã bài")[0]) and "Q3" not in text


def test_news_article_names_the_issuer_once_then_by_title(seed):
    md = draft(seed, "tin-bai", "md", evidence="none")
    assert md.count("Đỗ Thị Minh Hoa") == 1
    paragraphs = [p for p in md.split("\n\n") if "Phó Chủ tịch UBND tỉnh" in p]
    assert paragraphs[1].startswith("Phát biểu chỉ đạo, Phó Chủ tịch UBND tỉnh yêu cầu cấp ủy")
    assert paragraphs[2].startswith("Phó Chủ tịch UBND tỉnh cũng đề nghị các địa phương")
    assert "[cần bổ sung: tên tác giả]" in md.replace("\\", "")


# --- evidence, exclusions --------------------------------------------------------------------


def test_evidence_none_is_a_clean_copy_and_appendix_moves_it_to_the_end(seed):
    clean = draft(seed, "bien-ban-tom-tat", "md", evidence="none")
    assert "[^" not in clean and "Dẫn chứng" not in clean and "ký tự" not in clean
    appendix = draft(seed, "bien-ban-tom-tat", "md", evidence="appendix")
    assert "[^" not in appendix and "## Phụ lục: Dẫn chứng" in appendix
    assert "- D11: «tích cực tham mưu" in appendix


def test_excluded_item_leaves_the_draft_and_ids_stay_stable(seed):
    c = draft_context(seed, exclude=["d3"])
    ids = [d["id"] for g in c["directive_groups"] for d in g["directives"]]
    assert len(ids) == 10 and "D3" not in ids and ids[-1] == "D11"


def test_docx_keeps_the_official_layout_and_drops_an_excluded_directive(
    run_cli, seed_path, tmp_path
):
    import docx
    from docx.shared import Mm

    out = tmp_path / "thong-bao.docx"
    code, _, err = run_cli(
        "draft",
        str(seed_path),
        "--template",
        "thong-bao-ket-luan",
        "--exclude",
        "D4",
        "-o",
        str(out),
    )
    assert code == 0, err
    d = docx.Document(str(out))
    s = d.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)  # A4
    # Word keeps margins in twentieths of a point: 15 mm comes back as 14.99 mm.
    assert 20 <= round(s.top_margin.mm) <= 25 and 20 <= round(s.bottom_margin.mm) <= 25
    assert 30 <= round(s.left_margin.mm) <= 35 and 15 <= round(s.right_margin.mm) <= 20
    normal = d.styles["Normal"].font
    assert normal.name == "Times New Roman" and 13 <= normal.size.pt <= 14
    fonts = {r.font.name for p in d.paragraphs for r in p.runs if r.font.name}
    assert fonts <= {"Times New Roman"}
    heading = d.tables[0]
    assert heading.cell(0, 0).text == "UBND TỈNH BẮC KẠN"
    assert (
        heading.cell(0, 1).text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    )
    assert heading.cell(1, 1).text == "Bắc Kạn, ngày 11 tháng 7 năm 2018"
    assert heading.cell(1, 0).text.startswith("Số: ")
    assert heading.columns[0].width < heading.columns[1].width <= Mm(110)
    notes = docx_footnotes(out.read_bytes())
    directives = [n.split(".")[0] for n in notes if n.startswith("D")]
    assert len(directives) == 10 and "D4" not in directives
    text = docx_text(out.read_bytes())
    assert (
        "THÔNG BÁO\nKết luận của Phó Chủ tịch UBND tỉnh Đỗ Thị Minh Hoa tại Hội nghị sơ kết" in text
    )
    assert "Nơi nhận:" in text and "[cần bổ sung: họ tên người ký]" in text
    # Page numbers at the top, centred, from the second page on.
    assert s.different_first_page_header_footer
    assert 'w:instr="PAGE"' in s.header._element.xml
    # One numbering scheme: no Word list numbering on top of the template's own.
    assert not d.element.body.xpath(".//w:numPr")
    props = d.core_properties
    assert props.author != "python-docx" and props.title.startswith("Hội nghị sơ kết")


def test_docx_author_comes_from_settings(seed, monkeypatch):
    import docx

    monkeypatch.setenv("OCOP_DRAFT_AUTHOR", "Văn phòng UBND tỉnh Bắc Kạn")
    data = draft(seed, "thong-bao-ket-luan", "docx")
    assert docx.Document(io.BytesIO(data)).core_properties.author == "Văn phòng UBND tỉnh Bắc Kạn"


# --- interface -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "check"),
    [
        (".docx", lambda b: zipfile.is_zipfile(io.BytesIO(b))),
        (".html", lambda b: b.startswith(b"<!doctype html>")),
        (".json", lambda b: json.loads(b)["event"].startswith("Hội nghị tổng kết")),
        (".md", lambda b: b.decode("utf-8").startswith("**UBND TỈNH QUẢNG NGÃI**")),
    ],
)
def test_format_follows_the_output_extension(run_cli, tmp_path, suffix, check):
    out = tmp_path / f"ban-thao{suffix}"
    code, _, err = run_cli("draft", str(ARTICLES / f"{OWN[1]}.txt"), "-o", str(out))
    assert code == 0, err
    assert check(out.read_bytes())


def test_format_that_contradicts_the_extension_is_a_usage_error(run_cli, tmp_path):
    code, _, err = run_cli(
        "draft", str(ARTICLES / f"{OWN[1]}.txt"), "--format", "md", "-o", str(tmp_path / "x.docx")
    )
    assert code == 2 and "does not match the extension of" in err
    assert not (tmp_path / "x.docx").exists()


def test_several_inputs_make_a_digest(run_cli, tmp_path):
    out = tmp_path / "ban-tin.docx"
    inputs = [str(ARTICLES / f"{n}.txt") for n in OWN]
    code, _, err = run_cli("draft", *inputs, "--template", "ban-tin", "-o", str(out))
    assert code == 0, err
    text = docx_text(out.read_bytes())
    assert "3 cuộc họp, 18/1/2024 – 12/7/2024" in text
    # In date order: Quảng Ngãi (January), Đắk Nông (March), Cao Bằng (July).
    assert text.index("Quảng Ngãi") < text.index("Đắk Nông") < text.index("Cao Bằng sơ kết")
    code, _, err = run_cli("draft", *inputs, "--template", "tin-bai")
    assert code == 1 and "use --template ban-tin" in err


def test_templates_command_lists_each_template_with_one_line(run_cli):
    code, out, _ = run_cli("templates")
    assert code == 0
    lines = out.splitlines()
    assert [ln.split()[0] for ln in lines] == list(BUILTIN)
    assert all(len(ln.split(None, 1)[1]) > 20 for ln in lines)


def test_package_exports_the_draft_function_not_the_subpackage():
    import inspect

    import ocop_nlp.drafts.render  # noqa: F401 - importing the subpackage must not shadow it
    from ocop_nlp import draft as exported

    assert inspect.isfunction(exported) and exported is draft
    assert sorted(ocop_nlp.__all__) == sorted(
        ["Article", "Extraction", "OcopError", "__version__", "draft", "draft_from_store",
         "extract_article", "list_templates", "read_input"]
    )  # fmt: skip
    for name in ocop_nlp.__all__:
        assert getattr(ocop_nlp, name) is not None


def test_draft_works_from_python_with_template_and_format_keywords(own):
    ex = own[OWN[0]]
    html = ocop_nlp.draft(ex, template="tin-bai", format="html")
    assert isinstance(html, str) and "<h1>Cao Bằng sơ kết" in html
    data = ocop_nlp.draft(ex, template="bien-ban-tom-tat", format="docx")
    assert isinstance(data, bytes) and data[:2] == b"PK"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not here")
@pytest.mark.parametrize("template", [*SINGLE, "ban-tin"])
def test_each_docx_converts_to_pdf_with_libreoffice(own, tmp_path, template):
    ex = list(own.values()) if template == "ban-tin" else own[OWN[0]]
    src = tmp_path / f"{template}.docx"
    src.write_bytes(draft(ex, template, "docx"))
    proc = subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
        capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = tmp_path / f"{template}.pdf"
    assert pdf.exists(), proc.stderr.decode("utf-8", "replace")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_example_house_template_renders_every_own_article(own):
    example = Path(__file__).resolve().parent.parent / "examples" / "bao-cao-nhanh.md.j2"
    for ex in own.values():
        md = draft(ex, str(example), "md")
        assert md.startswith("**BÁO CÁO NHANH** — ") and "Mã bài: `sha1-" in md


@pytest.mark.parametrize(
    ("name", "lead"),
    [
        (
            "03_dak_nong_lam_viec_so_nn",
            "Ngày 14/3/2024, Phó Chủ tịch UBND tỉnh Đinh Văn Thạch có buổi làm việc với Sở Nông "
            "nghiệp và Phát triển nông thôn về tình hình thực hiện Chương trình OCOP và kế hoạch "
            "năm 2024.",
        ),
        (
            "05_ca_mau_kiem_tra_nam_can",  # the place is named once, not "tại X tại X"
            "Ngày 22/5/2024, Phó Chủ tịch UBND tỉnh Lâm Thị Kim Xuyến có buổi kiểm tra tình hình "
            "sản xuất, tiêu thụ sản phẩm OCOP tại huyện Năm Căn và huyện Ngọc Hiển.",
        ),
        (
            "08_lao_cai_ky_hop_hdnd",  # the meeting is the subject of the article's sentence
            "Ngày 10/7/2024, Kỳ họp thứ 19 HĐND tỉnh Lào Cai khóa XVI tiến hành phiên chất vấn "
            "và trả lời chất vấn. Chủ tịch HĐND tỉnh Vương Thị Thúy chủ trì.",
        ),
        ("13_lam_dong_thi_truong", ""),  # a market report: no meeting to open with
    ],
)
def test_lead_follows_who_held_the_meeting_in_the_article(name, lead):
    c = draft_context(_extract(next(ARTICLES.glob(f"{name}*.txt"))))
    assert c["lead_news"] == lead
    if not lead:
        md = draft(_extract(next(ARTICLES.glob(f"{name}*.txt"))), "tin-bai", "md")
        assert "**\\[cần bổ sung: đoạn dẫn\\]**" in md


def test_province_is_a_name_not_the_word_after_tinh():
    from ocop_nlp.drafts.content import _province

    text = "Phó Chủ tịch UBND tỉnh Đinh Văn Thạch chủ trì. Toàn tỉnh đạt 5.120 ha."
    assert _province(text) is None
    assert _province("Phó Chủ tịch UBND tỉnh Đắk Nông làm việc\n" + text) == "Đắk Nông"


def test_a_figure_inside_a_difficulty_is_not_a_result(own):
    c = draft_context(own["03_dak_nong_lam_viec_so_nn"])
    assert not any("1,5 tỷ đồng" in r["text"] for r in c["results"])
    assert any("1,5 tỷ đồng" in ch["text"] for ch in c["challenges"])


# --- evidence as Word footnotes ------------------------------------------------------------------


def _parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xml", ".rels"))}


def test_evidence_footnotes_are_real_word_footnotes(own):
    data = draft(own[OWN[0]], "thong-bao-ket-luan", "docx")
    parts = _parts(data)
    assert 'PartName="/word/footnotes.xml"' in parts["[Content_Types].xml"]
    assert "wordprocessingml.footnotes+xml" in parts["[Content_Types].xml"]
    assert (
        'relationships/footnotes" Target="footnotes.xml"' in parts["word/_rels/document.xml.rels"]
    )
    # Word's separators (ids -1 and 0), named in the settings as Word writes them.
    assert (
        '<w:footnotePr><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>'
        in (parts["word/settings.xml"])
    )
    assert 'w:styleId="FootnoteText"' in parts["word/styles.xml"]
    assert 'w:styleId="FootnoteReference"' in parts["word/styles.xml"]
    refs = re.findall(r'<w:footnoteReference w:id="(\d+)"/>', parts["word/document.xml"])
    notes = docx_footnotes(data)
    assert refs == [str(k) for k in range(1, len(notes) + 1)] and len(notes) == 13
    # Each note keeps the id --exclude takes, the evidence and its source sentence.
    assert notes[0].startswith("F1. «toàn tỉnh có 38 chủ thể") and "câu gốc: «" in notes[0]
    assert [n.split(".")[0] for n in notes][-4:] == ["D1", "D2", "D3", "D4"]
    # The list at the end is gone: its notes are at the foot of their pages.
    assert "Dẫn chứng" not in docx_text(data).split("[^1]:")[0]


def test_appendix_and_clean_copies_have_no_footnotes(own):
    appendix = draft(own[OWN[0]], "thong-bao-ket-luan", "docx", evidence="appendix")
    assert docx_footnotes(appendix) == [] and "## Phụ lục: Dẫn chứng" in docx_text(appendix)
    assert "footnotes.xml" not in _parts(appendix)
    clean = draft(own[OWN[0]], "thong-bao-ket-luan", "docx", evidence="none")
    assert docx_footnotes(clean) == [] and "«" not in docx_text(clean)


def test_a_digest_footnotes_each_meeting_with_its_number(own):
    notes = docx_footnotes(draft(list(own.values()), "ban-tin", "docx"))
    assert notes[0].startswith("1.F2. «Quảng Ngãi") and notes[-1].startswith("3.D4. «chủ động")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not here")
def test_libreoffice_reads_the_footnotes_as_footnotes(own, tmp_path):
    """LibreOffice opens the draft and writes it back with the same footnotes: it read them
    as footnotes, not as text it did not understand."""
    src = tmp_path / "in" / "tb.docx"
    src.parent.mkdir()
    data = draft(own[OWN[0]], "thong-bao-ket-luan", "docx")
    src.write_bytes(data)
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "docx", "--outdir", str(tmp_path), str(src)],
        capture_output=True, timeout=180,
    )  # fmt: skip
    again = (tmp_path / "tb.docx").read_bytes()
    assert docx_footnotes(again) == docx_footnotes(data)


@pytest.mark.parametrize("template", ["tin-bai", "thong-bao-ket-luan"])
def test_article_drafts_show_addressees_as_the_article_writes_them(own, template):
    """Never the tracking gazetteer's shortened "UBND huyện" for "UBND các huyện, thành phố"."""
    md = _as_text(own["01_cao_bang_so_ket_6_thang"], template, "md")
    assert "UBND các huyện, thành phố" in md
    assert not re.search(r"UBND huyện(?!,)", md.split("[^")[0])
