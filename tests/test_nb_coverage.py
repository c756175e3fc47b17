"""notebooks/03_coverage_map.ipynb under papermill: recorded figures equal the library's."""

from __future__ import annotations

import copy
import json
import re

import nbformat
import pytest
import yaml

from nbrun import committed_parameters_cell, figures, outputs_text, run_notebook
from reliefplan.models import coverage, multi_listed as duplicates
from reliefplan.ingest.reference import load_boundaries
from reliefplan.core.paths import demo_path, demo_plan_path, notebooks_dir

NB = "03_coverage_map.ipynb"
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nb_coverage")]


def test_committed_without_outputs_and_one_parameters_cell():
    cell = committed_parameters_cell(NB)
    for name in ("plan_file", "unit", "year", "threshold_multiple", "per_person_cap", "lang"):
        assert f"{name} =" in cell.source
    nb = nbformat.read(str(notebooks_dir() / NB), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert len(cell.source.splitlines()) <= 12  # thin: the logic is in the library


def test_demo_run_matches_library(tmp_path):
    nb, rec = run_notebook(NB, tmp_path)
    lib = coverage.analyse(coverage.load_inputs(), year=2026)
    assert rec["parameters"]["demo"] is True and rec["parameters"]["year"] == 2026
    assert rec["funnel"] == {k: lib.totals[k] for k in coverage.FUNNEL_COUNTS}
    assert rec["coverage_rate"] == pytest.approx(lib.totals["coverage_rate"])
    assert rec["duplicates"] == duplicates.summary(lib.duplicates, lib.cap_excess)
    assert rec["duplicates_count"] == len(lib.duplicates) > 0
    assert rec["gap_count"] == len(lib.gaps)
    assert rec["map_level"] == "county"
    assert rec["unmatched_codes"] == {"no_polygon": [], "no_data": []}
    text = outputs_text(nb)
    assert "示例数据，人员均为虚构" in text
    # masked everywhere: no full ID number, no unmasked name of anyone on the registry
    assert not re.search(r"(?<![\d*])\d{17}[\dX](?![\d*])", text)
    for name in lib.status["name"].dropna().astype(str).head(300):
        if len(name) >= 2:
            assert f'"{name}"' not in text and f">{name}<" not in text
    figs = figures(nb)
    assert len(figs) == 8  # funnel, 2 maps, township points, category, area bars, duplicates, continuity
    county_fills = [t for t in figs[1]["data"] if t.get("fill") == "toself"]
    assert len(county_fills) == 11


def test_user_geojson_with_unmatched_codes_in_english(tmp_path):
    geo = load_boundaries(demo_path("boundaries/zhangzhou_counties.geojson"))
    user = copy.deepcopy(geo)
    user["features"] = [f for f in user["features"] if f["properties"]["code"] != "350626"]
    extra = copy.deepcopy(user["features"][0])
    extra["properties"]["code"] = "350699"
    user["features"].append(extra)
    for f in user["features"]:
        f["properties"] = {"adcode": f["properties"]["code"] + "000000", "name": f["properties"]["name"]}
    (tmp_path / "mine.geojson").write_text(json.dumps(user, ensure_ascii=False), encoding="utf-8")
    plan = yaml.safe_load(demo_plan_path().read_text(encoding="utf-8"))
    base = demo_plan_path().parent
    plan["data"] = {k: (str(base / v) if k != "boundary_code_property" else v) for k, v in plan["data"].items()}
    plan["data"]["boundaries"] = str(tmp_path / "mine.geojson")
    plan["data"]["boundary_code_property"] = "adcode"
    plan_path = tmp_path / "plan.yaml"
    plan_path.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")

    nb, rec = run_notebook(NB, tmp_path, {"plan_file": str(plan_path), "lang": "en", "threshold_multiple": 1.2,
                                          "per_person_cap": 1000})
    assert rec["unmatched_codes"] == {"no_polygon": ["350626"], "no_data": ["350699"]}
    assert "350626" in outputs_text(nb) and "Unmatched codes" in outputs_text(nb)
    lib = coverage.analyse(coverage.load_inputs(plan_path), year=2026, threshold_multiple=1.2, per_person_cap=1000)
    assert rec["funnel"] == {k: lib.totals[k] for k in coverage.FUNNEL_COUNTS}
    assert rec["parameters"]["cap_fen"] == 100000
    assert rec["duplicates"]["over_cap_people"] == len(lib.cap_excess) > 0
