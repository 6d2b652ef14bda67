"""Shared fixtures: the real embedding model and a real Chroma index, built once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.embedding import Embedder
from assistant.engine import Engine, store_for
from assistant.indexing import build
from assistant.settings import ROOT, Settings


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder()


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory, embedder) -> Settings:
    """An embedded Chroma index of the committed corpus, in a temp dir."""
    settings = Settings(index_dir=tmp_path_factory.mktemp("index"))
    build(settings, store_for(settings), embedder, progress=False)
    return settings


@pytest.fixture(scope="session")
def engine(built_settings, embedder) -> Engine:
    return Engine(built_settings, embedder=embedder).warm_up()


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A private copy of the corpus that a test may edit."""
    target = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", target)
    return target
