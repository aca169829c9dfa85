"""Clause features: underthesea words, our lexicon cues, and where the clause sits.

A clause is described by a bag of string features, so the vectoriser is a plain
`TfidfVectorizer(analyzer=identity)` and a model artifact stays small and readable:

- `w:` lower-cased words from underthesea's segmentation ("w:tuyên_truyền") and `b:` bigrams;
- `cue:` lexicon lists from `ocop_nlp/data/cues.toml` and `titles.toml` found in the clause
  ("cue:strong_directive_verbs", "cue:challenge_patterns");
- `pre:` the same cues in the sentence before the clause ("Chủ tịch yêu cầu: <clause>"), and
  `prev:` in the sentence before, for a clause that opens its sentence (lists over lines);
- shape: digits, percent, length, first clause of a sentence, after a colon, position.

This module reads only `nlp/` and the lexicons, so the pipeline can use it at run time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ocop_nlp.extract.literals import CASELESS_SAFE as _CASELESS_SAFE
from ocop_nlp.extract.literals import GatedSearch
from ocop_nlp.extract.resources import Resources, per_resources, per_resources_lru, word_spans
from ocop_nlp.records import Sentence

# Bumped when the features change: a model trained on other features is refused at load.
FEATURE_VERSION = 3  # 3: words sliced from the sentence segmentation

_CUE_LISTS = (
    "directive_verbs",
    "strong_directive_verbs",
    "obligation_modals",
    "self_plan_cues",
    "addressee_heads",
    "challenge_nouns",
    "challenge_markers",
    "challenge_negators",
    "achievement_markers",
    "enumerators",
    "speech_verbs",
    "issuer_pronouns",
    "obligation_after_subject",
    "challenge_discussion",
    "lead_adverbials",
)


def identity(tokens: list[str]) -> list[str]:
    """The analyzer of the vectoriser: features are already tokens (module level: picklable)."""
    return tokens


def _phrase_re(words: Sequence[str]) -> re.Pattern[str]:
    alt = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    return re.compile(rf"(?i)(?<![\w])(?:{alt})(?![\w])")


def _any_of(patterns: Sequence[str]) -> re.Pattern[str]:
    """One search for "does any of these patterns match": an alternation of them finds a match
    exactly when one of them does, in one pass over the text instead of one per pattern."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


@per_resources
def _cues(r: Resources) -> dict[str, list[re.Pattern[str]]]:
    c = r.lexicon("cues")
    t = r.lexicon("titles")
    out: dict[str, list[re.Pattern[str]]] = {
        name: [_phrase_re(c[name])] for name in _CUE_LISTS if c.get(name)
    }
    out["challenge_patterns"] = [_any_of([*c["challenge_patterns"], c["challenge_still_pattern"]])]
    out["challenge_blockers"] = [_any_of(c["challenge_blockers"])]
    out["title_heads"] = [_phrase_re(t["heads"])]
    out["bodies"] = [_phrase_re(t["bodies"])]
    return out


_RUN = re.compile(r"\w+")


@per_resources
def _cue_heads(r: Resources) -> dict[str, dict[str, tuple[str, ...]]]:
    """The lower-cased words of each word-list cue by their first run of word characters
    ("yêu" of "yêu cầu"), for the lists whose words all open with one and are all
    `_CASELESS_SAFE`."""
    c = r.lexicon("cues")
    t = r.lexicon("titles")
    lists = {name: c[name] for name in _CUE_LISTS if c.get(name)}
    lists |= {"title_heads": t["heads"], "bodies": t["bodies"]}
    out = {}
    for name, words in lists.items():
        by_head: dict[str, set[str]] = {}
        for w in words:
            m = _RUN.match(w.lower())
            if m is None or not set(w) <= _CASELESS_SAFE:
                break
            by_head.setdefault(m.group(0), set()).add(w.lower())
        else:
            out[name] = {h: tuple(ws) for h, ws in by_head.items()}
    return out


@per_resources
def _cue_index(r: Resources) -> dict[str, tuple[tuple[str, tuple[str, ...]], ...]]:
    """`_cue_heads` turned around: each head run with the lists and words that open with it."""
    out: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for name, by_head in _cue_heads().items():
        for head, words in by_head.items():
            out.setdefault(head, []).append((name, words))
    return {head: tuple(entries) for head, entries in out.items()}


@per_resources
def _gated(r: Resources) -> dict[str, GatedSearch]:
    """The pattern lists of `_cues`, each pattern searched only when its leading words are in
    the text (`extract/literals.py`): the same answers, far fewer searches."""
    c = r.lexicon("cues")
    return {
        "challenge_patterns": GatedSearch([*c["challenge_patterns"], c["challenge_still_pattern"]]),
        "challenge_blockers": GatedSearch(c["challenge_blockers"]),
    }


@per_resources_lru(2048)  # one article's clauses and their contexts; bounded like word_spans
def cue_names(text: str) -> tuple[str, ...]:
    """Names of the lexicon lists that match `text`.

    >>> cue_names("Phó Chủ tịch UBND tỉnh yêu cầu các địa phương")[:3]
    ('directive_verbs', 'strong_directive_verbs', 'speech_verbs')
    """
    # A word of a list matches only as whole words, so its first run of word characters is a
    # whole run of the text and the word is in the text, case aside: set and substring tests
    # rule most lists out before their regular expressions (which check the word boundaries)
    # run. Only for texts whose case-insensitive matching is that of lower().
    low = text.lower() if set(text) <= _CASELESS_SAFE else None
    heads = _cue_heads()
    present: set[str] = set()  # the word lists with a word in the text (when `low` is known)
    if low is not None:
        index = _cue_index()
        for h in set(_RUN.findall(low)):
            for name, words in index.get(h, ()):
                if name not in present and any(w in low for w in words):
                    present.add(name)
    gated = _gated()
    out = []
    for name, pats in _cues().items():
        if low is not None and name in heads and name not in present:
            continue
        g = gated.get(name)
        if g.any_match(text, low) if g is not None else any(p.search(text) for p in pats):
            out.append(name)
    return tuple(out)


def _len_bucket(n: int) -> str:
    return "len:" + ("1-3" if n <= 3 else "4-8" if n <= 8 else "9-20" if n <= 20 else "21+")


_SYLLABLE = re.compile(r"\w+")


def clause_features(
    text: str,
    spans: Sequence[tuple[int, int, int]],
    sentences: Sequence[Sentence],
    syllables: bool = False,
) -> list[list[str]]:
    """Features of each clause `(start, end, sentence index)` of `text`.

    `syllables`: the words are the clause's syllables (runs of word characters) instead of
    underthesea's words; their bigrams stand in for compound words, and no sentence needs
    segmenting (the sequence model reads every clause, the segmenter only some sentences).
    """
    out: list[list[str]] = []
    n = max(1, len(text))
    for a, b, si in spans:
        clause = text[a:b]
        sent = sentences[si]
        feats: list[str] = []
        if syllables:
            words = _SYLLABLE.findall(clause.lower())
        else:
            # The sentence's segmentation (cached, shared with the figure extractor) sliced to
            # the clause: segmenting each clause again cost more than all the rules together.
            lo, hi = a - sent.start, b - sent.start
            words = [
                w.lower().replace(" ", "_")
                for w, ws, we in word_spans(sent.text)
                if ws >= lo and we <= hi
            ]
        feats += [f"w:{w}" for w in words]
        feats += [f"b:{x}|{y}" for x, y in zip(words, words[1:], strict=False)]
        feats += [f"cue:{c}" for c in cue_names(clause)]
        before = text[sent.start : a]
        feats += [f"pre:{c}" for c in cue_names(before)]
        # the first clause of its sentence: nothing but list marks before it
        if not any(ch.isalnum() for ch in before):
            feats.append("first_in_sentence")
            if si > 0:
                feats += [f"prev:{c}" for c in cue_names(sentences[si - 1].text)]
        if before.rstrip().endswith(":"):
            feats.append("after_colon")
        if text[b : b + 2].lstrip().startswith(":"):
            feats.append("before_colon")
        if re.search(r"\d", clause):
            feats.append("has_digit")
        if re.search(r"\d\s*%", clause):
            feats.append("has_percent")
        if re.search(r"\d[\d.,]*\s+[^\W\d]", clause):
            feats.append("number_then_word")
        if clause[:1] in '“"':
            feats.append("opens_quote")
        feats.append(_len_bucket(len(clause.split())))
        feats.append(f"pos:{min(4, int(5 * a / n))}")
        out.append(feats)
    return out
