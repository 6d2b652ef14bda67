"""Sentence splitting with exact offsets.

Citations quote whole sentences, so a split must never cut "Dr. Kimbrough"
or "(Auckland, N.Z.)" in two, and a sentence that ends inside a closing quote
(“…per week.”) keeps its quote mark.
"""

from __future__ import annotations

import re

from .models import Sentence

_ABBREVIATIONS = {"dr", "mr", "mrs", "ms", "st", "vs", "etc", "e.g", "i.e", "n.z", "no", "pt", "al", "n.d"}
# A sentence ends at . ! or ? (plus closing quotes/brackets), followed by space and an opener.
_BOUNDARY = re.compile(r"[.!?][”\"’)]*(?=\s+[“\"(‘A-Z0-9$])")


def _ends_with_abbreviation(text: str) -> bool:
    word = re.split(r"[\s(]", text.rstrip("”\"’)"))[-1].rstrip(".").lower()
    return word in _ABBREVIATIONS or bool(re.fullmatch(r"[a-z]", word))


def split(text: str, offset: int = 0) -> tuple[Sentence, ...]:
    """Split `text` into sentences whose offsets are relative to `offset`."""
    sentences: list[Sentence] = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        end = boundary.end()
        if _ends_with_abbreviation(text[start:end]):
            continue
        sentences.append(_make(text, start, end, offset))
        start = end
    if text[start:].strip():
        sentences.append(_make(text, start, len(text), offset))
    return tuple(s for s in sentences if s.text)


def _make(text: str, start: int, end: int, offset: int) -> Sentence:
    stripped_start = start + len(text[start:end]) - len(text[start:end].lstrip())
    stripped_end = start + len(text[start:end].rstrip())
    return Sentence(text[stripped_start:stripped_end], offset + stripped_start, offset + stripped_end)
