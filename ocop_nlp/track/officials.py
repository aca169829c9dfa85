"""Officials by name and title over time: who chaired meetings and gave directives, in which
position, from when to when, in which articles.

Each extraction's chair and issuers (a name with a title, `ocop_nlp.extract.officials`) become
rows of `official_mentions` when tracking refreshes: the title is cut into its position ("Phó
Chủ tịch") and its agency ("UBND tỉnh Cao Bằng", resolved by the gazetteer), and the province is
the title's place, else the article's; national positions (`central_positions` in
`data/tracking.toml`) have none. A person is the folded name in a province, so a promotion shows
as two rows of one person, each with its first and last seen.

>>> from ocop_nlp.store import open_store                        # doctest: +SKIP
>>> with open_store("tin.db") as st:                              # doctest: +SKIP
...     for o in query_officials(st, name="Nguyễn Văn An"):
...         print(o.name, o.position, o.first_seen, o.last_seen, len(o.articles))
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ocop_nlp.store import officials as sql
from ocop_nlp.store.db import Store
from ocop_nlp.store.fold import fold_words
from ocop_nlp.track.core import json_list, refresh
from ocop_nlp.track.dates import parse_day
from ocop_nlp.track.places import places


@dataclass(slots=True)
class Official:
    """One person in one position, over the articles that passed the filters."""

    name: str
    position: str | None
    title: str | None  # as most often written
    agency: str | None
    level: str | None
    province: str | None
    first_seen: str | None
    last_seen: str | None
    articles: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)  # "chair", "issuer"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def query_officials(
    st: Store,
    name: str | None = None,
    province: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int | None = None,
) -> list[Official]:
    """Officials whose name holds `name` (case and diacritics ignored), in `province` (old or
    new name), seen between `since` and `until` (YYYY, YYYY-MM, YYYY-MM-DD, MM/YYYY or
    DD/MM/YYYY): one row per person and position, by name, then first seen."""
    refresh(st)
    provinces = None
    province_text = None
    if province:
        same = places().same_place(province)
        if same:
            provinces = frozenset(places().provinces[p].since_2025 for p in same)
        else:  # a place we do not know: matched in the title and the person's key
            province_text = fold_words(province)
    rows = sql.query_officials(
        st,
        name=fold_words(name) if name else None,
        provinces=provinces,
        province_text=province_text,
        since=parse_day(since) if since else None,
        until=parse_day(until, end=True) if until else None,
        limit=limit,
    )
    return [_official(r) for r in rows]


def _official(r: dict[str, Any]) -> Official:
    return Official(
        name=r["name"],
        position=r["position"],
        title=r["title"],
        agency=r["agency"],
        level=r["agency_level"],
        province=r["province"],
        first_seen=r["first_seen"],
        last_seen=r["last_seen"],
        articles=json_list(r["article_ids"]),
        roles=sorted({role for roles in json_list(r["roles"]) for role in roles.split(", ")}),
    )
