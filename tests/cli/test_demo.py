"""`interview-coach demo`: list, run, JSON, Mermaid, and bad input."""

from __future__ import annotations

import json

from interview_coach.chat.demo import SCENARIOS


def test_list(invoke) -> None:
    result = invoke("demo", "--list")
    assert result.exit_code == 0
    for name in SCENARIOS:
        assert name in result.output
    listed = json.loads(invoke("demo", "--list", "--json").output)
    assert [s["name"] for s in listed] == list(SCENARIOS) and all(s["title"] and s["summary"] for s in listed)


def test_a_scenario_prints_a_live_trace_then_the_facts(invoke) -> None:
    result = invoke("demo", "offline")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Client alice" in out and "──▶" in out and " ms " in out
    assert "Push service" in out and "notify bob (offline)" in out
    assert "✓ two push notifications were recorded" in out
    assert "push_notifications" in out and "offline: ok" in out


def test_all_json_reports_every_scenario_ok(invoke) -> None:
    result = invoke("demo", "all", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [s["name"] for s in data["scenarios"]] == list(SCENARIOS)
    assert all(s["ok"] for s in data["scenarios"])
    facts = {s["name"]: s["facts"] for s in data["scenarios"]}
    for key in ("members", "servers", "registry_lookups", "bus_messages", "push_notifications"):
        assert key in facts["group"]
    for key in ("clock_moved_back_ms", "waited_ms", "ids_strictly_increasing"):
        assert key in facts["ordering"]
    for key in ("parts", "retried_parts", "refused"):
        assert key in facts["media"]
    for key in ("missed", "fetched", "duplicates"):
        assert key in facts["sync"]
    assert isinstance(facts["media"]["refused"], list)


def test_mermaid_files(invoke, tmp_path) -> None:
    single = tmp_path / "typing.mmd"
    result = invoke("demo", "typing", "--json", "--mermaid", str(single))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["scenarios"][0]["name"] == "typing"  # stdout stays pure JSON
    assert single.read_text().startswith("sequenceDiagram")
    doc = tmp_path / "trace.md"
    assert invoke("demo", "ordering", "--mermaid", str(doc)).exit_code == 0
    assert "```mermaid\nsequenceDiagram" in doc.read_text()


def test_svg_files(invoke, tmp_path) -> None:
    import xml.etree.ElementTree as ET

    single = tmp_path / "offline.svg"
    mmd = tmp_path / "offline.mmd"
    result = invoke("demo", "offline", "--json", "--svg", str(single), "--mermaid", str(mmd))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["scenarios"][0]["name"] == "offline"
    root = ET.fromstring(single.read_text().split("\n", 1)[1])
    shown = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "phone switched off" in shown and "#59;" not in shown  # the trace's note, drawn as a note
    assert "Note over Client_bob" in mmd.read_text()


def test_bad_input_is_one_line_and_exit_2(invoke, tmp_path) -> None:
    cases = [
        (("demo",), "name a scenario"),
        (("demo", "teleport"), "no demo scenario 'teleport'"),
        (("demo", "delivery", "--mermaid", str(tmp_path / "missing" / "x.mmd")), "does not exist"),
        (("demo", "delivery", "--mermaid", str(tmp_path)), "is a folder"),
        (("demo", "delivery", "--svg", str(tmp_path / "missing" / "x.svg")), "does not exist"),
        (("demo", "delivery", "--svg", str(tmp_path)), "is a folder"),
    ]
    for args, words in cases:
        result = invoke(*args)
        assert result.exit_code == 2, args
        assert words in result.stderr and "Traceback" not in result.output + result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_help_has_an_example(invoke) -> None:
    result = invoke("demo", "--help")
    assert result.exit_code == 0 and "Example: interview-coach demo" in result.output
