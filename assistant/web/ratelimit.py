"""A per-client request budget for /api/*: one token bucket per client IP, kept in memory.

Each client may burst up to `per_minute` requests and then gets one more every `60 / per_minute`
seconds. Over budget, the API answers 429 with `Retry-After`. In memory and per process: behind
several workers or a proxy, put the limit in the proxy instead (and run uvicorn with
`--proxy-headers` so the client IP is the real one).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.responses import JSONResponse

_MAX_CLIENTS = 10_000  # above this, buckets that are full again are forgotten


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self.rate = per_minute / 60.0  # tokens per second
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    def acquire(self, client: str) -> float:
        """Take one request from `client`'s budget: 0.0 if allowed, else the seconds until one is free."""
        if not self.enabled:
            return 0.0
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(client)
            if bucket is None:
                if len(self._buckets) >= _MAX_CLIENTS:
                    self._forget_idle(now)
                bucket = self._buckets[client] = _Bucket(float(self.per_minute), now)
            bucket.tokens = min(float(self.per_minute), bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate

    def retry_after(self, wait: float) -> int:
        """`wait` as whole seconds for the Retry-After header (at least 1)."""
        return max(1, math.ceil(wait))

    def _forget_idle(self, now: float) -> None:
        full_after = 60.0  # an idle bucket is full again after a minute
        self._buckets = {k: b for k, b in self._buckets.items() if now - b.updated < full_after}


class RateLimitMiddleware:
    """ASGI middleware: spends one token per request under `prefix` (health checks and preflights are free)."""

    def __init__(self, app, limiter: RateLimiter, prefix: str = "/api/", exempt: tuple[str, ...] = ("/api/health",)):
        self.app, self.limiter, self.prefix, self.exempt = app, limiter, prefix, exempt

    async def __call__(self, scope, receive, send) -> None:
        if (scope["type"] != "http" or not self.limiter.enabled or scope["method"] == "OPTIONS"
                or not scope["path"].startswith(self.prefix) or scope["path"] in self.exempt):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = self.limiter.acquire(client[0] if client else "unknown")
        if not wait:
            await self.app(scope, receive, send)
            return
        seconds = self.limiter.retry_after(wait)
        detail = (f"Too many requests: the limit is {self.limiter.per_minute} per minute per client. "
                  f"Try again in {seconds} s.")
        await JSONResponse({"detail": detail}, status_code=429, headers={"Retry-After": str(seconds)})(
            scope, receive, send)
