"""Rich rendering of the mock interview: step headers, the interviewer, the countdown toolbar,
the estimates beside the calculator, the score card and the side-by-side reference."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from interview_coach.clock import clock_text
from interview_coach.practice.engine import WARN_FRACTION, PracticeEngine, TimerEvent
from interview_coach.practice.model import ClarifyingExchange, EstimateEntry, HintUsed, Scorecard, Session
from interview_coach.practice.reference import StepComparison

COMMANDS = {
    "/hint": "reveal the next point of the reference answer (counted)",
    "/next": "finish this step and go on",
    "/back": "return to the previous question (or step)",
    "/skip": "leave this step unanswered and go on",
    "/pause": "stop the clock",
    "/done": "end the interview and see the score (asks first)",
    "/help": "list these commands",
}
COMMAND_LINE = "Commands (on a line of their own): " + "  ".join(c for c in COMMANDS if c != "/help")


def _bullets(items: list[str]) -> Text:
    text = Text()
    for i, item in enumerate(items):
        text.append(("\n" if i else "") + f"• {item}")
    return text


def render_intro(console: Console, session: Session, prompt: str, resumed: bool) -> None:
    if resumed:
        console.print(
            f"[bold]Resuming session {session.id}[/]: {session.problem_title} - "
            f"{clock_text(session.elapsed_seconds)} used of {session.minutes}:00."
        )
        return
    timing = f"{session.minutes} minutes, four steps" if session.timed else "untimed, four steps"
    body = Text()
    body.append("Interviewer: ", style="bold")
    body.append(f'"{prompt}"\n\n')
    body.append(f"{timing}. Answers are saved as you give them; Ctrl-C stops and you can resume later.\n")
    body.append("Send an answer with Esc then Enter, a command with Enter. " + COMMAND_LINE)
    console.print(Panel(body, title=f"Mock interview: {session.problem_title}", title_align="left"))


def render_step_header(console: Console, engine: PracticeEngine) -> None:
    step, timing, session = engine.step, engine.timing, engine.session
    body = Text()
    body.append("Goal: ", style="bold")
    body.append(" ".join(step.goal.split()) + "\n")
    if session.timed:
        body.append("Budget: ", style="bold")
        body.append(f"{clock_text(timing.budget_seconds)} for this step")
        if timing.elapsed_seconds:
            body.append(f" ({clock_text(engine.step_elapsed())} used)")
        body.append(f"; {clock_text(max(0.0, engine.total_remaining()))} left in the interview\n")
    body.append("What good looks like:\n", style="bold")
    body.append_text(_bullets(step.good_looks_like))
    body.append("\n" + COMMAND_LINE, style="dim")
    console.print(Panel(body, title=f"Step {step.number} of {len(session.steps)}: {step.title}", title_align="left"))


def render_recap(console: Console, engine: PracticeEngine) -> None:
    """What the candidate already gave in this step (after a resume or /back)."""
    s = engine.session
    lines: list[str] = []
    if engine.step.id == "scope":
        lines += [f"You asked: {c.question}  ->  {c.reply}" for c in s.clarifications]
    for a in s.latest_answers(engine.step.id).values():
        first, *rest = a.text.splitlines() or [""]
        lines.append(f"{a.prompt_id}: {first}" + (f" (+{len(rest)} more lines)" if rest else ""))
    if lines:
        console.print(Panel("\n".join(lines), title="Your answers so far in this step", title_align="left"))


def render_reply(console: Console, exchange: ClarifyingExchange) -> None:
    console.print(Text.assemble(("Interviewer: ", "bold"), exchange.reply))


def render_follow_up(console: Console, title: str) -> None:
    console.print(Text.assemble(("Deep dive: ", "bold"), title))


def render_hint(console: Console, hint: HintUsed | None, used: int) -> None:
    if hint is None:
        console.print("No more hints for this step: you have covered (or seen) every point.")
        return
    console.print(Text.assemble(("Hint ", "bold yellow"), (f"({used} used): ", "yellow"), hint.text))


def render_help(console: Console) -> None:
    table = Table(show_header=False, box=None)
    for cmd, what in COMMANDS.items():
        table.add_row(cmd, what)
    console.print(table)


def in_words(seconds: float) -> str:
    """A span of time as said aloud: "2 minutes 30 seconds", "1 minute", "45 seconds"."""
    total = max(0, int(seconds + 0.5))
    minutes, secs = divmod(total, 60)
    parts = []
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    if secs or not minutes:
        parts.append(f"{secs} second{'s' if secs != 1 else ''}")
    return " ".join(parts)


def event_text(event: TimerEvent) -> str:
    left = event.budget - event.elapsed
    if event.kind == "step_warning":
        return f"{in_words(left)} left in this step (80% of its {clock_text(event.budget)} is used): start closing it out."
    if event.kind == "step_out":
        return f"Time is up for this step ({clock_text(event.budget)}). Move on with /next when you can."
    if event.kind == "interview_warning":
        return f"{in_words(left)} left in the interview (80% is used): keep time for the wrap-up."
    return f"The interview's {clock_text(event.budget)} are up. Wrap up and finish with /done."


def render_events(console: Console, events: list[TimerEvent]) -> None:
    for e in events:
        out = e.kind.endswith("out")
        # The message says what happened itself; a warning gets a label so it reads as one.
        text = event_text(e) if out else "Warning: " + event_text(e)
        console.print(Text(text, style="bold white on red" if out else "bold black on yellow"))


# prompt_toolkit styles for the toolbar's step part; "noreverse" undoes the toolbar's own
# reverse video so the colour shows as written.
TOOLBAR_WARN = "noreverse bold fg:ansiblack bg:ansiyellow"
TOOLBAR_OUT = "noreverse bold fg:ansiwhite bg:ansired"


def toolbar_parts(engine: PracticeEngine) -> list[tuple[str, str]]:
    """The live bottom line while typing, as (style, text) pieces: the step's countdown (in
    colour and in words from 80% of its budget on) and the interview's."""
    session = engine.session
    step = engine.step
    # Short enough for an 80-column terminal: the step's title is in the header panel above.
    head = f" Step {step.number}/{len(session.steps)}"
    if session.phase == "review":
        used = clock_text(session.elapsed_seconds)
        return [("", f" Review | the clock has stopped: {used} used of {session.minutes}:00")]
    if session.paused:
        return [("", f"{head} | paused")]
    if not session.timed:
        return [("", f"{head} | untimed | /hint /next /back /skip /done /help")]
    left = engine.step_remaining()
    budget = engine.timing.budget_seconds
    total = engine.total_remaining()
    total_part = f"interview {clock_text(total)} left" if total > 0 else f"interview over by {clock_text(-total)}"
    if left <= 0:
        alarm = (TOOLBAR_OUT, f" over this step's time by {clock_text(-left)} ")
        return [("", f"{head} | "), alarm, ("", f" | {total_part} | /next")]
    if engine.step_elapsed() >= WARN_FRACTION * budget:
        alarm = (TOOLBAR_WARN, f" {in_words(left)} left in this step ")
        return [("", f"{head} | "), alarm, ("", f" | {total_part} | /next")]
    return [("", f"{head} | {clock_text(left)} left of {clock_text(budget)} | {total_part} | /hint /next /done /help")]


def toolbar_text(engine: PracticeEngine) -> str:
    """The toolbar as plain text."""
    return "".join(text for _style, text in toolbar_parts(engine))


def render_estimates(console: Console, entries: list[EstimateEntry]) -> None:
    table = Table(title="Your estimates beside the calculator's")
    table.add_column("Figure")
    table.add_column("You", justify="right")
    table.add_column("Calculator", justify="right")
    table.add_column("Factor", justify="right")
    table.add_column("Verdict")
    for e in entries:
        factor = f"x{e.factor:.1f}" if e.factor is not None else "-"
        verdict = e.grade or ("not given" if not e.candidate else "could not read it")
        style = {"on target": "green", "right order of magnitude": "yellow", "off": "red"}.get(e.grade or "", "")
        table.add_row(e.label or e.name, e.candidate or "-", e.exact_text, factor, Text(verdict, style=style))
    console.print(table)
    formulas = [f"{e.label}: {e.formula}" for e in entries if e.formula]
    if formulas:
        console.print(Text("How the calculator got there:\n" + "\n".join(f"  {f}" for f in formulas), style="dim"))


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


def render_scorecard(console: Console, card: Scorecard, session: Session) -> None:
    head = f"Score {card.score}/100 · coverage {_pct(card.coverage)}"
    if card.time_discipline is not None:
        head += f" · time discipline {_pct(card.time_discipline)}"
    head += f" · hints used {card.hints_used}"
    table = Table(title=f"Score card: {session.problem_title} (session {session.id})", caption=head)
    table.add_column("Step")
    table.add_column("Coverage", justify="right")
    table.add_column("Points", justify="right")
    table.add_column("Time")
    table.add_column("Hints", justify="right")
    for s in card.steps:
        table.add_row(
            f"{s.number}. {s.title}",
            _pct(s.coverage),
            f"{len(s.matched)}/{len(s.matched) + len(s.missed)}",
            s.time_note,
            str(s.hints),
        )
    console.print(table)

    comp = Table(title="Competencies (what interviewers grade)", show_lines=True)
    comp.add_column("Competency")
    comp.add_column("Score", justify="right")
    comp.add_column("Where you are")
    comp.add_column("What the next level looks like")
    for c in card.competencies:
        where = f"{c.level}: {c.description}" if c.level else f"not yet mid (mid: {c.description})"
        nxt = f"{c.next_level}: {c.next_description}" if c.next_level and c.next_description else "-"
        comp.add_row(c.title, _pct(c.score), where, nxt)
    console.print(comp)

    from interview_coach.ui.evidence_view import render_evidence

    render_evidence(console, card)

    if card.missed:
        missed = Table(title="Points you missed, and where to read about them", show_lines=False)
        missed.add_column("Step")
        missed.add_column("Point")
        missed.add_column("Read")
        numbers = {s.step_id: str(s.number) for s in card.steps}
        for m in card.missed:
            missed.add_row(numbers.get(m.step_id, ""), m.text, m.section or "")
        console.print(missed)

    from interview_coach.ui.interviewer_view import render_interviewer

    render_interviewer(console, session)


def render_comparison(console: Console, comparisons: list[StepComparison]) -> None:
    console.print(Text("The reference answer, beside yours", style="bold"))
    for comp in comparisons:
        table = Table(title=f"Step {comp.number}: {comp.title}", show_lines=False, expand=True)
        table.add_column("You", ratio=1)
        table.add_column("Reference", ratio=1)
        mine = _blocks(comp.candidate) if comp.candidate else Text("(nothing given)", style="dim")
        table.add_row(mine, _blocks(comp.reference))
        console.print(table)


def _blocks(blocks) -> Group:  # list[reference.Block]
    parts = []
    for b in blocks:
        t = Text()
        t.append(b.title + "\n", style="bold")
        t.append("\n".join(b.lines))
        parts.append(t)
        parts.append(Text(""))
    return Group(*parts[:-1])


def study_next(card: Scorecard, n: int = 3) -> list[tuple[str, str]]:
    """The `n` things to study next, as (point, where to read): the missed points in step order,
    one per chapter section so the list sends the reader to different places."""
    picked: list[tuple[str, str]] = []
    seen: set[str] = set()
    for m in card.missed:
        where = m.section or ""
        if where and where in seen:
            continue
        seen.add(where)
        picked.append((m.text, where))
        if len(picked) == n:
            break
    return picked


def render_closing(console: Console, card: Scorecard, session: Session) -> None:
    """The short recap that ends a session, printed last so it stays on screen: the score,
    the three things to study next, and the command for the write-up."""
    head = f"Score {card.score}/100 · coverage {_pct(card.coverage)}"
    if card.time_discipline is not None:
        head += f" · time discipline {_pct(card.time_discipline)}"
    parts: list[Text | Table] = [Text(head, style="bold")]
    todo = study_next(card)
    if todo:
        parts.append(Text("Study next:", style="bold"))
        items = Table.grid(padding=(0, 1))
        items.add_column(justify="right", no_wrap=True)
        items.add_column()
        for i, (point, where) in enumerate(todo, 1):
            line = Text(point)
            if where:
                line.append(f" (read: {where})", style="dim")
            items.add_row(f"  {i}.", line)
        parts.append(items)
    else:
        parts.append(Text("Nothing missed: try another problem, or a shorter interview."))
    parts.append(
        Text.assemble(
            ("Write-up: ", "bold"),
            f"interview-coach summary {session.id}",
            (f"  (or --output session-{session.id}.html for a web page)", "dim"),
        )
    )
    console.print(Panel(Group(*parts), title=f"Saved as session {session.id}: {session.problem_title}", title_align="left"))
