"""Helpers for the hostile-input tests: run the real CLI in its own process and measure it."""

from __future__ import annotations

import json
import os
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


# A small launcher between the test run and the CLI: a child's peak RSS on Linux includes what
# its parent had resident when it forked (kept across exec), so forking the CLI straight from a
# large pytest process would charge pytest's memory to it. The launcher is small, forks the CLI,
# caps it, and reports the CLI's own rusage from wait4.
_LAUNCHER = """
import json, os, resource, sys
report, argv = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    resource.setrlimit(resource.RLIMIT_CPU, (GUARD, GUARD))
    os.execvp(argv[0], argv)
_, status, usage = os.wait4(pid, 0)
with open(report, "w") as fh:
    json.dump({"code": os.waitstatus_to_exitcode(status), "maxrss": usage.ru_maxrss, "cpu": usage.ru_utime + usage.ru_stime}, fh)
""".replace("GUARD", str(GUARD_SECONDS))


def run_cli(*args: str, env: dict[str, str] | None = None, prefix: list[str] | None = None) -> Run:
    """The CLI in its own process, with its own peak RSS and CPU time (not the test run's).
    Address space and CPU are capped so a regression fails instead of swapping."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "usage.json"
        proc = subprocess.run(
            [sys.executable, "-c", _LAUNCHER, str(report), *(prefix or []), *coach_argv(), *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=env or dict(os.environ),
            timeout=GUARD_SECONDS * 3,
        )
        usage = json.loads(report.read_text())
    rss_mb = usage["maxrss"] / (2**20 if sys.platform == "darwin" else 1024)
    out, err = proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")
    return Run(usage["code"], out, err, rss_mb, usage["cpu"])


def assert_one_clear_line(code: int, stderr: str, stdout: str = "", expected_code: int = 2) -> str:
    """Exactly one `error: ...` line of readable length, the expected exit code, no traceback."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert code == expected_code, (code, stderr[-2000:])
    assert "Traceback" not in stderr and "Traceback" not in stdout, stderr[-2000:]
    assert len(lines) == 1, stderr[-2000:]
    assert lines[0].startswith("error: "), lines[0]
    assert len(lines[0]) <= 520, f"{len(lines[0])} characters: {lines[0][:200]}"
    return lines[0]
