"""Officials by name and title over time: chairs and issuers of a real SQLite store, one row
per person and position, `ocop officials` with its filters."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest
from conftest import write_jsonl

from ocop_nlp.store import open_store
from ocop_nlp.track import query_officials
from ocop_nlp.track.places import Place
from ocop_nlp.track.titles import official_rows

# Written for these tests: one official promoted between two meetings, a national leader in two
# provinces' news, and a namesake in another province.
ARTICLES = [
    {
        "id": "cb-2019-05",
        "url": "https://caobang.gov.vn/tin-tuc/ocop-2019",
        "published": "2019-05-10",
        "title": "Hội nghị OCOP 2019",
        "text": "Sáng 10/5/2019, đồng chí Nguyễn Văn An, Phó Chủ tịch UBND tỉnh Cao Bằng chủ trì "
        "hội nghị triển khai Chương trình OCOP. Phó Chủ tịch yêu cầu Sở Công Thương hỗ trợ "
        "các chủ thể OCOP tham gia hội chợ.",
    },
    {
        "id": "cb-2021-04",
        "url": "https://caobang.gov.vn/tin-tuc/ocop-2021",
        "published": "2021-04-02",
        "title": "Sơ kết OCOP 2021",
        "text": "Ngày 2/4/2021, đồng chí Nguyễn Văn An, Chủ tịch UBND tỉnh Cao Bằng chủ trì hội nghị "
        "sơ kết Chương trình OCOP. Chủ tịch yêu cầu các huyện rà soát sản phẩm tiềm năng.",
    },
    {
        "id": "hg-2020-01",
        "url": "https://hagiang.gov.vn/tin-tuc/ocop",
        "published": "2020-01-20",
        "title": "Tổng kết OCOP",
        "text": "Ngày 20/1/2020, Giám đốc Sở Công Thương tỉnh Hà Giang Nguyễn Văn An chủ trì hội "
        "nghị tổng kết Chương trình OCOP. Giám đốc yêu cầu các phòng chuyên môn hướng dẫn hợp "
        "tác xã hoàn thiện hồ sơ.",
    },
]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    from ocop_nlp.batch import run_batch

    d = tmp_path_factory.mktemp("officials")
    src = write_jsonl(d / "in.jsonl", ARTICLES)
    db = d / "tin.db"
    run_batch(src, d / "out.jsonl", progress=io.StringIO(), workers=1, db=db)
    return db


def test_a_promotion_is_two_rows_of_one_person_each_with_first_and_last_seen(store_path):
    with open_store(store_path) as st:
        rows = query_officials(st, name="nguyen van an", province="Cao Bằng")
    assert [(o.name, o.position, o.first_seen, o.last_seen, o.articles) for o in rows] == [
        ("Nguyễn Văn An", "Phó Chủ tịch", "2019-05-10", "2019-05-10", ["cb-2019-05"]),
        ("Nguyễn Văn An", "Chủ tịch", "2021-04-02", "2021-04-02", ["cb-2021-04"]),
    ]
    assert {o.agency for o in rows} == {"UBND tỉnh"} and rows[0].province == "Cao Bằng"
    assert set(rows[0].roles) == {"chair", "issuer"}


def test_a_namesake_in_another_province_is_another_person(store_path):
    with open_store(store_path) as st:
        everyone = query_officials(st, name="Nguyễn Văn An")
        # Hà Giang is in the 2025 Tuyên Quang: the new name finds it too.
        [hg] = query_officials(st, name="Nguyễn Văn An", province="Tuyên Quang")
    assert len(everyone) == 3
    assert (hg.position, hg.agency, hg.province) == ("Giám đốc", "Sở Công Thương", "Hà Giang")
    with open_store(store_path) as st:
        assert query_officials(st, name="Nguyễn Văn An", since="2020", until="2020") == [hg]
        assert not query_officials(st, name="Trần Thị Bình")


def test_a_national_position_is_one_person_whatever_the_articles_province():
    doc = {"meeting": {"chair": {"name": "Lê Văn Cường", "title": "Thủ tướng Chính phủ"}}}
    cb = official_rows("a", doc, Place("cao-bang", "Cao Bằng", "cao-bang"), "2019-01-01")
    hn = official_rows("b", doc, Place("ha-noi", "Hà Nội", "ha-noi"), "2019-02-01")
    assert cb[0][1] == hn[0][1] == "le van cuong|"  # one person, no province
    assert cb[0][2] == "thu tuong"  # "Thủ tướng Chính phủ" and "Thủ tướng" are one position


def test_the_officials_view_reads_without_json(store_path):
    with sqlite3.connect(store_path) as c:
        rows = c.execute(
            "SELECT name, title, province, first_seen, last_seen, articles FROM officials "
            "WHERE name = 'Nguyễn Văn An' ORDER BY first_seen"
        ).fetchall()
    assert rows[0] == ("Nguyễn Văn An", "Phó Chủ tịch UBND tỉnh Cao Bằng", "Cao Bằng",
                       "2019-05-10", "2019-05-10", 1)  # fmt: skip
    assert len(rows) == 3


def test_ocop_officials_prints_a_table_csv_and_jsonl(run_cli, store_path):
    code, out, err = run_cli("officials", "--db", str(store_path), "--name", "NGUYEN VAN AN")
    assert code == 0, err
    assert out.splitlines()[0].split()[:3] == ["name", "position", "agency"]
    assert out.count("Nguyễn Văn An") == 3
    code, out, _ = run_cli("officials", "--db", str(store_path), "--format", "jsonl")
    rows = [json.loads(x) for x in out.splitlines()]
    assert {"name", "position", "title", "agency", "province", "first_seen", "articles"} <= set(
        rows[0]
    )
    code, out, _ = run_cli("officials", "--db", str(store_path), "--format", "csv")
    assert out.startswith("\ufeffname,position,title,agency,level,province,first_seen")
    code, out, err = run_cli("officials", "--db", str(store_path), "--name", "không có ai")
    assert code == 0 and out == "" and "No officials" in err
    code, _, err = run_cli("officials", "--db", str(store_path), "--since", "tháng năm")
    assert code == 2 and "YYYY-MM-DD" in err


def test_an_official_seen_without_a_province_is_the_one_person_of_that_name(tmp_path):
    from ocop_nlp.batch import run_batch

    placed = {
        "id": "sl-1",
        "url": "https://sonla.gov.vn/tin-tuc/1",
        "published": "2022-03-01",
        "text": "Ngày 1/3/2022, đồng chí Trần Văn Hùng, Phó Chủ tịch UBND tỉnh Sơn La chủ trì "
        "hội nghị về Chương trình OCOP.",
    }
    # No site, no place in the text: the article's province is unknown.
    unplaced = {
        "id": "x-2",
        "published": "2022-09-01",
        "text": "Ngày 1/9/2022, Phó Chủ tịch UBND tỉnh Trần Văn Hùng chủ trì hội nghị về "
        "Chương trình OCOP.",
    }
    src = write_jsonl(tmp_path / "in.jsonl", [placed, unplaced])
    db = tmp_path / "tin.db"
    run_batch(src, tmp_path / "out.jsonl", progress=io.StringIO(), workers=1, db=db)
    with open_store(db) as st:
        [o] = query_officials(st, name="tran van hung")
        assert (o.province, o.first_seen, o.last_seen) == ("Sơn La", "2022-03-01", "2022-09-01")
        [o] = query_officials(st, province="Sơn La")
        assert o.articles == ["sl-1", "x-2"]
