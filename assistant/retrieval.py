"""Hybrid retrieval: three legs fused by reciprocal rank.

* dense — the chunk's vector, read from Chroma with the generation, nearest to the question's (ranked in memory:
  46 dot products are exactly Chroma's ranking and cost 0.02 ms, where asking Chroma cost 0.7 ms embedded and a
  round trip on a Chroma server; tests/test_retrieval.py checks the two agree);
* lexical — BM25 over the chunk texts (exact terms: "AAOS", "73%", "clamshells");
* sentences — the chunk's best sentence (its vectors read under its heading, held in memory): a long
  paragraph's one sentence that answers "is it fixable?" ("…it’s also treatable and preventable") is
  drowned out in the paragraph's single vector.

Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009) needs no score
calibration between the legs: each chunk scores Σ 1 / (60 + rank in leg).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from .lexical import LexicalIndex
from .models import Chunk, Hit

Mode = Literal["fused", "dense", "lexical", "sentences"]
MODES: tuple[Mode, ...] = ("fused", "dense", "lexical", "sentences")
RRF_K = 60


class Retriever:
    def __init__(self, chunks: tuple[Chunk, ...], chunk_vectors: dict[str, np.ndarray], lexical: LexicalIndex,
                 sentence_vectors: dict[str, np.ndarray]):
        self.chunks = {c.id: c for c in chunks}
        self._chunk_ids = list(self.chunks)
        self._chunk_rows = np.stack([chunk_vectors[cid] for cid in self._chunk_ids])
        self.lexical = lexical
        # Every chunk's sentence vectors stacked in one matrix: each chunk's best sentence is one matrix product and
        # one `maximum.reduceat` away, not a product per chunk (a score may differ from that in a float32's last bit).
        self._sentence_ids = [cid for cid, rows in sentence_vectors.items() if cid in self.chunks and len(rows)]
        self._sentence_rows = (np.concatenate([sentence_vectors[cid] for cid in self._sentence_ids])
                               if self._sentence_ids else np.zeros((0, 0), dtype=np.float32))
        self._sentence_starts = np.cumsum([0] + [len(sentence_vectors[cid]) for cid in self._sentence_ids[:-1]])

    def retrieve(self, query: str, query_vector: np.ndarray, k: int, mode: Mode = "fused") -> list[Hit]:
        """The k best chunks for the query; a hit carries its dense similarity and BM25 score."""
        similarity = self.similarity(query_vector)
        lexical = self.lexical.scores(query)
        legs = {"dense": _ranks(similarity),
                "lexical": _ranks({cid: s for cid, s in lexical.items() if s > 0}),
                "sentences": _ranks(self._best_sentences(query_vector))}
        used = [legs[name] for name in legs] if mode == "fused" else [legs[mode]]
        fused = {cid: sum(1.0 / (RRF_K + ranks[cid]) for ranks in used if cid in ranks) for cid in self.chunks}
        fused = {cid: score for cid, score in fused.items() if score > 0}
        best = sorted(fused, key=lambda cid: (-fused[cid], -similarity.get(cid, 0.0)))[:k]
        return [Hit(self.chunks[cid], fused[cid], similarity.get(cid, 0.0), lexical.get(cid, 0.0), rank)
                for rank, cid in enumerate(best, start=1)]

    def similarity(self, query_vector: np.ndarray) -> dict[str, float]:
        """Each chunk's cosine similarity to the query (the vectors are normalised)."""
        return dict(zip(self._chunk_ids, (self._chunk_rows @ query_vector).tolist()))

    def _best_sentences(self, query_vector: np.ndarray) -> dict[str, float]:
        """Each chunk's best sentence similarity to the query."""
        if not self._sentence_ids:
            return {}
        best = np.maximum.reduceat(self._sentence_rows @ query_vector, self._sentence_starts)
        return dict(zip(self._sentence_ids, best.tolist()))


def _ranks(scores: dict[str, float]) -> dict[str, int]:
    ordered = sorted(scores, key=lambda cid: -scores[cid])
    return {cid: rank for rank, cid in enumerate(ordered, start=1)}
