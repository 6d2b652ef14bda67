"""Like/dislike feedback on answers, kept in a SQLite file (stdlib `sqlite3`) so it survives restarts.

Each row holds the vote, the question, the answer text and its citations, and the whole answer as JSON
(`assistant.render.as_dict`). `HIP_FEEDBACK_PATH=off` switches storage off.

A vote is never dropped silently. When the file cannot be written (a read-only disk, a full disk, a
directory that is not there), the vote is held in memory (the newest `MAX_HELD` of them), the failure is
logged once, `record` raises `FeedbackNotSaved` so the page can say so, and every held vote is written
with the next vote that can be saved. `status()` reports how many are held (`GET /api/health` shows it).
Votes still held when the process stops are lost; the log says how many.

    store = FeedbackStore(Path("feedback/feedback.sqlite3"))
    store.record("like", as_dict(answer), session="abc")
    store.rows()[-1]["question"]  # → answer.question
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

from ..errors import FeedbackNotSaved

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at     TEXT NOT NULL,          -- UTC, ISO 8601
    source         TEXT NOT NULL,          -- 'page'
    session        TEXT,                   -- the browser session, opaque
    vote           TEXT NOT NULL,          -- 'like' | 'dislike'
    question       TEXT NOT NULL,
    status         TEXT NOT NULL,          -- answered | declined | red_flag
    answer_text    TEXT NOT NULL,          -- with its [n] markers
    citations_json TEXT NOT NULL,          -- [{number, heading_path, quote, start, end, references}]
    answer_json    TEXT NOT NULL           -- the whole answer, as the API returns it
)
"""
_CITATION_FIELDS = ("number", "heading_path", "quote", "start", "end", "references")
_INSERT = ("INSERT INTO feedback (created_at, source, session, vote, question, status, answer_text, citations_json, "
           "answer_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
MAX_HELD = 1000  # votes kept in memory while the file cannot be written


class FeedbackStore:
    def __init__(self, path: Path | None):
        self.path = path
        self._lock = threading.Lock()
        self._ready = False
        self._held: list[tuple] = []   # votes not written yet, oldest first
        self._error: str | None = None  # why the last write failed; None while writes work
        self._dropped = 0               # votes dropped in this outage because more than MAX_HELD waited

    @property
    def enabled(self) -> bool:
        return self.path is not None

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=10)
        connection.row_factory = sqlite3.Row
        return connection

    def _ensure_schema(self) -> None:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as db, db:
                db.execute(_SCHEMA)
            self._ready = True

    def record(self, vote: str, answer: dict, *, session: str | None = None, source: str = "page") -> None:
        """Store one vote on one answer (`answer` is `assistant.render.as_dict(answer)`), with any held earlier.

        Raises FeedbackNotSaved when the file cannot be written; the vote is then held and retried.
        """
        if not self.enabled:
            return
        citations = [{key: c[key] for key in _CITATION_FIELDS} for c in answer.get("citations", [])]
        row = (datetime.now(timezone.utc).isoformat(timespec="seconds"), source, session, vote,
               answer["question"], answer["status"], answer["text"],
               json.dumps(citations, ensure_ascii=False), json.dumps(answer, ensure_ascii=False))
        with self._lock:
            self._held.append(row)
            try:
                self._ensure_schema()
                with closing(self._connect()) as db, db:
                    db.executemany(_INSERT, self._held)
            except (sqlite3.Error, OSError) as error:
                if len(self._held) > MAX_HELD:
                    if not self._dropped:  # said once per outage, not for every vote after it
                        log.error("More than %d feedback votes are waiting to be saved; dropping the oldest.",
                                  MAX_HELD)
                    self._dropped += len(self._held) - MAX_HELD
                    del self._held[:-MAX_HELD]
                if self._error is None:  # log the first failure only, not every vote after it
                    log.error("Feedback cannot be saved to %s (%s: %s); holding votes in memory and retrying "
                              "with each new vote.", self.path, type(error).__name__, error)
                self._error = f"{type(error).__name__}: {error}"
                raise FeedbackNotSaved("Your feedback could not be saved just now. It is kept and will be saved with "
                                       "the next vote once the feedback store works again.") from error
            if self._error is not None:
                log.info("Feedback storage works again: saved %d held votes (%d older ones were dropped).",
                         len(self._held), self._dropped)
            self._held.clear()
            self._error, self._dropped = None, 0

    def status(self) -> dict:
        """For the health check: `{"enabled", "ok", "held"}` — whether the last write worked, how many votes wait.
        The reason stays in the log (it names paths on the server)."""
        with self._lock:
            return {"enabled": self.enabled, "ok": self._error is None, "held": len(self._held)}

    @property
    def held(self) -> int:
        return len(self._held)

    def rows(self) -> list[dict]:
        """Every stored vote, oldest first, with `citations` decoded."""
        if not self.enabled or not self.path.exists():
            return []
        with closing(self._connect()) as db:
            rows = [dict(r) for r in db.execute("SELECT * FROM feedback ORDER BY id")]
        for row in rows:
            row["citations"] = json.loads(row.pop("citations_json"))
        return rows
