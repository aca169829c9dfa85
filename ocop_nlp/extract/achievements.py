"""Achievements: what the article reports as done or reached ("đã có 66 tổ chức ... tham gia")."""

from __future__ import annotations

import re

from ocop_nlp.extract.challenges import is_challenge_clause
from ocop_nlp.extract.clauses import split_top
from ocop_nlp.extract.resources import Resources, per_resources, uses_resources
from ocop_nlp.records import Challenge, Sentence


@per_resources
def _marker(r: Resources) -> re.Pattern[str]:
    words = sorted(r.lexicon("cues")["achievement_markers"], key=len, reverse=True)
    return re.compile(r"(?i)(?<![\w])(?:" + "|".join(map(re.escape, words)) + r")(?![\w])")


@uses_resources
def extract_achievements(
    sentences: list[Sentence], skip: set[int], resources: Resources | None = None
) -> list[Challenge]:
    out: list[Challenge] = []
    for idx, s in enumerate(sentences):
        if idx in skip or idx == 0:
            continue
        for item in split_top(s.text, ";"):
            if (
                _marker().search(item.text)
                and not is_challenge_clause(item.text)
                and len(item.text.split()) >= 4
            ):
                out.append(Challenge(item.text, s.start + item.start, s.start + item.end))
    return out
