"""The small typed data model every stage shares: corpus → chunk → hit → answer.

Offsets (`start`, `end`) are character positions in the corpus document
(`corpus/article.md`), so `document[start:end] == text` always holds and a
citation can point at the exact span a user is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Status = Literal["answered", "declined", "red_flag"]
Tier = Literal["emergency", "see_doctor"]


@dataclass(frozen=True)
class Sentence:
    """One sentence (or one short list item) and where it stands in the document."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Reference:
    """One entry of the article's reference list, as a structured record."""

    number: int
    authors: tuple[str, ...]
    year: str
    title: str
    venue: str
    doi: str | None
    url: str | None
    citation: str

    @property
    def link(self) -> str | None:
        """Where a reader can open the source: the DOI resolver first, else the URL."""
        if self.doi:
            return f"https://doi.org/{self.doi}"
        return self.url


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage: one paragraph, one bullet, a short list with its lead-in, or one reference."""

    id: str
    kind: Literal["paragraph", "bullet", "list", "reference"]
    heading_path: tuple[str, ...]
    sentences: tuple[Sentence, ...]
    label: str | None = None
    reference_numbers: tuple[int, ...] = ()

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)

    @property
    def start(self) -> int:
        return self.sentences[0].start

    @property
    def end(self) -> int:
        return self.sentences[-1].end

    @property
    def embedding_text(self) -> str:
        """What the embedding model sees: the heading path gives a bullet its context."""
        return " > ".join(self.heading_path) + "\n" + self.text


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk. Every score here is "higher = more relevant"."""

    chunk: Chunk
    score: float
    similarity: float
    lexical: float
    rank: int


@dataclass(frozen=True)
class RedFlag:
    """One red flag the guard recognised, with the user's own words that triggered it."""

    category: str
    tier: Tier
    reason: str
    matched: str
    turn: int
    layer: Literal["rules", "meaning"] = "rules"  # the rule table, or the meaning layer (guard/meaning.py)


@dataclass(frozen=True)
class GuardVerdict:
    flags: tuple[RedFlag, ...] = ()

    @property
    def fired(self) -> bool:
        return bool(self.flags)

    @property
    def tier(self) -> Tier | None:
        if not self.flags:
            return None
        return "emergency" if any(f.tier == "emergency" for f in self.flags) else "see_doctor"


@dataclass(frozen=True)
class Citation:
    """What an `[n]` marker points at: the exact quoted span inside its passage."""

    number: int
    chunk_id: str
    heading_path: tuple[str, ...]
    quote: str
    start: int
    end: int
    passage: str
    passage_start: int
    references: tuple[Reference, ...] = ()


@dataclass(frozen=True)
class AnswerSentence:
    text: str
    citations: tuple[int, ...]
    is_item: bool = False  # one item of a bulleted list in the article


@dataclass(frozen=True)
class Answer:
    """The one answer type shared by the CLI, the API, the page, the widget and the eval."""

    question: str
    status: Status
    sentences: tuple[AnswerSentence, ...]
    citations: tuple[Citation, ...] = ()
    red_flags: tuple[RedFlag, ...] = ()
    hits: tuple[Hit, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)
    message: str = ""
    query: str = ""  # what retrieval searched on: the question, or for a follow-up its topic and the question

    @property
    def text(self) -> str:
        """The answer with inline `[n]` markers after each run of sentences citing the same passage."""
        parts: list[str] = []
        for i, sentence in enumerate(self.sentences):
            following = self.sentences[i + 1] if i + 1 < len(self.sentences) else None
            marker = "" if following and following.citations == sentence.citations and not sentence.is_item \
                else "".join(f" [{n}]" for n in sentence.citations)
            if sentence.is_item:
                parts.append(f"\n- {sentence.text}{marker}")
            else:
                parts.append(("\n" if parts and parts[-1].startswith("\n- ") else " ") + sentence.text + marker)
        body = "".join(parts).strip()
        return "\n\n".join(part for part in (self.message, body) if part)
