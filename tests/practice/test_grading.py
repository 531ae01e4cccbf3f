"""Grading by evidence: word-stem matching, explained / named / missing / contradicted, red flags,
estimates by factor, dives graded on their own text and template words stripped."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interview_coach.content.loader import load_problem
from interview_coach.practice.grading import LEVELS, card_points, grade_field, grade_step
from interview_coach.practice.phrases import Tokens, find


@pytest.fixture(scope="module")
def chat():
    return load_problem("chat")


# ---------------------------------------------------------------- matching words


@pytest.mark.parametrize(
    "phrase, text",
    [
        ("retry", "the client retried the send"),
        ("retry", "retries are safe"),
        ("drain*", "we drain the server"),
        ("websocket*", "clients hold WebSockets"),
        ("idempot*", "an idempotency key"),
        ("store ~ permanently", "we store every message permanently"),
        ("/v1/sync", "GET /v1/sync?cursors=..."),
        ("do not store", "we don't store them"),
    ],
)
def test_phrases_match_word_forms(phrase, text):
    assert find(phrase, Tokens.of(text))


@pytest.mark.parametrize(
    "phrase, text",
    [
        ("write-through", "high write throughput"),
        ("drain*", "it falls back gracefully"),
        ("ap", "a happy path"),
        ("store ~ permanently", "store it in a cache and delete it later, never permanently"),
    ],
)
def test_phrases_never_match_across_or_inside_words(phrase, text):
    assert not find(phrase, Tokens.of(text))


# ---------------------------------------------------------------- levels


def _level(chat, step, field, text, point):
    return grade_step(chat, step, {field: text}).point(point)


def test_a_concept_with_its_reason_is_explained_and_quoted(chat):
    text = "Clients keep one WebSocket open, because HTTP polling at five million users would flood the servers with requests."
    g = _level(chat, "high_level", "components", text, "card.websockets_not_polling")
    assert g.level == "explained" and g.sentence == text and g.concept and g.cue


def test_a_bare_mention_is_named_with_advice(chat):
    g = _level(chat, "high_level", "components", "websockets, redis, cassandra", "card.websockets_not_polling")
    assert g.level == "named" and g.credit < 0.5 and g.advice


def test_a_negated_concept_is_contradicted(chat):
    g = _level(chat, "high_level", "components", "We will not use WebSockets here.", "card.websockets_not_polling")
    assert g.level == "contradicted" and g.credit == 0


def test_writing_to_the_database_first_contradicts_async_persistence(chat):
    g = _level(
        chat,
        "deep_dive",
        "dive:delivery",
        "I do write it to the database first, then forward it to server B.",
        "delivery.async_persistence",
    )
    assert g.level == "contradicted"
    hit = grade_step(
        chat, "deep_dive", {"dive:delivery": "I do write it to the database first, then forward it to server B."}
    ).red_flags
    assert [h.flag_id for h in hit] == ["db_write_before_delivery"]


def test_a_sentence_explains_only_a_few_points(chat):
    text = (
        "Because it is fast we use snowflake ids and fire-and-forget pub/sub and draining "
        "and presigned urls and eventual consistency."
    )
    g = grade_step(chat, "wrap_up", {"tradeoffs": text})
    assert sum(1 for p in g.points if p.level == "explained") <= 2


def test_dive_points_are_graded_only_on_their_own_dive(chat):
    text = "Cassandra's LSM tree turns random writes into sequential appends, so writes stay fast."
    in_other = grade_step(chat, "deep_dive", {"dive:delivery": text, "dive:database_and_key": "Cassandra."})
    assert in_other.point("database_and_key.lsm_write_throughput").level == "missing"
    own = grade_step(chat, "deep_dive", {"dive:database_and_key": text})
    assert own.point("database_and_key.lsm_write_throughput").level == "explained"
    assert {p.point_id.split(".")[0] for p in grade_field(chat, "deep_dive", "dive:delivery", text).points} == {"delivery"}


def test_template_labels_earn_nothing(chat):
    labels = "Storage over the retention: Storage per day: Concurrent connections: Peak write QPS:"
    g = grade_step(chat, "scope", {"scale": labels})
    assert all(p.level == "missing" for p in g.points)


def test_questions_count_only_when_asked_as_questions(chat):
    asked = grade_step(chat, "scope", {"clarify": "Is this chat one-on-one, or do we need group chats too?"})
    assert asked.point("card.asks_one_on_one_or_group").level == "explained"
    listed = grade_step(chat, "scope", {"clarify": "one-on-one, group"})
    assert listed.point("card.asks_one_on_one_or_group").level != "explained"


@pytest.mark.parametrize(("typed", "level"), [("120K", "explained"), ("200K", "explained"), ("600K", "named"), ("5M", "missing")])
def test_estimates_are_graded_by_factor(chat, typed, level):
    g = grade_step(chat, "scope", {}, estimates={"peak_write_qps": typed})
    assert g.point("card.peak_write_rate").level == level


def test_an_estimate_in_prose_counts_too(chat):
    g = grade_step(chat, "scope", {"scale": "That gives about 60,000 writes per second on average."})
    assert g.point("card.average_write_rate").level == "explained"


# ---------------------------------------------------------------- red flags


@pytest.mark.parametrize(
    ("field", "text", "flag"),
    [
        ("components", "Clients poll the server every second for new messages.", "polling_for_delivery"),
        ("components", "Typing events are stored in Cassandra with the messages.", "storing_typing_events"),
        ("components", "Photos are sent over the WebSocket like text.", "media_through_websocket"),
        ("components", "We order messages by the server timestamp.", "wall_clock_ordering"),
    ],
)
def test_red_flags_are_found(chat, field, text, flag):
    assert flag in [h.flag_id for h in grade_step(chat, "high_level", {field: text}).red_flags]


@pytest.mark.parametrize(
    "text",
    [
        "Polling every second would put too much load on the servers, so clients keep a WebSocket.",
        "Typing events are never stored; they are fire-and-forget.",
        "No, pushing raw photos over the WebSocket is an anti-pattern.",
        "Relying on server wall-clock times to order messages is risky because clocks drift.",
        "polling, every second, new messages, redis",  # a list of terms is not a claim
    ],
)
def test_red_flags_are_not_found_when_rejected(chat, text):
    assert grade_step(chat, "high_level", {"components": text}).red_flags == []


def test_a_red_flag_costs_points_and_carries_the_reason(chat):
    good = "Clients keep one WebSocket open because polling would flood the servers."
    clean = grade_step(chat, "high_level", {"components": good})
    flagged = grade_step(
        chat, "high_level", {"components": good + " Clients also poll the server every second for new messages."}
    )
    assert flagged.coverage < clean.coverage
    assert flagged.red_flags[0].reason and flagged.red_flags[0].sentence.startswith("Clients also poll")


# ---------------------------------------------------------------- invariants

words = st.sampled_from(
    [
        "the",
        "a",
        "we",
        "so",
        "because",
        "and",
        "websocket",
        "cassandra",
        "lsm",
        "polling",
        "redis",
        "kafka",
        "snowflake",
        "cdn",
        "presigned",
        "drain",
        "typing",
        "store",
        "not",
        "never",
        "server",
        "client",
        "message",
        "write",
        "read",
        "fast",
        "slow",
        "queue",
        "cursor",
        "sync",
        "60K",
        "5M",
        ",",
        ".",
        ";",
        "-",
    ]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(words, max_size=40))
def test_grading_never_fails_and_levels_are_known(text_words):
    chat = load_problem("chat")
    text = " ".join(text_words)
    for step, field in (
        ("high_level", "components"),
        ("deep_dive", "dive:delivery"),
        ("wrap_up", "tradeoffs"),
        ("scope", "clarify"),
    ):
        g = grade_step(chat, step, {field: text})
        assert all(p.level in LEVELS for p in g.points)
        assert 0.0 <= g.coverage <= 1.0


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_comma_list_of_the_card_terms_explains_nothing(data):
    chat = load_problem("chat")
    for step, dive in (("high_level", None), ("wrap_up", None), ("deep_dive", "database_and_key"), ("deep_dive", "media")):
        points = card_points(chat, step, [dive] if dive else None)
        terms = [
            t
            for p in points
            for t in [*p.point.keywords, *p.point.phrasings, *p.point.cues]
            if "~" not in t and "*" not in t and "@" not in t
        ]
        chosen = data.draw(st.lists(st.sampled_from(terms), min_size=1, max_size=12))
        field = f"dive:{dive}" if dive else ("components" if step == "high_level" else "tradeoffs")
        g = grade_step(chat, step, {field: ", ".join(chosen)})
        assert [p.point_id for p in g.points if p.level == "explained"] == []


def test_blank_answers_grade_missing(chat):
    for step in ("scope", "high_level", "deep_dive", "wrap_up"):
        g = grade_step(chat, step, {"x": "   "}, dives=[d.id for d in chat.deep_dives])
        assert g.points and all(p.level == "missing" for p in g.points) and g.coverage == 0


# ---------------------------------------------------------------- plain words, hypotheticals, empty reasons


@pytest.mark.parametrize(
    "phrase, text",
    [
        ("key* ~ by ~ @conv", "I key the table by conversation"),
        ("key* ~ by ~ @conv", "rows are keyed by channel"),
        ("@clock ~ go* back*", "if the clock of the machine goes back"),
        ("@big ~ @socket ~ would ~ @slow", "megabytes down the same socket as chat would stall"),
    ],
)
def test_concept_classes_match_any_word_of_the_class(phrase, text):
    assert find(phrase, Tokens.of(text))


def test_an_unknown_concept_class_is_reported():
    with pytest.raises(ValueError, match="unknown concept class"):
        find("@nonesuch ~ key", Tokens.of("a key"))


def _graded(chat, step, field, point, text):
    fg = grade_field(chat, step, field, text)
    return next(p for p in fg.points if p.point_id.endswith("." + point)).level, [f.flag_id for f in fg.red_flags]


@pytest.mark.parametrize(
    "field, point, text",
    [
        (
            "dive:database_and_key",
            "partition_by_channel",
            "I key the table by conversation so that everything in one chat is stored on the same replicas.",
        ),
        (
            "dive:database_and_key",
            "partition_by_channel",
            "We hash the channel id to pick the nodes, which keeps all messages of a chat on the same machines.",
        ),
        (
            "dive:database_and_key",
            "cluster_by_message_id",
            "Inside each chat the rows are sorted by their id, so fetching the last fifty messages is a single sequential read.",
        ),
        (
            "dive:database_and_key",
            "horizontal_scaling_no_spof",
            "Capacity grows as machines join, and there is no leader whose failure stops writes.",
        ),
        (
            "dive:delivery",
            "async_persistence",
            "Storage happens on a separate path from delivery so the socket server never waits on a disk.",
        ),
        (
            "dive:ordering",
            "clock_drift",
            "Each server's clock is a little off from the others, so server timestamps could show a reply above its question.",
        ),
        (
            "dive:media",
            "not_over_websocket",
            "Pushing a large video through the chat connection would block the text messages behind it, "
            "so files take a different route.",
        ),
        (
            "dive:media",
            "metadata_message",
            "When the upload finishes the client sends an ordinary chat message that only carries the file's storage key.",
        ),
        ("dive:media", "presigned_handshake", "The API returns a short-lived signed upload URL."),
    ],
)
def test_plain_word_explanations_are_explained(chat, field, point, text):
    assert _graded(chat, "deep_dive", field, point, text)[0] == "explained"


@pytest.mark.parametrize(
    "point, text",
    [
        ("ap_over_cp", "Choosing availability means two devices can briefly disagree."),
        ("snowflake_vs_counters", "Time-based ids need no central service but rely on clocks staying close."),
        ("media_pipeline_complexity", "Keeping bytes out of the chat servers adds an upload step but protects their memory."),
        ("pubsub_durability", "Typing indicators are best effort so losing one is harmless."),
    ],
)
def test_a_trade_off_in_plain_words_is_explained(chat, point, text):
    assert _graded(chat, "wrap_up", "tradeoffs", point, text)[0] == "explained"


@pytest.mark.parametrize(
    "field, text",
    [
        (
            "dive:media",
            "Sending megabytes down the same socket as chat would stall every small message queued behind it, "
            "so media goes another way.",
        ),
        ("dive:media", "If we sent images through the socket, text would wait behind them."),
        ("dive:delivery", "Writing to the database before delivering would add its latency to every message, so we do not."),
        (
            "dive:typing",
            "Typing indicators are throwaway, so I would never write them to Cassandra, "
            "because they would load the databases for nothing.",
        ),
        ("dive:sync", "One global cursor would miss messages across partitions."),
        (
            "dive:scaling_stateful_tier",
            "New sockets go to the server with the fewest connections, because round-robin would leave old servers overloaded.",
        ),
    ],
)
def test_a_hypothetical_or_rejected_misconception_is_no_red_flag(chat, field, text):
    assert grade_field(chat, "deep_dive", field, text).red_flags == []


def test_a_rejection_does_not_hide_the_opposite_point(chat):
    level, flags = _graded(
        chat, "deep_dive", "dive:media", "not_over_websocket",
        "Sending megabytes down the same socket as chat would stall every small message queued behind it, "
            "so media goes another way.",
    )  # fmt: skip
    assert (level, flags) == ("explained", [])


def test_an_asserted_misconception_is_still_a_red_flag(chat):
    assert [
        f.flag_id for f in grade_field(chat, "deep_dive", "dive:media", "We send the photo bytes over the WebSocket.").red_flags
    ] == ["media_through_websocket"]


def test_does_not_need_is_praise_not_rejection(chat):
    text = "Ids generated in each server don't need a central service, but they have holes in the numbers."
    assert _graded(chat, "wrap_up", "tradeoffs", "snowflake_vs_counters", text)[0] == "explained"


@pytest.mark.parametrize(
    "field, point, text",
    [
        ("dive:media", "metadata_message", "We send metadata because it is small."),
        ("dive:delivery", "async_persistence", "Persistence is asynchronous because it is scalable."),
        ("dive:media", "cdn_delivery", "We use a CDN because it is fast."),
    ],
)
def test_a_reason_of_generic_praise_explains_nothing(chat, field, point, text):
    assert _graded(chat, "deep_dive", field, point, text)[0] == "named"


def test_words_a_phrase_gap_skips_are_the_candidates_own_reason(chat):
    # "cannot ~ order ~ @clock" matches across "be trusted for" and "because their": those
    # skipped words are the candidate's, so "trusted" still counts as the reason.
    text = "Timestamps from different servers cannot be trusted for order because their clocks drift apart."
    assert _graded(chat, "deep_dive", "dive:ordering", "clock_drift", text)[0] == "explained"


@pytest.mark.parametrize(
    "field, point, text",
    [
        ("dive:media", "not_over_websocket", "Photos should not go through the WebSocket, or a big upload would block text."),
        ("dive:delivery", "async_persistence", "The database write is kept off this path so slow storage cannot delay delivery."),
    ],
)
def test_plain_word_phrasings_are_explained(chat, field, point, text):
    assert _graded(chat, "deep_dive", field, point, text)[0] == "explained"
