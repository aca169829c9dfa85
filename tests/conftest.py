"""Shared fixtures: paths to our own test articles and to ../shared (skipped when absent)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = Path(__file__).resolve().parent.parent / "corpora" / "own"
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed" / "000_138ec00d05b4723d.txt"
NEWS = SHARED / "data" / "news"


@pytest.fixture(scope="session")
def seed_path() -> Path:
    if not SEED.exists():
        pytest.skip("../shared/seed is not here (run inside the workplace to test the seed page)")
    return SEED


@pytest.fixture(scope="session")
def news_dir() -> Path:
    if not NEWS.exists():
        pytest.skip("../shared/data/news is not here; the real-data tests need it")
    return NEWS


def read_jsonl_gz(path: Path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


@pytest.fixture
def run_cli(capsys):
    """Run `ocop ARGS` in-process; returns (exit status, stdout, stderr)."""
    from ocop_nlp.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        try:
            code = main(list(args))
        except SystemExit as e:  # argparse usage errors
            code = int(e.code or 0)
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


# --- our own articles, as the inputs users give ---------------------------------------------


def article_parts(name: str) -> tuple[str, list[str]]:
    """(headline, paragraphs) of corpora/own/NAME.txt."""
    lines = (ARTICLES / f"{name}.txt").read_text(encoding="utf-8").split("\n")
    return lines[0].strip(), [ln.strip() for ln in lines[1:] if ln.strip()]


def article_record(path: Path, **extra) -> dict:
    """A contract article record for one of our .txt articles (id = the file's stem)."""
    title, paras = article_parts(path.stem)
    return {"id": path.stem, "title": title, "text": "\n".join(paras), **extra}


@pytest.fixture(scope="session")
def article_paths() -> list[Path]:
    return sorted(ARTICLES.glob("*.txt"))


@pytest.fixture
def sharepoint_page() -> str:
    """A provincial SharePoint portal page (modelled on the seed's layout) around article 01."""
    title, paras = article_parts("01_cao_bang_so_ket_6_thang")
    body = "\n".join(f"<p>{p}</p>" for p in paras[:2])
    body += (
        '\n<p style="text-align:center"><img src="/SiteAssets/hoi-nghi.jpg" alt="" /></p>'
        '\n<p style="text-align:center"><em>Quang cảnh Hội nghị</em></p>\n'
    )
    body += "\n".join(f"<p>{p}</p>" for p in paras[2:])
    return f"""<!DOCTYPE html>
<html dir="ltr" lang="vi-VN">
<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{title}</title>
<script type="text/javascript">var _spPageContextInfo = {{webServerRelativeUrl: "/"}};</script>
<style>.Title {{ font-weight: bold }}</style></head>
<body>
<div id="s4-ribbonrow"><span class="ms-skip"><a href="javascript:;">Skip Ribbon Commands</a></span>
<a href="#mainContent">Skip to main content</a></div>
<div class="header">Cổng thông tin điện tử tỉnh Cao Bằng kính chào quý khách!
<a href="/">Trang chủ</a> <a href="/gopy">Góp ý</a> <a href="/sodo">Sơ đồ trang</a>
<a href="/lienhe">Liên hệ</a></div>
<ul class="menu"><li><a href="/gioithieu">Giới thiệu</a></li><li><a href="/tintuc">Tin tức - Sự
kiện</a></li><li><a href="/vanban">Văn bản chỉ đạo điều hành</a></li></ul>
<table id="tableforprint" width="100%">
<tr><td><p class="Title">{title}</p></td></tr>
<tr><td class="Time">(Cập nhật lúc: 13/07/2024 08:05:11 )</td></tr>
<tr><td><div class="ExternalClass4F2A9C0B1E3D4A5B6C7D8E9F00112233"><div>
{body}
<p style="text-align:right"><strong>Hoàng Lan</strong></p>
</div></div></td></tr>
</table>
<div class="related"><h3>Tin liên quan</h3><ul>
<li><a href="/tin/1">Hội chợ nông sản tỉnh Cao Bằng năm 2024 (05/07/2024)</a></li>
<li><a href="/tin/2">Tập huấn kỹ năng bán hàng trực tuyến cho chủ thể OCOP (28/06/2024)</a></li>
</ul></div>
<div class="footer">Bản quyền thuộc Cổng thông tin điện tử tỉnh Cao Bằng</div>
<a href="/_layouts/Authenticate.aspx">Sign In</a>
</body></html>
"""


@pytest.fixture
def wordpress_page() -> str:
    """A WordPress news page (article/entry-content, meta article:published_time) of article 02."""
    title, paras = article_parts("02_quang_ngai_tong_ket_nam")
    body = "\n".join(f"<p>{p}</p>" for p in paras[:2])
    body += (
        '\n<figure class="wp-block-image"><img src="/wp-content/uploads/2024/01/hn.jpg" alt="" />'
        "<figcaption>Toàn cảnh hội nghị</figcaption></figure>\n"
    )
    body += "\n".join(f"<p>{p}</p>" for p in paras[2:])
    return f"""<!DOCTYPE html>
<html lang="vi">
<head><meta charset="UTF-8">
<title>{title} – Tin tức Quảng Ngãi</title>
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="2024-01-19T07:45:00+07:00">
<link rel="stylesheet" href="/wp-content/themes/news/style.css">
<script src="/wp-includes/js/jquery/jquery.min.js"></script></head>
<body class="post-template-default single single-post">
<header class="site-header"><div class="date">Thứ Hai, 22/01/2024</div>
<p class="site-title"><a href="/">Tin tức Quảng Ngãi</a></p>
<nav class="main-navigation"><ul><li><a href="/thoi-su">Thời sự</a></li>
<li><a href="/kinh-te">Kinh tế</a></li><li><a href="/xa-hoi">Xã hội</a></li></ul></nav></header>
<main id="main" class="site-main">
<article id="post-4521" class="post-4521 post type-post status-publish">
<header class="entry-header"><h1 class="entry-title">{title}</h1>
<div class="entry-meta"><span class="byline">Đăng bởi <a href="/author/bbt">Ban biên tập</a></span>
</div></header>
<div class="entry-content">
{body}
<p><strong>Minh Châu</strong></p>
</div>
<footer class="entry-footer"><span class="cat-links">Chuyên mục: <a href="/kinh-te">Kinh tế</a>
</span></footer>
</article>
<div id="comments" class="comments-area"><h3 class="comment-reply-title">Để lại một bình luận</h3>
<form action="/wp-comments-post.php"><textarea name="comment"></textarea></form></div>
</main>
<aside id="secondary" class="widget-area"><section class="widget"><h2 class="widget-title">Bài
viết mới</h2><ul><li><a href="/p/1">Khai mạc hội chợ xuân tại thành phố Quảng Ngãi</a></li></ul>
</section></aside>
<footer class="site-footer"><p>Bản quyền thuộc Tin tức Quảng Ngãi. Ghi rõ nguồn khi phát hành lại.</p>
</footer>
</body></html>
"""


# --- a real web server and a real `ocop` process --------------------------------------------


@pytest.fixture
def web_root(tmp_path):
    """A real http.server on 127.0.0.1 serving a temporary folder: yields (base URL, folder)."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    root = tmp_path / "www"
    root.mkdir()

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def run_ocop():
    """Run `python -m ocop_nlp ARGS` as a real process; returns (exit status, stdout, stderr)."""
    import subprocess
    import sys

    def run(*args: str, stdin: bytes | None = None, timeout: float = 60) -> tuple[int, str, str]:
        p = subprocess.run(
            [sys.executable, "-m", "ocop_nlp", *args],
            input=stdin,
            capture_output=True,
            timeout=timeout,
        )
        return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")

    return run


# --- batches: inputs, outputs and a real Dask cluster ---------------------------------------


def write_jsonl(path: Path, records: list, extra_lines: tuple[str, ...] = ()) -> Path:
    """Article records as JSON lines (gzip when the name ends in .gz), then any raw lines."""
    lines = [json.dumps(r, ensure_ascii=False) for r in records] + list(extra_lines)
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def jsonl_by_id(path: Path) -> dict[str, dict]:
    """OUT as {id: extraction}; fails when a line is torn or an id was written twice."""
    text = path.read_text(encoding="utf-8")
    assert text == "" or text.endswith("\n"), "OUT must end with a whole line"
    docs = [json.loads(line) for line in text.splitlines()]
    ids = [d["id"] for d in docs]
    assert len(ids) == len(set(ids)), "an id was written twice"
    return {d["id"]: d for d in docs}


def summary_line(err: str) -> str:
    """The '12 ok, 3 failed: …' line of a batch's stderr."""
    import re

    return next(ln for ln in err.splitlines() if re.match(r"^\d[\d,]* ok, ", ln))


@pytest.fixture(scope="session")
def own_records() -> list[dict]:
    """Our 25 articles as contract records (id = file stem)."""
    return [article_record(p) for p in sorted(ARTICLES.glob("*.txt"))]


@pytest.fixture(scope="session")
def many_records(own_records) -> list[dict]:
    """200 short distinct records cut from our articles (two paragraphs and a numbered line)."""
    out = []
    for i in range(200):
        r = own_records[i % len(own_records)]
        paras = r["text"].split("\n")
        text = "\n".join(paras[i % 2 : i % 2 + 2] + [f"Bản tin thứ {i + 1} trong ngày."])
        out.append({"id": f"tin-{i:03d}", "title": r["title"], "text": text})
    return out


@pytest.fixture(scope="session")
def own_extractions(own_records) -> dict[str, dict]:
    """What `ocop extract` gives for each of our records: every engine must give the same."""
    from ocop_nlp.extract.pipeline import extract_article
    from ocop_nlp.parse.reader import article_from_record

    return {r["id"]: extract_article(article_from_record(r)).to_dict() for r in own_records}


@pytest.fixture(scope="module")
def dask_cluster():
    """A real Dask LocalCluster: 2 worker processes, 1 thread each (skipped without Dask)."""
    pytest.importorskip("dask.distributed", reason='Dask is not installed: pip install ".[dask]"')
    from ocop_nlp.batch.cluster import start_local_cluster

    cluster = start_local_cluster(n_workers=2, dashboard_address=":0")
    try:
        yield cluster
    finally:
        cluster.close()


def kill_batch_midway(src: Path, out: Path, workers: int, min_lines: int = 20, watch=None) -> int:
    """Start `ocop batch` in a real process, `kill -9` it once `min_lines` are written.

    `watch(pid)` is called while waiting (to note the pool's workers). Returns how many whole
    lines the killed run had written.
    """
    import os
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ocop_nlp",
            "batch",
            str(src),
            "-o",
            str(out),
            "--workers",
            str(workers),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60  # a loaded machine may take long to start
        while time.monotonic() < deadline:
            if watch is not None:
                watch(proc.pid)
            if out.exists() and out.read_bytes().count(b"\n") >= min_lines:
                break
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    return out.read_bytes().count(b"\n")


GOLDEN = Path(__file__).resolve().parent / "golden"


def check_golden(name: str, text: str) -> None:
    """`text` equals tests/golden/NAME; OCOP_UPDATE_GOLDEN=1 writes it instead (then read it)."""
    import os

    path = GOLDEN / name
    if os.environ.get("OCOP_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    assert path.exists(), f"{path} is missing; run with OCOP_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8"), (
        f"the draft differs from {path}; if the change is intended, read the new draft and "
        "regenerate with OCOP_UPDATE_GOLDEN=1"
    )


# --- Word drafts read back ------------------------------------------------------------------


def docx_footnotes(data: bytes) -> list[str]:
    """The texts of a .docx's footnotes in their order (separators left out)."""
    import io
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        if "word/footnotes.xml" not in z.namelist():
            return []
        root = etree.fromstring(z.read("word/footnotes.xml"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    return [
        "".join(t.text or "" for t in fn.iter(f"{w}t")).strip()
        for fn in root.iter(f"{w}footnote")
        if fn.get(f"{w}type") in (None, "normal")  # not a separator
    ]


def docx_text(data: bytes) -> str:
    """A .docx as text in body order: tables as "a | b" rows, headings marked with #, footnote
    references as [^k] and the footnotes at the end as "[^k]: text"."""
    import io

    import docx

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

    def para(p) -> str:
        out = []
        for el in p._p.iter(f"{w}t", f"{w}br", f"{w}footnoteReference"):
            if el.tag == f"{w}t":
                out.append(el.text or "")
            elif el.tag == f"{w}br":
                out.append("\n")
            else:
                out.append(f"[^{el.get(f'{w}id')}]")
        return "".join(out)

    d = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    for block in d.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            p = docx.text.paragraph.Paragraph(block, d)
            level = p.style.name[-1] if p.style.name.startswith("Heading") else ""
            lines.append(("#" * int(level) + " " if level else "") + para(p))
        elif tag == "tbl":
            t = docx.table.Table(block, d)
            for row in t.rows:
                lines.append(
                    " | ".join(
                        "\n".join(para(p) for p in c.paragraphs).replace("\n", " / ")
                        for c in row.cells
                    )
                )
    lines += [f"[^{k}]: {n}" for k, n in enumerate(docx_footnotes(data), 1)]
    return "\n".join(lines).strip() + "\n"


# Two lexicon versions side by side (test_resources, test_dask). Text the team wrote; "lâm
# vào cảnh bế tắc" is no challenge cue of the packaged lexicon.
RESOURCE_TEXT = (
    "Chiều 12/3, UBND huyện Đồng Xuân tổ chức hội nghị sơ kết chương trình OCOP. "
    "Năm qua, toàn huyện có 12 sản phẩm đạt 3 sao.\n"
    # "Tuy nhiên": the clause type model keeps the rule challenge only where the text reads as
    # one; this text is about which lexicons reach a worker, not about the model's judgement
    "Tuy nhiên, nhiều hợp tác xã làm nấm lâm vào cảnh bế tắc về đầu ra.\n"
    "Chủ tịch UBND huyện Lê Văn Tâm yêu cầu các xã tiếp tục hỗ trợ các chủ thể."
)
EXTRA_CUE = "lâm vào cảnh bế tắc"


@pytest.fixture
def cues_one_more(tmp_path: Path) -> Path:
    """The packaged cues.toml with one more challenge pattern (and its own version)."""
    from importlib import resources as package_files

    text = package_files.files("ocop_nlp").joinpath("data", "cues.toml").read_text(encoding="utf-8")
    assert "challenge_patterns_extra = [\n" in text
    text = text.replace(
        "challenge_patterns_extra = [\n", f"challenge_patterns_extra = [\n  '{EXTRA_CUE}',\n", 1
    )
    path = tmp_path / "cues.toml"
    path.write_text(text, encoding="utf-8")
    return path
