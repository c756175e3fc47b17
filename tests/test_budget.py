"""The cost model: hand-computed cases, the seeds' school plan (篇7), exact roll-ups, scenarios, sensitivity."""

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import SCHOOL_CATEGORIES, SCHOOL_PLAN

from reliefplan.core import paths
from reliefplan.models import budget as bm
from reliefplan.models import sensitivity
from reliefplan.core.errors import ConfigError, InputError
from reliefplan.ingest.plan import load_plan

# A fixed one-pot plan: these tests' figures are worked by hand from its standards.
ONE_POT_PLAN = Path(__file__).parent / "plans" / "one_pot.yaml"
SCHOOL_COUNTS = pd.DataFrame({
    "county_code": ["school"] * 4,
    "category": ["retired_teacher", "hardship_worker", "serious_illness", "hardship_retired_teacher"],
    "households": [15, 3, 2, 1], "persons": [15, 3, 2, 1],
})


def write_plan(tmp_path, doc, categories=None):
    if categories:
        (tmp_path / "categories.csv").write_text(categories, encoding="utf-8")
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_plan(path)


def demo_plan(tmp_path, **changes):
    doc = yaml.safe_load(ONE_POT_PLAN.read_text(encoding="utf-8"))
    doc["data"] = {"categories": str(paths.demo_path("categories.csv"))}  # the demo categories, named
    doc.update(changes)
    return write_plan(tmp_path, doc)


def school(tmp_path):
    return write_plan(tmp_path, SCHOOL_PLAN, SCHOOL_CATEGORIES)


def test_school_plan_computes_each_line_and_its_own_total(tmp_path):
    plan = school(tmp_path)
    ben = bm.beneficiaries_from_counts(SCHOOL_COUNTS, plan=plan)
    result = bm.cost_model(plan, ben)
    gifts = result.lines.set_index("category")["gifts_fen"].to_dict()
    assert gifts == {"retired_teacher": 150000, "hardship_worker": 45000, "serious_illness": 90000,
                     "hardship_retired_teacher": 25000}
    assert result.totals["overhead_fen"] == 22000          # 80 + 80 + 60
    assert result.totals["total_fen"] == 332000            # 3320 yuan
    assert result.totals["total_fen"] != 328000            # not the 3280 stated in the seed
    assert int(result.lines["total_fen"].sum()) == 332000
    assert result.overheads["total_fen"].tolist() == [8000, 8000, 6000]


def test_household_vs_person_standards(tmp_path):
    plan = demo_plan(tmp_path, contingency_pct=0, overheads=[])
    registry = pd.DataFrame({
        "county_code": ["350602", "350602"], "category": ["dibao", "tekun"],
        "household_size": pd.array([3, 4], dtype="Int64"), "income_fen": pd.array([1000, 0], dtype="Int64"),
    })
    ben = bm.beneficiaries_from_registry(registry, plan=plan)
    assert ben["persons"].tolist() == [3, 1]  # a 低保 household of 3; a 特困 person is one person
    result = bm.cost_model(plan, ben)
    lines = result.lines.set_index("category")
    assert lines.loc["dibao", "gifts_fen"] == 70000      # per household: 500 + 200, once
    assert lines.loc["tekun", "gifts_fen"] == 80000      # per person: 600 + 200
    per_person = bm.cost_model(plan, ben, standards=bm.stds.apply_overrides(
        bm.stds.base_standards(plan), {"dibao": {"per": "person"}}))
    assert per_person.lines.set_index("category").loc["dibao", "gifts_fen"] == 3 * 70000


def test_eligibility_filters_registry(tmp_path):
    plan = demo_plan(tmp_path)
    registry = pd.DataFrame({"county_code": ["350602"] * 3, "category": ["dibao", "dibao", "not_a_category"],
                             "household_size": pd.array([1, 2, 1], dtype="Int64")})
    elig = pd.DataFrame({"eligible": [True, False, True], "dibao_fen": pd.array([78000] * 3, dtype="Int64")})
    ben = bm.beneficiaries_from_registry(registry, elig, plan=plan)
    assert list(ben.index) == [0]
    assert ben["dibao_fen"].tolist() == [78000]


def test_per_team_day_overheads_use_teams_and_visit_days(tmp_path):
    plan = demo_plan(tmp_path)
    assert bm.visit_day_count(plan) == 22  # 2027-01-12 .. 腊月廿六 (2027-02-02)
    oh = bm.overhead_items(plan).set_index("item")
    teams = len(plan["teams"])
    assert oh.loc["伙食费补助", "total_fen"] == 8000 * teams * 22
    assert oh.loc["宣传费", "total_fen"] == 2_000_000


def test_team_overheads_go_to_the_counties_they_visit(tmp_path):
    plan = demo_plan(tmp_path, contingency_pct=0,
                     teams=[{"name": "甲", "areas": ["350602"]}, {"name": "乙", "areas": ["350603001", "350604"]}],
                     visit_days={"start": "2027-01-20", "end": "2027-01-21"},
                     overheads=[{"item": "伙食费", "basis": "per_team_day", "amount": 100},
                                {"item": "宣传费", "basis": "fixed", "amount": 10}])
    counts = pd.DataFrame({"county_code": ["350602", "350603", "350604", "350681"],
                           "category": ["dibao"] * 4, "households": [1, 1, 3, 1], "persons": [1] * 4})
    result = bm.cost_model(plan, bm.beneficiaries_from_counts(counts, plan=plan))
    oh = result.lines.set_index("county_code")["overhead_fen"]
    # team 甲: 100 x 2 days -> 350602; team 乙: 200 yuan split 1:3; 10 yuan fixed split 1:1:3:1
    assert oh.to_dict() == {"350602": 20000 + 167, "350603": 5000 + 167, "350604": 15000 + 500, "350681": 166}
    assert int(oh.sum()) == result.totals["overhead_fen"] == 41000


def test_gregorian_visit_days(tmp_path):
    plan = demo_plan(tmp_path, visit_days={"start": dt.date(2027, 1, 20), "end": "2027-01-29"})
    assert bm.visit_day_count(plan) == 10
    bad = demo_plan(tmp_path, visit_days={"start": "2027-01-29", "end": "2027-01-20"})
    with pytest.raises(ConfigError):
        bm.visit_day_count(bad)


def test_allocate_exact_examples():
    assert bm.allocate_exact(10, [1, 1, 1]) == [4, 3, 3]
    assert bm.allocate_exact(100, [1, 2, 7]) == [10, 20, 70]
    assert bm.allocate_exact(5, [0, 0]) == [3, 2]
    assert bm.allocate_exact(7, [0, 5, 5]) == [0, 4, 3]
    assert bm.allocate_exact(0, [3, 4]) == [0, 0]


@given(total=st.integers(0, 10**12), weights=st.lists(st.integers(0, 10**9), min_size=1, max_size=30))
@settings(max_examples=200, deadline=None)
def test_allocate_exact_sums_and_stays_within_one_of_the_share(total, weights):
    parts = bm.allocate_exact(total, weights)
    assert sum(parts) == total
    wsum = sum(weights)
    if wsum:
        for p, w in zip(parts, weights):
            assert abs(p * wsum - total * w) < wsum  # |part - exact share| < 1


def test_units_and_categories_sum_exactly_to_the_total(tmp_path):
    plan = demo_plan(tmp_path)
    counts = pd.DataFrame({"county_code": ["350602", "350603", "350681", "350602"],
                           "category": ["dibao", "tekun", "orphan", "dibao_edge"],
                           "households": [7, 3, 2, 1], "persons": [19, 3, 2, 2], "dibao_fen": [78000] * 4})
    result = bm.cost_model(plan, bm.beneficiaries_from_counts(counts, plan=plan))
    t = result.totals
    assert int(result.units["total_fen"].sum()) == t["total_fen"]
    assert int(result.categories["total_fen"].sum()) == t["total_fen"]
    assert t["total_fen"] == t["gifts_fen"] + t["overhead_fen"] + t["contingency_fen"]
    # contingency 3% of (gifts + overheads), half-up to the fen
    sub = t["gifts_fen"] + t["overhead_fen"]
    assert t["contingency_fen"] == (sub * 3 + 50) // 100
    assert t["gap_fen"] == t["total_fen"] - 355_000_000
    assert result.funding["used_fen"].sum() == min(t["total_fen"], 355_000_000)
    for col in bm.MONEY_PARTS:
        assert result.lines[col].dtype == "int64"


def test_counts_take_dibao_from_the_table(tmp_path):
    plan = demo_plan(tmp_path)
    dibao = pd.DataFrame({"county_code": ["350602", "350602", "350602"], "urban_rural": ["urban", "rural", "urban"],
                          "effective_date": pd.to_datetime(["2024-07-01", "2024-07-01", "2030-01-01"]),
                          "monthly_fen": [83000, 78000, 99000]})
    counts = pd.DataFrame({"county_code": ["350602"], "category": ["gugua_elder"], "households": [2], "persons": [2]})
    ben = bm.beneficiaries_from_counts(counts, plan=plan, dibao=dibao)
    assert ben["dibao_fen"].tolist() == [83000]  # the higher standard in force, not the future one
    rural = bm.beneficiaries_from_counts(counts.assign(urban_rural="rural"), plan=plan, dibao=dibao)
    assert rural["dibao_fen"].tolist() == [78000]
    result = bm.cost_model(plan, rural, standards=bm.stds.base_standards(plan))
    assert result.lines["cash_fen"].tolist() == [2 * 78000]


def test_counts_must_be_whole_numbers(tmp_path):
    plan = demo_plan(tmp_path)
    counts = pd.DataFrame({"county_code": ["350602"], "category": ["dibao"], "households": [-1], "persons": [2]})
    with pytest.raises(InputError) as err:
        bm.beneficiaries_from_counts(counts, plan=plan)
    assert err.value.column == "households"


def test_forecast_counts_scale_persons_by_history():
    fc = pd.DataFrame({"county_code": ["350602", "350603"], "category": ["dibao", "tekun"], "forecast": [10, 4]})
    history = pd.DataFrame({"year": [2026, 2026, 2025], "county_code": ["350602", "350603", "350602"],
                            "category": ["dibao", "tekun", "dibao"], "households": [8, 5, 100],
                            "persons": [20, 5, 100]})
    counts = bm.forecast_counts(fc, history)
    assert counts["households"].tolist() == [10, 4]
    assert counts["persons"].tolist() == [25, 4]  # 10 x 20/8; 4 x 5/5


def test_no_beneficiaries_still_costs_overheads(tmp_path):
    plan = demo_plan(tmp_path)
    result = bm.cost_model(plan, bm.beneficiaries_from_counts(SCHOOL_COUNTS.iloc[:0], plan=plan))
    assert result.totals["gifts_fen"] == 0
    assert result.totals["total_fen"] == result.totals["overhead_fen"] + result.totals["contingency_fen"] > 0


def test_scenarios_side_by_side(tmp_path):
    plan = demo_plan(tmp_path, overheads=[], contingency_pct=0)
    counts = pd.DataFrame({"county_code": ["350602", "350602"], "category": ["dibao", "dibao_edge"],
                           "households": [10, 4], "persons": [30, 9], "dibao_fen": [78000, 78000]})
    budgets = bm.compare_scenarios(plan, bm.beneficiaries_from_counts(counts, plan=plan))
    assert list(budgets) == ["维持", "提标10%", "按低保标准1个月"]
    summary = bm.scenario_summary(budgets).set_index("scenario")
    assert summary.loc["维持", "total_fen"] == 10 * 70000 + 4 * 40000
    assert summary.loc["维持", "diff_fen"] == 0
    # 提标10%: 低保 550 + 220, 边缘 330 + 110
    assert summary.loc["提标10%", "total_fen"] == 10 * 77000 + 4 * 44000
    # one month of 低保: 780 + 200; half a month for 边缘: 390 + 100
    assert summary.loc["按低保标准1个月", "total_fen"] == 10 * 98000 + 4 * 49000
    assert summary.loc["提标10%", "diff_fen"] == 10 * 7000 + 4 * 4000
    diff = bm.scenario_category_diff(budgets)
    assert set(diff["scenario"]) == set(budgets)
    assert diff.loc[diff["scenario"] == "维持", "diff_fen"].eq(0).all()


def test_sensitivity_ranks_by_swing(tmp_path):
    plan = demo_plan(tmp_path, overheads=[], contingency_pct=0)
    counts = pd.DataFrame({"county_code": ["350602", "350602"], "category": ["dibao", "tekun"],
                           "households": [100, 5], "persons": [250, 5], "dibao_fen": [78000, 78000]})
    sens = sensitivity.sensitivity(plan, bm.beneficiaries_from_counts(counts, plan=plan), pct=10)
    top = sens.iloc[0]
    assert (top["category"], top["component"]) == ("dibao", "cash")
    assert top["delta_high_fen"] == 100 * 5000 and top["delta_low_fen"] == -100 * 5000
    assert top["swing_fen"] == 100 * 10000
    assert sens["swing_fen"].is_monotonic_decreasing
    assert set(sens["category"]) == {"dibao", "tekun"}  # categories without beneficiaries move nothing


def test_unit_lookup_and_names(tmp_path):
    plan = demo_plan(tmp_path)
    counts = pd.DataFrame({"county_code": ["350602"], "category": ["dibao"], "households": [1], "persons": [1]})
    result = bm.cost_model(plan, bm.beneficiaries_from_counts(counts, plan=plan))
    assert result.unit("350602")["total_fen"] == result.total_fen
    assert result.unit("999999")["total_fen"] == 0
    areas = pd.DataFrame({"code": ["350602"], "name": ["芗城区"], "name_en": ["Xiangcheng"]})
    assert bm.unit_names(areas, "en") == {"350602": "Xiangcheng"}


def test_unit_shares_of_scenarios_add_up_to_the_city(tmp_path):
    plan = demo_plan(tmp_path)
    counts = pd.DataFrame({"county_code": ["350602", "350603", "350603"], "category": ["dibao", "tekun", "dibao_edge"],
                           "households": [7, 3, 5], "persons": [19, 3, 11], "dibao_fen": [78000] * 3})
    budgets = bm.compare_scenarios(plan, bm.beneficiaries_from_counts(counts, plan=plan))
    city = bm.scenario_summary(budgets).set_index("scenario")
    parts = [bm.scenario_summary(budgets, unit=u).set_index("scenario") for u in ("350602", "350603")]
    for col in ("total_fen", "overhead_fen", "contingency_fen", "diff_fen"):
        assert (parts[0][col] + parts[1][col]).equals(city[col])
    table = bm.units_with_total(budgets["维持"])
    assert table["county_code"].iloc[-1] == "total"
    assert table["total_fen"].iloc[-1] == budgets["维持"].total_fen == table["total_fen"].iloc[:-1].sum()
