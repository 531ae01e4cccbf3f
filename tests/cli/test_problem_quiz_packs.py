"""The quiz packs of the cards written at the chat card's depth: each selectable by its card's
name or a unique prefix, at least 8 questions of several kinds, and scored right when answered right."""

from __future__ import annotations

import json

import pytest
import yaml

from interview_coach.paths import data_dir

PACKS = ["file_storage", "kv_store", "video_streaming", "photo_sharing", "ride_hailing"]


def _pack(card_id: str) -> dict:
    return yaml.safe_load((data_dir("quizzes") / "problems" / f"{card_id}.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("card_id", PACKS)
def test_each_pack_has_eight_questions_of_several_kinds(card_id):
    pack = _pack(card_id)
    assert pack["id"] == pack["problem"] == card_id
    questions = pack["questions"]
    assert len(questions) >= 8
    assert {"single", "multiple", "true_false", "numeric", "ordering"} <= {q["type"] for q in questions}
    assert all(q["id"].startswith(card_id.replace("_", "-") + "-") for q in questions)


@pytest.mark.parametrize(("name", "card_id"), [("file_storage", "file_storage"), ("kv", "kv_store"),
                                               ("video", "video_streaming"), ("photo_sharing", "photo_sharing"),
                                               ("ride", "ride_hailing")])
def test_a_pack_is_listed_by_its_card_name_or_a_unique_prefix(invoke, name, card_id):
    result = invoke("quiz", "--problem", name, "--list", "--json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    ids = {q["id"] for q in (listed["questions"] if isinstance(listed, dict) else listed)}
    assert ids == {q["id"] for q in _pack(card_id)["questions"]}


@pytest.mark.parametrize("card_id", PACKS)
def test_answering_every_question_right_scores_full_marks(invoke, tmp_path, card_id):
    answers = {q["id"]: q["answer"] for q in _pack(card_id)["questions"]}
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers), encoding="utf-8")
    result = invoke("quiz", "--problem", card_id, "--answers", str(path), "--count", str(len(answers)), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total"] == len(answers) and data["score"] == data["total"]


def _listed_ids(result) -> set[str]:
    listed = json.loads(result.stdout)
    return {q["id"] for q in (listed["questions"] if isinstance(listed, dict) else listed)}


@pytest.mark.parametrize(("alias", "card_id"), [("dropbox", "file_storage"), ("Google Drive", "file_storage")])
def test_a_pack_is_found_by_its_cards_alias(invoke, alias, card_id):
    result = invoke("quiz", "--problem", alias, "--list", "--json")
    assert result.exit_code == 0, result.output
    assert _listed_ids(result) == {q["id"] for q in _pack(card_id)["questions"]}


@pytest.mark.parametrize("name", ["chat", "whatsapp"])
def test_the_reference_problem_is_quizzed_by_the_chapter_bank(invoke, name):
    chapter = invoke("quiz", "--list", "--json")
    result = invoke("quiz", "--problem", name, "--list", "--json")
    assert result.exit_code == 0, result.output
    assert _listed_ids(result) == _listed_ids(chapter)


def test_a_card_without_a_pack_says_so_in_one_line(invoke):
    result = invoke("quiz", "--problem", "url_shortener", "--list")
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line and "url_shortener" in line and "has no quiz pack yet" in line and "file_storage" in line
