"""The score card's evidence: for each rubric point, the level it reached and the candidate's own
sentence that earned it (or what to add), and the red flags an interviewer would push back on."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from interview_coach.practice.model import Scorecard

MARKS = {
    "explained": ("explained", "green"),
    "named": ("named", "yellow"),
    "contradicted": ("contradicted", "red"),
    "missing": ("missing", "dim"),
}
QUOTE_CHARS = 160


def _quote(text: str | None) -> str:
    if not text:
        return ""
    one = " ".join(text.split())
    return f"“{one[: QUOTE_CHARS - 1]}…”" if len(one) > QUOTE_CHARS else f"“{one}”"


def render_evidence(console: Console, card: Scorecard) -> None:
    table = Table(title="What each point was graded on (see docs/scoring.md)", show_lines=True, expand=True)
    table.add_column("Step", no_wrap=True)
    table.add_column("Level", no_wrap=True)
    table.add_column("Point", ratio=2)
    table.add_column("Your words, or what to add", ratio=3)
    for step in card.steps:
        for r in [*step.matched, *step.missed]:
            label, style = MARKS.get(r.level, (r.level, ""))
            if r.level == "explained":
                said = _quote(r.quote)
            elif r.level == "named":
                said = f"{_quote(r.quote)}\nAdd: {r.advice}" if r.advice else _quote(r.quote)
            elif r.level == "contradicted":
                said = f"{_quote(r.quote)}\nThe chapter: {r.text}"
            else:
                said = ""
            if r.hinted:
                label += " (hint)"
            table.add_row(str(step.number), Text(label, style=style), r.text, said)
    console.print(table)
    if card.red_flags:
        flags = Table(title="Red flags an interviewer would push back on", show_lines=True, expand=True)
        flags.add_column("You said", ratio=1)
        flags.add_column("Why it is a problem", ratio=1)
        for f in card.red_flags:
            flags.add_row(_quote(f.quote), f"{f.text} {f.reason}")
        console.print(flags)
