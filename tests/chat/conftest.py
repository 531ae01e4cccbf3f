"""Helpers for the chat tests: run a coroutine, build an embedded cluster on a fake clock."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from interview_coach.clock import FakeClock

T = TypeVar("T")


def arun(coro: Awaitable[T]) -> T:
    return asyncio.run(coro)  # type: ignore[arg-type]


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def with_cluster(tmp_path: Path) -> Callable[..., Any]:
    """with_cluster(body, **options): run `await body(cluster)` on a fresh embedded cluster."""
    from interview_coach.chat.design.cluster import ChatCluster

    counter = iter(range(1_000_000))

    def _run(body: Callable[[Any], Awaitable[T]], **options: Any) -> T:
        options.setdefault("clock", FakeClock())

        async def main() -> T:
            folder = tmp_path / f"cluster-{next(counter)}"
            async with await ChatCluster.embedded(folder, **options) as cluster:
                return await body(cluster)

        return asyncio.run(main())

    return _run
