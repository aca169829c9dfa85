"""ocop-nlp: read Vietnamese provincial government news, extract meetings, figures, challenges
and directives, and draft summaries.

>>> from ocop_nlp import read_input, extract_article, draft   # doctest: +SKIP
>>> ex = extract_article(read_input("bài-viết.txt"))    # doctest: +SKIP
>>> [(d.addressee, d.action) for d in ex.directives][:1]  # doctest: +SKIP
>>> open("tb.docx", "wb").write(draft(ex, template="thong-bao-ket-luan", format="docx"))  # doctest: +SKIP
>>> from ocop_nlp import draft_from_store  # a store's period: ban-tin, bao-cao-theo-doi  # doctest: +SKIP
>>> draft_from_store("tin.db", "bao-cao-theo-doi", "md", since="2019", province="Cao Bằng")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

from ocop_nlp.errors import OcopError  # noqa: E402
from ocop_nlp.records import Article, Extraction  # noqa: E402

if TYPE_CHECKING:
    from ocop_nlp.drafts.render import draft, list_templates
    from ocop_nlp.drafts.stored import draft_from_store
    from ocop_nlp.extract.pipeline import extract_article
    from ocop_nlp.parse.reader import read_input

# Lazy: `ocop --help` must not import the NLP stack. The drafting package is `drafts`, so
# `ocop_nlp.draft` is the function and no submodule import can replace it.
_LAZY = {
    "extract_article": "ocop_nlp.extract.pipeline",
    "read_input": "ocop_nlp.parse.reader",
    "draft": "ocop_nlp.drafts.render",
    "list_templates": "ocop_nlp.drafts.render",
    "draft_from_store": "ocop_nlp.drafts.stored",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ocop_nlp' has no attribute {name!r}")


__all__ = [
    "Article",
    "Extraction",
    "OcopError",
    "extract_article",
    "read_input",
    "draft",
    "draft_from_store",
    "list_templates",
    "__version__",
]
