"""The interviewer's side of the conversation: replies to clarifying questions, follow-ups.

A clarifying question is matched to the problem card's questions by keyword overlap: each of a
card question's keywords found in the candidate's question scores 2, each meaningful word
shared with the card's own wording scores 1. The best match answers with the card's reply;
with no match the candidate is told to state an assumption, as a real interviewer would.
"""

from __future__ import annotations

from dataclasses import dataclass

from interview_coach.content.models import ClarifyingQuestion, ProblemCard
from interview_coach.practice.keywords import Text, content_tokens

NO_MATCH_REPLY = (
    "That one is your call. State an assumption out loud, write it down with your requirements, "
    "and carry on."
)
EMPTY_REPLY = "Ask me anything about the requirements, the scale or what to leave out."

# A match needs one keyword, or at least this much word overlap with the card's question.
MIN_SCORE = 2


@dataclass(frozen=True)
class Reply:
    matched_id: str | None
    text: str
    score: int = 0


class Interviewer:
    def __init__(self, card: ProblemCard) -> None:
        self.card = card
        self._question_words = {q.id: content_tokens(q.question) for q in card.clarifying_questions}

    def opening(self) -> str:
        return self.card.prompt

    def score(self, question: str, candidate: ClarifyingQuestion) -> int:
        text = Text(question)
        keyword_hits = len(text.found(candidate.keywords))
        overlap = len(content_tokens(question) & self._question_words[candidate.id])
        return 2 * keyword_hits + overlap

    def match(self, question: str) -> ClarifyingQuestion | None:
        best: tuple[int, ClarifyingQuestion] | None = None
        for candidate in self.card.clarifying_questions:
            s = self.score(question, candidate)
            # Strictly greater: on a tie the card's earlier (more basic) question wins.
            if s >= MIN_SCORE and (best is None or s > best[0]):
                best = (s, candidate)
        return best[1] if best else None

    def reply(self, question: str) -> Reply:
        if not content_tokens(question):
            return Reply(None, EMPTY_REPLY)
        found = self.match(question)
        if found is None:
            return Reply(None, NO_MATCH_REPLY)
        return Reply(found.id, found.answer.strip(), self.score(question, found))

    def follow_ups(self, dive_id: str) -> list[str]:
        return list(self.card.deep_dive(dive_id).follow_ups)

    def unasked(self, asked_ids: set[str]) -> list[ClarifyingQuestion]:
        """Card questions the candidate never got to: shown with the reference answer."""
        return [q for q in self.card.clarifying_questions if q.id not in asked_ids]
