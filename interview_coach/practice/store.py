"""Mock interview sessions in the user's database (table `practice_sessions`, migration 2).

A session is saved whole, as JSON, in its own transaction every time something is given (an
answer, a question, a move): a crash or Ctrl-C loses nothing already given, and the newest
saved state is always a consistent one to resume from.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from interview_coach.errors import NotFoundError

if TYPE_CHECKING:
    # Imported where a whole session is read: its models take longer to build than `history`
    # takes to list every session (which reads only the columns beside the JSON).
    from interview_coach.practice.model import Session


@dataclass(frozen=True, kw_only=True)
class SessionSummary:
    """One line of `history`."""

    id: int
    problem_id: str
    problem_title: str = ""
    started_at: float
    minutes: int
    status: str
    score: int | None = None


def save_session(conn: sqlite3.Connection, session: Session) -> Session:
    """Insert (first time, assigning `session.id`) or update the session, in one transaction."""
    with conn:
        if session.id:
            cur = conn.execute(
                "UPDATE practice_sessions SET updated_at = ?, status = ?, score = ?, minutes = ?, state = ? WHERE id = ?",
                (session.updated_at, session.status, _score(session), session.minutes, _state(session), session.id),
            )
            if cur.rowcount == 0:  # deleted underneath us (another process); keep the id
                _insert(conn, session, with_id=True)
        else:
            _insert(conn, session, with_id=False)
    return session


def _insert(conn: sqlite3.Connection, session: Session, *, with_id: bool) -> None:
    columns = "problem_id, started_at, updated_at, minutes, status, score, state"
    values: tuple = (
        session.problem_id,
        session.started_at,
        session.updated_at,
        session.minutes,
        session.status,
        _score(session),
        "{}",
    )
    if with_id:
        conn.execute(f"INSERT INTO practice_sessions (id, {columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (session.id, *values))
    else:
        cur = conn.execute(f"INSERT INTO practice_sessions ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?)", values)
        session.id = int(cur.lastrowid or 0)
    # The state carries the id, so it is written once the id is known (same transaction).
    conn.execute("UPDATE practice_sessions SET state = ? WHERE id = ?", (_state(session), session.id))


def _state(session: Session) -> str:
    return json.dumps(session.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))


def _score(session: Session) -> int | None:
    return session.scorecard.score if session.scorecard is not None else None


def load_session(conn: sqlite3.Connection, which: str | int = "latest") -> Session:
    """A session by id, or "latest" (the one most recently worked on)."""
    key = str(which).strip().lower()
    if key in ("", "latest", "last"):
        row = conn.execute("SELECT state FROM practice_sessions ORDER BY updated_at DESC, id DESC LIMIT 1").fetchone()
        if row is None:
            raise NotFoundError("no practice session yet", "start one with: interview-coach practice")
    else:
        if not key.lstrip("#").isdigit():
            raise NotFoundError(
                f"session {which!r} is not a session id", "use a number from `interview-coach history`, or latest"
            )
        row = conn.execute("SELECT state FROM practice_sessions WHERE id = ?", (int(key.lstrip("#")),)).fetchone()
        if row is None:
            raise NotFoundError(f"no practice session with id {which}", "see `interview-coach history` for the ids")
    from interview_coach.practice.model import Session

    return Session.model_validate_json(row["state"] if isinstance(row, sqlite3.Row) else row[0])


def list_sessions(conn: sqlite3.Connection, limit: int | None = None) -> list[SessionSummary]:
    """Sessions, newest first (by start time)."""
    # The listed columns sit beside the JSON, so history never parses whole sessions.
    sql = (
        "SELECT id, problem_id, json_extract(state, '$.problem_title') AS title, started_at, minutes, status, score"
        " FROM practice_sessions ORDER BY started_at DESC, id DESC"
    )
    params: tuple = ()
    if limit is not None:
        sql += " LIMIT ?"
        params = (int(limit),)
    return [
        SessionSummary(
            id=row[0],
            problem_id=row[1],
            problem_title=row[2] or "",
            started_at=row[3],
            minutes=row[4],
            status=row[5],
            score=row[6],
        )
        for row in conn.execute(sql, params)
    ]
