"""Sentence splitting with offsets, paragraph first.

We split ourselves rather than call underthesea's `sent_tokenize`: it joins lines across
paragraph breaks, returns strings without offsets, and splits after abbreviations such as
"TP." — all three break evidence offsets. Word segmentation (underthesea) runs later, per
sentence, only where an extractor needs it.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from ocop_nlp.config import lexicon
from ocop_nlp.nlp.words import cut_spans
from ocop_nlp.records import Sentence

_UPPER = "A-ZĐÂĂÊÔƠƯÁÀẢÃẠẤẦẨẪẬẮẰẲẴẶÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ"
# A boundary: terminal punctuation (".", "!", "?", "…", "…/.", ".)"), then space, then
# something that can open a sentence: a capital, a digit, a quote or a dash.
_BOUNDARY = re.compile(rf"(?:[.!?]+|…+)(?:/\.)?[\"”’)\]]*(?=\s+[\"“‘(\[\-–•+]?\s*[{_UPPER}0-9])")
_ABBREV_TAIL = re.compile(r"(\S+)\.$")
# Longer sentences are cut (after a clause mark, else at a space). Work on a sentence grows
# faster than its length (the figure rules search it once per number: 400,000 characters
# without a break took 12 minutes); 4 sentences in 9,500 real articles are longer.
SENTENCE_CHARS = 2_000


def abbreviations(words: Collection[str] | None = None) -> frozenset[str]:
    """The abbreviations a "." does not end a sentence after, lower-cased: `words`, else the
    packaged lexicon's."""
    return frozenset(a.lower() for a in (words or lexicon("cues")["abbreviations"]))


def split_sentences(text: str, abbrevs: frozenset[str] | None = None) -> list[Sentence]:
    """Split normalised text into sentences; offsets index into `text`. `abbrevs`: as
    `abbreviations()` gives them (default: the packaged lexicon's).

    >>> [s.text for s in split_sentences("Sáng 10/7, TP. Bắc Kạn họp. Hội nghị bàn 3 việc…/.\\nAnh")]
    ['Sáng 10/7, TP. Bắc Kạn họp.', 'Hội nghị bàn 3 việc…/.', 'Anh']
    """
    abbrevs = abbreviations() if abbrevs is None else abbrevs
    out: list[Sentence] = []
    pos = 0
    for pno, para in enumerate(text.split("\n")):
        start = pos
        pos += len(para) + 1
        cut = 0
        for m in _BOUNDARY.finditer(para):
            piece = para[cut : m.end()]
            tail = _ABBREV_TAIL.search(piece)
            if tail and m.group(0) == "." and tail.group(1).lower() + "." in abbrevs:
                continue
            # A single capital before "." is an initial ("Nguyễn V. An"), not a sentence end.
            if m.group(0) == "." and re.search(rf"(?:^|\s)[{_UPPER}]\.$", piece):
                continue
            _emit(out, para, cut, m.end(), start, pno)
            cut = m.end()
        _emit(out, para, cut, len(para), start, pno)
    return out


def _emit(out: list[Sentence], para: str, a: int, b: int, base: int, pno: int) -> None:
    seg = para[a:b]
    lead = len(seg) - len(seg.lstrip())
    seg = seg.strip()
    if not seg:
        return
    s = base + a + lead
    if len(seg) <= SENTENCE_CHARS:
        out.append(Sentence(seg, s, s + len(seg), pno))
        return
    # A "sentence" with no break for pages on end (a flattened table, a pasted list) is read in
    # pieces: every stage's work per sentence then stays bounded, whatever the input.
    for pa, pb in cut_spans(seg, SENTENCE_CHARS):
        piece = seg[pa:pb]
        lead = len(piece) - len(piece.lstrip())
        piece = piece.strip()
        if piece:
            out.append(Sentence(piece, s + pa + lead, s + pa + lead + len(piece), pno))
