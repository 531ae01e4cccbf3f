"""Compiled summary templates are cached; the document never depends on the cache."""

from __future__ import annotations

import pytest

from interview_coach.content.cache import CACHE_ENV
from interview_coach.summary.reference import render_reference


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_document_is_the_same_with_a_cold_a_warm_and_no_cache(tmp_path, monkeypatch, fmt):
    monkeypatch.setenv(CACHE_ENV, "off")
    plain = render_reference("chat", fmt)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    cold = render_reference("chat", fmt)
    compiled = sorted((tmp_path / "cache" / "templates").iterdir())
    assert compiled, "the compiled templates were not stored"
    warm = render_reference("chat", fmt)
    assert plain == cold == warm


def test_an_edited_template_is_compiled_again(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    content = tmp_path / "content" / "summary"
    content.mkdir(parents=True)
    override = content / "reference.md.j2"
    override.write_text("first {{ problem.title }}\n", encoding="utf-8")
    assert render_reference("chat", "md", tmp_path / "content").startswith("first ")
    override.write_text("second {{ problem.title }}\n", encoding="utf-8")
    assert render_reference("chat", "md", tmp_path / "content").startswith("second ")


def test_an_unwritable_cache_folder_still_renders(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    assert "chat" in render_reference("chat", "md").lower()


def test_a_warm_write_up_reads_the_cards_estimates_without_the_calculator(tmp_path):
    import os
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from interview_coach.summary.reference import render_reference\n"
        "doc = render_reference('chat', 'md')\n"
        "print(len(doc), 'interview_coach.estimation.calculator' in sys.modules)\n"
    )
    env = {**os.environ, CACHE_ENV: str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env) for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), runs[-1].stderr
    (cold_len, cold_calc), (warm_len, warm_calc) = (r.stdout.split() for r in runs)
    assert cold_len == warm_len and cold_calc == "True" and warm_calc == "False"
    env_off = {**os.environ, CACHE_ENV: "off"}
    off = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env_off)
    assert off.stdout.split()[0] == warm_len
