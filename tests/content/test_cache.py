"""The content cache: a hit is exactly what validation gave, and anything doubtful is a miss."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from interview_coach.content import cache
from interview_coach.content.loader import load_model
from interview_coach.content.models import ProblemCard
from interview_coach.errors import ContentError
from interview_coach.paths import data_dir

CHAT = data_dir("frameworks") / "problems" / "chat.yaml"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    where = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(where))
    return where


def twice_in_fresh_processes(code: str, folder: Path) -> list[subprocess.CompletedProcess]:
    """Run `code` in two new interpreters sharing the cache `folder`: the second reads the cache."""
    env = {**os.environ, cache.CACHE_ENV: str(folder)}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env) for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), runs[-1].stderr
    return runs


def counting(build):
    calls = []

    def wrapped():
        calls.append(1)
        return build()

    return wrapped, calls


def test_a_hit_returns_what_validation_gave_without_building_again(folder, tmp_path):
    card = tmp_path / "chat.yaml"
    card.write_bytes(CHAT.read_bytes())
    build, calls = counting(lambda: load_model(card, ProblemCard))
    first = cache.cached("problem", card, build)
    second = cache.cached("problem", card, build)
    assert len(calls) == 1
    assert second == first and second is not first
    assert len(list((folder / "content").glob("*.pickle"))) == 1


def test_an_edited_file_is_a_miss(folder, tmp_path):
    card = tmp_path / "chat.yaml"
    card.write_bytes(CHAT.read_bytes())
    build, calls = counting(lambda: load_model(card, ProblemCard))
    before = cache.cached("problem", card, build)
    edited = CHAT.read_text(encoding="utf-8").replace(f"title: {before.title}", "title: Chat, edited", 1)
    card.write_text(edited, encoding="utf-8")
    os.utime(card, ns=(card.stat().st_atime_ns, card.stat().st_mtime_ns + 1_000_000_000))
    after = cache.cached("problem", card, build)
    assert len(calls) == 2 and after.title == "Chat, edited"


def test_a_change_to_the_content_classes_is_a_miss(folder, tmp_path, monkeypatch):
    card = tmp_path / "chat.yaml"
    card.write_bytes(CHAT.read_bytes())
    source = tmp_path / "models.py"
    source.write_text("# v1\n")
    monkeypatch.setattr(cache, "_MODELS", (source,))
    build, calls = counting(lambda: load_model(card, ProblemCard))
    cache.cached("problem", card, build)
    source.write_text("# v2, longer\n")
    cache.cached("problem", card, build)
    assert len(calls) == 2


@pytest.mark.parametrize("damage", [b"", b"not a pickle at all", b"\x80\x05\x95"])
def test_a_damaged_entry_is_a_miss_and_is_replaced(folder, tmp_path, damage):
    card = tmp_path / "chat.yaml"
    card.write_bytes(CHAT.read_bytes())
    build, calls = counting(lambda: load_model(card, ProblemCard))
    cache.cached("problem", card, build)
    (entry,) = (folder / "content").glob("*.pickle")
    entry.write_bytes(damage)
    assert cache.cached("problem", card, build).id == "chat"
    assert cache.cached("problem", card, build).id == "chat"
    assert len(calls) == 2  # rebuilt once, then a hit again


def test_same_entry_name_for_another_path_is_a_miss(folder, tmp_path, monkeypatch):
    # Two paths whose entry names collide must not read each other's content.
    a, b = tmp_path / "a" / "chat.yaml", tmp_path / "b" / "chat.yaml"
    for p in (a, b):
        p.parent.mkdir()
        p.write_bytes(CHAT.read_bytes())
    monkeypatch.setattr(cache.zlib, "crc32", lambda data: 7)
    cache.cached("problem", a, lambda: "from a")
    assert cache.cached("problem", b, lambda: "from b") == "from b"


def test_invalid_content_is_never_cached(folder, tmp_path):
    card = tmp_path / "bad.yaml"
    card.write_text("id: bad\ntitle: x\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ContentError):
            cache.cached("problem", card, lambda: load_model(card, ProblemCard))
    assert not list(folder.rglob("*.pickle"))


def test_an_unwritable_cache_folder_only_costs_speed(tmp_path, monkeypatch):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    monkeypatch.setenv(cache.CACHE_ENV, str(blocker / "cache"))
    assert cache.cached("problem", CHAT, lambda: load_model(CHAT, ProblemCard)).id == "chat"


def test_off_turns_it_off(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    build, calls = counting(lambda: 1)
    cache.cached("problem", CHAT, build)
    cache.cached("problem", CHAT, build)
    assert len(calls) == 2


def test_reading_cached_content_imports_neither_pydantic_nor_yaml(tmp_path):
    code = (
        "import sys\n"
        "from interview_coach.content.loader import load_problem\n"
        "from interview_coach.quiz.bank import load_bank\n"
        "card, bank = load_problem('chat'), load_bank()\n"
        "heavy = {'pydantic', 'yaml', 'annotated_types'}\n"
        "print(card.id, len(bank.questions), sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    runs = twice_in_fresh_processes(code, tmp_path / "cache")
    assert runs[0].stdout.split()[:2] == runs[1].stdout.split()[:2]
    assert runs[1].stdout.rstrip().endswith("[]"), runs[1].stdout  # the second run reads the cache only
    assert Path(tmp_path / "cache" / "content").is_dir()


def test_a_change_to_a_dependent_source_is_a_miss(folder, tmp_path):
    source = tmp_path / "presets.py"
    source.write_text("# v1\n")
    build, calls = counting(lambda: "value")
    cache.cached("preset", CHAT, build, depends=(source,))
    cache.cached("preset", CHAT, build, depends=(source,))
    source.write_text("# v2, longer\n")
    cache.cached("preset", CHAT, build, depends=(source,))
    assert len(calls) == 2


def test_an_estimate_preset_is_read_without_the_card_classes(tmp_path):
    code = (
        "import sys\n"
        "from interview_coach.estimation.presets import load_preset\n"
        "p = load_preset('chat')\n"
        "print(p.name, p.inputs['dau'], 'interview_coach.content.models' in sys.modules)\n"
    )
    runs = twice_in_fresh_processes(code, tmp_path / "cache")
    assert runs[0].stdout.split()[:2] == runs[1].stdout.split()[:2] == ["chat", runs[0].stdout.split()[1]]
    assert runs[1].stdout.split()[-1] == "False"


def test_content_read_from_the_cache_behaves_as_validated_content(tmp_path):
    # In a fresh process the classes are not yet dataclasses (reading needs none of it); equality,
    # repr, building one by hand and JSON all still work, and agree with validated content.
    code = (
        "import dataclasses, json, sys\n"
        "from interview_coach.content.loader import load_problem\n"
        "from interview_coach.content.models import KeyPoint, ProblemCard\n"
        "card = load_problem('chat')\n"
        "lazy = not dataclasses.is_dataclass(ProblemCard)\n"
        "kp = KeyPoint(id='x', text='made by hand', keywords=['k'])\n"
        "from interview_coach.content.loader import load_model\n"
        "from interview_coach.paths import data_dir\n"
        "fresh = load_model(data_dir('frameworks') / 'problems' / 'chat.yaml', ProblemCard)\n"
        "from interview_coach.content.schema import dump\n"
        "print(json.dumps([lazy, card == fresh, repr(card) == repr(fresh), kp.phrasings, dump(card) == dump(fresh)]))\n"
    )
    runs = twice_in_fresh_processes(code, tmp_path / "cache")
    assert runs[1].stdout.strip() == "[true, true, true, [], true]", runs[1].stdout


def test_a_stored_miss_clears_retired_entries_and_stray_temporary_files(folder, tmp_path):
    content = folder / "content"
    content.mkdir(parents=True)
    retired = content / ("0123456789abcdef" * 2 + ".pickle")  # a name of the versions before checksum names
    stale, fresh = content / ".tmp-abc.pickle", content / ".tmp-def.pickle"  # a write a kill cut short; one under way
    for f in (retired, stale, fresh):
        f.write_bytes(b"x")
    os.utime(stale, (1_000_000_000, 1_000_000_000))
    card = tmp_path / "chat.yaml"
    card.write_text("id: chat\n")
    assert cache.cached("note", card, lambda: {"n": 1}) == {"n": 1}
    left = sorted(p.name for p in content.iterdir())
    assert retired.name not in left and stale.name not in left
    assert fresh.name in left and any(name.startswith("note-chat-") for name in left)
