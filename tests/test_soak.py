"""A private server (`python -m assistant serve` on 127.0.0.1, rate limit off, feedback off, network guarded):
a bounded soak with many concurrent conversations, and the page with feedback switched off.

The soak: `HIP_SOAK_REQUESTS` requests (1,000 by default; 5,000 for the full run) from `HIP_SOAK_SESSIONS` (32)
concurrent sessions, each a user with their own conversations, stopped by a deadline either way. Each
session's answers are checked against answers fetched one at a time beforehand, so an answer or a history that
crossed from one session to another would show: the same follow-up has a different answer for every topic,
and one in five messages is unique to its session and must come back with its own words.

    HIP_SOAK_REQUESTS=5000 .venv/bin/python -m pytest tests/test_soak.py -s
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time

import httpx
import pytest

from live_server import ask_on_page, chromium, serve, watched_page

pytestmark = pytest.mark.slow

REQUESTS = int(os.environ.get("HIP_SOAK_REQUESTS", "1000"))
SESSIONS = int(os.environ.get("HIP_SOAK_SESSIONS", "32"))
DEADLINE_S = float(os.environ.get("HIP_SOAK_SECONDS", str(60 + REQUESTS * 0.05)))
# The first requests grow the server by ~100 MiB (measured: 662 → 768 MiB over the first 500): 32 worker threads
# running the model, their allocator arenas, the answer cache filling. After that memory must stay flat; measured
# over 4,500 more requests: +43 MiB in all, in steps of 1 MiB and one of 32 MiB (an allocator arena).
WARM_UP = min(500, REQUESTS // 2)
RSS_GROWTH_LIMIT_MIB = 64
TOPICS = ["how long should i ice my hip", "what stretches help hip pain", "how fast can i increase my mileage",
          "when should i see a doctor", "what pain relievers can i take",
          "what causes pain on the outside of my hip", "how do i warm up before a run"]
FOLLOW_UP = "what else?"  # an answer of its own after every topic ("and how often?" is now declined after three:
# the article gives no frequency for pain relievers, warm-ups or the causes of outer-hip pain)


@pytest.fixture(scope="module")
def server(built_settings, tmp_path_factory):
    log = tmp_path_factory.mktemp("soak") / "server.log"
    served = serve({"HIP_INDEX_DIR": str(built_settings.index_dir), "HIP_RATE_LIMIT_PER_MINUTE": "0",
                    "HIP_FEEDBACK_PATH": "off"}, log)
    yield served
    served.stop()
    assert "BLOCKED NETWORK" not in served.log(), "the app tried to reach another machine"


def conversation(session: int, number: int, references: dict) -> list[tuple[str, list, str, str | None]]:
    """(message, history, expected status, expected text or None) for one conversation of one session."""
    if number % 5 == 3:  # unique to this session: a red flag in its own words
        return [(f"i fell on my hip and cant walk (runner {session}-{number})", [], "red_flag", None)]
    if number % 5 == 4:  # unique, and through the whole chain: retrieval, then a decline
        return [(f"what is the capital of france, asks runner {session}-{number}?", [], "declined", None)]
    topic = TOPICS[(session + number) % len(TOPICS)]
    first, follow = references[(topic, False)], references[(topic, True)]
    history = [{"role": "user", "content": topic}, {"role": "assistant", "content": first["text"]}]
    return [(topic, [], first["status"], first["text"]), (FOLLOW_UP, history, follow["status"], follow["text"])]


async def soak(url: str, references: dict, requests: int, deadline: float, first: int = 0) -> dict:
    """Run the sessions until `requests` answers came back or the deadline passed; every problem is collected.
    Conversations are numbered from `first`, so a second run goes on where the first stopped."""
    done, problems, latencies = 0, [], []

    async def session(number: int) -> None:
        nonlocal done
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            for talk in range(first, 10**9):
                for message, history, status, text in conversation(number, talk, references):
                    if done >= requests or time.monotonic() > deadline:
                        return
                    done += 1
                    started = time.perf_counter()
                    try:
                        response = await client.post("/api/chat", json={"message": message, "history": history,
                                                                        "session_id": f"soak-{number}"})
                    except httpx.HTTPError as error:
                        problems.append(f"session {number}: {type(error).__name__}: {error}")
                        continue
                    latencies.append(time.perf_counter() - started)
                    if response.status_code != 200:
                        problems.append(f"session {number}: HTTP {response.status_code} {response.text[:200]}")
                        continue
                    answer = response.json()
                    if answer["question"] != message or answer["status"] != status or \
                            (text is not None and answer["text"] != text):
                        problems.append(f"session {number} asked {message!r} with {len(history)} turns and got "
                                        f"{answer['status']} to {answer['question']!r}: {answer['text'][:80]!r}")

    started = time.monotonic()
    await asyncio.gather(*(session(number) for number in range(SESSIONS)))
    return {"requests": done, "answered": len(latencies), "problems": problems,
            "seconds": time.monotonic() - started, "latencies": sorted(latencies)}


def test_soak_many_sessions_no_errors_no_crosstalk_bounded_memory(server):
    with httpx.Client(base_url=server.url, timeout=60) as client:  # the expected answers, one request at a time
        references = {}
        for topic in TOPICS:
            first = client.post("/api/chat", json={"message": topic}).json()
            history = [{"role": "user", "content": topic}, {"role": "assistant", "content": first["text"]}]
            references[(topic, False)] = first
            references[(topic, True)] = client.post("/api/chat", json={"message": FOLLOW_UP,
                                                                        "history": history}).json()
    follow_ups = {references[(topic, True)]["text"] for topic in TOPICS}
    assert len(follow_ups) == len(TOPICS), "each topic's follow-up must have its own answer, or crosstalk could hide"

    deadline = time.monotonic() + DEADLINE_S
    warm_up = WARM_UP
    rss_before = server.rss_mib()
    first = asyncio.run(soak(server.url, references, warm_up, deadline))
    rss_warm = server.rss_mib()
    rest = asyncio.run(soak(server.url, references, REQUESTS - warm_up, deadline, first=1000))
    rss_after = server.rss_mib()

    done, answered = first["requests"] + rest["requests"], len(first["latencies"]) + len(rest["latencies"])
    problems, seconds = first["problems"] + rest["problems"], first["seconds"] + rest["seconds"]
    latencies = sorted(first["latencies"] + rest["latencies"])
    summary = (f"{done} requests from {SESSIONS} sessions in {seconds:.1f} s ({done / seconds:.0f}/s), "
               f"{len(problems)} problems; latency p50 {statistics.median(latencies) * 1000:.0f} ms, p95 "
               f"{latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms; server RSS "
               f"{rss_before:.0f} MiB before, {rss_warm:.0f} after the first {warm_up}, {rss_after:.0f} at the end")
    print("\nsoak:", summary)
    assert not problems, "\n".join([summary, *problems[:20]])
    assert done == answered == REQUESTS, f"stopped by the deadline ({DEADLINE_S:.0f} s): " + summary
    assert rss_after - rss_warm < RSS_GROWTH_LIMIT_MIB, summary
    assert "cant walk" not in server.log() and "capital of france" not in server.log()  # no message text in logs


@pytest.mark.browser
def test_page_with_feedback_off_has_no_thumbs_and_works_under_its_policy(server):
    from playwright.sync_api import expect

    with chromium() as browser:
        context, page = watched_page(browser)
        page.goto(server.url)
        reply = ask_on_page(page, "how long should i ice my hip")
        expect(reply).to_contain_text("20 minutes")
        reply.hover()
        expect(page.get_by_role("button", name="Like")).to_have_count(0)
        expect(page.get_by_role("button", name="Dislike")).to_have_count(0)
        assert page.evaluate("window.__csp") == [] and page.errors == []
        assert all(url.startswith((server.url, "data:", "blob:")) for url in page.requests), page.requests
        context.close()
