"""Conversations that hold for four turns, on the real index: follow-ups resolved against what earlier answers
cited, a decline in the middle, and questions about the article itself."""

from __future__ import annotations

import doctest

import pytest

from assistant import conversation, question_types
from assistant.chain import Assistant
from assistant.evaluation.answer_set import LabelledItem, LabelledTurn, direct_position, load, score
from assistant.errors import BadInput


@pytest.fixture(scope="module")
def assistant(engine) -> Assistant:
    return Assistant(engine)


def talk(assistant: Assistant, *turns: str):
    """Each turn answered with the user's earlier turns as history, as a chat client sends them."""
    answers, history = [], []
    for turn in turns:
        answers.append(assistant.answer(turn, list(history)))
        history += [{"role": "user", "content": turn}, {"role": "assistant", "content": answers[-1].text}]
    return answers


def test_an_elliptical_follow_up_is_answered_from_the_passage_the_last_answer_cited(assistant):
    bursitis, when = talk(assistant, "whats tendon bursitis", "is it worse at any particular time?")
    assert bursitis.status == when.status == "answered"
    assert "worse when lying on your injured hip" in when.text


def test_a_four_turn_conversation_keeps_its_thread_through_a_decline(assistant):
    answers = talk(assistant, "what stretches help tight hips after running",
                   "what about creatine",  # a new subject the article lacks: declined
                   "ok and which one is for the front of the hip",
                   "how often should i do them")
    assert [a.status for a in answers] == ["answered", "declined", "answered", "answered"]
    assert "Figure Four Stretch" in answers[0].text
    assert "Half Kneeling Hip Flexor Stretch" in answers[2].text
    assert "once or twice a week" in answers[3].text


@pytest.mark.parametrize("question, expected", [
    ("when was this article published", "published: Mar 26, 2024"),
    ("who reviewed it medically", "Orthopedic Surgeon and Medical Reviewer"),
    ("who publishes this", "publisher: Hinge Health"),
])
def test_questions_about_the_article_itself_are_answered_from_its_front_matter_with_a_citation(
        assistant, question, expected):
    answer = assistant.answer(question)
    assert answer.status == "answered" and expected in answer.text
    cited = answer.citations[0]
    assert cited.heading_path[-1] == "About This Article"
    assert assistant.engine.document.text[cited.start:cited.end] == cited.quote
    assert cited.end < assistant.engine.document.blocks[0].start  # the span is the front matter itself


def test_the_answer_starts_with_the_sentence_that_answers(assistant):
    answer = assistant.answer("how long should i ice my hip")
    assert direct_position(answer, ["20 minutes"]) == 0


def test_the_answer_scorer_counts_what_a_runner_would_see(assistant, tmp_path):
    item = LabelledItem("c1", "conversation", (
        LabelledTurn("how long should i ice my hip", True, "amount", ("20 minutes at a time",)),
        LabelledTurn("should i take creatine", False, "yes_no", ()),
        LabelledTurn("how long should i ice my hip", True, "amount", ("a week of rest",))))  # a wrong label
    result = score([item], assistant.answer)
    figures = result.figures()
    assert figures["direct answer present (first turns)"] == (1, 1)
    assert figures["out of scope declined"] == (1, 1)
    assert figures["direct answer present (follow-ups)"] == (0, 1)
    assert figures["conversations held to the end"] == (0, 1)


def test_a_labelled_file_with_a_quote_the_article_lacks_is_refused_with_its_line(assistant, tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text('{"id": "s1", "kind": "single", "turns": [{"text": "how long should i ice", "answerable": true, '
                    '"direct_answers": ["ice for three hours"]}]}\n')
    with pytest.raises(BadInput, match=r"line 1: the direct answer 'ice for three hours' is not in the article"):
        load(path, assistant.engine.document.text)


@pytest.mark.parametrize("module", [conversation, question_types])
def test_the_examples_in_the_docstrings_hold(module):
    result = doctest.testmod(module)
    assert result.attempted and not result.failed
