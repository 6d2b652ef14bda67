"""Chunks: within the model's window, exact offsets, heading paths, and IDs that survive unrelated edits."""

from __future__ import annotations

from assistant import corpus
from assistant.chunking import chunk_document


def _chunks(corpus_dir, embedder):
    return chunk_document(corpus.load(corpus_dir), embedder.max_tokens, embedder.count_tokens)


def test_no_chunk_exceeds_the_models_256_word_piece_window(engine, embedder):
    assert embedder.max_tokens == 256
    lengths = [embedder.count_tokens(c.embedding_text) for c in engine.chunks]
    assert max(lengths) <= 256


def test_an_oversized_paragraph_is_split_at_sentence_boundaries(corpus_copy, embedder):
    article = corpus_copy / "article.md"
    long_paragraph = " ".join(f"Runners should warm up before workout number {i}." for i in range(60))
    article.write_text(article.read_text() + "\n" + long_paragraph + "\n")
    chunks = _chunks(corpus_copy, embedder)
    parts = [c for c in chunks if "workout number" in c.text]
    assert len(parts) > 1
    assert all(embedder.count_tokens(c.embedding_text) <= 256 for c in parts)
    assert " ".join(c.text for c in parts) == long_paragraph


def test_every_sentence_offset_points_at_its_exact_text(engine):
    text = engine.document.text
    for chunk in engine.chunks:
        for sentence in chunk.sentences:
            assert text[sentence.start:sentence.end] == sentence.text


def test_chunks_carry_their_heading_path(engine):
    ice = next(c for c in engine.chunks if c.label == "Apply ice.")
    assert ice.heading_path[-1] == "Treatments for Hip Pain in Runners"
    doctor = next(c for c in engine.chunks if c.heading_path[-1] == "When to See a Doctor for Hip Pain")
    assert doctor.kind == "list" and "difficulty putting weight on your leg" in doctor.text
    assert doctor.sentences[-1].text == "A clicking, popping or catching sensation in the hip"


def test_a_list_without_a_lead_in_keeps_the_paragraph_that_says_what_it_is_for(engine):
    exercises = next(c for c in engine.chunks if c.heading_path[-1] == "Movement is Medicine for Hip Pain"
                     and c.kind == "list")
    assert exercises.sentences[0].text == "Squats"
    assert "Half Kneeling Hip Flexor Stretch" in exercises.text and "once or twice a week" in exercises.text


def test_list_items_are_shown_as_items_and_their_explanation_as_prose(engine):
    from assistant.chain import Assistant

    answer = Assistant(engine).answer("what exercises do the physical therapists recommend")
    items = [s.text for s in answer.sentences if s.is_item]
    prose = [s.text for s in answer.sentences if not s.is_item]
    assert "Clamshells" in items and "Bridges" in items
    assert any("once or twice a week" in s for s in prose)


def test_references_are_chunks_of_their_own(engine):
    refs = [c for c in engine.chunks if c.kind == "reference"]
    assert sorted(n for c in refs for n in c.reference_numbers) == list(range(1, 12))


def test_editing_one_paragraph_changes_only_that_chunks_id(corpus_copy, embedder):
    before = _chunks(corpus_copy, embedder)
    article = corpus_copy / "article.md"
    article.write_text(article.read_text().replace("Ice can reduce swelling", "Ice packs can reduce swelling"))
    after = _chunks(corpus_copy, embedder)
    changed = {c.id for c in before} ^ {c.id for c in after}
    assert len(changed) == 2  # the old ice bullet out, the new one in
    assert [c.id for c in before if c.id not in changed] == [c.id for c in after if c.id not in changed]


def test_ids_are_stable_across_runs(engine, embedder):
    again = chunk_document(engine.document, embedder.max_tokens, embedder.count_tokens)
    assert [c.id for c in again] == [c.id for c in engine.chunks]
