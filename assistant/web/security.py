"""Security headers on every response the app sends: the page, its assets, the API and the widget script.

    X-Content-Type-Options: nosniff            everywhere
    Referrer-Policy: no-referrer               everywhere: a health question's page never leaks in a Referer
    Permissions-Policy                         no camera, microphone, geolocation, payment or USB
    Content-Security-Policy                    per path, below
    X-Frame-Options                            SAMEORIGIN for the page, DENY for the API (older browsers)
    Cache-Control: no-store                    on /api/* and /v1/*: answers to health questions stay out of
                                               shared caches

The page's policy lets Gradio run (its own scripts and inline bootstrap, same-origin fetches and event
streams, its bundled fonts) and nothing else: no third-party script, font or connection, and it may only
be framed by the app itself (`frame-ancestors 'self'`). The API's policy allows nothing, as JSON needs
nothing. `/docs` also loads Swagger UI from cdn.jsdelivr.net. The widget runs on other sites under
*their* policy: a host page with a CSP must allow this app's origin in `script-src` and `connect-src`.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders

from . import API_PREFIXES

PAGE_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; media-src 'self' data: blob:; "
            "worker-src 'self' blob:; frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
            "frame-ancestors 'self'")
API_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
            "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'")

COMMON = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
          "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()"}
API = {**COMMON, "Content-Security-Policy": API_CSP, "X-Frame-Options": "DENY", "Cache-Control": "no-store"}
DOCS = {**COMMON, "Content-Security-Policy": DOCS_CSP, "X-Frame-Options": "SAMEORIGIN"}
PAGE = {**COMMON, "Content-Security-Policy": PAGE_CSP, "X-Frame-Options": "SAMEORIGIN"}


def headers_for(path: str) -> dict[str, str]:
    if path.startswith(API_PREFIXES):
        return API
    if path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
        return DOCS
    return PAGE


_POLICY = frozenset({"Cache-Control"})  # set over what a route chose (the event stream says no-cache)


class SecurityHeadersMiddleware:
    """ASGI middleware: adds the headers above to every HTTP response; a header a route set itself wins, except
    Cache-Control on the API, which is always no-store."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = headers_for(scope["path"])

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in wanted.items():
                    if name in _POLICY:
                        headers[name] = value
                    else:
                        headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
