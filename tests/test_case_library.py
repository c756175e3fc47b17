"""The seed case library as written, and the loader's checks on bad files."""

from pathlib import Path

import pytest
import yaml

from reliefplan.ingest.case_library import load_case_library
from reliefplan.ingest.categories import load_categories
from reliefplan.core.errors import ConfigError
from reliefplan.core.paths import demo_path, demo_plan_path
from reliefplan.ingest.inputs import PlanInputs

# The seed plans live in the shared folder beside the checkout (CI lays a copy there).
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture(scope="module")
def lib():
    return PlanInputs(demo_plan_path()).case_library


def test_eleven_plans_in_order(lib):
    assert list(lib.plans["id"]) == [f"篇{i}" for i in range(1, 12)]


def test_pian7_line_items_as_written(lib):
    lines = lib.lines[lib.lines["plan_id"] == "篇7"].set_index("ref")
    assert list(lines.index) == ["L1", "L2", "L3", "L4"]
    assert lines.loc["L1", "count"] == 15
    assert lines.loc["L1", "unit"] == "人"
    assert lines.loc["L1", "cash_per_head_fen"] is pd_na()
    assert lines.loc["L1", "goods_per_head_fen"] == 10000
    assert lines.loc["L1", "stated_subtotal_fen"] == 150000
    assert (lines.loc["L2", ["count", "cash_per_head_fen", "goods_per_head_fen", "stated_subtotal_fen"]]
            .tolist() == [3, 10000, 5000, 45000])
    assert lines.loc["L3", "stated_subtotal_fen"] == 90000
    assert lines.loc["L4", "stated_subtotal_fen"] == 25000
    assert lines.loc["L2", "category"] == "hardship_worker"
    over = lib.overheads[lib.overheads["plan_id"] == "篇7"]
    assert over["amount_fen"].tolist() == [8000, 8000, 6000]
    assert over["amount_fen"].dtype == "int64"
    stated = lib.stated[lib.stated["plan_id"] == "篇7"]
    # recorded as written: 180 (not 220) and 3280 (not 3320)
    assert stated["value_fen"].tolist() == [18000, 328000]
    assert lib.plans.set_index("id").loc["篇7", "stated_total_fen"] == 328000


def pd_na():
    import pandas as pd

    return pd.NA


def test_pian8_uses_yuangong(lib):
    lines = lib.lines[lib.lines["plan_id"] == "篇8"]
    assert "困难员工共3人" in lines["text"].iloc[1]
    assert "困难职工共3人" in lib.lines[lib.lines["plan_id"] == "篇7"]["text"].iloc[1]


def test_approximate_and_illegible_amounts(lib):
    p1 = lib.lines[lib.lines["plan_id"] == "篇1"]
    assert p1["stated_subtotal_fen"].tolist() == [11000000, 2000000]
    assert p1["approximate"].all()
    assert p1["count"].iloc[0] == 350 and p1["persons"].iloc[0] == 1200
    assert p1["count_text"].iloc[0] == "350余户"
    p9 = lib.stated[lib.stated["plan_id"] == "篇9"].set_index("measure")
    goods = p9.loc["goods"]
    assert goods["illegible"] and goods["approximate"]
    assert goods["value_text"] == "约20XX元"
    assert goods["value_fen"] is pd_na()
    cash = p9.loc["cash"]
    assert cash["value_fen"] == 300000 and cash["approximate"]


def test_pian3_lines_and_total(lib):
    p3 = lib.lines[lib.lines["plan_id"] == "篇3"]
    assert p3["count"].tolist()[:3] == [10, 5, 5]
    assert p3["unit"].tolist()[:3] == ["户", "人", "人"]
    assert p3["stated_subtotal_fen"].tolist() == [100000, 50000, 50000, 300000]
    assert p3["categories"].iloc[0] == "orphan|single_parent_student|liushou_child|disabled"
    assert p3["category"].isna().iloc[0]  # several categories: no single code
    assert lib.plans.set_index("id").loc["篇3", "stated_total_fen"] == 500000


def test_years_as_written_and_inferred(lib):
    plans = lib.plans.set_index("id")
    assert plans.loc["篇10", "year"] == 2019 and not plans.loc["篇10", "year_inferred"]
    assert plans.loc["篇6", "year"] == 2016 and plans.loc["篇6", "year_inferred"]
    assert "2015" in plans.loc["篇6", "year_note"]
    assert plans.loc["篇2", "year"] == 2016 and plans.loc["篇2", "year_inferred"]
    assert plans.loc["篇11", "year"] == 2015 and plans.loc["篇11", "year_inferred"]
    for pid in ("篇3", "篇4", "篇7", "篇8", "篇9"):
        assert plans.loc[pid, "year"] is pd_na()
        assert plans.loc[pid, "year_text"].lower() == "20xx"


def test_inferred_years_follow_the_lunar_calendar():
    """篇2: 正月十二 = 2月19日 and 腊月廿六 = 2月4日; 篇11: 元宵 = 3月5日."""
    from lunar_python import Lunar

    assert Lunar.fromYmd(2016, 1, 12).getSolar().toYmd() == "2016-02-19"
    assert Lunar.fromYmd(2015, 12, 26).getSolar().toYmd() == "2016-02-04"
    assert Lunar.fromYmd(2015, 1, 15).getSolar().toYmd() == "2015-03-05"
    # no other year in 2005-2030 fits 篇2's pair of dates
    fits = [y for y in range(2005, 2031)
            if Lunar.fromYmd(y, 1, 12).getSolar().toYmd() == f"{y}-02-19"
            and Lunar.fromYmd(y - 1, 12, 26).getSolar().toYmd() == f"{y}-02-04"]
    assert fits == [2016]


def test_phases_dates_rules_as_written(lib):
    p2 = lib.plan("篇2")
    assert p2["schedule"][0]["when"] == "农历正月十二(20xx年2月19日)"
    assert any("农历十二月二十六" in s["when"] for s in p2["schedule"])
    assert [li["cash_per_head"] for li in p2["line_items"]] == [5000, 3000, 2000, 1000, 6000]
    p11 = lib.plan("篇11")
    assert [p["name"] for p in p11["phases"]] == ["准备阶段", "宣传阶段", "慰问阶段", "总结阶段"]
    assert p11["phases"][2]["when"] == "20xx年1月10日至2月10日"
    assert any(s["when"] == "二零xx年一月十五日" for s in lib.plan("篇7")["schedule"])
    assert lib.plan("篇9")["schedule"][0]["date_text"] == "20XX年1月10日"
    assert "不截留,不挪用" in " ".join(lib.plan("篇5")["requirements"])
    assert "应慰问对象全部慰问到位" in lib.plan("篇5")["requirements"]
    assert lib.plan("篇6")["line_items"][0]["cash_per_head"] == 1000
    assert lib.plan("篇6")["funding"][0]["source"] == "工会经费"


def test_organizers(lib):
    plans = lib.plans.set_index("id")
    assert plans.loc["篇6", "organizer"] == "市总工会" and plans.loc["篇6", "organizer_type"] == "union"
    assert plans.loc["篇7", "organizer_type"] == "school"
    assert plans.loc["篇3", "organizer_type"] == "ngo"
    assert plans.loc["篇5", "level"] == "community"
    assert plans.loc["篇11", "organizer_type"] == "hr"
    assert not plans.loc["篇2", "relief"] and not plans.loc["篇10", "relief"]


def test_no_unmasked_personal_names_or_diagnosis():
    text = demo_path("case_library.yaml").read_text(encoding="utf-8")
    for word in ("陈岩松", "杨亚林", "宋元杰", "向树林", "陈志良", "尿毒症"):
        assert word not in text


@pytest.mark.skipif(not SEEDS.exists(), reason="seed texts not available")
def test_texts_are_the_seed_texts():
    import re

    raw = next(SEEDS.glob("*.txt")).read_text(encoding="utf-8")
    parts = re.split(r"\n春节慰问困难群众活动方案 (篇\d+)\n", raw)
    seeds = {parts[i]: parts[i + 1].strip("\n") for i in range(1, len(parts), 2)}
    masks = {"陈岩松": "陈*松", "杨亚林": "杨*林", "宋元杰": "宋*杰", "向树林": "向*林",
             "陈志良": "陈*良", "尿毒症": "***"}
    texts = PlanInputs(demo_plan_path()).case_library.texts()
    assert set(texts) == set(seeds)
    for pid, body in seeds.items():
        for a, b in masks.items():
            body = body.replace(a, b)
        assert texts[pid] == body, pid


# ---------------------------------------------------------------------------
# bad files
# ---------------------------------------------------------------------------

BASE = {
    "organizer_types": {"school": {"zh": "学校", "en": "School"}},
    "levels": {"school": {"zh": "学校", "en": "School"}},
    "plans": [{
        "id": "A", "title": "t", "organizer": "学校", "organizer_type": "school", "level": "school",
        "year": None, "categories": ["retired_teacher"],
        "line_items": [{"text": "x", "category": "retired_teacher", "count": 2, "unit": "人",
                        "cash_per_head": 100, "goods_per_head": None, "stated_subtotal": 200}],
        "overheads": [{"text": "o", "amount": "12.50"}],
        "stated": [{"text": "s", "measure": "amount", "of": "all", "value": "212.50"}],
        "text": "text",
    }],
}


def write(tmp_path, data, name="lib.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def variant(**changes):
    import copy

    data = copy.deepcopy(BASE)
    plan = data["plans"][0]
    for key, value in changes.items():
        target, _, field = key.partition("__")
        if field:
            obj = plan[target][0]
            if value is KeyError:
                obj.pop(field)
            else:
                obj[field] = value
        elif value is KeyError:
            plan.pop(key)
        else:
            plan[key] = value
    return data


def test_base_fixture_loads(tmp_path):
    lib = load_case_library(write(tmp_path, BASE), categories=load_categories(demo_path("categories.csv")))
    assert lib.overheads["amount_fen"].tolist() == [1250]
    assert lib.stated["value_fen"].tolist() == [21250]
    assert lib.lines["cash_per_head_fen"].tolist() == [10000]


@pytest.mark.parametrize("changes, column, words", [
    ({"organizer_type": "army"}, "plans[0].organizer_type", "school"),
    ({"level": "planet"}, "plans[0].level", "must be one of"),
    ({"title": KeyError}, "plans[0].title", "required field is missing"),
    ({"year": "20xx"}, "plans[0].year", "year"),
    ({"categories": ["martians"]}, "plans[0].categories[0]", "unknown category"),
    ({"line_items__category": "martians"}, "plans[0].line_items[0].category", "unknown category"),
    ({"line_items__count": "350余"}, "plans[0].line_items[0].count", "whole number"),
    ({"line_items__count": -1}, "plans[0].line_items[0].count", "whole number"),
    ({"line_items__cash_per_head": "约3000"}, "plans[0].line_items[0].cash_per_head", "not an amount"),
    ({"line_items__cash_per_head": -5}, "plans[0].line_items[0].cash_per_head", "negative"),
    ({"line_items__cash_per_head": 99.999}, "plans[0].line_items[0].cash_per_head", "two decimals"),
    ({"line_items__unit": "斤"}, "plans[0].line_items[0].unit", "unit"),
    ({"line_items__flags": ["guess"]}, "plans[0].line_items[0].flags", "approximate"),
    ({"line_items__代表xx参加市级汇演": None}, "plans[0].line_items[0].代表xx参加市级汇演", "unknown field"),
    ({"stated__of": ["L9"]}, "plans[0].stated[0].of", "L9"),
    ({"stated__measure": "mood"}, "plans[0].stated[0].measure", "must be one of"),
    ({"stated__value": None}, "plans[0].stated[0].value", "illegible"),
    ({"overheads__amount": None}, "plans[0].overheads[0].amount", "missing"),
])
def test_bad_fields_are_named(tmp_path, changes, column, words):
    path = write(tmp_path, variant(**changes))
    with pytest.raises(ConfigError) as info:
        load_case_library(path, categories=load_categories(demo_path("categories.csv")))
    err = info.value
    assert err.column == column
    assert err.file == str(path)
    assert err.row is not None and err.row > 1
    assert words in err.en
    assert err.zh


def test_duplicate_plan_id(tmp_path):
    data = variant()
    data["plans"].append(dict(data["plans"][0]))
    with pytest.raises(ConfigError, match="duplicate plan id: A"):
        load_case_library(write(tmp_path, data), categories=load_categories(demo_path("categories.csv")))


def test_illegible_value_may_be_null(tmp_path):
    lib = load_case_library(write(tmp_path, variant(stated__value=None, stated__flags=["illegible"])), categories=load_categories(demo_path("categories.csv")))
    assert lib.stated["value_fen"].isna().all()


def test_yaml_syntax_error_has_row(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("plans:\n  - id: A\n    title: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_case_library(path, categories=load_categories(demo_path("categories.csv")))
    assert info.value.row is not None


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_case_library(tmp_path / "nope.yaml", categories=load_categories(demo_path("categories.csv")))
