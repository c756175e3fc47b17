"""Budget-cap allocation: hand-computed cases and property tests (hypothesis)."""

from pathlib import Path
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reliefplan.core import paths
from reliefplan.models import allocation as al
from reliefplan.models import budget as bm
from reliefplan.core.errors import InputError
from reliefplan.ingest.plan import load_plan

# A fixed one-pot plan: these tests' figures are worked by hand from its standards.
ONE_POT_PLAN = Path(__file__).parent / "plans" / "one_pot.yaml"

CATS = ["tekun", "dibao", "dibao_edge", "orphan", "kongchao_elder"]  # priorities 1, 2, 3, 2, 5


def make_plan(tmp_path, **changes):
    doc = yaml.safe_load(ONE_POT_PLAN.read_text(encoding="utf-8"))
    doc["data"] = {"categories": str(paths.demo_path("categories.csv"))}  # the demo categories, named
    doc.update({"overheads": [], "contingency_pct": 0, "scenarios": [], "budget_cap": None})
    doc.update(changes)
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_plan(path)


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return make_plan(tmp_path_factory.mktemp("alloc"))


def registry(rows):
    """rows: (county, category, household_size, income_yuan or None)."""
    return pd.DataFrame({
        "county_code": [r[0] for r in rows], "category": [r[1] for r in rows],
        "household_size": pd.array([r[2] for r in rows], dtype="Int64"),
        "income_fen": pd.array([None if r[3] is None else int(r[3]) * 100 for r in rows], dtype="Int64"),
        "dibao_fen": 78000,
    })


def test_gifts_room_is_exact():
    assert al.gifts_room(1030, 0, 3) == 1000          # 1000 + 30 = 1030
    assert al.gifts_room(1030_00, 100_00, 0) == 930_00
    # 3% of 1001 rounds to 30 (1031 > 1030), so 1000 stays the largest
    assert al.gifts_room(1030, 0, "3") == 1000
    assert al.gifts_room(100, 200, 0) == -100


def test_priority_serves_priority_then_income_then_household_size(plan):
    ben = bm.beneficiaries_from_registry(registry([
        ("350602", "dibao", 2, 300),   # 0: priority 2, income 300
        ("350602", "tekun", 1, 500),   # 1: priority 1 -> first
        ("350603", "dibao", 4, 100),   # 2: priority 2, lowest income -> second
        ("350603", "dibao", 5, 300),   # 3: same income as 0, larger household -> before 0
        ("350603", "dibao_edge", 1, 0),  # 4: priority 3 -> last
        ("350602", "dibao", 1, None),  # 5: income unknown -> last within priority 2
    ]), plan=plan)
    std = bm.stds.scenario_standards(plan)
    order = al.priority_order(ben, std)
    assert order.tolist() == [1, 2, 3, 0, 5, 4]
    # tekun 800, each dibao 700, edge 400: a cap of 800 + 700 + 700 + 600 covers rows 1, 2, 3 only
    result = al.allocate(plan, ben, cap_yuan=2800, mode="priority")
    assert result.covered_mask().tolist() == [False, True, True, True, False, False]
    assert result.budget.total_fen == 220000
    assert not result.fits
    cov = result.coverage.set_index(["county_code", "category"])
    assert cov.loc[("350602", "dibao"), "uncovered_households"] == 2
    assert cov.loc[("350603", "dibao"), "covered_persons"] == 9
    assert cov.loc[("350603", "dibao_edge"), "covered_recipients"] == 0
    by_cat = al.coverage_by(result.coverage, "category").set_index("category")
    assert by_cat.loc["dibao", "coverage_pct"] == 50.0


def test_queue_stops_at_the_first_that_does_not_fit(plan):
    # 特困 800 first; then a 低保 household of 700 does not fit in 1000, and the cheaper 边缘 behind it waits
    ben = bm.beneficiaries_from_registry(registry([
        ("350602", "tekun", 1, 0), ("350602", "dibao", 1, 0), ("350602", "dibao_edge", 1, 0)]), plan=plan)
    result = al.allocate(plan, ben, cap_yuan=1000, mode="priority")
    assert result.covered_mask().tolist() == [True, False, False]


def test_counted_groups_are_covered_in_part(plan):
    counts = pd.DataFrame({"county_code": ["350602", "350602"], "category": ["tekun", "dibao"],
                           "households": [2, 10], "persons": [2, 25], "dibao_fen": [78000, 78000]})
    ben = bm.beneficiaries_from_counts(counts, plan=plan)
    result = al.allocate(plan, ben, cap_yuan=2 * 800 + 3 * 700 + 500, mode="priority")
    assert result.covered_units.tolist() == [2, 3]
    cov = result.coverage.set_index("category")
    assert cov.loc["dibao", "covered_households"] == 3
    assert cov.loc["dibao", "covered_persons"] == 7  # 3 x 25 / 10, rounded down
    assert result.budget.totals["gifts_fen"] == (1600 + 2100) * 100


def test_scale_mode_finds_the_largest_factor(tmp_path):
    plan = make_plan(tmp_path, categories={"dibao": {"cash": 500, "goods": 0}, "tekun": {"cash": 300, "goods": 0}})
    counts = pd.DataFrame({"county_code": ["x", "x"], "category": ["dibao", "tekun"],
                           "households": [10, 10], "persons": [10, 10]})
    ben = bm.beneficiaries_from_counts(counts, plan=plan)
    result = al.allocate(plan, ben, cap_yuan=6000, mode="scale", step_yuan=50)
    # f = 0.8: 400 + 240 -> 400 + 200 = 600 x 10 fits; the next breakpoint 250/300 gives 650 x 10
    assert result.factor == Fraction(4, 5)
    std = result.standards.set_index("category")
    assert (std.loc["dibao", "cash_fen"], std.loc["tekun", "cash_fen"]) == (40000, 20000)
    assert result.budget.total_fen == 600000
    assert result.covered_mask().all()


def test_scale_mode_fits_when_nothing_needs_to_give(plan):
    ben = bm.beneficiaries_from_registry(registry([("350602", "dibao", 1, 0)]), plan=plan)
    result = al.allocate(plan, ben, cap_yuan=10_000, mode="scale")
    assert result.fits and result.factor == 1 and result.budget.total_fen == 70000


def test_overheads_above_the_cap_leave_nothing(tmp_path):
    plan = make_plan(tmp_path, overheads=[{"item": "宣传", "basis": "fixed", "amount": 1000}])
    ben = bm.beneficiaries_from_registry(registry([("350602", "dibao", 1, 0)]), plan=plan)
    for mode in ("priority", "scale"):
        result = al.allocate(plan, ben, cap_yuan=500, mode=mode)
        assert not result.covered_mask().any()
        assert "超过上限" in result.message("zh")


def test_bad_cap_and_mode(plan):
    ben = bm.beneficiaries_from_registry(registry([("350602", "dibao", 1, 0)]), plan=plan)
    with pytest.raises(InputError):
        al.allocate(plan, ben, cap_yuan=0)
    with pytest.raises(InputError):
        al.allocate(plan, ben, cap_yuan=100, mode="random")


# ---------------------------------------------------------------- properties

row_strategy = st.tuples(st.sampled_from(["350602", "350603"]), st.sampled_from(CATS),
                         st.integers(1, 6), st.one_of(st.none(), st.integers(0, 2000)))


@given(rows=st.lists(row_strategy, min_size=1, max_size=40), cap=st.integers(1, 40_000),
       more=st.integers(0, 20_000))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_priority_properties(plan, rows, cap, more):
    ben = bm.beneficiaries_from_registry(registry(rows), plan=plan)
    std = bm.stds.scenario_standards(plan)
    small = al.allocate(plan, ben, cap_yuan=cap, mode="priority")
    big = al.allocate(plan, ben, cap_yuan=cap + more, mode="priority")
    # never exceeds the cap
    assert small.budget.total_fen <= cap * 100
    assert big.budget.total_fen <= (cap + more) * 100
    # raising the cap never uncovers anyone
    assert not (small.covered_mask() & ~big.covered_mask()).any()
    # priority respected: the covered are exactly a prefix of the serving order
    covered = small.covered_mask().to_numpy()[al.priority_order(ben, std)]
    k = int(covered.sum())
    assert covered[:k].all() and not covered[k:].any()
    # and the totals reconcile
    assert int(small.budget.units["total_fen"].sum()) == small.budget.total_fen


@given(counts=st.lists(st.tuples(st.sampled_from(CATS), st.integers(0, 50), st.integers(0, 3)),
                       min_size=1, max_size=6),
       cap=st.integers(1, 60_000), step=st.sampled_from([1, 10, 50]))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_scale_properties(plan, counts, cap, step):
    frame = pd.DataFrame({"county_code": "350602", "category": [c for c, _, _ in counts],
                          "households": [h for _, h, _ in counts], "persons": [h + e for _, h, e in counts],
                          "dibao_fen": 78000})
    ben = bm.beneficiaries_from_counts(frame, plan=plan)
    result = al.allocate(plan, ben, cap_yuan=cap, mode="scale", step_yuan=step)
    assert result.budget.total_fen <= cap * 100
    if not result.fits:
        std = result.standards
        # every scaled amount is a multiple of the step, and at most the original
        assert (std["cash_fen"] % (step * 100) == 0).all() and (std["goods_fen"] % (step * 100) == 0).all()
        # the next breakpoint no longer fits: nudging the factor up by one step on any amount breaks the cap
        base = bm.stds.scenario_standards(plan)
        comps = al._components(bm.aggregate(ben), base)
        f = result.factor
        nxt = min((Fraction((int(a * f / (step * 100)) + 1) * step * 100) / a for a, _ in comps), default=None)
        if nxt is not None and nxt <= 1:
            assert al.gifts_at(comps, nxt, step * 100) > result.extra["room_fen"]


def test_fast_cover_prefix_matches_a_loop():
    rng = np.random.default_rng(1)
    units = rng.integers(1, 4, 200)
    cost = rng.integers(0, 900, 200)
    order = rng.permutation(200)
    room = 30_000
    got = al.cover_prefix(units, cost, order, room)
    spent, expected = 0, np.zeros(200, dtype=np.int64)
    for r in order:
        if spent + units[r] * cost[r] > room:
            break
        spent += units[r] * cost[r]
        expected[r] = units[r]
    assert got.tolist() == expected.tolist()
