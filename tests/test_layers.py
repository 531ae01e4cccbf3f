"""The package's folders show its layers, and imports only point down them.

Walks every module's imports, the ones inside functions too, and fails on an arrow back up:
the chat design knows nothing of the service that hosts it or the demo that shows it, the
service knows nothing of the demo, and no core package imports the command line.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "interview_coach"

# (importer prefix, forbidden import prefixes)
RULES: list[tuple[str, tuple[str, ...]]] = [
    ("interview_coach.chat.design", ("interview_coach.chat.service", "interview_coach.chat.demo")),
    ("interview_coach.chat.service", ("interview_coach.chat.demo",)),
    ("interview_coach.chat", ("interview_coach.cli", "interview_coach.ui")),
    ("interview_coach.practice", ("interview_coach.cli",)),
    ("interview_coach.quiz", ("interview_coach.cli",)),
    ("interview_coach.estimation", ("interview_coach.cli",)),
    ("interview_coach.summary", ("interview_coach.cli",)),
    ("interview_coach.content", ("interview_coach.cli", "interview_coach.ui")),
    ("interview_coach.storage", ("interview_coach.cli", "interview_coach.ui")),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: list[tuple[int, str]] = []
    # Imports under `if TYPE_CHECKING:` never run; they name types for the checker only.
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for stmt in node.body
        for inner in ast.walk(stmt)
    }
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((node.lineno, base))
            found.extend((node.lineno, f"{base}.{alias.name}") for alias in node.names)
    return found


def violations() -> list[str]:
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = module_name(path)
        for lineno, target in imports_of(path):
            for importer, forbidden in RULES:
                if name == importer or name.startswith(importer + "."):
                    for prefix in forbidden:
                        if target == prefix or target.startswith(prefix + "."):
                            bad.append(f"{path.relative_to(PACKAGE.parent)}:{lineno}: {name} imports {target}")
    return sorted(set(bad))


def test_imports_point_down_the_layers() -> None:
    assert violations() == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from interview_coach.chat.service.app import create_app\n", True),
        ("def f():\n    from interview_coach.chat.demo import scenarios\n", True),
        ("from ..service import frames\n", True),
        ("from interview_coach.chat.design.store import Message\n", False),
    ],
)
def test_the_walker_sees_an_arrow_back_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, expected: bool) -> None:
    """The check itself can fail: a design module that imports upward is caught, inline imports and relative ones too."""
    fake_root = tmp_path / "interview_coach"
    module = fake_root / "chat" / "design" / "probe.py"
    module.parent.mkdir(parents=True)
    module.write_text(source, encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake_root)
    assert bool(violations()) is expected


def import_graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports (inside functions too)."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for _, target in imports_of(path):
            # `from a.b import c` names either module a.b.c or a name inside a.b.
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(target + "."):
                targets.add(target)
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of two or more modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    """No two modules import each other, directly or round a loop, even from inside a function."""
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_loop() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
