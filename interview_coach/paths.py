"""Where things live: the built-in data folders, the user's content folder and database."""

from __future__ import annotations

import os
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


def user_home() -> Path:
    """The folder of the user's database and files: $INTERVIEW_COACH_HOME or the platform's data dir."""
    value = os.environ.get(HOME_ENV)
    if value:
        path = Path(value).expanduser()
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir("interview-coach"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_path() -> Path:
    return user_home() / "coach.sqlite3"
