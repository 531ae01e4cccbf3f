"""The user's one SQLite database: WAL mode, a schema version and forward migrations.

Every feature's tables are created by the migrations below, in order. To change the schema,
append a migration; never edit one that has shipped. Each answer a user gives is written in
its own transaction (`with db:`), so a crash or Ctrl-C loses nothing already given.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

# (version, SQL). user_version records the last one applied.
MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """,
    ),
    (
        2,
        # Mock interviews (practice/store.py): the whole session as JSON, rewritten in one
        # transaction after every answer; the columns beside it are what `history` lists.
        """
        CREATE TABLE IF NOT EXISTS practice_sessions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            problem_id TEXT NOT NULL,
            started_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            minutes INTEGER NOT NULL,
            status TEXT NOT NULL,
            score INTEGER,
            state TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS practice_sessions_updated ON practice_sessions (updated_at);
        """,
    ),
    (
        3,
        # Estimation drills (estimation/history.py): one row per drill, rewritten after each
        # answer; answers_json holds each graded answer with its worked solution.
        """
        CREATE TABLE IF NOT EXISTS drills (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            problem TEXT NOT NULL,
            seed INTEGER,
            taken_at REAL NOT NULL,
            score REAL NOT NULL,
            total INTEGER NOT NULL,
            finished INTEGER NOT NULL DEFAULT 0,
            answers_json TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS drills_taken_at ON drills (taken_at);
        """,
    ),
    (
        4,
        # The quiz (quiz/store.py): a run is one sitting (its seed and question order, so an
        # interrupted run can be resumed); each answer is one attempt row written together with
        # its question's FSRS card (card_json is fsrs Card.to_dict()) in one transaction.
        """
        CREATE TABLE IF NOT EXISTS quiz_runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            bank TEXT NOT NULL,
            mode TEXT NOT NULL,
            seed INTEGER NOT NULL,
            question_ids TEXT NOT NULL,
            started_at REAL NOT NULL,
            finished_at REAL,
            interrupted_at REAL
        );
        CREATE INDEX IF NOT EXISTS quiz_runs_bank ON quiz_runs (bank, started_at);
        CREATE TABLE IF NOT EXISTS quiz_attempts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id INTEGER REFERENCES quiz_runs (id),
            bank TEXT NOT NULL,
            question_id TEXT NOT NULL,
            section TEXT NOT NULL,
            given_json TEXT NOT NULL,
            correct INTEGER NOT NULL,
            credit REAL NOT NULL,
            seconds REAL,
            rating INTEGER NOT NULL,
            answered_at REAL NOT NULL
        );
        CREATE INDEX IF NOT EXISTS quiz_attempts_question ON quiz_attempts (bank, question_id, answered_at);
        CREATE INDEX IF NOT EXISTS quiz_attempts_run ON quiz_attempts (run_id);
        CREATE TABLE IF NOT EXISTS quiz_cards (
            bank TEXT NOT NULL,
            question_id TEXT NOT NULL,
            card_json TEXT NOT NULL,
            due REAL NOT NULL,
            PRIMARY KEY (bank, question_id)
        );
        """,
    ),
]


def connect(path: str | Path | None = None) -> sqlite3.Connection:
    """Open (and migrate) the database at `path`, by default the user's own."""
    if path is None:
        from interview_coach.paths import database_path

        path = database_path()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    migrate(conn)
    return conn


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every migration newer than the database's user_version; return the new version."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    for version, sql in MIGRATIONS:
        if version > current:
            with conn:
                conn.executescript(f"BEGIN; {sql}; PRAGMA user_version = {int(version)}; COMMIT;")
            current = version
    return current
