"""Word segmentation (underthesea) with offsets, loaded lazily and once per segmenter.

Vietnamese words span several syllables ("hợp tác xã", "tổ chức"); the figure extractor reads
units and qualifiers in words, not syllables. underthesea returns strings; we map them back to
offsets in the sentence so evidence stays exact.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache

# Results are cached per sentence and shared: tuples, so no caller can change them.
Words = tuple[tuple[str, int, int], ...]
Tagged = tuple[tuple[str, str, int, int], ...]

_SYLLABLES = re.compile(r"\w+(?:[&'’.\-]\w+)*|[^\w\s]")
# underthesea's segmenter holds about 7 KB per character of one call (its CRF features): a
# 400,000-character "sentence" without a break took 2.8 GB. Longer texts are segmented in
# pieces of at most this many characters, which bounds a call to about 15 MB; hardly a real
# sentence is this long (4 in 9,500 articles), so articles are segmented as before.
SEGMENT_CHARS = 2_000


def _tokenizer() -> Callable[[str], list[str]]:
    from underthesea import word_tokenize  # heavy: ~0.4 s, so only when first needed

    return word_tokenize


@cache
def underthesea_version() -> str:
    try:
        from importlib.metadata import version

        return version("underthesea")
    except Exception:  # noqa: BLE001 - a missing distribution only means "unknown"
        return "unknown"


class Segmenter:
    """underthesea's word segmenter and POS tagger, loaded on first use, with the words and
    tags of the last sentences asked (`extract.resources.Resources.words` holds one).

    The caches serve the stages of one article (figures, then the model's features, segment
    the same sentences); sentences rarely repeat across articles. 1,024 entries hold any
    ordinary article and keep a worker's memory flat over long batches (4,096 grew it 11% from
    1,000 to 10,000 articles while filling).
    """

    def __init__(self) -> None:
        self._tokenize: Callable[[str], list[str]] | None = None
        self._tag: Callable[[list[str]], list[str]] | None | bool = False  # False: not loaded
        self.word_spans: Callable[[str], Words] = lru_cache(maxsize=1024)(self._word_spans)
        self.pos_spans: Callable[[str], Tagged] = lru_cache(maxsize=1024)(self._pos_spans)

    def cache_clear(self) -> None:
        self.word_spans.cache_clear()  # type: ignore[attr-defined]
        self.pos_spans.cache_clear()  # type: ignore[attr-defined]

    def tokenize(self, text: str) -> list[str]:
        if self._tokenize is None:
            self._tokenize = _tokenizer()
        return self._tokenize(text)

    def tagger(self) -> Callable[[list[str]], list[str]] | None:
        if self._tag is False:
            self._tag = _tagger()
        return self._tag  # type: ignore[return-value]

    def _word_spans(self, text: str) -> Words:
        """[(word, start, end)] for `text`; a word may hold several syllables."""
        if len(text) > SEGMENT_CHARS:
            out: list[tuple[str, int, int]] = []
            for a, b in cut_spans(text, SEGMENT_CHARS):
                out.extend((w, a + s, a + e) for w, s, e in self.segment(text[a:b]))
            return tuple(out)
        return self.segment(text)

    def segment(self, text: str) -> Words:
        """One call of the segmenter, its words mapped back to offsets in `text`."""
        return _segment(text, self.tokenize)

    def _pos_spans(self, text: str) -> Tagged:
        return _pos_spans(text, self.tokenize, self.tagger())


_DEFAULT: Segmenter | None = None


def default_segmenter() -> Segmenter:
    """The process's segmenter: underthesea's models are process-wide in underthesea itself."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Segmenter()
    return _DEFAULT


def word_spans(text: str) -> Words:
    """[(word, start, end)] for `text`; a word may hold several syllables.

    >>> [w for w, _, _ in word_spans("66 tổ chức, cá nhân với 69 sản phẩm")]  # doctest: +SKIP
    ['66', 'tổ chức', ',', 'cá nhân', 'với', '69', 'sản phẩm']
    """
    return default_segmenter().word_spans(text)


def _segment(text: str, tokenize: Callable[[str], list[str]] | None = None) -> Words:
    """One call of the segmenter, its words mapped back to offsets in `text`."""
    try:
        words = (tokenize or default_segmenter().tokenize)(text)
    except Exception:  # noqa: BLE001 - the segmenter failing must not lose the sentence
        words = []
    out: list[tuple[str, int, int]] = []
    pos = 0
    for w in words:
        i = text.find(w, pos)
        if i < 0:
            # underthesea altered the token (rare: odd spacing); fall back to syllables.
            return syllable_spans(text)
        out.append((w, i, i + len(w)))
        pos = i + len(w)
    return tuple(out) or syllable_spans(text)


def cut_spans(text: str, size: int) -> list[tuple[int, int]]:
    """`text` cut into spans of at most `size` characters, at a clause mark or a space.

    A cut falls after the last ";", "," or ":" (then space) of the window, else at its last
    space, else (one endless token) at `size`; no word is split unless it is longer than that.
    """
    out: list[tuple[int, int]] = []
    a, n = 0, len(text)
    while n - a > size:
        window = text[a : a + size]
        cut = max(window.rfind(mark) for mark in ("; ", ", ", ": ")) + 1
        if cut <= size // 2:  # no clause mark in the second half: the last space will do
            cut = window.rfind(" ") + 1
        if cut <= size // 4:
            cut = size
        out.append((a, a + cut))
        a += cut
    out.append((a, n))
    return out


def syllable_spans(text: str) -> Words:
    return tuple((m.group(0), m.start(), m.end()) for m in _SYLLABLES.finditer(text))


def _tagger() -> Callable[[list[str]], list[str]] | None:
    """underthesea's CRF POS tagger, fed segmented words.

    `underthesea.pos_tag(text)` segments `text` and then builds its features in pure Python,
    re-parsing each template and re-listing the whole sentence for every word and template
    (quadratic in the words): that took most of the tagger's time. We build the very same
    feature strings once per word from the same templates and ask the same CRF model.
    """
    try:
        from underthesea.pipeline.pos_tag import tagged_feature
        from underthesea.pipeline.pos_tag.model_crf import CRFPOSTagPredictor

        predictor = CRFPOSTagPredictor.Instance()
        predictor.transformer.template  # noqa: B018 - the attribute this code reads
    except (ImportError, AttributeError):
        # Another underthesea release laid its tagger out differently: pos_spans then calls
        # its public pos_tag (slower, same tags) rather than losing POS tags altogether.
        return None
    functions: dict[str, Callable[[str], object]] = {
        "lower": tagged_feature.text_lower,
        "istitle": tagged_feature.text_istitle,
        "isallcap": tagged_feature.text_isallcap,
        "isdigit": tagged_feature.text_isdigit,
        "is_in_dict": tagged_feature.text_is_in_dict,
    }
    templates = []
    for syntax in predictor.transformer.template:
        m = _TEMPLATE.match(syntax)
        if m is None:  # a template this code cannot read: let underthesea build the features
            return _slow_tagger(predictor)
        second, column, func = m.group("index2"), m.group("column"), m.group("function")
        templates.append(
            (
                f"{syntax}=",
                int(m.group("index1")),
                int(second) if second else None,
                int(column) if column else 0,
                functions[func] if func is not None else None,
            )
        )
    tag = predictor.model.tag

    def tag_words(words: list[str]) -> list[str]:
        n = len(words)
        # Column 0 holds the words, column 1 the placeholder tag underthesea gives every word.
        columns = (words, ["X"] * n)
        features = []
        for i in range(n):
            row = []
            for prefix, first, second, column, func in templates:
                a = i + first
                if a < 0:
                    row.append(prefix + "BOS")
                    continue
                if a >= n or (second is not None and i + second >= n):
                    row.append(prefix + "EOS")
                    continue
                cells = columns[column]
                word = cells[a] if second is None else " ".join(cells[a : i + second + 1])
                row.append(prefix + (word if func is None else str(func(word))))
            features.append(row)
        return tag(features) if features else []

    return tag_words


# The template syntax of underthesea.pipeline.pos_tag.tagged_feature ("T[-1,0]", "T[0].lower").
_TEMPLATE = re.compile(
    r"T\[(?P<index1>\-?\d+)(\,(?P<index2>\-?\d+))?\](\[(?P<column>.*)\])?(\.(?P<function>.*))?"
)


def _slow_tagger(predictor: object) -> Callable[[list[str]], list[str]]:
    def tag_words(words: list[str]) -> list[str]:
        return [t for _, t in predictor.predict(words)]  # type: ignore[attr-defined]

    return tag_words


def pos_spans(text: str) -> Tagged:
    """[(word, tag, start, end)] from underthesea's POS tagger (tags: N, Np, V, A, L, M, CH, …).

    Used only on the few clauses where an addressee must be told from its action ("các huyện
    ven biển | chú trọng ..."), so its cost stays off the hot path. The same as
    `underthesea.pos_tag(text)`: its segmentation of `text`, then its CRF tagger.
    """
    return default_segmenter().pos_spans(text)


def _pos_spans(
    text: str,
    tokenize: Callable[[str], list[str]],
    tag_words: Callable[[list[str]], list[str]] | None,
) -> Tagged:
    try:
        if tag_words is None:
            from underthesea import pos_tag

            tagged = pos_tag(text)
        else:
            words = tokenize(text)
            # underthesea pairs them with a plain zip
            tagged = list(zip(words, tag_words(words), strict=False))
    except Exception:  # noqa: BLE001 - a tagger failure must not lose the clause
        return ()
    out: list[tuple[str, str, int, int]] = []
    pos = 0
    for w, tag in tagged:
        i = text.find(w, pos)
        if i < 0:
            return tuple(out)
        out.append((w, tag, i, i + len(w)))
        pos = i + len(w)
    return tuple(out)
