"""The one module that talks to Chroma (embedded or server); everything else sees the app's own types.

An index lives in *generations*: a build writes a complete new pair of
collections (chunks and their sentences), then flips one pointer collection to
it. Readers follow the pointer, so a build that dies halfway leaves the old
generation serving and only an orphan behind, which the next build removes.

Chroma never embeds anything itself here: collections are created with
`embedding_function=None` and always get vectors from `assistant.embedding`
(Chroma's default embedding function would download a model).

Faults surface as `IndexNotReady` with the next step in its message: an embedded database that
SQLite cannot read is reported before Chroma opens it (a store made with `repair=True`, the one a
build uses, moves it aside into `corrupt-<time>/` and starts afresh), and a Chroma server that
cannot be reached is `IndexUnreachable`; the next call tries again, so a process that could not load the index
answers once it is back (one that had loaded it answers from memory meanwhile: `Engine.follow_index`).
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import tempfile
import time
import uuid
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import IndexNotReady, IndexUnreachable
from .models import Chunk

_POINTER = "active"
_DATABASE = "chroma.sqlite3"
_SEGMENT_DIR = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_SQLITE_CORRUPT, _SQLITE_NOTADB = 11, 26

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Generation:
    name: str
    manifest: dict


class Store:
    def __init__(self, client=None, *, path: Path | None = None, host: str | None = None, port: int | None = None,
                 prefix: str = "hip", repair: bool = False):
        self._client = client
        self.path, self.host, self.port, self.prefix = path, host, port, prefix
        self.repair = repair  # move an unreadable embedded database aside instead of only reporting it
        self._queried: tuple[str, object] | None = None  # (name, handle) of the collection `query` last used

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
                self._verify_database()  # before Chroma opens it: it would keep a broken client for this path
                self._client = chromadb.PersistentClient(path=str(self.path), settings=settings)
        return self._client

    def _verify_database(self) -> None:
        """Raise IndexNotReady when SQLite cannot read the embedded database; with `repair`, move it aside instead."""
        database = self.path / _DATABASE
        problem = _sqlite_problem(database)
        if problem is None:
            return
        if not self.repair:
            raise IndexNotReady(f"The index at {self.path} is corrupted ({_DATABASE}: {problem}) — run "
                                f"`python -m assistant index --full` to rebuild it.")
        aside = Path(tempfile.mkdtemp(prefix=f"corrupt-{time.strftime('%Y%m%dT%H%M%S')}-", dir=self.path))
        for item in self.path.iterdir():
            if item.name.startswith(_DATABASE) or (item.is_dir() and _SEGMENT_DIR.match(item.name)):
                item.rename(aside / item.name)
        log.warning("The index database %s was corrupted (%s); moved it with its segments to %s and starting a "
                    "fresh index. Delete that folder when you no longer need it.", database, problem, aside)

    @contextmanager
    def _reaching(self):
        """A Chroma server that cannot be reached becomes IndexUnreachable; the next call simply tries again."""
        try:
            yield
        except Exception as error:
            if self.host and _is_unreachable(error):
                raise IndexUnreachable(f"The Chroma server at {self.host}:{self.port or 8000} cannot be reached "
                                       f"({type(error).__name__})", f"start it again (`chroma run --path … --port "
                                       f"{self.port or 8000}`); answers resume as soon as it is back.") from error
            raise

    def _name(self, kind: str, generation: str) -> str:
        return f"{self.prefix}-{kind}-{generation}"

    def _collection(self, kind: str, generation: str):
        return self.client.get_collection(self._name(kind, generation), embedding_function=None)

    # -- the pointer ------------------------------------------------------------------------
    def active(self) -> Generation | None:
        """The generation in service, or None when nothing was ever built here."""
        from chromadb.errors import NotFoundError  # chromadb is imported lazily: it is slow to import

        try:
            with self._reaching():
                pointer = self.client.get_collection(f"{self.prefix}-{_POINTER}", embedding_function=None)
        except NotFoundError:  # embedded and server clients alike
            return None
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
        with self._reaching():
            names = {c.name if hasattr(c, "name") else str(c) for c in self.client.list_collections()}
        prefix = f"{self.prefix}-chunks-"
        return {n[len(prefix):] for n in names if n.startswith(prefix)}

    def drop(self, generation: str) -> None:
        self._queried = None
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
        with self._reaching():
            return set(self._collection("chunks", generation).get(include=[])["ids"])

    def chunk_vectors(self, generation: str, ids: list[str]) -> dict[str, np.ndarray]:
        if not ids:
            return {}
        with self._reaching():
            got = self._collection("chunks", generation).get(ids=ids, include=["embeddings"])
        return {i: np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], got["embeddings"])}

    def sentence_vectors(self, generation: str) -> dict[str, np.ndarray]:
        """chunk id → matrix of its sentence vectors, in sentence order."""
        with self._reaching():
            got = self._collection("sentences", generation).get(include=["embeddings", "metadatas"])
        rows: dict[str, list[tuple[int, np.ndarray]]] = {}
        for vector, meta in zip(got["embeddings"], got["metadatas"]):
            rows.setdefault(meta["chunk_id"], []).append((meta["position"], np.asarray(vector, dtype=np.float32)))
        return {cid: np.stack([v for _, v in sorted(r, key=lambda p: p[0])]) for cid, r in rows.items()}

    def query(self, generation: str, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """The n nearest chunks as (chunk id, cosine similarity), most similar first: Chroma's own search. Answers rank
        the generation's chunk vectors in memory (`retrieval.Retriever`); this is what that ranking is checked
        against (tests/test_retrieval.py) and timed against (bench/bench.py)."""
        name, known = self._name("chunks", generation), self._queried
        with self._reaching():
            try:  # the handle is kept: looking the collection up again costs as much as the query
                collection = known[1] if known and known[0] == name else self._collection("chunks", generation)
                got = collection.query(query_embeddings=[vector], n_results=n, include=["distances"])
            except Exception:
                self._queried = None  # the next call looks it up again
                raise
        self._queried = (name, collection)
        return [(cid, 1.0 - float(d)) for cid, d in zip(got["ids"][0], got["distances"][0])]

    def check(self) -> Generation:
        """The generation in service, or an IndexNotReady that says how to repair it."""
        try:
            active = self.active()
            if active is None:
                raise IndexNotReady(f"The index at {self.location} is missing — run `python -m assistant index`.")
            with self._reaching():
                self._collection("chunks", active.name).count()
                self._collection("sentences", active.name).count()
            return active
        except IndexNotReady:
            raise
        except Exception as error:
            raise IndexNotReady(f"The index at {self.location} cannot be read ({type(error).__name__}: {error}) — "
                                f"run `python -m assistant index --full` to rebuild it.") from error


def _sqlite_problem(database: Path) -> str | None:
    """What SQLite says is wrong with the file, or None when it reads it (or it does not exist yet).

    Only damage counts: a database that is busy or locked by a running build is not corrupt.
    """
    if not database.exists() or database.stat().st_size == 0:
        return None
    try:
        with closing(sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True, timeout=5)) as db:
            verdict = db.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError as error:
        code = getattr(error, "sqlite_errorcode", 0) & 0xFF
        return str(error) if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB) else None
    return None if verdict and verdict[0] == "ok" else f"integrity check: {verdict[0] if verdict else 'no answer'}"


def _is_unreachable(error: BaseException) -> bool:
    import httpx

    return (isinstance(error, (httpx.TransportError, ConnectionError))
            or "could not connect" in str(error).lower())


def _chunk_metadata(chunk: Chunk) -> dict:
    return {"kind": chunk.kind, "heading_path": " > ".join(chunk.heading_path), "start": chunk.start,
            "end": chunk.end, "label": chunk.label or "", "references": json.dumps(chunk.reference_numbers)}
