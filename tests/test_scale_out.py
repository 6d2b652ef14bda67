"""Several app processes behind one rate limit: two real `serve` processes on one `chroma run` server and one
redis-server (all started here), `serve --workers 2` and how its workers share connections, a Redis outage, and the
settings that name the stores."""

from __future__ import annotations

import itertools
import logging
import os
import re
import socket
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.__main__ import EXIT_USAGE
from assistant.web.app import create_app
from assistant.chain import Assistant
from assistant.engine import store_for
from assistant.errors import ConfigError
from assistant.indexing import build
from assistant.settings import Settings
from live_server import RedisServer, Served, free_port, redis_server, serve, start_chroma, stop, wait_for

LIMIT = 12  # per minute, shared by both processes; enough for the answer comparison below
ICE = "how long should i ice my hip"


@dataclass
class Cluster:
    apps: list[Served]
    redis: RedisServer
    chroma_env: dict[str, str]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, embedder):
    """One `chroma run` holding the index, one redis-server, and two `serve` processes that use both."""
    work = tmp_path_factory.mktemp("scale-out")
    with ExitStack() as cleanup:
        redis = cleanup.enter_context(redis_server(work / "redis"))
        chroma_port = free_port()
        chroma = start_chroma(work / "chroma", chroma_port, work / "chroma.log")
        cleanup.callback(stop, chroma)
        settings = Settings(chroma_host="127.0.0.1", chroma_port=chroma_port, index_dir=work / "unused")
        build(settings, store_for(settings), embedder, progress=False)
        chroma_env = {"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(chroma_port),
                      "HIP_INDEX_DIR": str(work / "unused"), "HIP_FEEDBACK_PATH": "off"}
        env = {**chroma_env, "HIP_RATE_LIMIT_STORAGE": redis.url, "HIP_RATE_LIMIT_PER_MINUTE": str(LIMIT)}
        apps = []
        for name in ("a", "b"):
            apps.append(serve(env, work / f"app-{name}.log"))
            cleanup.callback(apps[-1].stop)
        yield Cluster(apps, redis, chroma_env)


@pytest.fixture
def fresh_budget(cluster):
    """Each test starts with no request counted (the count lives in Redis, not in the processes)."""
    cluster.redis.client().flushall()


@pytest.mark.slow
def test_the_rate_limit_is_one_count_across_both_processes(cluster, fresh_budget):
    a, b = cluster.apps
    assert a.url != b.url and a.process.pid != b.process.pid
    for app in (a, b):
        assert app.get("/api/health").json()["rate_limit"] == {"enabled": True, "storage": "redis", "shared": True,
                                                               "ok": True}
    turns = list(itertools.islice(itertools.cycle((a, b)), 2 * LIMIT))  # a, b, a, b, …
    statuses = [app.post("/api/chat", json={"message": ""}).status_code for app in turns]
    assert statuses == [422] * LIMIT + [429] * LIMIT  # not 2 × LIMIT: the processes share one count
    refused = b.post("/gradio_api/queue/join", json={})  # the page's events come out of the same budget
    assert refused.status_code == 429 and f"{LIMIT} per minute" in refused.json()["detail"]
    assert a.get("/api/health").status_code == 200  # the health check is never counted


QUESTIONS = [
    (ICE, []),
    ("and how often?", [{"role": "user", "content": ICE}, {"role": "assistant", "content": "Apply ice. [1]"}]),
    ("what stretches help hip pain after running", []),
    ("i fell on my hip and cant walk", []),
    ("what is the capital of france", []),
]


@pytest.mark.slow
def test_both_processes_give_identical_answers(cluster, fresh_budget):
    a, b = cluster.apps
    statuses = set()
    for question, history in QUESTIONS:
        answers = [app.post("/api/chat", json={"message": question, "history": history}) for app in (a, b)]
        assert [answer.status_code for answer in answers] == [200, 200]
        first, second = ({k: v for k, v in answer.json().items() if k != "timings_ms"} for answer in answers)
        assert first["text"] == second["text"] and first["citations"] == second["citations"], question
        assert first == second, question  # and the rest: status, sentences, hits and their scores
        statuses.add(first["status"])
    assert statuses == {"answered", "red_flag", "declined"}  # the comparison covered every kind of answer


@pytest.mark.slow
def test_serve_workers_each_warm_up_their_own_model_and_take_a_share_of_the_connections(cluster, tmp_path):
    served = serve({**cluster.chroma_env, "HIP_RATE_LIMIT_PER_MINUTE": "0"}, tmp_path / "workers.log",
                   args=("--workers", "2"))
    try:
        log = wait_for(lambda: served.log().count("ready to answer") == 2 and served.log(), 120,
                       "both workers to warm up")
        assert log.count("Started server process") == 2
        workers = [int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", log)]
        port = int(served.url.rsplit(":", 1)[1])
        # Each worker listens on a socket of its own, so the kernel spreads new connections over them. With one
        # socket for all, the share depended on timing: a burst of 64 went 64/0 to 39/25.
        listening = [sockets_of(pid, port, LISTEN) for pid in workers]
        assert all(len(each) == 1 for each in listening) and listening[0] != listening[1]
        # A burst of connections, as a page of widgets or a load balancer's pool opens them: each worker takes a
        # share, and each connection still gets its answer.
        connections = [socket.socket() for _ in range(64)]
        try:
            for connection in connections:  # all at once: each handshake completes before a worker accepts
                connection.setblocking(False)
                connection.connect_ex(("127.0.0.1", port))
            held = wait_for(lambda: (counts := [len(sockets_of(pid, port, ESTABLISHED)) for pid in workers])
                            and sum(counts) == 64 and counts, 30, "the workers to accept the 64 connections")
            assert min(held) >= 8, f"connections per worker: {held}"
            for connection in connections[:4] + connections[-4:]:
                connection.settimeout(60)
                connection.sendall(b"GET /api/health HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n")
                assert connection.recv(64).startswith(b"HTTP/1.1 200")
        finally:
            for connection in connections:
                connection.close()
        answer = served.post("/api/chat", json={"message": ICE}).json()
        assert answer["status"] == "answered" and "20 minutes" in answer["text"]
    finally:
        served.stop()
    assert served.log().count("Finished server process") == 2  # both workers stopped with the supervisor


LISTEN, ESTABLISHED = "0A", "01"  # TCP states as /proc/net/tcp writes them


def on_port(port: int, state: str) -> set[str]:
    """The sockets on local `port` in `state`, by inode, whoever holds them."""
    return {fields[9] for fields in (line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:])
            if int(fields[1].split(":")[1], 16) == port and fields[3] == state}


def sockets_of(pid: int, port: int, state: str) -> set[str]:
    """The sockets on local `port` in `state` that process `pid` holds (their inodes)."""
    wanted, held = on_port(port, state), set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed while we looked
            continue
        if target.startswith("socket:[") and target[8:-1] in wanted:
            held.add(target[8:-1])
    return held


@pytest.mark.parametrize("shared", [False, True], ids=["a-plain-listener", "another-serve-workers"])
def test_serve_workers_on_a_port_in_use_stop_with_a_clear_error_and_take_no_connections(shared, tmp_path):
    """Workers' sockets may share a port (SO_REUSEPORT), so a second `serve --workers` on a busy port, even one that
    another `serve --workers` holds, must refuse to start instead of taking half of its connections."""
    holder = socket.socket()
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, int(shared))
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    try:
        done = subprocess.run([sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(port),
                               "--workers", "2"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                              env={**os.environ, "HIP_INDEX_DIR": str(tmp_path / "no-index")})
        assert done.returncode == EXIT_USAGE
        assert f"error: cannot serve on 127.0.0.1:{port}: Address already in use" in done.stderr
        assert "--port" in done.stderr
        assert on_port(port, LISTEN) == sockets_of(os.getpid(), port, LISTEN) != set()  # nothing joined the port
    finally:
        holder.close()


@pytest.mark.slow
def test_a_redis_outage_counts_in_each_process_until_redis_is_back(built_settings, engine, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="assistant")
    with redis_server(tmp_path / "redis") as redis:
        settings = built_settings.model_copy(update={"feedback_path": None, "rate_limit_per_minute": 2,
                                                     "rate_limit_storage": redis.url})
        client = TestClient(create_app(settings, Assistant(engine)))
        empty = {"message": ""}
        assert client.post("/api/chat", json=empty).status_code == 422
        assert redis.client().keys("LIMITS*")  # counted in Redis

        redis.stop()
        assert [client.post("/api/chat", json=empty).status_code for _ in range(3)] == [422, 422, 429]  # locally
        health = client.get("/api/health")
        assert health.status_code == 200
        assert health.json()["rate_limit"] == {"enabled": True, "storage": "redis", "shared": False, "ok": False}
        errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert len(errors) == 1 and "cannot be reached" in errors[0] and redis.url in errors[0]

        redis.start()  # the same port, empty, as after a restart without persistence
        assert client.get("/api/health").json()["rate_limit"]["shared"] is True
        assert [client.post("/api/chat", json=empty).status_code for _ in range(3)] == [422, 422, 429]  # in Redis
        assert redis.client().keys("LIMITS*")
        assert any("works again" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("value, says", [
    ("memcached://cache:11211", "is not supported"),
    ("redis://cache:port", "the port is not a number"),
    ("redis://", "names no host"),
    ("127.0.0.1:6379", "is not supported"),
], ids=["memcached", "bad-port", "no-host", "no-scheme"])
def test_an_unusable_rate_limit_storage_is_a_clear_configuration_error(monkeypatch, value, says):
    monkeypatch.setenv("HIP_RATE_LIMIT_STORAGE", value)
    with pytest.raises(ConfigError, match=says) as raised:
        Settings()
    assert "redis://host:6379" in str(raised.value)  # the message shows what to write


def test_a_password_in_the_rate_limit_storage_never_reaches_a_message(monkeypatch):
    monkeypatch.setenv("HIP_RATE_LIMIT_STORAGE", "memcached://user:secret@cache:11211")
    with pytest.raises(ConfigError) as raised:
        Settings()
    assert "secret" not in str(raised.value) and "memcached://cache:11211" in str(raised.value)
