"""Run a coroutine eagerly: at once, in the caller, until it first waits — then in a task.

A chat server's bus handler mostly never waits in the embedded engine (it queues a frame on a
socket): a queue hop and a task wake-up for each costs more than the work. `step(coro)` runs it
right away; when it did wait, a task awaiting `resume(coro, what_it_waits_on)` finishes it.
(Python 3.12's eager task factory does the same for a whole loop; this works on 3.11 too.)

Code that needs `asyncio.current_task()` before its first wait (`asyncio.timeout`, some
clients) must not be run this way: there is no task yet at that point.
"""

from __future__ import annotations

import types
from collections.abc import Coroutine, Generator
from typing import Any


@types.coroutine
def resume(coro: Coroutine[Any, Any, Any], yielded: Any) -> Generator[Any, Any, None]:
    """Go on running a coroutine that was stepped outside any task and waits on `yielded`:
    awaited inside a task, it hands that task each future the coroutine waits on."""
    while True:
        try:
            sent = yield yielded
        except GeneratorExit:
            coro.close()
            raise
        except BaseException as exc:  # noqa: BLE001 - thrown into the task (a cancellation): on into the coroutine
            try:
                yielded = coro.throw(exc)
            except StopIteration:
                return
        else:
            try:
                yielded = coro.send(sent)
            except StopIteration:
                return


def step(coro: Coroutine[Any, Any, Any]) -> tuple[bool, Any]:
    """Step `coro` once: (True, None) when it finished, (False, what it waits on) otherwise.
    Its exception, if it raised, propagates."""
    try:
        yielded = coro.send(None)
    except StopIteration:
        return True, None
    return False, yielded
