"""Pages a command has laid out before, shown again without laying them out.

A problem card, its reference write-up and a preset's estimate are the same page every time for
the same files, arguments and terminal: laying one out costs more than starting the program
(rich lays out ~700 lines for a card; jinja2 alone takes longer to import than Python to
start). Like man's formatted "cat" pages, the text a command printed is kept in the cache folder
and printed again when nothing it was made from has changed.

What decides a hit is written out whole on the entry's first line and compared as text:
- the command's own key (which page, with which arguments);
- the terminal it was laid out for, when it was laid out by rich: every input rich reads to pick
  width, colour and encoding (see `terminal_signature`);
- stamps (size and modification time) of the files it was made from, of every file of this
  package (its code and templates; so any edit to the code is a miss), of the libraries that laid
  it out, and the package version.

Every cache failure (no folder, read-only disk, a truncated or foreign entry) is a miss, and a
page is stored only after it was made without an error: the cache can make a command faster,
never make it fail or show a stale page. `INTERVIEW_COACH_CACHE=off` turns it off.
"""

from __future__ import annotations

import os
import sys
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path

from interview_coach import __version__

# What rich's Console reads from the environment to decide width, height, colour system and
# whether it writes to a terminal (rich/console.py); `cli.output.console` reads COLUMNS and NO_COLOR.
_RICH_ENVIRONMENT = ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "TERM",
                     "COLORTERM", "JUPYTER_COLUMNS", "JUPYTER_LINES", "DATABRICKS_RUNTIME_VERSION")
_PACKAGE = Path(__file__).resolve().parents[1]
_ENTRIES = 64  # entries per kind of page at most: a new page replaces whichever shares its slot
_package_stamp: str | None = None


def terminal_signature() -> tuple[object, ...]:
    """Everything a page laid out by rich for standard output depends on besides the page itself.

    rich asks stdout whether it is a terminal, takes the size of the first of stdin, stdout and
    stderr that has one (COLUMNS and LINES win), and reads the variables above; the encoding
    decides whether box characters are drawn or replaced.
    """
    stream = sys.stdout
    try:
        tty = bool(stream.isatty())
    except (AttributeError, ValueError):
        tty = False
    size: tuple[int, int] | None = None
    for fd in (0, 1, 2):
        try:
            columns, lines = os.get_terminal_size(fd)
        except (AttributeError, ValueError, OSError):
            continue
        size = (columns, lines)
        break
    return (sys.platform, tty, getattr(stream, "encoding", None), size,
            tuple(os.environ.get(name) for name in _RICH_ENVIRONMENT))


def _tree_stamp(root: Path) -> str:
    """(files, latest modification, total size, checksum of the listing) of every file under root."""
    listing: list[str] = []
    latest = total = 0
    folders = [str(root)]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        folders.append(entry.path)
                    continue
                st = entry.stat()
                latest, total = max(latest, st.st_mtime_ns), total + st.st_size
                listing.append(f"{entry.path}:{st.st_mtime_ns}:{st.st_size}")
    listing.sort()
    return f"{len(listing)}:{latest}:{total}:{zlib.crc32(chr(0).join(listing).encode()):08x}"


def _library_stamp(name: str) -> str:
    """A library's folder and the stamp of its `__init__`: an upgrade or reinstall rewrites both."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return f"{name}:-"
    origin = Path(spec.origin)
    st_dir, st_init = origin.parent.stat(), origin.stat()
    return f"{name}:{origin.parent}:{st_dir.st_mtime_ns}:{st_init.st_mtime_ns}:{st_init.st_size}"


def _file_stamp(path: Path) -> str:
    try:
        st = path.stat()
    except OSError:
        return f"{path}:-"
    kind = "d" if path.is_dir() else "f"
    return f"{path}:{kind}:{st.st_mtime_ns}:{st.st_size}"


def page_key(key: Iterable[object], sources: Iterable[Path], libraries: Iterable[str], terminal: bool) -> str:
    """The first line of a page's entry: everything that must be equal for the stored page to be shown."""
    global _package_stamp
    if _package_stamp is None:
        _package_stamp = _tree_stamp(_PACKAGE)
    parts: list[object] = [__version__, _package_stamp, *key]
    parts += [_file_stamp(Path(p)) for p in sources]
    parts += [_library_stamp(name) for name in libraries]
    if terminal:
        parts.append(terminal_signature())
    return " ".join(repr(part) for part in parts).replace("\n", "\\n")


def shown(kind: str, key: tuple[object, ...], make: Callable[[], str], *, sources: Iterable[Path] = (),
          libraries: Iterable[str] = (), terminal: bool = False) -> str:
    """The page `make()` returns, from the cache when nothing it depends on has changed.

    `key`: what picks the page (its arguments); `sources`: the files (or folders, whose stamp
    changes when a file is added or removed) it is made from; `libraries`: what lays it out;
    `terminal`: laid out by rich for standard output, so it depends on the terminal as well.
    """
    from interview_coach.content.cache import cache_dir

    folder = cache_dir()
    try:
        first = page_key(key, sources, libraries, terminal) if folder is not None else ""
    except OSError:
        folder = None
    if folder is None:
        return make()
    slot = zlib.crc32(repr((kind, key)).encode()) % _ENTRIES
    entry = folder / "pages" / f"{kind}-{slot:02d}.txt"
    try:
        with entry.open(encoding="utf-8", newline="") as fh:  # newline="": the page's own line ends
            stored = fh.read()
    except (OSError, UnicodeDecodeError):
        stored = ""
    head, _, text = stored.partition("\n")
    if stored and head == first:
        return text
    text = make()  # an error propagates, and nothing is stored
    _store(entry, first + "\n" + text)
    return text


def _store(entry: Path, content: str) -> None:
    # A temporary name of this process's own, then a rename: a reader sees the old page or the
    # new one, never half of one (and tempfile's imports would cost a first run more than this).
    tmp = entry.with_name(f".tmp-{os.getpid()}-{entry.name}")
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                fh.write(content)
            os.replace(tmp, entry)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except (OSError, UnicodeEncodeError):
        pass  # a read-only or full disk: no cache, same page
