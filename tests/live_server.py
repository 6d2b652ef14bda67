"""Helpers for tests that run the real app, Chroma, Redis or PostgreSQL servers as subprocesses on 127.0.0.1.

`serve()` starts `python -m assistant serve` under a network guard: any attempt to open a connection to, or
resolve, anything but the loopback interface is refused and written to the server's log as
`BLOCKED NETWORK …`, so a test can assert that nothing left the machine. Redis and PostgreSQL run from their
own binaries (`make services` installs them) on free ports in temp dirs, never as the machine's services.
"""

from __future__ import annotations

import json

import glob
import os
import shutil
import tempfile
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx

from assistant.settings import ROOT

T = TypeVar("T")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

NETWORK_GUARD = r"""
import runpy, socket, sys

def _loopback(host):
    return isinstance(host, str) and (host.startswith("127.") or host in ("::1", "localhost"))

def _refuse(what):
    print(f"BLOCKED NETWORK {what}", file=sys.stderr, flush=True)
    raise OSError(f"network disabled by the test: {what}")

_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
        _refuse(f"connect {address!r}")
    return _connect(self, address)

def connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
        _refuse(f"connect {address!r}")
    return _connect_ex(self, address)

def getaddrinfo(host, *args, **kwargs):
    if host is not None and not _loopback(host if isinstance(host, str) else host.decode()):
        _refuse(f"resolve {host!r}")
    return _getaddrinfo(host, *args, **kwargs)

socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
sys.argv = ["assistant", *sys.argv[1:]]
runpy.run_module("assistant", run_name="__main__", alter_sys=True)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check: Callable[[], T], timeout: float, what: str, every: float = 0.1) -> T:
    """Poll `check` until it returns something truthy (a subprocess gives nothing to wait on); fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


@dataclass
class Served:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def rss_mib(self) -> float:
        """Resident memory of the server process, from /proc."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise AssertionError("no VmRSS for the server process")

    def get(self, path: str, **kwargs) -> httpx.Response:
        return httpx.get(self.url + path, timeout=60, **kwargs)

    def post(self, path: str, **kwargs) -> httpx.Response:
        return httpx.post(self.url + path, timeout=60, **kwargs)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def serve(env: dict[str, str], log_path: Path, *, ready: tuple[int, ...] = (200,), timeout: float = 120,
          args: tuple[str, ...] = ()) -> Served:
    """`python -m assistant serve` on a free port under the network guard; returns once /api/health answers
    with one of `ready` (pass (200, 503) for an app that is meant to start without a usable index). `args` go
    to `serve` (e.g. `("--workers", "2")`; worker processes run without the guard)."""
    port = free_port()
    log = log_path.open("wb")
    process = subprocess.Popen([sys.executable, "-c", NETWORK_GUARD, "serve", "--host", "127.0.0.1", "--port", str(port),
                                *args],
                               cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1", **env}, stdout=log,
                               stderr=subprocess.STDOUT)
    log.close()
    served = Served(f"http://127.0.0.1:{port}", process, log_path)

    def answering():
        if process.poll() is not None:
            raise AssertionError(f"the app exited with {process.returncode}:\n{served.log()[-3000:]}")
        try:
            status = served.get("/api/health").status_code
        except httpx.TransportError:
            return None
        if status == 503 and 503 not in ready:
            raise AssertionError(f"the app cannot serve: {served.get('/api/health').json()['detail']}")
        return status in ready

    try:
        wait_for(answering, timeout, "the app to answer /api/health", every=0.25)
    except BaseException:
        served.stop()
        raise
    return served


def start_chroma(path: Path, port: int, log_path: Path) -> subprocess.Popen:
    """`chroma run` (the binary next to this Python) on 127.0.0.1:`port`, once it accepts connections."""
    chroma = Path(sys.executable).parent / "chroma"
    with log_path.open("ab") as log:
        process = subprocess.Popen([str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                                   stdout=log, stderr=subprocess.STDOUT,
                                   env={"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"})

    def accepting():
        if process.poll() is not None:
            raise AssertionError(f"chroma run exited with {process.returncode}: {log_path.read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False

    wait_for(accepting, 60, f"chroma run on port {port}", every=0.1)
    return process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _ready(check: Callable[[], bool], process: subprocess.Popen, what: str, log_path: Path) -> None:
    def up():
        if process.poll() is not None:
            raise AssertionError(f"{what} exited with {process.returncode}: {log_path.read_text()[-2000:]}")
        return check()

    wait_for(up, 60, what, every=0.1)


def _accepting(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


class RedisServer:
    """`redis-server` on 127.0.0.1:`port`, nothing saved to disk; `stop()` and `start()` again on the same port
    simulate an outage (the counts are gone afterwards, as after a real restart without persistence)."""

    def __init__(self, directory: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            raise AssertionError("redis-server is missing: run `make services` (apt-get install redis-server)")
        self.binary, self.directory, self.port = binary, directory, free_port()
        self.directory.mkdir(parents=True, exist_ok=True)
        self.log_path = directory / "redis.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> RedisServer:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
                                             "--save", "", "--appendonly", "no", "--dir", str(self.directory)],
                                            stdout=log, stderr=subprocess.STDOUT)
        _ready(lambda: _accepting(self.port), self.process, f"redis-server on port {self.port}", self.log_path)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            stop(self.process)

    def client(self):
        import redis

        return redis.Redis.from_url(self.url)


@contextmanager
def redis_server(directory: Path) -> Iterator[RedisServer]:
    server = RedisServer(directory)
    try:
        yield server.start()
    finally:
        server.stop()


def _postgres_bin() -> Path:
    """Debian keeps initdb and pg_ctl out of PATH, in /usr/lib/postgresql/<version>/bin."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    pg_ctl = found[-1] if found else shutil.which("pg_ctl")
    if pg_ctl is None:
        raise AssertionError("PostgreSQL is missing (no pg_ctl): run `make services` (apt-get install postgresql)")
    return Path(pg_ctl).parent


class PostgresServer:
    """A throw-away PostgreSQL cluster (initdb) on 127.0.0.1:`port`, trust authentication, user `postgres`.
    PostgreSQL refuses to run as root, so as root it runs as the `postgres` user that the Debian package creates,
    in a temp dir owned by that user."""

    def __init__(self):
        self.bin, self.port = _postgres_bin(), free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="hip-postgres-"))  # not under pytest's root-only tmp dirs
        self.data, self.log_path = self.directory / "data", self.directory / "postgres.log"
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run([*self.as_owner, str(self.bin / tool), *args], capture_output=True, text=True,
                              check=False)
        if done.returncode:
            log = self.log_path.read_text() if self.log_path.exists() else ""
            raise AssertionError(f"{tool} failed ({done.returncode}): {done.stdout}{done.stderr}{log[-2000:]}")

    def start(self) -> PostgresServer:
        if not self.data.exists():
            if self.as_owner:
                try:
                    shutil.chown(self.directory, "postgres", "postgres")
                except LookupError:
                    raise AssertionError("There is no `postgres` user to run PostgreSQL as: run `make services` "
                                         "(apt-get install postgresql creates it)") from None
            self._run("initdb", "--pgdata", str(self.data), "--username", "postgres", "--auth", "trust",
                      "--no-sync", "--encoding", "UTF8", "--locale", "C")
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.directory} "
                   f"-c fsync=off")
        self._run("pg_ctl", "start", "--pgdata", str(self.data), "--log", str(self.log_path), "--wait",
                  "--timeout", "60", "-o", options)
        return self

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "--pgdata", str(self.data), "--mode", "fast", "--wait")

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    try:
        yield server.start()
    finally:
        try:
            server.stop()
        finally:
            server.remove()


@contextmanager
def chromium() -> Iterator:
    """Debian's Chromium through Playwright (`make browser` installs it)."""
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM):
        raise AssertionError(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30_000)
        try:
            yield browser
        finally:
            browser.close()


def watched_page(browser):
    """A new context and page that record CSP violations (`window.__csp`), page errors and every URL requested."""
    context = browser.new_context(viewport={"width": 1100, "height": 1000})
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.requests, page.errors = [], []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.add_init_script("window.__csp = []; document.addEventListener('securitypolicyviolation', "
                         "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
    return context, page


def ask_on_page(page, question: str):
    """Type a question on the chat page; the reply once its sources (or a decline or an error) are in."""
    from playwright.sync_api import expect

    page.locator("#hip-question textarea").fill(question)
    page.locator("#hip-question textarea").press("Enter")
    reply = page.locator('[data-testid="bot"]').last
    expect(reply.locator(".hip-sources, .hip-declined, .hip-error")).to_have_count(1, timeout=30_000)
    return reply


def read_events(text: str) -> list[tuple[str, dict]]:
    """Server-sent events as (event, data) pairs."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = block.split("\n")
        name = next((line[6:].strip() for line in lines if line.startswith("event:")), "message")
        data = "\n".join(line[5:].lstrip() for line in lines if line.startswith("data:"))
        if data:
            events.append((name, json.loads(data)))
    return events
