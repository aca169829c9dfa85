"""Render the README's draft images: each built-in template's Word draft of our own articles
(the follow-up report from a store of our own meetings, tests/data/store_meetings.jsonl),
converted to PDF by LibreOffice and its first page to PNG by pdftoppm, and the HTML news
draft screenshotted by headless Chromium.

Needs `soffice` (Debian: libreoffice-writer-nogui), `pdftoppm` (poppler-utils), `chromium`
and the Liberation fonts (Times New Roman's metrics). Run from the project folder:
    python docs/drafts/render_images.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
OWN = ROOT / "corpora" / "own"
ONE = OWN / "01_cao_bang_so_ket_6_thang.txt"
DIGEST = [OWN / f"{n}.txt" for n in ("01_cao_bang_so_ket_6_thang", "02_quang_ngai_tong_ket_nam",
                                       "03_dak_nong_lam_viec_so_nn")]  # fmt: skip
MEETINGS = ROOT / "tests" / "data" / "store_meetings.jsonl"


def ocop(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "ocop_nlp", *args], check=True, cwd=ROOT)


def main() -> int:
    for tool in ("soffice", "pdftoppm"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed; see this file's docstring.", file=sys.stderr)
            return 1
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        docs = []
        for template in ("bien-ban-tom-tat", "thong-bao-ket-luan", "tin-bai"):
            docs.append(work / f"{template}.docx")
            ocop("draft", str(ONE), "--template", template, "-o", str(docs[-1]))
        docs.append(work / "ban-tin.docx")
        ocop("draft", *map(str, DIGEST), "--template", "ban-tin", "-o", str(docs[-1]))
        store = work / "tin.db"
        ocop("batch", str(MEETINGS), "-o", str(work / "out.jsonl"), "--db", str(store),
             "--workers", "1")  # fmt: skip
        docs.append(work / "bao-cao-theo-doi.docx")
        ocop("draft", "--db", str(store), "--template", "bao-cao-theo-doi", "--since", "2023",
             "--until", "2023", "--province", "Hà Tĩnh", "--as-of", "2023-12-31",
             "-o", str(docs[-1]))  # fmt: skip
        subprocess.run(
            ["soffice", "--headless", f"-env:UserInstallation=file://{work}/lo", "--convert-to",
             "pdf", "--outdir", str(work), *map(str, docs)],
            check=True, capture_output=True,
        )  # fmt: skip
        for doc in docs:
            subprocess.run(
                ["pdftoppm", "-r", "80", "-png", "-singlefile", "-f", "1", "-l", "1",
                 str(doc.with_suffix(".pdf")), str(OUT / doc.stem)],
                check=True,
            )  # fmt: skip
        browser = shutil.which("chromium") or shutil.which("chromium-browser")
        if browser:
            html = work / "tin-bai.html"
            ocop("draft", str(ONE), "--template", "tin-bai", "-o", str(html))
            subprocess.run(
                [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 f"--screenshot={OUT / 'tin-bai-html.png'}", "--window-size=900,1100",
                 html.as_uri()],
                check=True, capture_output=True, timeout=120,
            )  # fmt: skip
        else:
            print("chromium is not installed: tin-bai-html.png was not redrawn.", file=sys.stderr)
    print(f"images written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
