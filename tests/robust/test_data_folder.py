"""Broken data folders: every command says, in one line, where the problem is and what to do;
nothing is written into a damaged database; `data check` finds the damage, `data restore`
brings back the last backup and keeps the file it replaces."""

from __future__ import annotations

import gc
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import pytest

from interview_coach.storage import backup as backups
from interview_coach.storage.db import MIGRATIONS, DataError, connect, explain_sqlite_error

from .conftest import MEMORY_LIMIT_MB, assert_one_clear_line, run_cli

DB = "coach.sqlite3"


@pytest.fixture
def files(tmp_path, invoke):
    """Answers files for each command that saves something (readable by any user)."""
    folder = Path(tempfile.mkdtemp(prefix="coach-files-"))
    folder.chmod(0o755)
    (folder / "practice.yaml").write_text(invoke("practice", "--problem", "chat", "--template").stdout, encoding="utf-8")
    (folder / "quiz.yaml").write_text("steps-order: [A, B, C, D]\n", encoding="utf-8")
    (folder / "drill.yaml").write_text("avg_write_qps: 60K\n", encoding="utf-8")
    for f in folder.iterdir():
        f.chmod(0o644)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def commands(files: Path) -> list[list[str]]:
    return [
        ["history"],
        ["practice", "--answers", str(files / "practice.yaml")],
        ["quiz", "--answers", str(files / "quiz.yaml")],
        ["estimate", "drill", "chat", "--answers", str(files / "drill.yaml")],
        ["summary", "latest"],
        ["data", "backup"],
    ]


READ_ONLY = {"history", "summary"}


def _with_one_session(invoke, files: Path) -> None:
    assert invoke("practice", "--answers", str(files / "practice.yaml")).exit_code == 0
    gc.collect()  # close the command's connection, as the end of its process would


def _truncate_half(db: Path) -> None:
    os.truncate(db, db.stat().st_size // 2)


def _garbage(db: Path) -> None:
    db.write_bytes(os.urandom(db.stat().st_size))


def _zero(db: Path) -> None:
    os.truncate(db, 0)


def _header_only(db: Path) -> None:
    os.truncate(db, 100)


def _mid_file(db: Path) -> None:
    # Overwrite the middle pages (tables' b-trees), keeping the header: SQLite opens it happily.
    with db.open("r+b") as fh:
        size = db.stat().st_size
        fh.seek(4096 * 2)
        fh.write(b"\xde\xad\xbe\xef" * ((size - 4096 * 3) // 4))


def _another_format(db: Path) -> None:
    db.write_bytes(b"PK\x03\x04" + os.urandom(5000))  # a zip file dropped in its place


DAMAGE = {
    "truncated": _truncate_half,
    "garbage": _garbage,
    "zero-bytes": _zero,
    "header-only": _header_only,
    "mid-file": _mid_file,
    "another-format": _another_format,
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_database_is_refused_by_every_command_and_left_untouched(invoke, coach_home, files, damage):
    _with_one_session(invoke, files)
    db = Path(coach_home) / DB
    DAMAGE[damage](db)
    before = db.read_bytes()
    for argv in commands(files):
        result = invoke(*argv)
        line = assert_one_clear_line(result.exit_code, result.stderr, result.stdout)
        assert str(db) in line and ("restore" in line or "data check" in line), line
    assert db.read_bytes() == before  # nothing written into it
    assert not any(Path(coach_home).glob(f"{DB}.replaced-*"))


def test_check_finds_the_damage_and_restore_brings_back_the_last_backup(invoke, coach_home, files):
    _with_one_session(invoke, files)
    sessions = json.loads(invoke("history", "--json").stdout)
    ok = invoke("data", "check", "--json")
    assert ok.exit_code == 0 and json.loads(ok.stdout)["status"] == "ok"
    made = invoke("data", "backup", "--json")
    assert made.exit_code == 0 and Path(json.loads(made.stdout)["backup"]).is_file()

    db = Path(coach_home) / DB
    _mid_file(db)
    damaged = db.read_bytes()
    check = invoke("data", "check", "--json")
    assert check.exit_code == 2
    report = json.loads(check.stdout)
    assert report["status"] == "damaged" and report["problems"] and report["backups"]
    assert invoke("data", "check").exit_code == 2

    restored = invoke("data", "restore", "--json")
    assert restored.exit_code == 0, restored.output
    answer = json.loads(restored.stdout)
    assert Path(answer["replaced_kept_as"]).read_bytes() == damaged  # the damaged file is kept, not deleted
    assert json.loads(invoke("history", "--json").stdout) == sessions
    assert invoke("data", "check").exit_code == 0
    assert invoke("practice", "--answers", str(files / "practice.yaml")).exit_code == 0  # and it takes writes again


def test_restore_skips_a_damaged_backup_and_says_when_there_is_none(invoke, coach_home, files):
    none = invoke("data", "restore")
    assert "no backup" in assert_one_clear_line(none.exit_code, none.stderr)
    _with_one_session(invoke, files)
    first = Path(json.loads(invoke("data", "backup", "--json").stdout)["backup"])
    newest = Path(json.loads(invoke("data", "backup", "--json").stdout)["backup"])
    for other in backups.list_backups(Path(coach_home) / DB):  # the daily one made at creation: oldest
        if other.path not in (first, newest):
            os.utime(other.path, (1, 1))
    os.utime(first, (2, 2))  # older than the newest, which is then damaged
    _garbage(newest)
    _zero(Path(coach_home) / DB)
    restored = invoke("data", "restore", "--json")
    assert restored.exit_code == 0, restored.output
    assert json.loads(restored.stdout)["restored_from"] == str(first)
    assert len(json.loads(invoke("history", "--json").stdout)) == 1


def test_a_zero_byte_database_does_not_become_an_empty_one(invoke, coach_home, files):
    _with_one_session(invoke, files)
    db = Path(coach_home) / DB
    _zero(db)
    line = assert_one_clear_line(*(lambda r: (r.exit_code, r.stderr))(invoke("history")))
    assert "empty (0 bytes)" in line
    assert db.stat().st_size == 0


def test_backups_roll_and_a_daily_one_is_taken_when_the_last_is_old(coach_home, tmp_path):
    path = Path(coach_home) / DB
    conn = connect(path)
    for _ in range(backups.KEEP + 3):
        backups.take_backup(conn, path)
    kept = backups.list_backups(path)
    assert len(kept) == backups.KEEP
    newest = kept[0].taken_at
    assert backups.daily_backup(conn, path, now=newest + 60) is None
    made = backups.daily_backup(conn, path, now=newest + backups.DAY + 1)
    assert made is not None and made.is_file()
    assert not list(backups.backup_dir(path).glob(".*partial"))


def test_a_backup_is_taken_before_a_migration(coach_home):
    path = Path(coach_home) / DB
    old = sqlite3.connect(path)
    for version, sql in MIGRATIONS[:2]:
        old.executescript(f"BEGIN; {sql}; PRAGMA user_version = {version}; COMMIT;")
    old.execute("INSERT INTO meta VALUES ('kept', 'yes')")
    old.commit()
    old.close()
    connect(path).close()
    [made] = [b for b in backups.list_backups(path) if "before-v" in b.path.name]
    copy = sqlite3.connect(made.path)
    assert copy.execute("PRAGMA user_version").fetchone()[0] == 2
    assert copy.execute("SELECT value FROM meta WHERE key='kept'").fetchone()[0] == "yes"


def test_a_full_database_mid_run_is_explained_in_one_line(coach_home):
    # SQLite's own "database or disk is full", made real with max_page_count.
    conn = connect(Path(coach_home) / DB)
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(sqlite3.OperationalError) as caught, conn:
        conn.execute("INSERT INTO meta VALUES ('big', ?)", ("x" * 1_000_000,))
    error = explain_sqlite_error(caught.value, Path(coach_home) / DB)
    assert isinstance(error, DataError) and "is full" in str(error) and error.exit_code == 2


def test_a_data_folder_that_is_a_file(invoke, tmp_path, monkeypatch):
    afile = tmp_path / "not-a-folder"
    afile.write_text("x")
    monkeypatch.setenv("INTERVIEW_COACH_HOME", str(afile / "home"))
    for argv in (["history"], ["data", "check"], ["quiz", "stats"]):
        result = invoke(*argv)
        assert str(afile) in assert_one_clear_line(result.exit_code, result.stderr, result.stdout)


# ---------------------------------------------------------------- permissions and a full disk, for real

AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
needs_root = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root to act as another user or mount"
)


def _shared_home(invoke, files: Path) -> Path:
    base = Path(tempfile.mkdtemp(prefix="coach-perm-"))
    base.chmod(0o755)
    home = base / "home"
    os.environ["INTERVIEW_COACH_HOME"] = str(home)
    _with_one_session(invoke, files)
    subprocess.run(["chown", "-R", "65534:65534", str(base)], check=True)
    return home


def _setups():
    def read_only_folder(home: Path) -> Path:
        home.chmod(0o500)
        return home

    def read_only_file(home: Path) -> Path:
        (home / DB).chmod(0o400)
        return home

    def no_permission_on_parent(home: Path) -> Path:
        home.parent.chmod(0o000)
        return home

    def new_home_under_read_only_parent(home: Path) -> Path:
        home.parent.chmod(0o555)
        return home.parent / "fresh"

    return {f.__name__: f for f in (read_only_folder, read_only_file, no_permission_on_parent, new_home_under_read_only_parent)}


@pytest.mark.slow
@needs_root
@pytest.mark.parametrize("setup", list(_setups()))
def test_permissions_get_one_line_naming_the_folder(invoke, files, setup, monkeypatch):
    monkeypatch.setenv("INTERVIEW_COACH_HOME", os.environ["INTERVIEW_COACH_HOME"])
    home = _shared_home(invoke, files)
    db_before = (home / DB).read_bytes()
    target = _setups()[setup](home)
    try:
        env = dict(os.environ, INTERVIEW_COACH_HOME=str(target))
        for argv in commands(files):
            run = run_cli(*argv, env=env, prefix=AS_NOBODY)
            line = assert_one_clear_line(run.code, run.stderr, run.stdout)
            assert str(target.parent) in line, line
            assert run.max_rss_mb < MEMORY_LIMIT_MB, (argv, run.max_rss_mb)
    finally:
        home.parent.chmod(0o755)
        home.chmod(0o755)
    assert (home / DB).read_bytes() == db_before
    shutil.rmtree(home.parent, ignore_errors=True)


@pytest.mark.slow
@needs_root
def test_a_full_disk_gets_one_line_and_keeps_what_was_saved(invoke, files, tmp_path, monkeypatch):
    mount = tmp_path / "tiny"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        home = mount / "home"
        monkeypatch.setenv("INTERVIEW_COACH_HOME", str(home))
        _with_one_session(invoke, files)
        sessions = invoke("history", "--json").stdout
        with (mount / "filler").open("wb") as fh:
            try:
                while True:
                    fh.write(b"\0" * 65536)
                    fh.flush()
            except OSError:
                pass
        env = dict(os.environ, INTERVIEW_COACH_HOME=str(home))
        for argv in commands(files):
            run = run_cli(*argv, env=env)
            if run.code == 0 and argv[0] in READ_ONLY:
                continue  # reading may still work (SQLite's shared-memory file was already there)
            line = assert_one_clear_line(run.code, run.stderr, run.stdout)
            assert "full" in line and str(home) in line, line
        check = run_cli("data", "check", "--json", env=env)
        # The file itself is sound; whether SQLite can still read it on a full disk varies.
        assert (check.code, json.loads(check.stdout)["status"]) in ((0, "ok"), (2, "disk-full"))
        (mount / "filler").unlink()
        assert invoke("history", "--json").stdout == sessions
        assert invoke("data", "check").exit_code == 0
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.parametrize("shape", ["dangling-link", "folder"])
def test_a_database_path_that_is_not_a_file_is_refused_not_replaced(invoke, coach_home, shape):
    db = Path(coach_home) / DB
    if shape == "dangling-link":
        db.symlink_to(Path(coach_home) / "unmounted-disk" / DB)
    else:
        db.mkdir()
    for argv in (["history"], ["quiz", "stats"], ["data", "backup"]):
        result = invoke(*argv)
        assert str(db) in assert_one_clear_line(result.exit_code, result.stderr, result.stdout)
    assert db.is_symlink() if shape == "dangling-link" else db.is_dir()  # left as it was
