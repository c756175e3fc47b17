"""Run a notebook through papermill in tests and read back what it recorded."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import papermill as pm

from reliefplan.core.paths import notebooks_dir
from reliefplan.core.record import read_records


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


def outputs_text(nb) -> str:
    """Every output of an executed notebook as one JSON text (for 'nothing unmasked leaked' checks)."""
    return json.dumps([c.get("outputs", []) for c in nb.cells], ensure_ascii=False)


def committed_parameters_cell(name: str):
    """The one ``parameters`` cell of a committed notebook, after checking it is stored clean.

    Committed notebooks have no outputs, the ``python3`` kernel and exactly one cell tagged
    ``parameters``; papermill injects values after that cell.
    """
    nb = nbformat.read(str(notebooks_dir() / name), as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        assert cell.outputs == [] and cell.execution_count is None
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    return tagged[0]
