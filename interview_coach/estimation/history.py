"""Drill results in the user's database (table `drills`, see storage/db.py).

A drill row is written when the drill starts and rewritten after every answer, each time in
its own transaction, so Ctrl-C halfway keeps the answers already given.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from interview_coach.clock import Clock
from interview_coach.estimation.drill import Drill


class DrillHistory:
    def __init__(self, conn: sqlite3.Connection, clock: Clock) -> None:
        self.conn = conn
        self.clock = clock

    def start(self, drill: Drill) -> int:
        with self.conn:
            cur = self.conn.execute(
                "INSERT INTO drills (problem, seed, taken_at, score, total, finished, answers_json)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (drill.problem, drill.seed, self.clock.now(), drill.score, drill.total, int(drill.finished),
                 self._answers(drill)),
            )
        assert cur.lastrowid is not None  # set by every INSERT
        return cur.lastrowid

    def save(self, drill_id: int, drill: Drill) -> None:
        with self.conn:
            self.conn.execute(
                "UPDATE drills SET score = ?, finished = ?, answers_json = ? WHERE id = ?",
                (drill.score, int(drill.finished), self._answers(drill), drill_id),
            )

    def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT id, problem, seed, taken_at, score, total, finished, answers_json FROM drills"
            " ORDER BY taken_at DESC, id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [
            {
                "id": r["id"],
                "problem": r["problem"],
                "seed": r["seed"],
                "taken_at": r["taken_at"],
                "score": r["score"],
                "total": r["total"],
                "finished": bool(r["finished"]),
                "answers": json.loads(r["answers_json"]),
            }
            for r in rows
        ]

    @staticmethod
    def _answers(drill: Drill) -> str:
        return json.dumps(drill.to_json()["answers"], ensure_ascii=False)
