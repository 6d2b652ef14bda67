"""Like/dislike feedback on answers, kept in a SQLite file (stdlib `sqlite3`) so it survives restarts.

Each row holds the vote, the question, the answer text and its citations, and the whole answer as JSON
(`assistant.render.as_dict`). `HIP_FEEDBACK_PATH=off` switches storage off.

    store = FeedbackStore(Path("feedback/feedback.sqlite3"))
    store.record("like", as_dict(answer), session="abc")
    store.rows()[-1]["question"]  # → answer.question
"""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

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


class FeedbackStore:
    def __init__(self, path: Path | None):
        self.path = path
        self._lock = threading.Lock()
        self._ready = False

    @property
    def enabled(self) -> bool:
        return self.path is not None

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=10)
        connection.row_factory = sqlite3.Row
        return connection

    def _ensure_schema(self) -> None:
        with self._lock:
            if not self._ready:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with closing(self._connect()) as db, db:
                    db.execute(_SCHEMA)
                self._ready = True

    def record(self, vote: str, answer: dict, *, session: str | None = None, source: str = "page") -> None:
        """Store one vote on one answer (`answer` is `assistant.render.as_dict(answer)`)."""
        if not self.enabled:
            return
        self._ensure_schema()
        citations = [{key: c[key] for key in _CITATION_FIELDS} for c in answer.get("citations", [])]
        row = (datetime.now(timezone.utc).isoformat(timespec="seconds"), source, session, vote,
               answer["question"], answer["status"], answer["text"],
               json.dumps(citations, ensure_ascii=False), json.dumps(answer, ensure_ascii=False))
        with closing(self._connect()) as db, db:
            db.execute("INSERT INTO feedback (created_at, source, session, vote, question, status, answer_text, "
                       "citations_json, answer_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)

    def rows(self) -> list[dict]:
        """Every stored vote, oldest first, with `citations` decoded."""
        if not self.enabled or not self.path.exists():
            return []
        with closing(self._connect()) as db:
            rows = [dict(r) for r in db.execute("SELECT * FROM feedback ORDER BY id")]
        for row in rows:
            row["citations"] = json.loads(row.pop("citations_json"))
        return rows
