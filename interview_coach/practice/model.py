"""The record of one mock interview, as saved after every answer and rendered by summaries.

A `Session` is the whole truth about an interview: where the candidate is, how long each step
has taken, everything they typed, and (once finished) the `Scorecard`. It is stored as JSON in
the user's database (`practice/store.py`), so every field here must stay JSON-friendly and new
fields need defaults (old sessions must still load).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

StepId = Literal["scope", "high_level", "deep_dive", "wrap_up"]
Level = Literal["mid", "senior", "staff"]
Rating = Literal["yes", "no"]


class Record(BaseModel):
    # Unknown fields are ignored on load so a newer database still opens in an older coach.
    model_config = ConfigDict(extra="ignore")


class StepTiming(Record):
    """Time budget and time spent in one step. Seconds are interview time (pauses excluded)."""

    step_id: StepId
    budget_seconds: float
    elapsed_seconds: float = 0.0
    visits: int = 0  # how many times the candidate entered the step (back/next moves)
    skipped: bool = False
    warned_80: bool = False  # the 80% warning was given (never twice, even across resumes)
    warned_out: bool = False  # the out-of-time warning was given

    @property
    def overrun_seconds(self) -> float:
        return max(0.0, self.elapsed_seconds - self.budget_seconds)

    @property
    def remaining_seconds(self) -> float:
        return self.budget_seconds - self.elapsed_seconds


class Answer(Record):
    """One answer to one prompt. A later answer to the same `prompt_id` supersedes it."""

    step_id: StepId
    prompt_id: str  # the framework prompt id, or `dive:<id>` / `dive:<id>:follow_up:<n>`
    text: str
    at_seconds: float  # interview time when it was given
    at_wall: float = 0.0  # wall-clock seconds since the epoch


class ClarifyingExchange(Record):
    """A clarifying question the candidate asked and what the interviewer replied."""

    question: str
    matched_id: str | None  # the card's clarifying question it matched, or None
    reply: str
    at_seconds: float
    # "fact" (matched_id answered it), "design_choice", "unknown" (no figure: state an
    # assumption) or "irrelevant" (does not matter for the design).
    kind: str = "fact"
    confidence: float = 0.0  # the intent match's score
    assumption: bool = False  # the card marks its reply as the candidate's own assumption
    also_ids: list[str] = Field(default_factory=list)  # facts a compound question also got


class InterviewerTurn(Record):
    """What the interviewer said after one answer: a one-line reaction, and for a deep dive the
    follow-up it chose for the next question, with why it chose it."""

    item_key: str  # the engine item answered ("deep_dive/deep_dives/delivery", ...)
    step_id: StepId
    prompt_id: str
    reaction: str
    follow_up: str | None = None  # the question asked next (deep dives)
    # "red_flag" (challenges a misconception), "named" (a point named but not explained),
    # "missing" (a point not covered), "card" (the card's own follow-up, when no gap is left)
    follow_up_kind: str | None = None
    target: str | None = None  # the rubric point or red flag id it is about
    at_seconds: float = 0.0


class BuyIn(Record):
    """The end of step 2: the interviewer sums up the proposed design and asks for agreement."""

    summary: str  # what the interviewer said
    parts: list[str] = Field(default_factory=list)  # the design's parts it named
    reply: str = ""  # the candidate's answer
    verdict: Literal["agreed", "concerns", "unclear", "none"] = "none"
    at_seconds: float = 0.0


class EstimateEntry(Record):
    """The candidate's figure for one estimate, beside the calculator's."""

    name: str
    label: str = ""
    candidate: str  # as typed, e.g. "60K"
    candidate_value: float | None = None  # None when it could not be read as a number
    exact: float | None = None
    unit: str = ""
    exact_text: str = ""  # the calculator's figure, formatted
    formula: str = ""
    factor: float | None = None  # how far off, >= 1 (2.0 = within a factor of two)
    grade: str | None = None
    at_seconds: float = 0.0


class HintUsed(Record):
    step_id: StepId
    key_point_id: str
    text: str
    at_seconds: float


class SelfAssessment(Record):
    """The candidate's own verdict on a rubric item the keyword check did not find (or did)."""

    step_id: StepId
    key_point_id: str
    rating: Rating


class Draft(Record):
    """Text typed but not yet submitted when the session stopped (Ctrl-C, closed terminal)."""

    step_id: StepId
    prompt_id: str
    text: str
    item_key: str = ""  # the engine's item it was typed in (several estimates share a prompt id)


# ---------------------------------------------------------------- the score card


class KeyPointResult(Record):
    id: str
    text: str
    step_id: StepId
    source: str  # "framework", "card", "tradeoff" or "dive:<id>"
    section: str | None = None  # where in the chapter to read about it
    competency: str | None = None
    covered: bool = False  # found by the keyword check
    matched_keywords: list[str] = Field(default_factory=list)
    hinted: bool = False
    self_rating: Rating | None = None
    credit: float = 0.0  # by evidence level (see grading.CREDIT), halved after a hint
    # The evidence (older sessions have none): "explained", "named", "missing" or "contradicted";
    # the candidate's sentence that earned (or contradicted) it, the concept and the reason found
    # in it, what to add, and the answer field it came from.
    level: str = "missing"
    quote: str | None = None
    concept: str | None = None
    cue: str | None = None
    advice: str | None = None
    field: str | None = None


class RedFlagResult(Record):
    """A misconception found in an answer, with the chapter's reason against it."""

    id: str
    text: str
    quote: str
    reason: str
    field: str | None = None


class StepScore(Record):
    step_id: StepId
    number: int
    title: str
    coverage: float  # 0..1: credit over key points
    matched: list[KeyPointResult] = Field(default_factory=list)
    missed: list[KeyPointResult] = Field(default_factory=list)
    budget_seconds: float
    elapsed_seconds: float
    overrun_seconds: float
    time_score: float  # 0..1
    time_note: str  # "on time", "over by 2:10", "skipped", ...
    hints: int = 0
    answered: int = 0  # prompts answered in the step
    skipped: bool = False
    red_flags: list[RedFlagResult] = Field(default_factory=list)


class CompetencyScore(Record):
    id: str
    title: str
    score: float  # 0..1
    level: Level | None  # None: not yet at the mid level
    description: str  # what the reached level looks like (or the mid level when not reached)
    next_level: Level | None = None
    next_description: str | None = None


class Scorecard(Record):
    score: int  # 0..100
    coverage: float  # 0..1 over all key points
    time_discipline: float | None  # 0..1; None for untimed sessions
    hints_used: int
    steps: list[StepScore]
    competencies: list[CompetencyScore]
    missed: list[KeyPointResult] = Field(default_factory=list)  # every missed point, in step order
    red_flags: list[RedFlagResult] = Field(default_factory=list)  # every red flag, in step order


# ---------------------------------------------------------------- the session


class Session(Record):
    id: int = 0  # assigned by the store on first save
    problem_id: str
    problem_title: str = ""
    framework_id: str = "four_step"
    started_at: float  # wall-clock seconds since the epoch
    updated_at: float = 0.0
    finished_at: float | None = None
    minutes: int
    timed: bool = True  # False with --no-timer: no warnings, time not scored
    scripted: bool = False  # run from an --answers file with a simulated clock
    status: Literal["in_progress", "finished"] = "in_progress"
    # "interview" while the steps run; "review" once they are over and the candidate is
    # rating the rubric (the clock has stopped); a resumed review goes straight there.
    phase: Literal["interview", "review"] = "interview"
    paused: bool = False
    warned_total_80: bool = False  # 80% of the whole interview's time used
    warned_total_out: bool = False
    step_index: int = 0  # the current step
    steps: list[StepTiming]
    done: list[str] = Field(default_factory=list)  # item keys finished ("scope/clarify", ...)
    answers: list[Answer] = Field(default_factory=list)
    clarifications: list[ClarifyingExchange] = Field(default_factory=list)
    turns: list[InterviewerTurn] = Field(default_factory=list)  # the interviewer's reactions
    buy_in: BuyIn | None = None
    estimates: list[EstimateEntry] = Field(default_factory=list)
    deep_dives: list[str] = Field(default_factory=list)  # chosen dive ids, in order
    hints: list[HintUsed] = Field(default_factory=list)
    self_assessments: list[SelfAssessment] = Field(default_factory=list)
    draft: Draft | None = None
    scorecard: Scorecard | None = None

    @property
    def current_step_id(self) -> StepId:
        return self.steps[self.step_index].step_id

    @property
    def elapsed_seconds(self) -> float:
        return sum(s.elapsed_seconds for s in self.steps)

    @property
    def budget_seconds(self) -> float:
        return sum(s.budget_seconds for s in self.steps)

    def timing(self, step_id: str) -> StepTiming:
        for s in self.steps:
            if s.step_id == step_id:
                return s
        raise KeyError(step_id)

    def latest_answers(self, step_id: str | None = None) -> dict[tuple[str, str], Answer]:
        """The answer that counts for each (step, prompt): the last one given."""
        out: dict[tuple[str, str], Answer] = {}
        for a in self.answers:
            if step_id is None or a.step_id == step_id:
                out[(a.step_id, a.prompt_id)] = a
        return out

    def answer_for(self, step_id: str, prompt_id: str) -> Answer | None:
        return self.latest_answers(step_id).get((step_id, prompt_id))


