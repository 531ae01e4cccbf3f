"""How long `interview-coach --help` takes, beside a bare `python -c pass`, measured in one run.

Run: .venv/bin/python bench/bench_startup.py [--runs 30]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def median_ms(cmd: list[str], runs: int) -> tuple[float, float]:
    subprocess.run(cmd, capture_output=True, check=True)  # warm the page cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


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
    base = None
    print(f"{'command':<28} {'median ms':>10} {'max ms':>8} {'vs python':>10}")
    for name, cmd in rows:
        med, worst = median_ms(cmd, args.runs)
        base = base or med
        print(f"{name:<28} {med:>10.1f} {worst:>8.1f} {med / base:>9.1f}x")


if __name__ == "__main__":
    main()
