"""One polite HTTP client for the crawler: it waits its turn, retries gently and never raises.

Every request to a host (first tries, retries, redirect hops, robots.txt) starts at least
`delay` seconds after the previous request to that host ended. Connection errors, timeouts,
truncated bodies and 5xx answers are retried with exponential backoff; 429 and 503 honour
Retry-After. Redirects are followed by hand, so each hop is counted, checked for loops and
checked against the crawl's scope and robots.txt. The network time of one fetch, all its tries
and hops together, is bounded by `fetch_deadline` (see fetch.deadline), however slowly the
server drips its answer; the politeness waits come on top. Whatever the server does, `fetch` returns a
`FetchResult` whose `outcome` says what happened in a short code and `reason` in a sentence:

>>> fetcher = PoliteFetcher(load_settings(crawl_delay=1.0))      # doctest: +SKIP
>>> r = fetcher.fetch("http://backan.gov.vn/tin-tuc/Pages/default.aspx?Page=2")  # doctest: +SKIP
>>> r.outcome, r.status, r.content_type, len(r.body)              # doctest: +SKIP
('ok', 200, 'text/html', 48213)
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus

import requests
import urllib3.exceptions

from ocop_nlp.config import Settings, user_agent
from ocop_nlp.fetch.deadline import BodyTooLarge, Deadline, deadline_session, read_body
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

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(slots=True)
class FetchResult:
    url: str  # as requested
    final_url: str  # after redirects (for a refused hop: where the server sent us)
    status: int | None  # last HTTP status, None when no answer at all
    content_type: str | None  # 'text/html' etc, lowercased, no params
    charset: str | None  # from the header
    body: bytes | None  # None unless a usable 200 body was read
    etag: str | None
    last_modified: str | None
    retry_after: float | None  # seconds the server asked for, when it gave up on us
    attempts: int  # HTTP requests this fetch sent: every try and every redirect hop
    elapsed: float  # seconds, all attempts and waits included
    # 'ok' | 'not-modified' | 'http-404' style for other 4xx and odd statuses | 'server-error'
    # | 'timeout' | 'connection' | 'truncated' | 'too-large' | 'too-many-redirects'
    # | 'redirect-loop' | 'not-html' | 'robots' | 'retry-later' | 'off-site' | 'bad-url'
    outcome: str
    reason: str | None  # one plain English sentence for a person when outcome is not ok

    @property
    def ok(self) -> bool:
        """A usable body was read (a 304 is not ok: there is no body, see `not_modified`)."""
        return self.outcome == "ok"

    @property
    def not_modified(self) -> bool:
        return self.outcome == "not-modified"


@dataclass(slots=True)
class _Answer:
    """What one request gave: a status and headers, a body for 200, or a failure."""

    status: int | None = None
    headers: Mapping[str, str] | None = None
    body: bytes | None = None
    # An outcome code when the request or its body failed; "deadline" (the watchdog cut it)
    # stays inside the fetcher, which reports it as a timeout.
    failure: str | None = None
    reason: str | None = None
    retryable: bool = False


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP-date; None if unreadable.

    >>> parse_retry_after("120"), parse_retry_after("soon")
    (120.0, None)
    >>> parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT",
    ...                   now=datetime(2015, 10, 21, 7, 28, tzinfo=UTC))
    30.0
    """
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def _media_type(header: str | None) -> tuple[str | None, str | None]:
    """'text/html; charset=UTF-8' -> ('text/html', 'utf-8')."""
    if not header:
        return None, None
    main, *params = header.split(";")
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower() or None
    return main.strip().lower() or None, charset


def _accepts(content_type: str, accept: Collection[str]) -> bool:
    for wanted in accept:
        wanted = wanted.lower()
        if wanted in ("*/*", content_type):
            return True
        if wanted.endswith("/*") and content_type.startswith(wanted[:-1]):
            return True
    return False


def _status_words(status: int) -> str:
    try:
        return f"{status} ({HTTPStatus(status).phrase})"
    except ValueError:
        return str(status)


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
    ) -> _Answer:
        """One GET, bounded by the per-read timeout and by `seconds` in all."""
        self.requests_sent += 1
        with Deadline(seconds) as deadline:
            answer = self._send(url, headers, accept, deadline)
        if deadline.expired and answer.body is None:
            # The watchdog cut the socket: whatever the read made of that, it was too slow.
            return _Answer(status=answer.status, headers=answer.headers, failure="deadline")
        return answer

    def _send(
        self, url: str, headers: dict[str, str], accept: Collection[str], deadline: Deadline
    ) -> _Answer:
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
            return _Answer(
                failure="timeout",
                reason=f"{url} did not answer within {timeout:g} seconds.",
                retryable=True,
            )
        except requests.exceptions.SSLError as e:
            return _Answer(
                failure="connection",
                reason=f"The secure connection to {host} failed ({_short(e)}); the site's "
                "certificate may be expired or self-signed.",
            )
        except (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema) as e:
            return _Answer(failure="bad-url", reason=f"{url} is not a valid address: {_short(e)}.")
        except requests.RequestException as e:
            return _Answer(
                failure="connection",
                reason=f"Could not connect to {host} ({e.__class__.__name__}).",
                retryable=True,
            )
        with r:
            if deadline.expired:
                return _Answer()  # the headers were cut off: their status proves nothing
            if r.status_code not in (200, 203):
                return _Answer(status=r.status_code, headers=r.headers)
            return self._read_body(r, url, accept, deadline)

    def _read_body(
        self, r: requests.Response, url: str, accept: Collection[str], deadline: Deadline
    ) -> _Answer:
        cap = self.settings.max_input_bytes
        host = host_of(url)
        content_type, _ = _media_type(r.headers.get("Content-Type"))
        if content_type is not None and not _accepts(content_type, accept):
            return _Answer(
                status=r.status_code,
                headers=r.headers,
                failure="not-html",
                reason=f"{url} is {content_type}, not one of the types asked for; skipped.",
            )
        too_large = _Answer(
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
            return _Answer(
                status=r.status_code,
                headers=r.headers,
                failure="timeout",
                reason=f"{url} stopped sending its page for {self.settings.fetch_timeout:g} "
                "seconds.",
                retryable=True,
            )
        except (urllib3.exceptions.HTTPError, OSError) as e:
            # IncompleteRead, a reset connection, a broken gzip stream: the body is cut short.
            return _Answer(
                status=r.status_code,
                headers=r.headers,
                failure="truncated",
                reason=f"The connection to {host} broke before the whole page arrived "
                f"({_short(e)}).",
                retryable=True,
            )
        if deadline.expired:
            return _Answer(status=r.status_code, headers=r.headers)  # reported by _request
        size = len(body)
        identity = r.headers.get("Content-Encoding", "identity").strip().lower() == "identity"
        if identity and declared is not None and size < declared:
            return _Answer(
                status=r.status_code,
                headers=r.headers,
                failure="truncated",
                reason=f"The connection to {host} closed after {size:,} of the {declared:,} "
                "bytes it announced.",
                retryable=True,
            )
        return _Answer(status=r.status_code, headers=r.headers, body=body)

    # --- a whole fetch -------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: Collection[str] = HTML_TYPES,
    ) -> FetchResult:
        """GET `url` politely; follows redirects, retries, and always returns a result."""
        settings = self.settings
        start = self._clock()
        headers = {"Accept": ", ".join([*accept, "*/*;q=0.1"])}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified

        attempts = 0
        retries_done = 0
        hops = 0
        current = url
        first_key = canonical_url(url)
        seen = {first_key}
        pending_wait = 0.0
        status: int | None = None

        def result(
            outcome: str,
            reason: str | None,
            answer: _Answer | None = None,
            *,
            final_url: str | None = None,
            retry_after: float | None = None,
        ) -> FetchResult:
            answer_headers = answer.headers if answer and answer.headers is not None else {}
            content_type, charset = _media_type(answer_headers.get("Content-Type"))
            return FetchResult(
                url=url,
                final_url=final_url or current,
                status=status,
                content_type=content_type,
                charset=charset,
                body=answer.body if answer and outcome == "ok" else None,
                etag=answer_headers.get("ETag") or (etag if outcome == "not-modified" else None),
                last_modified=answer_headers.get("Last-Modified")
                or (last_modified if outcome == "not-modified" else None),
                retry_after=retry_after,
                attempts=attempts,
                elapsed=self._clock() - start,
                outcome=outcome,
                reason=reason,
            )

        if first_key is None:
            return result("bad-url", f"{url!r} is not an http or https address; not fetched.")

        # One deadline for the whole fetch: every try and redirect hop, politeness waits aside.
        # Real time: the clock may be a test's fake.
        left = settings.fetch_deadline
        while True:
            host = host_of(current)
            self._wait_turn(host, pending_wait)
            pending_wait = 0.0
            attempts += 1
            began = time.monotonic()
            answer = self._request(current, headers, accept, left)
            left -= time.monotonic() - began
            self._last_end[host] = self._clock()
            if answer.status is not None:
                status = answer.status
            if answer.failure == "deadline" or (answer.failure is not None and left <= 0):
                return result(
                    "timeout",
                    f"{url} did not send its whole answer within {settings.fetch_deadline:g} "
                    "seconds (the fetch_deadline setting, for all tries and redirects); the "
                    f"server sends too slowly (after {attempts} request"
                    f"{'s' if attempts != 1 else ''}).",
                    answer,
                )

            backoff = settings.crawl_backoff * 2**retries_done
            if answer.failure is not None:
                if answer.retryable and retries_done < settings.crawl_retries:
                    pending_wait = backoff
                    retries_done += 1
                    continue
                reason = answer.reason
                if answer.retryable and attempts > 1:
                    reason = f"{reason} Tried {retries_done + 1} times."
                return result(answer.failure, reason, answer)

            code = answer.status or 0
            answer_headers = answer.headers or {}
            if code in _REDIRECTS and answer_headers.get("Location"):
                target = canonical_url(answer_headers["Location"], base=current)
                if target is None:
                    return result(
                        "off-site",
                        f"{current} redirected to {answer_headers['Location']!r}, which is "
                        "not a web page.",
                        answer,
                    )
                if target in seen:
                    return result(
                        "redirect-loop",
                        f"{url} redirects in a loop: {current} sends us back to {target}.",
                        answer,
                        final_url=target,
                    )
                if hops >= settings.crawl_max_redirects:
                    return result(
                        "too-many-redirects",
                        f"{url} redirected more than {settings.crawl_max_redirects} times "
                        "(the crawl_max_redirects setting); given up.",
                        answer,
                        final_url=target,
                    )
                if self._allow is not None and not self._allow(target):
                    off_site = host_of(target) != host_of(url)
                    return result(
                        "off-site" if off_site else "robots",
                        f"{url} redirected to {target}, which is "
                        + (
                            "outside the sites being crawled."
                            if off_site
                            else "forbidden by robots.txt or the crawl's limits."
                        ),
                        answer,
                        final_url=target,
                    )
                seen.add(target)
                hops += 1
                current = target
                continue

            if code in (429, 503):
                asked = parse_retry_after(answer_headers.get("Retry-After"))
                if asked is not None and asked > settings.crawl_max_retry_after:
                    return result(
                        "retry-later",
                        f"{host} asked us to come back in {asked:g} seconds (Retry-After), "
                        f"longer than crawl_max_retry_after ({settings.crawl_max_retry_after:g}"
                        "); left for a later run.",
                        answer,
                        retry_after=asked,
                    )
                if retries_done < settings.crawl_retries:
                    pending_wait = asked if asked is not None else backoff
                    retries_done += 1
                    continue
                if code == 429 or asked is not None:
                    return result(
                        "retry-later",
                        f"{host} still answered {_status_words(code)} after {attempts} "
                        "attempts; left for a later run.",
                        answer,
                        retry_after=asked,
                    )
            if code >= 500:
                # 501 and 505 say the request itself will never work: no point asking again.
                if code not in (501, 505) and retries_done < settings.crawl_retries:
                    pending_wait = backoff
                    retries_done += 1
                    continue
                return result(
                    "server-error",
                    f"The server answered {_status_words(code)} for {current}"
                    + (f" {retries_done + 1} times" if retries_done else "")
                    + "; it may be overloaded or broken, try again later.",
                    answer,
                )
            if code == 304:
                return result("not-modified", None, answer)
            if code in (200, 203):
                return result("ok", None, answer)
            return result(
                f"http-{code}", f"The server answered {_status_words(code)} for {current}.", answer
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
