"""Rich rendering of the four-step framework."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from interview_coach.content.models import Framework

BAR_WIDTH = 40


def timeline(fw: Framework) -> Table:
    """The steps as bars on one time axis, each spanning its min..max minutes."""
    total_max = sum(s.max_minutes for s in fw.steps)
    table = Table(title=f"{fw.title} — {fw.total_minutes[0]}-{fw.total_minutes[1]} minutes", show_lines=False, expand=False)
    table.add_column("#", justify="right")
    table.add_column("Step")
    table.add_column("Minutes", justify="right")
    table.add_column("Time box")
    start_min = start_max = 0
    for step in fw.steps:
        lo = round(start_min * BAR_WIDTH / total_max)
        solid = max(1, round(step.min_minutes * BAR_WIDTH / total_max))
        extra = round((step.max_minutes - step.min_minutes) * BAR_WIDTH / total_max)
        bar = Text(" " * lo)
        bar.append("█" * solid, style="cyan")
        bar.append("░" * extra, style="cyan")
        minutes = f"{step.min_minutes}" if step.min_minutes == step.max_minutes else f"{step.min_minutes}-{step.max_minutes}"
        table.add_row(str(step.number), step.title, minutes, bar)
        start_min += step.min_minutes
        start_max += step.max_minutes
    return table


def step_panels(fw: Framework) -> list[Panel]:
    panels = []
    for step in fw.steps:
        body = Text()
        body.append("Goal: ", style="bold")
        body.append(step.goal + "\n")
        body.append("Key actions:\n", style="bold")
        for action in step.key_actions:
            body.append(f"  • {action}\n")
        body.append("Good looks like:\n", style="bold")
        for item in step.good_looks_like:
            body.append(f"  ✓ {item}\n")
        body.append("Prompts:\n", style="bold")
        for prompt in step.prompts:
            body.append(f"  ? {prompt.text}\n")
        minutes = f"{step.min_minutes}" if step.min_minutes == step.max_minutes else f"{step.min_minutes}-{step.max_minutes}"
        panels.append(Panel(body, title=f"Step {step.number}: {step.title} ({minutes} min)", title_align="left"))
    return panels


def tradeoff_tables(fw: Framework) -> list[Table]:
    tables = []
    for matrix in fw.tradeoffs:
        table = Table(title=matrix.title, caption=matrix.note, show_lines=True)
        for col in ("Option", "Advantages", "Disadvantages", "Best for"):
            table.add_column(col)
        for opt in matrix.options:
            table.add_row(opt.name, opt.advantages, opt.disadvantages, opt.best_for)
        tables.append(table)
    return tables


def render_framework(console: Console, fw: Framework, parts: list[str]) -> None:
    if "steps" in parts:
        console.print(timeline(fw))
        for panel in step_panels(fw):
            console.print(panel)
    if "clarifying" in parts:
        table = Table(title="Clarifying questions: what to ask about", show_lines=True)
        table.add_column("Category")
        table.add_column("What it covers")
        table.add_column("For example")
        for cat in fw.clarifying_categories:
            table.add_row(cat.title, cat.description, "\n".join(f"• {e}" for e in cat.examples))
        console.print(table)
    if "tradeoffs" in parts:
        for table in tradeoff_tables(fw):
            console.print(table)
    if "pitfalls" in parts:
        table = Table(title="Common pitfalls", show_lines=True)
        table.add_column("#", justify="right")
        table.add_column("Pitfall")
        table.add_column("Why it hurts")
        table.add_column("Instead")
        for i, p in enumerate(fw.pitfalls, 1):
            table.add_row(str(i), p.title, p.description, p.remedy)
        console.print(table)
    if "checklist" in parts:
        lines = Text()
        for item in fw.checklist:
            lines.append(f"☐ {item.question}\n")
        console.print(Panel(lines, title="Summary checklist", title_align="left"))
    if "rubric" in parts:
        for step in fw.steps:
            table = Table(title=f"Rubric — step {step.number}: {step.title}", show_lines=False)
            table.add_column("What the interviewer looks for")
            table.add_column("Shown by words like")
            table.add_column("Competency")
            for point in step.rubric:
                table.add_row(point.text, ", ".join(point.keywords[:6]), (point.competency or "").replace("_", " "))
            console.print(table)
    if "competencies" in parts:
        table = Table(title="Competencies interviewers grade", show_lines=True)
        table.add_column("Competency")
        for level in ("mid", "senior", "staff"):
            table.add_column(level.capitalize())
        for comp in fw.competencies:
            heading = Group(Text(comp.title, style="bold"), Text(comp.description))
            table.add_row(heading, comp.levels["mid"], comp.levels["senior"], comp.levels["staff"])
        console.print(table)
