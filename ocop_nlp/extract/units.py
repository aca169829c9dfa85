"""Clause units: the spans a label (by hand or by the model) is given to.

Both the annotation tool and the pipeline's model stage cut a text the same way, so a label
learned on a unit applies to the same kind of unit at run time.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass

from ocop_nlp.extract.challenges import clauses_of
from ocop_nlp.extract.clauses import colon_split, split_enumeration, split_top, trim
from ocop_nlp.records import Sentence


@dataclass(frozen=True, slots=True)
class Unit:
    """A clause to label: `text[start:end]` of the indexed text."""

    start: int
    end: int
    sentence: int  # index of its sentence


def clause_units(
    text: str, sentences: list[Sentence] | None = None, only: Container[int] | None = None
) -> list[Unit]:
    """The clauses of a normalised text (of the sentences whose index is in `only`, if given).

    A sentence splits at its first top-level colon (head | body), the body at ";" and at
    enumerators ("Một là, ..."), and each item into comma clauses that state a shortcoming
    (`challenges.clauses_of`). Every unit is trimmed of list marks and end punctuation.

    >>> t = "Hội nghị yêu cầu: công tác tuyên truyền chưa hiệu quả; các xã cần làm tốt."
    >>> [t[u.start : u.end] for u in clause_units(t)]
    ['Hội nghị yêu cầu', 'công tác tuyên truyền chưa hiệu quả', 'các xã cần làm tốt']
    """
    if sentences is None:
        from ocop_nlp.nlp.sentences import split_sentences

        sentences = split_sentences(text)
    out: list[Unit] = []
    for si, s in enumerate(sentences):
        if only is not None and si not in only:
            continue
        parts = []
        cs = colon_split(s.text)
        if cs is not None and s.text[cs[1] :].strip(" .…"):
            head, at = cs
            parts.append(trim(head, s.start))
            parts.append(trim(s.text[at:], s.start + at))
        else:
            parts.append(trim(s.text, s.start))
        for p in parts:
            if not p.text:
                continue
            for item in split_top(p.text, ";", p.start):
                for en in split_enumeration(item.text, item.start):
                    for cl in clauses_of(en.text, en.start):
                        if any(ch.isalnum() for ch in cl.text):
                            out.append(Unit(cl.start, cl.end, si))
    return out
