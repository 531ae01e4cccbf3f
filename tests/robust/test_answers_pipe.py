"""`--answers <(...)`: an answers file that is a pipe can be read only once, and is."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

ANSWERS = Path(__file__).parents[1] / "practice" / "calibration" / "chat" / "paraphrase_1.yaml"


def test_practice_reads_answers_from_a_pipe(coach_home):
    read_end, write_end = os.pipe()
    data = ANSWERS.read_bytes()

    def feed() -> None:
        with os.fdopen(write_end, "wb") as fh:
            fh.write(data)

    writer = threading.Thread(target=feed)
    writer.start()
    script = Path(sys.executable).with_name("interview-coach")
    env = {**os.environ, "INTERVIEW_COACH_HOME": str(coach_home)}
    done = subprocess.run([str(script), "practice", "--answers", f"/dev/fd/{read_end}", "--json"], pass_fds=(read_end,),
                          capture_output=True, text=True, timeout=120, env=env)
    os.close(read_end)
    writer.join(10)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["problem"] == "chat" and result["score"] >= 80


def test_practice_reads_answers_from_standard_input(coach_home):
    script = Path(sys.executable).with_name("interview-coach")
    env = {**os.environ, "INTERVIEW_COACH_HOME": str(coach_home)}
    done = subprocess.run([str(script), "practice", "--answers", "-", "--json"], input=ANSWERS.read_text(encoding="utf-8"),
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["score"] >= 80


def test_a_bad_answers_file_on_standard_input_is_one_line_naming_it(coach_home):
    script = Path(sys.executable).with_name("interview-coach")
    env = {**os.environ, "INTERVIEW_COACH_HOME": str(coach_home)}
    for command in (["practice", "--answers", "-"], ["estimate", "drill", "chat", "--answers", "-"]):
        done = subprocess.run([str(script), *command], input="- just\n- a list\n", capture_output=True, text=True,
                              timeout=120, env=env)
        assert done.returncode == 2, (command, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: <stdin>"), (command, lines)
