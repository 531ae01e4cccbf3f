"""Per-problem quiz packs (`quiz --problem`), answers in any unit of the question's family, and
`quiz export --anki` checked by opening the deck's zip and its SQLite collection."""

from __future__ import annotations

import json
import sqlite3
import textwrap
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interview_coach.cli.main import app
from interview_coach.quiz.bank import load_bank

runner = CliRunner()

PACK = textwrap.dedent(
    """\
    id: chat
    problem: chat
    title: Chat system — problem pack
    sections:
      - id: chat-basics
        title: Chat basics
    questions:
      - id: chat-pack-transport
        section: chat-basics
        type: single
        title: Live transport
        prompt: Which transport carries live messages to an online client?
        options: [Long polling over HTTP, A WebSocket kept open, Server-Sent Events]
        answer: A WebSocket kept open
        explanation: The server pushes down one open socket; the others poll or are one-way.
      - id: chat-pack-storage
        section: chat-basics
        type: numeric
        prompt: How much text piles up in five years at 500 GB a day?
        answer: 912.5
        tolerance: 0.05
        unit: TB
        explanation: 500 GB × 365 × 5 ≈ 912.5 TB, about 0.9 PB.
    """
)


def invoke(*args: str):
    return runner.invoke(app, list(args))


def one_error_line(result, code: int = 2) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def content(tmp_path) -> Path:
    folder = tmp_path / "content" / "quizzes" / "problems"
    folder.mkdir(parents=True)
    (folder / "chat.yaml").write_text(PACK)
    return tmp_path / "content"


# ---------------------------------------------------------------- packs


def test_problem_selects_the_pack_and_answers_are_graded(content, tmp_path):
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({"chat-pack-transport": "A WebSocket kept open", "chat-pack-storage": "0.9 PB"}))
    result = invoke("--content-dir", str(content), "quiz", "--problem", "chat", "--answers", str(answers), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["bank"] == "chat" and (data["score"], data["total"]) == (2, 2)
    listed = json.loads(invoke("--content-dir", str(content), "quiz", "--problem", "ch", "--list", "--json").stdout)
    assert [q["id"] for q in listed] == ["chat-pack-transport", "chat-pack-storage"]


def test_an_unknown_problem_is_one_line_with_a_did_you_mean(content):
    line = one_error_line(invoke("--content-dir", str(content), "quiz", "--problem", "chta"))
    assert line == "error: --problem: no quiz pack for problem 'chta'; did you mean chat?"
    line = one_error_line(invoke("--content-dir", str(content), "quiz", "stats", "--problem", "zzz"))
    assert line.startswith("error: --problem: no quiz pack for problem 'zzz'; packs exist for: chat")


def test_problem_and_bank_together_are_refused(content):
    line = one_error_line(invoke("--content-dir", str(content), "quiz", "--problem", "chat", "--bank", "system"))
    assert "--bank and --problem" in line


def test_a_pack_must_name_its_problem(content):
    path = content / "quizzes" / "problems" / "chat.yaml"
    path.write_text(PACK.replace("problem: chat\n", "problem: typeahead\n"))
    line = one_error_line(invoke("--content-dir", str(content), "quiz", "--problem", "chat", "--list"))
    assert line == f"error: {path}:2: problem 'typeahead' must match the file name 'chat' (it is the name --problem takes)"
    path.write_text(PACK.replace("problem: chat\n", ""))
    line = one_error_line(invoke("--content-dir", str(content), "quiz", "--problem", "chat", "--list"))
    assert "a problem pack needs `problem: chat`" in line


def test_the_review_of_a_pack_points_back_at_the_pack(content, tmp_path):
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({"chat-pack-transport": "Server-Sent Events"}))
    result = invoke("--content-dir", str(content), "quiz", "--problem", "chat", "--answers", str(answers))
    assert result.exit_code == 0, result.output
    assert "Live transport" in result.stdout and "interview-coach quiz --review --problem chat" in result.stdout


# ---------------------------------------------------------------- units


@pytest.mark.parametrize("given", ["912.5 TB", "912.5", "0.9125 PB", "0.9 PB", "912,500 GB", "912500GB", "9.125e14 bytes"])
def test_a_numeric_answer_may_use_any_unit_of_the_questions_family(tmp_path, given):
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({"est-five-year-storage": given}))
    data = json.loads(invoke("quiz", "--answers", str(answers), "--json").stdout)
    assert data["score"] == 1, (given, data)


def test_a_unit_of_another_family_is_refused_in_one_line(tmp_path):
    answers = tmp_path / "a.yaml"
    answers.write_text("est-five-year-storage: 900 seconds\n")
    line = one_error_line(invoke("quiz", "--answers", str(answers)))
    assert "'900 seconds' is not a number" in line and "PB" in line


# ---------------------------------------------------------------- anki export


def _notes(deck: Path) -> list[tuple[str, str]]:
    with zipfile.ZipFile(deck) as z:
        assert "collection.anki2" in z.namelist()
        target = deck.parent / "collection.anki2"
        target.write_bytes(z.read("collection.anki2"))
    conn = sqlite3.connect(target)
    try:
        rows = conn.execute("SELECT flds, tags FROM notes").fetchall()
        cards = conn.execute("SELECT count(*) FROM cards").fetchone()[0]
    finally:
        conn.close()
    assert cards == len(rows)
    return rows


def test_export_anki_writes_every_question_as_a_note(tmp_path):
    deck = tmp_path / "chapter.apkg"
    result = invoke("quiz", "export", "--anki", str(deck))
    assert result.exit_code == 0, result.output
    bank = load_bank()
    notes = _notes(deck)
    assert len(notes) == len(bank.questions)
    fields = {row[0].split("\x1f")[4]: row[0].split("\x1f") for row in notes}
    q = bank.question("cap-banking")
    front, back = fields["cap-banking"][0], fields["cap-banking"][1]
    assert "payment ledger" in front and all(o.split()[0] in front for o in q.choices())
    assert back.endswith(q.answer) and back[0] in "ABCD"
    assert any("cap" in row[1].split() for row in notes)


def test_export_anki_misses_only_and_section(tmp_path):
    bank = load_bank()
    answers = tmp_path / "a.json"
    wrong = next(o for o in bank.question("cap-banking").choices() if o != bank.question("cap-banking").answer)
    answers.write_text(json.dumps({"cap-banking": wrong, "pitfall-silence": 30}))
    assert invoke("quiz", "--answers", str(answers)).exit_code == 0
    deck = tmp_path / "misses.apkg"
    assert invoke("quiz", "export", "--anki", str(deck), "--misses").exit_code == 0
    assert [row[0].split("\x1f")[4] for row in _notes(deck)] == ["cap-banking"]
    deck = tmp_path / "cap.apkg"
    assert invoke("quiz", "export", "--anki", str(deck), "--section", "cap").exit_code == 0
    assert len(_notes(deck)) == sum(1 for q in bank.questions if q.section == "cap")


def test_export_anki_bad_paths_are_one_line(tmp_path):
    line = one_error_line(invoke("quiz", "export", "--anki", str(tmp_path / "deck.txt")))
    assert "does not end in .apkg" in line
    line = one_error_line(invoke("quiz", "export", "--anki", str(tmp_path / "nowhere" / "deck.apkg")))
    assert "does not exist" in line
    assert not list(tmp_path.glob("*.apkg"))
