"""One `Resources` per pipeline: two lexicon versions or two models side by side in one
process, the rules alone without a model, the caller's article left as it was, and resources
that travel to worker processes as names (the Dask cluster test is in test_dask.py)."""

from __future__ import annotations

import copy
import pickle
import unicodedata

import pytest
from conftest import EXTRA_CUE, RESOURCE_TEXT

from ocop_nlp.extract.pipeline import RULE_STAGES, Pipeline, extract_article
from ocop_nlp.extract.resources import Resources
from ocop_nlp.records import Article


def challenge_texts(ex) -> list[str]:
    return [c.text for c in ex.challenges]


def test_two_lexicon_versions_side_by_side_do_not_affect_each_other(cues_one_more):
    packaged = Pipeline(RULE_STAGES, Resources.default().without_model())
    mine = Pipeline(
        RULE_STAGES,
        Resources.default().without_model().with_lexicons(cues=cues_one_more),
    )
    article = Article(text=RESOURCE_TEXT, id="bế-tắc")
    before = packaged(article).to_dict()
    with_cue = mine(article)
    after = packaged(article).to_dict()
    assert any(EXTRA_CUE in c for c in challenge_texts(with_cue))
    assert not any(EXTRA_CUE in c["text"] for c in before["challenges"])
    # what the one pipeline compiled from its lexicon never reaches the other, in either order
    assert after == before
    assert mine(article).to_dict() == with_cue.to_dict()
    assert (
        extract_article(article).to_dict()["challenges"]
        == extract_article(Article(text=RESOURCE_TEXT, id="bế-tắc")).to_dict()["challenges"]
    )


def test_a_lexicon_file_of_another_name_or_that_is_broken_says_so(tmp_path):
    from ocop_nlp.errors import ConfigError

    with pytest.raises(ConfigError, match="no lexicon called 'cue'"):
        Resources.default().with_lexicons(cue=tmp_path / "x.toml")
    with pytest.raises(ConfigError, match="give one of cues, titles, units"):
        Resources.default().with_lexicons(page=tmp_path / "page.toml")
    bad = tmp_path / "cues.toml"
    bad.write_text("version = \n", encoding="utf-8")
    r = Resources.default().with_lexicons(cues=bad)
    with pytest.raises(ConfigError, match="not valid TOML"):
        Pipeline(resources=r)(Article(text=RESOURCE_TEXT))


def test_without_a_model_the_pipeline_runs_the_rules_alone():
    article = Article(text=RESOURCE_TEXT, id="bế-tắc")
    default = extract_article(article)
    rules_only = Pipeline(resources=Resources.default().without_model())(article)
    assert default.versions["model"].startswith("clause_type:")
    assert "model" not in rules_only.versions
    assert rules_only.to_dict() == Pipeline(RULE_STAGES)(article).to_dict()
    assert Resources.default().without_model().model() is None
    assert Resources.default().model() is not None


def test_extract_article_leaves_the_callers_article_unchanged():
    decomposed = unicodedata.normalize("NFD", "Hội nghị sơ kết OCOP")
    article = Article(
        text=RESOURCE_TEXT,
        id="nfd",
        title=decomposed,
        author=unicodedata.normalize("NFD", "Thu Cúc"),
        source=unicodedata.normalize("NFD", "Báo Phú Yên"),
        warnings=["đọc từ tệp"],
    )
    given = copy.deepcopy(article)
    ex = extract_article(article)
    assert article == given
    assert ex.article.title == unicodedata.normalize("NFC", decomposed)
    assert ex.warnings[0] == "đọc từ tệp"
    ex.article.warnings.append("thêm")
    assert article.warnings == ["đọc từ tệp"]


def test_resources_pickle_as_names_and_load_once_per_process(cues_one_more):
    r = Resources.default().with_lexicons(cues=cues_one_more)
    Pipeline(resources=r)(Article(text=RESOURCE_TEXT))  # loads the model and compiles the cues
    data = pickle.dumps(r)
    assert len(data) < 1_000  # names only: the model file alone is 4 MB
    assert pickle.loads(data) is r  # this process's instance for those names, loaded already
    assert pickle.loads(pickle.dumps(Resources.default())) is Resources.default()
    assert r != Resources.default() and r.rules_version() == Resources.default().rules_version()
