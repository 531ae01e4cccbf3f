"""The interviewer's side of the clarifying questions: which fact a question asks for, and the reply.

Every fact the card holds (its clarifying questions, each with paraphrases and keywords) is
indexed by `intent.IntentIndex`; a question is answered by the fact it matches best when the
match clears a confidence threshold. Otherwise the reply says which of three cases it is:

- a *design decision* ("Should we use Cassandra?"): the candidate's to make and justify;
- *irrelevant* to the design (looks, small talk, or nothing a design depends on): said so, and
  the candidate is steered back to requirements and scale;
- *unknown*: a fair question the interviewer has no figure for - "your call, state an assumption".

A fact the card marks `assumption: true` (the chapter gives no figure) is labelled as one in the
reply, so the candidate knows to state it as their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from interview_coach.content.models import ClarifyingQuestion, ProblemCard
from interview_coach.practice import intent, lexicon

ReplyKind = Literal["fact", "design_choice", "irrelevant", "unknown", "empty"]

NO_MATCH_REPLY = (
    "I don't have a figure for that one - it's your call. State an assumption out loud, write it "
    "down with your requirements, and carry on."
)
DESIGN_CHOICE_REPLY = (
    "That's a design decision, so it's yours to make - propose one when we get to the design and "
    "tell me why it fits these requirements."
)
IRRELEVANT_REPLY = (
    "That doesn't matter for the design, so don't spend interview time on it. Let's stay on what "
    "shapes the system - features, scale and the constraints. What else do you need to know?"
)
EMPTY_REPLY = "Ask me anything about the requirements, the scale or what to leave out."
# A second fact answers too when its match is at least this share of the best one's.
COMPOUND_SHARE = 0.85
# A question that raises a topic no fact speaks of is answered only on a match this strong.
STRONG_MATCH = 0.8
ASSUMPTION_NOTE = "(No figure from the brief: take this as your assumption and say so.)"


@dataclass(frozen=True)
class Reply:
    matched_id: str | None
    text: str
    score: float = 0.0
    kind: ReplyKind = "fact"
    assumption: bool = False
    also: tuple[str, ...] = ()  # facts a compound question also asked for, answered too


class Interviewer:
    def __init__(self, card: ProblemCard) -> None:
        self.card = card
        self._facts = {q.id: q for q in card.clarifying_questions}
        self.index = intent.IntentIndex(
            [(q.id, [q.question, *q.paraphrases], q.keywords, q.answer) for q in card.clarifying_questions]
        )
        # Every word the card uses anywhere says the question is about this system.
        text = " ".join(
            [
                card.prompt,
                card.summary,
                *card.requirements.functional,
                *card.requirements.non_functional,
                *card.requirements.out_of_scope,
                *card.scale,
                *(f"{c.name} {c.description}" for c in card.components),
            ]
        )
        asked = " ".join(w for q in card.clarifying_questions for w in (q.question, *q.paraphrases, *q.keywords))
        # What the system is about: the card's own text and the questions it expects - not the
        # interviewer's replies, whose turns of phrase ("don't design yourself into a corner")
        # say nothing about the system.
        self._topic_words = frozenset(intent.concepts(text)) | frozenset(intent.concepts(asked))
        self._card_words = self._topic_words | self.index.vocabulary
        self._design_words = frozenset(c for w in lexicon.DESIGN_WORDS for c in intent.concepts(w))

    def opening(self) -> str:
        return self.card.prompt

    def fact(self, fact_id: str) -> ClarifyingQuestion:
        return self._facts[fact_id]

    def match(self, question: str) -> ClarifyingQuestion | None:
        found = self.index.match(question)
        return self._facts[found.fact_id] if found.fact_id else None

    def off_topic(self, question: str) -> list[str]:
        """The question's words about looks or small talk - unless this card uses them itself
        ("marketing" is small talk for a chat app, a kind of message for a notification system)."""
        found = intent.has_any(question, lexicon.IRRELEVANT_WORDS)
        # A phrase ("your name") is small talk whatever the card; a single word only when the
        # card does not use it.
        return [w for w in found if len(w.split()) > 1 or not set(intent.concepts(w)) <= self._topic_words]

    def classify(self, question: str) -> ReplyKind:
        """What an unmatched question is: a design decision, irrelevant, or unknown."""
        if self.off_topic(question):
            return "irrelevant"
        if intent.has_any(question, lexicon.DESIGN_CHOICE_WORDS):
            return "design_choice"
        words = set(self.index.query(question))
        if not words & (self._card_words | self._design_words):
            return "irrelevant"
        return "unknown"

    def foreign(self, question: str) -> set[str]:
        """Design topics the question raises that none of the card's facts speaks of (a
        technology to choose, the budget, compliance): a reply then needs a strong match."""
        raised = intent.has_any(question, (*lexicon.DESIGN_CHOICE_WORDS, *lexicon.FOREIGN_TOPICS))
        return {c for w in raised for c in intent.concepts(w)} - self.index.vocabulary

    def reply(self, question: str) -> Reply:
        if not intent.concepts(question):
            return Reply(None, EMPTY_REPLY, kind="empty")
        found = self.index.match(question)
        if found.fact_id is not None and self.foreign(question) and found.score < STRONG_MATCH:
            found = intent.Match(None, found.score)
        if found.fact_id is not None and not self.off_topic(question):
            fact = self._facts[found.fact_id]
            text = " ".join(fact.answer.split())
            if fact.assumption:
                text = f"{text} {ASSUMPTION_NOTE}"
            also: tuple[str, ...] = ()
            # "How many users, and how many messages each?" asks two facts at once: a runner-up
            # as strong as the best is answered too.
            second = self._facts.get(found.runner_up or "")
            compound = question.count("?") > 1 or bool(re.search(r"\band\b|[,;]", question))
            if compound and second is not None and found.runner_up_score >= max(intent.THRESHOLD, COMPOUND_SHARE * found.score):
                text = f"{text} {' '.join(second.answer.split())}"
                also = (second.id,)
            return Reply(fact.id, text, round(found.score, 3), "fact", fact.assumption, also)
        kind = self.classify(question)
        text = {"irrelevant": IRRELEVANT_REPLY, "design_choice": DESIGN_CHOICE_REPLY}.get(kind, NO_MATCH_REPLY)
        return Reply(None, text, round(found.score, 3), kind)

    def follow_ups(self, dive_id: str) -> list[str]:
        return list(self.card.deep_dive(dive_id).follow_ups)

    def unasked(self, asked_ids: set[str]) -> list[ClarifyingQuestion]:
        """Card questions the candidate never got to: shown with the reference answer."""
        return [q for q in self.card.clarifying_questions if q.id not in asked_ids]
