"""Photo captions and photo credits: text about a picture, never part of an item.

A news page keeps its captions in the running text: "Chủ tịch UBND huyện X phát biểu tại hội
nghị", "Quang cảnh hội nghị", "Ảnh: Minh Anh", and a credit often runs into the next paragraph
("Ảnh: Minh Anh Đồng chí Trần ..."). Read as text, a caption names a speaker who may not be the
one giving the orders that follow. The normalised text is left as it is (annotation offsets point
into it); captions are recognised here, sentence by sentence, and the extractors read the
sentences `reading_sentences` gives: captions emptied, glued credits cut off.
"""

from __future__ import annotations

import re

from ocop_nlp.extract.officials import UPPER
from ocop_nlp.extract.resources import Resources, per_resources, uses_resources
from ocop_nlp.records import Sentence


@per_resources
def _res(r: Resources) -> dict[str, re.Pattern[str]]:
    c = r.lexicon("cues")
    openers = "|".join(
        re.escape(w) for w in sorted(c["sentence_openers_after_credit"], key=len, reverse=True)
    )
    heads = "|".join(re.escape(w) for w in r.lexicon("titles")["heads"])
    return {
        "credit": re.compile(c["photo_credit"]),
        "opener": re.compile(c["caption_openers"]),
        "verb_end": re.compile(c["caption_verb_end"]),
        # "Ảnh: Nguyễn Khang – TTXVN Ngày 22/5, ...": the credit is a short run of capitalised
        # words, initials and agency names before a word that opens a sentence.
        "starts_well": re.compile(rf"^(?:{openers}|(?:Phó\s+)?(?:{heads}))(?![\w])"),
        "glued": re.compile(
            rf"^(?:Ảnh\s*:\s*)?(?:[{UPPER}][\w.'’/&]*\.?\s*(?:[–\-/]\s*)?){{1,5}}?"
            rf"(?=(?:{openers}|(?:Phó\s+)?(?:{heads}))(?![\w]))"
        ),
    }


def _looks_like_caption(text: str) -> bool:
    r = _res()
    if len(text.split()) > 40 or re.search(r"[:;“”\"]", text):
        return False
    return bool(r["opener"].match(text) or r["verb_end"].search(text))


def caption_sentences(sentences: list[Sentence]) -> set[int]:
    """Indexes of the caption sentences: a short sentence with a photo credit, a scene title
    ("Quang cảnh hội nghị"), or a one-sentence paragraph that only says who spoke ("... phát
    biểu tại hội nghị"), and a caption just before a credit in the same paragraph.

    >>> from ocop_nlp.nlp.sentences import split_sentences
    >>> ss = split_sentences("Quang cảnh hội nghị\\nPhát biểu tại hội nghị, ông An yêu cầu rà soát.")
    >>> sorted(caption_sentences(ss))
    [0]
    """
    r = _res()
    per_para: dict[int, list[int]] = {}
    for i, s in enumerate(sentences):
        per_para.setdefault(s.paragraph, []).append(i)
    out: set[int] = set()
    for i, s in enumerate(sentences):
        text = s.text.strip()
        credit = r["credit"].search(text)
        if credit and len(text.split()) <= 40 and not _glued_credit(text):
            out.add(i)
            # "X phát biểu kết luận tại Hội nghị. Ảnh: N.H": the caption before its credit.
            prev = sentences[i - 1] if i > 0 else None
            if prev and prev.paragraph == s.paragraph and _looks_like_caption(prev.text.strip()):
                out.add(i - 1)
        elif len(per_para[s.paragraph]) == 1 and _looks_like_caption(text):
            out.add(i)
    return out


def _glued_credit(text: str) -> int:
    """The length of a photo credit glued to the head of a sentence, or 0."""
    if not text.startswith("Ảnh"):
        return 0
    m = _res()["glued"].match(text)
    return m.end() if m and m.end() < len(text) else 0


@uses_resources
def reading_sentences(
    sentences: list[Sentence], resources: Resources | None = None
) -> list[Sentence]:
    """The sentences as the extractors read them, index for index: a caption becomes empty, a
    credit glued to the head of a sentence is cut off ("Ảnh: Minh Anh Đồng chí ..." ->
    "Đồng chí ..."; also after a caption or a lone "Ảnh" line: "T.A Thanh tra Bộ ...")."""
    caps = caption_sentences(sentences)
    out: list[Sentence] = []
    for i, s in enumerate(sentences):
        if i in caps:
            out.append(Sentence("", s.start, s.start, s.paragraph))
            continue
        cut = _glued_credit(s.text)
        if (
            not cut
            and i > 0
            and (i - 1 in caps or sentences[i - 1].text.strip() == "Ảnh")
            and not _res()["starts_well"].match(s.text)
        ):
            m = _res()["glued"].match(s.text)
            cut = m.end() if m and 0 < m.end() <= 24 else 0
        if cut:
            out.append(Sentence(s.text[cut:], s.start + cut, s.end, s.paragraph))
        else:
            out.append(s)
    return out
