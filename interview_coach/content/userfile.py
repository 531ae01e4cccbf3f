"""Reading any file a user hands the CLI: answers files, content files, a content folder.

Every such file goes through `read_text` (size, encoding) and `parse_yaml` (limits checked on
the event stream before anything is built), so a hostile or broken file ends in one
`file:line: what was wrong; what would be right` line, in bounded time and memory:

- size: at most MAX_BYTES, read no further than that;
- encoding: UTF-8 (a UTF-8 BOM is dropped); UTF-16/32 and binary files are named as such;
- structure: nesting depth, node count (aliases counted as what they expand to, so a
  "billion laughs" file is refused before it is built), alias count, scalar length.

libyaml (PyYAML's C parser) does the parsing when it is installed: it is several times faster
and its nodes still carry line numbers. Dates and !!binary stay strings or are refused, so
what a file gives is always JSON-like: dict, list, str, int, float, bool, None.
"""

from __future__ import annotations

import codecs
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from interview_coach.errors import ContentError

MAX_BYTES = 1024 * 1024  # the largest built-in content file is under 60 KB
MAX_DEPTH = 64  # the deepest built-in content nests 6 levels
MAX_NODES = 20_000  # after expanding aliases; the largest built-in file has under 3,000
MAX_KEYS = 2_000  # in one mapping; the built-in content has at most 17, a quiz bank under 100 questions
MAX_ALIASES = 1_000
MAX_SCALAR = 200_000  # characters in one value: a long answer is a few thousand
EXCERPT = 60  # characters of a user's value quoted back in an error


@dataclass(frozen=True)
class Limits:
    max_bytes: int = MAX_BYTES
    max_depth: int = MAX_DEPTH
    max_nodes: int = MAX_NODES
    max_keys: int = MAX_KEYS
    max_aliases: int = MAX_ALIASES
    max_scalar: int = MAX_SCALAR


DEFAULT_LIMITS = Limits()


def excerpt(value: Any, limit: int = EXCERPT) -> str:
    """A user's value as it may be quoted in an error: repr'd, one line, cut to `limit` characters."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        text = f"{text[:limit]}… ({len(text):,} characters)"
    return repr(text) if isinstance(value, str) else text


# ---------------------------------------------------------------- bytes to text

_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_SAVE_AS = "save it as UTF-8 (most editors: File > Save with encoding > UTF-8)"


def _fail(path: Path | str, line: int, message: str) -> ContentError:
    return ContentError([f"{path}:{line}: {message}"])


def read_text(path: Path, limits: Limits = DEFAULT_LIMITS) -> str:
    """The text of a user's file, or a ContentError saying why it cannot be used."""
    try:
        if path.is_dir():
            raise _fail(path, 1, "is a folder, not a file; give a .yaml file")
        with path.open("rb") as fh:
            # Never read more than the limit (the file may be huge, or /dev/zero).
            raw = fh.read(limits.max_bytes + 1)
    except OSError as exc:
        raise _fail(path, 1, f"cannot read: {exc.strerror or exc}") from None
    return decode(raw, path, limits)


def read_stream(stream: Any, name: str = "<stdin>", limits: Limits = DEFAULT_LIMITS) -> str:
    """Like read_text, from an open binary or text stream (stdin)."""
    buffer = getattr(stream, "buffer", stream)
    raw = buffer.read(limits.max_bytes + 1)
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    return decode(raw, Path(name), limits)


def decode(raw: bytes, path: Path | str, limits: Limits = DEFAULT_LIMITS) -> str:
    """Bytes of a user's file to text: UTF-8 only, with a clear word for anything else."""
    if len(raw) > limits.max_bytes:
        raise _fail(
            path,
            1,
            f"is larger than {limits.max_bytes // 1024:,} KB; an answers or content file is far smaller "
            "(split it, or check it is the right file)",
        )
    for bom, name in _BOMS:
        if raw.startswith(bom):
            raise _fail(path, 1, f"is encoded as {name}; {_SAVE_AS}")
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        sample = raw[:200]
        # UTF-16 without a BOM: ASCII text with a NUL beside every character.
        if sample and (sample[1::2].count(0) > len(sample) // 4 or sample[0::2].count(0) > len(sample) // 4):
            raise _fail(path, line, f"looks like UTF-16 text; {_SAVE_AS}")
        raise _fail(path, line, "is a binary file (it holds NUL bytes), not YAML or JSON text; give a .yaml or .json file")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        bad = raw[exc.start : exc.start + 4].hex(" ")
        raise _fail(path, line, f"is not UTF-8 text (bytes {bad} at byte {exc.start:,}); {_SAVE_AS}") from None


# ---------------------------------------------------------------- text to data


def _base_loader() -> type:
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _make_loader(base: type) -> type:
    resolvers = {
        first: [(tag, regexp) for tag, regexp in entries if tag != "tag:yaml.org,2002:timestamp"]
        for first, entries in base.yaml_implicit_resolvers.items()  # type: ignore[attr-defined]
    }
    constructors = dict(base.yaml_constructors)  # type: ignore[attr-defined]
    for tag in ("binary", "timestamp", "set", "omap", "pairs"):
        constructors.pop(f"tag:yaml.org,2002:{tag}", None)
    constructors["tag:yaml.org,2002:int"] = _construct_int
    constructors["tag:yaml.org,2002:float"] = _construct_float
    return type("UserLoader", (base,), {"yaml_implicit_resolvers": resolvers, "yaml_constructors": constructors})


def _construct_int(loader: Any, node: Any) -> int:
    # Past 64 bits a number is a typo or an attack (and SQLite cannot store it); checked on the
    # text, as Python refuses to convert more than 4300 digits at all.
    if len(node.value.replace("_", "").lstrip("+-0")) > 19:
        raise yaml.constructor.ConstructorError(None, None, f"the number {excerpt(node.value, 30)} is too large", node.start_mark)
    value = yaml.SafeLoader.construct_yaml_int(loader, node)
    if not -(2**63) <= value < 2**63:
        raise yaml.constructor.ConstructorError(None, None, f"the number {excerpt(node.value, 30)} is too large", node.start_mark)
    return value


def _construct_float(loader: Any, node: Any) -> float:
    value = yaml.SafeLoader.construct_yaml_float(loader, node)
    if not math.isfinite(value):
        raise yaml.constructor.ConstructorError(
            None, None, f"{excerpt(node.value, 30)} is not a finite number (give a plain number such as 1.5)", node.start_mark
        )
    return value


_LOADERS: dict[type, type] = {}


def loader_class() -> type:
    base = _base_loader()
    if base not in _LOADERS:
        _LOADERS[base] = _make_loader(base)
    return _LOADERS[base]


def check_structure(text: str, path: Path | str, limits: Limits = DEFAULT_LIMITS) -> None:
    """Walk the YAML event stream once (no objects built) and refuse what is too deep, too big
    or too self-referential. An alias counts as the size and depth of what it points at, so a
    few lines of nested anchors that would expand to billions of values are caught here."""
    total = 0  # values so far, aliases expanded
    aliases = 0
    # One frame per open collection: [anchor, total at its start, deepest nesting below it,
    # is a mapping, children so far].
    stack: list[list[Any]] = []
    anchors: dict[str, tuple[int, int]] = {}  # anchor -> (expanded size, nesting depth)
    loader = None
    try:
        loader = loader_class()(text)
        while True:
            event = loader.get_event()
            if event is None:
                break
            kind = type(event)
            below = 0  # nesting the event brings below its parent
            if kind is yaml.ScalarEvent:
                if len(event.value) > limits.max_scalar:
                    raise _fail(
                        path,
                        _line(event),
                        f"a value of {len(event.value):,} characters is too long (at most {limits.max_scalar:,})",
                    )
                total += 1
                if event.anchor:
                    anchors[event.anchor] = (1, 0)
            elif kind is yaml.AliasEvent:
                aliases += 1
                if aliases > limits.max_aliases:
                    raise _fail(path, _line(event), f"more than {limits.max_aliases:,} aliases (*name); write the values out")
                if event.anchor not in anchors:
                    # Not defined yet, or still open: a value that contains itself.
                    what = (
                        "contains itself"
                        if any(frame[0] == event.anchor for frame in stack)
                        else "has no anchor (&name) before it"
                    )
                    raise _fail(path, _line(event), f"alias *{excerpt(event.anchor, 40)} {what}; write the values out")
                size, below = anchors[event.anchor]
                total += size
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if len(stack) >= limits.max_depth:
                    raise _fail(
                        path,
                        _line(event),
                        f"nested more than {limits.max_depth} levels deep; content and answers need only a few",
                    )
                total += 1
                stack.append([event.anchor, total, 0, kind is yaml.MappingStartEvent, 0])
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                anchor, start, deepest, _, _ = stack.pop()
                below = deepest + 1
                if anchor:
                    anchors[anchor] = (total - start + 1, below)
            else:
                continue
            if stack and stack[-1][3]:
                stack[-1][4] += 1  # keys and values alternate: two children per entry
                if stack[-1][4] > 2 * limits.max_keys:
                    raise _fail(
                        path,
                        _line(event),
                        f"a mapping here has more than {limits.max_keys:,} keys; an answers or content file needs far fewer",
                    )
            if stack and below > stack[-1][2]:
                stack[-1][2] = below
                if len(stack) + below > limits.max_depth:
                    raise _fail(
                        path, _line(event), f"aliases here nest more than {limits.max_depth} levels deep; write the values out"
                    )
            if total > limits.max_nodes:
                raise _fail(
                    path,
                    _line(event),
                    f"holds more than {limits.max_nodes:,} values (aliases expanded); an answers or content file needs far fewer",
                )
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, path, text) from None
    finally:
        if loader is not None:
            loader.dispose()


def _line(event: Any) -> int:
    mark = getattr(event, "start_mark", None)
    return mark.line + 1 if mark is not None else 1


def cut(text: str, limit: int = 200) -> str:
    """Text cut to a readable length for an error line, saying how much was left out."""
    text = " ".join(text.split())
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def _syntax_error(exc: yaml.YAMLError, path: Path | str, text: str = "") -> ContentError:
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return _fail(
            path, line, f"holds a control character (#x{code:04x}); YAML allows only printable text, tabs and line breaks"
        )
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        if isinstance(exc, yaml.constructor.ConstructorError):
            if "could not determine a constructor" in problem:
                problem = "this tag is not allowed; use plain values (text, numbers, true/false, lists, mappings)"
            return _fail(path, line, cut(problem))
        if "another document" in problem:
            return _fail(path, line, "holds more than one YAML document (a second ---); put everything in one")
        if "maximum nesting depth" in problem:
            return _fail(path, line, f"nested more than {MAX_DEPTH} levels deep; content and answers need only a few")
        return _fail(path, line, f"YAML syntax error: {cut(problem)} (not valid YAML or JSON)")
    return _fail(path, 1, f"YAML error: {cut(str(exc))}")


def parse_yaml(text: str, path: Path | str, limits: Limits = DEFAULT_LIMITS) -> Any:
    """The data of one YAML (or JSON) document, after check_structure (None for an empty file).

    Line numbers are not kept here: yamlsrc composes the nodes again only when an error needs them.
    """
    check_structure(text, path, limits)
    loader = None
    try:
        loader = loader_class()(text)
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, path, text) from None
    finally:
        if loader is not None:
            loader.dispose()


def load_data(path: Path, limits: Limits = DEFAULT_LIMITS) -> Any:
    """The data of a user's YAML or JSON file, every limit applied."""
    return parse_yaml(read_text(path, limits), path, limits)
