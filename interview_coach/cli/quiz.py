"""`interview-coach quiz`: the chapter quiz, with review of misses and spaced repetition.

    interview-coach quiz                         10 questions, prompts in the terminal
    interview-coach quiz --section caching --all every question of one section
    interview-coach quiz --review | --due        what you last missed | what FSRS says is due
    interview-coach quiz --answers a.yaml --json scripted, no prompts
    interview-coach quiz --problem chat          the questions of one problem's pack
    interview-coach quiz stats                   mastery per section and the trend
    interview-coach quiz export --anki deck.apkg the bank (or --misses) as an Anki deck

The engine is `interview_coach.quiz`; this module parses options, prompts through the one
asker and renders. Heavy imports stay inside the functions so `--help` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from interview_coach.cli import options

quiz_app = typer.Typer(invoke_without_command=True, no_args_is_help=False)


def register(app: typer.Typer) -> None:
    app.add_typer(quiz_app, name="quiz")


def _is_interactive() -> bool:
    """A person can answer: a real terminal, or a scripted asker (tests patch this too)."""
    from interview_coach.ui.ask import can_prompt

    return can_prompt()


def _clock() -> Any:
    """The clock of a quiz; tests patch in a FakeClock to move time (due dates) by hand."""
    from interview_coach.clock import SystemClock

    return SystemClock()


@quiz_app.callback()
def quiz(
    ctx: typer.Context,
    count: int = typer.Option(
        None, "--count", "-n", callback=options.limit, help="How many questions (default 10).", show_default=False
    ),
    section: list[str] = typer.Option(None, "--section", "-s", help="Only this section (id, prefix or title word); repeatable."),
    seed: int = typer.Option(
        None, "--seed", callback=options.seed, help="The same questions, order and option shuffle every time."
    ),
    take_all: bool = typer.Option(False, "--all", help="Every question (of the chosen sections)."),
    review: bool = typer.Option(False, "--review", help="Ask again what you last got wrong."),
    due: bool = typer.Option(False, "--due", help="Ask what spaced repetition says is due now."),
    resume: bool = typer.Option(False, "--resume", help="Pick up the last quiz you stopped with Ctrl-C."),
    answers: str = typer.Option(
        None,
        "--answers",
        metavar="FILE",
        help="YAML or JSON: question id -> answer (option text or letter, list, number); no prompts. '-' reads stdin.",
    ),
    as_json: bool = typer.Option(
        False, "--json", help='Print {"score", "total", "percent", "questions": [...]} (with --list: the bank).'
    ),
    list_: bool = typer.Option(False, "--list", help="List the bank's questions instead of asking them."),
    bank: str = typer.Option(None, "--bank", help="A quiz bank by name (built-in or from your content folder)."),
    problem: str = typer.Option(None, "--problem", "-p", help="The quiz pack of one problem (e.g. chat, url_shortener)."),
) -> None:
    """Take the chapter quiz, with an explanation after every answer and a score by section.

    Every answer is saved as it is given; Ctrl-C stops and says how to resume.

    Letters in an answers file count the options in the order `--list` shows them (the bank
    stores options in a random order, so a letter says nothing about the answer).

    Example: interview-coach quiz --count 5 --section caching --seed 7
    """
    if ctx.invoked_subcommand is not None:
        return
    from interview_coach.cli.state import state
    from interview_coach.errors import NoTerminalError, UsageError
    from interview_coach.quiz.bank import resolve_sections

    if list_:
        from interview_coach.cli.pages import content_sources, print_page
        from interview_coach.paths import user_content_dir

        def draw() -> None:
            the_bank = _choose_bank(bank, problem, state.content_dir)
            _list_bank(the_bank, resolve_sections(the_bank, section or []), as_json)

        # The same banks give the same list: from the page cache unless a bank or card, the code
        # or the terminal changed (see cli/pages.py). Nothing of the user's history is in it.
        print_page("quiz-list", (str(user_content_dir(state.content_dir)), bank, problem, tuple(section or []), as_json),
                   draw, sources=content_sources(state.content_dir), terminal=not as_json)
        return
    the_bank = _choose_bank(bank, problem, state.content_dir)
    sections = resolve_sections(the_bank, section or [])

    if review and due:
        raise UsageError("--review and --due choose questions in different ways", "use one of them")
    if take_all and count is not None:
        raise UsageError("--all and --count disagree", "use --all for every question or --count N for N of them")
    if resume and (count is not None or section or seed is not None or take_all or review or due or answers):
        raise UsageError("--resume continues the stopped quiz with its own questions", "drop the other selection options")
    if count is not None and count < 1:
        raise UsageError(f"--count: {count} is not a positive number", "try --count 10, or --all for every question")
    if answers is None and not _is_interactive():
        raise NoTerminalError(
            "the quiz asks questions and there is no terminal to ask them in",
            "use --answers FILE (YAML or JSON: question id -> answer) to answer without prompts",
        )

    scripted = _read_answers(answers, the_bank) if answers is not None else None
    _run_quiz(
        the_bank,
        sections=sections,
        count=count,
        seed=seed,
        take_all=take_all,
        mode="resume" if resume else "review" if review else "due" if due else "answers" if scripted is not None else "quiz",
        scripted=scripted,
        as_json=as_json,
    )


def _choose_bank(bank: str | None, problem: str | None, content_dir: Any) -> Any:
    """The chapter bank, a bank named by --bank, or a problem's pack named by --problem."""
    from interview_coach.errors import UsageError
    from interview_coach.quiz.bank import DEFAULT_BANK, load_bank, load_pack

    if bank is not None and problem is not None:
        raise UsageError("--bank and --problem both choose the questions", "use one of them")
    if problem is not None:
        return load_pack(problem, content_dir)
    return load_bank(bank or DEFAULT_BANK, content_dir)


# ---------------------------------------------------------------- running a quiz


def _run_quiz(
    the_bank: Any,
    *,
    sections: list[str],
    count: int | None,
    seed: int | None,
    take_all: bool,
    mode: str,
    scripted: dict[str, Any] | None,
    as_json: bool,
) -> None:
    from interview_coach.cli.output import console, print_json
    from interview_coach.quiz.scheduling import make_scheduler
    from interview_coach.quiz.session import DEFAULT_COUNT, QuizRun, new_seed, report_for, select_questions
    from interview_coach.quiz.store import QuizStore
    from interview_coach.storage.db import connect
    from interview_coach.ui import quiz_view

    clock = _clock()
    # With --json, stdout carries only the JSON; questions and feedback go to stderr.
    out = console(stderr=as_json)
    conn = connect()
    try:
        store = QuizStore(conn)
        scheduler = make_scheduler()
        if mode == "resume":
            run = QuizRun.resume(the_bank, store=store, clock=clock, scheduler=scheduler)
        else:
            by_id = the_bank.by_id()
            if mode == "review":
                pool = [by_id[i] for i in store.missed_ids(the_bank.id) if i in by_id]
                empty = "Nothing to review: your last answer to every question you have tried was right."
            elif mode == "due":
                now = clock.now()
                pool = [by_id[i] for i in store.due_ids(the_bank.id, now) if i in by_id]
                nxt = store.next_due(the_bank.id, now)
                empty = "Nothing is due now" + (f"; the next review is due {quiz_view.until(nxt - now)}." if nxt else ".")
            elif scripted is not None:
                pool = [by_id[i] for i in scripted]
                empty = "The answers file answers none of the chosen questions."
            else:
                pool = list(the_bank.questions)
                empty = "No questions match."
            if scripted is not None and mode in ("review", "due"):
                # Only what the file answers can be asked without prompts.
                pool = [q for q in pool if q.id in scripted]
            run_seed = seed if seed is not None else new_seed()
            if take_all:
                limit: int | None = None
            elif count is not None:
                limit = count
            else:
                limit = None if scripted is not None else DEFAULT_COUNT
            # An answers file is taken in the order it was written unless a seed asks for a shuffle.
            in_file_order = scripted is not None and seed is None
            questions = select_questions(pool, seed=run_seed, count=limit, sections=sections, shuffle=not in_file_order)
            if not questions:
                if as_json:
                    print_json({"score": 0, "total": 0, "percent": 0.0, "questions": [], "message": empty})
                else:
                    out.print(empty + ("" if mode != "due" else " New questions: interview-coach quiz"))
                return
            run = QuizRun.start(the_bank, questions, seed=run_seed, store=store, clock=clock, scheduler=scheduler, mode=mode)  # type: ignore[arg-type]

        if scripted is None or not as_json:
            out.print(quiz_view.header(the_bank, len(run.questions), run.seed, run.mode))
            out.print()
        if scripted is not None:
            for question in run.remaining():
                result = run.answer(question, scripted[question.id], None)
                if not as_json:
                    _show_scripted(out, quiz_view, run, question, result, clock.now())
        else:
            _ask_all(run, out, clock)
        run.finish()
        report = report_for(run)
        if as_json:
            print_json(report.to_json())
        else:
            out.print(quiz_view.report_view(report, the_bank, the_bank.by_id()))
    finally:
        conn.close()


def _show_scripted(out: Any, quiz_view: Any, run: Any, question: Any, result: Any, now: float) -> None:
    number = len(run.answered)
    # Letters in an answers file count the options in the bank's stored (random) order, so show them that way.
    out.print(
        quiz_view.question_panel(
            question, number, len(run.questions), run.bank.section_title(question.section), question.choices(), list_options=True
        )
    )
    out.print(quiz_view.feedback(result, now))


def _ask_all(run: Any, out: Any, clock: Any) -> None:
    """Ask each remaining question; on Ctrl-C mark the run stopped and say how to pick it up."""
    from interview_coach.ui import quiz_view
    from interview_coach.ui.ask import get_asker

    asker = get_asker()
    total = len(run.questions)
    try:
        for question in run.remaining():
            number = len(run.answered) + 1
            shown = run.options(question)
            out.print(quiz_view.question_panel(question, number, total, run.bank.section_title(question.section), shown))
            started = clock.monotonic()
            given = _prompt(asker, out, run, question, shown)
            seconds = clock.monotonic() - started
            result = run.answer(question, given, seconds)
            out.print(quiz_view.feedback(result, clock.now()))
    except KeyboardInterrupt:
        run.interrupt()
        flag = run.bank.selector()
        saved = len(run.answered)
        sys.stderr.write(
            f"\nStopped after {saved} of {total} questions; {saved} answer{'s' if saved != 1 else ''} saved. "
            f"Pick up where you left off with: interview-coach quiz --resume{flag}\n"
        )
        raise typer.Exit(130) from None


def _prompt(asker: Any, out: Any, run: Any, question: Any, shown: list[str]) -> Any:
    """One answer through the asker, in the canonical form; unreadable input is asked again."""
    from interview_coach.quiz.grading import AnswerError
    from interview_coach.ui.quiz_view import labelled

    kind = question.type
    if kind == "single":
        labels = labelled(shown)
        picked = asker.select("Your answer:", labels)
        return shown[labels.index(picked)]
    if kind == "multiple":
        labels = labelled(shown)
        picked = asker.checkbox("Pick every right answer (space to pick, enter to finish):", labels)
        return run.read(question, [shown[labels.index(p)] for p in picked])
    if kind == "true_false":
        return asker.select("True or false?", ["True", "False"]) == "True"
    if kind == "numeric":
        message = f"Your answer ({question.unit}):" if question.unit else "Your answer:"
    else:
        message = f"Type the letters in order (e.g. {''.join('ABCDEFGH'[: len(shown)][::-1])}):"
    while True:
        raw = asker.text(message)
        try:
            return run.read(question, raw)
        except AnswerError as exc:
            out.print(f"[yellow]{_escape(str(exc))}[/yellow]")


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


# ---------------------------------------------------------------- answers files and listing


def _read_answers(source: str, the_bank: Any) -> dict[str, Any]:
    """Question id -> canonical answer, checked before anything is asked or stored."""
    import difflib

    from interview_coach.content.yamlsrc import load_answers
    from interview_coach.errors import ContentError
    from interview_coach.quiz.grading import AnswerError, read_answer

    located = load_answers(source)
    data = located.data
    if not isinstance(data, dict) or not data:
        found = "nothing" if not data else type(data).__name__
        expected = f"expected a mapping of question id to answer, found {found} (e.g. steps-order: [A, B, C, D])"
        raise ContentError([f"{located.where(())}: --answers: {expected}"])
    by_id = the_bank.by_id()
    problems: list[str] = []
    out: dict[str, Any] = {}
    for key, raw in data.items():
        qid = str(key)
        where = located.where((qid,))
        if qid not in by_id:
            close = difflib.get_close_matches(qid, list(by_id), n=1, cutoff=0.5)
            hint = f"did you mean {close[0]!r}?" if close else "see: interview-coach quiz --list"
            problems.append(f"{where}: no question {qid!r} in bank {the_bank.id}; {hint}")
            continue
        try:
            out[qid] = read_answer(by_id[qid], raw)
        except AnswerError as exc:
            problems.append(f"{where}: {qid}: {exc}")
    if problems:
        raise ContentError(problems)
    return out


def _list_bank(the_bank: Any, sections: list[str], as_json: bool) -> None:
    questions = [q for q in the_bank.questions if not sections or q.section in sections]
    if as_json:
        from interview_coach.cli.output import print_json

        print_json(
            [
                {
                    "id": q.id,
                    "title": q.label(),
                    "section": q.section,
                    "type": q.type,
                    "difficulty": q.difficulty,
                    "prompt": q.prompt,
                    "options": q.choices(),
                    "answer": q.expected(),
                    "explanation": q.explanation,
                    **({"tolerance": q.tolerance or 0.0, "unit": q.unit} if q.type == "numeric" else {}),
                }
                for q in questions
            ]
        )
        return
    from interview_coach.cli.output import console
    from interview_coach.ui.quiz_view import bank_table

    console().print(bank_table(the_bank, questions))


# ---------------------------------------------------------------- stats


@quiz_app.command("stats")
def stats(
    bank: str = typer.Option(None, "--bank", help="A quiz bank by name (built-in or from your content folder)."),
    problem: str = typer.Option(None, "--problem", "-p", help="The quiz pack of one problem."),
    as_json: bool = typer.Option(False, "--json", help='Print {"sections": [...], "trend": [...], ...}.'),
) -> None:
    """Mastery per section (FSRS recall probability now) and your score over past runs.

    Example: interview-coach quiz stats --json
    """
    from interview_coach.cli.output import console, print_json
    from interview_coach.cli.state import state
    from interview_coach.quiz.scheduling import make_scheduler
    from interview_coach.quiz.stats import quiz_stats
    from interview_coach.quiz.store import QuizStore
    from interview_coach.storage.db import connect

    the_bank = _choose_bank(bank, problem, state.content_dir)
    now = _clock().now()
    conn = connect()
    try:
        result = quiz_stats(the_bank, QuizStore(conn), make_scheduler(), now)
    finally:
        conn.close()
    if as_json:
        print_json(result.to_json())
        return
    from interview_coach.ui.quiz_view import stats_view

    console().print(stats_view(result, now))


# ---------------------------------------------------------------- export


@quiz_app.command("export")
def export(
    anki: str = typer.Option(..., "--anki", metavar="FILE", help="Write an Anki deck (.apkg) to FILE."),
    misses: bool = typer.Option(False, "--misses", help="Only the questions your last answer got wrong."),
    section: list[str] = typer.Option(None, "--section", "-s", help="Only this section; repeatable."),
    bank: str = typer.Option(None, "--bank", help="A quiz bank by name (built-in or from your content folder)."),
    problem: str = typer.Option(None, "--problem", "-p", help="The quiz pack of one problem."),
) -> None:
    """Write the bank (or your misses) as an Anki deck: one note per question, the options on the
    front, the answer and its explanation on the back, tagged by section.

    Example: interview-coach quiz export --anki chapter.apkg --misses
    """
    from interview_coach.cli.output import console
    from interview_coach.cli.state import state
    from interview_coach.errors import UsageError
    from interview_coach.quiz.anki import write_deck
    from interview_coach.quiz.bank import resolve_sections

    target = Path(anki).expanduser()
    if target.suffix.lower() != ".apkg":
        raise UsageError(f"--anki: {anki!r} does not end in .apkg", "Anki imports decks named like chapter.apkg")
    if not target.parent.is_dir():
        raise UsageError(f"--anki: folder {str(target.parent)!r} does not exist", "write the deck into an existing folder")
    the_bank = _choose_bank(bank, problem, state.content_dir)
    sections = resolve_sections(the_bank, section or [])
    questions = [q for q in the_bank.questions if not sections or q.section in sections]
    if misses:
        from interview_coach.quiz.store import QuizStore
        from interview_coach.storage.db import connect

        conn = connect()
        try:
            missed = set(QuizStore(conn).missed_ids(the_bank.id))
        finally:
            conn.close()
        questions = [q for q in questions if q.id in missed]
        if not questions:
            console().print("No misses to export: your last answer to every question you have tried was right.")
            return
    try:
        count = write_deck(the_bank, questions, target)
    except OSError as exc:
        raise UsageError(f"--anki: cannot write {str(target)!r}: {exc.strerror or exc}", "choose a writable path") from None
    console().print(f"Wrote {count} note{'s' if count != 1 else ''} to {target} (import it in Anki: File → Import).")
