"""Mermaid diagrams built from content and from what a candidate typed, and a checker for them.

Everything that reaches a diagram from outside (a component's name, a flow's message, a line
a candidate wrote) goes through `text()`, which turns the characters Mermaid gives a meaning
to into its `#code;` entities, and every node or participant id goes through `ids`, so no
text can end a label early, start a comment, split a statement or close a Markdown fence.
`check_mermaid()` is the safety net the tests run over every block we render: it knows the
two diagram types we build well and the rest by name only.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# ---------------------------------------------------------------- text and ids

# Mermaid decodes `#name;` / `#123;` entity codes before it parses, so they are safe anywhere.
_ENTITIES = {
    "#": "#35;",  # first: every other replacement adds a '#'
    '"': "#quot;",
    ";": "#59;",  # a statement separator in both flowcharts and sequence diagrams
    "<": "#lt;",  # no HTML in labels
    ">": "#gt;",
    "&": "#amp;",
    "`": "#96;",  # a label in backticks is a Markdown string; also keeps ``` fences intact
    "|": "#124;",  # edge labels sit between pipes
    "%": "#37;",  # '%%' starts a comment
    "{": "#123;",
    "}": "#125;",
    "\\": "#92;",
}
_ENTITY_RE = re.compile("|".join(re.escape(c) for c in _ENTITIES))
_SPACE_RE = re.compile(r"\s+")

MAX_LABEL = 120

# Words the flowchart or sequence grammars treat as keywords; as a bare id they break a diagram.
RESERVED = frozenset(
    """
    end graph flowchart subgraph style classdef class click linkstyle direction default call href
    participant actor as loop alt else opt par and rect critical break note over left right of
    activate deactivate autonumber title box create destroy link links properties details
    sequencediagram option
    """.split()  # noqa: SIM905 - a block of words reads better than a list of strings
)

_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def text(value: object, limit: int = MAX_LABEL) -> str:
    """Label text that cannot break a diagram: one line, Mermaid's special characters as entities."""
    flat = _SPACE_RE.sub(" ", str(value)).strip()
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return _ENTITY_RE.sub(lambda m: _ENTITIES[m.group(0)], flat) or " "


def valid_id(node_id: str) -> bool:
    return bool(_ID_RE.match(node_id)) and node_id.lower() not in RESERVED


class Ids:
    """Hands out safe, unique, stable ids for names (the same name always gets the same id)."""

    def __init__(self) -> None:
        self._by_key: dict[str, str] = {}
        self._taken: set[str] = set()

    def __call__(self, name: str) -> str:
        key = _SPACE_RE.sub(" ", name).strip().lower()
        if key not in self._by_key:
            self._by_key[key] = self.fresh(name)
        return self._by_key[key]

    def fresh(self, name: str) -> str:
        """A new id that looks like `name` and differs from every id handed out so far."""
        base = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_") or "node"
        if not base[0].isalpha():
            base = "n_" + base
        if not valid_id(base):
            base = "n_" + base
        base = base[:40]
        candidate, n = base, 2
        while candidate.lower() in self._taken:
            candidate, n = f"{base}_{n}", n + 1
        self._taken.add(candidate.lower())
        return candidate


def _id_source(key: str, name: str) -> str:
    """What an id is made from: a card's component id as written, else the name people read."""
    return name if key.strip().lower() == name.strip().lower() else key


# ---------------------------------------------------------------- flowchart


@dataclass(frozen=True)
class Node:
    name: str
    kind: str = "service"  # client, edge, service, store, cache, queue, external
    key: str | None = None  # a stable key (a component id); the name when absent


# (open, close) around the quoted label, per kind of component.
SHAPES = {
    "client": ('(["', '"])'),  # stadium
    "edge": ('{{"', '"}}'),  # hexagon
    "service": ('["', '"]'),
    "store": ('[("', '")]'),  # cylinder
    "cache": ('[["', '"]]'),  # subroutine
    "queue": ('>"', '"]'),  # flag
    "external": ('("', '")'),  # rounded
}


# Tiers of an architecture, in the order they are drawn (top to bottom): a subgraph each.
TIERS = (
    ("clients", "Clients"),
    ("edge", "Edge"),
    ("servers", "Servers and services"),
    ("async", "Async workers"),
    ("external", "External services"),
    ("stores", "Data stores"),
)
_TIER_OF_KIND = {
    "client": "clients",
    "edge": "edge",
    "service": "servers",
    "queue": "async",
    "external": "external",
    "store": "stores",
    "cache": "stores",
}


def tier_of(node: Node, fed_by_queue: bool = False) -> str:
    """The tier of a component: by its kind, and a service fed by a queue is an async worker."""
    if node.kind == "service" and fed_by_queue:
        return "async"
    return _TIER_OF_KIND.get(node.kind, "servers")


def flowchart(
    nodes: Sequence[Node],
    edges: Iterable[tuple[str, str, str | None]],
    direction: str = "LR",
    *,
    grouped: bool = False,
) -> str:
    """A flowchart of `nodes`; `edges` are (from key, to key, label or None). Unknown keys are added as services.

    An edge given both ways is written once, `a <--> b`, with both labels. With `grouped`, the
    nodes are put in one subgraph per tier (`TIERS`), so the drawing reads in layers.
    """
    ids = Ids()
    for _, title in TIERS:
        ids.fresh(f"tier {title}")  # keep the subgraph ids free
    known: dict[str, str] = {}
    decls: dict[str, str] = {}
    all_nodes: dict[str, Node] = {}

    def declare(node: Node) -> str:
        key = node.key or node.name
        if key not in known:
            known[key] = ids.fresh(_id_source(key, node.name))
            left, right = SHAPES.get(node.kind, SHAPES["service"])
            decls[key] = f"{known[key]}{left}{text(node.name)}{right}"
            all_nodes[key] = node
        return known[key]

    for node in nodes:
        declare(node)
    merged: dict[frozenset[str], list] = {}  # pair -> [a, b, labels, both ways]
    order: list[frozenset[str]] = []
    for source, target, label in edges:
        if source not in known:
            declare(Node(source))
        if target not in known:
            declare(Node(target))
        pair = frozenset((source, target))
        if pair not in merged:
            merged[pair] = [source, target, [], False]
            order.append(pair)
        entry = merged[pair]
        if (source, target) != (entry[0], entry[1]):
            entry[3] = True
        if label and label not in entry[2]:
            entry[2].append(label)

    lines = [f"flowchart {direction}"]
    if grouped:
        queues = {k for k, n in all_nodes.items() if n.kind == "queue"}
        fed = {e[1] for e in merged.values() if e[0] in queues} | {e[0] for e in merged.values() if e[1] in queues and e[3]}
        by_tier: dict[str, list[str]] = {}
        for key, node in all_nodes.items():
            by_tier.setdefault(tier_of(node, key in fed), []).append(key)
        for tier, title in TIERS:
            if by_tier.get(tier):
                lines.append(f'    subgraph tier_{tier} ["{text(title)}"]')
                lines.extend(f"        {decls[key]}" for key in by_tier[tier])
                lines.append("    end")
    else:
        lines.extend(f"    {decl}" for decl in decls.values())
    for pair in order:
        a, b, labels, both = merged[pair]
        arrow = "<-->" if both else "-->"
        shown = " / ".join(labels)
        lines.append(f'    {known[a]} {arrow}|"{text(shown, 60)}"| {known[b]}' if shown else f"    {known[a]} {arrow} {known[b]}")
    return "\n".join(lines)


def architecture(components: Sequence[object], flows: Sequence[object] = ()) -> str:
    """The architecture flowchart of a problem card's components (id, name, kind, connects_to),
    grouped in tiers, each edge labelled with what travels along it: the component's own
    `carries` entry, else the first message a flow sends along it."""
    nodes = [Node(c.name, c.kind, c.id) for c in components]  # type: ignore[attr-defined]
    said: dict[tuple[str, str], str] = {}
    for flow in flows:
        for step in flow.steps:  # type: ignore[attr-defined]
            if not step.reply:
                said.setdefault((step.source, step.target), _gist(step.message))
    edges = []
    for c in components:
        carries = getattr(c, "carries", None) or {}
        for target in c.connects_to:  # type: ignore[attr-defined]
            edges.append((c.id, target, carries.get(target) or said.get((c.id, target))))  # type: ignore[attr-defined]
    return flowchart(nodes, edges, "TB", grouped=True)


def _gist(message: str) -> str:
    """The head of a flow's message, short enough for an edge label ("POST /v1/sessions - ..." -> "POST /v1/sessions")."""
    head = re.split(r" - | \(|; ", message, maxsplit=1)[0].strip()
    return head if len(head) <= 40 else head[:39].rstrip() + "…"


# ---------------------------------------------------------------- sequence diagrams


@dataclass(frozen=True)
class Message:
    source: str  # a participant key
    target: str
    text: str
    reply: bool = False


@dataclass(frozen=True)
class SeqNote:
    """A note over one participant (a key), between the messages."""

    over: str
    text: str


@dataclass(frozen=True)
class SeqBlock:
    """`alt`/`opt`/`loop`/`par`/`critical`/`break` opening a block, `else`/`and` a branch of it, `end` closing it."""

    keyword: str
    label: str = ""


_OPEN_BLOCKS = ("alt", "opt", "loop", "par", "critical", "break")
_BRANCH_OF = {"alt": "else", "par": "and", "critical": "option"}


def sequence(
    participants: Sequence[tuple[str, str]], messages: Iterable[Message | SeqNote | SeqBlock], title: str | None = None
) -> str:
    """A sequence diagram. `participants` are (key, shown name) in the order to draw them;
    a message or note naming an undeclared key declares it (named after the key). Blocks are
    kept balanced: a branch or `end` outside a block is dropped, a block left open is closed."""
    ids = Ids()
    head = ["sequenceDiagram"]
    if title:
        head.append(f"    title {text(title)}")
    body: list[str] = []
    declared: dict[str, str] = {}
    blocks: list[str] = []

    def declare(key: str, name: str) -> str:
        if key not in declared:
            declared[key] = ids.fresh(_id_source(key, name))
            shown = text(name, 60)
            if shown.lower() in RESERVED:  # "as end" can end a block; an entity for the first letter cannot
                shown = f"#{ord(shown[0])};{shown[1:]}"
            head.append(f"    participant {declared[key]} as {shown}" if shown.strip() else f"    participant {declared[key]}")
        return declared[key]

    for key, name in participants:
        declare(key, name)
    for item in messages:
        indent = "    " * (len(blocks) + 1)
        if isinstance(item, SeqBlock):
            word = item.keyword.lower()
            label = f" {text(item.label)}" if item.label.strip() else ""
            if word in _OPEN_BLOCKS:
                body.append(f"{indent}{word}{label}")
                blocks.append(word)
            elif blocks and word in ("else", "and", "option"):
                body.append(f"{'    ' * len(blocks)}{_BRANCH_OF.get(blocks[-1], 'else')}{label}")
            elif blocks and word == "end":
                blocks.pop()
                body.append(f"{'    ' * (len(blocks) + 1)}end")
            continue
        if isinstance(item, SeqNote):
            who = declared.get(item.over) or declare(item.over, item.over)
            body.append(f"{indent}Note over {who}: {text(item.text)}")
            continue
        a = declared.get(item.source) or declare(item.source, item.source)
        b = declared.get(item.target) or declare(item.target, item.target)
        arrow = "-->>" if item.reply else "->>"
        body.append(f"{indent}{a}{arrow}{b}: {text(item.text)}")
    while blocks:
        blocks.pop()
        body.append(f"{'    ' * (len(blocks) + 1)}end")
    return "\n".join(head + body)


def card_flow(flow: object, components: Sequence[object]) -> str:
    """A problem card's flow as a sequence diagram, participants in the order they first appear."""
    names = {c.id: c.name for c in components}  # type: ignore[attr-defined]
    order: list[str] = []
    for step in flow.steps:  # type: ignore[attr-defined]
        for end in (step.source, step.target):
            if end not in order:
                order.append(end)
    messages = [Message(s.source, s.target, s.message, s.reply) for s in flow.steps]  # type: ignore[attr-defined]
    return sequence([(k, names.get(k, k)) for k in order], messages)


# The patterns that read a candidate's own diagrams are kept as text: `re` compiles each the
# first time it is used (and keeps it), so a reference write-up, which reads none, pays nothing.
# A candidate's data flow, one hop a line: "Client -> Chat server: send message".
_HOP_RE = (
    r"^\s*(?:[-*•]|\d+[.)])?\s*(?P<a>[^:>→]+?)\s*(?P<arrow>-->|->>|->|=>|→|⟶)\s*(?P<b>[^:]+?)\s*(?::\s*(?P<msg>.*))?$"
)


def parse_hops(answer: str) -> tuple[list[Message], list[str]]:
    """The hops of a free-text data flow, and the lines that were not hops (kept as prose)."""
    hops: list[Message] = []
    rest: list[str] = []
    for line in answer.splitlines():
        if not line.strip():
            continue
        m = re.match(_HOP_RE, line)
        if m and m.group("a").strip() and m.group("b").strip():
            a, b = m.group("a").strip(), m.group("b").strip()
            hops.append(Message(a.lower(), b.lower(), (m.group("msg") or "").strip() or " ", m.group("arrow") == "-->"))
        else:
            rest.append(line.strip())
    return hops, rest


_BLOCK_LINE = r"(?i)^\s*(?:[-*•]\s*)?(?P<word>alt|opt|loop|par|critical|break|else|and|end)\b[:\s]*(?P<label>.*?)\s*$"
_IF_LINE = r"(?i)^\s*(?:[-*•]\s*)?(?P<word>if|otherwise|else)\b\s*(?P<label>[^:]*?)\s*:\s*$"
_NOTE_LINE = r"(?i)^\s*(?:[-*•]\s*)?note\s+(?:over\s+|left of\s+|right of\s+)?(?P<who>[^:]+?)\s*:\s*(?P<text>.+)$"


def flow_items(answer: str) -> tuple[list[Message | SeqNote | SeqBlock], list[str]]:
    """A data-flow answer read as a sequence: hops, notes (`note Chat server: ...`) and
    alternatives (`alt B offline` / `if B is offline:` ... `else` ... `end`), and the prose left over."""
    items: list[Message | SeqNote | SeqBlock] = []
    rest: list[str] = []
    for line in answer.splitlines():
        if not line.strip():
            continue
        if (m := re.match(_IF_LINE, line)) or (m := re.match(_BLOCK_LINE, line)):
            word = m.group("word").lower()
            word = {"if": "alt", "otherwise": "else"}.get(word, word)
            items.append(SeqBlock(word, m.group("label")))
            continue
        if m := re.match(_NOTE_LINE, line):
            items.append(SeqNote(m.group("who").strip().lower(), m.group("text").strip()))
            continue
        hops, other = parse_hops(line)
        items.extend(hops)
        rest.extend(other)
    return items, rest


def candidate_flow(answer: str) -> str | None:
    """A sequence diagram from the hops in a candidate's data-flow answer; None when it has none."""
    items, _ = flow_items(answer)
    hops = [i for i in items if isinstance(i, Message)]
    if not hops:
        return None
    shown: dict[str, str] = {}
    for line in answer.splitlines():
        m = re.match(_HOP_RE, line)
        if m:
            for end in (m.group("a").strip(), m.group("b").strip()):
                shown.setdefault(end.lower(), end)
    order: list[str] = []
    for hop in hops:
        for end in (hop.source, hop.target):
            if end not in order:
                order.append(end)
    return sequence([(k, shown.get(k, k)) for k in order], items)


def candidate_architecture(answer: str) -> str | None:
    """A flowchart from the arrows in a candidate's components answer ("Client -> LB -> Chat server").

    Every name on a line that has an arrow becomes a node; a line without arrows names a
    component on its own ("Redis: session registry"). None when the answer has no arrow at all.
    """
    edges: list[tuple[str, str, str | None]] = []
    nodes: dict[str, Node] = {}
    loose: list[str] = []
    for line in answer.splitlines():
        line = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s*", "", line).strip()
        if not line:
            continue
        parts = [p.strip() for p in re.split(r"\s*(?:-->|->>|->|=>|→|⟶)\s*", line)]
        if len(parts) > 1:
            # "A -> B: what" labels the edge into B with what travels along it.
            named = [(p.split(":", 1)[0].strip(), p.split(":", 1)[1].strip() if ":" in p else "") for p in parts]
            named = [(name, label) for name, label in named if name]
            for name, _ in named:
                nodes.setdefault(name.lower(), Node(name, _guess_kind(name), name.lower()))
            edges.extend((a.lower(), b.lower(), label or None) for (a, _), (b, label) in itertools.pairwise(named))
        else:
            loose.append(line.split(":", 1)[0].strip())
    if not edges:
        return None
    for name in loose:
        if name:
            nodes.setdefault(name.lower(), Node(name, _guess_kind(name), name.lower()))
    return flowchart(list(nodes.values()), edges, "TB", grouped=True)


_KIND_WORDS = (
    ("client", ("client", "app", "browser", "mobile", "user", "device")),
    ("edge", ("load balancer", "balancer", "gateway", "lb", "cdn", "proxy")),
    ("cache", ("cache", "redis", "memcache")),
    ("queue", ("queue", "kafka", "topic", "stream", "bus", "pub/sub", "pubsub")),
    ("store", ("db", "database", "cassandra", "postgres", "mysql", "sql", "store", "s3", "storage", "table")),
    ("external", ("push", "apns", "fcm", "notification", "third")),
)


def _guess_kind(name: str) -> str:
    words = name.lower()
    for kind, hints in _KIND_WORDS:
        if any(re.search(rf"(?<![a-z]){re.escape(h)}(?![a-z])", words) for h in hints):
            return kind
    return "service"


# ---------------------------------------------------------------- the checker

KNOWN_TYPES = (
    "flowchart",
    "graph",
    "sequenceDiagram",
    "classDiagram",
    "stateDiagram",
    "stateDiagram-v2",
    "erDiagram",
    "journey",
    "gantt",
    "pie",
    "mindmap",
    "timeline",
    "gitGraph",
    "quadrantChart",
    "requirementDiagram",
    "C4Context",
    "sankey-beta",
    "xychart-beta",
    "block-beta",
    "architecture-beta",
)
DIRECTIONS = ("TB", "TD", "BT", "RL", "LR")
PAIRS = {"(": ")", "[": "]", "{": "}"}

_SEQ_ARROWS = r"(?:<<-->>|<<->>|-->>|->>|-->|->|--x|-x|--\)|-\))"
_SEQ_MESSAGE = rf"^(?P<a>[^\s:;]+?)\s*{_SEQ_ARROWS}\s*[+-]?(?P<b>[^\s:;]+?)\s*:(?P<msg>.*)$"
_SEQ_PARTICIPANT = r"^(?:participant|actor)\s+(?P<id>\S+?)(?:\s+as\s+(?P<alias>.+))?$"
_SEQ_BLOCK_OPEN = ("loop", "alt", "opt", "par", "rect", "critical", "break", "box")
_SEQ_BLOCK_MID = ("else", "and", "option")

_FLOW_EDGE = r"\s*(?:<?(?:-{2,}|={2,}|-\.+-)[->ox]?|~~~)(?:\|[^|]*\|)?\s*"
_FLOW_NODE_ID = r"^(?P<id>[^\s\[\](){}>\"|:]+)(?P<shape>.*)$"


def strip_quoted(line: str) -> tuple[str, bool]:
    """The line with "quoted" parts blanked out, and whether every quote was closed."""
    out: list[str] = []
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
            out.append('"')
        else:
            out.append("_" if quoted else ch)
    return "".join(out), not quoted


def _bracket_problems(line: str) -> str | None:
    stack: list[str] = []
    for ch in line:
        if ch in PAIRS:
            stack.append(PAIRS[ch])
        elif ch in PAIRS.values() and (not stack or stack.pop() != ch):
            return f"unbalanced {ch!r}"
    if stack:
        return f"unclosed {''.join(reversed(stack))!r}"
    return None


def check_mermaid(source: str) -> list[str]:
    """Problems that would stop Mermaid drawing `source`, as `line N: what` strings; empty when well formed.

    Not Mermaid's grammar, but the mistakes that matter for what we generate: an unknown
    diagram type, unbalanced brackets or quotes, node and participant ids that are not plain
    words (or are keywords), messages between undeclared participants, and blocks left open.
    """
    lines = source.splitlines()
    numbered = [(i + 1, ln.strip()) for i, ln in enumerate(lines)]
    body = [(n, ln) for n, ln in numbered if ln and not ln.startswith("%%")]
    if not body:
        return ["line 1: empty diagram"]
    first_no, first = body[0]
    words = first.split()
    kind = words[0]
    if kind not in KNOWN_TYPES:
        return [f"line {first_no}: unknown diagram type {kind!r}"]
    problems: list[str] = []
    if kind in ("flowchart", "graph"):
        if len(words) > 1 and words[1] not in DIRECTIONS:
            problems.append(f"line {first_no}: unknown direction {words[1]!r}")
        problems += _check_flowchart(body[1:])
    elif kind == "sequenceDiagram":
        problems += _check_sequence(body[1:])
    else:  # known by name only: brackets and quotes still have to balance
        for n, ln in body[1:]:
            blank, closed = strip_quoted(ln)
            if not closed:
                problems.append(f"line {n}: unclosed quote")
            elif (bad := _bracket_problems(blank)) is not None:
                problems.append(f"line {n}: {bad}")
    return problems


def _check_flowchart(body: list[tuple[int, str]]) -> list[str]:
    problems: list[str] = []
    depth = 0
    for n, ln in body:
        blank, closed = strip_quoted(ln)
        if not closed:
            problems.append(f"line {n}: unclosed quote")
            continue
        # the flag shape `id>"label"]` opens with '>'
        if (bad := _bracket_problems(re.sub(r'(?<=[A-Za-z0-9_])>(?=")', "[", blank))) is not None:
            problems.append(f"line {n}: {bad}")
            continue
        head = blank.split()[0]
        if head == "subgraph":
            depth += 1
            continue
        if head == "end":
            depth -= 1
            if depth < 0:
                problems.append(f"line {n}: 'end' without a subgraph")
                depth = 0
            continue
        if head in ("classDef", "class", "style", "linkStyle", "click", "direction"):
            continue
        if ";" in blank.rstrip(";"):
            problems.append(f"line {n}: ';' outside a quoted label splits the statement")
        for part in re.split(_FLOW_EDGE, blank.rstrip(";")):
            part = part.strip()
            if not part:
                problems.append(f"line {n}: an edge without a node at one end")
                continue
            for piece in part.split("&"):
                m = re.match(_FLOW_NODE_ID, piece.strip())
                node_id = m.group("id") if m else piece.strip()
                if not valid_id(node_id):
                    problems.append(f"line {n}: invalid node id {node_id!r}")
                    continue
                shape = m.group("shape").strip() if m else ""
                if shape and not shape.startswith(("[", "(", "{", ">", ":::")):
                    problems.append(f"line {n}: unexpected {shape!r} after node {node_id!r}")
    if depth:
        problems.append(f"line {body[-1][0] if body else 1}: {depth} subgraph(s) left open")
    return problems


def _check_sequence(body: list[tuple[int, str]]) -> list[str]:
    problems: list[str] = []
    declared: set[str] = set()
    depth = 0
    for n, ln in body:
        first = ln.split()[0]
        if first in ("participant", "actor"):
            m = re.match(_SEQ_PARTICIPANT, ln)
            if not m or not valid_id(m.group("id")):
                problems.append(f"line {n}: invalid participant {ln!r}")
                continue
            alias = re.sub(r"#\w+;", "", m.group("alias") or "")
            if ";" in alias or "#" in alias:
                problems.append(f"line {n}: participant name has a raw ';' or '#'")
            declared.add(m.group("id"))
            continue
        if first in _SEQ_BLOCK_OPEN:
            depth += 1
            continue
        if first in _SEQ_BLOCK_MID:
            if depth == 0:
                problems.append(f"line {n}: {first!r} outside a block")
            continue
        if first == "end":
            depth -= 1
            if depth < 0:
                problems.append(f"line {n}: 'end' without a block")
                depth = 0
            continue
        if first in ("autonumber", "title") or first.startswith(("title:", "accTitle", "accDescr")):
            continue
        if first in ("activate", "deactivate"):
            who = ln.split()[1] if len(ln.split()) > 1 else ""
            if who not in declared:
                problems.append(f"line {n}: {first} of undeclared participant {who!r}")
            continue
        if first.lower() == "note":
            m = re.match(r"^[Nn]ote\s+(?:over|left of|right of)\s+([^:]+):(.*)$", ln)
            if not m:
                problems.append(f"line {n}: malformed note")
                continue
            for who in (w.strip() for w in m.group(1).split(",")):
                if who not in declared:
                    problems.append(f"line {n}: note on undeclared participant {who!r}")
            if ";" in re.sub(r"#\w+;", "", m.group(2)):
                problems.append(f"line {n}: raw ';' in a note ends the statement early")
            continue
        m = re.match(_SEQ_MESSAGE, ln)
        if not m:
            problems.append(f"line {n}: not a message, participant or block: {ln!r}")
            continue
        for who in (m.group("a"), m.group("b")):
            if not valid_id(who):
                problems.append(f"line {n}: invalid participant id {who!r}")
            elif who not in declared:
                problems.append(f"line {n}: participant {who!r} is not declared")
        msg = re.sub(r"#\w+;", "", m.group("msg"))
        if ";" in msg or "#" in msg:
            problems.append(f"line {n}: raw ';' or '#' in a message ends the statement early")
    if depth:
        problems.append(f"line {body[-1][0] if body else 1}: {depth} block(s) left open")
    return problems


# ---------------------------------------------------------------- blocks inside documents

_FENCE_RE = re.compile(r"^(?P<fence>`{3,}|~{3,})mermaid\s*$\n(?P<body>.*?)^(?P=fence)\s*$", re.M | re.S)
_PRE_RE = re.compile(r'<pre class="mermaid"[^>]*>(?P<body>.*?)</pre>', re.S)


def blocks_in_markdown(document: str) -> list[str]:
    """The source of every fenced ```mermaid block of a Markdown document."""
    return [m.group("body") for m in _FENCE_RE.finditer(document)]


def blocks_in_html(document: str) -> list[str]:
    """The source of every <pre class="mermaid"> block of an HTML document, unescaped."""
    import html

    return [html.unescape(m.group("body")) for m in _PRE_RE.finditer(document)]
