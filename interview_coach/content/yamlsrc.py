"""YAML that remembers where each value came from, so every content error can say `file:line`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Loc = tuple[Any, ...]


@dataclass
class Located:
    """Parsed YAML data plus the 1-based line of every mapping key and sequence item in it.

    The lines are only needed to report an error, so they are found the first time they are
    asked for (a second, node-level pass over `text`), not on every load.
    """

    path: Path
    data: Any
    text: str | None = field(default=None, repr=False)
    _lines: dict[Loc, int] | None = field(default=None, repr=False)

    @property
    def lines(self) -> dict[Loc, int]:
        if self._lines is None:
            self._lines = _line_map(self.text) if self.text is not None else {}
        return self._lines

    def line_of(self, loc: Loc) -> int:
        """The line of `loc`, or of its nearest ancestor that has one (1 for the document)."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), 1)

    def where(self, loc: Loc) -> str:
        return f"{self.path}:{self.line_of(loc)}"


def load_located(path: Path, text: str | None = None) -> Located:
    """Parse one YAML (or JSON, which is YAML) file a user or the package gives.

    Reading and parsing go through content/userfile.py (size and encoding checked, depth, keys,
    values and aliases limited before anything is built); any problem is a `file:line` ContentError.
    """
    from interview_coach.content import userfile

    text = userfile.read_text(path) if text is None else userfile.decode(text.encode("utf-8", "surrogatepass"), path)
    return Located(path=path, data=userfile.parse_yaml(text, path), text=text)


def load_answers(source: str | Path) -> Located:
    """A user's answers file for `--answers`: a path, or "-" for standard input (so a pipe works)."""
    if str(source) == "-":
        import sys

        from interview_coach.content.userfile import read_stream

        return load_located(Path("<stdin>"), text=read_stream(sys.stdin))
    return load_located(Path(source))


def _loader() -> Any:
    """The user-file reader's loader: libyaml's when PyYAML was built with it (ten times faster)."""
    from interview_coach.content.userfile import loader_class

    return loader_class()


def _line_map(text: str) -> dict[Loc, int]:
    import yaml

    lines: dict[Loc, int] = {}
    node = yaml.compose(text, Loader=_loader())
    if node is not None:
        lines[()] = node.start_mark.line + 1
        _walk(node, (), lines)
    return lines


def _walk(node: Any, loc: Loc, lines: dict[Loc, int]) -> None:
    import yaml

    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            child = (*loc, key)
            lines[child] = key_node.start_mark.line + 1
            _walk(value_node, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*loc, index)
            lines[child] = item.start_mark.line + 1
            _walk(item, child, lines)
