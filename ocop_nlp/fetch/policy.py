"""What one fetch does after each answer: try again, follow a redirect, or finish.

The policy is a pure function, `next_step(answer, state)`, the way Scrapy keeps its retry and
redirect middlewares apart from the downloader: it reads one answer (a status and headers, or
a failure) and the fetch so far, and returns a step; it sends nothing, sleeps never and changes
neither argument. `PoliteFetcher.fetch` is the short loop that sends, waits and applies the
steps. Every rule can so be tried with plain values:

>>> limits = FetchLimits(retries=3, backoff=0.5, max_redirects=5, max_retry_after=120.0,
...                      deadline=60.0)
>>> state = FetchState("http://x.vn/a", limits)
>>> next_step(Answer(status=503, headers={"Retry-After": "2"}), state)
Retry(wait=2.0)
>>> next_step(Answer(status=301, headers={"Location": "/b"}), state)
Follow(url='http://x.vn/b')
>>> next_step(Answer(status=404, headers={}), state).outcome
'http-404'
"""

from __future__ import annotations

import email.utils
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus

from ocop_nlp.config import Settings
from ocop_nlp.fetch.urls import canonical_url, host_of

__all__ = [
    "Answer",
    "FetchLimits",
    "FetchResult",
    "FetchState",
    "Finish",
    "Follow",
    "Retry",
    "Step",
    "fetch_result",
    "media_type",
    "next_step",
    "parse_retry_after",
]

REDIRECTS = frozenset({301, 302, 303, 307, 308})


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
class Answer:
    """What one request gave: a status and headers, a body for 200, or a failure."""

    status: int | None = None
    headers: Mapping[str, str] | None = None
    body: bytes | None = None
    # An outcome code when the request or its body failed; "deadline" (the watchdog cut it)
    # stays inside the fetcher, which reports it as a timeout.
    failure: str | None = None
    reason: str | None = None
    retryable: bool = False


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """The settings the policy reads (see `config.Settings` for each)."""

    retries: int
    backoff: float
    max_redirects: int
    max_retry_after: float
    deadline: float

    @classmethod
    def of(cls, settings: Settings) -> FetchLimits:
        return cls(
            retries=settings.crawl_retries,
            backoff=settings.crawl_backoff,
            max_redirects=settings.crawl_max_redirects,
            max_retry_after=settings.crawl_max_retry_after,
            deadline=settings.fetch_deadline,
        )


@dataclass(slots=True)
class FetchState:
    """One fetch so far. The loop changes it (`record`, `advance`); `next_step` only reads it."""

    url: str  # as asked for
    limits: FetchLimits
    # May a redirect hop go there (the crawl's hosts and robots.txt)? None: anywhere.
    allow: Callable[[str], bool] | None = None
    current: str = ""  # where the next request goes
    attempts: int = 0  # requests sent: tries and redirect hops
    retries: int = 0  # tries after the first, all hops together
    hops: int = 0
    seen: set[str | None] = field(default_factory=set)  # canonical addresses asked for
    left: float = 0.0  # seconds of the fetch's deadline not yet spent on the network
    status: int | None = None  # the last status any answer had

    def __post_init__(self) -> None:
        self.current = self.current or self.url
        self.seen = self.seen or {canonical_url(self.url)}
        self.left = self.left or self.limits.deadline

    def record(self, answer: Answer, seconds: float) -> None:
        """One more request sent, `seconds` of network time spent, `answer` come back."""
        self.attempts += 1
        self.left -= seconds
        if answer.status is not None:
            self.status = answer.status

    def advance(self, step: Retry | Follow) -> float:
        """Apply a step that goes on; the seconds to wait before the next request."""
        if isinstance(step, Follow):
            self.seen.add(step.url)
            self.hops += 1
            self.current = step.url
            return 0.0
        self.retries += 1
        return step.wait


@dataclass(frozen=True, slots=True)
class Retry:
    """Send the same request again after `wait` seconds (a backoff, or what Retry-After asked)."""

    wait: float


@dataclass(frozen=True, slots=True)
class Follow:
    """Request `url` next: a redirect the crawl may follow."""

    url: str


@dataclass(frozen=True, slots=True)
class Finish:
    """The fetch is over: its outcome code and, unless it is 'ok', a sentence saying why."""

    outcome: str
    reason: str | None = None
    final_url: str | None = None  # where a refused redirect pointed; the current URL otherwise
    retry_after: float | None = None


Step = Retry | Follow | Finish


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


def media_type(header: str | None) -> tuple[str | None, str | None]:
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


def _status_words(status: int) -> str:
    try:
        return f"{status} ({HTTPStatus(status).phrase})"
    except ValueError:
        return str(status)


def next_step(answer: Answer, state: FetchState) -> Step:
    """The policy: what follows `answer`, the last answer of the fetch `state` describes.

    Failures the network may cure (a refused connection, a timeout, a cut body) and 5xx
    answers are tried again after a backoff doubling at each retry; 429 and 503 wait what
    Retry-After asks, unless it is longer than `max_retry_after`: then the URL is left for a
    later run. Redirects are followed while they stay in scope, do not loop and are not too
    many. The fetch's deadline, spent, ends it whatever the answer.
    """
    limits = state.limits
    url = state.url
    if answer.failure == "deadline" or (answer.failure is not None and state.left <= 0):
        attempts = state.attempts
        return Finish(
            "timeout",
            f"{url} did not send its whole answer within {limits.deadline:g} "
            "seconds (the fetch_deadline setting, for all tries and redirects); the "
            f"server sends too slowly (after {attempts} request"
            f"{'s' if attempts != 1 else ''}).",
        )
    backoff = limits.backoff * 2**state.retries
    may_retry = state.retries < limits.retries
    if answer.failure is not None:
        if answer.retryable and may_retry:
            return Retry(backoff)
        reason = answer.reason
        if answer.retryable and state.attempts > 1:
            reason = f"{reason} Tried {state.retries + 1} times."
        return Finish(answer.failure, reason)

    code = answer.status or 0
    headers = answer.headers or {}
    if code in REDIRECTS and headers.get("Location"):
        return _redirect(headers["Location"], state)
    if code in (429, 503):
        host = host_of(state.current)
        asked = parse_retry_after(headers.get("Retry-After"))
        if asked is not None and asked > limits.max_retry_after:
            return Finish(
                "retry-later",
                f"{host} asked us to come back in {asked:g} seconds (Retry-After), "
                f"longer than crawl_max_retry_after ({limits.max_retry_after:g}"
                "); left for a later run.",
                retry_after=asked,
            )
        if may_retry:
            return Retry(asked if asked is not None else backoff)
        if code == 429 or asked is not None:
            return Finish(
                "retry-later",
                f"{host} still answered {_status_words(code)} after {state.attempts} "
                "attempts; left for a later run.",
                retry_after=asked,
            )
    if code >= 500:
        # 501 and 505 say the request itself will never work: no point asking again.
        if code not in (501, 505) and may_retry:
            return Retry(backoff)
        return Finish(
            "server-error",
            f"The server answered {_status_words(code)} for {state.current}"
            + (f" {state.retries + 1} times" if state.retries else "")
            + "; it may be overloaded or broken, try again later.",
        )
    if code == 304:
        return Finish("not-modified")
    if code in (200, 203):
        return Finish("ok")
    return Finish(f"http-{code}", f"The server answered {_status_words(code)} for {state.current}.")


def _redirect(location: str, state: FetchState) -> Follow | Finish:
    """Follow a redirect to `location`, or say why not."""
    url, current = state.url, state.current
    target = canonical_url(location, base=current)
    if target is None:
        return Finish("off-site", f"{current} redirected to {location!r}, which is not a web page.")
    if target in state.seen:
        return Finish(
            "redirect-loop",
            f"{url} redirects in a loop: {current} sends us back to {target}.",
            final_url=target,
        )
    limit = state.limits.max_redirects
    if state.hops >= limit:
        return Finish(
            "too-many-redirects",
            f"{url} redirected more than {limit} times (the crawl_max_redirects setting); "
            "given up.",
            final_url=target,
        )
    if state.allow is not None and not state.allow(target):
        off_site = host_of(target) != host_of(url)
        return Finish(
            "off-site" if off_site else "robots",
            f"{url} redirected to {target}, which is "
            + (
                "outside the sites being crawled."
                if off_site
                else "forbidden by robots.txt or the crawl's limits."
            ),
            final_url=target,
        )
    return Follow(target)


def fetch_result(
    state: FetchState,
    finish: Finish,
    answer: Answer | None,
    *,
    etag: str | None,
    last_modified: str | None,
    elapsed: float,
) -> FetchResult:
    """The fetch's result: `finish` with what the last answer said. A 304 keeps the validators
    it was asked with when it names none of its own."""
    headers = answer.headers if answer and answer.headers is not None else {}
    content_type, charset = media_type(headers.get("Content-Type"))
    same = finish.outcome == "not-modified"
    return FetchResult(
        url=state.url,
        final_url=finish.final_url or state.current,
        status=state.status,
        content_type=content_type,
        charset=charset,
        body=answer.body if answer and finish.outcome == "ok" else None,
        etag=headers.get("ETag") or (etag if same else None),
        last_modified=headers.get("Last-Modified") or (last_modified if same else None),
        retry_after=finish.retry_after,
        attempts=state.attempts,
        elapsed=elapsed,
        outcome=finish.outcome,
        reason=finish.reason,
    )
