"""The command list is a table, so `--help` imports no command module; the table must not lie."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from interview_coach.cli.main import COMMANDS, app, load_command


def test_the_table_matches_each_commands_own_summary():
    for name, (_, summary) in COMMANDS.items():
        assert load_command(name).get_short_help_str(limit=1000) == summary, name


def test_top_level_help_lists_every_command_in_order():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    positions = [result.output.index(f"  {name}") for name in COMMANDS]
    assert positions == sorted(positions)
    assert "Example: interview-coach practice" in result.output


def test_help_imports_no_command_module_nor_the_heavy_libraries():
    code = (
        "import sys\n"
        "from interview_coach.cli import main\n"
        "sys.argv = ['interview-coach', '--help']\n"
        "try:\n    main.run()\nexcept SystemExit:\n    pass\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('interview_coach.cli.') and m not in "
        "('interview_coach.cli.main', 'interview_coach.cli.state', 'interview_coach.cli.commands'))\n"
        "heavy = sorted(m for m in ('rich', 'pydantic', 'yaml', 'click', 'jinja2') if m in sys.modules)\n"
        "print('LOADED', loaded, heavy, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "LOADED [] []" in done.stderr, done.stderr


def test_an_unknown_command_is_one_line_with_exit_2():
    result = CliRunner().invoke(app, ["practise"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == ["error: unknown command 'practise'; did you mean practice?"]
