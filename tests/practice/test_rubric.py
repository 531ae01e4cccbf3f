"""Keyword matching, the interviewer's replies, rubric coverage and the score card."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interview_coach.practice.feedback import build_scorecard, level_for, time_score
from interview_coach.practice.interviewer import IRRELEVANT_REPLY, Interviewer
from interview_coach.practice.keywords import Text
from interview_coach.practice.rubric import check_step, rubric_for_step, step_text

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
    text = " ".join([*before, keyword.upper(), *after])
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


def _step(engine, step_id):
    return {r.id: r for r in check_step(engine.framework, engine.card, engine.session, step_id)}


def test_an_explained_point_earns_full_credit_a_named_one_little(start):
    engine = start()
    engine.next_step()
    engine.answer(engine.current_item(), "Clients hold a WebSocket so the server pushes each message in real time.")
    engine.answer(engine.current_item(), "websocket")
    results = _step(engine, "high_level")
    assert results["card.websockets"].level == "explained" and results["card.websockets"].credit == 1.0
    assert "WebSocket" in (results["card.websockets"].quote or "")
    engine2 = start()
    engine2.next_step()
    engine2.answer(engine2.current_item(), "websocket, redis, cassandra")
    named = _step(engine2, "high_level")["card.websockets"]
    assert named.level == "named" and 0 < named.credit < 0.5 and named.advice


def test_a_blank_answer_scores_nothing(start):
    engine = start()
    for step in engine.framework.steps:
        results = check_step(engine.framework, engine.card, engine.session, step.id)
        assert all(not r.covered and r.credit == 0 and r.level == "missing" for r in results)


def test_chosen_dives_and_trade_offs_join_the_rubric(framework, card):
    dive = [p.key for p in rubric_for_step(framework, card, "deep_dive", ["delivery"])]
    assert dive == ["delivery.session_registry", "delivery.offline_push", "deep_dive.another_dive_2"]  # two dives at least
    both = [p.key for p in rubric_for_step(framework, card, "deep_dive", ["delivery", "storage"])]
    assert both[-1] == "storage.cassandra"
    wrap = [p.key for p in rubric_for_step(framework, card, "wrap_up", [])]
    assert wrap == ["card.ap", "tradeoff.snowflake"]


def test_hinted_points_earn_half_and_claimed_ones_count_as_named(start):
    engine = start()
    for _ in range(3):
        engine.next_step()
    engine.hint()
    engine.answer(engine.current_item(), (
        "We chose availability over consistency so the service keeps answering users and "
        "accepting writes during a network partition."
    ))
    engine.self_assess({"tradeoff.snowflake": "yes"})
    results = _step(engine, "wrap_up")
    assert results["card.ap"].level == "explained" and results["card.ap"].credit == 0.5 and results["card.ap"].hinted
    assert results["tradeoff.snowflake"].level == "missing" and results["tradeoff.snowflake"].credit == 0.2


def test_step_text_includes_questions_and_estimates(start):
    engine = start()
    engine.ask_interviewer("Is it write-heavy?")
    assert "write-heavy" in step_text(engine.session, "scope")


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
    engine.answer(engine.current_item(), (
        "The system is write-heavy because every user sends many messages "
        "and writes dominate reads."
    ))
    while (item := engine.current_item()) is not None:
        engine.record_estimate(item, str(round(item.figure.value)))  # the calculator's own figures
    clock.advance(400)
    engine.next_step()
    engine.answer(engine.current_item(), "POST /v1/messages - send a message")
    engine.answer(engine.current_item(), "Clients keep a WebSocket open so chat servers can push real-time delivery.")
    clock.advance(700)
    engine.next_step()
    engine.choose_dives(engine.current_item(), ["delivery", "storage"])
    engine.answer(engine.current_item(), (
        "Server A looks the recipient up in a Redis session registry to find "
        "the server that holds their socket."
    ))
    engine.answer(engine.current_item(), "When the recipient is offline we fall back to a push notification to their phone.")
    engine.answer(engine.current_item(), (
        "Cassandra, a wide-column store, because its writes are sequential "
        "appends that keep write throughput high."
    ))
    clock.advance(1100)
    engine.next_step()
    engine.answer(engine.current_item(), (
        "We chose availability over consistency so the service keeps accepting writes from users during a network "
        "partition. Snowflake ids need no coordination, at the cost of gaps in sequence."
    ))
    clock.advance(300)
    card = engine.finish()
    assert card.coverage == 1.0, [(m.id, m.level) for s in card.steps for m in s.matched if m.level != "explained"]
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
