"""Corpus → Chroma, incrementally and crash-safely.

A rebuild embeds only chunks whose ID (a content hash) is new, copies the
vectors of unchanged chunks, writes a complete new generation and only then
points the index at it. A change of embedding model or chunker forces a full
re-embed; both are recorded in the generation's manifest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from tqdm import tqdm

from . import chunking, corpus
from .embedding import ENCODER_FORMAT, Embedder, ModelFiles, QueryEncoder
from .models import Chunk
from .settings import Settings
from .store import Store


@dataclass(frozen=True)
class BuildReport:
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0
    embedded_chunks: int = 0
    full: bool = False
    generation: str = ""
    encoder: str = ""  # where the query encoder was exported to, when this build exported it

    @property
    def changed(self) -> int:
        """An edited paragraph shows up as one chunk added and one removed: count those pairs as changes."""
        return 0 if self.full else min(len(self.added), len(self.removed))

    @property
    def noop(self) -> bool:
        return not (self.added or self.removed or self.full or self.generation)

    def summary(self) -> str:
        exported = f" Exported the query encoder to {self.encoder}." if self.encoder else ""
        if self.noop:
            return f"Index is up to date: {self.unchanged} chunks, nothing embedded.{exported}"
        kind = "Full build" if self.full else "Incremental build"
        return (f"{kind}: {len(self.added) - self.changed} added, {self.changed} changed, "
                f"{len(self.removed) - self.changed} removed, {self.unchanged} unchanged; "
                f"embedded {self.embedded_chunks} chunks.{exported}")


def load_chunks(settings: Settings, embedder: ModelFiles) -> tuple[corpus.Document, tuple[Chunk, ...]]:
    document = corpus.load(settings.corpus_dir)
    return document, chunking.chunk_document(document, embedder.max_tokens, embedder.count_tokens)


SENTENCE_VECTORS_VERSION = "2"  # bump when sentence_texts() changes: forces a full re-index


def manifest(embedder: ModelFiles, document: corpus.Document) -> dict:
    return {"embedding_model": embedder.fingerprint, "chunker": chunking.CHUNKER_VERSION,
            "sentence_vectors": SENTENCE_VECTORS_VERSION, "max_tokens": embedder.max_tokens,
            "query_encoder": ENCODER_FORMAT, "corpus": document.fingerprint}


def sentence_texts(chunk: Chunk) -> list[tuple[str, str]]:
    """Each sentence alone and under its section heading; its vector is the normalised mean of the two.

    Alone, "Maybe it’s a dull ache or a sharp stabbing feeling." does not say it is about hip pain, and a
    bullet's "Taking the time to hold some slow, static stretches…" does not say it is the cool-down; under
    its heading it does. The sentence alone keeps its own wording strong.
    """
    return [(s.text, f"{chunk.heading_path[-1]}. {s.text}") for s in chunk.sentences]


def build(settings: Settings, store: Store, embedder: Embedder, full: bool = False,
          progress: bool = True) -> BuildReport:
    encoder = "" if QueryEncoder(settings.encoder_path, embedder.model_path).is_current() else \
        str(embedder.export(settings.encoder_path))
    document, chunks = load_chunks(settings, embedder)
    wanted = manifest(embedder, document)
    active = store.active()
    reusable = active is not None and not full and all(
        active.manifest.get(k) == wanted[k] for k in ("embedding_model", "chunker", "sentence_vectors", "max_tokens"))
    old_ids = store.chunk_ids(active.name) if reusable else set()
    new_ids = [c.id for c in chunks]
    for orphan in store.generations() - ({active.name} if active else set()):
        store.drop(orphan)  # left by a build that died before switching over
    if reusable and old_ids == set(new_ids) and active.manifest == wanted:
        return BuildReport(unchanged=len(chunks), encoder=encoder)

    fresh = [c for c in chunks if c.id not in old_ids]
    copied = store.chunk_vectors(active.name, [c.id for c in chunks if c.id in old_ids]) if reusable else {}
    old_sentences = store.sentence_vectors(active.name) if reusable else {}
    vectors = _embed(embedder, fresh, progress)
    vectors.update({cid: (copied[cid], old_sentences[cid]) for cid in copied})

    generation = store.new_generation()
    store.write(generation, list(chunks), np.stack([vectors[c.id][0] for c in chunks]),
                [vectors[c.id][1] for c in chunks])
    store.activate(generation, wanted)  # the switch: before this line, the old generation serves
    if active is not None:
        store.drop(active.name)

    return BuildReport(added=tuple(c.id for c in fresh), removed=tuple(sorted(old_ids - set(new_ids))),
                       unchanged=len(chunks) - len(fresh), embedded_chunks=len(fresh), full=not reusable,
                       generation=generation, encoder=encoder)


def _embed(embedder: Embedder, chunks: list[Chunk], progress: bool) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Embed each chunk and its sentences, in batches, with a progress bar over the texts."""
    texts = [text for chunk in chunks
             for text in [chunk.embedding_text, *(t for pair in sentence_texts(chunk) for t in pair)]]
    step = embedder.batch_size
    batches = [embedder.encode(texts[i:i + step]) for i in
               tqdm(range(0, len(texts), step), desc="Embedding", unit="batch", disable=not progress or not texts)]
    vectors = np.concatenate(batches) if batches else np.zeros((0, 384), dtype=np.float32)
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    row = 0
    for chunk in chunks:
        size = 1 + 2 * len(chunk.sentences)
        pairs = vectors[row + 1:row + size]
        mean = pairs[0::2] + pairs[1::2]
        out[chunk.id] = (vectors[row], mean / np.linalg.norm(mean, axis=1, keepdims=True))
        row += size
    return out
