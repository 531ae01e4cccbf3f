"""Checks that a quiz rewards knowing the chapter, not test-taking tricks.

Each check looks at every question of one or more banks and returns what it found; the tests
decide the limits. The tricks covered:

- option length: picking the longest (or shortest) option;
- option position: answering the same letter everywhere, or the listed order of an ordering
  question, or True everywhere;
- wording: a word or number of the right option repeated in the prompt (and in no other option);
- throwaway distractors: joke or absolute options ("all of the above", "at no cost", "never"),
  or an option of a clearly different size or kind from the right one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from interview_coach.quiz.bank import Bank, Question
from interview_coach.quiz.grading import LETTERS, multiple_credit, ordering_credit

# Phrases that mark an option as a throwaway or lean on test-taking lore (absolute words are
# usually wrong); none may appear in any option, right or wrong.
BANNED_PHRASES = (
    "all of the above",
    "none of the above",
    "both of the above",
    "always",
    "never",
    "at no cost",
    "for free",
    "unlimited",
    "infinite",
    "instantly",
    "magic",
    "no trade-off",
    "no tradeoff",
    "no downside",
    "100%",
    "guaranteed",
    "guarantees",
)
# A distractor shorter than half the right option, or longer than twice it, stands out.
LENGTH_BAND = (0.5, 2.0)

# Words too common to give an answer away when the prompt repeats them.
_COMMON = (
    "a an the of to in on for is are was were be been it its and or but by with as at from that this these those "
    "which what who whom whose when where why how so not no nor than then there their they them each every all "
    "any some one only into onto per can could does do did done has have had will would should may might must "
    "more most less least new same other others own such very just also about after before between over under "
    "up down out off again once here both few many much while if because until your you we our us i me my he "
    "she his her him"
)
STOPWORDS = frozenset(_COMMON.split())


def _stem(word: str) -> str:
    # Crude on purpose: "partitions"/"partitioned" and "partition" share the first six letters.
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word[:6]


def words(text: str) -> set[str]:
    """Content-word stems of a text, lower-cased; numbers kept as written without separators."""
    out = set()
    for token in re.findall(r"[a-z0-9]+(?:[.,][0-9]+)*", text.lower()):
        token = token.replace(",", "")
        if token in STOPWORDS or (len(token) < 3 and not token.isdigit()):
            continue
        out.add(token if token[0].isdigit() else _stem(token))
    return out


def number_forms(value: float) -> set[str]:
    """The ways a prompt could spell an answer's number: 5000000, 5,000,000 (as 5000000), 5 million."""
    forms = {f"{value:g}".replace("+", "")}
    if float(value).is_integer():
        forms.add(str(int(value)))
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if abs(value) >= size and (value / size) == int(value / size):
            forms.add(f"{int(value / size)} {word}")
            break
    return forms


@dataclass(frozen=True)
class Finding:
    question: str
    message: str

    def __str__(self) -> str:
        return f"{self.question}: {self.message}"


def questions_of(banks: Iterable[Bank]) -> list[Question]:
    return [q for b in banks for q in b.questions]


# ---------------------------------------------------------------- length


def longest_is_key_share(questions: Sequence[Question]) -> tuple[float, float]:
    """(share of single-choice questions a "pick the longest" strategy gets right, the chance share).

    Ties split the credit: with two longest options the strategy is right half of the time.
    """
    singles = [q for q in questions if q.type == "single"]
    if not singles:
        return 0.0, 0.0
    won = 0.0
    for q in singles:
        longest = max(len(o) for o in q.choices())
        tied = [o for o in q.choices() if len(o) == longest]
        won += (1 / len(tied)) if q.answer in tied else 0.0
    chance = sum(1 / len(q.choices()) for q in singles) / len(singles)
    return won / len(singles), chance


def shortest_is_key_share(questions: Sequence[Question]) -> float:
    singles = [q for q in questions if q.type == "single"]
    won = 0.0
    for q in singles:
        shortest = min(len(o) for o in q.choices())
        tied = [o for o in q.choices() if len(o) == shortest]
        won += (1 / len(tied)) if q.answer in tied else 0.0
    return won / len(singles) if singles else 0.0


# ---------------------------------------------------------------- position


@dataclass(frozen=True)
class StrategyScore:
    name: str
    points: float  # credit earned (partial credit counts)
    possible: int  # questions it answered
    chance: float  # the credit a random guess earns on the same questions, on average

    @property
    def share(self) -> float:
        return self.points / self.possible if self.possible else 0.0

    @property
    def chance_share(self) -> float:
        return self.chance / self.possible if self.possible else 0.0


def constant_letter_scores(questions: Sequence[Question]) -> list[StrategyScore]:
    """Score of answering the same letter (A, B, ...) on every single-choice question, and of
    counting from the end (always the last option, the second last ...)."""
    singles = [q for q in questions if q.type == "single"]
    most = max((len(q.choices()) for q in singles), default=0)
    chance = sum(1 / len(q.choices()) for q in singles)
    scores = []
    for i in range(most):
        hits = sum(1 for q in singles if i < len(q.choices()) and q.choices()[i] == q.answer)
        scores.append(StrategyScore(f"always {LETTERS[i]}", hits, len(singles), chance))
        hits_end = sum(1 for q in singles if i < len(q.choices()) and q.choices()[-1 - i] == q.answer)
        scores.append(StrategyScore(f"always letter {i + 1} from the end", hits_end, len(singles), chance))
    return scores


def listed_order_score(questions: Sequence[Question]) -> tuple[StrategyScore, StrategyScore]:
    """Ordering questions answered in the order listed, and in its reverse (chance is one half)."""
    orderings = [q for q in questions if q.type == "ordering"]
    as_listed = sum(ordering_credit(q.choices(), q.expected()) for q in orderings)
    reverse = sum(ordering_credit(q.choices()[::-1], q.expected()) for q in orderings)
    half = 0.5 * len(orderings)
    return (
        StrategyScore("the listed order", as_listed, len(orderings), half),
        StrategyScore("the listed order reversed", reverse, len(orderings), half),
    )


def multiple_position_scores(questions: Sequence[Question]) -> list[StrategyScore]:
    """Picking the same letters everywhere on multiple-select questions (A; A+B; A+B+C ...),
    against picking as many options at random (the expected credit of a random pick of that size)."""
    multis = [q for q in questions if q.type == "multiple"]
    from itertools import combinations

    out = []
    for size in range(1, 4):
        for letters in combinations(range(5), size):
            points = 0.0
            chance = 0.0
            for q in multis:
                opts = q.choices()
                picked = [opts[i] for i in letters if i < len(opts)]
                points += multiple_credit(picked, q.expected())
                k = min(size, len(opts))
                combos = list(combinations(opts, k))
                chance += sum(multiple_credit(list(c), q.expected()) for c in combos) / len(combos)
            name = "always " + "".join(LETTERS[i] for i in letters)
            out.append(StrategyScore(name, points, len(multis), chance))
    return out


# Test-taking lore: options with absolute words are usually wrong, so strike them and guess
# among the rest. A fair bank gives that strategy nothing over chance.
ABSOLUTE = re.compile(r"\b(every|all|only|always|never|cannot|can't|any|none|no|whole|entirely|completely|must)\b", re.I)


def absolute_word_elimination_score(questions: Sequence[Question]) -> StrategyScore:
    """Strike single-choice options with an absolute word, guess among the rest (all if none
    is left); the expected score against guessing among all options."""
    singles = [q for q in questions if q.type == "single"]
    points = 0.0
    for q in singles:
        kept = [o for o in q.choices() if not ABSOLUTE.search(o)] or q.choices()
        points += (1 / len(kept)) if q.answer in kept else 0.0
    chance = sum(1 / len(q.choices()) for q in singles)
    return StrategyScore("strike absolute words", points, len(singles), chance)


def true_share(questions: Sequence[Question]) -> tuple[int, int]:
    tf = [q for q in questions if q.type == "true_false"]
    return sum(1 for q in tf if q.answer is True), len(tf)


# ---------------------------------------------------------------- wording


def prompt_giveaways(questions: Sequence[Question]) -> list[Finding]:
    """Words or numbers of the right option(s) that the prompt repeats and no wrong option has."""
    found = []
    for q in questions:
        prompt = words(q.prompt)
        if q.type == "numeric":
            value = float(q.answer)  # type: ignore[arg-type]
            text = " ".join(q.prompt.lower().replace(",", "").split())
            spelled = {f for f in number_forms(value) if re.search(rf"(?<![\d.]){re.escape(f)}(?![\d])", text)}
            if spelled:
                found.append(Finding(q.id, f"the prompt contains the answer {sorted(spelled)[0]}"))
            continue
        if q.type not in ("single", "multiple"):
            continue
        keyed = [q.answer] if q.type == "single" else list(q.expected())
        wrong = [o for o in q.choices() if o not in keyed]
        wrong_words = set().union(*(words(o) for o in wrong)) if wrong else set()
        for option in map(str, keyed):
            telling = (words(option) - wrong_words) & prompt
            if telling:
                found.append(Finding(q.id, f"the prompt repeats {sorted(telling)} from the right option {option!r}"))
    return found


def grammar_cues(questions: Sequence[Question]) -> list[Finding]:
    """A prompt ending in "a"/"an" tells which option fits the article."""
    return [
        Finding(q.id, "the prompt ends in an article, which hints at the option's first letter")
        for q in questions
        if re.search(r"\b(a|an)\s*$", q.prompt.strip(), re.IGNORECASE)
    ]


# ---------------------------------------------------------------- distractors


def throwaway_options(questions: Sequence[Question]) -> list[Finding]:
    """Banned phrases, and single-choice options far shorter or longer than the right one, or of
    another kind (a number among sentences)."""
    found = []
    for q in questions:
        for option in q.choices() if q.type in ("single", "multiple", "ordering") else []:
            lowered = option.lower()
            for phrase in BANNED_PHRASES:
                if re.search(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])", lowered):
                    found.append(Finding(q.id, f"option {option!r} uses {phrase!r}"))
        if q.type != "single":
            continue
        key = str(q.answer)
        low, high = LENGTH_BAND
        for option in q.choices():
            if option == key:
                continue
            ratio = len(option) / len(key)
            if not low <= ratio <= high:
                found.append(Finding(q.id, f"option {option!r} is {ratio:.1f}× the right option's length"))
            if option[:1].isdigit() != key[:1].isdigit():
                found.append(Finding(q.id, f"option {option!r} is not the same kind of answer as the right one"))
    return found
