"""The two speed paths must give exactly what the libraries they stand in for give.

- a per-clause model's `clause_type.npz` is scored without scikit-learn: its probabilities
  must equal the joblib pipeline's `predict_proba` on real clauses, a stale file must be
  ignored, and it loads whatever scikit-learn version its metadata records.
- `pos_spans` feeds underthesea's CRF tagger features built once per word: its tags must equal
  `underthesea.pos_tag` on the same text.
- regex gates (`extract/literals.py`) skip only searches that cannot match, and the clause
  splitters that step over marks cut where the character loop they replaced cut.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocop_nlp.extract.clause_features import clause_features
from ocop_nlp.extract.model import MODEL_NAME, _load_compact
from ocop_nlp.nlp.normalize import normalize_text
from ocop_nlp.nlp.sentences import split_sentences
from ocop_nlp.nlp.words import pos_spans

OWN = Path(__file__).resolve().parent.parent / "corpora" / "own"


def _own_sentences(limit_files: int = 8):
    for path in sorted(OWN.glob("*.txt"))[:limit_files]:
        text = normalize_text(path.read_text(encoding="utf-8"))
        yield text, split_sentences(text)


@pytest.fixture(scope="module")
def per_clause_model(tmp_path_factory):
    """A per-clause model (the kind `ocop train` keeps when it wins) fitted on our own
    articles' clauses, written as joblib + npz: the shipped model may be the other kind."""
    joblib = pytest.importorskip("joblib")
    from ocop_nlp.extract.model import write_compact
    from ocop_nlp.learn.train import make_estimator

    docs: list[list[str]] = []
    for text, sentences in _own_sentences(25):
        spans = [(s.start, s.end, i) for i, s in enumerate(sentences)]
        docs += clause_features(text, spans, sentences)
    labels = [
        "directive"
        if "cue:strong_directive_verbs" in d
        else "figure"
        if "has_digit" in d
        else "challenge"
        if "cue:challenge_markers" in d
        else "other"
        for d in docs
    ]
    est = make_estimator("logreg").fit(docs, labels)
    d = tmp_path_factory.mktemp("model")
    joblib.dump(est, d / f"{MODEL_NAME}.joblib")
    assert write_compact(est, d) is not None
    return d, est, docs


def test_the_compact_model_gives_the_joblib_pipelines_probabilities(per_clause_model):
    d, full, docs = per_clause_model
    compact = _load_compact(d)
    assert compact is not None, "clause_type.npz is missing or stale"
    assert len(docs) > 100
    ours, theirs = compact.predict_proba(docs), full.predict_proba(docs)
    assert list(compact.classes_) == [str(c) for c in full.classes_]
    for a, b in zip(ours, theirs, strict=True):
        assert list(a) == pytest.approx(list(b), abs=1e-12)


def test_a_compact_model_left_from_an_earlier_training_is_ignored(per_clause_model, tmp_path):
    d = per_clause_model[0]
    shutil.copy(d / f"{MODEL_NAME}.npz", tmp_path / f"{MODEL_NAME}.npz")
    (tmp_path / f"{MODEL_NAME}.joblib").write_bytes(b"another model")
    assert _load_compact(tmp_path) is None


def test_a_compact_model_loads_whatever_scikit_learn_it_records(per_clause_model, tmp_path):
    import json
    import warnings

    from ocop_nlp.config import rules_version
    from ocop_nlp.extract.clause_features import FEATURE_VERSION
    from ocop_nlp.extract.model import load_model

    d = per_clause_model[0]
    for ext in ("npz", "joblib"):
        shutil.copy(d / f"{MODEL_NAME}.{ext}", tmp_path / f"{MODEL_NAME}.{ext}")
    meta = {
        "kind": "clause",
        "feature_version": FEATURE_VERSION,
        "rules_version": rules_version(),
        "versions": {"scikit-learn": "0.1.0"},
    }
    (tmp_path / f"{MODEL_NAME}.json").write_text(json.dumps(meta), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = load_model(tmp_path)
    assert model is not None and model.estimator.__class__.__name__ == "CompactLogistic"


def test_pos_spans_tags_exactly_as_underthesea_pos_tag():
    from underthesea import pos_tag

    checked = 0
    for _, sentences in _own_sentences(6):
        for s in sentences:
            ours = [(w, t) for w, t, _, _ in pos_spans(s.text)]
            assert ours == [tuple(x) for x in pos_tag(s.text)], s.text[:60]
            checked += 1
    assert checked > 50


def _endless_sentence(chars: int, comma_every: int = 0) -> str:
    """Vietnamese words with no sentence break (a table flattened into one line, say)."""
    import random

    rng = random.Random(7)
    phrase = "các sản phẩm OCOP của tỉnh được đánh giá cao về chất lượng và mẫu mã hợp tác xã"
    vocab = [*phrase.split(), "nông", "dân", "42", "đạt", "3", "sao"]
    words, n = [], 0
    while n < chars:
        w = rng.choice(vocab) + ("," if comma_every and len(words) % comma_every == 1 else "")
        words.append(w)
        n += len(w) + 1
    return " ".join(words)[:chars]


def test_a_sentence_without_breaks_is_segmented_in_bounded_pieces():
    import tracemalloc

    from ocop_nlp.nlp.words import SEGMENT_CHARS, word_spans

    word_spans("khởi động")  # load the segmenter outside the measurement
    text = _endless_sentence(20_000)
    tracemalloc.start()
    try:
        words = word_spans(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # One call over 20,000 characters held 21 MB of Python objects (and as much again in the
    # CRF); pieces of SEGMENT_CHARS hold a tenth of it. Memory no longer grows with the length.
    assert peak < 8_000_000, peak
    assert SEGMENT_CHARS <= 2_000
    pos = 0
    for w, s, e in words:
        assert text[s:e] == w and s >= pos
        pos = e
    assert pos > len(text) - 10


def test_long_text_is_cut_after_a_clause_mark_else_a_space():
    from ocop_nlp.nlp.words import cut_spans

    text = _endless_sentence(9_000, comma_every=7)
    pieces = cut_spans(text, 2_000)
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(b - a <= 2_000 for a, b in pieces)
    assert all(a == b for (_, a), (b, _) in zip(pieces, pieces[1:], strict=False))
    assert all(text[b - 1] == "," for _, b in pieces[:-1])
    plain = _endless_sentence(9_000)
    assert all(plain[b - 1] == " " for _, b in cut_spans(plain, 2_000)[:-1])
    assert cut_spans("x" * 4_500, 2_000) == [(0, 2_000), (2_000, 4_000), (4_000, 4_500)]


def test_a_sentence_under_the_cap_is_segmented_in_one_call():
    from ocop_nlp.nlp.words import _segment, word_spans

    text = _endless_sentence(1_900, comma_every=9)
    assert word_spans(text) == _segment(text)


def test_an_endless_sentence_is_read_as_bounded_sentences_with_exact_offsets():
    from ocop_nlp.nlp.sentences import SENTENCE_CHARS

    text = "Mở đầu.\nTin: " + _endless_sentence(9_000, comma_every=7) + ". Kết thúc."
    sentences = split_sentences(text)
    assert sentences[0].text == "Mở đầu." and sentences[-1].text == "Kết thúc."
    assert len(sentences) >= 2 + 9_000 // SENTENCE_CHARS
    assert all(len(s.text) <= SENTENCE_CHARS for s in sentences)
    assert all(text[s.start : s.end] == s.text for s in sentences)
    assert {s.paragraph for s in sentences[1:]} == {1}
    assert all(s.text.endswith(",") for s in sentences[1:-2])


def _own_texts() -> list[str]:
    """Every sentence of our articles and every clause unit of them, and texts made to trip a
    gate: capitals, letters whose case folds oddly, marks glued to words."""
    from ocop_nlp.extract.units import clause_units

    out = []
    for text, sentences in _own_sentences(25):
        out += [s.text for s in sentences]
        out += [text[u.start : u.end] for u in clause_units(text, sentences)]
    out += [t.upper() for t in out[:300]]
    out += [
        "CÒN GẶP NHIỀU KHÓ KHĂN",
        "Giá phân bón TĂNG CAO, chưa đạt kế hoạch",
        "Kỳ họp thứ 7 lúc 9 GIỜ 30 ngày 10/7/2018",
        "\u0130t còn gặp khó khăn",  # İ lower-cases to two characters
        "\u212a\u1ef3 họp thứ 7",  # the Kelvin sign folds to k
        "khó\u00a0khăn; (tháng 7) “chưa đạt”: quý II/2024",
    ]
    return out


def test_regex_gates_only_skip_searches_that_cannot_match():
    import re

    from ocop_nlp.config import lexicon
    from ocop_nlp.extract import dates
    from ocop_nlp.extract.literals import GatedSearch, gate, lowered, may_match

    texts = _own_texts()
    c = lexicon("cues")
    lists = [
        c["challenge_patterns"] + c["challenge_patterns_extra"] + [c["challenge_still_pattern"]],
        c["challenge_blockers"] + c["challenge_blockers_extra"],
    ]
    patterns = [re.compile(p, re.IGNORECASE) for ps in lists for p in ps]
    patterns += [p.regex for p in dates._PATTERNS] + list(dates._ORDINAL_PATTERNS)
    gated = sum(gate(p) is not None for p in patterns)
    assert gated > 0.8 * len(patterns)  # the gates must keep being useful, not only right
    matched = 0
    for text in texts:
        low = lowered(text)
        for p in patterns:
            if p.search(text):
                matched += 1
                assert may_match(gate(p), low), (p.pattern, text)
    assert matched > 500
    for ps in lists:
        each = [re.compile(p, re.IGNORECASE) for p in ps]
        one = GatedSearch(ps)
        for text in texts:
            assert one.search(text) == any(p.search(text) for p in each), text


def _split_top_by_characters(text: str, sep: str, start: int = 0):
    """split_top as a loop over every character (the code before it stepped over marks)."""
    from ocop_nlp.extract.clauses import Piece, trim

    out, depth, quote, cut = [], 0, False, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch == "“":
            quote = True
        elif ch == "”":
            quote = False
        elif ch == sep and depth == 0 and not quote:
            out.append(Piece(text[cut:i], start + cut, start + i))
            cut = i + 1
    out.append(Piece(text[cut:], start + cut, start + len(text)))
    return [p for p in (trim(p.text, p.start) for p in out) if p.text]


def _colon_split_by_characters(text: str):
    depth = 0
    for i, ch in enumerate(text):
        if ch in "(“":
            depth += 1
        elif ch in ")”":
            depth = max(0, depth - 1)
        elif ch == ":" and depth == 0 and i + 1 < len(text) and not text[i + 1].isdigit():
            return text[:i], i + 1
    return None


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet='ab ,;:()[]“”"-.…7đ', max_size=40), st.integers(0, 50))
def test_clause_splitters_cut_where_the_character_loops_cut(text, start):
    from ocop_nlp.extract.clauses import colon_split, split_top

    for sep in (",", ";"):
        assert split_top(text, sep, start) == _split_top_by_characters(text, sep, start)
    assert colon_split(text) == _colon_split_by_characters(text)


def test_clause_splitters_on_our_articles():
    from ocop_nlp.extract.clauses import colon_split, split_top

    for text in _own_texts():
        for sep in (",", ";"):
            assert split_top(text, sep, 3) == _split_top_by_characters(text, sep, 3)
        assert colon_split(text) == _colon_split_by_characters(text)


def test_times_given_their_ordinals_are_the_times_found_alone():
    from ocop_nlp.extract.dates import find_ordinals, find_times

    for text in _own_texts():
        assert find_times(text, 2024, find_ordinals(text)) == find_times(text, 2024)
