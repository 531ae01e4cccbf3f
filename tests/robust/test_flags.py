"""Absurd flag values (nan, inf, huge, negative, not a number, a folder that is not there):
one clear line naming the flag, exit 2, for every command that takes numbers."""

from __future__ import annotations

import pytest

from .conftest import assert_one_clear_line

HUGE = "9" * 26
ENORMOUS = "9" * 5000  # past Python's own limit for int("...")

ABSURD = {
    "--minutes": (
        ["practice", "--answers", "{answers}", "--minutes"],
        ["nan", "inf", "-inf", "1e400", "-45", HUGE, ENORMOUS, "0", "45.5", "", "abc"],
    ),
    "--seed (quiz)": (["quiz", "--answers", "{quiz}", "--seed"], [HUGE, "-" + HUGE, "-1", "nan", "1e400", "1.5", ENORMOUS]),
    "--count": (["quiz", "--answers", "{quiz}", "--count"], ["0", "-3", HUGE, "nan", "inf", "1e400", ENORMOUS]),
    "--seed (drill)": (["estimate", "drill", "--answers", "{drill}", "--seed"], [HUGE, "-5", "nan", "1e400", ENORMOUS]),
    "--seed (drill chat)": (["estimate", "drill", "chat", "--answers", "{drill}", "--seed"], [HUGE]),
    "--limit": (["history", "--limit"], ["-1", "0", HUGE, "nan", "1e400", ENORMOUS]),
    "--dau": (
        ["estimate", "--writes-per-user", "1", "--dau"],
        ["1e400", "nan", "inf", "-5", "0", "1e300", HUGE * 12, "-1e400", "1e19"],
    ),
    "--item-size": (["estimate", "--dau", "50M", "--writes-per-user", "1", "--item-size"], ["1e400B", "nanKB", "-1KB", "1e30PB"]),
    "--years": (["estimate", "--dau", "50M", "--writes-per-user", "1", "--years"], [HUGE * 2, "inf", "-1"]),
    "--peak-factor": (["estimate", "chat", "--peak-factor"], ["nan", "1e400", "-2", "0"]),
    "--online-fraction": (["estimate", "chat", "--online-fraction"], ["1e400", "-10%", "nan%", "200%"]),
    "--per-server-qps": (["estimate", "chat", "--per-server-qps"], ["0", "nan", "1e400"]),
    "--token-ttl": (["serve", "--token-ttl"], ["nan", "inf", "1e400", "-5", "0"]),
    "--port": (["serve", "--port"], [HUGE, "-1", "70000", "nan"]),
    "summary id": (["summary"], [HUGE, "-1", "nan", ENORMOUS]),
    "--content-dir": (
        ["--content-dir", "{value}", "problems", "list"],
        ["/nonexistent/folder", "/etc/hostname", "/dev/null", "x" * 5000],
    ),
}


@pytest.fixture
def answer_files(tmp_path, invoke):
    (tmp_path / "practice.yaml").write_text(invoke("practice", "--problem", "chat", "--template").stdout, encoding="utf-8")
    (tmp_path / "quiz.yaml").write_text("steps-order: [A, B, C, D]\n", encoding="utf-8")
    (tmp_path / "drill.yaml").write_text("avg_write_qps: 60K\n", encoding="utf-8")
    return {
        "answers": str(tmp_path / "practice.yaml"),
        "quiz": str(tmp_path / "quiz.yaml"),
        "drill": str(tmp_path / "drill.yaml"),
    }


@pytest.mark.parametrize("flag", list(ABSURD))
def test_absurd_values_get_one_line_and_exit_2(invoke, answer_files, flag):
    argv, values = ABSURD[flag]
    failures = []
    for value in values:
        args = [a.format(value=value, **answer_files) for a in argv]
        if "{value}" not in argv:
            args.append(value)
        result = invoke(*args)
        try:
            assert_one_clear_line(result.exit_code, result.stderr, result.stdout)
        except AssertionError as exc:
            failures.append(f"{flag} {value[:30]!r}: {exc}")
    assert not failures, "\n".join(failures)


def test_the_content_folder_from_the_environment_is_checked_too(invoke, monkeypatch):
    monkeypatch.setenv("INTERVIEW_COACH_CONTENT", "/nonexistent/content")
    result = invoke("problems", "list")
    assert "INTERVIEW_COACH_CONTENT" in assert_one_clear_line(result.exit_code, result.stderr)


def test_sane_values_still_work(invoke, answer_files):
    assert invoke("quiz", "--answers", answer_files["quiz"], "--seed", "0").exit_code == 0
    assert invoke("quiz", "--answers", answer_files["quiz"], "--seed", str(2**63 - 1)).exit_code == 0
    assert invoke("estimate", "drill", "--answers", answer_files["drill"], "--seed", "7").exit_code == 0
    assert invoke("estimate", "--dau", "1e18", "--writes-per-user", "1e18", "--item-size", "1e18").exit_code == 0
    assert invoke("history", "--limit", "1000000").exit_code == 0
