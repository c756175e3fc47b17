"""Totals and trends over the campaign history, against hand-computed figures."""

import pandas as pd
import pytest

from builders import small_history

from reliefplan.core.paths import demo_plan_path
from reliefplan.ingest.inputs import PlanInputs
from reliefplan.models.campaigns import (
    add_names, display_totals, filter_history, summary, totals, totals_by_year, with_change, year_totals,
)


def test_totals_by_year_hand_computed():
    t = totals_by_year(small_history()).set_index("year")
    assert t["households"].tolist() == [14, 15, 14]
    assert t["persons"].tolist() == [29, 37, 27]
    assert t["cash_fen"].tolist() == [900000, 750000, 950000]
    assert t["goods_fen"].tolist() == [200000, 300000, 230001]
    assert t["overhead_fen"].tolist() == [10000, 15000, 9001]
    assert t["total_fen"].tolist() == [1110000, 1065000, 1189002]
    assert t["total_fen"].dtype == "int64"
    # 1,100,000 fen / 29 persons = 37,931.03 -> 37,931; / 14 households = 78,571.43 -> 78,571
    assert t.loc[2022, "per_head_fen"] == 37931
    assert t.loc[2022, "per_household_fen"] == 78571
    assert t.loc[2024, "per_head_fen"] == 43704       # 1,180,001 / 27 = 43,703.74
    assert t.loc[2022, "cash_share_pct"] == 81.82     # 900,000 / 1,100,000
    assert t.loc[2022, "overhead_share_pct"] == 0.90  # 10,000 / 1,110,000
    assert pd.isna(t.loc[2022, "change_fen"])
    assert t.loc[2023, "change_fen"] == -45000 and t.loc[2023, "change_pct"] == -4.05
    assert t.loc[2024, "change_fen"] == 124002 and t.loc[2024, "change_pct"] == 11.64


def test_totals_add_up_to_the_records():
    h = small_history()
    for by in (["county_code"], ["category"], ["funding_source"], ["year", "county_code"]):
        t = totals(h, by)
        assert int(t["total_fen"].sum()) == int((h["cash_fen"] + h["goods_fen"] + h["overhead_fen"]).sum())
        assert int(t["persons"].sum()) == 93
    grand = totals(h, [])
    assert grand["total_fen"].iloc[0] == 1110000 + 1065000 + 1189002


def test_by_county_uses_the_first_six_digits():
    t = totals(small_history(), ["county_code"]).set_index("county_code")
    assert t.loc["350602", "total_fen"] == 710000 + 852000 + 639000
    assert t.loc["350603", "total_fen"] == 400000 + 213000 + 550002


def test_filter_years_and_unit():
    h = small_history()
    assert year_totals(filter_history(h, unit="350603")) == {2022: 400000, 2023: 213000, 2024: 550002}
    assert year_totals(filter_history(h, 2023, 2023)) == {2023: 1065000}
    assert year_totals(filter_history(h, year_from=2024)) == {2024: 1189002}
    assert len(filter_history(h, unit="350602001")) == 1
    assert len(filter_history(h, unit="all")) == 6
    assert filter_history(h, unit="999999").empty


def test_source_row_survives_filtering():
    h = small_history()
    h["source_row"] = [5, 6, 7, 8, 9, 10]
    f = filter_history(h, unit="350603")
    assert f["source_row"].tolist() == [6, 8, 10]


def test_change_within_series_and_gap_years():
    t = with_change(totals(small_history(), ["year", "category"]), within=["category"])
    hw = t[t["category"] == "hardship_worker"].set_index("year")
    # 2023 has no hardship_worker row: 2024 is not compared with 2022
    assert list(hw.index) == [2022, 2024]
    assert hw["change_fen"].isna().all()
    dibao = t[t["category"] == "dibao"].set_index("year")
    assert dibao.loc[2023, "change_fen"] == (852000 + 213000) - 710000


def test_households_change_column_name():
    t = with_change(totals(small_history(), ["year"]), value="households")
    assert t["change_households"].tolist()[1:] == [1, -1]


def test_summary_tables():
    s = summary(small_history())
    assert set(s) == {"by_year", "by_county", "by_category", "by_funding", "by_year_county",
                      "by_year_category", "by_year_funding"}
    f = s["by_funding"].set_index("funding_source")
    assert f.loc["工会经费", "total_fen"] == 400000 + 550002


def test_names_and_display():
    areas = pd.DataFrame({"code": ["350602", "350603"], "name": ["芗城区", "龙文区"],
                          "name_en": ["Xiangcheng", None]})
    cats = pd.DataFrame({"code": ["dibao"], "zh": ["低保户"], "en": ["Dibao household"]})
    t = add_names(totals(small_history(), ["county_code", "category"]), areas, cats)
    assert t["county_name"].tolist() == ["芗城区", "龙文区", "龙文区"]
    assert t["category_name"].tolist() == ["低保户", "低保户", "hardship_worker"]
    en = add_names(totals(small_history(), ["county_code"]), areas, lang="en")
    assert en["county_name"].tolist() == ["Xiangcheng", "龙文区"]
    shown = display_totals(totals_by_year(small_history()), "zh")
    assert shown["合计(元)"].tolist() == ["11,100.00", "10,650.00", "11,890.02"]


def test_loaded_csv_fixture(tmp_path):
    """A small history CSV (yuan in the file) through the loader, then totalled."""
    from reliefplan.ingest.reference import load_history

    csv = tmp_path / "history.csv"
    csv.write_text(
        "年度,组织单位,区划代码,困难类别,资金来源,户数,人数,慰问金,慰问品,工作经费,填报合计\n"
        "2024,市民政局,350602,低保户,财政,10,25,5000,2000,100,7100\n"
        "2024,市总工会,350603,困难职工,工会经费,4,4,4000,0.5,0,4000.50\n"
        "2025,市民政局,350602,低保户,财政,12,30,6000,2400,120.25,8520\n",
        encoding="utf-8")
    h = load_history(csv, categories=PlanInputs(demo_plan_path()).categories)
    assert year_totals(h) == {2024: 710000 + 400050, 2025: 852025}
    assert h["category"].tolist() == ["dibao", "hardship_worker", "dibao"]


# ---------------------------------------------------------------------------
# charts (campaign_charts): one figure per function, zh/en, yuan on the axes
# ---------------------------------------------------------------------------


def test_trend_and_counts_figures():
    from reliefplan.views import campaign_charts as charts
    by_year = totals_by_year(small_history())
    fig = charts.trend_figure(by_year, "zh")
    assert fig.layout.title.text == "历年慰问资金"
    names = [t.name for t in fig.data]
    assert names == ["慰问金", "慰问品", "工作经费", "合计"]   # the axis says 万元; no (元) beside it
    total = next(t for t in fig.data if t.name == "合计")
    assert list(total.y) == [11100.0, 10650.0, 11890.02]
    en = charts.counts_figure(by_year, "en")
    assert en.layout.title.text == "Households and persons reached by year"
    assert [list(t.y) for t in en.data] == [[14, 15, 14], [29, 37, 27]]


def test_category_funding_county_figures():
    from reliefplan.views import campaign_charts as charts
    h = small_history()
    cat = charts.category_bars_figure(totals(h, ["year", "category"]), "zh", names={"dibao": "低保户"})
    assert {t.name for t in cat.data} == {"低保户", "hardship_worker"}
    assert cat.layout.barmode == "stack"
    fund = charts.funding_mix_figure(totals(h, ["year", "funding_source"]), "en")
    assert fund.layout.barnorm == "percent" and fund.layout.title.text == "Funding mix by year"
    county = charts.county_small_multiples_figure(totals(h, ["year", "county_code"]), "zh",
                                                  names={"350602": "芗城区"})
    titles = {a.text for a in county.layout.annotations}
    assert {"芗城区", "350603"} <= titles


def test_forecast_and_benchmark_figures():
    from reliefplan.views import campaign_charts as charts
    from reliefplan.models.per_head_ranges import benchmarks
    from reliefplan.models.forecast import backtest, backtest_totals

    h = small_history()
    bt = backtest_totals(backtest(h, "mean3", min_train=2))
    fig = charts.forecast_figure(totals(h, ["year"]), bt, 15, 2025, "zh", method_text="近3年平均")
    assert [t.name for t in fig.data] == ["实际户数", "回测预测", "预测"]
    assert list(fig.data[2].x) == [2024, 2025] and list(fig.data[2].y) == [14, 15]
    assert "近3年平均" in fig.layout.title.text
    empty = charts.forecast_figure(totals(h, ["year"]), bt.iloc[0:0], 15, 2025, "en")
    assert [t.name for t in empty.data] == ["Actual households", "Forecast"]
    ranges = benchmarks(PlanInputs(demo_plan_path()).case_library)
    bench = charts.benchmark_ranges_figure(ranges, "en")
    bar = bench.data[0]
    i = list(bar.y).index("retired_teacher · school")
    assert (bar.base[i], bar.x[i]) == (100.0, 150.0)     # 100 to 250 yuan
    assert bench.data[1].x[i] == 175.0                    # median


def test_charts_refuse_unknown_language():
    from reliefplan.views import campaign_charts as charts
    with pytest.raises(ValueError):
        charts.trend_figure(totals_by_year(small_history()), "fr")


def test_labels_are_local_and_do_not_clobber_shared_ones():
    """Generic keys (source, basis, yuan) stay with the modules that registered them first."""
    import reliefplan.models.per_head_ranges  # noqa: F401
    import reliefplan.views.campaign_charts  # noqa: F401
    import reliefplan.models.forecast  # noqa: F401
    import reliefplan.models.plan_similarity  # noqa: F401
    import reliefplan.models.reconcile  # noqa: F401
    from reliefplan.core import labels

    assert labels.label("zh", "zh") == "中文名称"          # categories schema, untouched
    assert labels.label("category", "en") == "Category"
    assert labels.column_label("per_head_fen", "zh", table="models.campaigns") == "人均(元)"
    assert labels.column_label("households", "en", table="models.campaigns") == "Households"  # the shared one
