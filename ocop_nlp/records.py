"""Typed records passed between pipeline stages.

Dicts appear only at the JSON and SQLite edges (`to_dict` / `from_dict`); inside the pipeline
everything is a slotted dataclass, so a misspelt field fails loudly instead of vanishing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCHEMA = "ocop-nlp/extraction@1"


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


def official_from_dict(d: dict[str, Any] | None) -> Official | None:
    return Official(d.get("name"), d.get("title")) if d else None


def extraction_from_dict(d: dict[str, Any]) -> Extraction:
    """Rebuild an Extraction from its JSON form (for `ocop draft EXTRACTION.json`)."""
    a = d.get("article") or {}
    text = d.get("text") or ""
    art = Article(
        text=text,
        id=d.get("id"),
        title=a.get("title"),
        url=a.get("url"),
        published=a.get("published"),
        author=a.get("author"),
        source=a.get("source"),
    )
    m = d.get("meeting")
    meeting = (
        Meeting(m.get("kind"), m.get("date"), official_from_dict(m.get("chair")), m.get("topic"))
        if m
        else None
    )
    return Extraction(
        id=d.get("id") or "",
        article=art,
        text=text,
        meeting=meeting,
        figures=[
            Figure(
                f["value"],
                f["text"],
                f["unit"],
                f.get("qualifier"),
                f["start"],
                f["end"],
                f.get("value_max"),
            )
            for f in d.get("figures", [])
        ],
        challenges=[Challenge(c["text"], c["start"], c["end"]) for c in d.get("challenges", [])],
        directives=[
            Directive(
                official_from_dict(x.get("issuer")),
                x.get("addressee"),
                x["action"],
                x.get("deadline"),
                x["start"],
                x["end"],
            )
            for x in d.get("directives", [])
        ],
        achievements=[
            Challenge(c["text"], c["start"], c["end"]) for c in d.get("achievements", [])
        ],
        warnings=list(d.get("warnings", [])),
        versions=dict(d.get("versions", {})),
    )
