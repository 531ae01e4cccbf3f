"""How long estimation takes: the calculator in-process, and `estimate chat` as a user runs it.

Run: .venv/bin/python bench/bench_estimate.py [--runs 20]
Prints figures; asserts nothing (timings vary by machine).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from tempfile import TemporaryDirectory

from timing import median_ms, per_call_seconds

CHAT = {"dau": "50M", "writes_per_user": 100, "reads_per_write": 1, "item_size": "100B", "peak_factor": 2, "years": 5,
        "online_fraction": "10%", "per_server_qps": "10K", "per_server_connections": "50K"}

def per_call_us(fn, n: int) -> float:
    return per_call_seconds(fn, n) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    from interview_coach.estimation.calculator import calculate, parse_inputs
    from interview_coach.estimation.units import format_size, parse_size

    inputs = parse_inputs(CHAT)
    print(f"{'in-process':<40} {'us per call':>12}")
    print(f"{'parse_size(2.5MB)':<40} {per_call_us(lambda: parse_size('2.5MB', 'item_size'), 20000):>12.1f}")
    print(f"{'format_size(5787037.04, 4)':<40} {per_call_us(lambda: format_size(5787037.04, 4), 20000):>12.1f}")
    print(f"{'parse_inputs(chat)':<40} {per_call_us(lambda: parse_inputs(CHAT), 5000):>12.1f}")
    print(f"{'calculate(chat): 17 results with working':<40} {per_call_us(lambda: calculate(inputs), 2000):>12.1f}")

    exe = shutil.which("interview-coach") or str(Path(sys.executable).parent / "interview-coach")
    with TemporaryDirectory() as home:
        env = {**os.environ, "INTERVIEW_COACH_HOME": home, "COLUMNS": "100", "NO_COLOR": "1"}
        print(f"\n{'command (median of ' + str(args.runs) + ')':<40} {'ms':>12}")
        for name, cmd in (
            ("python -c pass", [sys.executable, "-c", "pass"]),
            ("interview-coach estimate chat --json", [exe, "estimate", "chat", "--json"]),
            ("interview-coach estimate chat", [exe, "estimate", "chat"]),
            ("interview-coach estimate numbers", [exe, "estimate", "numbers"]),
        ):
            print(f"{name:<40} {median_ms(cmd, args.runs, env):>12.1f}")


if __name__ == "__main__":
    main()

