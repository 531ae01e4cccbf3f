"""The practice screen as a person uses it, below the pseudo-terminal: prompts through
prompt_toolkit's pipe input, the engine on a fake clock, the CLI through CliRunner."""

from __future__ import annotations

import io
import json
import re

import pytest
from rich.console import Console

from interview_coach.ui.ask import Interrupted, QuestionaryAsker, ScriptedAsker, set_asker

from .conftest import FIXTURES
from .test_cli_practice import Asker, fixture_invoke, next_choice


@pytest.fixture
def pipe():
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    with create_pipe_input() as inp:
        yield inp, QuestionaryAsker(input=inp, output=DummyOutput())


# ---------------------------------------------------------------- prompts (pipe input)


def test_enter_on_a_line_holding_only_a_command_sends_a_multiline_answer(pipe):
    inp, asker = pipe
    inp.send_text("Users send messages\r/next\r")
    assert asker.text("Requirements?", multiline=True, commands=["/next", "/back"]) == "Users send messages\n/next"


def test_a_command_line_in_the_middle_is_moved_last_and_sends(pipe):
    inp, asker = pipe
    # type two lines, go up to the first, add a command line under it and press Enter there
    inp.send_text("first\rsecond\x1b[A\x05\r/back\r")
    assert asker.text("Q?", multiline=True, commands=["/back"]) == "first\nsecond\n/back"


def test_enter_on_an_ordinary_line_still_adds_a_line(pipe):
    inp, asker = pipe
    inp.send_text("one\r/nextish\rtwo\x1b\r")
    assert asker.text("Q?", multiline=True, commands=["/next"]) == "one\n/nextish\ntwo"


def test_ctrl_c_in_a_text_prompt_carries_what_was_typed(pipe):
    inp, asker = pipe
    inp.send_text("Is it global or one")
    inp.send_text("\x03")
    with pytest.raises(Interrupted) as stop:
        asker.text("You:", default="")
    assert stop.value.unsent == "Is it global or one"


def test_ctrl_d_on_an_empty_answer_is_a_stop_not_an_error(pipe):
    inp, asker = pipe
    inp.send_text("\x04")
    with pytest.raises(Interrupted) as stop:
        asker.text("You:", default="")
    assert stop.value.unsent == ""


def test_the_end_of_input_keeps_what_was_typed(pipe):
    inp, asker = pipe
    inp.send_text("Users send one-on-one")
    inp.close()  # as a terminal that went away reads
    with pytest.raises(Interrupted) as stop:
        asker.text("Requirements?", multiline=True)
    assert stop.value.unsent == "Users send one-on-one"
    assert asker.unsent_now() == "Users send one-on-one"  # still there for a stop that came another way


def test_an_answered_prompt_leaves_nothing_unsent(pipe):
    inp, asker = pipe
    inp.send_text("yes\r")
    assert asker.text("You:") == "yes"
    assert asker.unsent_now() is None


def test_ctrl_c_in_a_picker_carries_what_was_ticked(pipe):
    inp, asker = pipe
    inp.send_text("\x1b[B \x03")  # down, tick the second, Ctrl-C
    with pytest.raises(Interrupted) as stop:
        asker.checkbox("Which?", ["alpha", "beta", "gamma"], checked=["gamma"], toolbar=lambda: "Step 3/4")
    assert stop.value.unsent == ["gamma", "beta"]


# ---------------------------------------------------------------- drafts through the CLI


def _saved():
    from interview_coach.practice.store import load_session
    from interview_coach.storage.db import connect

    return load_session(connect(), "latest")


def test_a_clarifying_question_typed_but_not_sent_comes_back_on_resume(invoke):
    set_asker(Asker([Interrupted("Is it global or one region?")]))
    assert fixture_invoke(invoke, "practice", "mini_chat").exit_code == 130
    assert _saved().draft.text == "Is it global or one region?"
    asker = Asker([Interrupted(None)])
    set_asker(asker)
    assert fixture_invoke(invoke, "practice", "--resume", "1").exit_code == 130
    assert asker.asked == ["You:"] and asker.prefilled == ["Is it global or one region?"]
    # an unknown unsent text (no prompt to ask) keeps the draft rather than dropping it
    assert _saved().draft.text == "Is it global or one region?"
    asker = Asker(["Is it global or one region?", KeyboardInterrupt()])
    set_asker(asker)
    fixture_invoke(invoke, "practice", "--resume", "1")
    assert asker.prefilled == ["Is it global or one region?", ""]  # sent: the next question starts empty
    assert _saved().draft is None


def test_a_stop_that_does_not_say_what_was_typed_asks_the_prompt(invoke):
    # A hang-up signal can land while an end of input is being handled: the KeyboardInterrupt
    # that reaches the interview then carries no text, and the prompt's own buffer is read.
    class HungUp(Asker):
        def unsent_now(self):
            return "Users send one-on-one messages"

    set_asker(HungUp([KeyboardInterrupt()]))
    assert fixture_invoke(invoke, "practice", "mini_chat").exit_code == 130
    assert _saved().draft.text == "Users send one-on-one messages"


def test_deep_dives_ticked_but_not_confirmed_are_ticked_again_on_resume(invoke):
    ticked = "Message delivery: How does a message reach a user on another server?"
    set_asker(Asker(["/next", "/next"], checkboxes=[Interrupted([ticked])]))
    assert fixture_invoke(invoke, "practice", "mini_chat").exit_code == 130
    asker = Asker([], checkboxes=[KeyboardInterrupt()])
    set_asker(asker)
    fixture_invoke(invoke, "practice", "--resume", "1")
    assert len(asker.prefilled) == 1 and asker.prefilled[0][0].startswith("Message delivery")


def test_a_self_assessment_ticked_but_not_confirmed_is_ticked_again_on_resume(invoke):
    from interview_coach.content.loader import load_framework, load_problem
    from interview_coach.practice.rubric import rubric_for_step

    set_asker(Asker(["/done", True], checkboxes=[Interrupted(None)]))
    fixture_invoke(invoke, "practice", "mini_chat")
    first = rubric_for_step(load_framework(FIXTURES), load_problem("mini_chat", FIXTURES), "scope", [])[0]
    set_asker(Asker([], checkboxes=[Interrupted([f"1. {first.point.text}"])]))
    assert fixture_invoke(invoke, "practice", "--resume", "1").exit_code == 130
    asker = Asker([], checkboxes=[KeyboardInterrupt()])
    set_asker(asker)
    fixture_invoke(invoke, "practice", "--resume", "1")
    assert asker.prefilled == [[f"1. {first.point.text}"]]


# ---------------------------------------------------------------- commands


def test_done_asks_first_and_no_carries_on(invoke):
    asker = Asker(["/done", False, "Is it one-on-one?", "", "/done", True])
    set_asker(asker)
    result = fixture_invoke(invoke, "practice", "mini_chat")
    assert result.exit_code == 0, result.output
    assert asker.asked[1].startswith("End the interview now") and asker.prefilled[1] == "no"
    assert asker.asked[2] == "You:"  # still interviewing
    session = _saved()
    assert session.status == "finished" and session.clarifications[0].question == "Is it one-on-one?"


def test_back_from_the_first_question_says_so(invoke):
    asker = Asker(["/back", KeyboardInterrupt()])
    set_asker(asker)
    result = fixture_invoke(invoke, "practice", "mini_chat")
    assert "This is the first question" in result.output
    assert asker.asked == ["You:", "You:"]


def test_the_menu_comes_back_after_each_command_until_quit(invoke):
    asker = Asker([next_choice("history"), next_choice("history"), "quit"])
    set_asker(asker)
    result = invoke()
    assert result.exit_code == 0, result.output
    assert asker.asked == ["What would you like to do?"] * 3
    assert result.output.count("No mock interviews yet") == 2


# ---------------------------------------------------------------- the timer


def test_the_80_percent_warning_is_in_colour_and_in_words(start, clock):
    from interview_coach.ui.practice_view import TOOLBAR_OUT, TOOLBAR_WARN, render_events, toolbar_parts

    engine = start(minutes=45)
    assert all(style == "" for style, _ in toolbar_parts(engine))
    clock.advance(0.8 * 450 + 30)  # 7:30 step: 1:00 left
    parts = toolbar_parts(engine)
    assert (TOOLBAR_WARN, " 1 minute left in this step ") in parts
    con = Console(file=io.StringIO(), width=100)
    render_events(con, engine.poll_events())
    assert "Warning: 1 minute left in this step" in con.file.getvalue()
    clock.advance(90)
    assert any(style == TOOLBAR_OUT and "over this step's time by 0:30" in text for style, text in toolbar_parts(engine))
    con = Console(file=io.StringIO(), width=100)
    render_events(con, engine.poll_events())
    said = con.file.getvalue()
    assert said.startswith("Time is up for this step") and said.count("Time") == 1


def test_the_toolbar_has_a_line_for_the_review(start):
    from interview_coach.ui.practice_view import toolbar_text

    engine = start(minutes=45)
    engine.end_interview()
    assert toolbar_text(engine).startswith(" Review | the clock has stopped")


def test_a_step_finished_far_too_early_does_not_earn_full_time():
    from interview_coach.practice.feedback import time_score

    score, note = time_score(18, 750, answered=2, skipped=False)
    assert score < 0.1 and note == "far too quick (0:18 of 12:30)"
    assert time_score(375, 750, answered=2, skipped=False)[0] == 1.0  # half the budget is fine
    assert time_score(300, 750, answered=2, skipped=False)[0] == pytest.approx(0.8)


def test_time_discipline_of_a_rushed_interview(start, clock):
    engine = start(minutes=45)
    for _ in range(4):
        item = engine.current_item()
        while item is not None:
            if item.kind == "estimate":
                engine.record_estimate(item, "1")
            elif item.kind == "choose_dives":
                engine.choose_dives(item, [])
            else:
                engine.answer(item, "something")
            clock.advance(2)
            item = engine.current_item()
        engine.next_step()
    card = engine.finish()
    assert card.time_discipline is not None and card.time_discipline < 0.1


# ---------------------------------------------------------------- the ending


def test_the_recap_is_the_last_thing_printed(invoke):
    result = invoke("practice", "--answers", str(FIXTURES / "chat_answers.yaml"), "--no-pager")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    top = max(i for i, line in enumerate(lines) if "Saved as session 1" in line)
    recap = lines[top:]
    assert recap[0].startswith("╭") and recap[-1].startswith("╰")
    assert all(line.startswith("│") for line in recap[1:-1])  # nothing but the recap after it
    assert "Score" in recap[1] and "Study next:" in recap[2]
    assert "Write-up: interview-coach summary 1" in "\n".join(recap)
    # the long parts come before: the reference, then the score card
    out = result.output
    assert out.index("The reference answer, beside yours") < out.index("Score card") < out.index("Write-up:")


def test_the_recap_names_three_things_to_study_with_where_to_read():
    from interview_coach.practice.model import KeyPointResult, Scorecard
    from interview_coach.ui.practice_view import study_next

    missed = [
        KeyPointResult(id=f"p{i}", text=f"point {i}", step_id="scope", source="card", section=section)
        for i, section in enumerate(["A", "A", "B", None, "C"])
    ]
    card = Scorecard(score=50, coverage=0.5, time_discipline=1.0, hints_used=0, steps=[], competencies=[], missed=missed)
    assert study_next(card) == [("point 0", "A"), ("point 2", "B"), ("point 3", "")]


# ---------------------------------------------------------------- history and messages


def test_history_shows_drills_and_quiz_runs(invoke, tmp_path):
    drill = tmp_path / "drill.yaml"
    drill.write_text("daily_writes: 5B\navg_write_qps: 60K\n")
    assert invoke("estimate", "drill", "--answers", str(drill), "--seed", "1").exit_code == 0
    quiz = tmp_path / "quiz.yaml"
    quiz.write_text("cap-banking: A\nest-write-tps: 58k\n")
    assert invoke("quiz", "--answers", str(quiz)).exit_code == 0
    out = invoke("history").output
    assert "No mock interviews yet" in out
    assert "Estimation drills" in out and "random (seed 1)" in out
    assert "Quiz runs" in out and re.search(r"│\s+[012]/2 │", out)  # right out of answered
    rows = json.loads(invoke("history", "--json").output)
    assert {r["kind"] for r in rows} == {"drill", "quiz"}


def test_a_drill_error_names_the_figure_as_it_was_shown(invoke, monkeypatch):
    from interview_coach.cli import output
    from interview_coach.estimation.drill import random_drill

    drill = random_drill(5)
    first = drill.questions[0]
    set_asker(ScriptedAsker(["lots", KeyboardInterrupt()]))
    monkeypatch.setattr(output, "is_interactive", lambda: True)
    result = invoke("estimate", "drill", "--seed", "5")
    assert f"{first.label}: 'lots' is not" in result.output
    assert first.name not in result.output.replace(first.label, "")
