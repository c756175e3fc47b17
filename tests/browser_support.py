"""Shared pieces of the browser tests: a server subprocess that always stops, and an offline Chromium.

Used by tests/test_app_browser.py (Voilà) and tests/test_lab_browser.py
(JupyterLab). Debian's chromium is driven through Playwright's Python API;
every request that is not to the local server is aborted and remembered,
so a test can assert the page never tried to reach the internet.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("RELIEFPLAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def require_chromium() -> None:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no Chromium at {CHROMIUM} (make browser installs Debian's chromium)")


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Linux: the server gets SIGTERM if the test process dies (crash, xdist worker killed)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def wait_listening(proc: subprocess.Popen, port: int, log: Path, timeout: float = 60) -> float:
    """Wait until the server accepts connections on 127.0.0.1:port; seconds taken."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log_tail(log)}")
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return time.monotonic() - start
        time.sleep(0.2)
    raise RuntimeError(f"server not listening on {port} after {timeout:.0f} s:\n{log_tail(log)}")


def stop(proc: subprocess.Popen, grace: float = 20) -> None:
    """SIGTERM (the server shuts its kernels down), then SIGKILL if it hangs."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@contextlib.contextmanager
def server(cmd: list[str], *, port: int, log: Path, env: dict | None = None, cwd=None, timeout: float = 60):
    """Run ``cmd`` until the block ends (also on failure); yields the Popen once it listens."""
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
        try:
            wait_listening(proc, port, log, timeout)
            yield proc
        finally:
            stop(proc)


class Offline:
    """Routes a browser context: local requests pass, anything else is aborted and listed."""

    def __init__(self, context):
        self.blocked: list[str] = []
        self.websockets: list[str] = []
        context.route("**/*", self._route)

    def _route(self, route) -> None:
        url = route.request.url
        if urlsplit(url).hostname in LOCAL_HOSTS or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def watch(self, page) -> None:
        page.on("websocket", lambda ws: self.websockets.append(ws.url))

    def external_websockets(self) -> list[str]:
        return [u for u in self.websockets if urlsplit(u).hostname not in LOCAL_HOSTS]


@contextlib.contextmanager
def chromium():
    """A headless Debian Chromium driven by Playwright; closed on exit."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


def open_report(browser, path: Path) -> dict:
    """Open a report file with every non-file request aborted; wait for its first chart.

    Returns the page and what a test asserts on: ``blocked`` requests, page
    ``errors``, chart ``divs``, charts ``drawn`` (an SVG with paths) and plotted
    ``marks`` (paths and rects inside charts).
    """
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    blocked, errors = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):
        if r.request.url.startswith("file://"):
            return r.continue_()
        blocked.append(r.request.url)
        return r.abort()

    page.route("**/*", route)
    page.goto(Path(path).as_uri())
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length > 0",
                           timeout=30_000)
    return {
        "page": page, "blocked": blocked, "errors": errors,
        "divs": page.evaluate("() => document.querySelectorAll('.plotly-graph-div').length"),
        "drawn": page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot')]"
                               ".filter(e => e.querySelector('svg.main-svg') && "
                               "e.querySelectorAll('svg path').length > 0).length"),
        "marks": page.evaluate("() => document.querySelectorAll('.js-plotly-plot path, .js-plotly-plot rect')"
                               ".length"),
    }


# Chart text that collides, as [chart title, selector, text, text]: tick labels, legend entries, titles,
# annotations. Plotly tilts long category names; tilted labels collide when their baselines are closer
# than the font size (their bounding boxes always overlap, so boxes are compared only for level text).
LABEL_OVERLAPS_JS = r"""() => {
  // Text of a chart that collides: tick labels, legend entries, titles, annotations. Rotated tick labels
  // (plotly tilts long category names) collide when their baselines are closer than the font size.
  const out = [];
  const angle = e => { const m = /rotate\((-?[\d.]+)/.exec(e.getAttribute('transform') || ''); return m ? +m[1] : 0; };
  document.querySelectorAll('.js-plotly-plot').forEach((gd, gi) => {
    const title = (gd.layout && gd.layout.title && gd.layout.title.text) || String(gi);
    for (const sel of ['.xtick text', '.ytick text', '.legendtext', '.annotation-text', '.g-gtitle text']) {
      const items = [...gd.querySelectorAll(sel)].map(e => ({t: e.textContent, r: e.getBoundingClientRect(),
        a: angle(e), f: parseFloat(getComputedStyle(e).fontSize) || 12})).filter(x => x.t && x.r.width > 0);
      for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) {
        const p = items[i], q = items[j];
        let hit;
        if (p.a !== 0 && p.a === q.a) {
          const dx = (p.r.left + p.r.right - q.r.left - q.r.right) / 2, dy = (p.r.top + p.r.bottom - q.r.top - q.r.bottom) / 2;
          const th = p.a * Math.PI / 180;
          hit = Math.abs(dx * Math.sin(th) - dy * Math.cos(th)) < 0.9 * p.f;
        } else {
          const ox = Math.min(p.r.right, q.r.right) - Math.max(p.r.left, q.r.left);
          const oy = Math.min(p.r.bottom, q.r.bottom) - Math.max(p.r.top, q.r.top);
          hit = ox > 1 && oy > 1;
        }
        if (hit) out.push([title.slice(0, 30), sel, p.t, q.t]);
      }
    }
  });
  return out;
}"""


def label_overlaps(page) -> list:
    """Pairs of chart labels drawn over each other on ``page`` (empty when every label can be read)."""
    return page.evaluate(LABEL_OVERLAPS_JS)
