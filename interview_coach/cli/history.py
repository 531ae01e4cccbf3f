"""`interview-coach history`: what you have done, newest first — mock interviews (and stopped
ones), estimation drills and quiz runs."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from interview_coach.cli import options


def register(app: typer.Typer) -> None:
    app.command("history")(history)


def _date(ts: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


def _iso(ts: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="seconds")


def history(
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", callback=options.limit, help="Show only the newest N of each kind.")
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help='Print a list, newest first, of {"kind": "interview", "id", "problem", "date", "minutes", "score", "status",'
            ' "summary"}, {"kind": "drill", "id", "problem", "date", "score", "total", "finished"} and'
            ' {"kind": "quiz", "id", "bank", "mode", "date", "questions", "answered", "correct", "finished"}.',
        ),
    ] = False,
) -> None:
    """List what you have done: mock interviews with their scores, estimation drills and quiz runs.

    An interview without a score was stopped: continue it with `practice --resume ID`.
    Write any interview up as a design document with `summary ID`. `quiz stats` has the
    quiz by section.

    Example: interview-coach history --limit 10
    """
    from interview_coach.errors import UsageError
    from interview_coach.practice.store import list_sessions
    from interview_coach.storage.activity import recent_drills, recent_quiz_runs
    from interview_coach.storage.db import connect

    if limit is not None and limit < 1:
        raise UsageError(f"--limit: {limit} is not a positive number", "try --limit 10")
    conn = connect()
    sessions = list_sessions(conn, limit)
    drills = recent_drills(conn, limit)
    runs = recent_quiz_runs(conn, limit)
    if as_json:
        from interview_coach.cli.output import print_json

        rows: list[tuple[float, dict[str, Any]]] = []
        rows += [
            (
                s.started_at,
                {
                    "kind": "interview",
                    "id": s.id,
                    "problem": s.problem_id,
                    "date": _iso(s.started_at),
                    "minutes": s.minutes,
                    "score": s.score,
                    "status": s.status,
                    "summary": f"interview-coach summary {s.id}",
                },
            )
            for s in sessions
        ]
        rows += [
            (
                d.taken_at,
                {"kind": "drill", "id": d.id, "problem": d.problem, "date": _iso(d.taken_at), "score": d.score, "total": d.total,
                 "finished": d.finished},
            )
            for d in drills
        ]
        rows += [
            (
                r.started_at,
                {"kind": "quiz", "id": r.id, "bank": r.bank, "mode": r.mode, "date": _iso(r.started_at), "questions": r.questions,
                 "answered": r.answered, "correct": r.correct, "finished": r.finished},
            )
            for r in runs
        ]
        print_json([row for _at, row in sorted(rows, key=lambda pair: -pair[0])])
        return
    from rich.table import Table

    from interview_coach.cli.output import console

    con = console()
    if not sessions:
        con.print("No mock interviews yet. Start one with: interview-coach practice")
    else:
        table = Table(title="Mock interviews")
        table.add_column("id", justify="right")
        table.add_column("Problem")
        table.add_column("Date")
        table.add_column("Minutes", justify="right")
        table.add_column("Score", justify="right")
        table.add_column("Write-up")
        for s in sessions:
            score = str(s.score) if s.score is not None else f"stopped (practice --resume {s.id})"
            title = s.problem_title or s.problem_id
            table.add_row(str(s.id), title, _date(s.started_at), str(s.minutes), score, f"summary {s.id}")
        con.print(table)
        con.print("Write-up: interview-coach summary ID (Markdown), or add --output FILE.html for one HTML file.")
    if drills:
        table = Table(title="Estimation drills")
        table.add_column("id", justify="right")
        table.add_column("Drill")
        table.add_column("Date")
        table.add_column("Score", justify="right")
        for d in drills:
            name = d.problem + (f" (seed {d.seed})" if d.seed is not None else "")
            score = f"{d.score:g}/{d.total}" + ("" if d.finished else " (stopped)")
            table.add_row(str(d.id), name, _date(d.taken_at), score)
        con.print(table)
    if runs:
        table = Table(title="Quiz runs")
        table.add_column("id", justify="right")
        table.add_column("Quiz")
        table.add_column("Date")
        table.add_column("Right", justify="right")
        for r in runs:
            right = f"{r.correct}/{r.answered}" + ("" if r.finished else f" (stopped after {r.answered} of {r.questions})")
            table.add_row(str(r.id), f"{r.bank} ({r.mode})", _date(r.started_at), right)
        con.print(table)
        con.print("By section, and what is due for review: interview-coach quiz stats")
