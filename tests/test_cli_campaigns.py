"""`reliefplan campaigns reconcile|summary` as a user runs them (subprocess)."""

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

CLEAN = """year,organizer,area_code,category,funding_source,households,persons,cash_yuan,goods_yuan,overhead_yuan,stated_total_yuan
2024,民政局,350602,dibao,财政,10,25,5000,2000,100,7100
2025,民政局,350602,dibao,财政,12,30,6000,2400,120.50,8520.50
2025,总工会,350603,hardship_worker,工会经费,4,4,4000,0,0,
"""


def run(*args):
    proc = subprocess.run([sys.executable, "-m", "reliefplan", "campaigns", *args],
                          capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def write(tmp_path, text, name="history.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reconcile_demo_files_finds_mismatches():
    code, out, _ = run("reconcile")
    assert code == 1
    assert "篇7 S1" in out and "220.00" in out and "180.00" in out
    # 篇7 S2 (follows from S1) and 篇8's copies are printed once, as where the slip recurs
    assert "stated 3,280.00 yuan, computed from its items 3,320.00 yuan" not in out
    assert "the same slip recurs at: 篇7 S2; 篇8 S1; 篇8 S2" in out
    assert "8 mismatches" in out and "不符 8" in out and "(3 more repeat one of them)" in out
    assert "篇9 S4" in out and "different units" in out and "农民工" in out
    assert "agree only through an approximate figure" in out and "篇3 S1" in out


def test_reconcile_case_library_only():
    from reliefplan.core.paths import demo_path

    code, out, _ = run("reconcile", str(demo_path("case_library.yaml")))
    assert code == 1
    assert "历年慰问记录" not in out
    assert "26 checks" in out and "4 mismatches" in out and "1 unit mismatches" in out


def test_reconcile_clean_history_exits_0(tmp_path):
    code, out, _ = run("reconcile", str(write(tmp_path, CLEAN)))
    assert code == 0
    assert "2 checks: 2 agree, 0 agree only through an approximate figure, 0 mismatches" in out


def test_reconcile_history_mismatch_names_row(tmp_path):
    bad = CLEAN.replace("8520.50", "8502.50")
    code, out, _ = run("reconcile", str(write(tmp_path, bad)))
    assert code == 1
    assert "(第3行)" in out and "(row 3)" in out
    assert "stated total 8,502.50 yuan, cash + goods + overheads = 8,520.50 yuan, difference 18.00 yuan" in out


def test_reconcile_all_lists_agreeing_checks(tmp_path):
    code, out, _ = run("reconcile", "--all", str(write(tmp_path, CLEAN)))
    assert code == 0 and out.count("stated total agrees") == 2


def test_unusable_inputs_exit_2(tmp_path):
    code, _, err = run("reconcile", str(tmp_path / "missing.csv"))
    assert code == 2 and "file not found" in err
    bad_yaml = write(tmp_path, "plans: [\n", "lib.yaml")
    code, _, err = run("reconcile", str(bad_yaml))
    assert code == 2 and "lib.yaml" in err and "YAML" in err
    bad_csv = write(tmp_path, CLEAN.replace("5000,2000", "five,2000"))
    code, _, err = run("summary", str(bad_csv))
    assert code == 2 and "row 2" in err
    code, _, err = run("summary", str(bad_yaml))
    assert code == 2 and "not a case library" in err


def test_summary_json(tmp_path):
    code, out, _ = run("summary", "--json", str(write(tmp_path, CLEAN)))
    assert code == 0
    data = json.loads(out)
    assert data["demo"] is False and data["unit"] == "all"
    y2024, y2025 = data["years"]
    assert (y2024["year"], y2024["total_fen"], y2024["total_yuan"]) == (2024, 710000, "7100.00")
    assert y2025["total_fen"] == 852050 + 400000
    assert y2025["total_yuan"] == "12520.50"
    assert y2025["change_fen"] == 1252050 - 710000 and y2025["change_pct"] == 76.35  # 542,050 / 710,000 = 76.345..%
    assert y2024["per_head_fen"] == 28000 and y2024["per_head_yuan"] == "280.00"
    assert y2024["change_fen"] is None


def test_summary_json_unit_and_years(tmp_path):
    code, out, _ = run("summary", "--json", "--unit", "350603", "--from", "2025", str(write(tmp_path, CLEAN)))
    assert code == 0
    years = json.loads(out)["years"]
    assert [(y["year"], y["total_fen"]) for y in years] == [(2025, 400000)]
    code, _, err = run("summary", "--unit", "350699", str(write(tmp_path, CLEAN)))
    assert code == 2 and "no campaign records" in err


def test_summary_text_demo():
    code, out, _ = run("summary")
    assert code == 0
    assert "2019" in out and "2026" in out and "合计 total" in out


def test_similar_lists_the_near_copy():
    code, out, _ = run("similar")
    assert code == 0
    assert "篇7" in out and "篇8" in out and "职工→员工 ×5" in out and "1 near-duplicate pair(s)" in out
    code, out, _ = run("similar", "--json")
    data = json.loads(out)
    assert [(p["plan_a"], p["plan_b"]) for p in data["pairs"]] == [("篇7", "篇8")]
    assert "篇8" not in data["representatives"] and "篇7" in data["representatives"]
    code, out, _ = run("similar", "--all", "--json")
    assert len(json.loads(out)["pairs"]) == 55          # 11 plans: every pair with its scores
    code, _, err = run("similar", "--text-threshold", "2")
    assert code == 2 and "between 0 and 1" in err
