"""The assistant as a LangChain runnable, for a user's own chain: `Assistant().chain`.

    chain = Assistant().chain
    chain.invoke("how long should i ice my hip")                                # → Answer
    chain.invoke({"question": "which ones?", "history": [{"role": "user", "content": "…"}]})
    chain.batch([...]); await chain.ainvoke(...)                                # LangChain's defaults
    for chunk in chain.stream("…"): ...                                         # AnswerSentence…, then the Answer

It answers through `Assistant.answer`, as the CLI, the API and the page do: the input is cleaned and checked
first (control characters removed, lengths within `HIP_MAX_MESSAGE_CHARS`; `BadInput` / `MessageTooLong`
otherwise), the red-flag guard runs before anything else, and a repeated question comes from the same cache.

The output is the `Answer` dataclass every face shares, not its JSON: a caller gets `.status`, `.text` (with
`[n]` markers) and typed `.citations`, and `assistant.render.as_dict(answer)` is the JSON the API sends when
one is needed. Pydantic derives `output_schema` from that dataclass, so the schema cannot drift from it.
`stream` hands out the answer's sentences, then the whole answer, like `POST /api/chat/stream`: the answer is
made whole first (the guard and the verifier need all of it), so streaming only paces the display.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.runnables import Runnable, RunnableConfig
from pydantic import BaseModel, Field, ValidationError

from .errors import BadInput
from .models import Answer, AnswerSentence

if TYPE_CHECKING:
    from .chain import Assistant

SHAPE = 'Ask with a question (a string) or {"question": "…", "history": [{"role": "user", "content": "…"}, …]}'


class ChatTurn(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class Question(BaseModel):
    question: str = Field(description="The user's question (at most `HIP_MAX_MESSAGE_CHARS` characters).",
                          examples=["how long should i ice my hip"])
    history: list[ChatTurn] = Field(default_factory=list,
                                    description="Earlier turns, oldest first; only the user's turns are used, the "
                                                "latest `HIP_MAX_HISTORY_TURNS` (20) of them.")


def as_question(value: Any) -> Question:
    """A string or a `{"question", "history"}` mapping as a `Question`; anything else is `BadInput` saying why."""
    if isinstance(value, str):
        return Question(question=value)
    try:
        return Question.model_validate(value)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, p['loc'])) or 'input'}: {p['msg']}" for p in error.errors())
        raise BadInput(f"{SHAPE} — {problems}.") from None  # the offending input is not echoed back


class AnswerRunnable(Runnable[str | Question, Answer]):
    """`Assistant.answer` as a runnable: a question or `{question, history}` in, an `Answer` out."""

    name = "HipPainAssistant"

    def __init__(self, assistant: Assistant):
        self.assistant = assistant

    def _answer(self, value: str | Question | dict) -> Answer:
        question = as_question(value)
        return self.assistant.answer(question.question, [turn.model_dump() for turn in question.history])

    def invoke(self, input: str | Question | dict, config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        return self._call_with_config(self._answer, input, config, **kwargs)

    def stream(self, input: str | Question | dict, config: RunnableConfig | None = None,
               **kwargs: Any) -> Iterator[AnswerSentence | Answer]:
        answer = self.invoke(input, config, **kwargs)
        yield from answer.sentences
        yield answer

    async def astream(self, input: str | Question | dict, config: RunnableConfig | None = None,
                      **kwargs: Any) -> AsyncIterator[AnswerSentence | Answer]:
        answer = await self.ainvoke(input, config, **kwargs)
        for chunk in (*answer.sentences, answer):
            yield chunk
