"""Every committed notebook (01–03, 10, 20 and any added later) is stored clean.

No outputs, no execution counts, kernel ``python3`` and exactly one cell tagged
``parameters`` — so papermill can inject values and the repository holds no data.
"""

from __future__ import annotations

import pytest

from nbrun import committed_parameters_cell
from reliefplan.core.paths import notebooks_dir

NOTEBOOKS = sorted(p.name for p in notebooks_dir().glob("*.ipynb"))


def test_the_report_notebooks_are_among_them():
    assert {"10_unit_report.ipynb", "20_rollup.ipynb"} <= set(NOTEBOOKS)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_stored_without_outputs_with_one_parameters_cell(name):
    cell = committed_parameters_cell(name)
    assert cell.source.strip(), f"{name}: the parameters cell is empty"
