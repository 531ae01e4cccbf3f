"""The quiz's rows in the user's database: runs, attempts and FSRS cards (migration 4).

An answer and its card update are written in one transaction the moment the answer is given,
so Ctrl-C or a crash never loses an answer, and the card never disagrees with the attempts.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from fsrs import Card

from interview_coach.quiz.scheduling import card_from_json, card_to_json


@dataclass(frozen=True)
class RunRow:
    id: int
    bank: str
    mode: str
    seed: int
    question_ids: list[str]
    started_at: float
    finished_at: float | None
    interrupted_at: float | None


@dataclass(frozen=True)
class AttemptRow:
    id: int
    run_id: int | None
    question_id: str
    section: str
    given: Any
    correct: bool
    credit: float
    seconds: float | None
    rating: int
    answered_at: float


def _run(row: sqlite3.Row) -> RunRow:
    return RunRow(
        id=row["id"],
        bank=row["bank"],
        mode=row["mode"],
        seed=row["seed"],
        question_ids=json.loads(row["question_ids"]),
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        interrupted_at=row["interrupted_at"],
    )


def _attempt(row: sqlite3.Row) -> AttemptRow:
    return AttemptRow(
        id=row["id"],
        run_id=row["run_id"],
        question_id=row["question_id"],
        section=row["section"],
        given=json.loads(row["given_json"]),
        correct=bool(row["correct"]),
        credit=row["credit"],
        seconds=row["seconds"],
        rating=row["rating"],
        answered_at=row["answered_at"],
    )


class QuizStore:
    """Queries over one open connection (from `interview_coach.storage.db.connect`)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # ------------------------------------------------------------ runs

    def start_run(self, bank: str, mode: str, seed: int, question_ids: list[str], at: float) -> int:
        with self.conn:
            cur = self.conn.execute(
                "INSERT INTO quiz_runs (bank, mode, seed, question_ids, started_at) VALUES (?, ?, ?, ?, ?)",
                (bank, mode, seed, json.dumps(question_ids), at),
            )
        return int(cur.lastrowid)  # type: ignore[arg-type]

    def finish_run(self, run_id: int, at: float) -> None:
        with self.conn:
            self.conn.execute("UPDATE quiz_runs SET finished_at = ?, interrupted_at = NULL WHERE id = ?", (at, run_id))

    def interrupt_run(self, run_id: int, at: float) -> None:
        with self.conn:
            self.conn.execute("UPDATE quiz_runs SET interrupted_at = ? WHERE id = ?", (at, run_id))

    def run(self, run_id: int) -> RunRow | None:
        row = self.conn.execute("SELECT * FROM quiz_runs WHERE id = ?", (run_id,)).fetchone()
        return _run(row) if row else None

    def unfinished_run(self, bank: str) -> RunRow | None:
        """The latest run of `bank` that was stopped (or crashed) before its last question."""
        row = self.conn.execute(
            "SELECT * FROM quiz_runs WHERE bank = ? AND finished_at IS NULL ORDER BY started_at DESC, id DESC LIMIT 1",
            (bank,),
        ).fetchone()
        return _run(row) if row else None

    def runs(self, bank: str) -> list[RunRow]:
        rows = self.conn.execute("SELECT * FROM quiz_runs WHERE bank = ? ORDER BY started_at, id", (bank,)).fetchall()
        return [_run(r) for r in rows]

    # ------------------------------------------------------------ attempts and cards

    def record(
        self,
        *,
        run_id: int | None,
        bank: str,
        question_id: str,
        section: str,
        given: Any,
        correct: bool,
        credit: float,
        seconds: float | None,
        rating: int,
        answered_at: float,
        card: Card,
    ) -> int:
        """One answer and its question's new card, in one transaction."""
        due = card.due.timestamp()
        with self.conn:
            cur = self.conn.execute(
                "INSERT INTO quiz_attempts"
                " (run_id, bank, question_id, section, given_json, correct, credit, seconds, rating, answered_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, bank, question_id, section, json.dumps(given), int(correct), credit, seconds, rating, answered_at),
            )
            self.conn.execute(
                "INSERT INTO quiz_cards (bank, question_id, card_json, due) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (bank, question_id) DO UPDATE SET card_json = excluded.card_json, due = excluded.due",
                (bank, question_id, card_to_json(card), due),
            )
        return int(cur.lastrowid)  # type: ignore[arg-type]

    def run_attempts(self, run_id: int) -> list[AttemptRow]:
        rows = self.conn.execute("SELECT * FROM quiz_attempts WHERE run_id = ? ORDER BY id", (run_id,)).fetchall()
        return [_attempt(r) for r in rows]

    def attempts(self, bank: str) -> list[AttemptRow]:
        rows = self.conn.execute("SELECT * FROM quiz_attempts WHERE bank = ? ORDER BY answered_at, id", (bank,)).fetchall()
        return [_attempt(r) for r in rows]

    def latest_attempts(self, bank: str) -> dict[str, AttemptRow]:
        """Each question's most recent attempt."""
        latest: dict[str, AttemptRow] = {}
        for attempt in self.attempts(bank):
            latest[attempt.question_id] = attempt
        return latest

    def missed_ids(self, bank: str) -> list[str]:
        """Questions whose most recent answer was wrong, oldest miss first."""
        misses = [a for a in self.latest_attempts(bank).values() if not a.correct]
        return [a.question_id for a in sorted(misses, key=lambda a: (a.answered_at, a.id))]

    def card(self, bank: str, question_id: str) -> Card | None:
        row = self.conn.execute(
            "SELECT card_json FROM quiz_cards WHERE bank = ? AND question_id = ?", (bank, question_id)
        ).fetchone()
        return card_from_json(row["card_json"]) if row else None

    def cards(self, bank: str) -> dict[str, Card]:
        rows = self.conn.execute("SELECT question_id, card_json FROM quiz_cards WHERE bank = ?", (bank,)).fetchall()
        return {r["question_id"]: card_from_json(r["card_json"]) for r in rows}

    def due_ids(self, bank: str, now: float) -> list[str]:
        """Questions already reviewed whose card is due at `now`, most overdue first."""
        rows = self.conn.execute(
            "SELECT question_id FROM quiz_cards WHERE bank = ? AND due <= ? ORDER BY due, question_id", (bank, now)
        ).fetchall()
        return [r["question_id"] for r in rows]

    def next_due(self, bank: str, after: float) -> float | None:
        row = self.conn.execute("SELECT MIN(due) AS d FROM quiz_cards WHERE bank = ? AND due > ?", (bank, after)).fetchone()
        return row["d"] if row and row["d"] is not None else None
