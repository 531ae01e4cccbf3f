"""`problems list`: each card's difficulty and topics, and the --topic / --difficulty filters."""

from __future__ import annotations

import json
from pathlib import Path

from interview_coach.content.loader import load_problems
from interview_coach.content.models import TOPICS
from interview_coach.paths import data_dir


def _json(invoke, *args: str) -> list[dict]:
    result = invoke("problems", "list", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_json_carries_difficulty_and_topics_of_every_card(invoke):
    items = {i["id"]: i for i in _json(invoke)}
    cards = {c.id: c for c in load_problems()}
    assert set(items) == set(cards)
    for cid, item in items.items():
        assert item["difficulty"] == cards[cid].difficulty in ("easy", "medium", "hard")
        assert item["topics"] == cards[cid].topics and item["topics"]


def test_table_shows_difficulty_and_topics_at_80_columns(invoke, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    result = invoke("problems", "list")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Level" in out and "Topics" in out
    # Nothing is cropped: every row ends with the table's right border.
    assert all(line.rstrip().endswith(("│", "┓", "┩", "┘", "┃")) for line in out.splitlines()[1:] if line.strip()
               and not line.startswith(("Show", "Filter")))
    assert max(len(line) for line in out.splitlines()) <= 80
    # Topics wrap rather than being cut short, so each one can be read whole.
    assert "…" not in out
    assert "geo-indexing" in out and "hard" in out and "easy" in out
    # Each topic is printed whole on one line, never split mid-word.
    for card in load_problems():
        for topic in card.topics:
            assert topic in out, topic


def test_filter_by_topic_and_difficulty(invoke):
    geo = [i["id"] for i in _json(invoke, "--topic", "geo-indexing")]
    assert geo == ["ride_hailing"]
    easy = {i["id"] for i in _json(invoke, "--difficulty", "easy")}
    assert easy == {c.id for c in load_problems() if c.difficulty == "easy"} and easy
    both = _json(invoke, "--topic", "caching", "--difficulty", "Easy")
    assert both and all(i["difficulty"] == "easy" and "caching" in i["topics"] for i in both)
    # An underscore or a space is read as the hyphen the topic names use.
    assert [i["id"] for i in _json(invoke, "--topic", "geo_indexing")] == ["ride_hailing"]


def test_a_filter_that_matches_nothing_says_so(invoke):
    result = invoke("problems", "list", "--topic", "geo-indexing", "--difficulty", "easy")
    assert result.exit_code == 0
    assert "No problem matches" in result.output


def test_unknown_topic_or_difficulty_is_one_line_exit_2(invoke):
    cases = ((["--topic", "cachin"], "unknown topic 'cachin'"), (["--difficulty", "insane"], "unknown difficulty 'insane'"))
    for args, needle in cases:
        result = invoke("problems", "list", *args)
        assert result.exit_code == 2, args
        assert result.stderr.count("\n") == 1 and needle in result.stderr
        assert "Traceback" not in result.output + result.stderr
    assert all(t in invoke("problems", "list", "--topic", "x").stderr for t in TOPICS)


def test_show_gives_difficulty_topics_red_flags_and_sources(invoke):
    result = invoke("problems", "show", "uber")
    assert result.exit_code == 0, result.output
    out = result.output
    for needle in ("Difficulty: hard", "geo-indexing", "Red flags", "Sources", "H3"):
        assert needle in out, needle


def test_a_user_card_with_an_unknown_topic_is_refused_with_its_line(invoke, tmp_path: Path, monkeypatch):
    folder = tmp_path / "mine" / "problems"
    folder.mkdir(parents=True)
    text = (data_dir("frameworks") / "problems" / "url_shortener.yaml").read_text()
    text = text.replace("id: url_shortener", "id: my_links", 1).replace("topics: [id-generation", "topics: [id-gen", 1)
    text = text.replace("aliases: [", "aliases: [my-links-alias, ", 1).replace("tinyurl, ", "", 1)
    (folder / "my_links.yaml").write_text(text)
    monkeypatch.setenv("INTERVIEW_COACH_CONTENT", str(tmp_path / "mine"))
    result = invoke("problems", "show", "my_links")
    assert result.exit_code == 2
    assert "my_links.yaml:" in result.stderr and "unknown topic 'id-gen'" in result.stderr
