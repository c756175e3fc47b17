"""What-if: the fast update equals the plain library path; bad input is a message; the widget app."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from reliefplan.core import paths
from reliefplan.models import allocation as al
from reliefplan.models import budget as bm
from reliefplan.models import whatif
from reliefplan.ingest.plan import load_plan

# A fixed one-pot plan: these tests' figures are worked by hand from its standards.
ONE_POT_PLAN = Path(__file__).parent / "plans" / "one_pot.yaml"


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    doc = yaml.safe_load(ONE_POT_PLAN.read_text(encoding="utf-8"))
    doc["data"] = {"categories": str(paths.demo_path("categories.csv"))}  # the demo categories, named
    doc["scenarios"].append({"name": "低保优先", "overrides": {"dibao": {"priority": 1, "per": "person"}}})
    path = tmp_path_factory.mktemp("whatif") / "plan.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_plan(path)


def random_rows(plan, n, seed):
    """whatif_rows-shaped frame with a stub eligibility (what assess would give)."""
    rng = np.random.default_rng(seed)
    cats = list(plan["categories"]) + ["retired_teacher"]  # one category outside the plan
    tested = whatif.income_tested(plan)
    rows = pd.DataFrame({
        "county_code": rng.choice(["350602", "350603", "350681"], n),
        "category": rng.choice(cats, n),
        "household_size": pd.array(rng.integers(1, 6, n), dtype="Int64"),
        "income_fen": pd.array(rng.integers(0, 150_000, n), dtype="Int64"),
        "dibao_fen": pd.array(rng.choice([78000, 83000], n), dtype="Int64"),
    }, index=pd.RangeIndex(1000, 1000 + n))
    rows.loc[rng.random(n) < 0.05, "income_fen"] = pd.NA
    rows["income_tested"] = rows["category"].isin(tested)
    loose = rng.random(n) < 0.85
    loose &= ~(rows["income_tested"] & rows["income_fen"].isna()).to_numpy()
    rows["loose"] = loose
    rows["eligible"] = whatif.eligible_at(rows, 1.2)
    return rows


CONTROLS = [
    {},
    {"cap_yuan": 800_000},
    {"cap_yuan": 600_000, "mode": "scale"},
    {"threshold": 1.3, "cap_yuan": 500_000},
    {"scenario": "提标10%", "amounts": {"dibao": {"cash": 800}}, "cap_yuan": "900000", "threshold": 0.9},
    {"scenario": "按低保标准1个月", "cap_yuan": 700_000, "mode": "scale", "step_yuan": 10},
    {"scenario": "低保优先", "cap_yuan": 400_000, "unit": "350603"},
    {"cap_yuan": 10_000},
    {"cap_yuan": 10_000, "mode": "scale"},
    {"amounts": {"gugua_elder": {"cash_dibao_multiple": "2"}, "orphan": {"goods": 0}}, "cap_yuan": 650_000},
]


def frames_equal(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    a, b = a.reset_index(drop=True), b.reset_index(drop=True)
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return False
    return all((a[c].astype(object).to_numpy() == b[c].astype(object).to_numpy()).all() for c in a.columns)


@pytest.mark.parametrize("seed", [0, 1])
def test_fast_update_equals_the_plain_path(plan, seed):
    rows = random_rows(plan, 2500, seed)
    state = whatif.prepare(plan, rows)
    for controls in CONTROLS:
        fast = whatif.update(state, controls)
        assert fast.ok, fast.message_en
        spent, full, coverage = whatif.update_naive(plan, rows, controls)
        assert fast.budget.totals == spent.totals, controls
        assert frames_equal(fast.budget.lines, spent.lines), controls
        assert frames_equal(fast.full.lines, full.lines), controls
        assert frames_equal(fast.coverage, coverage), controls


def test_results_reconcile_and_respect_the_cap(plan):
    state = whatif.prepare(plan, random_rows(plan, 2000, 5))
    result = whatif.update(state, {"cap_yuan": 500_000})
    b = result.budget
    assert b.total_fen <= 500_000 * 100 < result.full.total_fen
    assert int(b.units["total_fen"].sum()) == b.total_fen
    s = result.summary()
    assert s["covered_recipients"] < s["eligible_recipients"]
    assert s["gap_fen"] == result.full.total_fen - b.totals["funding_fen"]
    unit = whatif.update(state, {"cap_yuan": 500_000, "unit": "350602"}).summary()
    assert unit["total_fen"] == b.unit("350602")["total_fen"]


def test_raising_the_cap_never_uncovers(plan):
    state = whatif.prepare(plan, random_rows(plan, 1500, 7))
    covered = [whatif.update(state, {"cap_yuan": cap}).summary()["covered_recipients"]
               for cap in (100_000, 300_000, 500_000, 700_000, 5_000_000)]
    assert covered == sorted(covered)


@pytest.mark.parametrize("controls, zh, en", [
    ({"amounts": {"tekun": {"cash": -5}}}, "不能为负数", "must not be negative"),
    ({"amounts": {"tekun": {"goods": ""}}}, "不能为空", "must not be empty"),
    ({"amounts": {"tekun": {"cash": "abc"}}}, "不是有效金额", "not an amount"),
    ({"cap_yuan": 0}, "须大于 0", "greater than 0"),
    ({"cap_yuan": ""}, "不能为空", "must not be empty"),
    ({"cap_yuan": -100}, "须大于 0", "greater than 0"),
    ({"threshold": 0}, "须大于 0", "greater than 0"),
    ({"mode": "lottery"}, "分配方式", "mode"),
    ({"unit": "999999"}, "没有单位", "no unit"),
    ({"scenario": "nope"}, "没有情景", "no scenario"),
])
def test_bad_input_is_a_message_not_an_exception(plan, controls, zh, en):
    state = whatif.prepare(plan, random_rows(plan, 200, 3))
    result = whatif.update(state, controls)
    assert not result.ok
    assert zh in result.message("zh") and en in result.message("en")
    assert result.summary() == {}


def test_counted_groups(plan):
    counts = pd.DataFrame({"county_code": ["350602", "350602", "350603"], "category": ["tekun", "dibao", "dibao"],
                           "households": [20, 100, 50], "persons": [20, 260, 120], "dibao_fen": 78000})
    ben = bm.beneficiaries_from_counts(counts, plan=plan)
    state = whatif.prepare_counts(plan, ben)
    assert not state.thresholds_supported
    for controls in ({"cap_yuan": 60_000}, {"cap_yuan": 60_000, "mode": "scale"}, {"threshold": 2}):
        fast = whatif.update(state, controls)
        ref = al.allocate(plan, ben, cap_yuan=controls.get("cap_yuan"), mode=controls.get("mode", "priority"))
        assert fast.budget.totals == ref.budget.totals
        assert frames_equal(fast.coverage, ref.coverage)


def test_threshold_matches_assess():
    """The fast threshold is exactly what eligibility.assess decides at that threshold (demo registry)."""
    from reliefplan.models.eligibility import assess
    from reliefplan.ingest.inputs import load_plan_inputs

    plan = load_plan()
    data = load_plan_inputs(plan, include=["registry", "areas", "dibao", "categories"])
    registry = data["registry"].iloc[::4]
    rows = whatif.rows_from_assess(registry, plan, data["dibao"], data["areas"])
    state = whatif.prepare(plan, rows, categories=data["categories"])
    for t in (0.8, 1.0, 1.25, 2.0):
        ref = assess(registry, plan, data["dibao"], data["areas"], threshold_multiple=t)["eligible"]
        assert whatif.eligible_at(rows, t).equals(ref.astype(bool))
        ben = bm.beneficiaries_from_registry(registry, ref.to_frame().assign(dibao_fen=rows["dibao_fen"]), plan=plan)
        fast = whatif.update(state, {"threshold": t, "cap_yuan": 10**9})
        assert fast.full.totals == bm.cost_model(plan, ben, cap_yuan=10**9).totals
