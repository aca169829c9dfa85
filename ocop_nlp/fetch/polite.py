"""One polite HTTP client for the crawler: it waits its turn, retries gently and never raises.

Every request to a host (first tries, retries, redirect hops, robots.txt) starts at least
`delay` seconds after the previous request to that host ended. Connection errors, timeouts,
truncated bodies and 5xx answers are retried with exponential backoff; 429 and 503 honour
Retry-After. Redirects are followed by hand, so each hop is counted, checked for loops and
checked against the crawl's scope and robots.txt. The network time of one fetch, all its tries
and hops together, is bounded by `fetch_deadline` (see fetch.deadline), however slowly the
server drips its answer; the politeness waits come on top. What to do after each answer (retry,
follow, finish) is decided by the pure `fetch.policy.next_step`; this module sends the requests
and keeps the waits. Whatever the server does, `fetch` returns a `FetchResult` whose `outcome`
says what happened in a short code and `reason` in a sentence:

>>> fetcher = PoliteFetcher(load_settings(crawl_delay=1.0))      # doctest: +SKIP
>>> r = fetcher.fetch("http://backan.gov.vn/tin-tuc/Pages/default.aspx?Page=2")  # doctest: +SKIP
>>> r.outcome, r.status, r.content_type, len(r.body)              # doctest: +SKIP
('ok', 200, 'text/html', 48213)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection

import requests
import urllib3.exceptions

from ocop_nlp.config import Settings, user_agent
from ocop_nlp.fetch.deadline import BodyTooLarge, Deadline, deadline_session, read_body
from ocop_nlp.fetch.policy import (
    Answer,
    FetchLimits,
    FetchResult,
    FetchState,
    Finish,
    fetch_result,
    media_type,
    next_step,
    parse_retry_after,
)
from ocop_nlp.fetch.urls import canonical_url, host_of

__all__ = ["HTML_TYPES", "FEED_TYPES", "FetchResult", "PoliteFetcher", "parse_retry_after"]

HTML_TYPES = ("text/html", "application/xhtml+xml")
# What a sitemap or feed may be served as, a gzip'd sitemap (sitemap.xml.gz) included.
FEED_TYPES = (
    "application/xml",
    "text/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/x-gzip",
    "application/gzip",
    "text/plain",
)


def _accepts(content_type: str, accept: Collection[str]) -> bool:
    for wanted in accept:
        wanted = wanted.lower()
        if wanted in ("*/*", content_type):
            return True
        if wanted.endswith("/*") and content_type.startswith(wanted[:-1]):
            return True
    return False


class PoliteFetcher:
    """One requests.Session, used from one thread, waiting its turn on every host."""

    def __init__(
        self,
        settings: Settings,
        *,
        delay: float | None = None,
        allow: Callable[[str], bool] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.delay = settings.crawl_delay if delay is None else max(0.0, delay)
        self.limits = FetchLimits.of(settings)
        self.requests_sent = 0
        self._allow = allow
        self._sleep = sleep
        self._clock = clock
        self._host_delay: dict[str, float] = {}
        self._last_end: dict[str, float] = {}
        # One connection per host, reused (keep-alive) so a page costs the server one socket.
        self._session = deadline_session(pool_connections=16, pool_maxsize=1)
        self.user_agent = user_agent(settings)
        self._session.headers.update({"User-Agent": self.user_agent, "Accept-Encoding": "gzip"})

    # --- politeness ----------------------------------------------------------------------

    def set_delay(self, host: str, seconds: float) -> None:
        """Use `seconds` between requests to `host` (a `host_of` value) instead of the default.

        The caller decides which wins (the crawler takes robots.txt Crawl-delay when larger).
        """
        self._host_delay[host.lower()] = max(0.0, seconds)

    def delay_for(self, host: str) -> float:
        return self._host_delay.get(host.lower(), self.delay)

    def ready_at(self, host: str) -> float:
        """The clock time from which a request to `host` needs no wait (now or earlier: none)."""
        last = self._last_end.get(host.lower())
        return float("-inf") if last is None else last + self.delay_for(host)

    def _wait_turn(self, host: str, at_least: float = 0.0) -> None:
        """Sleep until the host's delay (or a longer backoff) has passed since its last request."""
        last = self._last_end.get(host)
        if last is None:
            wait = at_least
        else:
            wait = max(self.delay_for(host), at_least) - (self._clock() - last)
        if wait > 0:
            self._sleep(wait)

    # --- one request ---------------------------------------------------------------------

    def _request(
        self, url: str, headers: dict[str, str], accept: Collection[str], seconds: float
    ) -> Answer:
        """One GET, bounded by the per-read timeout and by `seconds` in all."""
        self.requests_sent += 1
        with Deadline(seconds) as deadline:
            answer = self._send(url, headers, accept, deadline)
        if deadline.expired and answer.body is None:
            # The watchdog cut the socket: whatever the read made of that, it was too slow.
            return Answer(status=answer.status, headers=answer.headers, failure="deadline")
        return answer

    def _send(
        self, url: str, headers: dict[str, str], accept: Collection[str], deadline: Deadline
    ) -> Answer:
        timeout = self.settings.fetch_timeout
        host = host_of(url)
        try:
            r = self._session.get(
                url,
                headers=headers,
                timeout=deadline.timeouts(timeout),
                stream=True,
                allow_redirects=False,
            )
        except requests.Timeout:
            return Answer(
                failure="timeout",
                reason=f"{url} did not answer within {timeout:g} seconds.",
                retryable=True,
            )
        except requests.exceptions.SSLError as e:
            return Answer(
                failure="connection",
                reason=f"The secure connection to {host} failed ({_short(e)}); the site's "
                "certificate may be expired or self-signed.",
            )
        except (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema) as e:
            return Answer(failure="bad-url", reason=f"{url} is not a valid address: {_short(e)}.")
        except requests.RequestException as e:
            return Answer(
                failure="connection",
                reason=f"Could not connect to {host} ({e.__class__.__name__}).",
                retryable=True,
            )
        with r:
            if deadline.expired:
                return Answer()  # the headers were cut off: their status proves nothing
            if r.status_code not in (200, 203):
                return Answer(status=r.status_code, headers=r.headers)
            return self._read_body(r, url, accept, deadline)

    def _read_body(
        self, r: requests.Response, url: str, accept: Collection[str], deadline: Deadline
    ) -> Answer:
        cap = self.settings.max_input_bytes
        host = host_of(url)
        content_type, _ = media_type(r.headers.get("Content-Type"))
        if content_type is not None and not _accepts(content_type, accept):
            return Answer(
                status=r.status_code,
                headers=r.headers,
                failure="not-html",
                reason=f"{url} is {content_type}, not one of the types asked for; skipped.",
            )
        too_large = Answer(
            status=r.status_code,
            headers=r.headers,
            failure="too-large",
            reason=f"{url} is larger than {cap:,} bytes (the max_input_bytes setting); skipped.",
        )
        declared_text = r.headers.get("Content-Length", "").strip()
        declared = int(declared_text) if declared_text.isdigit() else None
        if declared is not None and declared > cap:
            return too_large  # refused before a byte of the body is read
        try:
            body = read_body(r, cap, deadline)
        except BodyTooLarge:
            return too_large
        except (urllib3.exceptions.ReadTimeoutError, TimeoutError):
            return Answer(
                status=r.status_code,
                headers=r.headers,
                failure="timeout",
                reason=f"{url} stopped sending its page for {self.settings.fetch_timeout:g} "
                "seconds.",
                retryable=True,
            )
        except (urllib3.exceptions.HTTPError, OSError) as e:
            # IncompleteRead, a reset connection, a broken gzip stream: the body is cut short.
            return Answer(
                status=r.status_code,
                headers=r.headers,
                failure="truncated",
                reason=f"The connection to {host} broke before the whole page arrived "
                f"({_short(e)}).",
                retryable=True,
            )
        if deadline.expired:
            return Answer(status=r.status_code, headers=r.headers)  # reported by _request
        size = len(body)
        identity = r.headers.get("Content-Encoding", "identity").strip().lower() == "identity"
        if identity and declared is not None and size < declared:
            return Answer(
                status=r.status_code,
                headers=r.headers,
                failure="truncated",
                reason=f"The connection to {host} closed after {size:,} of the {declared:,} "
                "bytes it announced.",
                retryable=True,
            )
        return Answer(status=r.status_code, headers=r.headers, body=body)

    # --- a whole fetch -------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: Collection[str] = HTML_TYPES,
    ) -> FetchResult:
        """GET `url` politely; follows redirects, retries, and always returns a result.

        The loop sends and waits; what to do after each answer is `policy.next_step`'s call.
        """
        start = self._clock()
        headers = {"Accept": ", ".join([*accept, "*/*;q=0.1"])}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        state = FetchState(url, self.limits, self._allow)
        answer: Answer | None = None
        finish: Finish | None = None
        if canonical_url(url) is None:
            finish = Finish("bad-url", f"{url!r} is not an http or https address; not fetched.")
        wait = 0.0
        while finish is None:
            host = host_of(state.current)
            self._wait_turn(host, wait)
            # The deadline is real time (the clock may be a test's fake); waits aside.
            began = time.monotonic()
            answer = self._request(state.current, headers, accept, state.left)
            state.record(answer, time.monotonic() - began)
            self._last_end[host] = self._clock()
            step = next_step(answer, state)
            if isinstance(step, Finish):
                finish = step
            else:
                wait = state.advance(step)
        return fetch_result(
            state,
            finish,
            answer,
            etag=etag,
            last_modified=last_modified,
            elapsed=self._clock() - start,
        )

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> PoliteFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _short(error: BaseException) -> str:
    text = str(error).strip() or error.__class__.__name__
    return text if len(text) <= 160 else text[:157] + "..."
