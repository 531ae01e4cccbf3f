"""Sequence diagrams drawn as SVG: participants left to right, time going down.

The layout is the sequence diagram's own (nothing to optimise: the order of the participants
and of the messages is given). Lifelines are spaced so a message's text fits between its two
ends where the width allows, and the whole drawing stays within `max_width` pixels: where it
would not, the spacing shrinks and the text wraps onto more lines instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from interview_coach.summary import svgtext as t
from interview_coach.summary.diagram import Block, Message, Note, Sequence
from interview_coach.summary.svg_parts import Canvas, arrowhead, el

FONT = 13.0
LINE = 16.0
NOTE_FONT = 12.0
NOTE_LINE = 15.0
BOX_MAX = 150.0  # a participant's name wraps inside this width
BOX_MIN = 84.0
MARGIN = 12.0
LOOP = 26.0  # how far a message to oneself reaches out to the right
LABEL_MAX = 300.0  # a message's text is laid out on one line up to this width, then wraps


@dataclass
class _Open:
    keyword: str
    label: str
    top: float
    depth: int
    branches: list[tuple[float, str]] = field(default_factory=list)
    lo: float = float("inf")
    hi: float = float("-inf")


def render(seq: Sequence, max_width: float = 880.0, label: str | None = None) -> str:
    names = [p for p, _ in seq.participants]
    if not names:
        names, seq = ["?"], Sequence(seq.title, [("?", " ")], seq.items)
    index = {p: i for i, p in enumerate(names)}
    # Many participants share the width: their names wrap narrower rather than widen the drawing.
    box_max = max(64.0, min(BOX_MAX, (max_width - 2 * MARGIN) / len(names) - 14))
    # Names are bold (wider than the table says); a crowded row gets a smaller face, not split words.
    name_size = FONT if box_max >= 110 else NOTE_FONT - 0.5
    bold = name_size * 1.08
    boxes = [t.wrap(name or " ", box_max - 14, bold, 4) for _, name in seq.participants]
    box_w = [min(box_max, max(min(BOX_MIN, box_max), t.block_width(lines, bold) + 14)) for lines in boxes]
    name_line = name_size + 3
    box_h = max(len(lines) for lines in boxes) * name_line + 14

    xs = _lifelines(seq, index, box_w, max_width, _right_room(seq, index, None, box_w))
    right_room = _right_room(seq, index, xs, box_w)
    left = min(x - w / 2 for x, w in zip(xs, box_w, strict=True))
    # Notes over a single lifeline may reach past the first box.
    left = min(
        [left]
        + [xs[index[n.over[0]]] - _note_width(n, xs, index) / 2 for n in seq.items if isinstance(n, Note) and n.place == "over"]
    )
    shift = MARGIN - left
    xs = [x + shift for x in xs]
    width = max(xs[-1] + box_w[-1] / 2, xs[-1] + right_room) + MARGIN

    canvas = Canvas()
    back: list[str] = []  # blocks are drawn behind the messages
    y = MARGIN
    if seq.title:
        title_lines = t.wrap(seq.title, width - 2 * MARGIN, FONT + 1, 2)
        for k, line in enumerate(title_lines):
            canvas.text(width / 2, y + 13 + k * LINE, line, anchor="middle", cls="dg-title", weight="600")
        y += len(title_lines) * LINE + 10
    top = y
    for x, w, lines in zip(xs, box_w, boxes, strict=True):
        canvas.rect(x - w / 2, top, w, box_h, cls="dg-actor", rx=4)
        first = top + (box_h - len(lines) * name_line) / 2 + name_size - 1
        for k, line in enumerate(lines):
            canvas.text(
                x, first + k * name_line, line, anchor="middle", weight="600", size=None if name_size == FONT else name_size
            )
    y = top + box_h + 14
    lifeline_top = top + box_h

    stack: list[_Open] = []

    def touch(lo: float, hi: float) -> None:
        for block in stack:
            block.lo, block.hi = min(block.lo, lo), max(block.hi, hi)

    for item in seq.items:
        if isinstance(item, Message):
            a, b = xs[index[item.source]], xs[index[item.target]]
            if item.source == item.target:
                room = (
                    (xs[index[item.source] + 1] - a - LOOP - 18) if index[item.source] + 1 < len(xs) else right_room - LOOP - 10
                )
                lines = t.wrap(item.text, max(room, 80), FONT)
                for k, line in enumerate(lines):
                    canvas.text(a + LOOP + 8, y + 12 + k * LINE, line)
                bottom = y + max(len(lines) * LINE, LINE) + 4
                canvas.path(
                    f"M{t.num(a)},{t.num(y + 6)} H{t.num(a + LOOP)} V{t.num(bottom)} H{t.num(a + 6)}",
                    cls="dg-msg",
                    dashed=item.reply,
                )
                canvas.raw(arrowhead(a + 1, bottom, -1.0, 0.0, item.head))
                touch(a - 10, a + LOOP + 8 + t.block_width(lines, FONT))
                y = bottom + 14
                continue
            span = abs(b - a)
            lines = t.wrap(item.text, max(span - 16, 150), FONT)
            half = t.block_width(lines, FONT) / 2
            mid = min(max((a + b) / 2, MARGIN + half), width - MARGIN - half)  # a label wider than its span stays inside
            for k, line in enumerate(lines):
                canvas.text(mid, y + 12 + k * LINE, line, anchor="middle")
            y += len(lines) * LINE + 6
            direction = 1.0 if b > a else -1.0
            end = b - direction * 2
            start = a + direction * 2 if item.both else a
            canvas.path(f"M{t.num(start)},{t.num(y)} H{t.num(end)}", cls="dg-msg", dashed=item.reply)
            canvas.raw(arrowhead(end, y, direction, 0.0, item.head))
            if item.both:
                canvas.raw(arrowhead(start, y, -direction, 0.0, item.head))
            touch(min(a, b) - 10, max(a, b) + 10)
            y += 16
        elif isinstance(item, Note):
            w = _note_width(item, xs, index)
            lines = t.wrap(item.text, w - 16, NOTE_FONT)
            h = len(lines) * NOTE_LINE + 10
            x0 = _note_left(item, xs, index, w, box_w)
            canvas.rect(x0, y, w, h, cls="dg-note", rx=2)
            for k, line in enumerate(lines):
                canvas.text(x0 + 8, y + 16 + k * NOTE_LINE, line, size=NOTE_FONT, cls="dg-note-text")
            touch(x0 - 6, x0 + w + 6)
            y += h + 12
        elif isinstance(item, Block):
            if item.kind == "open":
                stack.append(_Open(item.keyword, item.label, y, len(stack)))
                y += 26
            elif item.kind == "branch" and stack:
                stack[-1].branches.append((y, item.label))
                y += 24
            elif item.kind == "end" and stack:
                y += 4
                back.append(_block(stack.pop(), y, xs, box_w))
                y += 10
    while stack:
        back.append(_block(stack.pop(), y, xs, box_w))
        y += 10

    bottom = y + 6
    lifelines = "".join(
        el(
            "path",
            cls="dg-life",
            d=f"M{t.num(x)},{t.num(lifeline_top)} V{t.num(bottom)}",
            stroke="#8c959f",
            stroke_dasharray="3 3",
            fill="none",
        )
        for x in xs
    )
    height = bottom + MARGIN
    return canvas.svg(width, height, lifelines + "".join(back), label=label or seq.title or "Sequence diagram")


def _lifelines(seq: Sequence, index: dict[str, int], box_w: list[float], max_width: float, right_room: float) -> list[float]:
    """x of each lifeline: far enough apart for the text between them, within `max_width` if possible."""
    n = len(box_w)
    base = [(box_w[k] + box_w[k + 1]) / 2 + 14 for k in range(n - 1)]
    needs: list[tuple[int, int, float]] = []  # (left, right, distance wanted between them)
    for item in seq.items:
        if isinstance(item, Message):
            i, j = sorted((index[item.source], index[item.target]))
            text_w = min(t.width(item.text, FONT), LABEL_MAX) + 28
            if i != j:
                needs.append((i, j, text_w))
            elif i + 1 < n:
                needs.append((i, i + 1, LOOP + 20 + min(text_w, 180)))
        elif isinstance(item, Note) and len(item.over) == 2:
            i, j = sorted((index[item.over[0]], index[item.over[1]]))
            if i != j:
                needs.append((i, j, min(t.width(item.text, NOTE_FONT) + 24, LABEL_MAX) - 40))

    def place(scale: float) -> list[float]:
        xs = [0.0] * n
        for k in range(1, n):
            want = xs[k - 1] + base[k - 1]
            for i, j, dist in needs:
                if j == k:
                    want = max(want, xs[i] + dist * scale)
            xs[k] = want
        return xs

    xs = place(1.0)
    fixed = box_w[0] / 2 + max(box_w[-1] / 2, right_room) + 2 * MARGIN
    if n > 1 and xs[-1] + fixed > max_width:
        lo, hi = 0.0, 1.0  # shrink the wanted distances until the drawing fits (text wraps more)
        for _ in range(20):
            mid = (lo + hi) / 2
            if place(mid)[-1] + fixed > max_width:
                hi = mid
            else:
                lo = mid
        xs = place(lo)
    return xs


def _right_room(seq: Sequence, index: dict[str, int], xs: list[float] | None, box_w: list[float]) -> float:
    """Room to the right of the last lifeline: for messages to itself and notes beside it
    (before the lifelines are placed, `xs` is None and a note over several is taken at its text's width)."""
    last = len(box_w) - 1
    room = box_w[-1] / 2
    for item in seq.items:
        if isinstance(item, Message) and item.source == item.target and index[item.source] == last:
            room = max(room, LOOP + 18 + min(t.width(item.text, FONT), 200))
        elif isinstance(item, Note) and index[item.over[-1]] == last:
            w = _note_width(item, xs, index) if xs is not None else min(t.width(item.text, NOTE_FONT) + 16, 240)
            room = max(room, w + 16 if item.place == "right" else w / 2)
    return room


def _note_width(note: Note, xs: list[float], index: dict[str, int]) -> float:
    text_w = t.width(note.text, NOTE_FONT) + 16
    if note.place == "over" and len(note.over) > 1:
        a, b = sorted((xs[index[note.over[0]]], xs[index[note.over[-1]]]))
        return max(b - a + 60, min(text_w, 240))
    return min(max(text_w, 90), 220)


def _note_left(note: Note, xs: list[float], index: dict[str, int], w: float, box_w: list[float]) -> float:
    x = xs[index[note.over[0]]]
    if note.place == "over":
        if len(note.over) > 1:
            return min(x, xs[index[note.over[-1]]]) - 30
        return x - w / 2
    return x + 8 if note.place == "right" else x - 8 - w


def _block(block: _Open, bottom: float, xs: list[float], box_w: list[float]) -> str:
    inset = 6 * block.depth
    lo = (block.lo if block.lo != float("inf") else xs[0] - 20) - 10 + inset
    hi = (block.hi if block.hi != float("-inf") else xs[-1] + 20) + 10 - inset
    top = block.top + 2
    tag = block.keyword
    tag_w = t.width(tag, 12) + 16
    line = {"fill": "none", "stroke": "#8c959f"}
    small = {"font_size": 12.0}
    parts = [
        el("rect", cls="dg-block", x=lo, y=top, width=hi - lo, height=bottom - top, **line),
        el(
            "path",
            cls="dg-block-tag",
            d=f"M{t.num(lo)},{t.num(top)} h{t.num(tag_w)} v12 l-6,6 h{t.num(-tag_w + 6)} z",
            fill="#eaeef2",
            stroke="#8c959f",
        ),
        el("text", tag, x=lo + 6, y=top + 13, font_weight=600, **small),
    ]
    if block.label:
        label = t.wrap(f"[{block.label}]", hi - lo - tag_w - 20, 12, 1)[0]
        parts.append(el("text", label, x=lo + tag_w + 8, y=top + 14, font_style="italic", **small))
    for y, branch in block.branches:
        parts.append(el("path", cls="dg-block", d=f"M{t.num(lo)},{t.num(y + 2)} H{t.num(hi)}", stroke_dasharray="5 3", **line))
        if branch:
            text = t.wrap(f"[{branch}]", hi - lo - 20, 12, 1)[0]
            parts.append(el("text", text, x=(lo + hi) / 2, y=y + 17.0, font_style="italic", text_anchor="middle", **small))
    return "".join(parts)
