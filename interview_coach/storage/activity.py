"""Everything a person has done, for `history`: estimation drills and quiz runs beside the
mock interviews (which `practice/store.py` lists). Read-only summaries over the tables the
drill and the quiz write (migrations 3 and 4), newest first; nothing here parses whole rows.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class DrillRow:
    id: int
    problem: str  # the preset drilled on, or "random"
    seed: int | None
    taken_at: float
    score: float
    total: int
    finished: bool


@dataclass(frozen=True)
class QuizRunRow:
    id: int
    bank: str
    mode: str
    started_at: float
    finished: bool
    questions: int
    answered: int
    correct: int
    credit: float


def recent_drills(conn: sqlite3.Connection, limit: int | None = None) -> list[DrillRow]:
    rows = conn.execute(
        "SELECT id, problem, seed, taken_at, score, total, finished FROM drills ORDER BY taken_at DESC, id DESC LIMIT ?",
        (-1 if limit is None else int(limit),),
    ).fetchall()
    return [DrillRow(r[0], r[1], r[2], r[3], float(r[4]), int(r[5]), bool(r[6])) for r in rows]


def recent_quiz_runs(conn: sqlite3.Connection, limit: int | None = None) -> list[QuizRunRow]:
    rows = conn.execute(
        "SELECT r.id, r.bank, r.mode, r.started_at, r.finished_at IS NOT NULL, json_array_length(r.question_ids),"
        " COUNT(a.id), COALESCE(SUM(a.correct), 0), COALESCE(SUM(a.credit), 0)"
        " FROM quiz_runs r LEFT JOIN quiz_attempts a ON a.run_id = r.id"
        " GROUP BY r.id ORDER BY r.started_at DESC, r.id DESC LIMIT ?",
        (-1 if limit is None else int(limit),),
    ).fetchall()
    return [QuizRunRow(r[0], r[1], r[2], r[3], bool(r[4]), int(r[5] or 0), int(r[6]), int(r[7]), float(r[8])) for r in rows]
