"""Goal seek: the uniform amount and the multiplier a budget affords; the budget a coverage needs."""

from pathlib import Path
from fractions import Fraction

import pandas as pd
import pytest
import yaml

from reliefplan.core import paths
from reliefplan.models import budget as bm
from reliefplan.models import goal_seek
from reliefplan.core.errors import InputError
from reliefplan.ingest.plan import load_plan

# A fixed one-pot plan: these tests' figures are worked by hand from its standards.
ONE_POT_PLAN = Path(__file__).parent / "plans" / "one_pot.yaml"


def make_plan(tmp_path, **changes):
    doc = yaml.safe_load(ONE_POT_PLAN.read_text(encoding="utf-8"))
    doc["data"] = {"categories": str(paths.demo_path("categories.csv"))}  # the demo categories, named
    doc.update({"overheads": [], "contingency_pct": 0, "scenarios": []})
    doc.update(changes)
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_plan(path)


def counts(plan, rows):
    frame = pd.DataFrame(rows, columns=["county_code", "category", "households", "persons"])
    return bm.beneficiaries_from_counts(frame.assign(dibao_fen=78000), plan=plan)


def test_max_uniform_amount(tmp_path):
    plan = make_plan(tmp_path)
    ben = counts(plan, [("x", "dibao", 12, 30), ("x", "tekun", 8, 8)])  # 20 recipients
    got = goal_seek.max_uniform_amount(plan, ben, 10_999, step_yuan=50)
    assert got["recipients"] == 20
    assert got["amount_fen"] == 50000          # 549.95 -> 500
    assert got["total_fen"] == 20 * 50000 and got["fits"]
    assert goal_seek.max_uniform_amount(plan, ben, 11_000, step_yuan=50)["amount_fen"] == 55000
    assert goal_seek.max_uniform_amount(plan, ben, 11_000, step_yuan=1)["amount_fen"] == 55000


def test_uniform_amount_accounts_for_overheads_and_contingency(tmp_path):
    plan = make_plan(tmp_path, overheads=[{"item": "宣传", "basis": "fixed", "amount": 1000}], contingency_pct=10)
    ben = counts(plan, [("x", "dibao", 10, 10)])
    got = goal_seek.max_uniform_amount(plan, ben, 12_100, step_yuan=100)
    # (gifts + 1000) x 1.1 <= 12100  ->  gifts <= 10000  ->  1000 each
    assert got["amount_fen"] == 100000 and got["total_fen"] == 1_210_000


def test_max_multiplier(tmp_path):
    plan = make_plan(tmp_path, categories={"dibao": {"cash": 500, "goods": 0}, "tekun": {"cash": 300, "goods": 0}})
    ben = counts(plan, [("x", "dibao", 10, 10), ("x", "tekun", 10, 10)])
    down = goal_seek.max_multiplier(plan, ben, 6000, step_yuan=50)
    assert down["factor"] == Fraction(4, 5) and down["total_fen"] == 600000
    up = goal_seek.max_multiplier(plan, ben, 10_000, step_yuan=50)
    # f = 1.3: 650 + 390 -> 350 = 1000 x 10 fits; the next breakpoint 400/300 gives 650 + 400 > 1000
    std = up["standards"].set_index("category")
    assert up["factor"] == Fraction(13, 10)
    assert (std.loc["dibao", "cash_fen"], std.loc["tekun", "cash_fen"]) == (65000, 35000)
    assert up["total_fen"] == 1_000_000


def test_budget_for_coverage(tmp_path):
    plan = make_plan(tmp_path)
    registry = pd.DataFrame({"county_code": ["x"] * 20, "category": ["tekun"] * 10 + ["dibao"] * 10,
                             "household_size": pd.array([1] * 20, dtype="Int64"),
                             "income_fen": pd.array(list(range(20)), dtype="Int64"), "dibao_fen": 78000})
    ben = bm.beneficiaries_from_registry(registry, plan=plan)
    got = goal_seek.budget_for_coverage(plan, ben, 0.95)
    # 19 of 20 served in priority order: 10 特困 x 800 + 9 低保 x 700
    assert got["covered"] == 19 and got["eligible"] == 20
    assert got["budget_fen"] == (10 * 800 + 9 * 700) * 100
    assert goal_seek.budget_for_coverage(plan, ben, 1)["budget_fen"] == (8000 + 7000) * 100
    assert goal_seek.budget_for_coverage(plan, ben, 0)["budget_fen"] == 0


def test_budget_for_coverage_of_counted_groups(tmp_path):
    plan = make_plan(tmp_path)
    ben = counts(plan, [("x", "dibao", 100, 250)])
    got = goal_seek.budget_for_coverage(plan, ben, Fraction(1, 2))
    assert got["covered"] == 50 and got["budget_fen"] == 50 * 70000
    by_persons = goal_seek.budget_for_coverage(plan, ben, Fraction(1, 2), by="persons")
    assert by_persons["covered"] >= 125 and by_persons["budget_fen"] == 50 * 70000


def test_bad_budget(tmp_path):
    plan = make_plan(tmp_path)
    ben = counts(plan, [("x", "dibao", 1, 1)])
    with pytest.raises(InputError):
        goal_seek.max_uniform_amount(plan, ben, 0)
    with pytest.raises(InputError):
        goal_seek.max_multiplier(plan, ben, "abc")
    with pytest.raises(InputError):
        goal_seek.budget_for_coverage(plan, ben, 1.5)
