"""What the database and its backups share: the file's header, the one error for an unusable
data folder, and SQLite's own structural check.

Its own module so that `db` (which takes backups) and `backup` (which checks and restores the
database file) can both use these without importing each other.
"""

from __future__ import annotations

import sqlite3

from interview_coach.errors import UsageError

HEADER = b"SQLite format 3\x00"


class DataError(UsageError):
    """The data folder or database cannot be used as it is; the message says where and what to do."""


def quick_check(conn: sqlite3.Connection, full: bool = False) -> list[str]:
    """SQLite's own check of the file's structure; [] when sound. `full` adds index contents."""
    rows = conn.execute("PRAGMA integrity_check(20)" if full else "PRAGMA quick_check(20)").fetchall()
    found = [str(row[0]) for row in rows]
    return [] if found == ["ok"] else found
