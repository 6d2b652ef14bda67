"""Indexing and querying open no network connection: everything runs from local files."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from assistant.settings import ROOT

_SCRIPT = textwrap.dedent("""
    import socket, sys
    attempts = []
    real_connect = socket.socket.connect
    def guarded(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(address)
            raise OSError("network disabled by test")
        return real_connect(self, address)
    socket.socket.connect = guarded
    socket.create_connection = lambda address, *a, **k: guarded(socket.socket(), address)

    from assistant.settings import Settings
    from assistant.engine import Engine, store_for
    from assistant.embedding import Embedder
    from assistant.indexing import build
    settings = Settings(index_dir=sys.argv[1])
    embedder = Embedder()
    print(build(settings, store_for(settings), embedder, progress=False).summary())
    hits = Engine(settings, embedder=embedder).retrieve("how long should I ice my hip")
    assert hits and hits[0].chunk.label == "Apply ice.", hits
    print("attempts:", attempts)
    sys.exit(1 if attempts else 0)
""")


def test_index_and_query_open_no_network_connection(tmp_path):
    run = subprocess.run([sys.executable, "-c", _SCRIPT, str(tmp_path / "index")], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "attempts: []" in run.stdout
