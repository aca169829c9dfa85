"""Directives over time: resolve each directive (agency, place, due date), group repeats into
tracked items, find their status, and answer analysts' filters.

`refresh(store)` brings the tracking tables up to date with the store's extractions (batch runs
it at the end; every query runs it first, so a store filled by an older ocop is tracked on first
use). Queries return typed rows; the CLI only formats them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from functools import cache
from typing import Any

from ocop_nlp.config import lexicon
from ocop_nlp.errors import InputError
from ocop_nlp.store import officials as officials_sql
from ocop_nlp.store import tracking as sql
from ocop_nlp.store.db import Store
from ocop_nlp.store.fold import fold_words
from ocop_nlp.track.dates import due_of, parse_day
from ocop_nlp.track.gazetteer import gazetteer
from ocop_nlp.track.grouping import Similarity, groups
from ocop_nlp.track.places import place_of, places
from ocop_nlp.track.titles import official_rows

log = logging.getLogger(__name__)

STATUSES = ("open", "overdue", "reported done")
_BLOCK = sql.MENTION_COLUMNS.index("agency_2025")
_SENTENCE = re.compile(r"[^.;!?\n]+[.;!?]?")


@dataclass(frozen=True, slots=True)
class TrackSettings:
    version: str
    group_threshold: float
    done_threshold: float
    continuation_cues: tuple[str, ...]
    done_cues: tuple[str, ...]


@cache
def track_settings() -> TrackSettings:
    d = lexicon("tracking")
    return TrackSettings(
        version=str(d.get("version", "?")),
        group_threshold=float(d["group_threshold"]),
        done_threshold=float(d["done_threshold"]),
        continuation_cues=tuple(d.get("continuation_cues", [])),
        done_cues=tuple(d.get("done_cues", [])),
    )


def track_version() -> str:
    """The versions of the tracking data files, stored with the items they made."""
    return (
        f"tracking:{track_settings().version}+agencies:{gazetteer().version}"
        f"+places:{places().version}"
    )


# --- records ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a directive or a report is: `start`/`end` index the stored extraction's text;
    `text` is the sentence around that span (the issuer and addressee are in it)."""

    article_id: str
    start: int
    end: int
    text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class TrackedItem:
    """One directive as it recurs: the same canonical addressee and a similar action.

    Dates, mentions and articles count the mentions that passed the filters.
    """

    id: str
    addressee: str | None
    action: str
    first_seen: str | None
    last_seen: str | None
    mentions: int
    status: str
    articles: list[str] = field(default_factory=list)
    issuers: list[str] = field(default_factory=list)
    provinces: list[str] = field(default_factory=list)
    level: str | None = None
    due: str | None = None
    continued: int = 0
    evidence: Evidence | None = None  # for the status: the due date, or the report of done
    # Every agency its mentions name ("Sở A, Sở B và UBND các huyện": three), first first.
    addressees: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Mention:
    """One directive in one article, as tracked."""

    item_id: str | None
    article_id: str
    published: str | None
    title: str | None
    url: str | None
    site: str | None
    province: str | None
    issuer: str | None
    addressee: str | None  # as written
    agency: str | None  # canonical
    action: str
    deadline: str | None
    continuation: bool
    evidence: Evidence
    agencies: list[str] = field(default_factory=list)  # every agency the addressee names

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Filters:
    """What analysts filter on (as typed); `Filters.parse` checks the dates."""

    since: str | None = None  # ISO day, inclusive
    until: str | None = None  # ISO day, inclusive
    province: str | None = None
    site: str | None = None
    issuer: str | None = None
    addressee: str | None = None
    status: str | None = None
    recurring: bool = False
    q: str | None = None
    limit: int | None = None
    # Status as known on this day (ISO, inclusive): mentions after it are left out, a due date
    # before it is overdue, and only a report of done published by then counts. None: today.
    as_of: str | None = None

    @classmethod
    def parse(
        cls,
        since: str | None = None,
        until: str | None = None,
        as_of: str | None = None,
        **kw: Any,
    ) -> Filters:
        """Filters from text; dates as YYYY, YYYY-MM, YYYY-MM-DD, MM/YYYY or DD/MM/YYYY (an
        `as_of` of a month or year means its last day)."""
        status = kw.get("status")
        if status is not None and status not in STATUSES:
            raise InputError(f"Unknown status {status!r}; choose one of {', '.join(STATUSES)}.")
        return cls(
            since=parse_day(since) if since else None,
            until=parse_day(until, end=True) if until else None,
            as_of=parse_day(as_of, end=True) if as_of else None,
            **kw,
        )

    def sql(self) -> sql.MentionFilter:
        g = gazetteer()
        until = min(d for d in (self.until, self.as_of) if d) if self.until or self.as_of else None
        f = sql.MentionFilter(since=self.since, until=until, site=self.site)
        if self.province:
            same = places().same_place(self.province)
            if same:
                f.provinces = frozenset(places().provinces[p].since_2025 for p in same)
            else:  # a place we do not know stays searchable in the text
                f.province_text = fold_words(self.province)
        if self.issuer:
            f.issuer = fold_words(self.issuer)
        if self.addressee:
            ids, text = g.matching_ids(self.addressee)
            f.agency_ids = frozenset(ids)
            f.addressee_text = text
        if self.q:
            f.q = fold_words(self.q) or None
        return f


@dataclass(slots=True)
class TrackSummary:
    articles: int = 0
    mentions: int = 0
    blocks: int = 0
    items: int = 0
    seconds: float = 0.0


# --- refresh ----------------------------------------------------------------------------------


def refresh(st: Store, page: int = 500) -> TrackSummary:
    """Resolve the directives of every article whose extraction changed, regroup the addressees
    they touch, and recompute the status of every item. Idempotent; cheap when nothing changed."""
    t0 = time.monotonic()
    s = TrackSummary()
    settings = track_settings()
    touched: set[str] = set()
    while ids := sql.queued(st, page):
        touched |= sql.blocks_of(st, ids)
        with st.transaction() as c:
            found = set()
            for aid, doc, meta in sql.latest_of(st, ids):
                found.add(aid)
                r = _resolve(aid, doc, meta, settings)
                sql.replace_article(c, aid, r.place, r.mentions, r.progress, r.agencies)
                officials_sql.replace_officials(c, aid, r.officials)
                mentions = r.mentions
                touched |= {m[_BLOCK] or "" for m in mentions}
                s.mentions += len(mentions)
            for aid in set(ids) - found:  # queued, but its extraction is gone
                sql.replace_article(c, aid, (None,) * 5, [], [])
                officials_sql.replace_officials(c, aid, [])
        s.articles += len(ids)
    if s.articles:
        with st.transaction() as c:
            officials_sql.attach_unplaced(c)
    if not touched and sql.get_meta(st, "version") == track_version():
        s.seconds = time.monotonic() - t0
        return s
    if sql.get_meta(st, "version") != track_version():
        touched = sql.all_blocks(st)  # new rules or threshold: regroup everything
    with st.transaction() as c:
        rowids, actions = sql.all_actions(st)
        sim = Similarity(actions)
        # `sim` rows follow the mentions in rowid order.
        index = {r: i for i, r in enumerate(rowids)}
        for block in sorted(touched):
            s.items += _regroup(st, c, block, sim, index, settings.group_threshold)
            s.blocks += 1
        _statuses(st, c, sim, index, settings.done_threshold)
        sql.rebuild_fts(st)
        sql.set_meta(st, "version", track_version())
    s.seconds = time.monotonic() - t0
    return s


Rows = list[tuple[Any, ...]]


@dataclass(slots=True)
class _Resolved:
    """One article, resolved: its place and the rows of each tracking table."""

    place: tuple[str | None, ...]
    mentions: Rows
    progress: Rows
    agencies: Rows
    officials: Rows


def _resolve(
    aid: str, doc: dict[str, Any], meta: tuple[Any, ...], settings: TrackSettings
) -> _Resolved:
    site, url, title, published = meta
    text: str = doc.get("text") or ""
    art = doc.get("article") or {}
    site = site or art.get("source")
    url = url or art.get("url")
    # Undated pages (a folder of .txt, an aggregator's copy) are dated by their meeting.
    meeting_date = (doc.get("meeting") or {}).get("date")
    pub = (published or art.get("published") or meeting_date or "")[:10] or None
    pl = place_of(site, url, title or art.get("title"), text)
    place = (pl.province_id, pl.province, pl.province_2025, pl.district, pl.source)
    officials = official_rows(aid, doc, pl, pub)
    g = gazetteer()
    mentions: Rows = []
    agencies: Rows = []
    for i, d in enumerate(doc.get("directives") or []):
        a = g.resolve(d.get("addressee"))
        named = [p for p in g.split(d.get("addressee")) if not p.junk]
        agencies += [
            (aid, i, seq, p.raw, p.agency_id, p.name, p.level, _agency_2025(p.agency_id))
            for seq, p in enumerate(named)
        ]
        issuer_d = d.get("issuer") or {}
        issuer = " ".join(p for p in (issuer_d.get("title"), issuer_d.get("name")) if p) or None
        start, end = int(d.get("start") or 0), int(d.get("end") or 0)
        evidence = _sentence_around(text, start, end)
        cue_text = fold_words(evidence or d.get("action") or "")
        cont = int(any(c in cue_text for c in settings.continuation_cues))
        agency_2025 = _agency_2025(a.agency_id)
        action = d.get("action") or ""
        folded = fold_words(" ".join(x for x in (action, d.get("addressee"), a.name, issuer) if x))
        mentions.append(
            (
                aid,
                i,
                pub,
                site,
                pl.province,
                pl.province_2025,
                pl.district,
                issuer,
                d.get("addressee"),
                a.agency_id,
                a.name,
                a.level,
                agency_2025,
                int(a.junk),
                action,
                d.get("deadline"),
                due_of(d.get("deadline"), pub),
                cont,
                start,
                end,
                evidence,
                folded,
                fold_words(
                    " | ".join(
                        x for x in (d.get("addressee"), a.name, *(p.name for p in named)) if x
                    )
                ),
                fold_words(issuer or ""),
            )
        )
    progress: Rows = []
    whole = fold_words(text)
    if not any(c in whole for c in settings.done_cues):  # most articles: one fold, no split
        return _Resolved(place, mentions, progress, agencies, officials)
    for m in _SENTENCE.finditer(text):
        sentence = m.group(0).strip()
        f = fold_words(sentence)
        if sentence and any(c in f for c in settings.done_cues):
            progress.append((aid, m.start(), m.end(), pub, pl.province_2025, sentence, f))
    return _Resolved(place, mentions, progress, agencies, officials)


def _agency_2025(agency_id: str | None) -> str | None:
    """The agency that holds this one's work after 2025 (an unknown agency: itself)."""
    if not agency_id or agency_id.startswith("raw:"):
        return agency_id
    return gazetteer().successor(agency_id)


def _sentence_around(text: str, start: int, end: int) -> str | None:
    """The sentence holding `text[start:end]` (the issuer and addressee are in it too)."""
    if not 0 <= start < end <= len(text):
        return None
    left = max(text.rfind(c, 0, start) for c in ".!?\n") + 1
    ends = [i for i in (text.find(c, end) for c in ".!?\n") if i >= 0]
    return text[left : min(ends) + 1 if ends else len(text)].strip()


def _item_id(block: str, first: sql.BlockMention) -> str:
    key = f"{block}|{first.article_id}|{first.position}"
    return "it-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def _regroup(
    st: Store, c: Any, block: str, sim: Similarity, index: dict[int, int], threshold: float
) -> int:
    rows = sql.block_mentions(st, block)
    if not rows:
        sql.replace_items(c, block, [], {})
        return 0
    by_row = {index[m.rowid]: m for m in rows}
    named = sql.agencies_of(st, {m.article_id for m in rows})
    items, members = [], {}
    for group in groups(sim, list(by_row), threshold):
        ms = [by_row[r] for r in group]
        ms.sort(key=lambda m: (m.published or "9999", m.article_id, m.position))
        first = ms[0]
        names = Counter(m.agency_name for m in ms if m.agency_name)
        dues = [m for m in ms if m.due]
        due = max(dues, key=lambda m: (m.published or "", m.due or "")) if dues else None
        iid = _item_id(block, first)
        items.append(
            {
                "id": iid,
                "block": block,
                "agency_id": first.agency_id,
                "addressee": names.most_common(1)[0][0] if names else None,
                "agency_level": first.agency_level,
                "action": first.action,
                "first_seen": (first.published or "")[:10] or None,
                "last_seen": max((m.published or "" for m in ms), default="")[:10] or None,
                "mentions": len(ms),
                "articles": len({m.article_id for m in ms}),
                "continued": sum(m.continuation for m in ms),
                "due": due.due if due else None,
                "due_article": due.article_id if due else None,
                "due_start": due.start if due else None,
                "due_end": due.end if due else None,
                "addressees": json.dumps(
                    list(
                        dict.fromkeys(
                            n for m in ms for n in named.get((m.article_id, m.position), [])
                        )
                    ),
                    ensure_ascii=False,
                ),
            }
        )
        members[iid] = [m.rowid for m in ms]
    sql.replace_items(c, block, items, members)
    return len(items)


def _statuses(st: Store, c: Any, sim: Similarity, index: dict[int, int], threshold: float) -> None:
    """An item is reported done when a later article has a sentence with a done cue close
    enough to one of its actions (in the same province when both are known)."""
    prog = sql.progress_rows(st)
    heads = sql.item_heads(st)
    done: dict[str, tuple[str, int, int, str] | None] = {h[0]: None for h in heads}
    if prog and heads:
        p = sim.transform([r[6] for r in prog])
        for iid, first, rowids, provs in heads:
            a = sim.matrix[[index[r] for r in rowids]]
            scores = (a @ p.T).toarray().max(axis=0)
            known = {x for x in provs if x}
            for j in scores.argsort()[::-1][:20]:
                if scores[j] < threshold:
                    break
                aid, start, end, pub, prov, sentence, _ = prog[j]
                if first and (not pub or pub <= first):
                    continue
                if known and prov and prov not in known:
                    continue
                done[iid] = (aid, start, end, sentence)
                break
    sql.set_done(c, done)


# --- queries ----------------------------------------------------------------------------------


def _today() -> str:
    return date.today().isoformat()


def query_directives(
    st: Store, filters: Filters | None = None, today: str | None = None
) -> list[TrackedItem]:
    """Tracked items with at least one mention passing `filters`, most repeated first.

    Status is as of `filters.as_of`, else `today`, else the real today: open, overdue (its due
    date passed by then) or reported done (a later report of done published by then).
    """
    f = filters or Filters()
    refresh(st)
    day = f.as_of or today or _today()
    rows = sql.query_items(st, f.sql(), day, f.status, f.recurring, f.limit)
    return [_item_of_row(r) for r in rows]


def json_list(s: str | None) -> list[str]:
    """The non-empty strings of a JSON array column (NULL: none)."""
    return [str(x) for x in json.loads(s or "[]") if x]


def _item_of_row(r: dict[str, Any]) -> TrackedItem:
    ev = None
    if r["status"] == "reported done" and r["done_article"]:
        ev = Evidence(r["done_article"], r["done_start"], r["done_end"], r["done_sentence"])
    elif r["due_article"]:
        ev = Evidence(r["due_article"], r["due_start"], r["due_end"], r["due_sentence"])
    return TrackedItem(
        id=r["id"],
        addressee=r["addressee"],
        action=r["action"],
        first_seen=r["first_seen"],
        last_seen=r["last_seen"],
        mentions=int(r["mentions"]),
        status=r["status"],
        articles=json_list(r["article_ids"]),
        issuers=json_list(r["issuers"]),
        provinces=json_list(r["provinces"]),
        level=r["agency_level"],
        due=r["due"],
        continued=int(r["continued"] or 0),
        evidence=ev,
        addressees=json_list(r["addressees"]),
    )


def query_mentions(st: Store, filters: Filters | None = None) -> list[Mention]:
    """Every directive passing `filters` (one per article and position), oldest first."""
    f = filters or Filters()
    refresh(st)
    return [_mention_of_row(r) for r in sql.query_mentions(st, f.sql(), limit=f.limit)]


def timeline(st: Store, key: str, filters: Filters | None = None) -> tuple[str, list[Mention]]:
    """The mentions of a tracked item (`key` an item id) or of an addressee (canonical or as
    written), oldest first, with what `key` was taken to be ("item" or "addressee")."""
    f = filters or Filters()
    refresh(st)
    if sql.item_exists(st, key):
        return "item", [_mention_of_row(r) for r in sql.query_mentions(st, f.sql(), item_id=key)]
    ff = replace(f, addressee=key)
    return "addressee", [_mention_of_row(r) for r in sql.query_mentions(st, ff.sql())]


def _mention_of_row(r: dict[str, Any]) -> Mention:
    return Mention(
        item_id=r["item_id"],
        article_id=r["article_id"],
        published=r["published"],
        title=r["title"],
        url=r["url"],
        site=r["site"],
        province=r["province"],
        issuer=r["issuer"],
        addressee=r["addressee_raw"],
        agency=r["agency_name"],
        action=r["action"],
        deadline=r["deadline"],
        continuation=bool(r["continuation"]),
        evidence=Evidence(r["article_id"], r["start_offset"], r["end_offset"], r["evidence"]),
        agencies=list(r.get("agencies") or []),
    )
