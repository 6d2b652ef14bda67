"""Chat page users are answered side by side, not one after another (Gradio's queue runs one job per event by
default). Driven with `gradio_client` through the page's own queue, as a browser would."""

from __future__ import annotations

import threading
import time

import pytest
from gradio_client import Client
from live_server import serve

pytestmark = pytest.mark.slow

SESSIONS = 8


def _ask_at_once(url: str, sessions: int) -> list[tuple[float, float, str]]:
    """Each session asks its own question at the same moment; returns, for each, when its first and its last
    partial update (sentences streamed, sources not yet shown) arrived, and its final HTML. Partial updates are
    sent while the answer streams. Not the pending card: one job after another, the next card is sent within
    milliseconds of the last partial's pause ending, closer than eight client threads on two cores stamp arrivals
    (a run of the one-at-a-time case counted two at once that way); the next first partial comes only after its
    answer is computed."""
    clients = [Client(url, verbose=False) for _ in range(sessions)]
    start = threading.Barrier(sessions)
    seen: list[tuple[float, float, str] | None] = [None] * sessions

    def session(i: int) -> None:
        updates = []  # (arrival, HTML of the answer bubble), as they stream in
        start.wait()
        for outputs in clients[i].submit(f"how long should i ice my hip? ({i})", [], api_name="/page_ask"):
            if outputs[1]:
                updates.append((time.monotonic(), outputs[1][-1]["content"][0]["text"]))
        partial = [at for at, html in updates[1:] if "hip-sources" not in html]  # after the pending card
        assert len(partial) > 1, "the page streamed no partial answer"
        seen[i] = (partial[0], partial[-1], updates[-1][1])

    threads = [threading.Thread(target=session, args=(i,)) for i in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [s for s in seen if s is not None]


def _most_at_once(intervals: list[tuple[float, float, str]]) -> int:
    """The largest number of answers that were streaming (first partial shown, last partial not yet) at once."""
    events = sorted([(first, 1) for first, _, _ in intervals] + [(last, -1) for _, last, _ in intervals])
    running = most = 0
    for _, step in events:
        running += step
        most = max(most, running)
    return most


@pytest.mark.parametrize("concurrency, overlapping", [(1, False), (16, True)])
def test_page_answers_run_concurrently(built_settings, tmp_path, concurrency, overlapping):
    """With HIP_PAGE_CONCURRENCY=16 (the default) eight page users' answers stream at the same time; with 1 they
    would stream one after another. Every user gets the whole answer with its source either way."""
    app = serve({"HIP_INDEX_DIR": str(built_settings.index_dir), "HIP_FEEDBACK_PATH": "off",
                 "HIP_RATE_LIMIT_PER_MINUTE": "0", "HIP_PAGE_CONCURRENCY": str(concurrency)}, tmp_path / "app.log")
    try:
        answers = _ask_at_once(app.url, SESSIONS)
    finally:
        app.stop()
    assert len(answers) == SESSIONS
    assert all("20 minutes" in html and "hip-sources" in html for _, _, html in answers)
    assert (_most_at_once(answers) > 1) is overlapping, _most_at_once(answers)
