"""Who may call the API from a browser: the app's own pages and the origins in `HIP_ALLOWED_ORIGINS`.

Two layers. Starlette's `CORSMiddleware` answers preflights and adds the CORS headers for allowed
origins only, so a browser on any other site cannot read an answer. `refuse_foreign_origins` also
turns away the request itself (403) when it carries an `Origin` that is neither allowed nor the app's
own, so an unlisted site cannot spend the server's time either. The widget needs no secret.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import FastAPI, HTTPException, Request
from starlette.middleware.cors import CORSMiddleware


def add_cors(app: FastAPI, allowed_origins: list[str]) -> None:
    """Added with `add_middleware` so that mounted Gradio sees it and leaves CORS to this policy."""
    app.add_middleware(CORSMiddleware, allow_origins=list(allowed_origins), allow_methods=["GET", "POST"],
                       allow_headers=["Content-Type"], expose_headers=["Retry-After"], allow_credentials=False,
                       max_age=600)


def is_same_origin(origin: str, request: Request) -> bool:
    return urlsplit(origin).netloc.lower() == request.headers.get("host", "").lower()


def origin_guard(allowed_origins: list[str]):
    """A FastAPI dependency: 403 for a request from a foreign, unlisted origin; requests without `Origin` pass."""
    allowed = set(allowed_origins)

    def refuse_foreign_origins(request: Request) -> None:
        origin = request.headers.get("origin")
        if origin is None or origin in allowed or is_same_origin(origin, request):
            return
        raise HTTPException(403, f"Requests from {origin} are not allowed. To embed the widget on that site, add "
                                 f"the origin to HIP_ALLOWED_ORIGINS (a comma-separated list) and restart the app.")

    return refuse_foreign_origins
