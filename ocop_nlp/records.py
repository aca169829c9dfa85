"""Typed records passed between pipeline stages.

Dicts appear only at the JSON and SQLite edges (`to_dict` / `from_dict`); inside the pipeline
everything is a slotted dataclass, so a misspelt field fails loudly instead of vanishing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from ocop_nlp.errors import InputError

SCHEMA = "ocop-nlp/extraction@1"

# Half of a UTF-16 pair with no other half: JSON can spell one ("\\ud800"), UTF-8 cannot
# hold one, so it would fail wherever the text is written.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_lone_surrogates(text: str) -> tuple[str, int]:
    """`text` with each lone surrogate replaced by U+FFFD, and how many: one character for one,
    so offsets into the text still hold."""
    if text.isascii():
        return text, 0
    return _LONE_SURROGATE.subn("\ufffd", text)


@dataclass(slots=True)
class Article:
    """One article as read from a file, a page, a record or a URL.

    `text` is the body with paragraphs separated by "\\n"; `raw_text` keeps what came in before
    normalisation so nothing the user gave us is lost.
    """

    text: str
    id: str | None = None
    title: str | None = None
    url: str | None = None
    published: str | None = None  # "YYYY-MM-DD"
    author: str | None = None
    source: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Sentence:
    """A sentence of the normalised text; `start`/`end` index into that text."""

    text: str
    start: int
    end: int
    paragraph: int
    tokens: list[str] | None = None


@dataclass(slots=True)
class Official:
    name: str | None
    title: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title}


@dataclass(slots=True)
class Meeting:
    kind: str | None = None
    date: str | None = None
    chair: Official | None = None
    topic: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "date": self.date,
            "chair": self.chair.to_dict() if self.chair else None,
            "topic": self.topic,
        }


@dataclass(slots=True)
class Figure:
    value: float
    text: str
    unit: str
    qualifier: str | None
    start: int
    end: int
    value_max: float | None = None  # upper bound of a range ("400 - 500")

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "value": _number(self.value),
            "text": self.text,
            "unit": self.unit,
            "qualifier": self.qualifier,
            "start": self.start,
            "end": self.end,
        }
        if self.value_max is not None:
            d["value_max"] = _number(self.value_max)
        return d


@dataclass(slots=True)
class Challenge:
    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass(slots=True)
class Directive:
    issuer: Official | None
    addressee: str | None
    action: str
    deadline: str | None
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer.to_dict() if self.issuer else None,
            "addressee": self.addressee,
            "action": self.action,
            "deadline": self.deadline,
            "start": self.start,
            "end": self.end,
        }


@dataclass(slots=True)
class Extraction:
    id: str
    article: Article
    text: str
    meeting: Meeting | None = None
    figures: list[Figure] = field(default_factory=list)
    challenges: list[Challenge] = field(default_factory=list)
    directives: list[Directive] = field(default_factory=list)
    achievements: list[Challenge] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        a = self.article
        d: dict[str, Any] = {
            "schema": SCHEMA,
            "id": self.id,
            "article": {
                "title": a.title,
                "url": a.url,
                "published": a.published,
                "author": a.author,
                "source": a.source,
            },
            "text": self.text,
            "meeting": self.meeting.to_dict() if self.meeting else None,
            "figures": [f.to_dict() for f in self.figures],
            "challenges": [c.to_dict() for c in self.challenges],
            "directives": [x.to_dict() for x in self.directives],
            "achievements": [c.to_dict() for c in self.achievements],
        }
        # Extensions beyond the contract: readers that do not know them ignore them.
        d["warnings"] = list(self.warnings)
        d["versions"] = dict(self.versions)
        return d


def _number(v: float) -> int | float:
    """Whole numbers print as ints (66, not 66.0): that is how people and scripts expect them."""
    if float(v).is_integer() and abs(v) < 2**53:
        return int(v)
    return v


class _Reader:
    """Reads the JSON form of an extraction, checking each field's type on the way: a file
    edited by hand gets one sentence naming the field, not a crash deep in a draft."""

    def __init__(self) -> None:
        self.lone = 0  # lone surrogates replaced

    def fail(self, where: str, value: Any, wanted: str) -> InputError:
        got = type(value).__name__ if value is not None else "missing"
        shown = (
            f" ({value!r})" if isinstance(value, (str, int, float)) and len(str(value)) < 40 else ""
        )
        return InputError(
            f"The extraction has a missing or malformed field: {where} is {got}{shown}, not "
            f"{wanted}; extract the article again or correct the file."
        )

    def obj(self, d: Any, where: str, optional: bool = True) -> dict[str, Any] | None:
        if d is None and optional:
            return None
        if not isinstance(d, dict):
            raise self.fail(where, d, "an object")
        return d

    def text(self, d: dict[str, Any], key: str, where: str, optional: bool = True) -> str | None:
        v = d.get(key)
        if v is None and optional:
            return None
        if not isinstance(v, str):
            raise self.fail(f"{where}{key}", v, "a string")
        v, n = replace_lone_surrogates(v)
        self.lone += n
        return v

    def number(self, d: dict[str, Any], key: str, where: str, optional: bool = False) -> Any:
        v = d.get(key)
        if v is None and optional:
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise self.fail(f"{where}{key}", v, "a finite number")
        if isinstance(v, float) and not math.isfinite(v):
            raise self.fail(f"{where}{key}", v, "a finite number")
        # A 400-digit integer is valid JSON but no float: templates divide and round values.
        if isinstance(v, int) and abs(v) > 2**1023:
            raise self.fail(f"{where}{key}", v, "a finite number")
        return v

    def offset(self, d: dict[str, Any], key: str, where: str) -> int:
        v = d.get(key)
        if isinstance(v, bool) or not isinstance(v, int):
            raise self.fail(f"{where}{key}", v, "a whole number")
        return v

    def items(self, d: dict[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
        v = d.get(key)
        if v is None:
            return []
        if not isinstance(v, list):
            raise self.fail(key, v, "a list")
        out = []
        for i, item in enumerate(v):
            where = f"{key}[{i}]"
            out.append((f"{where}.", self.obj(item, where, optional=False) or {}))
        return out

    def passages(self, d: dict[str, Any], key: str) -> list[Challenge]:
        """Challenges or achievements: a text and its offsets."""
        return [
            Challenge(
                self.text(c, "text", w, optional=False) or "",
                self.offset(c, "start", w),
                self.offset(c, "end", w),
            )
            for w, c in self.items(d, key)
        ]

    def official(self, d: Any, where: str) -> Official | None:
        o = self.obj(d, where)
        if not o:
            return None
        return Official(self.text(o, "name", f"{where}."), self.text(o, "title", f"{where}."))


def extraction_from_dict(d: dict[str, Any]) -> Extraction:
    """Rebuild an Extraction from its JSON form (for `ocop draft EXTRACTION.json`).

    Every field is checked: a wrong type raises InputError naming the field. Lone surrogates
    (JSON can spell "\\ud800", UTF-8 cannot hold it) become U+FFFD, with a warning.
    """
    r = _Reader()
    d = r.obj(d, "top level", optional=False) or {}
    a = r.obj(d.get("article"), "article") or {}
    text = r.text(d, "text", "") or ""
    rid = d.get("id")
    if rid is not None and not isinstance(rid, (str, int)):
        raise r.fail("id", rid, "a string")
    art = Article(
        text=text,
        id=None if rid is None else replace_lone_surrogates(str(rid))[0],
        title=r.text(a, "title", "article."),
        url=r.text(a, "url", "article."),
        published=r.text(a, "published", "article."),
        author=r.text(a, "author", "article."),
        source=r.text(a, "source", "article."),
    )
    m = r.obj(d.get("meeting"), "meeting")
    meeting = (
        Meeting(
            r.text(m, "kind", "meeting."),
            r.text(m, "date", "meeting."),
            r.official(m.get("chair"), "meeting.chair"),
            r.text(m, "topic", "meeting."),
        )
        if m
        else None
    )
    figures = [
        Figure(
            r.number(f, "value", w),
            r.text(f, "text", w, optional=False) or "",
            r.text(f, "unit", w, optional=False) or "",
            r.text(f, "qualifier", w),
            r.offset(f, "start", w),
            r.offset(f, "end", w),
            r.number(f, "value_max", w, optional=True),
        )
        for w, f in r.items(d, "figures")
    ]
    directives = [
        Directive(
            r.official(x.get("issuer"), f"{w}issuer"),
            r.text(x, "addressee", w),
            r.text(x, "action", w, optional=False) or "",
            r.text(x, "deadline", w),
            r.offset(x, "start", w),
            r.offset(x, "end", w),
        )
        for w, x in r.items(d, "directives")
    ]
    warnings = d.get("warnings") or []
    versions = d.get("versions") or {}
    if not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings):
        raise r.fail("warnings", warnings, "a list of strings")
    if not isinstance(versions, dict) or not all(isinstance(v, str) for v in versions.values()):
        raise r.fail("versions", versions, "an object of strings")
    warnings = [replace_lone_surrogates(w)[0] for w in warnings]
    if r.lone:
        warnings.append(
            f"The extraction held {r.lone:,} lone UTF-16 surrogate(s) (\\ud800-\\udfff escapes, "
            "half a character each); each was replaced with \ufffd."
        )
    return Extraction(
        id=art.id or "",
        article=art,
        text=text,
        meeting=meeting,
        figures=figures,
        challenges=r.passages(d, "challenges"),
        achievements=r.passages(d, "achievements"),
        directives=directives,
        warnings=warnings,
        versions=dict(versions),
    )
