"""Everything the assistant loads once — corpus, chunks, index handle, model, lexical index — in one place.

`Engine.warm_up()` does the expensive work up front, so imports stay cheap and
no model or index is ever loaded twice in one process.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from . import indexing
from .corpus import Document
from .decline import asks_for_source
from .embedding import ModelFiles, QueryEncoder
from .errors import IndexNotReady, IndexUnreachable
from .lexical import LexicalIndex
from .models import Chunk, Hit
from .query import Speller
from .retrieval import Mode, Retriever
from .settings import Settings, get_settings
from .store import Generation, Store


log = logging.getLogger(__name__)

EMBED_CACHE_SIZE = 4096
SAME_MODEL_COSINE = 0.999  # a chunk's stored vector against the query encoder's: same model, same pipeline


def store_for(settings: Settings, *, repair: bool = True) -> Store:
    """The index `settings` name. A build repairs: it moves an unreadable embedded database aside and starts
    afresh. The engine passes `repair=False`: it only reports it, with the command that rebuilds it."""
    return Store(path=settings.index_dir, host=settings.chroma_host, port=settings.chroma_port,
                 prefix=settings.collection_prefix, repair=repair)


class Engine:
    def __init__(self, settings: Settings | None = None, store: Store | None = None,
                 embedder: ModelFiles | None = None):
        self.settings = settings or get_settings()
        self.store = store or store_for(self.settings, repair=False)
        self.embedder = embedder or QueryEncoder(self.settings.encoder_path,
                                                 threads=self.settings.encoder_threads or os.cpu_count() or 1)
        self._lock = threading.Lock()
        self._embed_lock = threading.Lock()
        self._embedded: OrderedDict[str, np.ndarray] = OrderedDict()
        self._checked = 0.0
        self.unreachable: str | None = None  # why the index cannot be followed now, while answers come from memory
        self._loaded: tuple[Document, tuple[Chunk, ...], Generation, dict[str, np.ndarray], Retriever,
                            Speller] | None = None

    def warm_up(self) -> Engine:
        """Load corpus, index and model; raise IndexNotReady (with the repair command) if the index is not usable."""
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load()
        self.embedder.load()
        return self

    def _load(self):
        document, chunks = indexing.load_chunks(self.settings, self.embedder)
        generation = self.store.check()
        if self.store.chunk_ids(generation.name) != {c.id for c in chunks}:
            raise IndexNotReady(f"The index at {self.store.location} is out of date with {self.settings.corpus_dir} "
                                f"— run `python -m assistant index`.")
        chunk_vectors = self.store.chunk_vectors(generation.name, [c.id for c in chunks])
        self._check_same_model(chunk_vectors[chunks[0].id], chunks[0])
        sentence_vectors = self.store.sentence_vectors(generation.name)
        speller = Speller(set(re.findall(r"[a-z]+", document.text.lower())), self._is_one_word_piece)
        retriever = Retriever(chunks, chunk_vectors, LexicalIndex(chunks), sentence_vectors)
        return document, chunks, generation, sentence_vectors, retriever, speller

    def _check_same_model(self, stored: np.ndarray, probe: Chunk) -> None:
        """Questions must be embedded by the model that embedded the index: re-embed one chunk and compare."""
        cosine = float(stored @ self.embedder.encode([probe.embedding_text])[0])
        if cosine < SAME_MODEL_COSINE:
            raise IndexNotReady(f"The index at {self.store.location} was embedded by another model than the query "
                                f"encoder {getattr(self.embedder, 'onnx_path', '')} (cosine {cosine:.4f} on chunk "
                                f"{probe.id}) — run `python -m assistant index --full`.")

    def _is_one_word_piece(self, word: str) -> bool:
        """An English word the model's vocabulary holds whole is a real word, not a typo."""
        return len(self.embedder.tokenizer.encode(word, add_special_tokens=False).ids) == 1

    def follow_index(self, every_s: float = 2.0) -> None:
        """Switch to a newer index generation when a rebuild has made one (checked at most every `every_s`).

        Answers need nothing from Chroma once the generation is loaded (its vectors are held in memory), so a
        Chroma server that stops does not stop them: they come from the loaded generation, `unreachable` says why
        it cannot be followed, and the next check that reaches the server follows it again."""
        now = time.monotonic()
        if self._loaded is None or now - self._checked < every_s:
            return
        self._checked = now
        try:
            active = self.store.active()
        except IndexUnreachable as error:
            if self.unreachable is None:
                log.warning("%s Meanwhile answers come from generation %s, loaded before.", error, self._loaded[2].name)
            self.unreachable = (f"{error.what}: answering from generation {self._loaded[2].name}, "
                                f"loaded before, and following a rebuild again once it is back.")
            return
        except IndexNotReady:
            raise  # corrupted: the store's message says what to do
        except Exception as error:
            raise IndexNotReady(f"The index at {self.store.location} cannot be reached ({type(error).__name__}) — "
                                f"check that it is running; answers resume when it is back.") from error
        if self.unreachable is not None:
            log.info("The index can be reached again.")
            self.unreachable = None
        if active is not None and active.name != self._loaded[2].name:
            log.info("The index moved to generation %s; reloading.", active.name)
            self.reload()

    def reload(self) -> None:
        """Drop what was loaded, so the next call follows the index to its current generation."""
        with self._lock:
            self._loaded = None

    @property
    def _state(self):
        if self._loaded is None:
            self.warm_up()
        return self._loaded

    @property
    def document(self) -> Document:
        return self._state[0]

    @property
    def chunks(self) -> tuple[Chunk, ...]:
        return self._state[1]

    @property
    def generation(self) -> Generation:
        return self._state[2]

    @property
    def sentence_vectors(self) -> dict[str, np.ndarray]:
        return self._state[3]

    @property
    def speller(self) -> Speller:
        return self._state[5]

    @property
    def retriever(self) -> Retriever:
        return self._state[4]

    @property
    def lexical(self) -> LexicalIndex:
        return self.retriever.lexical

    @property
    def chunk_by_id(self) -> dict[str, Chunk]:
        return self.retriever.chunks

    def embed(self, text: str) -> np.ndarray:
        """One text's vector (see `embed_many`)."""
        return self.embed_many([text])[0]

    def embed_many(self, texts: Sequence[str]) -> np.ndarray:
        """The texts' vectors, one row each. The guard and the answer path embed the same message parts, so the second
        asks for free: the newest `EMBED_CACHE_SIZE` vectors are kept (read-only, so no caller can change a shared
        one). The texts not kept go to the encoder together, in batches of similar length (`QueryEncoder.encode`):
        a call reads all the model's weights once, so the readings of a message that has several embed 1.16× faster
        on two threads, 1.05× on one, than one call each (bench/encoder_batches.py)."""
        found: dict[str, np.ndarray] = {}
        with self._embed_lock:
            for text in texts:
                vector = self._embedded.get(text)
                if vector is not None:
                    self._embedded.move_to_end(text)
                    found[text] = vector
        missing = [text for text in dict.fromkeys(texts) if text not in found]
        if missing:
            vectors = self.embedder.encode(missing)
            vectors.setflags(write=False)
            with self._embed_lock:
                for text, vector in zip(missing, vectors):
                    found[text] = self._embedded[text] = vector
                while len(self._embedded) > EMBED_CACHE_SIZE:
                    self._embedded.popitem(last=False)
        return np.stack([found[text] for text in texts]) if texts else np.zeros((0, 0), dtype=np.float32)

    def passages(self, query: str, query_vector: np.ndarray | None = None) -> list[Hit]:
        """Every passage, best first; reference-list entries only when the query asks for a source ("which
        study …"): a bibliography line shares a question's words without answering it."""
        ranked = self.retrieve(query, k=len(self.chunks), query_vector=query_vector)
        return ranked if asks_for_source(query) else [hit for hit in ranked if hit.chunk.kind != "reference"]

    def retrieve(self, query: str, k: int | None = None, mode: Mode | None = None,
                 query_vector: np.ndarray | None = None) -> list[Hit]:
        vector = self.embed(query) if query_vector is None else query_vector
        return self.retriever.retrieve(query, vector, k or self.settings.top_k, mode or self.settings.retrieval)
