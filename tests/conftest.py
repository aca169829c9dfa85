"""Shared fixtures: paths to our own test articles and to ../shared (skipped when absent)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = Path(__file__).resolve().parent / "articles"
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
