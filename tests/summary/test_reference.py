"""The reference design document: golden Markdown for chat, every card renders, diagrams well formed."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from interview_coach.content.loader import problem_paths
from interview_coach.summary.mermaid import blocks_in_html, blocks_in_markdown, check_mermaid
from interview_coach.summary.reference import render_reference


def test_chat_reference_markdown_matches_golden(invoke, golden):
    result = invoke("summary", "--reference", "chat")
    assert result.exit_code == 0, result.output
    golden("reference-chat.md", result.stdout)


def test_chat_reference_has_the_cql_table_and_the_key_flows():
    md = render_reference("chat")
    assert "```sql\nCREATE TABLE messages (" in md
    assert "PRIMARY KEY (channel_id, message_id)\n) WITH CLUSTERING ORDER BY (message_id DESC);" in md
    assert "in CQL:" in md
    blocks = blocks_in_markdown(md)
    sequences = [b for b in blocks if b.startswith("sequenceDiagram")]
    flowcharts = [b for b in blocks if b.startswith("flowchart")]
    assert len(flowcharts) == 1 and len(sequences) >= 4
    # delivery, offline, fan-out and sync, each recognisable by a hop the chapter describes
    for needle in ("deliver over B's WebSocket", "null - no live session", "one pipelined batch lookup", "range scan"):
        assert any(needle in s for s in sequences), needle


@pytest.mark.parametrize("name", sorted(problem_paths()))
def test_every_card_renders_with_well_formed_diagrams(name):
    md = render_reference(name, "md")
    blocks = blocks_in_markdown(md)
    assert blocks, name
    for block in blocks:
        assert check_mermaid(block) == [], (name, block)
    html = render_reference(name, "html")
    assert [check_mermaid(b) for b in blocks_in_html(html)] == [[] for _ in blocks]
    assert_balanced_html(html)


def test_html_is_self_contained():
    html = render_reference("chat", "html")
    assert "<style>" in html and "<script" not in html and "<link" not in html
    assert "Content-Security-Policy" in html
    assert "<pre class=\"mermaid\"" in html and "--&gt;" in html  # the source, escaped, not a drawing


VOID = {"meta", "br", "hr", "img", "link", "input", "col", "area", "base", "wbr", "source"}


class _Balance(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}> at {self.getpos()}")
        else:
            self.stack.pop()


def assert_balanced_html(html: str) -> None:
    parser = _Balance()
    parser.feed(html)
    parser.close()
    assert parser.problems == [] and parser.stack == [], (parser.problems[:3], parser.stack)
