"""The mock interview engine: four timed steps over a problem card, UI-free.

The engine owns a `Session` and changes it only through its methods; each change that records
something the candidate gave (an answer, a question, a figure, a move) is saved at once, in its
own transaction, so a crash loses nothing given. Time is read from an injected `Clock`; the
time of the current step runs from the last save, so a resumed session continues with the
clock as it was saved (pauses, and the time a process was dead, are not counted).

The front end (the terminal UI or a scripted answers file) asks the engine for the next `Item`
of the current step, shows it, and reports back what the candidate did.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Literal, cast

from interview_coach.clock import Clock
from interview_coach.content.models import Framework, ProblemCard
from interview_coach.errors import UsageError
from interview_coach.practice import estimates as est
from interview_coach.practice.interview_flow import InterviewerFlow
from interview_coach.practice.interviewer import Interviewer
from interview_coach.practice.minutes import check_minutes
from interview_coach.practice.model import (
    Answer,
    ClarifyingExchange,
    Draft,
    EstimateEntry,
    HintUsed,
    Scorecard,
    SelfAssessment,
    Session,
    StepTiming,
)
from interview_coach.practice.rubric import rubric_for_step
from interview_coach.practice.store import save_session

WARN_FRACTION = 0.8

ItemKind = Literal["text", "apis", "clarify", "estimate", "choose_dives", "dive", "follow_up", "buy_in"]


def scale_budgets(framework: Framework, minutes: int) -> list[float]:
    """Each step's budget in seconds, summing exactly to `minutes`.

    Within the framework's own range (45-55 minutes for the chapter's 5-10, 10-15, 15-25 and 5)
    every step moves the same fraction of the way from its minimum to its maximum, so 45
    minutes gives 7.5, 12.5, 20 and 5. Outside it, the nearest end of the ranges is scaled in
    proportion, so the steps keep their relative weight.
    """
    lows = [s.min_minutes for s in framework.steps]
    highs = [s.max_minutes for s in framework.steps]
    low, high = sum(lows), sum(highs)
    if minutes <= low:
        raw = [m * minutes / low for m in lows]
    elif minutes >= high or high == low:
        raw = [m * minutes / high for m in highs]
    else:
        t = (minutes - low) / (high - low)
        raw = [lo + t * (hi - lo) for lo, hi in zip(lows, highs, strict=True)]
    seconds = [round(r * 60) for r in raw]
    # Rounding may leave a second or two over or under; the longest step absorbs it.
    seconds[seconds.index(max(seconds))] += minutes * 60 - sum(seconds)
    return [float(s) for s in seconds]


@dataclass(frozen=True)
class Item:
    """One thing the candidate is asked, in one step."""

    key: str  # unique in the session: "scope/clarify", "scope/estimates/peak_write_qps", ...
    step_id: str
    prompt_id: str  # what an Answer to it is recorded under
    kind: ItemKind
    text: str
    placeholder: str | None = None
    group: str | None = None  # the framework prompt the item belongs to (estimates, dives)
    group_text: str | None = None
    dive_id: str | None = None
    follow_up: int | None = None  # 1-based
    figure: est.Figure | None = None


TimerKind = Literal["step_warning", "step_out", "interview_warning", "interview_out"]


@dataclass(frozen=True)
class TimerEvent:
    kind: TimerKind
    step_id: str
    elapsed: float
    budget: float


class PracticeEngine(InterviewerFlow):
    def __init__(
        self,
        session: Session,
        framework: Framework,
        card: ProblemCard,
        clock: Clock,
        conn: sqlite3.Connection | None = None,
    ) -> None:
        self.session = session
        self.framework = framework
        self.card = card
        self.clock = clock
        self.conn = conn
        self.interviewer = Interviewer(card)
        self.figures = est.figures_to_ask(card)
        # The running stretch of the current step starts now: time while no process ran the
        # session (a crash, a closed terminal) is not the candidate's.
        self._since: float | None = None if session.phase == "review" or session.paused else clock.monotonic()
        self._last_save = clock.monotonic()

    # ------------------------------------------------------------ starting and resuming

    @classmethod
    def start(
        cls,
        framework: Framework,
        card: ProblemCard,
        clock: Clock,
        conn: sqlite3.Connection | None = None,
        *,
        minutes: int | None = None,
        timed: bool = True,
        scripted: bool = False,
    ) -> PracticeEngine:
        minutes = check_minutes(minutes)
        budgets = scale_budgets(framework, minutes)
        session = Session(
            problem_id=card.id,
            problem_title=card.title,
            framework_id=framework.id,
            started_at=clock.now(),
            updated_at=clock.now(),
            minutes=minutes,
            timed=timed,
            scripted=scripted,
            steps=[
                StepTiming(step_id=s.id, budget_seconds=b, visits=1 if i == 0 else 0)
                for i, (s, b) in enumerate(zip(framework.steps, budgets, strict=True))
            ],
        )
        engine = cls(session, framework, card, clock, conn)
        engine.save()
        return engine

    @classmethod
    def resume(
        cls, session: Session, framework: Framework, card: ProblemCard, clock: Clock, conn: sqlite3.Connection | None = None
    ) -> PracticeEngine:
        if session.status == "finished":
            raise UsageError(
                f"session {session.id} is already finished",
                "see it with `interview-coach history`, or start a new one with "
                f"`interview-coach practice --problem {session.problem_id}`",
            )
        session.paused = False  # resuming is the candidate saying "go on"
        engine = cls(session, framework, card, clock, conn)
        engine.save()
        return engine

    # ------------------------------------------------------------ saving

    def _fold(self) -> None:
        """Move the running stretch of the current step into its elapsed time."""
        if self._since is not None:
            now = self.clock.monotonic()
            self.session.steps[self.session.step_index].elapsed_seconds += max(0.0, now - self._since)
            self._since = now

    def save(self) -> None:
        self._fold()
        self.session.updated_at = self.clock.now()
        if self.conn is not None:
            save_session(self.conn, self.session)
        self._last_save = self.clock.monotonic()

    def checkpoint(self, every: float = 15.0) -> bool:
        """Save if the last save is older than `every` seconds (keeps the clock safe from a
        crash while someone types a long answer). True when it saved."""
        if self.clock.monotonic() - self._last_save >= every:
            self.save()
            return True
        return False

    # ------------------------------------------------------------ time

    @property
    def step(self):  # -> content.models.Step
        return self.framework.steps[self.session.step_index]

    @property
    def timing(self) -> StepTiming:
        return self.session.steps[self.session.step_index]

    def step_elapsed(self, step_id: str | None = None) -> float:
        index = self.session.step_index if step_id is None else self._index(step_id)
        elapsed = self.session.steps[index].elapsed_seconds
        if index == self.session.step_index and self._since is not None:
            elapsed += max(0.0, self.clock.monotonic() - self._since)
        return elapsed

    def step_remaining(self) -> float:
        return self.timing.budget_seconds - self.step_elapsed()

    def total_elapsed(self) -> float:
        return sum(self.step_elapsed(s.step_id) for s in self.session.steps)

    def total_remaining(self) -> float:
        return self.session.budget_seconds - self.total_elapsed()

    def _index(self, step_id: str) -> int:
        for i, s in enumerate(self.session.steps):
            if s.step_id == step_id:
                return i
        raise KeyError(step_id)

    def poll_events(self) -> list[TimerEvent]:
        """Warnings due now (80% of the step's budget, out of time; the same for the whole
        interview). Each is given once per session, even across resumes."""
        s = self.session
        if not s.timed or s.paused or s.phase != "interview":
            return []
        out: list[TimerEvent] = []
        t = self.timing
        elapsed, budget = self.step_elapsed(), t.budget_seconds
        if kind := _due_warning(elapsed, budget, t.warned_80, t.warned_out):
            t.warned_80, t.warned_out = True, t.warned_out or kind == "out"
            out.append(TimerEvent(cast(TimerKind, f"step_{kind}"), t.step_id, elapsed, budget))
        total, total_budget = self.total_elapsed(), s.budget_seconds
        if kind := _due_warning(total, total_budget, s.warned_total_80, s.warned_total_out):
            s.warned_total_80, s.warned_total_out = True, s.warned_total_out or kind == "out"
            out.append(TimerEvent(cast(TimerKind, f"interview_{kind}"), t.step_id, total, total_budget))
        if out:
            self.save()
        return out

    def pause(self) -> None:
        if not self.session.paused:
            self._fold()
            self._since = None
            self.session.paused = True
            self.save()

    def unpause(self) -> None:
        if self.session.paused:
            self.session.paused = False
            if self.session.phase == "interview":
                self._since = self.clock.monotonic()
            self.save()

    # ------------------------------------------------------------ what to ask

    def items(self, step_id: str | None = None) -> list[Item]:
        step = self.step if step_id is None else self.framework.step(step_id)
        out: list[Item] = []
        for p in step.prompts:
            key = f"{step.id}/{p.id}"
            if p.kind == "estimates":
                for f in self.figures:
                    out.append(
                        Item(
                            f"{key}/{f.name}",
                            step.id,
                            p.id,
                            "estimate",
                            f"{f.label} ({f.unit})",
                            group=p.id,
                            group_text=p.text,
                            figure=f,
                        )
                    )
            elif p.kind == "deep_dives":
                out.append(Item(key, step.id, p.id, "choose_dives", p.text, group=p.id, group_text=p.text))
                for dive_id in self.session.deep_dives:
                    dive = self.card.deep_dive(dive_id)
                    out.append(
                        Item(
                            f"{key}/{dive.id}",
                            step.id,
                            f"dive:{dive.id}",
                            "dive",
                            dive.question,
                            group=p.id,
                            group_text=dive.title,
                            dive_id=dive.id,
                        )
                    )
                    for n, question in enumerate(dive.follow_ups, 1):
                        question = self._chosen_follow_up(f"{key}/{dive.id}", n) or question
                        out.append(
                            Item(
                                f"{key}/{dive.id}/{n}",
                                step.id,
                                f"dive:{dive.id}:follow_up:{n}",
                                "follow_up",
                                question,
                                group=p.id,
                                group_text=dive.title,
                                dive_id=dive.id,
                                follow_up=n,
                            )
                        )
            elif p.kind == "buy_in":
                out.append(Item(key, step.id, p.id, "buy_in", self._buy_in_prompt(step.id, p.id), p.placeholder))
            else:
                out.append(Item(key, step.id, p.id, p.kind, p.text, p.placeholder))
        return out

    def pending(self, step_id: str | None = None) -> list[Item]:
        done = set(self.session.done)
        return [i for i in self.items(step_id) if i.key not in done]

    def current_item(self) -> Item | None:
        """The next thing to ask in the current step; None when the step is complete."""
        if self.session.phase != "interview":
            return None
        pending = self.pending()
        return pending[0] if pending else None

    def previous_text(self, item: Item) -> str:
        """What to pre-fill a prompt with: an unsent draft, else the last answer given."""
        if self._is_draft_of(item):
            return self.session.draft.text  # type: ignore[union-attr]
        if item.kind == "estimate" and item.figure is not None:
            for e in self.session.estimates:
                if e.name == item.figure.name:
                    return e.candidate
            return ""
        a = self.session.answer_for(item.step_id, item.prompt_id)
        return a.text if a else ""

    # ------------------------------------------------------------ recording what was given

    def _mark_done(self, item: Item) -> None:
        if item.key not in self.session.done:
            self.session.done.append(item.key)
        if self._is_draft_of(item):
            self.session.draft = None

    def _is_draft_of(self, item: Item) -> bool:
        d = self.session.draft
        if d is None:
            return False
        return d.item_key == item.key if d.item_key else (d.step_id, d.prompt_id) == (item.step_id, item.prompt_id)

    def answer(self, item: Item, text: str) -> Answer | None:
        """Record an answer (a blank one only completes the item) and save."""
        self._fold()
        recorded = None
        text = text.rstrip()
        last = self.session.answer_for(item.step_id, item.prompt_id)
        if text.strip() and (last is None or last.text != text):
            recorded = Answer(
                step_id=item.step_id,  # type: ignore[arg-type]
                prompt_id=item.prompt_id,
                text=text,
                at_seconds=self.total_elapsed(),
                at_wall=self.clock.now(),
            )
            self.session.answers.append(recorded)
        self._listen(item, text)
        self._mark_done(item)
        self.save()
        return recorded

    def ask_interviewer(self, question: str) -> ClarifyingExchange:
        reply = self.interviewer.reply(question)
        exchange = ClarifyingExchange(
            question=question.strip(),
            matched_id=reply.matched_id,
            reply=reply.text,
            at_seconds=self.total_elapsed(),
            kind=reply.kind,
            confidence=reply.score,
            assumption=reply.assumption,
            also_ids=list(reply.also),
        )
        if question.strip():
            self.session.clarifications.append(exchange)
            self.save()
        return exchange

    def complete(self, item: Item) -> None:
        """Mark an item finished without an answer (the end of the clarifying questions)."""
        self._mark_done(item)
        self.save()

    def record_estimate(self, item: Item, text: str) -> EstimateEntry:
        figure = item.figure
        if figure is None:
            raise ValueError(f"{item.key} is not an estimate")
        value, factor, verdict = est.grade(text, figure) if text.strip() else (None, None, None)
        entry = EstimateEntry(
            name=figure.name,
            label=figure.label,
            candidate=text.strip(),
            candidate_value=value,
            exact=figure.value,
            unit=figure.unit,
            exact_text=figure.rounded,
            formula=figure.formula,
            factor=factor if factor is None or factor != float("inf") else None,
            grade=verdict,
            at_seconds=self.total_elapsed(),
        )
        self.session.estimates = [e for e in self.session.estimates if e.name != figure.name] + [entry]
        self._mark_done(item)
        self.save()
        return entry

    def choose_dives(self, item: Item, dive_ids: list[str]) -> list[str]:
        known = [d.id for d in self.card.deep_dives]
        for d in dive_ids:
            if d not in known:
                raise UsageError(f"unknown deep dive {d!r} for {self.card.id}", f"choose from {', '.join(known)}")
        self.session.deep_dives = list(dict.fromkeys(dive_ids))
        self._mark_done(item)
        self.save()
        return self.session.deep_dives

    # ------------------------------------------------------------ drafts (typed or ticked, not sent)

    def save_draft(self, item: Item, text: str) -> None:
        """Keep text typed but not sent (Ctrl-C, a closed terminal) to pre-fill on resume.
        Emptied text drops the item's old draft: what is kept is what was on screen."""
        if text.strip():
            self.session.draft = Draft(step_id=item.step_id, prompt_id=item.prompt_id, text=text, item_key=item.key)  # type: ignore[arg-type]
        elif self._is_draft_of(item):
            self.session.draft = None
        self.save()

    def drop_draft(self, item: Item) -> None:
        """The item's draft was sent (a clarifying question asked): nothing is left unsent.
        Not saved here; the change that sends it saves."""
        if self._is_draft_of(item):
            self.session.draft = None

    def save_choice_draft(self, key: str, step_id: str, ids: list[str]) -> None:
        """Keep the options ticked in a picker (deep dives, a step's self-assessment) but not
        confirmed, to tick them again on resume. `key` names the picker."""
        self.session.draft = Draft(step_id=step_id, prompt_id="choice", text="\n".join(ids), item_key=key)  # type: ignore[arg-type]
        self.save()

    def choice_draft(self, key: str) -> list[str] | None:
        """The ticks kept for picker `key`, or None when there are none."""
        d = self.session.draft
        if d is None or d.item_key != key:
            return None
        return [line for line in d.text.splitlines() if line.strip()]

    # ------------------------------------------------------------ moving between questions

    def keep_answer(self, item: Item, text: str) -> None:
        """Record what was typed with a /back, leaving the item open: the candidate comes back
        to it, with this text in it, after the question before."""
        self.answer(item, text)
        if item.key in self.session.done:
            self.session.done.remove(item.key)
            self.save()

    def back_one(self, item: Item) -> bool:
        """/back: re-open the question before `item` in its step; from a step's first question,
        go to the previous step at its last question. False at the interview's first question."""
        if self.session.phase != "interview":
            return False
        keys = [i.key for i in self.items()]
        at = keys.index(item.key) if item.key in keys else 0
        if at > 0:
            previous = keys[at - 1]
        elif self.session.step_index > 0:
            self._enter(self.session.step_index - 1)
            earlier = self.items()
            if not earlier:
                self.save()
                return True
            previous = earlier[-1].key
        else:
            return False
        self.session.done = [k for k in self.session.done if k != previous]
        self.save()
        return True

    # ------------------------------------------------------------ hints

    def hint(self, item: Item | None = None) -> HintUsed | None:
        """Reveal, for the question on screen (`item`, else the current one), the next key point of
        the reference answer the candidate has neither been shown nor covered; counted. None when
        nothing is left to reveal."""
        item = item if item is not None else self.current_item()
        step_id = self.step.id if item is None else item.step_id
        shown = {h.key_point_id for h in self.session.hints}
        for key, text in self._hint_candidates(item, step_id):
            if key in shown:
                continue
            hint = HintUsed(step_id=step_id, key_point_id=key, text=text, at_seconds=self.total_elapsed())  # type: ignore[arg-type]
            self.session.hints.append(hint)
            self.save()
            return hint
        return None

    def hints_used(self, step_id: str | None = None) -> int:
        return sum(1 for h in self.session.hints if step_id is None or h.step_id == step_id)

    # ------------------------------------------------------------ moves

    def _enter(self, index: int) -> None:
        self._fold()
        self.session.step_index = index
        self.session.steps[index].visits += 1
        if self._since is None and not self.session.paused:
            self._since = self.clock.monotonic()

    def next_step(self) -> bool:
        """Go on to the next step; at the last one, end the interview. True if a step follows."""
        if self.session.phase != "interview":
            return False
        if self.session.step_index + 1 < len(self.session.steps):
            self._enter(self.session.step_index + 1)
            self.save()
            return True
        self.end_interview()
        return False

    def back(self) -> bool:
        """Return to the previous step, re-opening its prompts (answers kept as defaults)."""
        if self.session.phase != "interview" or self.session.step_index == 0:
            return False
        self._enter(self.session.step_index - 1)
        prefix = self.step.id + "/"
        self.session.done = [k for k in self.session.done if not k.startswith(prefix)]
        self.save()
        return True

    def skip(self) -> bool:
        """Leave the current step as it is and go on; it is marked skipped."""
        self.timing.skipped = True
        return self.next_step()

    def end_interview(self) -> None:
        """Stop the clock; what follows is the review (self-assessment, score card)."""
        self._fold()
        self._since = None
        self.session.phase = "review"
        self.session.paused = False
        self.save()

    # ------------------------------------------------------------ the review

    def self_assess(self, ratings: dict[str, str]) -> None:
        """Record the candidate's verdicts on rubric items (qualified id -> "yes" or "no")."""
        by_id = {a.key_point_id: a for a in self.session.self_assessments}
        steps = {
            rp.key: rp.step_id
            for s in self.framework.steps
            for rp in rubric_for_step(self.framework, self.card, s.id, self.session.deep_dives)
        }
        for key, rating in ratings.items():
            if key not in steps:
                raise UsageError(
                    f"self-assessment: unknown rubric item {key!r}", "use the ids printed by --template or the score card"
                )
            if rating not in ("yes", "no"):
                raise UsageError(f"self-assessment: {key}: {rating!r} is not yes or no", "write yes or no")
            by_id[key] = SelfAssessment(step_id=steps[key], key_point_id=key, rating=rating)  # type: ignore[arg-type]
        self.session.self_assessments = list(by_id.values())
        self.save()

    def finish(self) -> Scorecard:
        from interview_coach.practice.feedback import build_scorecard

        if self.session.phase != "review":
            self.end_interview()
        card = build_scorecard(self.session, self.framework, self.card)
        self.session.scorecard = card
        self.session.status = "finished"
        self.session.finished_at = self.clock.now()
        self.session.draft = None
        self.save()
        return card


def _due_warning(used: float, budget: float, warned_80: bool, warned_out: bool) -> str | None:
    """The warning a budget is due for: "out" once it is spent, "warning" at 80%, each given once
    (the flags say what was given already); None when nothing is due."""
    if used >= budget and not warned_out:
        return "out"
    if used >= WARN_FRACTION * budget and not warned_80:
        return "warning"
    return None
