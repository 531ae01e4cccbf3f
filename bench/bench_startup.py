"""How long `interview-coach --help` takes, beside a bare `python -c pass`, measured in one run.

Run: .venv/bin/python bench/bench_startup.py [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
from pathlib import Path

from timing import command_times_ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    exe = shutil.which("interview-coach") or str(Path(sys.executable).parent / "interview-coach")
    rows = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("interview-coach --help", [exe, "--help"]),
        ("interview-coach --version", [exe, "--version"]),
    ]
    # Measure what an installed user sees: bytecode cached (pip compiles it at install time),
    # even when this shell sets PYTHONDONTWRITEBYTECODE.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    base = None
    print(f"{'command':<28} {'median ms':>10} {'max ms':>8} {'vs python':>10}")
    for name, cmd in rows:
        times = command_times_ms(cmd, args.runs, env)
        med, worst = statistics.median(times), max(times)
        base = base or med
        print(f"{name:<28} {med:>10.1f} {worst:>8.1f} {med / base:>9.1f}x")


if __name__ == "__main__":
    main()
