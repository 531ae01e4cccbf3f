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
    for node in ast.walk(tree):
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
