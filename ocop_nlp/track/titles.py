"""Chairs and issuers of one extraction as rows of `official_mentions`: each title cut into its
position ("Phó Chủ tịch") and agency ("UBND tỉnh Cao Bằng", by the gazetteer), with the province
of the title's place, else the article's; national positions (`central_positions` in
`data/tracking.toml`) have none. `ocop_nlp.track.officials` queries them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from ocop_nlp.config import lexicon
from ocop_nlp.extract.officials import split_title
from ocop_nlp.store.fold import fold_words
from ocop_nlp.track.gazetteer import gazetteer
from ocop_nlp.track.places import Place, places


@dataclass(frozen=True, slots=True)
class _Positions:
    central: frozenset[str]
    aliases: dict[str, str]


@cache
def _positions() -> _Positions:
    d = lexicon("tracking")
    return _Positions(
        frozenset(str(p) for p in d.get("central_positions", [])),
        {str(k): str(v) for k, v in d.get("position_aliases", {}).items()},
    )


def official_rows(
    article_id: str, doc: dict[str, Any], place: Place, published: str | None
) -> list[tuple[Any, ...]]:
    """Rows of `official_mentions` for one extraction: its chair, then its issuers, each person
    and position once."""
    people: list[tuple[str, dict[str, Any]]] = []
    chair = (doc.get("meeting") or {}).get("chair")
    if isinstance(chair, dict):
        people.append(("chair", chair))
    for d in doc.get("directives") or []:
        if isinstance(d.get("issuer"), dict):
            people.append(("issuer", d["issuer"]))
    rows: dict[tuple[str, str], list[Any]] = {}
    for role, who in people:
        row = _row(article_id, role, who, place, published)
        if row is None:
            continue
        key = (row[1], row[2])
        if key in rows:
            roles = rows[key][6].split(", ")
            if role not in roles:
                rows[key][6] = ", ".join([*roles, role])
            continue
        rows[key] = row
    return [tuple(r) for r in rows.values()]


def _row(
    article_id: str, role: str, who: dict[str, Any], place: Place, published: str | None
) -> list[Any] | None:
    name = " ".join(str(who.get("name") or "").split())
    if not name:
        return None
    title = " ".join(str(who.get("title") or "").split()) or None
    position, rest = split_title(title or "")
    pos_key = fold_words(position)
    pos_key = _positions().aliases.get(pos_key, pos_key)
    agency = gazetteer().resolve(rest) if rest else None
    if agency is not None and agency.junk:
        agency = None
    central = pos_key in _positions().central or (
        agency is not None and agency.level == "trung ương"
    )
    p = places()
    pid = p.of_text(title) if title else None
    if pid is not None:
        province, province_2025 = p.provinces[pid].name, p.provinces[pid].since_2025
    elif central:
        province, province_2025 = None, None
    else:
        province, province_2025 = place.province, place.province_2025
    name_folded = fold_words(name)
    person_key = f"{name_folded}|{province_2025 or ''}"
    return [
        article_id,
        person_key,
        pos_key,
        name,
        title,
        position or None,
        role,
        agency.agency_id if agency else None,
        agency.name if agency else None,
        agency.level if agency else None,
        province,
        province_2025,
        published,
        name_folded,
    ]
