"""`GET /widget.js`: the embeddable support widget (plain JS in `widget.js`, no build step).

    <script src="https://HOST/widget.js" data-title="Hip pain help" async></script>

The script finds the API at the origin it was loaded from; that page's origin must be in
`HIP_ALLOWED_ORIGINS` for the browser to let it read the answers. The example questions are the chat page's
(`web.examples`), written into the script as it is served, and 👍/👎 go to `POST /api/feedback` (the page's store)
unless feedback is off.
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

from .examples import EXAMPLES

WIDGET_JS = Path(__file__).with_name("widget.js")


def build_router(feedback_enabled: bool = True) -> APIRouter:
    router = APIRouter(tags=["widget"])
    source = (WIDGET_JS.read_text(encoding="utf-8")
              .replace("/*EXAMPLES*/[]", json.dumps(EXAMPLES))
              .replace("/*FEEDBACK*/true", json.dumps(feedback_enabled))).encode()

    @router.get("/widget.js", response_class=Response, summary="The embeddable support widget",
                responses={200: {"content": {"text/javascript": {}}}})
    def widget_js() -> Response:
        return Response(source, media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"})

    return router
