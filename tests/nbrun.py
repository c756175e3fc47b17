"""Run a notebook through papermill in tests and read back what it recorded."""

from __future__ import annotations

from pathlib import Path

import papermill as pm

from reliefplan.paths import notebooks_dir
from reliefplan.record import read_records


def run_notebook(name: str, out_dir: Path, parameters: dict | None = None, timeout: int = 300):
    """Execute ``notebooks/<name>`` with ``parameters``; return (executed notebook, records)."""
    out = Path(out_dir) / name
    nb = pm.execute_notebook(
        str(notebooks_dir() / name), str(out), parameters=parameters or {},
        kernel_name="python3", progress_bar=False, execution_timeout=timeout,
        cwd=str(notebooks_dir()),
    )
    return nb, read_records(nb)


def figures(nb) -> list[dict]:
    """The plotly figure JSONs displayed by an executed notebook."""
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "application/vnd.plotly.v1+json" in data:
                found.append(data["application/vnd.plotly.v1+json"])
    return found
