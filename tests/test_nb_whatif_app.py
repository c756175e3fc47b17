"""notebooks/30_whatif_app.ipynb (the served app's page) executed through papermill: the panel starts at the
figures the library computes for the notebook's parameters."""

import nbformat
import pytest
from nbrun import committed_parameters_cell, outputs_text, run_notebook

from reliefplan.core import paths
from reliefplan.models import whatif
from reliefplan.views import app as whatif_app

NAME = "30_whatif_app.ipynb"


def test_notebook_is_committed_clean():
    cell = committed_parameters_cell(NAME)
    for name in ("plan_file", "scenario", "unit", "cap", "allocation_mode", "threshold_multiple", "lang"):
        assert name in cell.source


def test_notebook_uses_the_documented_jupyterlab_import():
    """The page (Voilà and JupyterLab alike) makes the call the README gives planners, so the browser tests
    exercise it; the façade hands out the app's own panel."""
    import reliefplan.app

    nb = nbformat.read(paths.notebooks_dir() / NAME, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "from reliefplan.app import panel" in code
    assert reliefplan.app.panel is whatif_app.panel


@pytest.fixture(scope="module")
def inputs():
    return whatif_app.load_inputs()


@pytest.mark.slow
def test_panel_starts_at_the_librarys_figures(tmp_path, inputs):
    params = {"scenario": "提标10%", "unit": "350602", "cap": 3000000, "allocation_mode": "scale",
              "threshold_multiple": 1.2}
    nb, rec = run_notebook(NAME, tmp_path, params)
    controls = {"scenario": "提标10%", "cap_yuan": 3000000, "mode": "scale", "threshold": 1.2, "unit": "350602"}
    assert rec["whatif_summary"] == whatif.update(inputs.state, controls).summary()
    text = outputs_text(nb)
    assert "Traceback" not in text and "application/vnd.jupyter.widget-view+json" in text
