"""A file offered for download from the page: a link holding the bytes (no server route, no file left on disk).

Works the same in Voilà and in JupyterLab, offline: the browser saves the
``data:`` link under ``filename``. The file name and link text are escaped.
"""

from __future__ import annotations

import base64

from reliefplan.views.app.texts import esc

MIME = {
    ".yaml": "application/x-yaml",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".html": "text/html",
}


def download_link(data: bytes | str, filename: str, text: str, *, element_id: str) -> str:
    """An ``<a download>`` link carrying ``data`` (str is saved as UTF-8)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    suffix = "." + filename.rsplit(".", 1)[-1] if "." in filename else ""
    mime = MIME.get(suffix, "application/octet-stream")
    href = f"data:{mime};base64,{base64.b64encode(raw).decode('ascii')}"
    return (f'<a id="{esc(element_id)}" class="rp-download" download="{esc(filename)}" href="{href}" '
            f'style="margin-right:12px">{esc(text)} ({esc(filename)})</a>')
