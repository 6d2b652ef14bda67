"""The ASGI app: the JSON API under /api, the support widget at /widget.js and the Gradio chat page at /.

Start it with `python -m assistant serve` (or `make run`, which builds the index first), or point any ASGI
server at `assistant.web.app:app`; the app is built on first access, so importing `create_app` builds nothing. While the
index is missing, stale, corrupted or unreachable, /api/* answers 503 with the command that fixes it. A
thin composition: answering lives in `assistant.chain.Assistant`, each face in `assistant/web/`.

Middleware, outermost first: request ids and the request log (`web.logs`, never message text), security
headers (`web.security`), CORS (`web.origins`), the rate limit (`web.ratelimit`), the body size limit (`web.api`).
The OpenAI-compatible API under /v1 (`web.openai_api`) rewrites its errors, the limits' included, into OpenAI's shape.
"""

from __future__ import annotations

import assistant  # noqa: F401 — switches telemetry off before gradio is imported

import logging
from contextlib import asynccontextmanager

import gradio as gr
from fastapi import FastAPI
from threadpoolctl import threadpool_limits

from assistant.chain import Assistant
from assistant.settings import Settings, get_settings
from assistant.web import api, cards, openai_api, origins, page, widget
from assistant.web.feedback import FeedbackStore
from assistant.web.logs import RequestLogMiddleware, configure_logging
from assistant.web.ratelimit import RateLimiter, RateLimitMiddleware
from assistant.web.security import SecurityHeadersMiddleware
from assistant.web.service import AnswerService

log = logging.getLogger("assistant.app")


def create_app(settings: Settings | None = None, assistant: Assistant | None = None) -> FastAPI:
    settings = settings or get_settings()
    service = AnswerService(settings, assistant)
    feedback = FeedbackStore(settings.feedback_target)
    limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_storage)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        configure_logging()
        if settings.blas_threads:  # in the process that serves: an app imported into a user's program leaves theirs
            threadpool_limits(limits=settings.blas_threads, user_api="blas")
        service.warm_up_in_background()
        yield
        if feedback.held:
            log.error("Stopping with %d feedback votes that could not be saved to %s; they are lost.",
                      feedback.held, feedback.where)
        feedback.close()

    app = FastAPI(title="Hip pain after running — article assistant", lifespan=lifespan,
                  description="Answers runners' hip-pain questions strictly from one Hinge Health article, with "
                              "citations. The chat page is at `/`, the embeddable widget at `/widget.js`.")
    app.state.service = service
    app.state.feedback = feedback
    app.state.limiter = limiter
    app.include_router(api.build_router(service, settings, feedback, limiter))
    app.include_router(widget.build_router(feedback.enabled))
    app.include_router(openai_api.build_router(service, settings))
    api.install_error_handlers(app)
    app.add_middleware(api.BodyLimitMiddleware, max_message_chars=settings.max_message_chars)
    app.add_middleware(RateLimitMiddleware, limiter=limiter)
    app.add_middleware(openai_api.OpenAIErrorMiddleware)  # /v1 errors in OpenAI's shape, the limits' included
    origins.add_cors(app, settings.allowed_origins)  # outside the limits, so 429s and 503s carry CORS headers too
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestLogMiddleware)
    app.state.page = page.build_page(service, feedback, settings)
    return gr.mount_gradio_app(app, app.state.page, path="/", css=cards.CSS, footer_links=[], run_history=False,
                               show_error=False)


def __getattr__(name: str) -> FastAPI:
    """`assistant.web.app:app` for uvicorn and other ASGI servers: built from the environment on first access."""
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    global app
    app = create_app()
    return app
