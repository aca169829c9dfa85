"""Site profiles: a small TOML per site family that makes a known kind of portal exact.

A profile says how a page reveals its family (`[detect]`), which URLs are articles, listings or
never worth a request (`[urls]`), where a listing keeps its article links and its pager
(`[links]`), and where an article keeps its title, body, date and byline (`[article]`). The
generic rules of `parse.links` still run; a profile's rules go first. Three ship with the
package (`builtin_profiles()`); `--profile PATH` reads any other file, checked at the door:

>>> load_profile("sharepoint").is_article_url("http://backan.gov.vn/Lists/Posts/Post.aspx?ID=12")
True
>>> detect_profile('<meta name="generator" content="WordPress 6.4">', "http://x.vn/").name
'wordpress'
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import soupsieve

from ocop_nlp.errors import ConfigError

if TYPE_CHECKING:
    from ocop_nlp.parse.html import PageSelectors

__all__ = [
    "Detect",
    "Profile",
    "builtin_profiles",
    "detect_profile",
    "load_profile",
    "url_target",
]

# Holds the word lists every page is read with; it lives beside the profiles but is not one.
GENERIC = "generic"
DATE_ORDERS = ("dmy", "mdy", "ymd")

# The keys a profile file may have, per table, and whether each is a list of regexes ("re"),
# of CSS selectors ("css"), of plain strings ("str"), or one scalar ("text", "int").
_SCHEMA: dict[str, dict[str, str]] = {
    "": {"version": "text", "name": "text", "description": "text"},
    "detect": {"generator": "str", "markers": "str", "min_markers": "int", "article_block": "css"},
    "urls": {"article": "re", "listing": "re", "skip": "re"},
    "links": {"listing_items": "css", "next_page": "css"},
    "article": {
        "title": "css",
        "body": "css",
        "published": "css",
        "author": "css",
        "date_order": "text",
    },
}
_GENERATOR = re.compile(
    r"<meta\b[^>]*?\bname\s*=\s*[\"']?generator\b[^>]*>", re.IGNORECASE | re.DOTALL
)
_CONTENT = re.compile(r"\bcontent\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)


def url_target(url: str) -> str:
    """What URL regexes are searched in: path and query, escapes decoded, lower case.

    >>> url_target("http://x.vn/Tin-Tuc/Pages/default.aspx?Page=2&q=t%C3%ACm")
    '/tin-tuc/pages/default.aspx?page=2&q=tìm'
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    path = unquote(parts.path or "/")
    return (f"{path}?{unquote(parts.query)}" if parts.query else path).lower()


@dataclass(frozen=True, slots=True)
class Detect:
    """How a page shows its family: the generator meta, or enough markers in the raw HTML."""

    generator: tuple[str, ...] = ()  # substrings of <meta name="generator" content="...">
    # substrings of the HTML or the URL ('Skip Ribbon Commands', 'wp-content', '/Pages/')
    markers: tuple[str, ...] = ()
    min_markers: int = 2  # markers needed when the generator meta says nothing


@dataclass(frozen=True, slots=True)
class Profile:
    """One site family. URL regexes are searched in `url_target(url)` (path and query)."""

    name: str
    version: str
    detect: Detect = Detect()
    article_url: tuple[str, ...] = ()
    listing_url: tuple[str, ...] = ()
    skip_url: tuple[str, ...] = ()
    listing_items: tuple[str, ...] = ()  # CSS selectors of article links in listings
    next_page: tuple[str, ...] = ()  # CSS selectors of pager links
    article_title: tuple[str, ...] = ()
    article_body: tuple[str, ...] = ()
    article_published: tuple[str, ...] = ()
    article_author: tuple[str, ...] = ()
    # Elements only article pages have (CSS), for telling articles from listings; the body
    # selectors serve when this is not given.
    article_block: tuple[str, ...] = ()
    date_order: str = "dmy"
    description: str = ""
    source: str = ""  # the file it was read from, for messages
    _article: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)
    _listing: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)
    _skip: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Compiled once here: analyse_page asks these of every link on every page.
        for attr, pats in (
            ("_article", self.article_url),
            ("_listing", self.listing_url),
            ("_skip", self.skip_url),
        ):
            object.__setattr__(self, attr, tuple(re.compile(p, re.IGNORECASE) for p in pats))

    def is_article_url(self, url: str) -> bool:
        target = url_target(url)
        return any(p.search(target) for p in self._article)

    def is_listing_url(self, url: str) -> bool:
        target = url_target(url)
        return any(p.search(target) for p in self._listing)

    def is_skip_url(self, url: str) -> bool:
        target = url_target(url)
        return any(p.search(target) for p in self._skip)

    def url_kind(self, target: str) -> str | None:
        """'skip', 'article' or 'listing' for a `url_target`, in that order; None if no rule."""
        if any(p.search(target) for p in self._skip):
            return "skip"
        if any(p.search(target) for p in self._article):
            return "article"
        if any(p.search(target) for p in self._listing):
            return "listing"
        return None

    def article_selectors(self) -> PageSelectors | None:
        """The `[article]` selectors for html_to_article; None when the profile gives none."""
        if not (
            self.article_title or self.article_body or self.article_published or self.article_author
        ):
            return None
        from ocop_nlp.parse.html import PageSelectors  # the article reader is not needed to load

        return PageSelectors(
            title=self.article_title,
            body=self.article_body,
            published=self.article_published,
            author=self.article_author,
            date_order=self.date_order,
        )


def profiles_dir() -> Any:
    """The packaged `data/profiles` folder (a Traversable: works from a wheel or a zip)."""
    return resources.files("ocop_nlp").joinpath("data").joinpath("profiles")


@cache
def _builtin_names() -> tuple[str, ...]:
    return tuple(
        sorted(
            p.name.removesuffix(".toml")
            for p in profiles_dir().iterdir()
            if p.name.endswith(".toml") and p.name != f"{GENERIC}.toml"
        )
    )


def builtin_profiles() -> list[str]:
    """Names of the profiles that ship with the package, for `--profile NAME`."""
    return list(_builtin_names())


def read_toml(text: str, where: str) -> dict[str, Any]:
    """Parse a rules file; a syntax error becomes a ConfigError naming the file."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{where} is not valid TOML: {e}. Fix the file and run again.") from e


def check_patterns(values: Any, where: str, key: str, kind: str) -> tuple[str, ...]:
    """A list of strings, each a valid regex ('re') or CSS selector ('css') when asked."""
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ConfigError(f'{where}: \'{key}\' must be a list of strings, like ["a", "b"].')
    for i, v in enumerate(values):
        if kind == "re":
            try:
                re.compile(v)
            except re.error as e:
                raise ConfigError(
                    f"{where}: {key}[{i}] = {v!r} is not a valid regular expression ({e})."
                ) from e
        elif kind == "css":
            try:
                soupsieve.compile(v)
            except (soupsieve.SelectorSyntaxError, ValueError) as e:
                first = str(e).splitlines()[0]
                raise ConfigError(
                    f"{where}: {key}[{i}] = {v!r} is not a valid CSS selector ({first})."
                ) from e
    return tuple(values)


def _check_keys(data: dict[str, Any], where: str) -> None:
    for key, value in data.items():
        if key in _SCHEMA and key:
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: '{key}' must be a table ([{key}]).")
            for sub in value:
                if sub not in _SCHEMA[key]:
                    known = ", ".join(_SCHEMA[key])
                    raise ConfigError(
                        f"{where}: unknown key '{key}.{sub}'; [{key}] knows: {known}."
                    )
        elif key not in _SCHEMA[""]:
            known = ", ".join([*_SCHEMA[""], *(f"[{t}]" for t in _SCHEMA if t)])
            raise ConfigError(f"{where}: unknown key '{key}'; a profile knows: {known}.")


def profile_from_dict(data: dict[str, Any], where: str, default_name: str) -> Profile:
    """Validate a parsed profile file and build the Profile; every fault names file and key."""
    _check_keys(data, where)
    version = data.get("version")
    if not isinstance(version, str) or not version:
        raise ConfigError(f"{where}: 'version' is missing; add a line like version = \"1\".")
    values: dict[str, Any] = {}
    for table, keys in _SCHEMA.items():
        if not table:
            continue
        section = data.get(table, {})
        for key, kind in keys.items():
            if key not in section:
                continue
            value = section[key]
            if kind in ("re", "css", "str"):
                values[f"{table}.{key}"] = check_patterns(value, where, f"{table}.{key}", kind)
            elif kind == "int":
                if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                    raise ConfigError(f"{where}: '{table}.{key}' must be a whole number >= 1.")
                values[f"{table}.{key}"] = value
            elif not isinstance(value, str):
                raise ConfigError(f"{where}: '{table}.{key}' must be a string.")
            else:
                values[f"{table}.{key}"] = value
    order = values.get("article.date_order", "dmy")
    if order not in DATE_ORDERS:
        raise ConfigError(
            f"{where}: 'article.date_order' is {order!r}; use one of {', '.join(DATE_ORDERS)}."
        )
    name = data.get("name", default_name)
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{where}: 'name' must be a non-empty string.")
    return Profile(
        name=name,
        version=version,
        detect=Detect(
            generator=values.get("detect.generator", ()),
            markers=values.get("detect.markers", ()),
            min_markers=values.get("detect.min_markers", 2),
        ),
        article_url=values.get("urls.article", ()),
        listing_url=values.get("urls.listing", ()),
        skip_url=values.get("urls.skip", ()),
        listing_items=values.get("links.listing_items", ()),
        next_page=values.get("links.next_page", ()),
        article_title=values.get("article.title", ()),
        article_body=values.get("article.body", ()),
        article_published=values.get("article.published", ()),
        article_author=values.get("article.author", ()),
        article_block=values.get("detect.article_block", ()),
        date_order=order,
        description=str(data.get("description", "")),
        source=where,
    )


@cache
def _builtin(name: str) -> Profile:
    where = f"ocop_nlp/data/profiles/{name}.toml"
    text = profiles_dir().joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return profile_from_dict(read_toml(text, where), where, name)


def load_profile(name_or_path: str) -> Profile:
    """A packaged profile by name ('sharepoint') or a profile file by path (a .toml)."""
    path = Path(name_or_path)
    if name_or_path.endswith(".toml") or path.is_file():
        if not path.is_file():
            raise ConfigError(f"The profile file {name_or_path} does not exist.")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(f"The profile file {name_or_path} could not be read: {e}.") from e
        return profile_from_dict(read_toml(text, str(path)), str(path), path.stem)
    names = builtin_profiles()
    if name_or_path not in names:
        hint = (
            " (generic.toml holds the rules every page is read with; it is not a site profile)"
            if name_or_path == GENERIC
            else ""
        )
        raise ConfigError(
            f"There is no packaged profile named {name_or_path!r}{hint}; use one of "
            f"{', '.join(names)}, or give the path of a .toml profile file."
        )
    return _builtin(name_or_path)


def _generator(html: str) -> str:
    m = _GENERATOR.search(html)
    if not m:
        return ""
    c = _CONTENT.search(m.group(0))
    return c.group(1).strip("\"'").lower() if c else ""


def detect_profile(html: str, url: str) -> Profile | None:
    """The packaged profile whose family the page shows, or None: string checks, no parsing.

    A generator meta naming the family decides; otherwise the profile with the most markers
    found, when it has at least its `min_markers`.
    """
    generator = _generator(html)
    best: Profile | None = None
    best_score = 0
    for name in _builtin_names():
        profile = _builtin(name)
        if generator and any(g.lower() in generator for g in profile.detect.generator):
            return profile
        score = sum(1 for m in profile.detect.markers if m in html or m in url)
        if score >= profile.detect.min_markers and score > best_score:
            best, best_score = profile, score
    return best
