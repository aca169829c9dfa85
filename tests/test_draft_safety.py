"""Drafts under hostile input: article text stays inert text, user templates stay bounded."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ARTICLES

from ocop_nlp.drafts.docx import draft_docx
from ocop_nlp.drafts.render import ARTICLE_TEMPLATES, draft
from ocop_nlp.records import Article, Challenge, Directive, Extraction, Figure, Meeting, Official

ROOT = Path(__file__).resolve().parent.parent
INJECTED = "\n# injected\n\n<script>alert(1)</script> [x](javascript:alert(1)) {{ 7*7 }} {% for %}"
CONTROL = "\x1b[31m\x0c\x00\ud800"
HOSTILE = (
    f"Họp *em* _u_ `tick` {INJECTED} {CONTROL} ![i](javascript:x) <img src=x onerror=alert(1)>"
)


def _hostile_extraction() -> Extraction:
    """Every string a template shows carries markup, a newline injection and control characters."""
    text = "".join(f"{i}. {HOSTILE}\n" for i in range(4))
    spans = [(m.start(), m.end()) for m in re.finditer(re.escape(HOSTILE), text)]
    chair = Official(f"Minh {HOSTILE}", f"Chủ tịch {HOSTILE}")
    return Extraction(
        id=f"id`{HOSTILE}",
        article=Article(
            text=text,
            title=f"# Tiêu đề {HOSTILE}",
            url="javascript:alert(1)",
            published="2024-07-12",
            author=f"- {HOSTILE}",
        ),
        text=text,
        meeting=Meeting(f"hội nghị {HOSTILE}", "2024-07-12", chair, f"1. {HOSTILE}"),
        figures=[Figure(5120.0, HOSTILE, f"ha {HOSTILE}", HOSTILE, *spans[0])],
        challenges=[Challenge(f"## {HOSTILE}", *spans[1])],
        directives=[
            Directive(chair, f"=== {HOSTILE}", f"- {HOSTILE}", HOSTILE, *spans[2]),
            Directive(None, None, f"~~~ {HOSTILE}", None, *spans[3]),
        ],
    )


def _no_xml_illegal(s: str) -> None:
    bad = re.findall("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", s)
    assert not bad, f"{bad} reached the draft"


@pytest.mark.parametrize("template", sorted(ARTICLE_TEMPLATES))
def test_hostile_article_text_is_inert_in_markdown_drafts(template):
    md = draft(_hostile_extraction(), template, "md")
    _no_xml_illegal(md)
    # The title's newline did not open a heading: headings are the template's own.
    assert not re.search(r"^\s*#+ injected", md, re.M)
    assert re.findall(r"^#+ ", md, re.M) == re.findall(
        r"^#+ ", draft(_plain_extraction(), template, "md"), re.M
    )
    # The id is shown in a code span, whose fence is longer than any run of backticks in it.
    code = re.findall(r"Mã bài: (`+)(.*?)(`+)\*$", md, re.M)
    assert code
    assert all(a == b and len(a) > max(map(len, re.findall("`+", c))) for a, c, b in code)
    md = re.sub(r"Mã bài: .*$", "", md, flags=re.M)
    # No raw HTML and no link but an http(s) autolink; every [ ] is a footnote's.
    assert re.findall(r"(?<!\\)<", md) == []
    assert re.sub(r"\[\^[\w-]+\]", "", md).replace("\\[", "").replace("\\]", "").count("[") == 0
    assert not re.search(r"(?<!\\)\]\(javascript", md) and "\\](javascript:alert(1))" in md
    # Emphasis and code from the article are shown as written, templates are not re-run.
    assert "\\*em\\*" in md and "\\_u\\_" in md and "\\`tick\\`" in md
    assert "{{ 7\\*7 }}" in md and not re.search(r"\b49\b", md)
    # No line starts with a list, heading, fence or underline the article brought.
    for line in md.splitlines():
        assert not re.match(r"\s*(- - |={2}|~{3}|#{1,6} injected|\d\. Họp)", line), line


def _plain_extraction() -> Extraction:
    ex = _hostile_extraction()
    plain = Extraction(id="t", article=Article(text=ex.text, title="Họp"), text=ex.text)
    plain.meeting, plain.figures = ex.meeting, ex.figures
    plain.challenges, plain.directives = ex.challenges, ex.directives
    return plain


@pytest.mark.parametrize("template", sorted(ARTICLE_TEMPLATES))
def test_hostile_article_text_is_inert_in_html_drafts(template):
    html = draft(_hostile_extraction(), template, "html")
    _no_xml_illegal(html)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("script") is None and soup.find("img") is None
    assert all(a["href"].startswith(("#", "https://", "http://")) for a in soup.find_all("a"))
    assert "javascript:" not in " ".join(a["href"] for a in soup.find_all("a"))
    assert "<script>alert(1)</script>" in soup.get_text()


def test_html_draft_links_only_http_urls_and_shows_others_as_text():
    ex = _hostile_extraction()
    soup = BeautifulSoup(draft(ex, "bien-ban-tom-tat", "html"), "html.parser")
    assert "javascript:alert(1)" in soup.find("p", class_="nguon").get_text()
    ex.article.url = "https://baocaobang.vn/tin?a=1&b=<2>"
    soup = BeautifulSoup(draft(ex, "bien-ban-tom-tat", "html"), "html.parser")
    assert [a["href"] for a in soup.find_all("a") if not a["href"].startswith("#")] == [
        "https://baocaobang.vn/tin?a=1&b=<2>"
    ]
    md = draft(ex, "bien-ban-tom-tat", "md")
    assert " <https://baocaobang.vn/tin?a=1&b=%3C2%3E> Mã bài:" in md


def test_hostile_article_text_makes_a_readable_docx_without_links():
    import docx

    data = draft_docx(_hostile_extraction())
    d = docx.Document(io.BytesIO(data))
    texts = [p.text for p in d.paragraphs]
    for t in texts:
        _no_xml_illegal(t)
    assert any(t.startswith("Nguồn: # Tiêu đề Họp *em*") for t in texts)
    assert any("javascript:alert(1)" in t for t in texts)
    assert not [r for r in d.part.rels.values() if r.reltype.endswith("/hyperlink")]


def test_markdown_escape_leaves_ordinary_vietnamese_text_as_it_is():
    from ocop_nlp.drafts.sandbox import md_escape

    for s in ["5.120 ha", "-3%", "#5", "Sở Công Thương (chủ trì)", "A & B", "1.234,5 tỷ đồng"]:
        assert md_escape(s) == s


def test_md_code_span_holds_an_id_with_backticks():
    ex = _plain_extraction()
    ex.id = "a``b_c"
    assert "Mã bài: ```a``b_c```*\n" in draft(ex, "bien-ban-tom-tat", "md")
    ex.id = "`a"
    assert "Mã bài: `` `a ``*\n" in draft(ex, "bien-ban-tom-tat", "md")


def _write_json(path: Path, obj: object) -> Path:
    # json.dumps writes lone surrogates as \ud800 escapes, as a hostile file would.
    path.write_text(json.dumps(obj), encoding="ascii")
    return path


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_extraction_file_with_surrogates_and_control_characters_drafts_cleanly(
    run_cli, tmp_path, fmt
):
    d = _hostile_extraction().to_dict()
    assert "\\ud800" in json.dumps(d)
    src = _write_json(tmp_path / "hostile.json", d)
    out = tmp_path / f"draft.{fmt}"
    code, _, err = run_cli("draft", str(src), "--format", fmt, "-o", str(out))
    assert code == 0, err
    if fmt == "docx":
        import docx

        text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    else:
        text = out.read_text(encoding="utf-8")
    _no_xml_illegal(text)
    assert "\ufffd" in text and "injected" in text


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_article_record_with_surrogates_and_control_characters_never_crashes(
    run_cli, tmp_path, fmt
):
    body = (ARTICLES / "01_cao_bang_so_ket_6_thang.txt").read_text(encoding="utf-8")
    record = {"id": "x", "title": HOSTILE, "url": "javascript:alert(1)", "text": body + HOSTILE}
    src = _write_json(tmp_path / "record.json", record)
    code, _, err = run_cli("draft", str(src), "--format", fmt, "-o", str(tmp_path / f"d.{fmt}"))
    assert "unexpected error" not in err and "Traceback" not in err
    assert code == 0 or (code == 1 and err.count("\n") == 1), err


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("text", 12345, "text is int"),
        ("figures.0.value", "abc", "figures[0].value is str"),
        ("figures.0.value", 10**400, "figures[0].value is int"),
        ("figures.0.unit", None, "figures[0].unit is"),
        ("challenges.0.text", 5, "challenges[0].text is int"),
        ("directives.0.addressee", ["x"], "directives[0].addressee is list"),
        ("meeting.chair.name", {"a": 1}, "meeting.chair.name is dict"),
        ("article.title", 7, "article.title is int"),
    ],
)
@pytest.mark.parametrize("fmt", ["md", "docx"])
def test_extraction_file_with_a_field_of_the_wrong_type_is_refused_with_a_sentence(
    run_cli, tmp_path, field, value, message, fmt
):
    d = _hostile_extraction().to_dict()
    *path, last = field.split(".")
    holder = d
    for key in path:
        holder = holder[int(key)] if key.isdigit() else holder[key]
    holder[last] = value
    src = tmp_path / "sua-tay.json"
    src.write_text(json.dumps(d), encoding="utf-8")
    code, out, err = run_cli("draft", str(src), "--format", fmt, "-o", str(tmp_path / "d"))
    assert code == 1 and err.count("\n") == 1, err
    assert err.startswith(f"{src}: ") and message in err, err


def test_extraction_file_nested_too_deeply_is_refused_with_a_sentence(run_cli, tmp_path):
    src = tmp_path / "sau.json"
    src.write_text(
        '{"schema": "ocop-nlp/extraction@1", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    )
    code, _, err = run_cli("draft", str(src))
    assert (code, err) == (
        1,
        f"{src} is nested too deeply (about a thousand levels of brackets) to be an article or "
        "an extraction.\n",
    )


# --- user templates -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def saved_extraction(tmp_path_factory) -> Path:
    """An extraction .json, so that each `ocop draft` below loads no model."""
    from ocop_nlp.cli import main

    path = tmp_path_factory.mktemp("ex") / "extraction.json"
    assert main(["extract", str(ARTICLES / "01_cao_bang_so_ket_6_thang.txt"), "-o", str(path)]) == 0
    return path


def _draft_in_a_process(
    saved: Path, tpl: Path, *args: str, env: dict[str, str] | None = None, budget: float = 60
) -> tuple[int, str, str, float]:
    """`ocop draft` as users run it; a template that hangs fails the test instead of the suite."""
    import os

    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "ocop_nlp", "draft", str(saved), "--template", str(tpl), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=budget,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )
    return proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started


HOSTILE_TEMPLATES = {
    # 10^10 iterations: the sandbox allows each range, the timeout stops the loop.
    "loop": "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
    "huge-string": "{{ 'a' * 10**10 }}",
    "huge-padding": "{{ '%999999999999d' % 1 }}",
    "huge-number": "{{ 10 ** 100000000 }}",
    # Doubling a string 60 times passes every check in the template language; memory stops it.
    "doubling": '{% set ns = namespace(s="ab") %}{% for i in range(60) %}'
    "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}",
    "output": "{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}",
    "recursion": "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
}
MESSAGES = {
    "loop": "took longer than 3 s to render and was stopped (OCOP_TEMPLATE_TIMEOUT)",
    "huge-string": "asks for too large a value",
    "huge-padding": "asks for too large a value",
    "huge-number": "asks for too large a value",
    "doubling": "(OCOP_TEMPLATE_MAX_MEMORY)",
    "output": "wrote more than 10,000,000 characters",
    "recursion": "calls itself too deeply",
}


@pytest.mark.parametrize("kind", sorted(HOSTILE_TEMPLATES))
def test_hostile_user_template_ends_quickly_with_one_sentence(saved_extraction, tmp_path, kind):
    if kind == "doubling" and sys.platform != "linux":
        pytest.skip("RLIMIT_AS holds on Linux; elsewhere the timeout alone stops this template")
    tpl = tmp_path / f"{kind}.md.j2"
    tpl.write_text(HOSTILE_TEMPLATES[kind], encoding="utf-8")
    code, out, err, took = _draft_in_a_process(
        saved_extraction, tpl, env={"OCOP_TEMPLATE_TIMEOUT": "3"}
    )
    assert (code, out) == (1, ""), err
    assert err.count("\n") == 1 and err.startswith(f"The template {tpl} "), err
    assert MESSAGES[kind] in err
    assert took < 30, f"{kind} took {took:.1f} s"


def test_user_template_may_not_include_a_link_that_leads_out_of_its_folder(run_cli, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("mật khẩu", encoding="utf-8")
    folder = tmp_path / "templates"
    (folder / "parts").mkdir(parents=True)
    (folder / "parts" / "ok.j2").write_text("phần {{ 1 + 1 }}", encoding="utf-8")
    try:
        (folder / "passwd.j2").symlink_to(secret)
        (folder / "link.md.j2").symlink_to(secret)
    except OSError:
        pytest.skip("this system does not let us make symbolic links")
    article = str(ARTICLES / "01_cao_bang_so_ket_6_thang.txt")
    for source in ['{% include "passwd.j2" %}', '{% extends "passwd.j2" %}',
                   '{% import "passwd.j2" as p %}', '{% from "passwd.j2" import x %}']:  # fmt: skip
        tpl = folder / "main.md.j2"
        tpl.write_text(source, encoding="utf-8")
        code, out, err = run_cli("draft", article, "--template", str(tpl))
        assert (code, out) == (1, ""), source
        assert "mật khẩu" not in err and err.count("\n") == 1
        assert "'passwd.j2', which leads outside the template's folder" in err
    code, out, err = run_cli("draft", article, "--template", str(folder / "link.md.j2"))
    assert (code, out) == (1, "") and "leads outside the template's folder" in err
    tpl.write_text('{% include "parts/ok.j2" %}', encoding="utf-8")
    assert run_cli("draft", article, "--template", str(tpl))[:2] == (0, "phần 2")


def test_user_template_file_over_the_input_limit_is_refused(run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("OCOP_MAX_INPUT_BYTES", "50000")
    (tmp_path / "big.j2").write_text("x" * 50_001, encoding="utf-8")
    tpl = tmp_path / "main.md.j2"
    tpl.write_text('{% include "big.j2" %}', encoding="utf-8")
    code, out, err = run_cli("draft", str(ARTICLES / "01_cao_bang_so_ket_6_thang.txt"),
                             "--template", str(tpl))  # fmt: skip
    assert (code, out) == (1, "")
    assert "uses 'big.j2', which is larger than 50,000 bytes (OCOP_MAX_INPUT_BYTES)" in err


def test_html_format_escapes_a_user_template_whatever_its_name(run_cli, tmp_path):
    tpl = tmp_path / "ban-tin.j2"
    tpl.write_text("<p>{{ article.title }} {{ '<script>' }}</p>\n", encoding="utf-8")
    article = str(ARTICLES / "01_cao_bang_so_ket_6_thang.txt")
    code, out, err = run_cli("draft", article, "--template", str(tpl), "--format", "html")
    assert code == 0, err
    assert out.endswith(
        "<p>Cao Bằng sơ kết Chương trình OCOP 6 tháng đầu năm 2024 &lt;script&gt;</p>\n"
    )
    # The same file as Markdown escapes for Markdown instead.
    code, out, err = run_cli("draft", article, "--template", str(tpl), "--format", "md")
    assert out.endswith(" \\<script\\></p>\n")


@pytest.mark.parametrize("template", sorted(ARTICLE_TEMPLATES))
def test_hostile_article_text_is_inert_in_every_word_and_json_draft(template):
    import docx

    ex = _hostile_extraction()
    d = docx.Document(io.BytesIO(draft(ex, template, "docx")))
    texts = [p.text for p in d.paragraphs] + [c.text for t in d.tables for c in t._cells]
    for t in texts:
        _no_xml_illegal(t)
    assert any("<script>alert(1)</script>" in t for t in texts)  # shown as text
    assert not [r for r in d.part.rels.values() if r.reltype.endswith("/hyperlink")]
    values = json.loads(draft(ex, template, "json"))
    assert "{{ 7*7 }}" in json.dumps(values, ensure_ascii=False)
