"""The what-if on a plan with funding pools gives exactly the library's figures, to the fen.

The pool path groups the unit x category lines once (factorize and integer
sums) instead of a pandas groupby per table; these tests hold it to the plain
way on the demo plan (which declares pools) under controls that move every
part of it: a category amount, pool amounts, a budget cap, the scale mode,
the income line and another scenario.
"""

from __future__ import annotations

import pandas as pd
import pytest

from reliefplan.ingest.plan import load_plan
from reliefplan.models import allocation, lines, pool_allocation, pools, whatif
from reliefplan.views import app as whatif_app


@pytest.fixture(scope="module")
def inputs():
    plan = load_plan()
    assert pools.declared(plan), "the demo plan declares funding pools"
    return whatif_app.load_inputs(plan)


def _controls(plan) -> list[dict]:
    cap = int(plan.get("budget_cap") or 3_000_000)
    names = [p["source"] for p in plan["funding"]]
    return [
        {"amounts": {"dibao": {"cash": 900}}},
        {"pools": {names[0]: 100_000}},
        {"pools": {n: 80_000 for n in names}, "cap_yuan": cap // 3},
        {"cap_yuan": cap // 2},
        {"cap_yuan": cap // 3, "mode": "scale", "step_yuan": 10},
        {"pools": {n: 50_000 for n in names}, "mode": "scale", "threshold": 1.3},
        {"scenario": [s["name"] for s in plan["scenarios"]][-1], "cap_yuan": cap // 4},
    ]


def _tables(result) -> dict:
    a = result.allocation
    return {"budget_lines": result.budget.lines, "budget_units": result.budget.units,
            "full_lines": result.full.lines, "full_units": result.full.units, "coverage": result.coverage,
            "pools": result.pools, "short": result.short, "pool_units": a.extra["pool_units"],
            "paid_fen": a.extra["paid_fen"], "covered_units": a.covered_units, "reached_units": a.extra["reached_units"]}


def _plain_way(monkeypatch):
    """Switch every shortcut off: groupby per table, one may_pay per pool, reindex and merge to align lines."""
    def per_pool(ps, category, organizer):
        return [pools.may_pay(p, category, organizer) for p in ps]

    monkeypatch.setattr(pools, "may_pay_each", per_pool)
    monkeypatch.setattr(pool_allocation, "may_pay_each", per_pool)
    monkeypatch.setattr(pool_allocation, "line_codes", lambda frame: None)
    monkeypatch.setattr(pool_allocation, "_pool_line_gifts", lambda res, ls: None)
    monkeypatch.setattr(lines, "line_codes", lambda frame: None)
    monkeypatch.setattr(allocation, "_same_lines", lambda a, b: False)


def test_pool_tables_match_the_plain_groupby(inputs, monkeypatch):
    state = inputs.state
    fast = [whatif.update(state, c) for c in _controls(inputs.plan)]
    with monkeypatch.context() as m:
        _plain_way(m)
        plain = [whatif.update(state, c) for c in _controls(inputs.plan)]
    assert any(len(r.short) for r in fast) and any(r.factor is not None for r in fast)
    for controls, f, p in zip(_controls(inputs.plan), fast, plain):
        assert f.ok and p.ok, controls
        assert (f.message_zh, f.message_en, f.factor, f.fits) == (p.message_zh, p.message_en, p.factor, p.fits)
        assert f.budget.totals == p.budget.totals and f.full.totals == p.full.totals, controls
        for name, table in _tables(f).items():
            other = _tables(p)[name]
            check = pd.testing.assert_frame_equal if isinstance(table, pd.DataFrame) else pd.testing.assert_series_equal
            check(table, other, check_exact=True, obj=f"{name} under {controls}")


@pytest.mark.parametrize("k", [0, 2, 4, 5])
def test_update_matches_the_library_allocation_of_the_registry(inputs, k):
    controls = _controls(inputs.plan)[k]
    result = whatif.update(inputs.state, controls)
    spent, full, coverage = whatif.update_naive(inputs.plan, inputs.rows, controls, categories=inputs.state.categories)
    assert result.budget.totals == spent.totals and result.full.totals == full.totals
    pd.testing.assert_frame_equal(result.budget.lines, spent.lines, check_exact=True)
    pd.testing.assert_frame_equal(result.coverage, coverage, check_exact=True)
