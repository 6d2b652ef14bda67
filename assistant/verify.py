"""The last gate before the user: every sentence must be backed by the passages it cites.

Each citation's quote must be exactly what the corpus document holds at its offsets. A sentence is
backed when it lies inside a quoted span (extractive answers), when it is a front-matter line of the span as
`about.readable` says it ("Published on Mar 26, 2024."), or, for generated wording, when the support check finds
its cited passage supports it. A sentence that fails is dropped.
"""

from __future__ import annotations

from .about import readable_lines
from .corpus import Document
from .models import AnswerSentence, Citation
from .support import SupportChecker


def supported(sentence: AnswerSentence, citations: dict[int, Citation], document: Document,
              support: SupportChecker | None = None) -> bool:
    if not sentence.citations:
        return False
    for number in sentence.citations:
        citation = citations.get(number)
        if citation is None or document.text[citation.start:citation.end] != citation.quote:
            return False
        backed = (sentence.text in citation.quote or sentence.text in readable_lines(citation.quote)
                  or (support and support.supports(sentence.text, [citation.passage])))
        if not backed:
            return False
    return True


def verified(sentences: tuple[AnswerSentence, ...], citations: tuple[Citation, ...], document: Document,
             support: SupportChecker | None = None) -> tuple[tuple[AnswerSentence, ...], tuple[Citation, ...]]:
    """Keep supported sentences only, and only the citations they still use (renumbered in order)."""
    by_number = {c.number: c for c in citations}
    kept = [s for s in sentences if supported(s, by_number, document, support)]
    used = sorted({n for s in kept for n in s.citations})
    renumber = {old: new for new, old in enumerate(used, start=1)}
    new_citations = tuple(
        Citation(renumber[c.number], c.chunk_id, c.heading_path, c.quote, c.start, c.end, c.passage,
                 c.passage_start, c.references) for c in citations if c.number in renumber)
    new_sentences = tuple(AnswerSentence(s.text, tuple(renumber[n] for n in s.citations), s.is_item) for s in kept)
    return new_sentences, new_citations
