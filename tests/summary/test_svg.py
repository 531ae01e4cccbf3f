"""Diagrams drawn as SVG from their Mermaid source: well-formed, escaped, deterministic, readable."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interview_coach.content.loader import load_problem, problem_paths
from interview_coach.summary import mermaid
from interview_coach.summary.diagram import Block, decode, parse_flowchart, parse_sequence
from interview_coach.summary.svg import MAX_WIDTH, DiagramError, draw, standalone
from interview_coach.summary.svg_flowchart import merge_edges

SVG = "{http://www.w3.org/2000/svg}"
CODE = re.compile(r"#(?:\d+|[A-Za-z]+);")


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(svg: str) -> list[str]:
    return [t.text or "" for t in parsed(svg).iter(f"{SVG}text")]


def by_class(svg: str, cls: str) -> list[ET.Element]:
    return [e for e in parsed(svg).iter() if cls in (e.get("class") or "").split()]


def size(svg: str) -> tuple[float, float]:
    root = parsed(svg)
    return float(root.get("width")), float(root.get("height"))  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(problem_paths(None)))
def test_every_card_draws_every_diagram(name):
    card = load_problem(name)
    sources = [mermaid.architecture(card.components, card.flows)] + [mermaid.card_flow(f, card.components) for f in card.flows]
    for source in sources:
        svg = draw(source)
        shown = "\n".join(texts(svg))
        assert not CODE.search(shown), shown  # entities decoded, never shown
        assert parsed(standalone(svg).split("\n", 1)[1]).tag == f"{SVG}svg"
        assert draw(source) == svg  # the same source, the same drawing
    for flow in card.flows:
        width, _ = size(draw(mermaid.card_flow(flow, card.components)))
        assert width <= MAX_WIDTH + 1, (name, flow.id, width)


def test_the_chat_architecture_reads_in_tiers_with_each_edge_once():
    card = load_problem("chat")
    source = mermaid.architecture(card.components, card.flows)
    chart = parse_flowchart(source)
    tiers = [g.label for g in chart.groups]
    assert tiers == ["Clients", "Edge", "Servers and services", "Async workers", "External services", "Data stores"]
    pairs = {frozenset((c.id, t)) for c in card.components for t in c.connects_to}
    assert len(chart.edges) == len(pairs)  # Redis <-> chat server is one edge, not two
    svg = draw(source)
    assert len(by_class(svg, "dg-edge")) == len(pairs)
    assert [t for t in texts(svg) if t in tiers] == tiers
    assert "ChatServerA <-->" in source and "session lookups" in source
    # Every edge says what travels along it, in the Markdown; the drawing says each thing once.
    assert all(e.label for e in chart.edges)
    shown = " ".join(texts(svg))
    assert "sticky WebSocket" in shown and shown.count("sticky WebSocket") == 1


def test_tiers_are_layered_top_to_bottom():
    source = "\n".join(
        [
            "flowchart TB",
            '    subgraph c ["Clients"]',
            '        A(["App"])',
            "    end",
            '    subgraph s ["Data stores"]',
            '        D[("DB")]',
            "    end",
            '    subgraph e ["Edge"]',
            '        L{{"LB"}}',
            "    end",
            '    A -->|"req"| L',
            "    L --> D",
        ]
    )
    svg = draw(source)
    y = {t.text: float(t.get("y")) for t in parsed(svg).iter(f"{SVG}text")}  # type: ignore[arg-type]
    assert y["Clients"] < y["Data stores"] < y["Edge"]  # the declared order of the subgraphs
    assert y["App"] < y["DB"] < y["LB"]


def _head_tips(svg: str) -> list[tuple[float, float]]:
    tips = []
    for e in by_class(svg, "dg-head"):
        m = re.match(r"M([\d.-]+),([\d.-]+)", e.get("d", ""))
        assert m
        tips.append((float(m.group(1)), float(m.group(2))))
    return tips


def test_sequence_arrows_point_from_sender_to_receiver():
    svg = draw("sequenceDiagram\n    participant A as Client\n    participant B as Server\n    A->>B: request\n    B-->>A: reply")
    lifelines = sorted(float(re.match(r"M([\d.]+)", e.get("d", "")).group(1)) for e in by_class(svg, "dg-life"))  # type: ignore[union-attr]
    (tip1, y1), (tip2, y2) = _head_tips(svg)
    assert abs(tip1 - lifelines[1]) < 4 and abs(tip2 - lifelines[0]) < 4 and y1 < y2
    assert len([e for e in by_class(svg, "dg-msg") if e.get("stroke-dasharray")]) == 1  # the reply is dashed


def test_flowchart_heads_sit_at_the_receiver():
    svg = draw('flowchart TB\n    A["Sender"] --> B["Receiver"]\n    C["Both"] <--> B')
    tips = _head_tips(svg)
    assert len(tips) == 3  # one for A -> B, two for C <-> B


def test_notes_and_alternatives_are_drawn():
    source = mermaid.candidate_flow(
        "Client A -> Chat server: send\n"
        "note Chat server: assigns the message id\n"
        "if B is offline:\n"
        "Chat server -> Push: notify B\n"
        "else\n"
        "Chat server -> Client B: deliver\n"
        "end\n"
        "Chat server --> Client A: ack"
    )
    assert source is not None and mermaid.check_mermaid(source) == []
    assert "alt B is offline" in source and "Note over" in source
    seq = parse_sequence(source)
    assert [(i.kind, i.keyword) for i in seq.items if isinstance(i, Block)] == [("open", "alt"), ("branch", "else"), ("end", "")]
    svg = draw(source)
    shown = texts(svg)
    assert "alt" in shown and "[B is offline]" in shown and "assigns the message id" in shown
    assert by_class(svg, "dg-note") and by_class(svg, "dg-block")


def test_unbalanced_blocks_in_an_answer_stay_well_formed():
    source = mermaid.candidate_flow("else\nA -> B: x\nalt one\nalt two\nB -> A: y\nend")
    assert source is not None and mermaid.check_mermaid(source) == []
    draw(source)


def test_what_mermaid_escapes_is_drawn_as_itself():
    source = mermaid.sequence(
        [("a", 'Client "A"; <b>')], [mermaid.Message("a", "b", "send {to: B}; 100% & <script>alert(1)</script> #1")]
    )
    assert "#quot;" in source and "#59;" in source
    svg = draw(source)
    assert "<script" not in svg and "<b>" not in svg
    shown = "\n".join(texts(svg))
    assert 'Client "A"; <b>' in shown and "send {to: B}; 100% & <script>alert(1)</script> #1" in shown.replace("\n", " ")


def test_decode_reads_mermaid_entities():
    assert decode("#quot;a#59; b#35;c #123;#125; #lt;x#gt; #amp;") == '"a; b#c {} <x> &'
    assert decode("#notanentity; #1114112;") == "#notanentity; #1114112;"


def test_a_diagram_type_not_drawn_is_an_error():
    with pytest.raises(DiagramError):
        draw("pie\n    title Pets\n")


def test_long_text_wraps_instead_of_widening():
    long = "word " * 200
    svg = draw(mermaid.sequence([("a", "A"), ("b", "B")], [mermaid.Message("a", "b", long)]))
    assert size(svg)[0] <= MAX_WIDTH + 1
    assert len(texts(svg)) > 3


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_text, _text, _text, st.booleans()), min_size=1, max_size=6))
def test_any_text_draws_a_well_formed_svg(hops):
    messages = [mermaid.Message(a or "x", b or "y", msg, reply) for a, b, msg, reply in hops]
    svg = draw(mermaid.sequence([], messages))
    parsed(svg)  # well-formed XML: every character escaped or dropped
    assert not any(e.tag.endswith("script") for e in parsed(svg).iter())


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_text, _text, st.one_of(st.none(), _text)), min_size=1, max_size=8))
def test_any_flowchart_draws_and_merges_its_edges(edges):
    nodes = [mermaid.Node(n or "n") for a, b, _ in edges for n in (a, b)]
    source = mermaid.flowchart(nodes, [(a or "n", b or "n", label) for a, b, label in edges], "TB", grouped=True)
    chart = parse_flowchart(source)
    pairs = {frozenset((e.source, e.target)) for e in chart.edges if e.source != e.target}
    assert len(merge_edges(chart)) == len(pairs)
    parsed(draw(source))
