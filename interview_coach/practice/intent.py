"""Matching a clarifying question to the fact it asks about, by meaning rather than by string.

A question and every authored wording of a fact (its question, its paraphrases, its keywords)
are cut into *concepts*: lower-case words with question scaffolding dropped ("do we need",
"should the system"), stemmed (Snowball), with synonyms folded onto one name ("remove",
"unsend", "erase" are all `delete`) and misspellings of a known word corrected (rapidfuzz).
Concepts are weighted by how rare they are among the card's facts (inverse document
frequency), so "message" in a chat card counts for little and "search" for a lot. A fact's
score is the best cosine similarity between the question and one of its wordings, plus a small
bonus for each of its keywords present; the best fact answers when its score clears a
threshold. Everything is deterministic, so a test can say why a question got its reply.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

from interview_coach.practice import lexicon

_STEMMER = snowballstemmer.stemmer("english")
_WORD = re.compile(r"[a-z0-9]+(?::[0-9]+)?")

# A fact answers when its score reaches this (cosine-like, 0..1 plus keyword bonus).
THRESHOLD = 0.42
KEYWORD_BONUS = 0.08
KEYWORD_BONUS_CAP = 0.16
# The interviewer's own reply is weaker evidence of what a fact covers than its questions.
ANSWER_WEIGHT = 0.6
# How close a misspelt word must be to a known one (0..1, one edit in six letters), and how long.
FUZZY_MIN_SIMILARITY = 0.8
UNKNOWN_WEIGHT = 1.6
# The share of a question's weight a wording must hold for the two to be compared at all.
MIN_COVERAGE = 0.0
# Stems this long that begin another stem stand for it (see `unify`).
PREFIX_MIN = 5
FUZZY_MIN_LENGTH = 5


@lru_cache(maxsize=20000)
def stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


# Words whose stem would collide with an unrelated word ("typing" and "type" both stem to
# "type"): they are renamed before stemming.
_RAW_ALIASES = {"typing": "typingindicator", "typed": "typingindicator", "types": "type", "likes": "likecount"}


def _words(text: str) -> list[str]:
    text = text.lower().replace("'", "").replace("’", "")
    return [_RAW_ALIASES.get(w, w) for w in _WORD.findall(text)]


def _build_phrases() -> tuple[dict[tuple[str, ...], set[str]], dict[str, set[str]]]:
    """Synonym tables keyed by stemmed phrase (several words) and stemmed single word."""
    phrases: dict[tuple[str, ...], set[str]] = {}
    single: dict[str, set[str]] = {}
    for group in lexicon.SYNONYMS:
        concept = stem(group[0])
        for entry in group:
            key = tuple(stem(w) for w in _words(entry))
            if not key:
                continue
            if len(key) == 1:
                single.setdefault(key[0], set()).add(concept)
            else:
                phrases.setdefault(key, set()).add(concept)
    return phrases, single


_PHRASES, _SINGLE = _build_phrases()
_MAX_PHRASE = max((len(k) for k in _PHRASES), default=1)
_STOP = frozenset(stem(w) for w in lexicon.QUESTION_STOPWORDS)


def concepts(text: str, vocabulary: frozenset[str] = frozenset()) -> list[str]:
    """The concepts of `text`, in order (a phrase gives its concept once; a word may give
    several). Words outside `vocabulary` that are close to a word in it are read as that word."""
    stems = [stem(w) for w in _words(text)]
    out: list[str] = []
    i = 0
    while i < len(stems):
        for n in range(min(_MAX_PHRASE, len(stems) - i), 1, -1):
            found = _PHRASES.get(tuple(stems[i : i + n]))
            if found:
                out.extend(sorted(found))
                i += n
                break
        else:
            s = stems[i]
            i += 1
            if s in _STOP and s not in _SINGLE:
                continue
            if vocabulary and s not in vocabulary and s not in _SINGLE and len(s) >= FUZZY_MIN_LENGTH and not s.isdigit():
                s = _correct(s, vocabulary)
            mapped = _SINGLE.get(s)
            out.extend(sorted(mapped) if mapped else [s])
    return out


def unify(cs: Iterable[str], vocabulary: frozenset[str]) -> list[str]:
    """Read a stem as the shorter stem of the vocabulary it starts with ("deliveri" is
    "deliv"): the stemmer leaves some forms of one word apart."""
    out = []
    for c in cs:
        if c not in vocabulary or len(c) > PREFIX_MIN:
            for n in range(PREFIX_MIN, len(c)):
                if c[:n] in vocabulary:
                    c = c[:n]
                    break
        out.append(c)
    return out


def _correct(word: str, vocabulary: frozenset[str]) -> str:
    # Optimal string alignment counts a swap of two letters ("serach") as one edit.
    best = process.extractOne(word, vocabulary, scorer=OSA.normalized_similarity, score_cutoff=FUZZY_MIN_SIMILARITY)
    return str(best[0]) if best else word


@dataclass(frozen=True)
class Wording:
    """One authored way of asking about a fact."""

    fact_id: str
    concepts: frozenset[str]
    weight: float = 1.0


@dataclass(frozen=True)
class Match:
    fact_id: str | None
    score: float
    runner_up: str | None = None
    runner_up_score: float = 0.0


class IntentIndex:
    """Every fact of a card, ready to match questions against."""

    def __init__(self, facts: Sequence[tuple[str, Sequence[str], Sequence[str], str]]) -> None:
        """`facts`: (id, wordings (question and paraphrases), keywords, the reply)."""
        raw: list[tuple[str, list[str], float]] = []
        for fact_id, wordings, keywords, reply in facts:
            for w in wordings:
                raw.append((fact_id, concepts(w), 1.0))
            if reply:
                raw.append((fact_id, concepts(reply), ANSWER_WEIGHT))
            del keywords  # matched separately below
        vocabulary = frozenset(c for _, cs, _ in raw for c in cs)
        raw = [(f, unify(cs, vocabulary), w) for f, cs, w in raw]
        self.vocabulary = frozenset(c for _, cs, _ in raw for c in cs)
        # A concept's rarity is counted over facts, not wordings: ten paraphrases of one fact
        # must not make its own words look common.
        per_fact: dict[str, set[str]] = {}
        for fact_id, cs, _ in raw:
            per_fact.setdefault(fact_id, set()).update(cs)
        n = max(1, len(per_fact))
        df = Counter(c for cs in per_fact.values() for c in cs)
        self.idf = {c: math.log((n + 1) / (k + 0.5)) for c, k in df.items()}
        # A word the card never uses weighs like a common one: it may be a paraphrase's own
        # wording, and must not drown the words that do match (off-topic questions are told
        # apart by `Interviewer.classify`, not by a low score alone).
        self.unknown_idf = UNKNOWN_WEIGHT
        self.wordings = [Wording(f, frozenset(cs), w) for f, cs, w in raw if cs]
        self.keywords = {fact_id: [tuple(concepts(k)) for k in kws if concepts(k)] for fact_id, _, kws, _ in facts}
        self.order = [f[0] for f in facts]

    def weight(self, concept: str) -> float:
        return self.idf.get(concept, self.unknown_idf)

    def _norm(self, cs: Iterable[str]) -> float:
        return math.sqrt(sum(self.weight(c) ** 2 for c in cs))

    def query(self, text: str) -> frozenset[str]:
        return frozenset(unify(concepts(text, self.vocabulary), self.vocabulary))

    def scores(self, text: str) -> dict[str, float]:
        q = self.query(text)
        if not q:
            return {}
        qn = self._norm(q)
        best: dict[str, float] = {}
        for w in self.wordings:
            shared = q & w.concepts
            if not shared:
                continue
            overlap = sum(self.weight(c) ** 2 for c in shared)
            # Most of what the question asks must be in the wording: one shared word does not
            # make "What's the budget for servers?" a question about the servers' throughput.
            if overlap < MIN_COVERAGE * qn**2:
                continue
            s = w.weight * overlap / (qn * self._norm(w.concepts))
            if s > best.get(w.fact_id, 0.0):
                best[w.fact_id] = s
        for fact_id, kws in self.keywords.items():
            hits = sum(1 for k in kws if set(k) <= q)
            if hits and fact_id in best:
                best[fact_id] += min(KEYWORD_BONUS_CAP, KEYWORD_BONUS * hits)
        return best

    def match(self, text: str, threshold: float = THRESHOLD) -> Match:
        ranked = sorted(self.scores(text).items(), key=lambda kv: (-kv[1], self.order.index(kv[0])))
        if not ranked:
            return Match(None, 0.0)
        (top, s), rest = ranked[0], ranked[1:]
        second, s2 = rest[0] if rest else (None, 0.0)
        return Match(top if s >= threshold else None, s, second, s2)


def has_any(text: str, phrases: Iterable[str]) -> list[str]:
    """Which of `phrases` occur in `text` on word boundaries (compared stem by stem)."""
    stems = [stem(w) for w in _words(text)]
    joined = " " + " ".join(stems) + " "
    found = []
    for p in phrases:
        key = " ".join(stem(w) for w in _words(p))
        if key and f" {key} " in joined:
            found.append(p)
    return found
