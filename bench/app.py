"""First paint of the served what-if app (printed, not asserted).

Starts ``reliefplan app``'s Voilà server on a free local port, waits until it
listens and until its preheated kernel has run the notebook, then opens the
page in headless Chromium (Debian's /usr/bin/chromium) ``--visits`` times and
prints how long each took until the panel's total was painted. Before each
visit the refilled pool kernel is awaited, so every visit is "first paint
after the server is up" (issue 15's target: < 3 s):

- visit 1 with an empty browser cache (a planner's first visit);
- later visits in the same browser, its cache holding Voilà's scripts (the
  same planner coming back, as they do all winter).

``--floor`` measures the same for a notebook of one HTML widget and one
slider served with the same settings: what Voilà itself costs on this
machine, which no app can go below. The servers are stopped at the end, also
on failure.

    .venv/bin/python bench/app.py --visits 3 --floor
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHROMIUM = os.environ.get("RELIEFPLAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
POOL_FILLED = "Kernel pool of"
TOTAL = "#rp-total-value"
FLOOR_CODE = ("import ipywidgets as w\n"
              "w.VBox([w.HTML('<span id=\"rp-total-value\">1</span>'), w.IntSlider()])")


def wait_for(predicate, timeout: float, what: str) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.1)
    raise SystemExit(f"timed out after {timeout:.0f} s waiting for {what}")


def kernels_settled(pid: int) -> bool:
    """True once no kernel of the server uses CPU any more: the preheated one has run the notebook."""
    import psutil  # comes with ipykernel

    kernels = [c for c in psutil.Process(pid).children(recursive=True) if "ipykernel" in " ".join(c.cmdline())]
    return bool(kernels) and all(k.cpu_percent(interval=0.5) < 5 for k in kernels)


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


@contextlib.contextmanager
def serve(notebook: Path, max_kernels: int, folder: Path):
    """The app's Voilà server on ``notebook``; yields (port, process, seconds until the pool was ready)."""
    from reliefplan.cli import app_server

    port = app_server.free_port()
    cmd = app_server.voila_command(notebook, host=app_server.DEFAULT_HOST, port=port, max_kernels=max_kernels)
    log = folder / f"voila-{notebook.stem}.log"
    with open(log, "w", encoding="utf-8") as out:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=app_server.voila_env())
        try:
            up = wait_for(lambda: listening(port), 120, "the server to listen")
            print(f"  server listening after {up:.1f} s")
            wait_for(lambda: POOL_FILLED in log.read_text(encoding="utf-8", errors="replace"), 180,
                     "the preheated kernel")
            wait_for(lambda: kernels_settled(proc.pid), 180, "the preheated kernel to run the notebook")
            yield port, proc, time.monotonic() - t0
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


def visits(browser, port: int, proc, n: int) -> list[float]:
    """Seconds to the painted total for ``n`` visits in one browser context, the pool ready before each."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    took = []
    try:
        for i in range(n):
            if i:
                wait_for(lambda: kernels_settled(proc.pid), 180, "the refilled pool kernel")
            page = context.new_page()
            start = time.monotonic()
            page.goto(f"http://127.0.0.1:{port}/", timeout=180_000)
            page.locator(TOTAL).wait_for(timeout=180_000)
            took.append(time.monotonic() - start)
            print(f"  visit {i + 1} ({'empty browser cache' if i == 0 else 'browser cache warm'}): "
                  f"{took[-1]:.2f} s")
            page.close()
    finally:
        context.close()
    return took


def summary(label: str, took: list[float]) -> str:
    warm = took[1:]
    text = f"{label}: first visit {took[0]:.2f} s"
    if warm:
        text += f", returning visits median {statistics.median(warm):.2f} s (min {min(warm):.2f})"
    return text


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--visits", type=int, default=3, help="page loads, one after another (default 3)")
    ap.add_argument("--max-kernels", type=int, default=4)
    ap.add_argument("--floor", action="store_true", help="also measure Voilà's own cost (a one-widget notebook)")
    args = ap.parse_args(argv)

    import nbformat
    from playwright.sync_api import sync_playwright

    from reliefplan.cli import app_server

    folder = Path(tempfile.mkdtemp(prefix="reliefplan-bench-app-"))
    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            print("the what-if app (notebooks/30_whatif_app.ipynb)")
            with serve(app_server.default_notebook(), args.max_kernels, folder) as (port, proc, ready):
                print(f"  preheated kernel ready after {ready:.1f} s (once per server, not per visitor)")
                results.append(summary("app", visits(browser, port, proc, args.visits)))
            if args.floor:
                nb = nbformat.v4.new_notebook()
                nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
                nb.cells = [nbformat.v4.new_code_cell(FLOOR_CODE)]
                path = folder / "floor.ipynb"
                nbformat.write(nb, path)
                print("Voilà's floor (one HTML widget and one slider, same settings)")
                with serve(path, args.max_kernels, folder) as (port, proc, _):
                    results.append(summary("floor", visits(browser, port, proc, args.visits)))
        finally:
            browser.close()
    print("\nfirst paint after the server is up (target < 3 s):")
    for line in results:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
