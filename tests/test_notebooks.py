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
