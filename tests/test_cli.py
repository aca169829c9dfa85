"""The `ocop` command as users and scripts call it: help, inputs, formats, exit statuses."""

from __future__ import annotations

import io
import json
import sys

import pytest
from conftest import ARTICLES, article_parts, article_record

ARTICLE_01 = ARTICLES / "01_cao_bang_so_ket_6_thang.txt"
COMMANDS = [
    "extract",
    "batch",
    "draft",
    "templates",
    "crawl",
    "export",
    "directives",
    "report",
    "serve",
]


def _extraction(out: str) -> dict:
    d = json.loads(out)
    assert d["schema"] == "ocop-nlp/extraction@1"
    for kind in ("figures", "challenges", "directives"):
        for item in d[kind]:
            assert 0 <= item["start"] < item["end"] <= len(d["text"])
    return d


@pytest.fixture(scope="module")
def txt_extraction() -> dict:
    from ocop_nlp.extract.pipeline import extract_article
    from ocop_nlp.parse.reader import read_input

    return extract_article(read_input(str(ARTICLE_01))).to_dict()


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(run_cli, command):
    code, out, err = run_cli(command, "--help")
    assert code == 0
    assert out.startswith(f"usage: ocop {command}")
    assert err == ""


def test_top_level_help_lists_every_command(run_cli):
    code, out, _ = run_cli("--help")
    assert code == 0
    for command in COMMANDS:
        assert command in out


def test_extract_txt_prints_the_extraction_as_json(run_cli, txt_extraction):
    code, out, err = run_cli("extract", str(ARTICLE_01))
    assert code == 0, err
    d = _extraction(out)
    assert d["article"]["title"] == "Cao Bằng sơ kết Chương trình OCOP 6 tháng đầu năm 2024"
    assert d["meeting"]["kind"] == "hội nghị sơ kết"
    assert d == txt_extraction


def test_extract_sharepoint_page_reads_the_article_not_the_portal(
    run_cli, tmp_path, sharepoint_page, txt_extraction
):
    page = tmp_path / "tin-bai.html"
    page.write_text(sharepoint_page, encoding="utf-8")
    code, out, err = run_cli("extract", str(page))
    assert code == 0, err
    d = _extraction(out)
    assert d["article"]["title"] == "Cao Bằng sơ kết Chương trình OCOP 6 tháng đầu năm 2024"
    assert d["article"]["published"] == "2024-07-13"
    assert d["article"]["author"] == "Hoàng Lan"
    for chrome in ["Skip Ribbon", "Sign In", "Trang chủ", "Quang cảnh", "Bản quyền", "Hoàng Lan"]:
        assert chrome not in d["text"]
    # The body is exactly the article as typed: the same text, so the same extraction.
    assert d["text"] == txt_extraction["text"]
    for kind in ("meeting", "figures", "challenges", "directives"):
        assert d[kind] == txt_extraction[kind]


def test_extract_wordpress_page_takes_title_date_and_body_from_the_markup(
    run_cli, tmp_path, wordpress_page
):
    page = tmp_path / "bai-viet.htm"
    page.write_text(wordpress_page, encoding="utf-8")
    code, out, err = run_cli("extract", str(page))
    assert code == 0, err
    d = _extraction(out)
    title, paras = article_parts("02_quang_ngai_tong_ket_nam")
    assert d["article"]["title"] == title
    assert d["article"]["published"] == "2024-01-19"
    assert d["article"]["author"] == "Minh Châu"
    assert d["text"] == "\n".join(paras)
    assert d["meeting"]["kind"] == "hội nghị tổng kết"


def test_extract_html_page_keeps_a_short_first_paragraph_when_the_markup_names_the_title(
    run_cli, tmp_path
):
    lead = "Sáng 18/1/2024, UBND tỉnh Quảng Ngãi tổ chức Hội nghị tổng kết Chương trình OCOP"
    rest = "Chủ tịch UBND tỉnh yêu cầu các sở, ngành tập trung hỗ trợ chủ thể nâng hạng sản phẩm."
    page = tmp_path / "p.html"
    page.write_text(
        f"<html><head><title>Tổng kết OCOP</title></head><body><h1>Tổng kết OCOP</h1>"
        f'<div class="detail-content"><p>{lead}</p><p>{rest}</p></div></body></html>',
        encoding="utf-8",
    )
    code, out, err = run_cli("extract", str(page))
    assert code == 0, err
    d = _extraction(out)
    assert d["article"]["title"] == "Tổng kết OCOP"
    assert d["text"] == f"{lead}\n{rest}"


def test_extract_json_record_uses_its_fields(run_cli, tmp_path, txt_extraction):
    rec = article_record(
        ARTICLE_01, url="https://example.org/tin/1", published="2024-07-13", author="Hoàng Lan"
    )
    path = tmp_path / "record.json"
    path.write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
    code, out, err = run_cli("extract", str(path))
    assert code == 0, err
    d = _extraction(out)
    assert d["id"] == "01_cao_bang_so_ket_6_thang"
    assert d["article"] == {
        "title": "Cao Bằng sơ kết Chương trình OCOP 6 tháng đầu năm 2024",
        "url": "https://example.org/tin/1",
        "published": "2024-07-13",
        "author": "Hoàng Lan",
        "source": None,
    }
    assert d["directives"] == txt_extraction["directives"]


def test_extract_json_record_with_a_day_first_date_gives_an_iso_date(run_cli, tmp_path):
    rec = article_record(ARTICLE_01, published="13/07/2024")
    path = tmp_path / "record.json"
    path.write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
    code, out, _ = run_cli("extract", str(path))
    assert code == 0
    assert _extraction(out)["article"]["published"] == "2024-07-13"


def test_extract_json_record_with_fields_of_the_wrong_type_warns_and_goes_on(run_cli, tmp_path):
    rec = article_record(ARTICLE_01, published=2024)
    rec["title"] = ["không", "phải", "chuỗi"]
    path = tmp_path / "record.json"
    path.write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
    code, out, err = run_cli("extract", str(path))
    assert code == 0, err
    d = _extraction(out)
    assert d["article"]["title"] is None and d["article"]["published"] is None
    assert '"published"' in err and '"title"' in err


def test_extract_reads_text_on_stdin(run_cli, monkeypatch, txt_extraction):
    stdin = io.TextIOWrapper(io.BytesIO(ARTICLE_01.read_bytes()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    code, out, err = run_cli("extract", "-")
    assert code == 0, err
    d = _extraction(out)
    assert d["text"] == txt_extraction["text"]
    assert d["directives"] == txt_extraction["directives"]


def test_extract_fetches_a_url_from_a_real_server(run_cli, web_root, sharepoint_page):
    base, root = web_root
    (root / "tin-bai.html").write_text(sharepoint_page, encoding="utf-8")
    code, out, err = run_cli("extract", f"{base}/tin-bai.html")
    assert code == 0, err
    d = _extraction(out)
    assert d["article"]["url"] == f"{base}/tin-bai.html"
    assert d["article"]["published"] == "2024-07-13"
    assert d["meeting"]["chair"] == {"name": "Lục Văn Khởi", "title": "Phó Chủ tịch UBND tỉnh"}


def test_extract_url_that_is_not_found_fails_with_one_sentence(run_cli, web_root):
    base, _ = web_root
    code, out, err = run_cli("extract", f"{base}/khong-co.html")
    assert code == 1
    assert out == ""
    assert err.strip() == f"The server answered 404 for {base}/khong-co.html."


def test_extract_url_larger_than_the_limit_is_refused(run_cli, web_root, monkeypatch):
    base, root = web_root
    (root / "big.html").write_bytes(b"<p>" + b"x" * 5000 + b"</p>")
    monkeypatch.setenv("OCOP_MAX_INPUT_BYTES", "1000")
    code, _, err = run_cli("extract", f"{base}/big.html")
    assert code == 1
    assert "larger than 1,000 bytes" in err and "Traceback" not in err


def test_extract_format_md_writes_markdown(run_cli):
    code, out, err = run_cli("extract", str(ARTICLE_01), "--format", "md")
    assert code == 0, err
    assert out.startswith("# Cao Bằng sơ kết Chương trình OCOP 6 tháng đầu năm 2024\n")
    for heading in ("## Meeting", "## Figures", "## Challenges", "## Directives"):
        assert f"\n{heading}\n" in out


def test_extract_output_file_receives_the_json_and_stdout_stays_empty(
    run_cli, tmp_path, txt_extraction
):
    target = tmp_path / "nested" / "out.json"
    code, out, err = run_cli("extract", str(ARTICLE_01), "-o", str(target))
    assert code == 0, err
    assert out == ""
    assert json.loads(target.read_text(encoding="utf-8")) == txt_extraction


def test_extract_output_to_an_unwritable_place_fails_with_one_sentence(run_cli, tmp_path):
    (tmp_path / "a-file").write_text("x")
    code, out, err = run_cli("extract", str(ARTICLE_01), "-o", str(tmp_path / "a-file" / "o.json"))
    assert code == 1
    assert err.startswith("Could not write ") and err.count("\n") == 1
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("extract",),
        ("extract", "a.txt", "--format", "pdf"),
        ("draft", "a.txt", "--format", "odt"),
        ("batch", "in.jsonl"),
        ("no-such-command",),
        ("extract", "a.txt", "--no-such-option"),
    ],
)
def test_usage_errors_exit_2(run_cli, args):
    code, out, err = run_cli(*args)
    assert code == 2
    assert "usage: ocop" in err
    assert "Traceback" not in err


def test_missing_file_fails_with_one_plain_sentence(run_cli, tmp_path):
    missing = tmp_path / "khong-co.txt"
    code, out, err = run_cli("extract", str(missing))
    assert code == 1
    assert out == ""
    assert err == (
        f"{missing} does not exist; give a .txt, .html or .json file, a URL, or - for stdin.\n"
    )


def test_missing_file_in_a_real_process_has_no_traceback(run_ocop, tmp_path):
    code, out, err = run_ocop("draft", str(tmp_path / "khong-co.txt"))
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1 and "does not exist" in err


def test_a_folder_given_to_extract_points_to_batch(run_cli, tmp_path):
    code, _, err = run_cli("extract", str(tmp_path))
    assert code == 1
    assert "ocop batch" in err


def test_templates_lists_the_builtin_templates_with_a_description(run_cli):
    code, out, err = run_cli("templates")
    assert code == 0, err
    lines = out.strip().split("\n")
    names = ["bien-ban-tom-tat", "tin-bai", "thong-bao-ket-luan", "ban-tin", "bao-cao-theo-doi"]
    assert [ln.split()[0] for ln in lines] == names
    for ln in lines:
        assert len(ln.split(None, 1)[1]) > 20


@pytest.mark.parametrize("command", ["serve"])
def test_commands_of_a_later_release_say_so_and_exit_1(run_cli, command):
    code, out, err = run_cli(command)
    assert code == 1
    assert out == ""
    assert f"`ocop {command}` is not in this release yet" in err


def test_an_unexpected_error_is_one_sentence_not_a_traceback(run_cli, monkeypatch):
    import ocop_nlp.extract.pipeline as pipeline

    def broken(article, settings=None):
        raise RuntimeError("stage exploded")

    monkeypatch.setattr(pipeline, "extract_article", broken)
    code, out, err = run_cli("extract", str(ARTICLE_01))
    assert code == 1
    assert err.startswith("ocop extract stopped on an unexpected error (RuntimeError: stage ")
    assert "Traceback" not in err


def test_python_dash_m_runs_the_cli(run_ocop):
    code, out, _ = run_ocop("--version")
    assert code == 0
    assert out.startswith("ocop-nlp ")


def test_extract_fetches_plain_text_from_a_real_server(run_cli, web_root, txt_extraction):
    base, root = web_root
    (root / "bai.txt").write_bytes(ARTICLE_01.read_bytes())
    code, out, err = run_cli("extract", f"{base}/bai.txt")
    assert code == 0, err
    d = _extraction(out)
    assert d["article"]["url"] == f"{base}/bai.txt"
    assert d["text"] == txt_extraction["text"]


def test_extract_of_a_jsonl_file_points_to_batch(run_cli, tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_text(json.dumps(article_record(ARTICLE_01), ensure_ascii=False) + "\n")
    code, out, err = run_cli("extract", str(path))
    assert code == 1 and out == ""
    assert "use `ocop batch`" in err
