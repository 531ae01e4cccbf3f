"""The session document: golden Markdown for a scripted interview, escaping, diagrams, held-back reference."""

from __future__ import annotations

import re

import pytest

from interview_coach.content.loader import problem_paths
from interview_coach.storage.db import connect
from interview_coach.summary.mermaid import blocks_in_html, blocks_in_markdown, check_mermaid
from interview_coach.summary.session import render_session

SCRIPT = '<script>alert("x")</script>'


def test_scripted_session_markdown_matches_golden(invoke, scripted_chat, golden):
    result = invoke("summary", str(scripted_chat))
    assert result.exit_code == 0, result.output
    golden("session-chat.md", result.stdout)
    assert result.stdout.startswith("# Real-time chat app (WhatsApp / Slack): mock interview #1\n\n2026-01-01 00:00 UTC")


def test_scripted_session_has_every_part_and_well_formed_diagrams(invoke, scripted_chat):
    md = invoke("summary").stdout  # no argument: the latest session
    for heading in (
        "### Clarifying questions",
        "### Estimates",
        "### APIs",
        "### The reference: architecture",
        "### The reference: key flows",
        "### Deep dive: Message delivery flow",
        "### The reference: trade-offs",
        "## Score card",
        "### Competencies",
        "## What to study next",
    ):
        assert heading in md, heading
    assert "| Storage per day | 50 GB | 500 GB/day | ×10 | right order of magnitude |" in md
    assert "| POST | `/v1/messages` | send a message (HTTP fallback) |" in md
    blocks = blocks_in_markdown(md)
    # the candidate's architecture and data flow, the reference architecture and its flows
    assert sum(b.startswith("flowchart") for b in blocks) == 2
    assert any("participant Chat_server_A as Chat server A" in b for b in blocks)
    for block in blocks:
        assert check_mermaid(block) == [], block


def test_typed_markup_cannot_reach_the_html(invoke, scripted_chat, tmp_path):
    out = tmp_path / "s.html"
    result = invoke("summary", "--output", str(out))  # the suffix picks HTML
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in html
    assert "&lt;b&gt;emoji reactions&lt;/b&gt;" in html
    for block in blocks_in_html(html):
        assert check_mermaid(block) == [], block


def test_typed_markup_and_fences_stay_inert_in_markdown(invoke, scripted_chat):
    md = invoke("summary").stdout
    assert "<script" not in md and "&lt;script>" in md
    # the ``` the candidate typed stays inside their block quote and never opens a fence
    assert "> ```\n> # search is out of scope too" in md
    fences = re.findall(r"^```.*$", md, re.M)
    assert fences[0::2] == [f for f in fences[0::2] if f in ("```mermaid", "```sql")] and set(fences[1::2]) == {"```"}
    # the pipe they typed does not split a table
    assert "> Voice and video calls | end-to-end encryption" in md


def test_script_in_any_answer_is_escaped(coach_home, drive):
    conn = connect()
    answers = {p: SCRIPT for p in ("functional", "apis", "components", "data_flow", "dive:delivery", "tradeoffs")}
    answers["clarify"] = SCRIPT
    answers["components"] = f"Client -> {SCRIPT}"
    answers["data_flow"] = f"Client -> Server: {SCRIPT}"
    drive(conn, answers)
    html = render_session("latest", "html", conn=conn)
    assert "<script" not in html
    assert html.count("&lt;script&gt;") >= 5
    for block in blocks_in_html(html):
        assert check_mermaid(block) == [], block
    md = render_session("latest", "md", conn=conn)
    assert "<script" not in md


def test_unfinished_session_holds_back_the_reference(coach_home, drive):
    conn = connect()
    session = drive(conn, {"functional": "Users can send messages"}, finish=False)
    md = render_session(session.id, "md", conn=conn)
    assert f"interview-coach practice --resume {session.id}" in md
    assert "The reference" not in md and "## Score card" not in md and "CREATE TABLE" not in md
    assert "> Users can send messages" in md
    html = render_session(session.id, "html", conn=conn)
    assert "The reference" not in html and "not finished" in html


@pytest.mark.parametrize("problem", sorted(problem_paths()))
def test_a_blank_session_of_every_problem_renders(coach_home, drive, problem):
    conn = connect()
    drive(conn, {}, problem=problem)
    md = render_session("latest", "md", conn=conn)
    assert "_No answer._" in md and "## Score card" in md
    for block in blocks_in_markdown(md):
        assert check_mermaid(block) == [], block
    assert "<!DOCTYPE html>" in render_session("latest", "html", conn=conn)


def test_rendering_is_deterministic(coach_home, drive):
    conn = connect()
    drive(conn, {"functional": "Users can send messages", "dive:delivery": "Redis pub/sub"})
    first = render_session("latest", "md", conn=conn)
    assert render_session("latest", "md", conn=conn) == first
    assert "2026-01-01 00:00 UTC" in first
