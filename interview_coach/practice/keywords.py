"""Finding the content's keywords in free text: the one matcher behind the rubric, hints and the
interviewer's replies.

Deliberately simple and predictable (a candidate can see why a point was or was not found):
text and keywords are cut into lower-case word tokens, each token is trimmed of a plural or
possessive ending, and a keyword counts when its tokens appear side by side in the text.
"WebSockets" finds "websocket", "pub/sub" finds "pub sub", "one-on-one" finds "one on one".

Content authors also write word stems ("reliab", "paginat") and symbols ("->", "/s", "86,400"):
a keyword of six or more characters, or one with a symbol in it, is also looked for as plain
lower-case text. Shorter plain words ("ap", "sse", "db") only ever match whole words, so "ap"
is not found in "happy".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_TOKEN = re.compile(r"[a-z0-9]+(?:[.:][0-9]+)*")
_SYMBOL = re.compile(r"[^a-z0-9\s]")
SUBSTRING_MIN = 6

# Words that carry no meaning for matching a question to another question.
STOPWORDS = frozenset(
    [
        "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "could", "do", "does", "did",
        "for", "from", "has", "have", "how", "i", "if", "in", "into", "is", "it", "its", "let", "lets", "me",
        "my", "of", "on", "or", "our", "shall", "should", "so", "that", "the", "their", "them", "then",
        "there", "these", "they", "this", "those", "to", "us", "was", "we", "were", "what", "when", "where",
        "which", "while", "who", "will", "with", "would", "you", "your", "need", "needs", "want", "wants",
        "any", "some", "about", "just", "also", "okay", "ok",
    ]
)


def stem(token: str) -> str:
    """A light English stem: plurals and possessives off, so 'caches' and "cache's" meet 'cache'."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 4 and token.endswith(("sses", "shes", "ches", "xes")):
        return token[:-2]
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def tokens(text: str) -> list[str]:
    """Stemmed word tokens of `text`; numbers keep their inner ':' and '.' ("10:1", "2.5")."""
    return [stem(t) for t in _TOKEN.findall(text.lower().replace("'s", ""))]


def content_tokens(text: str) -> set[str]:
    return {t for t in tokens(text) if t not in STOPWORDS}


class Text:
    """Text prepared once for many keyword look-ups."""

    def __init__(self, text: str) -> None:
        self.raw = text
        self.tokens = tokens(text)
        self._joined = " " + " ".join(self.tokens) + " "
        self._lower = " ".join(text.lower().split())

    def has(self, keyword: str) -> bool:
        key = keyword.lower()
        wanted = tokens(key)
        # Joining with spaces and padding the ends makes a substring test a whole-token test.
        if wanted and (" " + " ".join(wanted) + " ") in self._joined:
            return True
        plain = " ".join(key.split()) if key.strip() else key
        if len(plain.strip()) >= SUBSTRING_MIN or _SYMBOL.search(plain):
            return plain in self._lower
        return False

    def found(self, keywords: Iterable[str]) -> list[str]:
        """The keywords present in the text, in the order given."""
        return [k for k in keywords if self.has(k)]

    def __bool__(self) -> bool:
        return bool(self.tokens)
