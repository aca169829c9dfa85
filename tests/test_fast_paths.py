"""The two speed paths must give exactly what the libraries they stand in for give.

- `models/clause_type.npz` is scored without scikit-learn: its probabilities must equal the
  joblib pipeline's `predict_proba` on real clauses, and a stale file must be ignored.
- `pos_spans` feeds underthesea's CRF tagger features built once per word: its tags must equal
  `underthesea.pos_tag` on the same text.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ocop_nlp.extract.clause_features import clause_features
from ocop_nlp.extract.model import MODEL_NAME, _load_compact, model_dir
from ocop_nlp.nlp.normalize import normalize_text
from ocop_nlp.nlp.sentences import split_sentences
from ocop_nlp.nlp.words import pos_spans

OWN = Path(__file__).resolve().parent.parent / "corpora" / "own"


def _own_sentences(limit_files: int = 8):
    for path in sorted(OWN.glob("*.txt"))[:limit_files]:
        text = normalize_text(path.read_text(encoding="utf-8"))
        yield text, split_sentences(text)


def test_the_compact_model_gives_the_joblib_pipelines_probabilities():
    joblib = pytest.importorskip("joblib")
    d = model_dir()
    compact = _load_compact(d)
    assert compact is not None, "models/clause_type.npz is missing or stale"
    full = joblib.load(d / f"{MODEL_NAME}.joblib")
    docs: list[list[str]] = []
    for text, sentences in _own_sentences(25):
        spans = [(s.start, s.end, i) for i, s in enumerate(sentences)]
        docs += clause_features(text, spans, sentences)
    assert len(docs) > 100
    ours, theirs = compact.predict_proba(docs), full.predict_proba(docs)
    assert list(compact.classes_) == [str(c) for c in full.classes_]
    for a, b in zip(ours, theirs, strict=True):
        assert list(a) == pytest.approx(list(b), abs=1e-12)


def test_a_compact_model_left_from_an_earlier_training_is_ignored(tmp_path):
    d = model_dir()
    shutil.copy(d / f"{MODEL_NAME}.npz", tmp_path / f"{MODEL_NAME}.npz")
    (tmp_path / f"{MODEL_NAME}.joblib").write_bytes(b"another model")
    assert _load_compact(tmp_path) is None


def test_pos_spans_tags_exactly_as_underthesea_pos_tag():
    from underthesea import pos_tag

    checked = 0
    for _, sentences in _own_sentences(6):
        for s in sentences:
            ours = [(w, t) for w, t, _, _ in pos_spans(s.text)]
            assert ours == [tuple(x) for x in pos_tag(s.text)], s.text[:60]
            checked += 1
    assert checked > 50
