"""notebooks/01_past_campaigns.ipynb under papermill: recorded figures equal the library's."""

import pytest

from nbrun import committed_parameters_cell, figures, outputs_text, run_notebook
from reliefplan.models import campaigns, forecast, reconcile
from reliefplan.ingest.reference import load_history
from reliefplan.core.paths import demo_path, demo_plan_path
from reliefplan.ingest.inputs import PlanInputs

NB = "01_past_campaigns.ipynb"
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nb_past_campaigns")]


def test_committed_without_outputs_and_one_parameters_cell():
    cell = committed_parameters_cell(NB)
    for name in ("history_file", "case_library_file", "year_from", "year_to", "unit", "forecast_method", "lang"):
        assert f"{name} =" in cell.source


def test_demo_run_matches_library(tmp_path):
    nb, rec = run_notebook(NB, tmp_path)
    history = PlanInputs(demo_plan_path()).history
    lib = PlanInputs(demo_plan_path()).case_library
    assert rec["parameters"]["demo"] is True
    assert "示例数据，人员均为虚构" in outputs_text(nb)
    assert rec["totals_by_year"] == {str(y): v for y, v in campaigns.year_totals(history).items()}
    assert rec["households_by_year"] == {str(y): v for y, v in campaigns.year_totals(history, "households").items()}
    checks = reconcile.reconcile(history, lib)
    assert rec["mismatch_count"] == len(reconcile.mismatches(checks))
    # 篇7 S1/S2, 篇8 S1/S2 (one slip), 篇9 6人 vs 6户, 篇9 农民工 without a line
    assert rec["mismatch_count_by_source"]["case_library"] == 6
    assert rec["distinct_findings"] == len(reconcile.findings(checks)) == rec["mismatch_count"] - 3
    assert rec["near_duplicate_pairs"] == [["篇7", "篇8"]]
    assert rec["benchmark_medians"]["retired_teacher/school"] == 17500
    fc = forecast.forecast(history, "trend_floor")
    assert rec["forecast_target_year"] == int(history["year"].max()) + 1
    assert rec["forecast_total"] == forecast.forecast_totals(fc)
    assert rec["forecast_by_county"] == forecast.forecast_totals(fc, ["county_code"])
    cmp = forecast.compare_methods(history).set_index("method")
    assert rec["backtest_mae"] == {m: cmp.loc[m, "mae"] for m in ("mean3", "trend_floor")}
    assert len(figures(nb)) == 7


SMALL = """year,organizer,area_code,category,funding_source,households,persons,cash_yuan,goods_yuan,overhead_yuan,stated_total_yuan
2020,民政局,350602,dibao,财政,10,25,5000,2000,100,7100
2021,民政局,350602,dibao,财政,12,30,6000,2400,120,8520
2022,民政局,350602,dibao,财政,11,28,5500,2200,110,7810
2023,民政局,350602,dibao,财政,13,33,6500,2600,130,9230
2024,民政局,350602,dibao,财政,14,35,7000,2800,140,9999
2020,总工会,350603,hardship_worker,工会经费,4,4,4000,0,0,4000
2021,总工会,350603,hardship_worker,工会经费,5,5,5000,500,0,5500
2022,总工会,350603,hardship_worker,工会经费,3,3,3000,300,0,
2023,总工会,350603,hardship_worker,工会经费,6,6,6000,600,50.5,6650.50
2024,总工会,350603,hardship_worker,工会经费,6,6,6000,600,0,6600
"""


def test_small_history_with_filters(tmp_path):
    csv = tmp_path / "history.csv"
    csv.write_text(SMALL, encoding="utf-8")
    params = {"history_file": str(csv), "case_library_file": str(demo_path("case_library.yaml")),
              "year_from": 2021, "year_to": 2024, "unit": "350602", "forecast_method": "mean3", "lang": "en"}
    nb, rec = run_notebook(NB, tmp_path, params)
    history = campaigns.filter_history(load_history(csv, categories=PlanInputs(demo_plan_path()).categories),
                                       2021, 2024, "350602")
    assert rec["parameters"] == {"years": [2021, 2024], "unit": "350602", "forecast_method": "mean3", "demo": False}
    assert "示例数据" not in outputs_text(nb)
    assert rec["totals_by_year"] == {"2021": 852000, "2022": 781000, "2023": 923000, "2024": 994000}
    assert rec["totals_by_year"] == {str(y): v for y, v in campaigns.year_totals(history).items()}
    # 2024 states 9,999 against 9,940 computed; plus the four in the case library
    assert rec["mismatch_count_by_source"] == {"history": 1, "case_library": 6}
    assert rec["forecast_target_year"] == 2025
    assert rec["forecast_total"] == 13          # mean3 of 11, 13, 14 = 38/3 -> 13
    assert rec["forecast_by_county"] == {"350602": 13}
