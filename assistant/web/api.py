"""The JSON API under /api: a thin face over `AnswerService` (no retrieval or guard logic here).

    POST /api/chat          {message, history?, session_id?} → the answer as JSON (`assistant.render.as_dict`)
    POST /api/chat/stream   the same, as server-sent events: one `sentence` event per sentence, then `answer`
    POST /api/feedback      {vote, message, history?, answer_text, session_id?, source?} → 200 saved, 202 kept for later
    GET  /api/health        200 {status, chunks, generation, warnings, feedback, rate_limit}, or 503 with the repair
                            command

Errors are JSON `{"detail": …}` in the assistant's own words, and no input gets a 5xx:
  - an empty question (after control characters are removed) → 422;
  - a question, or an earlier user turn, over `max_message_chars` → 413 naming the limit;
  - more than `MAX_HISTORY_TURNS` turns → 422 (only the latest `max_history_turns` user turns are used);
  - a body over `MAX_BODY_BYTES` → 413, before it is read;
  - a body that is not UTF-8 JSON of this shape (malformed, wrong types, too deeply nested) → 422,
    listing `{type, loc, msg}` for each problem (the offending input is not echoed back);
  - the index not ready → 503 with the repair command.
NUL and other control characters are removed from messages before anything reads them
(`assistant.chain.clean_text`); emoji, any script, markup and "ignore your instructions" text are
just text: the answer can only quote the article.

    curl -s localhost:7860/api/chat -H 'content-type: application/json' -d '{"message": "how long should i ice my hip"}'
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, Field
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import BadInput, FeedbackNotSaved, IndexNotReady, MessageTooLong
from ..models import Answer
from ..render import as_dict
from ..settings import Settings
from . import API_PREFIXES
from .feedback import FeedbackStore
from .logs import request_id
from .origins import origin_guard
from .ratelimit import RateLimiter
from .security import headers_for
from .service import AnswerService

MAX_BODY_BYTES = 256 * 1024
MAX_HISTORY_TURNS = 100
_UNPARSABLE = "There was an error parsing the body"  # FastAPI's words for a body json.loads could not read


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class ChatRequest(BaseModel):
    message: str = Field(..., description="The user's question (at most `HIP_MAX_MESSAGE_CHARS` characters).",
                         examples=["how long should i ice my hip"])
    history: list[Turn] = Field(default_factory=list, max_length=MAX_HISTORY_TURNS,
                                description="Earlier turns, oldest first; only the user's turns are used, the latest "
                                            "`HIP_MAX_HISTORY_TURNS` (20) of them.")
    session_id: str | None = Field(None, max_length=128,
                                   description="Opaque conversation id for your own correlation; not stored.")


class FeedbackRequest(ChatRequest):
    """A vote on the answer to `message` after `history`. The answer is not sent: the server answers again (answers
    are deterministic) and stores its own, so a row always holds what the assistant really said."""
    vote: Literal["like", "dislike"]
    answer_text: str = Field(..., description="The answer's `text` as shown, with its `[n]` markers; a vote on an "
                                              "answer the assistant no longer gives is refused with 409.")
    session_id: str | None = Field(None, max_length=128, description="Opaque conversation id, stored with the vote.")
    source: Literal["widget", "api"] = Field("api", description="The face the vote came from, for the support team.")


class ErrorBody(BaseModel):
    detail: str


_ERRORS = {413: {"model": ErrorBody, "description": "The message, an earlier turn or the whole body is over its limit"},
           422: {"description": "Empty message, or a body that is not the JSON described here"},
           429: {"model": ErrorBody, "description": "Too many requests from this client; see Retry-After"},
           503: {"model": ErrorBody, "description": "The index is not ready; the detail names the repair command"}}


async def answer_over_http(service: AnswerService, message: str, history: list[dict]) -> Answer:
    """Answer off the event loop; map the assistant's errors to HTTP codes with the same words (shared by /v1)."""
    try:
        return await service.answer_in_thread(message, history)
    except MessageTooLong as error:
        raise HTTPException(413, str(error)) from error
    except BadInput as error:
        raise HTTPException(422, str(error)) from error
    except IndexNotReady as error:
        raise HTTPException(503, str(error)) from error


def build_router(service: AnswerService, settings: Settings, feedback: FeedbackStore | None = None,
                 limiter: RateLimiter | None = None) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["chat"])
    guarded = [Depends(origin_guard(settings.allowed_origins))]

    async def answered(body: ChatRequest) -> Answer:
        return await answer_over_http(service, body.message, [turn.model_dump() for turn in body.history])

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

    @router.post("/feedback", dependencies=guarded, summary="Vote 👍/👎 on an answer",
                 responses={**_ERRORS, 202: {"description": "Not saved yet: the vote is held and saved with the next "
                                                            "one (the detail says so)"},
                            404: {"model": ErrorBody, "description": "Feedback is switched off on this server"},
                            409: {"model": ErrorBody, "description": "The assistant no longer gives that answer"}})
    async def vote(body: FeedbackRequest) -> JSONResponse:
        """Stored in the same table as the chat page's votes (`source` tells them apart). 200 `{"saved": true}`;
        202 `{"saved": false, "detail"}` when the store cannot be written: the vote is kept and saved later."""
        if feedback is None or not feedback.enabled:
            raise HTTPException(404, "Feedback is switched off on this server (HIP_FEEDBACK_PATH=off).")
        answer = await answered(body)
        if answer.text != body.answer_text:
            raise HTTPException(409, "That answer is not the one the assistant gives now (the article was updated "
                                     "since). Ask again, then vote on the new answer.")
        try:
            await run_in_threadpool(feedback.record, body.vote, as_dict(answer), session=body.session_id,
                                    source=body.source)
        except FeedbackNotSaved as error:
            return JSONResponse({"saved": False, "detail": str(error)}, status_code=202)
        return JSONResponse({"saved": True})

    @router.get("/health", summary="Is the index loaded?", responses={503: _ERRORS[503]})
    async def health() -> dict:
        """`warnings`: what answers but needs a command run (e.g. a stale decline calibration); `feedback` says
        whether votes are being saved (`ok`) and how many wait in memory (`held`); `rate_limit` whether the limit
        counts in the shared store (`shared`), and whether that store answers (`ok`). None makes this a 503: the
        assistant answers without them."""
        try:
            status = await run_in_threadpool(service.health)
        except IndexNotReady as error:
            raise HTTPException(503, str(error)) from error
        if feedback is not None:
            status["feedback"] = feedback.status()
        if limiter is not None:
            status["rate_limit"] = await run_in_threadpool(limiter.status)  # pings Redis
        return status

    return router


class BodyLimitMiddleware:
    """ASGI middleware: a JSON 413 for a request body over `limit` bytes under `prefix`, before it is parsed.

    A declared `Content-Length` over the limit is refused without reading; a chunked body is counted as it
    arrives and refused once it passes the limit.
    """

    def __init__(self, app, limit: int = MAX_BODY_BYTES, max_message_chars: int = 2000,
                 prefix: str | tuple[str, ...] = API_PREFIXES):
        self.app, self.limit, self.prefix = app, limit, prefix
        self.detail = (f"The request is over {limit // 1024} KiB. Send one message of at most {max_message_chars} "
                       f"characters and at most {MAX_HISTORY_TURNS} earlier turns.")

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            await JSONResponse({"detail": self.detail}, status_code=413)(scope, receive, send)
            return
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise HTTPException(413, self.detail)  # FastAPI passes HTTPExceptions from the body read through
            return message

        await self.app(scope, counted, send)


def install_error_handlers(app: FastAPI) -> None:
    """422s that list what is wrong without echoing the input; unreadable bodies as 422; 500s as JSON."""

    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = []
        for problem in error.errors():
            msg = problem.get("msg", "Invalid value")
            if problem.get("type") == "json_invalid" and (problem.get("ctx") or {}).get("error"):
                msg = f"{msg}: {problem['ctx']['error']}"
            problems.append({"type": problem.get("type"), "loc": list(problem.get("loc", ())), "msg": msg})
        return JSONResponse({"detail": problems}, status_code=422)

    async def http_error(request: Request, error: StarletteHTTPException):
        if error.status_code == 400 and error.detail == _UNPARSABLE:
            return JSONResponse({"detail": 'The request body is not readable JSON: send UTF-8 JSON such as '
                                           '{"message": "how long should i ice my hip"} with Content-Type: '
                                           'application/json.'}, status_code=422)
        return await http_exception_handler(request, error)

    async def crashed(request: Request, error: Exception) -> JSONResponse:
        """Sent from outside every middleware (Starlette's last resort), so it sets their headers itself."""
        rid = request_id(request.scope)
        return JSONResponse({"detail": f"Something went wrong on our side (request id {rid}). Please try again; if "
                                       f"it keeps happening, quote the request id."},
                            status_code=500, headers={**headers_for(request.url.path), "X-Request-ID": rid})

    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, crashed)
