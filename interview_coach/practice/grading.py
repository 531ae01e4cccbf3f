"""Grading answers by evidence: was each rubric point explained, only named, missing or contradicted?

The rules (docs/scoring.md says them for candidates):
- An answer is cut into sentences. A point's concept is found by its phrasings, on whole words
  and word stems (`phrases.py`), unless the sentence negates or rejects it ("not X", "instead
  of X", "X would be risky", "if we X ... we will freeze").
- The point is *explained* when the sentence that names it also gives its reason or mechanism:
  one of the point's cue words (its own or from its description) or a figure, within a few
  words of the concept, or a reasoning connective ("because", "so that", "to avoid") with
  enough words of the candidate's own around it. The sentence must read as prose (function
  words, not a comma list of terms), must not be mostly the card's own terms, and one sentence
  can explain only a few points.
- It is *named* when the concept appears without that (small credit), *contradicted* when it
  appears only negated or the answer says one of its contradictions, else *missing*.
- A `question` point is explained by a clarifying question about it; an `estimate` point by a
  figure within 2x of the card's (named within 10x), as the estimation drill grades.
- Red flags (misconceptions the card lists) are found the same way, never when negated.

Deep-dive points are graded only on their own dive's text; template labels and prompts are
stripped first so copying the template earns nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from interview_coach.content.models import KeyPoint, ProblemCard, RedFlag
from interview_coach.practice.phrases import Tokens, compile_phrase, find, stem

Level = Literal["explained", "named", "missing", "contradicted"]
LEVELS: tuple[Level, ...] = ("explained", "named", "missing", "contradicted")
CREDIT: dict[str, float] = {"explained": 1.0, "named": 0.2, "missing": 0.0, "contradicted": 0.0}
RED_FLAG_COST = 0.5  # in points: a red flag takes away half a point of the step's credit

# ---------------------------------------------------------------- word classes

FUNCTION_WORDS = frozenset(
    stem(w)
    for w in """a an the is are was were be been being will would can could should shall may might must
    to of by for with that which who whom whose so because since when if then than as into onto from on in at
    we it they this these those there their its our us you he she them i do does did has have had not no
    each every all any both either neither nor or and but while whereas until unless before after once
    where how what why only also just still instead rather through per via about up down out over off""".split()
)
# Words that carry no content of their own, often used to pad a list into a "sentence".
FILLER = frozenset(
    stem(w)
    for w in """basically really very quite actually probably maybe perhaps like stuff thing things kind sort lot lots
    good great nice cool important key main core big important obviously definitely sure yeah ok okay well
    think believe guess feel use using used uses need needs want wants go going get gets got make makes
    something somehow etc also plus further additionally too important relevant approach idea design system""".split()
)
CONNECTIVES = [
    "because", "since", "so that", "so", "which", "by", "to avoid", "to prevent", "in order to", "otherwise",
    "as a result", "thanks to", "due to", "means", "lets", "allows", "ensures", "therefore", "thus", "given",
    "instead of", "rather than", "without", "so we", "that way", "via", "through", "to keep", "to handle",
]
NEGATORS = frozenset(stem(w) for w in "not no never without avoid avoids avoiding neither nor prevent skip bypass".split())
NEGATING_PHRASES = ["instead of", "rather than", "as opposed to", "in place of", "get rid of", "steer clear"]
# Said after a concept in the same clause, these reject it ("polling would overload the servers").
REJECTIONS = [
    "risky", "anti-pattern", "antipattern", "bad idea", "too much", "too slow", "too heavy", "freez*", "overload*",
    "wasteful", "wastes", "not scale", "catastroph*", "break*", "dangerous", "mistake", "wrong", "bottleneck",
    "unnecessary load", "bloat*", "stall*", "expensive", "inefficient", "should be avoided", "would lose",
]
CLAUSE_BREAKS = re.compile(r",|\bbut\b|\bwhereas\b|\bwhile\b|\bhowever\b|\bthough\b|\bbecause\b|\bsince\b", re.IGNORECASE)
_FIGURE = re.compile(r"\d")

WINDOW = 14  # words between a concept and its cue
DENSE = 0.6  # a sentence whose content words are this much the card's terms is a list
MIN_PROSE_FUNCTION_WORDS = 2


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class PointGrade:
    point_id: str
    level: Level
    sentence: str | None = None  # the candidate's sentence that earned it (or contradicted it)
    concept: str | None = None  # the phrasing found
    advice: str | None = None  # what to add (named) or fix (contradicted)
    field_id: str | None = None
    cue: str | None = None  # the reason or mechanism found beside the concept

    @property
    def credit(self) -> float:
        return CREDIT[self.level]


@dataclass(frozen=True)
class RedFlagHit:
    flag_id: str
    sentence: str
    reason: str
    text: str = ""
    challenge: str | None = None
    field_id: str | None = None


@dataclass(frozen=True)
class FieldGrade:
    step_id: str
    field_id: str
    points: list[PointGrade]
    red_flags: list[RedFlagHit]


@dataclass(frozen=True)
class StepGrade:
    step_id: str
    points: list[PointGrade]  # one per rubric point of the step, best evidence over its fields
    red_flags: list[RedFlagHit]
    fields: list[FieldGrade] = field(default_factory=list)

    def point(self, point_id: str) -> PointGrade:
        for p in self.points:
            if p.point_id == point_id:
                return p
        raise KeyError(point_id)

    @property
    def credit(self) -> float:
        return max(0.0, sum(p.credit for p in self.points) - RED_FLAG_COST * len(self.red_flags))

    @property
    def coverage(self) -> float:
        return self.credit / len(self.points) if self.points else 0.0


@dataclass(frozen=True)
class Point:
    """A rubric point as graded: its qualified id and where it may be found."""

    key: str  # "card.websockets", "delivery.async_persistence", "tradeoff.ap_over_cp"
    point: KeyPoint
    step_id: str
    dive_id: str | None = None


# ---------------------------------------------------------------- the rubric of a card


def card_points(card: ProblemCard, step_id: str, dives: Iterable[str] | None = None) -> list[Point]:
    """The graded points of a step: the card's points, a dive's own points, trade-offs in the wrap-up."""
    out: list[Point] = []
    if step_id == "deep_dive":
        wanted = list(dives) if dives is not None else [d.id for d in card.deep_dives]
        for dive_id in wanted:
            dive = card.deep_dive(dive_id)
            out.extend(Point(f"{dive.id}.{kp.id}", kp, step_id, dive.id) for kp in dive.key_points)
        return out
    out.extend(Point(f"card.{kp.id}", kp, step_id) for kp in card.key_points.get(step_id, []))  # type: ignore[call-overload]
    if step_id == "wrap_up":
        for t in card.tradeoffs:
            kp = KeyPoint(
                id=t.id,
                text=f"{t.title}: {t.choice} Gains: {t.benefit} Costs: {t.cost}",
                keywords=t.keywords,
                section="How to Frame Trade-offs",
                competency="communication",
                advice=f"say what it gives ({_lower_first(t.benefit)}) and what it costs ({_lower_first(t.cost)})",
            )
            out.append(Point(f"tradeoff.{t.id}", kp, step_id))
    return out


def _lower_first(s: str) -> str:
    s = s.strip().rstrip(".")
    return s[:1].lower() + s[1:]


def concept_phrases(kp: KeyPoint) -> list[str]:
    return [p for p in [*kp.keywords, *kp.phrasings] if p.strip()]


GENERIC = frozenset(
    stem(w)
    for w in """user users server servers system message messages data client clients service one two all each new
    per time store stored use used make makes get gets chat without instead names name said says point""".split()
)


@lru_cache(maxsize=4096)
def _derived_cues(text: str, concepts: tuple[str, ...]) -> tuple[str, ...]:
    """The point's own description words (minus its concept words) serve as cues too."""
    concept_stems = {p[0] for c in concepts for p in compile_phrase(c).parts if p is not None}
    out = []
    for s, w in zip(Tokens.of(text).stems, Tokens.of(text).words, strict=True):
        if len(w) < 4 or w[0].isdigit() or s in FUNCTION_WORDS or s in FILLER or s in GENERIC or s in concept_stems:
            continue
        if s not in out:
            out.append(s)
    return tuple(out)


class CardTerms:
    """Every concept word of a card, to tell a list of the card's terms from prose."""

    def __init__(self, card: ProblemCard) -> None:
        stems: set[str] = set()
        for kp in _all_points(card):
            for c in concept_phrases(kp):
                stems.update(p[0] for p in compile_phrase(c).parts if p is not None and not p[1])
        for flag in card.red_flags:
            for group in flag.match:
                for c in group:
                    stems.update(p[0] for p in compile_phrase(c).parts if p is not None and not p[1])
        self.stems = frozenset(stems - FUNCTION_WORDS)


def _all_points(card: ProblemCard) -> list[KeyPoint]:
    out = [kp for pts in card.key_points.values() for kp in pts]
    out.extend(kp for d in card.deep_dives for kp in d.key_points)
    return out


_TERMS: dict[int, tuple[ProblemCard, CardTerms]] = {}


def card_terms(card: ProblemCard) -> CardTerms:
    hit = _TERMS.get(id(card))
    if hit is None or hit[0] is not card:
        hit = (card, CardTerms(card))
        _TERMS[id(card)] = hit
    return hit[1]


# ---------------------------------------------------------------- sentences

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+|\s+[•·]\s+|(?<=:)\s+(?=[A-Z\"'])")
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s+")


@dataclass(frozen=True)
class Sentence:
    text: str
    toks: Tokens
    prose: bool
    dense: bool
    cap: int  # how many points it may explain


def sentences(text: str, terms: CardTerms) -> list[Sentence]:
    out = []
    for raw in _SENTENCE_END.split(text):
        s = _BULLET.sub("", raw).strip().strip('"“”')
        if not s:
            continue
        toks = Tokens.of(s)
        if not toks.stems:
            continue
        function = sum(1 for t in toks.stems if t in FUNCTION_WORDS)
        content = [t for t, w in zip(toks.stems, toks.words, strict=True) if t not in FUNCTION_WORDS and t not in FILLER and not w[0].isdigit()]
        in_terms = sum(1 for t in content if t in terms.stems)
        dense = len(content) >= 3 and in_terms / len(content) >= DENSE
        # Commas between bare terms, no verbs: a list, not a sentence.
        commas = s.count(",")
        listy = commas >= 2 and function <= commas // 2
        prose = function >= MIN_PROSE_FUNCTION_WORDS and not listy
        cap = 1 + len(toks) // 12
        out.append(Sentence(s, toks, prose, dense, cap))
    return out


# ---------------------------------------------------------------- negation


def _negated(toks: Tokens, start: int, end: int, sentence: str) -> bool:
    """Is the concept at words [start, end) negated or rejected in its sentence?"""
    before = toks.stems[max(0, start - 3) : start]
    if any(b in NEGATORS for b in before):
        return True
    for phrase in NEGATING_PHRASES:
        for s, e in find(phrase, toks):
            if e <= start and start - e <= 2:
                return True
    # A rejection said after the concept, in the same clause ("X would be risky").
    clause_end = _clause_end(toks, end)
    for phrase in REJECTIONS:
        for s, _e in find(phrase, toks):
            if end <= s < clause_end and s - end <= 8:
                return True
    # "If we X ..., we will freeze the server": the whole condition is rejected.
    if toks.stems[:1] == ("if",) or (start > 0 and "if" in toks.stems[max(0, start - 8) : start]):
        tail = Tokens.of(" ".join(toks.words[end:]))
        if any(find(p, tail) for p in REJECTIONS):
            return True
    return False


def _clause_end(toks: Tokens, end: int) -> int:
    for i in range(end, len(toks)):
        if toks.words[i] in ("but", "whereas", "while", "however", "though", "because", "since", "so"):
            return i
    return len(toks)


# ---------------------------------------------------------------- one point in one field


@dataclass
class _Best:
    level: Level = "missing"
    sentence: str | None = None
    concept: str | None = None
    cue: str | None = None


_RANK = {"explained": 3, "contradicted": 2, "named": 1, "missing": 0}


def _grade_statement(kp: KeyPoint, sents: list[Sentence], used: dict[int, int], *, require_prose: bool = True) -> _Best:
    best = _Best()
    concepts = concept_phrases(kp)
    cues = [*kp.cues, *_derived_cues(kp.text, tuple(concepts))]
    for idx, sent in enumerate(sents):
        toks = sent.toks
        for c in kp.contradictions:
            if find(c, toks):
                if _RANK["contradicted"] > _RANK[best.level]:
                    best = _Best("contradicted", sent.text, c)
        for c in concepts:
            spans = find(c, toks)
            if not spans:
                continue
            phrase = compile_phrase(c)
            negatable = phrase.plain is None and not any(p is not None and p[0] in NEGATORS for p in phrase.parts)
            for start, end in spans:
                if negatable and start >= 0 and _negated(toks, start, end, sent.text):
                    if _RANK["contradicted"] > _RANK[best.level]:
                        best = _Best("contradicted", sent.text, c)
                    continue
                level: Level = "named"
                cue = None
                can_explain = (sent.prose or not require_prose) and not sent.dense and used.get(idx, 0) < sent.cap
                if can_explain:
                    cue = _cue_near(cues, toks, start, end, concepts)
                    if cue is None and _FIGURE.search(sent.text) and start >= 0:
                        cue = _figure_near(toks, start, end)
                    if cue is None:
                        cue = _reasoned(toks, start, end)
                    if cue is not None:
                        level = "explained"
                if _RANK[level] > _RANK[best.level] or (level == "named" and best.level == "named" and best.sentence is None):
                    best = _Best(level, sent.text, c, cue)
                    if level == "explained":
                        used[idx] = used.get(idx, 0) + 1
                        return best
    return best


def _cue_near(cues: list[str], toks: Tokens, start: int, end: int, concepts: list[str]) -> str | None:
    lo, hi = (0, len(toks)) if start < 0 else (max(0, start - WINDOW), min(len(toks), end + WINDOW))
    concept_spans = [(s, e) for c in concepts for s, e in find(c, toks)]
    for cue in cues:
        phrase = compile_phrase(cue) if " " in cue or "*" in cue or "~" in cue else None
        if phrase is not None:
            for s, e in find(phrase, toks):
                if lo <= s < hi and not _overlaps(s, e, concept_spans):
                    return cue
        else:
            target = stem(cue.lower())
            for i in range(lo, hi):
                if toks.stems[i] == target and not _overlaps(i, i + 1, concept_spans):
                    return cue
    return None


def _overlaps(s: int, e: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < e2 and s2 < e for s2, e2 in spans if s2 >= 0)


def _figure_near(toks: Tokens, start: int, end: int) -> str | None:
    lo, hi = max(0, start - WINDOW), min(len(toks), end + WINDOW)
    for i in range(lo, hi):
        if toks.words[i][0].isdigit() and not (start <= i < end):
            return toks.words[i]
    return None


def _reasoned(toks: Tokens, start: int, end: int) -> str | None:
    """A connective plus enough of the candidate's own words around the concept."""
    lo, hi = (0, len(toks)) if start < 0 else (max(0, start - WINDOW), min(len(toks), end + WINDOW))
    window = Tokens.of(" ".join(toks.words[lo:hi]))
    own = [s for s in window.stems if s not in FUNCTION_WORDS and s not in FILLER]
    if len(own) < 6:
        return None
    for conn in ("because", "so that", "to avoid", "to prevent", "in order to", "otherwise", "which means", "so we"):
        if find(conn, window):
            return conn
    return None


def _grade_question(kp: KeyPoint, questions: list[str]) -> _Best:
    for q in questions:
        toks = Tokens.of(q)
        function = sum(1 for t in toks.stems if t in FUNCTION_WORDS)
        if len(toks) < 4 or function < 1:
            continue
        for c in concept_phrases(kp):
            if find(c, toks):
                return _Best("explained", q.strip(), c, "asked")
    return _Best()


# ---------------------------------------------------------------- estimates


def _estimate_target(card: ProblemCard, kp: KeyPoint) -> tuple[float, str] | None:
    if kp.value is not None:
        return kp.value, kp.unit or "count"
    if kp.figure is None:
        return None
    from interview_coach.practice.estimates import card_estimate

    result = card_estimate(card).results.get(kp.figure)
    return (result.value, result.unit) if result is not None else None


def _factor_level(value: float, target: float) -> tuple[Level, float]:
    if value <= 0 or target <= 0:
        return "missing", float("inf")
    factor = max(value / target, target / value)
    return ("explained" if factor <= 2.0 else "named" if factor <= 10.0 else "missing"), factor


_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?\s*(?:[kmgtp]i?b(?:ytes?)?|[kmgtp]bps|bytes?|b\b|k\b|m\b|million|billion|bn|thousand|trillion|[kmbt]\b)?", re.I)


def _grade_estimate(card: ProblemCard, kp: KeyPoint, sents: list[Sentence], estimates: Mapping[str, str]) -> _Best:
    from interview_coach.practice.estimates import read_figure

    target = _estimate_target(card, kp)
    if target is None:
        return _Best()
    value_wanted, unit = target
    best = _Best()
    best_factor = float("inf")
    if kp.figure and estimates.get(kp.figure, "").strip():
        typed = estimates[kp.figure]
        value = read_figure(typed, unit)
        if value is not None:
            level, factor = _factor_level(value, value_wanted)
            if level != "missing":
                best, best_factor = _Best(level, f"{kp.figure}: {typed}", kp.figure, f"within {factor:.1f}x"), factor
    concepts = concept_phrases(kp)
    for sent in sents:
        if not any(find(c, sent.toks) for c in concepts):
            continue
        for m in _NUMBER.finditer(sent.text):
            value = read_figure(_spoken(m.group(0)), unit)
            if value is None:
                continue
            level, factor = _factor_level(value, value_wanted)
            if level != "missing" and (factor < best_factor):
                concept = next(c for c in concepts if find(c, sent.toks))
                best, best_factor = _Best(level, sent.text, concept, m.group(0).strip()), factor
    return best


def _spoken(figure: str) -> str:
    """'5 billion' -> '5B', '50 million' -> '50M': the forms the figure reader knows."""
    low = figure.lower().replace(" ", "")
    for word, suffix in (("trillion", "T"), ("billion", "B"), ("bn", "B"), ("million", "M"), ("thousand", "K")):
        if low.endswith(word):
            return low[: -len(word)] + suffix
    return figure.replace(" ", "")


# ---------------------------------------------------------------- red flags


def find_red_flags(flags: Iterable[RedFlag], sents: list[Sentence], step_id: str, field_id: str | None = None) -> list[RedFlagHit]:
    hits: list[RedFlagHit] = []
    for flag in flags:
        if flag.steps and step_id not in flag.steps:
            continue
        for sent in sents:
            if _flag_in(flag, sent):
                hits.append(RedFlagHit(flag.id, sent.text, flag.reason, flag.text, flag.challenge, field_id))
                break
    return hits


def _flag_in(flag: RedFlag, sent: Sentence) -> bool:
    for group in flag.match:
        found = False
        for phrase in group:
            for s, e in find(phrase, sent.toks):
                if s < 0 or not _negated(sent.toks, s, e, sent.text):
                    found = True
                    break
            if found:
                break
        if not found:
            return False
    return True


# ---------------------------------------------------------------- template text


def strip_template(text: str, labels: Iterable[str]) -> str:
    """The answer without the template's own words (prompts, placeholders, estimate labels)."""
    out = text
    for label in sorted({lbl.strip() for lbl in labels if len(lbl.strip()) >= 8}, key=len, reverse=True):
        out = re.sub(re.escape(label), " ", out, flags=re.IGNORECASE)
    return out


@lru_cache(maxsize=64)
def _template_labels_cached(card_id: str, step_id: str, extra: tuple[str, ...]) -> tuple[str, ...]:
    return extra


def template_labels(card: ProblemCard, step_id: str) -> list[str]:
    labels: list[str] = []
    try:
        from interview_coach.content.loader import load_framework

        step = load_framework().step(step_id)
        for p in step.prompts:
            labels.append(p.text)
            if p.placeholder:
                labels.append(p.placeholder)
    except Exception:  # noqa: BLE001 - without the framework only the card's labels are stripped
        pass
    if step_id == "scope":
        from interview_coach.practice.estimates import figures_to_ask

        labels.extend(f.label for f in figures_to_ask(card))
    if step_id == "deep_dive":
        for d in card.deep_dives:
            labels.append(d.question)
            labels.extend(d.follow_ups)
    return labels


# ---------------------------------------------------------------- the public API


def grade_field(card: ProblemCard, step_id: str, field_id: str, text: str, *, estimates: Mapping[str, str] | None = None) -> FieldGrade:
    """Grade one answer field of a step against the step's points (a dive field: its dive's points).

    `field_id` is the prompt id ("functional", "data_flow", "clarify", "estimates") or, in the
    deep dive, "dive:<id>" / "dive:<id>:follow_up:<n>". In "clarify" each line is a question;
    in "estimates" each line is "figure_name: value".
    """
    dive_id = field_id.split(":")[1] if field_id.startswith("dive:") else None
    if step_id == "deep_dive":
        points = card_points(card, step_id, [dive_id] if dive_id else [])
    else:
        points = card_points(card, step_id)
    terms = card_terms(card)
    clean = strip_template(text, template_labels(card, step_id))
    if field_id == "estimates" and estimates is None:
        estimates = _estimate_lines(clean)
        clean = ""
    sents = sentences(clean, terms)
    questions = [ln for ln in clean.splitlines() if ln.strip()] if field_id == "clarify" else []
    used: dict[int, int] = {}
    grades: list[PointGrade] = []
    for p in points:
        kp = p.point
        if kp.kind == "estimate":
            best = _grade_estimate(card, kp, sents, estimates or {})
        elif kp.kind == "question" and field_id == "clarify":
            best = _grade_question(kp, questions)
        elif field_id == "clarify":
            best = _Best()
        else:
            best = _grade_statement(kp, sents, used, require_prose=kp.kind != "api")
            if kp.kind == "api" and best.level == "explained" and not _api_line(best.sentence or ""):
                best = _Best("named", best.sentence, best.concept)
        grades.append(_point_grade(p, best, field_id))
    flags = find_red_flags(card.red_flags, sents, step_id, field_id) if field_id != "clarify" else []
    return FieldGrade(step_id, field_id, grades, flags)


_API = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE|WS|RPC)\b\s+/\S+\s*(?:[-–—:(]\s*)?(?P<purpose>.*)", re.IGNORECASE)


def _api_line(sentence: str) -> bool:
    m = _API.search(sentence)
    if m is None:
        return False
    purpose = [t for t in Tokens.of(m.group("purpose")).stems if t not in FUNCTION_WORDS]
    return len(purpose) >= 2


def _estimate_lines(text: str) -> dict[str, str]:
    out = {}
    for ln in text.splitlines():
        name, sep, value = ln.partition(":")
        if sep and name.strip():
            out[name.strip()] = value.strip()
    return out


def _point_grade(p: Point, best: _Best, field_id: str) -> PointGrade:
    kp = p.point
    advice = None
    if best.level == "named":
        advice = kp.advice or f"say why or how: {kp.text}"
    elif best.level == "contradicted":
        advice = f"the chapter's view: {kp.text}"
    elif best.level == "missing":
        advice = kp.text
    return PointGrade(p.key, best.level, best.sentence, best.concept, advice, field_id if best.level != "missing" else None, best.cue)


def grade_step(card: ProblemCard, step_id: str, answers: Mapping[str, str], *, estimates: Mapping[str, str] | None = None, dives: Iterable[str] | None = None) -> StepGrade:
    """Grade every field of a step; each point keeps its best evidence over the fields.

    `answers` maps field ids to text (see `grade_field`). In the deep dive the rubric is the
    points of the dives answered (or `dives`, when given); a dive's points are graded only on
    its own fields.
    """
    if step_id == "deep_dive":
        chosen = list(dives) if dives is not None else _dives_in(answers)
        points = card_points(card, step_id, chosen)
    else:
        points = card_points(card, step_id)
    fields = [grade_field(card, step_id, fid, text, estimates=estimates if fid == "estimates" else None) for fid, text in answers.items() if text.strip() or fid == "estimates"]
    if estimates is not None and "estimates" not in answers:
        fields.append(grade_field(card, step_id, "estimates", "", estimates=estimates))
    best: dict[str, PointGrade] = {}
    for fg in fields:
        for g in fg.points:
            cur = best.get(g.point_id)
            if cur is None or _RANK[g.level] > _RANK[cur.level]:
                best[g.point_id] = g
    graded = [best.get(p.key) or _point_grade(p, _Best(), "") for p in points]
    flags: list[RedFlagHit] = []
    seen: set[str] = set()
    for fg in fields:
        for hit in fg.red_flags:
            if hit.flag_id not in seen:
                seen.add(hit.flag_id)
                flags.append(hit)
    return StepGrade(step_id, graded, flags, fields)


def _dives_in(answers: Mapping[str, str]) -> list[str]:
    out: list[str] = []
    for fid, text in answers.items():
        if fid.startswith("dive:") and text.strip():
            d = fid.split(":")[1]
            if d not in out:
                out.append(d)
    return out
