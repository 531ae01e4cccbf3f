"""The wheel carries its data: build it, install it into a fresh venv, run a command from it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_installs_and_finds_its_data(tmp_path: Path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheels = list(dist.glob("interview_coach-*.whl"))
    assert len(wheels) == 1
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q", str(wheels[0])],
        check=True,
        capture_output=True,
    )
    # The dependencies (typer, pydantic, ...) come from this interpreter's site-packages, added
    # after the venv's own, so the wheel's copy of interview_coach is the one imported.
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "outer-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "INTERVIEW_COACH_CONTENT")}
    env["INTERVIEW_COACH_HOME"] = str(tmp_path / "home")
    run = subprocess.run([str(venv / "bin" / "interview-coach"), "problems", "list", "--json"],
                         cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    ids = {p["id"] for p in json.loads(run.stdout)}
    assert {"chat"} <= ids and len(ids) >= 6
    where = subprocess.run(
        [str(py), "-c", "from interview_coach.paths import data_dir; print(data_dir('frameworks'), data_dir('quizzes'))"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(Path(w).is_relative_to(venv) and Path(w).is_dir() for w in where), where
