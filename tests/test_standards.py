"""Standards from the plan: fixed amounts, 低保 multiples, scenarios (multiplier, round_to, overrides)."""

from pathlib import Path
from fractions import Fraction

import numpy as np
import pytest
import yaml


from reliefplan.core import paths
from reliefplan.models import standards
from reliefplan.core.errors import ConfigError, InputError
from reliefplan.ingest.plan import load_plan

# A fixed one-pot plan: these tests' figures are worked by hand from its standards.
ONE_POT_PLAN = Path(__file__).parent / "plans" / "one_pot.yaml"


def plan_copy(tmp_path, **changes):
    """The demo plan without its data files (standards only), with top-level keys changed."""
    doc = yaml.safe_load(ONE_POT_PLAN.read_text(encoding="utf-8"))
    doc["data"] = {"categories": str(paths.demo_path("categories.csv"))}  # the demo categories, named
    doc.update(changes)
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_plan(path)


def row(std, code):
    return std.set_index("category").loc[code]


def test_base_standards_as_written(tmp_path):
    std = standards.base_standards(plan_copy(tmp_path))
    assert list(std["category"])[:3] == ["tekun", "dibao", "dibao_edge"]  # plan order
    dibao = row(std, "dibao")
    assert (dibao["per"], dibao["cash_fen"], dibao["goods_fen"]) == ("household", 50000, 20000)
    assert dibao["priority"] == 2  # from categories.csv
    gugua = row(std, "gugua_elder")
    assert gugua["cash_dibao_multiple"] == Fraction(1) and gugua["cash_fen"] == 0 and gugua["goods_fen"] == 15000
    assert std["cash_fen"].dtype == "int64"


def test_per_defaults_to_category_unit(tmp_path):
    plan = plan_copy(tmp_path, categories={"dibao": {"cash": 100}, "tekun": {"cash": 100}}, scenarios=[])
    std = standards.base_standards(plan)
    assert row(std, "dibao")["per"] == "household"
    assert row(std, "tekun")["per"] == "person"


def test_scenarios_baseline_first(tmp_path):
    plan = plan_copy(tmp_path, scenarios=[{"name": "A"}, {"name": "B", "baseline": True}, {"name": "C"}])
    assert [s["name"] for s in standards.scenarios(plan)] == ["B", "A", "C"]
    assert standards.baseline_name(plan) == "B"
    plain = plan_copy(tmp_path, scenarios=[])
    assert standards.baseline_name(plain) == "方案标准"


def test_unknown_scenario_lists_names(tmp_path):
    with pytest.raises(ConfigError) as err:
        standards.scenario(plan_copy(tmp_path), "nope")
    assert "维持" in err.value.zh and "提标10%" in err.value.en


def test_raise_ten_percent_round_to_ten(tmp_path):
    std = standards.scenario_standards(plan_copy(tmp_path), "提标10%")
    assert row(std, "tekun")["cash_fen"] == 66000          # 600 x 1.1
    assert row(std, "gugua_elder")["goods_fen"] == 17000   # 150 x 1.1 = 165 -> 170 (half-up to 10)
    assert row(std, "kongchao_elder")["cash_fen"] == 22000
    # the 低保 multiple is scaled too, and rounded to 10 yuan when paid
    assert row(std, "gugua_elder")["cash_dibao_multiple"] == Fraction(11, 10)
    pos = standards.category_positions(std, ["gugua_elder", "gugua_elder"])
    cash, goods = standards.unit_amounts(std, pos, np.array([78000, 83000]))
    assert cash.tolist() == [86000, 91000]  # 858 -> 860, 913 -> 910
    assert goods.tolist() == [17000, 17000]


def test_overrides_replace_as_written(tmp_path):
    std = standards.scenario_standards(plan_copy(tmp_path), "按低保标准1个月")
    edge = row(std, "dibao_edge")
    assert edge["cash_dibao_multiple"] == Fraction(1, 2) and edge["cash_fen"] == 0
    assert edge["goods_fen"] == 10000  # goods untouched
    pos = standards.category_positions(std, ["dibao_edge", "dibao"])
    cash, _ = standards.unit_amounts(std, pos, np.array([78001, 78000]))
    assert cash.tolist() == [39001, 78000]  # 39000.5 rounds half-up to the fen


def test_override_is_not_scaled_by_multiplier(tmp_path):
    plan = plan_copy(tmp_path, scenarios=[{"name": "base"},
                                          {"name": "x", "multiplier": 2, "overrides": {"dibao": {"cash": 300}}}])
    std = standards.scenario_standards(plan, "x")
    assert row(std, "dibao")["cash_fen"] == 30000
    assert row(std, "tekun")["cash_fen"] == 120000


def test_missing_dibao_for_multiple_is_an_input_error(tmp_path):
    std = standards.base_standards(plan_copy(tmp_path))
    pos = standards.category_positions(std, ["gugua_elder"])
    with pytest.raises(InputError) as err:
        standards.unit_amounts(std, pos, np.array([-1]))
    assert "低保" in err.value.zh


def test_scale_down_to_step(tmp_path):
    std = standards.base_standards(plan_copy(tmp_path))
    scaled = standards.scale_standards(std, Fraction(9, 10), step_yuan=50, down=True)
    assert row(scaled, "tekun")["cash_fen"] == 50000   # 540 -> 500
    assert row(scaled, "tekun")["goods_fen"] == 15000  # 180 -> 150
    pos = standards.category_positions(scaled, ["gugua_elder"])
    cash, _ = standards.unit_amounts(scaled, pos, np.array([83000]))
    assert cash.tolist() == [70000]  # 0.9 x 830 = 747 -> 700


def test_set_amounts_checks_values(tmp_path):
    std = standards.base_standards(plan_copy(tmp_path))
    changed = standards.set_amounts(std, {"dibao": {"cash": 800, "goods": "150.5"}})
    assert (row(changed, "dibao")["cash_fen"], row(changed, "dibao")["goods_fen"]) == (80000, 15050)
    with pytest.raises(InputError):
        standards.set_amounts(std, {"dibao": {"cash": -1}})
    with pytest.raises(InputError):
        standards.set_amounts(std, {"dibao": {"goods": "abc"}})


def test_round_fraction():
    assert standards.round_fraction(Fraction(5, 2)) == 3
    assert standards.round_fraction(Fraction(149), 50, down=True) == 100
    assert standards.round_fraction(Fraction(175), 50) == 200
    assert standards.exact(1.1) == Fraction(11, 10)


def test_standards_table_labels(tmp_path):
    std = standards.base_standards(plan_copy(tmp_path))
    zh = standards.standards_table(std, "zh")
    en = standards.standards_table(std, "en")
    assert "困难类别" in zh.columns and "Category" in en.columns
    assert "1个月低保" in set(zh.iloc[:, 2])
