"""The six classic problem cards beside the chat reference: each loads through the one loader,
is complete enough to run an interview from, and its quoted numbers are the calculator's."""

from __future__ import annotations

from pathlib import Path

import pytest

from interview_coach.content.loader import load_problem, load_problems, problem_paths
from interview_coach.content.models import ProblemCard
from interview_coach.content.validate import validate_paths
from interview_coach.paths import data_dir

CARD_IDS = [
    "url_shortener", "news_feed", "rate_limiter", "notification_system", "web_crawler", "typeahead",
    "file_storage", "kv_store", "video_streaming", "photo_sharing", "ride_hailing",
]
CATEGORIES = {"functional", "non_functional", "scale", "out_of_scope"}
STEP_SECTIONS = {
    "scope": "Step 1: Understand the Problem & Scope",
    "high_level": "Step 2: Propose High-Level Design",
    "wrap_up": "Step 4: Wrap Up",
}


def _path(card_id: str) -> Path:
    return data_dir("frameworks") / "problems" / f"{card_id}.yaml"


@pytest.fixture(params=CARD_IDS)
def card(request) -> ProblemCard:
    return load_problem(request.param)


def _keywords(card: ProblemCard) -> list[str]:
    words = [k for q in card.clarifying_questions for k in q.keywords]
    words += [k for points in card.key_points.values() for p in points for k in p.keywords]
    words += [k for d in card.deep_dives for p in d.key_points for k in p.keywords]
    words += [k for t in card.tradeoffs for k in t.keywords]
    return words


# ---------------------------------------------------------------- loading


@pytest.mark.parametrize("card_id", CARD_IDS)
def test_card_validates_with_no_problems(card_id):
    assert validate_paths([_path(card_id)]) == []


@pytest.mark.parametrize("card_id", CARD_IDS)
def test_card_id_matches_its_file_name(card_id):
    assert problem_paths()[card_id] == _path(card_id)
    assert load_problem(card_id).id == card_id


def test_all_six_are_listed_beside_the_others():
    assert set(CARD_IDS) <= {c.id for c in load_problems()}


def test_aliases_resolve_to_their_own_card_and_never_clash():
    owners: dict[str, str] = {}
    for other in load_problems():
        for alias in other.aliases:
            assert alias.lower() not in owners, f"{alias!r} is an alias of {owners.get(alias.lower())} and {other.id}"
            owners[alias.lower()] = other.id
    for card_id in CARD_IDS:
        card = load_problem(card_id)
        assert card.aliases, card_id
        for alias in card.aliases:
            assert load_problem(alias).id == card_id, alias


# ---------------------------------------------------------------- step 1: scope


def test_card_is_not_the_reference_and_has_its_prompt(card):
    assert card.reference is False
    assert card.prompt.startswith("Design ")
    assert len(card.summary) > 150


def test_clarifying_questions_cover_every_category(card):
    assert len(card.clarifying_questions) >= 4
    assert {q.category for q in card.clarifying_questions} == CATEGORIES
    for q in card.clarifying_questions:
        assert q.question.strip().endswith("?"), q.id
        assert len(q.keywords) >= 3, q.id
        assert len(q.answer) > 20, q.id


def test_requirements_and_scale(card):
    req = card.requirements
    assert len(req.functional) >= 3 and len(req.non_functional) >= 3 and len(req.out_of_scope) >= 2
    assert len(card.scale) >= 4


def test_keywords_are_lower_case_and_not_blank(card):
    for word in _keywords(card):
        assert word == word.lower(), word
        assert word.strip(), repr(word)


# ---------------------------------------------------------------- step 2: high level


def test_apis_components_and_schema(card):
    assert len(card.apis) >= 3
    assert len(card.components) >= 5
    kinds = {c.kind for c in card.components}
    assert "store" in kinds or "cache" in kinds
    assert card.schema_ is not None and card.schema_.definition.strip()


def test_every_flow_names_known_components_and_follows_their_connections(card):
    # The architecture diagram is drawn from connects_to; a sequence walks along it, replies too.
    # A component may note work it does on its own (a self-message).
    ids = {c.id for c in card.components}
    edges = {(c.id, t) for c in card.components for t in c.connects_to}
    edges |= {(b, a) for a, b in edges}
    loose = []
    for flow in card.flows:
        for step in flow.steps:
            assert step.source in ids and step.target in ids, (flow.id, step.source, step.target)
            if (step.source, step.target) not in edges and step.source != step.target:
                loose.append((flow.id, step.source, step.target))
    assert loose == []


def test_every_component_takes_part(card):
    # Nothing on the diagram is decoration: each component is linked to another one.
    linked = {c.id for c in card.components if c.connects_to}
    linked |= {t for c in card.components for t in c.connects_to}
    assert {c.id for c in card.components} == linked


# ---------------------------------------------------------------- key points, deep dives, trade-offs


def test_key_points_for_scope_high_level_and_wrap_up(card):
    assert set(card.key_points) == set(STEP_SECTIONS)
    for step, points in card.key_points.items():
        assert len(points) >= 2, step
        for point in points:
            assert point.section == STEP_SECTIONS[step], point.id
            assert len(point.keywords) >= 4, f"{point.id}: keyword lists should be generous"


def test_deep_dives_have_key_points_and_follow_ups(card):
    assert len(card.deep_dives) >= 3
    for dive in card.deep_dives:
        assert dive.question.strip().endswith("?"), dive.id
        assert dive.section == "Step 3: Design Deep Dive", dive.id
        assert len(dive.key_points) >= 2, dive.id
        assert len(dive.follow_ups) >= 1, dive.id
        assert all(f.strip().endswith("?") for f in dive.follow_ups), dive.id
    assert sum(len(d.follow_ups) >= 2 for d in card.deep_dives) >= 2


def test_tradeoffs(card):
    assert len(card.tradeoffs) >= 3
    for t in card.tradeoffs:
        assert t.choice and t.benefit and t.cost, t.id
        assert len(t.keywords) >= 4, t.id


# ---------------------------------------------------------------- estimation


def test_estimation_inputs_run_through_the_calculator_and_stated_numbers_agree(card):
    calculator = pytest.importorskip("interview_coach.estimation.calculator")
    inputs = calculator.parse_inputs(dict(card.estimation.inputs), source=card.id)
    results = calculator.calculate(inputs).results
    stated = card.estimation.stated
    assert {"daily_writes", "avg_write_qps", "peak_write_qps"} <= set(stated)
    for name, value in stated.items():
        assert name in results, f"{card.id}: the inputs do not give {name}"
        exact = results[name].value
        assert value == pytest.approx(exact, rel=0.01), f"{card.id}: {name} states {value:,} but the inputs give {exact:,}"


def test_estimation_notes_state_the_assumptions(card):
    assert len(card.estimation.notes) >= 3
    assert all(len(n) > 30 for n in card.estimation.notes)
