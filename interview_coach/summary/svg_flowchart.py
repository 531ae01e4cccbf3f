"""Flowcharts (the architecture diagrams) drawn as SVG, laid out in layers by grandalf.

The ranks (which layer a component sits in) are ours: a flowchart's subgraphs are its tiers
(clients, edge, servers, async workers, data stores, ...) and each tier takes its own band of
layers, in the order the subgraphs are declared; inside a tier a component that another one
calls sits a layer further on. Everything else — the order inside each layer that keeps
crossings few, the routing of long edges through the layers between, the coordinates — is
grandalf's Sugiyama layout. Every edge also gets a layer of its own between its two ends,
where its label is placed as a node of its size, so labels never sit on top of components
or of each other. An edge given both ways (`a --> b`, `b --> a`, or `a <--> b`) is drawn once
with a head at each end.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from interview_coach.summary import svgtext as t
from interview_coach.summary.diagram import Edge, Flowchart, Node
from interview_coach.summary.svg_parts import Canvas, arrowhead, el

FONT = 13.0
LINE = 16.0
LABEL_FONT = 11.0
LABEL_LINE = 14.0
NODE_TEXT = 118.0  # a component's name wraps inside this width
EDGE_TEXT = 100.0  # an edge's label wraps inside this width
GAP_IN_LAYER = 14.0
GAP_LAYERS = 14.0
PAD = 12.0
TIER_PAD = 10.0
TIER_CAPTION = 16.0  # room at the start of a band for the tier's name


@dataclass
class _Edge:
    source: str
    target: str
    label: str
    head_at_target: bool
    head_at_source: bool
    dashed: bool


@dataclass
class _Placed:
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0
    lines: list[str] = field(default_factory=list)


def merge_edges(chart: Flowchart) -> list[_Edge]:
    """One edge per pair of components: the two directions of a pair become heads at both ends."""
    merged: dict[frozenset[str], _Edge] = {}
    for e in chart.edges:
        if e.source == e.target:
            continue
        key = frozenset((e.source, e.target))
        same = (e.source, e.target)
        if key not in merged:
            merged[key] = _Edge(e.source, e.target, e.label, e.end_head, e.start_head, e.dashed)
            continue
        m = merged[key]
        forward = (m.source, m.target) == same
        m.head_at_target |= e.end_head if forward else e.start_head
        m.head_at_source |= e.start_head if forward else e.end_head
        if e.label and e.label not in m.label:
            m.label = f"{m.label} / {e.label}" if m.label else e.label
    out = list(merged.values())
    # A label already said on another edge into the same component, or out of the same one, is
    # not repeated: two clients' "WebSocket upgrade" to one load balancer are labelled once.
    said: set[tuple[str, str, str]] = set()
    for m in out:
        if not m.label:
            continue
        keys = {("to", m.target, m.label), ("from", m.source, m.label)}
        if keys & said:
            m.label = ""
        said |= keys
    return out


def tiers(chart: Flowchart) -> list[tuple[str, list[str]]]:
    """(name, node ids) per tier in drawing order; nodes in no subgraph make a last, unnamed tier."""
    out = [(g.label, [n for n in g.nodes if n in chart.nodes]) for g in chart.groups]
    out = [(name, nodes) for name, nodes in out if nodes]
    grouped = {n for _, nodes in out for n in nodes}
    rest = [n for n in chart.nodes if n not in grouped]
    if rest:
        out.append(("", rest))
    return out


def ranks(chart: Flowchart, edges: list[_Edge]) -> dict[str, int]:
    """The layer of each node: tiers in order, and inside a tier the longest path of its own edges."""
    rank: dict[str, int] = {}
    offset = 0
    for _, nodes in tiers(chart):
        inside = set(nodes)
        succ: dict[str, list[str]] = {n: [] for n in nodes}
        for e in edges:
            if e.source in inside and e.target in inside:
                a, b = (e.target, e.source) if e.head_at_source and not e.head_at_target else (e.source, e.target)
                succ[a].append(b)
        depth = _longest_paths(nodes, succ)
        for n in nodes:
            rank[n] = offset + depth[n]
        offset += max(depth.values()) + 1
    return rank


def _longest_paths(nodes: list[str], succ: dict[str, list[str]]) -> dict[str, int]:
    """Longest-path layering of a small graph; edges that close a cycle (found by DFS) are ignored."""
    order: list[str] = []
    state: dict[str, int] = {}
    back: set[tuple[str, str]] = set()

    def visit(n: str) -> None:
        state[n] = 1
        for m in succ[n]:
            if state.get(m) == 1:
                back.add((n, m))
            elif m not in state:
                visit(m)
        state[n] = 2
        order.append(n)

    for n in nodes:
        if n not in state:
            visit(n)
    depth = dict.fromkeys(nodes, 0)
    for n in reversed(order):
        for m in succ[n]:
            if (n, m) not in back:
                depth[m] = max(depth[m], depth[n] + 1)
    return depth


def render(chart: Flowchart, label: str | None = None) -> str:
    """The flowchart at its natural size (a page scales a wide one down to fit its width)."""
    from grandalf.graphs import Edge as GEdge
    from grandalf.graphs import Vertex

    horizontal = chart.direction in ("LR", "RL")
    edges = merge_edges(chart)
    rank = {n: 2 * r for n, r in ranks(chart, edges).items()}  # odd layers hold the edges' labels
    tier_list = tiers(chart)
    named_tiers = any(name for name, _ in tier_list)

    placed: dict[Any, _Placed] = {}
    vertices: dict[str, Any] = {}
    for node in chart.nodes.values():
        lines = t.wrap(node.label or " ", NODE_TEXT, FONT, 4)
        w = max(t.block_width(lines, FONT) + 28, 80.0)
        h = len(lines) * LINE + (26 if node.shape == "cylinder" else 16)
        v = Vertex(node.id)
        v.view = _View(h, w) if horizontal else _View(w, h)  # grandalf lays out top to bottom
        vertices[node.id] = v
        placed[v] = _Placed(w=w, h=h, lines=lines)

    g_edges = []
    for e in edges:
        a, b = vertices[e.source], vertices[e.target]
        forward = rank[e.source] < rank[e.target]
        ge = GEdge(a, b) if forward else GEdge(b, a)
        ge.view = _EdgeView()
        ge.info = e
        g_edges.append(ge)
    components = _components(list(vertices.values()), g_edges)

    label_boxes: dict[Any, _Placed] = {}
    layer_pos: dict[Any, tuple[int, float]] = {}  # vertex or dummy -> (global rank, in-layer coordinate)
    cursor = 0.0
    for component in components:
        base = min(rank[v.data] for v in component.sV)
        layout = _FixedRanks(component, {v: rank[v.data] - base for v in component.sV})
        layout.xspace, layout.yspace = GAP_IN_LAYER, GAP_LAYERS
        layout.init_all(roots=[], inverted_edges=[])
        for e in component.sE:
            dummies = layout.ctrls.get(e, {})
            inner = sorted(r for r in dummies if dummies[r] not in (e.v[0], e.v[1]))
            for r in inner:
                dummies[r].view.w, dummies[r].view.h = (4.0, 2.0)
            info: _Edge = e.info
            if info.label and inner:
                mid = inner[len(inner) // 2] if len(inner) % 2 else inner[len(inner) // 2 - 1]
                if mid % 2 == 0 and mid + 1 in inner:
                    mid += 1
                lines = t.wrap(info.label, EDGE_TEXT, LABEL_FONT, 4)
                w, h = t.block_width(lines, LABEL_FONT) + 10, len(lines) * LABEL_LINE + 6
                dv = dummies[mid]
                dv.view.w, dv.view.h = (h, w) if horizontal else (w, h)
                label_boxes[dv] = _Placed(w=w, h=h, lines=lines)
        layout.draw(3)
        lo = min(v.view.xy[0] - v.view.w / 2 for layer in layout.layers for v in layer)
        hi = max(v.view.xy[0] + v.view.w / 2 for layer in layout.layers for v in layer)
        for r, layer in enumerate(layout.layers):
            for v in layer:
                layer_pos[v] = (r + base, v.view.xy[0] - lo + cursor)
        cursor += hi - lo + 3 * GAP_IN_LAYER
        for e in component.sE:
            e.info_path = [
                e.v[0],
                *[layout.ctrls[e][r] for r in sorted(layout.ctrls.get(e, {})) if layout.ctrls[e][r] not in e.v],
                e.v[1],
            ]

    # Layer coordinates from the global ranks, so every component's tiers line up.
    thickness: dict[int, float] = {}
    for v, (r, _) in layer_pos.items():
        thickness[r] = max(thickness.get(r, 0.0), v.view.h)
    top_rank = max(thickness) if thickness else 0
    across: dict[int, float] = {}
    tier_starts = {min(rank[n] for n in nodes) for _, nodes in tier_list if nodes}
    pos = PAD + (24.0 if horizontal and named_tiers else TIER_CAPTION if named_tiers else 0.0)
    for r in range(top_rank + 1):
        size = thickness.get(r, 0.0)
        across[r] = pos + size / 2
        pos += size + (GAP_LAYERS if size else 0.0) + (2 * TIER_PAD if r % 2 == 0 else 0.0)
        if named_tiers and not horizontal and r + 1 in tier_starts:
            pos += TIER_CAPTION
    extent_layers = pos + PAD
    offset_in = PAD
    extent_in = cursor - 3 * GAP_IN_LAYER + offset_in + PAD

    def xy(v: Any) -> tuple[float, float]:
        r, p = layer_pos[v]
        return (across[r], p + offset_in) if horizontal else (p + offset_in, across[r])

    width, height = (extent_layers, extent_in) if horizontal else (extent_in, extent_layers)
    canvas = Canvas()
    back = []
    if named_tiers:
        for name, nodes in tier_list:
            if not nodes:
                continue
            first, last = min(rank[n] for n in nodes), max(rank[n] for n in nodes)
            lo = across[first] - thickness.get(first, 0) / 2 - TIER_PAD - (0.0 if horizontal else TIER_CAPTION)
            hi = across[last] + thickness.get(last, 0) / 2 + TIER_PAD
            if horizontal:
                back.append(_tier_band(lo, PAD / 2, hi - lo, height - PAD, name, horizontal))
            else:
                back.append(_tier_band(PAD / 2, lo, width - PAD, hi - lo, name, horizontal))

    paths = {ge: [xy(v) for v in ge.info_path] for ge in g_edges}
    ports = _ports(g_edges, paths, placed, horizontal)
    for ge in g_edges:
        path = paths[ge]
        _draw_edge(canvas, ge.info, ge.v[0].data, [ports[(ge, 0)], *path[1:-1], ports[(ge, 1)]], horizontal)
    for dv, box in label_boxes.items():
        x, y = xy(dv)
        canvas.rect(x - box.w / 2, y - box.h / 2, box.w, box.h, cls="dg-label-bg", rx=3)
        for k, line in enumerate(box.lines):
            canvas.text(x, y - box.h / 2 + 3 + 11 + k * LABEL_LINE, line, anchor="middle", size=LABEL_FONT, italic=True)
    for node in chart.nodes.values():
        v = vertices[node.id]
        x, y = xy(v)
        box = placed[v]
        _draw_node(canvas, node, x, y, box)
    return canvas.svg(width, height, "".join(back), label=label or "Architecture diagram")


def _components(vertices: list[Any], edges: list[Any]) -> list[Any]:
    """The connected parts of the graph as grandalf graphs, vertices and edges in our order.

    (grandalf's own `Graph` gathers a part's edges in a set, whose order changes from run to
    run, and so would the drawing; the same input must always give the same file.)
    """
    from grandalf.graphs import graph_core

    index = {v: i for i, v in enumerate(vertices)}
    parent = list(range(len(vertices)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for e in edges:
        a, b = find(index[e.v[0]]), find(index[e.v[1]])
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[int, tuple[list[Any], list[Any]]] = {}
    for v in vertices:
        groups.setdefault(find(index[v]), ([], []))[0].append(v)
    for e in edges:
        groups[find(index[e.v[0]])][1].append(e)
    return [graph_core(vs, es) for vs, es in groups.values()]


class _View:
    def __init__(self, w: float, h: float) -> None:
        self.w, self.h = w, h
        self.xy = (0.0, 0.0)


class _EdgeView:
    def setpath(self, points: list[tuple[float, float]]) -> None:
        self.points = points


def _fixed_ranks_class() -> type:
    from grandalf.layouts import Layer, SugiyamaLayout

    class FixedRanks(SugiyamaLayout):
        """grandalf's Sugiyama layout with the layers given instead of computed."""

        def __init__(self, g: Any, fixed: dict[Any, int]) -> None:
            super().__init__(g)
            self._fixed = fixed

        def rank_all(self, roots: Any, optimize: bool = False) -> None:
            self._edge_inverter()
            for v in sorted(self.g.sV, key=lambda v: (self._fixed[v], str(v.data))):
                r = self._fixed[v]
                self.grx[v].rank = r
                while len(self.layers) <= r:
                    self.layers.append(Layer([]))
                self.layers[r].append(v)
            self._edge_inverter()

        def init_all(self, roots: Any = None, inverted_edges: Any = None, optimize: bool = False) -> None:
            super().init_all(roots=roots, inverted_edges=inverted_edges, optimize=optimize)
            # Layers left empty by the ranks (none are, in a connected graph whose long edges got
            # dummies, but a lone node may skip some) are dropped, keeping the order of the rest.

    return FixedRanks


def _FixedRanks(g: Any, fixed: dict[Any, int]) -> Any:
    return _fixed_ranks_class()(g, fixed)


def _tier_band(x: float, y: float, w: float, h: float, name: str, horizontal: bool) -> str:
    parts = [el("rect", cls="dg-tier", x=x, y=y, width=w, height=h, rx=6.0, fill="#f6f8fa", stroke="#d1d9e0")]
    label = {"cls": "dg-tier-label", "font_size": 12.0, "font_weight": 600, "fill": "#59636e"}
    if name and horizontal:
        for k, line in enumerate(t.wrap(name, max(w - 12, 40), 12, 2)):
            parts.append(el("text", line, x=x + w / 2, y=y + 15.0 + k * 14, text_anchor="middle", **label))
    elif name:
        parts.append(el("text", t.wrap(name, max(w - 16, 40), 12, 1)[0], x=x + 8, y=y + 14, **label))
    return "".join(parts)


def _ports(
    g_edges: list[Any], paths: dict[Any, list[tuple[float, float]]], placed: dict[Any, _Placed], horizontal: bool
) -> dict[tuple[Any, int], tuple[float, float]]:
    """Where each edge leaves and enters its nodes: spread along the side facing the next layer,
    in the order of where the edges go, so edges do not all meet in one point."""
    sides: dict[tuple[Any, int], list[tuple[float, Any, int]]] = {}
    for ge in g_edges:
        path = paths[ge]
        for end, (node_v, here, there) in enumerate(((ge.v[0], path[0], path[1]), (ge.v[1], path[-1], path[-2]))):
            axis = 0 if horizontal else 1
            side = 1 if there[axis] > here[axis] else -1
            sides.setdefault((node_v, side), []).append((there[1 - axis], ge, end))
    ports: dict[tuple[Any, int], tuple[float, float]] = {}
    for (node_v, side), items in sides.items():
        items.sort(key=lambda item: item[0])
        box = placed[node_v]
        cx, cy = paths[items[0][1]][0 if items[0][2] == 0 else -1]
        span = (box.h if horizontal else box.w) * 0.6
        step = min(16.0, span / max(len(items) - 1, 1))
        for k, (_, ge, end) in enumerate(items):
            shift = (k - (len(items) - 1) / 2) * step
            if horizontal:
                ports[(ge, end)] = (cx + side * box.w / 2, cy + shift)
            else:
                ports[(ge, end)] = (cx + shift, cy + side * box.h / 2)
    return ports


def _draw_edge(canvas: Canvas, info: _Edge, first_id: str, points: list[tuple[float, float]], horizontal: bool) -> None:
    a, b = points[0], points[-1]
    d = [f"M{t.num(a[0])},{t.num(a[1])}"]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if horizontal:
            mx = (x0 + x1) / 2
            d.append(f"C{t.num(mx)},{t.num(y0)} {t.num(mx)},{t.num(y1)} {t.num(x1)},{t.num(y1)}")
        else:
            my = (y0 + y1) / 2
            d.append(f"C{t.num(x0)},{t.num(my)} {t.num(x1)},{t.num(my)} {t.num(x1)},{t.num(y1)}")
    canvas.path(" ".join(d), cls="dg-edge", dashed=info.dashed)
    # Heads: at the drawn end that is the edge's target, and at its source when it goes both ways.
    drawn_forward = first_id == info.source
    head_end = info.head_at_target if drawn_forward else info.head_at_source
    head_start = info.head_at_source if drawn_forward else info.head_at_target
    if head_end:
        canvas.raw(arrowhead(b[0], b[1], *_direction(points[-2], b, horizontal)))
    if head_start:
        canvas.raw(arrowhead(a[0], a[1], *_direction(points[1], a, horizontal)))


def _direction(p: tuple[float, float], q: tuple[float, float], horizontal: bool) -> tuple[float, float]:
    """The direction an edge arrives at q from p (the curves leave and arrive along the layer axis)."""
    if horizontal:
        return (1.0 if q[0] >= p[0] else -1.0, 0.0)
    return (0.0, 1.0 if q[1] >= p[1] else -1.0)


def _polygon(points: list[tuple[float, float]]) -> str:
    return "M" + " L".join(f"{t.num(x)},{t.num(y)}" for x, y in points) + " Z"


def _draw_node(canvas: Canvas, node: Node, x: float, y: float, box: _Placed) -> None:
    w, h = box.w, box.h
    x0, y0 = x - w / 2, y - h / 2
    shape = node.shape
    if shape == "cylinder":
        ry = 6.0
        d = (
            f"M{t.num(x0)},{t.num(y0 + ry)} A{t.num(w / 2)},{t.num(ry)} 0 0 1 {t.num(x0 + w)},{t.num(y0 + ry)} "
            f"V{t.num(y0 + h - ry)} A{t.num(w / 2)},{t.num(ry)} 0 0 1 {t.num(x0)},{t.num(y0 + h - ry)} Z "
            f"M{t.num(x0)},{t.num(y0 + ry)} A{t.num(w / 2)},{t.num(ry)} 0 0 0 {t.num(x0 + w)},{t.num(y0 + ry)}"
        )
        canvas.path(d, cls="dg-node", fill="#ffffff")
        text_top = y0 + 2 * ry + 4
    elif shape == "hexagon":
        k = min(14.0, w / 5)
        d = _polygon([(x0 + k, y0), (x0 + w - k, y0), (x0 + w, y), (x0 + w - k, y0 + h), (x0 + k, y0 + h), (x0, y)])
        canvas.path(d, cls="dg-node", fill="#ffffff")
        text_top = y0 + 8
    elif shape == "flag":
        d = _polygon([(x0, y0), (x0 + w, y0), (x0 + w, y0 + h), (x0, y0 + h), (x0 + 12, y)])
        canvas.path(d, cls="dg-node", fill="#ffffff")
        text_top = y0 + 8
    elif shape == "diamond":
        d = _polygon([(x, y0 - 8), (x0 + w + 8, y), (x, y0 + h + 8), (x0 - 8, y)])
        canvas.path(d, cls="dg-node", fill="#ffffff")
        text_top = y0 + 8
    else:
        rx = {"stadium": h / 2, "round": 10.0, "circle": h / 2}.get(shape, 4.0)
        canvas.rect(x0, y0, w, h, cls="dg-node", rx=rx)
        if shape == "subroutine":
            canvas.path(
                f"M{t.num(x0 + 6)},{t.num(y0)} V{t.num(y0 + h)} M{t.num(x0 + w - 6)},{t.num(y0)} V{t.num(y0 + h)}",
                cls="dg-node-line",
            )
        text_top = y0 + 8
    for k, line in enumerate(box.lines):
        canvas.text(x, text_top + 12 + k * LINE, line, anchor="middle")


__all__ = ["Edge", "merge_edges", "ranks", "render", "tiers"]
