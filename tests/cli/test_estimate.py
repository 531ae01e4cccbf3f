"""`interview-coach estimate`: the table, --json, reference numbers, drills and bad input."""

from __future__ import annotations

import json

import pytest

from interview_coach.paths import data_dir

HAS_CHAT = (data_dir("frameworks") / "problems" / "chat.yaml").exists()
needs_chat = pytest.mark.skipif(not HAS_CHAT, reason="the chat card is not written yet")

CHAT_FLAGS = [
    "--dau", "50M", "--writes-per-user", "100", "--reads-per-write", "1:1", "--item-size", "100B",
    "--peak-factor", "2", "--years", "5", "--online-fraction", "10%",
]


def _one_error_line(result, *fragments):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def test_flags_only_table_shows_the_chapters_numbers(invoke):
    result = invoke("estimate", *CHAT_FLAGS)
    assert result.exit_code == 0, result.output
    out = result.output
    for text in ("Daily writes", "5,000,000,000 writes/day", "about 60K/s", "57,870.37", "about 120K/s",
                 "500 GB/day", "912.5 TB", "about 900 TB", "about 6 MB/s", "48", "5M connections"):
        assert text in out, text


@needs_chat
def test_chat_preset_table(invoke):
    result = invoke("estimate", "chat")
    assert result.exit_code == 0, result.output
    assert "Estimate: chat" in result.output
    assert "about 60K/s" in result.output and "912.5 TB" in result.output


@needs_chat
def test_chat_preset_json(invoke):
    result = invoke("estimate", "chat", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    results = data["results"]
    assert data["inputs"]["dau"] == 50_000_000
    assert results["daily_writes"] == {
        "value": 5_000_000_000,
        "unit": "writes/day",
        "rounded": "5B/day",
        "formula": "50,000,000 users x 100 writes/day = 5,000,000,000 writes/day",
        "shortcut": None,
    }
    assert round(results["avg_write_qps"]["value"]) == 57_870
    assert round(results["peak_write_qps"]["value"]) == 115_741
    assert results["storage_per_day_bytes"]["value"] == 500_000_000_000
    assert results["storage_total_bytes"]["value"] == 912_500_000_000_000
    assert results["avg_ingress_bytes_per_s"]["shortcut"].endswith("= 6 MB/s (48 Mbps)")
    assert results["peak_egress_bytes_per_s"]["shortcut"].endswith("= 12 MB/s (96 Mbps)")
    assert results["concurrent_connections"]["value"] == 5_000_000
    assert "servers_for_peak_qps" not in results  # no per-server capacity given: left out, not zero


@needs_chat
def test_flags_override_the_preset(invoke):
    data = json.loads(invoke("estimate", "chat", "--dau", "100M", "--per-server-qps", "10K", "--json").stdout)
    assert data["results"]["daily_writes"]["value"] == 10_000_000_000
    assert data["inputs"]["years"] == 5  # still from the preset
    assert data["results"]["servers_for_peak_qps"]["value"] == 47  # 2 x 231,481.5 / 10,000 = 46.3


def test_calc_spelled_out_is_the_same_command(invoke):
    a = json.loads(invoke("estimate", *CHAT_FLAGS, "--json").stdout)
    b = json.loads(invoke("estimate", "calc", *CHAT_FLAGS, "--json").stdout)
    assert a == b


def test_nothing_to_estimate(invoke):
    _one_error_line(invoke("estimate", "--years", "5"), "nothing to estimate", "--dau")


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["--dau", "50X"], ["--dau: '50X' is not a count", "try 50M or 50000000"]),
        (["--dau", "-5"], ["--dau: '-5' is negative", "try 50M"]),
        (["--dau", "0"], ["--dau: '0' must be more than 0", "try 50M"]),
        (["--dau", "100KB"], ["--dau: '100KB' is a size, not a count", "try 50M"]),
        (["--online-fraction", "150%"], ["--online-fraction: '150%' is more than 1", "try 10% or 0.1"]),
        (["--item-size", "50M"], ["--item-size: '50M' has no byte unit", "try 100B, 1KB or 1KiB"]),
        (["--item-size", "100Mb"], ["--item-size: '100Mb' is in bits", "try 100B"]),
        (["--peak-factor", "0.5"], ["--peak-factor: '0.5' is less than 1", "try 2 or 2x"]),
        (["--reads-per-write", "lots"], ["--reads-per-write: 'lots' is not", "try 100 or 100:1"]),
        (["--cache-hot-fraction", "120%"], ["--cache-hot-fraction", "try 20% or 0.2"]),
    ],
)
def test_bad_input_is_one_line_and_exit_2(invoke, args, fragments):
    _one_error_line(invoke("estimate", "--writes-per-user", "10", *args), *fragments)


def test_unknown_preset(invoke):
    line = _one_error_line(invoke("estimate", "no_such_problem"), "unknown preset 'no_such_problem'")
    assert "choose one of" in line or "did you mean" in line


def test_numbers_tables(invoke):
    result = invoke("estimate", "numbers")
    assert result.exit_code == 0, result.output
    for text in ("Latency numbers", "L1 cache reference", "Powers of two", "1,024", "Powers of ten",
                 "86,400 s", "8.76 hours", "5.26 minutes", "Source:"):
        assert text in result.output, text


def test_numbers_json(invoke):
    data = json.loads(invoke("estimate", "numbers", "--json").stdout)
    assert list(data) == ["latency", "powers_of_two", "powers_of_ten", "seconds", "availability"]
    for table in data.values():
        assert table["source"] and table["url"].startswith("https://") and table["rows"]


@pytest.mark.parametrize("args", [["estimate"], ["estimate", "calc"], ["estimate", "numbers"], ["estimate", "drill"]])
def test_every_estimate_command_help_has_an_example(invoke, args):
    result = invoke(*args, "--help")
    assert result.exit_code == 0
    assert "Example: interview-coach estimate" in result.output


# ---------------------------------------------------------------- drills


def _drills(home):
    from interview_coach.clock import FakeClock
    from interview_coach.estimation.history import DrillHistory
    from interview_coach.storage.db import connect

    conn = connect(home / "coach.sqlite3")
    try:
        return DrillHistory(conn, FakeClock()).recent()
    finally:
        conn.close()


def test_drill_without_a_terminal_or_answers_says_to_use_answers(invoke, coach_home):
    line = _one_error_line(invoke("estimate", "drill", "--seed", "3"), "--answers")
    assert "terminal" in line
    assert _drills(coach_home) == []


def test_scripted_drill_from_an_answers_file(invoke, coach_home, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("daily_writes: 5B\navg_write_qps: 60K\npeak_write_qps: 1M\nstorage_total_bytes: 900TB\n", encoding="utf-8")
    result = invoke("estimate", "drill", "--answers", str(answers), *["--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "Drill: random (seed 1)" in result.output
    assert "working:" in result.output and "Score:" in result.output
    [row] = _drills(coach_home)
    assert row["problem"] == "random" and row["seed"] == 1 and row["finished"]


@needs_chat
def test_scripted_drill_json_on_the_chat_card(invoke, coach_home, tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"daily_writes": "5B", "avg_write_qps": 60000, "peak_write_qps": "1M",
                                   "storage_total_bytes": "20PB", "avg_ingress_bytes_per_s": "6 MB/s"}), encoding="utf-8")
    result = invoke("estimate", "drill", "chat", "--answers", str(answers), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    grades = {a["name"]: a["grade"] for a in data["answers"]}
    assert grades["daily_writes"] == "on target"
    assert grades["avg_write_qps"] == "on target"
    assert grades["peak_write_qps"] == "right order of magnitude"
    assert grades["storage_total_bytes"] == "off"
    assert grades["avg_ingress_bytes_per_s"] == "on target"
    assert grades["cache_bytes"] == "skipped"
    assert data["score"] == 3.5 and data["total"] == 10
    [row] = _drills(coach_home)
    assert row["id"] == data["id"] and row["score"] == 3.5 and row["finished"]


def test_interactive_drill_through_the_asker(invoke, coach_home, monkeypatch):
    from interview_coach.cli import output
    from interview_coach.estimation.drill import random_drill
    from interview_coach.ui import ask

    drill = random_drill(5)
    exact = drill.estimate.results
    scripted = []
    for i, q in enumerate(drill.questions):
        if i == 0:
            scripted += ["a lot", str(exact[q.name].value)]  # a bad answer is asked again
        elif i == 1:
            scripted.append("")  # skipped
        else:
            scripted.append(str(exact[q.name].value * 3))  # within 10x
    asker = ask.ScriptedAsker(scripted)
    ask.set_asker(asker)
    monkeypatch.setattr(output, "is_interactive", lambda: True)
    result = invoke("estimate", "drill", "--seed", "5")
    assert result.exit_code == 0, result.output
    assert "'a lot' is not" in result.output
    assert asker.answers == []
    expected = 1 + 0.5 * (drill.total - 2)
    assert f"Score: {expected:g}/{drill.total}" in result.output
    assert _drills(coach_home)[0]["score"] == expected


def test_ctrl_c_in_a_drill_keeps_the_answers_given(invoke, coach_home, monkeypatch):
    from interview_coach.cli import output
    from interview_coach.ui import ask

    ask.set_asker(ask.ScriptedAsker(["1M", KeyboardInterrupt()]))
    monkeypatch.setattr(output, "is_interactive", lambda: True)
    result = invoke("estimate", "drill", "--seed", "5")
    assert result.exit_code == 130
    [row] = _drills(coach_home)
    assert len(row["answers"]) == 1 and not row["finished"]


@pytest.mark.parametrize(
    "content, fragments",
    [
        ("qps: 5\n", ["'qps' is not a question", "use daily_writes"]),
        ("avg_write_qps: lots\n", ["avg_write_qps: 'lots' is not a count", "try 3K"]),
        ("- 5\n", ["expected a mapping"]),
        ("a: [\n", ["not valid YAML or JSON"]),
    ],
)
def test_bad_answers_files(invoke, tmp_path, content, fragments):
    answers = tmp_path / "answers.yaml"
    answers.write_text(content, encoding="utf-8")
    _one_error_line(invoke("estimate", "drill", "--seed", "2", "--answers", str(answers)), *fragments)


def test_missing_answers_file(invoke, tmp_path):
    result = invoke("estimate", "drill", "--seed", "2", "--answers", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_drill_json_needs_answers(invoke):
    _one_error_line(invoke("estimate", "drill", "--seed", "2", "--json"), "--json needs --answers")


def test_drill_unknown_preset(invoke, tmp_path):
    answers = tmp_path / "a.yaml"
    answers.write_text("{}\n", encoding="utf-8")
    _one_error_line(invoke("estimate", "drill", "nope_nope", "--answers", str(answers)), "unknown preset 'nope_nope'")
