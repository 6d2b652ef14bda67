"""Like/dislike feedback is kept in SQLite with the question, the answer and its citations."""

from __future__ import annotations

import pytest

from assistant.models import Answer, AnswerSentence, Citation
from assistant.render import as_dict
from assistant.settings import Settings
from assistant.web.feedback import FeedbackStore

ANSWER = Answer("how long should i ice my hip", "answered",
                (AnswerSentence("Apply ice for 20 minutes at a time.", (1,)),),
                (Citation(1, "c1", ("Article", "Treatments"), "Apply ice for 20 minutes at a time.", 100, 135,
                          "Rest. Apply ice for 20 minutes at a time.", 94),))


def test_a_vote_is_stored_with_question_answer_and_citations(tmp_path):
    store = FeedbackStore(tmp_path / "deep" / "feedback.sqlite3")
    store.record("like", as_dict(ANSWER), session="s-1")
    store.record("dislike", as_dict(ANSWER), session="s-1")
    first, second = store.rows()
    assert (first["vote"], second["vote"]) == ("like", "dislike")
    assert first["question"] == "how long should i ice my hip" and first["status"] == "answered"
    assert first["answer_text"] == "Apply ice for 20 minutes at a time. [1]"
    assert first["citations"] == [{"number": 1, "heading_path": ["Article", "Treatments"],
                                   "quote": "Apply ice for 20 minutes at a time.", "start": 100, "end": 135,
                                   "references": []}]
    assert first["session"] == "s-1" and first["source"] == "page"


def test_votes_survive_a_new_store_on_the_same_file(tmp_path):
    FeedbackStore(tmp_path / "f.sqlite3").record("like", as_dict(ANSWER))
    assert len(FeedbackStore(tmp_path / "f.sqlite3").rows()) == 1


@pytest.mark.parametrize("value", ["off", "", "none"])
def test_feedback_can_be_switched_off(monkeypatch, tmp_path, value):
    monkeypatch.setenv("HIP_FEEDBACK_PATH", value)
    store = FeedbackStore(Settings().feedback_path)
    assert not store.enabled
    store.record("like", as_dict(ANSWER))  # a no-op, not an error
    assert store.rows() == []
