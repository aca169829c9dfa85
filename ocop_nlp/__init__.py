"""ocop-nlp: read Vietnamese provincial government news, extract meetings, figures, challenges
and directives, and draft summaries.

>>> from ocop_nlp import read_input, extract_article   # doctest: +SKIP
>>> ex = extract_article(read_input("bài-viết.txt"))    # doctest: +SKIP
>>> [(d.addressee, d.action) for d in ex.directives][:1]  # doctest: +SKIP
"""

__version__ = "0.1.0"

from ocop_nlp.errors import OcopError  # noqa: E402
from ocop_nlp.records import Article, Extraction  # noqa: E402


def __getattr__(name: str):  # lazy: `ocop --help` must not import the NLP stack
    if name == "extract_article":
        from ocop_nlp.extract.pipeline import extract_article

        return extract_article
    if name == "read_input":
        from ocop_nlp.parse.reader import read_input

        return read_input
    if name == "draft":
        from ocop_nlp.draft.render import draft

        return draft
    raise AttributeError(name)


__all__ = [
    "Article",
    "Extraction",
    "OcopError",
    "extract_article",
    "read_input",
    "draft",
    "__version__",
]
