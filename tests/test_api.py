"""The HTTP API: the main paths on a real uvicorn server (`live_app`), the many 4xx cases through TestClient."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.web.app import create_app
from assistant.chain import Assistant
from assistant.engine import Engine
from assistant.settings import Settings
from assistant.web.ratelimit import RateLimiter
from live_server import read_events

pytestmark = pytest.mark.slow

ICE = "how long should i ice my hip"
FALL = "i fell on my hip and cant walk"


@pytest.fixture(scope="module")
def http(live_app):
    with httpx.Client(base_url=live_app.url, timeout=30) as client:
        yield client


# -- a real server ------------------------------------------------------------------------------------------------
def test_health_reports_the_loaded_index(http, engine):
    response = http.get("/api/health")
    assert response.status_code == 200
    assert response.json()["chunks"] == len(engine.chunks)


def test_chat_answers_with_citations_that_point_into_the_article(http, engine):
    response = http.post("/api/chat", json={"message": ICE, "session_id": "t-1"})
    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "answered"
    assert "20 minutes" in answer["text"] and "[1]" in answer["text"]
    for citation in answer["citations"]:
        assert engine.document.text[citation["start"]:citation["end"]] == citation["quote"]
        offset = citation["start"] - citation["passage_start"]
        assert citation["passage"][offset:offset + len(citation["quote"])] == citation["quote"]


def test_chat_follows_up_with_history(http):
    history = [{"role": "user", "content": ICE}, {"role": "assistant", "content": "Apply ice. [1]"}]
    answer = http.post("/api/chat", json={"message": "and how often?", "history": history}).json()
    assert answer["status"] == "answered"
    assert "several times per day" in answer["text"]


def test_red_flag_question_gets_the_see_a_doctor_reply(http):
    answer = http.post("/api/chat", json={"message": FALL}).json()
    assert answer["status"] == "red_flag"
    assert "see a doctor" in answer["message"].lower()
    assert {flag["category"] for flag in answer["red_flags"]}


def test_stream_sends_one_event_per_sentence_then_the_whole_answer(http):
    with http.stream("POST", "/api/chat/stream", json={"message": ICE}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        response.read()
    events = read_events(response.text)
    *sentences, (last, answer) = events
    assert last == "answer"
    assert {name for name, _ in sentences} == {"sentence"}
    assert [data["text"] for _, data in sentences] == [s["text"] for s in answer["sentences"]]
    assert answer["status"] == "answered" and answer["citations"]


def test_stream_reports_errors_as_http_errors_before_streaming(http):
    response = http.post("/api/chat/stream", json={"message": "   "})
    assert response.status_code == 422
    assert "empty" in response.json()["detail"]


def test_openapi_docs_list_the_endpoints(http):
    paths = http.get("/openapi.json").json()["paths"]
    assert {"/api/chat", "/api/chat/stream", "/api/health"} <= set(paths)
    assert "text/event-stream" in paths["/api/chat/stream"]["post"]["responses"]["200"]["content"]
    assert http.get("/docs").status_code == 200


def test_page_and_widget_are_served(http):
    page = http.get("/")
    assert page.status_code == 200 and "gradio" in page.text.lower()
    widget = http.get("/widget.js")
    assert widget.status_code == 200
    assert widget.headers["content-type"].startswith("text/javascript")
    assert "attachShadow" in widget.text and "innerHTML" not in widget.text


def test_cors_lets_the_listed_origin_read_answers(http, live_app):
    preflight = http.options("/api/chat", headers={"Origin": live_app.host_origin,
                                                   "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == live_app.host_origin
    real = http.post("/api/chat", json={"message": ICE}, headers={"Origin": live_app.host_origin})
    assert real.status_code == 200
    assert real.headers["access-control-allow-origin"] == live_app.host_origin


def test_cors_refuses_an_unlisted_origin(http):
    preflight = http.options("/api/chat", headers={"Origin": "https://evil.example",
                                                   "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    real = http.post("/api/chat", json={"message": ICE}, headers={"Origin": "https://evil.example"})
    assert real.status_code == 403
    assert "access-control-allow-origin" not in real.headers
    assert "HIP_ALLOWED_ORIGINS" in real.json()["detail"]


# -- TestClient: the app in-process, for the 4xx, 429 and 503 cases ----------------------------------------------------
@pytest.fixture(scope="module")
def assistant(engine) -> Assistant:
    return Assistant(engine)


def make_client(built_settings, assistant=None, **overrides) -> TestClient:
    settings = built_settings.model_copy(update={"feedback_path": None, **overrides})
    return TestClient(create_app(settings, assistant))


@pytest.fixture(scope="module")
def client(built_settings, assistant):
    return make_client(built_settings, assistant, rate_limit_per_minute=0)


TOO_LONG = "a" * 2001


@pytest.mark.parametrize("body, status, says", [
    ({"message": ""}, 422, "The question is empty"),
    ({"message": "   "}, 422, "The question is empty"),
    ({"message": TOO_LONG}, 413, "the limit is 2000"),
    ({"message": 5}, 422, "valid string"),
    ({"history": []}, 422, "Field required"),
    ({"message": "hi", "history": "earlier"}, 422, "valid list"),
    ({"message": "hi", "history": [{"role": "doctor", "content": "x"}]}, 422, "'user' or 'assistant'"),
    ({"message": "hi", "session_id": "x" * 129}, 422, "at most 128 characters"),
], ids=["empty", "blank", "too-long", "not-a-string", "no-message", "history-not-a-list", "bad-role",
        "long-session-id"])
@pytest.mark.parametrize("path", ["/api/chat", "/api/chat/stream"])
def test_bad_requests_get_a_clear_4xx(client, path, body, status, says):
    response = client.post(path, json=body)
    assert response.status_code == status
    assert says in json.dumps(response.json()["detail"])


@pytest.mark.parametrize("content, headers, status", [
    (b'{"message": "hi"', {"content-type": "application/json"}, 422),          # malformed JSON
    (b'{"message": "hi"}', {"content-type": "text/plain"}, 422),               # not declared as JSON
    (b"[1, 2]", {"content-type": "application/json"}, 422),                   # JSON, but not an object
    (b'{"message": "' + b"a" * 300_000 + b'"}', {"content-type": "application/json"}, 413),  # over the body cap
], ids=["malformed", "text-plain", "array", "huge-body"])
def test_malformed_bodies_are_refused(client, content, headers, status):
    assert client.post("/api/chat", content=content, headers=headers).status_code == status


def test_same_origin_requests_need_no_listing(client):
    response = client.post("/api/chat", json={"message": ICE}, headers={"Origin": "http://testserver"})
    assert response.status_code == 200


def test_missing_index_answers_503_with_the_repair_command(tmp_path, embedder):
    settings = Settings(index_dir=tmp_path / "no-index", feedback_path=None)
    client = TestClient(create_app(settings, Assistant(Engine(settings, embedder=embedder))))
    for response in (client.get("/api/health"), client.post("/api/chat", json={"message": ICE}),
                     client.post("/api/chat/stream", json={"message": FALL})):
        assert response.status_code == 503
        assert "python -m assistant index" in response.json()["detail"]


def test_over_the_rate_limit_answers_429_with_retry_after(built_settings, assistant):
    client = make_client(built_settings, assistant, rate_limit_per_minute=3, allowed_origins=["https://shop.example"])
    origin = {"Origin": "https://shop.example"}
    assert [client.post("/api/chat", json={"message": ""}, headers=origin).status_code for _ in range(3)] == [422] * 3
    refused = client.post("/api/chat", json={"message": ICE}, headers=origin)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert "3 per minute" in refused.json()["detail"]
    assert refused.headers["access-control-allow-origin"] == "https://shop.example"  # the widget can read why
    assert client.get("/api/health").status_code == 200  # health checks are not counted


def test_rate_limiter_allows_the_next_request_after_retry_after():
    limiter = RateLimiter(2, window_seconds=1)  # `limits`' memory storage reads the real clock: a 1 s window
    assert limiter.hit("a") == 0 and limiter.hit("a") == 0
    wait = limiter.hit("a")
    assert 0 < wait <= 1
    assert limiter.hit("b") == 0  # per client
    time.sleep(limiter.retry_after(wait))  # what a client that honours Retry-After does
    assert limiter.hit("a") == 0


def test_rate_limit_is_per_minute_and_zero_switches_it_off():
    limiter = RateLimiter(1)
    assert limiter.hit("a") == 0
    assert 0 < limiter.hit("a") <= 60 and limiter.describe() == "1 per minute"
    off = RateLimiter(0)
    assert not off.enabled and all(off.hit("a") == 0 for _ in range(5))


def test_the_chat_page_events_spend_the_same_budget_as_the_api(built_settings, assistant):
    client = make_client(built_settings, assistant, rate_limit_per_minute=2)
    for _ in range(2):  # a page event whose body Gradio refuses still ran through the limit
        assert client.post("/gradio_api/queue/join", json={}).status_code != 429
    assert client.post("/api/chat", json={"message": ""}).status_code == 429
    refused = client.post("/gradio_api/queue/join", json={})
    assert refused.status_code == 429 and "2 per minute" in refused.json()["detail"]  # the page shows the detail
    assert int(refused.headers["retry-after"]) >= 1
    assert client.get("/").status_code == 200 and client.get("/config").status_code == 200  # the page still loads
    assert client.get("/api/health").json()["rate_limit"] == {"enabled": True, "storage": "memory", "shared": False,
                                                             "ok": True}


def test_allowed_origins_accept_a_comma_list_or_json(monkeypatch):
    monkeypatch.setenv("HIP_ALLOWED_ORIGINS", "https://a.example, https://b.example/")
    assert Settings().allowed_origins == ["https://a.example", "https://b.example"]
    monkeypatch.setenv("HIP_ALLOWED_ORIGINS", '["https://c.example"]')
    assert Settings().allowed_origins == ["https://c.example"]
    monkeypatch.delenv("HIP_ALLOWED_ORIGINS")
    assert Settings().allowed_origins == []


def test_a_serving_process_gives_each_request_one_blas_thread(built_settings, assistant):
    """Requests already run side by side; OpenBLAS splitting each numpy product over every core again made 32
    concurrent clients several times slower (`bench/serve_setting.py HIP_BLAS_THREADS 1 0`). HIP_BLAS_THREADS=0
    leaves OpenBLAS's own. Read from a new thread, as a request's worker thread would see it."""
    import threading

    from threadpoolctl import threadpool_info

    def blas_threads_in_a_new_thread() -> set[int]:
        seen: list[set[int]] = []
        reader = threading.Thread(target=lambda: seen.append(
            {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}))
        reader.start()
        reader.join()
        return seen[0]

    before = blas_threads_in_a_new_thread()  # one per core on this machine, unless an earlier app set it
    with make_client(built_settings, assistant, blas_threads=0, rate_limit_per_minute=0) as client:
        assert client.get("/api/health").status_code == 200 and blas_threads_in_a_new_thread() == before
    with make_client(built_settings, assistant, rate_limit_per_minute=0) as client:
        assert client.get("/api/health").status_code == 200 and blas_threads_in_a_new_thread() == {1}


def test_the_api_computes_at_most_answer_threads_answers_at_once_and_answers_every_request(built_settings, assistant):
    """Twelve clients at once with HIP_ANSWER_THREADS=3: never more than three answers are computed side by side
    (on two cores more only take turns on the GIL), and every client still gets its own answer."""
    import asyncio
    import threading

    client = make_client(built_settings, assistant, rate_limit_per_minute=0, answer_threads=3)
    service, lock, running, most = client.app.state.service, threading.Lock(), [0], [0]
    real_answer = service.answer

    def counted(question, history=()):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            time.sleep(0.05)  # long enough for the other clients' requests to arrive meanwhile
            return real_answer(question, history)
        finally:
            with lock:
                running[0] -= 1

    service.answer = counted

    async def twelve_clients() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
            return await asyncio.gather(*(http.post("/api/chat", json={"message": f"{ICE} ({i})"})
                                          for i in range(12)))

    replies = asyncio.run(twelve_clients())
    assert [r.status_code for r in replies] == [200] * 12
    assert all(r.json()["status"] == "answered" for r in replies)
    assert most[0] == 3
