"""The notebooks in notebooks/ run, top to bottom, on a real batch output."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import ARTICLES, ROOT


def test_explore_notebook_runs_on_a_batch_of_our_articles(run_cli, tmp_path, capsys):
    out = tmp_path / "sample.jsonl"
    assert run_cli("batch", str(ARTICLES), "-o", str(out), "--workers", "1")[0] == 0
    nb = json.loads((ROOT / "notebooks" / "explore_extractions.ipynb").read_text("utf-8"))
    ns: dict = {}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            src = "".join(cell["source"]).replace("Path('out/sample.jsonl')", f"Path({str(out)!r})")
            exec(compile(src, "notebook", "exec"), ns)  # noqa: S102 - our own notebook
    printed = capsys.readouterr().out
    assert "25 extractions" in printed and "EVIDENCE MISMATCH" not in printed
    assert isinstance(ns["by_addr"], dict) and Path(ns["OUT"]) == out


def test_directives_notebook_runs_on_the_bundled_sample_with_nbclient(tmp_path, monkeypatch):
    """Executed in a real kernel, top to bottom, so it never rots (issue 12)."""
    import os

    import pytest

    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("ipykernel")
    # The kernel is a subprocess: it must import this tree's ocop_nlp and write to tmp_path.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("OCOP_SAMPLE", str(ARTICLES))
    monkeypatch.setenv("OCOP_STORE", str(tmp_path / "own.db"))
    nb = nbformat.read(ROOT / "notebooks" / "directives_over_time.ipynb", as_version=4)
    nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "tracked items from" in text and "Sở Nông nghiệp và Phát triển nông thôn" in text
    assert any("<svg" in o.get("data", {}).get("text/html", "") for o in outputs)
    assert (tmp_path / "own.db").exists()
