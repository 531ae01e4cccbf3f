"""Rich rendering of problem cards."""

from __future__ import annotations

import re

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.text import Text

from interview_coach.content.models import ProblemCard

DIFFICULTY_STYLE = {"easy": "green", "medium": "yellow", "hard": "red"}
QUESTION_CATEGORIES = {"functional": "Functional", "non_functional": "Non-functional", "scale": "Scale",
                       "out_of_scope": "Out of scope"}


def render_problem_list(console: Console, cards: list[ProblemCard]) -> None:
    if not cards:
        console.print("No problem matches those filters; run interview-coach problems list to see them all.")
        return
    from rich.table import Table  # here: showing one card needs no table (nor its imports)

    table = Table(title="Problems")
    # At 80 columns the id and the longest topic ("concurrency-control,") fit whole; the title wraps.
    table.add_column("id", style="bold", no_wrap=True)
    table.add_column("Title", min_width=10)
    table.add_column("Level", no_wrap=True)
    table.add_column("Topics", min_width=20)
    for card in cards:
        title = card.title + (" (reference)" if card.reference else "")
        level = card.difficulty or "-"
        table.add_row(card.id, title, Text(level, style=DIFFICULTY_STYLE.get(level, "")), ", ".join(card.topics) or "-")
    console.print(table)
    console.print("Show one with: interview-coach problems show ID")
    console.print("Filter with: --topic TOPIC, --difficulty easy|medium|hard")


# The words that carry a table definition (SQL and CQL alike), picked out in bold: enough to read
# a ten-line schema at a glance, without a full lexer's start-up cost on every `problems show`.
SCHEMA_WORDS = re.compile(
    r"\b(CREATE|TABLE|PRIMARY|KEY|INDEX|UNIQUE|NOT|NULL|DEFAULT|REFERENCES|WITH|CLUSTERING|ORDER|BY|ON|"
    r"ASC|DESC|IF|EXISTS|PARTITION|CONSTRAINT|FOREIGN)\b",
    re.IGNORECASE,
)


def schema_text(definition: str) -> Text:
    """A schema definition with its keywords in bold and `--` comments dimmed."""
    text = Text(definition.rstrip())
    text.highlight_regex(SCHEMA_WORDS, "bold cyan")
    text.highlight_regex(r"--[^\n]*", "dim")
    return text


def _heading(title: str) -> Text:
    return Text(f"\n{title}", style="bold")


def _indent(body: RenderableType, by: int = 2) -> Padding:
    return Padding(body, (0, 0, 0, by))


def _bullets(items: list[str]) -> Text:
    text = Text()
    for i, item in enumerate(items):
        text.append(("\n" if i else "") + f"• {item}")
    return text


def render_problem(console: Console, card: ProblemCard) -> None:
    # Laid out as one group and printed once: the same text as printing each part, a good deal faster.
    out: list[RenderableType] = []
    head = Text(f"{card.prompt}\n\n{card.summary}")
    if card.difficulty or card.topics:
        head.append(f"\n\nDifficulty: {card.difficulty or '-'}   Topics: {', '.join(card.topics) or '-'}", style="dim")
    out.append(Panel(head, title=Text(card.title), title_align="left"))  # Text: a title is not markup

    # Questions and answers as indented text under their category: at 80 columns a three-column
    # table squeezed each answer into a third of the width (and cost more to lay out).
    out.append(Text("\nClarifying questions, and the interviewer's answers", style="bold"))
    for category, title in QUESTION_CATEGORIES.items():
        asked = [q for q in card.clarifying_questions if q.category == category]
        if asked:
            out.append(Text(title, style="underline"))
        for q in asked:
            out.append(_indent(Text(q.question, style="bold"), 2))
            out.append(_indent(Text(q.answer), 4))

    r = card.requirements
    out.append(Text("\nRequirements", style="bold"))
    for title, items in (("Functional", r.functional), ("Non-functional", r.non_functional), ("Out of scope", r.out_of_scope)):
        out.append(Text(title, style="underline"))
        out.append(_indent(_bullets(items)))

    out.append(_heading("Scale"))
    out.append(_indent(_bullets(card.scale)))
    out.append(_heading("Estimation inputs"))
    inputs = card.estimation.inputs
    name_width = max((len(key) for key in inputs), default=0) + 2
    out.append(_indent(Text("\n".join(f"{key.replace('_', ' '):<{name_width}}{value}" for key, value in inputs.items()))))
    if card.estimation.notes:
        out.append(_bullets(card.estimation.notes))
    out.append(f"Work it through with: interview-coach estimate {card.id}")

    # From here on, titled blocks of indented text rather than tables and boxes: each line gets
    # the terminal's whole width (a table cut long API paths short and left each cell of a
    # four-column table a fifth of 80 columns).
    out.append(_heading("APIs"))
    for api in card.apis:
        call = Text(f"  {api.method} ", style="bold")
        call.append(api.path, style="bold cyan")
        out.append(call)
        out.append(_indent(Text(api.purpose), 4))

    names = {c.id: c.name for c in card.components}
    out.append(_heading("Components"))
    for c in card.components:
        line = Text(f"  {c.name}", style="bold")
        line.append(f" ({c.kind})", style="dim")
        out.append(line)
        about = Text(c.description)
        if c.connects_to:
            about.append("\ntalks to: " + ", ".join(names[t] for t in c.connects_to), style="dim")
        out.append(_indent(about, 4))

    for flow in card.flows:
        text = Text()
        for i, step in enumerate(flow.steps, 1):
            # Sender first, always: a reply is a dashed arrow back, as the data-flow answers write it.
            arrow = "-->" if step.reply else "->"
            text.append(f"{i:>2}. {names[step.source]} {arrow} {names[step.target]}: {step.message}\n")
        text.rstrip()
        out.append(_heading(f"Flow: {flow.title}"))
        out.append(_indent(text))

    if card.schema_ is not None:
        out.append(_heading(f"Schema: {card.schema_.title}"))
        out.append(_indent(schema_text(card.schema_.definition)))
        if card.schema_.notes:
            out.append(_bullets(card.schema_.notes))

    for step_id, points in card.key_points.items():
        out.append(_heading(f"Key points — {step_id.replace('_', ' ')}"))
        out.append(_indent(_bullets([p.text for p in points])))

    for dive in card.deep_dives:
        body = Text()
        body.append(dive.question + "\n", style="italic")
        body.append("Key points:\n", style="bold")
        for p in dive.key_points:
            body.append(f"  • {p.text}\n")
        body.append("Follow-ups:\n", style="bold")
        for follow_up in dive.follow_ups:
            body.append(f"  ? {follow_up}\n")
        if dive.section:
            body.append(f"Read: {dive.section}", style="dim")
        body.rstrip()
        out.append(_heading(f"Deep dive: {dive.title}"))
        out.append(_indent(body))

    if card.red_flags:
        out.append(_heading("Red flags (what an interviewer pushes back on)"))
        for flag in card.red_flags:
            out.append(_indent(Text("✗ " + flag.text, style="bold")))
            out.append(_indent(Text(flag.reason), 6))

    out.append(_heading("Trade-offs"))
    for t in card.tradeoffs:
        out.append(_indent(Text(t.title, style="bold")))
        choice = Text("choice: ", style="dim")
        choice.append(t.choice)
        choice.append("\ngain: ", style="dim")
        choice.append(t.benefit)
        choice.append("\ncost: ", style="dim")
        choice.append(t.cost)
        out.append(_indent(choice, 4))
    if card.sources:
        out.append(_heading("Sources"))
        out.append(_indent(_bullets(card.sources)))
    console.print(Group(*out))
