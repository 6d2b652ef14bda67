"""The JSON API under /api: a thin face over `AnswerService` (no retrieval or guard logic here).

    POST /api/chat          {message, history?, session_id?} → the answer as JSON (`assistant.render.as_dict`)
    POST /api/chat/stream   the same, as server-sent events: one `sentence` event per sentence, then `answer`
    GET  /api/health        200 {status, chunks, generation}, or 503 with the repair command

Errors keep the assistant's own words in `detail`: an empty question → 422, one over
`max_message_chars` → 413, a body that is not the JSON described here → 422, the index not ready → 503.
A request body over 256 KiB gets Starlette's plain-text 413 "Content Too Large" before it is parsed.

    curl -s localhost:7860/api/chat -H 'content-type: application/json' -d '{"message": "how long should i ice my hip"}'
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, Field

from ..errors import BadInput, IndexNotReady
from ..models import Answer
from ..render import as_dict
from ..settings import Settings
from .origins import origin_guard
from .service import AnswerService

MAX_BODY_BYTES = 256 * 1024
MAX_HISTORY_TURNS = 100


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class ChatRequest(BaseModel):
    message: str = Field(..., description="The user's question (at most `HIP_MAX_MESSAGE_CHARS` characters).",
                         examples=["how long should i ice my hip"])
    history: list[Turn] = Field(default_factory=list, max_length=MAX_HISTORY_TURNS,
                                description="Earlier turns, oldest first; only the user's turns are used.")
    session_id: str | None = Field(None, max_length=128,
                                   description="Opaque conversation id for your own correlation; not stored.")


class ErrorBody(BaseModel):
    detail: str


_ERRORS = {413: {"model": ErrorBody, "description": "The message is over the size limit"},
           422: {"description": "Empty message, or a body that is not the JSON described here"},
           429: {"model": ErrorBody, "description": "Too many requests from this client; see Retry-After"},
           503: {"model": ErrorBody, "description": "The index is not ready; the detail names the repair command"}}


def build_router(service: AnswerService, settings: Settings) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["chat"], max_body_size=MAX_BODY_BYTES)
    guarded = [Depends(origin_guard(settings.allowed_origins))]

    async def answered(body: ChatRequest) -> Answer:
        """Answer off the event loop; map the assistant's errors to HTTP codes with the same words."""
        try:
            answer = await run_in_threadpool(service.answer, body.message,
                                             [turn.model_dump() for turn in body.history])
        except BadInput as error:
            too_long = len(body.message) > settings.max_message_chars
            raise HTTPException(413 if too_long else 422, str(error)) from error
        except IndexNotReady as error:
            raise HTTPException(503, str(error)) from error
        return answer

    @router.post("/chat", dependencies=guarded, responses=_ERRORS, summary="Answer one question")
    async def chat(answer: Answer = Depends(answered)) -> dict:
        """The answer as JSON: `status` (answered | declined | red_flag), `text` with `[n]` markers, `sentences`,
        `citations` (quote, absolute offsets into the article, the passage around it, references)."""
        return as_dict(answer)

    @router.post("/chat/stream", dependencies=guarded, responses=_ERRORS, response_class=EventSourceResponse,
                 summary="Answer one question, streamed as server-sent events")
    async def chat_stream(answer: Answer = Depends(answered)) -> AsyncIterator[ServerSentEvent]:
        """`event: sentence` per sentence (`{index, text, citations, is_item}`), then `event: answer` with the
        whole answer, as `POST /api/chat` returns it. Errors arrive as plain HTTP errors before the stream."""
        for index, sentence in enumerate(answer.sentences):
            yield ServerSentEvent(event="sentence", id=str(index),
                                  data={"index": index, "text": sentence.text,
                                        "citations": list(sentence.citations), "is_item": sentence.is_item})
        yield ServerSentEvent(event="answer", data=as_dict(answer))

    @router.get("/health", summary="Is the index loaded?", responses={503: _ERRORS[503]})
    async def health() -> dict:
        try:
            return await run_in_threadpool(service.health)
        except IndexNotReady as error:
            raise HTTPException(503, str(error)) from error

    return router

