"""`interview-coach practice`: the guided, timed mock interview.

    interview-coach practice                       pick a problem, 45 minutes, live countdown
    interview-coach practice chat --minutes 60     a problem by id or alias
    interview-coach practice --resume [ID]         continue where a session stopped
    interview-coach practice --problem chat --template > answers.yaml
    interview-coach practice --answers answers.yaml --json

The engine is `interview_coach.practice`; this module parses options, drives the prompts through
the one asker and renders with `ui/practice_view.py`. Heavy imports stay inside the functions.
"""

from __future__ import annotations

import contextlib
import signal
from pathlib import Path
from typing import Annotated, Any

import typer

# Imported up front, not where used: the hang-up handler runs at any moment, possibly in the
# middle of another import of this module (see ui/ask.py).
from interview_coach.ui.hangup import is_lost_terminal, terminal_lost, watch_terminal

COMMAND_NAMES = ("/hint", "/next", "/back", "/skip", "/pause", "/done", "/help")
DEFAULT_PROBLEM = "chat"


def register(app: typer.Typer) -> None:
    app.command("practice")(practice)


def _is_interactive() -> bool:
    """A person can answer: a real terminal, or a scripted asker (tests patch this too)."""
    from interview_coach.ui.ask import can_prompt

    return can_prompt()


def practice(
    problem_arg: Annotated[
        str | None,
        typer.Argument(metavar="[PROBLEM|SESSION]", help="Problem id or alias (with --resume: a session id or latest)."),
    ] = None,
    problem: Annotated[
        str | None, typer.Option("--problem", "-p", help="The problem to practise (id or alias); default: ask, or chat.")
    ] = None,
    minutes: Annotated[
        str | None,
        typer.Option("--minutes", "-m", help="Interview length, 30-90 minutes (default 45); step budgets scale with it."),
    ] = None,
    no_timer: Annotated[
        bool, typer.Option("--no-timer", help="Untimed study: no countdown, no warnings, time not scored.")
    ] = False,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue a stopped session: the latest, or the id given as argument.")
    ] = False,
    template: Annotated[
        bool, typer.Option("--template", help="Print a YAML answers file to fill in (every step and prompt id).")
    ] = False,
    answers: Annotated[
        Path | None,
        typer.Option("--answers", metavar="FILE", help="Run the whole interview from a filled-in answers file, no prompts."),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option("--json", help='Print {"session_id", "problem", "score", "steps": [{"id", "coverage", "missed"}]}.'),
    ] = False,
    no_pager: Annotated[
        bool, typer.Option("--no-pager", help="Print the long report at the end instead of paging it ($PAGER, else less).")
    ] = False,
) -> None:
    """Run a timed mock system design interview, with an interviewer, hints and a score card.

    Four steps with time budgets and a live countdown; the interviewer answers your clarifying
    questions and asks follow-ups; afterwards a score card and the reference answer beside yours.
    While answering, type a command on a line of its own: /hint /next /back /skip /pause /done.
    Every answer is saved as it is given; Ctrl-C stops, and --resume continues.

    Example: interview-coach practice --problem chat --minutes 45
    """
    from interview_coach.cli.state import state
    from interview_coach.content.loader import load_framework, load_problem
    from interview_coach.errors import NoTerminalError, UsageError
    from interview_coach.practice.minutes import check_minutes

    if problem and problem_arg and not resume:
        raise UsageError(f"two problems given: {problem_arg!r} and --problem {problem!r}", "give one of them")
    chosen_minutes = check_minutes(minutes) if minutes is not None else None
    if resume and (answers is not None or template):
        raise UsageError("--resume continues a session in the terminal", "drop --answers/--template, or drop --resume")
    if template and answers is not None:
        raise UsageError("--template prints an answers file and --answers runs one", "use one of them")
    name = problem or (None if resume else problem_arg)

    if template:
        from interview_coach.cli.pages import print_page
        from interview_coach.content.loader import framework_path, problem_path

        sources = (problem_path(name or DEFAULT_PROBLEM, state.content_dir), framework_path(state.content_dir))

        def draw() -> None:
            from interview_coach.practice.template import render_template

            card = load_problem(name or DEFAULT_PROBLEM, state.content_dir)
            typer.echo(render_template(load_framework(state.content_dir), card, chosen_minutes or 45), nl=False)

        # The same card, framework and length give the same file: from the page cache unless
        # one of them or the code changed (see cli/pages.py), without loading the engine.
        print_page("template", (*map(str, sources), chosen_minutes), draw, sources=sources, libraries=(), terminal=False)
        return
    framework = load_framework(state.content_dir)

    if answers is not None:
        _run_answers_file(answers, name, chosen_minutes, framework, as_json, not no_pager)
        return

    if name is not None:
        load_problem(name, state.content_dir)  # an unknown problem is reported before anything else
    if not _is_interactive():
        raise NoTerminalError(
            "practice asks its questions in a terminal and there is none",
            "to run without prompts use --answers FILE (print one to fill in with --template)",
        )

    from interview_coach.clock import SystemClock
    from interview_coach.practice.engine import PracticeEngine
    from interview_coach.storage.db import connect
    from interview_coach.ui.ask import get_asker

    asker = get_asker()
    conn = connect()
    clock = SystemClock()
    if resume:
        from interview_coach.practice.store import load_session

        session = load_session(conn, problem_arg or "latest")
        card = load_problem(session.problem_id, state.content_dir)
        engine = PracticeEngine.resume(session, framework, card, clock, conn)
        resumed = True
    else:
        if name is None:
            name = _choose_problem(asker, conn)
        card = load_problem(name, state.content_dir)
        engine = PracticeEngine.start(framework, card, clock, conn, minutes=chosen_minutes, timed=not no_timer)
        resumed = False
    InteractiveInterview(engine, asker, as_json=as_json, use_pager=not no_pager).run(resumed)


def _choose_problem(asker: Any, conn: Any) -> str:
    """Ask which problem, offering first the one practised least (then scored lowest)."""
    from interview_coach.cli.state import state
    from interview_coach.content.loader import load_problems
    from interview_coach.practice.store import list_sessions
    from interview_coach.practice.suggest import rank_problems

    cards = {c.id: c for c in load_problems(state.content_dir)}
    if not cards:
        return DEFAULT_PROBLEM
    ranked = rank_problems(list(cards.values()), list_sessions(conn))
    labels = {f"{cards[s.card_id].title} ({s.card_id})": s.card_id for s in ranked}
    top = ranked[0]
    from interview_coach.cli.output import console

    console().print(f"Suggested: {cards[top.card_id].title} ({top.reason}); the list is ordered least practised first.")
    chosen = asker.select("Which problem would you like to practise?", list(labels), default=next(iter(labels)))
    return labels[chosen]


def _run_answers_file(path: Path, name: str | None, minutes: int | None, framework: Any, as_json: bool, use_pager: bool) -> None:
    from interview_coach.cli.state import state
    from interview_coach.clock import SystemClock
    from interview_coach.content.loader import load_problem, resolve_problem_name
    from interview_coach.content.yamlsrc import load_answers
    from interview_coach.errors import UsageError
    from interview_coach.practice.scripted import json_result, run_scripted
    from interview_coach.practice.template import parse_answers, read_problem_name
    from interview_coach.storage.db import connect

    located = load_answers(path)  # once: `--answers <(...)` is a pipe, readable only once; "-" is stdin
    in_file = read_problem_name(located)
    if name and in_file and resolve_problem_name(name, state.content_dir) != resolve_problem_name(in_file, state.content_dir):
        raise UsageError(
            f"{located.path}: the answers are for {in_file!r} but --problem is {name!r}",
            "drop --problem or use the matching file",
        )
    card = load_problem(name or in_file or DEFAULT_PROBLEM, state.content_dir)
    parsed = parse_answers(located, framework, card)
    session = run_scripted(parsed, framework, card, connect(), start_wall=SystemClock().now(), minutes=minutes)
    if as_json:
        from interview_coach.cli.output import print_json

        print_json(json_result(session))
        return
    from interview_coach.cli.output import console

    show_ending(console(), session, framework, card, use_pager=use_pager, estimates=True)


def split_command(raw: str) -> tuple[str, str | None]:
    """An answer and the command typed on its last line, if any: ("text", "/next")."""
    lines = raw.rstrip().splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if lines:
        last = lines[-1].strip().lower()
        if last in COMMAND_NAMES:
            return "\n".join(lines[:-1]).rstrip(), last
    return raw.rstrip(), None


class InteractiveInterview:
    """The terminal session: asks each item of each step, reacts to commands and timers."""

    def __init__(self, engine: Any, asker: Any, *, as_json: bool = False, use_pager: bool = True) -> None:
        from interview_coach.cli.output import console

        self.engine = engine
        self.asker = asker
        self.as_json = as_json
        self.use_pager = use_pager
        self.con = console()
        self.live_item: Any = None
        self.live_text = ""
        # The picker on screen, if any: (draft key, step id, {label shown: id}).
        self.live_choice: tuple[str, str, dict[str, str]] | None = None
        self._draft_saved = ""

    # ------------------------------------------------------------ the toolbar

    def toolbar(self) -> list[tuple[str, str]]:
        """Called by prompt_toolkit on every redraw (at least once a second) while typing."""
        from interview_coach.ui.practice_view import toolbar_parts

        try:
            from prompt_toolkit.application import get_app_or_none

            app = get_app_or_none()
            if app is not None and self.live_item is not None:
                self.live_text = app.current_buffer.text
            # Keep the clock and the unsent text safe against a crash or a closed terminal.
            if self.live_item is not None and self.live_text != self._draft_saved and self.engine.checkpoint(15.0):
                self.engine.save_draft(self.live_item, self.live_text)
                self._draft_saved = self.live_text
        except Exception:  # noqa: BLE001 - a redraw must never break the prompt
            pass
        return toolbar_parts(self.engine)

    def _text(self, message: str, *, default: str = "", multiline: bool = True) -> str:
        return self.asker.text(message, default=default, multiline=multiline, toolbar=self.toolbar, commands=COMMAND_NAMES)

    def _pick(self, message: str, labels: dict[str, str], key: str, step_id: str, checked_ids: list[str]) -> list[str]:
        """A picker whose ticks are kept as a draft on Ctrl-C; the ids ticked."""
        self.live_choice = (key, step_id, labels)
        checked = [label for label, id_ in labels.items() if id_ in checked_ids]
        picked = self.asker.checkbox(message, list(labels), checked=checked, toolbar=self.toolbar)
        self.live_choice = None
        return [labels[p] for p in picked if p in labels]

    # ------------------------------------------------------------ the run

    def run(self, resumed: bool) -> None:
        from interview_coach.ui import practice_view as view

        engine = self.engine
        view.render_intro(self.con, engine.session, engine.card.prompt, resumed)
        old = {}
        for sig in (getattr(signal, "SIGHUP", None), getattr(signal, "SIGTERM", None)):
            if sig is not None:
                with contextlib.suppress(ValueError):  # not the main thread (tests)
                    old[sig] = signal.signal(sig, _raise_interrupt)
        # A terminal closed under a shell may send no hang-up at all: watch for it ourselves.
        stop_watch = watch_terminal() if getattr(signal, "SIGHUP", None) in old else (lambda: None)
        try:
            self._interview(resumed)
            self._review()
        except KeyboardInterrupt as stop:
            self._stop(getattr(stop, "unsent", None))
        except OSError as exc:
            if not is_lost_terminal(exc):
                raise
            terminal_lost()  # the terminal is gone (window closed): a hang-up, saved the same way
            self._stop(None)  # what the toolbar last saw typed
        finally:
            stop_watch()
            for sig, handler in old.items():
                signal.signal(sig, handler)

    def _stop(self, unsent: str | list[str] | None) -> None:
        """Save everything, what was typed or ticked but not sent included, and exit 130."""
        engine = self.engine
        # A second stop (the terminal watcher's hang-up after an end of input, a SIGTERM) must
        # not cut the saving short; run() puts the handlers back afterwards.
        for sig in (getattr(signal, "SIGHUP", None), getattr(signal, "SIGTERM", None)):
            if sig is not None:
                with contextlib.suppress(ValueError, OSError):  # ValueError: not the main thread
                    signal.signal(sig, signal.SIG_IGN)
        if unsent is None:
            # The stop did not say what the prompt held (a hang-up signal that landed while an
            # end of input or a lost terminal was being handled): ask the prompt itself.
            unsent = self.asker.unsent_now()
        if self.live_item is not None:
            if isinstance(unsent, str):  # the prompt said what was in it
                engine.save_draft(self.live_item, unsent)
            elif self.live_text.strip():  # else the last the toolbar saw
                engine.save_draft(self.live_item, self.live_text)
            else:
                engine.save()
        elif self.live_choice is not None and isinstance(unsent, list):
            key, step_id, labels = self.live_choice
            engine.save_choice_draft(key, step_id, [labels[p] for p in unsent if p in labels])
        else:
            engine.save()
        try:
            self.con.print()
            self.con.print(
                f"Stopped. Everything you gave is saved. Continue with: interview-coach practice --resume {engine.session.id}"
            )
        except OSError:  # the terminal is gone (closed window): the session is saved all the same
            pass
        raise typer.Exit(130)

    def _interview(self, resumed: bool) -> None:
        from interview_coach.ui import practice_view as view

        engine = self.engine
        shown_step = -1
        while engine.session.phase == "interview":
            if engine.session.step_index != shown_step:
                shown_step = engine.session.step_index
                view.render_step_header(self.con, engine)
                if resumed or engine.timing.visits > 1:
                    view.render_recap(self.con, engine)
                resumed = False
            item = engine.current_item()
            if item is None:
                engine.next_step()
                continue
            command = self._ask(item)
            view.render_events(self.con, engine.poll_events())
            if command is not None:
                self._command(command, item)

    def _command(self, command: str, item: Any) -> None:
        engine = self.engine
        if command == "/next":
            engine.next_step()
        elif command == "/skip":
            engine.skip()
        elif command == "/back":
            if not engine.back_one(item):
                self.con.print("This is the first question; there is nothing before it.")
        elif command == "/done" and self._confirm_done():
            engine.end_interview()

    def _confirm_done(self) -> bool:
        engine = self.engine
        left = len(engine.session.steps) - engine.session.step_index - 1
        later = f" ({left} more step{'s' if left != 1 else ''} not started)" if left else ""
        return bool(self.asker.confirm(f"End the interview now and go to the review{later}?", default=False))

    def _ask(self, item: Any) -> str | None:
        """Ask one item until it is answered or a move command is given; the command returned."""
        from interview_coach.ui import practice_view as view

        engine = self.engine
        if item.kind == "clarify":
            return self._clarify(item)
        if item.kind == "choose_dives":
            return self._choose_dives(item)
        if item.kind == "estimate" and item.key.endswith("/" + engine.figures[0].name):
            self.con.print(item.group_text)
        if item.kind == "dive":
            view.render_follow_up(self.con, item.group_text or "")
        while True:
            label = self._label(item)
            self.live_item, self.live_text = item, ""
            raw = self._text(label, default=engine.previous_text(item), multiline=item.kind != "estimate")
            self.live_item = None
            text, command = split_command(raw)
            if command in ("/hint", "/help", "/pause"):
                if text.strip():
                    engine.save_draft(item, text)
                self._inline(command)
                continue
            if command == "/back":
                if text.strip() and item.kind != "estimate":
                    engine.keep_answer(item, text)
                return command
            if item.kind == "estimate":
                engine.record_estimate(item, text)
                following = engine.current_item()
                if following is None or following.kind != "estimate":
                    view.render_estimates(self.con, engine.session.estimates)
            elif text.strip() or command is None:
                engine.answer(item, text)
                from interview_coach.ui.interviewer_view import render_reaction

                render_reaction(self.con, engine.turn_for(item))
            return command

    def _label(self, item: Any) -> str:
        if item.kind in ("follow_up", "buy_in"):
            return f"Interviewer: {item.text}"
        if item.kind == "estimate":
            return f"{item.text}:"
        return item.text

    def _inline(self, command: str) -> None:
        """Commands that do not move: a hint, the help, a pause."""
        from interview_coach.ui import practice_view as view

        engine = self.engine
        if command == "/hint":
            view.render_hint(self.con, engine.hint(), engine.hints_used())
        elif command == "/help":
            view.render_help(self.con)
        elif command == "/pause":
            engine.pause()
            self.asker.text("Paused: the clock is stopped. Press Enter to carry on.", default="")
            engine.unpause()

    def _clarify(self, item: Any) -> str | None:
        from interview_coach.ui import practice_view as view

        engine = self.engine
        self.con.print(item.text)
        while True:
            self.live_item, self.live_text = item, ""
            raw = self._text("You:", default=engine.previous_text(item), multiline=False)
            self.live_item = None
            text, command = split_command(raw)
            if command in ("/hint", "/help", "/pause"):
                self._inline(command)
                continue
            if command in ("/back", "/done") and not text.strip():
                return command  # the questions stay open (/done may be declined)
            if text.strip():
                engine.drop_draft(item)  # sent: asking saves the session without it
                view.render_reply(self.con, engine.ask_interviewer(text))
                view.render_events(self.con, engine.poll_events())
            if command is not None or not text.strip():
                engine.complete(item)
                return command

    def _choose_dives(self, item: Any) -> str | None:
        engine = self.engine
        titles = {f"{d.title}: {d.question}": d.id for d in engine.card.deep_dives}
        self.con.print(item.text)
        kept = engine.choice_draft(item.key)
        picked = self._pick(
            "Which deep dives? (space to tick, Enter to confirm; two or three is plenty)",
            titles,
            item.key,
            item.step_id,
            kept if kept is not None else list(engine.session.deep_dives),
        )
        chosen = engine.choose_dives(item, picked)
        if not chosen:
            self.con.print("No deep dive chosen; the step's general questions still count.")
        return None

    # ------------------------------------------------------------ after the interview

    def _review(self) -> None:
        from interview_coach.practice.rubric import check_step

        engine = self.engine
        session = engine.session
        if session.phase != "review":
            engine.end_interview()
        self.con.print()
        self.con.print("[bold]The interview is over.[/] Before the score: a quick self-assessment.")
        rated = {a.key_point_id for a in session.self_assessments}
        for step in engine.framework.steps:
            results = check_step(engine.framework, engine.card, session, step.id)
            missed = [r for r in results if not r.covered and r.id not in rated]
            if not missed:
                continue
            choices = {f"{i}. {r.text}": r.id for i, r in enumerate(missed, 1)}
            key = f"review/{step.id}"
            ticked = set(
                self._pick(
                    f"Step {step.number} ({step.title}): the keyword check did not find these."
                    " Tick any you did cover in other words.",
                    choices,
                    key,
                    step.id,
                    engine.choice_draft(key) or [],
                )
            )
            engine.self_assess({r.id: ("yes" if r.id in ticked else "no") for r in missed})
        engine.finish()
        if self.as_json:
            from interview_coach.cli.output import print_json
            from interview_coach.practice.scripted import json_result

            print_json(json_result(session))
            return
        show_ending(self.con, session, engine.framework, engine.card, use_pager=self.use_pager)


def show_ending(con: Any, session: Any, framework: Any, card: Any, *, use_pager: bool, estimates: bool = False) -> None:
    """The end of a session: the long parts (the reference beside the answers, the score card)
    through the pager when they do not fit the screen, then the short recap, last, so it is
    what stays on screen."""
    from interview_coach.cli.pager import page
    from interview_coach.practice.reference import compare_steps
    from interview_coach.ui import practice_view as view

    assert session.scorecard is not None
    with con.capture() as captured:
        if estimates and session.estimates:
            view.render_estimates(con, session.estimates)
        view.render_comparison(con, compare_steps(session, framework, card))
        view.render_scorecard(con, session.scorecard, session)
    page(captured.get(), enabled=use_pager)
    view.render_closing(con, session.scorecard, session)


def _raise_interrupt(signum: int, frame: Any) -> None:
    # A closed terminal (SIGHUP) or a polite kill (SIGTERM) stops like Ctrl-C: everything saved.
    if signum == getattr(signal, "SIGHUP", None):
        terminal_lost()  # so the prompt's last redraw does not fail on the vanished terminal
    raise KeyboardInterrupt
