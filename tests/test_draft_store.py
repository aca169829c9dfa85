"""Drafts from a store: the digest of a period (`ban-tin --db`) and the directive follow-up
report (`bao-cao-theo-doi`), each line traced to its sentence and article; golden files in
md, html and docx; the province and period filters; hostile text stays inert.

The meetings (tests/data/store_meetings.jsonl) were written for these tests: names, figures
and places are made up.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess

import pytest
from conftest import ROOT, check_golden, docx_text, write_jsonl

from ocop_nlp.drafts.stored import draft_from_store, follow_up_context, meetings_in_store
from ocop_nlp.errors import InputError
from ocop_nlp.store import open_store
from ocop_nlp.track import Filters

TODAY = "2023-12-31"
DATA = ROOT / "tests" / "data"
# Four meetings written for these tests and for the README's images (names, figures and places
# made up): one order given twice and overdue, one reported done later, one in another province.
MEETINGS = [
    json.loads(line)
    for line in (DATA / "store_meetings.jsonl").read_text(encoding="utf-8").splitlines()
]
HA_TINH = {"since": "2023-01-01", "until": "2023-12-31", "province": "Hà Tĩnh"}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    from ocop_nlp.batch import run_batch

    d = tmp_path_factory.mktemp("drafts")
    src = write_jsonl(d / "in.jsonl", MEETINGS)
    db = d / "tin.db"
    run_batch(src, d / "out.jsonl", progress=io.StringIO(), workers=1, db=db)
    return db


def _text(out: str | bytes) -> str:
    return docx_text(out) if isinstance(out, bytes) else out


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
@pytest.mark.parametrize("template", ["ban-tin", "bao-cao-theo-doi"])
def test_store_drafts_match_their_golden_files(store_path, template, fmt):
    out = draft_from_store(store_path, template, fmt, today=TODAY, **HA_TINH)
    check_golden(f"store.{template}.{fmt}" + (".txt" if fmt == "docx" else ""), _text(out))


def test_the_digest_keeps_to_the_period_and_the_province(store_path):
    with open_store(store_path) as st:
        every = meetings_in_store(st, Filters())
        ha_tinh = meetings_in_store(st, Filters.parse(**HA_TINH))
        spring = meetings_in_store(st, Filters.parse(since="2023-03", until="2023-06"))
    assert [m.id for m in every] == ["ht-2023-03", "na-2023-05", "ht-2023-06", "ht-2023-09"]
    assert [m.id for m in ha_tinh] == ["ht-2023-03", "ht-2023-06", "ht-2023-09"]
    assert [m.id for m in spring] == ["ht-2023-03", "na-2023-05", "ht-2023-06"]
    md = draft_from_store(store_path, "ban-tin", "md", **HA_TINH)
    assert "**3 cuộc họp ở tỉnh Hà Tĩnh, 1/1/2023 – 31/12/2023**" in md
    assert "Nghệ An" not in md


def test_the_follow_up_report_sorts_items_by_status_with_their_evidence(store_path):
    with open_store(store_path) as st:
        c = follow_up_context(st, Filters.parse(**HA_TINH), today=TODAY)
    by_status = {
        s["status"]: [t["action"] for g in s["groups"] for t in g["tasks"]] for s in c["sections"]
    }
    assert any("tuyên truyền" in a for a in by_status["overdue"])  # due 30/4, never reported
    assert any("hội chợ" in a for a in by_status["reported done"])  # "đã tổ chức hội chợ"
    assert any("bao bì" in a for a in by_status["open"])  # due in quý IV, not yet past
    assert (c["overdue"], c["done"], c["articles"]) == (1, 1, 3)
    # The order given twice is one task, with the day it was repeated.
    [told] = [t for g in c["sections"][0]["groups"] for t in g["tasks"]]
    assert (told["first_seen_doc"], told["repeated_doc"]) == (
        "ngày 10 tháng 3 năm 2023",
        ["ngày 15 tháng 6 năm 2023"],
    )
    # Every line has a note with the sentence and the article it came from.
    notes = {n["id"]: n for n in c["notes"]}
    for s in c["sections"]:
        for g in s["groups"]:
            for t in g["tasks"]:
                n = notes[t["note"]]
                assert n["item"] == t["id"] and n["article_id"].startswith("ht-")
                assert n["same_sentence_as"] or t["action"][:20] in n["sentence"]
    [done] = [t for g in c["sections"][2]["groups"] for t in g["tasks"]]
    assert notes[done["status_note"]]["article_id"] == "ht-2023-09"
    assert "đã tổ chức hội chợ" in notes[done["status_note"]]["sentence"]


def test_the_follow_up_report_leaves_out_excluded_items_and_says_what_is_overdue_as_of(
    store_path,
):
    with open_store(store_path) as st:
        c = follow_up_context(st, Filters.parse(**HA_TINH), today="2023-04-01")
        assert c["overdue"] == 0  # 30/4 had not come yet
        first = c["sections"][1]["groups"][0]["tasks"][0]["id"]
        fewer = follow_up_context(st, Filters.parse(**HA_TINH), today=TODAY, exclude=[first])
    assert fewer["tracked"] == c["tracked"] - 1
    assert first not in json.dumps(fewer)


def test_a_store_draft_from_the_command_line(run_cli, store_path, tmp_path):
    out = tmp_path / "bc.docx"
    code, _, err = run_cli(
        "draft", "--db", str(store_path), "--template", "bao-cao-theo-doi", "--since", "2023",
        "--until", "2023", "--province", "Hà Tĩnh", "--as-of", "31/12/2023", "-o", str(out),
    )  # fmt: skip
    assert code == 0, err
    assert "BÁO CÁO" in _text(out.read_bytes())
    code, out_md, _ = run_cli(
        "draft", "--db", str(store_path), "--since", "2023-05", "--until", "2023-05"
    )
    assert code == 0 and "**1 cuộc họp, 1/5/2023 – 31/5/2023**" in out_md
    code, out_md, _ = run_cli(
        "draft", "--db", str(store_path), "--template", "bao-cao-theo-doi", "--status", "overdue",
        "--addressee", "Sở NN&PTNT", "--as-of", "2023-12-31",
    )  # fmt: skip
    assert code == 0 and re.findall(r"^## .*", out_md, re.M) == [
        "## I. TÌNH HÌNH CHUNG",
        "## II. NHIỆM VỤ QUÁ HẠN, CHƯA CÓ BÁO CÁO HOÀN THÀNH",
    ]
    assert "### a) Sở Nông nghiệp và PTNT" in out_md and "Sở Tài chính" not in out_md
    code, _, err = run_cli("draft", "--db", str(store_path), "--since", "2030")
    assert code == 1 and err.startswith("The store") and "no meeting reports" in err
    code, _, err = run_cli("draft", "a.txt", "--db", str(store_path))
    assert code == 2 and "not both" in err
    code, _, err = run_cli("draft")
    assert code == 2 and "--db" in err
    code, _, err = run_cli("draft", "--db", str(tmp_path / "none.db"))
    assert code == 1 and "none.db" in err


def test_the_follow_up_report_needs_a_store(store_path):
    from ocop_nlp import draft
    from ocop_nlp.records import Article, Extraction

    ex = Extraction(id="x", article=Article(text="Họp."), text="Họp.")
    with pytest.raises(InputError, match="--db STORE"):
        draft(ex, "bao-cao-theo-doi")


def test_hostile_text_in_a_store_is_inert_in_the_report(tmp_path):
    from ocop_nlp.batch import run_batch

    hostile = "<script>alert(1)</script> {{ 7*7 }} {% for %} [x](javascript:alert(1))"
    rec = {
        "id": "x",
        "published": "2023-03-10",
        "title": f"Họp {hostile}",
        "url": "javascript:alert(1)",
        "text": f"Ngày 10/3/2023, UBND tỉnh Hà Tĩnh họp. Phó Chủ tịch UBND tỉnh yêu cầu Sở "
        f"Công Thương tổ chức hội chợ {hostile} trước ngày 30/4/2023.",
    }
    db = tmp_path / "x.db"
    run_batch(write_jsonl(tmp_path / "x.jsonl", [rec]), tmp_path / "o.jsonl",
              progress=io.StringIO(), workers=1, db=db)  # fmt: skip
    html = draft_from_store(db, "bao-cao-theo-doi", "html", today=TODAY)
    assert "<script>" not in html and "&lt;script&gt;" in html and "49" not in html
    assert 'href="javascript' not in html
    md = draft_from_store(db, "bao-cao-theo-doi", "md", today=TODAY)
    assert not re.search(r"(?<!\\)\]\(javascript", md) and "\\<script\\>" in md
    text = _text(draft_from_store(db, "bao-cao-theo-doi", "docx", today=TODAY))
    assert "{{ 7*7 }}" in text and "49" not in text


def test_an_article_template_is_refused_for_a_store(store_path):
    with pytest.raises(InputError, match="drafts from articles"):
        draft_from_store(store_path, "tin-bai")


def test_a_meeting_date_is_not_shown_as_the_publication_date(tmp_path):
    from ocop_nlp.batch import run_batch

    rec = dict(MEETINGS[0], id="undated", published=None)
    db = tmp_path / "u.db"
    run_batch(write_jsonl(tmp_path / "u.jsonl", [rec]), tmp_path / "o.jsonl",
              progress=io.StringIO(), workers=1, db=db)  # fmt: skip
    md = draft_from_store(db, "ban-tin", "md", since="2023-03", until="2023-03")
    assert "**1 cuộc họp, 1/3/2023 – 31/3/2023**" in md and "đăng ngày" not in md


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not here")
def test_the_follow_up_report_converts_to_pdf_with_libreoffice(store_path, tmp_path):
    src = tmp_path / "bao-cao-theo-doi.docx"
    src.write_bytes(draft_from_store(store_path, "bao-cao-theo-doi", "docx", today=TODAY))
    proc = subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
        capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = tmp_path / "bao-cao-theo-doi.pdf"
    assert pdf.exists(), proc.stderr.decode("utf-8", "replace")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_the_follow_up_report_shows_addressees_as_the_articles_write_them(store_path):
    """The gazetteer's canonical name groups ("UBND huyện"); the draft shows the source's words."""
    with open_store(store_path) as st:
        c = follow_up_context(st, Filters.parse(**HA_TINH), today=TODAY)
    groups = {g["agency"]: g for s in c["sections"] for g in s["groups"]}
    assert groups["UBND huyện"]["addressee"] == "UBND các huyện"
    assert [t["addressee"] for t in groups["UBND huyện"]["tasks"]] == ["UBND các huyện"]
    # Written two ways ("Sở Nông nghiệp và PTNT", then "Sở NN&PTNT"): one group, the first words.
    nn = groups["Sở Nông nghiệp và Phát triển nông thôn"]
    assert nn["addressee"] == "Sở Nông nghiệp và PTNT" and len(nn["tasks"]) == 1
    md = draft_from_store(store_path, "bao-cao-theo-doi", "md", today=TODAY, **HA_TINH)
    assert "### b) UBND các huyện\n" in md and "UBND huyện\n" not in md


# Made up for the --top tests: one agency given three orders, one of them twice.
BUSY = [
    {
        "id": "qb-2024-02",
        "published": "2024-02-05",
        "title": "Quảng Bình giao ban Chương trình OCOP",
        "text": "Ngày 5/2/2024, UBND tỉnh Quảng Bình tổ chức hội nghị giao ban Chương trình OCOP. "
        "Phó Chủ tịch UBND tỉnh Lê Văn Hải yêu cầu Sở Tài chính bố trí kinh phí tập huấn cho "
        "các chủ thể OCOP; Sở Tài chính hướng dẫn thanh toán kinh phí hỗ trợ; Sở Tài chính "
        "thẩm định dự toán hội chợ OCOP năm 2024; UBND các huyện rà soát sản phẩm đợt 1.",
    },
    {
        "id": "qb-2024-04",
        "published": "2024-04-10",
        "title": "Quảng Bình sơ kết quý I Chương trình OCOP",
        "text": "Ngày 10/4/2024, UBND tỉnh Quảng Bình tổ chức hội nghị sơ kết quý I Chương trình "
        "OCOP. Phó Chủ tịch UBND tỉnh Lê Văn Hải yêu cầu Sở Tài chính bố trí kinh phí tập huấn "
        "cho các chủ thể OCOP.",
    },
]


@pytest.fixture(scope="module")
def busy_store(tmp_path_factory):
    from ocop_nlp.batch import run_batch

    d = tmp_path_factory.mktemp("busy")
    db = d / "tin.db"
    run_batch(write_jsonl(d / "in.jsonl", BUSY), d / "out.jsonl", progress=io.StringIO(),
              workers=1, db=db)  # fmt: skip
    return db


def test_top_keeps_the_most_repeated_tasks_per_addressee_and_counts_the_rest(busy_store):
    today = "2024-06-30"
    with open_store(busy_store) as st:
        every, one, counts = (follow_up_context(st, today=today, top=n) for n in (None, 1, 0))
    finance = [g for s in every["sections"] for g in s["groups"] if g["agency"] == "Sở Tài chính"]
    assert len(finance) == 1 and finance[0]["count"] == 3, finance
    # Totals and groups stay the report's whatever is shown.
    for c in (one, counts):
        assert [(s["count"], len(s["groups"])) for s in c["sections"]] == [
            (s["count"], len(s["groups"])) for s in every["sections"]
        ]
        assert (c["tracked"], c["overdue"], c["open"], c["done"]) == (
            every["tracked"], every["overdue"], every["open"], every["done"]
        )  # fmt: skip
    shown = {g["agency"]: g for s in one["sections"] for g in s["groups"]}["Sở Tài chính"]
    assert [t["action"] for t in shown["tasks"]] == [
        "bố trí kinh phí tập huấn cho các chủ thể OCOP"  # the one given twice comes first
    ]
    assert shown["more"] == 2
    assert all(not g["tasks"] for s in counts["sections"] for g in s["groups"])
    assert not counts["notes"]  # nothing is quoted that is not shown
    md = draft_from_store(busy_store, "bao-cao-theo-doi", "md", today=today, top=1)
    assert "- Ngoài ra còn 2 nhiệm vụ khác.\n" in md
    assert "Mỗi cơ quan, đơn vị được nêu tối đa 1 nhiệm vụ" in md
    md = draft_from_store(busy_store, "bao-cao-theo-doi", "md", today=today, top=0)
    assert "- Sở Tài chính: 3 nhiệm vụ.\n" in md and "- UBND các huyện: 1 nhiệm vụ.\n" in md
    assert "###" not in md.split("## II.")[1]


def test_top_is_for_the_follow_up_report_and_not_below_zero(store_path, run_cli):
    with pytest.raises(InputError, match="--top shortens the follow-up report"):
        draft_from_store(store_path, "ban-tin", "md", top=2)
    code, _, err = run_cli(
        "draft", "--db", str(store_path), "--template", "bao-cao-theo-doi", "--top", "-1"
    )
    assert code == 1 and "below 0" in err
