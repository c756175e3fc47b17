"""Print a report's HTML to an A4 PDF with the headless Chromium the tests already use, offline.

Why Chromium and not a Python HTML-to-PDF library: the reports' charts are
drawn by plotly.js in the browser, so only a browser prints them; Chromium
prints them as vector paths (sharp at any zoom), embeds subsets of the fonts
it used (Noto CJK on Debian) so the Chinese text is selectable and
extractable, and honours the reports' print stylesheet (A4 portrait, page
numbers in the @page margin, section page breaks, repeated table headers).
One Chromium per report takes about 1-2 s.

Offline: the page is a local file next to its ``plotly.min.js``; every host
name resolves to nothing and no proxy is reachable, so nothing can be
fetched even by accident.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from reliefplan.batch.pdf_text import unify_cjk_text
from reliefplan.core.errors import ConfigError

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
# The printed page's content width at 96 dpi (A4 210 mm less 2 x 13 mm margins ~ 695 px): charts are laid
# out at this width before printing, so they are not clipped.
PRINT_WIDTH_PX = 695


def find_chromium() -> str:
    """The Chromium to print with: $RELIEFPLAN_CHROMIUM, else the first installed of the usual paths."""
    env = os.environ.get("RELIEFPLAN_CHROMIUM")
    for cand in ([env] if env else []) + list(CHROMIUM_CANDIDATES) + [shutil.which("chromium") or ""]:
        if cand and os.access(cand, os.X_OK):
            return cand
    raise ConfigError("生成 PDF 需要 Chromium (Debian: apt-get install chromium fonts-noto-cjk)",
                      "writing PDFs needs Chromium (Debian: apt-get install chromium fonts-noto-cjk)",
                      column="--pdf")


def chromium_command(chromium: str, html: Path, pdf: Path, profile: Path, *, budget_ms: int = 20000) -> list[str]:
    """The headless print command: offline, A4 from the page's own @page rules, no browser header/footer.

    ``#print`` tells the page's script to lay its charts out for paper before Chromium prints.
    """
    return [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
        "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--hide-scrollbars",
        f"--user-data-dir={profile}", f"--window-size={PRINT_WIDTH_PX},1000",
        f"--virtual-time-budget={budget_ms}", "--run-all-compositor-stages-before-draw",
        "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.resolve().as_uri() + "#print",
    ]


def html_to_pdf(html_text: str, plotly_js: Path, *, chromium: str | None = None, timeout: float = 120) -> bytes:
    """The PDF bytes of one report's HTML (which loads ``plotly.min.js`` from its own folder)."""
    chromium = chromium or find_chromium()
    with tempfile.TemporaryDirectory(prefix="reliefplan-pdf-") as tmp:
        folder = Path(tmp)
        page = folder / "report.html"
        page.write_text(html_text, encoding="utf-8")
        js = folder / Path(plotly_js).name
        try:
            js.symlink_to(Path(plotly_js).resolve())
        except OSError:
            shutil.copyfile(plotly_js, js)
        out = folder / "report.pdf"
        proc = subprocess.run(chromium_command(chromium, page, out, folder / "profile"), capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        if proc.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
            tail = (proc.stderr or "")[-800:]
            raise RuntimeError(f"Chromium could not print the report to PDF (exit {proc.returncode}): {tail}")
        return unify_cjk_text(out.read_bytes())
