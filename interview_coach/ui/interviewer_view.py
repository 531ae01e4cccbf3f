"""Rich rendering of what the interviewer said: replies to clarifying questions (with the card fact
each answered), reactions and chosen follow-ups, and the step-2 buy-in."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from interview_coach.practice.model import InterviewerTurn, Session

KIND_NOTES = {
    "fact": "",
    "design_choice": "your design decision",
    "unknown": "no figure: state an assumption",
    "irrelevant": "does not matter for the design",
    "empty": "",
}


def _after(prompt_id: str) -> str:
    """'dive:delivery:follow_up:2' -> 'delivery, follow-up 2'."""
    parts = prompt_id.split(":")
    if parts[0] == "dive" and len(parts) == 4:
        return f"{parts[1]}, follow-up {parts[3]}"
    return parts[1] if parts[0] == "dive" and len(parts) > 1 else prompt_id


def _because(t: InterviewerTurn) -> str:
    target = (t.target or "").removeprefix("flag:")
    return {
        "red_flag": f"red flag: {target}",
        "named": f"named, not explained: {target}",
        "missing": f"missing: {target}",
        "card": "the card's follow-up; no gap left",
        "closing": "no gap left",
    }.get(t.follow_up_kind or "", t.follow_up_kind or "")


def render_reaction(console: Console, turn: InterviewerTurn | None) -> None:
    if turn is not None and turn.reaction:
        console.print(Text.assemble(("Interviewer: ", "bold"), turn.reaction))


def render_interviewer(console: Console, session: Session) -> None:
    if session.clarifications:
        table = Table(title="Your clarifying questions and the interviewer's replies", show_lines=True)
        table.add_column("You asked")
        table.add_column("Interviewer")
        table.add_column("Card fact")
        for c in session.clarifications:
            fact = c.matched_id or f"none ({KIND_NOTES.get(c.kind, c.kind)})"
            if c.assumption:
                fact += " - your assumption"
            table.add_row(c.question, c.reply, fact)
        console.print(table)
    follow = [t for t in session.turns if t.follow_up]
    if follow:
        table = Table(title="Why the interviewer asked each follow-up", show_lines=True)
        table.add_column("After")
        table.add_column("It said")
        table.add_column("And asked")
        table.add_column("Because")
        for t in follow:
            table.add_row(_after(t.prompt_id), t.reaction, t.follow_up or "", _because(t))
        console.print(table)
    if session.buy_in is not None:
        b = session.buy_in
        reply = b.reply or "(no answer)"
        console.print(Text.assemble(("Buy-in: ", "bold"), b.summary, "\n", ("You: ", "bold"), reply, f"  [{b.verdict}]"))
