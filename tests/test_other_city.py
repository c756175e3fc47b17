"""A city that is not the demo (鹤壁市, built by tests/other_city.py) runs every verb and a report.

Every output must speak of 鹤壁's own areas and never of 漳州's: a demo fallback
anywhere would show up here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest
from docx import Document

import other_city as hebi
from reliefplan.ingest.inputs import PlanInputs
from reliefplan.ingest.units import organizer_names

ORG = hebi.ORGANIZERS["410622"]


@pytest.fixture(scope="module")
def plan_path(tmp_path_factory):
    return hebi.build(tmp_path_factory.mktemp("hebi"))


def run(*args, cwd, timeout=300):
    env = {**os.environ, "RELIEFPLAN_BATCH_RUN": f"hebi-{uuid.uuid4().hex}"}
    proc = subprocess.run([sys.executable, "-m", "reliefplan", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=timeout)
    text = proc.stdout + proc.stderr
    for name in hebi.DEMO_NAMES:
        assert name not in text, (args, text[-3000:])
    return proc.returncode, proc.stdout, proc.stderr


def test_inputs_are_the_citys_own(plan_path):
    inputs = PlanInputs(plan_path)
    assert inputs.demo is False
    assert len(inputs.registry) == 30 and len(inputs.registry_result.rejected) == 0
    assert set(inputs.registry["county_code"]) == set(hebi.COUNTIES)
    assert organizer_names(inputs) == sorted({*hebi.ORGANIZERS.values(), hebi.UNION})


def test_every_verb(plan_path, tmp_path):
    code, out, err = run("validate", "--plan", plan_path, cwd=tmp_path)
    assert code == 0 and "30" in out, err
    code, out, err = run("campaigns", "summary", "--plan", plan_path, "--json", cwd=tmp_path)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["demo"] is False and [y["year"] for y in doc["years"]] == list(range(2021, 2027))
    code, out, err = run("campaigns", "reconcile", "--plan", plan_path, cwd=tmp_path)
    assert code in (0, 1) and "history" in out, err
    code, out, err = run("budget", "--plan", plan_path, cwd=tmp_path)
    assert code in (0, 1) and "鹤壁市" in out and "示例数据" not in out, err
    code, out, err = run("budget", "--plan", plan_path, "--json", cwd=tmp_path)
    names = {u["name"] for u in json.loads(out)["by_unit"]}
    assert names <= {n for n, _, _ in hebi.COUNTIES.values()} and names, out
    code, out, err = run("budget", "goal-seek", "--plan", plan_path, "--budget", "10000", cwd=tmp_path)
    assert code in (0, 1), err
    code, out, err = run("coverage", "--plan", plan_path, "--year", "2026", cwd=tmp_path)
    assert code in (0, 1) and "淇县" in out and "示例数据" not in out, err
    code, out, err = run("coverage", "--plan", plan_path, "--year", "2026", "--unit", "410622", "--json",
                         cwd=tmp_path)
    assert {a["name"] for a in json.loads(out)["areas"]} <= {"朝歌街道", "北阳镇"}, out
    code, out, err = run("coverage", "duplicates", "--plan", plan_path, "--year", "2026", cwd=tmp_path)
    assert code in (0, 1), err
    code, out, err = run("calendar", "2027", "除夕", cwd=tmp_path)
    assert code == 0 and out.startswith("2027-02-05"), err
    book = tmp_path / "schedule.xlsx"
    code, out, err = run("schedule", "--plan", plan_path, "--out", book, cwd=tmp_path)
    assert code in (0, 1) and book.exists() and "淇县慰问组" in out, err
    code, out, err = run("budget", "--plan", plan_path, "--with-plan", plan_path, "--json", cwd=tmp_path)
    assert code in (0, 1) and json.loads(out)["combined"], err
    doc = tmp_path / "plan.docx"
    code, out, err = run("plan-doc", "--plan", plan_path, "--unit", "410622", "--out", doc, cwd=tmp_path)
    assert code == 0 and doc.exists(), err
    text = "\n".join(p.text for p in Document(str(doc)).paragraphs)
    assert "淇县" in text and not any(name in text for name in hebi.DEMO_NAMES), text[:2000]


@pytest.mark.slow
@pytest.mark.xdist_group("report_e2e")
def test_report_for_a_county_and_an_organizer(plan_path, tmp_path):
    out = tmp_path / "reports"
    code, stdout, err = run("report", "--plan", plan_path, "--units", f"410622,org:{ORG}", "--out", out,
                            "--jobs", "1", "--no-progress", cwd=tmp_path, timeout=900)
    assert code == 0, stdout[-3000:] + err[-3000:]
    year = out / "2027"
    manifest = json.loads((year / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["demo"] is False
    assert {e["status"] for e in manifest["jobs"].values()} == {"ok"}, manifest["jobs"]
    kinds = sorted(e["kind"] for e in manifest["jobs"].values())
    assert kinds == ["city", "city", "city", "organizer", "rollup", "unit"]
    pages = {p.name: p.read_text(encoding="utf-8") for p in year.glob("*.html")}
    assert any(name.startswith("410622_淇县") for name in pages), sorted(pages)
    assert any(name.startswith("org_") for name in pages), sorted(pages)
    for name, page in pages.items():
        for demo in hebi.DEMO_NAMES:
            assert demo not in page, (name, demo)
        assert "示例数据，人员均为虚构" not in page, name
    county = next(page for name, page in pages.items() if name.startswith("410622_"))
    assert "淇县" in county and "北阳镇" in county
