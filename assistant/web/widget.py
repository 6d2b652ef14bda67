"""`GET /widget.js`: the embeddable support widget (plain JS in `widget.js`, no build step).

    <script src="https://HOST/widget.js" data-title="Hip pain help" async></script>

The script finds the API at the origin it was loaded from; that page's origin must be in
`HIP_ALLOWED_ORIGINS` for the browser to let it read the answers. What the widget shares with the chat page
(its example questions, whether 👍/👎 are on) is written into the script as it is served, so there is one
list and no extra request.
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

from .examples import EXAMPLES  # not from page.py, which imports gradio

WIDGET_JS = Path(__file__).with_name("widget.js")
SERVED_MARK = 'const SERVED = {"examples": [], "feedback": false};'  # in widget.js; replaced as it is served


def script(feedback: bool) -> bytes:
    """widget.js with the page's example questions and whether votes are stored."""
    source = WIDGET_JS.read_text(encoding="utf-8")
    if source.count(SERVED_MARK) != 1:
        raise RuntimeError(f"{WIDGET_JS} must contain the line `{SERVED_MARK}` exactly once")
    served = json.dumps({"examples": EXAMPLES, "feedback": feedback}, ensure_ascii=False)
    return source.replace(SERVED_MARK, f"const SERVED = {served};").encode()


def build_router(feedback: bool = False) -> APIRouter:
    """`feedback`: whether votes are stored (`FeedbackStore.enabled`); without it the widget shows no 👍/👎."""
    router = APIRouter(tags=["widget"])
    source = script(feedback)

    @router.get("/widget.js", response_class=Response, summary="The embeddable support widget",
                responses={200: {"content": {"text/javascript": {}}}})
    def widget_js() -> Response:
        return Response(source, media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"})

    return router
