"""A hostile web server on 127.0.0.1, for the tests that `ocop crawl` and `ocop extract URL`
neither hang nor run away (issue 9).

    with HostileServer() as srv:
        srv.url("/drip-headers")        # a status line, then one header byte every DRIP seconds
        srv.url("/drip-body")           # headers announcing 1 MB, then one byte every DRIP seconds
        srv.url("/pager?Page=1")        # a listing whose "Trang sau" leads to ?Page=N+1, forever
        srv.url("/lich/2024/06/")       # a calendar whose "Tháng sau" leads to the next month, forever
        srv.url("/to-link-local")       # 302 to http://169.254.169.254/latest/meta-data/
        srv.url("/deep")                # an article inside 1,200 unclosed <font> tags
        srv.requests_to("/pager")       # what the server was asked, in order

`HostileServer(robots="stall")` answers /robots.txt with its headers and then nothing;
`robots="drip"` drips them; `robots="crawl-delay"` asks for 1,000,000 s between requests; the
default serves an allow-all robots.txt.

Every endpoint that stalls or drips watches a stop event, so `stop()` (or leaving the `with`)
ends every handler thread and joins it: nothing keeps running after a test. Only 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# Seconds between two dripped bytes: far below any per-read timeout a test sets, so only a
# total deadline can end the request.
DRIP = 0.1
# Unclosed <font> tags around the deep page's article: past Python's recursion limit (1,000).
DEEP_LEVELS = 1200
LINK_LOCAL = "http://169.254.169.254/latest/meta-data/"

_PARAGRAPH = (
    "Ủy ban nhân dân tỉnh tổ chức hội nghị sơ kết chương trình Mỗi xã một sản phẩm (OCOP) "
    "sáu tháng đầu năm, đánh giá kết quả thực hiện và đề ra nhiệm vụ trọng tâm thời gian tới. "
)


def _article_html(title: str, n: int = 4) -> str:
    paras = "".join(f"<p>{_PARAGRAPH}Đoạn {i + 1} của bài {title}.</p>" for i in range(n))
    return (
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>'
        f'</head><body><article><h1>{title}</h1><div class="date">12/07/2024</div>'
        f"{paras}</article></body></html>"
    )


def _pager_html(page: int) -> str:
    # The same three articles on every page, and always a next page: the trap of a SharePoint
    # list that answers any ?Page=N with its last page.
    items = "".join(
        f'<li><a href="/tin/bai-viet-so-{k}-hoi-nghi-ocop.html">Hội nghị sơ kết chương trình '
        f"OCOP số {k} của tỉnh</a> (1{k}/07/2024)</li>"
        for k in (1, 2, 3)
    )
    return (
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Tin tức - Trang '
        f'{page}</title></head><body><ul class="news">{items}</ul><div class="paging">'
        f'<a href="/pager?Page={max(1, page - 1)}">Trang trước</a> '
        f'<a href="/pager?Page={page + 1}">Trang sau</a></div></body></html>'
    )


def _calendar_html(year: int, month: int) -> str:
    nxt = (year + month // 12, month % 12 + 1)
    prv = (year - (month == 1), (month - 2) % 12 + 1)
    return (
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Sự kiện tháng '
        f"{month}/{year}</title></head><body><h1>Sự kiện tháng {month}/{year}</h1>"
        "<p>Không có sự kiện.</p>"
        f'<a href="/lich/{prv[0]}/{prv[1]:02d}/">Tháng trước</a> '
        f'<a href="/lich/{nxt[0]}/{nxt[1]:02d}/">Tháng sau</a></body></html>'
    )


def _deep_html() -> str:
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Trang cũ</title>'
        "</head><body>"
        + "<font>" * DEEP_LEVELS
        + "".join(f"<p>{_PARAGRAPH}</p>" for _ in range(8))
        + "</body></html>"
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = True  # server_close() joins every handler: none outlives the server
    allow_reuse_address = True
    hostile: HostileServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.close_connection = True
        srv = self.server.hostile
        srv._log(self.path)
        parts = urlsplit(self.path)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self._route(srv, parts.path, parse_qs(parts.query))

    def _route(self, srv: HostileServer, path: str, query: dict[str, list[str]]) -> None:
        if path == "/robots.txt":
            if srv.robots == "stall":
                self._head(200, "text/plain", 100)
                srv.stop_event.wait()  # headers sent, the body never comes
            elif srv.robots == "drip":
                self._drip_headers(srv)
            elif srv.robots == "crawl-delay":
                # Eleven days between two requests: obeying would stall the crawl for good.
                self._send(200, "text/plain", b"User-agent: *\nCrawl-delay: 1000000\n")
            else:
                self._send(200, "text/plain", b"User-agent: *\nDisallow:\n")
        elif path == "/drip-headers":
            self._drip_headers(srv)
        elif path == "/drip-body":
            self._head(200, "text/html; charset=utf-8", 1_000_000)
            self.wfile.write(b"<html><body>")
            while not srv.stop_event.wait(DRIP):
                self.wfile.write(b"x")
                self.wfile.flush()
        elif path == "/pager":
            page = int((query.get("Page") or ["1"])[0])
            self._send(200, "text/html; charset=utf-8", _pager_html(page).encode())
        elif path.startswith("/lich/"):
            year, month = (int(x) for x in path.strip("/").split("/")[1:3])
            self._send(200, "text/html; charset=utf-8", _calendar_html(year, month).encode())
        elif path.startswith("/tin/"):
            self._send(200, "text/html; charset=utf-8", _article_html(path[5:-5]).encode())
        elif path == "/deep":
            self._send(200, "text/html; charset=utf-8", _deep_html().encode())
        elif path == "/to-link-local":
            self._redirect(LINK_LOCAL)
        elif path == "/to-loopback-name":
            # Another name for this machine: a private address the user did not give.
            self._redirect(f"http://localhost:{srv.port}/tin/bai-viet-so-1-hoi-nghi-ocop.html")
        elif path == "/to-same-host":
            self._redirect("/tin/bai-viet-so-2-hoi-nghi-ocop.html")
        elif path == "/home":
            links = "".join(
                f'<li><a href="{p}">Mục {i}</a></li>' for i, p in enumerate(srv.home_links)
            )
            self._send(
                200,
                "text/html; charset=utf-8",
                f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Trang chủ'
                f"</title></head><body><ul>{links}</ul></body></html>".encode(),
            )
        else:
            self._send(404, "text/html; charset=utf-8", b"<html><body>404</body></html>")

    def _head(self, status: int, ctype: str, length: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.flush()

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        self._head(status, ctype, len(body))
        self.wfile.write(body)
        self.wfile.flush()

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.flush()

    def _drip_headers(self, srv: HostileServer) -> None:
        self.wfile.write(b"HTTP/1.1 200 OK\r\n")
        self.wfile.flush()
        while not srv.stop_event.wait(DRIP):
            # One byte of an endless header line: each read brings something, none completes.
            self.wfile.write(b"X")
            self.wfile.flush()


class HostileServer:
    """The hostile endpoints on 127.0.0.1 (a free port), served from threads; a context manager."""

    def __init__(self, robots: str = "allow", home_links: tuple[str, ...] = ()) -> None:
        self.robots = robots  # 'allow' | 'stall' | 'drip' | 'crawl-delay'
        self.home_links = home_links
        self.stop_event = threading.Event()
        self.log: list[tuple[float, str]] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.hostile = self
        self.port = int(self._server.server_address[1])
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread: threading.Thread | None = None

    def __enter__(self) -> HostileServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="hostile-server"
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self.stop_event.set()  # every stalled or dripping handler returns within DRIP
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def requests_to(self, prefix: str) -> list[str]:
        with self._lock:
            return [p for _, p in self.log if p.startswith(prefix)]

    def _log(self, path: str) -> None:
        with self._lock:
            self.log.append((time.monotonic(), path))


__all__ = ["DEEP_LEVELS", "DRIP", "LINK_LOCAL", "HostileServer"]
