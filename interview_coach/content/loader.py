"""The one loader of content: built-in data and the user's content folder, validated alike.

Built-in content lives in `frameworks/` (the framework and `problems/*.yaml`) and `quizzes/`.
A user content folder (`--content-dir` or $INTERVIEW_COACH_CONTENT) may hold `problems/*.yaml`,
`quizzes/*.yaml`, `summary/*.j2` and a `framework.yaml`; a user file with the same id as a
built-in one takes its place. Every problem is reported as `file:line: message`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from interview_coach.content.cache import cached
from interview_coach.content.yamlsrc import Located, load_located
from interview_coach.errors import ContentError, NotFoundError
from interview_coach.paths import data_dir, user_content_dir

if TYPE_CHECKING:
    from pydantic import ValidationError

    from interview_coach.content.models import Framework, ProblemCard

M = TypeVar("M")
T = TypeVar("T")


def errors_of(located: Located, exc: ValidationError) -> list[str]:
    """Turn pydantic's errors into `file:line: where: what` lines."""
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(err.get("loc", ()))
        shown = ".".join(str(p) for p in loc if p != "[key]") or "document"
        msg = err.get("msg", "invalid")
        kind = err.get("type")
        if kind in ("missing", "missing_argument", "missing_keyword_only_argument"):
            msg = "required field is missing"
        elif kind in ("extra_forbidden", "unexpected_keyword_argument"):
            msg = "unknown field (check the spelling)"
        elif kind == "predicate_failed":
            msg = _predicate_message(msg)
        out.append(f"{located.where(loc)}: {shown}: {msg}")
    return out


def _predicate_message(msg: str) -> str:
    """"Predicate 'lower_id' failed" as what the value should be (the predicate's docstring)."""
    from interview_coach.content import models

    name = msg.split("'")[1] if msg.count("'") >= 2 else ""
    check = getattr(models, name, None)
    doc = (getattr(check, "__doc__", None) or "").strip()
    return f"should be {doc}" if doc else msg


def parse_model(located: Located, model: type[M]) -> M:
    """Validate parsed YAML against `model`; raise ContentError with every problem found."""
    if not isinstance(located.data, dict):
        kind = "empty file" if located.data is None else type(located.data).__name__
        raise ContentError([f"{located.where(())}: expected a mapping at the top level, found {kind}"])
    from pydantic import ValidationError

    from interview_coach.content.schema import validate

    try:
        return validate(model, located.data)
    except ValidationError as exc:
        raise ContentError(errors_of(located, exc)) from None


def load_model(path: Path, model: type[M]) -> M:
    return parse_model(load_located(path), model)


# ---------------------------------------------------------------- where content lives


def _user_dir(content_dir: str | Path | None) -> Path | None:
    path = user_content_dir(content_dir)
    return path if path is not None and path.is_dir() else None


def framework_path(content_dir: str | Path | None = None) -> Path:
    user = _user_dir(content_dir)
    if user is not None and (user / "framework.yaml").is_file():
        return user / "framework.yaml"
    return data_dir("frameworks") / "four_step.yaml"


def problem_paths(content_dir: str | Path | None = None) -> dict[str, Path]:
    """Problem id (the file's stem) to its file; user cards override built-in ones."""
    found: dict[str, Path] = {}
    for folder in (data_dir("frameworks") / "problems", (_user_dir(content_dir) or Path("/nonexistent")) / "problems"):
        if folder.is_dir():
            for path in sorted(folder.glob("*.yaml")):
                found[path.stem] = path
    return found


def template_dirs(content_dir: str | Path | None = None) -> list[Path]:
    """Folders searched for summary templates, the user's first."""
    dirs = []
    user = _user_dir(content_dir)
    if user is not None and (user / "summary").is_dir():
        dirs.append(user / "summary")
    return dirs


def quiz_paths(content_dir: str | Path | None = None) -> dict[str, Path]:
    """Quiz bank name (the file's stem) to its file; user banks override built-in ones."""
    found: dict[str, Path] = {}
    for folder in (data_dir("quizzes"), (_user_dir(content_dir) or Path("/nonexistent")) / "quizzes"):
        if folder.is_dir():
            for path in sorted(folder.glob("*.yaml")):
                found[path.stem] = path
    return found


# ---------------------------------------------------------------- loading


@lru_cache(maxsize=8)
def _framework(path: Path, mtime: float) -> Framework:
    from interview_coach.content.models import Framework

    return cached("framework", path, lambda: load_model(path, Framework))


def load_framework(content_dir: str | Path | None = None) -> Framework:
    path = framework_path(content_dir)
    return _framework(path, path.stat().st_mtime)


@lru_cache(maxsize=64)
def _problem(path: Path, mtime: float) -> ProblemCard:
    return cached("problem", path, lambda: _load_card(path))


def _load_card(path: Path) -> ProblemCard:
    from interview_coach.content.models import ProblemCard

    card = load_model(path, ProblemCard)
    if card.id != path.stem:
        located = load_located(path)
        raise ContentError([f"{located.where(('id',))}: id {card.id!r} must match the file name {path.stem!r}"])
    return card


def resolve_problem_name(name: str, content_dir: str | Path | None = None) -> str:
    """A problem id from its id, an alias or a unique prefix; NotFoundError suggests the closest."""
    paths = problem_paths(content_dir)
    key = name.strip().lower()
    if key in paths:
        return key
    aliases: dict[str, str] = {}
    for pid, path in paths.items():
        try:
            card = _problem(path, path.stat().st_mtime)
        except ContentError:
            continue
        for alias in card.aliases:
            aliases[alias.lower()] = pid
    if key in aliases:
        return aliases[key]
    prefixed = [pid for pid in paths if pid.startswith(key)] if key else []
    if len(prefixed) == 1:
        return prefixed[0]
    import difflib

    close = difflib.get_close_matches(key, list(paths) + list(aliases), n=3, cutoff=0.5)
    close = list(dict.fromkeys(aliases.get(c, c) for c in close))
    hint = f"did you mean {', '.join(close)}?" if close else f"choose one of: {', '.join(sorted(paths))}"
    raise NotFoundError(f"unknown problem {name!r}", hint)


def problem_path(name: str, content_dir: str | Path | None = None) -> Path:
    """The file of problem `name` (an id, alias or unique prefix)."""
    return problem_paths(content_dir)[resolve_problem_name(name, content_dir)]


def load_problem(name: str, content_dir: str | Path | None = None) -> ProblemCard:
    path = problem_path(name, content_dir)
    return _problem(path, path.stat().st_mtime)


def card_view(kind: str, name: str, make: Callable[[ProblemCard], T], content_dir: str | Path | None = None,
              depends: tuple[Path, ...] = ()) -> T:
    """`make(card)` for problem `name`, cached beside the card: a command that needs only a part of
    a card (an estimation preset) reads that part without loading the whole card's classes."""
    path = problem_path(name, content_dir)
    return cached(kind, path, lambda: make(_problem(path, path.stat().st_mtime)), depends)


def load_problems(content_dir: str | Path | None = None) -> list[ProblemCard]:
    return [_problem(p, p.stat().st_mtime) for p in problem_paths(content_dir).values()]
