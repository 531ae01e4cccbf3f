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
from interview_coach.practice.phrases import Phrase, Tokens, compile_phrase, find, matched_words, stem

Level = Literal["explained", "named", "missing", "contradicted"]
LEVELS: tuple[Level, ...] = ("explained", "named", "missing", "contradicted")
CREDIT: dict[str, float] = {"explained": 1.0, "named": 0.2, "missing": 0.0, "contradicted": 0.0}
RED_FLAG_COST = 0.5  # in points: a red flag takes away half a point of the step's credit

# ---------------------------------------------------------------- word classes


def _words(text: str) -> list[str]:
    return text.split()


FUNCTION_WORDS = frozenset(
    stem(w)
    for w in _words(
        """
        a an the is are was were be been being will would can could should shall may might must to of by for
        with that which who whom whose so because since when if then than as into onto from on in at we it
        they this these those there their its our us you he she them i do does did has have had not no each
        every all any both either neither nor or and but while whereas until unless before after once where
        how what why only also just still instead rather through per via about up down out over off
        """
    )
)
# Words that carry no content of their own, often used to pad a list into a "sentence".
FILLER = frozenset(
    stem(w)
    for w in _words(
        """
        basically really very quite actually probably maybe perhaps like stuff thing things kind sort lot
        lots good great nice cool important key main core big important obviously definitely sure yeah ok
        okay well think believe guess feel use using used uses need needs want wants go going get gets got
        make makes something somehow etc also plus further additionally too important relevant approach idea
        design system
        """
    )
)
CONNECTIVES = [
    "because",
    "since",
    "so that",
    "so",
    "which",
    "by",
    "to avoid",
    "to prevent",
    "in order to",
    "otherwise",
    "as a result",
    "thanks to",
    "due to",
    "means",
    "lets",
    "allows",
    "ensures",
    "therefore",
    "thus",
    "given",
    "instead of",
    "rather than",
    "without",
    "so we",
    "that way",
    "via",
    "through",
    "to keep",
    "to handle",
]
NEGATORS = frozenset(stem(w) for w in ["not", "no", "never", "without", "neither", "nor", "cannot"])
WEAK_NEGATORS = frozenset(
    stem(w) for w in ["avoid", "avoids", "avoiding", "prevent", "prevents", "skip", "skips", "bypass", "bypasses", "bypassing"]
)
NEGATING_PHRASES = ["instead of", "rather than", "as opposed to", "in place of", "get rid of", "steer clear"]
# Said after a concept in the same clause, these reject it ("polling would overload the servers").
REJECTIONS = [
    "risky",
    "anti-pattern",
    "antipattern",
    "bad idea",
    "too much",
    "too slow",
    "too heavy",
    "wasteful",
    "not scale",
    "catastroph*",
    "dangerous",
    "mistake",
    "wrong",
    "unnecessary load",
    "should be avoided",
    "inefficient",
    "would overload",
    "will overload",
    "would freeze",
    "will freeze",
    "would break",
    "will break",
    "breaks",
    "would lose",
    "will lose",
    "would flood",
    "will flood",
    "does not work",
    "would not work",
    "is a trap",
    "unbalanced",
    "uneven*",
    "imbalanc*",
    "lopsided",
    "fails",
    "would fail",
    "will fail",
    "pointless",
    "useless",
    # a hypothetical with a bad outcome: "X would stall every message behind it"
    "would ~ @harm",
    "could ~ @harm",
    "might ~ @harm",
    "will ~ @harm",
    "would not make sense",
    "not make sense",
    "makes no sense",
    "would not work",
    "would not scale",
    "bad idea",
    "is a bad",
]
CLAUSE_BREAKS = re.compile(r",|\bbut\b|\bwhereas\b|\bwhile\b|\bhowever\b|\bthough\b|\bbecause\b|\bsince\b", re.IGNORECASE)
_FIGURE = re.compile(r"\d")

WINDOW = 14  # words between a concept and its cue
# A reason said in the candidate's own words: one of these with enough words of their own around it.
REASON_WORDS = (
    "because",
    "so that",
    "to avoid",
    "to prevent",
    "in order to",
    "otherwise",
    "which means",
    "so",
    "since",
    "thanks to",
    "which",
    "lets",
    "allows",
    "means",
    "keeps",
    "makes",
    "instead of",
    "rather than",
    "at the cost",
)
NEGATION_REACH = 10  # words back a "not" / "never" reaches within its clause ("never save them to X or Y")
ESTIMATE_LOOKBACK = 3  # sentences back an estimate's figure may find its concept
WRAPPED_LINE_WORDS = 6  # a line this long without a full stop continues on the next line (hard wrap)
DENSE = 0.75  # a sentence whose content words are this much the card's terms is a list
DENSE_FUNCTION_RATIO = 0.2  # ... and whose words are this few function words
MIN_PROSE_FUNCTION_WORDS = 1
MIN_PROSE_WORDS = 4


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
    if step_id == "scope" and not any(p.point.kind == "estimate" for p in out):
        out.extend(_estimate_points(card))
    if step_id == "wrap_up":
        linked = {kp.tradeoff for kp in card.key_points.get("wrap_up", []) if kp.tradeoff}
        for t in card.tradeoffs:
            if t.id in linked:
                continue
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


# The words that name each calculator figure in an answer ("60K writes per second").
FIGURE_CONCEPTS: dict[str, list[str]] = {
    "daily_writes": ["a day", "per day", "/day", "each day", "every day", "daily"],
    "avg_write_qps": ["per second", "a second", "/s", "/sec", "qps", "tps", "rps", "writes/s"],
    "peak_write_qps": ["peak", "busiest", "spike"],
    "daily_reads": [
        "reads ~ day",
        "reads per day",
        "reads a day",
        "reads/day",
        "lookups ~ day",
        "redirects ~ day",
        "requests ~ day",
    ],
    "avg_read_qps": [
        "reads per second",
        "reads/s",
        "read qps",
        "reads a second",
        "lookups per second",
        "redirects per second",
        "requests per second",
    ],
    "peak_read_qps": ["peak read*", "peak ~ reads", "reads ~ peak", "peak ~ redirects", "peak ~ lookups"],
    "storage_per_day_bytes": ["a day", "per day", "/day", "each day", "every day", "daily"],
    "storage_per_year_bytes": ["a year", "per year", "/year", "each year", "every year", "yearly", "annual*"],
    "storage_total_bytes": ["year*", "total", "retention", "overall", "in all"],
    "avg_ingress_bytes_per_s": ["bandwidth", "ingress", "inbound", "download*", "incoming"],
    "peak_ingress_bytes_per_s": ["peak ~ bandwidth", "bandwidth ~ peak", "peak ~ ingress", "peak ~ download*"],
    "avg_egress_bytes_per_s": ["egress", "outbound", "outgoing"],
    "peak_egress_bytes_per_s": ["peak ~ egress", "peak ~ outbound"],
    "concurrent_connections": ["concurrent", "simultaneous*", "at once", "connections", "online"],
    "servers_for_peak_qps": ["server*", "machine*", "node*", "instance*", "box*"],
    "servers_for_connections": ["server*", "machine*", "node*"],
    "cache_bytes": ["cache", "memory", "ram", "hot data", "hot set"],
}

_ESTIMATES: dict[int, tuple[ProblemCard, list[Point]]] = {}


def _estimate_points(card: ProblemCard) -> list[Point]:
    """Step 1's figures as points, for a card that does not author its own: each is graded by
    factor, as the estimation drill grades it."""
    hit = _ESTIMATES.get(id(card))
    if hit is None or hit[0] is not card:
        from interview_coach.practice.estimates import figures_to_ask

        points = []
        for f in figures_to_ask(card):
            kp = KeyPoint(
                id=f.name,
                kind="estimate",
                figure=f.name,
                text=f"{f.label}: {f.rounded}.",
                keywords=FIGURE_CONCEPTS.get(f.name, [f.label]),
                section="Step 1: Understand the Problem & Scope",
                competency="technical_excellence",
            )
            points.append(Point(f"estimate.{f.name}", kp, "scope"))
        hit = (card, points)
        _ESTIMATES[id(card)] = hit
    return list(hit[1])


def _lower_first(s: str) -> str:
    s = s.strip().rstrip(".")
    return s[:1].lower() + s[1:]


def concept_phrases(kp: KeyPoint) -> list[str]:
    return [p for p in [*kp.keywords, *kp.phrasings] if p.strip()]


GENERIC = frozenset(
    stem(w)
    for w in _words(
        """
        user users server servers system message messages data client clients service one two all each new
        per time store stored use used make makes get gets chat without instead names name said says point
        """
    )
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
    """Every concept phrase of a card, to tell a list of the card's terms from prose."""

    def __init__(self, card: ProblemCard) -> None:
        raw: set[str] = set()
        for kp in _all_points(card):
            # Plain-word patterns (those using a concept class) are how people talk, not the
            # card's vocabulary: they neither make a sentence a list of terms nor hide a cue.
            raw.update(c for c in concept_phrases(kp) if "@" not in c)
        linked = {kp.tradeoff for kp in card.key_points.get("wrap_up", []) if kp.tradeoff}
        for t in card.tradeoffs:
            if t.id not in linked:
                raw.update(t.keywords)
        self.concepts = _PhraseIndex(raw)
        # Cue phrases too: their little words ("out of order") make no clause either.
        self.cues = _PhraseIndex({c for kp in _all_points(card) for c in kp.cues})

    def covered(self, toks: Tokens) -> set[int]:
        """Word positions that are part of one of the card's concept phrases."""
        return self.concepts.covered(toks)


class _PhraseIndex:
    def __init__(self, raw: Iterable[str]) -> None:
        # Indexed by the first word's stem, so a sentence only tries the phrases that can start in it.
        self.by_first: dict[str, list[Phrase]] = {}
        self.prefixed: list[Phrase] = []
        for ph in (compile_phrase(r) for r in sorted(raw)):
            first = next((p for p in ph.parts if p is not None), None)
            if ph.plain is not None or first is None:
                continue
            if first[1] or first[0].startswith("@"):
                self.prefixed.append(ph)
            else:
                self.by_first.setdefault(first[0], []).append(ph)

    def covered(self, toks: Tokens) -> set[int]:
        out: set[int] = set()
        candidates = [ph for st in set(toks.stems) for ph in self.by_first.get(st, [])] + self.prefixed
        for ph in candidates:
            for s, e in find(ph, toks):
                out.update(range(s, e))
        return out


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

_SENTENCE_END = re.compile(r"(?<=[!?;])\s+|(?<=[^.]\.)\s+|\n+|\s+[•·]\s+|(?<=:)\s+(?=[A-Z\"'])")
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s+")


@dataclass(frozen=True)
class Sentence:
    text: str
    toks: Tokens
    prose: bool
    dense: bool
    cap: int  # how many points it may explain
    covered: frozenset[int] = frozenset()  # word positions inside one of the card's concept phrases


_JOIN = re.compile(r"(?<![-\w])(?:and|or|plus)(?![-\w])", re.IGNORECASE)
_LINE_START = re.compile(r"^\s*(?:[-*•·]|\d+[.)]|(?:GET|POST|PUT|PATCH|DELETE|WS|RPC)\b)")


def _join_wrapped(text: str) -> str:
    """Hard-wrapped prose joined back into its sentences: a line break ends a sentence only
    after . ! ? ; : or before a bullet, a numbered item or an API line."""
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        prev = out[-1] if out else ""
        # Words, not marks: a pasted pattern ("keep* ~ @socket ~ open") is no long line of prose.
        wrapped = len(Tokens.of(prev.rsplit("\n", 1)[-1])) >= WRAPPED_LINE_WORDS and not re.search(r"[.!?;:]\s*$", prev)
        if prev.strip() and line.strip() and wrapped and not _LINE_START.match(line):
            out[-1] = out[-1].rstrip() + " " + line.strip()
        else:
            out.append(line)
    return "\n".join(out)


def sentences(text: str, terms: CardTerms) -> list[Sentence]:
    out = []
    for raw in _SENTENCE_END.split(_join_wrapped(text)):
        s = _BULLET.sub("", raw).strip().strip('"“”')
        if not s:
            continue
        toks = Tokens.of(s)
        if not toks.stems:
            continue
        toks = _without_empty_reason(toks)
        covered = terms.covered(toks)
        # Function words inside the card's phrases ("AP over CP", "out of order") make no clause.
        inside = covered | terms.cues.covered(toks)
        function = sum(1 for i, t in enumerate(toks.stems) if t in FUNCTION_WORDS and i not in inside and not toks.hyphened[i])
        content = [
            i
            for i, (t, w) in enumerate(zip(toks.stems, toks.words, strict=True))
            if t not in FUNCTION_WORDS and t not in FILLER and not w[0].isdigit() and len(w) > 1
        ]
        in_terms = sum(1 for i in content if i in covered)
        # Mostly the card's terms and few words that make a clause: a list in sentence form.
        dense = len(content) >= 3 and in_terms / len(content) >= DENSE and function / len(toks) < DENSE_FUNCTION_RATIO
        # Commas (or "and ... and ... and") between bare terms: a list, not a sentence.
        commas = s.count(",")
        joins = len(_JOIN.findall(s))
        listy = (commas >= 2 and function <= commas // 2) or (joins >= 3 and len(content) <= 3 * joins) or _bare_segments(s)
        prose = function >= MIN_PROSE_FUNCTION_WORDS and len(toks) >= MIN_PROSE_WORDS and not listy and not _fragmented(toks)
        cap = 1 + len(toks) // 12
        out.append(Sentence(s, toks, prose, dense, cap, frozenset(covered)))
    return out


# Praise that fits any component: "because it is fast / scalable / reliable" gives no reason.
_PRAISE = frozenset(
    stem(w)
    for w in _words(
        """
        fast faster fastest quick quicker scalable scale scales scalability reliable reliability better best good
        great simple simpler simplicity easy easier secure security safe small smaller efficient efficiency important
        popular useful clean cheap cheaper robust modern standard common powerful flexible bad needed necessary required
        practice performant performance optimal nice proven industry available durable complex speed mature solid
        """
    )
)
_EMPTY_CONNECTIVES = frozenset(["because", "since", "as", "cause", "cuz"])


def _without_empty_reason(toks: Tokens) -> Tokens:
    """The sentence without a trailing reason made only of praise ("We use Cassandra because it is
    scalable"): such a clause says nothing about this design, so none of its words is a cue."""
    for i, w in enumerate(toks.words):
        if w not in _EMPTY_CONNECTIVES or i == 0:
            continue
        rest = toks.stems[i + 1 :]
        if rest and any(t in _PRAISE for t in rest) and all(t in _PRAISE or t in FUNCTION_WORDS or t in FILLER for t in rest):
            return Tokens(toks.text, toks.low, toks.stems[:i], toks.words[:i], toks.breaks[:i], toks.hyphened[:i])
    return toks


_SEGMENT_WORDS = frozenset(["and", "or", "so", "because", "which", "since", "then", "plus", "also", "with"])
_ARTICLES = frozenset(["a", "an", "the"])


_CLAUSAL = frozenset(
    stem(w)
    for w in _words(
        """
        is are was were be been will would can could should must do does did has have had we it they this that these those
        there i you he she them us our their its to not never
        """
    )
)


def _bare_segments(text: str) -> bool:
    """Comma-separated items with no clause in them ("registry lookup because lookup, pub/sub because
    pub/sub, ack because ack"): a list, even when each item carries a "because"."""
    segments = [Tokens.of(seg) for seg in re.split(r"[,;]", text) if seg.strip()]
    if len(segments) < 3:
        return False
    bare = sum(1 for seg in segments if len(seg) <= 8 and not any(t in _CLAUSAL for t in seg.stems))
    return bare / len(segments) >= 0.75


def _fragmented(toks: Tokens) -> bool:
    """Terms strung on connectives ("websockets because latency so redis which cassandra"):
    many short segments, few of which hold a word that makes a clause (a verb, a pronoun)."""
    segments: list[list[str]] = [[]]
    for w, s in zip(toks.words, toks.stems, strict=True):
        if w in _SEGMENT_WORDS:
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append(s)
    segments = [seg for seg in segments if seg]
    if len(segments) < 5:
        return False
    clausal = sum(1 for seg in segments if any(t in FUNCTION_WORDS and t not in _ARTICLES for t in seg) or len(seg) >= 3)
    return clausal / len(segments) < 0.4


# ---------------------------------------------------------------- negation


def _negated(toks: Tokens, start: int, end: int, sentence: str) -> bool:
    """Is the concept at words [start, end) negated or rejected in its sentence?"""
    clause_start = start
    while (
        clause_start > 0
        and start - clause_start < NEGATION_REACH
        and toks.words[clause_start - 1] not in _CLAUSE_WORDS
        and not toks.breaks[clause_start]
    ):
        clause_start -= 1
    if any(b in NEGATORS for b in toks.stems[clause_start:start]):
        return True
    if any(b in WEAK_NEGATORS for b in toks.stems[max(0, start - 2) : start]):
        return True
    for phrase in NEGATING_PHRASES:
        if any(e <= start and start - e <= 2 for _s, e in find(phrase, toks)):
            return True
    # A rejection said after the concept, in the same clause ("X would be risky", "X can't ...").
    clause_end = _clause_end(toks, end)
    for i in range(end, min(clause_end, end + 3)):
        # "X does not need a central service" praises X; "X does not work" rejects it.
        if toks.stems[i] in ("not", "never", "cannot") and (i + 1 >= len(toks) or toks.stems[i + 1] not in _NOT_PRAISE):
            return True
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


# After "X does not ...", these say what X spares us, not that X is wrong.
_NOT_PRAISE = frozenset(
    stem(w)
    for w in _words(
        """
        need require depend rely have wait block lose stall delay slow touch involve matter sit go pass hit cross
        suffer care affect hold lock
        """
    )
)
_CLAUSE_WORDS = frozenset(["but", "whereas", "while", "however", "though", "because", "since", "so", "which", "and", "then"])


def _clause_end(toks: Tokens, end: int) -> int:
    for i in range(end, len(toks)):
        if toks.words[i] in ("but", "whereas", "while", "however", "though", "because", "since", "so") or toks.breaks[i]:
            return i
    return len(toks)


# ---------------------------------------------------------------- one point in one field


@dataclass
class _Best:
    level: Level = "missing"
    sentence: str | None = None
    concept: str | None = None
    cue: str | None = None
    weak: bool = False  # a contradiction only by a negated mention

    @property
    def rank(self) -> int:
        return _NEGATED_RANK if self.weak else _RANK[self.level]


_RANK = {"explained": 4, "contradicted": 3, "named": 2, "missing": 0}
_NEGATED_RANK = 1  # a concept only ever mentioned negated: contradicted, unless named elsewhere


def _grade_statement(kp: KeyPoint, sents: list[Sentence], used: dict[int, int], *, require_prose: bool = True) -> _Best:
    best = _Best()
    concepts = concept_phrases(kp)
    # Authored cues when the point has them; else the words of its description.
    cues = list(kp.cues) if kp.cues else list(_derived_cues(kp.text, tuple(concepts)))
    for idx, sent in enumerate(sents):
        toks = sent.toks
        for c in kp.contradictions:
            if find(c, toks) and _RANK["contradicted"] > best.rank:
                best = _Best("contradicted", sent.text, c)
        for c in concepts:
            spans = find(c, toks)
            if not spans:
                continue
            phrase = compile_phrase(c)
            negatable = phrase.plain is None and not any(
                p is not None and (p[0] in NEGATORS or p[0] in WEAK_NEGATORS) for p in phrase.parts
            )
            for start, end in spans:
                if negatable and start >= 0 and _negated(toks, start, end, sent.text):
                    if best.level == "missing":
                        best = _Best("contradicted", sent.text, c, weak=True)
                    continue
                level: Level = "named"
                cue = None
                can_explain = (sent.prose or not require_prose) and not sent.dense and used.get(idx, 0) < sent.cap
                if can_explain:
                    cue = _cue_near(cues, toks, start, end, concepts, sent.covered)
                    if cue is None and _FIGURE.search(sent.text) and start >= 0:
                        cue = _figure_near(toks, start, end)
                    if cue is None:
                        cue = _reasoned(toks, start, end, sent.covered)
                quote = sent.text
                if can_explain and cue is None and idx + 1 < len(sents) and _continues(sents[idx + 1]):
                    # "Group chats bring fan-out write amplification. If we write 10,000 times ..."
                    nxt = sents[idx + 1]
                    cue = _cue_near(cues, nxt.toks, -1, -1, concepts, nxt.covered)
                    if cue is not None:
                        quote = f"{sent.text} {nxt.text}"
                if (
                    can_explain
                    and cue is None
                    and idx > 0
                    and _continues(sent)
                    and sents[idx - 1].prose
                    and not sents[idx - 1].dense
                ):
                    # "... a single global id breaks across partitions. To fix this, a map of cursors ..."
                    prev = sents[idx - 1]
                    cue = _cue_near(cues, prev.toks, -1, -1, concepts, prev.covered)
                    if cue is not None:
                        quote = f"{prev.text} {sent.text}"
                if cue is not None:
                    level = "explained"
                if _RANK[level] > best.rank:
                    best = _Best(level, quote, c, cue)
                    if level == "explained":
                        used[idx] = used.get(idx, 0) + 1
                        return best
    return best


_CONTINUATIONS = frozenset(
    [
        "it",
        "this",
        "that",
        "these",
        "those",
        "if",
        "because",
        "so",
        "which",
        "otherwise",
        "then",
        "as",
        "thus",
        "hence",
        "therefore",
        "instead",
        "to",
    ]
)


def _continues(sent: Sentence) -> bool:
    return bool(sent.toks.words) and sent.toks.words[0] in _CONTINUATIONS and sent.prose and not sent.dense


def _cue_near(
    cues: list[str], toks: Tokens, start: int, end: int, concepts: list[str], covered: frozenset[int] = frozenset()
) -> str | None:
    """A reason or mechanism word near the concept, in the candidate's own words: never part of
    this point's concept, nor of any other concept of the card (naming another part is not a reason)."""
    lo, hi = (0, len(toks)) if start < 0 else (max(0, start - WINDOW), min(len(toks), end + WINDOW))
    # The concept's own words, not the words a `~` gap skipped: "cannot ~ order ~ @clock" in
    # "cannot be trusted for order because their clocks" leaves "trusted" to the candidate.
    concept_words = {i for c in concepts for i in matched_words(c, toks)}
    for cue in cues:
        phrase = compile_phrase(cue) if not cue.isalnum() else None  # several words, a prefix, a class, a hyphen
        if phrase is not None:
            for s, e in find(phrase, toks):
                if s < 0 or (lo <= s < hi and concept_words.isdisjoint(range(s, e)) and not covered.issuperset(range(s, e))):
                    return cue
        else:
            target = stem(cue.lower())
            for i in range(lo, hi):
                if toks.stems[i] == target and i not in concept_words and i not in covered:
                    return cue
    return None


def _figure_near(toks: Tokens, start: int, end: int) -> str | None:
    lo, hi = max(0, start - WINDOW), min(len(toks), end + WINDOW)
    for i in range(lo, hi):
        if toks.words[i][0].isdigit() and not (start <= i < end):
            return toks.words[i]
    return None


def _reasoned(toks: Tokens, start: int, end: int, covered: frozenset[int] = frozenset()) -> str | None:
    """A connective plus enough of the candidate's own words (not the card's terms) around the concept."""
    lo, hi = (0, len(toks)) if start < 0 else (max(0, start - WINDOW), min(len(toks), end + WINDOW))
    window = Tokens.of(" ".join(toks.words[lo:hi]))
    own = [
        s for i, s in enumerate(toks.stems[lo:hi], start=lo) if s not in FUNCTION_WORDS and s not in FILLER and i not in covered
    ]
    if len(own) < 6:
        return None
    for conn in REASON_WORDS:
        if find(conn, window):
            return conn
    return None


def _grade_question(kp: KeyPoint, questions: list[str], terms: CardTerms) -> _Best:
    for q in questions:
        toks = Tokens.of(q)
        function = sum(1 for t in toks.stems if t in FUNCTION_WORDS and t not in _ARTICLES)
        sent = sentences(q, terms)
        if len(toks) < 5 or function < 2 or not any(s.prose for s in sent):
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


# Working shown beside a figure: an operator, or the words that carry arithmetic in speech.
_WORKING = re.compile(
    r"[=×÷≈]|\s[x*/]\s|\btimes\b|\bdivid\w*|\bmultipl\w*|\bover\b|\bgives?\b|\bequals?\b|\bso\b|\bmeans\b|\bdouble\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\d[\d,]*(?:\.\d+)?\s*(?:[kmgtp]i?b(?:ytes?)?|[kmgtp]bps|bytes?|b\b|k\b|m\b|million|billion|bn|thousand|trillion|[kmbt]\b)?",
    re.I,
)


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
    for i, sent in enumerate(sents):
        # The concept in the sentence, or in a heading line just above ("Bandwidth:" then figures).
        context = [x for x in sents[max(0, i - ESTIMATE_LOOKBACK) : i + 1] if any(find(c, x.toks) for c in concepts)]
        if not context:
            continue
        for m in _NUMBER.finditer(spoken_figures(sent.text)):
            value = read_figure(_spoken(m.group(0)), unit)
            if value is None:
                continue
            level, factor = _factor_level(value, value_wanted)
            if level == "explained" and not sent.prose and not _WORKING.search(sent.text):
                level = "named"  # a bare figure in a list of figures: no working, no claim
            if level != "missing" and (factor < best_factor or (factor == best_factor and _RANK[level] > best.rank)):
                concept = next(c for c in concepts if find(c, context[-1].toks))
                best, best_factor = _Best(level, sent.text, concept, m.group(0).strip()), factor
    return best


_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "a hundred": 100, "hundred": 100, "half a": 0.5,
}  # fmt: skip
_NUMBER_WORD = re.compile(
    r"\b(" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\b(?=\s+(?:thousand|million|billion|trillion|[a-z]))",
    re.IGNORECASE,
)
_UNIT_WORDS = [
    (re.compile(r"\bkilobytes?\b", re.IGNORECASE), "KB"),
    (re.compile(r"\bmegabytes?\b", re.IGNORECASE), "MB"),
    (re.compile(r"\bgigabytes?\b", re.IGNORECASE), "GB"),
    (re.compile(r"\bterabytes?\b", re.IGNORECASE), "TB"),
    (re.compile(r"\bpetabytes?\b", re.IGNORECASE), "PB"),
]


def spoken_figures(text: str) -> str:
    """Figures said in words written as figures: "five billion" -> "5 billion", "500 gigabytes" -> "500 GB"."""
    out = _NUMBER_WORD.sub(lambda m: f"{_NUMBER_WORDS[m.group(1).lower()]:g}", text)
    for pattern, unit in _UNIT_WORDS:
        out = pattern.sub(unit, out)
    return out


def _spoken(figure: str) -> str:
    """'5 billion' -> '5B', '50 million' -> '50M': the forms the figure reader knows."""
    low = figure.lower().replace(" ", "")
    for word, suffix in (("trillion", "T"), ("billion", "B"), ("bn", "B"), ("million", "M"), ("thousand", "K")):
        if low.endswith(word):
            return low[: -len(word)] + suffix
    return figure.replace(" ", "")


# ---------------------------------------------------------------- red flags


def find_red_flags(
    flags: Iterable[RedFlag], sents: list[Sentence], step_id: str, field_id: str | None = None
) -> list[RedFlagHit]:
    hits: list[RedFlagHit] = []
    for flag in flags:
        if flag.steps and step_id not in flag.steps:
            continue
        for sent in sents:
            if sent.prose and _flag_in(flag, sent):
                hits.append(RedFlagHit(flag.id, sent.text, flag.reason, flag.text, flag.challenge, field_id))
                break
    return hits


# Said anywhere in a sentence, these reject what it describes ("..., so we do not").
_SENTENCE_REJECTIONS = ["so we do not", "which we avoid", "we avoid that", "so we never", "so we will not", "we would not do"]


def _flag_in(flag: RedFlag, sent: Sentence) -> bool:
    """Every group of the flag asserted in the sentence, and no part of it rejected there: a
    sentence that negates one side of the flag ("never write typing events to Cassandra, it would
    load the database") argues against it, whatever else it mentions."""
    if any(find(u, sent.toks) for u in flag.unless) or any(find(r, sent.toks) for r in _SENTENCE_REJECTIONS):
        return False
    if sent.toks.words[:1] == ("if",) and any(w in ("would", "could", "might") for w in sent.toks.words):
        return False  # "If we sent images through the socket, text would wait behind them": a hypothetical
    for group in flag.match:
        found = False
        for phrase in group:
            for s, e in find(phrase, sent.toks):
                if s >= 0 and _negated(sent.toks, s, e, sent.text):
                    return False
                found = True
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


def grade_field(
    card: ProblemCard, step_id: str, field_id: str, text: str, *, estimates: Mapping[str, str] | None = None
) -> FieldGrade:
    """Grade one answer field of a step against the step's points (a dive field: its dive's points).

    `field_id` is the prompt id ("functional", "data_flow", "clarify", "estimates") or, in the
    deep dive, "dive:<id>" / "dive:<id>:follow_up:<n>". In "clarify" each line is a question;
    in "estimates" each line is "figure_name: value".
    """
    dive_id = field_id.split(":")[1] if field_id.startswith("dive:") else None
    points = card_points(card, step_id, [dive_id] if dive_id else []) if step_id == "deep_dive" else card_points(card, step_id)
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
            best = _grade_question(kp, questions, terms)
        elif field_id == "clarify":
            best = _Best()
        elif kp.kind == "question":
            # A question written into another field ("Is it one-on-one or group?") still was asked;
            # else the answer stated with its reason counts.
            asked = _grade_question(kp, [x.text for x in sents if x.text.rstrip().endswith("?")], terms)
            best = asked if asked.level == "explained" else _grade_statement(kp, sents, used)
        else:
            best = _grade_statement(kp, sents, used, require_prose=kp.kind != "api")
            if kp.kind == "api" and best.level in ("named", "explained"):
                # A schema or API line states it; so does a sentence with its reason (graded as prose).
                prose = _grade_statement(kp, sents, {}) if best.level == "explained" else best
                best = _grade_structural(kp, sents) or (
                    prose if prose.level == "explained" else _Best("named", best.sentence, best.concept)
                )
        grades.append(_point_grade(p, best, field_id))
    flags = find_red_flags(card.red_flags, sents, step_id, field_id) if field_id != "clarify" else []
    return FieldGrade(step_id, field_id, grades, flags)


_API = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE|WS|RPC)\s+/[^\s,;]*", re.IGNORECASE)


def _api_line(sentence: str) -> bool:
    """METHOD /path and what it is for: "POST /v1/messages - send a message"."""
    matches = list(_API.finditer(sentence))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(sentence)
        purpose = sentence[m.end() : end].strip()
        if not purpose or purpose[0] == ",":
            continue
        words = [t for t in Tokens.of(purpose).stems if t not in FUNCTION_WORDS]
        if len(words) >= 2:
            return True
    return False


def _schema_line(sentence: str) -> bool:
    """A line of schema or query text: PRIMARY KEY (channel_id, ...), WHERE channel_id = ..."""
    return bool(
        re.search(r"\bprimary key\s*\(\s*\(?\w+[^)]*,\s*\w+[^)]*\)", sentence, re.IGNORECASE)
        or re.search(r"\bclustering order by\s*\(\s*\w+\s+(asc|desc)\s*\)", sentence, re.IGNORECASE)
        or re.search(r"\bwhere\s+\w+\s*[=><]+\s*\S+", sentence, re.IGNORECASE)
    )


def _grade_structural(kp: KeyPoint, sents: list[Sentence]) -> _Best | None:
    """An API or schema point is explained by a line that states it: METHOD /path - purpose,
    PRIMARY KEY (...), WHERE channel_id = ..."""
    for sent in sents:
        if not (_api_line(sent.text) or _schema_line(sent.text)):
            continue
        for c in concept_phrases(kp):
            if find(c, sent.toks):
                return _Best("explained", sent.text, c, "stated")
    return None


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
    cue = "negated" if best.weak else best.cue
    return PointGrade(p.key, best.level, best.sentence, best.concept, advice, field_id if best.level != "missing" else None, cue)


def grade_step(
    card: ProblemCard,
    step_id: str,
    answers: Mapping[str, str],
    *,
    estimates: Mapping[str, str] | None = None,
    dives: Iterable[str] | None = None,
) -> StepGrade:
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
    fields = [
        grade_field(card, step_id, fid, text, estimates=estimates if fid == "estimates" else None)
        for fid, text in answers.items()
        if text.strip() or fid == "estimates"
    ]
    if estimates is not None and "estimates" not in answers:
        fields.append(grade_field(card, step_id, "estimates", "", estimates=estimates))
    best: dict[str, PointGrade] = {}
    for fg in fields:
        for g in fg.points:
            cur = best.get(g.point_id)
            if cur is None or _grade_rank(g) > _grade_rank(cur):
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


def _grade_rank(g: PointGrade) -> int:
    # A contradiction said outright outranks a bare mention elsewhere; a merely negated
    # mention does not (the same concept named positively in another field wins).
    if g.level == "contradicted" and g.cue == "negated":
        return _NEGATED_RANK
    return _RANK[g.level]


def _dives_in(answers: Mapping[str, str]) -> list[str]:
    out: list[str] = []
    for fid, text in answers.items():
        if fid.startswith("dive:") and text.strip():
            d = fid.split(":")[1]
            if d not in out:
                out.append(d)
    return out
