"""Incremental, crash-safe indexing into a real Chroma (embedded here, a real server in test_chroma_server)."""

from __future__ import annotations

import shutil

import pytest

from assistant import indexing

from assistant.embedding import Embedder
from assistant.engine import Engine, store_for
from assistant.errors import IndexNotReady
from assistant.indexing import build
from assistant.settings import Settings


class CountingEmbedder(Embedder):
    """The real model, counting how many texts it is asked to embed (and able to fail on demand)."""

    def __init__(self, base: Embedder, fail_after: int | None = None, fingerprint: str | None = None,
                 batch_size: int = 32):
        super().__init__(base.model_path, batch_size=batch_size)
        self.__dict__["model"] = base.model  # share the loaded weights
        self.calls = 0
        self.texts = 0
        self.fail_after = fail_after
        if fingerprint:
            self.__dict__["fingerprint"] = fingerprint

    def encode(self, texts, progress=False):
        self.calls += 1
        self.texts += len(texts)
        if self.fail_after is not None and self.calls > self.fail_after:
            raise RuntimeError("simulated crash halfway through a build")
        return super().encode(texts, progress)


@pytest.fixture(scope="module")
def first_build(tmp_path_factory, embedder):
    """One full build of the committed corpus into an empty index, and its report."""
    settings = Settings(index_dir=tmp_path_factory.mktemp("first_build") / "index")
    return settings.index_dir, build(settings, store_for(settings), embedder, progress=False)


@pytest.fixture
def fresh(first_build, corpus_copy, tmp_path):
    """A private corpus and a private copy of a freshly built index (a copy: a full build takes ~25 s)."""
    built, report = first_build
    settings = Settings(corpus_dir=corpus_copy, index_dir=tmp_path / "index")
    shutil.copytree(built, settings.index_dir)
    return settings, report


def test_full_build_embeds_every_chunk(fresh, engine):
    _, report = fresh
    assert report.full and report.embedded_chunks == len(engine.chunks)


def test_rebuild_without_changes_embeds_nothing(fresh, embedder):
    settings, _ = fresh
    counting = CountingEmbedder(embedder)
    report = build(settings, store_for(settings), counting, progress=False)
    assert report.noop and counting.calls == 0


def test_one_changed_paragraph_reembeds_only_its_chunk(fresh, embedder):
    settings, first = fresh
    article = settings.corpus_dir / "article.md"
    article.write_text(article.read_text().replace("Ice can reduce swelling", "Ice packs can reduce swelling"))
    counting = CountingEmbedder(embedder)
    report = build(settings, store_for(settings), counting, progress=False)
    assert report.embedded_chunks == 1 and len(report.removed) == 1 and report.changed == 1
    ice = next(c for c in Engine(settings, embedder=embedder).chunks if c.label == "Apply ice.")
    assert counting.texts == 1 + 2 * len(ice.sentences)  # the chunk, its sentences alone and under their heading
    store = store_for(settings)
    ids = store.chunk_ids(store.active().name)
    assert report.removed[0] not in ids and report.added[0] in ids
    hits = Engine(settings, embedder=embedder).retrieve("how long should i ice my hip", k=1)
    assert "Ice packs can reduce swelling" in hits[0].chunk.text


def test_a_different_embedding_model_forces_a_full_rebuild(fresh, embedder):
    settings, first = fresh
    other = CountingEmbedder(embedder, fingerprint="some-other-model@123")
    report = build(settings, store_for(settings), other, progress=False)
    assert report.full and report.embedded_chunks == first.embedded_chunks
    assert store_for(settings).active().manifest["embedding_model"] == "some-other-model@123"


def test_a_new_way_of_embedding_sentences_forces_a_full_rebuild(fresh, embedder, monkeypatch):
    settings, first = fresh
    monkeypatch.setattr(indexing, "SENTENCE_VECTORS_VERSION", "next")
    report = build(settings, store_for(settings), embedder, progress=False)
    assert report.full and report.embedded_chunks == first.embedded_chunks
    assert store_for(settings).active().manifest["sentence_vectors"] == "next"


def test_a_build_that_crashes_halfway_leaves_the_old_index_serving(fresh, embedder):
    settings, _ = fresh
    article = settings.corpus_dir / "article.md"
    original = article.read_text()
    article.write_text(original.replace("Apply ice.", "Apply cold packs.").replace("Cool down.", "Cool off."))
    store = store_for(settings)
    before = store.active()
    with pytest.raises(RuntimeError, match="simulated crash"):
        build(settings, store, CountingEmbedder(embedder, fail_after=1, batch_size=2), progress=False)
    assert store.active() == before
    article.write_text(original)  # the old index still answers for the old text
    hits = Engine(settings, embedder=embedder).retrieve("how long should i ice my hip", k=1)
    assert hits[0].chunk.label == "Apply ice."


def test_an_orphan_left_by_a_crash_is_removed_by_the_next_build(fresh, embedder):
    settings, _ = fresh
    store = store_for(settings)
    orphan = store.new_generation()  # what a build killed before its switch leaves behind
    assert orphan in store.generations()
    build(settings, store, embedder, progress=False)
    assert store.generations() == {store.active().name}


def test_a_stale_index_is_refused_with_the_command_that_fixes_it(fresh, embedder):
    settings, _ = fresh
    article = settings.corpus_dir / "article.md"
    article.write_text(article.read_text().replace("Apply ice.", "Apply cold."))
    with pytest.raises(IndexNotReady, match="python -m assistant index"):
        Engine(settings, embedder=embedder).warm_up()


def test_a_missing_index_is_refused_with_the_command_that_builds_it(tmp_path, embedder):
    with pytest.raises(IndexNotReady, match="missing — run `python -m assistant index`"):
        Engine(Settings(index_dir=tmp_path / "nothing"), embedder=embedder).warm_up()
