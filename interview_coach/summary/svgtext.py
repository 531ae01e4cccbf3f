"""Text inside SVG drawings: how wide it will be, where it wraps, and how it is escaped.

No browser is at hand when a drawing is laid out, so widths come from a table of DejaVu Sans
advance widths (the widest of the common sans-serif faces, and Debian's default), which makes
the estimate a little generous for narrower faces: text may end up with spare room around it,
never cut off or spilling over a box.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape as _xml_escape

# DejaVu Sans advance widths in em (units per em 2048), for the characters that matter most.
_WIDTHS = {
    **dict.fromkeys("ijl'|", 0.28),
    **dict.fromkeys(" .,:;!", 0.32),
    **dict.fromkeys("ftI()[]/\\`-", 0.39),
    "r": 0.41,
    **dict.fromkeys('sz"*', 0.53),
    **dict.fromkeys("cJ_", 0.56),
    **dict.fromkeys("kvxyFL", 0.59),
    **dict.fromkeys("aeo0123456789{}$?#", 0.64),
    **dict.fromkeys("bdghnpqu", 0.64),
    **dict.fromkeys("PSTZEBK", 0.69),
    **dict.fromkeys("ACXYRV", 0.70),
    **dict.fromkeys("DGHNOQU<>=+~^", 0.84),
    "w": 0.82,
    "m": 0.98,
    "M": 0.87,
    "W": 0.99,
    "%": 0.95,
    "&": 0.78,
    "@": 1.0,
}
_DEFAULT_WIDTH = 0.72  # anything else (accents, symbols, other scripts): on the wide side
_WIDE = re.compile(r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\U0001f300-\U0001faff]")

FONT_FAMILY = "-apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'DejaVu Sans', sans-serif"


def width(text: str, size: float) -> float:
    """The width in pixels of one line of `text` at font size `size`."""
    total = 0.0
    for ch in text:
        if _WIDE.match(ch):
            total += 1.0
        else:
            total += _WIDTHS.get(ch, _DEFAULT_WIDTH)
    return total * size


def wrap(text: str, limit: float, size: float, max_lines: int = 8) -> list[str]:
    """`text` broken into lines no wider than `limit` pixels: at spaces where it can, inside a
    word (a long URL or id) where it must. Beyond `max_lines` the last line ends with '…'."""
    words = " ".join(str(text).split()).split(" ")
    lines: list[str] = []
    line = ""
    for word in words:
        candidate = f"{line} {word}" if line else word
        if width(candidate, size) <= limit:
            line = candidate
            continue
        if line:
            lines.append(line)
            line = ""
        while width(word, size) > limit:  # a word wider than the line: cut it
            cut = _fit(word, limit, size)
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line or not lines:
        lines.append(line)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and width(last + "…", size) > limit:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last.rstrip() + "…"]
    return lines


def _fit(word: str, limit: float, size: float) -> int:
    """How many leading characters of `word` fit in `limit` (at least one, so wrapping ends)."""
    total = 0.0
    for i, ch in enumerate(word):
        total += width(ch, size)
        if total > limit:
            return max(1, i)
    return len(word)


def block_width(lines: list[str], size: float) -> float:
    return max((width(line, size) for line in lines), default=0.0)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def esc(text: object) -> str:
    """Text for an SVG/XML element or a double-quoted attribute: markup characters escaped and
    the control characters XML cannot hold at all dropped."""
    return _xml_escape(_CONTROL.sub("", str(text)), {'"': "&quot;"})


def num(value: float) -> str:
    """A coordinate written short: at most one decimal, no trailing zeros."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text
