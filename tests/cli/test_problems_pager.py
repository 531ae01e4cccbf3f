"""`problems show` in a terminal: the card goes through $PAGER (as git does); --no-pager prints it."""

from __future__ import annotations

import re

from practice.terminal import Terminal, coach_env


def plain(transcript: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", transcript)


def test_a_card_goes_through_the_pager_and_no_pager_prints_it(coach_home):
    rows, cols = 30, 100
    env = coach_env(coach_home, cols, rows, PAGER="sed s/^/PAGED:/")
    with Terminal("problems", "show", "chat", env=env, rows=rows, cols=cols) as term:
        assert term.exit_status() == 0
        said = plain(term.transcript)
        assert re.search(r"PAGED:.*Clarifying questions", said) and re.search(r"PAGED:.*Trade-offs", said)
    with Terminal("problems", "show", "chat", "--no-pager", env=env, rows=rows, cols=cols) as term:
        assert term.exit_status() == 0
        said = plain(term.transcript)
        assert "PAGED:" not in said and "Trade-offs" in said
