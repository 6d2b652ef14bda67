"""What the server logs: a request id, the endpoint, the HTTP status and the time taken — never a message.

    INFO:     assistant.web.logs: request_id=5be0c7f1a2d94e61 POST /api/chat status=200 duration_ms=41.2

Every response carries `X-Request-ID` (the caller's own when it sent a well-formed one, else a new one), so a
user's report can be matched to a log line without anyone logging what they asked. Questions, answers and
conversation history are never written to the log; uvicorn's access log has the method, path and status
only (no bodies), and the chat endpoints take no query strings.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders

from . import API_PREFIXES

log = logging.getLogger(__name__)

_GIVEN_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_LOGGED_PATHS = frozenset({"/api/chat", "/api/chat/stream", "/api/health", "/v1/chat/completions", "/v1/models"})


class _Stderr(logging.StreamHandler):
    """A handler that writes to whatever `sys.stderr` is when it logs (like logging's last resort)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure_logging(level: int = logging.INFO) -> None:
    """Show the app's own `assistant.*` lines on stderr next to uvicorn's; once per process."""
    logger = logging.getLogger("assistant")
    if not any(isinstance(handler, _Stderr) for handler in logger.handlers):
        handler = _Stderr()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(level)


def request_id(scope) -> str:
    return scope.get("state", {}).get("request_id", "-")


class RequestLogMiddleware:
    """ASGI middleware: a request id on every response, and one log line per request under `prefix`."""

    def __init__(self, app, prefix: str | tuple[str, ...] = API_PREFIXES):
        self.app, self.prefix = app, prefix

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get("x-request-id", "")
        rid = given if _GIVEN_ID.match(given) else uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = rid
        status, started = 500, time.perf_counter()

        async def send_with_id(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = rid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            path = scope["path"]
            if path.startswith(self.prefix):
                shown = path if path in _LOGGED_PATHS else "(other path)"  # paths are the caller's text
                log.info("request_id=%s %s %s status=%d duration_ms=%.1f", rid, scope["method"], shown, status,
                         (time.perf_counter() - started) * 1000)
