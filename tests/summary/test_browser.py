"""The HTML write-ups in a real headless browser: every diagram drawn, no escape code as text,
nothing scrolling sideways at 1280 px, no request leaving the file. Skipped (with the reason)
when no Chromium is installed; .ci/run installs Debian's."""

from __future__ import annotations

import json

import pytest
from headless import Browser, find_browser, screenshot_dir

pytestmark = pytest.mark.slow

ONE_MB = 1024 * 1024


@pytest.fixture(scope="module")
def browser():
    executable = find_browser()
    if executable is None:
        pytest.skip("no headless browser installed (Debian: apt-get install chromium); .ci/run installs it")
    b = Browser(executable)
    yield b
    b.close()


def _check(report: dict, html: str, name: str) -> None:
    drawn = [d for d in report["drawings"] if d["drawn"]]
    figures = (report["figures"], len(drawn))
    weight = len(html.encode()) / 1024
    print(f"{name}: {len(drawn)}/{report['figures']} diagrams drawn, {weight:.0f} KB, screenshot {report.get('screenshot')}")
    assert report["figures"] > 0 and figures[0] == figures[1], report
    for d in drawn:
        assert d["width"] > 100 and d["height"] > 50, d  # on the page, at a size one can read
        assert d["bboxWidth"] > 0 and d["bboxHeight"] > 0 and d["shapes"] > 0 and d["texts"] > 0, d
        assert d["codes"] == [], d  # Mermaid's #59; / #quot; decoded before drawing
        assert d["width"] <= report["viewportWidth"], d
        assert d["sourceHidden"], d  # the source is one click away, not in the way
    assert report["visibleCodes"] == [], report["visibleCodes"]
    assert not report["pageScrollsSideways"] and report["scrollers"] == [], report["scrollers"]
    assert all(url.startswith(("file:", "data:")) for url in report["requests"]), report["requests"]
    assert len(html.encode()) < ONE_MB


def _shot(tmp_path, name):
    folder = screenshot_dir() or tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"


def test_reference_html_draws_every_diagram(browser, invoke, tmp_path):
    out = tmp_path / "chat-reference.html"
    assert invoke("summary", "--reference", "chat", "--output", str(out)).exit_code == 0
    report = browser.look(out, _shot(tmp_path, "chat-reference"))
    html = out.read_text(encoding="utf-8")
    _check(report, html, "reference")
    assert report["figures"] == 1 + html.count('class="mermaid"') - 1  # the architecture and each key flow
    with open(report["screenshot"], "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_session_html_draws_every_diagram(browser, invoke, scripted_chat, tmp_path):
    out = tmp_path / "session.html"
    assert invoke("summary", str(scripted_chat), "--output", str(out)).exit_code == 0
    report = browser.look(out, _shot(tmp_path, "session-summary"))
    html = out.read_text(encoding="utf-8")
    _check(report, html, "session")
    parts = json.loads(invoke("summary", str(scripted_chat), "--json").stdout)
    assert report["figures"] == len(parts["diagrams"])  # the candidate's two and the reference's
    labels = [d["label"] for d in report["drawings"]]
    assert labels[:3] == ["Your architecture", "Your data flow", "Reference architecture"], labels
