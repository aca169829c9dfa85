"""robots.txt for our User-Agent: what may be fetched, how slowly, and where the sitemaps are.

>>> rules = parse_robots("User-agent: *\\nDisallow: /admin/\\nCrawl-delay: 2\\n", "ocop-nlp/0.1")
>>> rules.allowed("http://backan.gov.vn/admin/Pages/a.aspx"), rules.allowed("http://backan.gov.vn/")
(False, True)
>>> rules.crawl_delay
2.0

What an answer other than 200 means follows RFC 9309 and Google's reading of it: a missing
robots.txt (any 4xx) allows everything; a server error, no answer, or an answer that never
arrives whole (a stall after the headers, a drip cut by the deadline, a cut connection) forbids
the whole host for this run, because a site that cannot serve robots.txt may be down or may be saying "stay away",
and a small provincial server in trouble is the last one to load with a crawl.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from protego import Protego

__all__ = ["RobotsRules", "parse_robots", "robots_url", "rules_for_response"]

# Google reads the first 500 KiB of a robots.txt and ignores the rest; so do we.
MAX_ROBOTS_BYTES = 500 * 1024


@dataclass(slots=True)
class RobotsRules:
    """The rules of one host for one User-Agent."""

    crawl_delay: float | None = None
    sitemaps: list[str] = field(default_factory=list)
    # Set when the whole host is off limits for this run; says why, for the crawl summary.
    denied_reason: str | None = None
    _parser: Protego | None = None
    _user_agent: str = "*"

    def allowed(self, url: str) -> bool:
        """May `url` be fetched? robots.txt itself always may."""
        if urlsplit(url).path == "/robots.txt":
            return True
        if self.denied_reason is not None:
            return False
        if self._parser is None:
            return True
        return bool(self._parser.can_fetch(url, self._user_agent))

    @classmethod
    def allow_all(cls) -> RobotsRules:
        """No robots.txt (404 and the other 4xx): everything may be fetched."""
        return cls()

    @classmethod
    def deny_all(cls, reason: str) -> RobotsRules:
        """robots.txt answered 5xx, not at all, or not whole: nothing on the host this run."""
        return cls(denied_reason=reason)


def parse_robots(text: str, user_agent: str) -> RobotsRules:
    """Rules from robots.txt text; the group is chosen by the product token in `user_agent`."""
    text = text[:MAX_ROBOTS_BYTES].lstrip("\ufeff")
    parser = Protego.parse(text)
    delay = parser.crawl_delay(user_agent)
    return RobotsRules(
        crawl_delay=float(delay) if delay is not None and delay >= 0 else None,
        sitemaps=[s.strip() for s in parser.sitemaps if s.strip()],
        _parser=parser,
        _user_agent=user_agent,
    )


def rules_for_response(
    status: int | None,
    body: bytes | None,
    user_agent: str,
    *,
    url: str = "robots.txt",
    reason: str | None = None,
) -> RobotsRules:
    """Rules from how the server answered GET /robots.txt (after redirects).

    2xx with its whole body -> its rules; 4xx (or a redirect chain given up) -> allow all; a
    2xx whose body did not arrive whole (`body` None: a stall, the deadline, a cut connection),
    429, 5xx or no answer (`status` None) -> deny all for this run (see the module docstring
    for why). `reason` is the fetcher's sentence for a failed read, quoted in the refusal.
    """
    if status is not None and 200 <= status < 300 and body is not None:
        text = body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
        return parse_robots(text, user_agent)
    if status is not None and 300 <= status < 500 and status != 429:
        return RobotsRules.allow_all()  # RFC 9309: unavailable, so no rules (and 3xx: a chain
        # of redirects too long to follow counts as unavailable)
    if status is not None and 200 <= status < 300:
        answer = "could not be read whole"
    elif status is not None:
        answer = f"answered {status}"
    else:
        answer = "did not answer"
    why = f" ({reason.rstrip('.')})" if reason else ""
    return RobotsRules.deny_all(
        f"{url} {answer}{why}, so the host is not crawled this run (RFC 9309: a robots.txt "
        "that cannot be read forbids the whole site; the server may be overloaded or closed "
        "to crawlers); try again later."
    )


def robots_url(url: str) -> str:
    """Where the robots.txt governing `url` lives: scheme://host[:port]/robots.txt."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), "/robots.txt", "", ""))
