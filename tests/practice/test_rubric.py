"""Keyword matching, the interviewer's replies, rubric coverage and the score card."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interview_coach.practice.feedback import build_scorecard, level_for, time_score
from interview_coach.practice.interviewer import IRRELEVANT_REPLY, Interviewer
from interview_coach.practice.keywords import Text
from interview_coach.practice.rubric import check, check_step, rubric_for_step

# ---------------------------------------------------------------- matching words


@pytest.mark.parametrize(
    "text, keyword",
    [
        ("We keep WebSockets open", "websocket"),
        ("fan out over pub/sub", "pub sub"),
        ("one-on-one first", "one on one"),
        ("the cache's hit rate", "cache"),
        ("A -> B -> C", "->"),
        ("a reliable store", "reliab"),  # authors write stems
        ("about 60K/s at peak", "/s"),
        ("AP over CP", "ap"),
    ],
)
def test_keywords_found(text, keyword):
    assert Text(text).has(keyword)


@pytest.mark.parametrize(
    "text, keyword",
    [
        ("a happy path", "ap"),  # short words match whole words only
        ("assess the risk", "sse"),
        ("", "cache"),
        ("caching", "cache write"),
    ],
)
def test_keywords_not_found(text, keyword):
    assert not Text(text).has(keyword)


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=10)


@given(st.lists(words, min_size=1, max_size=3), st.lists(words, max_size=5), st.lists(words, max_size=5))
def test_a_keyword_is_always_found_where_it_is_written(keyword_words, before, after):
    keyword = " ".join(keyword_words)
    text = " ".join(before + [keyword.upper()] + after)
    assert Text(text).has(keyword)


# ---------------------------------------------------------------- the interviewer


@pytest.fixture
def chat_card():
    from interview_coach.content.loader import load_problem

    return load_problem("chat")


@pytest.mark.parametrize(
    "question, expected_words",
    [
        ("To narrow down the scope, is this chat app one-on-one, group-based, or both?", "one-on-one"),
        ("Should we support multimedia (images/videos) or just text messages?", "text"),
        ("What is the expected scale? How many active users are we designing for?", "50 million"),
    ],
)
def test_the_chapter_questions_get_the_chapter_answers(chat_card, question, expected_words):
    reply = Interviewer(chat_card).reply(question)
    assert reply.matched_id is not None
    assert expected_words.lower() in reply.text.lower()


def test_a_question_about_looks_is_told_it_does_not_matter(chat_card):
    reply = Interviewer(chat_card).reply("What colour should the logo be?")
    assert reply.matched_id is None
    assert reply.text == IRRELEVANT_REPLY


def test_follow_ups_come_from_the_card(chat_card):
    assert "offline" in Interviewer(chat_card).follow_ups("delivery")[0].lower()


# ---------------------------------------------------------------- coverage


def test_an_answer_naming_the_points_scores_them(framework, card):
    points = rubric_for_step(framework, card, "high_level", [])
    results = check(points, "POST /v1/messages over a WebSocket; GET history through the API")
    assert {r.id for r in results if r.covered} == {"card.websockets", "framework.apis"}
    assert all(r.credit == 1.0 for r in results)


def test_a_blank_answer_scores_nothing(framework, card):
    for step in framework.steps:
        points = rubric_for_step(framework, card, step.id, ["delivery", "storage"])
        results = check(points, "")
        assert results and all(not r.covered and r.credit == 0 for r in results)


def test_chosen_dives_and_trade_offs_join_the_rubric(framework, card):
    dive = [p.key for p in rubric_for_step(framework, card, "deep_dive", ["delivery"])]
    assert dive == ["delivery.session_registry", "delivery.offline_push", "framework.tradeoff"]
    wrap = [p.key for p in rubric_for_step(framework, card, "wrap_up", [])]
    assert wrap == ["card.ap", "tradeoff.snowflake", "framework.spof"]


def test_hinted_and_self_claimed_points_earn_half(framework, card):
    points = rubric_for_step(framework, card, "wrap_up", [])
    results = {
        r.id: r
        for r in check(points, "we pick availability over consistency", hinted={"card.ap"}, ratings={"framework.spof": "yes", "tradeoff.snowflake": "no"})
    }
    assert results["card.ap"].credit == 0.5 and results["card.ap"].covered
    assert results["framework.spof"].credit == 0.5 and not results["framework.spof"].covered
    assert results["tradeoff.snowflake"].credit == 0


def test_step_text_includes_questions_and_estimates(start):
    engine = start()
    engine.ask_interviewer("Is it write-heavy?")
    results = {r.id: r for r in check_step(engine.framework, engine.card, engine.session, "scope")}
    assert results["card.write_heavy"].covered


# ---------------------------------------------------------------- the score card


def test_time_scores():
    assert time_score(450, 450, answered=3, skipped=False)[0] == 1.0
    assert time_score(480, 450, answered=3, skipped=False) == (1.0, "a little over (8:00 of 7:30)")
    assert time_score(900, 450, answered=3, skipped=False)[0] == 0.0
    score, note = time_score(675, 450, answered=3, skipped=False)
    assert 0 < score < 1 and note.startswith("over by 3:45")
    assert time_score(0, 450, answered=0, skipped=True) == (0.0, "skipped")


def test_levels():
    assert level_for(0.1) is None
    assert level_for(0.5) == "mid"
    assert level_for(0.7) == "senior"
    assert level_for(0.9) == "staff"


def test_blank_session_scores_zero(start):
    engine = start()
    for _ in range(3):
        engine.next_step()
    card = engine.finish()
    assert card.score == 0
    assert card.coverage == 0
    assert all(s.coverage == 0 for s in card.steps)
    assert len(card.missed) == sum(len(s.missed) for s in card.steps) > 0
    assert all(m.section for m in card.missed)  # every miss says where to read
    assert {c.id for c in card.competencies} == {"problem_navigation", "solution_design", "technical_excellence", "communication"}
    assert all(c.level is None and c.next_level == "mid" for c in card.competencies)


def test_a_good_session_scores_high_and_reaches_a_level(start, clock):
    engine = start()
    engine.ask_interviewer("One-on-one or group? How many users?")
    engine.complete(engine.current_item())
    engine.answer(engine.current_item(), "Functional: send messages. Non-functional: low latency, availability. It is write-heavy.")
    while engine.current_item() is not None:
        engine.record_estimate(engine.current_item(), "")
    clock.advance(400)
    engine.next_step()
    engine.answer(engine.current_item(), "POST /v1/messages, GET history; clients keep a WebSocket to chat servers")
    engine.answer(engine.current_item(), "Chat servers, Cassandra")
    clock.advance(700)
    engine.next_step()
    engine.choose_dives(engine.current_item(), ["delivery"])
    engine.answer(engine.current_item(), "Look the recipient up in a Redis session registry; a trade-off instead of polling")
    engine.answer(engine.current_item(), "Offline users get a push notification")
    clock.advance(1100)
    engine.next_step()
    engine.answer(engine.current_item(), "AP: availability over consistency; Snowflake ids; the registry is a SPOF")
    clock.advance(300)
    card = engine.finish()
    assert card.coverage == 1.0
    assert card.time_discipline == 1.0
    assert card.score == 100
    assert all(c.level == "staff" for c in card.competencies)
    assert engine.session.status == "finished"


def test_scorecard_counts_hints(start):
    engine = start()
    engine.hint()
    card = build_scorecard(engine.session, engine.framework, engine.card)
    assert card.hints_used == 1
    assert card.steps[0].hints == 1
