"""The framework, problems and content commands through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interview_coach.paths import data_dir


def test_version(invoke):
    from interview_coach import __version__

    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"interview-coach {__version__}"


def test_help_lists_commands_with_examples(invoke):
    result = invoke("--help")
    assert result.exit_code == 0
    for name in ("framework", "problems", "content"):
        assert name in result.output


@pytest.mark.parametrize("args", [["framework"], ["problems", "list"], ["problems", "show"], ["content", "validate"]])
def test_every_command_help_has_an_example(invoke, args):
    result = invoke(*args, "--help")
    assert result.exit_code == 0
    assert "Example: interview-coach" in result.output


def test_framework_table_shows_the_four_time_boxes(invoke):
    result = invoke("framework")
    assert result.exit_code == 0, result.output
    for minutes in ("5-10", "10-15", "15-25"):
        assert minutes in result.output
    assert "Write-Through" in result.output or "Write-through" in result.output


def test_framework_json_steps(invoke):
    result = invoke("framework", "--json")
    data = json.loads(result.output)
    steps = data["steps"]
    assert [(s["id"], s["min_minutes"], s["max_minutes"]) for s in steps] == [
        ("scope", 5, 10),
        ("high_level", 10, 15),
        ("deep_dive", 15, 25),
        ("wrap_up", 5, 5),
    ]
    assert all(s["title"] for s in steps)


def test_framework_json_one_part(invoke):
    data = json.loads(invoke("framework", "--json", "--part", "pitfalls").output)
    assert set(data) == {"id", "title", "pitfalls"}
    assert len(data["pitfalls"]) == 4


def test_framework_unknown_part_is_one_line_exit_2(invoke):
    result = invoke("framework", "--part", "nope")
    assert result.exit_code == 2
    assert "unknown part 'nope'" in result.stderr
    assert "steps" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_problems_list_has_six_or_more(invoke):
    result = invoke("problems", "list", "--json")
    assert result.exit_code == 0
    items = json.loads(result.output)
    assert len(items) >= 6
    assert {"id", "title"} <= set(items[0])
    assert "chat" in {i["id"] for i in items}
    table = invoke("problems", "list")
    assert "chat" in table.output


def test_problems_show_chat_is_the_whole_card(invoke):
    result = invoke("problems", "show", "chat")
    assert result.exit_code == 0, result.output
    out = result.output
    for needle in ("/v1/messages", "/v1/sync", "PRIMARY KEY (channel_id, message_id)", "50M", "Deep dive", "Trade-offs"):
        assert needle in out, needle


def test_problems_show_by_alias_and_json(invoke):
    data = json.loads(invoke("problems", "show", "whatsapp", "--json").output)
    assert data["id"] == "chat"
    assert len(data["deep_dives"]) >= 9


def test_unknown_problem_suggests_closest(invoke):
    result = invoke("problems", "show", "chta")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "unknown problem 'chta'" in result.stderr
    assert "chat" in result.stderr


def test_validate_builtin_content_ok(invoke):
    result = invoke("content", "validate")
    assert result.exit_code == 0, result.stderr
    assert result.output.startswith("ok")


BROKEN = {
    "syntax.yaml": ("id: chat\ntitle: [unclosed\n", 3, "YAML syntax error"),
    "list_for_mapping.yaml": ("- id: chat\n- title: x\n", 1, "expected a mapping"),
    "wrong_type.yaml": (None, None, "Input should be a valid"),
    "missing_field.yaml": (None, None, "required field is missing"),
    "unknown_step.yaml": (None, None, "key_points.scopee"),
}


def _card_variant(name: str) -> str:
    text = (data_dir("frameworks") / "problems" / "chat.yaml").read_text()
    if name == "wrong_type.yaml":
        return text.replace("reference: true", "reference: [1, 2]", 1)
    if name == "missing_field.yaml":
        return text.replace("\nprompt:", "\nprompt_typo:", 1)
    if name == "unknown_step.yaml":
        return text.replace("\n  scope:", "\n  scopee:", 1)
    raise KeyError(name)


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_content_reports_file_and_line(invoke, tmp_path: Path, name: str):
    text, line, needle = BROKEN[name]
    path = tmp_path / name
    path.write_text(text if text is not None else _card_variant(name))
    result = invoke("content", "validate", str(path))
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines and all(line.startswith(f"{path}:") for line in lines)
    hit = [line for line in lines if needle in line]
    assert hit, result.stderr
    file_line = int(hit[0].split(":")[1])
    if line is not None:
        assert file_line == line
    else:
        # the reported line holds the offending key
        key = needle.split(".")[-1] if "." in needle else None
        src = path.read_text().splitlines()[file_line - 1]
        if name == "wrong_type.yaml":
            assert "reference" in src
        elif name == "missing_field.yaml":
            assert file_line == 1
        elif key:
            assert key in src


def test_user_content_dir_adds_a_problem(invoke, tmp_path: Path, monkeypatch):
    folder = tmp_path / "mine" / "problems"
    folder.mkdir(parents=True)
    text = (data_dir("frameworks") / "problems" / "chat.yaml").read_text()
    (folder / "my_chat.yaml").write_text(text.replace("id: chat", "id: my_chat", 1))
    monkeypatch.setenv("INTERVIEW_COACH_CONTENT", str(tmp_path / "mine"))
    ids = {p["id"] for p in json.loads(invoke("problems", "list", "--json").output)}
    assert "my_chat" in ids and "chat" in ids


def _all_command_paths():
    import typer

    from interview_coach.cli.main import app

    root = typer.main.get_command(app)
    ctx = root.make_context("interview-coach", [], resilient_parsing=True)

    def walk(cmd, path):
        yield path
        if hasattr(cmd, "list_commands"):  # a group (typer may vendor its own click)
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    yield from walk(sub, [*path, name])

    return [p for p in walk(root, []) if p]


@pytest.mark.parametrize("path", _all_command_paths(), ids=lambda p: " ".join(p))
def test_every_command_and_subcommand_help_has_an_example(invoke, path):
    result = invoke(*path, "--help")
    assert result.exit_code == 0, result.output
    assert "Example: interview-coach" in result.output, f"{' '.join(path)} --help has no example"
