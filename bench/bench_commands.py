"""Where a person waits: each command as a whole process, paired with `python -c pass`.

Runs the baseline and the command in turn (A B A B ...), so both see the same machine, and
prints the median of the paired ratios for CPU time (user + sys, from the OS's accounting of the
finished child) and for wall time. A fresh data folder and a warm content cache, as after a first
run; then the same commands again with the page cache (cli/pages.py) emptied before every run,
as the first run after an edit to a card, a template or the code, or in a new terminal size.

Run: .venv/bin/python bench/bench_commands.py [--runs 20] [--more]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = [
    ["--help"],
    ["estimate", "chat"],
    ["problems", "show", "chat"],
    ["summary", "--reference", "chat"],
    ["quiz", "--list", "--json"],
]
# --more: the other commands a person runs and waits on (warm caches only).
MORE = [
    ["--version"],
    ["practice", "--help"],
    ["problems", "list"],
    ["problems", "show", "url_shortener"],
    ["problems", "show", "chat", "--json"],
    ["estimate", "numbers"],
    ["estimate", "--dau", "10M", "--writes-per-user", "20", "--item-size", "1KB"],
    ["summary", "--reference", "typeahead", "--format", "html"],
    ["framework"],
    ["quiz", "--list"],
    ["practice", "--problem", "chat", "--template"],
    ["history"],
    ["quiz", "stats"],
]


def run_once(cmd: list[str], env: dict[str, str], empty: Path | None = None) -> tuple[float, float]:
    """(cpu seconds, wall seconds) of one run of `cmd`; `empty`: a folder removed first (not timed)."""
    if empty is not None:
        shutil.rmtree(empty, ignore_errors=True)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited with {proc.returncode}")
    return usage.ru_utime + usage.ru_stime, wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--more", action="store_true", help="also the other commands people wait on (warm caches)")
    args = parser.parse_args()
    exe = shutil.which("interview-coach") or str(Path(sys.executable).parent / "interview-coach")
    # What an installed user sees: bytecode cached (pip compiles it at install), the default data
    # and cache folders (found through platformdirs) under a home of its own, the content cache
    # filled by the warm-up run.
    env = {k: v for k, v in os.environ.items()
           if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith(("INTERVIEW_COACH_", "XDG_"))}
    env["HOME"] = tempfile.mkdtemp(prefix="bench-home-")
    baseline = [sys.executable, "-c", "pass"]
    pages = Path(env["HOME"]) / ".cache" / "interview-coach" / "pages"
    tables = [("warm caches, as after a first run", None, COMMANDS),
              ("the page cache emptied before each run (cards, views and templates still cached)", pages, COMMANDS)]
    if args.more:
        tables.append(("more commands, warm caches", None, MORE))
    for title, empty, commands in tables:
        print(f"\n{title}")
        print(f"{'command':<40} {'cpu ms':>8} {'x python':>9} {'wall ms':>8} {'x python':>9}")
        for flags in commands:
            cmd = [exe, *flags]
            run_once(cmd, env), run_once(baseline, env)  # warm-up: page cache, .pyc, content cache
            pairs = [(run_once(cmd, env, empty), run_once(baseline, env)) for _ in range(args.runs)]
            cpu = statistics.median(a[0] for a, _ in pairs)
            wall = statistics.median(a[1] for a, _ in pairs)
            cpu_ratio = statistics.median(a[0] / max(b[0], 1e-4) for a, b in pairs)
            wall_ratio = statistics.median(a[1] / b[1] for a, b in pairs)
            command = " ".join(["interview-coach", *flags])
            print(f"{command:<40} {cpu * 1000:>8.0f} {cpu_ratio:>8.1f}x {wall * 1000:>8.0f} {wall_ratio:>8.1f}x")
    shutil.rmtree(env["HOME"], ignore_errors=True)


if __name__ == "__main__":
    main()
