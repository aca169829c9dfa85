"""Word segmentation (underthesea) with offsets, loaded lazily and once per process.

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


@cache
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


@lru_cache(maxsize=4096)
def word_spans(text: str) -> Words:
    """[(word, start, end)] for `text`; a word may hold several syllables.

    >>> [w for w, _, _ in word_spans("66 tổ chức, cá nhân với 69 sản phẩm")]  # doctest: +SKIP
    ['66', 'tổ chức', ',', 'cá nhân', 'với', '69', 'sản phẩm']
    """
    try:
        words = _tokenizer()(text)
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


def syllable_spans(text: str) -> Words:
    return tuple((m.group(0), m.start(), m.end()) for m in _SYLLABLES.finditer(text))


@cache
def _tagger() -> Callable[[str], list[tuple[str, str]]]:
    from underthesea import pos_tag

    return pos_tag


@lru_cache(maxsize=4096)
def pos_spans(text: str) -> Tagged:
    """[(word, tag, start, end)] from underthesea's POS tagger (tags: N, Np, V, A, L, M, CH, …).

    Used only on the few clauses where an addressee must be told from its action ("các huyện
    ven biển | chú trọng ..."), so its cost stays off the hot path.
    """
    try:
        tagged = _tagger()(text)
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
