"""`interview-coach practice`, `history` and the menu through the real CLI (CliRunner)."""

from __future__ import annotations

import json

import pytest
import yaml

from interview_coach.ui.ask import ScriptedAsker, set_asker

from .conftest import FIXTURES


class Asker(ScriptedAsker):
    """Scripted text and select answers; checkboxes answered from their own list (default: none ticked)."""

    def __init__(self, answers, checkboxes=None):
        super().__init__(answers)
        self.checkboxes = list(checkboxes or [])
        self.checkbox_messages: list[str] = []

    def checkbox(self, message, choices, *, checked=(), toolbar=None):
        self.checkbox_messages.append(message)
        self.prefilled.append(list(checked))
        picked = self.checkboxes.pop(0) if self.checkboxes else []
        if isinstance(picked, BaseException):
            raise picked
        return [c for c in choices if any(c.startswith(p) or p in c for p in picked)]


def one_error_line(result) -> str:
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


# ---------------------------------------------------------------- --template and --answers


def test_template_lists_every_step_and_prompt_with_the_prompt_as_a_comment(invoke):
    from interview_coach.content.loader import load_framework, load_problem

    result = invoke("practice", "--problem", "chat", "--template")
    assert result.exit_code == 0
    data = yaml.safe_load(result.output)
    fw, card = load_framework(), load_problem("chat")
    assert data["problem"] == "chat" and data["minutes"] == 45
    for step in fw.steps:
        assert step.id in data["steps"]
        for p in step.prompts:
            assert p.id in data["steps"][step.id]
            assert f"# {p.text.split()[0]}" in result.output
    assert set(data["steps"]["deep_dive"]["deep_dives"]) == {d.id for d in card.deep_dives}
    assert "What happens if Client B is offline?" in result.output


def test_a_blank_template_scores_nothing(invoke, tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text(invoke("practice", "--template").output)
    result = invoke("practice", "--answers", str(path), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"session_id", "problem", "score", "steps"} <= set(data)
    assert data["problem"] == "chat" and data["score"] == 0
    assert [s["id"] for s in data["steps"]] == ["scope", "high_level", "deep_dive", "wrap_up"]
    assert all(s["coverage"] == 0 and s["missed"] for s in data["steps"])
    assert {"id", "text", "section"} <= set(data["steps"][0]["missed"][0])


def test_a_filled_in_template_scores_what_it_names(invoke, tmp_path):
    data = yaml.safe_load(invoke("practice", "--template").output)
    data["steps"]["high_level"]["apis"] = (
        "POST /v1/messages - send one message to a user\nGET /v1/sync?cursors= - delta sync per channel"
    )
    data["steps"]["high_level"]["components"] = (
        "Clients keep a WebSocket open to stateful chat servers, because polling would flood them with requests."
    )
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(data))
    out = json.loads(invoke("practice", "--answers", str(path), "--json").output)
    steps = {s["id"]: s for s in out["steps"]}
    assert steps["high_level"]["coverage"] > 0
    missed = {m["id"] for m in steps["high_level"]["missed"]}
    for point in ("card.send_and_history_apis", "card.sync_api", "card.websockets_not_polling"):
        assert point not in missed
    assert "card.authenticate_and_route" in missed
    levels = {p["id"]: p for p in steps["high_level"]["points"]}
    assert levels["card.websockets_not_polling"]["level"] == "explained"
    assert "polling would flood" in levels["card.websockets_not_polling"]["quote"]
    assert steps["scope"]["coverage"] == 0
    assert 0 < out["score"] < 50


def test_the_chapter_answers_score_high(invoke):
    result = invoke("practice", "--answers", str(FIXTURES / "chat_answers.yaml"), "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["score"] >= 85
    assert all(s["coverage"] >= 0.8 for s in out["steps"])


def test_answers_run_for_people_shows_estimates_score_card_and_reference(invoke):
    result = invoke("practice", "--answers", str(FIXTURES / "chat_answers.yaml"))
    assert result.exit_code == 0, result.output
    for text in (
        "Your estimates beside the calculator's",
        "on target",
        "Score card",
        "Competencies",
        "The reference answer, beside yours",
        "Saved as session 1",
    ):
        assert text in result.output


def test_history_lists_sessions(invoke):
    assert "No mock interviews yet" in invoke("history").output
    invoke("practice", "--answers", str(FIXTURES / "chat_answers.yaml"), "--json")
    rows = json.loads(invoke("history", "--json").output)
    assert len(rows) == 1
    assert set(rows[0]) >= {"id", "problem", "date", "minutes", "score"}
    assert rows[0]["problem"] == "chat" and rows[0]["minutes"] == 45 and rows[0]["score"] >= 85
    table = invoke("history").output
    assert "Real-time chat app" in table


def test_history_bad_limit(invoke):
    result = invoke("history", "--limit", "0")
    assert result.exit_code == 2
    assert "--limit" in one_error_line(result)


def test_scripted_minutes_and_hints_in_the_file(invoke, tmp_path):
    data = yaml.safe_load((FIXTURES / "chat_answers.yaml").read_text())
    data["steps"]["scope"]["minutes"] = 15  # twice the 7:30 budget
    data["steps"]["wrap_up"]["hints"] = 2
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(data))
    invoke("practice", "--answers", str(path), "--json")
    from interview_coach.practice.store import load_session
    from interview_coach.storage.db import connect

    session = load_session(connect(), "latest")
    assert session.scripted
    assert session.steps[0].elapsed_seconds == pytest.approx(900)
    assert session.steps[0].overrun_seconds == pytest.approx(450)
    assert session.scorecard.steps[0].time_score == 0
    assert session.scorecard.steps[3].hints == 2


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("problem: chat\nsteps:\n  scope:\n    functionl: x\n", 4, "did you mean functional"),
        ("problem: chat\nsteps:\n  scoop: {}\n", 3, "unknown step 'scoop'"),
        ("problem: chat\nsteps: [\n", 3, "YAML syntax error"),
        ("problem: chat\nminutes: 5\nsteps: {}\n", 2, "outside 30-90"),
        ("problem: chat\nsteps:\n  scope:\n    estimates:\n      peak_qps: 1\n", 5, "unknown estimate 'peak_qps'"),
        ("problem: chat\nsteps:\n  deep_dive:\n    deep_dives:\n      deliver: x\n", 5, "did you mean delivery"),
        ("problem: chat\nsteps:\n  high_level:\n    apis: [1, 2]\n", 4, "expected text"),
        ("problem: chat\nsteps: {}\nself_assessment:\n  card.nope: yes\n", 4, "unknown rubric item"),
        ("- just a list\n", 1, "expected a mapping"),
    ],
)
def test_malformed_answers_files_name_file_and_line(invoke, tmp_path, text, line, words):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    result = invoke("practice", "--answers", str(path))
    assert result.exit_code == 2
    message = one_error_line(result)
    assert f"{path}:{line}:" in message
    assert words in message


def test_missing_answers_file(invoke, tmp_path):
    result = invoke("practice", "--answers", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "nope.yaml:1: cannot read" in one_error_line(result)


def test_answers_for_another_problem(invoke):
    result = invoke("practice", "--problem", "url_shortener", "--answers", str(FIXTURES / "chat_answers.yaml"))
    assert result.exit_code == 2
    assert "answers are for 'chat'" in one_error_line(result)


@pytest.mark.parametrize("minutes", ["5", "91", "lots"])
def test_minutes_outside_the_range(invoke, minutes):
    result = invoke("practice", "--minutes", minutes, "--template")
    assert result.exit_code == 2
    assert "--minutes" in one_error_line(result)


def test_unknown_problem_suggests_close_names(invoke):
    result = invoke("practice", "--problem", "chatt")
    assert result.exit_code == 2
    assert "unknown problem 'chatt'; did you mean chat?" in one_error_line(result)


def test_without_a_terminal_it_says_to_use_answers(invoke):
    result = invoke("practice", "--problem", "chat")
    assert result.exit_code == 2
    assert "--answers" in one_error_line(result)


def test_resume_with_nothing_to_resume(invoke):
    set_asker(Asker([]))
    result = invoke("practice", "--resume")
    assert result.exit_code == 2
    assert "no practice session yet" in one_error_line(result)


def test_conflicting_options(invoke):
    assert invoke("practice", "--resume", "--answers", "x.yaml").exit_code == 2
    assert invoke("practice", "--template", "--answers", "x.yaml").exit_code == 2
    assert invoke("practice", "chat", "--problem", "url_shortener").exit_code == 2


# ---------------------------------------------------------------- the interactive session (scripted asker)


def fixture_invoke(invoke, *args):
    return invoke("--content-dir", str(FIXTURES), *args)


def test_a_whole_interactive_interview_with_commands(invoke):
    asker = Asker(
        [
            "Is it one-on-one or group?",  # clarify
            "What colour is the logo?",
            "",  # ends the questions
            "Functional: send messages\n/hint",  # a hint, then the same prompt again
            "Functional: send messages; low latency",
            "5B", "60K", "120K", "500GB", "900TB", "12 MB/s",  # estimates
            "POST /v1/messages\n/back",  # step 2's first question, then back to step 1's last
            "/back",  # and one more question back, to the estimate before it
            "900TB", "12 MB/s",  # both again; step 1 is complete
            "",  # the APIs again, kept as they were given with /back
            "Chat servers keep a WebSocket per client",  # the step is complete: on to step 3
            "/pause",  # in the deep dive (chosen by checkbox)
            "",  # "press Enter to carry on"
            "A Redis session registry finds the server",
            "Offline users get a push notification",  # the follow-up
            "/done",  # ends the interview in step 4 ...
            True,  # ... once confirmed
        ],
        # The dives, then one review per step with unfound points; only the wrap-up's matches.
        checkboxes=[["Message delivery"], *[["availability over consistency"]] * 3],
    )
    set_asker(asker)
    result = fixture_invoke(invoke, "practice", "--problem", "mini_chat")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Interviewer: One-on-one first, groups later." in out
    assert "doesn't matter for the design" in out  # a question about the logo's colour
    assert "Hint (1 used)" in out
    assert "Your estimates beside the calculator's" in out
    assert "Step 2 of 4" in out and "Step 3 of 4" in out
    assert "Your answers so far in this step" in out  # after /back into step 1
    assert "Score card" in out and "The reference answer, beside yours" in out
    assert asker.answers == [] and asker.checkboxes == []
    # The follow-up asks about the point the answer only named (the registry), not a fixed question.
    assert "Interviewer: You mentioned registry. How exactly does that work here, and why do you need it?" in asker.asked
    assert "Paused: the clock is stopped. Press Enter to carry on." in asker.asked
    # /back walked back one question at a time, each pre-filled with what was given
    assert asker.asked.count("Storage over the retention (bytes):") == 2
    assert asker.prefilled[asker.asked.index("Storage over the retention (bytes):", 12)] == "900TB"
    apis = [i for i, m in enumerate(asker.asked) if m.startswith("Your APIs")]
    assert len(apis) == 2 and asker.prefilled[apis[1]] == "POST /v1/messages"

    from interview_coach.practice.store import load_session
    from interview_coach.storage.db import connect

    s = load_session(connect(), "latest")
    assert s.status == "finished"
    assert [a.text for a in s.answers if a.prompt_id == "requirements"] == ["Functional: send messages; low latency"]
    assert s.deep_dives == ["delivery"]
    assert len(s.hints) == 1
    assert s.steps[0].visits == 2
    assert {a.key_point_id: a.rating for a in s.self_assessments}.get("card.ap") == "yes"
    assert s.scorecard.hints_used == 1


def test_ctrl_c_keeps_everything_and_resume_continues(invoke):
    set_asker(Asker(["How many users?", "", "Users send messages", KeyboardInterrupt()]))
    result = fixture_invoke(invoke, "practice", "--problem", "mini_chat")
    assert result.exit_code == 130
    assert "interview-coach practice --resume 1" in result.output

    from interview_coach.practice.store import load_session
    from interview_coach.storage.db import connect

    saved = load_session(connect(), "1")
    assert saved.status == "in_progress"
    assert [a.text for a in saved.answers] == ["Users send messages"]
    assert saved.clarifications[0].matched_id == "scale"

    asker = Asker(["/done", True])
    set_asker(asker)
    result = fixture_invoke(invoke, "practice", "--resume", "latest")
    assert result.exit_code == 0, result.output
    assert "Resuming session 1" in result.output
    assert "Users send messages" in result.output  # the recap of the step
    assert asker.asked[0].startswith("Daily writes")  # it continues at the first unanswered prompt
    assert load_session(connect(), "1").status == "finished"


def test_ctrl_c_in_the_self_assessment_resumes_in_the_review(invoke):
    set_asker(Asker(["/done", True], checkboxes=[KeyboardInterrupt()]))
    assert fixture_invoke(invoke, "practice", "mini_chat").exit_code == 130
    asker = Asker([], checkboxes=[["1."]])
    set_asker(asker)
    result = fixture_invoke(invoke, "practice", "--resume", "1")
    assert result.exit_code == 0, result.output
    assert asker.asked == []  # no interview prompts: straight to the review
    assert "Score card" in result.output


def test_interactive_json_at_the_end(invoke):
    set_asker(Asker(["/done", True]))
    result = fixture_invoke(invoke, "practice", "mini_chat", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{\n"):])
    assert data["problem"] == "mini_chat" and data["score"] == 0


def test_the_problem_is_asked_for_when_not_given(invoke):
    asker = Asker(["Mini chat (mini_chat)", "/done", True])
    set_asker(asker)
    result = fixture_invoke(invoke, "practice")
    assert result.exit_code == 0, result.output
    assert asker.asked[0] == "Which problem would you like to practise?"
    assert "Suggested: " in result.output and "never practised" in result.output


def test_no_timer(invoke):
    set_asker(Asker(["/done", True]))
    fixture_invoke(invoke, "practice", "mini_chat", "--no-timer")
    from interview_coach.practice.store import load_session
    from interview_coach.storage.db import connect

    s = load_session(connect(), "latest")
    assert not s.timed and s.scorecard.time_discipline is None


# ---------------------------------------------------------------- the menu


def test_no_arguments_without_a_terminal_prints_the_help(invoke):
    result = invoke()
    assert result.exit_code == 0
    assert "practice" in result.output and "Usage" in result.output


def test_the_menu_runs_the_chosen_command(invoke):
    asker = Asker([])
    asker.answers = [next_choice("history"), "quit"]
    set_asker(asker)
    result = invoke()
    assert result.exit_code == 0, result.output
    assert asker.asked == ["What would you like to do?"] * 2
    assert "No mock interviews yet" in result.output


def test_the_menu_runs_a_group_with_its_arguments_not_its_help(invoke):
    class SkipEveryFigure(Asker):
        def text(self, message, **kw):
            return ""

    asker = SkipEveryFigure([next_choice("estimate"), "quit"])
    set_asker(asker)
    result = invoke()
    assert result.exit_code == 0, result.output
    assert "Drill:" in result.output
    assert "Usage" not in result.output


def next_choice(command: str) -> str:
    from interview_coach.cli.menu import ENTRIES

    what = {name: what for name, _args, what in ENTRIES}[command]
    return f"{command:<9} {what}"
