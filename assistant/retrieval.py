"""Hybrid retrieval: the dense leg (Chroma) and the lexical leg (BM25) fused by reciprocal rank.

Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009) needs no score
calibration between the legs: each chunk scores Σ 1 / (60 + rank in leg).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np

from .lexical import LexicalIndex
from .models import Chunk, Hit

Mode = Literal["fused", "dense", "lexical"]
RRF_K = 60


class Retriever:
    def __init__(self, chunks: tuple[Chunk, ...], dense: Callable[[np.ndarray, int], list[tuple[str, float]]],
                 lexical: LexicalIndex):
        self.chunks = {c.id: c for c in chunks}
        self._dense = dense
        self.lexical = lexical

    def retrieve(self, query: str, query_vector: np.ndarray, k: int, mode: Mode = "fused") -> list[Hit]:
        """The k best chunks for the query; every hit carries both legs' scores."""
        similarity = dict(self._dense(query_vector, len(self.chunks)))
        lexical = self.lexical.scores(query)
        dense_rank = _ranks(similarity)
        lexical_rank = _ranks({cid: s for cid, s in lexical.items() if s > 0})
        if mode == "dense":
            fused = {cid: 1.0 / (RRF_K + r) for cid, r in dense_rank.items()}
        elif mode == "lexical":
            fused = {cid: 1.0 / (RRF_K + r) for cid, r in lexical_rank.items()}
        else:
            fused = {cid: sum(1.0 / (RRF_K + ranks[cid]) for ranks in (dense_rank, lexical_rank) if cid in ranks)
                     for cid in self.chunks}
        best = sorted(fused, key=lambda cid: (-fused[cid], -similarity.get(cid, 0.0)))[:k]
        return [Hit(self.chunks[cid], fused[cid], similarity.get(cid, 0.0), lexical.get(cid, 0.0), rank)
                for rank, cid in enumerate(best, start=1)]


def _ranks(scores: dict[str, float]) -> dict[str, int]:
    ordered = sorted(scores, key=lambda cid: -scores[cid])
    return {cid: rank for rank, cid in enumerate(ordered, start=1)}
