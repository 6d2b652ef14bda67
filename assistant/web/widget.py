"""`GET /widget.js`: the embeddable support widget (plain JS in `widget.js`, no build step).

    <script src="https://HOST/widget.js" data-title="Hip pain help" async></script>

The script finds the API at the origin it was loaded from; that page's origin must be in
`HIP_ALLOWED_ORIGINS` for the browser to let it read the answers.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

WIDGET_JS = Path(__file__).with_name("widget.js")


def build_router() -> APIRouter:
    router = APIRouter(tags=["widget"])
    source = WIDGET_JS.read_bytes()

    @router.get("/widget.js", response_class=Response, summary="The embeddable support widget",
                responses={200: {"content": {"text/javascript": {}}}})
    def widget_js() -> Response:
        return Response(source, media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"})

    return router
