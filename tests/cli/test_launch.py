"""The console script's launcher: the top-level help without typer, and the quick exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interview_coach.cli.commands import COMMANDS
from interview_coach.cli.launch import top_help
from interview_coach.cli.main import app

SCRIPT = Path(sys.executable).with_name("interview-coach")


def typer_help(columns: int) -> str:
    """typer's own top-level help in a real process (CliRunner forces its own width)."""
    code = "import sys; sys.argv = ['interview-coach', '--help']\nfrom interview_coach.cli.main import run\nrun()\n"
    env = {**os.environ, "COLUMNS": str(columns)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("columns", [20, 50, 64, 79, 80, 120, 300])
def test_the_launchers_help_is_what_typer_prints(columns):
    assert top_help("interview-coach", columns=columns) == typer_help(columns)


def test_the_help_names_every_command_once():
    shown = top_help("interview-coach", columns=80)
    result = CliRunner().invoke(app, ["--help"], prog_name="interview-coach")
    for name in COMMANDS:
        assert shown.count(f"\n  {name} ") == 1 == result.output.count(f"\n  {name} ")


def test_help_from_the_console_script_loads_neither_typer_nor_any_command():
    code = (
        "import sys\n"
        "from interview_coach.cli import launch\n"
        "sys.argv = ['interview-coach', '--help']\n"
        "launch.run()\n"
        "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'click', 'rich', 'pydantic')"
        " or m.startswith('interview_coach.cli.') and m not in ('interview_coach.cli.launch', 'interview_coach.cli.commands')),"
        " file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert "LOADED []" in done.stderr, done.stderr
    assert "Commands:" in done.stdout and "practice" in done.stdout


@pytest.mark.parametrize("args", [["--help"], ["-h"]])
def test_the_console_script_prints_the_help(args):
    env = {**os.environ, "COLUMNS": "80"}
    done = subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0
    assert done.stdout == top_help("interview-coach", columns=80)


def test_a_quick_exit_loses_no_output_and_keeps_the_exit_code(coach_home):
    # A long listing through a pipe: every byte arrives although the interpreter is not torn down.
    env = {**os.environ, "COLUMNS": "80"}
    done = subprocess.run([str(SCRIPT), "problems", "show", "chat"], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0
    expected = subprocess.run(
        [sys.executable, "-c", "from interview_coach.cli.main import run; import sys; sys.argv=['interview-coach',"
         "'problems','show','chat']; run()"], capture_output=True, text=True, timeout=60, env=env)
    assert done.stdout == expected.stdout and len(done.stdout) > 2000
    bad = subprocess.run([str(SCRIPT), "estimate", "nosuchcard"], capture_output=True, text=True, timeout=60, env=env)
    assert bad.returncode == 2 and bad.stderr.startswith("error:")


def test_exit_handlers_still_run_before_a_quick_exit(tmp_path):
    marker = tmp_path / "ran"
    code = (
        "import atexit, sys\n"
        f"atexit.register(lambda: open({str(marker)!r}, 'w').write('yes'))\n"
        "from interview_coach.cli import launch\n"
        "sys.argv = ['interview-coach', 'framework']\n"
        "launch.run()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert marker.read_text() == "yes"


def test_a_profiler_still_gets_its_report(tmp_path, coach_home):
    # cProfile (and coverage tools) write at the usual exit, which a quick exit would skip.
    report = tmp_path / "run.prof"
    done = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(report), "-m", "interview_coach", "framework"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert report.stat().st_size > 0


def test_the_version_is_what_typer_prints(coach_home):
    env = {**os.environ, "INTERVIEW_COACH_HOME": str(coach_home)}
    done = subprocess.run([str(SCRIPT), "--version"], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0
    assert done.stdout == CliRunner().invoke(app, ["--version"], prog_name="interview-coach").output


# ------------------------------------------------------------------ a command's help: the page cache

HELP_RUNS = [["practice", "--help"], ["estimate", "drill", "-h"], ["estimate", "chat", "--help"], ["problems", "show", "--help"],
             ["summary", "--help"], ["serve", "-h"]]


@pytest.mark.parametrize("args", HELP_RUNS, ids=" ".join)
def test_a_commands_help_shown_again_is_the_help_typer_prints(coach_home, args):
    env = {**os.environ, "INTERVIEW_COACH_HOME": str(coach_home), "COLUMNS": "80"}
    runs = [subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, timeout=60,
                           env={**env, "INTERVIEW_COACH_CACHE": cache}) for cache in ("off", str(coach_home / "c"),
                                                                                      str(coach_home / "c"))]
    assert all(r.returncode == 0 and r.stderr == "" for r in runs), runs
    assert runs[0].stdout == runs[1].stdout == runs[2].stdout
    assert runs[0].stdout.lstrip().startswith("Usage:")
    assert len(list((coach_home / "c" / "pages").glob("help-*.txt"))) == 1


def test_a_warm_help_page_loads_neither_typer_nor_rich(coach_home):
    code = (
        "import sys\n"
        "from interview_coach.cli import launch\n"
        "sys.argv = ['interview-coach', 'practice', '--help']\n"
        "launch.run()\n"
    )
    probe = code.replace("launch.run()\n", "import atexit\natexit.register(lambda: print('LOADED', sorted("
                         "m for m in sys.modules if m.split('.')[0] in ('typer', 'rich')), file=sys.stderr))\nlaunch.run()\n")
    env = {**os.environ, "INTERVIEW_COACH_HOME": str(coach_home)}
    cold, warm = (subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env=env)
                  for _ in range(2))
    assert cold.returncode == warm.returncode == 0
    assert "'typer'" in cold.stderr and "LOADED []" in warm.stderr, warm.stderr
    assert cold.stdout == warm.stdout


def test_a_new_width_is_a_new_help_page(coach_home):
    env = {**os.environ, "INTERVIEW_COACH_HOME": str(coach_home)}
    wide, narrow = (subprocess.run([str(SCRIPT), "practice", "--help"], capture_output=True, text=True, timeout=60,
                                   env={**env, "COLUMNS": columns}).stdout for columns in ("100", "60"))
    assert max(map(len, narrow.splitlines())) <= 60 < max(map(len, wide.splitlines()))


@pytest.mark.parametrize("args", [["quiz", "--bank", "--help"], ["--debug", "practice", "--help"], ["--help"], ["practice"],
                                  ["practice", "--help", "--problem", "chat"]])
def test_only_a_plain_help_request_goes_through_the_page_cache(args):
    from interview_coach.cli.launch import _help_page

    assert _help_page("interview-coach", args) is None


def test_a_run_that_printed_no_help_is_not_kept(coach_home, monkeypatch, capsys):
    from interview_coach.cli.pages import HelpPage

    monkeypatch.setenv("INTERVIEW_COACH_HOME", str(coach_home))
    page = HelpPage("interview-coach", ["problems", "show", "--help"])
    assert not page.replay()
    print("not a help page")
    page.keep()
    assert not list((coach_home / "cache" / "pages").glob("help-*.txt"))
    assert "not a help page" in capsys.readouterr().out
