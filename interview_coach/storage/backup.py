"""Rolling backups of the user's database, made with SQLite's online backup API.

A backup is a whole, consistent copy (taken inside a read transaction, so a write in progress
elsewhere is either in it or not), written under a temporary name and renamed into place, so a
full disk never leaves half a backup that looks whole. They live in `<home>/backups/`, newest
KEEP kept. One is taken before any migration and, when the newest is older than a day, on open.
Restoring never deletes anything: the file it replaces is kept beside it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from interview_coach.storage.integrity import HEADER, DataError, quick_check

KEEP = 7
DAY = 24 * 60 * 60
PREFIX = "coach-"
SUFFIX = ".sqlite3"


@dataclass(frozen=True)
class Backup:
    path: Path
    taken_at: float
    bytes: int


def backup_dir(db_path: Path) -> Path:
    return db_path.parent / "backups"


def list_backups(db_path: Path) -> list[Backup]:
    """The backups of `db_path`, newest first."""
    folder = backup_dir(db_path)
    found = []
    with contextlib.suppress(OSError):
        for path in folder.glob(f"{PREFIX}*{SUFFIX}"):
            with contextlib.suppress(OSError):
                st = path.stat()
                found.append(Backup(path, st.st_mtime, st.st_size))
    return sorted(found, key=lambda b: (b.taken_at, b.path.name), reverse=True)


def take_backup(conn: sqlite3.Connection, db_path: Path, reason: str = "manual") -> Path:
    """Copy the open database into a new backup file; older ones beyond KEEP are removed."""
    folder = backup_dir(db_path)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime())
    target = folder / f"{PREFIX}{stamp}-{reason}{SUFFIX}"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{PREFIX}{stamp}-{reason}-{n}{SUFFIX}"
    tmp = folder / f".{target.name}.partial"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(tmp)
        try:
            conn.backup(dest)
        finally:
            dest.close()
        os.replace(tmp, target)
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise DataError(
            f"cannot write a backup of the database into {folder}: {getattr(exc, 'strerror', None) or exc}",
            "free some space or make the folder writable, then try again",
        ) from None
    for old in list_backups(db_path)[KEEP:]:
        with contextlib.suppress(OSError):
            old.path.unlink()
    return target


def daily_backup(conn: sqlite3.Connection, db_path: Path, now: float | None = None) -> Path | None:
    """A backup when the newest is older than a day (or there is none). Best effort: a failure
    here must not stop the command, which will meet the same disk on its first write anyway."""
    now = time.time() if now is None else now
    backups = list_backups(db_path)
    if backups and now - backups[0].taken_at < DAY:
        return None
    try:
        return take_backup(conn, db_path, reason="daily")
    except DataError:
        return None


def _sound(path: Path) -> list[str]:
    """Problems found in a backup file; [] when it can be restored."""
    try:
        with path.open("rb") as fh:
            if fh.read(len(HEADER)) != HEADER:
                return ["not an SQLite database"]
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return quick_check(conn, full=True)
        finally:
            conn.close()
    except (OSError, sqlite3.Error) as exc:
        return [str(exc)]


def restore(db_path: Path, source: Path | None = None) -> tuple[Path, Path | None]:
    """Put a backup (the newest sound one, or `source`) in place of the database.

    The file replaced (with its -wal and -shm) is moved aside as `<name>.replaced-<time>`, never
    deleted. Returns (the backup used, where the replaced file went or None).
    """
    if source is not None:
        problems = _sound(source)
        if problems:
            raise DataError(
                f"the backup {source} cannot be restored ({problems[0]})", "choose another from `interview-coach data check`"
            )
        chosen = source
    else:
        candidates = list_backups(db_path)
        if not candidates:
            raise DataError(
                f"there is no backup of {db_path} in {backup_dir(db_path)}",
                "backups are made daily and before upgrades; make one with `interview-coach data backup`",
            )
        sound = [b.path for b in candidates if not _sound(b.path)]
        if not sound:
            raise DataError(
                f"none of the {len(candidates)} backups in {backup_dir(db_path)} passes SQLite's check",
                "nothing can be restored from them",
            )
        chosen = sound[0]
    folder = db_path.parent
    tmp = folder / f".{db_path.name}.restore-{os.getpid()}"
    try:
        src = sqlite3.connect(f"{chosen.resolve().as_uri()}?mode=ro", uri=True)
        dest = sqlite3.connect(tmp)
        try:
            src.backup(dest)
            dest.execute("PRAGMA journal_mode=WAL")
        finally:
            dest.close()
            src.close()
        aside = None
        if db_path.exists():
            aside = folder / f"{db_path.name}.replaced-{time.strftime('%Y%m%d-%H%M%S')}"
            os.replace(db_path, aside)
            for ext in ("-wal", "-shm"):
                companion = Path(f"{db_path}{ext}")
                if companion.exists():
                    os.replace(companion, Path(f"{aside}{ext}"))
        os.replace(tmp, db_path)
    except (OSError, sqlite3.Error) as exc:
        raise DataError(
            f"cannot restore into {folder}: {getattr(exc, 'strerror', None) or exc}",
            "free some space or make the folder writable",
        ) from None
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            with contextlib.suppress(OSError):
                leftover.unlink()
    return chosen, aside
