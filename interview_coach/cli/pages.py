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

TYPE_CHECKING = False  # not typing's: a replayed page is printed without importing typing
if TYPE_CHECKING:
    from typing import Any

# What rich's Console reads from the environment to decide width, height, colour system and
# whether it writes to a terminal (rich/console.py); `cli.output.console` reads COLUMNS and NO_COLOR.
_RICH_ENVIRONMENT = ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "TERM",
                     "COLORTERM", "JUPYTER_COLUMNS", "JUPYTER_LINES", "DATABRICKS_RUNTIME_VERSION")
_PACKAGE = Path(__file__).resolve().parents[1]
_ENTRIES = 256  # entries per kind of page at most: a new page replaces whichever shares its slot
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


def _entry(folder: Path, kind: str, key: tuple[object, ...]) -> Path:
    """The file a page of `kind` picked by `key` is kept in: one of _ENTRIES slots per kind; a
    page sharing the slot replaces it (its first line keeps one from being read as the other)."""
    slot = zlib.crc32(repr((kind, key)).encode()) % _ENTRIES
    return folder / "pages" / f"{kind}-{slot:03d}.txt"


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
    entry = _entry(folder, kind, key)
    kept = _read(entry, first)
    if kept is not None:
        return kept
    text = make()  # an error propagates, and nothing is stored
    _store(entry, first + "\n" + text)
    return text


def print_page(kind: str, key: tuple[object, ...], draw: Callable[[], None], *, sources: Iterable[Path] = (),
               libraries: Iterable[str] = ("rich",), terminal: bool = True) -> None:
    """Print what `draw()` prints to standard output, from the cache when nothing changed.

    `draw` prints as it always has (a rich console, `print_json`); on a miss what it prints is
    collected, kept and then printed, so an error part-way prints nothing and keeps nothing.
    """
    sys.stdout.write(shown(kind, key, lambda: printed(draw), sources=sources, libraries=libraries, terminal=terminal))


def printed(draw: Callable[[], None]) -> str:
    """What `draw()` writes to sys.stdout, collected instead of written: to rich (which asks it)
    the stand-in is the same terminal, so the text is what it would have printed."""
    real = sys.stdout
    collected = _Collect(real)
    sys.stdout = collected
    try:
        draw()
    finally:
        sys.stdout = real
    return "".join(collected.written)


def content_sources(content_dir: str | Path | None = None) -> list[Path]:
    """Every content file a listing is made from: cards, quiz banks, the framework, and the
    folders that hold them (a file added or removed changes its folder's stamp)."""
    from interview_coach.content.loader import framework_path, problem_paths, quiz_paths
    from interview_coach.paths import data_dir, user_content_dir

    user = user_content_dir(content_dir)
    folders = [data_dir("frameworks") / "problems", data_dir("quizzes")]
    if user is not None:
        folders += [user, user / "problems", user / "quizzes"]
    return [*folders, framework_path(content_dir), *problem_paths(content_dir).values(), *quiz_paths(content_dir).values()]


# What typer reads to lay out a help page, besides what rich reads (typer/rich_utils.py, core.py).
_TYPER_ENVIRONMENT = ("TERMINAL_WIDTH", "_TYPER_FORCE_DISABLE_TERMINAL", "GITHUB_ACTIONS", "FORCE_COLOR", "PY_COLORS",
                      "TYPER_USE_RICH")


class HelpPage:
    """A command's help page: replayed from the cache, or recorded as typer prints it and kept.

    The page is made from the package's code (help texts, options) and typer and rich, for this
    terminal; the content folders are stamped too, so a help text that ever lists cards cannot
    go stale. Recording passes everything through to the real standard output as it is written.
    """

    def __init__(self, prog: str, args: list[str]) -> None:
        from interview_coach.content.cache import cache_dir

        self.folder = cache_dir()
        self.key = (prog, *args)
        self.entry: Path | None = None
        self.first = ""
        self._tee: _Tee | None = None
        if self.folder is None:
            return
        from interview_coach.paths import data_dir, user_content_dir

        user = user_content_dir()
        sources = [data_dir("frameworks") / "problems", data_dir("quizzes"), *([user] if user else [])]
        try:
            self.first = page_key((*self.key, tuple(os.environ.get(n) for n in _TYPER_ENVIRONMENT)), sources,
                                  ("typer", "rich"), terminal=True)
        except OSError:
            return
        self.entry = _entry(self.folder, "help", self.key)

    def replay(self) -> bool:
        """Print the kept page and say so; else start recording what the command prints."""
        if self.entry is None:
            return False
        text = _read(self.entry, self.first)
        if text is not None:
            sys.stdout.write(text)
            return True
        self._tee = _Tee(sys.stdout)
        sys.stdout = self._tee  # rich and click look sys.stdout up as they write
        return False

    def keep(self) -> None:
        """Store what was printed (called only when the run ended with exit code 0)."""
        if self._tee is None or self.entry is None:
            return
        sys.stdout = self._tee.stream
        text = "".join(self._tee.written)
        if text.lstrip().startswith("Usage:"):  # a help page, whatever else the run might have been
            _store(self.entry, self.first + "\n" + text)


class _Tee:
    """Standard output that also keeps what passes through it."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.written: list[str] = []

    def write(self, text: str) -> int:
        written = int(self.stream.write(text))  # first: click probes with b"", which a text stream refuses
        self.written.append(text)
        return written

    def __getattr__(self, name: str) -> Any:  # isatty, encoding, fileno, flush, buffer ...
        return getattr(self.stream, name)


class _Collect(_Tee):
    """Standard output that keeps what is written to it and passes nothing on."""

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError("write() argument must be str")  # as a text stream says (click probes with b"")
        self.written.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        if name == "buffer":  # no way around the collecting: click then writes text here too
            raise AttributeError(name)
        return getattr(self.stream, name)


def _read(entry: Path, first: str) -> str | None:
    """The page kept in `entry` when its first line is `first`, else None."""
    try:
        with entry.open(encoding="utf-8", newline="") as fh:  # newline="": the page's own line ends
            stored = fh.read()
    except (OSError, UnicodeDecodeError):
        return None
    head, sep, text = stored.partition("\n")
    return text if sep and head == first else None


def _store(entry: Path, content: str) -> None:
    from interview_coach.content.cache import store

    try:
        data = content.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no cache, same page
        return
    store(entry, data)
