"""Addressees to canonical agencies, from the versioned gazetteer `data/agencies.toml`.

>>> g = gazetteer()
>>> [g.resolve(s).agency_id for s in ("Sở NN&PTNT", "Sở Nông nghiệp và PTNT",
...  "Sở Nông nghiệp và Phát triển nông thôn tỉnh Cao Bằng")]
['so-nn-ptnt', 'so-nn-ptnt', 'so-nn-ptnt']
>>> g.resolve("Tổ").junk, g.resolve("công tác giám sát, ứng cứu sự cố").junk
(True, True)
>>> g.successor("so-nn-ptnt")          # the 2025 reorganisation
'so-nn-mt'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from ocop_nlp.config import lexicon
from ocop_nlp.errors import ConfigError
from ocop_nlp.store.fold import fold_words

LEVELS = ("trung ương", "tỉnh", "huyện", "xã")
# Heads whose level is known when the agency itself is not in the gazetteer.
_HEAD_LEVEL = {
    "bo": "trung ương",
    "tong cuc": "trung ương",
    "vu": "trung ương",
    "chinh phu": "trung ương",
    "so": "tỉnh",
    "chi cuc": "tỉnh",
    "tinh uy": "tỉnh",
    "phong": "huyện",
    "huyen uy": "huyện",
    "dang uy": "xã",
}


_PLACE_WORDS = {"tinh", "huyen", "thanh", "thi", "xa", "phuong", "quan"}


def _starts_with_a_name(text: str, head_words: int) -> bool:
    """Is the word after the head capitalised as a name is ("Ban Dân nguyện")?"""
    words = text.replace("&", " ").split()
    return len(words) > head_words and words[head_words][:1].isupper()


@dataclass(frozen=True, slots=True)
class Agency:
    id: str
    name: str
    level: str
    collective: bool = False
    until: str | None = None
    merged_into: str | None = None


@dataclass(frozen=True, slots=True)
class Addressee:
    """What an addressee as written resolves to.

    `agency_id` is the gazetteer id, or "raw:" and the folded text for an agency the gazetteer
    does not know (kept, searchable); None for junk. `place` is what followed the agency's
    name ("tỉnh Cao Bằng").
    """

    raw: str
    agency_id: str | None
    name: str | None
    level: str | None
    junk: bool = False
    collective: bool = False
    place: str | None = None


class Gazetteer:
    def __init__(self, data: dict[str, Any]) -> None:
        self.version = str(data.get("version", "?"))
        abbr = data.get("abbreviations", {})
        # One pass, whole words, longest first: "nn va ptnt" before "ptnt".
        self._abbr = {str(k): str(v) for k, v in abbr.items()}
        self._abbr_re = re.compile(
            r"\b("
            + "|".join(re.escape(k) for k in sorted(self._abbr, key=len, reverse=True))
            + r")\b"
        )
        self._cache: dict[str, Addressee] = {}
        self.heads = sorted((str(h) for h in data.get("heads", [])), key=len, reverse=True)
        self.bare = {str(b) for b in data.get("bare", [])}
        self.trailing = [str(t) for t in data.get("trailing", [])]
        self.place_heads = {str(k): str(v) for k, v in data.get("place_heads", {}).items()}
        self.named_heads = {str(h) for h in data.get("named_heads", [])}
        self.plural_heads = {str(h) for h in data.get("plural_heads", [])}
        self.agencies: dict[str, Agency] = {}
        self._alias: dict[str, str] = {}
        for a in data.get("agency", []):
            try:
                ag = Agency(
                    id=a["id"],
                    name=a["name"],
                    level=a["level"],
                    collective=bool(a.get("collective", False)),
                    until=a.get("until"),
                    merged_into=a.get("merged_into"),
                )
            except KeyError as e:
                raise ConfigError(f"An agency in data/agencies.toml lacks {e}; give it.") from e
            if ag.level not in LEVELS:
                raise ConfigError(f"Agency {ag.id} has level {ag.level!r}; use one of {LEVELS}.")
            self.agencies[ag.id] = ag
            for form in (ag.name, *a.get("aliases", [])):
                self._alias.setdefault(self.key(form), ag.id)
        self._max_words = max((len(k.split()) for k in self._alias), default=1)
        # One capturing group, so `split` keeps each joiner as written between the parts.
        joiners = [str(j) for j in data.get("joiners", [",", ";", "và", "cùng"])]
        words = [re.escape(j) for j in joiners if j.isalpha()]
        marks = [re.escape(j) for j in joiners if not j.isalpha()]
        forms = [rf"\s*(?:{'|'.join(marks)})\s*"] if marks else []
        forms += [rf"\s+(?:{'|'.join(words)})\s+"] if words else []
        self._joiners = re.compile("(" + "|".join(forms) + ")" if forms else "(?!)")

    def key(self, text: str) -> str:
        """The folded, abbreviation-expanded form that aliases are compared on."""
        k = fold_words(text)
        return self._abbr_re.sub(lambda m: self._abbr[m.group(1)], k) if self._abbr else k

    def resolve(self, raw: str | None) -> Addressee:
        """The canonical agency of an addressee as written (junk and unknown ones flagged)."""
        text = (raw or "").strip()
        hit = self._cache.get(text)
        if hit is None:
            hit = self._resolve(text)
            if len(self._cache) < 100_000:  # addressees repeat; a corpus has a few thousand
                self._cache[text] = hit
        return hit

    def _resolve(self, text: str) -> Addressee:
        k = self.key(text)
        for t in self.trailing:  # "Sở cũng", "các bộ, cơ quan chưa"
            k = re.sub(rf"\s+{t}(\s.*)?$", "", k)
        words = k.split()
        if not words:
            return Addressee(text, None, None, None, junk=True)
        for n in range(min(len(words), self._max_words), 0, -1):
            agency_id = self._alias.get(" ".join(words[:n]))
            if agency_id is not None:
                return self._agency(text, agency_id, words[n:])
        head = self._head(k)
        if head is None or k in self.bare:
            return Addressee(text, None, None, None, junk=True)
        rest = k[len(head) :].split()
        if head in self.place_heads:
            return self._agency(text, self.place_heads[head], words)
        if head in self.plural_heads and self._head(" ".join(rest)) is None:
            return Addressee(text, None, None, None, junk=True)
        if head in self.named_heads and not _starts_with_a_name(text, len(head.split())):
            return Addressee(text, None, None, None, junk=True)
        return Addressee(text, "raw:" + k, text, _HEAD_LEVEL.get(head))

    def split(self, raw: str | None) -> list[Addressee]:
        """The agencies one addressee names ("Sở Tài chính, Sở Xây dựng và UBND các huyện"),
        each canonical, in order, without repeats; `[resolve(raw)]` when it names one.

        A list is cut at ",", ";", "và" and "cùng" only where the next part starts with an
        agency of the gazetteer, so names that hold those words stay whole ("Bộ Lao động,
        Thương binh và Xã hội", "Sở NN và PTNT"), and a part that names no agency ("thành
        phố", "ngành liên quan") stays with the agency before it.
        """
        text = (raw or "").strip()
        parts = self._joiners.split(text)
        whole = self.resolve(text)
        if len(parts) < 3:
            return [whole]
        pieces, seps = parts[0::2], parts[1::2]

        def run(i: int, j: int) -> str:
            return pieces[i] + "".join(seps[k] + pieces[k + 1] for k in range(i, j - 1))

        groups: list[list[int]] = []
        i, n = 0, len(pieces)
        while i < n:
            j = self._agency_run(run, i, n)
            if j is not None:
                groups.append([i, j])
                i = j
                continue
            if groups:
                groups[-1][1] = i + 1  # names no agency: part of the one before
            else:
                groups.append([i, i + 1])
            i += 1
        if len(groups) < 2:
            return [whole]
        found: dict[str | None, Addressee] = {}
        for a in (self.resolve(run(i, j)) for i, j in groups):
            if not a.junk:
                found.setdefault(a.agency_id, a)
        return list(found.values()) if len(found) >= 2 else [whole]

    def _agency_run(self, run: Callable[[int, int], str], i: int, n: int) -> int | None:
        """The end of the parts from `i` that an agency of the gazetteer covers, when they
        start with one (the longest alias wins); None when they do not."""
        words = self.key(run(i, n)).split()
        for size in range(min(len(words), self._max_words), 0, -1):
            agency_id = self._alias.get(" ".join(words[:size]))
            if agency_id is None:
                continue
            for j in range(i + 1, n + 1):
                if len(self.key(run(i, j)).split()) >= size:
                    return j
        return None

    def _head(self, k: str) -> str | None:
        return next((h for h in self.heads if k == h or k.startswith(h + " ")), None)

    def _agency(self, text: str, agency_id: str, rest: list[str]) -> Addressee:
        ag = self.agencies[agency_id]
        place = " ".join(rest) if rest and rest[0] in _PLACE_WORDS else None
        return Addressee(text, ag.id, ag.name, ag.level, collective=ag.collective, place=place)

    def successor(self, agency_id: str) -> str:
        """The agency that holds `agency_id`'s work after the 2025 reorganisation."""
        seen = {agency_id}
        while (ag := self.agencies.get(agency_id)) is not None and ag.merged_into:
            agency_id = ag.merged_into
            if agency_id in seen:
                break
            seen.add(agency_id)
        return agency_id

    def matching_ids(self, query: str) -> tuple[set[str], str]:
        """(agency ids, folded text) an `--addressee` query stands for: the agency it names,
        with every agency merged into the same 2025 successor, or the folded text when the
        gazetteer does not know it (then matched against addressees as written)."""
        a = self.resolve(query)
        if a.agency_id is None or a.agency_id.startswith("raw:"):
            return set(), self.key(query)
        target = self.successor(a.agency_id)
        return {i for i in self.agencies if self.successor(i) == target}, self.key(query)


@cache
def gazetteer() -> Gazetteer:
    """The packaged gazetteer, loaded once per process."""
    return Gazetteer(lexicon("agencies"))
