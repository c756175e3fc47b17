"""Forecast methods and backtest, against hand-computed values."""

from fractions import Fraction

import pandas as pd
import pytest

from reliefplan.core.errors import ConfigError
from reliefplan.models.forecast import (
    backtest, backtest_summary, backtest_totals, compare_methods, forecast, forecast_pivot, forecast_totals,
    method_description, predict, series,
)
from builders import small_history


def test_predict_trend_floor():
    # 10, 12, 9: slope -1/2, mean 31/3 at x=1 -> 31/3 - 1 = 9.33 -> 9 (floor 0.8 x 9 = 7.2)
    assert predict([10, 12, 9], "trend_floor") == 9
    # falling fast: 100, 80, 60 -> trend 40, floor 0.8 x 60 = 48
    assert predict([100, 80, 60], "trend_floor") == 48
    assert predict([100, 80, 60], "trend_floor", floor_share=0) == 40
    assert predict([3, 0], "trend_floor") == 0            # -3 clipped at 0
    assert predict([7], "trend_floor") == 7
    # window: only the last 2 of 1, 2, 10, 20 count -> 30
    assert predict([1, 2, 10, 20], "trend_floor", window=2) == 30


def test_predict_mean3():
    assert predict([10, 12, 9], "mean3") == 10            # 31/3
    assert predict([100, 3, 0], "mean3") == 34            # 103/3
    assert predict([3, 0], "mean3") == 2                  # 1.5 rounds half-up
    assert predict([1, 2, 3, 4], "mean3") == 3


def test_bad_method():
    with pytest.raises(ConfigError, match="trend_floor"):
        predict([1], "magic")


def test_series_fills_gaps_with_zero():
    s = series(small_history())
    hw = s[(s["county_code"] == "350603") & (s["category"] == "hardship_worker")]
    assert hw["year"].tolist() == [2022, 2023, 2024]
    assert hw["households"].tolist() == [4, 0, 5]
    d3 = s[(s["county_code"] == "350603") & (s["category"] == "dibao")]
    assert d3["year"].tolist() == [2023, 2024] and d3["households"].tolist() == [3, 0]


def test_forecast_next_year():
    fc = forecast(small_history(), "trend_floor").set_index(["county_code", "category"])
    assert fc["target_year"].unique().tolist() == [2025]
    assert fc.loc[("350602", "dibao"), "forecast"] == 9
    assert fc.loc[("350603", "dibao"), "forecast"] == 0
    assert fc.loc[("350603", "hardship_worker"), "forecast"] == 4   # trend 4, floor 0.8 x 5 = 4
    assert forecast_totals(forecast(small_history(), "trend_floor")) == 13
    m3 = forecast(small_history(), "mean3")
    assert forecast_totals(m3) == 10 + 2 + 3
    assert forecast_totals(m3, ["county_code"]) == {"350602": 10, "350603": 5}


def test_forecast_a_past_year_uses_only_earlier_years():
    fc = forecast(small_history(), "trend_floor", target_year=2024).set_index(["county_code", "category"])
    # from 10, 12: 14 (floor 0.8 x 12 = 9.6)
    assert fc.loc[("350602", "dibao"), "forecast"] == 14


def test_backtest_hand_computed():
    bt = backtest(small_history(), "trend_floor", min_train=2).set_index(["county_code", "category", "year"])
    assert len(bt) == 2
    row = bt.loc[("350602", "dibao", 2024)]
    assert (row["forecast"], row["actual"], row["error"], row["pct_error"]) == (14, 9, 5, 55.56)
    row = bt.loc[("350603", "hardship_worker", 2024)]
    assert (row["forecast"], row["actual"], row["error"], row["pct_error"]) == (0, 5, -5, -100.0)
    summ = backtest_summary(bt.reset_index()).iloc[0]
    assert (summ["n"], summ["mae"], summ["mape"], summ["bias"]) == (2, 5.0, 77.78, 0.0)


def test_compare_methods():
    cmp = compare_methods(small_history(), min_train=2).set_index("method")
    assert cmp.loc["mean3", "mae"] == 2.5          # |11-9| and |2-5|
    assert cmp.loc["mean3", "mape"] == 41.11       # 22.22 and 60
    assert cmp.loc["mean3", "bias"] == -0.5
    assert cmp.loc["trend_floor", "mae"] == 5.0


def test_backtest_totals():
    bt = pd.concat([backtest(small_history(), m, min_train=2) for m in ("trend_floor", "mean3")])
    t = backtest_totals(bt).set_index(["method", "year"])
    assert t.loc[("trend_floor", 2024), "forecast"] == 14 and t.loc[("trend_floor", 2024), "actual"] == 14
    assert t.loc[("mean3", 2024), "forecast"] == 13 and t.loc[("mean3", 2024), "error"] == -1


def test_method_descriptions():
    assert "80%" in method_description("trend_floor", "zh")
    assert "last 5 years" in method_description("trend_floor", "en")
    assert "3" in method_description("mean3", "zh")
    assert "75%" in method_description("trend_floor", "en", floor_share=Fraction(3, 4))


def test_forecast_pivot_totals():
    fc = forecast(small_history(), "trend_floor")
    table = forecast_pivot(fc, row_names={"350602": "芗城区"}, column_names={"dibao": "低保户"})
    assert table.loc["芗城区", "低保户"] == 9
    assert table.loc["350603", "hardship_worker"] == 4
    assert table.loc["芗城区", "hardship_worker"] == 0
    assert table.loc["合计", "合计"] == 13
    assert table["合计"].tolist() == [9, 4, 13]
    assert table.index.name == "县(市、区)"
    assert forecast_pivot(fc, lang="en").loc["Total", "Total"] == 13


def test_display_labels():
    from reliefplan.models.forecast import display

    shown = display(compare_methods(small_history(), min_train=2), "zh")
    assert list(shown.columns) == ["方法", "预测次数", "平均绝对误差(户)", "平均绝对误差率(%)", "平均偏差(户)"]
    assert shown["方法"].tolist() == ["近3年平均", "线性趋势(设下限)"]
    assert "Mean absolute error (households)" in display(compare_methods(small_history(), min_train=2), "en")
