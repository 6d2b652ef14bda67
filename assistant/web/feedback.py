"""Like/dislike feedback on answers, kept in a database through SQLAlchemy Core so it survives restarts.

Each row holds the vote, the face it came from (`source`: the chat page, the widget or another API client),
the question, the answer text and its citations, and the whole answer as JSON (`assistant.render.as_dict`).
Where it goes is `Settings.feedback_target`: the SQLite
file `feedback/feedback.sqlite3` by default (`HIP_FEEDBACK_PATH`), or `HIP_FEEDBACK_URL`, e.g.
`postgresql+psycopg://user:password@db:5432/hip`, one table that every worker and replica writes to.
`HIP_FEEDBACK_PATH=off` (or `HIP_FEEDBACK_URL=off`) switches storage off.

A vote is never dropped silently. When the database cannot be written (a read-only or full disk, a
directory that is not there, PostgreSQL down), the vote is held in memory (the newest `MAX_HELD` of them),
the failure is logged once, `record` raises `FeedbackNotSaved` so the page can say so, and every held vote
is written with the next vote that can be saved. `status()` reports how many are held (`GET /api/health`
shows it). Votes still held when the process stops are lost; the log says how many.

    store = FeedbackStore(Path("feedback/feedback.sqlite3"))  # or "postgresql+psycopg://…"
    store.record("like", as_dict(answer), session="abc")
    store.rows()[-1]["question"]  # → answer.question
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Column, Engine, Integer, MetaData, Table, Text, create_engine, insert, inspect, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import NullPool
from sqlalchemy.schema import CreateTable

from ..errors import ConfigError, FeedbackNotSaved

log = logging.getLogger(__name__)

_metadata = MetaData()
FEEDBACK = Table(
    "feedback", _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", Text, nullable=False),      # UTC, ISO 8601
    Column("source", Text, nullable=False),          # 'page' | 'widget' | 'api' (POST /api/feedback)
    Column("session", Text),                         # the browser session, opaque
    Column("vote", Text, nullable=False),            # 'like' | 'dislike'
    Column("question", Text, nullable=False),
    Column("status", Text, nullable=False),          # answered | declined | red_flag
    Column("answer_text", Text, nullable=False),     # with its [n] markers
    Column("citations_json", Text, nullable=False),  # [{number, heading_path, quote, start, end, references}]
    Column("answer_json", Text, nullable=False),     # the whole answer, as the API returns it
    sqlite_autoincrement=True,  # ids never reused, as the table had before SQLAlchemy
)
_CITATION_FIELDS = ("number", "heading_path", "quote", "start", "end", "references")
MAX_HELD = 1000  # votes kept in memory while the database cannot be written
URL_CHOICES = ("Use sqlite:///relative/path.sqlite3, sqlite:////absolute/path.sqlite3 or "
               "postgresql+psycopg://user:password@host:5432/dbname.")


def database_url(target: str | Path) -> URL:
    """The SQLAlchemy URL for `target` (a URL, or a path to a SQLite file); ConfigError for anything unusable.
    `postgresql://` and `postgres://` mean the psycopg (v3) driver, the one installed."""
    if isinstance(target, Path):
        return URL.create("sqlite", database=str(target))
    try:
        url = make_url(target)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise ConfigError(f"HIP_FEEDBACK_URL={target.rpartition('@')[2]!r} is not a database URL. "
                          f"{URL_CHOICES}") from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise ConfigError(f"HIP_FEEDBACK_URL: the database {url.drivername!r} is not supported. {URL_CHOICES}")
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        raise ConfigError(f"HIP_FEEDBACK_URL={target!r} names no SQLite file, so votes would vanish with each "
                          f"connection. {URL_CHOICES}")
    return url


class FeedbackStore:
    def __init__(self, target: str | Path | None):
        """`target`: a SQLAlchemy URL, a path to a SQLite file, or None (feedback off)."""
        self.url = None if target is None else database_url(target)
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self._ready = False
        self._held: list[dict] = []    # votes not written yet, oldest first
        self._error: str | None = None  # why the last write failed; None while writes work
        self._dropped = 0               # votes dropped in this outage because more than MAX_HELD waited

    @property
    def enabled(self) -> bool:
        return self.url is not None

    @property
    def where(self) -> str:
        """The database, without its password, for log lines."""
        return self.url.render_as_string(hide_password=True) if self.url is not None else "nowhere"

    @property
    def _sqlite_file(self) -> Path | None:
        return Path(self.url.database) if self.url.get_backend_name() == "sqlite" else None

    def _db(self) -> Engine:
        """Opened on first use. SQLite: a connection per operation, as before (`timeout` waits for another
        process's write). PostgreSQL: a pool whose connections are checked before use, so a restarted server
        is picked up again."""
        if self._engine is None:
            if self._sqlite_file is not None:
                self._engine = create_engine(self.url, poolclass=NullPool, connect_args={"timeout": 10})
            else:
                self._engine = create_engine(self.url, pool_pre_ping=True, pool_size=2, max_overflow=2,
                                             connect_args={"connect_timeout": 5})
        return self._engine

    def _ensure_schema(self) -> None:
        if not self._ready:
            if self._sqlite_file is not None:
                self._sqlite_file.parent.mkdir(parents=True, exist_ok=True)
            try:
                with self._db().begin() as db:
                    db.execute(CreateTable(FEEDBACK, if_not_exists=True))
            except SQLAlchemyError:
                if not inspect(self._db()).has_table(FEEDBACK.name):  # another replica created it at the same time
                    raise
            self._ready = True

    def record(self, vote: str, answer: dict, *, session: str | None = None, source: str = "page") -> None:
        """Store one vote on one answer (`answer` is `assistant.render.as_dict(answer)`), with any held earlier.

        Raises FeedbackNotSaved when the database cannot be written; the vote is then held and retried.
        """
        if not self.enabled:
            return
        citations = [{key: c[key] for key in _CITATION_FIELDS} for c in answer.get("citations", [])]
        row = {"created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "source": source,
               "session": session, "vote": vote, "question": answer["question"], "status": answer["status"],
               "answer_text": answer["text"], "citations_json": json.dumps(citations, ensure_ascii=False),
               "answer_json": json.dumps(answer, ensure_ascii=False)}
        with self._lock:
            self._held.append(row)
            try:
                self._ensure_schema()
                with self._db().begin() as db:  # one transaction: every held vote is written, or none
                    db.execute(insert(FEEDBACK), self._held)
            except (SQLAlchemyError, OSError) as error:
                if len(self._held) > MAX_HELD:
                    if not self._dropped:  # said once per outage, not for every vote after it
                        log.error("More than %d feedback votes are waiting to be saved; dropping the oldest.",
                                  MAX_HELD)
                    self._dropped += len(self._held) - MAX_HELD
                    del self._held[:-MAX_HELD]
                if self._error is None:  # log the first failure only, not every vote after it
                    log.error("Feedback cannot be saved to %s (%s: %s); holding votes in memory and retrying "
                              "with each new vote.", self.where, type(error).__name__, _first_line(error))
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
        """Every stored vote, oldest first, with `citations` decoded. Creates nothing: [] before the first vote."""
        if not self.enabled or (self._sqlite_file is not None and not self._sqlite_file.exists()):
            return []
        with self._db().connect() as db:
            if not inspect(db).has_table(FEEDBACK.name):
                return []
            rows = [dict(r._mapping) for r in db.execute(select(FEEDBACK).order_by(FEEDBACK.c.id))]
        for row in rows:
            row["citations"] = json.loads(row.pop("citations_json"))
        return rows

    def close(self) -> None:
        """Return the pool's connections (PostgreSQL); the store opens new ones if used again."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _first_line(error: Exception) -> str:
    """SQLAlchemy appends the statement and a help link to its messages; the log needs the cause."""
    return str(getattr(error, "orig", None) or error).strip().splitlines()[0]
