"""Directives over time: agencies, places, grouping, status, `ocop directives`, `ocop export`
with filters, the analysts' SQL views, and the grouping threshold's annotated pairs."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from conftest import ROOT, SHARED, write_jsonl

from ocop_nlp.errors import InputError
from ocop_nlp.store import open_store
from ocop_nlp.track import Filters, query_directives, timeline
from ocop_nlp.track.dates import due_of, parse_day
from ocop_nlp.track.gazetteer import gazetteer
from ocop_nlp.track.places import place_of, places

# Three meetings in one province, written for these tests: the same order to the provincial
# Sở Nông nghiệp in three spellings, a deadline long past, a later report of it done, junk.
MEETINGS = [
    {
        "id": "cb-2019-03",
        "url": "https://caobang.gov.vn/tin-tuc/so-ket-ocop",
        "published": "2019-03-12",
        "title": "Sơ kết Chương trình OCOP",
        "text": "Sáng 12/3/2019, đồng chí Nguyễn Văn An, Phó Chủ tịch UBND tỉnh Cao Bằng chủ trì "
        "hội nghị sơ kết Chương trình OCOP. Phó Chủ tịch yêu cầu Sở NN&PTNT đẩy mạnh tuyên "
        "truyền về Chương trình OCOP đến người dân; Sở Công Thương hỗ trợ xúc tiến thương mại "
        "cho các sản phẩm OCOP. Phó Chủ tịch giao Sở Tài chính bố trí kinh phí đào tạo cán bộ "
        "trước ngày 30/4/2019.",
    },
    {
        "id": "cb-2019-06",
        "url": "https://caobang.gov.vn/tin-tuc/giao-ban",
        "published": "2019-06-20",
        "title": "Giao ban OCOP quý II",
        "text": "Ngày 20/6/2019, UBND tỉnh Cao Bằng tổ chức hội nghị giao ban. Phó Chủ tịch "
        "UBND tỉnh Nguyễn Văn An yêu cầu Sở Nông nghiệp và PTNT tiếp tục đẩy mạnh công tác "
        "tuyên truyền về Chương trình OCOP đến người dân; các huyện rà soát các sản phẩm tiềm "
        "năng.",
    },
    {
        "id": "cb-2019-09",
        "url": "https://caobang.gov.vn/tin-tuc/danh-gia",
        "published": "2019-09-15",
        "title": "Đánh giá Chương trình OCOP",
        "text": "Ngày 15/9/2019, UBND tỉnh Cao Bằng họp đánh giá Chương trình OCOP. Đến nay, Sở "
        "Nông nghiệp và Phát triển nông thôn đã hoàn thành việc tuyên truyền về Chương trình "
        "OCOP đến người dân tại 10 huyện. Chủ tịch UBND tỉnh đề nghị Tổ công tác kiểm tra tiến "
        "độ.",
    },
]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    from ocop_nlp.batch import run_batch

    d = tmp_path_factory.mktemp("track")
    src = write_jsonl(d / "in.jsonl", MEETINGS)
    db = d / "tin.db"
    run_batch(src, d / "out.jsonl", progress=io.StringIO(), workers=1, db=db)
    return db


# --- gazetteer, places, dates ---------------------------------------------------------------------


def test_three_spellings_of_the_provincial_department_are_one_agency():
    g = gazetteer()
    forms = ["Sở NN&PTNT", "Sở Nông nghiệp và PTNT", "Sở Nông nghiệp và Phát triển nông thôn"]
    assert {g.resolve(f).agency_id for f in forms} == {"so-nn-ptnt"}
    assert g.resolve("Sở NN&PTNT tỉnh Cao Bằng").level == "tỉnh"


def test_junk_addressees_are_rejected_and_unknown_agencies_kept_raw():
    g = gazetteer()
    for junk in ("Tổ", "Cục", "công tác giám sát, ứng cứu sự cố an toàn thông tin", "Sở cũng"):
        assert g.resolve(junk).junk, junk
    a = g.resolve("Ban Quản lý dự án Đầu tư xây dựng tỉnh")
    assert not a.junk and a.agency_id == "raw:ban quan ly du an dau tu xay dung tinh"


def test_an_addressee_naming_several_agencies_splits_into_each_canonical_one():
    g = gazetteer()
    names = [a.name for a in g.split("Sở Tài chính, Sở NN&PTNT và UBND các huyện")]
    assert names == ["Sở Tài chính", "Sở Nông nghiệp và Phát triển nông thôn", "UBND huyện"]
    # Names that hold a comma or "và" stay whole; a part naming no agency stays with the one
    # before it, and an agency named twice is one.
    for one in (
        "Bộ Lao động, Thương binh và Xã hội",
        "Sở NN và PTNT",
        "Sở Văn hóa, Thể thao và Du lịch",
    ):
        assert [a.agency_id for a in g.split(one)] == [g.resolve(one).agency_id]
    assert [a.name for a in g.split("UBND các huyện, thành phố")] == ["UBND huyện"]
    assert len(g.split("UBND các huyện, thị xã")) == 1
    assert g.split(None)[0].junk


def test_the_2025_merger_makes_old_and_new_department_names_find_each_other():
    g = gazetteer()
    ids, _ = g.matching_ids("Sở Nông nghiệp và Môi trường")
    assert {"so-nn-ptnt", "so-tn-mt", "so-nn-mt"} <= ids
    assert g.matching_ids("Sở NN&PTNT")[0] == ids


def test_the_places_file_has_63_provinces_in_34_units_from_july_2025():
    pl = places()
    assert len(pl.provinces) == 63
    assert len({p.since_2025 for p in pl.provinces.values()}) == 34
    assert (
        pl.same_place("Hà Giang")
        == pl.same_place("tỉnh Tuyên Quang")
        == {
            "ha-giang",
            "tuyen-quang",
        }
    )


def test_a_province_comes_from_the_site_then_from_the_text():
    p = place_of("dakrlap.daknong.gov.vn", None, None, "")
    assert (p.province, p.district, p.source) == ("Đắk Nông", "huyện Đắk R'lấp", "site")
    assert place_of("YangKlee/BinhDinhNews", None, None, "").province == "Bình Định"
    t = place_of(None, None, "Tin", "UBND tỉnh Sơn La họp tại huyện Mộc Châu. Tỉnh Sơn La có")
    assert (t.province, t.district, t.source) == ("Sơn La", "huyện Mộc Châu", "text")
    assert (
        place_of("baomoi.com", "https://baomoi.com/x", None, "Không nói nơi nào.").province is None
    )
    # Another province named as a partner is not the article's.
    other = "UBND tỉnh họp; Sở Công Thương phối hợp với Thành phố Hồ Chí Minh tổ chức hội chợ."
    assert place_of(None, None, None, other).province is None


def test_filter_dates_take_the_forms_analysts_type_and_name_them_when_wrong():
    assert parse_day("2019") == "2019-01-01" and parse_day("2019", end=True) == "2019-12-31"
    assert parse_day("2019-02", end=True) == "2019-02-28"
    assert parse_day("7/2019") == "2019-07-01" and parse_day("15/3/2019") == "2019-03-15"
    for bad in ("2019-13", "hôm qua", "31/2/2019", ""):
        with pytest.raises(InputError, match="YYYY-MM-DD"):
            parse_day(bad)


def test_a_deadline_without_a_year_is_due_in_the_articles_year():
    assert due_of("xong trước ngày 20/2", "2017-01-05") == "2017-02-20"
    assert due_of("trước 30/6", "2017-08-01") == "2018-06-30"
    assert due_of("2017-Q2", None) == "2017-06-30"
    assert due_of("trong tháng Hai", "2017-01-05") == "2017-02-28"
    assert due_of("sớm", "2017-01-05") is None


# --- tracking ---------------------------------------------------------------------------------------


def test_repeats_across_meetings_are_one_item_with_first_last_and_mentions(store_path):
    with open_store(store_path) as st:
        items = query_directives(st, Filters(addressee="Sở Nông nghiệp và Phát triển nông thôn"))
        [it] = [i for i in items if "tuyên truyền" in i.action]
        assert it.addressee == "Sở Nông nghiệp và Phát triển nông thôn"
        assert (it.first_seen, it.last_seen, it.mentions) == ("2019-03-12", "2019-06-20", 2)
        assert it.articles == ["cb-2019-03", "cb-2019-06"]
        assert it.provinces == ["Cao Bằng"] and it.level == "tỉnh"
        assert it.issuers == [
            "Phó Chủ tịch UBND tỉnh Cao Bằng Nguyễn Văn An",
            "Phó Chủ tịch UBND tỉnh Nguyễn Văn An",
        ]
        assert it.continued == 1  # "tiếp tục" in June


def test_a_later_report_of_done_and_a_passed_deadline_give_the_status_with_evidence(store_path):
    with open_store(store_path) as st:
        items = {i.action: i for i in query_directives(st)}
    done = next(i for a, i in items.items() if "tuyên truyền" in a)
    assert done.status == "reported done"
    assert done.evidence is not None and done.evidence.article_id == "cb-2019-09"
    assert "đã hoàn thành" in (done.evidence.text or "")
    late = next(i for a, i in items.items() if "kinh phí đào tạo" in a)
    assert (late.status, late.due) == ("overdue", "2019-04-30")
    assert late.evidence is not None and late.evidence.article_id == "cb-2019-03"
    assert next(i for a, i in items.items() if "xúc tiến" in a).status == "open"
    # Junk addressees keep their directive, without an agency.
    assert items["kiểm tra tiến độ"].addressee is None


def test_status_as_of_a_day_counts_only_what_was_known_by_then(store_path):
    def statuses(as_of):
        with open_store(store_path) as st:
            items = query_directives(st, Filters.parse(as_of=as_of))
        return {i.action.split()[2]: (i.status, i.mentions) for i in items}  # a word of each

    # In April 2019 the deadline of 30/4 had not passed, and June's repeat had not happened.
    april = statuses("2019-04-15")
    assert april == {"kinh": ("open", 1), "tuyên": ("open", 1), "xúc": ("open", 1)}
    # In July: overdue, repeated, not yet reported done (the report came in September).
    july = statuses("07/2019")
    assert (july["kinh"], july["tuyên"]) == (("overdue", 1), ("open", 2))
    assert "các" in july  # June's "rà soát các sản phẩm tiềm năng"
    assert statuses("2019")["tuyên"] == ("reported done", 2)


def test_an_addressee_outside_the_gazetteer_stays_searchable_as_written(store_path):
    with open_store(store_path) as st:
        [it] = query_directives(st, Filters(addressee="tổ công tác"))
        assert it.action == "kiểm tra tiến độ" and it.addressee is None
        kind, [m] = timeline(st, "TO CONG TAC")
        assert (kind, m.addressee, m.agency) == ("addressee", "Tổ công tác", None)


def test_old_and_new_province_names_find_the_same_articles(store_path):
    with open_store(store_path) as st:
        assert query_directives(st, Filters(province="Cao Bằng"))
        assert not query_directives(st, Filters(province="Hà Giang"))
        assert not query_directives(st, Filters(province="Tây Nguyên"))  # unknown: raw text


def test_the_timeline_of_an_addressee_lists_its_mentions_oldest_first(store_path):
    with open_store(store_path) as st:
        kind, ms = timeline(st, "Sở NN&PTNT")
        assert kind == "addressee"
        assert [m.article_id for m in ms] == ["cb-2019-03", "cb-2019-06"]
        assert ms[1].continuation and ms[0].evidence.text and "Sở NN&PTNT" in ms[0].evidence.text
        kind, by_item = timeline(st, ms[0].item_id or "")
        assert kind == "item" and [m.article_id for m in by_item] == ["cb-2019-03", "cb-2019-06"]


def test_full_text_search_ignores_case_and_diacritics_with_and_without_fts5(store_path, tmp_path):
    import shutil

    copy = tmp_path / "copy.db"
    shutil.copy(store_path, copy)
    for fts in ("1", "0"):  # "0": what a Python without FTS5 does (a folded LIKE)
        with open_store(copy) as st:
            query_directives(st)
            st.conn.execute("UPDATE track_meta SET value = ? WHERE key = 'fts'", (fts,))
            for q in ("tuyen truyen", "TUYÊN TRUYỀN", "NÔNG NGHIỆP"):
                assert any(
                    "tuyên truyền" in i.action for i in query_directives(st, Filters(q=q))
                ), (fts, q)
            assert any("đào tạo" in i.action for i in query_directives(st, Filters(q="dao tao")))
            assert not query_directives(st, Filters(q="khong co dau"))


def test_the_views_give_analysts_rows_without_json(store_path):
    with sqlite3.connect(store_path) as c:
        rows = c.execute(
            "SELECT item_id, title, province, agency, action FROM item_mentions "
            "WHERE agency LIKE 'Sở Nông%' ORDER BY published"
        ).fetchall()
        assert [r[1] for r in rows] == ["Sơ kết Chương trình OCOP", "Giao ban OCOP quý II"]
        assert rows[0][0] == rows[1][0] and rows[0][2] == "Cao Bằng"
        figs = c.execute(
            "SELECT value, unit FROM figure_rows WHERE article_id = 'cb-2019-09'"
        ).fetchall()
        assert (10, "huyện") in figs


# --- the commands -------------------------------------------------------------------------------------


def test_ocop_directives_prints_the_contract_columns_and_filters(run_ocop, store_path):
    code, out, err = run_ocop(
        "directives", "--db", str(store_path), "--since", "2019", "--until", "6/2019",
        "--addressee", "Sở NN và PTNT", "--format", "csv",
    )  # fmt: skip
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    assert list(rows[0])[:7] == [
        "id",
        "addressee",
        "action",
        "first_seen",
        "last_seen",
        "mentions",
        "status",
    ]
    assert [(r["mentions"], r["status"]) for r in rows] == [("2", "reported done")]
    code, out, err = run_ocop(
        "directives", "--db", str(store_path), "--recurring", "--q", "dao tao"
    )
    assert code == 0 and out == "" and "No tracked directives match" in err


def test_a_malformed_since_is_a_usage_error_naming_the_accepted_forms(run_cli, store_path):
    code, out, err = run_cli("directives", "--db", str(store_path), "--since", "2019-13-01")
    assert code == 2 and out == ""
    assert "YYYY, YYYY-MM, YYYY-MM-DD, MM/YYYY or DD/MM/YYYY" in err


def test_directives_of_a_missing_store_fail_without_creating_it(run_cli, tmp_path):
    code, _, err = run_cli("directives", "--db", str(tmp_path / "khong-co.db"))
    assert code == 1 and "does not exist" in err and not (tmp_path / "khong-co.db").exists()


def test_directives_as_jsonl_and_a_timeline_table(run_cli, store_path):
    code, out, err = run_cli(
        "directives", "--db", str(store_path), "--format", "jsonl", "--status", "overdue"
    )
    assert code == 0, err
    [item] = [json.loads(x) for x in out.splitlines()]
    assert item["status"] == "overdue" and item["evidence"]["article_id"] == "cb-2019-03"
    code, out, err = run_cli(
        "directives", "--db", str(store_path), "--status", "overdue", "--as-of", "20/4/2019"
    )
    assert code == 0 and out == "" and "No tracked directives" in err
    code, out, err = run_cli("directives", "--db", str(store_path), "--as-of", "April")
    assert code == 2 and "YYYY-MM-DD" in err
    code, out, err = run_cli("directives", "--db", str(store_path), "--timeline", "Sở Nông nghiệp")
    assert code == 0, err
    assert out.index("2019-03-12") < out.index("2019-06-20") and "cb-2019-06" in out


def test_export_figures_challenges_directives_and_items_take_the_same_filters(run_cli, store_path):
    for what in ("figures", "directives", "items", "challenges"):
        code, out, err = run_cli(
            "export", "--db", str(store_path), "--what", what, "--province", "Cao Bằng",
            "--since", "2019-06", "--format", "csv",
        )  # fmt: skip
        assert code == 0, err
        rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
        dates = [r.get("published") or r.get("last_seen") for r in rows]
        assert all(d >= "2019-06" for d in dates), (what, dates)
        if what != "challenges":
            assert rows, what
    code, out, err = run_cli(
        "export", "--db", str(store_path), "--what", "items", "--site", "khong-co"
    )
    assert code == 0 and out == "" and "match these filters; the export is empty" in err


# --- the grouping threshold --------------------------------------------------------------------------

PAIRS = ROOT / "corpora" / "annotations" / "directive_pairs.jsonl"


def test_the_annotated_pairs_are_stand_off_on_dev_articles_only():
    pairs = [json.loads(x) for x in PAIRS.read_text(encoding="utf-8").splitlines()]
    assert len(pairs) >= 300
    assert {p["same"] for p in pairs} == {0, 1}
    for p in pairs:
        assert set(p) == {"a", "b", "same", "annotator"}
        for side in (p["a"], p["b"]):
            assert set(side) == {"article", "text_sha1", "start", "end"}  # no text
    dev_ids = SHARED / "data" / "splits" / "dev_ids.txt"
    if dev_ids.exists():
        dev = set(dev_ids.read_text().split())
        assert {p[s]["article"] for p in pairs for s in "ab"} <= dev


def test_grouping_precision_and_recall_on_the_annotated_pairs_stay_above_their_floor(
    news_dir, tmp_path
):
    """The quality gate of grouping: the packaged threshold on the annotated dev pairs."""
    from conftest import read_jsonl_gz

    from ocop_nlp.batch import run_batch
    from ocop_nlp.track.core import track_settings
    from ocop_nlp.track.evaluate import load_pairs, pair_similarities, score_at

    pairs = load_pairs(PAIRS)
    wanted = {p[s]["article"] for p in pairs for s in "ab"}
    records = [
        r
        for f in sorted(news_dir.glob("*.jsonl.gz"))
        for r in read_jsonl_gz(f)
        if r["id"] in wanted
    ]
    src = write_jsonl(tmp_path / "pairs.jsonl", records)
    run_batch(src, tmp_path / "out.jsonl", progress=io.StringIO(), workers=1, db=tmp_path / "p.db")
    with open_store(tmp_path / "p.db") as st:
        scored, missing = pair_similarities(st, pairs)
    s = score_at(scored, track_settings().group_threshold, missing)
    assert missing <= len(pairs) // 10, "the extractions moved: re-anchor the pairs"
    assert s.precision >= 0.9 and s.recall >= 0.65, s


def test_the_report_is_one_self_contained_html_file_with_rows_linked_to_evidence(
    run_ocop, store_path, tmp_path
):
    import re

    out = tmp_path / "report.html"
    code, _, err = run_ocop("report", "--db", str(store_path), "--since", "2019", "-o", str(out))
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and html.count("<svg") == 2
    assert "No dated figures with this unit" in html  # no "sản phẩm" figure in these meetings
    # Nothing to fetch: no scripts, stylesheets or images from anywhere.
    assert not re.search(r"<(script|link|img|iframe)\b", html)
    assert not re.search(r"src=", html)
    links = set(re.findall(r"href='#(ev-it-[0-9a-f]+)'", html))
    assert links and all(f"id='{a}'" in html for a in links)
    assert "đã hoàn thành" in html and "Sở Nông nghiệp và Phát triển nông thôn" in html
    code, _, err = run_ocop(
        "report", "--db", str(store_path), "--indicator", "huyện", "-o", str(out)
    )
    html = out.read_text(encoding="utf-8")
    assert code == 0 and html.count("<svg") == 3
    assert "Cao Bằng 2019-09: 10" in html  # "10 huyện" in September, on the indicator chart
