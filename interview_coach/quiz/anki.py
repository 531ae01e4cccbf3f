"""Quiz questions as an Anki deck (.apkg), for people who review in Anki.

One note per question: the prompt and its lettered options on the front, the answer and the
explanation on the back, the section as a tag. Ids are derived from the bank and question ids,
so exporting again updates the notes already imported instead of duplicating them.
"""

from __future__ import annotations

import hashlib
import html
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import genanki

from interview_coach.quiz.bank import Bank, Question
from interview_coach.quiz.grading import letter, show_answer

_CSS = """
.card { font-family: sans-serif; font-size: 18px; text-align: left; }
.section { color: #888; font-size: 14px; }
ol.options { list-style-type: upper-alpha; }
.answer { font-weight: bold; }
.explanation { font-style: italic; margin-top: 0.8em; }
"""

_FRONT = '<div class="section">{{Section}}</div>{{Question}}'
_BACK = '{{FrontSide}}<hr id="answer"><div class="answer">{{Answer}}</div><div class="explanation">{{Explanation}}</div>'


def _stable_id(*parts: str) -> int:
    # Anki wants a fixed 31-bit-ish id per model and deck; a hash of the names keeps re-exports stable.
    digest = hashlib.sha1(":".join(parts).encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def _model() -> genanki.Model:
    return genanki.Model(
        _stable_id("interview-coach", "quiz-model", "1"),
        "interview-coach quiz question",
        fields=[{"name": "Question"}, {"name": "Answer"}, {"name": "Explanation"}, {"name": "Section"}, {"name": "Id"}],
        templates=[{"name": "Card 1", "qfmt": _FRONT, "afmt": _BACK}],
        css=_CSS,
        sort_field_index=4,
    )


def front(question: Question) -> str:
    """The card's front as HTML: the prompt, then the options in their stored order."""
    parts = [f"<p>{html.escape(' '.join(question.prompt.split()))}</p>"]
    if question.type in ("single", "multiple", "ordering"):
        how = {"single": "Pick one.", "multiple": "Pick every right answer.", "ordering": "Put them in order."}[question.type]
        items = "".join(f"<li>{html.escape(o)}</li>" for o in question.choices())
        parts.append(f"<p><i>{how}</i></p><ol class=\"options\">{items}</ol>")
    elif question.type == "true_false":
        parts.append("<p><i>True or false?</i></p>")
    elif question.unit:
        parts.append(f"<p><i>A number, in {html.escape(question.unit)}.</i></p>")
    return "".join(parts)


def back(question: Question) -> str:
    """The answer as HTML, with the letters of the options where there are any."""
    expected = question.expected()
    choices = question.choices()
    if question.type == "single":
        return html.escape(f"{letter(choices.index(expected))}. {expected}")
    if question.type in ("multiple", "ordering"):
        sep = "<br>" if question.type == "multiple" else "<br>→ "
        return sep.join(html.escape(f"{letter(choices.index(o))}. {o}") for o in expected)
    return html.escape(show_answer(question, expected))


def build_deck(bank: Bank, questions: Sequence[Question]) -> genanki.Deck:
    model = _model()
    deck = genanki.Deck(_stable_id("interview-coach", "deck", bank.id), bank.title)
    for q in questions:
        deck.add_note(
            genanki.Note(
                model=model,
                fields=[
                    front(q),
                    back(q),
                    html.escape(" ".join(q.explanation.split())),
                    html.escape(bank.section_title(q.section)),
                    q.id,
                ],
                guid=genanki.guid_for(bank.id, q.id),
                tags=[bank.id, q.section],
            )
        )
    return deck


def write_deck(bank: Bank, questions: Sequence[Question], path: Path) -> int:
    """Write the deck to `path` (whole or not at all) and return the number of notes."""
    deck = build_deck(bank, questions)
    fd, tmp = tempfile.mkstemp(suffix=".apkg", dir=path.parent)
    os.close(fd)
    try:
        genanki.Package(deck).write_to_file(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return len(deck.notes)
