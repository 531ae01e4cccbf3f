"""The page cache (cli/pages.py): a page shown again is the page that would be laid out now."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interview_coach.cli import pages
from interview_coach.content.cache import CACHE_ENV
from interview_coach.paths import data_dir

COMMANDS = [
    ("problems", "show", "chat"),
    ("problems", "show", "url_shortener"),
    ("estimate", "chat"),
    ("estimate", "chat", "--dau", "10M", "--item", "text:100B", "--item", "media:1MB@10%"),
    ("estimate", "--dau", "10M", "--writes-per-user", "20", "--item-size", "1KB"),
    ("summary", "--reference", "chat"),
    ("summary", "--reference", "typeahead", "--format", "html"),
    ("problems", "list"),
    ("problems", "list", "--json", "--topic", "caching"),
    ("problems", "show", "chat", "--json"),
    ("estimate", "numbers"),
    ("estimate", "numbers", "--json"),
    ("framework",),
    ("framework", "--json", "--part", "steps"),
    ("quiz", "--list"),
    ("quiz", "--list", "--json", "--problem", "chat"),
    ("practice", "--problem", "url_shortener", "--template", "--minutes", "60"),
]


def _entries(home: Path) -> list[Path]:
    folder = home / "cache" / "pages"
    return sorted(folder.iterdir()) if folder.is_dir() else []


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_page_shown_again_is_the_page_laid_out_without_the_cache(invoke, coach_home, monkeypatch, args):
    monkeypatch.setenv(CACHE_ENV, "off")
    plain = invoke(*args)
    assert plain.exit_code == 0, plain.output
    assert not _entries(coach_home)
    monkeypatch.delenv(CACHE_ENV)
    cold, warm = invoke(*args), invoke(*args)
    assert len(_entries(coach_home)) == 1
    assert plain.output == cold.output == warm.output


def test_different_arguments_are_different_pages(invoke, coach_home):
    one = invoke("estimate", "chat").output
    other = invoke("estimate", "chat", "--dau", "10M").output
    assert one != other
    assert invoke("estimate", "chat").output == one and invoke("estimate", "chat", "--dau", "10M").output == other


def test_a_new_terminal_width_or_colour_setting_is_a_miss(invoke, monkeypatch):
    wide = invoke("problems", "show", "chat").output
    monkeypatch.setenv("COLUMNS", "60")
    narrow = invoke("problems", "show", "chat").output
    assert max(len(line) for line in narrow.splitlines()) <= 60 < max(len(line) for line in wide.splitlines())
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    coloured = invoke("problems", "show", "chat").output
    assert "\x1b[" in coloured and "\x1b[" not in narrow
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR")
    assert invoke("problems", "show", "chat").output == narrow


def _user_card(tmp_path: Path, monkeypatch, title: str) -> Path:
    folder = tmp_path / "mine" / "problems"
    folder.mkdir(parents=True, exist_ok=True)
    text = (data_dir("frameworks") / "problems" / "chat.yaml").read_text(encoding="utf-8")
    path = folder / "chat.yaml"
    path.write_text(text.replace("title: ", f"title: {title} ", 1), encoding="utf-8")
    monkeypatch.setenv("INTERVIEW_COACH_CONTENT", str(tmp_path / "mine"))
    return path


@pytest.mark.parametrize("args", [("problems", "show", "chat"), ("summary", "--reference", "chat")], ids=" ".join)
def test_an_edited_card_is_shown_as_edited(invoke, tmp_path, monkeypatch, args):
    _user_card(tmp_path, monkeypatch, "Firstdraft")
    assert "Firstdraft" in invoke(*args).output
    path = _user_card(tmp_path, monkeypatch, "Seconddraft")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))  # a coarse clock's same tick
    shown = invoke(*args).output
    assert "Seconddraft" in shown and "Firstdraft" not in shown


def test_a_card_added_to_the_users_folder_is_listed(invoke, tmp_path, monkeypatch):
    mine = tmp_path / "mine"
    mine.mkdir()
    monkeypatch.setenv("INTERVIEW_COACH_CONTENT", str(mine))
    before = invoke("problems", "list").output
    assert "my_chat" not in before and invoke("problems", "list").output == before
    (mine / "problems").mkdir()
    text = (data_dir("frameworks") / "problems" / "chat.yaml").read_text(encoding="utf-8")
    (mine / "problems" / "my_chat.yaml").write_text(text.replace("id: chat", "id: my_chat", 1), encoding="utf-8")
    assert "my_chat" in invoke("problems", "list").output


def test_a_template_added_to_the_users_folder_is_used(invoke, tmp_path, monkeypatch):
    mine = tmp_path / "mine"
    mine.mkdir()
    monkeypatch.setenv("INTERVIEW_COACH_CONTENT", str(mine))
    assert invoke("summary", "--reference", "chat").output.startswith("#")
    (mine / "summary").mkdir()
    (mine / "summary" / "reference.md.j2").write_text("mine: {{ problem.title }}\n", encoding="utf-8")
    assert invoke("summary", "--reference", "chat").output.startswith("mine: ")


def test_a_damaged_entry_is_a_miss_and_is_replaced(invoke, coach_home):
    good = invoke("problems", "show", "chat").output
    [entry] = _entries(coach_home)
    for damage in (b"", b"\xff\xfe not text", entry.read_bytes()[:200], b"foreign first line\nwrong page"):
        entry.write_bytes(damage)
        assert invoke("problems", "show", "chat").output == good
    assert entry.read_text(encoding="utf-8").partition("\n")[2] == good


def test_an_unwritable_cache_folder_still_shows_the_page(invoke, monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    result = invoke("problems", "show", "chat")
    assert result.exit_code == 0 and "Clarifying questions" in result.output


def test_a_failed_command_stores_nothing(invoke, coach_home):
    assert invoke("estimate", "nosuch").exit_code == 2
    assert invoke("estimate", "chat", "--dau", "lots").exit_code == 2
    assert not _entries(coach_home)


def test_a_warm_page_needs_neither_rich_nor_jinja2(tmp_path):
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.stderr.write(repr(sorted(m for m in ('rich', 'jinja2', "
        "'interview_coach.estimation.calculator') if m in sys.modules))))\n"
        "from interview_coach.cli.launch import run\n"
        "sys.argv = ['interview-coach', *sys.argv[1:]]\n"
        "run()\n"
    )
    env = {**os.environ, "INTERVIEW_COACH_HOME": str(tmp_path), "COLUMNS": "80"}
    for args, cold_needs in ((["problems", "show", "chat"], "'rich'"), (["estimate", "chat"], "'rich'"),
                             (["summary", "--reference", "chat"], "'jinja2'")):
        cold, warm = (subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120,
                                     env=env) for _ in range(2))
        assert cold.returncode == warm.returncode == 0, cold.stderr
        assert cold.stdout == warm.stdout and cold_needs in cold.stderr
        assert warm.stderr.strip() == "[]", (args, warm.stderr)


# ------------------------------------------------------------------------- the cache itself


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(), key=st.tuples(st.text(max_size=20), st.integers()))
def test_the_page_read_back_is_the_page_stored(tmp_path, monkeypatch, text, key):
    import tempfile

    monkeypatch.setenv(CACHE_ENV, tempfile.mkdtemp(dir=tmp_path))  # each example its own cache
    made: list[str] = []

    def make() -> str:
        made.append(text)
        return text

    assert pages.shown("prop", key, make) == text
    assert pages.shown("prop", key, make) == text
    assert len(made) == 1  # the second came from the cache, whatever the text held (\r\n, NUL, any script)


def test_a_source_changed_or_removed_is_a_miss(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    source = tmp_path / "card.yaml"
    source.write_text("one")
    calls = iter(["first", "second", "third", "fourth"])
    show = lambda: pages.shown("src", ("k",), lambda: next(calls), sources=(source,))  # noqa: E731
    assert show() == "first" and show() == "first"
    source.write_text("two!")
    assert show() == "second" and show() == "second"
    source.unlink()
    assert show() == "third"


def test_the_terminal_signature_follows_what_rich_reads(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    before = pages.terminal_signature()
    for name, value in (("COLUMNS", "60"), ("TERM", "dumb"), ("COLORTERM", "truecolor"), ("FORCE_COLOR", "1"),
                        ("TTY_COMPATIBLE", "1")):
        with monkeypatch.context() as m:
            m.setenv(name, value)
            assert pages.terminal_signature() != before, name
    assert pages.terminal_signature() == before
