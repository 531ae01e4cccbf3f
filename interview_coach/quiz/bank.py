"""Question banks: the classes of a bank file (dataclasses pydantic validates) and the checks that need more than one field.

A bank declares its sections at the top and lists its questions; each question names one of
those sections. The shape (fields, types) is checked by pydantic; what pydantic cannot see
(ids unique, answers among the options, sections known, tolerances sane) is checked here, and
every problem is reported as `file:line: message` so an author can jump straight to it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from interview_coach.content.loader import parse_model, quiz_paths
from interview_coach.content.models import Model, record
from interview_coach.content.yamlsrc import Located, load_located
from interview_coach.errors import ContentError, NotFoundError
from interview_coach.paths import data_dir, user_content_dir

if TYPE_CHECKING:  # names used only in annotations; content/schema.py supplies them when validating
    from annotated_types import MaxLen, MinLen

    from interview_coach.content.models import Id, Text3

QuestionType = Literal["single", "multiple", "true_false", "numeric", "ordering"]
Difficulty = Literal["easy", "medium", "hard"]
TRUE_FALSE = ("True", "False")
DEFAULT_BANK = "system-design-interviews"
# Per-problem packs live in quizzes/problems/<problem id>.yaml, built in or in the content folder.
PACK_DIR = "problems"
# A relative tolerance above one half accepts answers off by a factor of two: that is no longer
# checking an estimate, so it is almost certainly a typo (50 for 0.5, say).
MAX_TOLERANCE = 0.5


class _Model(Model):
    # Numbers written as options (`- 30`) are fine as text; unknown keys are typos.
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid", "coerce_numbers_to_str": True}


@record
class Section(_Model):
    id: Id
    title: Annotated[str, MinLen(1)]


@record
class Question(_Model):
    id: Id
    section: str
    type: QuestionType
    prompt: Text3
    options: list[str] | None = None
    # Smart-mode union: an exact type wins, so YAML `true` stays a bool, `5000000000` an int, text a str.
    answer: bool | int | float | str | list[str]
    explanation: Annotated[str, MinLen(10)]
    difficulty: Difficulty = "medium"
    tolerance: float | None = None
    unit: str | None = None
    # A short name for the review of misses ("Deep-dive time budget"); the prompt's start otherwise.
    title: Annotated[str, MinLen(3), MaxLen(80)] | None = None

    def label(self) -> str:
        """The question's name as a person reads it in a list of misses."""
        if self.title:
            return self.title
        first = " ".join(self.prompt.split())
        first = re.split(r"(?<=[.?!:])\s", first, maxsplit=1)[0]
        if len(first) <= 70:
            return first
        return first[:69].rsplit(" ", 1)[0] + "…"

    def __post_init__(self) -> None:
        # `answer: 30` beside `options: [10, 30]` means the option "30"; options become text, so must it.
        if self.type == "single" and isinstance(self.answer, (int, float)) and not isinstance(self.answer, bool):
            self.answer = str(self.answer)

    def choices(self) -> list[str]:
        """The options as listed in the bank (True/False for true_false, none for numeric)."""
        if self.type == "true_false":
            return list(TRUE_FALSE)
        return list(self.options or [])

    def expected(self) -> Any:
        """The answer in the form grading compares against."""
        if self.type == "true_false":
            return bool(self.answer)
        if self.type == "numeric":
            return float(self.answer)  # type: ignore[arg-type]
        if self.type in ("multiple", "ordering"):
            return list(self.answer)  # type: ignore[arg-type]
        return str(self.answer)


@record
class Bank(_Model):
    id: Id
    title: Annotated[str, MinLen(1)]
    # Set on a per-problem pack (quizzes/problems/<problem>.yaml): the problem card it quizzes.
    problem: Id | None = None
    source: str | None = None
    description: str | None = None
    sections: Annotated[list[Section], MinLen(1)]
    questions: Annotated[list[Question], MinLen(1)]

    def section_title(self, section_id: str) -> str:
        for s in self.sections:
            if s.id == section_id:
                return s.title
        return section_id

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    def selector(self) -> str:
        """The flag that picks this bank again on the command line ('' for the chapter bank)."""
        if self.problem:
            return f" --problem {self.problem}"
        return "" if self.id == DEFAULT_BANK else f" --bank {self.id}"


def resolve_sections(bank: Bank, names: Iterable[str]) -> list[str]:
    """Section ids from ids, unique id prefixes, or words of a title ("cap", "typing", "Caching")."""
    out: list[str] = []
    ids = [s.id for s in bank.sections]
    for name in names:
        key = name.strip().lower()
        matches = [s.id for s in bank.sections if s.id == key]
        if not matches:
            matches = [s.id for s in bank.sections if s.id.startswith(key)]
        if not matches:
            matches = [s.id for s in bank.sections if key and key in s.title.lower()]
        if len(matches) != 1:
            if matches:
                hint = f"it matches {', '.join(matches)}; give one of them"
            else:
                close = difflib.get_close_matches(key, ids, n=3, cutoff=0.5)
                hint = f"did you mean {', '.join(close)}?" if close else f"choose from: {', '.join(ids)}"
            raise NotFoundError(f"--section: no section {name!r} in bank {bank.id}", hint)
        if matches[0] not in out:
            out.append(matches[0])
    return out



# ---------------------------------------------------------------- validation


def validate_bank(located: Located) -> Bank:
    """Parse and check one bank file; raise ContentError listing every problem as `file:line: ...`."""
    bank = parse_model(located, Bank)
    problems = check_bank(bank, located)
    if problems:
        raise ContentError(problems)
    return bank


def check_bank(bank: Bank, located: Located) -> list[str]:
    """The checks pydantic cannot express, each problem pointing at the line to fix."""
    problems: list[str] = []

    def report(loc: tuple[Any, ...], message: str) -> None:
        problems.append(f"{located.where(loc)}: {message}")

    stem = located.path.stem
    if bank.id != stem:
        report(("id",), f"bank id {bank.id!r} must match the file name {stem!r} (it is the name --bank takes)")
    if located.path.parent.name == PACK_DIR:
        if bank.problem is None:
            report(("id",), f"a problem pack needs `problem: {stem}` (the problem card it quizzes)")
        elif bank.problem != stem:
            report(("problem",), f"problem {bank.problem!r} must match the file name {stem!r} (it is the name --problem takes)")

    section_ids: list[str] = []
    for i, section in enumerate(bank.sections):
        if section.id in section_ids:
            report(("sections", i, "id"), f"duplicate section id {section.id!r}")
        section_ids.append(section.id)

    seen: dict[str, int] = {}
    for i, q in enumerate(bank.questions):
        at = ("questions", i)
        if q.id in seen:
            first = located.line_of(("questions", seen[q.id], "id"))
            report((*at, "id"), f"duplicate question id {q.id!r} (first used at line {first})")
        else:
            seen[q.id] = i
        if q.section not in section_ids:
            close = difflib.get_close_matches(q.section, section_ids, n=1, cutoff=0.5)
            known = ", ".join(section_ids)
            hint = f"did you mean {close[0]!r}?" if close else f"declare it under sections: or use one of {known}"
            report((*at, "section"), f"{q.id}: unknown section {q.section!r}; {hint}")
        for message, field in _question_problems(q):
            report((*at, field), f"{q.id}: {message}")
    return problems


def _question_problems(q: Question) -> list[tuple[str, str]]:
    """(message, field) pairs for one question's type-specific rules."""
    out: list[tuple[str, str]] = []
    if q.type != "numeric":
        if q.tolerance is not None:
            out.append(("only numeric questions take a tolerance", "tolerance"))
        if q.unit is not None:
            out.append(("only numeric questions take a unit", "unit"))

    if q.type in ("single", "multiple", "ordering"):
        options = q.options or []
        if len(options) < 2:
            out.append((f"a {q.type} question needs at least two options", "options" if q.options is not None else "type"))
            return out
        dupes = sorted({o for o in options if options.count(o) > 1})
        if dupes:
            out.append((f"options repeat {', '.join(repr(d) for d in dupes)}", "options"))
        if len(options) > 26:
            out.append(("at most 26 options (they are lettered A-Z)", "options"))

    if q.type == "single":
        if not isinstance(q.answer, str):
            out.append(("the answer of a single-choice question is one option's text", "answer"))
        elif q.answer not in (q.options or []):
            out.append((_not_an_option(q.answer, q.options or []), "answer"))
    elif q.type in ("multiple", "ordering"):
        if not isinstance(q.answer, list) or not q.answer:
            what = "the options that are right" if q.type == "multiple" else "every option, in the right order"
            out.append((f"the answer of a {q.type} question is a list of {what}", "answer"))
        else:
            missing = [a for a in q.answer if a not in (q.options or [])]
            for a in missing:
                out.append((_not_an_option(a, q.options or []), "answer"))
            if len(set(q.answer)) != len(q.answer):
                out.append(("the answer lists an option twice", "answer"))
            if q.type == "ordering" and not missing and set(q.answer) != set(q.options or []):
                left = [o for o in q.options or [] if o not in q.answer]
                out.append((f"the answer must order every option; it leaves out {', '.join(repr(o) for o in left)}", "answer"))
    elif q.type == "true_false":
        if q.options is not None:
            out.append(("a true_false question takes no options (they are always True and False)", "options"))
        if not isinstance(q.answer, bool):
            out.append((f"the answer of a true_false question is true or false, not {q.answer!r}", "answer"))
    elif q.type == "numeric":
        if q.options is not None:
            out.append(("a numeric question takes no options", "options"))
        if isinstance(q.answer, bool) or not isinstance(q.answer, (int, float)):
            out.append((f"the answer of a numeric question is a number, not {q.answer!r}", "answer"))
        if q.tolerance is not None and not (0 <= q.tolerance <= MAX_TOLERANCE):
            out.append(
                (
                    f"tolerance {q.tolerance:g} is relative and must be between 0 and {MAX_TOLERANCE:g} "
                    "(0.05 accepts answers within 5%)",
                    "tolerance",
                )
            )
    return out


def _not_an_option(answer: str, options: list[str]) -> str:
    close = difflib.get_close_matches(answer, options, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else "; copy the option's text exactly"
    return f"answer {answer!r} is not one of the options{hint}"


# ---------------------------------------------------------------- loading by name


@lru_cache(maxsize=16)
def _bank(path: Path, mtime: float) -> Bank:
    from interview_coach.content.cache import cached

    return cached("quiz-bank", path, lambda: validate_bank(load_located(path)))


def bank_names(content_dir: str | Path | None = None) -> list[str]:
    return sorted(quiz_paths(content_dir))


def load_bank(name: str = DEFAULT_BANK, content_dir: str | Path | None = None) -> Bank:
    """The bank called `name` (a file stem, or a unique prefix of one); user banks override built-in ones."""
    paths = quiz_paths(content_dir)
    key = name.strip()
    if key not in paths:
        prefixed = [n for n in paths if n.startswith(key)] if key else []
        if len(prefixed) != 1:
            close = difflib.get_close_matches(key, list(paths), n=3, cutoff=0.4)
            names = ", ".join(sorted(paths)) or "(none installed)"
            hint = f"did you mean {', '.join(close)}?" if close else f"choose one of: {names}"
            raise NotFoundError(f"--bank: no quiz bank called {name!r}", hint)
        key = prefixed[0]
    path = paths[key]
    return _bank(path, path.stat().st_mtime)


def load_bank_file(path: Path) -> Bank:
    return _bank(path, path.stat().st_mtime)


def pack_paths(content_dir: str | Path | None = None) -> dict[str, Path]:
    """Problem id to its quiz pack file; a pack in the user's content folder replaces a built-in one."""
    found: dict[str, Path] = {}
    user = user_content_dir(content_dir)
    folders = [data_dir("quizzes") / PACK_DIR]
    if user is not None:
        folders.append(Path(user) / "quizzes" / PACK_DIR)
    for folder in folders:
        if folder.is_dir():
            for path in sorted(folder.glob("*.yaml")):
                found[path.stem] = path
    return found


def pack_names(content_dir: str | Path | None = None) -> list[str]:
    return sorted(pack_paths(content_dir))


def load_pack(name: str, content_dir: str | Path | None = None) -> Bank:
    """The quiz pack of problem `name` (its id, an alias such as "whatsapp", or a unique prefix).

    The reference problem's questions are the chapter bank itself, so it is what `chat` gets.
    """
    paths = pack_paths(content_dir)
    key = name.strip()
    if key not in paths:
        prefixed = [n for n in paths if n.startswith(key)] if key else []
        card = _card_named(key, content_dir) if len(prefixed) != 1 else None
        if card is not None and card.id in paths:
            return load_bank_file(paths[card.id])
        if card is not None and card.reference:
            return load_bank(DEFAULT_BANK, content_dir)
        if card is not None:
            listed = f"packs exist for: {', '.join(sorted(paths))}" if paths else "no problem has a quiz pack yet"
            raise NotFoundError(f"--problem: {card.id} ({card.title}) has no quiz pack yet", listed)
        if len(prefixed) != 1:
            close = difflib.get_close_matches(key, list(paths), n=3, cutoff=0.4)
            if close:
                hint = f"did you mean {', '.join(close)}?"
            else:
                hint = f"packs exist for: {', '.join(sorted(paths))}" if paths else "no problem has a quiz pack yet"
            raise NotFoundError(f"--problem: no quiz pack for problem {name!r}", hint)
        key = prefixed[0]
    return load_bank_file(paths[key])


def _card_named(name: str, content_dir: str | Path | None) -> Any:
    """The problem card `name` names (id, alias or prefix), or None."""
    from interview_coach.content.loader import load_problem

    try:
        return load_problem(name, content_dir) if name else None
    except (NotFoundError, ContentError):
        return None


def all_banks(content_dir: str | Path | None = None) -> list[Bank]:
    """Every bank: the chapter banks, then the per-problem packs."""
    banks = [load_bank(n, content_dir) for n in bank_names(content_dir)]
    return banks + [load_pack(n, content_dir) for n in pack_names(content_dir)]
