"""The candidate's answers beside the card's reference answer, step by step.

Shown only once a session has ended (the reference would give the game away). Plain data, so
the terminal view and the summaries render the same comparison.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from interview_coach.content.models import Framework, ProblemCard
from interview_coach.practice.model import Session


@dataclass
class Block:
    title: str
    lines: list[str] = field(default_factory=list)


@dataclass
class StepComparison:
    step_id: str
    number: int
    title: str
    candidate: list[Block]
    reference: list[Block]


def _prompt_titles(framework: Framework, card: ProblemCard) -> dict[tuple[str, str], str]:
    titles: dict[tuple[str, str], str] = {}
    for step in framework.steps:
        for p in step.prompts:
            titles[(step.id, p.id)] = p.text.split(" - ")[0].rstrip(".")
    for d in card.deep_dives:
        titles[("deep_dive", f"dive:{d.id}")] = d.title
        for n, q in enumerate(d.follow_ups, 1):
            titles[("deep_dive", f"dive:{d.id}:follow_up:{n}")] = q
    return titles


def candidate_blocks(session: Session, framework: Framework, card: ProblemCard, step_id: str) -> list[Block]:
    titles = _prompt_titles(framework, card)
    # A follow-up's title is the question the interviewer chose to ask, not the card's default.
    for t in session.turns:
        parts = t.item_key.split("/")  # deep_dive/<prompt>/<dive>[/<follow-up n>]
        if t.follow_up and t.step_id == "deep_dive" and len(parts) in (3, 4):
            n = int(parts[3]) + 1 if len(parts) == 4 else 1
            titles[("deep_dive", f"dive:{parts[2]}:follow_up:{n}")] = t.follow_up
    blocks: list[Block] = []
    if step_id == "scope" and session.clarifications:
        blocks.append(Block("Your clarifying questions", [f"Q: {c.question}  ->  {c.reply}" for c in session.clarifications]))
    for (s, prompt_id), answer in session.latest_answers(step_id).items():
        blocks.append(Block(titles.get((s, prompt_id), prompt_id), answer.text.splitlines() or [""]))
    if step_id == "scope" and session.estimates:
        lines = []
        for e in session.estimates:
            if not e.candidate:
                continue
            verdict = (
                f"{e.grade}, factor {e.factor:.1f} from {e.exact_text}"
                if e.factor is not None and e.grade
                else "could not read it"
            )
            lines.append(f"{e.label}: {e.candidate} ({verdict})")
        if lines:
            blocks.append(Block("Your estimates", lines))
    return blocks


def reference_blocks(session: Session, card: ProblemCard, step_id: str) -> list[Block]:
    if step_id == "scope":
        from interview_coach.practice.estimates import figures_to_ask

        r = card.requirements
        return [
            Block("Clarifying questions", [f"Q: {q.question}  ->  {q.answer.strip()}" for q in card.clarifying_questions]),
            Block("Functional", list(r.functional)),
            Block("Non-functional", list(r.non_functional)),
            Block("Out of scope", list(r.out_of_scope)),
            Block("Scale", list(card.scale)),
            Block(
                "Estimates",
                [f"{f.label}: {f.rounded}   ({f.formula})" for f in figures_to_ask(card)] + list(card.estimation.notes),
            ),
        ]
    if step_id == "high_level":
        names = {c.id: c.name for c in card.components}
        blocks = [
            Block("APIs", [f"{a.method} {a.path} - {a.purpose}" for a in card.apis]),
            Block("Components", [f"{c.name}: {c.description}" for c in card.components]),
        ]
        for flow in card.flows:
            blocks.append(
                Block(
                    f"Flow: {flow.title}",
                    [
                        f"{names.get(s.source, s.source)} {'<-' if s.reply else '->'} "
                        f"{names.get(s.target, s.target)}: {s.message}"
                        for s in flow.steps
                    ],
                )
            )
        return blocks
    if step_id == "deep_dive":
        chosen = session.deep_dives or [d.id for d in card.deep_dives]
        blocks = []
        for dive_id in chosen:
            d = card.deep_dive(dive_id)
            blocks.append(Block(d.title, [kp.text for kp in d.key_points] + [f"Follow-up: {q}" for q in d.follow_ups]))
        if card.schema_ is not None:
            blocks.append(Block(card.schema_.title, card.schema_.definition.rstrip().splitlines() + list(card.schema_.notes)))
        others = [d.title for d in card.deep_dives if d.id not in chosen]
        if others:
            blocks.append(Block("Other dives on this card", others))
        return blocks
    # wrap_up
    blocks = [Block(t.title, [f"Chose: {t.choice}", f"Gains: {t.benefit}", f"Costs: {t.cost}"]) for t in card.tradeoffs]
    points = card.key_points.get("wrap_up", [])
    if points:
        blocks.insert(0, Block("What to say", [kp.text for kp in points]))
    return blocks


def compare_steps(session: Session, framework: Framework, card: ProblemCard) -> list[StepComparison]:
    return [
        StepComparison(
            step_id=step.id,
            number=step.number,
            title=step.title,
            candidate=candidate_blocks(session, framework, card, step.id),
            reference=reference_blocks(session, card, step.id),
        )
        for step in framework.steps
    ]
