"""The annotated corpus: stand-off labels joined with the shared article text at load time.

An annotation line names an article id, the SHA-1 of the article's *indexed text*, and a
clause span `[start, end)` into that text. The indexed text is what `ocop extract` puts in an
extraction's `text`: the record read by `article_from_record`, then the pipeline's normaliser
(legacy-encoding repair, NFC, one tone-mark placement, whitespace), computed here by
`ocop_nlp.extract.pipeline.normalised_text` with default settings. The text itself never
enters the repository; a changed normaliser changes the hash and the loader says so.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ocop_nlp.errors import OcopError
from ocop_nlp.extract.pipeline import normalised_text
from ocop_nlp.parse.reader import article_from_record
from ocop_nlp.records import Article

LABELS = ("figure", "challenge", "directive", "achievement", "other")
REPO = Path(__file__).resolve().parents[2]
ANNOTATIONS = REPO / "corpora" / "annotations"


# What precedes a directive's action inside its clause: the issuer, an order verb, the
# addressee, a leading connective ("Đồng thời, ..."); ANNOTATION.md trims them all. The lists
# are ANNOTATION.md's own, not cues.toml's on purpose: a gold span must not move when the
# extractor's lexicon does.
_ORDER_VERB = re.compile(
    r"(?i)(?<![\w])(?:yêu cầu|đề nghị|chỉ đạo|giao cho|giao|lưu ý|đôn đốc|nhắc nhở|chỉ thị|"
    r"quán triệt|kêu gọi)(?![\w])[\s,:]*"
)
_CONNECTIVE = re.compile(
    r"(?i)^(?:\W*(?:tuy nhiên|bên cạnh đó|đồng thời|cùng với đó|ngoài ra|mặt khác|theo đó|"
    r"trong đó|riêng|đặc biệt|và)\s*,?\s*)+"
)
_SYL = re.compile(r"\w+")


def action_span(text: str, c: Clause) -> tuple[int, int]:
    """The span a directive is matched by: its action, "from its verb" (ANNOTATION.md).

    A directive is annotated as its whole clause with issuer and addressee spans; where the
    clause holds them ("Chủ tịch UBND tỉnh yêu cầu các sở, ngành | tăng cường kiểm tra"), the
    action starts after the addressee, or after the order verb that follows the issuer, and a
    leading connective is trimmed. A clause that is all action stays as it is."""
    a, b = c.start, c.end
    cut = a
    # (an addressee late in the clause is an object of the action: "... và các cơ quan")
    if (
        c.addressee
        and a <= c.addressee[0]
        and c.addressee[1] <= b
        and c.addressee[0] - a < (b - a) / 2
    ):
        cut = c.addressee[1]
    elif c.issuer and a <= c.issuer[0] and c.issuer[1] <= b:
        m = _ORDER_VERB.search(text, c.issuer[1], min(b, c.issuer[1] + 60))
        if m is not None:
            cut = m.end()
    body = text[cut:b]
    lead = len(body) - len(body.lstrip(" ,:;-–"))
    m2 = _CONNECTIVE.match(body[lead:])
    start = cut + lead + (m2.end() if m2 else 0)
    # an action of fewer than two syllables is a cut gone wrong: keep the clause
    return (start, b) if len(_SYL.findall(text[start:b])) >= 2 else (a, b)


class SharedDataMissing(OcopError):
    """../shared/data is not here, so stand-off annotations cannot be joined with their text."""


class TextDrift(OcopError):
    """An article's indexed text no longer hashes to what the annotation was made on."""


def shared_data_dir() -> Path:
    """`OCOP_SHARED_DATA`, else `../shared/data` next to the repository."""
    env = os.environ.get("OCOP_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


def require_shared() -> Path:
    d = shared_data_dir()
    if not (d / "news").is_dir():
        raise SharedDataMissing(
            f"The shared article data is not at {d} (expected a news/ folder of .jsonl.gz); "
            "the annotations hold only ids and offsets, so they need it. Set OCOP_SHARED_DATA "
            "to the data folder or run inside the workplace."
        )
    return d


@cache
def _records() -> dict[str, dict]:
    out: dict[str, dict] = {}
    for p in sorted((require_shared() / "news").glob("*.jsonl.gz")):
        with gzip.open(p, "rt", encoding="utf-8") as f:
            for line in f:
                rec = json.loads(line)
                out[str(rec["id"])] = rec
    return out


def dev_ids() -> list[str]:
    p = require_shared() / "splits" / "dev_ids.txt"
    return [ln.strip() for ln in p.read_text(encoding="utf-8").splitlines() if ln.strip()]


def is_portal(article_id: str) -> bool:
    return not article_id.startswith(("baomoi", "vietnews", "dantri"))


def record(article_id: str) -> dict:
    try:
        return _records()[article_id]
    except KeyError:
        raise OcopError(f"No article with id {article_id!r} in {shared_data_dir()}/news.") from None


def article(article_id: str) -> Article:
    return article_from_record(record(article_id))


@cache
def indexed_text(article_id: str) -> str:
    """The normalised text annotation offsets index into (see the module docstring)."""
    return normalised_text(article(article_id))


def text_sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class Clause:
    article: str
    start: int
    end: int
    label: str
    text: str
    issuer: tuple[int, int] | None = None
    addressee: tuple[int, int] | None = None
    figures: list[dict] = field(default_factory=list)
    annotator: str = ""
    pass_no: int = 1


@dataclass(slots=True)
class AnnotatedArticle:
    id: str
    text: str
    clauses: list[Clause]

    @property
    def portal(self) -> bool:
        return is_portal(self.id)


def read_annotation_lines(paths: Iterable[Path]) -> Iterator[dict]:
    for p in paths:
        with open(p, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError as e:
                        raise OcopError(f"{p}:{n} is not valid JSON ({e.msg}).") from e


def annotation_files(pass_no: int = 1) -> list[Path]:
    return sorted(ANNOTATIONS.glob(f"pass{pass_no}*.jsonl"))


class DuplicateAnnotation(OcopError):
    """One article is annotated differently in two annotation files."""


_COMPARED = ("start", "end", "label", "issuer", "addressee", "figures")


def _canonical(line: dict) -> dict:
    return {"article": line["article"], **{k: line.get(k) or None for k in _COMPARED}}


def annotation_lines(pass_no: int = 1, paths: list[Path] | None = None) -> list[dict]:
    """The annotation lines of every file (`pass1.jsonl`, `pass1-A.jsonl`, ...), an article that
    is in several files taken once: the files may be pieces and their concatenation side by
    side. An article annotated differently in two files is an error that names both."""
    by_article: dict[str, tuple[Path, list[dict]]] = {}
    for p in paths or annotation_files(pass_no):
        mine: dict[str, list[dict]] = {}
        for line in read_annotation_lines([p]):
            mine.setdefault(line["article"], []).append(line)
        for aid, lines in mine.items():
            seen = {(a["start"], a["end"]) for a in lines}
            if len(seen) != len(lines):
                raise DuplicateAnnotation(
                    f"{p.name} annotates a clause of {aid} twice; keep one line per clause."
                )
            if aid in by_article:
                other, before = by_article[aid]
                key = lambda a: (a["start"], a["end"])  # noqa: E731 - a sort key
                same = [_canonical(a) for a in sorted(before, key=key)] == [
                    _canonical(a) for a in sorted(lines, key=key)
                ]
                if not same:
                    raise DuplicateAnnotation(
                        f"{aid} is annotated differently in {other.name} and {p.name}; "
                        "keep one of them (or make them equal)."
                    )
                continue
            by_article[aid] = (p, lines)
    return [a for _, lines in by_article.values() for a in lines]


def load_corpus(pass_no: int = 1, paths: list[Path] | None = None) -> list[AnnotatedArticle]:
    """Annotated articles (in file order), text joined from ../shared, hashes checked."""
    require_shared()
    by_article: dict[str, AnnotatedArticle] = {}
    for a in annotation_lines(pass_no, paths):
        aid = a["article"]
        if aid not in by_article:
            text = indexed_text(aid)
            if text_sha1(text) != a["text_sha1"]:
                raise TextDrift(
                    f"The text of {aid} has changed since it was annotated (SHA-1 "
                    f"{text_sha1(text)[:10]} != {a['text_sha1'][:10]}): the normaliser or the "
                    "shared data moved; re-anchor the annotations with the annotation tool."
                )
            by_article[aid] = AnnotatedArticle(aid, text, [])
        art = by_article[aid]
        if a["label"] not in LABELS:
            raise OcopError(f"{aid}: unknown label {a['label']!r}; use one of {LABELS}.")
        s, e = int(a["start"]), int(a["end"])
        art.clauses.append(
            Clause(
                aid,
                s,
                e,
                a["label"],
                art.text[s:e],
                tuple(a["issuer"]) if a.get("issuer") else None,  # type: ignore[arg-type]
                tuple(a["addressee"]) if a.get("addressee") else None,  # type: ignore[arg-type]
                a.get("figures") or [],
                a.get("annotator", ""),
                int(a.get("pass", pass_no)),
            )
        )
    for art in by_article.values():
        art.clauses.sort(key=lambda c: c.start)
    return list(by_article.values())


def data_hash(paths: list[Path] | None = None) -> str:
    """SHA-1 over the annotation files: the training data a model was made from."""
    h = hashlib.sha1()
    for p in paths or annotation_files(1):
        h.update(p.read_bytes())
    return h.hexdigest()


def corpus_digest(pass_no: int = 1, paths: list[Path] | None = None) -> str:
    """SHA-256 over what the annotations say (article, text hash, span, label, issuer,
    addressee, figures), in a fixed order: the same whether the lines sit in one file or in
    several, and changed by any label or span that changes. Needs no ../shared."""
    h = hashlib.sha256()
    lines = annotation_lines(pass_no, paths)
    for a in sorted(lines, key=lambda a: (a["article"], a["start"], a["end"])):
        rec = {**_canonical(a), "text_sha1": a["text_sha1"]}
        h.update(json.dumps(rec, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n")
    return h.hexdigest()
