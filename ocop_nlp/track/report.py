"""`ocop report`: one self-contained HTML page of a store's directives over time.

Directives per month by addressee, the top recurring items, the status mix and an indicator's
figures over time (e.g. OCOP products per province). Charts are inline SVG drawn here, so the
file opens without a network; every row links to its evidence sentence further down the page.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from datetime import date
from html import escape
from typing import Any

from ocop_nlp import __version__
from ocop_nlp.i18n import tr
from ocop_nlp.store import tracking as sql
from ocop_nlp.store.fold import fold_words
from ocop_nlp.track.core import Filters, Mention, TrackedItem, query_directives, query_mentions
from ocop_nlp.track.views import open_existing, status_words

PALETTE = ("#2f6f9f", "#d9822b", "#3a9d5d", "#b8456b", "#7a5cc2", "#8c8c3a", "#4bb3c4", "#999999")
STATUS_COLOURS = {"open": "#2f6f9f", "overdue": "#c0392b", "reported done": "#3a9d5d"}
TOP_ADDRESSEES = 6
TOP_ITEMS = 25


def build_report(
    store_path: str | os.PathLike[str],
    filters: Filters | None = None,
    indicator: str = "sản phẩm",
    today: str | None = None,
) -> str:
    """The report of the store at `store_path` for the mentions passing `filters`."""
    f = filters or Filters()
    with open_existing(store_path) as st:
        items = query_directives(st, f, today=today)
        mentions = query_mentions(st, Filters(**{**_fields(f), "limit": None}))
        figures = [
            r
            for r in sql.view_rows(st, "figure_rows", f.sql(), None)
            if fold_words(r["unit"] or "") == fold_words(indicator)
        ]
    recurring = [it for it in items if len(it.articles) >= 2][:TOP_ITEMS]
    shown = recurring or items[:TOP_ITEMS]
    parts = [
        _head(store_path, f, len(mentions), len(items)),
        f"<h2>{tr('Directives per month, by addressee')}</h2>",
        monthly_chart(mentions),
        f"<h2>{tr('Status of the tracked items')}</h2>",
        _status_chart(items),
        f"<h2>{tr('Top recurring items') if recurring else tr('Items')}</h2>",
        _items_table(shown),
        f"<h2>{tr('Figures over time: {indicator}').format(indicator=escape(indicator))}</h2>",
        _figures_chart(figures),
        _figures_table(figures),
        f"<h2>{tr('Evidence')}</h2>",
        _evidence(shown, mentions),
        "</body></html>\n",
    ]
    return "\n".join(parts)


def _fields(f: Filters) -> dict[str, Any]:
    return {k: getattr(f, k) for k in Filters.__slots__}  # type: ignore[attr-defined]


_CSS = """
body{font-family:system-ui,"Segoe UI",Roboto,Arial,sans-serif;margin:2rem auto;max-width:1100px;
color:#222;line-height:1.4}h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;
border-bottom:1px solid #ddd}table{border-collapse:collapse;width:100%;font-size:.9rem}
td,th{border-bottom:1px solid #eee;padding:.3rem .4rem;text-align:left;vertical-align:top}
th{background:#f5f5f5}td:first-child{white-space:nowrap}.n{text-align:right}.muted{color:#777}.ev{margin:.4rem 0 .8rem}
.ev q{display:block;background:#fafafa;border-left:3px solid #2f6f9f;padding:.3rem .6rem}
.legend span{display:inline-block;margin-right:1rem}.sw{display:inline-block;width:.8rem;
height:.8rem;margin-right:.3rem;vertical-align:middle}svg text{font-size:11px;fill:#444}
"""


def _head(store_path: str | os.PathLike[str], f: Filters, n_mentions: int, n_items: int) -> str:
    shown = {k: v for k, v in _fields(f).items() if v not in (None, False)}
    flt = ", ".join(f"{k} = {escape(str(v))}" for k, v in shown.items()) or tr("none")
    title = tr("Directives over time")
    about = tr(
        "Store {store}; filters: {filters}; {mentions} directives in {items} tracked items; "
        "made {day} by ocop-nlp {version}."
    ).format(
        store=escape(str(store_path)),
        filters=flt,
        mentions=f"{n_mentions:,}",
        items=f"{n_items:,}",
        day=date.today().isoformat(),
        version=escape(__version__),
    )
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>{title} — {escape(os.path.basename(str(store_path)))}</title>"
        f"<style>{_CSS}</style></head><body>"
        f"<h1>{title}</h1><p class='muted'>{about}</p>"
    )


def _month(published: str | None) -> str | None:
    return published[:7] if published and len(published) >= 7 else None


def _legend(names: list[str]) -> str:
    return (
        "<p class='legend'>"
        + "".join(
            f"<span><i class='sw' style='background:{PALETTE[i % len(PALETTE)]}'></i>"
            f"{escape(n)}</span>"
            for i, n in enumerate(names)
        )
        + "</p>"
    )


def monthly_chart(mentions: list[Mention]) -> str:
    """Directives per month, stacked by addressee: an inline SVG and its legend (HTML)."""
    dated = [(m, _month(m.published)) for m in mentions]
    undated = sum(1 for _, mo in dated if mo is None)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for m, mo in dated:
        if mo is None:
            continue
        name = m.agency or "(no addressee)"
        counts[mo][name] += 1
        totals[name] += 1
    if not counts:
        return f"<p class='muted'>{tr('No dated directives.')}</p>"
    top = [n for n, _ in totals.most_common(TOP_ADDRESSEES)]
    series = [*top, "other"] if len(totals) > len(top) else top
    months = _month_range(min(counts), max(counts))
    width, height, pad = 1000, 260, 40
    bw = max(2.0, (width - pad - 10) / len(months) - 2)
    peak = max(sum(c.values()) for c in counts.values())
    bars = []
    for i, mo in enumerate(months):
        x = pad + i * (width - pad - 10) / len(months)
        y = float(height - 25)
        for k, name in enumerate(series):
            v = (
                sum(c for n, c in counts[mo].items() if n not in top)
                if name == "other"
                else counts[mo][name]
            )
            if not v:
                continue
            h = (height - 45) * v / peak
            y -= h
            bars.append(
                f"<rect x='{x:.1f}' y='{y:.1f}' width='{bw:.1f}' height='{h:.1f}' "
                f"fill='{PALETTE[k % len(PALETTE)]}'><title>{mo} {escape(name)}: {v}</title></rect>"
            )
        if len(months) <= 24 or i % max(1, len(months) // 12) == 0:
            bars.append(f"<text x='{x:.1f}' y='{height - 8}'>{mo}</text>")
    axis = f"<text x='0' y='20'>{peak}</text><line x1='{pad}' y1='{height - 25}' x2='{width}' y2='{height - 25}' stroke='#999'/>"
    note = (
        "<p class='muted'>"
        + tr("{n} directives have no date and are not drawn.").format(n=f"{undated:,}")
        + "</p>"
        if undated
        else ""
    )
    return (
        f"<svg viewBox='0 0 {width} {height}' width='100%' role='img' "
        f"aria-label='directives per month'>{axis}{''.join(bars)}</svg>{_legend(series)}{note}"
    )


def _month_range(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:7])
    out: list[str] = []
    while f"{y:04d}-{m:02d}" <= last and len(out) < 600:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _status_chart(items: list[TrackedItem]) -> str:
    mix = Counter(it.status for it in items)
    total = sum(mix.values())
    if not total:
        return f"<p class='muted'>{tr('No tracked items.')}</p>"
    x, rects, width = 0.0, [], 1000
    for status in ("open", "overdue", "reported done"):
        n = mix.get(status, 0)
        if not n:
            continue
        w = width * n / total
        rects.append(
            f"<rect x='{x:.1f}' y='0' width='{w:.1f}' height='30' fill='{STATUS_COLOURS[status]}'>"
            f"<title>{status_words(status)}: {n}</title></rect>"
        )
        x += w
    legend = "".join(
        f"<span><i class='sw' style='background:{STATUS_COLOURS[s]}'></i>{status_words(s)}: "
        f"{mix.get(s, 0):,}</span>"
        for s in ("open", "overdue", "reported done")
    )
    return (
        f"<svg viewBox='0 0 {width} 30' width='100%' role='img' aria-label='status mix'>"
        f"{''.join(rects)}</svg><p class='legend'>{legend}</p>"
    )


def _items_table(items: list[TrackedItem]) -> str:
    if not items:
        return f"<p class='muted'>{tr('No tracked items match.')}</p>"
    rows = [
        f"<table><tr><th>{tr('item')}</th><th>{tr('addressee')}</th><th>{tr('action')}</th>"
        f"<th>{tr('first seen')}</th><th>{tr('last seen')}</th><th class='n'>{tr('mentions')}</th>"
        f"<th class='n'>{tr('articles')}</th><th>{tr('status')}</th></tr>"
    ]
    for it in items:
        rows.append(
            f"<tr><td><a href='#ev-{it.id}'>{it.id}</a></td><td>{escape(it.addressee or '–')}</td>"
            f"<td>{escape(it.action)}</td><td>{it.first_seen or '?'}</td><td>{it.last_seen or '?'}</td>"
            f"<td class='n'>{it.mentions}</td><td class='n'>{len(it.articles)}</td>"
            f"<td style='color:{STATUS_COLOURS.get(it.status, '#222')}'>{escape(status_words(it.status))}</td></tr>"
        )
    return "".join(rows) + "</table>"


def _figures_chart(figures: list[dict[str, Any]]) -> str:
    points: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for r in figures:
        mo = _month(r["published"])
        if mo and r["value"] is not None:
            points[r["province"] or "(unknown province)"].append((mo, float(r["value"])))
    if not points:
        return f"<p class='muted'>{tr('No dated figures with this unit.')}</p>"
    names = sorted(points, key=lambda n: -len(points[n]))[: len(PALETTE)]
    months = _month_range(
        min(m for n in names for m, _ in points[n]), max(m for n in names for m, _ in points[n])
    )
    peak = max(v for n in names for _, v in points[n]) or 1.0
    width, height, pad = 1000, 240, 60
    step = (width - pad - 20) / max(1, len(months) - 1)
    pos = {mo: pad + i * step for i, mo in enumerate(months)}
    out = [
        f"<text x='0' y='20'>{peak:,.0f}</text>",
        f"<line x1='{pad}' y1='{height - 25}' x2='{width}' y2='{height - 25}' stroke='#999'/>",
    ]
    for k, n in enumerate(names):
        colour = PALETTE[k % len(PALETTE)]
        pts = sorted(points[n])
        coords = [(pos[mo], height - 25 - (height - 45) * v / peak) for mo, v in pts]
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            out.append(f"<polyline points='{path}' fill='none' stroke='{colour}'/>")
        for (mo, v), (x, y) in zip(pts, coords, strict=True):
            out.append(
                f"<circle cx='{x:.1f}' cy='{y:.1f}' r='3' fill='{colour}'><title>{escape(n)} {mo}: {v:,.0f}</title></circle>"
            )
    for i, mo in enumerate(months):
        if len(months) <= 24 or i % max(1, len(months) // 12) == 0:
            out.append(f"<text x='{pos[mo]:.1f}' y='{height - 8}'>{mo}</text>")
    return (
        f"<svg viewBox='0 0 {width} {height}' width='100%' role='img' aria-label='figures over time'>"
        f"{''.join(out)}</svg>{_legend(names)}"
    )


def _figures_table(figures: list[dict[str, Any]]) -> str:
    if not figures:
        return ""
    rows = [
        f"<table><tr><th>{tr('published')}</th><th>{tr('province')}</th>"
        f"<th class='n'>{tr('value')}</th><th>{tr('as written')}</th><th>{tr('article')}</th></tr>"
    ]
    for r in figures[:200]:
        rows.append(
            f"<tr><td>{r['published'] or '?'}</td><td>{escape(r['province'] or '–')}</td>"
            f"<td class='n'>{r['value']:,}</td><td>{escape(r['text'] or '')} "
            f"<span class='muted'>{escape(r['qualifier'] or '')}</span></td>"
            f"<td>{_article_link(r['article_id'], r['title'], None)} "
            f"<span class='muted'>[{r['start_offset']}:{r['end_offset']}]</span></td></tr>"
        )
    more = (
        "<p class='muted'>"
        + tr("{n} more in `ocop export --what figures`.").format(n=f"{len(figures) - 200:,}")
        + "</p>"
        if len(figures) > 200
        else ""
    )
    return "".join(rows) + "</table>" + more


def _article_link(article_id: str, title: str | None, url: str | None) -> str:
    label = escape(title or article_id)
    return f"<a href='{escape(url)}'>{label}</a>" if url else label


def _evidence(items: list[TrackedItem], mentions: list[Mention]) -> str:
    by_item: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        if m.item_id:
            by_item[m.item_id].append(m)
    out = []
    for it in items:
        out.append(f"<h3 id='ev-{it.id}'>{it.id} · {escape(it.addressee or '–')}</h3>")
        for m in by_item.get(it.id, []):
            cont = (
                f" <span class='muted'>{tr('(continues an earlier order)')}</span>"
                if m.continuation
                else ""
            )
            out.append(
                f"<div class='ev'>{m.published or '?'} · {_article_link(m.article_id, m.title, m.url)}"
                f"{cont} <span class='muted'>[{m.article_id} {m.evidence.start}:{m.evidence.end}]</span>"
                f"<q>{escape(m.evidence.text or m.action)}</q></div>"
            )
        if it.evidence and it.status != "open":
            ev = it.evidence
            what = (
                tr("Reported done")
                if it.status == "reported done"
                else tr("Due {due}, passed").format(due=it.due)
            )
            out.append(
                f"<div class='ev'><b>{what}</b> <span class='muted'>[{ev.article_id} {ev.start}:{ev.end}]</span>"
                f"<q>{escape(ev.text or '')}</q></div>"
            )
    return "\n".join(out)
