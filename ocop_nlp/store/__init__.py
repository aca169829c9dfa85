"""The store: one SQLite file of articles, their extractions and the directives in them.

Thin by design (sqlite3 from the standard library): WAL, named migrations applied in a
transaction each, idempotent upserts keyed by content hashes. All SQL lives in this package.

>>> from ocop_nlp.store import open_store            # doctest: +SKIP
>>> with open_store("tin.db") as st:                   # doctest: +SKIP
...     st.save_extraction(ex)                         # the same article twice is one row
"""

from ocop_nlp.store.db import (
    SCHEMA_VERSION,
    Store,
    StoredArticle,
    StoredDirective,
    StoredExtraction,
    content_hash,
    is_store_path,
    open_store,
)

__all__ = [
    "SCHEMA_VERSION",
    "Store",
    "StoredArticle",
    "StoredDirective",
    "StoredExtraction",
    "content_hash",
    "is_store_path",
    "open_store",
]
