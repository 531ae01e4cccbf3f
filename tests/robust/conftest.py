"""Helpers for the hostile-input tests: run the real CLI in its own process and measure it."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

MEMORY_LIMIT_MB = 200
GUARD_SECONDS = 60  # CPU seconds after which a runaway child is killed; speed itself is not asserted


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    max_rss_mb: float
    cpu_seconds: float

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def coach_argv() -> list[str]:
    script = Path(sys.executable).with_name("interview-coach")
    return [str(script)] if script.exists() else [sys.executable, "-m", "interview_coach"]


def run_cli(*args: str, env: dict[str, str] | None = None, prefix: list[str] | None = None) -> Run:
    """The CLI in a child process, reaped with os.wait4 for its own peak RSS and CPU time (not
    the test run's). Address space and CPU are capped so a regression fails instead of swapping."""

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
        resource.setrlimit(resource.RLIMIT_CPU, (GUARD_SECONDS, GUARD_SECONDS))

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [*(prefix or []), *coach_argv(), *args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=env or dict(os.environ),
            preexec_fn=limits,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        rss_mb = usage.ru_maxrss / (2**20 if sys.platform == "darwin" else 1024)
        return Run(
            proc.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            rss_mb,
            usage.ru_utime + usage.ru_stime,
        )


def assert_one_clear_line(code: int, stderr: str, stdout: str = "", expected_code: int = 2) -> str:
    """Exactly one `error: ...` line of readable length, the expected exit code, no traceback."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert code == expected_code, (code, stderr[-2000:])
    assert "Traceback" not in stderr and "Traceback" not in stdout, stderr[-2000:]
    assert len(lines) == 1, stderr[-2000:]
    assert lines[0].startswith("error: "), lines[0]
    assert len(lines[0]) <= 520, f"{len(lines[0])} characters: {lines[0][:200]}"
    return lines[0]
