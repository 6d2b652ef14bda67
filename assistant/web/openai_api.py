"""The OpenAI-compatible API under /v1: a thin face over `AnswerService` for clients that speak OpenAI's chat API.

    GET  /v1/models              one model, `hip-pain-article`, in OpenAI's list shape
    GET  /v1/models/{model}      that model, or 404
    POST /v1/chat/completions    a `chat.completion`, or with `"stream": true` server-sent `chat.completion.chunk`s
                                 (one per sentence, then the sources, then the finish) ending in `data: [DONE]`

How a request is read: the last user message is the question and the earlier user messages are the history,
exactly as `POST /api/chat` reads `message` and `history`. Assistant messages are ignored (the server never
trusts answer text a client sends back), and so are system and developer messages: no prompt can lift the
red-flag guard or the article-only rule. Content may be a string or a list of `text` parts. Sampling parameters
(`temperature`, `max_tokens`, `top_p`, `seed`, `stop`, `user`, …) are accepted and ignored: answers are quoted,
not sampled. What cannot be honoured is refused with a 400 naming the parameter: `n` > 1, `tools`/`functions`,
a `response_format` other than text, `logprobs`, and non-text content parts.

The reply's `content` is the answer with its `[n]` markers and a "Sources:" list (section and quote), so a plain
chat front-end shows the citations. The structured answer — exactly what `POST /api/chat` returns: `status`
(answered | declined | red_flag), `citations`, `red_flags`, … — travels in the extra top-level field `answer`
(of the completion, and of the stream's last chunk). `usage` counts words and punctuation marks (there is no
generating model and so no tokens): the user messages read as the prompt, the content as the completion.

Any API key is accepted (OpenAI's clients insist on one): the app has no users to tell apart. Authentication
would go in `build_router`, as one more dependency in `guarded` next to the origin check. The same origin check,
rate limit, body-size limit and security headers as /api apply (`web.API_PREFIXES`); errors come in OpenAI's
shape `{"error": {"message", "type", "param", "code"}}` with the assistant's own words (`OpenAIErrorMiddleware`),
so OpenAI's clients raise their typed errors (`openai.RateLimitError`, …) with that message. (An unexpected 500
keeps the app's `{"detail"}`: Starlette sends it from outside every middleware. OpenAI's clients still raise
`InternalServerError`.)
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import MutableHeaders

from ..models import Answer
from ..render import as_dict
from ..settings import Settings
from .api import answer_over_http
from .logs import request_id
from .origins import origin_guard
from .service import AnswerService

PREFIX = "/v1"
MODEL_ID = "hip-pain-article"
MODEL_CREATED = 1711411200  # 2024-03-26, the article's publication date: `created` must be a Unix time
_WORDS = re.compile(r"\w+|[^\w\s]")


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")  # image_url, input_audio, file …: refused by name in `read_messages`
    type: str
    text: str | None = None


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")  # name, tool_calls, refusal …: not read
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")
    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """OpenAI's request body; fields not named here (temperature, max_tokens, …) are accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: str = Field(..., examples=[MODEL_ID])
    messages: list[Message] = Field(..., min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    n: int | None = None
    tools: list | None = None
    functions: list | None = None
    response_format: dict | None = None
    logprobs: bool | None = None


def refuse(param: str, message: str) -> HTTPException:
    """A 400 in OpenAI's shape (via `OpenAIErrorMiddleware`) for a parameter this server cannot honour."""
    return HTTPException(400, {"message": message, "param": param, "code": "unsupported_parameter"})


def check_supported(body: ChatCompletionRequest) -> None:
    if body.model != MODEL_ID:
        raise HTTPException(404, {"message": f"The model '{body.model}' does not exist here. This server has one "
                                             f"model: '{MODEL_ID}' (GET /v1/models).",
                                  "param": "model", "code": "model_not_found"})
    if body.n not in (None, 1):
        raise refuse("n", "Only one choice per request is supported (n=1): answers are quoted, not sampled, so "
                          "every choice would be the same.")
    if body.tools or body.functions:
        raise refuse("tools" if body.tools else "functions",
                     "Tools and functions are not supported: this model only answers from the article.")
    if body.response_format and body.response_format.get("type", "text") != "text":
        raise refuse("response_format", "Only text responses are supported; the structured answer is in the "
                                        "response's `answer` field.")
    if body.logprobs:
        raise refuse("logprobs", "Log probabilities are not available: answers are quoted, not sampled.")


def text_of(message: Message, index: int) -> str:
    if message.content is None or isinstance(message.content, str):
        return message.content or ""
    for part in message.content:
        if part.type != "text":
            raise refuse(f"messages[{index}].content", f"Only text content is supported, not '{part.type}'.")
    return "\n".join(part.text or "" for part in message.content)


def read_messages(messages: list[Message]) -> tuple[str, list[dict]]:
    """The question (the last user message) and the history (the earlier user messages), as /api/chat takes them."""
    users = [text_of(message, i) for i, message in enumerate(messages) if message.role == "user"]
    if not users:
        raise HTTPException(422, {"message": "There is no user message: send the question as the last message "
                                             'with role "user".', "param": "messages"})
    return users[-1], [{"role": "user", "content": text} for text in users[:-1]]


def sources(answer: Answer) -> str:
    """The citations as plain text (and Markdown) for chat front-ends: section and quote, and the study if any."""
    if not answer.citations:
        return ""
    lines = ["\n\nSources:"]
    for c in answer.citations:
        studies = "".join(f" — rests on {ref.citation}" + (f" <{ref.link}>" if ref.link and ref.link not in
                                                             ref.citation else "") for ref in c.references)
        quote = " ".join(c.quote.split())  # a quoted list on one line, so it stays inside its Markdown item
        lines.append(f"- [{c.number}] {' > '.join(c.heading_path[1:] or c.heading_path)}: “{quote}”{studies}")
    return "\n".join(lines)


def pieces(answer: Answer) -> list[str]:
    """`answer.text` cut before each sentence (and the space, line break or list dash leading into it): one piece
    per sentence with its `[n]` markers, joining back to exactly `answer.text`."""
    text, cuts, cursor = answer.text, [0], 0
    for sentence in answer.sentences:
        at = text.find(sentence.text, cursor)
        if at < 0:
            continue
        lead = re.search(r"(?:\s*\n- |\s+)$", text[cursor:at])
        cuts.append(at - len(lead.group()) if lead else at)
        cursor = at + len(sentence.text)
    cuts.append(len(text))
    return [text[start:end] for start, end in zip(cuts, cuts[1:]) if end > start]


def count(text: str) -> int:
    return len(_WORDS.findall(text))


def usage(question: str, history: list[dict], content: str) -> dict:
    prompt = count(question) + sum(count(turn["content"]) for turn in history)
    completion = count(content)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def build_router(service: AnswerService, settings: Settings) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["OpenAI-compatible"])
    guarded = [Depends(origin_guard(settings.allowed_origins))]
    model = {"id": MODEL_ID, "object": "model", "created": MODEL_CREATED, "owned_by": "hip-assistant"}

    @router.get("/models", dependencies=guarded, summary="The one model (OpenAI's list shape)")
    async def models() -> dict:
        return {"object": "list", "data": [model]}

    @router.get("/models/{model_id}", dependencies=guarded, summary="One model, by id")
    async def one_model(model_id: str) -> dict:
        if model_id != MODEL_ID:
            raise HTTPException(404, {"message": f"The model '{model_id}' does not exist here; the one model is "
                                                 f"'{MODEL_ID}'.", "param": "model", "code": "model_not_found"})
        return model

    @router.post("/chat/completions", dependencies=guarded, summary="Answer the last user message, OpenAI-style",
                 responses={200: {"content": {"text/event-stream": {}}, "description": "A `chat.completion`, or "
                                  "`chat.completion.chunk` events when `stream` is true"}})
    async def chat_completions(body: ChatCompletionRequest, request: Request):
        """The answer as OpenAI's `chat.completion` (or its stream), with the sources block in the content and the
        structured answer in `answer`. Errors arrive as HTTP errors before any stream starts."""
        check_supported(body)
        question, history = read_messages(body.messages)
        answer = await answer_over_http(service, question, history)
        completion_id, created = f"chatcmpl-{request_id(request.scope)}", int(time.time())  # the id names its log line

        def head(kind: str) -> dict:
            return {"id": completion_id, "object": kind, "created": created, "model": MODEL_ID,
                    "system_fingerprint": None}

        content = answer.text + sources(answer)
        if not body.stream:
            message = {"role": "assistant", "content": content, "refusal": None, "annotations": []}
            return {**head("chat.completion"),
                    "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}],
                    "usage": usage(question, history, content), "answer": as_dict(answer)}

        def chunk(delta: dict, finish: str | None = None, **extra) -> str:
            data = {**head("chat.completion.chunk"),
                    "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}], **extra}
            return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

        def events() -> Iterator[str]:
            yield chunk({"role": "assistant", "content": ""})
            for piece in [*pieces(answer), sources(answer)]:
                if piece:
                    yield chunk({"content": piece})
            yield chunk({}, "stop", answer=as_dict(answer))
            if body.stream_options and body.stream_options.include_usage:
                yield chunk({}, choices=[], usage=usage(question, history, content))
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"X-Accel-Buffering": "no"})  # proxies: pass each chunk on at once

    return router


# OpenAI's error `type` and a default `code` per status; a route may name its own `code` and `param`.
_ERROR_KINDS = {400: ("invalid_request_error", "invalid_request"),
                403: ("invalid_request_error", "origin_not_allowed"),
                404: ("invalid_request_error", "not_found"),
                405: ("invalid_request_error", "method_not_allowed"),
                413: ("invalid_request_error", "request_too_large"),
                422: ("invalid_request_error", "invalid_request"),
                429: ("requests", "rate_limit_exceeded"),  # OpenAI's own type for a request-rate limit
                503: ("server_error", "not_ready")}


def openai_error(status: int, detail) -> dict:
    """`{"detail": …}` as FastAPI and the app's middleware write it → OpenAI's `{"error": {…}}`, same words."""
    kind, code = _ERROR_KINDS.get(status, ("server_error" if status >= 500 else "invalid_request_error", None))
    error = {"message": str(detail), "type": kind, "param": None, "code": code}
    if isinstance(detail, dict):
        error.update(detail)
    elif isinstance(detail, list):  # validation problems: [{type, loc, msg}], the input not echoed
        where = ["" if problem.get("type") == "json_invalid" else  # its loc is a character position
                 ".".join(str(part) for part in problem.get("loc", ())[1:]) for problem in detail]
        error["message"] = "; ".join(f"{at}: {problem.get('msg')}" if at else str(problem.get("msg"))
                                     for at, problem in zip(where, detail))
        error["param"] = where[0] if where and where[0] else None
    return {"error": error}


class OpenAIErrorMiddleware:
    """ASGI middleware: under /v1/, every JSON error — the routes', validation's, the origin check's, the rate
    limit's and the body limit's — is rewritten into OpenAI's shape; the status and headers (Retry-After) stay."""

    def __init__(self, app, prefix: str = PREFIX + "/"):
        self.app, self.prefix = app, prefix

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        start, body = None, b""

        async def send_openai(message) -> None:
            nonlocal start, body
            if message["type"] == "http.response.start" and message["status"] >= 400 \
                    and MutableHeaders(scope=message).get("content-type", "").startswith("application/json"):
                start = message  # held until the body is complete
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            body += message.get("body", b"")
            if message.get("more_body"):
                return
            try:
                data = json.loads(body)
            except ValueError:
                data = None
            if isinstance(data, dict) and "detail" in data:
                body = json.dumps(openai_error(start["status"], data["detail"]), ensure_ascii=False).encode()
                MutableHeaders(scope=start)["content-length"] = str(len(body))
            await send(start)
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, send_openai)
