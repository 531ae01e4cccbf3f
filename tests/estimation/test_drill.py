"""The drill engine: scenarios, grading, answers files and the saved history."""

from __future__ import annotations

import pytest

from interview_coach.clock import FakeClock
from interview_coach.errors import UsageError
from interview_coach.estimation.calculator import parse_inputs
from interview_coach.estimation.drill import (
    DRILL_ORDER,
    build_drill,
    parse_answer,
    parse_answer_file,
    random_drill,
    scenario_from_seed,
)
from interview_coach.estimation.history import DrillHistory
from interview_coach.storage.db import connect

CHAT = {"dau": "50M", "writes_per_user": 100, "reads_per_write": 1, "item_size": "100B", "peak_factor": 2, "years": 5, "online_fraction": "10%"}


@pytest.fixture
def chat_drill():
    return build_drill(parse_inputs(CHAT), "chat")


def test_questions_follow_the_drill_order_and_skip_what_the_inputs_cannot_give(chat_drill):
    names = [q.name for q in chat_drill.questions]
    assert names == [n for n in DRILL_ORDER if n not in ("servers_for_peak_qps", "servers_for_connections")]
    assert chat_drill.total == 10


def test_grading_and_score(chat_drill):
    a = chat_drill.answer("avg_write_qps", 60_000)
    assert a.grade == "on target" and a.points == 1.0
    assert a.solution.formula.endswith("57,870.37 writes/s")
    b = chat_drill.answer("peak_write_qps", 1_000_000)
    assert b.grade == "right order of magnitude" and b.points == 0.5
    c = chat_drill.answer("storage_total_bytes", 9e15 * 2)
    assert c.grade == "off" and c.points == 0
    d = chat_drill.answer("daily_writes", None)
    assert d.grade == "skipped"
    assert chat_drill.score == 1.5
    assert not chat_drill.finished
    with pytest.raises(UsageError, match="not a question"):
        chat_drill.answer("daily_reads", 1)


def test_same_seed_same_scenario():
    assert scenario_from_seed(7) == scenario_from_seed(7)
    assert any(scenario_from_seed(7) != scenario_from_seed(s) for s in range(8, 12))
    drill = random_drill(7)
    assert drill.problem == "random" and drill.seed == 7
    assert drill.total == len(DRILL_ORDER)  # a random scenario has every input


@pytest.mark.parametrize(
    "name, kind, text, value",
    [
        ("avg_write_qps", "rate", "60K", 60_000),
        ("avg_write_qps", "rate", "60K/s", 60_000),
        ("daily_writes", "per_day", "5 billion per day", 5e9),
        ("storage_per_day_bytes", "size_day", "500GB/day", 500e9),
        ("avg_ingress_bytes_per_s", "size_rate", "6 MB/s", 6e6),
        ("servers_for_peak_qps", "servers", "24 servers", 24),
        ("concurrent_connections", "connections", 5_000_000, 5e6),
    ],
)
def test_parse_answer(name, kind, text, value):
    assert parse_answer(name, text, kind) == value


def test_parse_answer_refuses_nonsense_with_an_example():
    with pytest.raises(UsageError) as info:
        parse_answer("avg_write_qps", "lots", "rate", "answers.yaml")
    assert str(info.value) == "answers.yaml: avg_write_qps: 'lots' is not a count; try 3K"
    with pytest.raises(UsageError, match="try 40GB"):
        parse_answer("storage_per_day_bytes", "500G", "size_day", "answers.yaml")


def test_answer_files(chat_drill):
    parsed = parse_answer_file({"avg_write_qps": "60K", "daily_writes": None}, chat_drill, "a.yaml")
    assert parsed == {"avg_write_qps": 60_000, "daily_writes": None}
    with pytest.raises(UsageError, match=r"a\.yaml: 'qps' is not a question"):
        parse_answer_file({"qps": 1}, chat_drill, "a.yaml")
    with pytest.raises(UsageError, match="expected a mapping"):
        parse_answer_file(["60K"], chat_drill, "a.yaml")


def test_history_keeps_each_answer_as_it_is_given(tmp_path, chat_drill):
    conn = connect(tmp_path / "coach.sqlite3")
    clock = FakeClock(start=1_800_000_000)
    history = DrillHistory(conn, clock)
    drill_id = history.start(chat_drill)
    chat_drill.answer("daily_writes", 5e9)
    history.save(drill_id, chat_drill)
    conn.close()

    # A fresh connection (as after Ctrl-C) sees the answer already given.
    reopened = DrillHistory(connect(tmp_path / "coach.sqlite3"), clock)
    [row] = reopened.recent()
    assert row["problem"] == "chat" and row["taken_at"] == 1_800_000_000
    assert row["score"] == 1.0 and row["total"] == 10 and not row["finished"]
    assert row["answers"][0]["name"] == "daily_writes" and row["answers"][0]["grade"] == "on target"


def test_no_prompt_shows_its_answer_as_the_example():
    from interview_coach.estimation.calculator import compare
    from interview_coach.estimation.drill import build_drill, random_drill
    from interview_coach.estimation.presets import load_preset, preset_names

    drills = [build_drill(load_preset(name).parsed(), name) for name in preset_names()]
    drills += [random_drill(seed) for seed in range(30)]
    for drill in drills:
        for q in drill.questions:
            example = parse_answer(q.name, q.example.replace(" (per second)", ""), q.kind)
            factor, _grade = compare(example, drill.estimate.results[q.name].value)
            assert factor > 10, (drill.problem, q.name, q.example)


@pytest.mark.parametrize(
    ("factor", "shown"),
    [(1.2, "1.2x"), (8.64, "8.6x"), (10.37, "10.4x"), (9.99, "9.99x"), (10.02, "10.02x"), (2.01, "2.01x"), (250.4, "250x")],
)
def test_the_shown_factor_never_hides_a_grade_boundary(factor, shown):
    from interview_coach.estimation.drill import format_factor

    assert format_factor(factor) == shown


@pytest.mark.parametrize(("text", "bytes_per_s"), [("48 Mbps", 6e6), ("50Mbps", 6.25e6), ("1 Gbps", 125e6), ("800 Kbps", 1e5)])
def test_bit_rates_are_answers_too(text, bytes_per_s):
    assert parse_answer("avg_ingress_bytes_per_s", text, "size_rate") == pytest.approx(bytes_per_s)
