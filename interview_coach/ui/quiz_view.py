"""Rich rendering of the quiz: questions, feedback, the end-of-run report, stats and the bank.

All text from content goes in as `Text`, never as markup, so brackets in a prompt print as typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from interview_coach.quiz.bank import Bank, Question
from interview_coach.quiz.grading import family_spellings, letter, show_answer
from interview_coach.quiz.session import Report, Result
from interview_coach.quiz.stats import QuizStats

TYPE_HINTS = {
    "single": "pick one",
    "multiple": "pick every right answer",
    "true_false": "true or false",
    "numeric": "a number",
    "ordering": "put in order",
}


def duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, sec = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {sec:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def until(seconds: float) -> str:
    """A gap to a due date, as a person says it: 'in 10 minutes', 'in 3 days'."""
    if seconds <= 0:
        return "now"
    for size, name, limit in ((60, "minute", 90), (3600, "hour", 36), (86400, "day", None)):
        amount = max(1, round(seconds / size))
        if limit is None or seconds / size < limit:
            return f"in {amount} {name}{'s' if amount != 1 else ''}"
    raise AssertionError("unreachable")


def header(bank: Bank, total: int, seed: int, mode: str) -> Text:
    text = Text()
    text.append(bank.title, style="bold")
    what = {"review": "review of your misses", "due": "due for review", "resume": "resumed"}.get(mode, "")
    text.append(f" · {total} question{'s' if total != 1 else ''}" + (f" ({what})" if what else ""))
    if mode in ("quiz", "answers"):
        text.append(f" · seed {seed}", style="dim")
    return text


def question_panel(
    question: Question, number: int, total: int, section_title: str, shown: Sequence[str], *, list_options: bool = False
) -> Panel:
    """A question; ordering items are always listed (the answer is typed as their letters),
    other options only when asked (a select prompt lists them itself)."""
    parts: list[RenderableType] = [Text(question.prompt.strip())]
    if question.type == "ordering" or (list_options and question.type in ("single", "multiple")):
        # A grid keeps a long option's wrapped lines indented under its own text.
        grid = Table.grid(padding=(0, 1))
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column(overflow="fold")
        for i, item in enumerate(shown):
            grid.add_row(Text(f"  {letter(i)}.", style="bold"), Text(item))
        parts += [Text(""), grid]
    elif question.type == "numeric" and question.unit:
        others = family_spellings(question.unit)
        also = f" (or {others})" if others else ""
        parts += [Text(""), Text(f"Unit: {question.unit}{also}", style="dim")]
    body = Group(*parts)
    title = Text(f"Question {number} of {total}", style="bold")
    subtitle = Text(f"{section_title} · {question.difficulty} · {TYPE_HINTS[question.type]}", style="dim")
    return Panel(body, title=title, title_align="left", subtitle=subtitle, subtitle_align="left", padding=(0, 1))


def labelled(options: Sequence[str]) -> list[str]:
    """Options as the prompt lists them: 'A. text'."""
    return [f"{letter(i)}. {o}" for i, o in enumerate(options)]


def feedback(result: Result, now: float) -> Group:
    q = result.question
    grade = result.grade
    parts: list[Text] = []
    if grade.correct:
        parts.append(Text("✔ Right.", style="bold green"))
    else:
        line = Text("✘ Wrong.", style="bold red")
        if 0 < grade.credit < 1:
            line = Text(f"✘ Partly right ({grade.credit:.0%} credit).", style="bold yellow")
        parts.append(line)
        parts.append(Text.assemble(("Your answer: ", "bold"), show_answer(q, grade.given)))
        parts.append(Text.assemble(("The answer:  ", "bold"), show_answer(q, grade.expected)))
    parts.append(Text(q.explanation.strip(), style="italic"))
    parts.append(Text(f"Next review {until(result.due - now)}.", style="dim"))
    return Group(*parts, Text(""))


def report_view(report: Report, bank: Bank, questions: dict[str, Question]) -> Group:
    parts: list[RenderableType] = []
    score = Text.assemble(
        ("Score: ", "bold"),
        (f"{report.score}/{report.total}", "bold green" if report.percent >= 70 else "bold yellow"),
        f" ({report.percent:.1f}%)",
        (f" · {report.points:.2f} points with partial credit" if report.points != report.score else "", "dim"),
        f" · time {duration(report.seconds)}" if report.seconds > 0 else "",
        (f" · repeat with --seed {report.seed}", "dim"),
    )
    parts.append(score)
    table = Table(title="By section", title_justify="left", expand=False)
    table.add_column("Section")
    table.add_column("Asked", justify="right")
    table.add_column("Right", justify="right")
    table.add_column("Points", justify="right")
    for s in report.sections:
        table.add_row(s.title, str(s.asked), str(s.correct), f"{s.points:.2f}".rstrip("0").rstrip("."))
    parts.append(table)
    misses = report.misses()
    if misses:
        miss = Table(title="Misses", title_justify="left", expand=False, show_lines=True)
        miss.add_column("Question", overflow="fold")
        miss.add_column("You said", overflow="fold")
        miss.add_column("The answer", overflow="fold")
        for m in misses:
            q = questions[m["id"]]
            miss.add_row(Text(q.label(), style="bold"), show_answer(q, m["given"]), show_answer(q, m["expected"]))
        parts.append(miss)
        parts.append(Text("Ask these again with: interview-coach quiz --review" + bank.selector(), style="dim"))
    else:
        parts.append(Text("No misses.", style="green"))
    return Group(*parts)


def stats_view(stats: QuizStats, now: float) -> Group:
    parts: list[RenderableType] = [
        Text.assemble(
            (stats.title, "bold"),
            f" · {stats.seen}/{stats.questions} questions seen · {stats.attempts} answers · {stats.due} due now"
            f" · mastery {stats.mastery:.0f}%",
        )
    ]
    table = Table(title="Mastery by section", title_justify="left", expand=False)
    table.add_column("Section")
    table.add_column("Seen", justify="right")
    table.add_column("Right", justify="right")
    table.add_column("Due", justify="right")
    table.add_column("Accuracy", justify="right")
    table.add_column("Mastery", no_wrap=True)
    for s in stats.sections:
        table.add_row(
            s.title,
            f"{s.seen}/{s.questions}",
            str(s.last_correct),
            str(s.due),
            f"{s.accuracy:.0f}%" if s.attempts else "–",
            _bar(s.mastery, width=10),
        )
    parts.append(table)
    if stats.trend:
        trend = Table(title=f"Trend over runs {stats.sparkline()}", title_justify="left", expand=False)
        trend.add_column("Run", justify="right")
        trend.add_column("When")
        trend.add_column("Kind")
        trend.add_column("Score", justify="right")
        trend.add_column("", justify="left", no_wrap=True)
        for p in stats.trend[-10:]:
            when = datetime.fromtimestamp(p.started_at).strftime("%Y-%m-%d %H:%M")
            kind = p.mode + ("" if p.finished else " (stopped)")
            trend.add_row(str(p.run_id), when, kind, f"{p.correct}/{p.answered}", _bar(p.percent, width=10))
        parts.append(trend)
    else:
        parts.append(Text("No quiz answers yet. Start with: interview-coach quiz", style="dim"))
    return Group(*parts)


def _bar(percent: float, width: int = 20) -> Text:
    filled = round(percent / 100 * width)
    bar = Text("█" * filled, style="green" if percent >= 70 else "yellow" if percent >= 40 else "red")
    bar.append("░" * (width - filled), style="dim")
    bar.append(f" {percent:3.0f}%")
    return bar


def bank_table(bank: Bank, questions: Sequence[Question]) -> Table:
    table = Table(title=f"{bank.title} ({len(questions)} questions)", title_justify="left", expand=False)
    table.add_column("Id", no_wrap=True)
    table.add_column("Section", no_wrap=True)
    table.add_column("Type")
    table.add_column("Level")
    table.add_column("Prompt", overflow="fold")
    for q in questions:
        table.add_row(q.id, q.section, q.type, q.difficulty, q.prompt.strip())
    return table
