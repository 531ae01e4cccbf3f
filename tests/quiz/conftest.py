"""Fixtures shared by the quiz tests: the built-in bank and a quiz store on a real SQLite file."""

from __future__ import annotations

import pytest

from interview_coach.quiz.bank import load_bank
from interview_coach.quiz.store import QuizStore
from interview_coach.storage.db import connect


@pytest.fixture
def bank():
    return load_bank()


@pytest.fixture
def store(tmp_path):
    conn = connect(tmp_path / "coach.sqlite3")
    yield QuizStore(conn)
    conn.close()
