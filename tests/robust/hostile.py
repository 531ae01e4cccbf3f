"""A corpus of hostile input files, generated at test time (nothing large is committed).

Each entry is (name, bytes); the classes: encodings, binary, size, depth, alias bombs, key
floods, huge values, odd YAML types. Every one must end in one clear line and exit 2.
"""

from __future__ import annotations

import codecs
import os

SAMPLE = "problem: chat\nsteps:\n  requirements:\n    - How many users?\n"


def _bomb(levels: int, width: int = 9) -> str:
    lines = ['a0: &a0 ["lol"]']
    for i in range(1, levels + 1):
        refs = ", ".join([f"*a{i - 1}"] * width)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def _map_bomb(levels: int) -> str:
    lines = ["a: &a {x: 1, y: 2}", "b: &b {p: *a, q: *a, r: *a, s: *a}", "c: &c {p: *b, q: *b, r: *b, s: *b}"]
    prev = "c"
    for i in range(levels):
        lines.append(f"d{i}: &d{i} {{p: *{prev}, q: *{prev}, r: *{prev}}}")
        prev = f"d{i}"
    return "\n".join(lines) + "\n"


def _merge_bomb(levels: int) -> str:
    # Merge keys (<<) and lists of aliases, the other way anchors multiply.
    lines = ["a: &a {x: 1}"]
    prev = "a"
    for i in range(levels):
        lines.append(f"m{i}: &m{i} {{<<: [*{prev}], k{i}: [*{prev}, *{prev}]}}")
        prev = f"m{i}"
    return "\n".join(lines) + "\n"


def corpus() -> list[tuple[str, bytes]]:
    deep = 5000
    items: list[tuple[str, bytes]] = [
        ("utf16-bom", SAMPLE.encode("utf-16")),
        ("utf16-le-nobom", SAMPLE.encode("utf-16-le")),
        ("utf16-be-nobom", SAMPLE.encode("utf-16-be")),
        ("utf32", SAMPLE.encode("utf-32")),
        ("latin1", "problem: caf\xe9\nnotes: d\xe9j\xe0 vu\n".encode("latin-1")),
        ("cp1252-quotes", "answer: \u201cquoted\u201d\n".encode("cp1252")),
        ("utf8-bom-then-latin1", codecs.BOM_UTF8 + b"a: \xff\xfe\n"),
        ("binary-random", os.urandom(4096)),
        ("binary-png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(200)),
        ("binary-gzip", b"\x1f\x8b\x08\x00" + os.urandom(300)),
        ("nul-in-text", b"problem: chat\x00\n"),
        ("empty", b""),
        ("only-bom", codecs.BOM_UTF8),
        ("whitespace", b"   \n\n\t\n"),
        ("deep-flow-seq", ("[" * deep + "]" * deep).encode()),
        ("deep-flow-map", ("{a: " * deep + "1" + "}" * deep).encode()),
        ("deep-block", "".join(f"{'  ' * i}k{i}:\n" for i in range(950)).encode()),
        ("deep-900-seq", ("[" * 900 + "]" * 900).encode()),
        ("bomb-seq", _bomb(9).encode()),
        ("bomb-under-key", (_bomb(9) + "avg_write_qps: *a9\nproblem: *a9\nsteps: *a9\n").encode()),
        ("bomb-map", _map_bomb(20).encode()),
        ("merge-bomb", _merge_bomb(40).encode()),
        ("self-alias", b"a: &a [*a]\n"),
        ("undefined-alias", b"a: *nope\n"),
        ("many-aliases", b"x: &x 1\nl: [" + b", ".join([b"*x"] * 5000) + b"]\n"),
        ("huge-file", b"notes: |\n" + b"  " + b"word " * (6 * 1024 * 1024 // 5) + b"\n"),
        ("huge-value", b"answer: " + b"x" * (900 * 1024) + b"\n"),
        ("huge-value-quiz-id", b"x" * 500_000 + b": A\n"),
        ("many-keys", b"".join(b"k%d: %d\n" % (i, i) for i in range(150_000))),
        ("many-keys-flow", b"{" + b", ".join(b"k%d: 1" % i for i in range(150_000)) + b"}"),
        ("many-keys-small", b"".join(b"q%d: A\n" % i for i in range(5_000))),
        ("long-key-list", b"steps: [" + b", ".join([b"1"] * 120_000) + b"]\n"),
        # Within every limit of the reader, but each question is answered by the interviewer.
        (
            "many-questions",
            (
                "problem: chat\nsteps:\n  scope:\n    clarify:\n"
                + "".join(f"      - How many users in region {i}?\n" for i in range(5000))
            ).encode(),
        ),
        ("syntax-error", b"a: [1, 2\nb: }\n"),
        ("tab-indent", b"a:\n\t- b\n"),
        ("dup-keys", b"problem: chat\nproblem: chat\n"),
        ("python-tag", b"a: !!python/object/apply:os.system ['echo hi']\n"),
        ("binary-tag", b"a: !!binary aGVsbG8=\n"),
        ("set-tag", b"a: !!set {x, y}\n"),
        ("timestamp", b"2024-01-01: 2024-01-01 10:00:00\nproblem: 2024-01-01\n"),
        ("custom-tag", b"a: !foo bar\n"),
        ("unhashable-key", b"? [a, b]\n: 1\n"),
        ("multi-doc", b"a: 1\n---\nb: 2\n"),
        ("scalar-top", b"just a string\n"),
        ("list-top", b"- a\n- b\n"),
        ("number-top", b"42\n"),
        ("null-top", b"~\n"),
        ("nan-inf", b"avg_write_qps: .nan\npeak_write_qps: .inf\nproblem: chat\nminutes: .nan\nsteps: {}\n"),
        ("huge-int", b"minutes: 99999999999999999999999999999\navg_write_qps: 1e400\nproblem: chat\n"),
        ("negative", b"minutes: -5\navg_write_qps: -1\n"),
        ("bool-keys", b"true: yes\nnull: no\n1: 2\n"),
        ("json-deep", ("[" * 2000 + "]" * 2000).encode()),
        ("control-chars", b"a: \x1b[31mred\x1b[0m \x07\n"),
        ("surrogate-escape", b"a: \xed\xa0\x80\n"),
        ("crlf", b"problem: chat\r\nsteps:\r\n  requirements: [a]\r\n"),
    ]
    return items
