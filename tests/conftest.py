"""Shared fixtures: the sample corpus index, fresh indexes from articles written inline,
and the public corpora in ../shared (tests that need them skip cleanly without them)."""
from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path

import pytest

import search

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"
NOW = datetime(2025, 7, 4, 12, 0)


def wait_until(condition, seconds: float = 30) -> None:
    """Returns once condition() holds; fails the test after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("waited in vain")
        time.sleep(0.01)


def shared_path(*parts: str) -> Path:
    """A path in ../shared, or a skip when that folder is not beside the checkout."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory) -> Path:
    """One index of the sample corpus, built once per test session."""
    index_dir = tmp_path_factory.mktemp("corpus-index")
    search.reindex([CORPUS], index_dir, now=NOW)
    return index_dir


@pytest.fixture
def make_index(tmp_path):
    """Builds an index from article dicts written as JSON Lines; returns its folder."""

    def build(articles: list[dict], name: str = "articles") -> Path:
        folder = tmp_path / f"{name}-corpus"
        folder.mkdir()
        lines = (json.dumps(article) for article in articles)
        (folder / f"{name}.jsonl").write_text("\n".join(lines), encoding="utf-8")
        index_dir = tmp_path / f"{name}-index"
        search.reindex([folder], index_dir, now=NOW)
        return index_dir

    return build
