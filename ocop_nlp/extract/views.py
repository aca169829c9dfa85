"""A Markdown view of an extraction, for `ocop extract --format md`."""

from __future__ import annotations

from ocop_nlp.i18n import tr
from ocop_nlp.records import Extraction


def format_number(v: float) -> str:
    """Vietnamese number style: 1234.5 -> '1.234,5', 1200000000 -> '1.200.000.000'.

    At most two decimals: 2.999 -> '3', 0.125 -> '0,12'.
    """
    r = round(float(v), 2)
    if r.is_integer():
        return f"{int(r):,}".replace(",", ".")
    whole, frac = f"{r:,.2f}".rstrip("0").split(".")
    return whole.replace(",", ".") + "," + frac


def extraction_markdown(ex: Extraction) -> str:
    """The extraction for a person to read; headings in the language `ocop_nlp.i18n` chose."""
    a = ex.article
    none = f"- {tr('none')}"
    lines = [f"# {a.title or ex.id}", ""]
    meta = [x for x in [a.published, a.author, a.url] if x]
    if meta:
        lines += [" · ".join(meta), ""]
    m = ex.meeting
    if m:
        chair = f"{m.chair.title or ''} {m.chair.name or ''}".strip() if m.chair else "—"
        lines += [
            f"## {tr('Meeting')}",
            "",
            f"- {tr('kind')}: {m.kind or '—'}",
            f"- {tr('date')}: {m.date or '—'}",
            f"- {tr('chair')}: {chair}",
            f"- {tr('topic')}: {m.topic or '—'}",
            "",
        ]
    lines += [f"## {tr('Figures')}", ""]
    lines += [
        f"- {format_number(f.value)} {f.unit}"
        + (f" ({f.qualifier})" if f.qualifier else "")
        + f" — «{f.text}» [{f.start}:{f.end}]"
        for f in ex.figures
    ] or [none]
    lines += ["", f"## {tr('Challenges')}", ""]
    lines += [f"- {c.text} [{c.start}:{c.end}]" for c in ex.challenges] or [none]
    lines += ["", f"## {tr('Directives')}", ""]
    for d in ex.directives:
        who = f"{d.issuer.title or ''} {d.issuer.name or ''}".strip() if d.issuer else "—"
        dl = f" (hạn: {d.deadline})" if d.deadline else ""
        lines.append(f"- **{d.addressee or '—'}** ← {who}: {d.action}{dl} [{d.start}:{d.end}]")
    if not ex.directives:
        lines.append(none)
    if ex.warnings:
        lines += ["", f"## {tr('Warnings')}", ""] + [f"- {w}" for w in ex.warnings]
    return "\n".join(lines) + "\n"
