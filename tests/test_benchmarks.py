"""Per-head benchmarks from the case library, hand-computed."""

import pandas as pd
import pytest

from reliefplan.models.per_head_ranges import (
    benchmark_lines, benchmarks, default_standards, history_per_head, median_fen, ranges,
)
from reliefplan.core.paths import demo_path, demo_plan_path
from reliefplan.ingest.inputs import PlanInputs


@pytest.fixture(scope="module")
def lib():
    return PlanInputs(demo_plan_path()).case_library


def test_median_fen():
    assert median_fen([5]) == 5
    assert median_fen([3, 1, 2]) == 2
    assert median_fen([10000, 25000]) == 17500
    assert median_fen([1, 2]) == 2          # 1.5 fen rounds half-up
    with pytest.raises(ValueError):
        median_fen([])


def test_lines_skip_duplicates_prizes_and_mixed(lib):
    lines = benchmark_lines(lib)
    assert "篇8" not in set(lines["plan_id"])          # near-copy of 篇7
    assert "篇2" not in set(lines["plan_id"])          # prizes
    assert not ((lines["plan_id"] == "篇3") & (lines["ref"] == "L1")).any()  # four categories at once
    p7 = lines[lines["plan_id"] == "篇7"].set_index("ref")
    assert p7["per_head_fen"].tolist() == [10000, 15000, 45000, 25000]
    assert (p7["basis"] == "written").all()
    p3 = lines[lines["plan_id"] == "篇3"].set_index("ref")
    # 500元 / 5人 = 100元 per person, implied; 慰问金 -> cash
    assert p3.loc["L2", "per_head_fen"] == 10000 and p3.loc["L2", "basis"] == "implied"
    assert p3.loc["L2", "cash_fen"] == 10000 and p3.loc["L2", "goods_fen"] == 0
    p1 = lines[lines["plan_id"] == "篇1"].iloc[0]
    # 110000余元 / 350余户 = 314.2857 -> 314.29, approximate, goods (物资)
    assert p1["per_head_fen"] == 31429 and p1["approximate"] and p1["goods_fen"] == 31429


def test_ranges_by_category_and_organizer_type(lib):
    b = benchmarks(lib).set_index(["category", "organizer_type"])
    teacher = b.loc[("retired_teacher", "school")]
    assert (teacher["min_fen"], teacher["median_fen"], teacher["max_fen"]) == (10000, 17500, 25000)
    assert teacher["n_lines"] == 2 and teacher["n_plans"] == 1 and teacher["plans"] == "篇7"
    ill = b.loc[("serious_illness", "school")]
    assert (ill["min_fen"], ill["median_fen"], ill["max_fen"], ill["plans"]) == (45000, 72500, 100000, "篇4, 篇7")
    assert b.loc[("union_cadre", "union"), "median_fen"] == 100000
    assert b.loc[("hardship_worker", "school"), "median_fen"] == 15000


def test_duplicates_counted_once_changes_counts(lib):
    all_plans = benchmark_lines(lib, keep=list(lib.plans["id"]))
    assert len(all_plans[all_plans["category"] == "retired_teacher"]) == 4
    assert len(benchmark_lines(lib).query("category == 'retired_teacher'")) == 2


def test_default_standards_split_sums_exactly(lib):
    std = default_standards(lib)
    for code, s in std.items():
        assert s["cash_fen"] + s["goods_fen"] == s["per_head_fen"], code
    # retired teachers: median 175; cash:goods written 200:150 -> 100 + 75
    assert (std["retired_teacher"]["cash_fen"], std["retired_teacher"]["goods_fen"]) == (10000, 7500)
    assert std["union_cadre"] == {**std["union_cadre"], "per": "person", "per_head_fen": 100000,
                                  "cash_fen": 100000, "goods_fen": 0, "split": "known"}
    assert std["dibao_edge"]["per"] == "household"
    assert default_standards(lines=benchmark_lines(lib)) == std


def test_unknown_split_is_all_cash():
    lines = pd.DataFrame({"plan_id": ["X"], "category": ["tekun"], "per": ["person"],
                          "per_head_fen": [12345], "cash_fen": pd.array([None], dtype="Int64"),
                          "goods_fen": pd.array([None], dtype="Int64"), "basis": ["implied"],
                          "approximate": [False]})
    s = default_standards(lines=lines)["tekun"]
    assert (s["cash_fen"], s["goods_fen"], s["split"]) == (12345, 0, "unknown")


def test_history_per_head():
    hist = pd.DataFrame({"year": [2024, 2025, 2025], "category": ["dibao"] * 3,
                         "persons": [10, 3, 0], "cash_fen": [500000, 100000, 0], "goods_fen": [0, 1, 0]})
    r = history_per_head(hist).iloc[0]
    # 5000/10 = 500.00; 1000.01/3 = 333.34 (333.336..); the record without persons is left out
    assert (r["min_fen"], r["max_fen"], r["n_lines"], r["plans"]) == (33334, 50000, 2, "2024, 2025")
    assert r["median_fen"] == 41667  # (33334 + 50000) / 2 = 41667
    assert ranges(pd.DataFrame(columns=["category", "per", "plan_id", "per_head_fen", "approximate"]),
                  by=["category"]).empty


def test_display_ranges(lib):
    from reliefplan.ingest.categories import load_categories

    shown = benchmarks(lib)
    from reliefplan.models.per_head_ranges import display_ranges

    zh = display_ranges(shown, "zh", load_categories(demo_path("categories.csv")), lib.organizer_types)
    assert "中位数(元)" in zh.columns and "组织单位类型" in zh.columns
    teacher = zh[zh["困难类别"] == "离退休教师"].iloc[0]
    assert (teacher["最低(元)"], teacher["中位数(元)"], teacher["最高(元)"]) == ("100.00", "175.00", "250.00")
    assert teacher["组织单位类型"] == "学校" and teacher["计量"] == "人"
    en = display_ranges(shown, "en", load_categories(demo_path("categories.csv")), lib.organizer_types)
    assert "Median (yuan)" in en.columns and "School" in set(en["Organizer type"])
