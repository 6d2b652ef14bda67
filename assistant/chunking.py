"""Document → section-aware chunks with heading paths, exact sentence offsets and stable IDs.

A chunk is a paragraph, one labelled bullet ("Apply ice. …"), a run of short
bullets together with the sentence that leads into them (or, when none does, the
paragraph right after them that says what they are for), or one reference.
IDs hash what the embedding model sees, so an unchanged paragraph keeps its ID
(and its embedding) across rebuilds even when text before it moves.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

from . import sentences
from .about import FRONT_MATTER_KEYS
from .corpus import Block, Document
from .models import Chunk, Sentence

CHUNKER_VERSION = "4"  # bump when the rules below change: forces a full re-index
_LABEL_MAX_WORDS = 6


def chunk_document(document: Document, max_tokens: int, count_tokens: Callable[[str], int]) -> tuple[Chunk, ...]:
    """All chunks of the document, in document order, each within `max_tokens` word pieces."""
    chunks: list[Chunk] = []
    for chunk in _raw_chunks(document):
        chunks.extend(_fit(chunk, max_tokens, count_tokens))
    return tuple(replace(c, id=_chunk_id(c), reference_numbers=_references(document, c)) for c in chunks)


def _raw_chunks(document: Document) -> Iterator[Chunk]:
    yield from _about(document)
    yield from _experts(document)
    path: tuple[str, ...] = ()
    blocks = document.blocks
    i = 0
    while i < len(blocks):
        block = blocks[i]
        i += 1
        if block.kind == "title":
            path = (block.text,)
        elif block.kind == "heading":
            path = (path[0], block.text) if path else (block.text,)
        elif block.kind == "numbered":
            number = int(document.text[:block.start].rsplit("\n", 1)[-1].split(".")[0])
            whole = (Sentence(block.text, block.start, block.end),)  # a citation is quoted whole
            yield Chunk("", "reference", path, whole, reference_numbers=(number,))
        elif block.kind == "bullet" and _labelled(block):
            parts = sentences.split(block.text, block.start)
            yield Chunk("", "bullet", path, parts, label=parts[0].text)
        elif block.kind == "paragraph" and not _leads_into_list(block, blocks[i:i + 1]):
            yield Chunk("", "paragraph", path, sentences.split(block.text, block.start))
        else:  # a run of short bullets, with the paragraph that leads into it or, lacking one, explains it after
            items = sentences.split(block.text, block.start) if block.kind == "paragraph" else (
                Sentence(block.text, block.start, block.end),)
            while i < len(blocks) and _is_short_bullet(blocks[i]):
                items += (Sentence(blocks[i].text, blocks[i].start, blocks[i].end),)
                i += 1
            if block.kind == "bullet" and i < len(blocks) and blocks[i].kind == "paragraph":
                items += sentences.split(blocks[i].text, blocks[i].start)  # "Squats … Clamshells" + "Start by
                i += 1  # working these into your routine once or twice a week…"
            yield Chunk("", "list", path, items)


def _labelled(block: Block) -> bool:
    """A bullet that opens with a short label sentence ("Apply ice.") followed by more text."""
    parts = sentences.split(block.text)
    return len(parts) > 1 and len(parts[0].text.split()) <= _LABEL_MAX_WORDS


def _experts(document: Document) -> Iterator[Chunk]:
    """The clinicians' one-line bios, quoted from the front matter, so "who reviewed this?" can be answered."""
    bios = []
    for clinician in document.front_matter.get("clinicians") or ():
        start = document.text.find(clinician["bio"])
        if start >= 0:
            bios.append(Sentence(clinician["bio"], start, start + len(clinician["bio"])))
    if bios:
        yield Chunk("", "paragraph", (document.title, "Our Hinge Health Experts"), tuple(bios))


_FRONT_MATTER_LINE = re.compile(rf"^({'|'.join(FRONT_MATTER_KEYS)}): .+$", re.M)
_CLINICIAN = re.compile(r"^- name: .+\n  credentials: .+\n  role: .+$", re.M)


def _about(document: Document) -> Iterator[Chunk]:
    """Who published the article, when and where, and its clinicians' names, credentials and roles: front-matter
    lines quoted verbatim and shown together, so "when was this published?", "who reviewed it?" and "got a link to
    the original?" are answered with a citation."""
    head = document.text[:document.blocks[0].start] if document.blocks else ""
    spans = [(m.start(), m.end()) for m in _FRONT_MATTER_LINE.finditer(head)]
    spans += [(m.start() + 2, m.end()) for m in _CLINICIAN.finditer(head)]  # without the YAML "- "
    if spans:
        yield Chunk("", "list", (document.title, "About This Article"),
                    tuple(Sentence(document.text[a:b], a, b) for a, b in sorted(spans)))


def _is_short_bullet(block: Block) -> bool:
    return block.kind == "bullet" and not _labelled(block)


def _leads_into_list(block: Block, following: tuple[Block, ...]) -> bool:
    """A paragraph ending in ':' right before a run of short (unlabelled) bullets."""
    return block.text.endswith(":") and bool(following) and _is_short_bullet(following[0])


def _fit(chunk: Chunk, max_tokens: int, count_tokens: Callable[[str], int]) -> list[Chunk]:
    """Split a chunk at sentence boundaries until each part fits the embedding window."""
    if count_tokens(chunk.embedding_text) <= max_tokens or len(chunk.sentences) == 1:
        return [chunk]
    half = len(chunk.sentences) // 2
    first = replace(chunk, sentences=chunk.sentences[:half])
    second = replace(chunk, sentences=chunk.sentences[half:], label=None)
    return _fit(first, max_tokens, count_tokens) + _fit(second, max_tokens, count_tokens)


def fingerprint(chunk_ids: Iterable[str]) -> str:
    """One short hash of a set of chunk IDs. IDs hash their text, so two fingerprints are equal exactly when the
    passages are: what a calibration or a baseline records to tell whether it still fits the index."""
    return hashlib.sha256("\n".join(sorted(chunk_ids)).encode()).hexdigest()[:16]


def _chunk_id(chunk: Chunk) -> str:
    return hashlib.sha256(f"{chunk.kind}\n{chunk.embedding_text}".encode()).hexdigest()[:20]


def _references(document: Document, chunk: Chunk) -> tuple[int, ...]:
    if chunk.kind == "reference":
        return chunk.reference_numbers
    return tuple(r.number for s in chunk.sentences for r in document.references_for(s.text))
