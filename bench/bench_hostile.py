"""Hostile input files against every command that reads one: peak memory and CPU of each run,
as a ratio to the same command reading a valid file in the same run (the baseline).

    .venv/bin/python bench/bench_hostile.py            # the whole corpus
    .venv/bin/python bench/bench_hostile.py bomb deep  # names containing these words
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests")]

from robust.conftest import run_cli  # noqa: E402
from robust.hostile import corpus  # noqa: E402

COMMANDS = {
    "practice": ["practice", "--answers"],
    "quiz": ["quiz", "--answers"],
    "drill": ["estimate", "drill", "chat", "--answers"],
    "validate": ["content", "validate"],
}
VALID = {
    "practice": None,  # filled from --template
    "quiz": "steps-order: [A, B, C, D]\n",
    "drill": "avg_write_qps: 60K\n",
    "validate": None,  # the built-in chat card
}


def main(words: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = dict(os.environ, INTERVIEW_COACH_HOME=str(folder / "home"))
        template = run_cli("practice", "--problem", "chat", "--template", env=env).stdout
        baseline = {}
        for command, argv in COMMANDS.items():
            if command == "validate":
                target = ROOT / "frameworks" / "problems" / "chat.yaml"
            else:
                target = folder / f"valid-{command}.yaml"
                target.write_text(VALID[command] or template, encoding="utf-8")
            run = run_cli(*argv, str(target), env=env)
            baseline[command] = run
            print(f"baseline {command:9} exit {run.code}  {run.max_rss_mb:6.1f} MB  {run.cpu_seconds:5.2f} s CPU")
        print(f"\n{'file':22} {'command':9} exit  lines  {'MB':>6} {'x base':>6}  {'CPU s':>5} {'x base':>6}")
        worst_mb = worst_cpu = 0.0
        for name, data in corpus():
            if words and not any(w in name for w in words):
                continue
            path = folder / f"{name}.yaml"
            path.write_bytes(data)
            for command, argv in COMMANDS.items():
                run = run_cli(*argv, str(path), env=env)
                base = baseline[command]
                worst_mb, worst_cpu = max(worst_mb, run.max_rss_mb), max(worst_cpu, run.cpu_seconds)
                mb_ratio = run.max_rss_mb / base.max_rss_mb
                cpu_ratio = run.cpu_seconds / max(base.cpu_seconds, 1e-3)
                print(
                    f"{name:22} {command:9} {run.code:4} {len(run.lines):6}  {run.max_rss_mb:6.1f} {mb_ratio:6.2f}"
                    f"  {run.cpu_seconds:5.2f} {cpu_ratio:6.2f}"
                )
        print(f"\nworst: {worst_mb:.1f} MB, {worst_cpu:.2f} s CPU")


if __name__ == "__main__":
    main(sys.argv[1:])
