"""Finding a content phrase in a candidate's sentence: on word boundaries, by word stems.

Text and phrases are cut into lower-case words and each word is reduced to its Snowball stem,
so "retried" meets "retry", "WebSockets" meets "websocket" and "stored" meets "store", while
"write throughput" never meets "write-through" and "gracefully" never meets "draining" (a
phrase matches whole words, side by side, never part of a word).

Phrase syntax, for content authors:
- `word*` matches any word starting with `word` ("idempot*" finds "idempotent", "idempotency");
- `~` between words allows up to three other words in between ("store ~ permanently" finds
  "store every message permanently");
- a phrase starting with `/` or holding `://` is an API path, looked for as plain text;
- `@class` matches any one word of a shared concept class (`CLASSES` below): "key* ~ by ~ @conv"
  finds "keyed by conversation", "key the table by chat", "keys by channel id". Classes let a
  card write a point the way people say it in plain words, whatever they call the parts.

Contractions are opened first ("don't" -> "do not") so negation is seen as a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

_STEMMER = snowballstemmer.stemmer("english")
# Words and numbers; a number keeps its inner ',', '.' and ':' ("86,400", "2.5", "10:1").
_WORD = re.compile(r"[a-z0-9]+(?:[.,:][0-9]+)*\*?|~")
_PHRASE_WORD = re.compile(r"@?[a-z0-9]+(?:[.,:][0-9]+)*\*?|~")
_CONTRACTIONS = [
    (re.compile(r"\bcan'?t\b"), "can not"),
    (re.compile(r"\bwon'?t\b"), "will not"),
    (re.compile(r"\bshan'?t\b"), "shall not"),
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"'(s|re|ve|ll|d|m)\b"), ""),
    (re.compile(r"[’‘]"), "'"),
]
MAX_GAP = 3
_BREAK = re.compile(r"[,;:()\[\]—–]|\s-\s")


# Concept classes: the words people use for the same part of a design. Facts about English in
# system design answers, not about one problem, so every card's phrasings may use them. Each word
# is stemmed; a word ending in "*" is a prefix.
_CLASS_WORDS: dict[str, str] = {
    "conv": "conversation chat channel thread room group dialog dialogue dm",
    "db": "database db store storage datastore cassandra disk table tables persistence dynamo* hbase scylla* postgres* mysql",
    "socket": "socket websocket* connection pipe stream ws",
    "clock": "clock clocks time timestamp* ntp",
    "key": "key keyed partition* shard* bucket* hash* distribut* split",
    "node": "node* replica* machine* server* host* partition* shard* box*",
    "write": "write* writing insert* persist* sav* stor* append* record*",
    "deliver": "deliver* send* sending sent forward* push* relay* hand* rout* fan*",
    "big": "megabyte* gigabyte* mb gb large big huge heavy bulky binar* raw",
    "media": "media image* photo* video* file* attachment* picture* pic* binar* blob* bytes",
    "id": "id ids identifier* sequence* number*",
    "order": "order* sort* newest latest recent chronolog* sequenc*",
    "fast": "fast quick* speed* cheap* efficient* throughput rate rates high",
    "slow": "slow* stall* block* delay* lag* wait* latency hold* clog* jam* starv* choke* freez* bloat*",
    "lose": "lose* lost losing drop* miss* disappear* vanish*",
    "avail": "availab* up uptime writable accept* online reachable",
    # what goes wrong: said after "would" / "could", it rejects the idea before it
    "harm": "overload* flood* stall* block* break* breaks fail* crash* freez* bury* buries swamp* stuck waste* bloat* "
    "drown* hammer* melt* choke* starv* clog* jam* lose* lost hurt* kill* uneven* imbalanc* bottleneck* slow* delay* "
    "hog* exhaust* explod* overwhelm* miss* latency",
    "bad": "bad harmful broken wrong stale inconsistent disagree* diverg* conflict* skew* drift* mismatch*",
}
CLASSES: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {}


def _class_of(words: str) -> tuple[frozenset[str], tuple[str, ...]]:
    exact = frozenset(stem(w) for w in words.split() if not w.endswith("*"))
    prefixes = tuple(w[:-1] for w in words.split() if w.endswith("*"))
    return exact, prefixes


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    if word[:1].isdigit():
        return word.replace(",", "")
    return str(_STEMMER.stemWord(word))


def normalise(text: str) -> str:
    low = text.lower().replace("’", "'").replace("‘", "'")
    for pattern, repl in _CONTRACTIONS:
        low = pattern.sub(repl, low)
    return low


for _name, _members in _CLASS_WORDS.items():
    CLASSES[_name] = _class_of(_members)


@dataclass(frozen=True)
class Tokens:
    """A sentence as stems, with each stem's character span in the original text."""

    text: str
    low: str
    stems: tuple[str, ...]
    words: tuple[str, ...]
    breaks: tuple[bool, ...] = ()  # punctuation (, ; : ( —) just before each word: a clause boundary
    hyphened: tuple[bool, ...] = ()  # part of a hyphenated compound ("out-of-order", "fire-and-forget")

    @classmethod
    def of(cls, text: str) -> Tokens:
        low = normalise(text)
        matches = [m for m in _WORD.finditer(low) if m.group(0) != "~"]
        words = tuple(m.group(0) for m in matches)
        breaks = []
        joined = []
        prev_end = 0
        for m in matches:
            gap = low[prev_end : m.start()]
            breaks.append(bool(_BREAK.search(gap)))
            joined.append(gap == "-" and prev_end > 0)
            prev_end = m.end()
        hyphened = [joined[i] or (i + 1 < len(joined) and joined[i + 1]) for i in range(len(joined))]
        return cls(text, low, tuple(stem(w) for w in words), words, tuple(breaks), tuple(hyphened))

    def __len__(self) -> int:
        return len(self.stems)


@dataclass(frozen=True)
class Phrase:
    raw: str
    parts: tuple[tuple[str, bool] | None, ...]  # (stem, is_prefix) or None for a gap
    plain: str | None  # looked for as plain text instead (API paths)

    @property
    def words(self) -> int:
        return sum(1 for p in self.parts if p is not None)


@lru_cache(maxsize=16384)
def compile_phrase(raw: str) -> Phrase:
    low = normalise(raw).strip()
    if low.startswith("/") or "://" in low or low.startswith("->") or low == "→":
        return Phrase(raw, (), low)
    parts: list[tuple[str, bool] | None] = []
    for m in _PHRASE_WORD.finditer(low):
        w = m.group(0)
        if w == "~":
            if parts and parts[-1] is not None:
                parts.append(None)
            continue
        if w.startswith("@"):
            w = w.rstrip("*")  # a class already holds every form of its words
            if w[1:] not in CLASSES:
                raise ValueError(f"unknown concept class {w!r} in phrase {raw!r}; known: {', '.join(sorted(CLASSES))}")
            parts.append((w, False))
        elif w.endswith("*"):
            parts.append((w[:-1], True))
        else:
            parts.append((stem(w), False))
    while parts and parts[-1] is None:
        parts.pop()
    return Phrase(raw, tuple(parts), None)


def _word_matches(part: tuple[str, bool], toks: Tokens, i: int) -> bool:
    s, prefix = part
    if s[:1] == "@":
        exact, prefixes = CLASSES[s[1:]]
        return toks.stems[i] in exact or toks.words[i].startswith(prefixes)
    if prefix:
        return toks.words[i].startswith(s) or toks.stems[i].startswith(s)
    return toks.stems[i] == s


def find(phrase: str | Phrase, toks: Tokens) -> list[tuple[int, int]]:
    """Each (start, end) word span where the phrase occurs; plain-text phrases give (-1, -1)."""
    ph = compile_phrase(phrase) if isinstance(phrase, str) else phrase
    if ph.plain is not None:
        return [(-1, -1)] if ph.plain and ph.plain in toks.low else []
    if not ph.parts:
        return []
    out: list[tuple[int, int]] = []
    n = len(toks)
    for start in range(n):
        end = _match_from(ph.parts, 0, toks, start)
        if end is not None:
            out.append((start, end))
    return out


def matched_words(phrase: str | Phrase, toks: Tokens) -> set[int]:
    """The positions of the words a phrase's matches consist of: a `~` gap's words are not part of it."""
    ph = compile_phrase(phrase) if isinstance(phrase, str) else phrase
    out: set[int] = set()
    if ph.plain is not None or not ph.parts:
        return out
    for start in range(len(toks)):
        hit = _positions_from(ph.parts, 0, toks, start)
        if hit is not None:
            out.update(hit)
    return out


def _positions_from(parts: tuple[tuple[str, bool] | None, ...], k: int, toks: Tokens, i: int) -> tuple[int, ...] | None:
    if k == len(parts):
        return ()
    part = parts[k]
    if part is None:
        for skip in range(MAX_GAP + 1):
            rest = _positions_from(parts, k + 1, toks, i + skip)
            if rest is not None:
                return rest
        return None
    if i >= len(toks) or not _word_matches(part, toks, i):
        return None
    rest = _positions_from(parts, k + 1, toks, i + 1)
    return None if rest is None else (i, *rest)


def _match_from(parts: tuple[tuple[str, bool] | None, ...], k: int, toks: Tokens, i: int) -> int | None:
    """The end of a match of parts[k:] starting at word i, or None."""
    if k == len(parts):
        return i
    part = parts[k]
    if part is None:  # a gap: the next word may come up to MAX_GAP words later
        for skip in range(MAX_GAP + 1):
            end = _match_from(parts, k + 1, toks, i + skip)
            if end is not None:
                return end
        return None
    if i >= len(toks) or not _word_matches(part, toks, i):
        return None
    return _match_from(parts, k + 1, toks, i + 1)
