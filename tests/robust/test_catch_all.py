"""Whatever goes wrong unplanned ends in one line and exit 1 (a traceback only with --debug);
a reader that goes away (`| head`) ends the run quietly."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import assert_one_clear_line, coach_argv


def _boom(*args, **kwargs):
    raise RuntimeError("the unexpected happened")


def test_an_unexpected_exception_is_one_line_and_exit_1(invoke, monkeypatch):
    monkeypatch.setattr("interview_coach.practice.store.list_sessions", _boom)
    result = invoke("history")
    line = assert_one_clear_line(result.exit_code, result.stderr, result.stdout, expected_code=1)
    assert (
        line == "error: internal error: RuntimeError: the unexpected happened; run with --debug for the traceback and report it"
    )


def test_debug_shows_the_traceback(invoke, monkeypatch):
    monkeypatch.setattr("interview_coach.practice.store.list_sessions", _boom)
    with pytest.raises(RuntimeError, match="the unexpected happened"):
        invoke("--debug", "history")


@pytest.mark.parametrize(
    "error", ["MemoryError()", "RecursionError('deep')", "UnicodeDecodeError('utf-8', b'x', 0, 1, 'bad')", "KeyError('k')"]
)
def test_in_a_real_process_no_traceback_wall(error, coach_home):
    # The real console script's wiring (typer's own error printing included), with one core
    # function made to fail.
    code = (
        "import sys, interview_coach.practice.store as s\n"
        f"def boom(*a, **k): raise {error}\n"
        "s.list_sessions = boom\n"
        "from interview_coach.cli.main import run\n"
        "sys.argv = ['interview-coach', 'history']\n"
        "run()\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    line = assert_one_clear_line(proc.returncode, proc.stderr, proc.stdout, expected_code=1)
    assert "internal error" in line and "--debug" in line


def test_a_closed_pipe_ends_quietly(coach_home):
    proc = subprocess.Popen([*coach_argv(), "estimate", "numbers"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # the reader goes away, as `| head -1` does
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in err and "internal error" not in err, err
