"""``reliefplan budget`` and ``reliefplan budget goal-seek`` through subprocess."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from builders import SCHOOL_CATEGORIES, SCHOOL_PLAN

BIN = Path(sys.executable).parent / "reliefplan"


def run(*args):
    proc = subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=180)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture()
def school(tmp_path):
    (tmp_path / "categories.csv").write_text(SCHOOL_CATEGORIES, encoding="utf-8")
    doc = dict(SCHOOL_PLAN, funding=[{"source": "工会经费", "amount": 4000}], budget_cap=4000)
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    counts = tmp_path / "counts.csv"
    counts.write_text("county_code,category,households,persons\n"
                      "school,retired_teacher,15,15\nschool,hardship_worker,3,3\n"
                      "school,serious_illness,2,2\nschool,hardship_retired_teacher,1,1\n", encoding="utf-8")
    return plan, counts


@pytest.mark.slow
def test_school_plan_json(school):
    plan, counts = school
    code, out, err = run("budget", "--plan", str(plan), "--counts", str(counts), "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["totals"]["total"] == "3320.00"          # not the 3280.00 written in 篇7
    assert doc["totals"]["overhead"] == "220.00"
    by_cat = {c["category"]: c["gifts"] for c in doc["by_category"]}
    assert by_cat == {"retired_teacher": "1500.00", "hardship_worker": "450.00", "serious_illness": "900.00",
                      "hardship_retired_teacher": "250.00"}
    assert [u["total"] for u in doc["by_unit"]] == ["3320.00"]
    assert doc["totals"]["gap"] == "-680.00" and doc["cap"]["fits"] is True


@pytest.mark.slow
def test_cap_and_goal_seek_forms(school):
    plan, counts = school
    code, out, _ = run("budget", "--plan", str(plan), "--counts", str(counts), "--cap", "3000")
    assert code == 1  # the cap bites: not everyone is served
    assert "3,320.00" in out and "超出上限" in out
    # options before and after the action both work
    code, out, err = run("budget", "--plan", str(plan), "--counts", str(counts), "goal-seek", "--budget", "3320",
                         "--step", "10", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["uniform_amount"]["amount"] == "140.00"  # (3320 - 220) / 21 = 147.6 -> 140
    assert doc["multiplier"]["factor"] == "1"
    code, out, _ = run("budget", "goal-seek", "--plan", str(plan), "--counts", str(counts), "--budget", "3320",
                       "--lang", "en")
    assert code == 0 and "Highest uniform amount" in out


@pytest.mark.slow
def test_demo_registry_defaults():
    code, out, err = run("budget", "--json")
    assert code in (0, 1), err
    doc = json.loads(out)
    assert doc["source"] == "registry" and doc["scenario"] == "维持"
    total = sum(int(u["total"].replace(".", "")) for u in doc["by_unit"])
    assert total == int(doc["totals"]["total"].replace(".", ""))  # units add up to the fen
    assert len(doc["by_unit"]) == 11


@pytest.mark.slow
def test_bad_input_exits_2(school):
    plan, counts = school
    code, _, err = run("budget", "--plan", str(plan), "--counts", str(counts), "--cap", "abc")
    assert code == 2 and "预算上限" in err and "Traceback" not in err
    code, _, err = run("budget", "--plan", str(plan), "--scenario", "nope", "--counts", str(counts))
    assert code == 2 and "nope" in err
    code, _, err = run("budget", "goal-seek", "--plan", str(plan), "--counts", str(counts))
    assert code == 2 and "--budget" in err


def test_with_plan_combines_two_plans_without_paying_anyone_twice(tmp_path):
    """The demo plan beside a second plan paying 低保户 more: people both pay are paid once, by the second."""
    from reliefplan.core import paths

    union = yaml.safe_load(paths.demo_plan_path().read_text(encoding="utf-8"))
    union["name"] = "总工会方案(测试)"
    union["data"] = {k: str(paths.demo_path(v)) if k != "boundary_code_property" else v
                     for k, v in union["data"].items()}
    union["categories"] = {"dibao": {"per": "household", "cash": 1000, "goods": 0,     # pays more than 民政's 500
                                     "eligibility": union["categories"]["dibao"]["eligibility"]}}
    union["funding"] = [{"source": "工会经费", "amount": 2000000}]
    union["scenarios"] = []
    path = tmp_path / "union.yaml"
    path.write_text(yaml.safe_dump(union, allow_unicode=True, sort_keys=False), encoding="utf-8")
    code, out, err = run("budget", "--with-plan", str(path), "--json")
    assert code in (0, 1), err
    combined = {row["plan"]: row for row in json.loads(out)["combined"]}
    total = combined["合计"]
    assert total["shared_people"] > 0 and float(total["not_paid_twice"]) > 0
    assert float(combined["总工会方案(测试)"]["not_paid_twice"]) == 0    # it pays more, so it keeps them
    assert float(total["combined_total"]) == float(total["total"]) - float(total["not_paid_twice"])
