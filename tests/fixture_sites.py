"""Fixture web sites served by a real `http.server` on 127.0.0.1, for the crawler's tests and bench.

    site = portal_site(36, faults=True, crawl_delay=0.2)
    with FixtureServer(site) as server:
        fetcher.fetch(server.url("/tin-tuc/Pages/default.aspx?Page=2"))
        server.requests_to("/admin/")          # [] -- robots.txt forbids it
        site.articles                          # path -> ExpectedArticle: what must be stored
        site.faults                            # path -> Fault: what must happen to each

Three sites:
- `portal_site`: a SharePoint provincial portal modelled on the seed page's chrome ("Skip Ribbon
  Commands", menus, "Cập nhật lúc: dd/mm/yyyy hh:mm:ss", footer), news listings paged with
  `?Page=N`, articles in the `#tableforprint` / `p.Title` / `div.ExternalClass...` markup with a
  right-aligned bold byline, a contact page, a work calendar, a documents page with a PDF, an
  article reachable at two URLs, robots.txt forbidding /admin/ and /_layouts/, and (faults=True)
  a "Thông báo" listing whose items are the fault endpoints.
- `newspaper_site`: a WordPress provincial newspaper: robots.txt `Sitemap:`, a sitemap index
  (one child gzip'd), an RSS 2.0 feed, category archives paged `/page/N/`, `.entry-content`.
- `big_site`: about 1,000 article pages behind paged listings, for bench/bench_crawl.py.

Article text comes from the team-written corpora/own/*.txt and from short texts written here;
nothing is taken from ../shared. Every request is logged (time, method, path, headers, status)
before it is answered, so tests measure politeness instead of assuming it.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import math
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ocop_nlp.parse.encodings import TCVN3, _encode_legacy

OWN_ARTICLES = Path(__file__).resolve().parent.parent / "corpora" / "own"
VN = timezone(timedelta(hours=7))
# The slow fault page holds its body back this long; tests set fetch_timeout below it.
SLOW_SECONDS = 3.0
# The big fault page: larger than the default max_input_bytes (5,000,000).
BIG_BYTES = 5_300_000


# --- requests and routes ----------------------------------------------------------------------


@dataclass
class RequestRecord:
    """One request as the server saw it, logged before it was answered."""

    time: float  # time.monotonic() when the request line and headers had arrived
    method: str
    path: str  # as sent, query included
    headers: dict[str, str]
    status: int  # the status the server then answered

    @property
    def base_url(self) -> str:
        """http://host:port as the client addressed the server (for absolute links)."""
        return f"http://{self.headers.get('Host', '127.0.0.1')}"

    def header(self, name: str) -> str | None:
        lower = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lower), None)


Body = bytes | Callable[[RequestRecord], bytes]


@dataclass
class Route:
    """How the server answers one path; the optional behaviours make the faults."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: Body = b""
    content_type: str | None = "text/html; charset=utf-8"
    delay_before_headers: float = 0.0  # seconds before the status line (a slow server)
    delay_before_body: float = 0.0  # seconds between the headers and the body (a stall)
    trickle: tuple[int, float] | None = None  # (bytes per piece, seconds between pieces)
    truncate_after: int | None = None  # send this many bytes under the full Content-Length
    fail_times: int = 0  # answer `fail_status` to the first N requests, then normally
    fail_status: int = 500
    fail_headers: dict[str, str] = field(default_factory=dict)
    chunked: bool = False  # Transfer-Encoding: chunked, no Content-Length
    etag: str | None = None  # sent, and If-None-Match honoured with 304
    last_modified: str | None = None  # an HTTP-date; If-Modified-Since honoured with 304
    gzip: bool = False  # Content-Encoding: gzip when the client accepts it

    @classmethod
    def html(cls, html: str, **kw: object) -> Route:
        return cls(body=html.encode("utf-8"), **kw)  # type: ignore[arg-type]

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Route:
        return cls(status=status, headers={"Location": location}, content_type=None)

    def render(self, record: RequestRecord) -> bytes:
        return self.body(record) if callable(self.body) else self.body

    def not_modified(self, record: RequestRecord) -> bool:
        match = record.header("If-None-Match")
        if self.etag and match:
            return match.strip() == "*" or self.etag in [m.strip() for m in match.split(",")]
        since = record.header("If-Modified-Since")
        if self.last_modified and since:
            try:
                return parsedate_to_datetime(self.last_modified) <= parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
        return False


@dataclass(frozen=True)
class ExpectedArticle:
    """What a crawler must store for one article page."""

    path: str
    title: str
    published: str  # YYYY-MM-DD
    author: str | None
    text: str  # the body paragraphs joined by "\n" (no byline, no captions)
    updated: str = ""  # the timestamp as the page shows it, e.g. "12/07/2024 08:05:11"


@dataclass(frozen=True)
class Fault:
    """A fault endpoint and what must come of fetching it once."""

    path: str
    what: str  # the behaviour, in words
    outcome: str  # PoliteFetcher's outcome with fetch_timeout < SLOW_SECONDS and the default cap
    stored: bool  # whether an article from it ends up in the store
    requests: int  # requests reaching the server when nothing is retried
    retried: bool = False  # True: each retry adds one request (1 + crawl_retries in all)

    def expected_requests(self, retries: int) -> int:
        return self.requests + retries if self.retried else self.requests


@dataclass
class Site:
    """Routes by path (query included), and what a crawl of them must find."""

    name: str
    routes: dict[str, Route] = field(default_factory=dict)
    articles: dict[str, ExpectedArticle] = field(default_factory=dict)
    duplicates: dict[str, str] = field(default_factory=dict)  # second URL -> first URL
    faults: dict[str, Fault] = field(default_factory=dict)
    # path -> 'home' | 'listing' | 'article' | 'contact' | 'calendar' | 'about' | 'sitemap' |
    # 'feed' | 'file' | 'robots' | 'redirect' | 'forbidden' | 'fault' | 'other'
    kinds: dict[str, str] = field(default_factory=dict)
    forbidden: list[str] = field(default_factory=list)  # linked, disallowed: never requested
    start_path: str = "/"
    # set by the builder: makes an article page and returns its path (see add_article)
    article_factory: Callable[[str, list[str], datetime, str | None], str] | None = None
    news: list[str] = field(default_factory=list)  # article paths in listing order, newest first

    def add(self, path: str, route: Route, kind: str = "other") -> Route:
        self.routes[path] = route
        self.kinds[path] = kind
        return route

    def add_html(self, path: str, html: str, kind: str = "other", **kw: object) -> Route:
        return self.add(path, Route.html(html, **kw), kind)

    def add_redirect(self, path: str, to: str, status: int = 302) -> Route:
        return self.add(path, Route.redirect(to, status), "redirect")

    def add_article(
        self, title: str, paragraphs: list[str], published: datetime, author: str | None
    ) -> str:
        """A new article at the top of the listings (for incremental re-crawl tests)."""
        if self.article_factory is None:
            raise ValueError(f"the {self.name} site cannot grow articles")
        path = self.article_factory(title, paragraphs, published, author)
        self.news.insert(0, path)
        return path

    def route_for(self, path: str) -> Route | None:
        """The route for `path`; a query the site does not know is ignored, as servers do."""
        return self.routes.get(path) or self.routes.get(path.split("?", 1)[0])


# --- the server ---------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a handler sleeping in a slow route must not hold up the test
    allow_reuse_address = True
    request_queue_size = 64
    fixture: FixtureServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # for chunked bodies; every answer still closes the connection
    server: _Server

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the fixture keeps its own log

    def _answer(self, head: bool) -> None:
        self.close_connection = True
        fixture = self.server.fixture
        route = fixture.site.route_for(self.path)
        headers = dict(self.headers.items())
        seen = fixture._count(self.path)
        record = RequestRecord(time.monotonic(), self.command, self.path, headers, 404)
        if route is None:
            route = Route(status=404, body=_not_found_page(self.path))
        elif seen < route.fail_times:
            route = Route(
                status=route.fail_status,
                headers=dict(route.fail_headers),
                body=_error_page(route.fail_status),
            )
        elif route.status == 200 and route.not_modified(record):
            route = Route(status=304, content_type=None, etag=route.etag)
        record.status = route.status
        fixture._log(record)
        # The client may give up (a timeout, a size cap): that is what the test wanted.
        with contextlib.suppress(
            BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError
        ):
            self._send(route, record, head)

    def _send(self, route: Route, record: RequestRecord, head: bool) -> None:
        if route.delay_before_headers:
            time.sleep(route.delay_before_headers)
        body = b"" if route.status in (204, 304) or 300 <= route.status < 400 else None
        if body is None:
            body = route.render(record)
        self.send_response(route.status)
        if route.content_type and route.status != 304:
            self.send_header("Content-Type", route.content_type)
        for name, value in route.headers.items():
            self.send_header(name, value)
        if route.etag:
            self.send_header("ETag", route.etag)
        if route.last_modified:
            self.send_header("Last-Modified", route.last_modified)
        if route.gzip and "gzip" in (record.header("Accept-Encoding") or ""):
            body = gzip.compress(body, mtime=0)
            self.send_header("Content-Encoding", "gzip")
        if route.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif route.status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.flush()
        if head or route.status == 304:
            return
        if route.delay_before_body:
            time.sleep(route.delay_before_body)
        if route.truncate_after is not None:
            body = body[: route.truncate_after]
        if route.chunked:
            for i in range(0, len(body), 65536):
                piece = body[i : i + 65536]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            if route.truncate_after is None:
                self.wfile.write(b"0\r\n\r\n")
        elif route.trickle:
            size, pause = route.trickle
            for i in range(0, len(body), size):
                self.wfile.write(body[i : i + size])
                self.wfile.flush()
                time.sleep(pause)
        else:
            self.wfile.write(body)
        self.wfile.flush()


class FixtureServer:
    """A `Site` served on 127.0.0.1 (a free port) from a daemon thread; a context manager."""

    def __init__(self, site: Site, host: str = "127.0.0.1", port: int = 0) -> None:
        self.site = site
        self.log: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._hits: dict[str, int] = {}
        self._server = _Server((host, port), _Handler)
        self._server.fixture = self
        self.base_url = f"http://{host}:{self._server.server_address[1]}"
        self._thread: threading.Thread | None = None

    def __enter__(self) -> FixtureServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True, name="fixture-server"
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    @property
    def host(self) -> str:
        return self.base_url.removeprefix("http://")

    def requests_to(self, path_prefix: str = "") -> list[RequestRecord]:
        """Logged requests whose path starts with `path_prefix`, in arrival order."""
        with self._lock:
            return [r for r in self.log if r.path.startswith(path_prefix)]

    def hits(self, path: str) -> int:
        """Requests for exactly `path` (query included)."""
        with self._lock:
            return sum(1 for r in self.log if r.path == path)

    def clear_log(self) -> None:
        """Forget the log (fail_times counters keep counting: a fault fails once per server)."""
        with self._lock:
            self.log.clear()

    def _log(self, record: RequestRecord) -> None:
        with self._lock:
            self.log.append(record)

    def _count(self, path: str) -> int:
        with self._lock:
            seen = self._hits.get(path, 0)
            self._hits[path] = seen + 1
            return seen


def _not_found_page(path: str) -> bytes:
    return (
        "<!DOCTYPE html><html><head><title>Không tìm thấy trang</title></head><body>"
        f"<h1>404 - Không tìm thấy trang</h1><p>Địa chỉ {escape(path)} không tồn tại.</p>"
        "</body></html>"
    ).encode()


def _error_page(status: int) -> bytes:
    return (
        f"<!DOCTYPE html><html><head><title>Lỗi {status}</title></head><body>"
        f"<h1>Lỗi máy chủ ({status})</h1><p>Hệ thống đang bận, vui lòng thử lại sau.</p>"
        "</body></html>"
    ).encode()


# --- article texts ------------------------------------------------------------------------


def own_articles() -> list[tuple[str, list[str]]]:
    """(headline, paragraphs) of each corpora/own/*.txt, in file order."""
    out = []
    for path in sorted(OWN_ARTICLES.glob("*.txt")):
        lines = path.read_text(encoding="utf-8").split("\n")
        out.append((lines[0].strip(), [ln.strip() for ln in lines[1:] if ln.strip()]))
    return out


# Headlines for the articles beyond the 25 own texts; their bodies mix two own texts.
_MORE_TITLES = [
    "Tỉnh tổ chức tập huấn kỹ năng bán hàng trực tuyến cho chủ thể OCOP",
    "Khảo sát vùng nguyên liệu phục vụ sản xuất sản phẩm OCOP tại các xã vùng cao",
    "Hội đồng cấp tỉnh đánh giá, phân hạng sản phẩm OCOP đợt 2",
    "Kết nối tiêu thụ nông sản an toàn giữa hợp tác xã và siêu thị",
    "Đẩy mạnh ứng dụng truy xuất nguồn gốc cho sản phẩm OCOP",
    "Giao ban công tác xây dựng nông thôn mới quý III",
    "Hỗ trợ thiết kế bao bì, nhãn mác cho sản phẩm đặc sản địa phương",
    "Đoàn công tác của tỉnh tham quan mô hình du lịch cộng đồng gắn với OCOP",
    "Rà soát hồ sơ các sản phẩm đề nghị nâng hạng 4 sao",
    "Phụ nữ khởi nghiệp với sản phẩm từ dược liệu bản địa",
    "Tổng kết mô hình liên kết sản xuất chè theo chuỗi giá trị",
]
_MORE_LEADS = [
    "Trong hai ngày cuối tuần, hơn 80 học viên là chủ cơ sở sản xuất đã tham gia lớp học.",
    "Đoàn khảo sát đã đến 6 xã vùng cao, làm việc với chính quyền và người dân địa phương.",
    "Hội đồng đã xem xét hồ sơ, nếm thử và chấm điểm từng sản phẩm theo bộ tiêu chí mới.",
    "Buổi kết nối có sự tham gia của 12 hợp tác xã và đại diện 4 hệ thống siêu thị lớn.",
    "Đến nay, đã có thêm 30 sản phẩm được gắn mã QR để người mua tra cứu nguồn gốc.",
    "Các đại biểu đã đánh giá tiến độ hoàn thành tiêu chí ở từng xã trong quý vừa qua.",
    "Mỗi chủ thể được hỗ trợ tối đa 20 triệu đồng để thiết kế và in ấn bao bì mới.",
    "Đoàn đã dừng chân tại ba thôn có nhà sàn truyền thống và nghề dệt thổ cẩm.",
    "Tổ giúp việc đã kiểm tra hồ sơ pháp lý, phiếu kiểm nghiệm và câu chuyện sản phẩm.",
    "Nhiều chị em đã mạnh dạn vay vốn, mở xưởng chế biến trà thảo dược quy mô nhỏ.",
    "Sau ba năm, diện tích chè liên kết đã tăng gấp đôi, thu nhập người trồng ổn định hơn.",
]
AUTHORS = [
    "Hoàng Lan", "Minh Châu", "Thu Hà", "Văn Dũng", "Ngọc Ánh", "Quang Huy",
    "Bích Ngọc", "Đức Thịnh", "Thanh Tâm", "Hải Yến", "Phương Thảo", "Trần Minh",
]  # fmt: skip


def article_texts(n: int) -> list[tuple[str, list[str]]]:
    """`n` articles (n <= 36) with distinct headlines and bodies."""
    own = own_articles()
    if n > len(own) + len(_MORE_TITLES):
        raise ValueError(f"at most {len(own) + len(_MORE_TITLES)} distinct articles")
    out = list(own[:n])
    for i in range(max(0, n - len(own))):
        first, second = own[i][1], own[(i + 12) % len(own)][1]
        out.append((_MORE_TITLES[i], [_MORE_LEADS[i], *first[1:3], *second[-2:]]))
    return out


def slugify(text: str) -> str:
    """'Hội chợ OCOP Bến Tre' -> 'hoi-cho-ocop-ben-tre' (how Vietnamese portals build URLs)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    words = "".join(c if c.isalnum() else " " for c in bare.lower()).split()
    return "-".join(words)[:80].rstrip("-")


def _shown(when: datetime) -> str:
    return when.strftime("%d/%m/%Y %H:%M:%S")


def _etag(data: bytes) -> str:
    return '"' + hashlib.sha1(data).hexdigest()[:16] + '"'


# --- the SharePoint provincial portal -------------------------------------------------------

PORTAL_NAME = "Cổng thông tin điện tử tỉnh Bắc Kạn"
NEWS_LISTING = "/tin-tuc/Pages/default.aspx"
NOTICE_LISTING = "/thong-bao/Pages/default.aspx"
PER_PAGE = 10
_MENU = [
    ("/Pages/default.aspx", "Trang chủ"),
    ("/gioi-thieu/Pages/default.aspx", "Giới thiệu"),
    (NEWS_LISTING, "Tin tức - Sự kiện"),
    ("/van-ban/Pages/default.aspx", "Văn bản"),
    ("/lich-cong-tac/Pages/default.aspx", "Lịch công tác"),
    ("/lien-he/Pages/default.aspx", "Liên hệ"),
]


_META_UTF8 = '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />'


def _portal_page(title: str, main: str, *, notices: bool, updated: str = "") -> str:
    menu = list(_MENU)
    if notices:
        menu.insert(4, (NOTICE_LISTING, "Thông báo"))
    items = "".join(f'<li><a href="{href}">{escape(text)}</a></li>' for href, text in menu)
    stamp = f'<div class="capnhat">Cập nhật lúc: {updated}</div>' if updated else ""
    return f"""<!DOCTYPE html>
<html dir="ltr" lang="vi-VN">
<head>{_META_UTF8}
<title>{escape(title)}</title>
<link rel="stylesheet" type="text/css" href="/_layouts/1066/styles/Themable/corev4.css" />
<script type="text/javascript">var _spPageContextInfo = {{webServerRelativeUrl: "/", webLanguage: 1066}};</script>
</head>
<body scroll="yes" onload="javascript:_spBodyOnLoadWrapper();">
<form name="aspnetForm" method="post" action="default.aspx" id="aspnetForm">
<div id="s4-ribbonrow" class="s4-pr s4-ribbonrowhidetitle"><div id="s4-ribboncont">
<span class="ms-skip"><a href="javascript:;" onclick="javascript:this.href='#startNavigation';">Skip Ribbon Commands</a></span>
</div></div>
<div id="s4-workspace"><div id="s4-bodyContainer">
<a name="mainContent" href="#mainContent" class="ms-skip">Skip to main content</a>
<div class="header"><div class="welcome">{PORTAL_NAME} kính chào quý khách!</div>
<div class="toplinks"><a href="/Pages/default.aspx">Trang chủ</a> | <a href="/lien-he/Pages/default.aspx">Góp ý</a> |
<a href="/so-do-trang/Pages/default.aspx">Sơ đồ trang</a> | <a href="/lien-he/Pages/default.aspx">Liên hệ</a></div>
<div class="dateSearch"><span class="time">Thứ Năm, 11/07/2024</span>
<input type="text" name="k" title="Tìm kiếm" /><a href="javascript:;">Tìm kiếm</a></div></div>
<div class="menu"><ul class="root">{items}</ul></div>
<div class="main"><div class="snLeft">{main}</div>
<div class="snRight"><div class="box"><h3>Liên kết website</h3><ul>
<li><a href="https://chinhphu.vn/">Cổng thông tin điện tử Chính phủ</a></li>
<li><a href="mailto:banbientap@example.gov.vn">Gửi thư cho Ban biên tập</a></li>
<li><a href="tel:02093870000">Đường dây nóng</a></li></ul></div>
<div class="box"><h3>Thống kê truy cập</h3><p>Đang truy cập: 35</p><p>Tổng lượt truy cập: 1.204.567</p></div></div></div>
{stamp}
<div class="footer"><p>Cơ quan chủ quản: Ủy ban nhân dân tỉnh Bắc Kạn</p>
<p>Địa chỉ: Tổ 1, phường Đức Xuân, thành phố Bắc Kạn. Điện thoại: 0209.387.0000</p>
<p>Ghi rõ nguồn "{PORTAL_NAME}" khi phát hành lại thông tin từ website này.</p>
<p><a href="/admin/Pages/default.aspx">Quản trị</a></p></div>
<a href="/_layouts/Authenticate.aspx?Source=%2FPages%2Fdefault%2Easpx" style="display:inline">Sign In</a>
</div></div></form></body></html>
"""


def _portal_article_main(
    n: int, title: str, paragraphs: list[str], when: datetime, author: str | None, others: str
) -> str:
    lead, rest = paragraphs[0], paragraphs[1:]
    byline = ""
    if author:
        byline = [
            f'<p style="text-align:right"><strong>{escape(author)}</strong></p>',
            f'<p style="text-align: right;"><b>{escape(author)}</b></p>',
            f'<div style="text-align:right"><strong><em>{escape(author)}</em></strong></div>',
        ][n % 3]
    body_ps = "".join(f"<p>{escape(p)}</p>" for p in rest)
    if n % 3 == 0:  # the Liferay-style asset inside SharePoint, with a bold lead (sapo)
        content = (
            f'<div><div class="asset-content" id="_101_{5700000 + n}"><div class="sapo-wrapper '
            f'clearfix"><img src="/SiteAssets/anh-{n}.jpg" alt="" class="pull-left"/><p class="'
            f'sapo"><strong>{escape(lead)}</strong></p></div><div class="journal-content-article">'
            f"{body_ps}{byline}</div></div></div>"
        )
    elif n % 3 == 1:
        content = (
            f'<div><div class="asset-content" id="_101_{5700000 + n}"><p>{escape(lead)}</p>'
            f"{body_ps}{byline}</div></div>"
        )
    else:  # paragraphs straight in the rich-text field, a picture after the lead
        pars = [f'<p style="text-align:justify">{escape(p)}</p>' for p in rest]
        content = (
            f'<p style="text-align:justify"><span style="font-size:14px">{escape(lead)}</span></p>'
            f'<p style="text-align:center"><img src="/SiteAssets/anh-{n}.jpg" alt="" /></p>'
            + "".join(pars)
            + byline
        )
    return f"""<div class="container_top_mid2"><table border="0" cellspacing="0" cellpadding="0" width="100%"><tbody>
<tr class="ms-news-header"><td style="CURSOR: hand" class="FolderTitle" valign="top"><a class="tip" href="{NEWS_LISTING}">Tin tức - Sự kiện</a></td>
<td style="TEXT-ALIGN: right; FONT-WEIGHT: normal" class="Time" valign="top" align="right">{when:%d/%m/%Y}</td></tr></tbody></table></div>
<div id="part1"><table id="tableforprint" border="0" cellspacing="0" cellpadding="0" width="100%"><tbody>
<tr><td width="100%" style="text-align: center"><p class="Title">{escape(title)}</p></td></tr>
<tr><td><span class="DateTime">(Cập nhật lúc: {_shown(when)} )</span></td></tr>
<tr><td style="TEXT-ALIGN: justify"><b class="lv_description_mode1 allowMenu"></b></td></tr>
<tr><td style="TEXT-ALIGN: justify"><div class="ExternalClass{hashlib.md5(title.encode()).hexdigest().upper()}">
{content}
</div></td></tr><tr><td></td></tr></tbody></table></div>
<div id="part2"><table class="tbtinkhac" border="0" cellspacing="0" cellpadding="0" width="100%"><tbody>
<tr><td class="OtherTitle"><p class="OtherTitle">Tin khác</p></td></tr></tbody></table>
<table border="0" cellspacing="0" cellpadding="0" width="100%"><tbody><tr><td class="Other" width="100%"><ul>{others}</ul></td></tr></tbody></table>
<div class="css_Xemtiep"><a href="{NEWS_LISTING}">Xem tiếp</a></div></div>"""


def _listing_main(
    heading: str, base: str, entries: list[tuple[str, str, str, str]], page: int, pages: int
) -> str:
    """A SharePoint news list: (href, title, dd/mm/yyyy, summary) items and a numbered pager."""
    items = "".join(
        f'<div class="item"><table><tr><td class="img"><a href="{href}"><img src="/SiteAssets/'
        f'thumb-{i}.jpg" alt="" /></a></td><td><a class="NewsTitle" href="{href}">{escape(title)}'
        f'</a> <span class="ShowDate">({day})</span><p class="Summary">{escape(summary)}</p>'
        "</td></tr></table></div>"
        for i, (href, title, day, summary) in enumerate(entries)
    )
    pager = []
    if pages > 1:
        if page > 1:
            pager.append(f'<a href="?Page={page - 1}">Trang trước</a>')
        for p in range(1, pages + 1):
            pager.append(
                f'<span class="current">{p}</span>'
                if p == page
                else f'<a href="{base}?Page={p}">{p}</a>'
            )
        if page < pages:
            pager.append(f'<a href="?Page={page + 1}" class="next">Trang sau</a>')
            pager.append(f'<a href="{base}?Page={pages}">Trang cuối</a>')
    return (
        f'<div class="container_top_mid2"><table width="100%"><tr class="ms-news-header">'
        f'<td class="FolderTitle">{escape(heading)}</td></tr></table></div>'
        f'<div class="news-list">{items}</div>'
        f'<div class="paging">Trang: {" ".join(pager)}</div>'
    )


def _summary(paragraphs: list[str]) -> str:
    words = paragraphs[0].split()
    return " ".join(words[:28]) + (" ..." if len(words) > 28 else "")


# Texts written for the fault endpoints (not in corpora/own, so their content hashes differ).
_FAULT_TEXTS = {
    "loi-may-chu": (
        "Huyện Chợ Đồn ra mắt hợp tác xã sản xuất miến dong sạch",
        [
            "Sáng 5/8, UBND huyện Chợ Đồn tổ chức lễ ra mắt hợp tác xã sản xuất miến dong sạch với 18 thành viên.",
            "Hợp tác xã được hỗ trợ một dây chuyền tráng và sấy miến, công suất 2 tấn mỗi ngày.",
            "Phó Chủ tịch UBND huyện đề nghị hợp tác xã sớm hoàn thiện hồ sơ tham gia Chương trình OCOP.",
        ],
    ),
    "qua-tai": (
        "Nông dân Ba Bể thu hoạch vụ cam sành sớm",
        [
            "Những ngày này, bà con xã Quảng Khê tất bật thu hoạch cam sành, năng suất ước đạt 15 tấn mỗi héc ta.",
            "Giá cam tại vườn dao động từ 12.000 đến 15.000 đồng mỗi ki-lô-gam, cao hơn năm trước.",
            "Phòng Nông nghiệp huyện khuyến cáo bà con thu hái đúng độ chín để giữ uy tín sản phẩm.",
        ],
    ),
    "sai-bang-ma": (
        "Ngân Sơn tập huấn kỹ thuật nuôi ong lấy mật",
        [
            "Trung tâm Dịch vụ nông nghiệp huyện Ngân Sơn vừa mở lớp tập huấn nuôi ong cho 40 hộ dân.",
            "Học viên được hướng dẫn chọn giống, đặt thùng, phòng bệnh và quay mật đúng kỹ thuật.",
            "Mật ong bạc hà của huyện đang được hoàn thiện hồ sơ để đánh giá sản phẩm OCOP.",
        ],
    ),
}
# Written for TCVN3: capitals only where the old encoding has a code or the repair restores them.
_TCVN3_TEXT = (
    "Đoàn công tác khảo sát vùng chè Shan tuyết ở Nà Lạ",
    [
        "Ngày 20/8, đoàn công tác của tỉnh đã đến thôn Nà Lạ khảo sát vùng chè Shan tuyết cổ thụ.",
        "Bà con cho biết mỗi năm thu được khoảng 3 tấn chè búp tươi, bán cho các cơ sở chế biến.",
        "Đoàn đề nghị xã hướng dẫn người dân chăm sóc cây chè theo hướng hữu cơ để nâng giá trị sản phẩm.",
    ],
)


def portal_site(
    n_articles: int = 36, *, faults: bool = True, crawl_delay: float | None = None
) -> Site:
    """A SharePoint provincial portal; see the module docstring. Paths are ASCII."""
    site = Site(name="portal", start_path="/")
    counter = {"n": 0}

    def others_for(path: str) -> str:
        picks = [p for p in site.news if p != path][:4]
        return "".join(
            f'<li><a href="{p}">{escape(site.articles[p].title)}</a> <span class="ShowDate">'
            f"({site.articles[p].updated[:10]})</span></li>"
            for p in picks
        )

    def make_article(
        title: str,
        paragraphs: list[str],
        when: datetime,
        author: str | None,
        *,
        path: str | None = None,
        route_extra: dict[str, object] | None = None,
        meta_charset: bool = True,
    ) -> str:
        n = counter["n"]
        counter["n"] += 1
        path = path or f"/tin-tuc/Pages/{slugify(title)}.aspx"
        if path in site.routes:
            raise ValueError(f"two articles at {path}")
        main = _portal_article_main(n, title, paragraphs, when, author, "{OTHERS}")
        html = _portal_page(title, main, notices=faults, updated=_shown(when))
        if not meta_charset:  # only the (wrong) header is left to say what the bytes are
            html = html.replace(_META_UTF8, "")

        def render(record: RequestRecord, html: str = html, path: str = path) -> bytes:
            return html.replace("{OTHERS}", others_for(path)).encode("utf-8")

        # ETag and Last-Modified from the article itself: stable while the article is.
        route = Route(
            body=render,
            etag=_etag(html.encode("utf-8")),
            last_modified=format_datetime(when.astimezone(UTC), usegmt=True),
            **(route_extra or {}),  # type: ignore[arg-type]
        )
        site.add(path, route, "article")
        site.articles[path] = ExpectedArticle(
            path, title, when.date().isoformat(), author, "\n".join(paragraphs), _shown(when)
        )
        return path

    site.article_factory = lambda t, p, w, a: make_article(t, p, w, a)

    texts = article_texts(n_articles)
    first_day = datetime(2024, 1, 8, tzinfo=VN)
    for i, (title, paragraphs) in enumerate(texts):
        when = first_day + timedelta(days=7 * i, hours=8 + i % 9, minutes=(7 * i) % 60)
        when = when.replace(second=(13 * i) % 60)
        site.news.append(make_article(title, paragraphs, when, AUTHORS[i % len(AUTHORS)]))
    site.news.reverse()  # newest first

    # The same article filed under a second folder, as portals do for district news.
    original = site.news[0]
    alias = "/hoat-dong-dia-phuong/Pages/" + original.rsplit("/", 1)[1]
    site.add(alias, site.routes[original], "article")
    site.duplicates[alias] = original

    def listing(base: str, heading: str, paths: Callable[[], list[str]], page: int) -> Body:
        def render(record: RequestRecord) -> bytes:
            all_paths = paths()
            pages = max(1, math.ceil(len(all_paths) / PER_PAGE))
            chosen = all_paths[(page - 1) * PER_PAGE : page * PER_PAGE]
            entries = [
                (
                    p,
                    site.articles[p].title if p in site.articles else _fault_title(p),
                    site.articles[p].updated[:10] if p in site.articles else "01/08/2024",
                    _summary(site.articles[p].text.split("\n")) if p in site.articles else "",
                )
                for p in chosen
            ]
            main = _listing_main(heading, base, entries, page, pages)
            return _portal_page(f"{heading} - Trang {page}", main, notices=faults).encode()

        return render

    # Listing pages exist a few pages past the end, so articles added later have room.
    for page in range(1, math.ceil(len(site.news) / PER_PAGE) + 4):
        body = listing(NEWS_LISTING, "Tin tức - Sự kiện", lambda: site.news, page)
        site.add(f"{NEWS_LISTING}?Page={page}", Route(body=body), "listing")
    site.add(NEWS_LISTING, Route(body=listing(NEWS_LISTING, "Tin tức - Sự kiện",
                                              lambda: site.news, 1)), "listing")  # fmt: skip

    def home(record: RequestRecord) -> bytes:
        top = "".join(
            f'<li><a href="{p}">{escape(site.articles[p].title)}</a></li>' for p in site.news[:5]
        )
        main = (
            f'<div class="box"><h2>Tin nổi bật</h2><ul>{top}</ul>'
            f'<a href="{NEWS_LISTING}">Xem thêm</a></div>'
            f'<div class="box"><h2>Hoạt động địa phương</h2><ul><li><a href="{alias}">'
            f"{escape(site.articles[original].title)}</a></li></ul></div>"
            '<div class="box"><h2>Văn bản mới</h2><ul><li><a href="/VanBan/QD-1520-UBND-2024.pdf">'
            "Quyết định số 1520/QĐ-UBND phê duyệt kết quả đánh giá sản phẩm OCOP</a></li></ul></div>"
        )
        return _portal_page(PORTAL_NAME, main, notices=faults).encode()

    site.add("/", Route.redirect("/Pages/default.aspx"), "redirect")
    site.add("/Pages/default.aspx", Route(body=home), "home")
    site.add_html(
        "/gioi-thieu/Pages/default.aspx",
        _portal_page(
            "Giới thiệu chung",
            "<h2>Giới thiệu chung</h2><p>Bắc Kạn là tỉnh miền núi phía Bắc, có 8 đơn vị hành chính "
            "cấp huyện. Phần lớn dân cư sống bằng nghề nông và lâm nghiệp.</p><p>Tỉnh có nhiều "
            "đặc sản như miến dong, cam sành, hồng không hạt và chè Shan tuyết.</p>",
            notices=faults,
        ),
        "about",
    )
    site.add_html(
        "/lien-he/Pages/default.aspx",
        _portal_page(
            "Liên hệ",
            "<h2>Liên hệ</h2><p>Ban biên tập Cổng thông tin điện tử tỉnh</p><p>Địa chỉ: Tổ 1, "
            "phường Đức Xuân, thành phố Bắc Kạn</p><p>Điện thoại: 0209.387.0000 - Fax: "
            '0209.387.0001</p><p>Email: <a href="mailto:banbientap@example.gov.vn">'
            'banbientap@example.gov.vn</a></p><table class="contact-form"><tr><td>Họ và tên'
            '</td><td><input name="name"/></td></tr><tr><td>Nội dung</td><td><textarea '
            'name="body"></textarea></td></tr></table><a href="javascript:__doPostBack()">Gửi</a>',
            notices=faults,
        ),
        "contact",
    )
    week = "".join(
        f"<tr><td>{day}</td><td>Sáng: Chủ tịch UBND tỉnh làm việc tại trụ sở.<br/>Chiều: Họp "
        f"giao ban khối kinh tế.</td><td>Phòng họp số {k + 1}</td></tr>"
        for k, day in enumerate(
            ["Thứ Hai 08/07", "Thứ Ba 09/07", "Thứ Tư 10/07", "Thứ Năm 11/07", "Thứ Sáu 12/07"]
        )
    )
    site.add_html(
        "/lich-cong-tac/Pages/default.aspx",
        _portal_page(
            "Lịch công tác",
            "<h2>Lịch công tác tuần 28 năm 2024 của lãnh đạo UBND tỉnh</h2><table class="
            f'"lich"><tr><th>Ngày</th><th>Nội dung</th><th>Địa điểm</th></tr>{week}</table>'
            '<p><a href="/lich-cong-tac/Pages/default.aspx?tuan=27">Tuần trước</a></p>',
            notices=faults,
        ),
        "calendar",
    )
    site.add_html(
        "/van-ban/Pages/default.aspx",
        _portal_page(
            "Văn bản chỉ đạo điều hành",
            '<h2>Văn bản chỉ đạo điều hành</h2><table class="vanban"><tr><th>Số ký hiệu</th>'
            "<th>Ngày ban hành</th><th>Trích yếu</th></tr><tr><td>1520/QĐ-UBND</td><td>"
            '05/08/2024</td><td><a href="/VanBan/QD-1520-UBND-2024.pdf">Phê duyệt kết quả đánh '
            "giá, phân hạng sản phẩm OCOP năm 2024</a></td></tr><tr><td>86/KH-UBND</td><td>"
            '12/03/2024</td><td><a href="/VanBan/KH-86-UBND-2024.docx">Kế hoạch thực hiện '
            "Chương trình OCOP năm 2024</a></td></tr></table>",
            notices=faults,
        ),
        "listing",
    )
    sitemap_links = "".join(f'<li><a href="{href}">{escape(text)}</a></li>' for href, text in _MENU)
    site.add_html(
        "/so-do-trang/Pages/default.aspx",
        _portal_page(
            "Sơ đồ trang", f"<h2>Sơ đồ trang</h2><ul>{sitemap_links}</ul>", notices=faults
        ),
        "other",
    )
    site.add(
        "/VanBan/QD-1520-UBND-2024.pdf",
        Route(body=_tiny_pdf("QD 1520/QD-UBND"), content_type="application/pdf"),
        "file",
    )
    site.add(
        "/VanBan/KH-86-UBND-2024.docx",
        Route(
            body=b"PK\x03\x04" + b"\x00" * 60 + b"word/document.xml",
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        "file",
    )
    # Linked from every page's footer; robots.txt forbids it, so it must never be requested.
    site.add_html(
        "/admin/Pages/default.aspx",
        _portal_page("Quản trị", "<p>Trang dành cho quản trị viên.</p>", notices=faults),
        "forbidden",
    )
    site.forbidden += ["/admin/Pages/default.aspx", "/_layouts/Authenticate.aspx"]

    robots = "User-agent: *\nDisallow: /admin/\nDisallow: /_layouts/\n"
    if crawl_delay is not None:
        robots += f"Crawl-delay: {crawl_delay:g}\n"
    robots += "\nUser-agent: BadBot\nDisallow: /\n"
    site.add("/robots.txt", Route(body=robots.encode(), content_type="text/plain"), "robots")

    if faults:
        _add_portal_faults(site, make_article, listing)
    return site


def _fault_title(path: str) -> str:
    return "Thông báo: " + path.rsplit("/", 1)[-1].split(".")[0].replace("-", " ")


def _tiny_pdf(text: str) -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        + f"% {text}\n".encode("ascii")
        + b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def _add_portal_faults(
    site: Site,
    make_article: Callable[..., str],
    listing: Callable[[str, str, Callable[[], list[str]], int], Body],
) -> None:
    base = "/thong-bao/Pages/"
    aug = datetime(2024, 8, 1, 9, 0, 0, tzinfo=VN)

    def fault(name: str, what: str, outcome: str, *, stored: bool = False, requests: int = 1,
              retried: bool = False) -> str:  # fmt: skip
        path = f"{base}{name}.aspx"
        site.faults[path] = Fault(path, what, outcome, stored, requests, retried)
        return path

    p = fault("khong-ton-tai", "answers 404", "http-404")
    site.kinds[p] = "fault"  # no route: the server's 404

    p = fault("loi-may-chu", "answers 500 once, then the article", "ok", stored=True, requests=2)
    title, paras = _FAULT_TEXTS["loi-may-chu"]
    make_article(title, paras, aug, "Thu Hà", path=p, route_extra={"fail_times": 1})

    p = fault("qua-tai", "answers 429 with Retry-After: 1 once, then the article", "ok",
              stored=True, requests=2)  # fmt: skip
    title, paras = _FAULT_TEXTS["qua-tai"]
    make_article(
        title,
        paras,
        aug + timedelta(days=1),
        "Văn Dũng",
        path=p,
        route_extra={"fail_times": 1, "fail_status": 429, "fail_headers": {"Retry-After": "1"}},
    )

    p = fault("cham", f"sends headers, then waits {SLOW_SECONDS:g} s before the body", "timeout",
              retried=True)  # fmt: skip
    site.add(p, Route(body=_error_page(200), delay_before_body=SLOW_SECONDS), "fault")

    a = fault("vong-lap-a", "redirects to vong-lap-b, which redirects back", "redirect-loop",
              requests=2)  # fmt: skip
    b = f"{base}vong-lap-b.aspx"
    site.add(a, Route.redirect(b), "fault")
    site.add(b, Route.redirect(a), "fault")

    p = fault("cat-ngang", "announces 20,000 bytes, sends 3,000 and closes", "truncated",
              retried=True)  # fmt: skip
    filler = _portal_page("Thông báo", "<p>" + "Nội dung thông báo. " * 1200 + "</p>", notices=True)
    site.add(p, Route(body=filler.encode()[:20_000], truncate_after=3_000), "fault")

    p = fault("sai-bang-ma", "UTF-8 bytes declared charset=iso-8859-1", "ok", stored=True)
    title, paras = _FAULT_TEXTS["sai-bang-ma"]
    make_article(
        title,
        paras,
        aug + timedelta(days=2),
        "Ngọc Ánh",
        path=p,
        route_extra={"content_type": "text/html; charset=iso-8859-1"},
        meta_charset=False,
    )

    p = fault("ma-tcvn3", "an old page typed in TCVN3 (ABC), no charset declared", "ok",
              stored=True)  # fmt: skip
    title, paras = _TCVN3_TEXT
    when = aug + timedelta(days=3)
    html = (
        "<html><head><title>" + title + "</title></head><body>"
        '<table id="tableforprint"><tr><td><p class="Title">' + title + "</p></td></tr>"
        f'<tr><td class="Time">(Cập nhật lúc: {_shown(when)} )</td></tr><tr><td><div>'
        + "".join(f"<p>{x}</p>" for x in paras)
        + '<p align="right"><b>Minh Đức</b></p></div></td></tr></table></body></html>'
    )
    site.add(p, Route(body=_encode_legacy(html, TCVN3), content_type="text/html"), "article")
    site.articles[p] = ExpectedArticle(
        p, title, when.date().isoformat(), "Minh Đức", "\n".join(paras), _shown(when)
    )

    big = _portal_page("Thông báo", "<p>" + "Số liệu thống kê. " * (BIG_BYTES // 18) + "</p>",
                       notices=True).encode()  # fmt: skip
    p = fault("rat-lon", f"a {len(big):,}-byte page with Content-Length", "too-large")
    site.add(p, Route(body=big), "fault")
    p = fault("rat-lon-chunked", f"a {len(big):,}-byte page sent chunked", "too-large")
    site.add(p, Route(body=big, chunked=True), "fault")

    p = fault("tai-lieu", "an .aspx address that serves a PDF", "not-html")
    site.add(p, Route(body=_tiny_pdf("thong bao"), content_type="application/pdf"), "fault")

    notices = [*site.faults]
    pages = math.ceil(len(notices) / PER_PAGE)
    for page in range(1, pages + 1):
        body = listing(NOTICE_LISTING, "Thông báo", lambda: notices, page)
        site.add(f"{NOTICE_LISTING}?Page={page}", Route(body=body), "listing")
    site.add(
        NOTICE_LISTING, Route(body=listing(NOTICE_LISTING, "Thông báo", lambda: notices, 1)),
        "listing",
    )  # fmt: skip


# --- the WordPress provincial newspaper -----------------------------------------------------

PAPER_NAME = "Báo Sông Núi"
CATEGORIES = {"kinh-te": "Kinh tế", "xa-hoi": "Xã hội"}


def _paper_page(title: str, main: str, body_class: str) -> str:
    nav = "".join(
        f'<li class="menu-item"><a href="/chuyen-muc/{slug}/">{name}</a></li>'
        for slug, name in CATEGORIES.items()
    )
    return f"""<!DOCTYPE html>
<html lang="vi">
<head><meta charset="UTF-8">
<title>{escape(title)}</title>
<link rel="alternate" type="application/rss+xml" title="{PAPER_NAME} &raquo; Feed" href="/feed/" />
<link rel="stylesheet" href="/wp-content/themes/songnui/style.css">
<script src="/wp-includes/js/jquery/jquery.min.js"></script></head>
<body class="{body_class}">
<header class="site-header"><p class="site-title"><a href="/">{PAPER_NAME}</a></p>
<nav class="main-navigation"><ul class="menu"><li class="menu-item"><a href="/">Trang chủ</a></li>{nav}
<li class="menu-item"><a href="/gioi-thieu/">Giới thiệu</a></li><li class="menu-item"><a href="/lien-he/">Liên hệ</a></li></ul></nav></header>
<main id="main" class="site-main">{main}</main>
<aside id="secondary" class="widget-area"><section class="widget"><h2 class="widget-title">Theo dõi</h2>
<a href="/feed/">RSS</a> <a href="https://www.facebook.com/sharer/sharer.php?u=x">Facebook</a></section></aside>
<footer class="site-footer"><p>Cơ quan chủ quản: Hội Nông dân tỉnh. Giấy phép số 12/GP-BTTTT.</p>
<p><a href="/wp-login.php">Đăng nhập</a></p></footer>
</body></html>
"""


def newspaper_site(n_articles: int = 30) -> Site:
    """A WordPress provincial newspaper with sitemaps, RSS and category archives."""
    site = Site(name="newspaper", start_path="/")
    texts = article_texts(min(n_articles, 36))
    posts: list[tuple[str, ExpectedArticle, datetime, str]] = []  # path, expected, when, cat
    first = datetime(2024, 2, 1, 7, 30, tzinfo=VN)
    for k, (title, paragraphs) in enumerate(texts):
        when = first + timedelta(days=5 * k, hours=k % 10, minutes=(11 * k) % 60)
        slug = slugify(title)
        path = f"/{when:%Y/%m/%d}/{slug}/"
        # The paper's own lead-in makes these bodies differ from the portal's.
        paras = [f"({PAPER_NAME}) – {paragraphs[0]}", *paragraphs[1:]]
        author = AUTHORS[(k + 5) % len(AUTHORS)]
        category = list(CATEGORIES)[k % len(CATEGORIES)]
        body = "".join(f"<p>{escape(p)}</p>" for p in paras)
        main = f"""<article id="post-{1000 + k}" class="post-{1000 + k} post type-post status-publish category-{category}">
<header class="entry-header"><h1 class="entry-title">{escape(title)}</h1>
<div class="entry-meta"><span class="posted-on"><time class="entry-date published" datetime="{when.isoformat()}">{when:%d/%m/%Y}</time></span>
<span class="byline"> bởi <span class="author vcard"><a class="url fn n" href="/author/{slugify(author)}/">{escape(author)}</a></span></span></div></header>
<div class="entry-content">{body}<p style="text-align: right;"><strong>{escape(author)}</strong></p></div>
<footer class="entry-footer"><span class="cat-links">Chuyên mục: <a href="/chuyen-muc/{category}/" rel="category tag">{CATEGORIES[category]}</a></span></footer>
</article>"""
        html = _paper_page(f"{title} – {PAPER_NAME}", main, "post-template-default single")
        html = html.replace(
            '<link rel="stylesheet"',
            f'<meta property="article:published_time" content="{when.isoformat()}">\n'
            '<link rel="stylesheet"',
            1,
        )
        data = html.encode("utf-8")
        route = Route(
            body=data,
            etag=_etag(data),
            last_modified=format_datetime(when.astimezone(UTC), usegmt=True),
        )
        site.add(path, route, "article")
        expected = ExpectedArticle(
            path, title, when.date().isoformat(), author, "\n".join(paras), when.isoformat()
        )
        site.articles[path] = expected
        posts.append((path, expected, when, category))
    posts.reverse()  # newest first
    site.news = [p for p, *_ in posts]

    def entry(path: str, e: ExpectedArticle) -> str:
        return (
            f'<article class="post type-post"><h2 class="entry-title"><a href="{path}" '
            f'rel="bookmark">{escape(e.title)}</a></h2><time class="entry-date published" '
            f'datetime="{e.updated}">{e.published}</time><div class="entry-summary"><p>'
            f"{escape(_summary(e.text.split(chr(10))))}</p></div></article>"
        )

    home = "".join(entry(p, e) for p, e, *_ in posts[:10])
    home += '<nav class="navigation pagination"><a class="next page-numbers" href="/page/2/">Trang sau</a></nav>'
    site.add_html("/", _paper_page(PAPER_NAME, home, "home blog"), "home")
    all_pages = math.ceil(len(posts) / PER_PAGE)
    for page in range(2, all_pages + 1):
        chunk = "".join(entry(p, e) for p, e, *_ in posts[(page - 1) * 10 : page * 10])
        if page < all_pages:
            chunk += f'<a class="next page-numbers" href="/page/{page + 1}/">Trang sau</a>'
        site.add_html(f"/page/{page}/", _paper_page(PAPER_NAME, chunk, "blog paged"), "listing")

    for slug, name in CATEGORIES.items():
        in_cat = [(p, e) for p, e, _, c in posts if c == slug]
        pages = max(1, math.ceil(len(in_cat) / PER_PAGE))
        for page in range(1, pages + 1):
            chunk = "".join(entry(p, e) for p, e in in_cat[(page - 1) * 10 : page * 10])
            links = " ".join(
                f'<span aria-current="page" class="page-numbers current">{q}</span>'
                if q == page
                else f'<a class="page-numbers" href="/chuyen-muc/{slug}/'
                + ("" if q == 1 else f"page/{q}/")
                + f'">{q}</a>'
                for q in range(1, pages + 1)
            )
            if page < pages:
                links += f' <a class="next page-numbers" href="/chuyen-muc/{slug}/page/{page + 1}/">Trang sau »</a>'
            main = f'<h1 class="page-title">Chuyên mục: {name}</h1>{chunk}<nav class="pagination">{links}</nav>'
            path = f"/chuyen-muc/{slug}/" + ("" if page == 1 else f"page/{page}/")
            site.add_html(path, _paper_page(name, main, "archive category"), "listing")

    site.add_html(
        "/gioi-thieu/",
        _paper_page("Giới thiệu", "<h1>Giới thiệu</h1><p>Báo Sông Núi là cơ quan ngôn luận "
                    "của Hội Nông dân tỉnh, xuất bản từ năm 1995.</p>", "page"),
        "about",
    )  # fmt: skip
    site.add_html(
        "/lien-he/",
        _paper_page("Liên hệ", "<h1>Liên hệ</h1><p>Tòa soạn: số 9 đường Trần Hưng Đạo. "
                    "Điện thoại: 0209.388.1234. Email: toasoan@example.vn</p>", "page"),
        "contact",
    )  # fmt: skip

    def sitemap_urls(record: RequestRecord, entries: list[tuple[str, str]]) -> bytes:
        rows = "".join(
            f"<url><loc>{record.base_url}{p}</loc><lastmod>{m}</lastmod></url>" for p, m in entries
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/'
            f'schemas/sitemap/0.9">{rows}</urlset>\n'
        ).encode()

    oldest_first = list(reversed(posts))
    post_entries = [(p, w.isoformat()) for p, _, w, _ in oldest_first]
    half = (len(post_entries) + 1) // 2
    xml = "application/xml; charset=UTF-8"
    site.add("/post-sitemap.xml",
             Route(body=lambda r: sitemap_urls(r, post_entries[:half]), content_type=xml),
             "sitemap")  # fmt: skip
    site.add(
        "/post-sitemap2.xml.gz",
        Route(
            body=lambda r: gzip.compress(sitemap_urls(r, post_entries[half:]), mtime=0),
            content_type="application/x-gzip",
        ),
        "sitemap",
    )
    site.add("/page-sitemap.xml",
             Route(body=lambda r: sitemap_urls(r, [("/gioi-thieu/", "2023-05-02T08:00:00+07:00"),
                                                   ("/lien-he/", "2023-05-02T08:00:00+07:00")]),
                   content_type=xml), "sitemap")  # fmt: skip
    newest = posts[0][2].isoformat() if posts else "2024-01-01T00:00:00+07:00"

    def sitemap_index(record: RequestRecord) -> bytes:
        children = [
            ("/post-sitemap.xml", post_entries[half - 1][1] if half else newest),
            ("/post-sitemap2.xml.gz", newest),
            ("/page-sitemap.xml", "2023-05-02T08:00:00+07:00"),
        ]
        rows = "".join(
            f"<sitemap><loc>{record.base_url}{p}</loc><lastmod>{m}</lastmod></sitemap>"
            for p, m in children
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org'
            f'/schemas/sitemap/0.9">{rows}</sitemapindex>\n'
        ).encode()

    site.add("/sitemap_index.xml", Route(body=sitemap_index, content_type=xml), "sitemap")
    site.add_redirect("/sitemap.xml", "/sitemap_index.xml", 301)

    def feed(record: RequestRecord) -> bytes:
        items = "".join(
            f"<item><title>{escape(e.title)}</title><link>{record.base_url}{p}</link>"
            f"<dc:creator><![CDATA[{e.author}]]></dc:creator>"
            f"<pubDate>{format_datetime(w)}</pubDate>"
            f'<guid isPermaLink="false">{record.base_url}/?p={1000 + i}</guid>'
            f"<description><![CDATA[{_summary(e.text.split(chr(10)))}]]></description></item>"
            for i, (p, e, w, _) in enumerate(posts[:10])
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:dc="http://purl.org/'
            f'dc/elements/1.1/"><channel><title>{PAPER_NAME}</title><link>{record.base_url}/'
            f"</link><description>Tin tức nông thôn</description><language>vi</language>{items}"
            "</channel></rss>\n"
        ).encode()

    site.add("/feed/", Route(body=feed, content_type="application/rss+xml; charset=UTF-8"), "feed")
    site.add(
        "/robots.txt",
        Route(
            body=lambda r: (
                "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n"
                f"Disallow: /wp-login.php\n\nSitemap: {r.base_url}/sitemap_index.xml\n"
            ).encode(),
            content_type="text/plain; charset=utf-8",
        ),
        "robots",
    )
    site.forbidden.append("/wp-login.php")
    return site


# --- a newspaper on its own CMS ----------------------------------------------------------------

CMS_PAPER_NAME = "Báo Đồng Bằng"
CMS_CATEGORIES = {"kinh-te": "Kinh tế", "nong-nghiep": "Nông nghiệp"}
_WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
# The header's clock on every page: never an article's date.
CMS_TODAY = "Thứ Hai, 07/12/2026"


def _cp1258_bytes(text: str) -> bytes:
    """Windows-1258 as Vietnamese sites wrote it: â ê ô ă ơ ư đ precomposed, tones combining."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
        out.append(
            unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones)) + tones
        )
    return "".join(out).encode("cp1258", errors="xmlcharrefreplace")


def _cms_page(title: str, main: str, head: str = "", charset: str = "utf-8") -> str:
    nav = "".join(
        f'<li><a href="/{slug}.htm">{name}</a></li>' for slug, name in CMS_CATEGORIES.items()
    )
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="{charset}"><title>{escape(title)}</title>
<meta name="author" content="{CMS_PAPER_NAME}"><meta property="og:site_name" content="{CMS_PAPER_NAME}">
{head}<script>var _track = {{"page": 1}};</script></head>
<body><header class="header"><div class="header__date">{CMS_TODAY}</div>
<a class="logo" href="/">{CMS_PAPER_NAME}</a><ul class="menu"><li><a href="/">Trang chủ</a></li>{nav}</ul></header>
<main class="main">{main}</main>
<footer class="footer"><p>Giấy phép số 99/GP-BTTTT. Tổng biên tập: Lê Văn Bốn.</p></footer>
</body></html>
"""


def cms_paper_site(n_articles: int = 20, first_text: int = 0) -> Site:
    """A provincial newspaper on its own CMS (not SharePoint, not WordPress).

    Article addresses carry an id starting with the publication time (/kinh-te/slug-20240301073000123.htm);
    category pagers (/kinh-te/trang-2.htm); links from the home page carry tracking parameters;
    every article links a print version (/print/<id>.htm, same text, rel=canonical to the article)
    and share buttons; each page shows the header's clock (today) before the headline and the
    paper's name in <meta name=author>. The date is shown five ways (weekday line, "Cập nhật:"
    with GMT+7, <time>, JSON-LD only, in words) and the byline four ways (author element, tac-gia
    paragraph, itemprop=author, a right-aligned closing line); comments and related teasers carry
    other names. Article 1 is served in Windows-1258. `first_text` picks other texts (several
    such sites with articles of their own).
    """
    site = Site(name="cms-paper", start_path="/")
    texts = article_texts(min(first_text + n_articles, 36))[first_text:]
    posts: list[tuple[str, ExpectedArticle, str]] = []
    first = datetime(2024, 3, 1, 7, 30, tzinfo=VN)
    for k, (title, paragraphs) in enumerate(texts):
        when = first + timedelta(days=3 * k, hours=k % 9, minutes=(7 * k) % 60)
        stamp = f"{when:%Y%m%d%H%M%S}{k:03d}"
        category = list(CMS_CATEGORIES)[k % len(CMS_CATEGORIES)]
        path = f"/{category}/{slugify(title)}-{stamp}.htm"
        author = AUTHORS[(k + 3) % len(AUTHORS)]
        day = _WEEKDAYS[when.weekday()]
        head = f'<link rel="canonical" href="{path}">'
        shown = {
            0: f'<div class="article__meta"><span class="date">{day}, {when:%d/%m/%Y - %H:%M}</span></div>',
            1: f'<p class="article__meta">Cập nhật: {when:%d.%m.%Y %H:%M} GMT+7</p>',
            2: f'<div class="article__meta"><time datetime="{when.isoformat()}">{when:%H:%M | %d-%m-%Y}</time></div>',
            3: '<div class="article__meta"><span class="time">2 giờ trước</span></div>',
            4: f'<div class="ngay-dang">{day.lower()}, ngày {when.day} tháng {when.month} năm {when.year}</div>',
        }[k % 5]
        if k % 5 == 3:
            head += (
                '<script type="application/ld+json">{"@context":"https://schema.org","@graph":['
                f'{{"@type":"Organization","name":"{CMS_PAPER_NAME}"}},'
                f'{{"@type":"NewsArticle","headline":{_json_str(title)},'
                f'"datePublished":"{when.isoformat()}",'
                f'"publisher":{{"@type":"Organization","name":"{CMS_PAPER_NAME}"}}}}]}}</script>'
            )
        byline_top = byline_end = closing = ""
        if k % 4 == 0:
            byline_top = f'<div class="article__author"><span class="author-name">Tác giả: {escape(author)}</span></div>'
        elif k % 4 == 1:
            byline_end = f'<p class="tac-gia">{escape(author)}</p>'
        elif k % 4 == 2:
            byline_top = f'<div class="article__byline">Bởi <span itemprop="author">{escape(author)}</span></div>'
        else:
            closing = f'<p style="text-align:right"><strong>{escape(author)}</strong></p>'
        body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        others = "".join(
            f'<div class="article-item"><h3 class="article-title"><a href="/{category}.htm">Tin khác {j}</a></h3>'
            f'<div class="article-content">Tóm tắt tin khác số {j} của chuyên mục, viết ngắn gọn cho bạn đọc. '
            f'</div><span class="author">{AUTHORS[j]}</span></div>'
            for j in range(2)
        )
        main = f"""<div class="breadcrumb"><a href="/">Trang chủ</a> » <a href="/{category}.htm">{CMS_CATEGORIES[category]}</a></div>
<article class="article"><h1 class="article__title">{escape(title)}</h1>{shown}{byline_top}
<div class="article__tools"><a class="print" href="/print/{stamp}.htm">In bài</a>
<a class="share" href="https://www.facebook.com/sharer/sharer.php?u={path}">Chia sẻ</a></div>
<div class="article__body">{body}{closing}</div>{byline_end}</article>
<div class="comments"><div class="comment"><span class="comment-author">Bạn đọc Nguyễn An</span><p>Bài viết hay.</p></div></div>
<div class="related">{others}</div>"""
        charset = "windows-1258" if k == 1 else "utf-8"
        html = _cms_page(f"{title} | {CMS_PAPER_NAME}", main, head, charset)
        if k == 1:
            site.add(
                path,
                Route(body=_cp1258_bytes(html), content_type="text/html; charset=windows-1258"),
                "article",
            )
        else:
            site.add_html(path, html, "article")
        printed = (
            f'<html><head><meta charset="utf-8"><title>{escape(title)}</title><link rel="canonical" href="{path}">'
            f'</head><body onload="window.print()"><h1>{escape(title)}</h1>{shown}<div class="article__body">{body}'
            f"{closing}</div>{byline_end}</body></html>"
        )
        site.add_html(f"/print/{stamp}.htm", printed, "print")
        expected = ExpectedArticle(
            path, title, when.date().isoformat(), author, "\n".join(paragraphs)
        )
        site.articles[path] = expected
        posts.append((path, expected, category))
    posts.reverse()
    site.news = [p for p, *_ in posts]

    def teaser(path: str, e: ExpectedArticle, query: str = "") -> str:
        return (
            f'<div class="story"><h3 class="story__title"><a href="{path}{query}">{escape(e.title)}</a></h3>'
            f'<p class="story__sapo">{escape(_summary(e.text.split(chr(10))))}</p></div>'
        )

    home = "".join(
        teaser(p, e, f"?utm_source=home&utm_medium=box{i}") for i, (p, e, _) in enumerate(posts[:8])
    )
    site.add_html("/", _cms_page(CMS_PAPER_NAME, home), "home")
    for slug, name in CMS_CATEGORIES.items():
        in_cat = [(p, e) for p, e, c in posts if c == slug]
        per = 4
        pages = max(1, math.ceil(len(in_cat) / per))
        for page in range(1, pages + 1):
            chunk = "".join(teaser(p, e) for p, e in in_cat[(page - 1) * per : page * per])
            links = " ".join(
                f'<a href="/{slug}/trang-{q}.htm">{q}</a>'
                if q > 1
                else f'<a href="/{slug}.htm">1</a>'
                for q in range(1, pages + 1)
                if q != page
            )
            main = f'<h1 class="cate-title">{name}</h1>{chunk}<div class="paging">{links}</div>'
            path = f"/{slug}.htm" if page == 1 else f"/{slug}/trang-{page}.htm"
            site.add_html(path, _cms_page(name, main), "listing")
    site.add(
        "/robots.txt",
        Route(body=b"User-agent: *\nDisallow: /admin/\n", content_type="text/plain; charset=utf-8"),
        "robots",
    )
    return site


def _json_str(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


# --- a big plain site for the benchmark -------------------------------------------------------


def big_site(n_pages: int = 1000, per_page: int = 20) -> Site:
    """`n_pages` articles behind `ceil(n_pages / per_page)` listing pages; no delays, no faults.

    Pages are rendered on request, so building the site is cheap.
    """
    site = Site(name="big", start_path="/")
    own = own_articles()
    first = datetime(2020, 1, 1, 8, 0, tzinfo=VN)
    listings = math.ceil(n_pages / per_page)

    def article_path(n: int) -> str:
        return f"/tin/bai-{n}.html"

    def parts(n: int) -> tuple[str, list[str], datetime, str]:
        a_title, a_paras = own[n % len(own)]
        b_paras = own[(n // len(own) + n + 1) % len(own)][1]
        when = first + timedelta(hours=7 * n)
        title = f"{a_title} (bài {n})"
        paras = [f"Bài số {n} của chuyên mục.", *a_paras[:3], *b_paras[-2:]]
        return title, paras, when, AUTHORS[n % len(AUTHORS)]

    def article(n: int) -> Body:
        def render(record: RequestRecord) -> bytes:
            title, paras, when, author = parts(n)
            body = "".join(f"<p>{escape(p)}</p>" for p in paras)
            return (
                f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>'
                f'{escape(title)}</title></head><body><div class="menu"><a href="/">Trang chủ'
                f'</a> <a href="/tin/trang-1.html">Tin tức</a></div><table id="tableforprint"><tr>'
                f'<td><p class="Title">{escape(title)}</p></td></tr><tr><td class="Time">(Cập '
                f'nhật lúc: {_shown(when)} )</td></tr><tr><td><div class="ExternalClassB16">'
                f'{body}<p style="text-align:right"><strong>{escape(author)}</strong></p></div>'
                "</td></tr></table></body></html>"
            ).encode()

        return render

    def listing(page: int) -> Body:
        def render(record: RequestRecord) -> bytes:
            lo = (page - 1) * per_page
            items = "".join(
                f'<li><a href="{article_path(n)}">{escape(parts(n)[0])}</a></li>'
                for n in range(lo, min(lo + per_page, n_pages))
            )
            nxt = f'<a href="/tin/trang-{page + 1}.html">Trang sau</a>' if page < listings else ""
            return (
                f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Tin tức - '
                f'Trang {page}</title></head><body><ul class="news">{items}</ul>'
                f'<div class="paging">{nxt}</div></body></html>'
            ).encode()

        return render

    site.add_html(
        "/",
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Trang chủ</title>'
        '</head><body><a href="/tin/trang-1.html">Tin tức</a></body></html>',
        "home",
    )
    site.add("/robots.txt", Route(body=b"User-agent: *\nDisallow:\n", content_type="text/plain"),
             "robots")  # fmt: skip
    for page in range(1, listings + 1):
        site.add(f"/tin/trang-{page}.html", Route(body=listing(page)), "listing")
    for n in range(n_pages):
        title, paras, when, author = parts(n)
        path = article_path(n)
        site.add(path, Route(body=article(n)), "article")
        site.articles[path] = ExpectedArticle(
            path, title, when.date().isoformat(), author, "\n".join(paras), _shown(when)
        )
    site.news = [article_path(n) for n in range(n_pages)]
    return site


__all__ = [
    "BIG_BYTES",
    "SLOW_SECONDS",
    "ExpectedArticle",
    "Fault",
    "FixtureServer",
    "RequestRecord",
    "Route",
    "Site",
    "big_site",
    "newspaper_site",
    "portal_site",
    "slugify",
]


def main(argv: list[str] | None = None) -> None:
    """Serve a fixture site until Ctrl-C, to try `ocop crawl` without the internet:

    python tests/fixture_sites.py portal --port 8765
    """
    import argparse

    ap = argparse.ArgumentParser(description="Serve a fixture site on 127.0.0.1.")
    ap.add_argument("site", choices=["portal", "newspaper", "big"])
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--faults", action="store_true", help="portal: link the fault endpoints too")
    args = ap.parse_args(argv)
    site = {
        "portal": lambda: portal_site(36, faults=args.faults),
        "newspaper": lambda: newspaper_site(30),
        "big": lambda: big_site(1000),
    }[args.site]()
    with FixtureServer(site, port=args.port) as server:
        print(f"serving the {args.site} site at {server.url()} (Ctrl-C stops)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(1)


if __name__ == "__main__":
    main()
