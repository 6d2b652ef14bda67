"""Retrieval quality on the labelled questions of eval/cases.yaml: recall@3 of each leg and of the fusion."""

from __future__ import annotations

import pytest
import yaml

from assistant.settings import ROOT

CASES = [c for c in yaml.safe_load((ROOT / "eval" / "cases.yaml").read_text())["cases"]
         if c["expect"] == "answered" and not c.get("history")]


def _relevant(chunk, case) -> bool:
    """A chunk is relevant when it lies in a gold section or contains a gold quote."""
    return chunk.heading_path[-1] in case.get("gold_sections", []) or any(
        q in chunk.text for q in case.get("gold_quotes", []))


def recall_at(engine, k: int, mode: str) -> float:
    found = sum(any(_relevant(h.chunk, c) for h in engine.retrieve(c["question"], k=k, mode=mode)) for c in CASES)
    return found / len(CASES)


def test_question_set_is_large_enough():
    assert len(CASES) >= 30


def test_fused_retrieval_recall_at_3_is_at_least_0_9(engine):
    assert recall_at(engine, 3, "fused") >= 0.9


# The calibration questions that name the passage answering them: held-out data for choosing the retrieval design
# (the eval cases above are the test set).
DEV = [q for q in yaml.safe_load((ROOT / "eval" / "calibration.yaml").read_text())["questions"] if q.get("passage")]


def dev_recall_at(engine, k: int, mode: str) -> float:
    text = engine.document.text
    found = 0
    for item in DEV:
        start = text.find(item["passage"])
        end = start + len(item["passage"])
        found += any(h.chunk.start < end and start < h.chunk.end
                     for h in engine.retrieve(item["question"], k=k, mode=mode))
    return found / len(DEV)


@pytest.mark.parametrize("mode", ["dense", "lexical", "sentences"])
def test_fusion_beats_each_leg_on_held_out_questions(engine, mode):
    assert len(DEV) >= 150
    assert dev_recall_at(engine, 3, "fused") > dev_recall_at(engine, 3, mode)


def test_the_dense_leg_ranks_the_chunks_as_chromas_own_search_does(engine):
    """The dense leg ranks the generation's chunk vectors in memory; Chroma's nearest-neighbour search over the same
    collection must give the same order and the same similarities, for every labelled and held-out question."""
    questions = [c["question"] for c in CASES] + [item["question"] for item in DEV]
    vectors = engine.embedder.encode(questions)
    retriever, generation = engine.retriever, engine.generation.name
    for question, vector in zip(questions, vectors):
        chroma = engine.store.query(generation, vector, len(engine.chunks))
        ours = sorted(retriever.similarity(vector).items(), key=lambda item: -item[1])
        assert [cid for cid, _ in ours] == [cid for cid, _ in chroma], question
        assert max(abs(a - b) for (_, a), (_, b) in zip(ours, chroma)) < 1e-5, question


def test_hits_carry_scores_from_both_legs(engine):
    hits = engine.retrieve("how long should i ice my hip", k=3)
    assert [h.rank for h in hits] == [1, 2, 3]
    assert hits[0].similarity > 0.3 and hits[0].lexical > 0
    assert hits[0].score >= hits[1].score >= hits[2].score


def test_the_stop_word_copy_equals_scikit_learns():
    """Serving reads its own copy of scikit-learn's English stop words; it must not drift from the original."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from assistant.stop_words import ENGLISH_STOP_WORDS as copy

    assert copy == ENGLISH_STOP_WORDS


def test_the_tokenizer_gives_the_terms_bm25s_gives():
    """`lexical.tokenize` is a cached copy of bm25s.tokenize with the same stop words and stemmer; it must not drift
    from it: the article's lines, the labelled questions and awkward text (case, apostrophes, other scripts)."""
    import bm25s

    from assistant.lexical import _STEMMER, STOP_STEMS, STOP_WORDS, tokenize

    texts = (ROOT / "corpus" / "article.md").read_text().splitlines() + [c["question"] for c in CASES] + [
        "", "I", "Don't STRETCH it’s running-related", "İstanbul STRASSE straße", "日本 hip_pain a1 x2y", "runs\tran\nrun"]
    theirs = bm25s.tokenize(texts, stopwords=STOP_WORDS, stemmer=_STEMMER.stemWords, return_ids=False,
                            show_progress=False)
    assert tokenize(texts) == [[t for t in words if t not in STOP_STEMS] for words in theirs]
    assert tokenize(texts) == tokenize(texts)  # from the cache, the same again
