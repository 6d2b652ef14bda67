"""The one `Assistant` a web process shares between the API and the page, built lazily and warmed up early.

While the index is missing or stale, every call raises `IndexNotReady` with the repair command; the
next call tries again, so a server started before `python -m assistant index` finished recovers on its
own, and a rebuild under a running server is picked up on the next request.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

import anyio
import anyio.to_thread

from .. import decline
from ..chain import Assistant
from ..errors import AssistantError
from ..models import Answer
from ..settings import Settings, get_settings

log = logging.getLogger(__name__)


class AnswerService:
    def __init__(self, settings: Settings | None = None, assistant: Assistant | None = None):
        settings = settings or get_settings()
        # a request embeds on one thread: requests already run side by side, and the cores are theirs
        self.settings = settings if settings.encoder_threads else settings.model_copy(update={"encoder_threads": 1})
        self._assistant = assistant
        self._lock = threading.Lock()
        self._threads: anyio.CapacityLimiter | None = None  # made on the event loop that first uses it

    @property
    def assistant(self) -> Assistant:
        with self._lock:
            if self._assistant is None:
                from ..engine import Engine

                self._assistant = Assistant(Engine(self.settings))
            return self._assistant

    async def answer_in_thread(self, question: str, history: Iterable = ()) -> Answer:
        """`answer` in a worker thread, at most `answer_threads` at once; the rest wait their turn. On two cores, more
        answers side by side only take turns on the GIL: at 32 clients, 4 at once against anyio's 40 answered 69.2
        against 61.6 a second with a p95 of 699 against 923 ms (`bench/serve_setting.py HIP_ANSWER_THREADS 4 40`)."""
        if self._threads is None:
            self._threads = anyio.CapacityLimiter(self.settings.answer_threads)
        return await anyio.to_thread.run_sync(self.answer, question, history, limiter=self._threads)

    def answer(self, question: str, history: Iterable = ()) -> Answer:
        """Blocking: call it from a worker thread (`run_in_threadpool`), never on the event loop. The assistant
        looks for a rebuilt index at most every 2 s, not on every request (a round trip to Chroma each)."""
        return self.assistant.answer(question, history)

    def health(self) -> dict:
        """Loads the index if needed, following a rebuild at once; raises `IndexNotReady` with the repair command
        when it cannot. `warnings` names what still answers but should be fixed (a stale decline calibration, a
        Chroma server that stopped after the index was loaded)."""
        engine = self.assistant.engine
        engine.generation  # noqa: B018 — loads on first use
        engine.follow_index(every_s=0)
        return {"status": "ok", "chunks": len(engine.chunks), "generation": engine.generation.name,
                "warnings": self.warnings()}

    def warnings(self) -> list[str]:
        engine = self.assistant.engine
        stale = decline.staleness(self.assistant.decline_model, (c.id for c in engine.chunks))
        return stale + ([engine.unreachable] if engine.unreachable else [])

    def warm_up_in_background(self) -> threading.Thread:
        """Load the index and the model now, so the first question does not wait for them."""
        def run():
            try:
                self.assistant.warm_up()
                log.info("Index and model loaded; ready to answer.")
                for warning in self.warnings():
                    log.warning(warning)
            except AssistantError as error:
                log.warning("Not ready yet: %s", error)

        thread = threading.Thread(target=run, name="warm-up", daemon=True)
        thread.start()
        return thread
