"""Funding pools worked by hand: two pools, a category paid by two sources in order, goods-only donations."""

from __future__ import annotations

import pandas as pd
import pytest

from reliefplan.core.errors import ConfigError
from reliefplan.core.paths import demo_path
from reliefplan.models import allocation as al
from reliefplan.models import budget as bm
from reliefplan.models import pools

# 低保户 500 + 200 per household, 困难职工 1000 + 200 per household; no overheads, no contingency.
CATEGORIES = {
    "dibao": {"per": "household", "cash": 500, "goods": 200, "priority": 2},
    "hardship_worker": {"per": "household", "cash": 1000, "goods": 200, "priority": 4},
}


def plan(funding, **more):
    return {"year": 2027, "categories": CATEGORIES, "funding": funding, "allocation_mode": "priority",
            "rounding_step": 50, "_files": {"categories": demo_path("categories.csv")}, **more}


def people():
    """Three 低保 households (incomes 300, 400, 500: served in that order) and one 困难职工 of 芗城区总工会."""
    return pd.DataFrame({
        "county_code": ["350602"] * 4, "category": ["dibao", "dibao", "dibao", "hardship_worker"],
        "dibao_fen": [80000] * 4, "households": [1] * 4, "persons": [2] * 4,
        "income_fen": pd.array([50000, 30000, 40000, 20000], dtype="Int64"),
        "household_size": pd.array([2] * 4, dtype="Int64"), "divisible": [False] * 4,
        "organizer": ["芗城区民政局"] * 3 + ["芗城区总工会"],
    }, index=[1, 2, 3, 4])


def by_source(alloc):
    return alloc.extra["pools"].set_index("source")


def test_two_pools_never_exchange_money():
    p = plan([{"source": "民政救助资金", "amount": 1400, "categories": ["dibao"]},
              {"source": "工会经费", "amount": 1000, "organizers": ["总工会"]}])
    a = al.allocate(p, people())
    t = by_source(a)
    # 民政 pays the two poorest 低保 households (300, then 400); the third (500) is short 700 because of 民政.
    assert a.covered_units.tolist() == [0, 1, 1, 0]
    assert t.loc["民政救助资金", ["need_in_pool_fen", "used_fen", "left_fen", "short_fen"]].tolist() == \
        [210000, 140000, 0, 70000]
    # 工会 (1000) cannot pay the 1200 of its one case, and 民政 has nothing to lend it.
    assert t.loc["工会经费", ["need_in_pool_fen", "used_fen", "left_fen", "short_fen"]].tolist() == \
        [120000, 0, 100000, 120000]
    short = a.extra["short"].groupby(["pool", "category"])["short_fen"].sum().to_dict()
    assert short == {("民政救助资金", "dibao"): 70000, ("工会经费", "hardship_worker"): 120000}
    # total funding 2400 exceeds nothing useful: the gap is the pools' shortfalls, 700 + 1200, not 3300 - 2400
    assert a.full.totals["gap_fen"] == 190000
    assert a.budget.total_fen == 140000 and not a.fits
    assert "民政救助资金缺口 700.00 元(低保户)" in a.message("zh")


def test_a_category_paid_by_two_sources_in_order():
    p = plan([{"source": "民政救助资金", "amount": 1400, "categories": ["dibao"]},
              {"source": "福彩公益金", "amount": 1000, "categories": ["dibao"]},
              {"source": "工会经费", "amount": 1200, "organizers": ["总工会"]}])
    a = al.allocate(p, people())
    t = by_source(a)
    assert t.loc["民政救助资金", "used_fen"] == 140000
    assert t.loc["福彩公益金", ["need_in_pool_fen", "used_fen", "left_fen"]].tolist() == [70000, 70000, 30000]
    assert t.loc["工会经费", "used_fen"] == 120000
    assert a.fits and a.covered_units.tolist() == [1, 1, 1, 1]
    assert a.budget.total_fen == 330000 and a.full.totals["gap_fen"] == -30000


def test_goods_only_donation_pays_goods_and_no_cash():
    p = plan([{"source": "社会捐赠", "amount": 400, "categories": ["dibao"], "goods_only": True},
              {"source": "民政救助资金", "amount": 1700, "categories": ["dibao"]}])
    ben = people().iloc[:3]
    a = al.allocate(p, ben)
    t = by_source(a)
    # the donation gives the goods (200) of the first two households served; 民政 pays all cash and the third's goods
    assert t.loc["社会捐赠", ["gifts_paid_fen", "left_fen"]].tolist() == [40000, 0]
    assert t.loc["民政救助资金", ["gifts_paid_fen", "left_fen"]].tolist() == [170000, 0]
    assert a.fits and a.budget.totals["cash_fen"] == 150000 and a.budget.totals["goods_fen"] == 60000
    # a donation alone leaves the cash with no source at all
    only = al.allocate(plan([{"source": "社会捐赠", "amount": 1000, "categories": ["dibao"], "goods_only": True}]), ben)
    s = only.extra["short"]
    assert s.loc[s["part"] == "cash", ["pool", "short_fen"]].values.tolist() == [["无资金来源", 150000]]
    assert only.budget.totals["goods_fen"] == 60000 and only.budget.totals["cash_fen"] == 0
    assert not only.covered_units.any()


def test_overheads_come_out_of_the_pool_that_pays_them():
    p = plan([{"source": "民政救助资金", "amount": 2200, "categories": ["dibao"], "overheads": True},
              {"source": "工会经费", "amount": 1200, "organizers": ["总工会"]}],
             overheads=[{"item": "表册印制费", "basis": "fixed", "amount": 200}])
    a = al.allocate(p, people())
    t = by_source(a)
    assert t.loc["民政救助资金", ["overheads_paid_fen", "gifts_paid_fen", "left_fen"]].tolist() == [20000, 140000, 60000]
    assert t.loc["民政救助资金", "short_fen"] == 70000   # 2200 - 200 leaves room for two households, not three
    assert t.loc["工会经费", ["overheads_paid_fen", "used_fen"]].tolist() == [0, 120000]
    assert a.budget.totals["overhead_fen"] == 20000 and a.budget.total_fen == 280000


def test_uniform_scale_runs_inside_each_pool():
    p = plan([{"source": "民政救助资金", "amount": 1050, "categories": ["dibao"]},
              {"source": "福彩公益金", "amount": 600, "categories": ["dibao"]},
              {"source": "工会经费", "amount": 5000, "organizers": ["总工会"]}], allocation_mode="scale")
    a = al.allocate(p, people())
    t = by_source(a)
    # 民政: 2100 asked, 1050 held -> 250 cash + 100 goods per household (each rounded down to 50)
    assert t.loc["民政救助资金", "gifts_paid_fen"] == 105000
    # 福彩 is asked the rest (250 + 100 each = 1050) and pays 200 per household: 150 + 50
    assert t.loc["福彩公益金", ["need_in_pool_fen", "gifts_paid_fen"]].tolist() == [105000, 60000]
    lines = a.budget.lines.set_index("category")
    assert lines.loc["dibao", ["cash_fen", "goods_fen"]].tolist() == [120000, 45000]   # 400 + 150 per household
    assert lines.loc["hardship_worker", "gifts_fen"] == 120000                         # 工会 pays in full
    assert t.loc["工会经费", "left_fen"] == 380000
    assert a.covered_units.tolist() == [0, 0, 0, 1]       # the 低保 households are paid, but not in full


def test_cost_model_shows_the_pool_table_and_the_pools_gap():
    p = plan([{"source": "民政救助资金", "amount": 1400, "categories": ["dibao"]},
              {"source": "工会经费", "amount": 5000, "organizers": ["总工会"]}])
    b = bm.cost_model(p, people())
    assert b.total_fen == 330000
    assert b.funding.set_index("source")["short_fen"].to_dict() == {"民政救助资金": 70000, "工会经费": 0}
    assert b.totals["gap_fen"] == 70000   # though the pools hold 6400 against a cost of 3300


def test_pool_definitions_are_checked():
    with pytest.raises(ConfigError, match=r"funding\[0\]\.categories"):
        pools.plan_pools(plan([{"source": "民政", "amount": 1, "categories": ["tekun"]}]))
    with pytest.raises(ConfigError, match="goods-only"):
        pools.plan_pools(plan([{"source": "捐赠", "amount": 1, "categories": ["dibao"], "goods_only": True,
                                "overheads": True}]))
    ps = pools.plan_pools(plan([{"source": "捐赠", "amount": 1, "categories": ["dibao"], "goods_only": True},
                                {"source": "工会经费", "amount": 1, "organizers": ["总工会"]}]))
    assert [p.overheads for p in ps] == [False, True]   # the first pool that may pay cash pays the overheads
    assert pools.organizer_matches("芗城区总工会", ("总工会",)) and not pools.organizer_matches("总工会办", ("总工会",))
    assert not pools.declared({"funding": [{"source": "财政", "amount": 1}]})


def whatif_rows():
    ben = people()
    return pd.DataFrame({
        "county_code": ben["county_code"], "category": ben["category"], "household_size": ben["household_size"],
        "income_fen": ben["income_fen"], "dibao_fen": pd.array([80000] * 4, dtype="Int64"),
        "eligible": True, "loose": True, "income_tested": False, "organizer": ben["organizer"],
        "person_key": ["a", "b", "c", "d"],
    }, index=ben.index)


def test_whatif_per_pool_equals_the_plain_path_and_moves_a_pool():
    from reliefplan.models import whatif

    p = plan([{"source": "民政救助资金", "amount": 1400, "categories": ["dibao"]},
              {"source": "工会经费", "amount": 1000, "organizers": ["总工会"]}])
    state = whatif.prepare(p, whatif_rows(), categories=None)
    base = whatif.update(state, {})
    assert base.ok and base.summary()["gap_fen"] == 190000
    moved = whatif.update(state, {"pools": {"工会经费": 1200}})
    pools_now = {r["source"]: r for r in moved.summary()["pools"]}
    assert pools_now["工会经费"]["short_fen"] == 0 and pools_now["民政救助资金"]["short_fen"] == 70000
    assert moved.summary()["total_fen"] == 260000
    spent, full, cov = whatif.update_naive(p, whatif_rows(), {"pools": {"工会经费": 1200}})
    assert spent.total_fen == moved.budget.total_fen and full.total_fen == moved.full.total_fen
    assert cov["covered_recipients"].sum() == moved.coverage["covered_recipients"].sum() == 3
    bad = whatif.update(state, {"pools": {"党费": 100}})
    assert not bad.ok and "党费" in bad.message("zh")


def test_pools_by_unit_reconcile_with_units_and_pools_to_the_fen():
    ben = pd.concat([people(), people().assign(county_code="350603").rename(index=lambda i: i + 10)])
    p = plan([{"source": "民政救助资金", "amount": 2500, "categories": ["dibao"], "overheads": True},
              {"source": "福彩公益金", "amount": 1000, "categories": ["dibao"]},
              {"source": "工会经费", "amount": 3000, "organizers": ["总工会"]}],
             overheads=[{"item": "表册印制费", "basis": "fixed", "amount": 333.33}], contingency_pct=3)
    a = al.allocate(p, ben)
    units = a.extra["pool_units"]
    by_county = units.groupby("county_code")["used_fen"].sum()
    assert by_county.to_dict() == a.budget.units.set_index("county_code")["total_fen"].to_dict()
    by_pool = units.groupby("source")["used_fen"].sum()
    assert by_pool.to_dict() == a.extra["pools"].set_index("source")["used_fen"].to_dict()
    # each pool keeps its own contingency: 3% of what it spends, half-up
    t = by_source(a)
    assert t.loc["工会经费", "contingency_fen"] == 3600 * 2   # 3% of 1200 per worker, two workers
    assert int(units["contingency_fen"].sum()) == a.budget.totals["contingency_fen"]


def test_pools_by_unit_table_has_totals_and_reconciles():
    ben = pd.concat([people(), people().assign(county_code="350603").rename(index=lambda i: i + 10)])
    p = plan([{"source": "民政救助资金", "amount": 5000, "categories": ["dibao"]},
              {"source": "工会经费", "amount": 3000, "organizers": ["总工会"]}])
    table, ok = al.pools_by_unit(al.allocate(p, ben), {"350602": "芗城区", "350603": "龙文区"})
    assert ok
    assert table.columns.tolist() == ["county_code", "unit_name", "民政救助资金", "工会经费", "total_fen"]
    assert table.iloc[-1][["民政救助资金", "工会经费", "total_fen"]].tolist() == [420000, 240000, 660000]
    assert table.iloc[0]["unit_name"] == "芗城区"


def test_an_overall_cap_limits_what_the_pools_pay_together():
    p = plan([{"source": "民政救助资金", "amount": 2100, "categories": ["dibao"]},
              {"source": "工会经费", "amount": 1200, "organizers": ["总工会"]}])
    # pools alone pay all 3300; a cap of 2500 keeps the strict prefix of the serving order that fits:
    # 低保 300 (700), 低保 400 (700), 低保 500 (700) = 2100, then the worker (1200) does not fit
    a = al.allocate(p, people(), cap_yuan="2500")
    assert a.budget.total_fen == 210000 and a.covered_units.tolist() == [1, 1, 1, 0]
    t = by_source(a)
    assert t.loc["工会经费", ["used_fen", "left_fen"]].tolist() == [0, 120000]
    assert t.loc["预算上限", "short_fen"] == 120000
    # scale: one factor on what every pool pays, rounded down to 50 per household
    s = al.allocate({**p, "allocation_mode": "scale"}, people(), cap_yuan="2500")
    assert s.budget.total_fen <= 250000 and s.budget.total_fen == 240000   # 450 + 150 x 3, 750 + 150 x 1
    assert s.extra["short"]["pool"].eq("预算上限").all()
