"""Mermaid source read back into plain data, so one source gives both the Markdown block and the drawing.

Every diagram of a document is built as Mermaid (`mermaid.py`); the HTML and SVG outputs draw
it from that same source (`svg_sequence.py`, `svg_flowchart.py`), so the picture and the
source shown under it cannot disagree. This reads the parts of the two grammars we write and
the common hand-written forms: sequence diagrams with participants, messages, replies, notes
and alt/opt/loop/par/critical/break blocks; flowcharts with shaped nodes, labelled edges
(one-way or both ways) and subgraphs. Mermaid's `#code;` entities are decoded here, so the
drawings show the characters themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.entities import html5

# ---------------------------------------------------------------- text

_ENTITY = re.compile(r"#(\d+|[A-Za-z]+);")
_BR = re.compile(r"<br\s*/?>", re.I)


def decode(text: str) -> str:
    """Mermaid label text as people read it: `#59;` is ';', `#quot;` is '"', `<br>` a line break."""

    def one(m: re.Match[str]) -> str:
        code = m.group(1)
        if code.isdigit():
            value = int(code)
            return chr(value) if 0 < value < 0x110000 else m.group(0)
        return html5.get(f"{code};", m.group(0))

    return _BR.sub("\n", _ENTITY.sub(one, text))


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    return decode(text)


class DiagramError(ValueError):
    """A diagram we cannot draw (an unknown type, or a line we cannot read)."""


def kind_of(source: str) -> str:
    for line in source.splitlines():
        line = line.strip()
        if line and not line.startswith("%%"):
            return line.split()[0]
    return ""


# ---------------------------------------------------------------- sequence diagrams


@dataclass
class Message:
    source: str
    target: str
    text: str
    reply: bool = False  # a dotted line: an answer to an earlier message
    head: str = "arrow"  # arrow, open, cross, async
    both: bool = False  # <<->> : arrowheads at both ends


@dataclass
class Note:
    over: list[str]
    place: str  # over, left, right
    text: str


@dataclass
class Block:
    """The start of a block (`alt`, `loop`, ...), a branch of one (`else`, `and`, `option`) or its `end`."""

    kind: str  # open, branch, end
    keyword: str = ""
    label: str = ""


@dataclass
class Sequence:
    title: str | None = None
    participants: list[tuple[str, str]] = field(default_factory=list)  # (id, shown name) left to right
    items: list[Message | Note | Block] = field(default_factory=list)


_SEQ_ARROW = re.compile(
    r"^(?P<a>[^\s:;+\-<>]+?)\s*(?P<arrow><<-->>|<<->>|-->>|->>|--x|-x|--\)|-\)|-->|->)\s*[+-]?(?P<b>[^\s:;]+?)\s*:(?P<text>.*)$"
)
_PARTICIPANT = re.compile(r"^(?:participant|actor)\s+(?P<id>\S+?)(?:\s+as\s+(?P<alias>.+))?$")
_NOTE = re.compile(r"^note\s+(?P<place>over|left of|right of)\s+(?P<who>[^:]+):(?P<text>.*)$", re.I)
_OPENERS = ("alt", "opt", "loop", "par", "critical", "break", "rect", "box")
_BRANCHES = ("else", "and", "option")


def parse_sequence(source: str) -> Sequence:
    seq = Sequence()
    known: dict[str, str] = {}

    def declare(pid: str, name: str | None = None) -> None:
        if pid not in known:
            known[pid] = name if name is not None else pid
            seq.participants.append((pid, known[pid]))

    for n, raw in enumerate(source.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("%%") or line == "sequenceDiagram":
            continue
        word = line.split()[0]
        lowered = word.lower()
        if lowered in ("autonumber", "activate", "deactivate") or word.startswith(("accTitle", "accDescr")):
            continue
        if lowered == "title" or word.startswith("title:"):
            seq.title = decode(line[5:].lstrip(" :"))
            continue
        if lowered in ("participant", "actor"):
            m = _PARTICIPANT.match(line)
            if not m:
                raise DiagramError(f"line {n}: cannot read participant {line!r}")
            declare(m.group("id"), decode(m.group("alias") or m.group("id")))
            continue
        if lowered == "note":
            m = _NOTE.match(line)
            if not m:
                raise DiagramError(f"line {n}: cannot read note {line!r}")
            who = [w.strip() for w in m.group("who").split(",") if w.strip()]
            for pid in who:
                declare(pid)
            place = m.group("place").lower().split()[0]
            seq.items.append(Note(who, place, decode(m.group("text").strip())))
            continue
        if lowered in _OPENERS:
            seq.items.append(Block("open", lowered, decode(line[len(word) :].strip())))
            continue
        if lowered in _BRANCHES:
            seq.items.append(Block("branch", lowered, decode(line[len(word) :].strip())))
            continue
        if lowered == "end":
            seq.items.append(Block("end"))
            continue
        m = _SEQ_ARROW.match(line)
        if not m:
            raise DiagramError(f"line {n}: cannot read {line!r}")
        a, b, arrow = m.group("a"), m.group("b"), m.group("arrow")
        declare(a)
        declare(b)
        head = "cross" if arrow.endswith("x") else "async" if arrow.endswith(")") else "arrow" if arrow.endswith(">>") else "open"
        seq.items.append(
            Message(
                a,
                b,
                decode(m.group("text").strip()),
                reply=arrow.startswith("--") or "-->>" in arrow,
                head=head,
                both=arrow.startswith("<<"),
            )
        )
    return seq


# ---------------------------------------------------------------- flowcharts


@dataclass
class Node:
    id: str
    label: str
    shape: str = "rect"  # rect, round, stadium, hexagon, cylinder, subroutine, flag, circle, diamond


@dataclass
class Edge:
    source: str
    target: str
    label: str = ""
    start_head: bool = False
    end_head: bool = True
    dashed: bool = False


@dataclass
class Group:
    id: str
    label: str
    nodes: list[str] = field(default_factory=list)


@dataclass
class Flowchart:
    direction: str = "TB"
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)

    def group_of(self, node_id: str) -> Group | None:
        for g in self.groups:
            if node_id in g.nodes:
                return g
        return None


# (opener, closer, shape), longest openers first so `([` is not read as `(`.
_SHAPES = (
    ("(((", ")))", "circle"),
    ("([", "])", "stadium"),
    ("[(", ")]", "cylinder"),
    ("[[", "]]", "subroutine"),
    ("{{", "}}", "hexagon"),
    ("((", "))", "circle"),
    ("[/", "/]", "rect"),
    ("[\\", "\\]", "rect"),
    ("[", "]", "rect"),
    ("(", ")", "round"),
    ("{", "}", "diamond"),
    (">", "]", "flag"),
)
_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*?(?=[\s\[\](){}<>|&:;\-=.~]|$)|[A-Za-z0-9_]+")
_LINK = re.compile(r"\s*(?P<start><)?(?P<body>-{2,}|={2,}|-\.+-|~~~)(?P<end>[>ox])?(?:\|(?P<label>[^|]*)\|)?\s*")
_LINK_TEXT = re.compile(
    r"\s*(?P<start><)?(?P<open>--|==|-\.)\s*(?P<label>[^->=|][^|]*?)\s*(?P<body>-{2,}|={2,}|\.-+)(?P<end>[>ox])?\s*"
)


def _read_node(line: str, pos: int) -> tuple[str, Node | None, int]:
    """An id at `pos` with its optional shape and label; returns (id, node or None, new pos)."""
    m = _ID.match(line, pos)
    if not m:
        raise DiagramError(f"expected a node id at {line[pos : pos + 20]!r}")
    node_id, pos = m.group(0), m.end()
    for opener, closer, shape in _SHAPES:
        if line.startswith(opener, pos):
            start = pos + len(opener)
            if line.startswith('"', start):  # a quoted label may hold any closer
                q = line.find('"', start + 1)
                if q < 0:
                    raise DiagramError("unclosed quote")
                label, end = line[start : q + 1], q + 1
                if not line.startswith(closer, end):
                    raise DiagramError(f"expected {closer!r} after the label of {node_id}")
                end += len(closer)
            else:
                close = line.find(closer, start)
                if close < 0:
                    raise DiagramError(f"unclosed shape of {node_id}")
                label, end = line[start:close], close + len(closer)
            pos = end
            return node_id, Node(node_id, _unquote(label), shape), _skip_class(line, pos)
    return node_id, None, _skip_class(line, pos)


def _skip_class(line: str, pos: int) -> int:
    """Past a `:::className` suffix, if there is one."""
    if not line.startswith(":::", pos):
        return pos
    cls = _ID.match(line, pos + 3)
    return cls.end() if cls else pos + 3


def parse_flowchart(source: str) -> Flowchart:
    chart = Flowchart()
    stack: list[Group] = []

    def add(node_id: str, node: Node | None) -> None:
        if node is not None and (node_id not in chart.nodes or chart.nodes[node_id].label == node_id):
            chart.nodes[node_id] = node
        elif node_id not in chart.nodes:
            chart.nodes[node_id] = Node(node_id, node_id)
        if stack and chart.group_of(node_id) is None:
            stack[-1].nodes.append(node_id)

    for n, raw in enumerate(source.splitlines(), 1):
        line = raw.strip().rstrip(";")
        if not line or line.startswith("%%"):
            continue
        word = line.split()[0]
        if word in ("flowchart", "graph"):
            parts = line.split()
            chart.direction = {"TD": "TB"}.get(parts[1], parts[1]) if len(parts) > 1 else "TB"
            continue
        if word == "subgraph":
            rest = line[len("subgraph") :].strip()
            m = re.match(r"^(?P<id>[A-Za-z0-9_]+)\s*\[(?P<label>.*)\]$", rest)
            group = (
                Group(m.group("id"), _unquote(m.group("label")))
                if m
                else Group(rest or f"group{len(chart.groups)}", _unquote(rest))
            )
            chart.groups.append(group)
            stack.append(group)
            continue
        if word == "end":
            if stack:
                stack.pop()
            continue
        if word in ("direction", "classDef", "class", "style", "linkStyle", "click"):
            continue
        try:
            pos = 0
            prev, node, pos = _read_node(line, pos)
            add(prev, node)
            while pos < len(line):
                m = _LINK_TEXT.match(line, pos) or _LINK.match(line, pos)  # `a -- text --> b` first
                if not m or m.end() == pos:
                    raise DiagramError(f"unexpected {line[pos : pos + 20]!r}")
                pos = m.end()
                targets = []
                while True:
                    target, node, pos = _read_node(line, pos)
                    add(target, node)
                    targets.append(target)
                    amp = re.match(r"\s*&\s*", line[pos:])
                    if not amp:
                        break
                    pos += amp.end()
                body = m.group("body")
                for target in targets:
                    chart.edges.append(
                        Edge(
                            prev,
                            target,
                            _unquote(m.group("label") or ""),
                            start_head=bool(m.group("start")),
                            end_head=bool(m.group("end")) and m.group("end") != "o",
                            dashed="." in body,
                        )
                    )
                prev = targets[-1]
                pos = len(line) - len(line[pos:].lstrip())
        except DiagramError as exc:
            raise DiagramError(f"line {n}: {exc}") from None
    return chart
