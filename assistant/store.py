"""The one module that talks to Chroma (embedded or server); everything else sees the app's own types.

An index lives in *generations*: a build writes a complete new pair of
collections (chunks and their sentences), then flips one pointer collection to
it. Readers follow the pointer, so a build that dies halfway leaves the old
generation serving and only an orphan behind, which the next build removes.

Chroma never embeds anything itself here: collections are created with
`embedding_function=None` and always get vectors from `assistant.embedding`
(Chroma's default embedding function would download a model).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import IndexNotReady
from .models import Chunk

_POINTER = "active"


@dataclass(frozen=True)
class Generation:
    name: str
    manifest: dict


class Store:
    def __init__(self, client=None, *, path: Path | None = None, host: str | None = None, port: int | None = None,
                 prefix: str = "hip"):
        self._client = client
        self.path, self.host, self.port, self.prefix = path, host, port, prefix

    @property
    def location(self) -> str:
        return f"Chroma server {self.host}:{self.port}" if self.host else f"{self.path}"

    @property
    def client(self):
        if self._client is None:
            import chromadb
            from chromadb.config import Settings

            settings = Settings(anonymized_telemetry=False)
            if self.host:
                self._client = chromadb.HttpClient(host=self.host, port=self.port or 8000, settings=settings)
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(path=str(self.path), settings=settings)
        return self._client

    def _name(self, kind: str, generation: str) -> str:
        return f"{self.prefix}-{kind}-{generation}"

    def _collection(self, kind: str, generation: str):
        return self.client.get_collection(self._name(kind, generation), embedding_function=None)

    # -- the pointer ------------------------------------------------------------------------
    def active(self) -> Generation | None:
        """The generation in service, or None when nothing was ever built here."""
        try:
            pointer = self.client.get_collection(f"{self.prefix}-{_POINTER}", embedding_function=None)
        except Exception as error:  # chromadb raises NotFoundError, or ValueError in older paths
            if "does not exist" in str(error) or "not found" in str(error).lower():
                return None
            raise
        meta = dict(pointer.metadata or {})
        if "generation" not in meta:
            return None
        return Generation(meta.pop("generation"), json.loads(meta.get("manifest", "{}")))

    def activate(self, generation: str, manifest: dict) -> None:
        metadata = {"generation": generation, "manifest": json.dumps(manifest, sort_keys=True)}
        pointer = self.client.get_or_create_collection(f"{self.prefix}-{_POINTER}", embedding_function=None,
                                                       metadata=metadata)
        pointer.modify(metadata=metadata)

    def generations(self) -> set[str]:
        """Every generation that has collections here, whether in service or orphaned."""
        names = {c.name if hasattr(c, "name") else str(c) for c in self.client.list_collections()}
        prefix = f"{self.prefix}-chunks-"
        return {n[len(prefix):] for n in names if n.startswith(prefix)}

    def drop(self, generation: str) -> None:
        for kind in ("chunks", "sentences"):
            try:
                self.client.delete_collection(self._name(kind, generation))
            except Exception:
                pass  # half-created generations may lack one of the two

    # -- writing -----------------------------------------------------------------------------
    def new_generation(self) -> str:
        generation = uuid.uuid4().hex[:12]
        for kind in ("chunks", "sentences"):
            self.client.create_collection(self._name(kind, generation), embedding_function=None,
                                          configuration={"hnsw": {"space": "cosine"}})
        return generation

    def write(self, generation: str, chunks: list[Chunk], chunk_vectors: np.ndarray,
              sentence_vectors: list[np.ndarray]) -> None:
        """Add chunks with their vectors, and each chunk's sentence vectors (row i = sentence i)."""
        if not chunks:
            return
        self._collection("chunks", generation).add(
            ids=[c.id for c in chunks], embeddings=chunk_vectors, documents=[c.text for c in chunks],
            metadatas=[_chunk_metadata(c) for c in chunks])
        ids, vectors, metas = [], [], []
        for chunk, rows in zip(chunks, sentence_vectors):
            for i, row in enumerate(rows):
                ids.append(f"{chunk.id}:{i}")
                vectors.append(row)
                metas.append({"chunk_id": chunk.id, "position": i})
        self._collection("sentences", generation).add(ids=ids, embeddings=np.asarray(vectors), metadatas=metas)

    # -- reading -----------------------------------------------------------------------------
    def chunk_ids(self, generation: str) -> set[str]:
        return set(self._collection("chunks", generation).get(include=[])["ids"])

    def chunk_vectors(self, generation: str, ids: list[str]) -> dict[str, np.ndarray]:
        if not ids:
            return {}
        got = self._collection("chunks", generation).get(ids=ids, include=["embeddings"])
        return {i: np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], got["embeddings"])}

    def sentence_vectors(self, generation: str) -> dict[str, np.ndarray]:
        """chunk id → matrix of its sentence vectors, in sentence order."""
        got = self._collection("sentences", generation).get(include=["embeddings", "metadatas"])
        rows: dict[str, list[tuple[int, np.ndarray]]] = {}
        for vector, meta in zip(got["embeddings"], got["metadatas"]):
            rows.setdefault(meta["chunk_id"], []).append((meta["position"], np.asarray(vector, dtype=np.float32)))
        return {cid: np.stack([v for _, v in sorted(r, key=lambda p: p[0])]) for cid, r in rows.items()}

    def query(self, generation: str, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """The n nearest chunks as (chunk id, cosine similarity), most similar first."""
        got = self._collection("chunks", generation).query(query_embeddings=[vector], n_results=n, include=["distances"])
        return [(cid, 1.0 - float(d)) for cid, d in zip(got["ids"][0], got["distances"][0])]

    def check(self) -> Generation:
        """The generation in service, or an IndexNotReady that says how to repair it."""
        try:
            active = self.active()
            if active is None:
                raise IndexNotReady(f"The index at {self.location} is missing — run `python -m assistant index`.")
            self._collection("chunks", active.name).count()
            self._collection("sentences", active.name).count()
            return active
        except IndexNotReady:
            raise
        except Exception as error:
            raise IndexNotReady(f"The index at {self.location} cannot be read ({type(error).__name__}: {error}) — "
                                f"run `python -m assistant index --full` to rebuild it.") from error


def _chunk_metadata(chunk: Chunk) -> dict:
    return {"kind": chunk.kind, "heading_path": " > ".join(chunk.heading_path), "start": chunk.start,
            "end": chunk.end, "label": chunk.label or "", "references": json.dumps(chunk.reference_numbers)}
