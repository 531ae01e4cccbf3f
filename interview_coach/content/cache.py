"""A cache of validated content, so a command does not parse and validate the same YAML again.

Parsing a problem card and building the validators for its models costs a few hundred
milliseconds; a command that shows one card needs a few. Each validated object is pickled under
the user's cache folder, keyed by the file's path and stamped with its size and modification
time, the package version and the content models' source file, so any edit to the content or
to the models is a miss. Every cache failure (no folder, read-only disk, a truncated or foreign
file) is a miss too: the cache can only make a command faster, never make it fail or go stale.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import re
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from interview_coach import __version__

T = TypeVar("T")

CACHE_ENV = "INTERVIEW_COACH_CACHE"  # a folder, or "off"
# The source files of the content classes: a cached object is only read back by the classes it
# was stored from (an added field would otherwise be missing from an old object).
_MODELS = (Path(__file__).with_name("models.py"), Path(__file__).parents[1] / "quiz" / "bank.py")


def cache_dir() -> Path | None:
    """`$INTERVIEW_COACH_CACHE`, else `cache/` in `$INTERVIEW_COACH_HOME`, else the platform's cache folder."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return None if explicit.lower() == "off" else Path(explicit).expanduser()
    home = os.environ.get("INTERVIEW_COACH_HOME")
    if home:
        return Path(home).expanduser() / "cache"
    from interview_coach.paths import platform_dir

    return platform_dir("cache")


def _stamp(path: Path, depends: tuple[Path, ...] = ()) -> tuple[object, ...] | None:
    try:
        st, models = path.stat(), [m.stat() for m in (*_MODELS, *depends)]
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, __version__, *((m.st_mtime_ns, m.st_size) for m in models))


def cached(kind: str, path: Path, build: Callable[[], T], depends: tuple[Path, ...] = ()) -> T:
    """`build()`'s result for `path`, from the cache when the file is unchanged since it was stored.

    `depends`: more source files whose classes the result holds (a change to one is a miss).
    """
    folder, stamp = cache_dir(), _stamp(path, depends)
    if folder is None or stamp is None:
        return build()
    # The entry's name only spreads files out; the full path stored inside decides a hit, so
    # two paths with the same checksum cannot read each other's content.
    where = f"{kind}\0{path.resolve()}"
    entry = folder / "content" / f"{kind}-{path.stem[:40]}-{zlib.crc32(where.encode()):08x}.pickle"
    try:
        with entry.open("rb") as fh:
            stored_where, stored_stamp, value = pickle.load(fh)
        if stored_where == where and stored_stamp == stamp:
            return value
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError, TypeError, IndexError):
        pass  # missing, truncated or from another version: a miss
    value = build()  # errors (invalid content) propagate and are never cached
    _store(entry, (where, stamp, value))
    return value


def _store(entry: Path, payload: object) -> None:
    try:
        data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return  # not picklable: no cache, same result
    store(entry, data)


def store(entry: Path, data: bytes) -> None:
    """Write a cache entry so that a reader sees the old entry or the new one, never half of one:
    a temporary name of this process's own, then a rename. A read-only or full disk only means
    no cache. After a write, what no version reads any more is cleared from the folder."""
    tmp = entry.with_name(f".tmp-{os.getpid()}-{entry.name}")
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)
            os.replace(tmp, entry)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError:
        return
    prune(entry.parent)


# Entries of versions before 0.1's checksum names (a 32-digit hash), never read again.
_RETIRED = re.compile(r"^[0-9a-f]{32}\.pickle$")
_STRAY_AFTER_S = 3600.0


def prune(folder: Path) -> None:
    """Remove what no version reads any more from a cache folder: retired entries, and the
    temporary files of writes that a crash or a kill cut short (after an hour, so never one
    another process is writing). Runs after a miss was stored, not on every hit."""
    import time

    now = time.time()
    try:
        with os.scandir(folder) as entries:
            for item in entries:
                stray = item.name.startswith(".tmp-")
                if not (stray or _RETIRED.match(item.name)):
                    continue
                with contextlib.suppress(OSError):
                    if not stray or now - item.stat().st_mtime > _STRAY_AFTER_S:
                        os.unlink(item.path)
    except OSError:
        pass
