"""One payment per person: the three rules worked by hand, in the budget, and against the coverage duplicates."""

from __future__ import annotations

import pandas as pd
import pytest

from builders import coverage_world

from reliefplan.core.errors import ConfigError
from reliefplan.core.paths import demo_path
from reliefplan.ingest.plan import load_plan
from reliefplan.models import allocation as al
from reliefplan.models import budget as bm
from reliefplan.models import multi_listed as dup
from reliefplan.models import per_person as pp
from reliefplan.models import standards as stds
from reliefplan.reports import attachments
from reliefplan.reports.context import ReportContext

# 张 is listed by 民政 (低保户: 500 + 200 per household) and by 工会 (困难职工: 1000 + 200);
# 李 only by 民政. Standards per household.
PLAN = {
    "year": 2027,
    "_files": {"categories": demo_path("categories.csv")},   # the demo categories, named
    "categories": {
        "dibao": {"per": "household", "cash": 500, "goods": 200},
        "hardship_worker": {"per": "household", "cash": 1000, "goods": 200},
    },
}


def listings():
    return pd.DataFrame({
        "county_code": ["350602", "350602", "350602"], "category": ["dibao", "hardship_worker", "dibao"],
        "dibao_fen": [80000, 80000, 80000], "households": [1, 1, 1], "persons": [2, 2, 3],
        "income_fen": pd.array([50000, 50000, 40000], dtype="Int64"),
        "household_size": pd.array([2, 2, 3], dtype="Int64"), "divisible": [False, False, False],
        "person_key": ["张", "张", "李"], "organizer": ["民政局", "总工会", "民政局"],
    }, index=[10, 11, 12])


def plan_with(**keys):
    return {**PLAN, **keys}


def test_highest_once_pays_the_union_listing_only():
    std = stds.base_standards(PLAN)
    pay = pp.listing_payments(listings(), std, rule="highest_once")
    assert pay["paid"].tolist() == [False, True, True]
    assert pay["cash_fen"].tolist() == [0, 100000, 50000]
    assert pay["goods_fen"].tolist() == [0, 20000, 20000]
    assert pay["listings"].tolist() == [2, 2, 1] and pay["rank"].tolist() == [2, 1, 1]
    assert "较高标准" in pay.at[10, "rule_note"] and pay.at[11, "rule_note"] == ""
    s = pp.saving(pay)
    assert (s["full_fen"], s["paid_fen"], s["saving_fen"]) == (260000, 190000, 70000)
    assert (s["people"], s["multi_listed_people"], s["unpaid_listings"]) == (2, 1, 1)


def test_each_up_to_cap_cuts_cash_first_on_the_listing_that_crosses():
    std = stds.base_standards(PLAN)
    pay = pp.listing_payments(listings(), std, rule="each_up_to_cap", cap_fen=150000)
    # 工会 1200 in full, then 民政 gets what is left of 1500: 300 = goods 200 kept + cash 100
    assert pay.loc[11, ["cash_fen", "goods_fen"]].tolist() == [100000, 20000]
    assert pay.loc[10, ["cash_fen", "goods_fen"]].tolist() == [10000, 20000]
    assert pay.loc[12, ["cash_fen", "goods_fen"]].tolist() == [50000, 20000]   # 李 is under the cap
    assert "上限" in pay.at[10, "rule_note"]
    assert pp.saving(pay)["saving_fen"] == 40000
    # a cap below the goods cuts goods too; a cap under the first listing cuts it
    low = pp.listing_payments(listings(), std, rule="each_up_to_cap", cap_fen=10000)
    assert low.loc[11, ["cash_fen", "goods_fen"]].tolist() == [0, 10000]
    assert not low.at[10, "paid"]


def test_pay_all_and_rows_without_people_are_paid_in_full():
    std = stds.base_standards(PLAN)
    pay = pp.listing_payments(listings(), std, rule="pay_all")
    assert pay["paid"].all() and pp.saving(pay)["saving_fen"] == 0
    anon = listings().drop(columns="person_key")
    assert pp.listing_payments(anon, std, rule="highest_once")["paid"].all()


def test_order_of_rows_does_not_change_who_is_paid():
    std = stds.base_standards(PLAN)
    rev = listings().iloc[::-1]
    pay = pp.listing_payments(rev, std, rule="highest_once")
    assert pay.loc[[10, 11, 12], "paid"].tolist() == [False, True, True]


def test_the_budget_counts_what_the_rule_pays():
    ben = listings()
    for rule, total in (("pay_all", 260000), ("highest_once", 190000)):
        plan = plan_with(per_person_rule=rule)
        b = bm.cost_model(plan, ben)
        assert b.totals["gifts_fen"] == total
        assert b.totals["recipients"] == (3 if rule == "pay_all" else 2)
        assert b.per_person["saving_fen"] == 260000 - total
    plan = plan_with(per_person_rule="each_up_to_cap", per_person_cap=1500)
    b = bm.cost_model(plan, ben)
    assert b.totals["gifts_fen"] == 220000
    assert b.lines.set_index("category").loc["dibao", "cash_fen"] == 60000   # 100 (cut) + 500
    # the cap rule sees the same money: a cap of exactly that total fits
    alloc = al.allocate(plan, ben, cap_yuan="2200")
    assert alloc.fits and alloc.budget.totals["gifts_fen"] == 220000


def test_bad_rules_are_config_errors():
    with pytest.raises(ConfigError, match="per_person_rule"):
        pp.plan_rule(plan_with(per_person_rule="once"))
    with pytest.raises(ConfigError, match="per_person_cap"):
        pp.plan_rule(plan_with(per_person_rule="each_up_to_cap"))


def test_rule_against_the_duplicates_coverage_finds():
    """Every person the duplicates analysis finds among the paid listings loses all but one listing."""
    reg, plan, dibao, areas, visits, changes = coverage_world()
    plan = {**plan, "categories": {**plan["categories"], "hardship_worker": {"cash": 1000, "goods": 200}}}
    ben = bm.beneficiaries_for_plan(plan, reg, dibao, areas)
    std = stds.scenario_standards(plan)
    pay = pp.listing_payments(ben, std, rule="highest_once")
    found = dup.duplicates(reg.loc[ben.index])
    several = found.loc[found["n_organizers"] > 1, "id_number"]
    keys = set(reg.loc[reg["id_number"].isin(several), "person_key"])
    assert keys and set(pay.loc[pay["listings"] > 1, "person_key"]) == keys
    assert int((~pay["paid"]).sum()) == int((found["listings"] - 1).sum())
    amounts = pay["full_cash_fen"] + pay["full_goods_fen"]
    by_person = amounts.groupby(pay["person_key"])
    assert pp.saving(pay)["saving_fen"] == int((by_person.sum() - by_person.max()).sum())


def test_register_form_counts_the_same_money_as_the_budget():
    """The 登记表 rows of a unit add up to the unit's budget lines under the demo plan's highest_once rule."""
    ctx = ReportContext(load_plan(), unit_code="350602")
    people = attachments.register_people(ctx)
    lines = ctx.unit_lines()
    assert int(people["cash_fen"].sum()) == int(lines["cash_fen"].sum())
    assert int(people["goods_fen"].sum()) == int(lines["goods_fen"].sum())
    assert ctx.baseline.per_person["saving_fen"] > 0          # the demo has people listed twice
