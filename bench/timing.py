"""Timing helpers shared by the benchmark scripts (run them as `python bench/<name>.py`)."""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Callable


def per_call_seconds(fn: Callable[[], object], n: int) -> float:
    """Mean wall time of one call of `fn` over `n` calls, after one warm-up call."""
    fn()
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def command_times_ms(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> list[float]:
    """Wall times of `runs` runs of a command, after one warm-up run (page cache, .pyc files)."""
    subprocess.run(cmd, capture_output=True, check=True, env=env)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True, env=env)
        times.append((time.perf_counter() - start) * 1000)
    return times


def median_ms(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    return statistics.median(command_times_ms(cmd, runs, env))
