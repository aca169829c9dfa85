"""Word (.docx) drafts for offices that edit in Word: the meeting summary, built with python-docx.

The content is the same as the Markdown draft of `bien-ban-tom-tat` (same context, same order);
the evidence notes come last as a numbered list, since Word footnotes are not in python-docx's
API. Jinja2 templates do not apply here: a .docx is not text.
"""

from __future__ import annotations

import io
from typing import Any

from ocop_nlp.errors import TemplateError
from ocop_nlp.records import Extraction


def _capfirst(s: str | None) -> str:
    return (s[:1].upper() + s[1:]) if s else ""


def _official(o: dict[str, Any] | None) -> str:
    if not o:
        return ""
    return " ".join(x for x in (o.get("title"), o.get("name")) if x)


def draft_docx(ex: Extraction, template: str | None = None) -> bytes:
    """The meeting summary as .docx bytes."""
    if template not in (None, "bien-ban-tom-tat"):
        raise TemplateError(
            "Word drafts use the built-in meeting summary only; drop --template, or draft "
            "Markdown or HTML from your own template."
        )
    try:
        from docx import Document
    except ImportError as e:  # pragma: no cover - python-docx is a core dependency
        raise TemplateError(
            "Word drafts need python-docx; install it with: pip install python-docx"
        ) from e
    from ocop_nlp.draft.render import draft_context

    c = draft_context(ex)
    doc = Document()
    doc.add_heading(c["article"]["title"] or "Tóm tắt cuộc họp", level=1)
    m = c["meeting"]
    if m:
        line = _capfirst(m["kind"] or "cuộc họp")
        if m["date"]:
            line += f", ngày {c['meeting_date_vi']}"
        if m["chair"]:
            line += f"; chủ trì: {_official(m['chair'])}"
        p = doc.add_paragraph()
        p.add_run("Cuộc họp: ").bold = True
        p.add_run(line + ".")
        if m["topic"]:
            p = doc.add_paragraph()
            p.add_run("Nội dung: ").bold = True
            p.add_run(_capfirst(m["topic"]) + ".")

    doc.add_heading("Kết quả", level=2)
    for f in c["figures"]:
        text = f"{f['value_vi']} {f['unit']}" + (f" {f['qualifier']}" if f["qualifier"] else "")
        doc.add_paragraph(f"{text} [{f['note']}]", style="List Bullet")
    if not c["figures"]:
        doc.add_paragraph("Không có số liệu.")

    doc.add_heading("Khó khăn, hạn chế", level=2)
    for ch in c["challenges"]:
        doc.add_paragraph(f"{_capfirst(ch['text'])}. [{ch['note']}]", style="List Bullet")
    if not c["challenges"]:
        doc.add_paragraph("Bài viết không nêu khó khăn, hạn chế.")

    doc.add_heading("Chỉ đạo", level=2)
    if c["issuers"]:
        doc.add_paragraph().add_run(
            ", ".join(_official(i) for i in c["issuers"]) + ":"
        ).italic = True
    for g in c["directive_groups"]:
        doc.add_heading(_capfirst(g["addressee"]), level=3)
        for d in g["directives"]:
            dl = f" (thời hạn: {d['deadline']})" if d["deadline"] else ""
            doc.add_paragraph(f"{_capfirst(d['action'])}{dl}. [{d['note']}]", style="List Bullet")
    if not c["directive_groups"]:
        doc.add_paragraph("Bài viết không nêu chỉ đạo.")

    doc.add_heading("Nguồn", level=2)
    a = c["article"]
    src = a["title"] or "(không có tiêu đề)"
    if c["published_vi"]:
        src += f", đăng ngày {c['published_vi']}"
    if a["author"]:
        src += f", tác giả {a['author']}"
    doc.add_paragraph(src + ".")
    if a["url"]:
        doc.add_paragraph(a["url"])

    doc.add_heading("Dẫn chứng", level=2)
    for n in c["notes"]:
        doc.add_paragraph(
            f"[{n['n']}] «{n['evidence']}» — ký tự {n['start']}–{n['end']}", style="List Number"
        )
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
