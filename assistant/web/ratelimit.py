"""A per-client request budget for /api/*, /v1/* and the chat page's events, counted by the `limits` library.

`limits`' *moving window*: a client may make `requests` requests in any `window_seconds` (60) span, and the
next one is allowed once its oldest request in the window is older than that. Chosen over the fixed window,
which lets a client spend two budgets back to back across a window boundary; the price is one timestamp per
request kept (at most `requests` per client), and with Redis the window is read against each process's own
clock, so replicas on several machines need their clocks in step (NTP; a second of skew is nothing here).

Where the counts live is `HIP_RATE_LIMIT_STORAGE`: `memory://` (the default) counts in each process, so
`serve --workers 4` lets a client make up to 4 × the limit; `redis://host:port` counts once for every worker
and replica that names the same Redis. Over budget, the answer is 429 with `Retry-After`.

Redis unreachable: the request is *not* refused. Each process falls back to its own in-memory count with the
same limit (a client gets at most the limit per process, as with `memory://`), logs the outage once, retries
Redis at most once a second, and `GET /api/health` says `"rate_limit": {"shared": false, …}`. Refusing every
request with a 503 instead would turn an outage of the limiter's store into an outage of the assistant, for
no gain to the users the limit protects.

    limiter = RateLimiter(60, "redis://127.0.0.1:6379")
    limiter.hit("203.0.113.7")  # → 0.0 while allowed, else the seconds to wait
"""

from __future__ import annotations

import logging
import math
import threading
import time
from urllib.parse import urlsplit

from anyio import to_thread
from limits import RateLimitItemPerSecond
from limits.errors import ConfigurationError, StorageError
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.responses import JSONResponse

from ..errors import ConfigError
from ..settings import STORAGE_CHOICES, without_credentials
from . import API_PREFIXES

log = logging.getLogger(__name__)

NAMESPACE = "hip"          # the first part of each key in a shared store, next to `limits`' own "LIMITS" prefix
RETRY_SHARED_EVERY = 1.0   # seconds between attempts to reach an unreachable shared store
REDIS_TIMEOUT = 0.5        # seconds to connect to, or hear from, Redis before counting locally instead
# The chat page's event endpoints (Gradio 6, mounted at /): each POST runs one page event (a question, a vote,
# a new chat). GET /gradio_api/queue/data and GET /gradio_api/call/…/{event_id} only stream those results.
PAGE_EVENTS = ("/gradio_api/queue/join", "/gradio_api/run/", "/gradio_api/api/", "/gradio_api/call/")


class RateLimiter:
    def __init__(self, requests: int, storage_uri: str = "memory://", *, window_seconds: int = 60):
        self.requests, self.window_seconds, self.storage_uri = requests, window_seconds, storage_uri
        self.item = RateLimitItemPerSecond(max(requests, 1), window_seconds)
        self._local = MovingWindowRateLimiter(MemoryStorage())
        self._shared: MovingWindowRateLimiter | None = None
        if urlsplit(storage_uri).scheme != "memory":
            try:
                storage = storage_from_string(storage_uri, wrap_exceptions=True, socket_connect_timeout=REDIS_TIMEOUT,
                                              socket_timeout=REDIS_TIMEOUT)
            except (ConfigurationError, ValueError) as error:
                raise ConfigError(f"HIP_RATE_LIMIT_STORAGE={without_credentials(storage_uri)} cannot be used "
                                  f"({error}). {STORAGE_CHOICES}") from None
            self._shared = MovingWindowRateLimiter(storage)
        self._lock = threading.Lock()
        self._error: str | None = None  # why the shared store failed; None while it works
        self._retry_at = 0.0            # monotonic time of the next attempt at the shared store during an outage

    @property
    def enabled(self) -> bool:
        return self.requests > 0

    @property
    def remote(self) -> bool:
        """The counts live in another process (Redis): `hit` waits on the network."""
        return self._shared is not None

    @property
    def shared(self) -> bool:
        """Counting in the shared store right now (False for `memory://` and during an outage of the store)."""
        return self.enabled and self._shared is not None and self._error is None

    def describe(self) -> str:
        return f"{self.requests} per minute" if self.window_seconds == 60 else \
            f"{self.requests} per {self.window_seconds} s"

    def hit(self, client: str) -> float:
        """Spend one request from `client`'s budget: 0.0 if allowed, else the seconds until one is free.
        Blocking when the store is Redis: call it from a worker thread."""
        if not self.enabled:
            return 0.0
        if self._shared is not None and time.monotonic() >= self._retry_at:
            try:
                wait = self._spend(self._shared, client)
            except StorageError as error:
                self._failed(error.storage_error)
            else:
                self._recovered()
                return wait
        return self._spend(self._local, client)

    def _spend(self, limiter: MovingWindowRateLimiter, client: str) -> float:
        if limiter.hit(self.item, NAMESPACE, client):
            return 0.0
        reset_at = limiter.get_window_stats(self.item, NAMESPACE, client).reset_time
        return max(reset_at - time.time(), 0.001)

    def retry_after(self, wait: float) -> int:
        """`wait` as whole seconds for the Retry-After header (at least 1)."""
        return max(1, math.ceil(wait))

    def _failed(self, error: Exception) -> None:
        with self._lock:
            if self._error is None:  # log the first failure only, not every request after it
                log.error("The rate limit store %s cannot be reached (%s: %s); each process counts on its own "
                          "until it is back. Start Redis again or fix HIP_RATE_LIMIT_STORAGE.",
                          without_credentials(self.storage_uri), type(error).__name__, error)
            self._error = f"{type(error).__name__}: {error}"
            self._retry_at = time.monotonic() + RETRY_SHARED_EVERY

    def _recovered(self) -> None:
        if self._error is not None:
            with self._lock:
                if self._error is not None:
                    log.info("The rate limit store %s works again; counting there.",
                             without_credentials(self.storage_uri))
                self._error, self._retry_at = None, 0.0

    def status(self) -> dict:
        """For the health check: `{"enabled", "storage", "shared", "ok"}`. Pings a shared store (blocking), so a
        store that is back shows as ok before the next counted request."""
        if self.remote and self.enabled:
            if self._shared.storage.check():
                self._recovered()
            elif self._error is None:
                self._failed(ConnectionError("no answer to PING"))
        return {"enabled": self.enabled, "storage": urlsplit(self.storage_uri).scheme,
                "shared": self.shared, "ok": self._error is None}


class RateLimitMiddleware:
    """ASGI middleware: spends one request per call under `prefix` (/api/ and /v1/; health checks and preflights
    are free) and
    per event the chat page runs (`PAGE_EVENTS`), from one budget per client IP, so the page is no way around it."""

    def __init__(self, app, limiter: RateLimiter, prefix: str | tuple[str, ...] = API_PREFIXES,
                 exempt: tuple[str, ...] = ("/api/health",), page_events: tuple[str, ...] = PAGE_EVENTS):
        self.app, self.limiter, self.prefix, self.exempt, self.page_events = app, limiter, prefix, exempt, page_events

    def counts(self, scope) -> bool:
        path, method = scope["path"], scope["method"]
        if path.startswith(self.prefix):
            return method != "OPTIONS" and path not in self.exempt
        return method == "POST" and path.startswith(self.page_events)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not self.limiter.enabled or not self.counts(scope):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        client = client[0] if client else "unknown"
        if self.limiter.remote:
            wait = await to_thread.run_sync(self.limiter.hit, client)  # a network round trip: off the event loop
        else:
            wait = self.limiter.hit(client)
        if not wait:
            await self.app(scope, receive, send)
            return
        seconds = self.limiter.retry_after(wait)
        detail = (f"Too many requests: the limit is {self.limiter.describe()} per client. "
                  f"Try again in {seconds} s.")
        await JSONResponse({"detail": detail}, status_code=429, headers={"Retry-After": str(seconds)})(
            scope, receive, send)
