"""Vietnamese for the people who use ocop: every marked message (help, argparse's own words,
the headings of `extract --format md`, common errors) is in the catalogue in both languages;
`--lang`, OCOP_LANG or the locale picks the language; JSON output never changes with it."""

from __future__ import annotations

import argparse
import ast
import gettext
import inspect
import json
import re
from pathlib import Path

import pytest
from conftest import ARTICLES

from ocop_nlp import i18n

ROOT = Path(__file__).resolve().parent.parent
PO = i18n.LOCALE_DIR / "vi" / "LC_MESSAGES" / "ocop.po"


def _marked() -> list[str]:
    """The literal strings the package passes to `tr` / `i18n.tr`."""
    out = []
    for path in sorted((ROOT / "ocop_nlp").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            f, first = node.func, node.args[0]
            named = (isinstance(f, ast.Name) and f.id == "tr") or (
                isinstance(f, ast.Attribute) and f.attr == "tr"
            )
            if named and isinstance(first, ast.Constant) and isinstance(first.value, str):
                out.append(first.value)
    return out


def _unquote(s: str) -> str:
    return s.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def _po() -> dict[str, str]:
    entries: dict[str, str] = {}
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        d = dict(re.findall(r'^(msgid|msgid_plural|msgstr|msgstr\[0\]) "(.*)"$', block, re.M))
        if d.get("msgid"):
            entries[_unquote(d["msgid"])] = _unquote(d.get("msgstr") or d.get("msgstr[0]", ""))
    return entries


def _placeholders(s: str) -> list[str]:
    return sorted(re.findall(r"\{\w+(?:![rs])?\}|%\(\w+\)[rsd]|%[rsd]", s))


def test_every_message_exists_in_english_and_vietnamese():
    marked, po = _marked(), _po()
    assert len(set(marked)) >= 100
    wanted = set(marked) | set(i18n.ARGPARSE_MESSAGES) | {a for a, _ in i18n.ARGPARSE_PLURALS}
    assert sorted(wanted) == sorted(po), "the package and ocop.po mark different messages"
    for english, vietnamese in po.items():
        assert vietnamese and vietnamese != english, english
        # Placeholders survive translation.
        assert _placeholders(english) == _placeholders(vietnamese), english


def test_argparse_asks_for_the_words_the_catalogue_translates():
    """This Python's argparse still uses the msgids we translate (else its words stay English)."""
    source = inspect.getsource(argparse)
    for msgid in i18n.ARGPARSE_MESSAGES:
        assert repr(msgid)[1:-1] in source or msgid in source, msgid


def test_compiled_catalogue_matches_the_po_file():
    with (PO.parent / "ocop.mo").open("rb") as f:
        mo = gettext.GNUTranslations(f)
    for english, vietnamese in _po().items():
        assert mo.gettext(english) == vietnamese, "run: msgfmt -o ocop.mo ocop.po"


@pytest.mark.parametrize(
    ("argv", "env", "lang"),
    [
        (["draft", "a.txt", "--lang", "vi"], {}, "vi"),
        (["draft", "a.txt", "--lang=en"], {"LANG": "vi_VN.UTF-8"}, "en"),
        (["draft", "a.txt"], {"LANG": "vi_VN.UTF-8"}, "vi"),
        (["draft", "a.txt"], {"LANGUAGE": "en", "LANG": "vi_VN.UTF-8"}, "en"),
        (["draft", "a.txt"], {"LANG": "C.UTF-8"}, "en"),
        (["draft", "a.txt"], {}, "en"),
        (["extract", "a.txt"], {"OCOP_LANG": "vi", "LANG": "C.UTF-8"}, "vi"),
        (["extract", "a.txt"], {"OCOP_LANG": "en", "LANG": "vi_VN.UTF-8"}, "en"),
        (["extract", "a.txt", "--lang", "en"], {"OCOP_LANG": "vi"}, "en"),
        (["extract", "--", "--lang", "vi"], {}, "en"),
    ],
)
def test_language_comes_from_lang_then_ocop_lang_then_the_locale(argv, env, lang):
    assert i18n.pick_language(argv, env) == lang


def test_draft_help_and_usage_errors_speak_vietnamese_with_lang_vi(run_cli, tmp_path):
    code, out, _ = run_cli("draft", "--help", "--lang", "vi")
    assert code == 0 and "Soạn văn bản từ bài viết" in out
    code, _, err = run_cli(
        "draft", "a.txt", "--format", "md", "-o", str(tmp_path / "x.docx"), "--lang", "vi"
    )
    assert code == 2 and "không khớp với phần mở rộng" in err
    code, _, err = run_cli("draft", "a.txt", "--format", "docx", "--lang", "vi")
    assert (code, err) == (
        1,
        "Bản thảo Word là một tệp: cho tên tệp bằng -o, ví dụ -o tom-tat.docx.\n",
    )
    code, _, err = run_cli("draft", "a.txt", "--format", "docx", "--lang", "en")
    assert err == "A Word draft is a file: give its name with -o, e.g. -o tom-tat.docx.\n"


def test_every_command_speaks_vietnamese_argparse_included(run_cli):
    code, out, _ = run_cli("--lang", "vi", "--help")
    assert code == 0 and out.startswith("cách dùng: ocop")
    assert "tùy chọn:" in out and "hiện trợ giúp này rồi thoát" in out
    assert "trích xuất một bài viết (JSON hoặc Markdown)" in out
    for command in ("extract", "batch", "export", "directives", "officials", "report", "crawl",
                    "templates"):  # fmt: skip
        code, out, _ = run_cli(command, "--help", "--lang", "vi")
        assert code == 0 and out.startswith(f"cách dùng: ocop {command}"), command
        assert "options:" not in out and "show this help" not in out, command
    code, _, err = run_cli("extract", "--lang", "vi")
    assert code == 2 and "ocop extract: lỗi: thiếu các tham số bắt buộc: input" in err
    code, _, err = run_cli("directives", "--db", "x.db", "--since", "2024-13", "--lang", "vi")
    assert code == 2 and "'2024-13' không phải là ngày" in err
    code, _, err = run_cli("extract", "khong-co.txt", "--lang", "vi")
    assert code == 1 and err.startswith("khong-co.txt không tồn tại;")
    # The language lasts one command: the next speaks the default again.
    code, _, err = run_cli("extract", "khong-co.txt")
    assert err.startswith("khong-co.txt does not exist;")


def test_markdown_headings_follow_the_language_and_json_does_not(run_cli, monkeypatch):
    src = str(ARTICLES / "01_cao_bang_so_ket_6_thang.txt")
    _, vi, _ = run_cli("extract", src, "--format", "md", "--lang", "vi")
    _, en, _ = run_cli("extract", src, "--format", "md", "--lang", "en")
    assert re.findall(r"^## .*", vi, re.M) == ["## Cuộc họp", "## Số liệu", "## Khó khăn, hạn chế",
                                               "## Chỉ đạo"]  # fmt: skip
    assert re.findall(r"^## .*", en, re.M) == ["## Meeting", "## Figures", "## Challenges",
                                               "## Directives"]  # fmt: skip
    monkeypatch.setenv("OCOP_LANG", "vi")
    _, as_vi, _ = run_cli("extract", src)
    monkeypatch.setenv("OCOP_LANG", "en")
    _, as_en, _ = run_cli("extract", src)
    assert json.loads(as_vi) == json.loads(as_en)


@pytest.fixture
def vietnamese():
    """The library speaking Vietnamese for one test, as `--lang vi` makes it for one command."""
    before = i18n.language()
    i18n.use_language("vi")
    try:
        yield
    finally:
        i18n.use_language(before)


def test_draft_library_errors_speak_vietnamese(vietnamese, tmp_path):
    from ocop_nlp.drafts.render import draft, render_draft
    from ocop_nlp.errors import InputError, TemplateError

    with pytest.raises(InputError, match="^Cần ít nhất một bài viết"):
        draft([], "tin-bai", "md")
    with pytest.raises(TemplateError, match="^Không có mẫu nào tên 'khong-co'"):
        render_draft({}, "khong-co", "md")
    with pytest.raises(TemplateError, match="^Căn cứ chỉ ghi theo cách footnotes"):
        from ocop_nlp.drafts.render import draft_context

        draft_context(None, evidence="ngoai-le")  # type: ignore[arg-type]
    # A user's template renders in a child process, which answers in the parent's language.
    bad = tmp_path / "hong.md.j2"
    bad.write_text("{% if %}", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"^Mẫu .*hong\.md\.j2 sai cú pháp ở dòng 1"):
        render_draft({}, str(bad), "md")


def test_batch_and_crawl_summary_lines_speak_vietnamese(vietnamese):
    from collections import Counter

    from ocop_nlp.batch.summary import BatchSummary
    from ocop_nlp.crawl.crawler import CrawlSummary

    b = BatchSummary(ok=1204, failed=17, skipped=3, seconds=2.0)
    b.reasons = Counter({"empty text": 11, "bad encoding": 6})
    assert b.line() == (
        "1,204 bài xong, 17 bài lỗi: 11 không có nội dung, 6 sai bảng mã; 3 bài đã xử lý từ "
        "trước (2.0 giây, 602.0 bài/giây)"
    )
    c = CrawlSummary(run_id=2, sites=["a", "b"], pages=10, requests=12, stored=7, seconds=5.0)
    c.queued, c.stop, c.stop_reason = 4, "interrupted", ""
    assert c.line() == (
        "Lượt chạy 2: đã tải 10 trang từ 2 trang web trong 5.0 giây (2.0 trang/giây, 12 lượt "
        "truy cập); 7 bài đã lưu, 0 bài cập nhật, 0 bài trùng, 0 bài không đổi; còn 4 trong "
        "hàng đợi (bị ngắt; chạy lại đúng lệnh này để làm tiếp)."
    )


def test_table_headings_follow_the_language_and_csv_keys_do_not(vietnamese):
    from ocop_nlp.track.views import ITEM_COLUMNS, format_items, format_officials

    assert format_items([], "table").split()[:4] == ["mã", "cơ", "quan", "được"]
    assert "họ tên" in format_officials([], "table") and "chức vụ" in format_officials([], "table")
    assert format_items([], "csv") == "\ufeff" + ",".join(ITEM_COLUMNS) + "\r\n"


def test_officials_help_speaks_vietnamese(run_cli):
    code, out, _ = run_cli("officials", "--help", "--lang", "vi")
    assert code == 0 and out.count("Người chủ trì và người chỉ đạo") == 1
    assert "part of the name" not in out and "một phần họ tên" in out
