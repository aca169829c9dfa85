"""Settings and the packaged lexicons.

Settings come in layers: packaged defaults (below, each key commented) -> environment variables
`OCOP_<KEY>` -> keyword arguments from the command line; then they are frozen. Lexicons are
versioned TOML files in `ocop_nlp/data/`, read once per process.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, fields, replace
from functools import cache
from importlib import resources
from typing import Any

from ocop_nlp.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Settings:
    # Inputs above this many bytes are refused: a 20 MB "article" is a mistake, not news.
    max_input_bytes: int = 5_000_000
    # Bodies longer than this many characters are cut (with a warning) before analysis.
    max_text_chars: int = 400_000
    # Seconds a server may stay silent (connecting, or between two reads) before a fetch
    # gives up; `extract URL` and the crawler alike.
    fetch_timeout: float = 20.0
    # Seconds one request may take in all (connect, headers and body): a server that drips its
    # answer a byte at a time is cut off here, however often it sends something.
    fetch_deadline: float = 60.0
    # `ocop extract URL`: follow a redirect to a private, loopback or link-local address on
    # another host (an intranet, a cloud metadata service) only when this is set.
    allow_private: bool = False
    # The User-Agent sent when fetching; names the tool so site owners can reach us.
    user_agent: str = "ocop-nlp/0.1 (+https://example.org/ocop-nlp; contact: set OCOP_CONTACT)"
    # Who site owners should write to about the crawler (an e-mail or URL); appended to the
    # User-Agent as "contact: ..." when set, so a portal's webmaster can reach a person.
    contact: str = ""
    # Seconds between two requests to one host when crawling; robots.txt Crawl-delay wins when
    # it is larger. One second is what small provincial servers tolerate without complaint.
    crawl_delay: float = 1.0
    # Attempts per URL after the first, on connection errors, timeouts and 5xx answers.
    crawl_retries: int = 3
    # First backoff in seconds; doubled at each retry (0.5, 1, 2 ...).
    crawl_backoff: float = 0.5
    # A Retry-After longer than this many seconds is not waited for: the URL is left for a
    # later run instead of stalling the crawl. A robots.txt Crawl-delay longer than this
    # closes the host for the run.
    crawl_max_retry_after: float = 120.0
    # Redirect hops followed before a URL is given up as a redirect chain or loop.
    crawl_max_redirects: int = 5
    # Links followed from a start URL, counting listings and articles (sitemaps and feeds do
    # not add depth).
    crawl_max_depth: int = 6
    # Seconds a template of the user's (`ocop draft --template my.j2`) may render before it is
    # stopped: templates are code, and a loop can run for ever.
    template_timeout: float = 10.0
    # Characters a draft may hold; rendering stops with an error beyond it.
    template_max_output: int = 10_000_000
    # Bytes of memory the child process rendering a user's template may map (POSIX only; on
    # Windows the timeout alone applies). Python and Jinja2 take about 40 MB of it.
    template_max_memory: int = 500_000_000
    # The issuing body drafts name at the top left of an administrative document
    # (Nghị định 30/2020/NĐ-CP), e.g. "UBND tỉnh Bắc Kạn"; empty: "UBND tỉnh <the province
    # the article names>", or a "[cần bổ sung: ...]" mark when it names none.
    draft_body: str = ""
    # The author written into a Word draft's properties (File > Properties), e.g. the office.
    draft_author: str = ""
    # Pages (with sitemaps and feeds) one crawl run fetches at most, unless --max-pages says
    # otherwise; a run that stops here says so and the next run goes on from the frontier.
    crawl_max_pages: int = 10_000
    # Seconds one crawl run may last (--max-time); checked between pages, so a run ends at
    # most one page's fetch after it.
    crawl_max_seconds: float = 6 * 3600.0
    # Listing pages in a row (pagers, archives, calendars) that bring no article link new to
    # the frontier before the chain is no longer followed: a pager that answers any ?Page=N
    # or a calendar with an endless "Tháng sau" ends here.
    crawl_max_barren_listings: int = 10
    # Pages in a row of one URL family (the same path with other numbers, query values or
    # dates in words such as "thang-muoi", "thu-hai": filters, session ids, date archives,
    # photo albums) that were no article and brought no new article link, before the
    # family's other links are no longer followed.
    crawl_max_barren_family: int = 10
    # Hosts fetched at the same time, each from its own thread: a host still gets one request
    # at a time, with its own delay and robots.txt. 1 fetches one page at a time.
    crawl_hosts_at_once: int = 4
    # Listing pages in one chain at most, whatever they bring (a trap that makes up new links
    # on every page ends here).
    crawl_max_listing_chain: int = 1000
    # Runs a page whose reading failed unexpectedly (a parser error) is fetched in before it
    # is left as failed for good.
    crawl_page_error_tries: int = 3
    # Days after which a stored article is fetched again to see whether its text changed
    # (with If-None-Match / If-Modified-Since when its server gave an ETag or Last-Modified,
    # so an unchanged page costs a 304); a changed text is stored with the old one kept as a
    # version. 0 re-checks every stored article on every run. Re-checks come after new pages.
    crawl_recheck_days: float = 30.0


def user_agent(settings: Settings) -> str:
    """The User-Agent header: the tool, its home page and the operator's contact when set."""
    if settings.contact and "contact:" not in settings.user_agent:
        return f"{settings.user_agent.rstrip(')')}; contact: {settings.contact})"
    if settings.contact:
        return re.sub(r"contact: [^;)]*", f"contact: {settings.contact}", settings.user_agent)
    return settings.user_agent


def _parse_env(text: str, kind: type) -> Any:
    if kind is bool:
        # bool("0") is True: read the words people write instead.
        word = text.strip().lower()
        if word in ("1", "true", "yes", "on"):
            return True
        if word in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(text)
    return kind(text)


def load_settings(**overrides: Any) -> Settings:
    """Defaults, then `OCOP_*` environment variables, then explicit overrides (None = unset)."""
    values: dict[str, Any] = {}
    for f in fields(Settings):
        env = os.environ.get(f"OCOP_{f.name.upper()}")
        if env is None:
            continue
        try:
            values[f.name] = _parse_env(env, type(getattr(Settings(), f.name)))
        except ValueError as e:
            raise ConfigError(
                f"The environment variable OCOP_{f.name.upper()}={env!r} is not a valid value "
                f"for {f.name}; unset it or give a {type(getattr(Settings(), f.name)).__name__}."
            ) from e
    values.update({k: v for k, v in overrides.items() if v is not None})
    return replace(Settings(), **values)


@cache
def lexicon(name: str) -> dict[str, Any]:
    """The packaged lexicon `ocop_nlp/data/<name>.toml`, parsed once."""
    text = (
        resources.files("ocop_nlp")
        .joinpath("data")
        .joinpath(f"{name}.toml")
        .read_text(encoding="utf-8")
    )
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"The lexicon file data/{name}.toml is not valid TOML: {e}.") from e


LEXICONS = ("page", "cues", "titles", "units")


def rules_version() -> str:
    """One string naming every lexicon version, stored with each extraction."""
    return "+".join(f"{n}:{lexicon(n).get('version', '?')}" for n in LEXICONS)
