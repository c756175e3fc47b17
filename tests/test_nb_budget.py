"""notebooks/02_budget_model.ipynb executed through papermill; its recorded figures checked against the library."""

import nbformat
import pytest
from nbrun import figures, run_notebook

from reliefplan.models import allocation, budget, goal_seek, whatif

from reliefplan.views import app as whatif_app
from reliefplan.core.paths import notebooks_dir

NAME = "02_budget_model.ipynb"


def test_notebook_is_committed_clean():
    nb = nbformat.read(str(notebooks_dir() / NAME), as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    for name in ("plan_file", "scenario", "unit", "cap", "allocation_mode", "threshold_multiple", "lang"):
        assert name in tagged[0].source
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None


@pytest.fixture(scope="module")
def inputs():
    return whatif_app.load_inputs()


@pytest.mark.slow
def test_baseline_run_matches_the_library(tmp_path, inputs):
    nb, rec = run_notebook(NAME, tmp_path)
    plan, ben = inputs.plan, inputs.beneficiaries
    result = budget.cost_model(plan, ben)
    assert rec["grand_total_fen"] == result.total_fen
    assert rec["gap_fen"] == result.totals["gap_fen"]
    assert rec["unit_totals_fen"] == {k: int(v) for k, v in zip(result.units["county_code"], result.units["total_fen"])}
    assert sum(rec["unit_totals_fen"].values()) == rec["grand_total_fen"]  # units add up to the city, to the fen
    assert sum(rec["category_totals_fen"].values()) == rec["grand_total_fen"]
    budgets = budget.compare_scenarios(plan, ben)
    assert rec["scenario_totals_fen"] == {k: b.total_fen for k, b in budgets.items()}
    alloc = allocation.allocate(plan, ben)
    cap = budget.cap_fen(plan)          # None for the demo plan: its funding pools are the limits
    assert rec["allocated_total_fen"] == alloc.budget.total_fen and (cap is None or alloc.budget.total_fen <= cap)
    assert rec["covered_recipients"] == int(alloc.coverage["covered_recipients"].sum())
    seek = goal_seek.seek_all(plan, ben)
    assert rec["goal_uniform_amount_fen"] == seek["uniform"]["amount_fen"]
    assert rec["coverage_budget_fen"] == seek["coverage"]["budget_fen"]
    assert "whatif_summary" not in rec  # the live panel is the app's own notebook (30_whatif_app)
    assert len(figures(nb)) >= 6
    text = str(nb)
    assert "示例数据，人员均为虚构" in text
    assert "Traceback" not in text


@pytest.mark.slow
def test_parameters_run_in_english_for_one_unit(tmp_path, inputs):
    params = {"scenario": "提标10%", "unit": "350602", "cap": 3000000, "allocation_mode": "scale",
              "threshold_multiple": 1.2, "lang": "en"}
    nb, rec = run_notebook(NAME, tmp_path, params)
    plan = inputs.plan
    controls = {"scenario": "提标10%", "cap_yuan": 3000000, "mode": "scale", "threshold": 1.2, "unit": "350602"}
    naive_spent, naive_full, _ = whatif.update_naive(plan, inputs.rows, controls)
    assert rec["grand_total_fen"] == naive_full.total_fen  # the scenario at the 1.2 x 低保 line, uncapped
    assert rec["allocated_total_fen"] == naive_spent.total_fen <= 3000000 * 100
    assert set(rec["scenario_totals_fen"]) == {"维持", "提标10%"}
    text = str(nb)
    assert "Budget by category" in text and "Demo data" in text
