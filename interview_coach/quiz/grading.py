"""Reading an answer (typed, picked or scripted) and grading it against the bank.

`read_answer` turns what a person or an answers file gave into the canonical form of the
question's type (an option's text, a list of texts, a bool, a float); it raises AnswerError,
a UsageError, when the input cannot be read, so a prompt can ask again and a script can fail
with one line. `grade` compares a canonical answer with the expected one and gives partial
credit where a type allows it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from interview_coach.errors import UsageError
from interview_coach.quiz.bank import TRUE_FALSE, Question

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# Multipliers a person reaches for when typing estimates ("58k", "5B", "900 T").
_SUFFIXES = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "g": 1e9,
    "billion": 1e9,
    "t": 1e12,
    "trillion": 1e12,
}
_NUMBER = re.compile(r"^([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?)\s*([a-z]*)$", re.IGNORECASE)
_TRUE = {"true", "t", "yes", "y"}
_FALSE = {"false", "f", "no", "n"}


class AnswerError(UsageError):
    """An answer that cannot be read as the question's type (not a wrong answer: an unreadable one)."""


@dataclass(frozen=True)
class Grade:
    correct: bool
    credit: float  # 0..1; equals 1.0 exactly when correct
    given: Any
    expected: Any


def letter(index: int) -> str:
    return LETTERS[index]


# ---------------------------------------------------------------- reading answers


def read_answer(question: Question, raw: Any, order: Sequence[str] | None = None) -> Any:
    """The canonical answer for `raw`.

    Letters (A, B, ...) count the options in `order`: the order shown on screen when a person
    answers, the bank's own order (the default) for an answers file.
    """
    order = list(order) if order is not None else question.choices()
    kind = question.type
    if kind == "numeric":
        return parse_number(raw, unit=question.unit)
    if kind == "true_false":
        return _read_bool(raw)
    if kind == "single":
        if isinstance(raw, list):
            raise AnswerError(f"give one option, not a list of {len(raw)}", _letters_hint(order))
        return _read_option(raw, order)
    items = _read_list(raw, order)
    if kind == "multiple":
        if len(set(items)) != len(items):
            raise AnswerError("an option is picked twice", "list each option at most once")
        # Keep the bank's order so the same choice always reads (and stores) the same way.
        return [o for o in question.choices() if o in items]
    # ordering
    if sorted(items) != sorted(order):
        missing = [f"{letter(i)}" for i, o in enumerate(order) if o not in items]
        twice = sorted({o for o in items if items.count(o) > 1})
        details = []
        if missing:
            details.append(f"missing {', '.join(missing)}")
        if twice:
            details.append(f"repeated {', '.join(letter(order.index(t)) for t in twice)}")
        detail = "; ".join(details) or "extra items"
        raise AnswerError(
            f"put all {len(order)} items in order, each once ({detail})",
            f"type the letters in order, e.g. {''.join(LETTERS[: len(order)][::-1])}",
        )
    return items


# Units of one family convert into each other, so an answer may use any unit of the question's
# family ("0.9 PB" for a question in TB). Data sizes are decimal, as in the chapter's estimates.
_FAMILIES: tuple[dict[str, float], ...] = (
    {"byte": 1, "bytes": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "pb": 1e15, "eb": 1e18},
    {"bps": 1, "kbps": 1e3, "mbps": 1e6, "gbps": 1e9, "tbps": 1e12},
    {
        "ms": 1e-3,
        "s": 1,
        "sec": 1,
        "secs": 1,
        "second": 1,
        "seconds": 1,
        "min": 60,
        "mins": 60,
        "minute": 60,
        "minutes": 60,
        "h": 3600,
        "hr": 3600,
        "hrs": 3600,
        "hour": 3600,
        "hours": 3600,
        "day": 86400,
        "days": 86400,
        "year": 365 * 86400,
        "years": 365 * 86400,
    },
)

_SHOWN = ("bytes KB MB GB TB PB", "bps Kbps Mbps Gbps", "ms s minutes hours days years")


def unit_family(unit: str | None) -> dict[str, float] | None:
    """The family of a question's unit ("TB", "GB/day", "Mbps", "seconds"), by its part before any '/'."""
    if not unit:
        return None
    head = unit.split("/", 1)[0].strip().lower()
    for family in _FAMILIES:
        if head in family:
            return family
    return None


def parse_number(raw: Any, unit: str | None = None) -> float:
    """A number from 57870, "57,870", "5e9", "58k", "5 billion", "912.5 TB" or "0.9 PB" (for a
    question in TB): any unit of the question's own family is converted to the question's unit."""
    if isinstance(raw, bool):
        raise AnswerError(f"{raw!r} is not a number", "type a number such as 57870, 58k or 5e9")
    value = float(raw) if isinstance(raw, (int, float)) else _parse_text(str(raw), unit)
    if not math.isfinite(value):
        raise AnswerError(f"{raw!r} is not a finite number", "type a number such as 57870")
    return value


def _parse_text(raw: str, unit: str | None) -> float:
    text = raw.strip().replace(",", "").replace("_", "").replace("≈", "").replace("~", "")
    family = unit_family(unit)
    head, _, per = (unit or "").partition("/")
    lowered = text.lower()
    if unit and lowered.endswith(unit.lower()):
        # "912.5 TB" for a TB question, "58k writes/s" for a writes/s question.
        text = text[: -len(unit)].strip()
    elif per and lowered.endswith("/" + per.strip().lower()):
        # "0.5 TB/day" for a GB/day question: the rate part matches, the size part converts below.
        text = text[: -len(per.strip()) - 1].strip()
    match = _NUMBER.match(text)
    word = match.group(2).lower() if match else ""
    known = family is not None and word in family
    if not match or (word and not known and word not in _SUFFIXES):
        units = f" (in {unit}" + (f", or another of {_family_names(family)}" if family else "") + ")" if unit else ""
        raise AnswerError(f"{raw.strip()!r} is not a number", f"type a number such as 57870, 58k or 5e9{units}")
    value = float(match.group(1))
    if known and family is not None:
        # Family units first: for a data question "5 B" is five bytes, not five billion.
        return value * family[word] / family[head.strip().lower()]
    return value * _SUFFIXES.get(word, 1.0)


def _family_names(family: dict[str, float]) -> str:
    return _SHOWN[_FAMILIES.index(family)]


def family_spellings(unit: str) -> str:
    """The other units an answer to a question in `unit` may use ("KB MB GB PB" for TB), or ''."""
    family = unit_family(unit)
    if family is None:
        return ""
    head, _, per = unit.partition("/")
    suffix = f"/{per}" if per else ""
    own = family[head.strip().lower()]
    names = [n for n in _family_names(family).split() if family[n.lower()] != own]
    return ", ".join(n + suffix for n in names)


def _read_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE or text == "a":
        return True
    if text in _FALSE or text == "b":
        return False
    raise AnswerError(f"{str(raw).strip()!r} is not true or false", "answer true or false (or A for True, B for False)")


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _read_option(raw: Any, order: list[str]) -> str:
    text = str(raw).strip()
    by_text = {_norm(o): o for o in order}
    if _norm(text) in by_text:
        return by_text[_norm(text)]
    # "B", "b" or "B." / "B)" as typed or copied from the screen.
    token = text.rstrip(".)").upper()
    if len(token) == 1 and token in LETTERS[: len(order)]:
        return order[LETTERS.index(token)]
    raise AnswerError(f"{text!r} is not one of the options", _letters_hint(order))


def _read_list(raw: Any, order: list[str]) -> list[str]:
    if isinstance(raw, str):
        text = raw.strip()
        by_text = {_norm(o): o for o in order}
        if _norm(text) in by_text:
            return [by_text[_norm(text)]]
        compact = re.sub(r"[\s,;>-]+", "", text).upper()
        if compact and all(c in LETTERS[: len(order)] for c in compact):
            return [order[LETTERS.index(c)] for c in compact]
        if not text:
            return []
        raise AnswerError(f"{text!r} is not a list of options", _letters_hint(order) + " (e.g. AC)")
    if isinstance(raw, (list, tuple)):
        return [_read_option(item, order) for item in raw]
    if raw is None:
        return []
    raise AnswerError(f"{raw!r} is not a list of options", _letters_hint(order))


def _letters_hint(order: list[str]) -> str:
    return f"give an option's text or its letter (A-{letter(len(order) - 1)})" if order else "give an option's text"


# ---------------------------------------------------------------- grading


def grade(question: Question, given: Any) -> Grade:
    """Grade a canonical answer (from `read_answer`)."""
    expected = question.expected()
    kind = question.type
    if kind == "numeric":
        ok = within_tolerance(float(given), expected, question.tolerance or 0.0)
        return Grade(ok, 1.0 if ok else 0.0, float(given), expected)
    if kind == "multiple":
        credit = multiple_credit(list(given), expected)
        return Grade(set(given) == set(expected), credit, list(given), expected)
    if kind == "ordering":
        credit = ordering_credit(list(given), expected)
        return Grade(list(given) == expected, credit, list(given), expected)
    ok = given == expected
    return Grade(ok, 1.0 if ok else 0.0, given, expected)


def within_tolerance(given: float, expected: float, tolerance: float) -> bool:
    """|given - expected| <= tolerance * |expected|, the edge included.

    The tiny slack absorbs float rounding, so that 110 against 100 at 10% counts as inside even
    though 0.1 * 100 is not exactly 10 in binary.
    """
    allowed = abs(expected) * tolerance
    return abs(given - expected) <= allowed + 1e-9 * max(1.0, abs(expected))


def multiple_credit(given: Sequence[str], expected: Sequence[str]) -> float:
    """Right picks minus wrong picks, over the number of right options; never below zero.

    Picking everything therefore earns nothing on a question with as many wrong options as
    right ones, and missing one of three right options (with no wrong pick) earns 2/3.
    """
    want = set(expected)
    got = set(given)
    hits = len(got & want)
    wrong = len(got - want)
    return max(0.0, (hits - wrong) / len(want)) if want else 0.0


def ordering_credit(given: Sequence[str], expected: Sequence[str]) -> float:
    """The share of pairs of items that are in the right relative order.

    Swapping two neighbours out of four items keeps 5 of 6 pairs right, while a reversed list
    scores zero: closer to how wrong an order feels than counting items in the exact slot.
    """
    n = len(expected)
    if n < 2:
        return 1.0 if list(given) == list(expected) else 0.0
    position = {item: i for i, item in enumerate(given)}
    if set(position) != set(expected):
        return 0.0
    pairs = n * (n - 1) // 2
    right = sum(1 for i in range(n) for j in range(i + 1, n) if position[expected[i]] < position[expected[j]])
    return right / pairs


def show_answer(question: Question, value: Any) -> str:
    """A canonical answer as a person reads it (used for feedback and the misses table)."""
    if value is None:
        return "(no answer)"
    if question.type == "true_false":
        return TRUE_FALSE[0] if value else TRUE_FALSE[1]
    if question.type == "numeric":
        unit = f" {question.unit}" if question.unit else ""
        return f"{float(value):,.6g}{unit}" if abs(float(value)) < 1e6 else f"{float(value):,.0f}{unit}"
    if question.type == "multiple":
        return "; ".join(value) if value else "(none picked)"
    if question.type == "ordering":
        return " → ".join(value)
    return str(value)
