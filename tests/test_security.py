"""Security headers, request ids, logs without health details, telemetry off, feedback switchable off.

Mostly against the real server (`live_app`); the page's Content-Security-Policy is checked in Chromium, where it
must let the Gradio page work while blocking framing by other sites.
"""

from __future__ import annotations

import os
import re
import uuid

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.web.app import create_app
from assistant.chain import Assistant
from assistant.settings import Settings
from live_server import ask_on_page, chromium, wait_for, watched_page

pytestmark = pytest.mark.slow

ICE = "how long should i ice my hip"


@pytest.fixture(scope="module")
def http(live_app):
    with httpx.Client(base_url=live_app.url, timeout=60) as client:
        yield client


# -- headers --------------------------------------------------------------------------------------------------------
def assert_common(headers) -> None:
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert "microphone=()" in headers["permissions-policy"]
    assert headers["x-request-id"]


@pytest.mark.parametrize("path", ["/", "/config", "/gradio_api/info", "/widget.js"])
def test_the_page_and_its_resources_may_only_be_framed_by_the_app_itself(http, path):
    response = http.get(path)
    assert response.status_code == 200
    assert_common(response.headers)
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in csp and "default-src 'self'" in csp and "object-src 'none'" in csp
    assert "unsafe-eval" not in csp and "https:" not in csp  # no third-party script, font or connection
    assert response.headers["x-frame-options"] == "SAMEORIGIN"


def test_the_widget_script_can_be_loaded_by_other_sites(http, live_app):
    response = http.get("/widget.js", headers={"Origin": live_app.host_origin})
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers.get("cross-origin-resource-policy", "cross-origin") == "cross-origin"


@pytest.mark.parametrize("method, path, body, status", [
    ("GET", "/api/health", None, 200),
    ("POST", "/api/chat", {"message": ICE}, 200),
    ("POST", "/api/chat/stream", {"message": ICE}, 200),
    ("POST", "/api/chat", {"message": ""}, 422),
    ("POST", "/api/chat", {"message": "a" * 2001}, 413),
    ("GET", "/api/nothing-here", None, 404),
])
def test_api_responses_allow_nothing_and_are_not_cached(http, method, path, body, status):
    response = http.request(method, path, json=body)
    assert response.status_code == status
    assert_common(response.headers)
    assert response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"


def test_the_docs_page_may_load_swagger_ui_and_nothing_else(http):
    csp = http.get("/docs").headers["content-security-policy"]
    assert "https://cdn.jsdelivr.net" in csp and "frame-ancestors 'self'" in csp


def test_refusals_before_the_app_carry_the_headers_too(built_settings, engine):
    settings = built_settings.model_copy(update={"feedback_path": None, "rate_limit_per_minute": 1})
    client = TestClient(create_app(settings, Assistant(engine)))
    too_big = client.post("/api/chat", content=b"x" * 300_000, headers={"content-type": "application/json"})
    assert too_big.status_code == 413 and too_big.headers["cache-control"] == "no-store"
    client.post("/api/chat", json={"message": ""})
    limited = client.post("/api/chat", json={"message": ICE})
    assert limited.status_code == 429
    assert_common(limited.headers)
    assert limited.headers["content-security-policy"].startswith("default-src 'none'")


def test_cors_never_allows_credentials_or_other_methods(http, live_app):
    preflight = http.options("/api/chat", headers={"Origin": live_app.host_origin,
                                                   "Access-Control-Request-Method": "DELETE"})
    assert preflight.status_code == 400
    allowed = http.options("/api/chat", headers={"Origin": live_app.host_origin,
                                                 "Access-Control-Request-Method": "POST",
                                                 "Access-Control-Request-Headers": "content-type"})
    assert allowed.status_code == 200 and "access-control-allow-credentials" not in allowed.headers
    assert allowed.headers["x-content-type-options"] == "nosniff"


# -- request ids and logs ----------------------------------------------------------------------------------------------
def test_a_request_id_is_returned_and_a_well_formed_one_is_kept(http):
    assert http.get("/api/health", headers={"X-Request-ID": "support-ticket-42"}).headers["x-request-id"] \
        == "support-ticket-42"
    for hostile in ("two words", "x" * 65, "<script>", "a/b", "id=1;status=200"):
        returned = http.get("/api/health", headers={"X-Request-ID": hostile}).headers["x-request-id"]
        assert returned != hostile and len(returned) == 16


def test_the_server_log_has_request_ids_and_no_message_text(http, live_app):
    secret = f"zebra marmalade {uuid.uuid4().hex[:8]}"  # distinctive words that must never reach a log
    history = [{"role": "user", "content": f"my {secret} hip hurts"}]
    ids = [http.post("/api/chat", json={"message": f"{secret} how long should i ice my hip"}).headers["x-request-id"],
           http.post("/api/chat/stream", json={"message": f"{secret} and how often?", "history": history})
           .headers["x-request-id"],
           http.post("/api/chat", json={"message": f"{secret} " + "a" * 2001}).headers["x-request-id"],
           http.post("/api/chat", json={"message": f"i fell on my hip and cant walk {secret}"}).headers["x-request-id"]]
    log = wait_for(lambda: ids[-1] in live_app.log_path.read_text() and live_app.log_path.read_text(), 10,
                   "the server to log the request")
    for request_id, status in zip(ids, (200, 200, 413, 200)):
        assert re.search(rf"request_id={request_id} POST /api/chat(/stream)? status={status} duration_ms=", log)
    assert "zebra" not in log and "marmalade" not in log and "cant walk" not in log


# -- nothing leaves the machine; feedback can be switched off -------------------------------------------------------------
def test_telemetry_is_off_once_the_package_is_imported():
    import chromadb.config
    import gradio.analytics
    import huggingface_hub.constants

    assert os.environ["ANONYMIZED_TELEMETRY"] == "False" and not chromadb.config.Settings().anonymized_telemetry
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False" and not gradio.analytics.analytics_enabled()
    assert os.environ["HF_HUB_DISABLE_TELEMETRY"] in ("1", "True")  # gradio rewrites "1" as "True"
    assert huggingface_hub.constants.HF_HUB_DISABLE_TELEMETRY
    assert huggingface_hub.constants.HF_HUB_OFFLINE and os.environ["TRANSFORMERS_OFFLINE"] == "1"


def test_feedback_off_stores_nothing_and_shows_no_thumbs(monkeypatch, built_settings, engine):
    monkeypatch.setenv("HIP_FEEDBACK_PATH", "off")
    assert Settings().feedback_path is None
    app = create_app(built_settings.model_copy(update={"feedback_path": None}), Assistant(engine))
    assert "record" not in {fn.name for fn in app.state.page.fns.values()}  # no like listener: no thumbs
    assert TestClient(app).get("/api/health").json()["feedback"] == {"enabled": False, "ok": True, "held": 0}


# -- the page under its Content-Security-Policy, in Chromium ---------------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.mark.browser
def test_the_page_works_under_its_policy_and_requests_nothing_from_other_hosts(browser, live_app):
    from playwright.sync_api import expect

    context, page = watched_page(browser)
    try:
        page.goto(live_app.url)
        expect(page.locator(".hip-disclaimer")).to_contain_text("not medical advice")
        reply = ask_on_page(page, ICE)
        expect(reply.locator(".hip-sources")).to_have_count(1)
        expect(reply).to_contain_text("20 minutes")
        assert page.evaluate("window.__csp") == [] and page.errors == []
        assert all(url.startswith((live_app.url, "data:", "blob:")) for url in page.requests), page.requests
    finally:
        context.close()


@pytest.mark.browser
def test_another_site_cannot_frame_the_page(browser, live_app):
    context, page = watched_page(browser)
    try:
        page.goto(f"{live_app.host_origin}/host.html")  # a page on another origin, framing the app
        with page.expect_console_message(lambda message: "frame-ancestors" in message.text, timeout=20_000) as refusal:
            page.evaluate("url => { const f = document.createElement('iframe'); f.src = url; "
                          "document.body.append(f); }", live_app.url + "/")
        assert "The request has been blocked" in refusal.value.text
        frame = next(f for f in page.frames if f != page.main_frame)
        assert frame.is_detached() or "Hip pain after running" not in frame.content()
    finally:
        context.close()
