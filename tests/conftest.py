"""Shared fixtures: the real embedding model and a real Chroma index, built once per test session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from assistant.embedding import Embedder
from assistant.engine import Engine, store_for
from assistant.indexing import build
from assistant.settings import ROOT, Settings

# Property tests draw the same examples on every run, so CI passes or fails for a reason, never by chance.
# `HYPOTHESIS_PROFILE=explore pytest …` draws fresh random examples; turn what it finds into an `@example`.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
hypothesis_settings.register_profile("explore", derandomize=False, database=None, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


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
def engine(built_settings) -> Engine:
    """The serving engine: questions embedded by the exported ONNX encoder, as in production."""
    return Engine(built_settings).warm_up()


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A private copy of the corpus that a test may edit."""
    target = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", target)
    return target


# -- the web app, served for real (used by tests/test_api.py and tests/test_browser.py) -------------------------------
import os  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

from live_server import stop  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402

EXAMPLE_APP_ORIGIN = "http://127.0.0.1:7860"  # what examples/host.html loads the widget from


@dataclass(frozen=True)
class LiveApp:
    url: str             # the app: page, API and widget, e.g. http://127.0.0.1:PORT
    host_origin: str     # a second origin serving examples/host.html; listed in HIP_ALLOWED_ORIGINS
    other_origin: str    # the same host page under another name (localhost): an unlisted origin
    feedback_path: Path
    log_path: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _host_page_server(app_url: str) -> ThreadingHTTPServer:
    """Serves examples/host.html with its widget tag pointing at the app under test, on its own port."""
    page = (ROOT / "examples" / "host.html").read_text().replace(EXAMPLE_APP_ORIGIN, app_url).encode()

    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            if self.path.split("?")[0] != "/host.html":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="session")
def live_app(built_settings, tmp_path_factory) -> LiveApp:
    """`python -m assistant serve` in a subprocess on a free port, on the session's index, plus a host page origin."""
    import httpx

    work = tmp_path_factory.mktemp("live")
    url = f"http://127.0.0.1:{_free_port()}"
    host = _host_page_server(url)
    host_port = host.server_address[1]
    app = LiveApp(url=url, host_origin=f"http://127.0.0.1:{host_port}", other_origin=f"http://localhost:{host_port}",
                  feedback_path=work / "feedback.sqlite3", log_path=work / "server.log")
    env = {**os.environ, "HIP_INDEX_DIR": str(built_settings.index_dir), "HIP_ALLOWED_ORIGINS": app.host_origin,
           "HIP_FEEDBACK_PATH": str(app.feedback_path), "HIP_RATE_LIMIT_PER_MINUTE": "600"}
    log = app.log_path.open("wb")
    process = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1",
                                "--port", url.rsplit(":", 1)[1]], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the app exited with {process.returncode}:\n{app.log_path.read_text()[-3000:]}")
            try:
                health = httpx.get(f"{url}/api/health", timeout=30)
            except httpx.TransportError:
                health = None
            if health is not None and health.status_code == 200:
                break
            if health is not None and health.status_code == 503:  # loading waits; 503 means it cannot load
                raise RuntimeError(f"the app cannot serve the test index: {health.json()['detail']}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the app was not ready in 120 s:\n{app.log_path.read_text()[-3000:]}")
            time.sleep(0.25)  # polling a subprocess: there is nothing to wait on
        yield app
    finally:
        stop(process)
        log.close()
        host.shutdown()
