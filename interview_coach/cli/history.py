"""`interview-coach history`: the mock interviews you have done (and stopped), newest first."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    app.command("history")(history)


def _date(ts: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


def history(
    limit: int = typer.Option(None, "--limit", "-n", help="Show only the newest N sessions."),
    as_json: bool = typer.Option(False, "--json", help='Print a list of {"id", "problem", "date", "minutes", "score", "status", "summary"}.'),
) -> None:
    """List your mock interview sessions: id, problem, date, minutes and score.

    A session without a score was stopped: continue it with `practice --resume ID`.
    Write any session up as a design document with `summary ID`.

    Example: interview-coach history --limit 10
    """
    from interview_coach.errors import UsageError
    from interview_coach.practice.store import list_sessions
    from interview_coach.storage.db import connect

    if limit is not None and limit < 1:
        raise UsageError(f"--limit: {limit} is not a positive number", "try --limit 10")
    sessions = list_sessions(connect(), limit)
    if as_json:
        import datetime as dt

        from interview_coach.cli.output import print_json

        print_json([
            {
                "id": s.id,
                "problem": s.problem_id,
                "date": dt.datetime.fromtimestamp(s.started_at, dt.timezone.utc).isoformat(timespec="seconds"),
                "minutes": s.minutes,
                "score": s.score,
                "status": s.status,
                "summary": f"interview-coach summary {s.id}",
            }
            for s in sessions
        ])
        return
    from rich.table import Table

    from interview_coach.cli.output import console

    con = console()
    if not sessions:
        con.print("No mock interviews yet. Start one with: interview-coach practice")
        return
    table = Table(title="Mock interviews")
    table.add_column("id", justify="right")
    table.add_column("Problem")
    table.add_column("Date")
    table.add_column("Minutes", justify="right")
    table.add_column("Score", justify="right")
    table.add_column("Write-up")
    for s in sessions:
        score = str(s.score) if s.score is not None else f"stopped (practice --resume {s.id})"
        table.add_row(str(s.id), s.problem_title or s.problem_id, _date(s.started_at), str(s.minutes), score, f"summary {s.id}")
    con.print(table)
    con.print("Write-up: interview-coach summary ID (Markdown), or add --output FILE.html for one HTML file.")
