"""Resolve a short follow-up ("where does it hurt?") against the conversation, for retrieval only.

Only the user's own earlier words are used: the assistant's answers, their
citations and quoted spans are never fed back as if the user had said them.
"""

from __future__ import annotations

import re

_POINTS_BACK = re.compile(r"\b(it|its|it’s|it's|that|this|those|these|them|they|there|one)\b|^(what|how) about\b|"
                          r"^(and|also|ok|okay|so)\b|\b(else|more)\b", re.I)
_MAX_WORDS = 8


def is_follow_up(question: str) -> bool:
    return len(question.split()) <= _MAX_WORDS and bool(_POINTS_BACK.search(question.strip()))


def retrieval_query(question: str, earlier_user_turns: list[str]) -> str:
    """The question itself, or — for a short follow-up — the last user turn followed by it."""
    if earlier_user_turns and is_follow_up(question):
        return f"{earlier_user_turns[-1]} {question}"
    return question


_MARKUP = re.compile(r"```.*?```|<(script|style)\b.*?</\1\s*>|<[^>]{0,200}>|\[([^\]]*)\]\([^)]*\)|https?://\S+|[*_`#>|]+", re.S)
_REPEATS = re.compile(r"\b(\w+)(?:\W+\1\b){3,}", re.I)


def plain_question(text: str) -> str:
    """The words of a question without markup, links, code or a word repeated over and over.

    Used for retrieval only; the guard always reads the message exactly as the user sent it.
    """
    text = _MARKUP.sub(lambda m: f" {m.group(2) or ''} ", text)
    text = _REPEATS.sub(r"\1", text)
    return " ".join(text.split())


def question_parts(text: str) -> list[str]:
    """The whole question, then each of its sentences when there are several ("ignore that. how long…?")."""
    parts = [p.strip() for p in re.split(r"(?<=[.!?;])\s+|\n+", text) if len(p.split()) >= 2]
    return [text] + parts if len(parts) > 1 else [text]
