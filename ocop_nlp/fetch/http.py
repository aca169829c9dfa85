"""Fetching one URL for `ocop extract URL`: one deadline, a size cap, an honest User-Agent, and
no redirect into a private network.

The URL the user gives is fetched whatever its address (a page on 127.0.0.1 or an intranet
is their choice). A redirect is followed only to a public address, or to the host name the user
gave; a redirect to a private, loopback, link-local or reserved address on another host (a cloud
metadata service at 169.254.169.254, a router's admin page) is refused unless the
`allow_private` setting (`--allow-private`) is on. The target's name is resolved to check its
addresses, not only its spelling.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions

from ocop_nlp.config import Settings, user_agent
from ocop_nlp.errors import FetchError, TooLargeError
from ocop_nlp.fetch.deadline import BodyTooLarge, Deadline, deadline_session, read_body

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10  # what browsers and requests follow


@dataclass(slots=True)
class Response:
    url: str
    status: int
    content_type: str
    charset: str | None
    body: bytes


def private_address(host: str, port: int | None = None) -> str | None:
    """The first private, loopback, link-local or otherwise non-public address `host` names.

    >>> private_address("169.254.169.254"), private_address("10.0.0.7"), private_address("8.8.8.8")
    ('169.254.169.254', '10.0.0.7', None)

    A name that does not resolve gives None: the request then fails on its own.
    """
    try:
        infos = socket.getaddrinfo(host, port or 80, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return None
    for info in infos:
        text = str(info[4][0]).split("%", 1)[0]  # an IPv6 zone id ("fe80::1%eth0")
        try:
            ip = ipaddress.ip_address(text)
        except ValueError:
            continue
        mapped = getattr(ip, "ipv4_mapped", None)
        if mapped is not None:
            ip = mapped
        if not ip.is_global or ip.is_multicast:
            return text
    return None


def _check_redirect(original: str, target: str, settings: Settings) -> None:
    if settings.allow_private:
        return
    parts = urlsplit(target)
    host = (parts.hostname or "").lower()
    if host == (urlsplit(original).hostname or "").lower():
        return  # the host the user named: their choice, whatever its address
    address = private_address(host, parts.port)
    if address is not None:
        raise FetchError(
            f"{original} redirected to {target}, a private or local address ({address}); "
            "not followed. Give --allow-private to follow it."
        )


def fetch_url(url: str, settings: Settings) -> Response:
    """GET a page within `settings.fetch_deadline`, reading at most `settings.max_input_bytes`."""
    headers = {"User-Agent": user_agent(settings), "Accept": "text/html,text/plain;q=0.9,*/*;q=0.5"}
    with deadline_session() as session, Deadline(settings.fetch_deadline) as deadline:
        try:
            return _fetch(session, url, headers, settings, deadline)
        except requests.RequestException as e:
            if deadline.expired:
                raise _too_slow(url, settings) from e
            if isinstance(e, requests.Timeout):
                raise FetchError(
                    f"{url} did not answer within {settings.fetch_timeout:g} seconds."
                ) from e
            raise FetchError(f"Could not fetch {url}: {e.__class__.__name__}.") from e
        except (urllib3.exceptions.HTTPError, OSError) as e:
            # Raised by the body read: a timeout between two reads, a cut connection.
            if deadline.expired:
                raise _too_slow(url, settings) from e
            if isinstance(e, urllib3.exceptions.ReadTimeoutError | TimeoutError):
                raise FetchError(
                    f"{url} stopped sending its page for {settings.fetch_timeout:g} seconds."
                ) from e
            raise FetchError(f"Could not fetch {url}: {e.__class__.__name__}.") from e


def _too_slow(url: str, settings: Settings) -> FetchError:
    return FetchError(
        f"{url} did not send its whole page within {settings.fetch_deadline:g} seconds "
        "(OCOP_FETCH_DEADLINE); the server sends too slowly."
    )


def _fetch(
    session: requests.Session,
    url: str,
    headers: dict[str, str],
    settings: Settings,
    deadline: Deadline,
) -> Response:
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        with session.get(
            current,
            headers=headers,
            timeout=deadline.timeouts(settings.fetch_timeout),
            stream=True,
            allow_redirects=False,
        ) as r:
            if deadline.expired:
                raise _too_slow(url, settings)
            location = r.headers.get("Location")
            if r.status_code in _REDIRECTS and location:
                target = urljoin(current, location)
                if urlsplit(target).scheme.lower() not in ("http", "https"):
                    raise FetchError(f"{current} redirected to {target}, which is not a web page.")
                _check_redirect(url, target, settings)
                current = target
                continue
            if r.status_code >= 400:
                raise FetchError(f"The server answered {r.status_code} for {current}.")
            too_large = TooLargeError(
                f"The page at {current} is larger than {settings.max_input_bytes:,} bytes; "
                "raise OCOP_MAX_INPUT_BYTES if it really is one article."
            )
            declared = r.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > settings.max_input_bytes:
                raise too_large  # refused before a byte of the body is read
            try:
                body = read_body(r, settings.max_input_bytes, deadline)
            except BodyTooLarge:
                raise too_large from None
            if deadline.expired:
                raise _too_slow(url, settings)
            ctype = r.headers.get("Content-Type", "")
            charset = None
            if "charset=" in ctype.lower():
                charset = ctype.lower().split("charset=")[-1].split(";")[0].strip() or None
            return Response(current, r.status_code, ctype.split(";")[0].strip(), charset, body)
    raise FetchError(f"{url} redirected more than {MAX_REDIRECTS} times; given up at {current}.")
