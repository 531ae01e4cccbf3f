"""The interviewer: clarifying questions matched by meaning on every card, irrelevant and unknown
questions told apart, reactions and follow-ups chosen from the candidate's gaps, the step-2
buy-in, and hints aimed at the question on screen. Built-in content, real engine, fake clock."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interview_coach.clock import FakeClock
from interview_coach.content.loader import load_framework, load_problem
from interview_coach.practice.engine import PracticeEngine
from interview_coach.practice.grading import grade_step
from interview_coach.practice.interviewer import (
    DESIGN_CHOICE_REPLY,
    IRRELEVANT_REPLY,
    NO_MATCH_REPLY,
    Interviewer,
)

CARDS = ["chat", "news_feed", "notification_system", "rate_limiter", "typeahead", "url_shortener", "web_crawler"]
# Questions worded unlike any wording on the cards (none of them is a card paraphrase).
HELD_OUT = yaml.safe_load((Path(__file__).parent / "interviewer_data" / "held_out.yaml").read_text())

SILLY = [
    "Are the bubbles blue or green?",
    "What font should the app use?",
    "How was your weekend?",
    "Should the logo have rounded corners?",
    "Do we need a dark mode theme?",
    "What's your favourite colour?",
    "What's your name?",
    "Tell me about yourself",
    "What time is it?",
    "Do you enjoy working here?",
]


@pytest.fixture(scope="module")
def interviewers():
    return {c: Interviewer(load_problem(c)) for c in CARDS}


# ---------------------------------------------------------------- clarifying questions


def test_held_out_paraphrases_are_not_card_wordings():
    for card_id in CARDS:
        card = load_problem(card_id)
        authored = {w.lower() for q in card.clarifying_questions for w in (q.question, *q.paraphrases)}
        assert not authored & {q.lower() for q in HELD_OUT[card_id]}


@pytest.mark.parametrize("card_id", CARDS)
def test_each_card_answers_twenty_held_out_questions_with_the_right_fact(interviewers, card_id):
    iv = interviewers[card_id]
    right, wrong = [], []
    for question, expected in HELD_OUT[card_id].items():
        reply = iv.reply(question)
        (right if reply.matched_id in expected.split("|") else wrong).append((question, expected, reply.matched_id))
    assert len(right) >= 20, wrong
    assert len(right) >= 0.85 * len(HELD_OUT[card_id]), wrong
    facts = {q.id for q in load_problem(card_id).clarifying_questions}
    assert len({e for e in HELD_OUT[card_id].values() for e in e.split("|")} & facts) >= 20


@pytest.mark.parametrize("card_id", CARDS)
def test_every_authored_wording_finds_its_own_fact(interviewers, card_id):
    card = load_problem(card_id)
    assert len(card.clarifying_questions) >= 20
    for q in card.clarifying_questions:
        assert len(q.paraphrases) >= 3, q.id
        for wording in (q.question, *q.paraphrases):
            assert interviewers[card_id].reply(wording).matched_id == q.id, wording


@pytest.mark.parametrize(
    "question, fact, words",
    [
        ("Do we need search?", "search", "search"),
        ("Can users delete or edit messages?", "edit_delete", "immutable"),
        ("What is the read/write ratio?", "read_write_ratio", "1:1"),
        ("What is the maximum message size?", "max_message_size", "4 KB"),
        ("Do we need serach?", "search", "search"),  # a typo
        ("what's the RAED/write ratio??", "read_write_ratio", "1:1"),
    ],
)
def test_the_questions_that_went_wrong_get_their_own_fact(interviewers, question, fact, words):
    reply = interviewers["chat"].reply(question)
    assert (reply.matched_id, reply.kind) == (fact, "fact")
    assert words in reply.text


@pytest.mark.parametrize("card_id", CARDS)
@pytest.mark.parametrize("question", SILLY)
def test_a_silly_question_is_told_it_does_not_matter(interviewers, card_id, question):
    reply = interviewers[card_id].reply(question)
    assert reply.matched_id is None
    assert (reply.kind, reply.text) == ("irrelevant", IRRELEVANT_REPLY)
    assert "doesn't matter for the design" in reply.text and "What else do you need to know" in reply.text


def test_unknown_design_choice_and_irrelevant_get_different_replies(interviewers):
    iv = interviewers["chat"]
    unknown = iv.reply("Do we need to comply with GDPR?")
    choice = iv.reply("Should we store messages in Cassandra or Postgres?")
    silly = iv.reply("Are the bubbles blue or green?")
    assert (unknown.kind, unknown.text) == ("unknown", NO_MATCH_REPLY)
    assert "your call" in unknown.text and "assumption" in unknown.text
    assert (choice.kind, choice.text) == ("design_choice", DESIGN_CHOICE_REPLY)
    assert len({unknown.text, choice.text, silly.text}) == 3
    assert all(r.matched_id is None for r in (unknown, choice, silly))


def test_a_word_the_card_uses_is_not_small_talk(interviewers):
    # "marketing" is small talk for a chat app but a kind of message for notifications.
    assert interviewers["chat"].reply("Do we send marketing messages?").kind == "irrelevant"
    assert interviewers["notification_system"].reply("Do we send marketing campaigns?").matched_id == "kinds"


def test_a_fact_marked_as_an_assumption_says_so(interviewers):
    for card_id, iv in interviewers.items():
        for q in load_problem(card_id).clarifying_questions:
            reply = iv.reply(q.question)
            assert reply.assumption == q.assumption
            assert ("your assumption" in reply.text) == q.assumption


# ---------------------------------------------------------------- the engine


@pytest.fixture
def chat_engine():
    return PracticeEngine.start(load_framework(), load_problem("chat"), FakeClock(start=1_750_000_000.0))


def _to(engine: PracticeEngine, kind: str):
    while (item := engine.current_item()) is not None and item.kind != kind:
        if item.kind == "clarify":
            engine.complete(item)
        elif item.kind == "estimate":
            engine.record_estimate(item, "")
        else:
            engine.answer(item, "")
    if item is None:
        engine.next_step()
        return _to(engine, kind)
    return item


def test_the_clarifications_record_the_fact_and_kind(chat_engine):
    chat_engine.ask_interviewer("What is the read/write ratio?")
    chat_engine.ask_interviewer("Are the bubbles blue or green?")
    first, second = chat_engine.session.clarifications
    assert (first.matched_id, first.kind) == ("read_write_ratio", "fact") and "1:1" in first.reply
    assert (second.matched_id, second.kind) == (None, "irrelevant")


DELIVERY_SENTENCES = [
    "Chat server A forwards the message to chat server B, which holds the recipient's socket, and B pushes it to the device.",
    "Persistence is decoupled from delivery: Cassandra is written asynchronously so the database never blocks the server.",
    "The recipient's device sends an ack back so the sender learns the message was delivered.",
    "Redis tells server A which server holds B.",
    "If B is offline we send a push notification.",
    "It uses pub/sub.",
]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.sampled_from(DELIVERY_SENTENCES), min_size=0, max_size=4, unique=True),
    st.lists(st.sampled_from(DELIVERY_SENTENCES), max_size=2),
)
def test_a_follow_up_is_never_about_a_point_already_explained(sentences, later):
    engine = PracticeEngine.start(load_framework(), load_problem("chat"), FakeClock(start=1_750_000_000.0))
    engine.choose_dives(_to(engine, "choose_dives"), ["delivery"])
    texts = [" ".join(sentences), *(" ".join(later[:i]) for i in range(1, 4))]
    for text in texts:
        item = engine.current_item()
        if item is None or item.dive_id != "delivery":
            break
        engine.answer(item, text)
        turn = engine.turn_for(item)
        if turn is None or turn.follow_up is None:
            continue
        answers = {a.prompt_id: a.text for a in engine.session.latest_answers("deep_dive").values()}
        graded = grade_step(engine.card, "deep_dive", answers, dives=["delivery"])
        explained = {g.point_id for g in graded.points if g.level == "explained"}
        assert turn.target not in explained
        if turn.follow_up_kind in ("named", "missing"):
            assert turn.target.startswith("delivery.")
        # The follow-up is what the engine asks next.
        following = engine.current_item()
        assert following is not None and following.text == turn.follow_up


def test_a_point_left_missing_is_asked_about_and_an_explained_one_is_not(chat_engine):
    chat_engine.choose_dives(_to(chat_engine, "choose_dives"), ["delivery"])
    item = chat_engine.current_item()
    chat_engine.answer(item, DELIVERY_SENTENCES[1])  # explains async persistence only
    graded = grade_step(chat_engine.card, "deep_dive", {"dive:delivery": DELIVERY_SENTENCES[1]}, dives=["delivery"])
    assert graded.point("delivery.async_persistence").level == "explained"  # the premise
    turn = chat_engine.turn_for(item)
    assert turn.follow_up_kind in ("missing", "named", "red_flag")
    assert turn.target != "delivery.async_persistence"
    assert turn.reaction.startswith("Good") and "written asynchronously" in turn.reaction


def test_a_red_flag_is_challenged_with_the_chapters_reason(chat_engine):
    chat_engine.choose_dives(_to(chat_engine, "choose_dives"), ["delivery"])
    item = chat_engine.current_item()
    chat_engine.answer(item, "Each client polls the server every second to check for new messages.")
    turn = chat_engine.turn_for(item)
    flag = next(f for f in chat_engine.card.red_flags if f.id == "polling_for_delivery")
    assert (turn.follow_up_kind, turn.target) == ("red_flag", "flag:polling_for_delivery")
    assert turn.follow_up == flag.challenge
    assert turn.reaction.startswith("I'd push back on") and "poll" in turn.reaction
    assert chat_engine.current_item().text == flag.challenge
    # Once challenged it is not challenged again.
    nxt = chat_engine.current_item()
    chat_engine.answer(nxt, "Fair point, I'd push over WebSockets instead.")
    assert chat_engine.turn_for(nxt).target != "flag:polling_for_delivery"


def test_step_two_ends_with_a_buy_in_that_plays_the_design_back(chat_engine):
    item = _to(chat_engine, "apis")
    chat_engine.answer(item, "POST /v1/messages - send\nGET /v1/sync?cursors={map} - catch up")
    components = "WebSockets to chat servers behind a load balancer; a Redis session registry; Cassandra stores messages."
    chat_engine.answer(chat_engine.current_item(), components)
    chat_engine.answer(chat_engine.current_item(), "")
    buy_in = chat_engine.current_item()
    assert buy_in.kind == "buy_in" and buy_in.step_id == "high_level"
    for part in ("chat server", "load balancer", "redis", "cassandra"):
        assert part in buy_in.text.lower()
    assert "2 APIs" in buy_in.text and "concerns" in buy_in.text
    chat_engine.answer(buy_in, "Yes, that's it - but I'm worried the registry lookup sits on every message.")
    b = chat_engine.session.buy_in
    assert b is not None and b.verdict == "concerns" and "registry lookup" in b.reply and b.summary == buy_in.text
    assert chat_engine.session.answer_for("high_level", "buy_in") is not None
    assert "concern" in chat_engine.turn_for(buy_in).reaction


def test_hint_targets_the_question_on_screen(chat_engine):
    clarify = chat_engine.current_item()
    assert clarify.kind == "clarify"
    chat_engine.ask_interviewer("Is this one-on-one or group chat?")
    hint = chat_engine.hint()
    assert hint.key_point_id.startswith("clarify.") and hint.key_point_id != "clarify.one_on_one_or_group"
    estimate = _to(chat_engine, "estimate")
    assert chat_engine.hint().key_point_id == f"estimate.{estimate.figure.name}"
    chat_engine.next_step()
    chat_engine.choose_dives(_to(chat_engine, "choose_dives"), ["delivery"])
    item = chat_engine.current_item()
    chat_engine.answer(item, DELIVERY_SENTENCES[1])
    follow = chat_engine.current_item()
    target = chat_engine.turn_for(item).target
    hint = chat_engine.hint()
    assert hint.key_point_id.startswith("delivery.")
    if target and target.startswith("delivery."):
        assert hint.key_point_id == target
    assert hint.key_point_id != "delivery.async_persistence"  # already explained
    assert follow.kind == "follow_up"


# ---------------------------------------------------------------- scripted runs and --json


def test_json_gives_each_question_its_reply_and_fact_and_records_the_buy_in(invoke, tmp_path):
    data = yaml.safe_load(invoke("practice", "--problem", "chat", "--template").output)
    data["steps"]["scope"]["clarify"] = ["Do we need search?", "What is the read/write ratio?", "Are the bubbles blue or green?"]
    data["steps"]["high_level"]["components"] = "WebSockets to chat servers; a Redis registry; Cassandra message store."
    data["steps"]["high_level"]["buy_in"] = "Yes, agreed."
    dive = {"answer": "Clients poll every second for new messages.", "follow_ups": ["", ""]}
    data["steps"]["deep_dive"]["deep_dives"] = {"delivery": dive}
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(data))
    out = json.loads(invoke("practice", "--answers", str(path), "--json").output)
    assert {"session_id", "problem", "score", "steps"} <= set(out)
    asked = [(c["question"], c["fact_id"], c["kind"]) for c in out["clarifications"]]
    assert asked == [
        ("Do we need search?", "search", "fact"),
        ("What is the read/write ratio?", "read_write_ratio", "fact"),
        ("Are the bubbles blue or green?", None, "irrelevant"),
    ]
    assert all(c["reply"] for c in out["clarifications"])
    assert out["buy_in"]["verdict"] == "agreed" and "chat server" in out["buy_in"]["summary"]
    dive_turn = next(t for t in out["interviewer"] if t["after"] == "dive:delivery")
    assert dive_turn["follow_up_kind"] == "red_flag" and dive_turn["reaction"]


def test_a_live_session_shows_reactions_and_asks_for_buy_in(invoke):
    from interview_coach.ui.ask import set_asker

    from .test_cli_practice import Asker

    asker = Asker(
        [
            "Are the bubbles blue or green?",
            "",
            "/next",  # straight to step 2
            "POST /v1/messages - send a message",
            "WebSockets to chat servers behind a load balancer; a Redis session registry; Cassandra stores messages.",
            "",
            "Yes, agreed.",
            KeyboardInterrupt(),
        ]
    )
    set_asker(asker)
    result = invoke("practice", "--problem", "chat")
    assert result.exit_code == 130
    assert "Interviewer: That doesn't matter for the design" in result.output
    buy_in = next(q for q in asker.asked if "play it back" in q)
    assert buy_in.startswith("Interviewer: ") and "load balancer" in buy_in
    assert "Interviewer: Great - we agree on the shape" in result.output

    from interview_coach.practice.store import load_session
    from interview_coach.storage.db import connect

    saved = load_session(connect(), "latest")
    assert saved.buy_in is not None and saved.buy_in.verdict == "agreed"
    assert [t.prompt_id for t in saved.turns] == ["apis", "components", "data_flow", "buy_in"]


def test_a_follow_up_never_takes_for_granted_what_was_not_said_nor_repeats_what_was():
    card = load_problem("chat")
    from interview_coach.practice.listening import choose_follow_up

    asked: list[str | None] = []
    texts = []
    answers = {"dive:media": "Photos and videos are stored in object storage and the message carries a link."}
    for n in range(1, 5):
        chosen = choose_follow_up(card, "media", answers, asked)
        asked.append(chosen.target)
        texts.append(chosen.text)
        answers[f"dive:media:follow_up:{n}"] = ""
    assert not any("presigned" in t.lower() for t in texts), texts  # never mentioned by the candidate
    delivery = {
        "dive:delivery": "Server A forwards the message to server B, which pushes it to Client B. "
        "B's device sends an ack, and server A marks the message delivered so the sender sees the tick. "
        "Cassandra is written asynchronously so the database never blocks delivery."
    }
    asked = []
    for _ in range(4):
        chosen = choose_follow_up(card, "delivery", delivery, asked)
        asked.append(chosen.target)
        assert chosen.text != "How does the sender know the message was delivered?"


@pytest.mark.parametrize("card_id", CARDS)
def test_every_deep_dive_point_has_a_probe_that_does_not_name_it(card_id):
    card = load_problem(card_id)
    for dive in card.deep_dives:
        for kp in dive.key_points:
            probe = card.probes[f"{dive.id}.{kp.id}"]
            assert probe.rstrip().endswith("?")
            # An open question: it does not read the point's own words back.
            assert kp.text.lower() not in probe.lower()


def test_a_missing_point_is_asked_with_its_probe(chat_engine):
    chat_engine.choose_dives(_to(chat_engine, "choose_dives"), ["media"])
    item = chat_engine.current_item()
    chat_engine.answer(item, "Photos go into object storage.")
    turn = chat_engine.turn_for(item)
    assert turn.follow_up_kind == "missing"
    assert turn.follow_up == chat_engine.card.probes[turn.target]


def test_a_compound_question_gets_both_facts(interviewers):
    reply = interviewers["chat"].reply("How many people use it every day, and how many messages does each of them send?")
    assert {reply.matched_id, *reply.also} == {"scale", "message_volume"}
    assert "50 million" in reply.text and "100 messages" in reply.text
    # A single question does not get a second fact tacked on.
    assert interviewers["chat"].reply("What's the largest group we need to handle?").also == ()
