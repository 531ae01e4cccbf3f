"""Every hostile file handed to a command that reads one ends in one clear line and exit 2,
in bounded memory, and nothing already saved is lost."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interview_coach.content import userfile
from interview_coach.errors import ContentError

from .conftest import MEMORY_LIMIT_MB, assert_one_clear_line, run_cli
from .hostile import corpus

CORPUS = corpus()
COMMANDS = {
    "practice": ["practice", "--answers"],
    "quiz": ["quiz", "--answers"],
    "drill": ["estimate", "drill", "chat", "--answers"],
    "validate": ["content", "validate"],
}
# What is refused by the reader itself, whatever the command (the rest is refused by the command).
HEAVY = [
    "bomb-seq",
    "bomb-under-key",
    "bomb-map",
    "merge-bomb",
    "huge-file",
    "huge-value",
    "many-keys",
    "many-keys-flow",
    "long-key-list",
    "deep-flow-seq",
    "deep-block",
    "json-deep",
    "binary-random",
    "utf16-bom",
    "latin1",
]


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    for name, data in CORPUS:
        (folder / f"{name}.yaml").write_bytes(data)
    return folder


def _save_one_session(invoke, tmp_path):
    """One finished mock interview, to check after each hostile run that it is still there."""
    answers = tmp_path / "good.yaml"
    answers.write_text(invoke("practice", "--problem", "chat", "--template").stdout, encoding="utf-8")
    assert invoke("practice", "--answers", str(answers)).exit_code == 0
    return invoke("history", "--json").stdout


@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "validate"])
def test_hostile_answers_file_one_line_exit_2(invoke, corpus_dir, tmp_path, command):
    saved = _save_one_session(invoke, tmp_path)
    failures = []
    for name, _ in CORPUS:
        result = invoke(*COMMANDS[command], str(corpus_dir / f"{name}.yaml"))
        try:
            line = assert_one_clear_line(result.exit_code, result.stderr, result.stdout)
            assert str(corpus_dir) in line or "unknown problem" in line, line  # says which file
        except AssertionError as exc:
            failures.append(f"{name}: {exc}")
    assert not failures, "\n".join(failures)
    assert invoke("history", "--json").stdout == saved  # nothing saved is lost


@pytest.mark.parametrize("name", [name for name, _ in CORPUS])
def test_content_validate_reports_every_hostile_file(invoke, corpus_dir, name):
    result = invoke("content", "validate", str(corpus_dir / f"{name}.yaml"))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert 1 <= len(lines) <= 21, len(lines)  # every problem up to a cap, then a count
    assert all(line.startswith(str(corpus_dir)) or line.startswith("(") for line in lines), lines[:3]
    assert all(len(line) <= 520 for line in lines)


def test_a_content_folder_of_hostile_files_is_checked_file_by_file(invoke, corpus_dir):
    result = invoke("content", "validate", str(corpus_dir))
    assert result.exit_code == 2
    assert "Traceback" not in result.output


@pytest.mark.slow
@pytest.mark.parametrize("name", HEAVY)
def test_heavy_files_stay_within_memory(corpus_dir, coach_home, name):
    # The reader refuses these before any command-specific work, so one command shows it for all
    # (bench/bench_hostile.py measures every command).
    env = dict(os.environ, INTERVIEW_COACH_HOME=str(coach_home))
    run = run_cli(*COMMANDS["drill"], str(corpus_dir / f"{name}.yaml"), env=env)
    assert_one_clear_line(run.code, run.stderr, run.stdout)
    assert run.max_rss_mb < MEMORY_LIMIT_MB, f"{name}: {run.max_rss_mb:.0f} MB"


def test_quiz_answers_from_stdin_go_through_the_same_reader(invoke):
    result = invoke("quiz", "--answers", "-", input=b"\xff\xfea\x00:\x00 \x001\x00")  # type: ignore[arg-type]
    line = assert_one_clear_line(result.exit_code, result.stderr, result.stdout)
    assert "<stdin>" in line and "UTF-16" in line


def test_a_long_value_is_quoted_short(invoke, tmp_path):
    answers = tmp_path / "long.yaml"
    answers.write_text("avg_write_qps: " + "9" * 150_000 + "x\n", encoding="utf-8")
    result = invoke("estimate", "drill", "chat", "--answers", str(answers))
    line = assert_one_clear_line(result.exit_code, result.stderr, result.stdout)
    assert len(line) < 520


# ---------------------------------------------------------------- the reader itself


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_decode_or_give_a_content_error(raw):
    try:
        text = userfile.decode(raw, "f.yaml")
    except ContentError as exc:
        assert str(exc).startswith("f.yaml:")
        return
    assert isinstance(text, str)


YAMLISH = st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\" \n\t#,?%@`1.")), max_size=200)


@settings(max_examples=400, deadline=None)
@given(YAMLISH)
def test_any_text_parses_or_gives_a_content_error(text):
    try:
        data = userfile.parse_yaml(text, "f.yaml")
    except ContentError as exc:
        assert str(exc).startswith("f.yaml:")
        assert "\n" not in str(exc)
        return
    _assert_plain(data)


def _assert_plain(value, depth=0):
    assert depth <= userfile.MAX_DEPTH + 1
    if isinstance(value, dict):
        for k, v in value.items():
            _assert_plain(k, depth + 1)
            _assert_plain(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _assert_plain(v, depth + 1)
    else:
        assert value is None or isinstance(value, (str, int, float, bool)), type(value)


@pytest.mark.parametrize("levels, width", [(6, 10), (30, 2), (3, 60)])
def test_alias_expansion_is_counted_before_building(levels, width):
    lines = ["a0: &a0 [x]"] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels + 1)]
    with pytest.raises(ContentError, match=r"aliases expanded|nest more than"):
        userfile.parse_yaml("\n".join(lines), "bomb.yaml")


def test_small_honest_anchors_still_work():
    data = userfile.parse_yaml("base: &b {x: 1}\nmore: {<<: *b, y: 2}\nlist: [*b, *b]\n", "ok.yaml")
    assert data["more"] == {"x": 1, "y": 2} and data["list"] == [{"x": 1}, {"x": 1}]


def test_dates_stay_text_and_a_utf8_bom_is_fine():
    text = userfile.decode("\ufeffwhen: 2024-01-01\n".encode(), "f.yaml")
    data = userfile.parse_yaml(text, "f.yaml")
    assert data == {"when": "2024-01-01"}


def test_the_size_limit_reads_no_further_than_it(tmp_path):
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.truncate(3 << 30)  # a sparse 3 GB file: reading it whole would be the failure
    with pytest.raises(ContentError, match="larger than"):
        userfile.read_text(big)
