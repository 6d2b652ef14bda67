"""Answers as HTML for the chat page: the text, a warning banner for red flags, numbered source cards.

Every piece of text that comes from a question, an answer or a citation goes through `html.escape`;
the only markup is the fixed markup written here. The page shows this HTML as it is (Gradio's
markdown rendering is off), so nothing a user types can become markup.
"""

from __future__ import annotations

import re
from dataclasses import replace
from html import escape

from ..models import Answer, Citation, GuardVerdict

_BLANK_LINES = re.compile(r"\n{2,}")  # markdown lists in the article have blank lines between items

CSS = """
.hip-answer p { margin: 0 0 .5em 0; }
.hip-answer ul { margin: 0 0 .5em 1.2em; padding: 0; }
.hip-banner { border: 2px solid #b42318; background: #fef3f2; color: #7a271a; border-radius: 8px;
              padding: .6em .8em; margin-bottom: .6em; }
.hip-banner strong { display: block; font-size: 1.05em; margin-bottom: .2em; }
.hip-declined { border-left: 4px solid #667085; background: #f2f4f7; color: #344054; padding: .5em .8em;
                border-radius: 4px; margin-bottom: .5em; }
.hip-error { border-left: 4px solid #dc6803; background: #fffaeb; color: #7a2e0e; padding: .5em .8em; }
.hip-pending { color: #667085; font-style: italic; margin: 0; }
.hip-sources { margin-top: .8em; }
.hip-sources h4 { margin: 0 0 .4em 0; font-size: .9em; text-transform: uppercase; letter-spacing: .04em; }
.hip-sources ol { list-style: none; margin: 0; padding: 0; }
.hip-card { border: 1px solid #d0d5dd; border-radius: 8px; padding: .5em .7em; margin: 0 0 .5em 0;
            background: #ffffff; color: #101828; font-size: .92em; }
.hip-card-head { font-weight: 600; margin-bottom: .3em; }
.hip-card-num { display: inline-block; min-width: 1.6em; text-align: center; border-radius: 4px;
                background: #1d4ed8; color: #ffffff; margin-right: .4em; }
.hip-card-passage { white-space: pre-wrap; margin: 0; color: #475467; }
.hip-card-passage mark { background: #fde68a; color: #101828; padding: 0 .1em; }
.hip-card-refs { margin-top: .3em; font-size: .9em; }
.hip-card-refs a { color: #1d4ed8; }
.hip-disclaimer { font-size: .9em; color: #475467; }
"""


def user_html(text: str) -> str:
    return escape(text)


def pending_html() -> str:
    return '<p class="hip-pending">Looking it up in the article…</p>'


def error_html(message: str) -> str:
    return f'<div class="hip-error" role="alert">{escape(message)}</div>'


def answer_html(answer: Answer, *, sources: bool = True) -> str:
    """The whole answer; with `sources=False` (while streaming) the source cards are left out."""
    parts = ['<div class="hip-answer">']
    if answer.status == "red_flag":
        title = "Seek care now" if GuardVerdict(answer.red_flags).tier == "emergency" else "Please see a doctor"
        parts.append(f'<div class="hip-banner" role="alert"><strong>⚠️ {title}</strong>'
                     f'{escape(answer.message)}</div>')
    elif answer.status == "declined":
        parts.append(f'<div class="hip-declined"><strong>Not covered by the article.</strong> '
                     f'{escape(answer.message)}</div>')
    elif answer.message:
        parts.append(f"<p>{escape(answer.message)}</p>")
    parts.append(_body_html(replace(answer, message="").text))
    if sources and answer.citations:
        parts.append(sources_html(answer.citations))
    parts.append("</div>")
    return "".join(parts)


def _body_html(text: str) -> str:
    """`Answer.text` (paragraph lines and `- ` list items, with `[n]` markers) as paragraphs and lists."""
    out, items = [], []
    for line in text.split("\n"):
        if line.startswith("- "):
            items.append(f"<li>{escape(line[2:])}</li>")
            continue
        if items:
            out.append("<ul>" + "".join(items) + "</ul>")
            items = []
        if line.strip():
            out.append(f"<p>{escape(line)}</p>")
    if items:
        out.append("<ul>" + "".join(items) + "</ul>")
    return "".join(out)


def sources_html(citations: tuple[Citation, ...]) -> str:
    cards = "".join(card_html(c) for c in citations)
    return f'<div class="hip-sources"><h4>Sources</h4><ol>{cards}</ol></div>'


def card_html(citation: Citation) -> str:
    """One numbered source card: the section, the quoted span highlighted inside its passage, the studies."""
    section = " › ".join(citation.heading_path[1:] or citation.heading_path)
    head = (f'<div class="hip-card-head"><span class="hip-card-num">{citation.number}</span>'
            f'{escape(section)}</div>')
    refs = "".join(_reference_html(ref) for ref in citation.references)
    refs = f'<div class="hip-card-refs">Rests on: {refs}</div>' if refs else ""
    return (f'<li class="hip-card" data-source="{citation.number}">{head}'
            f'<blockquote class="hip-card-passage">{highlighted_passage(citation)}</blockquote>{refs}</li>')


def highlighted_passage(citation: Citation) -> str:
    """The passage with the quote marked; offsets are absolute in the article, so shift by `passage_start`."""
    start, end = citation.start - citation.passage_start, citation.end - citation.passage_start
    passage = citation.passage
    if not (0 <= start <= end <= len(passage)) or passage[start:end] != citation.quote:
        return f"<mark>{escape(citation.quote)}</mark>"
    before, quote, after = (escape(_BLANK_LINES.sub("\n", part))
                            for part in (passage[:start], passage[start:end], passage[end:]))
    return f"{before}<mark>{quote}</mark>{after}"


def _reference_html(ref) -> str:
    link = ref.link
    if link and link.startswith(("https://", "http://")):
        return (f'<a href="{escape(link, quote=True)}" target="_blank" rel="noopener noreferrer">'
                f'[{ref.number}] {escape(f"{ref.title} ({ref.year})")}</a> ')
    return f"<span>[{ref.number}] {escape(ref.citation)}</span> "
