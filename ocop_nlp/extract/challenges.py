"""Challenges: one difficulty or shortcoming per clause.

"công tác tuyên truyền chưa hiệu quả, nhận thức của các hợp tác xã ... còn hạn chế…" is two
challenges. A clause counts when it states a shortcoming (a predicate: "chưa hiệu quả",
"còn gặp nhiều khó khăn"), not when it only names the topic ("thảo luận về những khó khăn").
"""

from __future__ import annotations

import re

from ocop_nlp.extract.clauses import Piece, colon_split, split_top, trim
from ocop_nlp.extract.literals import GatedSearch
from ocop_nlp.extract.resources import (
    Resources,
    current,
    per_resources,
    per_resources_lru,
    pos_spans,
    uses_resources,
)
from ocop_nlp.records import Challenge, Sentence


@per_resources
def _res(r: Resources) -> tuple[list[GatedSearch], re.Pattern[str], list[GatedSearch]]:
    c = r.lexicon("cues")
    # Each list searched as one: a pattern only when the words it needs are in the text.
    return (
        [GatedSearch(c["challenge_patterns"] + c["challenge_patterns_extra"])],
        re.compile(c["challenge_still_pattern"], re.IGNORECASE),
        [GatedSearch(c["challenge_blockers"] + c["challenge_blockers_extra"])],
    )


@per_resources
def _lead_in(r: Resources) -> re.Pattern[str]:
    return re.compile(r.lexicon("cues")["challenge_lead_in"], re.IGNORECASE)


def _trim_lead_in(piece: Piece) -> Piece:
    """'Theo Sở Công Thương, giá phân bón tăng gấp đôi' -> 'giá phân bón tăng gấp đôi'."""
    m = _lead_in().match(piece.text)
    if m is None or m.end() >= len(piece.text) or not is_challenge_clause(piece.text[m.end() :]):
        return piece
    return trim(piece.text[m.end() :], piece.start + m.end())


_PURPOSE = re.compile(r"(?i)\s(?:để|nhằm)\s.*$")
_CONTINUES = re.compile(r"(?i)^(?:chưa|còn|không|thiếu|thậm chí|mới|chỉ)\s")


@per_resources
def _discussion(r: Resources) -> re.Pattern[str]:
    words = r.lexicon("cues")["challenge_discussion"]
    return re.compile(r"(?i)(?<![\w])(?:" + "|".join(map(re.escape, words)) + r")(?![\w])")


# The rules ask about the same clause twice (the challenge step, then the clause model's
# features); the answer depends on the text alone. Bounded at about one long article's clauses.
@per_resources_lru(4096)
def is_challenge_clause(text: str) -> bool:
    """
    >>> is_challenge_clause("công tác tuyên truyền chưa hiệu quả")
    True
    >>> is_challenge_clause("các đại biểu thảo luận về những khó khăn, hạn chế")
    False
    """
    pats, still, blockers = _res()
    strong = any(p.search(text) for p in pats)
    if not strong and not still.search(text):
        return False
    # "... chưa tiến hành điều tra ... để có biện pháp giải quyết": a purpose after the
    # problem does not make the clause about solving it.
    head = _PURPOSE.sub("", text)
    if head != text and head.strip() and is_challenge_clause(head):
        return True
    if any(b.search(text) for b in blockers):
        # "đã có nhiều giải pháp nhưng việc triển khai còn thiếu kiên quyết": the problem
        # after "nhưng" stands on its own.
        but = re.split(r"(?i)\bnhưng\b", text)
        return len(but) > 1 and but[-1].strip() != text and is_challenge_clause(but[-1])
    return strong or _still_is_a_state(text)


def _still_is_a_state(text: str) -> bool:
    """'thiết bị còn thô sơ' (a state: a shortcoming) vs 'Ban còn phối hợp' (an added action)."""
    m = re.search(r"(?i)\bcòn\s+", text)
    if m is None:
        return False
    words = pos_spans(text[m.end() : m.end() + 40])
    if not words:
        return False
    word, tag = words[0][0].lower(), words[0][1]
    if tag.startswith("V"):
        return word in _state_verbs()
    return True


@per_resources
def _state_verbs(r: Resources) -> frozenset[str]:
    return frozenset(r.lexicon("cues")["still_state_verbs"])


def clauses_of(text: str, start: int) -> list[Piece]:
    """Split an item into clauses: a comma-piece closes a clause when it states a shortcoming."""
    pieces = split_top(text, ",", start)
    out: list[Piece] = []
    acc: list[Piece] = []
    for p in pieces:
        # "chưa ổn định, chưa đảm bảo an toàn": a piece that opens with the marker has no
        # subject of its own and continues the clause before it.
        if out and not acc and _CONTINUES.match(p.text):
            out[-1] = _merge([out[-1], p], text, start)
            continue
        acc.append(p)
        if is_challenge_clause(p.text):
            out.append(_merge(acc, text, start))
            acc = []
    if acc:
        if out:
            out[-1] = _merge([out[-1], *acc], text, start)
        else:
            out.append(_merge(acc, text, start))
    # "yếu kém, thua lỗ": one- or two-word pieces are items of a noun list, not clauses.
    merged: list[Piece] = []
    for c in out:
        if merged and len(c.text.split()) < 3:
            merged[-1] = _merge([merged[-1], c], text, start)
        else:
            merged.append(c)
    if len(merged) > 1 and len(merged[0].text.split()) < 3:
        merged[0:2] = [_merge(merged[0:2], text, start)]
    return merged


def _merge(ps: list[Piece], text: str, base: int) -> Piece:
    a, b = ps[0].start, ps[-1].end
    return trim(text[a - base : b - base], a)


@uses_resources
def extract_challenges(
    sentences: list[Sentence], skip: set[int] | None = None, resources: Resources | None = None
) -> list[Challenge]:
    """Challenges of the article. `skip` holds indexes of sentences already read as directives."""
    skip = skip or set()
    out: list[Challenge] = []
    for idx, s in enumerate(sentences):
        if idx in skip:
            continue
        body, base = s.text, s.start
        cs = colon_split(body)
        if cs is not None:
            head, at = cs
            if is_challenge_clause(head) and not any(
                w in head.lower() for w in current().lexicon("cues")["challenge_list_heads"]
            ):
                pass  # the head is itself a shortcoming: keep the whole sentence
            else:
                body, base = body[at:], s.start + at
        for item in split_top(body, ";", base):
            if _discussion().search(_PURPOSE.sub("", item.text)):
                continue  # "thảo luận về những khó khăn, hạn chế": the topic, not a problem
            for cl in clauses_of(item.text, item.start):
                if is_challenge_clause(cl.text):
                    piece = _trim_lead_in(trim(cl.text, cl.start))
                    out.append(Challenge(piece.text, piece.start, piece.end))
    return out
