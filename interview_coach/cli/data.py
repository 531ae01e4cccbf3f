"""`interview-coach data`: check, back up and restore the database of your sessions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

data_app = typer.Typer(
    help="Check, back up and restore your saved sessions (the database in the data folder).\n\n"
    "Example: interview-coach data check",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")


@data_app.command("check")
def check(as_json: bool = typer.Option(False, "--json", help='Print {"path", "status", "problems", "backups": [...]}.')) -> None:
    """Run SQLite's full integrity check on the database and list the backups (exit 2 if damaged).

    Example: interview-coach data check --json
    """
    from interview_coach.storage.backup import list_backups
    from interview_coach.storage.db import default_path, describe

    path = default_path()
    info = describe(path)
    info["backups"] = [{"path": str(b.path), "bytes": b.bytes, "taken_at": b.taken_at} for b in list_backups(path)]
    if as_json:
        from interview_coach.cli.output import print_json

        print_json(info)
    else:
        _print_check(info)
    if info["status"] not in ("ok", "missing"):
        raise typer.Exit(2)


def _print_check(info: dict) -> None:
    import time

    from interview_coach.cli.output import error_line

    status = info["status"]
    if status == "ok":
        size, version = f"{info['bytes']:,} bytes", info["schema_version"]
        typer.echo(f"ok: {info['path']} ({size}, schema version {version}) passes SQLite's integrity check")
    elif status == "missing":
        typer.echo(f"no database yet at {info['path']}; it is made when you first practise or quiz")
    else:
        found = "; ".join(info["problems"][:3])
        unchecked = status in ("disk-full", "read-only", "unreadable")
        advice = "the file itself was not checked" if unchecked else "`interview-coach data restore` brings back the last backup"
        error_line(f"{info['path']}: {status}: {found}; {advice}")
    if info["backups"]:
        typer.echo(f"backups ({len(info['backups'])}, newest first):")
        for b in info["backups"]:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(b["taken_at"]))
            typer.echo(f"  {when}  {b['bytes']:>10,} bytes  {b['path']}")
    else:
        typer.echo("no backups yet (one is made daily and before upgrades; or run: interview-coach data backup)")


@data_app.command("backup")
def backup(as_json: bool = typer.Option(False, "--json", help='Print {"backup": path, "bytes": n}.')) -> None:
    """Copy the database into the backups folder now (the newest seven are kept).

    Example: interview-coach data backup
    """
    from interview_coach.storage.backup import take_backup
    from interview_coach.storage.db import connect, default_path

    path = default_path()
    conn = connect(path)  # refuses a damaged database: a backup of it would help no one
    try:
        target = take_backup(conn, path)
    finally:
        conn.close()
    if as_json:
        from interview_coach.cli.output import print_json

        print_json({"backup": str(target), "bytes": target.stat().st_size})
    else:
        typer.echo(f"backed up to {target}")


@data_app.command("restore")
def restore(
    source: Annotated[Path | None, typer.Argument(help="A backup file (default: the newest that passes SQLite's check).")] = None,
    as_json: bool = typer.Option(False, "--json", help='Print {"restored_from": path, "replaced_kept_as": path or null}.'),
) -> None:
    """Put the last good backup in place of the database; the file it replaces is kept beside it.

    Example: interview-coach data restore
    """
    from interview_coach.storage import backup as backups
    from interview_coach.storage.db import default_path

    path = default_path()
    chosen, aside = backups.restore(path, source)
    if as_json:
        from interview_coach.cli.output import print_json

        print_json({"restored_from": str(chosen), "replaced_kept_as": str(aside) if aside else None})
    else:
        typer.echo(f"restored {path} from {chosen}")
        if aside is not None:
            typer.echo(f"the file it replaced is kept as {aside}")
