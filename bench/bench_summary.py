"""How long summaries take: rendering in-process, the Mermaid checker, and `summary` as a user runs it.

Run: .venv/bin/python bench/bench_summary.py [--runs 10]
Prints figures; asserts nothing (timings vary by machine).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path
from tempfile import TemporaryDirectory

from timing import median_ms, per_call_seconds

ANSWERS = Path(__file__).resolve().parent.parent / "docs" / "examples" / "session-answers.yaml"

def per_call_ms(fn, n: int) -> float:
    return per_call_seconds(fn, n) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    from interview_coach.summary.mermaid import blocks_in_markdown, check_mermaid
    from interview_coach.summary.reference import render_reference

    md = render_reference("chat", "md")
    blocks = blocks_in_markdown(md)
    print(f"{'in-process':<46} {'ms per call':>12}")
    print(f"{'render_reference(chat, md)':<46} {per_call_ms(lambda: render_reference('chat', 'md'), 50):>12.2f}")
    print(f"{'render_reference(chat, html)':<46} {per_call_ms(lambda: render_reference('chat', 'html'), 50):>12.2f}")
    label = f"check_mermaid over its {len(blocks)} diagrams"
    print(f"{label:<46} {per_call_ms(lambda: [check_mermaid(b) for b in blocks], 200):>12.2f}")

    exe = shutil.which("interview-coach") or str(Path(sys.executable).parent / "interview-coach")
    with TemporaryDirectory() as home:
        env = {**os.environ, "INTERVIEW_COACH_HOME": home, "COLUMNS": "100", "NO_COLOR": "1"}
        subprocess.run([exe, "practice", "--answers", str(ANSWERS)], capture_output=True, check=True, env=env)
        print(f"\n{'command (median of ' + str(args.runs) + ')':<46} {'ms':>12}")
        for name, cmd in (
            ("summary --reference chat", [exe, "summary", "--reference", "chat"]),
            ("summary --reference chat --format html", [exe, "summary", "--reference", "chat", "--format", "html"]),
            ("summary latest (a scored chat session)", [exe, "summary", "latest"]),
            ("summary latest --format html", [exe, "summary", "latest", "--format", "html"]),
        ):
            print(f"{name:<46} {median_ms(cmd, args.runs, env):>12.1f}")


if __name__ == "__main__":
    main()

