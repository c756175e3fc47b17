"""``reliefplan coverage`` from a terminal: funnel, JSON, units, duplicates (masked), exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def run(*args):
    proc = subprocess.run([sys.executable, "-m", "reliefplan", "coverage", *args], capture_output=True, text=True,
                          timeout=240)
    return proc.returncode, proc.stdout, proc.stderr


def test_funnel_json_adds_up_and_matches_the_library():
    from reliefplan.models import coverage
    code, out, err = run("--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["by"] == "county" and data["year"] == 2026
    assert len(data["areas"]) == 11
    for key in ("registered", "eligible", "reached", "exclusion", "inclusion", "visited_unsigned"):
        assert sum(a[key] for a in data["areas"]) == data["totals"][key]
    t = data["totals"]
    assert t["registered"] >= t["eligible"] >= t["eligible_reached"]
    assert t["exclusion"] == t["eligible"] - t["eligible_reached"]
    lib = coverage.analyse(coverage.load_inputs(), year=2026).totals
    assert t == lib
    assert data["unmatched_codes"]["no_polygon"] == []


def test_funnel_text_unit_and_sub_command_order():
    code, out, err = run("--unit", "350622", "--year", "2026")
    assert code == 0, err
    assert "慰问覆盖漏斗 2026 (350622)" in out and "示例数据，人员均为虚构" in out
    assert "乡镇(街道)" in out and "合计" in out and "云陵镇" in out
    code, out, err = run("--lang", "en", "--by", "category")
    assert code == 0 and "Coverage rate" in out and "Category" in out


def test_duplicates_masked_both_orders():
    code1, out1, _ = run("duplicates", "--cap", "1000", "--json")
    code2, out2, _ = run("--cap", "1000", "duplicates", "--json")
    assert out1 == out2
    data = json.loads(out1)
    assert code1 == 1  # people over a 1,000-yuan cap (the demo's most visited get 1,400)
    assert data["cap_fen"] == 100000 and data["duplicate_people"] == len(data["people"]) > 0
    for p in data["people"]:
        assert re.fullmatch(r"\d{6}\*{8}[\dX]{4}", p["id_number"])
        assert "*" in p["name"]
    over = [p for p in data["people"] if p["excess_fen"] > 0]
    assert sum(p["excess_fen"] for p in over) <= data["excess_fen"]


def test_duplicates_text_never_shows_an_id_number():
    code, out, err = run("duplicates", "--cap", "0")
    assert code == 0, err  # no cap: duplicates are reported, nothing is "over"
    assert not re.search(r"\b\d{17}[\dX]\b", out)
    assert "登记单位" in out and "每人上限 不设" in out
    from reliefplan.core.money import to_fen
    from reliefplan.ingest.plan import load_plan

    code, out, err = run("duplicates", "--json")
    assert json.loads(out)["cap_fen"] == to_fen(str(load_plan()["per_person_cap"]))
    assert code == (1 if json.loads(out)["over_cap_people"] else 0)


def test_bad_plan_exits_2(tmp_path):
    bad = tmp_path / "plan.yaml"
    bad.write_text("year: [", encoding="utf-8")
    code, out, err = run("--plan", str(bad))
    assert code == 2 and "YAML" in err
