"""Helpers for the summary tests: golden files and sessions driven through the real engine."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
FIXTURES = Path(__file__).parent / "fixtures"


FIXED_START = 1_767_225_600.0  # 2026-01-01 00:00 UTC: the start of every scripted session here


@pytest.fixture
def golden():
    """assert_golden(name, text) as a fixture."""
    return assert_golden


@pytest.fixture
def drive():
    """drive_session(conn, answers, ...) as a fixture."""
    return drive_session


@pytest.fixture
def fixed_wall_clock(monkeypatch):
    """The CLI's SystemClock reads a fixed wall time, so a scripted session's date is stable."""
    from interview_coach.clock import SystemClock

    monkeypatch.setattr(SystemClock, "now", lambda self: FIXED_START)
    return FIXED_START


@pytest.fixture
def scripted_chat(invoke, fixed_wall_clock):
    """Run the fixture answers file through `practice --answers` and return the session id."""
    import json

    result = invoke("practice", "--answers", str(FIXTURES / "chat-answers.yaml"), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["session_id"]


def assert_golden(name: str, text: str) -> None:
    """Compare `text` with tests/summary/golden/<name>; UPDATE_GOLDEN=1 rewrites the file instead."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no golden file {path}; run UPDATE_GOLDEN=1 pytest tests/summary to create it"
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True), str(path), "rendered", n=2))
        pytest.fail(f"{name} differs from its golden file (UPDATE_GOLDEN=1 to accept):\n{diff[:6000]}")


def drive_session(
    conn,
    answers: dict[str, str],
    *,
    finish: bool = True,
    dives: tuple[str, ...] | None = None,
    minutes_per_item: float = 60.0,
    problem: str = "chat",
):
    """A session run through the real engine with a fake clock; `answers` by prompt id (dives as
    `dive:<id>`), everything else left blank. Returns the engine's session."""
    from interview_coach.clock import FakeClock
    from interview_coach.content.loader import load_framework, load_problem
    from interview_coach.practice.engine import PracticeEngine

    framework, card = load_framework(), load_problem(problem)
    if dives is None:  # the first dive of the card (delivery for chat)
        dives = (card.deep_dives[0].id,)
    clock = FakeClock(FIXED_START)
    engine = PracticeEngine.start(framework, card, clock, conn, minutes=45, scripted=True)
    while True:
        item = engine.current_item()
        if item is None:
            if not engine.next_step():
                break
            if engine.session.step_index == 3 and not finish:
                return engine.session
            continue
        clock.advance(minutes_per_item)
        if item.kind == "clarify":
            for question in answers.get("clarify", "").splitlines():
                engine.ask_interviewer(question)
            engine.complete(item)
        elif item.kind == "estimate":
            engine.record_estimate(item, answers.get(item.figure.name, ""))
        elif item.kind == "choose_dives":
            engine.choose_dives(item, list(dives))
        else:
            engine.answer(item, answers.get(item.prompt_id, ""))
    engine.finish()
    return engine.session
