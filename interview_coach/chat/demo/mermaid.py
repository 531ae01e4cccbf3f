"""A recorded trace as a Mermaid sequence diagram.

Built with the project's one Mermaid builder (`summary/mermaid.py`), which escapes every label
and participant name, so nothing a message says can break the diagram. A note is a Mermaid
note over its actor.
"""

from __future__ import annotations

from collections.abc import Sequence

from interview_coach.chat.design.tracing import TraceEvent


def _key(actor: str) -> str:
    return actor


def trace_to_mermaid(events: Sequence[TraceEvent], title: str | None = None, *, timings: bool = True) -> str:
    from interview_coach.summary.mermaid import Message, SeqNote, sequence

    actors: dict[str, None] = {}
    for e in events:
        actors.setdefault(e.source)
        actors.setdefault(e.target)
    messages: list[Message | SeqNote] = [
        SeqNote(_key(e.source), (f"[{e.t_ms:.2f} ms] " if timings else "") + e.label)
        if e.note
        else Message(_key(e.source), _key(e.target), (f"[{e.t_ms:.2f} ms] " if timings else "") + e.label, reply=e.reply)
        for e in events
    ]
    return sequence([(_key(a), a) for a in actors], messages, title=title)


def markdown(diagrams: Sequence[tuple[str, str]]) -> str:
    """Several (title, mermaid) diagrams as one Markdown document of fenced blocks."""
    parts = []
    for title, diagram in diagrams:
        parts.append(f"## {title}\n\n```mermaid\n{diagram}\n```\n")
    return "\n".join(parts)
