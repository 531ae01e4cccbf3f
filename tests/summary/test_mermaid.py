"""Mermaid builders: whatever text goes in, the diagram stays well formed; the checker catches breakage."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interview_coach.summary import mermaid
from interview_coach.summary.mermaid import Message, Node, check_mermaid

any_text = st.text(min_size=0, max_size=80)
names = st.text(min_size=1, max_size=30)


@given(st.lists(st.tuples(names, st.sampled_from(sorted(mermaid.SHAPES))), min_size=1, max_size=6), any_text)
@settings(max_examples=150, deadline=None)
def test_flowchart_of_any_names_is_well_formed(items, label):
    nodes = [Node(name, kind, f"k{i}") for i, (name, kind) in enumerate(items)]
    edges = [(f"k{i}", f"k{i + 1}", label if i % 2 else None) for i in range(len(nodes) - 1)]
    source = mermaid.flowchart(nodes, edges)
    assert check_mermaid(source) == []
    assert len(source.splitlines()) == 1 + len(nodes) + len(edges)  # no text added a line
    assert "```" not in source


@given(st.lists(st.tuples(names, names, any_text, st.booleans()), min_size=1, max_size=6))
@settings(max_examples=150, deadline=None)
def test_sequence_of_any_text_is_well_formed(hops):
    messages = [Message(a, b, msg, reply) for a, b, msg, reply in hops]
    source = mermaid.sequence([], messages, title="any")
    assert check_mermaid(source) == []
    assert "```" not in source


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_candidate_free_text_never_breaks_a_diagram(answer):
    for source in (mermaid.candidate_flow(answer), mermaid.candidate_architecture(answer)):
        if source is not None:
            assert check_mermaid(source) == []


def test_text_escapes_what_mermaid_gives_a_meaning_to():
    out = mermaid.text('say "hi"; #1 <b>&`|%{x}\\\nnext line')
    assert out == "say #quot;hi#quot;#59; #35;1 #lt;b#gt;#amp;#96;#124;#37;#123;x#125;#92; next line"


def test_keywords_and_odd_names_get_safe_ids():
    ids = mermaid.Ids()
    assert ids("end") == "n_end"
    assert ids("Chat server A") == "Chat_server_A"
    assert ids("chat server a") == "Chat_server_A"  # the same name, the same id
    assert ids("Chat-server-A") == "Chat_server_A_2"
    assert ids("42") == "n_42"
    assert ids("!!!") == "node"


def test_reserved_alias_is_written_as_an_entity():
    source = mermaid.sequence([("a", "end")], [Message("a", "a", "loop")])
    assert "participant a as #101;nd" in source
    assert check_mermaid(source) == []


def test_candidate_flow_reads_hops_and_keeps_the_rest():
    answer = "1. Client A -> Chat server: send\n- chat server -> Redis: who has B?\nRedis --> Chat Server: server B\nthen persist"
    hops, rest = mermaid.parse_hops(answer)
    assert [(h.source, h.target, h.reply) for h in hops] == [
        ("client a", "chat server", False),
        ("chat server", "redis", False),
        ("redis", "chat server", True),
    ]
    assert rest == ["then persist"]
    source = mermaid.candidate_flow(answer)
    assert source is not None and "participant Client_A as Client A" in source
    assert mermaid.candidate_flow("no arrows here") is None


def test_candidate_architecture_from_arrows():
    source = mermaid.candidate_architecture("Client -> Load balancer -> Chat servers\nChat servers -> Cassandra\nRedis: sessions")
    assert source is not None
    assert 'Client(["Client"])' in source and 'Cassandra[("Cassandra")]' in source and 'Redis[["Redis"]]' in source
    assert "Load_balancer --> Chat_servers" in source
    assert mermaid.candidate_architecture("just a list, no arrows") is None


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("", "empty diagram"),
        ("flowchat LR\n A --> B", "unknown diagram type"),
        ("flowchart XY\n A --> B", "unknown direction"),
        ('flowchart LR\n A["open] --> B', "unclosed quote"),
        ("flowchart LR\n A[label --> B", "unclosed"),
        ("flowchart LR\n A --> end", "invalid node id 'end'"),
        ("flowchart LR\n A --> 9lives", "invalid node id"),
        ("flowchart LR\n A --> B; C", "';' outside a quoted label"),
        ("flowchart LR\n subgraph S\n A --> B", "left open"),
        ("sequenceDiagram\n participant A\n A->>B: hi", "'B' is not declared"),
        ("sequenceDiagram\n participant A\n participant B\n A->>B: a; b", "raw ';'"),
        ("sequenceDiagram\n participant A\n loop forever\n A->>A: x", "left open"),
        ("sequenceDiagram\n participant end", "invalid participant"),
        ("sequenceDiagram\n participant A\n A says hello", "not a message"),
    ],
)
def test_checker_finds_broken_diagrams(source, problem):
    found = check_mermaid(source)
    assert found and any(problem in p for p in found), found


def test_checker_accepts_hand_written_diagrams():
    assert check_mermaid("graph TD\n  A[Start] --> B{Is it?}\n  B -->|Yes| C[OK]\n  B -.-> D\n") == []
    assert check_mermaid("%% comment\nsequenceDiagram\n autonumber\n participant A as Alice\n actor B\n"
                         " A->>+B: hi #quot;x#quot;\n loop every minute\n B-->>-A: ok\n end\n Note over A,B: fine\n") == []
    assert check_mermaid("pie\n  \"a\" : 1\n") == []


def test_blocks_are_found_in_documents():
    md = "x\n```mermaid\nflowchart LR\n  a --> b\n```\n````mermaid\nsequenceDiagram\n````\n"
    assert mermaid.blocks_in_markdown(md) == ["flowchart LR\n  a --> b\n", "sequenceDiagram\n"]
    html = '<pre class="mermaid" aria-label="x">flowchart LR\n  a[&#34;A&#34;] --&gt; b</pre>'
    assert mermaid.blocks_in_html(html) == ['flowchart LR\n  a["A"] --> b']
