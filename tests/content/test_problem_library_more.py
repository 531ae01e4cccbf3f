"""Four more cards at the chat card's depth - ticket booking, top-K, unique ids and Pastebin -
held to the same bar as the others (the shared checks of test_problem_library run on them here),
with their own held-out questions, worked figures and red-flag sentences."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml
from test_problem_library import (  # the shared checks, run here on these cards' fixture
    DEEP_BAR,
    _flags,
    parts,
    test_apis_components_and_flows_draw_a_connected_architecture,
    test_deep_dives_have_points_with_phrasings_and_follow_ups,
    test_every_deep_dive_point_has_a_probe_that_does_not_name_it,
    test_every_step_has_a_reference_answer,
    test_interviewer_facts_cover_every_category_and_each_is_askable_several_ways,
    test_sources_are_cited,
    test_stated_figures_are_the_calculators_within_one_percent,
    test_step_points_include_estimates_the_calculator_can_grade,
    test_the_interviewer_finds_each_fact_from_every_authored_wording,
    test_tradeoffs_say_what_is_gained_and_what_it_costs,
)

from interview_coach.content.loader import load_problem
from interview_coach.content.models import ProblemCard
from interview_coach.estimation.calculator import calculate, parse_inputs

MORE_CARDS = ["ticket_booking", "top_k", "unique_id", "pastebin"]

__all__ = [
    "test_apis_components_and_flows_draw_a_connected_architecture",
    "test_deep_dives_have_points_with_phrasings_and_follow_ups",
    "test_every_deep_dive_point_has_a_probe_that_does_not_name_it",
    "test_every_step_has_a_reference_answer",
    "test_interviewer_facts_cover_every_category_and_each_is_askable_several_ways",
    "test_sources_are_cited",
    "test_stated_figures_are_the_calculators_within_one_percent",
    "test_step_points_include_estimates_the_calculator_can_grade",
    "test_the_interviewer_finds_each_fact_from_every_authored_wording",
    "test_tradeoffs_say_what_is_gained_and_what_it_costs",
]


@pytest.fixture(params=MORE_CARDS)
def card(request) -> ProblemCard:
    return load_problem(request.param)


def test_these_cards_meet_the_chat_cards_depth(card):
    counted = parts(card)
    short = {k: (counted[k], need) for k, need in DEEP_BAR.items() if counted[k] < need}
    assert short == {}


HELD_OUT = Path(__file__).parent / "data" / "library_held_out_more.yaml"


def test_held_out_questions_find_the_right_fact(card):
    # Worded unlike any wording on the card: the interviewer must still find the fact.
    from interview_coach.practice.interviewer import Interviewer

    held_out = yaml.safe_load(HELD_OUT.read_text(encoding="utf-8"))[card.id]
    authored = {w.lower() for q in card.clarifying_questions for w in (q.question, *q.paraphrases)}
    assert len(held_out) >= 20 and not authored & {q.lower() for q in held_out}
    assert {want for want in held_out.values()} >= {q.id for q in card.clarifying_questions} - {"geography", "key_length"}
    interviewer = Interviewer(card)
    wrong = [(q, want, interviewer.reply(q).matched_id) for q, want in held_out.items()
             if interviewer.reply(q).matched_id not in want.split("|")]
    assert len(wrong) <= 0.15 * len(held_out), wrong


def _calc(card_id: str) -> dict[str, float]:
    card = load_problem(card_id)
    return {k: r.value for k, r in calculate(parse_inputs(dict(card.estimation.inputs))).results.items()}


def _text(card_id: str) -> str:
    card = load_problem(card_id)
    return " ".join(card.scale + card.estimation.notes)


def test_worked_figures_beyond_the_calculator_follow_from_its_results():
    # Pastebin: seven base-62 characters against three years of pastes.
    paste = _calc("pastebin")
    assert round(62**7 / paste["total_records"], -3) == 10_000
    assert "10,000 times" in _text("pastebin")
    # Ticket booking: the on-sale, not the average day, sizes the system.
    tickets = _calc("ticket_booking")
    assert tickets["avg_write_qps"] < 20 and "19 tickets a second" in _text("ticket_booking")
    assert round(3.5e9 / 86_400, -3) == 41_000 and "41K requests a second" in _text("ticket_booking")
    assert 14e6 / 100e3 == 140 and "140 servers" in _text("ticket_booking")
    # Top-K: a count-min sketch for epsilon 0.0001, delta 1% in 8-byte counters is 1.1 MB, and
    # its error bound over a day of events is 1M views.
    width, depth = math.ceil(math.e / 0.0001), math.ceil(math.log(1 / 0.01))
    assert (width, depth) == (27_183, 5) and round(depth * width * 8 / 1e6, 1) == 1.1
    assert "1.1 MB" in _text("top_k") and 0.0001 * _calc("top_k")["daily_writes"] == 1e6
    assert _calc("top_k")["peak_write_qps"] == pytest.approx(231_481, rel=0.01)
    # Unique ids: 12 sequence bits give 4,096 ids per millisecond per node; 41 bits of
    # milliseconds last about 69 years.
    ids = _calc("unique_id")
    assert 2**12 * 1000 == 4_096_000 and ids["servers_for_peak_qps"] == 1
    years = 2**41 / (1000 * 86_400 * 365.25)
    assert years == pytest.approx(69.7, abs=0.05) and "69.7 years" in _text("unique_id")


# What a candidate might say for each misconception: it must trip its red flag in the steps the
# flag is looked for; denied, it must not.
SAID = {
    "pastebin": {
        "sequential_keys": "The paste key in the link is the auto-increment id of the row.",
        "hash_without_check": "The key is the first 7 characters of the MD5 hash of the content.",
        "full_scan_expiry": "A cron job scans the whole table every minute and deletes expired pastes.",
        "counter_per_read": "On every read we increment the view count in the database.",
        "shard_from_day_one": "We shard the metadata database across many nodes from day one.",
    },
    "unique_id": {
        "random_uuid_sortable": "We use random UUIDs, and sorting by them gives creation order.",
        "single_db_counter": "Every id comes from an auto-increment column in one MySQL database.",
        "timestamp_as_id": "We take the current time in milliseconds as the id.",
        "clock_never_backwards": "The clock always moves forward, so timestamps keep ids unique.",
        "random_worker_id": "At start-up each node picks a random worker id between 0 and 1023.",
    },
    "top_k": {
        "group_by_per_request": "On each request we run a GROUP BY video_id ORDER BY count over the events table.",
        "merge_unkeyed_local_topk": "Events go round-robin to the servers and we merge the local top K of each server.",
        "db_counter_per_view": "For every view we increment the counter row of the video in MySQL.",
        "sketch_is_exact": "The count-min sketch gives us exact counts for each video.",
        "rescan_window": "Every minute we rescan all the raw events of the last hour.",
    },
    "ticket_booking": {
        "check_then_update": "We first check if the seat is available with a SELECT and then update it to sold.",
        "lock_during_payment": "We keep the row lock on the seats while the user pays.",
        "hold_without_expiry": "The seats stay reserved until the user pays.",
        "autoscale_for_onsale": "When the on-sale starts we autoscale and add more servers.",
        "lock_whole_event": "Each booking locks the whole event so nobody else can buy at the same time.",
    },
}
DENIED = {
    "pastebin": ("sequential_keys", "The key is not an auto-increment id; it is a random base-62 string."),
    "ticket_booking": ("lock_whole_event", "We never lock the whole event; each seat is claimed through its own row."),
    "top_k": ("sketch_is_exact", "The count-min sketch is not exact; it only overestimates."),
    "unique_id": ("random_worker_id", "Nodes never pick a random worker id; they lease one from ZooKeeper."),
}


def test_each_red_flag_fires_on_what_a_candidate_would_say(card):
    said = SAID[card.id]
    assert {f.id for f in card.red_flags} == set(said)
    for flag in card.red_flags:
        assert flag.reason and flag.challenge and flag.challenge.endswith("?"), flag.id
        for step in flag.steps or ["high_level"]:
            assert flag.id in _flags(card, step, said[flag.id]), (flag.id, step)


def test_a_denied_misconception_is_not_a_red_flag(card):
    flag_id, sentence = DENIED[card.id]
    flag = next(f for f in card.red_flags if f.id == flag_id)
    for step in flag.steps or ["high_level"]:
        assert flag_id not in _flags(card, step, sentence), step
