"""Answers files: the YAML template (`practice --template`) and reading a filled-in one.

The template lists every step and prompt by id with the prompt as a comment above it, so a
candidate can write a whole interview in their editor and have it scored with
`practice --answers FILE`. Every mistake in a file is reported as `file:line: what is wrong`.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interview_coach.clock import clock_text
from interview_coach.content.models import Framework, ProblemCard
from interview_coach.content.yamlsrc import Located, load_located
from interview_coach.errors import ContentError, UsageError
from interview_coach.practice.engine import scale_budgets
from interview_coach.practice.estimates import figures_to_ask
from interview_coach.practice.minutes import check_minutes
from interview_coach.practice.rubric import full_rubric

TOP_KEYS = ("problem", "minutes", "steps", "self_assessment")
STEP_KEYS = ("minutes", "hints")


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _comment(text: str, indent: str, width: int = 96) -> list[str]:
    import textwrap

    return [f"{indent}# {line}" for line in textwrap.wrap(" ".join(text.split()), width - len(indent) - 2) or [""]]


def render_template(framework: Framework, card: ProblemCard, minutes: int = 45) -> str:
    budgets = scale_budgets(framework, minutes)
    out = [
        f"# Answers for a scripted mock interview: {card.title} ({card.id}), {minutes} minutes.",
        "# Fill in the answers, then run:",
        "#   interview-coach practice --answers THIS_FILE        (add --json for a machine-readable score)",
        "# Each answer is a string. For several lines write `key: |` and indent the lines under it.",
        '# Leave an answer "" to skip it. `minutes:` under a step is the time you spent on it',
        "# (default: its budget); `hints: N` asks for N hints in that step (each costs half a point).",
        "# The reference answer is shown once the run is scored.",
        "#",
        *_comment(f"The problem: {card.prompt}", ""),
        f"problem: {card.id}",
        f"minutes: {minutes}",
        "steps:",
    ]
    figures = figures_to_ask(card)
    for step, budget in zip(framework.steps, budgets, strict=True):
        out.append("")
        out.append(f"  # ---- Step {step.number}: {step.title} (budget {clock_text(budget)})")
        out.extend(_comment(f"Goal: {step.goal}", "  "))
        out.append(f"  {step.id}:")
        out.append(f"    minutes: {round(budget / 60, 2):g}")
        for p in step.prompts:
            out.extend(_comment(p.text, "    "))
            if p.kind == "clarify":
                out.append("    # One question per list item; the interviewer's replies are shown with the score.")
                out.append(f"    {p.id}:")
                out.append(f"      - {_q('')}")
            elif p.kind == "estimates":
                out.append("    # Write figures the way you would say them: 60K, 1.2B, 500GB, 6 MB/s.")
                out.append(f"    {p.id}:")
                width = max((len(f.name) for f in figures), default=0)
                for f in figures:
                    out.append(f"      {f.name}: {_q('')}{' ' * (width - len(f.name))}  # {f.label} ({f.unit})")
            elif p.kind == "deep_dives":
                out.append("    # Keep the dives you answer and delete (or leave blank) the others.")
                out.append(f"    {p.id}:")
                for d in card.deep_dives:
                    out.extend(_comment(f"{d.title}: {d.question}", "      "))
                    out.append(f"      {d.id}:")
                    out.append(f"        answer: {_q('')}")
                    out.append("        # The interviewer picks each follow-up from what your previous answers left open;")
                    out.append("        # the card's own follow-ups below are what it asks once no gap is left.")
                    out.append("        follow_ups:")
                    for q in d.follow_ups:
                        out.extend(_comment(q, "          "))
                        out.append(f"          - {_q('')}")
            else:
                if p.placeholder:
                    out.extend(_comment(f"e.g. {p.placeholder}", "    "))
                out.append(f"    {p.id}: {_q('')}")
    out.append("")
    out.append("# Optional: claim rubric items the keyword check missed (yes or no); they earn half a point.")
    out.append("# self_assessment:")
    example = next((rp.key for pts in full_rubric(framework, card, []).values() for rp in pts), "framework.x")
    out.append(f"#   {example}: yes")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- reading a filled-in file


@dataclass
class StepAnswers:
    step_id: str
    minutes: float | None = None
    hints: int = 0
    texts: dict[str, str] = field(default_factory=dict)  # prompt id -> answer
    questions: list[str] = field(default_factory=list)  # clarifying questions
    estimates: dict[str, str] = field(default_factory=dict)  # figure name -> as typed
    dives: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # dive id -> (answer, follow-up answers)


@dataclass
class AnswersFile:
    path: Path
    problem: str | None
    minutes: int | None
    steps: dict[str, StepAnswers]
    self_assessment: dict[str, str]
    lines: dict[str, int] = field(default_factory=dict)  # where some values were, for later errors


MAX_QUESTIONS = 50  # clarifying questions in one step of an answers file


def read_problem_name(source: Path | Located) -> str | None:
    """The problem an answers file is for, read before the card is known."""
    located = source if isinstance(source, Located) else load_located(source)
    if isinstance(located.data, dict) and isinstance(located.data.get("problem"), str):
        return located.data["problem"]
    return None


class _Problems:
    def __init__(self, located: Located) -> None:
        self.located = located
        self.items: list[str] = []

    def add(self, loc: tuple, message: str) -> None:
        self.items.append(f"{self.located.where(loc)}: {message}")


def _unknown(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f"did you mean {close[0]}?" if close else f"expected one of: {', '.join(known)}"


def _text(value: Any) -> str | None:
    if value is None:
        return ""
    if isinstance(value, bool):
        return None
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def parse_answers(source: Path | Located, framework: Framework, card: ProblemCard) -> AnswersFile:
    """An answers file, checked against the card; `source` read already when it is a Located
    (a pipe such as `--answers <(...)` can be read only once)."""
    located = source if isinstance(source, Located) else load_located(source)
    bad = _Problems(located)
    data = located.data
    if not isinstance(data, dict):
        kind = "an empty file" if data is None else f"a {type(data).__name__}"
        raise ContentError([f"{located.where(())}: expected a mapping with problem, minutes and steps, found {kind}"])
    for key in data:
        if key not in TOP_KEYS:
            bad.add((key,), f"unknown key {key!r}; {_unknown(str(key), list(TOP_KEYS))}")
    problem = data.get("problem")
    if problem is not None and not isinstance(problem, str):
        bad.add(("problem",), "problem: expected a problem id such as chat")
    minutes = None
    if data.get("minutes") is not None:
        try:
            minutes = check_minutes(data["minutes"])
        except UsageError as exc:
            bad.add(("minutes",), str(exc).replace("--minutes: ", "minutes: "))
    steps: dict[str, StepAnswers] = {}
    raw_steps = data.get("steps")
    if raw_steps is None:
        bad.add(("steps",) if "steps" in data else (), "steps: missing; print a template with --template")
        raw_steps = {}
    elif not isinstance(raw_steps, dict):
        bad.add(("steps",), "steps: expected a mapping of step ids (scope, high_level, deep_dive, wrap_up)")
        raw_steps = {}
    step_ids = [s.id for s in framework.steps]
    figure_names = [f.name for f in figures_to_ask(card)]
    dive_ids = [d.id for d in card.deep_dives]
    for step_id, raw in raw_steps.items():
        loc = ("steps", step_id)
        if step_id not in step_ids:
            bad.add(loc, f"unknown step {step_id!r}; {_unknown(str(step_id), step_ids)}")
            continue
        answers = steps[step_id] = StepAnswers(step_id)
        if raw is None:
            continue
        if not isinstance(raw, dict):
            bad.add(loc, f"{step_id}: expected a mapping of prompt ids to answers")
            continue
        prompts = {p.id: p for p in framework.step(step_id).prompts}
        for key, value in raw.items():
            here = (*loc, key)
            if key == "minutes":
                if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
                    bad.add(here, f"{step_id}.minutes: expected the minutes you spent, such as 7.5")
                elif value is not None:
                    answers.minutes = float(value)
                continue
            if key == "hints":
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    bad.add(here, f"{step_id}.hints: expected a number of hints, such as 1")
                else:
                    answers.hints = value
                continue
            prompt = prompts.get(key)
            if prompt is None:
                bad.add(here, f"unknown prompt {key!r} in {step_id}; {_unknown(str(key), list(prompts) + list(STEP_KEYS))}")
                continue
            if prompt.kind == "clarify":
                values = value if isinstance(value, list) else [value]
                if len(values) > MAX_QUESTIONS:  # each is answered by the interviewer: bound the work
                    many = f"{step_id}.{key}: {len(values):,} questions"
                    bad.add(here, f"{many}; an interview has room for at most {MAX_QUESTIONS}")
                    continue
                for i, q in enumerate(values):
                    text = _text(q)
                    if text is None:
                        bad.add(
                            here + ((i,) if isinstance(value, list) else ()), f"{step_id}.{key}: each question must be a string"
                        )
                    elif text.strip():
                        answers.questions.append(text.strip())
            elif prompt.kind == "estimates":
                if value is None:
                    continue
                if not isinstance(value, dict):
                    bad.add(here, f"{step_id}.{key}: expected a mapping of figure names to values, such as peak_write_qps: 120K")
                    continue
                for name, fig in value.items():
                    if name not in figure_names:
                        bad.add((*here, name), f"unknown estimate {name!r}; {_unknown(str(name), figure_names)}")
                        continue
                    text = _text(fig)
                    if text is None:
                        bad.add((*here, name), f"{step_id}.{key}.{name}: expected a figure such as 60K")
                    elif text.strip():
                        answers.estimates[name] = text.strip()
            elif prompt.kind == "deep_dives":
                if value is None:
                    continue
                if not isinstance(value, dict):
                    bad.add(here, f"{step_id}.{key}: expected a mapping of deep dive ids ({', '.join(dive_ids)})")
                    continue
                for dive_id, dive in value.items():
                    dloc = (*here, dive_id)
                    if dive_id not in dive_ids:
                        bad.add(dloc, f"unknown deep dive {dive_id!r}; {_unknown(str(dive_id), dive_ids)}")
                        continue
                    answer, follow = _dive(dive, dloc, bad, f"{step_id}.{key}.{dive_id}")
                    asked = len(card.deep_dive(dive_id).follow_ups)
                    if len(follow) > asked:
                        bad.add(
                            (*dloc, "follow_ups", asked),
                            f"{dive_id} has {asked} follow-up question(s); found {len(follow)} answers",
                        )
                        follow = follow[:asked]
                    if answer.strip() or any(f.strip() for f in follow):
                        answers.dives[dive_id] = (answer, follow)
            else:
                text = _text(value)
                if text is None:
                    bad.add(here, f"{step_id}.{key}: expected text (use `{key}: |` for several lines)")
                else:
                    answers.texts[key] = text
    ratings: dict[str, str] = {}
    raw_ratings = data.get("self_assessment")
    if raw_ratings is not None:
        if not isinstance(raw_ratings, dict):
            bad.add(("self_assessment",), "self_assessment: expected a mapping of rubric ids to yes or no")
        else:
            chosen = [d for s in steps.values() for d in s.dives]
            known = [rp.key for pts in full_rubric(framework, card, chosen).values() for rp in pts]
            for key, value in raw_ratings.items():
                at = ("self_assessment", key)
                rating = {True: "yes", False: "no"}.get(value) if isinstance(value, bool) else str(value).strip().lower()
                if key not in known:
                    bad.add(at, f"unknown rubric item {key!r}; {_unknown(str(key), known)}")
                elif rating not in ("yes", "no"):
                    bad.add(at, f"self_assessment.{key}: expected yes or no")
                else:
                    ratings[key] = rating
    if bad.items:
        raise ContentError(bad.items)
    return AnswersFile(
        path=located.path,
        problem=problem,
        minutes=minutes,
        steps=steps,
        self_assessment=ratings,
        lines={"problem": located.line_of(("problem",))},
    )


def _dive(value: Any, loc: tuple, bad: _Problems, name: str) -> tuple[str, list[str]]:
    if value is None:
        return "", []
    text = _text(value)
    if text is not None:  # a plain string: the answer alone
        return text, []
    if not isinstance(value, dict):
        bad.add(loc, f"{name}: expected answer: and follow_ups:")
        return "", []
    for key in value:
        if key not in ("answer", "follow_ups"):
            bad.add((*loc, key), f"{name}: unknown key {key!r}; expected answer or follow_ups")
    answer = _text(value.get("answer"))
    if answer is None:
        bad.add((*loc, "answer"), f"{name}.answer: expected text")
        answer = ""
    follow: list[str] = []
    raw = value.get("follow_ups") or []
    if not isinstance(raw, list):
        bad.add((*loc, "follow_ups"), f"{name}.follow_ups: expected a list of answers, one per follow-up question")
        raw = []
    for i, f in enumerate(raw):
        t = _text(f)
        if t is None:
            bad.add((*loc, "follow_ups", i), f"{name}.follow_ups: each answer must be text")
            t = ""
        follow.append(t)
    return answer, follow
