"""The built-in content: every file loads through the one loader, and the framework and the chat
reference card carry what the chapter says (steps and timings, trade-offs, pitfalls, checklist,
the chat interview's answers, APIs, schema, deep dives and trade-offs)."""

from __future__ import annotations

import re

import pytest

from interview_coach.content.loader import load_framework, load_problem, load_problems
from interview_coach.content.models import Framework, KeyPoint, ProblemCard
from interview_coach.content.validate import builtin_content_paths, validate_paths

# ---------------------------------------------------------------- every file


def test_all_builtin_content_validates():
    assert validate_paths(builtin_content_paths()) == []


def test_every_builtin_problem_loads():
    cards = load_problems()
    assert "chat" in {c.id for c in cards}


@pytest.fixture(scope="module")
def fw() -> Framework:
    return load_framework()


@pytest.fixture(scope="module")
def chat() -> ProblemCard:
    return load_problem("chat")


def _all_keywords(fw: Framework, card: ProblemCard) -> list[str]:
    words = [k for s in fw.steps for item in s.rubric for k in item.keywords]
    words += [k for q in card.clarifying_questions for k in q.keywords]
    words += [k for points in card.key_points.values() for p in points for k in p.keywords]
    words += [k for d in card.deep_dives for p in d.key_points for k in p.keywords]
    words += [k for t in card.tradeoffs for k in t.keywords]
    return words


def test_keywords_are_lower_case_and_not_blank(fw, chat):
    for word in _all_keywords(fw, chat):
        assert word == word.lower(), word
        assert word.strip(), repr(word)


# ---------------------------------------------------------------- the framework


def test_framework_steps_and_timings(fw):
    assert fw.id == "four_step"
    assert fw.total_minutes == (45, 60)
    got = [(s.id, s.number, s.min_minutes, s.max_minutes) for s in fw.steps]
    assert got == [
        ("scope", 1, 5, 10),
        ("high_level", 2, 10, 15),
        ("deep_dive", 3, 15, 25),
        ("wrap_up", 4, 5, 5),
    ]
    for step in fw.steps:
        assert step.goal and step.key_actions and step.good_looks_like
        assert step.section.startswith(f"Step {step.number}: ")


def test_framework_prompts(fw):
    def prompts(step_id):
        return {p.id: p.kind for p in fw.step(step_id).prompts}

    scope = prompts("scope")
    assert scope["clarify"] == "clarify"
    assert scope["estimates"] == "estimates"
    assert {"functional", "non_functional", "scale", "out_of_scope"} <= set(scope)
    high = prompts("high_level")
    assert high["apis"] == "apis"
    assert {"components", "data_flow"} <= set(high)
    assert prompts("deep_dive") == {"deep_dives": "deep_dives"}
    assert set(prompts("wrap_up")) == {"bottlenecks", "spof", "tradeoffs", "improvements"}


def test_framework_rubric_items_name_a_section_and_a_competency(fw):
    competencies = {c.id for c in fw.competencies}
    for step in fw.steps:
        assert len(step.rubric) >= 4, step.id
        ids = [item.id for item in step.rubric]
        assert len(ids) == len(set(ids)), step.id
        for item in step.rubric:
            assert item.section, item.id
            assert item.competency in competencies, item.id
            assert len(item.keywords) >= 5, f"{item.id}: keyword lists should be generous"


def test_framework_categories(fw):
    assert [c.id for c in fw.clarifying_categories] == ["functional", "non_functional", "scale", "out_of_scope"]
    assert {t.id for t in fw.deep_dive_topics} >= {
        "database_selection",
        "scaling_and_partitioning",
        "caching_strategy",
        "realtime_communication",
        "system_resilience",
    }
    assert len(fw.wrap_up_focus) == 3


def test_framework_tradeoff_matrices(fw):
    matrices = {m.id: m for m in fw.tradeoffs}
    assert set(matrices) == {"caching_write_policy", "consistency_vs_availability"}

    cache = [o.name.lower() for o in matrices["caching_write_policy"].options]
    assert len(cache) == 2 and "write-through" in cache[0] and "write-back" in cache[1]
    write_back = matrices["caching_write_policy"].options[1]
    assert "logging" in write_back.best_for.lower()
    assert "lost" in write_back.disadvantages.lower()

    cp, ap = matrices["consistency_vs_availability"].options
    assert cp.name.startswith("CP") and ap.name.startswith("AP")
    assert "banking" in cp.best_for.lower() and "payment ledgers" in cp.best_for.lower()
    for example in ("social media feeds", "chat", "comments"):
        assert example in ap.best_for.lower()


def test_framework_pitfalls_and_checklist(fw):
    assert [p.id for p in fw.pitfalls] == ["jumping_into_drawing", "buzzwords", "silent_designing", "defending_blindly"]
    assert "30 seconds" in fw.pitfalls[2].description
    assert len(fw.checklist) == 5
    checklist = " ".join(c.question.lower() for c in fw.checklist)
    for topic in ("non-functional", "clarifying questions", "schema", "qps, storage, bandwidth", "consistent hashing"):
        assert topic in checklist


def test_framework_competencies(fw):
    assert {c.id for c in fw.competencies} == {
        "problem_navigation",
        "solution_design",
        "technical_excellence",
        "communication",
    }
    for comp in fw.competencies:
        assert set(comp.levels) == {"mid", "senior", "staff"}
        assert len(set(comp.levels.values())) == 3, f"{comp.id}: each level says something different"
        for text in comp.levels.values():
            assert len(text) > 60


# ---------------------------------------------------------------- the chat reference card


def test_chat_card_identity(chat):
    assert chat.reference is True
    assert {"whatsapp", "slack", "messenger"} <= set(chat.aliases)
    assert load_problem("whatsapp").id == "chat"
    assert load_problem("Slack").id == "chat"


def _answer(card: ProblemCard, qid: str) -> str:
    return next(q.answer for q in card.clarifying_questions if q.id == qid).lower()


def test_chat_clarifying_questions_answered_as_in_the_chapter(chat):
    categories = {q.category for q in chat.clarifying_questions}
    assert categories == {"functional", "non_functional", "scale", "out_of_scope"}
    assert "one-on-one" in _answer(chat, "one_on_one_or_group") and "group" in _answer(chat, "one_on_one_or_group")
    assert "text" in _answer(chat, "media_or_text") and "metadata" in _answer(chat, "media_or_text")
    assert "permanently" in _answer(chat, "message_retention") and "devices" in _answer(chat, "message_retention")
    scale = _answer(chat, "scale")
    assert "50 million" in scale and "100 messages" in scale
    assert "10%" in _answer(chat, "concurrency")
    assert "twice" in _answer(chat, "peak_traffic")
    assert "100 bytes" in _answer(chat, "message_size")
    assert "availability" in _answer(chat, "consistency_vs_availability")
    assert "real time" in _answer(chat, "latency")


def test_chat_estimation_preset(chat):
    assert chat.estimation.inputs == {
        "dau": "50M",
        "writes_per_user": 100,
        "reads_per_write": 1,
        "item_size": "100B",
        "peak_factor": 2,
        "years": 5,
        "online_fraction": "10%",
    }
    assert chat.estimation.stated == {
        "daily_writes": 5_000_000_000,
        "avg_write_qps": 57_870,
        "peak_write_qps": 115_741,
        "storage_per_day_bytes": 500_000_000_000,
        "storage_total_bytes": 912_500_000_000_000,
        "concurrent_connections": 5_000_000,
    }
    # The stated figures are the arithmetic of the inputs (86,400 s a day, 365-day years).
    stated = chat.estimation.stated
    assert stated["avg_write_qps"] == round(5e9 / 86_400)
    assert stated["peak_write_qps"] == round(2 * 5e9 / 86_400)
    assert stated["storage_total_bytes"] == 5e9 * 100 * 365 * 5
    assert chat.estimation.notes


def test_chat_apis(chat):
    apis = {(a.method, a.path.split("?")[0]) for a in chat.apis}
    assert {
        ("POST", "/v1/messages"),
        ("GET", "/v1/conversations"),
        ("GET", "/v1/sync"),
        ("GET", "/v1/channels/{id}/messages"),
        ("WS", "/v1/ws"),
        ("POST", "/v1/media/uploads"),
    } <= apis
    paths = {a.path for a in chat.apis}
    assert "/v1/conversations?limit={limit}&cursor={cursor}" in paths
    assert "/v1/sync?cursors={channel_id_map}" in paths


def test_chat_components_and_flows(chat):
    ids = {c.id for c in chat.components}
    assert {"LB", "Redis", "Cassandra", "Kafka", "FanoutWorkers", "GroupService", "PushService", "ObjectStore", "CDN"} <= ids
    flows = {f.id: f for f in chat.flows}
    assert {"connect", "delivery", "offline", "group_fanout", "sync", "media_upload"} <= set(flows)

    hops = [(s.source, s.target) for s in flows["delivery"].steps]
    path = ["ClientA", "ChatServerA", "Redis", "ChatServerB", "ClientB"]
    # A -> server A -> registry -> server B -> B, in that order
    positions = [next(i for i, (a, b) in enumerate(hops) if b == node) for node in path[1:]]
    assert positions == sorted(positions)
    assert ("ClientB", "ChatServerB") in hops  # the recipient's ack
    # Durable before ack: the sender's ack comes after the write returns, delivery does not wait.
    write = hops.index(("ChatServerA", "Cassandra"))
    ack = next(i for i, s in enumerate(flows["delivery"].steps) if s.target == "ClientA" and "ack" in s.message)
    assert hops.index(("Cassandra", "ChatServerA")) < ack
    assert write < hops.index(("ChatServerB", "ClientB")) and write < ack

    offline = [(s.source, s.target, s.message.lower()) for s in flows["offline"].steps]
    assert any(a == "Redis" and "null" in m for a, _, m in offline)
    assert any(b == "PushService" for _, b, _ in offline)
    assert all("ChatServerB" not in (a, b) for a, b, _ in offline)


def test_chat_schema_is_the_chapters_cql_with_snowflake_ids(chat):
    schema = chat.schema_
    assert schema is not None and schema.language == "cql"
    expected = """CREATE TABLE messages (
    channel_id text,
    message_id bigint,
    sender_id text,
    content text,
    status text,
    PRIMARY KEY (channel_id, message_id)
) WITH CLUSTERING ORDER BY (message_id DESC);"""
    assert schema.definition.strip() == expected


def test_chat_key_points_per_step(chat):
    assert set(chat.key_points) == {"scope", "high_level", "wrap_up"}
    # The chapter's candidate: three questions and the estimates in step 1, APIs, WebSockets and the
    # connection flow in step 2, five trade-offs in step 4.
    assert {s: len(p) for s, p in chat.key_points.items()} == {"scope": 10, "high_level": 4, "wrap_up": 5}
    for points in chat.key_points.values():
        assert all(p.section for p in points)
    assert {p.tradeoff for p in chat.key_points["wrap_up"]} == {t.id for t in chat.tradeoffs}


DEEP_DIVES = [
    "delivery",
    "offline",
    "scaling_stateful_tier",
    "database_and_key",
    "group_fanout",
    "typing",
    "ordering",
    "media",
    "sync",
]


def test_chat_deep_dives(chat):
    assert [d.id for d in chat.deep_dives] == DEEP_DIVES
    for dive in chat.deep_dives:
        assert dive.question.strip().endswith("?"), dive.id
        assert len(dive.key_points) >= 2, dive.id
        assert len(dive.follow_ups) >= 3, dive.id
        assert all(isinstance(p, KeyPoint) and p.section and p.keywords for p in dive.key_points)
        assert all(f.strip().endswith("?") for f in dive.follow_ups), dive.id
    assert "What happens if Client B is offline?" in chat.deep_dive("delivery").follow_ups


@pytest.mark.parametrize(
    ("dive", "facts"),
    [
        ("scaling_stateful_tier", ["sticky", "round-robin", "metrics"]),
        ("database_and_key", ["lsm", "commit log", "channel_id", "message_id"]),
        ("group_fanout", ["kafka", "pipelined batch", "4,000", "10,000"]),
        ("typing", ["group:group_xyz:typing", "entering_room", "5 s", "6 s"]),
        ("ordering", ["incr", "snowflake", "15 ms", "catches up"]),
        ("media", ["25 mb", "5 mb", "presigned", "cdn", "head-of-line"]),
        ("sync", ["/v1/sync", "message_id > y", "per channel"]),
    ],
)
def test_chat_deep_dives_carry_the_chapters_facts(chat, dive, facts):
    text = " ".join(p.text for p in chat.deep_dive(dive).key_points).lower()
    for fact in facts:
        assert fact in text, f"{dive}: {fact}"


def test_chat_tradeoffs(chat):
    assert [t.id for t in chat.tradeoffs] == [
        "ap_over_cp",
        "snowflake_vs_counters",
        "media_pipeline_complexity",
        "stateful_draining",
        "pubsub_durability",
    ]
    for t in chat.tradeoffs:
        assert t.choice and t.benefit and t.cost and len(t.keywords) >= 5
    assert "120,000" in chat.tradeoffs[0].choice
    assert "1,024" in chat.tradeoffs[1].choice
    assert "10-15 minutes" in chat.tradeoffs[3].cost
    assert "fire-and-forget" in chat.tradeoffs[4].cost


def test_chat_numbers_in_scale(chat):
    text = " ".join(chat.scale)
    for figure in ("50M", "5 billion", "86,400", "120,000", "500 GB", "900 TB", "48 Mbps", "96 Mbps", "5 million"):
        assert figure in text, figure
    assert re.search(r"100 bytes", text)


def test_chat_flow_hops_follow_component_connections(chat):
    # The architecture diagram is drawn from connects_to; every hop of a sequence should be on it.
    edges = {(c.id, t) for c in chat.components for t in c.connects_to}
    loose = [
        (flow.id, s.source, s.target)
        for flow in chat.flows
        for s in flow.steps
        if (s.source, s.target) not in edges and (s.target, s.source) not in edges
    ]
    assert loose == []
