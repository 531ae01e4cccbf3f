"""Global options of the command line, set by the top-level callback."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class CliState:
    debug: bool = False
    content_dir: str | None = None


state = CliState()
