"""Directives over time, in the store: who was asked to do what, when, and whether it recurs.

>>> from ocop_nlp.store import open_store                       # doctest: +SKIP
>>> from ocop_nlp.track import Filters, query_directives         # doctest: +SKIP
>>> with open_store("tin.db") as st:                             # doctest: +SKIP
...     items = query_directives(st, Filters.parse(since="2019", addressee="Sở NN&PTNT",
...                                                recurring=True))
"""

from ocop_nlp.track.core import (
    STATUSES,
    Evidence,
    Filters,
    Mention,
    TrackedItem,
    TrackSummary,
    query_directives,
    query_mentions,
    refresh,
    timeline,
    track_version,
)
from ocop_nlp.track.officials import Official, query_officials

__all__ = [
    "STATUSES",
    "Evidence",
    "Filters",
    "Mention",
    "Official",
    "TrackSummary",
    "TrackedItem",
    "query_directives",
    "query_mentions",
    "query_officials",
    "refresh",
    "timeline",
    "track_version",
]
