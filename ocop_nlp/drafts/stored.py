"""Drafts made from a store: a digest of the meetings of a period (`ban-tin`) and a directive
follow-up report (`bao-cao-theo-doi`), each line with the sentence and article it came from.

>>> from ocop_nlp import draft_from_store                                   # doctest: +SKIP
>>> draft_from_store("tin.db", "bao-cao-theo-doi", "docx", since="2019", until="2019",
...                  province="Cao Bằng")                                   # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from ocop_nlp.config import Settings, load_settings
from ocop_nlp.drafts.content import MISSING, date_doc, date_news, deadline_doc
from ocop_nlp.drafts.render import (
    BUILTIN,
    DIGEST,
    EVIDENCE,
    FOLLOW_UP,
    bad_evidence,
    digest_context,
    meeting_contexts,
    period_words,
    render_draft,
)
from ocop_nlp.drafts.sandbox import clean_values
from ocop_nlp.errors import InputError, TemplateError
from ocop_nlp.i18n import tr
from ocop_nlp.records import Extraction, extraction_from_dict
from ocop_nlp.store.db import Store
from ocop_nlp.store.period import extractions_in_period
from ocop_nlp.track import Filters, Mention, TrackedItem, query_directives, query_mentions, refresh
from ocop_nlp.track.places import places
from ocop_nlp.track.views import open_existing

STORE_TEMPLATES = (DIGEST, FOLLOW_UP)


def meetings_in_store(st: Store, filters: Filters | None = None) -> list[Extraction]:
    """The latest extraction of each article of the period and province in `filters` that
    reports a meeting or gives directives, oldest first; the article's title, address and day
    come from the store when the extraction lacks them."""
    f = filters or Filters()
    refresh(st)  # writes each article's province, which the province filter reads
    out = []
    for row in extractions_in_period(st, f.sql()):
        doc = row.extraction
        if not (doc.get("meeting") or doc.get("directives")):
            continue
        art = doc.setdefault("article", {})
        # A day taken from the meeting is not a publication date: it stays out of "đăng ngày".
        for key, value in (("title", row.title), ("url", row.url), ("published", row.published)):
            art[key] = art.get(key) or value
        art["source"] = art.get("source") or row.site
        out.append(extraction_from_dict(doc))
    return out


# --- the follow-up report ---------------------------------------------------------------------

# Sections of the report, in the order a reader acts on them.
SECTIONS = (
    ("overdue", "Nhiệm vụ quá hạn, chưa có báo cáo hoàn thành"),
    ("open", "Nhiệm vụ đang thực hiện, chưa có báo cáo kết quả"),
    ("reported done", "Nhiệm vụ đã có báo cáo hoàn thành"),
)


@dataclass(slots=True)
class FollowUpItem:
    """One tracked item as the report shows it, with the mentions that back it."""

    item: TrackedItem
    mentions: list[Mention] = field(default_factory=list)


def follow_up_items(
    st: Store, filters: Filters | None = None, today: str | None = None
) -> list[FollowUpItem]:
    """The tracked items of `filters` (period, province, addressee ...) with their mentions in
    that period, most repeated first; `today` (ISO) decides what is overdue."""
    f = filters or Filters()
    items = query_directives(st, f, today=today)
    by_item: dict[str, list[Mention]] = {}
    for m in query_mentions(st, replace(f, limit=None)):
        if m.item_id:
            by_item.setdefault(m.item_id, []).append(m)
    return [FollowUpItem(it, by_item.get(it.id, [])) for it in items]


class _Notes:
    """Numbered evidence notes: each quotes a sentence once, with its article."""

    def __init__(self, titles: dict[str, tuple[str | None, str | None, str | None]]) -> None:
        self.notes: list[dict[str, Any]] = []
        self.titles = titles
        self.first: dict[tuple[str, str], str] = {}

    def add(self, item_id: str, kind: str, article_id: str, start: int, end: int, sentence: str):
        title, published, url = self.titles.get(article_id, (None, None, None))
        nid = str(len(self.notes) + 1)
        key = (article_id, sentence)
        self.notes.append(
            {
                "id": nid,
                "item": item_id,
                "kind": kind,
                "article_id": article_id,
                "title": title,
                "published_news": date_news(published),
                "url": url,
                "start": start,
                "end": end,
                "sentence": sentence,
                "same_sentence_as": self.first.get(key),
            }
        )
        self.first.setdefault(key, nid)
        return nid


def follow_up_context(
    st: Store,
    filters: Filters | None = None,
    *,
    today: str | None = None,
    evidence: str = "footnotes",
    exclude: Collection[str] = (),
    settings: Settings | None = None,
    top: int | None = None,
) -> dict[str, Any]:
    """What `bao-cao-theo-doi` sees (`ocop draft --template bao-cao-theo-doi --db STORE
    --format json` writes it): the period, the counts, the items by status and addressee, and
    numbered evidence notes (the sentence that gave each order, and the one that reported it
    done), each with its article.

    `top` keeps a long report short: at most that many tasks per addressee and section, the
    most repeated first, and how many more there are; 0 gives only the counts. The totals
    always count every task."""
    if evidence not in EVIDENCE:
        raise TemplateError(bad_evidence(evidence))
    if top is not None and top < 0:
        raise InputError(
            tr("--top is how many tasks to show per addressee; {top} is below 0.").format(top=top)
        )
    f = filters or Filters()
    settings = settings or load_settings()
    today = today or date.today().isoformat()
    skip = {e.strip() for e in exclude}
    rows = [r for r in follow_up_items(st, f, today) if r.item.id not in skip]
    titles: dict[str, tuple[str | None, str | None, str | None]] = {}
    for r in rows:
        for m in r.mentions:
            titles[m.article_id] = (m.title, m.published, m.url)
    for r in rows:
        ev = r.item.evidence
        if ev and ev.article_id not in titles:
            a = st.get_article(ev.article_id)
            titles[ev.article_id] = (a.title, a.published, a.url) if a else (None, None, None)
    notes = _Notes(titles)
    province, kind = _province_name(f.province)
    sections = []
    for status, heading in SECTIONS:
        if f.status and status != f.status:
            continue  # a report on overdue tasks only has no empty sections for the others
        # Grouped by the canonical agency, so "Sở NN&PTNT" and "Sở Nông nghiệp và PTNT" are one
        # group; shown as the articles write it ("UBND các huyện", not the gazetteer's "UBND
        # huyện").
        groups: dict[str, list[FollowUpItem]] = {}
        for r in rows:
            if r.item.status == status:
                groups.setdefault(r.item.addressee or "", []).append(r)
        # Named addressees in alphabetical order, the unnamed last; notes numbered as shown.
        ordered = sorted(groups.items(), key=lambda kv: (not kv[0], kv[0]))
        sections.append(
            {
                "status": status,
                "heading": heading,
                "count": sum(len(v) for v in groups.values()),
                "groups": [
                    {
                        "addressee": written_addressee([m for r in v for m in r.mentions], k)
                        or MISSING.format("đơn vị thực hiện"),
                        "agency": k or None,
                        "count": len(v),
                        # Rows come most repeated first, so the top ones are the ones that recur.
                        "tasks": [_item_values(r, notes) for r in v[:top]],
                        "more": len(v[top:]) if top is not None else 0,
                    }
                    for k, v in ordered
                ],
            }
        )
    articles = {m.article_id for r in rows for m in r.mentions}
    body = settings.draft_body or (f"UBND {kind} {province}" if province else "")
    counts = {s["status"]: s["count"] for s in sections}
    return clean_values(
        {
            "tracked": len(rows),
            "evidence": evidence,
            "missing": {
                "number": MISSING.format("số"),
                "signer": MISSING.format("họ tên người ký"),
            },
            "province": province or "",
            "place_name": province or MISSING.format("địa danh"),
            "body": body or MISSING.format("cơ quan ban hành"),
            "body_heading": body.upper() if body else MISSING.format("cơ quan ban hành"),
            "author": settings.draft_author,
            "today": today,
            "issued_doc": date_doc(today),
            "today_news": date_news(today),
            "period_doc": period_words(f.since, f.until, doc=True),
            "period_news": period_words(f.since, f.until),
            "articles": len(articles),
            "addressees": len({r.item.addressee for r in rows if r.item.addressee}),
            "recurring": sum(1 for r in rows if len({m.article_id for m in r.mentions}) > 1),
            "overdue": counts.get("overdue", 0),
            "open": counts.get("open", 0),
            "done": counts.get("reported done", 0),
            "sections": sections,
            "top": top,
            "notes": notes.notes,
        }
    )


def _province_name(query: str | None) -> tuple[str | None, str]:
    """The province as documents write it ("Cao Bằng") and its kind ("tỉnh", "thành phố");
    the user's words when the gazetteer does not know the place."""
    if not query:
        return None, "tỉnh"
    p = places().province(query)
    return (p.name, p.kind) if p else (query, "tỉnh")


def written_addressee(mentions: list[Mention], canonical: str | None) -> str | None:
    """The addressee as the articles write it: the form most of `mentions` use, the earliest
    on a tie; the canonical name when none names one.

    >>> from ocop_nlp.track.core import Evidence, Mention
    >>> def m(written):
    ...     return Mention(None, "a", None, None, None, None, None, None, written, "UBND huyện",
    ...                    "rà soát", None, False, Evidence("a", 0, 0))
    >>> written_addressee([m("UBND các huyện"), m("UBND các huyện, thành phố")], "UBND huyện")
    'UBND các huyện'
    >>> written_addressee([m(None)], "UBND huyện")
    'UBND huyện'
    """
    written = Counter(" ".join(m.addressee.split()) for m in mentions if m.addressee)
    return written.most_common(1)[0][0] if written else canonical


def _item_values(r: FollowUpItem, notes: _Notes) -> dict[str, Any]:
    it = r.item
    first = r.mentions[0] if r.mentions else None
    given = notes.add(
        it.id,
        "given",
        first.article_id if first else (it.articles[0] if it.articles else ""),
        first.evidence.start if first else 0,
        first.evidence.end if first else 0,
        (first.evidence.text if first else None) or it.action,
    )
    status_note = None
    ev = it.evidence
    if it.status == "reported done" and ev:
        status_note = notes.add(it.id, "done", ev.article_id, ev.start, ev.end, ev.text or "")
    dated = sorted({m.published[:10] for m in r.mentions if m.published})
    # The deadline as the order gave it ("2023-Q4": "quý IV năm 2023"), unless its words say it.
    due_from = next((m for m in r.mentions if ev and m.evidence.start == ev.start), first)
    raw = due_from.deadline if due_from and due_from.deadline else it.due
    due_doc = deadline_doc(raw, it.action) if it.due else ""
    return {
        "id": it.id,
        "action": it.action,
        "addressee": written_addressee(r.mentions, it.addressee),
        "agency": it.addressee,
        "status": it.status,
        "first_seen_doc": date_doc(it.first_seen),
        "last_seen_doc": date_doc(it.last_seen),
        "first_seen_news": date_news(it.first_seen),
        "last_seen_news": date_news(it.last_seen),
        "mentions": it.mentions,
        "meetings": len({m.article_id for m in r.mentions}) or len(it.articles),
        # Every later day the order was given again: "nhắc lại ngày 20 tháng 6 năm 2019".
        "repeated_doc": [date_doc(d) for d in dated[1:]],
        "repeated_news": [date_news(d) for d in dated[1:]],
        "issuers": it.issuers,
        "due_doc": due_doc,
        "due_news": date_news(it.due),
        "continued": it.continued,
        "note": given,
        "status_note": status_note,
        "done_sentence": ev.text if it.status == "reported done" and ev else None,
    }


# --- the one entry point ------------------------------------------------------------------------


def draft_from_store(
    db: str | os.PathLike[str] | Store,
    template: str = DIGEST,
    format: str = "md",  # noqa: A002 - the name `draft` uses
    *,
    since: str | None = None,
    until: str | None = None,
    province: str | None = None,
    filters: Filters | None = None,
    today: str | None = None,
    evidence: str = "footnotes",
    exclude: Collection[str] = (),
    settings: Settings | None = None,
    top: int | None = None,
) -> str | bytes:
    """A draft from a store: `ban-tin` (the meetings of the period) or `bao-cao-theo-doi` (the
    tracked directives of the period, by status); md, html, json text or docx bytes.

    `since`/`until` take YYYY, YYYY-MM, YYYY-MM-DD, MM/YYYY or DD/MM/YYYY; `filters` (a
    `track.Filters`) may say more (addressee, issuer, site ...) and its bounds win. `today`
    (ISO) is the report's date and decides what is overdue; `top` shortens the follow-up
    report to that many tasks per addressee (0: the counts only). `template` may also be a
    user's `.j2` file, which then sees the follow-up report's values.
    """
    if template in BUILTIN and template not in STORE_TEMPLATES:
        raise InputError(
            tr("The template {template} drafts from articles; from a store draft {names}.").format(
                template=template, names=tr(" or ").join(STORE_TEMPLATES)
            )
        )
    if template == DIGEST and top is not None:
        raise InputError(
            tr("--top shortens the follow-up report; use it with --template {name}.").format(
                name=FOLLOW_UP
            )
        )
    f = filters or Filters.parse(since=since, until=until, province=province)
    settings = settings or load_settings()
    own = isinstance(db, Store)
    st = db if isinstance(db, Store) else open_existing(db)
    try:
        if template == DIGEST:
            meetings = meetings_in_store(st, f)
            if not meetings:
                raise InputError(
                    tr(
                        "The store {path} has no meeting reports {scope}; widen the period or "
                        "check the province's name."
                    ).format(path=st.path, scope=_scope(f))
                )
            contexts = meeting_contexts(meetings, evidence, exclude, settings)
            name, kind = _province_name(f.province)
            context = digest_context(contexts, f.since, f.until, f"{kind} {name}" if name else "")
        else:
            context = follow_up_context(
                st, f, today=today, evidence=evidence, exclude=exclude, settings=settings, top=top
            )
            if not context["tracked"]:
                raise InputError(
                    tr(
                        "The store {path} has no tracked directives {scope}; widen the period, "
                        "or run `ocop batch` into the store first."
                    ).format(path=st.path, scope=_scope(f))
                )
    finally:
        if not own:
            st.close()
    return render_draft(context, template, format, settings)


def _scope(f: Filters) -> str:
    """ "between 2019-01-01 and 2019-12-31 in Cao Bằng": the filters, for a message."""
    where = tr(" in {province}").format(province=f.province) if f.province else ""
    return (
        tr("between {since} and {until}").format(
            since=f.since or tr("the first day"), until=f.until or tr("the last")
        )
        + where
    )
