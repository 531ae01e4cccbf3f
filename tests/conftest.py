"""Shared test fixtures: every test gets its own empty user home and a fixed terminal width."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_user(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("coach-home")
    monkeypatch.setenv("INTERVIEW_COACH_HOME", str(home))
    monkeypatch.delenv("INTERVIEW_COACH_CONTENT", raising=False)
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("NO_COLOR", "1")
    from interview_coach.cli.state import state
    from interview_coach.ui import ask

    state.debug = False
    state.content_dir = None
    ask.set_asker(None)
    yield home
    ask.set_asker(None)


@pytest.fixture
def coach_home(_isolated_user):
    """The isolated INTERVIEW_COACH_HOME of this test."""
    return _isolated_user


@pytest.fixture
def runner():
    from typer.testing import CliRunner

    return CliRunner()


@pytest.fixture
def invoke(runner):
    """Run the real CLI: invoke("problems", "list", "--json") -> click Result."""
    from interview_coach.cli.main import app

    def _invoke(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return _invoke
