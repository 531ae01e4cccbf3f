"""`interview-coach demo --live`: the scenarios against real servers, embedded and on Redis."""

from __future__ import annotations

import json

import pytest


@pytest.mark.slow
def test_live_demo_all_embedded_is_ok(invoke):
    result = invoke("demo", "all", "--live", "--json")
    assert result.exit_code == 0, result.output
    scenarios = {s["name"]: s for s in json.loads(result.output)["scenarios"]}
    assert set(scenarios) == {"delivery", "offline", "group", "typing", "ordering", "media", "sync", "drain"}
    assert all(s["ok"] for s in scenarios.values()), scenarios
    group = scenarios["group"]["facts"]
    assert group["registry_lookups"] == 1 and group["bus_messages"] == 2 and group["push_notifications"] == 960
    assert scenarios["sync"]["facts"]["missed"] == scenarios["sync"]["facts"]["fetched"]
    assert scenarios["drain"]["facts"]["lost"] == 0


@pytest.mark.slow
@pytest.mark.redis
@pytest.mark.parametrize("scenario", ["delivery", "drain"])
def test_live_demo_on_redis_runs_two_server_processes(invoke, redis_url, scenario):
    result = invoke("demo", scenario, "--live", "--redis", redis_url, "--json")
    assert result.exit_code == 0, result.output
    [facts] = [s["facts"] for s in json.loads(result.output)["scenarios"]]
    assert facts["engine"] == "redis"


def test_live_demo_trace_is_printed(invoke):
    result = invoke("demo", "delivery", "--live")
    assert result.exit_code == 0, result.output
    assert "Client alice" in result.output and "──▶" in result.output and "delivery: ok" in result.output


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["delivery", "--redis", "redis://127.0.0.1:6379/0"], "--redis goes with --live"),
        (["nope", "--live"], "no live demo scenario 'nope'"),
    ],
)
def test_live_demo_bad_input(invoke, args, needle):
    result = invoke("demo", *args)
    assert result.exit_code == 2 and needle in result.output and "Traceback" not in result.output
