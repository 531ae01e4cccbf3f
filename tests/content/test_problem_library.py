"""The problem library: every card's parts counted, the cards written at the chat card's depth
held to its bar, their worked figures checked against the calculator, and their red flags
calibrated on candidate sentences (said, they fire; denied, they stay quiet)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import yaml

from interview_coach.content.loader import load_problem, load_problems, problem_paths
from interview_coach.content.models import TOPICS, ProblemCard
from interview_coach.estimation.calculator import calculate, parse_inputs
from interview_coach.practice.grading import grade_field
from interview_coach.practice.model import Session
from interview_coach.practice.reference import reference_blocks

# Cards written at the chat card's depth (the chat card itself is the reference).
# The cards written at the chat card's depth (the first five have their own calibration here;
# the later four in tests/practice/test_calibration_more_cards.py).
DEEP_CARDS = ["file_storage", "kv_store", "video_streaming", "photo_sharing", "ride_hailing",
              "ticket_booking", "top_k", "unique_id", "pastebin"]
CALIBRATED_HERE = DEEP_CARDS[:5]
CATEGORIES = {"functional", "non_functional", "scale", "out_of_scope"}
STEPS = ("scope", "high_level", "deep_dive", "wrap_up")


def parts(card: ProblemCard) -> dict[str, int]:
    """How much a card holds, part by part - what an interview run from it can draw on."""
    return {
        "clarifying_questions": len(card.clarifying_questions),
        "paraphrases": sum(len(q.paraphrases) for q in card.clarifying_questions),
        "requirements": sum(len(x) for x in (card.requirements.functional, card.requirements.non_functional)),
        "stated_figures": len(card.estimation.stated),
        "apis": len(card.apis),
        "components": len(card.components),
        "flows": len(card.flows),
        "flow_steps": sum(len(f.steps) for f in card.flows),
        "deep_dives": len(card.deep_dives),
        "dive_points": sum(len(d.key_points) for d in card.deep_dives),
        "follow_ups": sum(len(d.follow_ups) for d in card.deep_dives),
        "step_points": sum(len(p) for p in card.key_points.values()),
        "tradeoffs": len(card.tradeoffs),
        "red_flags": len(card.red_flags),
        "sources": len(card.sources),
    }


# The bar every deep card meets: at least the chat card's depth where the issue sets a number.
DEEP_BAR = {
    "clarifying_questions": 20, "paraphrases": 60, "requirements": 7, "stated_figures": 10, "apis": 6,
    "components": 10, "flows": 4, "flow_steps": 25, "deep_dives": 5, "dive_points": 20, "follow_ups": 12,
    "step_points": 10, "tradeoffs": 4, "red_flags": 5, "sources": 3,
}
# What every card, old or new, holds at least.
FLOOR = {
    "clarifying_questions": 4, "requirements": 4, "stated_figures": 3, "apis": 3, "components": 5, "flows": 1,
    "deep_dives": 3, "dive_points": 6, "follow_ups": 3, "step_points": 6, "tradeoffs": 3,
}


@pytest.mark.parametrize("card_id", sorted(problem_paths()))
def test_every_card_has_its_parts_counted_and_meets_the_floor(card_id):
    counted = parts(load_problem(card_id))
    short = {k: (counted[k], need) for k, need in FLOOR.items() if counted[k] < need}
    assert short == {}


@pytest.mark.parametrize("card_id", DEEP_CARDS)
def test_deep_cards_meet_the_chat_cards_depth(card_id):
    counted = parts(load_problem(card_id))
    short = {k: (counted[k], need) for k, need in DEEP_BAR.items() if counted[k] < need}
    assert short == {}


def test_the_library_holds_the_cards_people_are_asked():
    ids = {c.id for c in load_problems()}
    assert {"chat", "url_shortener", "news_feed", "rate_limiter", "notification_system", "web_crawler", "typeahead"} <= ids
    assert set(DEEP_CARDS) <= ids


@pytest.mark.parametrize("card_id", sorted(problem_paths()))
def test_every_card_has_a_difficulty_and_topics_from_the_list(card_id):
    card = load_problem(card_id)
    assert card.difficulty in ("easy", "medium", "hard")
    assert 3 <= len(card.topics) <= 8 and set(card.topics) <= set(TOPICS)
    assert len(set(card.topics)) == len(card.topics)


# ---------------------------------------------------------------- step 1


@pytest.fixture(params=DEEP_CARDS)
def card(request) -> ProblemCard:
    return load_problem(request.param)


def test_interviewer_facts_cover_every_category_and_each_is_askable_several_ways(card):
    assert {q.category for q in card.clarifying_questions} == CATEGORIES
    assert len({q.id for q in card.clarifying_questions}) == len(card.clarifying_questions)
    for q in card.clarifying_questions:
        assert q.question.endswith("?"), q.id
        assert len(q.paraphrases) >= 3, q.id
        assert all(p.strip() and p != q.question for p in q.paraphrases), q.id
        assert len(q.keywords) >= 3 and all(k == k.lower() for k in q.keywords), q.id
    # The candidate's own figures are labelled; the card's scale questions give numbers.
    assert sum(q.assumption for q in card.clarifying_questions) >= 3
    assert sum(bool(re.search(r"\d", q.answer)) for q in card.clarifying_questions if q.category == "scale") >= 4


def test_the_interviewer_finds_each_fact_from_every_authored_wording(card):
    from interview_coach.practice.interviewer import Interviewer

    interviewer = Interviewer(card)
    for q in card.clarifying_questions:
        for wording in (q.question, *q.paraphrases):
            assert interviewer.reply(wording).matched_id == q.id, wording


HELD_OUT = [Path(__file__).parent / "data" / name for name in ("library_held_out.yaml", "library_held_out_more.yaml")]


def test_held_out_questions_find_the_right_fact(card):
    # Questions worded unlike any wording on the card: the interviewer must still find the fact.
    everything = {cid: qs for path in HELD_OUT for cid, qs in yaml.safe_load(path.read_text(encoding="utf-8")).items()}
    held_out = everything[card.id]
    authored = {w.lower() for q in card.clarifying_questions for w in (q.question, *q.paraphrases)}
    assert len(held_out) >= 20 and not authored & {q.lower() for q in held_out}
    asked_for = {fact for want in held_out.values() for fact in want.split("|")}
    assert asked_for >= {q.id for q in card.clarifying_questions}  # every fact is asked for
    from interview_coach.practice.interviewer import Interviewer

    interviewer = Interviewer(card)
    wrong = [(q, want, interviewer.reply(q).matched_id) for q, want in held_out.items()
             if interviewer.reply(q).matched_id not in want.split("|")]
    assert len(wrong) <= 0.15 * len(held_out), wrong


def test_stated_figures_are_the_calculators_within_one_percent(card):
    results = calculate(parse_inputs(dict(card.estimation.inputs), source=card.id)).results
    assert {"daily_writes", "avg_write_qps", "peak_write_qps", "storage_per_day_bytes"} <= set(card.estimation.stated)
    for name, value in card.estimation.stated.items():
        assert value == pytest.approx(results[name].value, rel=0.01), (card.id, name)
    assert len(card.estimation.notes) >= 4


def _calc(card_id: str) -> dict[str, float]:
    card = load_problem(card_id)
    return {k: r.value for k, r in calculate(parse_inputs(dict(card.estimation.inputs))).results.items()}


def _text(card_id: str) -> str:
    card = load_problem(card_id)
    return " ".join(card.scale + card.estimation.notes)


def test_worked_figures_beyond_the_calculator_follow_from_its_results():
    # file storage: 1 MB block requests at 200 a server; 10M long polls at 100K a server.
    fs = _calc("file_storage")
    assert math.ceil((fs["peak_write_qps"] + fs["peak_read_qps"]) / 200) == 70
    assert "70 block servers" in _text("file_storage")
    # key-value store: storage, not throughput, sizes the cluster (5 TB usable per node).
    kv = _calc("kv_store")
    assert round(kv["storage_per_year_bytes"] / 5e12, -1) == 220 and kv["servers_for_peak_qps"] == 13
    assert "about 220" in _text("kv_store")
    # video: the ladder (x4) and erasure coding (x1.5) on top of one rendition.
    video = _calc("video_streaming")
    assert video["storage_per_day_bytes"] * 6 / 1e15 == pytest.approx(5.1, rel=0.01)
    assert "5.1 PB" in _text("video_streaming")
    assert video["avg_egress_bytes_per_s"] * 8 / 1e12 == pytest.approx(78, rel=0.01)
    # photos: each view fetches a 200 KB version, not the 2 MB stored bundle.
    photo = _calc("photo_sharing")
    assert photo["avg_read_qps"] * 200e3 / 1e9 == pytest.approx(116, rel=0.01)
    assert "116 GB/s" in _text("photo_sharing")
    # ride hailing: trips are small next to the location stream.
    trips_per_s = 25e6 / 86_400
    assert round(trips_per_s, -1) == 290
    assert "290 matches a second" in _text("ride_hailing")
    ride = _calc("ride_hailing")
    assert ride["peak_write_qps"] / (trips_per_s * 3) > 500


# ---------------------------------------------------------------- step 2


def test_worked_figures_of_the_later_cards_follow_from_the_calculator():
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


def test_apis_components_and_flows_draw_a_connected_architecture(card):
    ids = {c.id for c in card.components}
    edges = {(c.id, t) for c in card.components for t in c.connects_to}
    edges |= {(b, a) for a, b in edges}
    kinds = {c.kind for c in card.components}
    assert {"client", "service", "store"} <= kinds and ({"queue", "cache"} & kinds)
    for flow in card.flows:
        assert len(flow.steps) >= 4, flow.id
        for step in flow.steps:
            assert step.source in ids and step.target in ids
            assert step.source == step.target or (step.source, step.target) in edges, (flow.id, step.source, step.target)
    assert card.schema_ is not None and len(card.schema_.notes) >= 3
    assert len({(a.method, a.path) for a in card.apis}) == len(card.apis)


# ---------------------------------------------------------------- step 3 and 4


def test_deep_dives_have_points_with_phrasings_and_follow_ups(card):
    for dive in card.deep_dives:
        assert dive.question.strip().endswith("?"), dive.id
        assert len(dive.key_points) >= 4, dive.id
        assert len(dive.follow_ups) >= 2, dive.id
        for point in dive.key_points:
            assert len(point.keywords) >= 4, (dive.id, point.id)
            assert point.phrasings or point.kind != "statement", (dive.id, point.id)


def test_every_deep_dive_point_has_a_probe_that_does_not_name_it(card):
    keys = {f"{d.id}.{kp.id}": kp for d in card.deep_dives for kp in d.key_points}
    assert set(card.probes) == set(keys)
    for key, kp in keys.items():
        probe = card.probes[key]
        assert probe.endswith("?"), key
        assert kp.text.lower() not in probe.lower(), key


def test_step_points_include_estimates_the_calculator_can_grade(card):
    results = calculate(parse_inputs(dict(card.estimation.inputs))).results
    estimates = [p for p in card.key_points["scope"] if p.kind == "estimate"]
    assert len(estimates) >= 2
    assert all(p.figure in results for p in estimates)


def test_tradeoffs_say_what_is_gained_and_what_it_costs(card):
    for t in card.tradeoffs:
        assert len(t.benefit) > 20 and len(t.cost) > 20, t.id


def test_every_step_has_a_reference_answer(card):
    session = Session(problem_id=card.id, started_at=0.0, minutes=45, steps=[])
    for step in STEPS:
        blocks = reference_blocks(session, card, step)
        assert blocks and sum(len(b.lines) for b in blocks) >= 5, step


def test_sources_are_cited(card):
    assert len(card.sources) >= 3
    assert all(len(s) > 30 for s in card.sources)


# ---------------------------------------------------------------- red flags

# What a candidate might say for each misconception. Each must trip its red flag in the steps
# the flag is looked for; denied ("we do not ..."), it must not.
SAID = {
    "file_storage": {
        "whole_file_upload": "When a file changes the client uploads the whole file to the server again.",
        "files_in_database": "We store the file contents as blobs in the metadata database.",
        "last_writer_wins": "If two devices edit the same file, last writer wins based on the timestamp.",
        "client_polling": "Each client polls the server every 5 seconds for changes.",
        "quota_as_storage": "For capacity, 500 million users times 15 GB gives 7.5 exabytes.",
    },
    "kv_store": {
        "mod_n_hashing": "We choose the node as hash(key) mod N.",
        "weak_quorum_claimed_strong": "With R = 1 and W = 1 reads are still strongly consistent.",
        "two_phase_commit_every_write": "Every put runs two-phase commit across the three replicas.",
        "central_master": "A master node stores where every key lives and each request asks it first.",
        "delete_removes_immediately": "A delete simply removes the key from the replicas immediately.",
    },
    "video_streaming": {
        "serve_from_app_servers": "The application servers stream the video file to the viewer.",
        "single_file_progressive": "We send the viewer one MP4 file at a single bitrate.",
        "sync_transcode": "The upload request transcodes the video synchronously before returning.",
        "counter_per_view": "On every view we increment the view_count column in MySQL.",
        "cache_everything_everywhere": "We copy every video to every edge of the CDN.",
    },
    "photo_sharing": {
        "images_in_db": "The photos are stored as blobs in the Postgres database.",
        "fanout_to_celebrities": "We use fan-out on write for every post, pushing it to all followers.",
        "auto_increment_ids": "Post ids come from an auto-increment column in each shard.",
        "resize_in_request": "The API server resizes the photo synchronously in the request.",
        "offset_paging": "The feed is paged with LIMIT and OFFSET.",
    },
    "ride_hailing": {
        "updates_into_sql": "Every location update is written to a Postgres table with lat and lng columns.",
        "scan_all_drivers": "For a nearby query we compute the distance to every driver.",
        "own_cell_only": "We only search the rider's own geohash cell.",
        "broadcast_first_accept": "We broadcast the request to all nearby drivers and the first to accept gets it.",
        "shard_by_driver_id": "The location index is sharded by driver id.",
    },

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
    "file_storage": ("whole_file_upload", "We never upload the whole file again; only the changed blocks go up."),
    "kv_store": ("two_phase_commit_every_write", "We avoid two-phase commit because it blocks when a replica is down."),
    "video_streaming": ("sync_transcode", "We do not transcode synchronously in the request; a queue feeds workers."),
    "photo_sharing": ("auto_increment_ids", "Ids are not an auto-increment column; each embeds its shard."),
    "ride_hailing": ("shard_by_driver_id", "The index is not sharded by driver id but by region."),
    "pastebin": ("sequential_keys", "The key is not an auto-increment id; it is a random base-62 string."),
    "ticket_booking": ("lock_whole_event", "We never lock the whole event; each seat is claimed through its own row."),
    "top_k": ("sketch_is_exact", "The count-min sketch is not exact; it only overestimates."),
    "unique_id": ("random_worker_id", "Nodes never pick a random worker id; they lease one from ZooKeeper."),
}
FIELD = {"scope": "scale", "high_level": "components", "wrap_up": "tradeoffs"}


def _flags(card: ProblemCard, step: str, text: str) -> list[str]:
    field = FIELD.get(step) or f"dive:{card.deep_dives[0].id}"
    return [hit.flag_id for hit in grade_field(card, step, field, text).red_flags]


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


# ---------------------------------------------------------------- calibration

CALIBRATION = Path(__file__).parents[1] / "practice" / "calibration"
LIMITS = {"strong": (80, 100), "paraphrase": (75, 100), "keywords": (0, 35)}


@pytest.mark.parametrize("card_id", CALIBRATED_HERE)
def test_calibration_answers_score_understanding_not_vocabulary(card_id):
    # A strong answer and the same answer in other words score high; a keyword list scores low.
    from interview_coach.content.loader import load_framework
    from interview_coach.practice.scripted import run_scripted
    from interview_coach.practice.template import parse_answers

    framework, card = load_framework(), load_problem(card_id)
    files = {p.stem.split("_")[0]: p for p in sorted((CALIBRATION / card_id).glob("*.yaml"))}
    assert set(LIMITS) <= set(files)
    for kind, (low, high) in LIMITS.items():
        session = run_scripted(parse_answers(files[kind], framework, card), framework, card, None, start_wall=1_750_000_000.0)
        assert session.scorecard is not None
        assert low <= session.scorecard.score <= high, (kind, session.scorecard.score)
