"""The same code against a real `chroma run` server on 127.0.0.1 (the scale-out path)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.engine import Engine, store_for
from assistant.errors import ConfigError
from assistant.indexing import build
from assistant.settings import Settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    port = _free_port()
    chroma = Path(sys.executable).parent / "chroma"
    process = subprocess.Popen([str(chroma), "run", "--path", str(tmp_path_factory.mktemp("chroma")),
                                "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"})
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("chroma run did not start within 60 s")
    yield port
    process.terminate()
    process.wait(timeout=30)


def test_build_and_query_through_a_chroma_server(chroma_server, embedder, monkeypatch, tmp_path):
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("CHROMA_PORT", str(chroma_server))
    settings = Settings(index_dir=tmp_path / "unused")
    assert settings.chroma_host == "127.0.0.1"
    first = build(settings, store_for(settings), embedder, progress=False)
    again = build(settings, store_for(settings), embedder, progress=False)
    assert first.full and again.noop
    engine = Engine(settings, embedder=embedder)
    hits = engine.retrieve("how long should i ice my hip", k=1)
    assert hits[0].chunk.label == "Apply ice."
    vector = embedder.encode(["how long should i ice my hip"])[0]
    assert hits[0].chunk.id == engine.store.query(engine.generation.name, vector, 1)[0][0]  # the server's own search
    assert not (tmp_path / "unused").exists()  # nothing was written locally


def test_port_without_host_is_a_clear_configuration_error(monkeypatch):
    monkeypatch.delenv("CHROMA_HOST", raising=False)
    monkeypatch.setenv("CHROMA_PORT", "8000")
    with pytest.raises(ConfigError, match="CHROMA_PORT is set without CHROMA_HOST"):
        Settings()
