"""The interviewer's part of the practice engine: reactions, follow-ups chosen from the candidate's
gaps, the step-2 buy-in and hints aimed at the question on screen.

A mixin of `PracticeEngine`, kept in its own module so the engine's timing, drafts and commands
and the interviewer's listening can change apart. The decisions are made in
`practice/listening.py`; these methods feed it the session and record what it says.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from interview_coach.content.models import Framework, ProblemCard
from interview_coach.practice import intent, listening
from interview_coach.practice.grading import card_points, grade_step
from interview_coach.practice.model import BuyIn, InterviewerTurn, Session, StepId

if TYPE_CHECKING:
    from interview_coach.practice.engine import Item


class InterviewerFlow:
    session: Session
    card: ProblemCard
    framework: Framework

    if TYPE_CHECKING:

        def total_elapsed(self) -> float: ...

    def _listen(self, item: Item, text: str) -> None:
        """After an answer: record the interviewer's reaction and, in a dive, the next follow-up."""
        s = self.session
        if item.kind == "buy_in":
            summary, parts = listening.buy_in_summary(self.card, self._step_answers(item.step_id, exclude=item.prompt_id))
            verdict = listening.buy_in_verdict(text)
            s.buy_in = BuyIn(summary=summary, parts=parts, reply=text.strip(), verdict=verdict, at_seconds=self.total_elapsed())  # type: ignore[arg-type]
            reaction = listening.buy_in_reaction(verdict)
            turn = InterviewerTurn(
                item_key=item.key,
                step_id=cast(StepId, item.step_id),
                prompt_id=item.prompt_id,
                reaction=reaction,
                at_seconds=self.total_elapsed(),
            )
        else:
            graded = listening.grade_answer(self.card, item.step_id, item.prompt_id, text)
            turn = InterviewerTurn(
                item_key=item.key,
                step_id=cast(StepId, item.step_id),
                prompt_id=item.prompt_id,
                reaction=listening.react(self.card, graded, text),
                at_seconds=self.total_elapsed(),
            )
            if item.dive_id is not None:
                dive = self.card.deep_dive(item.dive_id)
                n = item.follow_up or 0
                if n < len(dive.follow_ups):
                    answers = {
                        a.prompt_id: a.text
                        for a in s.latest_answers("deep_dive").values()
                        if a.prompt_id.startswith(f"dive:{dive.id}")
                    }
                    asked = [
                        t.target
                        for t in s.turns
                        if t.item_key.startswith("deep_dive/")
                        and t.item_key.split("/")[2:3] == [dive.id]
                        and t.item_key != item.key
                    ]
                    chosen = listening.choose_follow_up(self.card, dive.id, answers, asked)
                    turn.follow_up, turn.follow_up_kind, turn.target = chosen.text, chosen.kind, chosen.target
        s.turns = [t for t in s.turns if t.item_key != item.key] + [turn]

    def _chosen_follow_up(self, dive_key: str, n: int) -> str | None:
        """The follow-up chosen after the answer before it (the dive's answer, or follow-up n-1)."""
        before = dive_key if n == 1 else f"{dive_key}/{n - 1}"
        for t in self.session.turns:
            if t.item_key == before:
                return t.follow_up
        return None

    def _buy_in_prompt(self, step_id: str, prompt_id: str) -> str:
        if self.session.buy_in is not None and self.session.buy_in.summary and f"{step_id}/{prompt_id}" in self.session.done:
            return self.session.buy_in.summary
        return listening.buy_in_summary(self.card, self._step_answers(step_id, exclude=prompt_id))[0]

    def _step_answers(self, step_id: str, exclude: str | None = None) -> dict[str, str]:
        return {a.prompt_id: a.text for a in self.session.latest_answers(step_id).values() if a.prompt_id != exclude}

    def turn_for(self, item: Item) -> InterviewerTurn | None:
        """What the interviewer said after the answer to `item` (None before it is answered)."""
        return next((t for t in self.session.turns if t.item_key == item.key), None)

    def _hint_candidates(self, item: Item | None, step_id: str) -> list[tuple[str, str]]:
        """(key, text) of what a hint may reveal for the question on screen, the most relevant first."""
        s = self.session
        if item is not None and item.kind == "clarify":
            asked = {c.matched_id for c in s.clarifications if c.matched_id}
            return [
                (f"clarify.{q.id}", f"Ask about it: {q.question}") for q in self.card.clarifying_questions if q.id not in asked
            ]
        if item is not None and item.kind == "estimate" and item.figure is not None:
            f = item.figure
            return [(f"estimate.{f.name}", f"{f.label}: work it out as {f.formula}")]
        if item is not None and item.dive_id is not None:
            answers = {
                a.prompt_id: a.text
                for a in s.latest_answers("deep_dive").values()
                if a.prompt_id.startswith(f"dive:{item.dive_id}")
            }
            graded = grade_step(self.card, "deep_dive", answers, dives=[item.dive_id])
            levels = {g.point_id: g.level for g in graded.points}
            dive = self.card.deep_dive(item.dive_id)
            keys = [f"{dive.id}.{kp.id}" for kp in dive.key_points]
            texts = {f"{dive.id}.{kp.id}": kp.text for kp in dive.key_points}
            turn = next((t for t in s.turns if item.follow_up and t.follow_up == item.text and t.target in texts), None)
            if turn is not None and turn.target:  # the point this follow-up asks about comes first
                keys.remove(turn.target)
                keys.insert(0, turn.target)
            return [(k, texts[k]) for k in keys if levels.get(k) != "explained"]
        if item is not None and item.kind == "choose_dives":
            return [(f"dive.{d.id}", f"{d.title}: {d.question}") for d in self.card.deep_dives]
        points = card_points(self.card, step_id, s.deep_dives if step_id == "deep_dive" else None)
        answers = self._step_answers(step_id)
        step_grade = grade_step(self.card, step_id, answers) if step_id != "deep_dive" else None
        done = {g.point_id for g in step_grade.points if g.level == "explained"} if step_grade else set()
        ranked = [(p.key, p.point.text) for p in points if p.key not in done]
        if item is not None:
            # Points about the question on screen first: ranked by the words they share with it.
            index = intent.IntentIndex([(k, [t], [], "") for k, t in ranked])
            scores = index.scores(item.text + " " + (item.placeholder or ""))
            ranked.sort(key=lambda kt: -scores.get(kt[0], 0.0))
        return ranked


def interviewer_record(session: Session) -> dict[str, object]:
    """What `practice --json` adds about the interviewer: each clarifying question with the reply
    and the card fact it answered (null when none), the reactions and follow-ups, the buy-in."""
    return {
        "clarifications": [
            {
                "question": c.question,
                "reply": c.reply,
                "fact_id": c.matched_id,
                "also_fact_ids": c.also_ids,
                "kind": c.kind,
                "assumption": c.assumption,
                "confidence": c.confidence,
            }
            for c in session.clarifications
        ],
        "interviewer": [
            {
                "after": t.prompt_id,
                "step": t.step_id,
                "reaction": t.reaction,
                "follow_up": t.follow_up,
                "follow_up_kind": t.follow_up_kind,
                "target": t.target,
            }
            for t in session.turns
        ],
        "buy_in": None if session.buy_in is None else session.buy_in.model_dump(exclude={"at_seconds"}),
    }
