"""One total deadline per request: connect, headers and body together.

requests has only per-read timeouts, and a server that sends one byte every few seconds never
trips one (a status line, then a header dripped forever; or a body dripped forever). So each
request runs inside a `Deadline`: a watchdog thread that, when the time is up, shuts the
request's socket down. The blocked read then returns at once, and the caller, seeing
`deadline.expired`, reports a timeout whatever the read said.

    session = deadline_session()
    with Deadline(60.0) as d:
        r = session.get(url, timeout=d.timeouts(20.0), stream=True)
        ...                       # read the body; stop when d.expired

The socket is found through the connection pool: a session from `deadline_session` uses pools
that tell the running deadline which connection a request goes out on (a new one or a reused
keep-alive one), and connections that refuse to start once the deadline has passed. The
watchdog thread lives exactly as long as the `with` block.

A DNS lookup cannot be interrupted this way; it is bounded by the system resolver's own
timeouts. A TLS handshake is bounded by the per-read timeout only.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from contextvars import ContextVar
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError

__all__ = ["BodyTooLarge", "Deadline", "deadline_session", "read_body"]

_READ_CHUNK = 65536

_running: ContextVar[Deadline | None] = ContextVar("ocop_fetch_deadline", default=None)


class Deadline:
    """`seconds` from entering the block, after which the request's socket is shut down."""

    def __init__(self, seconds: float) -> None:
        self.seconds = max(0.0, seconds)
        self.at = float("inf")
        self._fired = threading.Event()
        self._lock = threading.Lock()
        self._conns: list[Any] = []
        self._timer: threading.Timer | None = None
        self._token: Any = None

    def __enter__(self) -> Deadline:
        self.at = time.monotonic() + self.seconds
        self._token = _running.set(self)
        self._timer = threading.Timer(self.seconds, self._fire)
        self._timer.name = "ocop-fetch-deadline"
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer.join()
        _running.reset(self._token)
        with self._lock:
            self._conns.clear()

    @property
    def expired(self) -> bool:
        return self._fired.is_set() or time.monotonic() >= self.at

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def timeouts(self, per_read: float) -> tuple[float, float]:
        """(connect, read) timeouts for requests: connecting may not outlast the deadline."""
        return (max(0.001, min(per_read, self.remaining())), per_read)

    def watch(self, conn: Any) -> None:
        """Shut `conn`'s socket down at the deadline (at once when it has passed)."""
        with self._lock:
            self._conns.append(conn)
            if self._fired.is_set():
                _shut(conn)

    def _fire(self) -> None:
        with self._lock:
            self._fired.set()
            for conn in self._conns:
                _shut(conn)


def _shut(conn: Any) -> None:
    # The socket is read when the deadline fires: a TLS connection swaps its plain socket for
    # the wrapped one after the handshake, and shutting the wrapped one is what unblocks a read.
    sock = getattr(conn, "sock", None)
    if sock is None:
        return
    # OSError: already closed, or never connected; nothing is blocked on it then.
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _not_after_deadline(record: logging.LogRecord) -> bool:
    # Headers cut off by the watchdog make urllib3 log "Failed to parse headers" with a
    # traceback; the fetch reports the deadline in one sentence instead.
    d = _running.get()
    return d is None or not d.expired


for _name in ("urllib3.connection", "urllib3.connectionpool"):
    logging.getLogger(_name).addFilter(_not_after_deadline)


class _DeadlineConnectionMixin:
    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        d = _running.get()
        if d is not None and d.expired:
            # Connected just as the deadline fired: the watchdog may have missed this socket.
            sock.close()
            raise ConnectTimeoutError(self, f"Connection outlived the {d.seconds:g} s deadline.")
        return sock


class _HTTPConnection(_DeadlineConnectionMixin, HTTPConnection):
    pass


class _HTTPSConnection(_DeadlineConnectionMixin, HTTPSConnection):
    pass


class _PoolMixin:
    def _make_request(self, conn: Any, *args: Any, **kwargs: Any) -> Any:
        d = _running.get()
        if d is not None:
            d.watch(conn)
        return super()._make_request(conn, *args, **kwargs)  # type: ignore[misc]


class _HTTPPool(_PoolMixin, HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(_PoolMixin, HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class DeadlineAdapter(HTTPAdapter):
    """An HTTPAdapter whose connections a running `Deadline` can cut."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOLS)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = dict(_POOLS)
        return manager


def deadline_session(*, pool_connections: int = 10, pool_maxsize: int = 10) -> requests.Session:
    """A requests.Session whose every request a `Deadline` bounds; no retries of its own."""
    session = requests.Session()
    adapter = DeadlineAdapter(
        pool_connections=pool_connections, pool_maxsize=pool_maxsize, max_retries=0
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class BodyTooLarge(Exception):
    """The body went past the cap while it was read."""


def read_body(r: requests.Response, cap: int, deadline: Deadline) -> bytes:
    """The (decoded) body of a streamed response, at most `cap` bytes, read until the deadline.

    Returns what arrived when the deadline passes (the caller checks `deadline.expired`);
    raises BodyTooLarge past `cap`, and urllib3's or the socket's errors when the read fails.
    """
    raw = r.raw
    # read1 returns what one socket read brought, so the deadline and the cap are checked
    # between reads even against a server that trickles (a plain read waits for a full chunk).
    read = getattr(raw, "read1", None) or raw.read
    chunks: list[bytes] = []
    size = 0
    while not deadline.expired:
        chunk = read(_READ_CHUNK, decode_content=True)
        if not chunk:
            break
        size += len(chunk)
        if size > cap:
            raise BodyTooLarge(size)
        chunks.append(chunk)
    return b"".join(chunks)
