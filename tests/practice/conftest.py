"""Fixtures for the mock interview tests: a small framework and card, a real database, a fake clock."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def content_dir() -> Path:
    return FIXTURES


@pytest.fixture
def framework(content_dir):
    from interview_coach.content.loader import load_framework

    return load_framework(content_dir)


@pytest.fixture
def card(content_dir):
    from interview_coach.content.loader import load_problem

    return load_problem("mini_chat", content_dir)


@pytest.fixture
def db_path(coach_home) -> Path:
    return Path(coach_home) / "coach.sqlite3"


@pytest.fixture
def conn(db_path):
    from interview_coach.storage.db import connect

    c = connect(db_path)
    yield c
    c.close()


@pytest.fixture
def clock():
    from interview_coach.clock import FakeClock

    return FakeClock(start=1_750_000_000.0)


@pytest.fixture
def start(framework, card, clock, conn):
    """start(minutes=45, timed=True) -> a new engine over the fixture card."""
    from interview_coach.practice.engine import PracticeEngine

    def _start(**kw):
        return PracticeEngine.start(framework, card, clock, conn, **kw)

    return _start
