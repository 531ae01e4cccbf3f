"""Each demo scenario runs the real components and reports the facts the issue names."""

from __future__ import annotations

import pytest

from interview_coach.chat.demo import SCENARIOS, run_scenario, summary_of
from interview_coach.chat.demo.mermaid import markdown, trace_to_mermaid
from interview_coach.clock import FakeClock
from interview_coach.errors import NotFoundError


@pytest.fixture(scope="module")
def results():
    """Every scenario once, on a fake clock (the ordering wait is then exactly 15 ms)."""
    return {name: run_scenario(name, clock=FakeClock()) for name in SCENARIOS}


def test_every_scenario_is_ok(results) -> None:
    for name, result in results.items():
        failed = [c.text for c in result.checks if not c.passed]
        assert result.ok, (name, failed, result.error)
        assert result.events, name  # something was traced


def test_delivery_facts(results) -> None:
    f = results["delivery"].facts
    assert (f["sender_server"], f["recipient_server"]) == ("A", "B")
    assert f["registry_lookups"] == 1 and f["bus_messages"] == 1 and f["stored"] and f["delivery_receipt"]
    assert f["bulk_messages"] == 1000 and f["bulk_messages_per_s"] > 0


def test_offline_facts(results) -> None:
    f = results["offline"].facts
    assert f["registry_result"] is None and f["push_notifications"] == 2 and f["bus_messages"] == 0
    assert f["server_b_bypassed"] and f["synced_on_reconnect"] == 2


def test_group_facts(results) -> None:
    f = results["group"].facts
    assert f["members"] == 10_000 and f["servers"] == 4
    assert f["registry_lookups"] == 1 and f["keys_looked_up"] == 9_999
    assert f["bus_messages"] == 4
    assert f["push_notifications"] == 1_000 and f["delivered"] == 8_999
    assert sum(f["recipients_by_server"].values()) == 8_999


def test_typing_facts(results) -> None:
    f = results["typing"].facts
    assert f["keystrokes"] == 25 and f["indicators_published"] == 3 and f["throttled"] == 22
    assert f["indicator_frames_delivered"] == 9 and f["stored"] == 0 and f["queued"] == 0
    assert f["visible_at_15_5_s"] and f["expired_at_16_5_s"]


def test_ordering_facts(results) -> None:
    f = results["ordering"].facts
    assert f["clock_moved_back_ms"] == 15 and f["waited_ms"] == pytest.approx(15, abs=0.01)
    assert f["ids_strictly_increasing"] is True
    assert f["beyond_max_drift_refused"] and "moved back 2000 ms" in f["beyond_max_drift_error"]
    assert f["sequence_exhausted_waits"] >= 2 and f["burst_milliseconds"] == 3
    assert f["skewed_servers_snowflake_order_kept"] is False and f["skewed_servers_counter_order_kept"] is True


def test_media_facts(results) -> None:
    f = results["media"].facts
    assert f["parts"] == 12 and f["retried_parts"] == 1 and f["retried_part_numbers"] == [7]
    assert f["part_attempts"] == 13 and f["video_bytes"] == 60 * 1024 * 1024 and f["object_intact"]
    reasons = " | ".join(f["refused"])
    for words in ("25 MB limit", "Windows executable", "ELF", "#!", "Mach-O", "not allowed"):
        assert words in reasons
    assert f["presigned_tampered_refused"] and f["presigned_expired_refused"] and f["executable_sniffed_on_arrival"]


def test_sync_facts(results) -> None:
    f = results["sync"].facts
    assert f["missed"] == f["fetched"] == 15 and f["duplicates"] == 0
    assert f["channels"] == 3 and f["new_channels"] == 1 and f["in_order"] and f["retried_send_stored_once"]
    assert f["conversations_page_1"][0] == "group:trip"


def test_the_json_summary_has_the_issue_shape(results) -> None:
    summary = summary_of(list(results.values()))
    assert [s["name"] for s in summary["scenarios"]] == list(SCENARIOS)
    assert all(set(s) == {"name", "ok", "facts"} and s["ok"] for s in summary["scenarios"])


def test_traces_make_well_formed_mermaid(results) -> None:
    from interview_coach.summary.mermaid import blocks_in_markdown, check_mermaid

    for result in results.values():
        diagram = trace_to_mermaid(result.events, result.title)
        assert diagram.startswith("sequenceDiagram") and check_mermaid(diagram) == []
    doc = markdown([(r.title, trace_to_mermaid(r.events, r.title)) for r in results.values()])
    assert len(blocks_in_markdown(doc)) == len(results)


def test_a_scenario_that_breaks_is_reported_not_raised(monkeypatch) -> None:
    from interview_coach.chat.demo import scenarios

    async def broken(ctx):
        ctx.check("started", True)
        raise RuntimeError("the bus fell over")

    monkeypatch.setitem(scenarios.SCENARIOS, "broken", scenarios.Scenario("broken", "Broken", "x", broken))
    result = run_scenario("broken")
    assert not result.ok and "the bus fell over" in (result.error or "")


def test_unknown_scenario() -> None:
    with pytest.raises(NotFoundError, match="try one of: delivery"):
        run_scenario("teleport")
