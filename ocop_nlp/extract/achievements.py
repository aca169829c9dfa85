"""Achievements: what the article reports as done or reached ("đã có 66 tổ chức ... tham gia")."""

from __future__ import annotations

import re
from functools import cache

from ocop_nlp.config import lexicon
from ocop_nlp.extract.challenges import is_challenge_clause
from ocop_nlp.extract.clauses import split_top
from ocop_nlp.records import Challenge, Sentence


@cache
def _marker() -> re.Pattern[str]:
    words = sorted(lexicon("cues")["achievement_markers"], key=len, reverse=True)
    return re.compile(r"(?i)(?<![\w])(?:" + "|".join(map(re.escape, words)) + r")(?![\w])")


def extract_achievements(sentences: list[Sentence], skip: set[int]) -> list[Challenge]:
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
