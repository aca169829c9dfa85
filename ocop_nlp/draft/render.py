"""Drafting: an Extraction -> a Vietnamese meeting summary from a Jinja2 template.

Every line of a draft carries a footnote back to the sentence it came from (with offsets), so
an editor can check each claim against the source before publishing.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ocop_nlp.config import Settings, load_settings
from ocop_nlp.draft.sandbox import FORMATS, clean_values, make_env, render
from ocop_nlp.errors import InputError, TemplateError, TooLargeError
from ocop_nlp.extract.views import format_number
from ocop_nlp.nlp.sentences import split_sentences
from ocop_nlp.records import Extraction

BUILTIN = {
    "bien-ban-tom-tat": "Tóm tắt cuộc họp: cuộc họp, kết quả, khó khăn, chỉ đạo theo đơn vị, nguồn.",
    "tin-bai": "Tin bài ngắn: đoạn dẫn về cuộc họp, kết quả nổi bật, chỉ đạo chính.",
}
DEFAULT_TEMPLATE = "bien-ban-tom-tat"


@dataclass(frozen=True, slots=True)
class TemplateInfo:
    name: str
    description: str
    formats: tuple[str, ...]


def list_templates() -> list[TemplateInfo]:
    return [TemplateInfo(n, d, FORMATS) for n, d in BUILTIN.items()]


_SCALES = ((1e9, "tỷ"), (1e6, "triệu"))


def format_quantity(v: float, unit: str | None) -> str:
    """A figure's number as a report writes it: sums of money in tỷ or triệu when exact.

    >>> format_quantity(18600000000, "đồng"), format_quantity(1234567, "đồng")
    ('18,6 tỷ', '1.234.567')
    """
    if unit == "đồng":
        for scale, word in _SCALES:
            q = v / scale
            if q >= 1 and abs(q * 100 - round(q * 100)) < 1e-6:
                return f"{format_number(q)} {word}"
    return format_number(v)


def format_date(iso: str | None) -> str:
    if not iso:
        return ""
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", iso)
    # News style writes "ngày 10/7/2018", without leading zeros.
    return f"{int(m.group(3))}/{int(m.group(2))}/{m.group(1)}" if m else iso


class _Sentences:
    """The sentences of an extraction's text, as the extractors split it (same offsets)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans = [(s.start, s.end) for s in split_sentences(text)]
        self.starts = [a for a, _ in self.spans]

    def around(self, start: int, end: int) -> str:
        """The sentence(s) holding [start, end): what an editor checks the line against."""
        i = bisect.bisect_right(self.starts, start) - 1
        if i < 0 or start >= self.spans[i][1]:
            return _sentence_of(self.text, start, end)
        j = i
        while j + 1 < len(self.spans) and self.spans[j][1] < end:
            j += 1
        return self.text[self.spans[i][0] : self.spans[j][1]]


def _sentence_of(text: str, start: int, end: int) -> str:
    """Fallback: the line-and-full-stop bounded text around [start, end)."""
    a = max(
        text.rfind("\n", 0, start),
        max(text.rfind(". ", 0, start), -1) + 1 if text.rfind(". ", 0, start) >= 0 else 0,
    )
    a = 0 if a < 0 else a
    b_nl = text.find("\n", end)
    b = len(text) if b_nl < 0 else b_nl
    dot = text.find(". ", end)
    if 0 <= dot < b:
        b = dot + 1
    return text[a:b].strip(" \n")


def draft_context(ex: Extraction) -> dict[str, Any]:
    """The variables a template sees; documented in the README for template authors.

    Every string is cleaned of characters XML cannot hold (ESC, form feed, lone surrogates).
    """
    notes: list[dict[str, Any]] = []
    sentences = _Sentences(ex.text)

    first_note_of: dict[str, int] = {}

    def note(start: int, end: int) -> int:
        n = len(notes) + 1
        sentence = sentences.around(start, end)
        notes.append(
            {
                "n": n,
                "start": start,
                "end": end,
                "evidence": ex.text[start:end],
                "sentence": sentence,
                # A list item's sentence is quoted once; later notes point back to it.
                "same_sentence_as": first_note_of.setdefault(sentence, n) if sentence else None,
            }
        )
        if notes[-1]["same_sentence_as"] == n:
            notes[-1]["same_sentence_as"] = None
        return n

    figures = [
        {**f.to_dict(), "value_vi": format_quantity(f.value, f.unit), "note": note(f.start, f.end)}
        for f in ex.figures
    ]
    challenges = [{**c.to_dict(), "note": note(c.start, c.end)} for c in ex.challenges]
    groups: dict[str, list[dict[str, Any]]] = {}
    for d in ex.directives:
        key = d.addressee or "Chung"
        groups.setdefault(key, []).append({**d.to_dict(), "note": note(d.start, d.end)})
    issuers = []
    for d in ex.directives:
        if d.issuer and d.issuer.to_dict() not in issuers:
            issuers.append(d.issuer.to_dict())
    m = ex.meeting
    # Cleaned once here, so md, html, docx and users' templates never meet a control character.
    return clean_values(
        {
            "id": ex.id,
            "article": ex.to_dict()["article"],
            "published_vi": format_date(ex.article.published),
            "meeting": m.to_dict() if m else None,
            "meeting_date_vi": format_date(m.date) if m else "",
            "figures": figures,
            "challenges": challenges,
            "directive_groups": [{"addressee": k, "directives": v} for k, v in groups.items()],
            "issuers": issuers,
            "achievements": [a.to_dict() for a in ex.achievements],
            "notes": notes,
            "versions": ex.versions,
        }
    )


def _env(fmt: str, folder: Path | None = None, settings: Settings | None = None) -> Any:
    settings = settings or load_settings()
    return make_env(
        fmt,
        folder,
        max_output=settings.template_max_output,
        max_bytes=settings.max_input_bytes,
        filters={"vi_date": format_date},
    )


def draft(
    ex: Extraction, template: str | None = None, fmt: str = "md", settings: Settings | None = None
) -> str:
    """Render a draft. `template` is a built-in name or a path to a `.j2` file of the user's.

    Built-in templates are trusted and render here; a user's template renders in a child
    process under OCOP_TEMPLATE_TIMEOUT and OCOP_TEMPLATE_MAX_MEMORY (see `runner.py`).
    """
    template = template or DEFAULT_TEMPLATE
    if fmt not in FORMATS:
        raise TemplateError(f"Drafts come as {', '.join(FORMATS)}; {fmt!r} is not one of them.")
    settings = settings or load_settings()
    if template in BUILTIN:
        return render(
            _env(fmt, None, settings), f"{template}.{fmt}.j2", draft_context(ex), template
        )
    path = Path(template)
    if path.is_file():
        from ocop_nlp.draft.runner import render_in_child

        return render_in_child(path, fmt, draft_context(ex), template, settings)
    names = ", ".join(BUILTIN)
    raise TemplateError(
        f"There is no template called {template!r}; use one of {names} or a path to a .j2 file."
    )


def load_extraction_or_article(source: str) -> Extraction:
    """`ocop draft INPUT`: an extraction .json is used as is; anything else is extracted first."""
    import json

    from ocop_nlp.extract.pipeline import extract_article
    from ocop_nlp.parse.reader import read_input
    from ocop_nlp.records import SCHEMA, extraction_from_dict

    p = Path(source)
    if p.suffix.lower() == ".json" and p.is_file():
        limit = load_settings().max_input_bytes
        if p.stat().st_size > limit:
            raise TooLargeError(
                f"{source} is larger than {limit:,} bytes (OCOP_MAX_INPUT_BYTES); an extraction "
                "or an article is smaller."
            )
        try:
            d = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):  # ValueError: also a 5,000-digit number
            d = None
        except RecursionError as e:
            raise InputError(
                f"{source} is nested too deeply (about a thousand levels of brackets) to be an "
                "article or an extraction."
            ) from e
        if isinstance(d, dict) and d.get("schema") == SCHEMA:
            # extraction_from_dict checks every field's type and names the one that is wrong.
            try:
                ex = extraction_from_dict(d)
            except InputError as e:
                raise InputError(f"{source}: {e}") from e
            except (KeyError, TypeError, ValueError, AttributeError) as e:
                raise InputError(
                    f"{source} is an extraction with a missing or malformed field ({e!r}); "
                    "extract the article again."
                ) from e
            _check_offsets(ex, source)
            return ex
    return extract_article(read_input(source))


def _check_offsets(ex: Extraction, source: str) -> None:
    """Every item's offsets must point into the text, or footnotes would cite the wrong words."""
    n = len(ex.text)
    kinds: list[tuple[str, list[Any]]] = [
        ("figure", ex.figures),
        ("challenge", ex.challenges),
        ("directive", ex.directives),
        ("achievement", ex.achievements),
    ]
    for kind, items in kinds:
        for i, item in enumerate(items, 1):
            if not (
                isinstance(item.start, int)
                and isinstance(item.end, int)
                and 0 <= item.start <= item.end <= n
            ):
                raise InputError(
                    f"{source}: {kind} {i} has offsets {item.start}–{item.end} outside the "
                    f"text ({n} characters); the file was edited or cut, so extract it again."
                )
