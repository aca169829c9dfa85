"""Drafting: an Extraction -> a Vietnamese meeting summary from a Jinja2 template.

Every line of a draft carries a footnote back to the sentence it came from (with offsets), so
an editor can check each claim against the source before publishing.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, overload

from ocop_nlp.config import Settings, load_settings
from ocop_nlp.drafts.content import (
    MISSING,
    Sentences,
    date_doc,
    date_news,
    deadline_doc,
    deadline_news,
    figure_items,
    lead_sentence,
    opening,
)
from ocop_nlp.drafts.sandbox import FORMATS, clean_values, make_env, render
from ocop_nlp.errors import InputError, TemplateError, TooLargeError
from ocop_nlp.extract.views import format_number
from ocop_nlp.i18n import tr
from ocop_nlp.records import Extraction, Official

BUILTIN = {
    "bien-ban-tom-tat": "Tóm tắt cuộc họp: mở đầu, kết quả, mục tiêu, khó khăn, chỉ đạo theo "
    "đơn vị, dẫn chứng.",
    "tin-bai": "Tin bài: tít, đoạn dẫn (ai, việc gì, khi nào, ở đâu), kết quả, khó khăn, chỉ đạo "
    "bằng lời thuật; chỗ ký tên tác giả.",
    "thong-bao-ket-luan": "Thông báo kết luận của người chủ trì tại cuộc họp, theo thể thức "
    "Nghị định 30/2020/NĐ-CP.",
    "ban-tin": "Bản tin: tổng hợp nhiều cuộc họp từ nhiều bài (ocop draft a.html b.html "
    "--template ban-tin) hoặc từ kho trong một khoảng thời gian (--db --since --until).",
    "bao-cao-theo-doi": "Báo cáo theo dõi thực hiện chỉ đạo từ kho (--db): nhiệm vụ quá hạn, "
    "chưa có báo cáo, đã báo cáo hoàn thành, kèm câu dẫn chứng.",
}
DEFAULT_TEMPLATE = "bien-ban-tom-tat"
DIGEST = "ban-tin"
FOLLOW_UP = "bao-cao-theo-doi"
# Drafted from a store's tracked directives, never from articles alone.
STORE_ONLY = (FOLLOW_UP,)
ARTICLE_TEMPLATES = tuple(n for n in BUILTIN if n not in STORE_ONLY)
ALL_FORMATS = (*FORMATS, "docx", "json")


@dataclass(frozen=True, slots=True)
class TemplateInfo:
    name: str
    description: str
    formats: tuple[str, ...]


def list_templates() -> list[TemplateInfo]:
    return [TemplateInfo(n, d, ALL_FORMATS) for n, d in BUILTIN.items()]


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
    """A date as news writes it ("10/7/2018"); kept for templates written before `date_news`."""
    return date_news(iso)


EVIDENCE = ("footnotes", "appendix", "none")


def _official(o: Official | None) -> str:
    return " ".join(x for x in (o.title, o.name) if x) if o else ""


_MISSING_WORDS = {
    "place": "địa điểm",
    "date": "ngày",
    "number": "số",
    "signer": "họ tên người ký",
    "byline": "tên tác giả",
    "participants": "thành phần tham dự",
}


def draft_context(
    ex: Extraction,
    *,
    evidence: str = "footnotes",
    exclude: Collection[str] = (),
    settings: Settings | None = None,
) -> dict[str, Any]:
    """The variables a template sees; documented in the README for template authors.

    Items have stable ids (F: figures, C: challenges, D: directives, by their place in the
    extraction); ids in `exclude` are left out. Every string is cleaned of characters XML
    cannot hold (ESC, form feed, lone surrogates).
    """
    if evidence not in EVIDENCE:
        raise TemplateError(bad_evidence(evidence))
    settings = settings or load_settings()
    skip = {e.strip().upper() for e in exclude}
    sentences = Sentences(ex.text)
    results, targets = figure_items(ex, sentences, skip)
    notes: list[dict[str, Any]] = []
    first_note_of: dict[str, str] = {}

    def note(item_id: str, start: int, end: int) -> str:
        a, _ = sentences.of(start)
        _, b = sentences.of(max(start, end - 1))
        sentence = ex.text[a:b] if b > a else ex.text[start:end]
        notes.append(
            {
                "id": item_id,
                "start": start,
                "end": end,
                "evidence": ex.text[start:end],
                "sentence": sentence,
                # A sentence is quoted once; later notes on it point back to the first.
                "same_sentence_as": first_note_of.setdefault(sentence, item_id),
            }
        )
        if notes[-1]["same_sentence_as"] == item_id:
            notes[-1]["same_sentence_as"] = None
        return item_id

    result_items = [{**i.to_dict(), "note": note(i.id, i.start, i.end)} for i in results]
    target_items = [{**i.to_dict(), "note": note(i.id, i.start, i.end)} for i in targets]
    challenges = [
        {**c.to_dict(), "id": f"C{k}", "note": note(f"C{k}", c.start, c.end)}
        for k, c in enumerate(ex.challenges, 1)
        if f"C{k}" not in skip
    ]
    groups: dict[str, list[dict[str, Any]]] = {}
    for k, d in enumerate(ex.directives, 1):
        if f"D{k}" in skip:
            continue
        groups.setdefault(d.addressee or "Chung", []).append(
            {
                **d.to_dict(),
                "id": f"D{k}",
                "note": note(f"D{k}", d.start, d.end),
                "deadline_news": date_news(d.deadline),
                # "(hoàn thành trước 30/9/2024)", or "" when the action already names the date.
                "deadline_phrase_news": deadline_news(d.deadline, d.action),
                "deadline_phrase_doc": deadline_doc(d.deadline, d.action),
                "deadline_doc": date_doc(d.deadline),
            }
        )
    issuers: list[dict[str, Any]] = []
    for d in ex.directives:
        if d.issuer and d.issuer.to_dict() not in issuers:
            issuers.append(d.issuer.to_dict())
    m = ex.meeting
    chair = m.chair if m and m.chair else (ex.directives[0].issuer if ex.directives else None)
    lead = opening(ex, sentences)
    chair_name = _official(chair)
    date = m.date if m else None
    province = lead["province"]
    issued = ex.article.published or (m.date if m else None)
    body = settings.draft_body or (f"UBND tỉnh {province}" if province else "")
    # Cleaned once here, so md, html, docx and users' templates never meet a control character.
    return clean_values(
        {
            "id": ex.id,
            "article": ex.to_dict()["article"],
            "evidence": evidence,
            "missing": {k: MISSING.format(v) for k, v in _MISSING_WORDS.items()},
            "province": province,
            "place_name": province or MISSING.format("địa danh"),
            "body": body or MISSING.format("cơ quan ban hành"),
            # The top left of a document writes the body in capitals (Nghị định 30).
            "body_heading": body.upper() if body else MISSING.format("cơ quan ban hành"),
            "author": settings.draft_author,
            "organiser": lead["organiser"],
            "event": lead["event"],
            "place": lead["place"],
            "participants": lead["participants"],
            "chair": chair_name,
            # The opening sentence in each genre's usage; "" when the article names no event.
            "lead_news": lead_sentence(f"Ngày {date_news(date)}" if date else "", lead, chair_name),
            "lead_doc": lead_sentence(date_doc(date), lead, chair_name),
            "chair_title": (chair.title or _official(chair)) if chair else "",
            "meeting": m.to_dict() if m else None,
            "meeting_date_news": date_news(m.date) if m else "",
            "meeting_date_doc": date_doc(m.date) if m else "",
            "published_news": date_news(ex.article.published),
            "issued_doc": date_doc(issued),
            "results": result_items,
            "targets": target_items,
            "challenges": challenges,
            "directive_groups": [{"addressee": k, "directives": v} for k, v in groups.items()],
            "directive_count": sum(len(v) for v in groups.values()),
            "issuers": issuers,
            "notes": notes,
            "versions": ex.versions,
            # Kept for templates written before results and targets: the bare figures.
            "figures": [
                {**f.to_dict(), "id": f"F{k}", "value_vi": format_quantity(f.value, f.unit)}
                for k, f in enumerate(ex.figures, 1)
                if f"F{k}" not in skip
            ],
            "achievements": [a.to_dict() for a in ex.achievements],
            "published_vi": date_news(ex.article.published),
            "meeting_date_vi": date_news(m.date) if m else "",
        }
    )


def _env(fmt: str, folder: Path | None = None, settings: Settings | None = None) -> Any:
    settings = settings or load_settings()
    return make_env(
        fmt,
        folder,
        max_output=settings.template_max_output,
        max_bytes=settings.max_input_bytes,
        filters={"vi_date": format_date, "date_news": date_news, "date_doc": date_doc},
    )


def meeting_contexts(
    extractions: Sequence[Extraction], evidence: str, exclude: Collection[str], settings: Settings
) -> list[dict[str, Any]]:
    """One context per extraction; in a digest "2.D1" leaves out D1 of the second meeting
    only, and a bare "D1" the D1 of every meeting."""
    bare = [e for e in exclude if "." not in e]
    return [
        draft_context(
            ex,
            evidence=evidence,
            exclude=[*bare, *(e.split(".", 1)[1] for e in exclude if e.startswith(f"{k}."))],
            settings=settings,
        )
        for k, ex in enumerate(extractions, 1)
    ]


def period_words(since: str | None, until: str | None, doc: bool = False) -> str:
    """A period as news ("10/7/2018 – 12/7/2024") or documents write it ("từ ngày ... đến ngày
    ..."); one bound alone says "từ" or "đến"; "" for none.

    >>> period_words("2019-01-01", "2019-06-30"), period_words("2019-01-01", None, doc=True)
    ('1/1/2019 – 30/6/2019', 'từ ngày 1 tháng 1 năm 2019')
    """
    say = date_doc if doc else date_news
    first, last = say(since), say(until)
    if first and last and first != last:
        return f"từ {first} đến {last}" if doc else f"{first} – {last}"
    if first and last:
        return first
    return f"từ {first}" if first else (f"đến {last}" if last else "")


def digest_context(
    meetings: list[dict[str, Any]],
    since: str | None = None,
    until: str | None = None,
    area: str | None = None,
) -> dict[str, Any]:
    """What `ban-tin` sees: the meetings in date order and the period they span (or the period
    asked for, `since`..`until`, and the `area` ("tỉnh Đắk Nông") when it comes from a store).

    Each meeting gains `shown_notes`: the notes of the lines the digest shows (results,
    challenges, directives), so no footnote is left without its line.
    """

    def day(c: dict[str, Any]) -> str:  # an article without a meeting date by its own date
        return (c["meeting"] or {}).get("date") or c["article"].get("published") or ""

    meetings = sorted(meetings, key=day)
    dates = [d for c in meetings if (d := (c["meeting"] or {}).get("date"))]
    bounds = (since, until) if since or until else (dates[0], dates[-1]) if dates else (None, None)
    for c in meetings:
        shown = {x["note"] for x in (*c["results"], *c["challenges"])}
        shown |= {d["note"] for g in c["directive_groups"] for d in g["directives"]}
        c["shown_notes"] = [n for n in c["notes"] if n["id"] in shown]
    first = meetings[0] if meetings else {}
    return {
        "meetings": meetings,
        "count": len(meetings),
        "period_news": period_words(bounds[0], bounds[1]),
        "period_doc": period_words(bounds[0], bounds[1], doc=True),
        "area": area or "",
        "evidence": first.get("evidence", "footnotes"),
        "body": first.get("body", ""),
        "author": first.get("author", ""),
    }


@overload
def draft(
    extraction: Extraction | Sequence[Extraction],
    template: str | None = None,
    format: Literal["md", "html", "json"] = "md",
    *,
    evidence: str = "footnotes",
    exclude: Collection[str] = (),
    settings: Settings | None = None,
) -> str: ...


@overload
def draft(
    extraction: Extraction | Sequence[Extraction],
    template: str | None = None,
    format: Literal["docx"] = ...,
    *,
    evidence: str = "footnotes",
    exclude: Collection[str] = (),
    settings: Settings | None = None,
) -> bytes: ...


@overload
def draft(
    extraction: Extraction | Sequence[Extraction],
    template: str | None = None,
    format: str = "md",
    *,
    evidence: str = "footnotes",
    exclude: Collection[str] = (),
    settings: Settings | None = None,
) -> str | bytes: ...


def draft(
    extraction: Extraction | Sequence[Extraction],
    template: str | None = None,
    format: str = "md",  # noqa: A002 - the public name the issue and README use
    *,
    evidence: str = "footnotes",
    exclude: Collection[str] = (),
    settings: Settings | None = None,
) -> str | bytes:
    """A draft of one meeting (or a digest of several, `ban-tin`) as text, or bytes for docx.

    `template` is a built-in name (`list_templates()`) or a path to a user's `.j2` file;
    `format` is md, html, docx or json (json: the values the template would see);
    `evidence` is footnotes, appendix or none; `exclude` holds item ids (F2, C1, D11).
    Built-in templates are trusted and render here; a user's template renders in a child
    process under OCOP_TEMPLATE_TIMEOUT and OCOP_TEMPLATE_MAX_MEMORY (see `runner.py`).

    >>> from ocop_nlp import draft, extract_article, read_input      # doctest: +SKIP
    >>> draft(extract_article(read_input("bai.txt")), "tin-bai", "html")  # doctest: +SKIP
    """
    extractions = [extraction] if isinstance(extraction, Extraction) else list(extraction)
    if not extractions:
        raise InputError(tr("A draft needs at least one article or extraction."))
    template = template or (DEFAULT_TEMPLATE if len(extractions) == 1 else DIGEST)
    fmt = format
    if fmt not in ALL_FORMATS:
        raise TemplateError(_bad_format(fmt))
    settings = settings or load_settings()
    if template in STORE_ONLY:
        raise InputError(
            tr(
                "The template {template} is drafted from a store of tracked directives: ocop "
                "draft --template {template} --db STORE [--since D] [--until D] [--province P]."
            ).format(template=template)
        )
    if len(extractions) > 1 and template in BUILTIN and template != DIGEST:
        raise InputError(
            tr(
                "The template {template} drafts one meeting; for {n} inputs use --template "
                "{digest}, or draft each input on its own."
            ).format(template=template, n=len(extractions), digest=DIGEST)
        )
    contexts = meeting_contexts(extractions, evidence, exclude, settings)
    context = digest_context(contexts) if template == DIGEST or len(contexts) > 1 else contexts[0]
    return render_draft(context, template, fmt, settings)


def render_draft(
    context: dict[str, Any], template: str, fmt: str, settings: Settings | None = None
) -> str | bytes:
    """A draft from its values (`draft_context`, `digest_context`, or a store's report): the
    built-in template `template` or a user's `.j2` file, as md, html, docx (bytes) or json."""
    settings = settings or load_settings()
    if fmt not in ALL_FORMATS:
        raise TemplateError(_bad_format(fmt))
    if fmt == "json":
        return json.dumps(context, ensure_ascii=False, indent=2) + "\n"
    if template in BUILTIN:
        html = fmt == "docx"
        text = render(
            _env("html" if html else fmt, None, settings),
            f"{template}.{'html' if html else fmt}.j2",
            context,
            template,
        )
        if fmt == "docx":
            from ocop_nlp.drafts.docx import html_to_docx

            return html_to_docx(text, title=_title(context), settings=settings)
        return text
    path = Path(template)
    if path.is_file():
        if fmt == "docx":
            raise TemplateError(
                tr(
                    "Word drafts come from the built-in templates; draft Markdown or HTML from "
                    "your own template, or drop --template."
                )
            )
        from ocop_nlp.drafts.runner import render_in_child

        return render_in_child(path, fmt, context, template, settings)
    names = ", ".join(BUILTIN)
    raise TemplateError(
        tr(
            "There is no template called {template!r}; use one of {names} or a path to a .j2 file."
        ).format(template=template, names=names)
    )


def bad_evidence(evidence: str) -> str:
    """The sentence for an --evidence value that is not one of EVIDENCE."""
    return tr("Evidence goes as {choices}; {value!r} is not one.").format(
        choices=", ".join(EVIDENCE), value=evidence
    )


def _bad_format(fmt: str) -> str:
    return tr("Drafts come as {choices}; {value!r} is not one of them.").format(
        choices=", ".join(ALL_FORMATS), value=fmt
    )


def _title(context: dict[str, Any]) -> str:
    if "meetings" in context:
        return "Bản tin " + (context["period_news"] or "")
    if "tracked" in context:
        return "Báo cáo theo dõi thực hiện chỉ đạo " + (context["period_doc"] or "")
    return context["event"] or context["article"]["title"] or "Bản thảo"


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
                tr(
                    "{source} is larger than {limit} bytes (OCOP_MAX_INPUT_BYTES); an extraction "
                    "or an article is smaller."
                ).format(source=source, limit=f"{limit:,}")
            )
        try:
            d = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):  # ValueError: also a 5,000-digit number
            d = None
        except RecursionError as e:
            raise InputError(
                tr(
                    "{source} is nested too deeply (about a thousand levels of brackets) to be an "
                    "article or an extraction."
                ).format(source=source)
            ) from e
        if isinstance(d, dict) and d.get("schema") == SCHEMA:
            # extraction_from_dict checks every field's type and names the one that is wrong.
            try:
                ex = extraction_from_dict(d)
            except InputError as e:
                raise InputError(f"{source}: {e}") from e
            except (KeyError, TypeError, ValueError, AttributeError) as e:
                raise InputError(
                    tr(
                        "{source} is an extraction with a missing or malformed field ({error}); "
                        "extract the article again."
                    ).format(source=source, error=repr(e))
                ) from e
            _check_offsets(ex, source)
            return ex
    return extract_article(read_input(source))


def _check_offsets(ex: Extraction, source: str) -> None:
    """Every item's offsets must point into the text, or footnotes would cite the wrong words."""
    n = len(ex.text)
    kinds: list[tuple[str, list[Any]]] = [
        (tr("figure"), ex.figures),
        (tr("challenge"), ex.challenges),
        (tr("directive"), ex.directives),
        (tr("achievement"), ex.achievements),
    ]
    for kind, items in kinds:
        for i, item in enumerate(items, 1):
            if not (
                isinstance(item.start, int)
                and isinstance(item.end, int)
                and 0 <= item.start <= item.end <= n
            ):
                raise InputError(
                    tr(
                        "{source}: {kind} {i} has offsets {start}–{end} outside the text ({n} "
                        "characters); the file was edited or cut, so extract it again."
                    ).format(source=source, kind=kind, i=i, start=item.start, end=item.end, n=n)
                )
