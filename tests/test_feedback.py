"""Like/dislike feedback is kept with the question, the answer and its citations: in SQLite, or in a real
PostgreSQL (started by the test) that several stores write to."""

from __future__ import annotations

import logging
import re

import pytest

from assistant.errors import ConfigError, FeedbackNotSaved
from assistant.models import Answer, AnswerSentence, Citation
from assistant.render import as_dict
from assistant.settings import Settings
from assistant.web.feedback import FeedbackStore
from live_server import postgres_server

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


@pytest.mark.parametrize("variable", ["HIP_FEEDBACK_PATH", "HIP_FEEDBACK_URL"])
@pytest.mark.parametrize("value", ["off", "", "none"])
def test_feedback_can_be_switched_off(monkeypatch, tmp_path, value, variable):
    monkeypatch.setenv(variable, value)
    store = FeedbackStore(Settings().feedback_target)
    assert not store.enabled
    store.record("like", as_dict(ANSWER))  # a no-op, not an error
    assert store.rows() == []


def test_a_sqlite_url_is_the_same_store_as_its_path(monkeypatch, tmp_path):
    monkeypatch.setenv("HIP_FEEDBACK_URL", f"sqlite:///{tmp_path / 'f.sqlite3'}")
    FeedbackStore(Settings().feedback_target).record("like", as_dict(ANSWER))
    assert [row["vote"] for row in FeedbackStore(tmp_path / "f.sqlite3").rows()] == ["like"]


@pytest.mark.parametrize("environment, says", [
    ({"HIP_FEEDBACK_URL": "mysql://hip:secret@db/hip"}, "the database 'mysql' is not supported"),
    ({"HIP_FEEDBACK_URL": "postgresql+psycopg2://hip@db/hip"}, "postgresql+psycopg://user:password@host:5432"),
    ({"HIP_FEEDBACK_URL": "feedback.sqlite3"}, "is not a database URL"),
    ({"HIP_FEEDBACK_URL": "postgresql://hip:secret@db:port/hip"}, "is not a database URL"),
    ({"HIP_FEEDBACK_URL": "sqlite://"}, "names no SQLite file"),
    ({"HIP_FEEDBACK_URL": "postgresql://db/hip", "HIP_FEEDBACK_PATH": "/srv/f.sqlite3"}, "drop the other"),
], ids=["mysql", "psycopg2", "a-path", "bad-port", "sqlite-in-memory", "url-and-path"])
def test_an_unusable_feedback_setting_is_a_clear_configuration_error(monkeypatch, environment, says):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=re.escape(says)) as raised:
        Settings()
    assert "secret" not in str(raised.value)  # a password never reaches an error message


def test_postgresql_urls_use_the_installed_psycopg_driver():
    assert FeedbackStore("postgresql://hip@db/hip").url.drivername == "postgresql+psycopg"


# -- a real PostgreSQL ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def postgres():
    with postgres_server() as server:
        yield server


@pytest.mark.slow
def test_two_stores_on_one_postgresql_share_the_votes(postgres, tmp_path):
    first, second = FeedbackStore(postgres.url), FeedbackStore(postgres.url)  # two replicas, say
    try:
        for store, vote, session in ((first, "like", "s-1"), (second, "dislike", "s-2"), (first, "dislike", "s-1")):
            store.record(vote, as_dict(ANSWER), session=session)
        rows = FeedbackStore(postgres.url).rows()
        assert [(row["vote"], row["session"]) for row in rows] == [("like", "s-1"), ("dislike", "s-2"),
                                                                   ("dislike", "s-1")]
        assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)
        sqlite = FeedbackStore(tmp_path / "f.sqlite3")
        sqlite.record("like", as_dict(ANSWER), session="s-1")
        (in_sqlite,) = sqlite.rows()
        assert rows[0].keys() == in_sqlite.keys()  # the same columns in both databases
        assert {k: v for k, v in rows[0].items() if k not in ("id", "created_at")} == \
            {k: v for k, v in in_sqlite.items() if k not in ("id", "created_at")}
    finally:
        first.close()
        second.close()


@pytest.mark.slow
def test_votes_made_while_postgresql_is_down_are_saved_when_it_is_back(postgres, caplog):
    store = FeedbackStore(postgres.url)
    caplog.set_level(logging.INFO, logger="assistant")
    try:
        store.record("like", as_dict(ANSWER), session="before")
        postgres.stop()
        try:
            for vote in ("dislike", "like"):
                with pytest.raises(FeedbackNotSaved, match="could not be saved just now"):
                    store.record(vote, as_dict(ANSWER), session="during")
            assert store.status() == {"enabled": True, "ok": False, "held": 2}
        finally:
            postgres.start()
        store.record("dislike", as_dict(ANSWER), session="after")
        assert store.status() == {"enabled": True, "ok": True, "held": 0}
        sessions = [row["session"] for row in store.rows() if row["session"] in ("before", "during", "after")]
        assert sessions == ["before", "during", "during", "after"]
        messages = [r.getMessage() for r in caplog.records]
        assert sum("Feedback cannot be saved" in m for m in messages) == 1  # once per outage
        assert any("saved 3 held votes" in m for m in messages)
    finally:
        store.close()


@pytest.mark.slow
def test_a_postgresql_restart_between_two_votes_goes_unnoticed(postgres):
    store = FeedbackStore(postgres.url)
    try:
        store.record("like", as_dict(ANSWER), session="restart")
        postgres.stop()
        postgres.start()
        store.record("dislike", as_dict(ANSWER), session="restart")  # its pooled connection died: checked, replaced
        assert store.status() == {"enabled": True, "ok": True, "held": 0}
        assert [row["vote"] for row in store.rows() if row["session"] == "restart"] == ["like", "dislike"]
    finally:
        store.close()
