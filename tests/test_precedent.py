"""Retrieval by precedent: labelled questions vote for the sentences that answered them (assistant/precedent.py)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.chain import Assistant
from assistant.lexical import tokenize
from assistant.precedent import MIN_SIMILARITY, Precedents


@pytest.fixture(scope="module")
def assistant(engine) -> Assistant:
    return Assistant(engine)


def _shown(answer) -> str:
    return " ".join(s.text for s in answer.sentences)


@pytest.mark.parametrize("question", [
    "do i have to stop running completely",
    "hip flared up after a 15k on sunday. do i have to stop running",
])
def test_a_question_the_embedding_alone_sends_to_the_warm_up_gets_scale_back(assistant, question):
    """MiniLM ranks the warm-up and cool-down bullets ("before suddenly stopping") first for "stop running"; the
    labelled questions of other writers point at "Scale back for a short period"."""
    answer = assistant.answer(question)
    assert answer.status == "answered"
    assert "just for a few days" in _shown(answer) or "avoid overdoing it if your pain flares up" in _shown(answer)


def test_without_precedents_the_same_question_misses(engine):
    """The test above is about the precedents, not a lucky ranking: with none, the answer is elsewhere."""
    bare = Assistant(engine)
    bare.use_precedents(None)
    answer = bare.answer("do i have to stop running completely")
    assert "just for a few days" not in _shown(answer)


def test_a_labelled_answer_no_longer_in_the_article_casts_no_vote(engine):
    """An editor rewrites a sentence: the precedent that cited it drops out rather than pointing elsewhere."""
    vector = engine.embed("how long should i ice my hip")
    kept = "It’s best to apply ice for 20 minutes at a time several times per day"
    precedents = Precedents(("how long do i ice it", "how long do i ice for"),
                            np.stack([vector, vector]), ((kept,), ("Ice for exactly 45 minutes.",)),
                            (None, None), np.array([True, True]), ("a", "b"), "test")
    resolved = precedents.resolve(engine.document, engine.chunks, tokenize)
    votes = resolved.votes(vector)
    assert votes and all(kept in next(c for c in engine.chunks if c.id == cid).sentences[i].text
                         for cid, i in votes)
    assert resolved.votes(vector, leave_out="a") == {}  # the other question's answer is gone from the article


def test_far_questions_cast_no_vote(engine):
    precedents = Precedents(("what is bursitis",), engine.embed("what is bursitis")[None, :],
                            (("Bursae are small, fluid-filled sacs",),), (None,), np.array([True]), ("a",), "test")
    resolved = precedents.resolve(engine.document, engine.chunks, tokenize)
    far = engine.embed("what is the capital of france")
    assert float(far @ precedents.vectors[0]) < MIN_SIMILARITY
    assert resolved.votes(far) == {}


def test_out_of_scope_questions_are_still_declined_with_precedents(assistant):
    """Votes add candidates for the composer; whether the article answers at all is decided on what retrieval
    found, so a near-topic question the article lacks is not answered from a neighbour's passage."""
    for question in ("is yoga good for hip pain", "should i take glucosamine for my hips",
                     "how do i treat a sprained ankle", "can i keep running while pregnant"):
        assert assistant.answer(question).status == "declined", question


def test_the_shipped_precedents_are_what_the_chain_reads_now(assistant, engine):
    """Each precedent is the vector the chain searched with for its turn: a change to the model or to how
    questions are read makes them stale (rebuild with `python -m assistant calibrate`)."""
    precedents = Precedents.load()
    assert precedents is not None and len(precedents.questions) >= 1000
    assert precedents.model == engine.embedder.fingerprint
    firsts = [i for i, q in enumerate(precedents.questions) if " | " not in q][:5]
    for i in firsts:
        assert np.allclose(assistant.read(precedents.questions[i], []).vector, precedents.vectors[i], atol=2e-3)


def test_a_near_answerable_precedent_vouches_only_when_no_unanswerable_one_is_as_near(engine):
    """The decline model's "no" is overridden only by a labelled answerable turn clearly nearer than any labelled
    out-of-scope one, and never after an edit removed the answer it had."""
    ice = engine.embed("how long should i ice my sore hip")
    span = "It’s best to apply ice for 20 minutes at a time several times per day"
    answerable = Precedents(("how long do i ice it",), ice[None, :], ((span,),), (None,), np.array([True]), ("a",),
                            "t")
    assert answerable.resolve(engine.document, engine.chunks, tokenize).vouch(ice)
    both = Precedents(("how long do i ice it", "how long do i heat it"), np.stack([ice, ice]), ((span,), ()),
                      (None, None), np.array([True, False]), ("a", "b"), "t")
    assert not both.resolve(engine.document, engine.chunks, tokenize).vouch(ice)
    edited = Precedents(("how long do i ice it",), ice[None, :], (("Ice for exactly 45 minutes.",),), (None,),
                        np.array([True]), ("a",), "t")
    assert not edited.resolve(engine.document, engine.chunks, tokenize).vouch(ice)


def test_a_labelled_follow_up_votes_only_in_a_conversation_on_the_same_passage(engine):
    """"where does it hurt?" after IT band syndrome is no precedent for the same words after piriformis syndrome."""
    vector = engine.embed("where does it hurt")
    itb = "We usually see the pain on the outside of the hip in these cases"
    precedents = Precedents(("whats itb | where does it hurt",), vector[None, :], ((itb,),),
                            (("This is when the iliotibial tract",),), np.array([True]), ("a",), "t")
    resolved = precedents.resolve(engine.document, engine.chunks, tokenize)
    itb_passages = {cid for cid, _ in resolved.votes(vector)}
    assert itb_passages  # with no topic (an opening question) it votes
    assert resolved.votes(vector, topic=frozenset(itb_passages))
    piriformis = frozenset(c.id for c in engine.chunks if "Piriformis syndrome." in c.text and c.id not in itb_passages)
    assert piriformis and resolved.votes(vector, topic=piriformis) == {}


@pytest.mark.parametrize("question", [
    "my hip doesnt click or pop its just tight in the front after runs",
    "front of my hip is tight after runs, no clicking at all",
])
def test_a_precedent_about_what_the_user_denies_casts_no_vote(assistant, question):
    """"my hip kinda clicks and catches, worth getting looked at?" is a near labelled question whose answer is the
    doctor list; a runner who says there is no click is asking about the tight front of the hip."""
    answer = assistant.answer(question)
    assert answer.status == "answered"
    assert "hip flexor" in _shown(answer) and "clicking, popping" not in _shown(answer), _shown(answer)


def test_precedents_saved_and_loaded_again_are_the_same_precedents(tmp_path):
    """`calibrate` writes what serving reads: every question, answer span, follow-up context, label, file and
    vector comes back (the texts as one JSON document; vectors as float16, as shipped)."""
    shipped = Precedents.load()
    some = Precedents(shipped.questions[:50] + ("what’s “ITBS”? | and é?",), np.vstack([shipped.vectors[:50],
                      shipped.vectors[:1]]), shipped.answers[:50] + (("Apply ice.",),),
                      shipped.context[:50] + ((" a span with “quotes”",),), np.append(shipped.answerable[:50], True),
                      shipped.files[:50] + ("train_x",), shipped.model)
    some.save(tmp_path / "p.npz")
    again = Precedents.load(tmp_path / "p.npz")
    assert (again.questions, again.answers, again.context, again.files, again.model) == \
        (some.questions, some.answers, some.context, some.files, some.model)
    assert np.array_equal(again.answerable, some.answerable)
    assert np.allclose(again.vectors, some.vectors, atol=1e-3)
    assert Precedents.load(tmp_path / "none.npz") is None


def test_the_nearest_precedents_and_the_resemblance_are_those_a_full_sort_gives():
    """The vote's three nearest labelled turns and the decline model's mean of the five nearest are found with a
    partial sort (session 28): the same rows in the same order, and the same mean, as sorting them all."""
    from assistant.decline import _mean_of_largest
    from assistant.precedent import _nearest

    rng = np.random.default_rng(28)
    for n in [1, 3, 4] + [50] * 20 + [11_000] * 20:
        similarity = rng.uniform(-1, 1, n).astype(np.float32)
        assert list(_nearest(similarity, 3)) == list(np.argsort(-similarity)[:3])
        assert _mean_of_largest(similarity, 5) == float(np.sort(similarity)[-5:].mean())
