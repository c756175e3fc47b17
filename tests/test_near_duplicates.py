"""Near-duplicate plans: 篇7 and 篇8 are one plan with wording changes."""

from collections import Counter

import pandas as pd
import pytest

from reliefplan.ingest.case_library import load_case_library
from reliefplan.ingest.categories import load_categories
from reliefplan.core.paths import demo_path, demo_plan_path
from reliefplan.ingest.inputs import PlanInputs
from reliefplan.models.plan_similarity import (
    compare_plans, duplicate_groups, format_differences, multiset_jaccard, near_duplicate_pairs,
    representatives, text_differences,
)


@pytest.fixture(scope="module")
def lib():
    return PlanInputs(demo_plan_path()).case_library


def test_seeds_have_exactly_one_near_duplicate_pair(lib):
    pairs = near_duplicate_pairs(lib)
    assert list(zip(pairs["plan_a"], pairs["plan_b"])) == [("篇7", "篇8")]
    row = pairs.iloc[0]
    assert row["text_similarity"] > 0.9
    assert row["structure_similarity"] == 1.0
    assert "职工→员工" in row["differences"]


def test_all_pairs_listed_with_scores(lib):
    pairs = compare_plans(lib)
    assert len(pairs) == 11 * 10 // 2
    assert pairs.iloc[0][["plan_a", "plan_b"]].tolist() == ["篇7", "篇8"]
    assert pairs["near_duplicate"].sum() == 1


def test_representatives_drop_the_copy(lib):
    assert representatives(lib) == [f"篇{i}" for i in range(1, 12) if i != 8]


def test_text_differences_words():
    diffs = text_differences("困难职工生活保障,困难职工", "困难员工生活保障,困难员工")
    assert diffs == Counter({("职工", "员工"): 2})
    assert format_differences(diffs) == "职工→员工 ×2"


def test_multiset_jaccard():
    assert multiset_jaccard(Counter(), Counter()) is None
    assert multiset_jaccard(Counter({"a": 2, "b": 1}), Counter({"a": 1, "b": 1})) == 2 / 3


def test_groups_are_transitive():
    pairs = pd.DataFrame({"plan_a": ["B", "C"], "plan_b": ["C", "D"], "near_duplicate": [True, True]})
    assert duplicate_groups(["A", "B", "C", "D"], pairs) == {"A": "A", "B": "B", "C": "B", "D": "B"}


def test_same_text_different_amounts_is_not_a_duplicate(tmp_path, lib):
    import copy

    import yaml

    raw = copy.deepcopy(lib.raw)
    p7 = next(p for p in raw["plans"] if p["id"] == "篇7")
    other = copy.deepcopy(p7)
    other["id"] = "篇7b"
    for item in other["line_items"]:
        item["stated_subtotal"] = None
        item["count"] = (item["count"] or 0) + 10
    raw["plans"] = [p7, other]
    path = tmp_path / "lib.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    pairs = compare_plans(load_case_library(path, categories=load_categories(demo_path("categories.csv"))))
    assert pairs["text_similarity"].iloc[0] == 1.0
    assert pairs["structure_similarity"].iloc[0] < 0.8
    assert not pairs["near_duplicate"].iloc[0]


def test_display_pairs(lib):
    from reliefplan.models.plan_similarity import display_pairs

    shown = display_pairs(near_duplicate_pairs(lib), "zh")
    assert list(shown.columns)[:2] == ["方案甲", "方案乙"]
    assert "Differing words" in display_pairs(near_duplicate_pairs(lib), "en").columns
