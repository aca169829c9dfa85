"""Fetching one URL for `ocop extract URL`: timeout, size cap, an honest User-Agent."""

from __future__ import annotations

from dataclasses import dataclass

import requests

from ocop_nlp.config import Settings, user_agent
from ocop_nlp.errors import FetchError, TooLargeError


@dataclass(slots=True)
class Response:
    url: str
    status: int
    content_type: str
    charset: str | None
    body: bytes


def fetch_url(url: str, settings: Settings) -> Response:
    """GET a page, reading at most `settings.max_input_bytes`."""
    headers = {"User-Agent": user_agent(settings), "Accept": "text/html,text/plain;q=0.9,*/*;q=0.5"}
    try:
        with requests.get(
            url, headers=headers, timeout=settings.fetch_timeout, stream=True, allow_redirects=True
        ) as r:
            if r.status_code >= 400:
                raise FetchError(f"The server answered {r.status_code} for {url}.")
            too_large = TooLargeError(
                f"The page at {url} is larger than {settings.max_input_bytes:,} bytes; "
                "raise OCOP_MAX_INPUT_BYTES if it really is one article."
            )
            declared = r.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > settings.max_input_bytes:
                raise too_large  # refused before a byte of the body is read
            chunks, size = [], 0
            for chunk in r.iter_content(65536):
                size += len(chunk)
                if size > settings.max_input_bytes:
                    raise too_large
                chunks.append(chunk)
            ctype = r.headers.get("Content-Type", "")
            charset = None
            if "charset=" in ctype.lower():
                charset = ctype.lower().split("charset=")[-1].split(";")[0].strip() or None
            return Response(
                r.url, r.status_code, ctype.split(";")[0].strip(), charset, b"".join(chunks)
            )
    except requests.Timeout as e:
        raise FetchError(f"{url} did not answer within {settings.fetch_timeout:g} seconds.") from e
    except requests.RequestException as e:
        raise FetchError(f"Could not fetch {url}: {e.__class__.__name__}.") from e
