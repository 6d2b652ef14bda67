"""The ASGI app: a JSON API under /api and the Gradio chat page at /. Start it with `python -m assistant serve`.

A thin face: all answering lives in `assistant.chain.Assistant`.
"""

from __future__ import annotations

import assistant  # noqa: F401 — switches telemetry off before gradio is imported
import gradio as gr
from fastapi import FastAPI, HTTPException
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from assistant.chain import Assistant
from assistant.errors import AssistantError, BadInput, IndexNotReady
from assistant.render import as_dict

EXAMPLES = ["what causes pain on the outside of my hip?", "how long should i ice my hip?",
            "how fast can i increase my mileage?", "when should i see a doctor?"]
DISCLAIMER = ("Educational information from one Hinge Health article, not medical advice. "
              "If you are worried about your symptoms, see a doctor.")


class ChatRequest(BaseModel):
    message: str = Field(..., description="The user's question")
    history: list[dict] = Field(default_factory=list, description='Earlier turns: {"role", "content"}')


_assistant: Assistant | None = None


def get_assistant() -> Assistant:
    global _assistant
    if _assistant is None:
        _assistant = Assistant()
    return _assistant


app = FastAPI(title="Hip pain after running — article assistant")


@app.get("/api/health")
def health() -> dict:
    try:
        engine = get_assistant().engine
        return {"status": "ok", "chunks": len(engine.chunks), "generation": engine.generation.name}
    except IndexNotReady as error:
        raise HTTPException(503, str(error)) from error


@app.post("/api/chat")
async def chat(request: ChatRequest) -> dict:
    try:
        answer = await run_in_threadpool(get_assistant().answer, request.message, request.history)
    except BadInput as error:
        raise HTTPException(422, str(error)) from error
    except IndexNotReady as error:
        raise HTTPException(503, str(error)) from error
    return as_dict(answer)


def respond(message: str, history: list[dict]) -> str:
    """The chat page's callback: the answer text, then its numbered sources with quoted spans."""
    try:
        answer = get_assistant().answer(message, history)
    except AssistantError as error:
        return f"⚠️ {error}"
    sources = "\n".join(f"> **[{c.number}] {' › '.join(c.heading_path[1:] or c.heading_path)}** — “{c.quote}”"
                        for c in answer.citations)
    banner = "🚩 **Please see a doctor.**\n\n" if answer.status == "red_flag" else ""
    return banner + answer.text + (f"\n\n**Sources**\n\n{sources}" if sources else "")


page = gr.ChatInterface(respond, title="Hip pain after running", description=DISCLAIMER, examples=EXAMPLES,
                        analytics_enabled=False)
app = gr.mount_gradio_app(app, page, path="/")
