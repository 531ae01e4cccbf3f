"""A summary's diagrams and its parts as data: for `--format svg` (a file per diagram) and `--json`."""

from __future__ import annotations

import re
from typing import Any


def diagrams(context: dict[str, Any]) -> list[dict[str, str]]:
    """Every diagram of a summary in document order: `name` (a file name stem), `title`, `mermaid`."""
    found: list[dict[str, str]] = []

    def add(name: str, title: str, source: str | None) -> None:
        if source:
            found.append({"name": f"{len(found) + 1:02d}-{_slug(name)}", "title": title, "mermaid": source})

    def reference_part(ref: dict[str, Any], prefix: str, heading: str) -> None:
        add(f"{prefix}architecture", f"{heading}architecture", ref["architecture"]["mermaid"])
        for flow in ref["flows"]:
            add(f"{prefix}flow-{flow['id']}", f"{heading}{flow['title']}", flow["mermaid"])

    if context.get("document") == "session":
        add("your-architecture", "Your architecture", context["architecture"]["mermaid"])
        add("your-data-flow", "Your data flow", context["data_flow"]["mermaid"])
        if context.get("reference"):
            reference_part(context["reference"], "reference-", "The reference: ")
    else:
        reference_part(context, "", "")
    return found


def as_data(context: dict[str, Any]) -> dict[str, Any]:
    """The document's parts as JSON-ready data: the template context plus its diagrams, listed."""
    return {**context, "diagrams": diagrams(context)}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "diagram"
