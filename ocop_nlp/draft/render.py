"""Drafting: an Extraction -> a Vietnamese meeting summary from a Jinja2 template.

Every line of a draft carries a footnote back to the sentence it came from (with offsets), so
an editor can check each claim against the source before publishing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from ocop_nlp.errors import TemplateError
from ocop_nlp.records import Extraction

BUILTIN = {
    "bien-ban-tom-tat": "Tóm tắt cuộc họp: cuộc họp, kết quả, khó khăn, chỉ đạo theo đơn vị, nguồn.",
    "tin-bai": "Tin bài ngắn: đoạn dẫn về cuộc họp, kết quả nổi bật, chỉ đạo chính.",
}
DEFAULT_TEMPLATE = "bien-ban-tom-tat"
_FORMATS = ("md", "html")


@dataclass(frozen=True, slots=True)
class TemplateInfo:
    name: str
    description: str
    formats: tuple[str, ...]


def list_templates() -> list[TemplateInfo]:
    return [TemplateInfo(n, d, _FORMATS) for n, d in BUILTIN.items()]


def format_number(v: float) -> str:
    """Vietnamese number style: 1234.5 -> '1.234,5', 1200000000 -> '1.200.000.000'."""
    if float(v).is_integer():
        return f"{int(v):,}".replace(",", ".")
    whole, frac = f"{v:,.2f}".rstrip("0").split(".")
    return whole.replace(",", ".") + "," + frac


def format_date(iso: str | None) -> str:
    if not iso:
        return ""
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", iso)
    return f"{m.group(3)}/{m.group(2)}/{m.group(1)}" if m else iso


def _sentence_of(text: str, start: int, end: int) -> str:
    """The source sentence around [start, end): what an editor checks the line against."""
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
    """The variables a template sees; documented in the README for template authors."""
    notes: list[dict[str, Any]] = []

    def note(start: int, end: int) -> int:
        notes.append(
            {
                "n": len(notes) + 1,
                "start": start,
                "end": end,
                "evidence": ex.text[start:end],
                "sentence": _sentence_of(ex.text, start, end),
            }
        )
        return len(notes)

    figures = [
        {**f.to_dict(), "value_vi": format_number(f.value), "note": note(f.start, f.end)}
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
    return {
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


def _env(search: list[Path] | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = [jinja2.PackageLoader("ocop_nlp", "draft/templates")]
    if search:
        loaders.insert(0, jinja2.FileSystemLoader([str(p) for p in search]))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["vi_number"] = format_number
    env.filters["vi_date"] = format_date
    env.filters["capfirst"] = lambda s: (s[:1].upper() + s[1:]) if s else s
    return env


def draft(ex: Extraction, template: str | None = None, fmt: str = "md") -> str:
    """Render a draft. `template` is a built-in name or a path to a `.j2` file of the user's."""
    template = template or DEFAULT_TEMPLATE
    if fmt not in _FORMATS:
        raise TemplateError(f"Drafts come as {', '.join(_FORMATS)}; {fmt!r} is not one of them.")
    path = Path(template)
    try:
        if template in BUILTIN:
            env = _env()
            tpl = env.get_template(f"{template}.{fmt}.j2")
        elif path.is_file():
            env = _env([path.parent])
            tpl = env.get_template(path.name)
        else:
            names = ", ".join(BUILTIN)
            raise TemplateError(
                f"There is no template called {template!r}; use one of {names} or a path to a "
                ".j2 file."
            )
        return tpl.render(**draft_context(ex))
    except jinja2.TemplateSyntaxError as e:
        raise TemplateError(
            f"The template {template} has a syntax error on line {e.lineno}: {e.message}."
        ) from e
    except jinja2.UndefinedError as e:
        raise TemplateError(
            f"The template {template} uses a value that drafts do not provide ({e.message}); "
            "see the README for the variables a template can use."
        ) from e


def load_extraction_or_article(source: str) -> Extraction:
    """`ocop draft INPUT`: an extraction .json is used as is; anything else is extracted first."""
    import json

    from ocop_nlp.extract.pipeline import extract_article
    from ocop_nlp.parse.reader import read_input
    from ocop_nlp.records import SCHEMA, extraction_from_dict

    p = Path(source)
    if p.suffix.lower() == ".json" and p.is_file():
        try:
            d = json.loads(p.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            d = None
        if isinstance(d, dict) and d.get("schema") == SCHEMA:
            return extraction_from_dict(d)
    return extract_article(read_input(source))
