"""The widget's parity with the chat page: example questions, 👍/👎 stored with the page's votes, and keyboard and
screen-reader use. In Debian's Chromium on a host page of another origin (`live_app`), and `POST /api/feedback`
in-process for its error cases.
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from assistant.chain import Assistant
from assistant.web.app import create_app
from assistant.web.feedback import FeedbackStore
from assistant.web.examples import EXAMPLES
from test_browser import ICE, WIDGET, ask_widget, browser, open_widget, page, screenshot  # noqa: F401 — fixtures

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LAUNCHER = "Open chat: Hip pain help"


def stored_votes(live_app) -> list[dict]:
    return FeedbackStore(live_app.feedback_path).rows()


def focused_name(page: Page) -> str:
    """The accessible name of what has the keyboard focus, inside the widget's shadow root if it is there."""
    return page.evaluate("""() => {
        let e = document.activeElement;
        while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
        return e ? (e.getAttribute('aria-label') || e.textContent.trim() || e.tagName) : '';
    }""")


# -- example questions ----------------------------------------------------------------------------------------------
def test_the_empty_state_offers_the_pages_examples_and_one_click_asks_it(page, live_app):
    launcher, box = open_widget(page, live_app.host_origin)
    examples = page.get_by_role("group", name="Try one of these:")
    expect(examples.get_by_role("button")).to_have_count(len(EXAMPLES))
    for question in EXAMPLES:  # the chat page's list, served into the script: one source
        expect(examples.get_by_role("button", name=f"Ask: {question}")).to_be_visible()
    screenshot(page, "widget-examples.png")

    examples.get_by_role("button", name=f"Ask: {EXAMPLES[0]}").click()
    expect(page.locator(f"{WIDGET} .msg.user")).to_have_text([EXAMPLES[0]])
    reply = page.locator(f"{WIDGET} .log > .msg.bot").last
    expect(reply.locator(".source").first).to_contain_text("20 minutes at a time")
    expect(reply.locator(".num").first).to_have_text("1")
    expect(examples).to_be_hidden()  # a conversation has started
    expect(box).to_be_focused()      # the clicked example is gone; the keyboard stays in the panel

    page.get_by_role("button", name="Start a new conversation").click()
    expect(examples.get_by_role("button")).to_have_count(len(EXAMPLES))
    assert page.errors == []


# -- votes ----------------------------------------------------------------------------------------------------------
def test_a_vote_is_stored_with_the_pages_votes_and_acknowledged(page, live_app):
    _, box = open_widget(page, live_app.host_origin)
    reply = ask_widget(page, box, ICE)
    shown = reply.locator(".text").inner_text()
    before = len(stored_votes(live_app))

    like = reply.get_by_role("button", name="Like this answer", exact=True)
    dislike = reply.get_by_role("button", name="Dislike this answer", exact=True)
    expect(like).to_have_attribute("aria-pressed", "false")
    like.click()
    expect(reply.get_by_role("status")).to_have_text("Thanks — your feedback was saved.")
    expect(like).to_have_attribute("aria-pressed", "true")
    screenshot(page, "widget-vote.png")

    rows = stored_votes(live_app)[before:]
    assert [(r["vote"], r["source"], r["question"], r["status"]) for r in rows] == [("like", "widget", ICE, "answered")]
    row = rows[0]
    session = page.evaluate("() => JSON.parse(Object.entries(sessionStorage).find(([k]) => "
                            "k.startsWith('hip-pain-widget:'))[1]).session_id")
    assert row["session"] == session
    assert "20 minutes at a time" in row["citations"][0]["quote"] and row["citations"][0]["end"] > 0
    assert re.sub(r"\s+", " ", row["answer_text"]) == re.sub(r"\s+", " ", shown)  # what the user saw
    assert json.loads(row["answer_json"])["citations"][0]["passage"]  # the whole answer, as the page stores it

    dislike.click()  # a change of mind is a second row, as on the page
    expect(dislike).to_have_attribute("aria-pressed", "true")
    expect(like).to_have_attribute("aria-pressed", "false")
    assert [r["vote"] for r in stored_votes(live_app)[before:]] == ["like", "dislike"]

    page.reload()  # the vote is remembered for the tab with the conversation (the panel reopens as it was)
    expect(page.get_by_role("button", name="Dislike this answer", pressed=True)).to_be_visible()
    assert page.errors == []


@contextmanager
def unwritable(path):
    """The feedback database replaced by a directory: every write fails until it is put back."""
    aside = path.with_name(path.name + ".aside")
    path.rename(aside)
    path.mkdir()
    try:
        yield
    finally:
        path.rmdir()
        aside.rename(path)


def test_a_vote_that_cannot_be_saved_says_so_and_is_saved_with_the_next(page, live_app):
    _, box = open_widget(page, live_app.host_origin)
    reply = ask_widget(page, box, ICE)
    stored_votes(live_app)  # the table exists before the database goes away
    before = len(stored_votes(live_app))
    with unwritable(live_app.feedback_path):
        reply.get_by_role("button", name="Like this answer", exact=True).click()
        expect(reply.get_by_role("status")).to_contain_text("could not be saved just now. It is kept")
    expect(reply.get_by_role("button", name="Like this answer", exact=True)).to_have_attribute("aria-pressed", "true")

    reply.get_by_role("button", name="Dislike this answer", exact=True).click()
    expect(reply.get_by_role("status")).to_have_text("Thanks — your feedback was saved.")
    assert [(r["vote"], r["source"]) for r in stored_votes(live_app)[before:]] == [("like", "widget"),
                                                                                    ("dislike", "widget")]


def test_a_vote_on_an_answer_the_assistant_does_not_give_is_refused_visibly(page, live_app):
    _, box = open_widget(page, live_app.host_origin)
    ask_widget(page, box, ICE)
    page.evaluate("""() => {  // what an edited tab, or an answer from before the article changed, looks like
        const key = Object.keys(sessionStorage).find(k => k.startsWith('hip-pain-widget:'));
        const state = JSON.parse(sessionStorage.getItem(key));
        state.messages.at(-1).answer.text = 'Ice is never useful. [1]';
        sessionStorage.setItem(key, JSON.stringify(state));
    }""")
    page.reload()  # the panel reopens as it was
    before = len(stored_votes(live_app))
    reply = page.locator(f"{WIDGET} .log > .msg.bot").last
    reply.get_by_role("button", name="Like this answer", exact=True).click()
    expect(reply.get_by_role("status")).to_contain_text("not the one the assistant gives now")
    expect(reply.get_by_role("button", name="Like this answer", exact=True)).to_have_attribute("aria-pressed", "false")
    assert len(stored_votes(live_app)) == before


# -- keyboard and screen readers ------------------------------------------------------------------------------------
def test_keyboard_only_open_pick_an_example_vote_ask_and_close(page, live_app):
    page.goto(f"{live_app.host_origin}/host.html")
    launcher = page.get_by_role("button", name=LAUNCHER)
    expect(launcher).to_be_visible()
    for _ in range(5):  # the host page's own button first, then the launcher
        page.keyboard.press("Tab")
        if focused_name(page) == LAUNCHER:
            break
    expect(launcher).to_be_focused()
    assert launcher.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"  # focus is visible

    page.keyboard.press("Enter")
    box = page.get_by_role("textbox", name="Your question")
    expect(box).to_be_focused()
    page.keyboard.press("Shift+Tab")  # back from the question box: the last example
    assert focused_name(page) == f"Ask: {EXAMPLES[-1]}"
    focused = page.get_by_role("button", name=f"Ask: {EXAMPLES[-1]}")
    assert focused.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    expect(box).to_be_focused()
    reply = page.locator(f"{WIDGET} .log > .msg.bot").last
    expect(reply.get_by_role("button", name="Dislike this answer", exact=True)).to_be_visible()
    expect(page.locator(f"{WIDGET} .msg.user")).to_have_text([EXAMPLES[-1]])

    page.keyboard.press("Shift+Tab")
    assert focused_name(page) == "Dislike this answer"
    page.keyboard.press("Shift+Tab")
    assert focused_name(page) == "Like this answer"
    page.keyboard.press("Space")
    expect(reply.get_by_role("status")).to_have_text("Thanks — your feedback was saved.")
    expect(reply.get_by_role("button", name="Like this answer", exact=True)).to_have_attribute("aria-pressed", "true")
    assert stored_votes(live_app)[-1]["question"] == EXAMPLES[-1]

    box.focus()
    page.keyboard.type("and how long should i ice it?")
    page.keyboard.press("Enter")
    expect(page.locator(f"{WIDGET} .msg.user")).to_have_count(2)
    expect(page.locator(f"{WIDGET} .log > .msg.bot").last.get_by_role("button", name="Like this answer", exact=True)).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(launcher).to_be_focused()
    assert page.errors == []


def test_screen_readers_get_roles_names_and_a_polite_live_region(page, live_app):
    _, box = open_widget(page, live_app.host_origin)
    expect(page.get_by_role("button", name="Close chat: Hip pain help", expanded=True)).to_be_visible()
    dialog = page.get_by_role("dialog", name="Hip pain help")
    expect(dialog).to_be_visible()
    expect(dialog).to_match_aria_snapshot(f"""
        - banner:
          - heading "Hip pain help" [level=2]
          - button "Start a new conversation"
          - button "Close chat"
        - group "Try one of these:":
          - paragraph: "Try one of these:"
          - 'button "Ask: {EXAMPLES[0]}"'
        - log "Conversation"
        - form "Ask a question":
          - textbox "Your question"
          - button "Send"
        """)
    conversation = page.get_by_role("log", name="Conversation")
    expect(conversation).to_have_attribute("aria-live", "polite")

    ask_widget(page, box, ICE)
    answer = conversation.locator(".msg.bot").last  # the answer lands inside the live region
    expect(answer).to_contain_text("20 minutes at a time")
    expect(conversation).not_to_have_attribute("aria-busy", "true")  # announced once it is complete
    expect(answer).to_match_aria_snapshot("""
        - group "Rate this answer":
          - button "Like this answer" [pressed=false]
          - button "Dislike this answer" [pressed=false]
          - status
        """)
    expect(page.get_by_role("group", name="Try one of these:")).to_be_hidden()


# -- POST /api/feedback, in-process ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def api(built_settings, engine, tmp_path_factory):
    path = tmp_path_factory.mktemp("votes") / "feedback.sqlite3"
    settings = built_settings.model_copy(update={"feedback_path": path, "rate_limit_per_minute": 0})
    with TestClient(create_app(settings, Assistant(engine))) as client:
        yield client, FeedbackStore(path)


def test_an_api_vote_is_stored_as_the_assistants_own_answer(api):
    client, store = api
    answer = client.post("/api/chat", json={"message": ICE}).json()
    response = client.post("/api/feedback", json={"vote": "dislike", "message": ICE, "answer_text": answer["text"],
                                                  "session_id": "curl-1"})
    assert response.status_code == 200 and response.json() == {"saved": True}
    row = store.rows()[-1]
    assert (row["vote"], row["source"], row["session"], row["answer_text"]) == ("dislike", "api", "curl-1",
                                                                                answer["text"])


@pytest.mark.parametrize("body, status, says", [
    ({"vote": "love", "message": ICE, "answer_text": "x"}, 422, "'like' or 'dislike'"),
    ({"vote": "like", "message": ICE}, 422, "Field required"),
    ({"vote": "like", "message": " ", "answer_text": "x"}, 422, "The question is empty"),
    ({"vote": "like", "message": ICE, "answer_text": "Ice is never useful. [1]"}, 409, "not the one the assistant"),
    ({"vote": "like", "message": ICE, "answer_text": "x", "source": "page"}, 422, "'widget' or 'api'"),
], ids=["bad-vote", "no-answer-text", "empty-question", "not-its-answer", "posing-as-the-page"])
def test_a_bad_vote_is_refused_and_nothing_is_stored(api, body, status, says):
    client, store = api
    before = len(store.rows())
    response = client.post("/api/feedback", json=body)
    assert response.status_code == status
    assert says in json.dumps(response.json()["detail"])
    assert len(store.rows()) == before


def test_with_feedback_off_there_is_no_vote_endpoint_and_no_thumbs(built_settings, engine):
    settings = built_settings.model_copy(update={"feedback_path": None})
    with TestClient(create_app(settings, Assistant(engine))) as client:
        response = client.post("/api/feedback", json={"vote": "like", "message": ICE, "answer_text": "x"})
        assert response.status_code == 404 and "switched off" in response.json()["detail"]
        assert '"feedback": false' in client.get("/widget.js").text


def test_the_served_widget_carries_the_pages_examples(api):
    client, _ = api
    script = client.get("/widget.js").text
    assert f"const SERVED = {json.dumps({'examples': EXAMPLES, 'feedback': True})};" in script
    assert "innerHTML" not in script
