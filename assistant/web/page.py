"""The chat page (Gradio `Blocks`): streamed answers, source cards, a red-flag banner, feedback, examples.

A thin face: `respond` asks `AnswerService` and only decides how the answer looks (`cards`). The
conversation lives in two places on purpose: the `Chatbot` holds what is shown (escaped HTML) and
`turns` holds what was said (plain text), which is what the assistant gets as history.
"""

from __future__ import annotations

import time
from dataclasses import replace
from html import escape

import gradio as gr

from ..chain import clean_text
from ..errors import AssistantError, FeedbackNotSaved
from ..render import as_dict
from ..settings import Settings
from . import cards
from .examples import EXAMPLES
from .feedback import FeedbackStore
from .service import AnswerService

TITLE = "Hip pain after running"
DISCLAIMER = ("Answers come word for word from one Hinge Health article, “Hip Pain After Running” (Mar 26, 2024), "
              "with its sources. This is general information, not medical advice or a diagnosis: if you are worried "
              "about your symptoms, see a doctor.")
STREAM_PAUSE_S = 0.04  # between sentences, so a streamed answer reads as it arrives


def build_page(service: AnswerService, feedback: FeedbackStore, settings: Settings) -> gr.Blocks:
    with gr.Blocks(title=TITLE, analytics_enabled=False) as page:
        gr.Markdown(f"# {TITLE}\nAsk how to treat or prevent hip pain from running. Every answer quotes the article "
                    f"and shows where.")
        # Markdown, not gr.HTML: gr.HTML evaluates its template with `new Function`, which the page's CSP forbids.
        gr.Markdown(f'<p class="hip-disclaimer" role="note">{escape(DISCLAIMER)}</p>')
        # Messages are HTML built by `cards` (every text escaped), so markdown and LaTeX rendering are off.
        chatbot = gr.Chatbot(label="Conversation", height="70vh", min_height=420, render_markdown=False,
                             sanitize_html=True, latex_delimiters=[], buttons=[], group_consecutive_messages=False,
                             feedback_options=("Like", "Dislike"),  # shown only when a `like` listener is attached
                             examples=[{"text": q} for q in EXAMPLES], elem_id="hip-chat",
                             placeholder="Ask a question, or pick one of the examples.")
        with gr.Row():
            question = gr.Textbox(show_label=False, placeholder="e.g. how long should i ice my hip?", scale=5,
                                  max_length=settings.max_message_chars, lines=1, max_lines=6, submit_btn=False,
                                  elem_id="hip-question", autofocus=True)
            send = gr.Button("Send", variant="primary", scale=1, min_width=90, elem_id="hip-send")
        new = gr.Button("New conversation", variant="secondary", size="sm", elem_id="hip-new")
        turns = gr.State([])     # [{"role", "content"}] in plain text: the history the assistant sees
        answers = gr.State({})   # chatbot message index → the answer as JSON, for feedback

        def respond(message: str, chat: list, history: list, by_index: dict):
            chat, history, by_index = list(chat or []), list(history or []), dict(by_index or {})
            message = clean_text(message) if isinstance(message, str) else ""
            if not message.strip():
                yield message, chat, history, by_index
                return
            chat += [{"role": "user", "content": cards.user_html(message)},
                     {"role": "assistant", "content": cards.pending_html()}]
            yield "", chat, history, by_index
            try:
                answer = service.answer(message, history)
            except AssistantError as error:
                chat[-1] = {"role": "assistant", "content": cards.error_html(str(error))}
                yield "", chat, history, by_index
                return
            for shown in range(1, len(answer.sentences)):
                chat[-1] = {"role": "assistant",
                            "content": cards.answer_html(replace(answer, sentences=answer.sentences[:shown]),
                                                         sources=False)}
                yield "", chat, history, by_index
                time.sleep(STREAM_PAUSE_S)
            chat[-1] = {"role": "assistant", "content": cards.answer_html(answer)}
            history += [{"role": "user", "content": message}, {"role": "assistant", "content": answer.text}]
            by_index[str(len(chat) - 1)] = as_dict(answer)
            yield "", chat, history, by_index

        def record(by_index: dict, vote: gr.LikeData, request: gr.Request):
            index = vote.index[0] if isinstance(vote.index, (list, tuple)) else vote.index
            answer = (by_index or {}).get(str(index))
            if answer is None or vote.liked not in (True, False):
                return
            try:
                feedback.record("like" if vote.liked else "dislike", answer,
                                session=getattr(request, "session_hash", None))
            except FeedbackNotSaved as error:
                gr.Warning(str(error), duration=6)
                return
            gr.Info("Thanks — your feedback was saved.", duration=3)

        def pick_example(example: gr.SelectData) -> str:
            return example.value["text"]

        io = dict(inputs=[question, chatbot, turns, answers], outputs=[question, chatbot, turns, answers],
                  api_visibility="private")
        # The Enter key's event is callable by Gradio clients (undocumented): load tests drive the page with
        # `gradio_client` as browsers do, through the same queue, guard and rate limit. /api/chat is the API.
        question.submit(respond, **{**io, "api_visibility": "undocumented"}, api_name="page_ask")
        send.click(respond, **io)
        chatbot.example_select(pick_example, None, [question], api_visibility="private").then(respond, **io)
        if feedback.enabled:  # HIP_FEEDBACK_PATH=off: no thumbs at all
            chatbot.like(record, [answers], None, api_visibility="private")
        new.click(lambda: ("", [], [], {}), None, [question, chatbot, turns, answers], api_visibility="private")
        chatbot.clear(lambda: ([], {}), None, [turns, answers], api_visibility="private")  # the bin icon
    # Answers are short CPU work plus streaming pauses: run up to `page_concurrency` at once, not one by one.
    page.queue(default_concurrency_limit=settings.page_concurrency, max_size=settings.page_queue_size)
    return page
