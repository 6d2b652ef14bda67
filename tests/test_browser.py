"""The chat page and the support widget in Debian's Chromium (Playwright), against the real app (`live_app`).

Screenshots land in test-artifacts/ (gitignored).
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from contextlib import closing

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from assistant.settings import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / "test-artifacts"
ICE = "how long should i ice my hip"
FALL = "i fell on my hip and cant walk"
PAYLOAD = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> does ice help?'
WIDGET = "hip-pain-widget"

expect.set_options(timeout=20_000)


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30_000)
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Page:
    context = browser.new_context(viewport={"width": 1100, "height": 1000})
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(error))
    yield page
    context.close()


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / name)


# -- the chat page ------------------------------------------------------------------------------------------------
def ask_on_page(page: Page, question: str):
    """Type and send a question; return the reply once it is complete (sources or a decline note in place)."""
    page.locator("#hip-question textarea").fill(question)
    page.locator("#hip-question textarea").press("Enter")
    reply = page.locator('[data-testid="bot"]').last
    expect(reply.locator(".hip-sources, .hip-declined, .hip-error")).to_have_count(1)
    return reply


def test_page_answers_with_source_cards_and_flags_red_flags(page, live_app):
    page.goto(live_app.url)
    reply = ask_on_page(page, ICE)
    expect(reply).to_contain_text("20 minutes at a time")
    card = reply.locator(".hip-card").first
    expect(card.locator(".hip-card-num")).to_have_text("1")
    expect(card).to_contain_text("Treatments for Hip Pain in Runners")
    expect(card.locator("mark")).to_contain_text("20 minutes")  # the quoted span, highlighted in its passage
    expect(card.locator("a[href^='https://']")).to_have_count(1)  # the study it rests on
    screenshot(page, "page-answer.png")

    reply = ask_on_page(page, FALL)
    banner = reply.locator(".hip-banner[role=alert]")
    expect(banner).to_contain_text("Please see a doctor")
    expect(banner).to_contain_text("fell on my hip")
    expect(reply.locator(".hip-card")).to_contain_text("When to See a Doctor")
    expect(reply.locator(".hip-card mark")).to_contain_text("See a doctor if you have a history of stress fracture")
    expect(page.locator(".hip-disclaimer")).to_contain_text("not medical advice")
    banner.evaluate("""e => { const chat = e.closest('.bubble-wrap');  // the question and the banner at the top
        chat.scrollTop += e.getBoundingClientRect().top - chat.getBoundingClientRect().top - 80; }""")
    screenshot(page, "page.png")
    assert page.errors == []


def test_page_shows_a_script_payload_as_text_and_runs_nothing(page, live_app):
    page.goto(live_app.url)
    ask_on_page(page, PAYLOAD)
    question = page.locator('[data-testid="user"]').last
    expect(question).to_contain_text("<script>window.__pwned = 1</script>")
    expect(question.locator("img, script")).to_have_count(0)
    assert page.evaluate("window.__pwned") is None


def test_page_examples_feedback_and_new_conversation(page, live_app):
    page.goto(live_app.url)
    page.get_by_role("button", name="Select example 1: how long should i ice my hip?").click()
    reply = page.locator('[data-testid="bot"]').last
    expect(reply.locator(".hip-card")).to_have_count(1)

    reply.hover()
    page.get_by_role("button", name="Like").last.click()
    expect(page.get_by_text("your feedback was saved")).to_be_visible()
    with closing(sqlite3.connect(live_app.feedback_path)) as db:
        vote, question, status, citations = db.execute(
            "SELECT vote, question, status, citations_json FROM feedback ORDER BY id DESC LIMIT 1").fetchone()
    assert (vote, question, status) == ("like", "how long should i ice my hip?", "answered")
    assert "20 minutes" in citations

    page.get_by_role("button", name="New conversation").click()
    expect(page.locator('[data-testid="bot"]')).to_have_count(0)
    expect(page.get_by_role("button", name="Select example 1: how long should i ice my hip?")).to_be_visible()


# -- the widget on another origin -----------------------------------------------------------------------------------
def open_widget(page: Page, url: str):
    page.goto(f"{url}/host.html")
    launcher = page.get_by_role("button", name="Open chat: Hip pain help")
    launcher.click()
    box = page.get_by_role("textbox", name="Your question")
    expect(box).to_be_focused()
    return launcher, box


def ask_widget(page: Page, box, question: str):
    box.fill(question)
    box.press("Enter")
    reply = page.locator(f"{WIDGET} .log > .msg").last
    expect(reply).not_to_have_class("msg bot")  # the live bubble has no status class until the answer is in
    return reply


def test_widget_on_another_origin_answers_with_citations(page, live_app):
    _, box = open_widget(page, live_app.host_origin)
    reply = ask_widget(page, box, ICE)
    expect(reply).to_contain_text("20 minutes at a time")
    source = reply.locator(".source").first
    expect(source.locator(".num")).to_have_text("1")
    expect(source.locator("blockquote")).to_contain_text("20 minutes at a time several times per day")
    expect(source.locator("a")).to_have_attribute("href", re.compile(r"^https://www\.orthoinfo\.org/"))
    page.locator(f"{WIDGET} .msg.user").last.evaluate(  # the question at the top of the panel
        "e => { e.parentElement.scrollTop = e.offsetTop - e.parentElement.offsetTop - 8; }")
    screenshot(page, "widget.png")

    reply = ask_widget(page, box, FALL)
    expect(reply.locator(".banner[role=alert]")).to_contain_text("Please see a doctor")
    expect(reply.locator(".source")).to_contain_text("When to See a Doctor")

    # The host page's hostile CSS (60px !important controls, 40px root font) does not reach the widget …
    assert box.evaluate("e => getComputedStyle(e).fontSize") == "14px"
    panel = page.locator(f"{WIDGET} .panel").bounding_box()
    assert panel["x"] >= 0 and panel["y"] >= 0 and panel["x"] + panel["width"] <= 1100 and \
        panel["y"] + panel["height"] <= 1000
    # … and the widget adds no style to the host page.
    assert page.locator("#shop-title").evaluate("e => getComputedStyle(e).fontSize") == "80px"
    reply.locator(".banner").evaluate("e => e.scrollIntoView({block: 'start'})")
    screenshot(page, "widget-red-flag.png")
    assert page.errors == []


def test_widget_shows_a_script_payload_as_text_and_runs_nothing(page, live_app):
    _, box = open_widget(page, live_app.host_origin)
    ask_widget(page, box, PAYLOAD)
    question = page.locator(f"{WIDGET} .msg.user").last
    expect(question).to_have_text(PAYLOAD)
    expect(page.locator(f"{WIDGET} .log img, {WIDGET} .log script")).to_have_count(0)
    assert page.evaluate("window.__pwned") is None


def test_widget_works_by_keyboard_and_remembers_the_tab(page, live_app):
    launcher, box = open_widget(page, live_app.host_origin)
    ask_widget(page, box, ICE)
    box.press("Escape")
    expect(page.locator(f"{WIDGET} .panel")).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")

    page.reload()
    launcher = page.get_by_role("button", name="Open chat: Hip pain help")
    launcher.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("textbox", name="Your question")).to_be_focused()
    expect(page.locator(f"{WIDGET} .msg.user")).to_have_text([ICE])  # the conversation survived the reload
    expect(page.locator(f"{WIDGET} .source").first).to_contain_text("20 minutes")

    page.get_by_role("button", name="Start a new conversation").click()
    expect(page.locator(f"{WIDGET} .msg")).to_have_count(0)


def test_api_answers_the_listed_origin_and_refuses_an_unlisted_one(page, live_app):
    call = """async (url) => {
        try {
            const r = await fetch(url + "/api/chat", {method: "POST", headers: {"Content-Type": "application/json"},
                                                      body: JSON.stringify({message: "how long should i ice my hip"})});
            return "status " + r.status;
        } catch (e) { return "refused: " + e.message; }
    }"""
    page.goto(f"{live_app.host_origin}/host.html")
    assert page.evaluate(call, live_app.url) == "status 200"

    _, box = open_widget(page, live_app.other_origin)  # same page, an origin not in HIP_ALLOWED_ORIGINS
    assert page.evaluate(call, live_app.url).startswith("refused: ")
    reply = ask_widget(page, box, ICE)
    expect(reply).to_have_class("msg error")
    expect(reply).to_contain_text("Could not reach the assistant")
