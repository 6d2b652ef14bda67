"""Faults, with real components: a missing, corrupted or unreachable index, a rebuild killed halfway, and a
feedback store that cannot be written. Each test checks what a user of the app would see, and that the app
recovers without a restart.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing, contextmanager
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest
from fastapi.testclient import TestClient

from assistant.web.app import create_app
from assistant.chain import Assistant
from assistant.engine import Engine, store_for
from assistant.indexing import build
from assistant.__main__ import main as cli
from assistant.settings import ROOT, Settings, get_settings
from live_server import free_port, serve, start_chroma, stop, wait_for

pytestmark = pytest.mark.slow

ICE = "how long should i ice my hip"
QUIET = {"HIP_FEEDBACK_PATH": "off", "HIP_RATE_LIMIT_PER_MINUTE": "0"}


def assert_503(response, *says: str) -> None:
    assert response.status_code == 503, response.text[:300]
    for words in says:
        assert words in response.json()["detail"]


def _read(index: Path, sql: str):
    with closing(sqlite3.connect(f"{(index / 'chroma.sqlite3').as_uri()}?mode=ro", uri=True, timeout=5)) as db:
        return db.execute(sql).fetchone()[0]


def collection_count(index: Path) -> int:
    try:
        return _read(index, "SELECT count(*) FROM collections")
    except sqlite3.OperationalError:  # a build holds the write lock for a moment
        return -1


def active_generation(index: Path) -> str:
    return _read(index, "SELECT str_value FROM collection_metadata WHERE key = 'generation'")


# -- (a) + (d): no index yet, then a rebuild killed halfway ---------------------------------------------------------
def test_missing_index_is_503_until_built_and_a_rebuild_killed_halfway_leaves_the_old_index_serving(tmp_path, embedder):
    index = tmp_path / "index"
    settings = Settings(index_dir=index, feedback_path=None)
    app = serve({**QUIET, "HIP_INDEX_DIR": str(index)}, tmp_path / "app.log", ready=(503,))
    try:
        for response in (app.get("/api/health"), app.post("/api/chat", json={"message": ICE}),
                         app.post("/api/chat/stream", json={"message": ICE})):
            assert_503(response, "is missing", "run `python -m assistant index`")

        build(settings, store_for(settings), embedder, progress=False)  # what `python -m assistant index` does
        health = wait_for(lambda: app.get("/api/health").status_code == 200 and app.get("/api/health").json(), 60,
                          "the running app to pick up the new index")
        serving = health["generation"]
        assert "20 minutes" in app.post("/api/chat", json={"message": ICE}).json()["text"]

        # A full rebuild, SIGKILLed as soon as it starts writing its new generation (after all the embedding).
        before = collection_count(index)
        with (tmp_path / "rebuild.log").open("wb") as log:
            rebuild = subprocess.Popen([sys.executable, "-m", "assistant", "index", "--full", "--quiet"], cwd=ROOT,
                                       env={**os.environ, "HIP_INDEX_DIR": str(index)}, stdout=log,
                                       stderr=subprocess.STDOUT)
        try:
            wait_for(lambda: rebuild.poll() is not None or collection_count(index) > before, 240,
                     "the rebuild to start writing", every=0.002)
            assert rebuild.poll() is None, f"the rebuild ended before it could be killed: {rebuild.returncode}"
            os.kill(rebuild.pid, signal.SIGKILL)
        finally:
            rebuild.kill()
            rebuild.wait()
        assert rebuild.returncode == -signal.SIGKILL
        assert collection_count(index) > before  # a half-written generation is left behind…
        assert active_generation(index) == serving  # …and the pointer was never switched to it

        health = app.get("/api/health").json()
        assert health["generation"] == serving
        answer = app.post("/api/chat", json={"message": "what stretches help my hip"}).json()  # not cached
        assert answer["status"] == "answered" and answer["citations"]

        report = build(settings, store_for(settings), embedder, progress=False)  # the next build tidies up
        assert report.noop
        assert store_for(settings).generations() == {serving}
        assert app.get("/api/health").json()["generation"] == serving
        assert "BLOCKED NETWORK" not in app.log()
    finally:
        app.stop()


# -- (b) a corrupted index --------------------------------------------------------------------------------------------
def test_a_corrupted_index_is_reported_at_start_and_the_named_command_repairs_it(tmp_path, built_settings, embedder,
                                                                               caplog, capsys, monkeypatch):
    index = tmp_path / "index"
    shutil.copytree(built_settings.index_dir, index)
    database = index / "chroma.sqlite3"
    database.write_bytes(os.urandom(database.stat().st_size))
    settings = built_settings.model_copy(update={"index_dir": index, "feedback_path": None,
                                                 "rate_limit_per_minute": 0})
    caplog.set_level(logging.WARNING, logger="assistant")
    with TestClient(create_app(settings, Assistant(Engine(settings, embedder=embedder)))) as client:
        warned = wait_for(lambda: [r.getMessage() for r in caplog.records if "Not ready yet" in r.getMessage()], 60,
                          "the warm-up at start to report the index")
        assert "is corrupted" in warned[0] and "`python -m assistant index --full`" in warned[0]
        for response in (client.get("/api/health"), client.post("/api/chat", json={"message": ICE})):
            assert_503(response, "is corrupted (chroma.sqlite3: file is not a database)",
                       "run `python -m assistant index --full`")

        # `python -m assistant index --full`, run in this process to spare an interpreter start and a model load
        monkeypatch.setenv("HIP_INDEX_DIR", str(index))
        get_settings.cache_clear()
        try:
            assert cli(["index", "--full"]) == 0  # not --quiet: it would silence the log line checked below
        finally:
            get_settings.cache_clear()
        assert "Full build" in capsys.readouterr().out
        assert any("moved it with its segments to" in r.getMessage() for r in caplog.records)
        kept = next(index.glob("corrupt-*"))  # the damaged files are kept aside, not deleted
        assert (kept / "chroma.sqlite3").exists()

        assert client.get("/api/health").status_code == 200  # the same app, no restart
        assert "20 minutes" in client.post("/api/chat", json={"message": ICE}).json()["text"]


def test_garbage_over_the_collection_files_changes_no_answer(tmp_path, built_settings, embedder, engine):
    """For an index this size Chroma keeps every vector in its SQLite log and rebuilds the HNSW files from it."""
    index = tmp_path / "index"
    shutil.copytree(built_settings.index_dir, index)
    damaged = [path for path in index.glob("*/*.bin") if path.stat().st_size]
    assert damaged
    for path in damaged:
        path.write_bytes(os.urandom(path.stat().st_size))
    fresh = Engine(built_settings.model_copy(update={"index_dir": index}), embedder=embedder)
    for question in (ICE, "what stretches help my hip", "when should i see a doctor"):
        assert [h.chunk.id for h in fresh.retrieve(question)] == [h.chunk.id for h in engine.retrieve(question)]


# -- (c) a Chroma server that stops mid-run ------------------------------------------------------------------------------
def test_a_chroma_server_that_stops_leaves_answers_standing_and_a_cold_app_a_503_until_it_is_back(tmp_path, embedder):
    """An app that loaded the index holds its vectors: it keeps answering, and its health says what is wrong. An app
    that starts while the server is down cannot load anything: 503 with the fix, and it answers once it is back."""
    port, data, chroma_log = free_port(), tmp_path / "chroma", tmp_path / "chroma.log"
    chroma = start_chroma(data, port, chroma_log)
    env = {**QUIET, "CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(port)}
    app = cold = None
    try:
        settings = Settings(chroma_host="127.0.0.1", chroma_port=port, index_dir=tmp_path / "unused")
        build(settings, store_for(settings), embedder, progress=False)
        app = serve(env, tmp_path / "app.log")
        assert app.post("/api/chat", json={"message": ICE}).json()["status"] == "answered"
        assert app.get("/api/health").json()["warnings"] == []

        stop(chroma)
        health = app.get("/api/health")
        assert health.status_code == 200
        assert [w for w in health.json()["warnings"] if f"The Chroma server at 127.0.0.1:{port} cannot be reached"
                in w and "answering from generation" in w]
        answer = app.post("/api/chat", json={"message": "what stretches help my hip"}).json()
        assert answer["status"] == "answered" and answer["citations"]
        streamed = app.post("/api/chat/stream", json={"message": "when should i see a doctor"})
        assert streamed.status_code == 200 and "event: sentence" in streamed.text and "event: answer" in streamed.text

        cold = serve(env, tmp_path / "cold.log", ready=(503,))
        for response in (cold.post("/api/chat", json={"message": "what stretches help my hip"}),
                         cold.post("/api/chat/stream", json={"message": "when should i see a doctor"}),
                         cold.get("/api/health")):
            assert_503(response, f"The Chroma server at 127.0.0.1:{port} cannot be reached",
                       "answers resume as soon as it is back")

        chroma = start_chroma(data, port, chroma_log)
        wait_for(lambda: cold.get("/api/health").status_code == 200, 60, "the cold app to reach Chroma")
        answer = cold.post("/api/chat", json={"message": "what stretches help my hip"}).json()
        assert answer["status"] == "answered" and answer["citations"]
        assert app.get("/api/health").json()["warnings"] == []
        assert "BLOCKED NETWORK" not in app.log() + cold.log()
    finally:
        for served in (app, cold):
            if served is not None:
                served.stop()
        stop(chroma)


# -- (e) a feedback store that cannot be written -------------------------------------------------------------------------
@contextmanager
def read_only_directory(directory: Path):
    """`directory` made unwritable: a read-only bind mount as root (root ignores file modes), else chmod 555."""
    if os.geteuid() != 0:
        directory.chmod(0o555)
        try:
            yield
        finally:
            directory.chmod(0o755)
        return
    if subprocess.run(["mount", "--bind", str(directory), str(directory)], capture_output=True).returncode:
        pytest.skip("running as root without permission to mount: cannot make a directory read-only")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(directory)], check=True, capture_output=True)
        yield
    finally:
        subprocess.run(["umount", str(directory)], check=True, capture_output=True)


@contextmanager
def directory_is_a_file(directory: Path):
    """The store's directory cannot be created because a plain file has its name (works for any user)."""
    directory.rmdir()
    directory.write_text("in the way")
    try:
        yield
    finally:
        directory.unlink()


def page_function(app, name: str):
    return next(fn.fn for fn in app.state.page.fns.values() if fn.name == name)


@pytest.mark.parametrize("unwritable", [read_only_directory, directory_is_a_file],
                         ids=["read-only-directory", "directory-is-a-file"])
def test_an_unwritable_feedback_store_keeps_chat_working_and_loses_no_vote(tmp_path, built_settings, engine, caplog,
                                                                             capsys, unwritable):
    folder = tmp_path / "feedback"
    folder.mkdir()
    settings = built_settings.model_copy(update={"feedback_path": folder / "feedback.sqlite3",
                                                 "rate_limit_per_minute": 0})
    app = create_app(settings, Assistant(engine))
    client = TestClient(app)
    respond, record = page_function(app, "respond"), page_function(app, "record")
    browser = SimpleNamespace(session_hash="s-1")
    caplog.set_level(logging.INFO, logger="assistant")

    def vote(liked: bool):
        record(by_index, gr.LikeData(None, {"index": 1, "value": None, "liked": liked}), browser)

    with unwritable(folder):
        assert client.post("/api/chat", json={"message": ICE}).json()["status"] == "answered"
        *_, (_, chat, _, by_index) = respond(ICE, [], [], {})
        assert "20 minutes" in chat[-1]["content"]
        for liked in (True, False, True):
            with pytest.warns(UserWarning, match="could not be saved just now"):  # gr.Warning: a toast on the page
                vote(liked)
        logged = [r for r in caplog.records if r.levelno == logging.ERROR and "Feedback cannot" in r.getMessage()]
        assert len(logged) == 1
        assert client.get("/api/health").json()["feedback"] == {"enabled": True, "ok": False, "held": 3}

    vote(False)
    assert "your feedback was saved" in capsys.readouterr().out  # gr.Info outside a browser session prints
    rows = app.state.feedback.rows()
    assert [row["vote"] for row in rows] == ["like", "dislike", "like", "dislike"]
    assert {row["question"] for row in rows} == {ICE} and {row["session"] for row in rows} == {"s-1"}
    assert client.get("/api/health").json()["feedback"] == {"enabled": True, "ok": True, "held": 0}
    assert any("works again: saved 4 held votes (0 older" in r.getMessage() for r in caplog.records)


def test_votes_held_past_the_cap_drop_the_oldest_and_say_so(tmp_path, monkeypatch, caplog):
    from assistant.errors import FeedbackNotSaved
    from assistant.web import feedback as feedback_module

    monkeypatch.setattr(feedback_module, "MAX_HELD", 2)
    folder = tmp_path / "feedback"
    folder.mkdir()
    store = feedback_module.FeedbackStore(folder / "feedback.sqlite3")
    answer = {"question": "q", "status": "declined", "text": "t", "citations": []}
    caplog.set_level(logging.INFO, logger="assistant")
    with directory_is_a_file(folder):
        for vote in ("like", "dislike", "like", "dislike"):
            with pytest.raises(FeedbackNotSaved):
                store.record(vote, {**answer, "question": vote})
        assert store.status() == {"enabled": True, "ok": False, "held": 2}
    store.record("like", {**answer, "question": "last"})
    assert [row["question"] for row in store.rows()] == ["like", "dislike", "last"]
    messages = [r.getMessage() for r in caplog.records]
    assert sum("dropping the oldest" in m for m in messages) == 1
    assert any("saved 3 held votes (2 older ones were dropped)" in m for m in messages)
