"""The content model: the four-step framework and problem cards, as pydantic v2 models.

Content is data: a new problem card or rubric item needs no code. Every model forbids unknown
fields so a typo in a YAML key is reported, not silently ignored.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Id = str  # lower-case identifiers: letters, digits, '_' and '-'
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"

STEP_IDS = ("scope", "high_level", "deep_dive", "wrap_up")
CompetencyId = Literal["problem_navigation", "solution_design", "technical_excellence", "communication"]


class Model(BaseModel):
    # defer_build: the validators are built on first validation, so a command that gets its
    # cards from the content cache (content/cache.py) never pays for building them.
    model_config = ConfigDict(extra="forbid", frozen=False, defer_build=True)


class KeyPoint(Model):
    """Something an interviewer listens for, and the words that show it in an answer.

    `keywords` and `phrasings` name the concept (a strong candidate's own words for it); `cues`
    are the reason or mechanism that, said in the same sentence, show it is understood (words of
    `text` count as cues too). `contradictions` are phrases that say the opposite. A `question`
    point is shown by asking the interviewer about it; an `estimate` point by a figure within a
    factor of the card's (`figure` names the calculator's result, or `value` gives it).
    """

    id: str = Field(pattern=ID_PATTERN)
    text: str = Field(min_length=3)
    keywords: list[str] = Field(min_length=1)
    phrasings: list[str] = Field(default_factory=list)
    cues: list[str] = Field(default_factory=list)
    contradictions: list[str] = Field(default_factory=list)
    kind: Literal["statement", "question", "estimate", "api"] = "statement"
    figure: str | None = None
    value: float | None = None
    unit: str | None = None  # for `value`: "count", "count/s" or "bytes..." as the calculator writes it
    advice: str | None = None  # what to add when the point is only named
    tradeoff: str | None = None  # the card trade-off this wrap-up point grades (it is not graded twice)
    section: str | None = None  # where in the chapter to read about it
    competency: CompetencyId | None = None


class RedFlag(Model):
    """A misconception an interviewer pushes back on, and the chapter's reason.

    Found when every group of `match` has a phrase in one sentence of an answer, none of them
    negated ("not", "instead of", "... is risky"). `steps` limits where it is looked for.
    """

    id: str = Field(pattern=ID_PATTERN)
    text: str = Field(min_length=3)
    reason: str = Field(min_length=3)
    match: list[list[str]] = Field(min_length=1)
    steps: list[Literal["scope", "high_level", "deep_dive", "wrap_up"]] = Field(default_factory=list)
    challenge: str | None = None  # what the interviewer asks back
    unless: list[str] = Field(default_factory=list)  # words that show the sentence argues against it ("drift")


class Prompt(Model):
    """One question the candidate answers inside a step."""

    id: str = Field(pattern=ID_PATTERN)
    text: str = Field(min_length=3)
    kind: Literal["text", "clarify", "estimates", "apis", "deep_dives", "buy_in"] = "text"
    placeholder: str | None = None


class Step(Model):
    id: Literal["scope", "high_level", "deep_dive", "wrap_up"]
    number: int = Field(ge=1, le=4)
    title: str
    min_minutes: int = Field(ge=1)
    max_minutes: int = Field(ge=1)
    goal: str
    key_actions: list[str] = Field(min_length=1)
    good_looks_like: list[str] = Field(min_length=1)
    prompts: list[Prompt] = Field(min_length=1)
    rubric: list[KeyPoint] = Field(min_length=1)
    section: str

    @model_validator(mode="after")
    def _range(self) -> Step:
        if self.max_minutes < self.min_minutes:
            raise ValueError(f"max_minutes ({self.max_minutes}) is below min_minutes ({self.min_minutes})")
        return self


class Category(Model):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    description: str
    examples: list[str] = Field(min_length=1)


class Topic(Model):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    description: str
    questions: list[str] = Field(default_factory=list)


class TradeoffOption(Model):
    name: str
    advantages: str
    disadvantages: str
    best_for: str


class TradeoffMatrix(Model):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    note: str | None = None
    options: list[TradeoffOption] = Field(min_length=2)


class Pitfall(Model):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    description: str
    remedy: str


class ChecklistItem(Model):
    id: str = Field(pattern=ID_PATTERN)
    question: str
    quiz_section: str | None = None


class Competency(Model):
    id: CompetencyId
    title: str
    description: str
    levels: dict[Literal["mid", "senior", "staff"], str]
    steps: list[Literal["scope", "high_level", "deep_dive", "wrap_up"]] = Field(min_length=1)

    @model_validator(mode="after")
    def _all_levels(self) -> Competency:
        missing = {"mid", "senior", "staff"} - set(self.levels)
        if missing:
            raise ValueError(f"levels is missing {', '.join(sorted(missing))}")
        return self


class Framework(Model):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    summary: str
    total_minutes: tuple[int, int]
    source: str
    steps: list[Step]
    clarifying_categories: list[Category] = Field(min_length=1)
    deep_dive_topics: list[Topic] = Field(min_length=1)
    wrap_up_focus: list[Topic] = Field(min_length=1)
    tradeoffs: list[TradeoffMatrix] = Field(min_length=1)
    pitfalls: list[Pitfall] = Field(min_length=1)
    checklist: list[ChecklistItem] = Field(min_length=1)
    competencies: list[Competency] = Field(min_length=4)

    @model_validator(mode="after")
    def _four_steps(self) -> Framework:
        ids = [s.id for s in self.steps]
        if ids != list(STEP_IDS):
            raise ValueError(f"steps must be {', '.join(STEP_IDS)} in that order (found {', '.join(ids)})")
        return self

    def step(self, step_id: str) -> Step:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(step_id)


# ---------------------------------------------------------------- problem cards


class ClarifyingQuestion(Model):
    """A fact the interviewer holds, and the ways a candidate may ask for it."""

    id: str = Field(pattern=ID_PATTERN)
    category: Literal["functional", "non_functional", "scale", "out_of_scope"]
    question: str
    # Other ways a candidate would ask the same thing: the interviewer matches questions by
    # meaning against these and `question`, so each should word the intent differently.
    paraphrases: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(min_length=1)
    answer: str
    # True when the chapter gives no figure and the card's reply is an assumption the
    # candidate should state as their own.
    assumption: bool = False


class Requirements(Model):
    functional: list[str] = Field(min_length=1)
    non_functional: list[str] = Field(min_length=1)
    out_of_scope: list[str] = Field(min_length=1)


class EstimationPreset(Model):
    inputs: dict[str, str | int | float | list[str]]
    stated: dict[str, float] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)


class Api(Model):
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "WS", "RPC"]
    path: str
    purpose: str


class Component(Model):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    name: str
    kind: Literal["client", "edge", "service", "store", "cache", "queue", "external"] = "service"
    description: str
    connects_to: list[str] = Field(default_factory=list)
    carries: dict[str, str] = Field(default_factory=dict)  # target id -> what travels to it (an edge label)


class FlowStep(Model):
    source: str = Field(alias="from")
    target: str = Field(alias="to")
    message: str
    reply: bool = False

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


class Flow(Model):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    steps: list[FlowStep] = Field(min_length=1)


class Schema(Model):
    title: str
    language: Literal["cql", "sql", "text"] = "sql"
    definition: str
    notes: list[str] = Field(default_factory=list)


class DeepDive(Model):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    question: str
    key_points: list[KeyPoint] = Field(min_length=1)
    follow_ups: list[str] = Field(min_length=1)
    section: str | None = None


class Tradeoff(Model):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    choice: str
    benefit: str
    cost: str
    keywords: list[str] = Field(min_length=1)


# What a card exercises, from one fixed list so `problems list` can group and filter by it and
# a misspelt topic is an error, not a new topic.
TOPICS = (
    "real-time", "fan-out", "caching", "cdn", "sharding", "replication", "consistency", "queues",
    "storage", "id-generation", "rate-limiting", "geo-indexing", "search", "stream-processing",
    "batch-processing", "concurrency-control", "media", "sync", "availability", "scheduling",
)
Difficulty = Literal["easy", "medium", "hard"]


class ProblemCard(Model):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    aliases: list[str] = Field(default_factory=list)
    prompt: str
    summary: str
    reference: bool = False  # worked from the chapter (True only for chat)
    difficulty: Difficulty | None = None  # how hard the problem usually is in an interview
    topics: list[str] = Field(default_factory=list)  # from TOPICS
    sources: list[str] = Field(default_factory=list)  # public sources of the card's facts and figures
    clarifying_questions: list[ClarifyingQuestion] = Field(min_length=3)
    requirements: Requirements
    scale: list[str] = Field(min_length=1)
    estimation: EstimationPreset
    apis: list[Api] = Field(min_length=1)
    components: list[Component] = Field(min_length=2)
    flows: list[Flow] = Field(min_length=1)
    schema_: Schema | None = Field(default=None, alias="schema")
    key_points: dict[Literal["scope", "high_level", "wrap_up"], list[KeyPoint]]
    deep_dives: list[DeepDive] = Field(min_length=2)
    tradeoffs: list[Tradeoff] = Field(min_length=1)
    red_flags: list[RedFlag] = Field(default_factory=list)
    # Open questions the interviewer asks when a deep-dive point is missing from the answers, keyed
    # by the point's qualified id ("media.presigned_handshake"). Each leads towards the point
    # without naming it, so it never presupposes something the candidate did not say.
    probes: dict[str, str] = Field(default_factory=dict)

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)

    @model_validator(mode="after")
    def _references(self) -> ProblemCard:
        unknown = [t for t in self.topics if t not in TOPICS]
        if unknown:
            raise ValueError(f"unknown topic {unknown[0]!r} (use one of {', '.join(TOPICS)})")
        ids = {c.id for c in self.components}
        for comp in self.components:
            for target in comp.connects_to:
                if target not in ids:
                    raise ValueError(f"component {comp.id!r} connects to unknown component {target!r}")
            for target in comp.carries:
                if target not in comp.connects_to:
                    raise ValueError(f"component {comp.id!r} says what it carries to {target!r}, which is not in its connects_to")
        for flow in self.flows:
            for step in flow.steps:
                for end in (step.source, step.target):
                    if end not in ids:
                        raise ValueError(f"flow {flow.id!r} names unknown component {end!r}")
        return self

    @model_validator(mode="after")
    def _probes_name_points(self) -> ProblemCard:
        points = {f"{d.id}.{kp.id}" for d in self.deep_dives for kp in d.key_points}
        for key in self.probes:
            if key not in points:
                raise ValueError(f"probes: {key!r} is not a deep-dive point (<dive id>.<point id>)")
        return self

    def deep_dive(self, dive_id: str) -> DeepDive:
        for d in self.deep_dives:
            if d.id == dive_id:
                return d
        raise KeyError(dive_id)
