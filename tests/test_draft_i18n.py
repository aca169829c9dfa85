"""The `draft` command in Vietnamese: every marked message is in the catalogue, in both
languages, and `--lang` or the locale picks the language."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest

from ocop_nlp.drafts import i18n

ROOT = Path(__file__).resolve().parent.parent
PO = i18n.LOCALE_DIR / "vi" / "LC_MESSAGES" / "ocop.po"


def _marked() -> list[str]:
    """The strings the CLI passes to i18n.tr."""
    tree = ast.parse((ROOT / "ocop_nlp" / "cli.py").read_text(encoding="utf-8"))
    return [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "tr"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ]


def _po() -> dict[str, str]:
    entries: dict[str, str] = {}
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        parts = re.findall(r'^(msgid|msgstr) "(.*)"$', block, re.M)
        d = dict(parts)
        if d.get("msgid"):
            entries[d["msgid"].replace('\\"', '"')] = d["msgstr"].replace('\\"', '"')
    return entries


def test_every_draft_message_exists_in_english_and_vietnamese():
    marked, po = _marked(), _po()
    assert len(marked) >= 10
    assert sorted(set(marked)) == sorted(po), "cli.py and ocop.po mark different messages"
    for english, vietnamese in po.items():
        assert vietnamese and vietnamese != english, english
        # Placeholders survive translation.
        assert re.findall(r"\{\w+\}", english) == re.findall(r"\{\w+\}", vietnamese)


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
    ],
)
def test_language_comes_from_lang_then_the_locale(argv, env, lang):
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
