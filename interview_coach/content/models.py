"""The content model: the four-step framework and problem cards, as plain dataclasses.

Content is data: a new problem card or rubric item needs no code. The classes are stdlib
dataclasses that pydantic validates (content/schema.py builds the validators on first use):
every field's type and constraint is checked, unknown fields are refused so a typo in a YAML
key is reported, not silently ignored, and `__post_init__` holds the checks across fields.
Reading content therefore needs no pydantic at all when it comes from the content cache,
which keeps every command that shows content quick to start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, TypeVar, dataclass_transform

if TYPE_CHECKING:
    # The constraints (annotated_types, which pydantic reads) are named only inside annotations,
    # and annotations stay text (PEP 563) until pydantic reads them: content/schema.py supplies
    # these names to a module when it first validates into its classes, so reading cached
    # content imports neither annotated_types nor pydantic.
    from annotated_types import Ge, Le, MinLen, Predicate

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"


def lower_id(value: str) -> bool:
    """lower-case letters, digits, '_' and '-', starting with a letter or digit"""
    return re.fullmatch(ID_PATTERN[1:-1], value) is not None


def component_id(value: str) -> bool:
    """letters, digits and '_', starting with a letter"""
    return re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", value) is not None


if TYPE_CHECKING:  # supplied by content/schema.py at validation time (see above)
    Id = Annotated[str, Predicate(lower_id)]
    Text3 = Annotated[str, MinLen(3)]
# YAML keys that are Python keywords or clash with a name: the field name -> the key in a file.
ALIASES = {"source": "from", "target": "to", "schema_": "schema"}


def yaml_key(name: str) -> str:
    return ALIASES.get(name, name)

STEP_IDS = ("scope", "high_level", "deep_dive", "wrap_up")
CompetencyId = Literal["problem_navigation", "solution_design", "technical_excellence", "communication"]


_C = TypeVar("_C", bound=type)
_WAITING: list[type] = []


@dataclass_transform(kw_only_default=True, field_specifiers=(field,))
def record(cls: _C) -> _C:
    """A content class: a keyword-only dataclass, made one when first needed as one.

    Building ~40 dataclasses (generating and compiling their methods) costs more than the rest
    of reading a cached card, and reading needs none of it: an unpickled object only needs its
    class. So a class waits until something validates into it or builds one (`realize`).
    """
    _WAITING.append(cls)
    return cls


def realize() -> None:
    """Make every waiting content class the dataclass it declares (before pydantic sees it)."""
    while _WAITING:
        dataclass(kw_only=True)(_WAITING.pop(0))


class Model:
    """The base of every content class: its pydantic configuration, as a plain dict.

    Until `realize` runs, a content class has these methods in place of the dataclass ones;
    each realizes the classes, then does what the dataclass method does.
    """

    __pydantic_config__: ClassVar[dict[str, Any]] = {
        "extra": "forbid",
        "alias_generator": yaml_key,
        "validate_by_name": True,
        "validate_by_alias": True,
    }

    def __init__(self, **values: Any) -> None:
        realize()
        if type(self).__init__ is Model.__init__:
            raise TypeError(f"{type(self).__name__} is not a content class (use @record)")
        type(self).__init__(self, **values)

    def __eq__(self, other: object) -> bool:
        realize()
        if type(self).__eq__ is Model.__eq__:
            return NotImplemented
        return type(self).__eq__(self, other)

    def __repr__(self) -> str:
        realize()
        return type(self).__repr__(self)


@record
class KeyPoint(Model):
    """Something an interviewer listens for, and the words that show it in an answer.

    `keywords` and `phrasings` name the concept (a strong candidate's own words for it); `cues`
    are the reason or mechanism that, said in the same sentence, show it is understood (words of
    `text` count as cues too). `contradictions` are phrases that say the opposite. A `question`
    point is shown by asking the interviewer about it; an `estimate` point by a figure within a
    factor of the card's (`figure` names the calculator's result, or `value` gives it).
    """

    id: Id
    text: Text3
    keywords: Annotated[list[str], MinLen(1)]
    phrasings: list[str] = field(default_factory=list)
    cues: list[str] = field(default_factory=list)
    contradictions: list[str] = field(default_factory=list)
    kind: Literal["statement", "question", "estimate", "api"] = "statement"
    figure: str | None = None
    value: float | None = None
    unit: str | None = None  # for `value`: "count", "count/s" or "bytes..." as the calculator writes it
    advice: str | None = None  # what to add when the point is only named
    tradeoff: str | None = None  # the card trade-off this wrap-up point grades (it is not graded twice)
    section: str | None = None  # where in the chapter to read about it
    competency: CompetencyId | None = None


@record
class RedFlag(Model):
    """A misconception an interviewer pushes back on, and the chapter's reason.

    Found when every group of `match` has a phrase in one sentence of an answer, none of them
    negated ("not", "instead of", "... is risky"). `steps` limits where it is looked for.
    """

    id: Id
    text: Text3
    reason: Text3
    match: Annotated[list[list[str]], MinLen(1)]
    steps: list[Literal["scope", "high_level", "deep_dive", "wrap_up"]] = field(default_factory=list)
    challenge: str | None = None  # what the interviewer asks back
    unless: list[str] = field(default_factory=list)  # words that show the sentence argues against it ("drift")


@record
class Prompt(Model):
    """One question the candidate answers inside a step."""

    id: Id
    text: Text3
    kind: Literal["text", "clarify", "estimates", "apis", "deep_dives", "buy_in"] = "text"
    placeholder: str | None = None


@record
class Step(Model):
    id: Literal["scope", "high_level", "deep_dive", "wrap_up"]
    number: Annotated[int, Ge(1), Le(4)]
    title: str
    min_minutes: Annotated[int, Ge(1)]
    max_minutes: Annotated[int, Ge(1)]
    goal: str
    key_actions: Annotated[list[str], MinLen(1)]
    good_looks_like: Annotated[list[str], MinLen(1)]
    prompts: Annotated[list[Prompt], MinLen(1)]
    rubric: Annotated[list[KeyPoint], MinLen(1)]
    section: str

    def __post_init__(self) -> None:
        if self.max_minutes < self.min_minutes:
            raise ValueError(f"max_minutes ({self.max_minutes}) is below min_minutes ({self.min_minutes})")


@record
class Category(Model):
    id: Id
    title: str
    description: str
    examples: Annotated[list[str], MinLen(1)]


@record
class Topic(Model):
    id: Id
    title: str
    description: str
    questions: list[str] = field(default_factory=list)


@record
class TradeoffOption(Model):
    name: str
    advantages: str
    disadvantages: str
    best_for: str


@record
class TradeoffMatrix(Model):
    id: Id
    title: str
    note: str | None = None
    options: Annotated[list[TradeoffOption], MinLen(2)]


@record
class Pitfall(Model):
    id: Id
    title: str
    description: str
    remedy: str


@record
class ChecklistItem(Model):
    id: Id
    question: str
    quiz_section: str | None = None


@record
class Competency(Model):
    id: CompetencyId
    title: str
    description: str
    levels: dict[Literal["mid", "senior", "staff"], str]
    steps: Annotated[list[Literal["scope", "high_level", "deep_dive", "wrap_up"]], MinLen(1)]

    def __post_init__(self) -> None:
        missing = {"mid", "senior", "staff"} - set(self.levels)
        if missing:
            raise ValueError(f"levels is missing {', '.join(sorted(missing))}")


@record
class Framework(Model):
    id: Id
    title: str
    summary: str
    total_minutes: tuple[int, int]
    source: str
    steps: list[Step]
    clarifying_categories: Annotated[list[Category], MinLen(1)]
    deep_dive_topics: Annotated[list[Topic], MinLen(1)]
    wrap_up_focus: Annotated[list[Topic], MinLen(1)]
    tradeoffs: Annotated[list[TradeoffMatrix], MinLen(1)]
    pitfalls: Annotated[list[Pitfall], MinLen(1)]
    checklist: Annotated[list[ChecklistItem], MinLen(1)]
    competencies: Annotated[list[Competency], MinLen(4)]

    def __post_init__(self) -> None:
        ids = [s.id for s in self.steps]
        if ids != list(STEP_IDS):
            raise ValueError(f"steps must be {', '.join(STEP_IDS)} in that order (found {', '.join(ids)})")

    def step(self, step_id: str) -> Step:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(step_id)


# ---------------------------------------------------------------- problem cards


@record
class ClarifyingQuestion(Model):
    """A fact the interviewer holds, and the ways a candidate may ask for it."""

    id: Id
    category: Literal["functional", "non_functional", "scale", "out_of_scope"]
    question: str
    # Other ways a candidate would ask the same thing: the interviewer matches questions by
    # meaning against these and `question`, so each should word the intent differently.
    paraphrases: list[str] = field(default_factory=list)
    keywords: Annotated[list[str], MinLen(1)]
    answer: str
    # True when the chapter gives no figure and the card's reply is an assumption the
    # candidate should state as their own.
    assumption: bool = False


@record
class Requirements(Model):
    functional: Annotated[list[str], MinLen(1)]
    non_functional: Annotated[list[str], MinLen(1)]
    out_of_scope: Annotated[list[str], MinLen(1)]


@record
class EstimationPreset(Model):
    inputs: dict[str, str | int | float | list[str]]
    stated: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@record
class Api(Model):
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "WS", "RPC"]
    path: str
    purpose: str


@record
class Component(Model):
    id: Annotated[str, Predicate(component_id)]
    name: str
    kind: Literal["client", "edge", "service", "store", "cache", "queue", "external"] = "service"
    description: str
    connects_to: list[str] = field(default_factory=list)
    carries: dict[str, str] = field(default_factory=dict)  # target id -> what travels to it (an edge label)


@record
class FlowStep(Model):
    source: str  # "from" in a file
    target: str  # "to" in a file
    message: str
    reply: bool = False


@record
class Flow(Model):
    id: Id
    title: str
    steps: Annotated[list[FlowStep], MinLen(1)]


@record
class Schema(Model):
    title: str
    language: Literal["cql", "sql", "text"] = "sql"
    definition: str
    notes: list[str] = field(default_factory=list)


@record
class DeepDive(Model):
    id: Id
    title: str
    question: str
    key_points: Annotated[list[KeyPoint], MinLen(1)]
    follow_ups: Annotated[list[str], MinLen(1)]
    section: str | None = None


@record
class Tradeoff(Model):
    id: Id
    title: str
    choice: str
    benefit: str
    cost: str
    keywords: Annotated[list[str], MinLen(1)]


# What a card exercises, from one fixed list so `problems list` can group and filter by it and
# a misspelt topic is an error, not a new topic.
TOPICS = (
    "real-time", "fan-out", "caching", "cdn", "sharding", "replication", "consistency", "queues",
    "storage", "id-generation", "rate-limiting", "geo-indexing", "search", "stream-processing",
    "batch-processing", "concurrency-control", "media", "sync", "availability", "scheduling",
)
Difficulty = Literal["easy", "medium", "hard"]


@record
class ProblemCard(Model):
    id: Id
    title: str
    aliases: list[str] = field(default_factory=list)
    prompt: str
    summary: str
    reference: bool = False  # worked from the chapter (True only for chat)
    difficulty: Difficulty | None = None  # how hard the problem usually is in an interview
    topics: list[str] = field(default_factory=list)  # from TOPICS
    sources: list[str] = field(default_factory=list)  # public sources of the card's facts and figures
    clarifying_questions: Annotated[list[ClarifyingQuestion], MinLen(3)]
    requirements: Requirements
    scale: Annotated[list[str], MinLen(1)]
    estimation: EstimationPreset
    apis: Annotated[list[Api], MinLen(1)]
    components: Annotated[list[Component], MinLen(2)]
    flows: Annotated[list[Flow], MinLen(1)]
    schema_: Schema | None = None  # "schema" in a file
    key_points: dict[Literal["scope", "high_level", "wrap_up"], list[KeyPoint]]
    deep_dives: Annotated[list[DeepDive], MinLen(2)]
    tradeoffs: Annotated[list[Tradeoff], MinLen(1)]
    red_flags: list[RedFlag] = field(default_factory=list)
    # Open questions the interviewer asks when a deep-dive point is missing from the answers, keyed
    # by the point's qualified id ("media.presigned_handshake"). Each leads towards the point
    # without naming it, so it never presupposes something the candidate did not say.
    probes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._references()
        self._probes_name_points()

    def _references(self) -> None:
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

    def _probes_name_points(self) -> None:
        points = {f"{d.id}.{kp.id}" for d in self.deep_dives for kp in d.key_points}
        for key in self.probes:
            if key not in points:
                raise ValueError(f"probes: {key!r} is not a deep-dive point (<dive id>.<point id>)")

    def deep_dive(self, dive_id: str) -> DeepDive:
        for d in self.deep_dives:
            if d.id == dive_id:
                return d
        raise KeyError(dive_id)
