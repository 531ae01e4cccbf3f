"""Rich rendering of problem cards."""

from __future__ import annotations

import re

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from interview_coach.content.models import ProblemCard

DIFFICULTY_STYLE = {"easy": "green", "medium": "yellow", "hard": "red"}
QUESTION_CATEGORIES = {"functional": "Functional", "non_functional": "Non-functional", "scale": "Scale",
                       "out_of_scope": "Out of scope"}


def render_problem_list(console: Console, cards: list[ProblemCard]) -> None:
    if not cards:
        console.print("No problem matches those filters; run interview-coach problems list to see them all.")
        return
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
    out.append(Panel(head, title=card.title, title_align="left"))

    # Questions and answers as indented text under their category: at 80 columns a three-column
    # table squeezed each answer into a third of the width (and cost more to lay out).
    out.append(Text("\nClarifying questions, and the interviewer's answers", style="bold"))
    for category, title in QUESTION_CATEGORIES.items():
        asked = [q for q in card.clarifying_questions if q.category == category]
        if asked:
            out.append(Text(title, style="underline"))
        for q in asked:
            out.append(Padding(Text(q.question, style="bold"), (0, 0, 0, 2)))
            out.append(Padding(Text(q.answer), (0, 0, 0, 4)))

    r = card.requirements
    out.append(Text("\nRequirements", style="bold"))
    for title, items in (("Functional", r.functional), ("Non-functional", r.non_functional), ("Out of scope", r.out_of_scope)):
        out.append(Text(title, style="underline"))
        out.append(Padding(_bullets(items), (0, 0, 0, 2)))

    est = Table(title="Scale and estimation inputs", show_lines=False)
    est.add_column("Input")
    est.add_column("Value")
    for key, value in card.estimation.inputs.items():
        est.add_row(key.replace("_", " "), str(value))
    out.append(Panel(_bullets(card.scale), title="Scale", title_align="left"))
    out.append(est)
    if card.estimation.notes:
        out.append(_bullets(card.estimation.notes))
    out.append(f"Work it through with: interview-coach estimate {card.id}")

    apis = Table(title="APIs")
    apis.add_column("Method")
    apis.add_column("Path")
    apis.add_column("Purpose")
    for api in card.apis:
        apis.add_row(api.method, api.path, api.purpose)
    out.append(apis)

    comps = Table(title="Components", show_lines=True)
    comps.add_column("Component")
    comps.add_column("Role")
    comps.add_column("Talks to")
    names = {c.id: c.name for c in card.components}
    for c in card.components:
        comps.add_row(f"{c.name} ({c.kind})", c.description, ", ".join(names[t] for t in c.connects_to))
    out.append(comps)

    for flow in card.flows:
        text = Text()
        for i, step in enumerate(flow.steps, 1):
            # Sender first, always: a reply is a dashed arrow back, as the data-flow answers write it.
            arrow = "-->" if step.reply else "->"
            text.append(f"{i:>2}. {names[step.source]} {arrow} {names[step.target]}: {step.message}\n")
        out.append(Panel(text, title=f"Flow: {flow.title}", title_align="left"))

    if card.schema_ is not None:
        out.append(Panel(schema_text(card.schema_.definition), title=card.schema_.title, title_align="left"))
        if card.schema_.notes:
            out.append(_bullets(card.schema_.notes))

    for step_id, points in card.key_points.items():
        title = f"Key points — {step_id.replace('_', ' ')}"
        out.append(Panel(_bullets([p.text for p in points]), title=title, title_align="left"))

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
        out.append(Panel(body, title=f"Deep dive: {dive.title}", title_align="left"))

    if card.red_flags:
        flags = Table(title="Red flags (what an interviewer pushes back on)", show_lines=True)
        flags.add_column("Misconception")
        flags.add_column("Why it is wrong")
        for flag in card.red_flags:
            flags.add_row(flag.text, flag.reason)
        out.append(flags)

    trade = Table(title="Trade-offs", show_lines=True)
    trade.add_column("Trade-off")
    trade.add_column("Choice")
    trade.add_column("Gain")
    trade.add_column("Cost")
    for t in card.tradeoffs:
        trade.add_row(t.title, t.choice, t.benefit, t.cost)
    out.append(trade)
    if card.sources:
        out.append(Panel(_bullets(card.sources), title="Sources", title_align="left"))
    console.print(Group(*out))
