"""Crash-freedom and contract invariants on 1,000 real articles from ../shared/data/news.

The sample is fixed (tests/data/real_sample_ids.txt, written by bench/make_real_sample.py): every
dev meeting report, the portal meeting reports and a deterministic top-up from every file. The
pipeline runs once over all of it; each test then checks one invariant on every article and
reports all the articles that break it, by id, so one run shows the whole picture.
"""

from __future__ import annotations

import gzip
import json
import math
import traceback
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from ocop_nlp.extract.pipeline import extract_article
from ocop_nlp.parse.reader import article_from_record

pytestmark = pytest.mark.corpus

SAMPLE_IDS = Path(__file__).resolve().parent / "data" / "real_sample_ids.txt"
SCHEMA = "ocop-nlp/extraction@1"
_ID_PREFIX = '{"id": "'
_SHOWN = 20  # problems listed in a failure message; the count says how many there are in all


def _sample_ids() -> list[str]:
    return [i for i in SAMPLE_IDS.read_text(encoding="utf-8").split("\n") if i]


def _load_records(news_dir: Path, wanted: set[str]) -> dict[str, dict[str, Any]]:
    """The records of `wanted`, read from every news file; only their lines are parsed."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(news_dir.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                # Every record starts with its id; peek at it before paying for json.loads.
                if line.startswith(_ID_PREFIX):
                    end = line.find('"', len(_ID_PREFIX))
                    if line[len(_ID_PREFIX) : end] not in wanted:
                        continue
                rec = json.loads(line)
                if rec.get("id") in wanted:
                    found[rec["id"]] = rec
    return found


@pytest.fixture(scope="module")
def sample(news_dir: Path) -> dict[str, Any]:
    ids = _sample_ids()
    records = _load_records(news_dir, set(ids))
    results: dict[str, dict[str, Any]] = {}
    errors: dict[str, str] = {}
    for rid in ids:
        if rid not in records:
            continue
        try:
            results[rid] = extract_article(article_from_record(records[rid])).to_dict()
        except Exception:  # noqa: BLE001 - collect every failure, report them together
            errors[rid] = traceback.format_exc(limit=-3)
    return {"ids": ids, "records": records, "results": results, "errors": errors}


def _report(problems: list[str], what: str) -> str:
    head = f"{len(problems)} {what}:\n"
    more = f"\n... and {len(problems) - _SHOWN} more" if len(problems) > _SHOWN else ""
    return head + "\n".join(problems[:_SHOWN]) + more


def test_sample_is_1000_distinct_ids_all_in_the_corpus(sample):
    ids = sample["ids"]
    missing = [i for i in ids if i not in sample["records"]]
    assert len(ids) == 1000
    assert len(set(ids)) == len(ids)
    assert not missing, _report(missing, "sample ids not found in ../shared/data/news")


def test_pipeline_raises_on_no_real_article(sample):
    problems = [f"{rid}:\n{tb}" for rid, tb in sample["errors"].items()]
    assert not problems, _report(problems, "articles raised")


def test_every_offset_points_at_its_evidence(sample):
    problems = []
    for rid, d in sample["results"].items():
        text = d["text"]
        items = [("figures", "text", x) for x in d["figures"]]
        items += [("challenges", "text", x) for x in d["challenges"]]
        items += [("achievements", "text", x) for x in d["achievements"]]
        items += [("directives", "action", x) for x in d["directives"]]
        for kind, key, item in items:
            start, end = item["start"], item["end"]
            ok = (
                isinstance(start, int)
                and isinstance(end, int)
                and 0 <= start <= end <= len(text)
                and text[start:end] == item[key]
            )
            if not ok:
                problems.append(f"{rid} {kind}[{start}:{end}] (len(text)={len(text)})")
    assert not problems, _report(problems, "items whose offsets do not give their text")


def test_every_figure_value_is_finite_and_ranges_are_ordered(sample):
    problems = []
    for rid, d in sample["results"].items():
        for f in d["figures"]:
            value, vmax = f["value"], f.get("value_max")
            if not isinstance(value, int | float) or not math.isfinite(value):
                problems.append(f"{rid} figure[{f['start']}:{f['end']}] value={value!r}")
            elif vmax is not None and (
                not isinstance(vmax, int | float) or not math.isfinite(vmax) or vmax < value
            ):
                problems.append(
                    f"{rid} figure[{f['start']}:{f['end']}] value={value!r} value_max={vmax!r}"
                )
    assert not problems, _report(problems, "figures with a bad value")


def test_output_is_json_serialisable_and_nfc(sample):
    problems = []
    for rid, d in sample["results"].items():
        try:
            # allow_nan=False: NaN/Infinity are not JSON, whatever Python's json accepts.
            out = json.dumps(d, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as e:
            problems.append(f"{rid} not JSON: {e}")
            continue
        if not unicodedata.is_normalized("NFC", out):
            problems.append(f"{rid} output is not NFC")
    assert not problems, _report(problems, "outputs break the JSON/NFC contract")


def test_every_extraction_carries_the_schema_and_its_id(sample):
    problems = [
        f"{rid} schema={d.get('schema')!r} id={d.get('id')!r}"
        for rid, d in sample["results"].items()
        if d.get("schema") != SCHEMA or d.get("id") != rid
    ]
    assert not problems, _report(problems, "extractions with a wrong schema or id")


# Issue 10: "các xã tuyệt đối không được lơ là" -> addressee "các xã", never "các xã tuyệt đối
# không"; a negation or modal belongs to the action.
_STOP_WORDS = ("không", "chưa", "chẳng", "đừng", "chớ", "cần", "phải", "nên", "được", "tuyệt đối")


def test_no_addressee_ends_in_a_negation_or_modal(sample):
    problems = [
        f"{rid}: addressee {d['addressee']!r}"
        for rid, out in sample["results"].items()
        for d in out.get("directives", [])
        if d.get("addressee") and any(d["addressee"].lower().endswith(" " + w) for w in _STOP_WORDS)
    ]
    assert not problems, _report(problems, "addressees that end in a negation or modal")
