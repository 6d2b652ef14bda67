"""The cleaned corpus on disk: `article.md` (front matter + markdown body) and `references.yaml`.

Content editors edit these two files; everything downstream is derived from
them, and every offset the assistant shows points into `article.md`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

from .errors import CorpusError
from .models import Reference

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10× faster on the reference list

BlockKind = Literal["title", "heading", "paragraph", "bullet", "numbered"]
_MARKERS: tuple[tuple[str, BlockKind], ...] = (("# ", "title"), ("## ", "heading"), ("- ", "bullet"))
_NUMBERED = re.compile(r"\d+\.\s+")


@dataclass(frozen=True)
class Block:
    """One markdown block; `document[start:end] == text` (the marker is outside the span)."""

    kind: BlockKind
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Document:
    text: str
    front_matter: dict
    blocks: tuple[Block, ...]
    references: tuple[Reference, ...]
    supports: dict[int, tuple[str, ...]]

    @property
    def title(self) -> str:
        return self.front_matter["title"]

    @property
    def fingerprint(self) -> str:
        """Changes whenever the text a user can be shown changes."""
        refs = yaml.safe_dump([r.__dict__ for r in self.references]) + yaml.safe_dump(self.supports)
        return hashlib.sha256((self.text + refs).encode()).hexdigest()[:16]

    def references_for(self, sentence: str) -> tuple[Reference, ...]:
        """The references a sentence rests on, from the curated `supports` quotes."""
        numbers = {n for n, quotes in self.supports.items() if any(q in sentence or sentence in q for q in quotes)}
        return tuple(r for r in self.references if r.number in numbers)


def parse_markdown(text: str) -> tuple[dict, tuple[Block, ...]]:
    """Split `article.md` into its YAML front matter and body blocks with exact offsets."""
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    if not match:
        raise CorpusError("article.md must start with a YAML front matter block between '---' lines.")
    front_matter = yaml.load(match.group(1), Loader=_LOADER) or {}
    if not front_matter.get("title"):
        raise CorpusError("article.md front matter needs a 'title'.")
    blocks = []
    for para in re.finditer(r"[^\n]+(?:\n[^\n]+)*", text[match.end():]):
        start = match.end() + para.start()
        raw = para.group(0)
        kind: BlockKind = "paragraph"
        skip = 0
        for marker, marker_kind in _MARKERS:
            if raw.startswith(marker):
                kind, skip = marker_kind, len(marker)
                break
        else:
            numbered = _NUMBERED.match(raw)
            if numbered:
                kind, skip = "numbered", numbered.end()
        body = raw[skip:].rstrip()
        blocks.append(Block(kind, body, start + skip, start + skip + len(body)))
    return front_matter, tuple(blocks)


def load_references(path: Path) -> tuple[tuple[Reference, ...], dict[int, tuple[str, ...]]]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    references, supports = [], {}
    for entry in data["references"]:
        references.append(Reference(
            number=int(entry["number"]), authors=tuple(entry.get("authors") or ()), year=str(entry["year"]),
            title=entry["title"], venue=entry.get("venue") or "", doi=entry.get("doi"), url=entry.get("url"),
            citation=entry["citation"]))
        supports[int(entry["number"])] = tuple(entry.get("supports") or ())
    return tuple(references), supports


def load(corpus_dir: Path) -> Document:
    article, refs = corpus_dir / "article.md", corpus_dir / "references.yaml"
    for path in (article, refs):
        if not path.exists():
            raise CorpusError(f"{path} is missing — run `python -m assistant clean` to rebuild it from corpus/raw/.")
    text = article.read_text(encoding="utf-8")
    front_matter, blocks = parse_markdown(text)
    references, supports = load_references(refs)
    for number, quotes in supports.items():
        for quote in quotes:
            if quote not in text:
                raise CorpusError(f"references.yaml: reference {number} supports a quote that is not in article.md "
                                  f"any more: {quote[:60]!r}… — update or remove it.")
    return Document(text, front_matter, blocks, references, supports)
