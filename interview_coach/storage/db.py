"""The user's one SQLite database: WAL mode, a schema version and forward migrations.

Every feature's tables are created by the migrations below, in order. To change the schema,
append a migration; never edit one that has shipped. Each answer a user gives is written in
its own transaction (`with db:`), so a crash or Ctrl-C loses nothing already given.

A database that cannot be used is refused with one line saying where it is and what to do: a
read-only or missing folder, a full disk, a file that is empty, not SQLite, or fails SQLite's
quick_check (nothing is ever written into a damaged file). Backups (storage/backup.py) are
taken before a migration and once a day.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import Any

from interview_coach.storage.integrity import HEADER, DataError, quick_check

# (version, SQL). user_version records the last one applied.
MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """,
    ),
    (
        2,
        # Mock interviews (practice/store.py): the whole session as JSON, rewritten in one
        # transaction after every answer; the columns beside it are what `history` lists.
        """
        CREATE TABLE IF NOT EXISTS practice_sessions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            problem_id TEXT NOT NULL,
            started_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            minutes INTEGER NOT NULL,
            status TEXT NOT NULL,
            score INTEGER,
            state TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS practice_sessions_updated ON practice_sessions (updated_at);
        """,
    ),
    (
        3,
        # Estimation drills (estimation/history.py): one row per drill, rewritten after each
        # answer; answers_json holds each graded answer with its worked solution.
        """
        CREATE TABLE IF NOT EXISTS drills (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            problem TEXT NOT NULL,
            seed INTEGER,
            taken_at REAL NOT NULL,
            score REAL NOT NULL,
            total INTEGER NOT NULL,
            finished INTEGER NOT NULL DEFAULT 0,
            answers_json TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS drills_taken_at ON drills (taken_at);
        """,
    ),
    (
        4,
        # The quiz (quiz/store.py): a run is one sitting (its seed and question order, so an
        # interrupted run can be resumed); each answer is one attempt row written together with
        # its question's FSRS card (card_json is fsrs Card.to_dict()) in one transaction.
        """
        CREATE TABLE IF NOT EXISTS quiz_runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            bank TEXT NOT NULL,
            mode TEXT NOT NULL,
            seed INTEGER NOT NULL,
            question_ids TEXT NOT NULL,
            started_at REAL NOT NULL,
            finished_at REAL,
            interrupted_at REAL
        );
        CREATE INDEX IF NOT EXISTS quiz_runs_bank ON quiz_runs (bank, started_at);
        CREATE TABLE IF NOT EXISTS quiz_attempts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id INTEGER REFERENCES quiz_runs (id),
            bank TEXT NOT NULL,
            question_id TEXT NOT NULL,
            section TEXT NOT NULL,
            given_json TEXT NOT NULL,
            correct INTEGER NOT NULL,
            credit REAL NOT NULL,
            seconds REAL,
            rating INTEGER NOT NULL,
            answered_at REAL NOT NULL
        );
        CREATE INDEX IF NOT EXISTS quiz_attempts_question ON quiz_attempts (bank, question_id, answered_at);
        CREATE INDEX IF NOT EXISTS quiz_attempts_run ON quiz_attempts (run_id);
        CREATE TABLE IF NOT EXISTS quiz_cards (
            bank TEXT NOT NULL,
            question_id TEXT NOT NULL,
            card_json TEXT NOT NULL,
            due REAL NOT NULL,
            PRIMARY KEY (bank, question_id)
        );
        """,
    ),
]


LATEST = MIGRATIONS[-1][0]
WHAT_TO_DO_DAMAGED = (
    "see what is wrong with `interview-coach data check`; `interview-coach data restore` brings back the last backup"
)

_last_path: Path | None = None  # for errors raised later, by a write in the middle of a command


def default_path() -> Path:
    """The user's database path, or a DataError when its folder cannot be made."""
    from interview_coach.paths import database_path

    try:
        return database_path()
    except OSError as exc:
        folder = exc.filename or "the data folder"
        raise DataError(
            f"cannot create the data folder {folder}: {exc.strerror or exc}",
            "fix its permissions or set INTERVIEW_COACH_HOME to a folder you can write",
        ) from None


def connect(path: str | Path | None = None) -> sqlite3.Connection:
    """Open (check, back up, migrate) the database at `path`, by default the user's own."""
    global _last_path
    path = Path(path) if path is not None else default_path()
    _last_path = path
    try:
        if not _exists(path):
            _create(path)
        check_file(path)
        conn = open_checked(path)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version < LATEST:
            from interview_coach.storage.backup import take_backup

            if version > 0:  # a database that holds something: keep it as it was
                take_backup(conn, path, reason=f"before-v{LATEST}")
            migrate(conn)
        else:
            from interview_coach.storage.backup import daily_backup

            daily_backup(conn, path)
        return conn
    except sqlite3.Error as exc:
        raise explain_sqlite_error(exc, path) or DataError(f"cannot use the database {path}: {exc}", WHAT_TO_DO_DAMAGED) from None
    except OSError as exc:
        raise DataError(
            f"cannot use the database {path}: {exc.strerror or exc}", "check the folder's permissions and free space"
        ) from None


def _exists(path: Path) -> bool:
    try:
        if path.is_symlink() and not path.exists():
            # A link to a disk that is not mounted: making a new database would cut the link.
            raise DataError(
                f"the database {path} is a link to {os.readlink(path)}, which is not there",
                "mount or restore what it points to, or remove the link to start a new database",
            )
        return path.exists()
    except OSError as exc:
        raise DataError(
            f"cannot reach the data folder {path.parent}: {exc.strerror or exc}",
            "fix the permissions of the folders above it or set INTERVIEW_COACH_HOME to a folder you can write",
        ) from None


def _create(path: Path) -> None:
    """A new database is built beside its place and renamed into it, so a crash while making it
    never leaves a half-made (or zero-byte) file that later looks like lost data."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"cannot create the data folder {folder}: {exc.strerror or exc}", _writable_hint(folder)) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DataError(f"the data folder {folder} is read-only, so the database cannot be created", _writable_hint(folder))
    tmp = folder / f".{path.name}.new-{os.getpid()}"
    try:
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            migrate(conn)
        finally:
            conn.close()
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            with contextlib.suppress(OSError):
                leftover.unlink()


def _writable_hint(folder: Path) -> str:
    return f"make it writable (chmod u+w {folder}) or set INTERVIEW_COACH_HOME to a folder you can write"


def check_file(path: Path) -> None:
    """Refuse, before SQLite sees it, a database file that is empty, not SQLite or not writable."""
    if path.is_dir():
        raise DataError(
            f"the database {path} is a folder, not a file",
            "move it away; the database is made again, or restored with `interview-coach data restore`",
        )
    size = path.stat().st_size
    if size == 0:
        raise DataError(
            f"the database {path} is empty (0 bytes): it was truncated or replaced, and opening it would start afresh",
            "`interview-coach data restore` brings back the last backup; delete the file only if it never held anything",
        )
    with path.open("rb") as fh:
        head = fh.read(len(HEADER))
    if head != HEADER:
        raise DataError(f"the database {path} is not an SQLite database (its first bytes are wrong)", WHAT_TO_DO_DAMAGED)
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise DataError(f"the data folder {path.parent} is read-only, so nothing can be saved", _writable_hint(path.parent))
    if not os.access(path, os.R_OK | os.W_OK):
        raise DataError(
            f"the database {path} is read-only, so nothing can be saved",
            f"make it writable (chmod u+rw {path}) or set INTERVIEW_COACH_HOME to a folder you can write",
        )


def open_checked(path: Path) -> sqlite3.Connection:
    """quick_check on a read-only connection first (closing a writable one could checkpoint a
    leftover WAL into a damaged file), then the connection to use, with its pragmas."""
    probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    try:
        problems = quick_check(probe)
    finally:
        probe.close()
    if problems:
        raise DataError(
            f"the database {path} is damaged ({_short(problems[0])}); nothing more is written to it", WHAT_TO_DO_DAMAGED
        )
    conn = sqlite3.connect(path, timeout=10)
    try:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
    except BaseException:
        conn.close()
        raise
    return conn


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.replace("*** in database main ***", "").split())
    return text if len(text) <= limit else text[:limit] + "…"


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every migration newer than the database's user_version; return the new version."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    for version, sql in MIGRATIONS:
        if version > current:
            with conn:
                conn.executescript(f"BEGIN; {sql}; PRAGMA user_version = {int(version)}; COMMIT;")
            current = version
    return current


def explain_sqlite_error(exc: BaseException, path: Path | None = None) -> DataError | None:
    """A one-line DataError for an SQLite failure the user can act on (None for anything else)."""
    if not isinstance(exc, sqlite3.Error):
        return None
    where = path or _last_path or "the database"
    folder = Path(where).parent if isinstance(where, Path) else "the data folder"
    text = str(exc).lower()
    code = getattr(exc, "sqlite_errorcode", None)
    if "disk is full" in text or code == 13 or ("i/o error" in text and disk_full(Path(str(folder)))):  # SQLITE_FULL
        return DataError(
            f"the disk holding {where} is full; what was saved before this is kept",
            "free some space and run the command again (practice --resume and quiz --resume continue where you were)",
        )
    if "readonly" in text or "read-only" in text:
        return DataError(f"the database {where} is read-only", _writable_hint(Path(str(folder))))
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return DataError(f"the database {where} is damaged ({_short(str(exc))})", WHAT_TO_DO_DAMAGED)
    if "locked" in text or "busy" in text:
        return DataError(f"the database {where} is busy (another interview-coach is writing to it)", "try again in a moment")
    if "unable to open" in text:
        return DataError(f"cannot open the database {where}", _writable_hint(Path(str(folder))))
    if "i/o error" in text:
        return DataError(
            f"reading or writing the database {where} failed (disk I/O error)",
            "check the disk and its free space, then try again",
        )
    return None


def disk_full(folder: Path, margin: int = 256 * 1024) -> bool:
    """True when the file system holding `folder` has (almost) no space left: SQLite reports a
    full disk as a plain I/O error when it is its shared-memory file that cannot grow."""
    try:
        st = os.statvfs(folder)
    except (OSError, AttributeError):
        return False
    return st.f_bavail * st.f_frsize < margin


def describe(path: Path) -> dict[str, Any]:
    """What `data check` reports: the file's state, its schema version and any damage found."""
    info: dict[str, Any] = {
        "path": str(path),
        "exists": False,
        "bytes": 0,
        "status": "missing",
        "problems": [],
        "schema_version": None,
    }
    try:
        if not path.exists():
            return info
        info.update(exists=True, bytes=path.stat().st_size)
        if info["bytes"] == 0:
            return {**info, "status": "empty", "problems": ["the file is empty (0 bytes)"]}
        with path.open("rb") as fh:
            if fh.read(len(HEADER)) != HEADER:
                return {**info, "status": "not-sqlite", "problems": ["the file is not an SQLite database"]}
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
        try:
            info["schema_version"] = conn.execute("PRAGMA user_version").fetchone()[0]
            problems = quick_check(conn, full=True)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        if disk_full(path.parent):
            return {**info, "status": "disk-full", "problems": [f"the disk holding {path.parent} is full ({exc})"]}
        if "readonly" in str(exc) or not os.access(path.parent, os.W_OK):
            # SQLite needs to write beside a WAL database even to read it.
            return {**info, "status": "read-only", "problems": [f"the data folder {path.parent} is read-only ({exc})"]}
        return {**info, "status": "damaged", "problems": [str(exc)]}
    except OSError as exc:
        return {**info, "status": "unreadable", "problems": [exc.strerror or str(exc)]}
    return {**info, "status": "damaged" if problems else "ok", "problems": problems}
