"""The learned half: clause units, features, the annotation tool, the corpus loader, the
model's loading rules and how it may change the rules' items."""

from __future__ import annotations

import json
import warnings

import pytest

from ocop_nlp.config import rules_version
from ocop_nlp.errors import OcopError
from ocop_nlp.extract import model as runtime
from ocop_nlp.extract.clause_features import FEATURE_VERSION, clause_features, cue_names
from ocop_nlp.extract.model import Policy, Prediction, refine
from ocop_nlp.extract.units import Unit, clause_units
from ocop_nlp.learn import corpus
from ocop_nlp.learn.annotate import (
    agreement,
    amend,
    decide,
    parse_tokens,
    render,
    review,
    shown_clauses,
)
from ocop_nlp.learn.evaluate import ItemCounts, combine_labels, item_counts
from ocop_nlp.nlp.sentences import split_sentences
from ocop_nlp.records import Article, Challenge, Directive, Extraction, Official

# Our own sentences (not from ../shared): a head, a list after a colon, a shortcoming.
TEXT = (
    "Phó Chủ tịch UBND tỉnh yêu cầu các địa phương: đẩy mạnh tuyên truyền; "
    "chủ động bố trí nguồn vốn.\nCông tác tuyên truyền chưa hiệu quả, nhận thức của "
    "người dân còn hạn chế.\nToàn tỉnh có 42 sản phẩm đạt 3 sao."
)


def test_clause_units_cut_at_the_colon_semicolons_and_shortcoming_commas():
    got = [TEXT[u.start : u.end] for u in clause_units(TEXT)]
    assert got == [
        "Phó Chủ tịch UBND tỉnh yêu cầu các địa phương",
        "đẩy mạnh tuyên truyền",
        "chủ động bố trí nguồn vốn",
        "Công tác tuyên truyền chưa hiệu quả",
        "nhận thức của người dân còn hạn chế",
        "Toàn tỉnh có 42 sản phẩm đạt 3 sao",
    ]


def test_features_carry_lexicon_cues_and_the_head_before_a_colon():
    sents = split_sentences(TEXT)
    units = clause_units(TEXT, sents)
    feats = clause_features(TEXT, [(u.start, u.end, u.sentence) for u in units], sents)
    assert "cue:strong_directive_verbs" in feats[0]
    assert "pre:strong_directive_verbs" in feats[1] and "after_colon" in feats[1]
    assert "cue:challenge_patterns" in feats[3]
    assert "has_digit" in feats[5] and "number_then_word" in feats[5]
    assert any(f.startswith("w:") for f in feats[3])
    assert "obligation_modals" in cue_names("các xã cần làm tốt")


def test_decision_tokens_take_labels_and_edits():
    toks = parse_tokens("o d{A=các địa phương|I=-} f{x2|+42 sản phẩm} c a")
    assert [t[0] for t in toks] == ["other", "directive", "figure", "challenge", "achievement"]
    assert toks[1][1] == ["A=các địa phương", "I=-"]
    assert toks[2][1] == ["x2", "+42 sản phẩm"]
    with pytest.raises(OcopError):
        parse_tokens("q")


# --- the model at run time -------------------------------------------------------------


def _extraction(text: str) -> Extraction:
    return Extraction(id="t", article=Article(text=text), text=text)


def _pred(text: str, phrase: str, label: str, prob: float) -> Prediction:
    a = text.index(phrase)
    return Prediction(Unit(a, a + len(phrase), 0), label, prob, {label: prob})


def test_refine_vetoes_a_confident_other_and_adds_a_confident_directive():
    text = "Xã có 5 hợp tác xã còn nhiều; các phòng cần rà soát hồ sơ đất đai."
    ex = _extraction(text)
    a = text.index("Xã có")
    ex.challenges = [Challenge("Xã có 5 hợp tác xã còn nhiều", a, a + 27)]
    who = Official("Nguyễn Văn A", "Chủ tịch")
    ex.directives = [Directive(who, None, "x", None, 0, 2)]
    preds = [
        _pred(text, "Xã có 5 hợp tác xã còn nhiều", "other", 0.95),
        _pred(text, "các phòng cần rà soát hồ sơ đất đai", "directive", 0.9),
    ]
    ex.directives = []
    refine(ex, [], None, Policy(veto=0.9, add_directives=0.8), preds)
    assert ex.challenges == []
    assert [d.action for d in ex.directives] == ["các phòng cần rà soát hồ sơ đất đai"]


def test_refine_keeps_items_under_the_threshold_and_never_adds_a_list_head():
    text = "Chủ tịch yêu cầu tập trung vào ba nhóm nhiệm vụ: một việc khác hẳn."
    ex = _extraction(text)
    preds = [
        _pred(text, "Chủ tịch yêu cầu tập trung vào ba nhóm nhiệm vụ", "directive", 0.99),
        _pred(text, "một việc khác hẳn", "directive", 0.5),
    ]
    refine(ex, [], None, Policy(add_directives=0.75), preds)
    assert ex.directives == []


def test_a_missing_model_warns_once_and_the_pipeline_falls_back_to_rules(tmp_path):
    with pytest.warns(RuntimeWarning, match="No clause-type model"):
        assert runtime.load_model(tmp_path) is None


def test_a_joblib_only_model_from_another_scikit_learn_is_refused_with_a_warning(tmp_path):
    (tmp_path / "clause_type.joblib").write_bytes(b"not read")
    meta = {
        "feature_version": FEATURE_VERSION,
        "rules_version": rules_version(),
        "versions": {"scikit-learn": "0.1.0"},
    }
    (tmp_path / "clause_type.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.warns(RuntimeWarning, match="scikit-learn 0.1.0"):
        assert runtime.load_model(tmp_path) is None
    meta["feature_version"] = 999
    (tmp_path / "clause_type.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.warns(RuntimeWarning, match="features version 999"):
        assert runtime.load_model(tmp_path) is None


def _copy_shipped(tmp_path, **meta_changes):
    import shutil

    src = runtime.model_dir()
    for p in src.glob("clause_type.*"):
        shutil.copy(p, tmp_path / p.name)
    meta = json.loads((src / "clause_type.json").read_text(encoding="utf-8"))
    meta.update(meta_changes)
    (tmp_path / "clause_type.json").write_text(json.dumps(meta), encoding="utf-8")
    return meta


def test_the_shipped_model_loads_whatever_scikit_learn_says(tmp_path):
    # Its scoring file needs no scikit-learn: a model recorded as made with another one loads.
    _copy_shipped(tmp_path, versions={"scikit-learn": "0.1.0"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert runtime.load_model(tmp_path) is not None


def test_a_model_trained_on_other_rules_is_refused_in_one_line(tmp_path):
    _copy_shipped(tmp_path, rules_version="cues:1999.1")
    with pytest.warns(RuntimeWarning, match="trained on rules cues:1999.1") as got:
        assert runtime.load_model(tmp_path) is None
    assert "\n" not in str(got[0].message) and "ocop train" in str(got[0].message)


def test_scoring_the_shipped_model_imports_no_scikit_learn():
    import subprocess
    import sys

    code = (
        "import sys, warnings; warnings.simplefilter('error');"
        "from ocop_nlp.extract.pipeline import extract_article;"
        "from ocop_nlp.records import Article;"
        f"ex = extract_article(Article(text={TEXT!r}, id='own'));"
        "assert ex.versions['model'].startswith('clause_type:'), ex.versions;"
        "assert 'sklearn' not in sys.modules, 'sklearn imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_the_shipped_model_loads_and_records_itself_in_versions():
    from ocop_nlp.extract.pipeline import extract_article

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a shipped model must load without a warning
        model = runtime.load_model()
    assert model is not None and set(model.labels) == set(corpus.LABELS)
    meta = json.loads((runtime.model_dir() / "clause_type.json").read_text(encoding="utf-8"))
    for key in ("data_sha1", "corpus_sha256", "rules_version", "versions", "trained", "cv"):
        assert key in meta
    # Page furniture shapes which text a page gives, not a clause: only the clause rules count.
    assert runtime.clause_rules(meta["rules_version"]) == runtime.clause_rules(rules_version())
    # The CRF's weights grow with the corpus (13,282 clauses: 4.3 MB); a model is still a small
    # file in the repository, not a download.
    for f in runtime.model_dir().glob("clause_type.*"):
        assert f.stat().st_size < 8_000_000
    ex = extract_article(Article(text=TEXT, id="own"))
    assert ex.versions["model"].startswith("clause_type:")


def test_combined_clause_label_follows_the_policy():
    p = Prediction(Unit(0, 1, 0), "other", 0.95)
    assert combine_labels("challenge", p, Policy(veto=0.9)) == "other"
    assert combine_labels("challenge", p, Policy()) == "challenge"
    q = Prediction(Unit(0, 1, 0), "directive", 0.8)
    assert combine_labels("other", q, Policy(add_directives=0.75)) == "directive"


def test_item_counts_match_one_to_one_by_syllable_f1_and_figures_by_value_and_unit():
    text = "Toàn tỉnh có 42 sản phẩm. Công tác tuyên truyền chưa hiệu quả."
    ann = corpus.AnnotatedArticle(
        "own",
        text,
        [
            corpus.Clause(
                "own",
                0,
                24,
                "figure",
                text[:24],
                figures=[{"span": [13, 24], "value": 42, "unit": "sản phẩm"}],
            ),
            corpus.Clause("own", 26, 61, "challenge", text[26:61]),
        ],
    )
    from ocop_nlp.records import Figure

    ex = _extraction(text)
    ex.figures = [Figure(42, "42 sản phẩm", "sản phẩm", None, 13, 24)]
    # "Công tác tuyên" holds 3 of the clause's 7 syllables (F1 0.6): found; a second item on
    # the same clause is not counted twice; "truyền" alone (F1 0.25) overlaps but is no match.
    ex.challenges = [Challenge("x", 26, 40), Challenge("z", 26, 47), Challenge("y", 41, 47)]
    got = item_counts(ann, ex)
    assert (got["figures"].pred_ok, got["figures"].gold_ok) == (1, 1)
    assert (got["challenges"].pred_ok, got["challenges"].pred_n) == (1, 3)
    assert got["challenges"].recall == 1.0 and got["directives"].f1 == 1.0
    ex.challenges = [Challenge("y", 41, 47)]
    assert item_counts(ann, ex)["challenges"].gold_ok == 0
    ex.figures = [Figure(42, "42 sản phẩm", "hộ", None, 13, 24)]  # the right value, wrong unit
    assert item_counts(ann, ex)["figures"].pred_ok == 0
    assert ItemCounts(1, 2, 1, 1).f1 == pytest.approx(2 / 3)


def test_annotation_files_in_pieces_and_concatenated_load_once(tmp_path):
    line = {"article": "a1", "text_sha1": "0", "start": 0, "end": 4, "label": "other"}
    other = {**line, "start": 5, "end": 9, "label": "directive"}
    a, b = tmp_path / "pass1-A.jsonl", tmp_path / "pass1.jsonl"
    a.write_text(json.dumps(line) + "\n" + json.dumps(other) + "\n", encoding="utf-8")
    b.write_text(json.dumps(other) + "\n" + json.dumps(line) + "\n", encoding="utf-8")
    assert len(corpus.annotation_lines(paths=[a, b])) == 2
    assert corpus.corpus_digest(paths=[a, b]) == corpus.corpus_digest(paths=[a])
    b.write_text(json.dumps({**other, "label": "other"}) + "\n", encoding="utf-8")
    with pytest.raises(corpus.DuplicateAnnotation, match="annotated differently"):
        corpus.annotation_lines(paths=[a, b])
    b.write_text(json.dumps(line) + "\n" + json.dumps(line) + "\n", encoding="utf-8")
    with pytest.raises(corpus.DuplicateAnnotation, match="twice"):
        corpus.annotation_lines(paths=[b])


def test_gate_table_names_each_field_with_its_counts():
    from ocop_nlp.learn.report import format_gate

    table = format_gate({"directives": ItemCounts(3, 4, 2, 5)})
    assert "| directives | 0.750 | 0.400 | 0.522 | 4/5 |" in table


# --- with ../shared: the tool and the loader on real articles ---------------------------


@pytest.fixture(scope="module")
def shared():
    try:
        return corpus.require_shared()
    except corpus.SharedDataMissing as e:
        pytest.skip(str(e))


def test_the_loader_says_clearly_when_shared_data_is_absent(monkeypatch, tmp_path):
    monkeypatch.setenv("OCOP_SHARED_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(corpus.SharedDataMissing, match="OCOP_SHARED_DATA"):
        corpus.load_corpus()


def test_annotations_join_with_their_text_and_hash(shared):
    arts = corpus.load_corpus()
    assert len(arts) >= 80
    assert sum(len(a.clauses) for a in arts) >= 1500
    assert any(a.portal for a in arts) and any(not a.portal for a in arts)
    dev = set(corpus.dev_ids())
    assert all(a.id in dev for a in arts)  # annotate only the dev split
    for a in arts[:5]:
        for c in a.clauses:
            assert c.text == a.text[c.start : c.end] and c.text.strip() == c.text


def test_a_drifted_text_is_reported(shared, tmp_path):
    line = next(corpus.read_annotation_lines(corpus.annotation_files(1)))
    bad = tmp_path / "pass1.jsonl"
    bad.write_text(json.dumps({**line, "text_sha1": "0" * 40}) + "\n", encoding="utf-8")
    with pytest.raises(corpus.TextDrift, match="has changed"):
        corpus.load_corpus(paths=[bad])


def test_the_tool_computes_offsets_from_decisions(shared):
    aid = corpus.load_corpus()[0].id
    text, shown = shown_clauses(aid)
    lines = decide(aid, [("other", [])] * len(shown), pass_no=2, annotator="t")
    assert [(d["start"], d["end"]) for d in lines] == [(s.unit.start, s.unit.end) for s in shown]
    assert all(d["text_sha1"] == corpus.text_sha1(text) for d in lines)
    with pytest.raises(OcopError, match="one per clause"):
        decide(aid, [("other", [])], pass_no=2, annotator="t")


def test_second_pass_agrees_with_the_first(shared):
    ag = agreement()
    assert ag.articles >= 10 and ag.kappa >= 0.8
    assert set(ag.per_label) == set(corpus.LABELS)
    assert sum(ag.confusion.values()) == len(ag.disagreements)
    # the independent annotator's pass on its own: disjoint from a1's and b1's articles
    c1 = agreement(annotator="c1")
    assert c1.articles >= 12 and c1.clauses < ag.clauses


def test_a_blind_show_hides_the_rules_labels_figures_and_spans(shared):
    aid = corpus.load_corpus()[0].id
    blind = render(aid, blind=True).splitlines()[1:]
    assert all(line[3:6] == " | " and "‖" not in line for line in blind)
    assert len(blind) == len(shown_clauses(aid)[1])


def test_a_blind_review_numbers_the_files_clauses_without_their_labels(shared):
    f = corpus.annotation_files(1)[0]
    aid = next(iter(corpus.read_annotation_lines([f])))["article"]
    seen = review(f, aid).splitlines()[1:]
    blind = [line for line in review(f, aid, blind=True).splitlines()[1:] if line]
    # the same clauses under the same numbers (amend reads them), the label and spans gone
    assert [line.split(" | ", 1)[1] for line in blind] == [
        line.split(" | ", 1)[1].split("  ‖ ")[0] for line in seen
    ]
    assert [line[:3] for line in blind] == [line[:3] for line in seen]
    assert all(line[3:6] == " | " and "‖" not in line for line in blind)


def test_a_recheck_is_applied_in_place_one_line_per_clause(shared, tmp_path):
    by_article: dict[str, list[dict]] = {}
    for a in corpus.read_annotation_lines(corpus.annotation_files(1)):
        by_article.setdefault(a["article"], []).append(a)
    # an article whose first clause is not a directive but a later one is
    aid, mine = next(
        (aid, sorted(ls, key=lambda a: a["start"]))
        for aid, ls in by_article.items()
        if min(ls, key=lambda a: a["start"])["label"] != "directive"
        and any(a["label"] == "directive" for a in ls)
    )
    f = tmp_path / "pass1-t.jsonl"
    f.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in mine), encoding="utf-8")
    k = next(n for n, a in enumerate(mine) if a["label"] == "directive")
    flip = "a" if mine[0]["label"] != "achievement" else "o"
    fixes = tmp_path / "fixes.tsv"
    fixes.write_text(f"{aid}\t0\t{flip}\n{aid}\t{k}\td{{A=-}}\n", encoding="utf-8")
    counts = amend(fixes, f, by="t")
    after = list(corpus.read_annotation_lines([f]))
    assert [(a["start"], a["end"]) for a in after] == [(a["start"], a["end"]) for a in mine]
    assert after[0]["label"] != mine[0]["label"] and after[k]["addressee"] is None
    assert all(a["recheck"] == "t" for a in after)
    assert counts["articles"] == 1 and counts["label"] == 1
    # a second re-check is kept on record beside the first
    fixes.write_text(f"{aid}\tchecked\n", encoding="utf-8")
    amend(fixes, f, by="u")
    assert {a["recheck"] for a in corpus.read_annotation_lines([f])} == {"t+u"}
    fixes.write_text(f"{aid}\t0\t{flip}\n{aid}\t{k}\td{{A=-}}\n", encoding="utf-8")
    with pytest.raises(OcopError, match="not in the text"):
        fixes.write_text(f"{aid}\t{k}\td{{A=no such words here at all}}\n", encoding="utf-8")
        amend(fixes, f, by="t")


def test_interactive_labelling_takes_the_rules_label_on_enter(shared, monkeypatch):
    from ocop_nlp.learn.annotate import interactive

    aid = corpus.load_corpus()[0].id
    answers = iter(["q", "o"])  # a bad answer is asked again
    monkeypatch.setattr("builtins.input", lambda _: next(answers, ""))
    lines = interactive(aid, pass_no=2, annotator="t")
    assert lines[0]["label"] == "other"
    assert [d["label"] for d in lines[1:]] == [d["rule"] for d in lines[1:]]


# --- the CRF over an article's clauses ----------------------------------------------------

SCOPE = (
    "Chủ tịch UBND tỉnh yêu cầu Sở Y tế chủ động rà soát nhân lực. Cùng với đó, phối hợp với "
    "các huyện kiểm tra cơ sở.\nẢnh: Quang cảnh hội nghị\nNhiệm vụ thời gian tới\n"
    "- Tiếp tục đẩy mạnh chuyển đổi số."
)


def test_sequence_features_see_the_open_scope_headings_markers_and_captions():
    from ocop_nlp.extract.sequence import sequence_features

    sents = split_sentences(SCOPE)
    units = clause_units(SCOPE, sents)
    rules = ["directive"] + ["other"] * (len(units) - 1)
    feats = sequence_features(SCOPE, sents, units, rules)
    texts = [SCOPE[u.start : u.end] for u in units]
    second = texts.index(next(t for t in texts if t.startswith("Cùng với đó")))
    assert "dir_open_par" in feats[second] and "-1rule=directive" in feats[second]
    caption = texts.index(next(t for t in texts if "Quang cảnh" in t))
    assert "caption" in feats[caption]
    item = texts.index(next(t for t in texts if "chuyển đổi số" in t))
    assert "marker=dash" in feats[item] and "head_w:nhiệm" in feats[item]
    assert "heading" not in feats[caption] and "heading" in feats[item - 1]
    assert "dir_open_prev_par" not in feats[item]


def _one_order(text: str):
    """An extraction of `text` holding one rule directive to Sở Y tế ("rà soát nhân lực"), the
    clause units the model sees, and its issuer."""
    ex = _extraction(text)
    who = Official("Nguyễn Văn A", "Chủ tịch")
    a = text.index("rà soát")
    ex.directives = [Directive(who, "Sở Y tế", "rà soát nhân lực", None, a, a + 16)]
    return ex, clause_units(text, split_sentences(text)), who


def test_an_added_directive_continues_the_scope_of_the_one_before():
    from ocop_nlp.extract.sequence import SequencePolicy, apply_sequence

    text = "Chủ tịch yêu cầu Sở Y tế rà soát nhân lực. Cùng với đó, phối hợp với các huyện."
    ex, units, who = _one_order(text)
    probs = [{"directive": 0.9, "other": 0.1}, {"directive": 0.8, "other": 0.2}]
    apply_sequence(ex, units, probs, SequencePolicy(add_directive=0.5))
    assert [d.addressee for d in ex.directives] == ["Sở Y tế", "Sở Y tế"]
    assert ex.directives[1].issuer == who and ex.directives[1].action.startswith("Cùng với đó")
    # a rule directive the model doubts is dropped, unless it was read from an explicit order
    low = [{"directive": 0.05}, {"directive": 0.05}]
    apply_sequence(ex, units, low, SequencePolicy(0.5, 0.1))
    assert [d.action for d in ex.directives] == ["rà soát nhân lực"]
    ex, units, _ = _one_order("Sở Y tế cần rà soát nhân lực. Cùng với đó, phối hợp với các huyện.")
    apply_sequence(ex, units, low, SequencePolicy(0.5, 0.1))
    assert ex.directives == []


def test_an_added_directive_is_never_a_list_head_a_purpose_or_a_reported_plan():
    from ocop_nlp.extract.sequence import SequencePolicy, apply_sequence

    text = (
        "Mục đích của Đề án là nâng cao thu nhập cho người dân.\n"
        "Sở Công Thương cho biết sẽ phối hợp kiểm tra thị trường.\n"
        "Phó Chủ tịch yêu cầu các sở, ngành như sau:\n"
        "- Rà soát các hợp tác xã cần hỗ trợ."
    )
    sents = split_sentences(text)
    units = clause_units(text, sents)
    ex = _extraction(text)
    probs = [{"directive": 0.95, "other": 0.05} for _ in units]
    apply_sequence(ex, units, probs, SequencePolicy(add_directive=0.5))
    assert [d.action for d in ex.directives] == ["Rà soát các hợp tác xã cần hỗ trợ"]


def test_sequence_features_see_a_documents_sections_and_voices_that_ask_upwards():
    from ocop_nlp.extract.sequence import sequence_features

    text = (
        "UBND tỉnh vừa ban hành Kế hoạch phát triển du lịch. II - QUAN ĐIỂM VÀ MỤC TIÊU Phát "
        "triển du lịch bền vững. III - NHIỆM VỤ VÀ GIẢI PHÁP 1 - Tăng cường quảng bá điểm đến. "
        "Sở Y tế chủ trì kiểm tra an toàn thực phẩm. Cử tri kiến nghị sửa chữa đường vào bản."
    )
    sents = split_sentences(text)
    units = clause_units(text, sents)
    feats = sequence_features(text, sents, units, ["other"] * len(units))
    texts = [text[u.start : u.end] for u in units]

    def of(part: str) -> list[str]:
        return feats[next(i for i, t in enumerate(texts) if part in t)]

    assert "section=other" in of("bền vững") and "section=task" in of("quảng bá")
    assert "document" in of("bền vững")
    assert "opens_body" in of("Sở Y tế") and "upward_voice" in of("sửa chữa")


def test_an_added_directive_takes_the_addressee_it_names():
    from ocop_nlp.extract.sequence import SequencePolicy, apply_sequence

    text = "Chủ tịch yêu cầu Sở Y tế rà soát nhân lực. Sở Tài chính bố trí kinh phí mua thuốc."
    ex, units, who = _one_order(text)
    probs = [{"directive": 0.9, "other": 0.1}, {"directive": 0.8, "other": 0.2}]
    apply_sequence(ex, units, probs, SequencePolicy(add_directive=0.5))
    assert [(d.issuer, d.addressee) for d in ex.directives] == [
        (who, "Sở Y tế"),
        (who, "Sở Tài chính"),
    ]
