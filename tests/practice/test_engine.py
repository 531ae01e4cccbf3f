"""The interview engine with a fake clock: budgets, warnings, overruns, moves, pause, crash and resume."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interview_coach.clock import clock_text
from interview_coach.errors import UsageError
from interview_coach.practice.engine import PracticeEngine, scale_budgets
from interview_coach.practice.minutes import check_minutes
from interview_coach.practice.store import list_sessions, load_session


def test_budgets_for_45_minutes_sit_inside_the_chapter_ranges(framework):
    assert [b / 60 for b in scale_budgets(framework, 45)] == [7.5, 12.5, 20.0, 5.0]


@pytest.mark.parametrize("minutes", [30, 55, 60, 90])
def test_budgets_keep_the_order_of_weight(framework, minutes):
    budgets = scale_budgets(framework, minutes)
    assert sum(budgets) == minutes * 60
    assert budgets[2] == max(budgets)  # the deep dive is always the longest step


@given(st.integers(min_value=30, max_value=89))
def test_budgets_sum_exactly_and_grow_with_the_interview(minutes):
    from pathlib import Path

    from interview_coach.content.loader import load_framework

    fw = load_framework(Path(__file__).parent / "fixtures")
    now, longer = scale_budgets(fw, minutes), scale_budgets(fw, minutes + 1)
    assert sum(now) == minutes * 60
    assert all(b > 0 for b in now)
    assert all(b2 >= b1 - 1 for b1, b2 in zip(now, longer, strict=True))  # never shrinks (one second of rounding)


@pytest.mark.parametrize("bad", [5, 29, 91, "abc", 45.5])
def test_minutes_outside_30_to_90_are_refused(bad):
    with pytest.raises(UsageError) as err:
        check_minutes(bad)
    assert "--minutes" in str(err.value)


def test_minutes_default_and_bounds():
    assert check_minutes(None) == 45
    assert check_minutes("30") == 30
    assert check_minutes(90) == 90


def test_clock_text():
    assert clock_text(450) == "7:30"
    assert clock_text(-65) == "-1:05"
    assert clock_text(3725) == "1:02:05"


def answer_current(engine, text="some answer"):
    item = engine.current_item()
    assert item is not None
    return engine.answer(item, text)


def test_a_new_session_is_saved_at_once(start, conn):
    engine = start()
    assert engine.session.id >= 1
    assert load_session(conn, "latest").id == engine.session.id
    assert list_sessions(conn)[0].status == "in_progress"


def test_step_time_and_warnings_at_80_percent_and_at_zero(start, clock):
    engine = start()
    budget = engine.timing.budget_seconds
    assert budget == 450
    clock.advance(0.79 * budget)
    assert engine.poll_events() == []
    clock.advance(0.02 * budget)
    events = engine.poll_events()
    assert [e.kind for e in events] == ["step_warning"]
    assert engine.poll_events() == []  # given once
    clock.advance(0.2 * budget)
    assert [e.kind for e in engine.poll_events()] == ["step_out"]
    assert engine.step_remaining() < 0
    assert engine.poll_events() == []


def test_a_jump_past_the_budget_gives_only_the_out_of_time_warning(start, clock):
    engine = start()
    clock.advance(1000)
    assert [e.kind for e in engine.poll_events()] == ["step_out"]


def test_whole_interview_warnings(start, clock):
    engine = start(minutes=30)
    events = []
    for _ in range(3):
        clock.advance(engine.timing.budget_seconds)
        events += engine.poll_events()
        engine.next_step()
    clock.advance(0.5 * engine.timing.budget_seconds)
    events += engine.poll_events()  # 80% of 30 minutes is 24: passed during step 4
    assert "interview_warning" in [e.kind for e in events]
    clock.advance(engine.timing.budget_seconds)
    assert "interview_out" in [e.kind for e in engine.poll_events()]


def test_untimed_sessions_never_warn(start, clock):
    engine = start(timed=False)
    clock.advance(10_000)
    assert engine.poll_events() == []


def test_overruns_are_kept_per_step(start, clock, conn):
    engine = start()
    clock.advance(600)  # 150 s over the 450 s budget of step 1
    engine.next_step()
    clock.advance(100)
    engine.next_step()
    saved = load_session(conn, engine.session.id)
    assert saved.steps[0].elapsed_seconds == 600
    assert saved.steps[0].overrun_seconds == 150
    assert saved.steps[1].elapsed_seconds == 100
    assert saved.steps[1].overrun_seconds == 0
    assert saved.step_index == 2


def test_pause_stops_the_clock(start, clock):
    engine = start()
    clock.advance(60)
    engine.pause()
    clock.advance(3600)
    assert engine.step_elapsed() == 60
    assert engine.poll_events() == []
    engine.unpause()
    clock.advance(30)
    assert engine.step_elapsed() == 90


def test_next_back_and_skip(start, clock):
    engine = start()
    item = engine.current_item()
    assert item.key == "scope/clarify"
    engine.ask_interviewer("Is it one-on-one or group?")
    engine.complete(item)
    answer_current(engine, "Users send one-on-one messages")
    assert engine.next_step()
    assert engine.step.id == "high_level"
    assert engine.back()
    assert engine.step.id == "scope"
    # Going back re-opens the step's prompts, with the earlier answers as defaults.
    assert engine.current_item().key == "scope/clarify"
    engine.complete(engine.current_item())
    assert engine.previous_text(engine.current_item()) == "Users send one-on-one messages"
    assert engine.session.steps[0].visits == 2
    engine.next_step()
    assert engine.skip()
    assert engine.session.steps[1].skipped
    assert engine.step.id == "deep_dive"
    assert not engine.back() or engine.step.id == "high_level"


def test_back_on_the_first_step_does_nothing(start):
    engine = start()
    assert not engine.back()
    assert engine.step.id == "scope"


def test_next_on_the_last_step_ends_the_interview(start):
    engine = start()
    for _ in range(3):
        assert engine.next_step()
    assert not engine.next_step()
    assert engine.session.phase == "review"
    assert engine.current_item() is None


def test_every_answer_is_in_the_database_as_soon_as_it_is_given(start, db_path):
    from interview_coach.storage.db import connect

    engine = start()
    engine.complete(engine.current_item())
    answer_current(engine, "Text messages between two users")
    other = connect(db_path)  # another connection sees it: it was committed
    saved = load_session(other, engine.session.id)
    assert [a.text for a in saved.answers] == ["Text messages between two users"]
    other.close()


def test_crash_mid_step_then_resume_loses_nothing(start, clock, framework, card, db_path):
    from interview_coach.storage.db import connect

    engine = start()
    item = engine.current_item()
    clock.advance(40)
    engine.ask_interviewer("How many users?")
    engine.complete(item)
    clock.advance(50)
    answer_current(engine, "Send and receive messages")
    clock.advance(20)
    engine.save_draft(engine.current_item(), "Your estimates: 60K writes/s and")
    sid = engine.session.id
    # The process dies here: no stop, no final save. An hour passes before the resume.
    del engine
    clock.advance(3600)
    conn2 = connect(db_path)
    resumed = PracticeEngine.resume(load_session(conn2, "latest"), framework, card, clock, conn2)
    assert resumed.session.id == sid
    assert [c.question for c in resumed.session.clarifications] == ["How many users?"]
    assert resumed.session.clarifications[0].matched_id == "scale"
    assert [a.text for a in resumed.session.answers] == ["Send and receive messages"]
    # The clock is as it was at the last save (110 s), not counting the hour the process was dead.
    assert resumed.step_elapsed() == 110
    item = resumed.current_item()
    assert item.key == "scope/estimates/daily_writes"
    assert resumed.previous_text(item) == "Your estimates: 60K writes/s and"  # the unsent text is back
    assert resumed.previous_text(resumed.pending()[1]) == ""  # and only in the prompt it was typed in
    clock.advance(5)
    assert resumed.step_elapsed() == 115
    conn2.close()


def test_draft_prefills_the_prompt_it_was_typed_in(start, clock, framework, card, conn):
    engine = start()
    engine.complete(engine.current_item())
    item = engine.current_item()
    engine.save_draft(item, "Users can send")
    again = PracticeEngine.resume(load_session(conn, engine.session.id), framework, card, clock, conn)
    assert again.previous_text(again.current_item()) == "Users can send"
    again.answer(again.current_item(), "Users can send messages")
    assert again.session.draft is None


def test_checkpoint_saves_the_running_clock(start, clock, conn):
    engine = start()
    clock.advance(5)
    assert not engine.checkpoint(15)
    clock.advance(20)
    assert engine.checkpoint(15)
    assert load_session(conn, engine.session.id).steps[0].elapsed_seconds == 25


def test_warnings_given_before_a_resume_are_not_repeated(start, clock, framework, card, conn):
    engine = start()
    clock.advance(400)
    assert [e.kind for e in engine.poll_events()] == ["step_warning"]
    again = PracticeEngine.resume(load_session(conn, "latest"), framework, card, clock, conn)
    assert again.poll_events() == []


def test_a_finished_session_cannot_be_resumed(start, framework, card, clock, conn):
    engine = start()
    engine.finish()
    with pytest.raises(UsageError, match="already finished"):
        PracticeEngine.resume(load_session(conn, "latest"), framework, card, clock, conn)


def test_unknown_session_ids(conn):
    from interview_coach.errors import NotFoundError

    with pytest.raises(NotFoundError, match="no practice session yet"):
        load_session(conn, "latest")
    with pytest.raises(NotFoundError, match="not a session id"):
        load_session(conn, "abc")
    with pytest.raises(NotFoundError, match="no practice session with id 7"):
        load_session(conn, "7")


def test_hints_target_the_question_on_screen_and_are_counted(start):
    engine = start()
    # On the clarifying questions a hint is a question not asked yet.
    first = engine.hint()
    assert first.key_point_id == "clarify.group_or_1on1"
    engine.ask_interviewer("Is it one-on-one or groups?")
    second = engine.hint()
    assert second.key_point_id.startswith("clarify.") and second.key_point_id != "clarify.group_or_1on1"
    # On a written prompt it is a point of the step's reference answer.
    engine.complete(engine.current_item())
    third = engine.hint()
    assert third.key_point_id.startswith("card.")
    assert engine.hints_used() == engine.hints_used("scope") == 3


def test_hints_in_the_deep_dive_come_from_the_chosen_dives(start):
    engine = start()
    engine.next_step()
    engine.next_step()
    engine.choose_dives(engine.current_item(), ["storage"])
    assert engine.hint().key_point_id == "storage.cassandra"


def test_deep_dive_items_follow_the_choice(start):
    engine = start()
    engine.next_step()
    engine.next_step()
    keys = [i.key for i in engine.pending()]
    assert keys == ["deep_dive/dives"]
    engine.choose_dives(engine.current_item(), ["delivery"])
    items = engine.pending()
    assert [(i.kind, i.prompt_id) for i in items] == [("dive", "dive:delivery"), ("follow_up", "dive:delivery:follow_up:1")]
    assert items[1].text == "What happens if the recipient is offline?"
    with pytest.raises(UsageError, match="unknown deep dive"):
        engine.choose_dives(engine.current_item(), ["nope"])


def test_estimates_are_graded_against_the_calculator(start):
    engine = start()
    engine.complete(engine.current_item())
    answer_current(engine, "")
    by_name = {}
    for text in ("5B", "60K", "200K", "500GB", "lots", ""):
        item = engine.current_item()
        entry = engine.record_estimate(item, text)
        by_name[entry.name] = entry
    assert by_name["daily_writes"].grade == "on target" and by_name["daily_writes"].factor == 1.0
    assert by_name["avg_write_qps"].grade == "on target"
    assert by_name["peak_write_qps"].factor == pytest.approx(200_000 / 115_740.74, rel=1e-3)
    assert by_name["storage_per_day_bytes"].candidate_value == 500e9
    assert by_name["storage_total_bytes"].candidate_value is None  # "lots": could not read it
    assert by_name["peak_ingress_bytes_per_s"].candidate == ""
    assert engine.step.id == "scope" and engine.current_item() is None


def test_self_assessment_rejects_unknown_items(start):
    engine = start()
    engine.end_interview()
    with pytest.raises(UsageError, match="unknown rubric item"):
        engine.self_assess({"card.nope": "yes"})
    with pytest.raises(UsageError, match="yes or no"):
        engine.self_assess({"card.write_heavy": "maybe"})
