"""The extraction pipeline: Article in, Extraction out.

Each stage declares what it needs and what it adds to the working document; the pipeline
checks the order once, when it is built, so a misordered custom pipeline fails before any text
runs. The lexicons, model and segmenter come from one `Resources` given to the pipeline
(`extract/resources.py`), which the stages find in their `Doc`. The per-article function
`extract_article` is pure and picklable (batch and Dask call it): it never changes the
`Article` it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from ocop_nlp import __version__
from ocop_nlp.config import Settings, load_settings
from ocop_nlp.errors import EmptyTextError, OcopError
from ocop_nlp.extract.achievements import extract_achievements
from ocop_nlp.extract.captions import reading_sentences
from ocop_nlp.extract.challenges import extract_challenges
from ocop_nlp.extract.directives import complete_addressees, extract_directives
from ocop_nlp.extract.figures import extract_figures
from ocop_nlp.extract.meeting import extract_meeting
from ocop_nlp.extract.resources import Resources, active, per_resources
from ocop_nlp.nlp.normalize import normalize_text
from ocop_nlp.nlp.sentences import abbreviations, split_sentences
from ocop_nlp.nlp.words import underthesea_version
from ocop_nlp.parse.encodings import repair_legacy_text
from ocop_nlp.parse.reader import content_id
from ocop_nlp.records import Article, Extraction


@dataclass(slots=True)
class Doc:
    """The working document a pipeline enriches, stage by stage."""

    article: Article
    settings: Settings
    resources: Resources = field(default_factory=Resources.default)
    text: str = ""
    sentences: list = field(default_factory=list)
    default_year: int | None = None
    extraction: Extraction | None = None
    directive_sentences: set[int] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    model: str | None = None  # the clause-type model that refined the extraction, if any


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    requires: frozenset[str]
    provides: frozenset[str]
    run: Callable[[Doc], None]


def _normalise(doc: Doc) -> None:
    text = doc.article.text or ""
    repaired, legacy = repair_legacy_text(text)
    if legacy:
        doc.warnings.append(f"The text was in the legacy {legacy} encoding and was converted.")
        text = repaired
    text = normalize_text(text)
    if len(text) > doc.settings.max_text_chars:
        doc.warnings.append(
            f"The text is {len(text):,} characters; only the first "
            f"{doc.settings.max_text_chars:,} were analysed."
        )
        text = text[: doc.settings.max_text_chars]
    if not text.strip():
        raise EmptyTextError("The article has no text to analyse (it is empty or whitespace).")
    letters = sum(map(str.isalpha, text))
    if letters < 0.3 * len(text):
        doc.warnings.append("The text has few letters; it may not be an article.")
    elif not _looks_vietnamese(text):
        doc.warnings.append("The text does not look like Vietnamese; little will be found in it.")
    doc.text = text
    a = doc.article
    # All text out is NFC (the contract): metadata too, not only the body; in a copy, so the
    # caller's article stays as it was given.
    doc.article = replace(
        a,
        title=normalize_text(a.title) if isinstance(a.title, str) else a.title,
        author=normalize_text(a.author) if isinstance(a.author, str) else a.author,
        source=normalize_text(a.source) if isinstance(a.source, str) else a.source,
        warnings=list(a.warnings),
    )
    pub = doc.article.published
    doc.default_year = int(pub[:4]) if isinstance(pub, str) and pub[:4].isdigit() else None


_VI_MARKS = set("ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")


def _looks_vietnamese(text: str) -> bool:
    sample = text[:5000].lower()
    letters = sum(map(str.isalpha, sample)) or 1
    return sum(map(sample.count, _VI_MARKS)) / letters > 0.04


def _sentences(doc: Doc) -> None:
    doc.sentences = split_sentences(doc.text, _abbreviations())


@per_resources
def _abbreviations(r: Resources) -> frozenset[str]:
    return abbreviations(r.lexicon("cues")["abbreviations"])


def _extract(doc: Doc) -> None:
    a = doc.article
    ex = Extraction(id=a.id or content_id(doc.text), article=a, text=doc.text)
    r = doc.resources
    ex.meeting = extract_meeting(a.title, doc.sentences, doc.default_year, resources=r)
    # Photo captions and credits are read as empty: no item and no speaker come from them.
    read = reading_sentences(doc.sentences, resources=r)
    ex.directives, doc.directive_sentences = extract_directives(read, doc.default_year, resources=r)
    ex.challenges = extract_challenges(read, doc.directive_sentences, resources=r)
    ex.figures = extract_figures(read, doc.default_year, resources=r)
    ex.achievements = extract_achievements(read, doc.directive_sentences, resources=r)
    doc.extraction = ex


def _model(doc: Doc) -> None:
    # The learned half (issue 3): loaded once per resources; without a usable model file this
    # warns once and leaves the rules' items as they are; without a model directory (rules
    # alone) it does nothing.
    model = doc.resources.model()
    if model is None or doc.extraction is None:
        return
    model.refine(doc.extraction, doc.sentences)
    doc.model = model.version


def _addressees(doc: Doc) -> None:
    if doc.extraction is not None:
        ex = doc.extraction
        ex.directives = complete_addressees(ex.directives, doc.sentences)


# The rules' items as the model reads them (and was trained on): `ocop train` builds on these.
RULE_ITEM_STAGES: tuple[Stage, ...] = (
    Stage("normalise", frozenset({"article"}), frozenset({"text"}), _normalise),
    Stage("sentences", frozenset({"text"}), frozenset({"sentences"}), _sentences),
    Stage("extract", frozenset({"sentences"}), frozenset({"extraction"}), _extract),
)
# Addressees are completed after the model: it keeps or drops the rules' items by their spans.
_ADDRESSEES = Stage("addressees", frozenset({"extraction"}), frozenset({"addressees"}), _addressees)
RULE_STAGES: tuple[Stage, ...] = (*RULE_ITEM_STAGES, _ADDRESSEES)
DEFAULT_STAGES: tuple[Stage, ...] = (
    *RULE_ITEM_STAGES,
    Stage("model", frozenset({"extraction"}), frozenset({"refined"}), _model),
    _ADDRESSEES,
)


class Pipeline:
    """Stages run in order over one article, with one set of resources.

    `resources`: the lexicons, model and segmenter (default: `Resources.default()`, resolved
    at each call, so `OCOP_MODEL_DIR` set later is seen).
    """

    def __init__(
        self, stages: Sequence[Stage] = DEFAULT_STAGES, resources: Resources | None = None
    ) -> None:
        have = {"article"}
        for st in stages:
            missing = st.requires - have
            if missing:
                raise OcopError(
                    f"Pipeline stage {st.name!r} needs {sorted(missing)} which no earlier stage "
                    "provides; reorder the stages."
                )
            have |= st.provides
        self.stages = tuple(stages)
        self.resources = resources

    def __call__(self, article: Article, settings: Settings | None = None) -> Extraction:
        r = self.resources or Resources.default()
        doc = Doc(article=article, settings=settings or load_settings(), resources=r)
        # Helpers deep in the rules find the resources as the ones in use (`current()`).
        with active(r):
            for st in self.stages:
                st.run(doc)
        assert doc.extraction is not None
        ex = doc.extraction
        ex.warnings = [*article.warnings, *doc.warnings]
        ex.versions = {
            "ocop_nlp": __version__,
            "rules": r.rules_version(),
            "underthesea": underthesea_version(),
        }
        if doc.model:
            ex.versions["model"] = doc.model
        return ex


_DEFAULT = Pipeline()


def extract_article(
    article: Article, settings: Settings | None = None, resources: Resources | None = None
) -> Extraction:
    """Extract one article. Pure: the same article always gives the same extraction, and the
    article is not changed. `resources`: lexicons, model and segmenter (default: the packaged
    ones, `Resources.default()`)."""
    if resources is None:
        return _DEFAULT(article, settings)
    return Pipeline(DEFAULT_STAGES, resources)(article, settings)


def normalised_text(article: Article, settings: Settings | None = None) -> str:
    """The text every extraction offset (and every annotation offset) indexes into."""
    doc = Doc(article=article, settings=settings or load_settings())
    _normalise(doc)
    return doc.text
