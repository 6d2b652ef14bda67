"""The ASGI app: the JSON API under /api, the support widget at /widget.js and the Gradio chat page at /.

Start it with `python -m assistant serve` (or `make run`, which builds the index first). While the
index is missing or stale, /api/* answers 503 with the command that fixes it. A thin composition:
answering lives in `assistant.chain.Assistant`, each face in `assistant/web/`.
"""

from __future__ import annotations

import assistant  # noqa: F401 — switches telemetry off before gradio is imported

from contextlib import asynccontextmanager

import gradio as gr
from fastapi import FastAPI

from assistant.chain import Assistant
from assistant.settings import Settings, get_settings
from assistant.web import api, cards, origins, page, widget
from assistant.web.feedback import FeedbackStore
from assistant.web.ratelimit import RateLimiter, RateLimitMiddleware
from assistant.web.service import AnswerService


def create_app(settings: Settings | None = None, assistant: Assistant | None = None) -> FastAPI:
    settings = settings or get_settings()
    service = AnswerService(settings, assistant)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        service.warm_up_in_background()
        yield

    app = FastAPI(title="Hip pain after running — article assistant", lifespan=lifespan,
                  description="Answers runners' hip-pain questions strictly from one Hinge Health article, with "
                              "citations. The chat page is at `/`, the embeddable widget at `/widget.js`.")
    app.state.service = service
    app.state.feedback = FeedbackStore(settings.feedback_path)
    app.include_router(api.build_router(service, settings))
    app.include_router(widget.build_router())
    app.add_middleware(RateLimitMiddleware, limiter=RateLimiter(settings.rate_limit_per_minute))
    origins.add_cors(app, settings.allowed_origins)  # outermost, so 429s and 503s carry CORS headers too
    blocks = page.build_page(service, app.state.feedback, settings)
    return gr.mount_gradio_app(app, blocks, path="/", css=cards.CSS, footer_links=[], run_history=False,
                               show_error=False)


app = create_app()
