"""Where things live: the built-in data folders, the user's content folder and database."""

from __future__ import annotations

import os
import sys
from pathlib import Path

CONTENT_ENV = "INTERVIEW_COACH_CONTENT"
HOME_ENV = "INTERVIEW_COACH_HOME"

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """A built-in data folder (`frameworks` or `quizzes`).

    In a wheel they are shipped inside the package (`_data/`); in a source checkout they sit
    at the top of the repository, beside the package.
    """
    shipped = _PACKAGE / "_data" / name
    if shipped.is_dir():
        return shipped
    return _PACKAGE.parent / name


def user_content_dir(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The user's own content folder: `--content-dir`, else $INTERVIEW_COACH_CONTENT, else none."""
    value = explicit or os.environ.get(CONTENT_ENV)
    return Path(value).expanduser() if value else None


APP_NAME = "interview-coach"
_XDG = {"data": ("XDG_DATA_HOME", ".local/share"), "cache": ("XDG_CACHE_HOME", ".cache")}


def platform_dir(kind: str) -> Path:
    """The platform's per-user folder of this app: `kind` is "data" or "cache".

    On Linux with an absolute $HOME this is the XDG rule platformdirs applies ($XDG_*_HOME when
    it is an absolute path, else the default under $HOME), worked out here because importing
    platformdirs costs a fair share of a quick command; tests/test_paths.py checks the two agree.
    Every other case asks platformdirs.
    """
    variable, default = _XDG[kind]
    home = os.environ.get("HOME", "")
    if sys.platform.startswith("linux") and os.path.isabs(home):
        chosen = os.environ.get(variable, "")
        base = chosen if os.path.isabs(chosen) else os.path.join(home, default)
        return Path(base) / APP_NAME
    import platformdirs

    found = platformdirs.user_data_dir(APP_NAME) if kind == "data" else platformdirs.user_cache_dir(APP_NAME)
    return Path(found)


def user_home() -> Path:
    """The folder of the user's database and files: $INTERVIEW_COACH_HOME or the platform's data dir."""
    value = os.environ.get(HOME_ENV)
    path = Path(value).expanduser() if value else platform_dir("data")
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_path() -> Path:
    return user_home() / "coach.sqlite3"
