"""A real headless Chromium, driven over the DevTools protocol, to look at the HTML write-ups.

Started with a fresh profile and everything that would reach the network switched off; the
page is loaded from a file, and every request it makes is recorded, so a test can show that
the write-up needs nothing from outside. `find_browser()` is None when no browser is installed.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
    "--window-size=1280,900",
)
START_LIMIT_S = 60.0  # a bound on waiting for the browser to start, not a speed check

# What the page reports about itself: the drawings, any Mermaid escape code showing as text,
# and anything that scrolls sideways.
PROBE = r"""
(() => {
  const CODE = /#(?:\d+|[A-Za-z]+);/g;
  const figures = [...document.querySelectorAll('figure.diagram')];
  const drawings = figures.map((f) => {
    const svg = f.querySelector('svg');
    if (!svg) return {drawn: false};
    const r = svg.getBoundingClientRect();
    const b = svg.getBBox();
    const texts = [...svg.querySelectorAll('text')].map((t) => t.textContent).join('\n');
    return {
      drawn: true, width: r.width, height: r.height, bboxWidth: b.width, bboxHeight: b.height,
      shapes: svg.querySelectorAll('path, rect').length, texts: svg.querySelectorAll('text').length,
      codes: texts.match(CODE) || [], label: svg.getAttribute('aria-label'),
      sourceHidden: !!f.querySelector('details:not([open]) pre.mermaid'),
    };
  });
  const de = document.documentElement;
  const scrollers = [...document.querySelectorAll('body *')].filter((e) => {
    const cs = getComputedStyle(e);
    return ['auto', 'scroll'].includes(cs.overflowX) && e.scrollWidth > e.clientWidth + 1;
  }).map((e) => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
  return JSON.stringify({
    figures: figures.length, drawings,
    visibleCodes: document.body.innerText.match(CODE) || [],
    pageScrollsSideways: de.scrollWidth > de.clientWidth,
    scrollers, viewportWidth: de.clientWidth, pageHeight: de.scrollHeight,
  });
})()
"""


def find_browser() -> str | None:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """One headless browser with one page; `look(path)` loads a file and reports on it."""

    def __init__(self, executable: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="coach-chromium-")
        self.proc = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []
        self._stack = contextlib.ExitStack()
        self.ws = self._connect()

    def _connect(self) -> Any:
        import httpx
        from websockets.sync.client import connect

        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + START_LIMIT_S
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError("the headless browser did not start")
            time.sleep(0.05)
        port = int(port_file.read_text().splitlines()[0])
        targets = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
        page = next(t for t in targets if t.get("type") == "page")
        return self._stack.enter_context(connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=10))

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        call_id = next(self.ids)
        self.ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=60))
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, event: str) -> dict[str, Any]:
        for i, seen in enumerate(self.events):
            if seen.get("method") == event:
                return self.events.pop(i)
        while True:
            message = json.loads(self.ws.recv(timeout=60))
            if message.get("method") == event:
                return message
            self.events.append(message)

    def look(self, path: Path, screenshot: Path | None = None) -> dict[str, Any]:
        """Load `path` at 1280 px wide and report on it; with `screenshot`, save the whole page as PNG."""
        self.events.clear()
        self.call("Page.enable")
        self.call("Network.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
        self.call("Page.navigate", url=path.resolve().as_uri())
        self.wait_for("Page.loadEventFired")
        result = self.call("Runtime.evaluate", expression=PROBE, returnByValue=True)
        report: dict[str, Any] = json.loads(result["result"]["value"])
        report["requests"] = [
            e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"
        ]
        if screenshot is not None:
            shot = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
            screenshot.write_bytes(base64.b64decode(shot["data"]))
            report["screenshot"] = str(screenshot)
        return report

    def close(self) -> None:
        try:
            self._stack.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            shutil.rmtree(self.profile, ignore_errors=True)


def screenshot_dir() -> Path | None:
    """Where to keep the screenshots (SUMMARY_SCREENSHOTS=DIR); by default they go with the test's temporary files."""
    value = os.environ.get("SUMMARY_SCREENSHOTS")
    return Path(value) if value else None
