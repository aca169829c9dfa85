"""The generic rules pages and links are sorted by: URL shapes, the words of links and headings,
the classes of menus and pagers (`data/profiles/generic.toml`, read and checked once).

>>> text_kind(norm("Liên hệ"), generic_rules()), url_page_kind("/lien-he.htm", generic_rules())
('contact', 'contact')
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

from ocop_nlp.errors import ConfigError
from ocop_nlp.parse.profiles import GENERIC, check_patterns, profiles_dir, read_toml

__all__ = ["LinkRules", "generic_rules", "matches_any", "norm", "text_kind", "url_page_kind"]

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class LinkRules:
    version: str
    article: tuple[re.Pattern[str], ...]
    listing: tuple[re.Pattern[str], ...]
    article_slug: tuple[re.Pattern[str], ...]
    system: tuple[re.Pattern[str], ...]
    feed: tuple[re.Pattern[str], ...]
    pager_url: tuple[re.Pattern[str], ...]
    pages: tuple[tuple[str, tuple[str, ...], tuple[re.Pattern[str], ...]], ...]
    chrome_tags: frozenset[str]
    chrome_words: re.Pattern[str]  # any of the words, inside an id or class
    pager_words: re.Pattern[str]
    pager_text: frozenset[str]


_GENERIC_KEYS = {
    "": {"version", "urls", "pages", "chrome", "pager"},
    "urls": {"article", "listing", "article_slug", "system", "feed", "pager"},
    "chrome": {"tags", "class_words"},
    "pager": {"class_words", "text"},
}


def _alternation(words: tuple[str, ...]) -> re.Pattern[str]:
    # One search per element instead of one per word: this runs on every ancestor of a link.
    return re.compile("|".join(re.escape(w.lower()) for w in words) or r"(?!)")


def norm(text: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip().lower()


@cache
def generic_rules() -> LinkRules:
    """The packaged rules every page is read with (data/profiles/generic.toml), checked once."""
    where = f"ocop_nlp/data/profiles/{GENERIC}.toml"
    data = read_toml(profiles_dir().joinpath(f"{GENERIC}.toml").read_text(encoding="utf-8"), where)
    for table, keys in _GENERIC_KEYS.items():
        section = data if not table else data.get(table, {})
        for key in section:
            if key not in keys:
                raise ConfigError(f"{where}: unknown key '{table + '.' if table else ''}{key}'.")

    def regexes(table: dict[str, Any], key: str, name: str) -> tuple[re.Pattern[str], ...]:
        pats = check_patterns(table.get(key, []), where, name, "re")
        # One alternation per list: these run on every link of every page.
        return (re.compile("|".join(f"(?:{p})" for p in pats) or r"(?!)", re.IGNORECASE),)

    urls = data.get("urls", {})
    pages = []
    for kind, spec in data.get("pages", {}).items():
        if set(spec) - {"text", "url"}:
            raise ConfigError(f"{where}: [pages.{kind}] takes only 'text' and 'url'.")
        words = check_patterns(spec.get("text", []), where, f"pages.{kind}.text", "str")
        pages.append((kind, tuple(norm(w) for w in words), regexes(spec, "url", kind)))
    chrome = data.get("chrome", {})
    pager = data.get("pager", {})
    return LinkRules(
        version=str(data.get("version", "?")),
        article=regexes(urls, "article", "urls.article"),
        listing=regexes(urls, "listing", "urls.listing"),
        article_slug=regexes(urls, "article_slug", "urls.article_slug"),
        system=regexes(urls, "system", "urls.system"),
        feed=regexes(urls, "feed", "urls.feed"),
        pager_url=regexes(urls, "pager", "urls.pager"),
        pages=tuple(pages),
        chrome_tags=frozenset(check_patterns(chrome.get("tags", []), where, "chrome.tags", "str")),
        chrome_words=_alternation(
            check_patterns(chrome.get("class_words", []), where, "chrome.class_words", "str")
        ),
        pager_words=_alternation(
            check_patterns(pager.get("class_words", []), where, "pager.class_words", "str")
        ),
        pager_text=frozenset(
            norm(w) for w in check_patterns(pager.get("text", []), where, "pager.text", "str")
        ),
    )


def matches_any(patterns: tuple[re.Pattern[str], ...], target: str) -> bool:
    return any(p.search(target) for p in patterns)


def text_kind(text: str, rules: LinkRules, more: int = 3) -> str | None:
    """The page kind a text names: the word itself, or the word and at most `more` words."""
    if not text or len(text) > 60:
        return None
    for kind, words, _ in rules.pages:
        for w in words:
            if text == w or (
                more and text.startswith(w + " ") and text.count(" ") - w.count(" ") <= more
            ):
                return kind
    return None


def url_page_kind(target: str, rules: LinkRules) -> str | None:
    for kind, _, patterns in rules.pages:
        if matches_any(patterns, target):
            return kind
    return None
