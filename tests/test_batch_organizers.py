"""Organizer units: one planning report per organizer (registry 填报单位), end to end.

Fast checks on the unit spec (``org:<name>``), validation, file names, the
organizer's exact share of the city-wide budget and the report sections; one
small end-to-end run (two organizers with one county and the roll-up) on a
copy of the demo data where one organizer's name is hostile (quotes, a slash,
a line break, code-looking text).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from reliefplan.reports import sections as rs
from reliefplan.batch import params as P
from reliefplan.batch.index import render_index
from reliefplan.batch.jobs import (build_jobs, normalize_organizer, organizer_names, organizer_stem,
                                   unit_table)
from reliefplan.core.errors import ConfigError, InputError
from reliefplan.ingest.inputs import PlanInputs
from reliefplan.ingest.plan import load_plan

ROOT = Path(__file__).resolve().parents[1]
ORG = "芗城区民政局"
NO_HISTORY_ORG = "芗城区社区居委会"
# As typed; the registry loader (and normalize_organizer) make the line break one space.
HOSTILE_RAW = '华安"社区" /\n居委会\')\nimport os #'
HOSTILE = normalize_organizer(HOSTILE_RAW)


@pytest.fixture(scope="module")
def plan():
    return load_plan()


@pytest.fixture(scope="module")
def registry(plan):
    return PlanInputs(plan).registry


@pytest.fixture(scope="module")
def ctx():
    return rs.load_context(None, None, organizer=ORG, lang="zh")


@pytest.fixture(scope="module")
def hostile_plan(tmp_path_factory):
    """A copy of the demo data where 华安县社区居委会 is renamed to a hostile organizer name."""
    folder = tmp_path_factory.mktemp("orgdata") / "data"
    shutil.copytree(ROOT / "data", folder)
    reg = pd.read_csv(folder / "registry.csv", dtype=str, keep_default_na=False)
    reg.loc[reg["填报单位"] == "华安县社区居委会", "填报单位"] = HOSTILE_RAW
    reg.to_csv(folder / "registry.csv", index=False)
    return folder / "plan_2027.yaml"


# ------------------------------------------------------------------ unit spec and validation

def test_unit_spec_splits_area_codes_and_organizers():
    assert P.split_unit_spec("all") == ("all", [])
    assert P.split_unit_spec(None) == ("all", [])
    assert P.split_unit_spec(f"org:{ORG}, 350602") == (["350602"], [ORG])
    assert P.split_unit_spec(["org:a,b", "350603"]) == (["350603"], ["a,b"])   # a list keeps commas
    assert P.split_unit_spec("org:all") == ([], ["*"])
    assert P.split_unit_spec("ORG:  x \n y ") == ([], ["x y"])               # whitespace runs -> one space
    with pytest.raises(InputError):
        P.split_unit_spec("org:")


def test_unknown_organizer_lists_every_valid_one_bilingually(plan):
    names = organizer_names(plan)
    assert len(names) == 77 and ORG in names      # 7 kinds of organizer x 11 counties
    with pytest.raises(InputError) as err:
        P.check_report_params(None, units="org:不存在的单位,350602")
    text = err.value.message()
    assert "未知组织单位" in text and "unknown organizer" in text and "不存在的单位" in text
    assert all(n in text for n in names)          # all 77 listed, not cut at 40


def test_check_report_params_with_organizers(plan):
    p = P.check_report_params(None, units=f"org:{ORG},350602")
    assert p.organizers == [ORG] and p.units["code"].tolist() == ["350602"]
    only = P.check_report_params(None, units=f"org:{ORG}")
    assert only.organizers == [ORG] and only.units.empty and len(only.all_units) == 11
    assert P.check_report_params(None, units="org:all").organizers == organizer_names(plan)
    assert P.check_report_params(None).organizers == []                       # default: counties only
    assert P.check_report_params(None, units="").organizers == []              # "" is all
    with pytest.raises(InputError):
        P.check_report_params(None, units=" , ")                               # nothing named


def test_plan_report_units_organizers_adds_every_organizer(plan, tmp_path):
    text = Path(plan["_path"]).read_text(encoding="utf-8").replace(
        "report_units: counties ", "report_units: organizers")
    assert "report_units: organizers" in text
    folder = tmp_path / "data"
    shutil.copytree(ROOT / "data", folder)
    (folder / "plan_2027.yaml").write_text(text, encoding="utf-8")
    p = P.check_report_params(folder / "plan_2027.yaml")
    assert len(p.units) == 11 and len(p.organizers) == 77     # counties (for the roll-up) + organizers
    assert len(P.check_report_params(folder / "plan_2027.yaml", units="350602").organizers) == 0


def test_organizer_file_stems_are_safe_and_distinct():
    assert organizer_stem(ORG) == f"org_{ORG}"
    names = [HOSTILE, "a/b", "a b", "a_b", "../../etc", "x" * 300, '"', "\n"]
    stems = [organizer_stem(n) for n in names]
    assert len(set(stems)) == len(stems)
    for stem in stems:
        assert re.fullmatch(r"[\w\-]+", stem) and len(stem) < 100, stem


def test_organizer_jobs_are_their_own_kind_and_pass_parameters_as_data(plan):
    units = unit_table(plan)
    jobs = build_jobs(plan, units.head(1), organizers=[ORG, HOSTILE], include_city=False)
    orgs = [j for j in jobs if j.kind == "organizer"]
    assert [j.parameters["organizer"] for j in orgs] == [ORG, HOSTILE]
    assert all(j.unit_code is None and j.attachments and j.parameters["unit_code"] == "" for j in orgs)
    assert len({j.job_id for j in jobs}) == len(jobs)
    P.check_jobs_parameters(jobs)                              # the notebook declares `organizer: str`
    # the roll-up's unit list is built from the area units only
    area_jobs = build_jobs(plan, units, include_city=False, include_rollup=False)
    assert {j.kind for j in area_jobs} == {"unit"}


# ------------------------------------------------------------------ the report's content

def test_organizer_budgets_add_up_to_the_city_to_the_fen(ctx):
    totals = {}
    for name, b in ctx.budgets.items():
        lines = ctx.organizer_lines(name)
        for col in ("households", "recipients", "cash_fen", "goods_fen", "overhead_fen", "contingency_fen",
                    "total_fen"):
            assert int(lines[col].sum()) == int(b.lines[col].sum()), (name, col)
        per_line = lines.groupby(["county_code", "category"])[["overhead_fen", "total_fen"]].sum()
        city = b.lines.set_index(["county_code", "category"])[["overhead_fen", "total_fen"]]
        pd.testing.assert_frame_equal(per_line.sort_index(), city.sort_index(), check_dtype=False)
        assert (lines["total_fen"] == lines["gifts_fen"] + lines["overhead_fen"] + lines["contingency_fen"]).all()
        totals[name] = int(lines.loc[lines["organizer"] == ORG, "total_fen"].sum())
    figures = rs.unit_figures(ctx)
    assert figures["scenario_totals_fen"] == totals
    assert figures["unit_kind"] == "organizer" and figures["organizer"] == ORG and figures["unit_code"] is None
    summary = rs.organizer_summary(ctx)
    assert summary["total_fen"].tolist() == list(totals.values())
    assert summary["diff_fen"].iloc[0] == 0


def test_organizer_lines_hand_computed(ctx):
    """Two organizers share a 低保 line (400 cash + 100 goods yuan per household in the demo plan): gifts are
    their own, the 101 fen overhead splits 2:1 by households, the 7 fen contingency by gifts + overhead."""
    from types import SimpleNamespace

    std = ctx.baseline.standards
    ben = pd.DataFrame({"county_code": ["350602"] * 3, "category": ["dibao"] * 3, "dibao_fen": [-1] * 3,
                        "households": [1, 1, 1], "persons": [1, 2, 3]}, index=[10, 11, 12])
    b = SimpleNamespace(standards=std, lines=pd.DataFrame({
        "county_code": ["350602"], "category": ["dibao"], "overhead_fen": [101], "contingency_fen": [7]}))
    out = rs.organizer_lines(b, ben, pd.Series(["A", "A", "B"], index=[10, 11, 12])).set_index("organizer")
    assert out.loc["A", "gifts_fen"] == 100000 and out.loc["B", "gifts_fen"] == 50000
    # 101 x 2/3 = 67.33, x 1/3 = 33.67: floors 67 + 33, the fen left goes to the larger remainder (B)
    assert out.loc["A", "overhead_fen"] == 67 and out.loc["B", "overhead_fen"] == 34
    # 7 x 100067/150101 = 4.67, 7 x 50034/150101 = 2.33: floors 4 + 2, the fen left to A
    assert out.loc["A", "contingency_fen"] == 5 and out.loc["B", "contingency_fen"] == 2
    assert out.loc["A", "total_fen"] == 100000 + 67 + 5


def test_organizer_report_holds_only_its_people(ctx, registry):
    own = registry["organizer"].map(normalize_organizer) == ORG
    assert len(ctx.registry) == int(own.sum()) == 396
    assert set(ctx.registry.index) == set(registry.index[own])
    own_ids = set(registry.loc[own, "id_number"])
    assert set(ctx.coverage.status["id_number"]) <= own_ids        # no one else counted (reached = their visits)
    own_keys = set(registry.loc[own, "person_key"])
    gaps = ctx.coverage.gaps
    assert len(gaps) and set(gaps["person_key"]) <= own_keys
    people = rs.register_people(ctx)
    assert set(people["person_key"]) <= own_keys and len(people) == rs.unit_figures(ctx)["eligible_rows"]


def test_history_is_matched_by_agency_type_or_said_to_be_missing(ctx):
    assert rs.history_kind(ctx.area_history, ORG) == "民政局"
    assert set(ctx.history["organizer"]) == {"民政局"}
    assert set(ctx.history["area_code"].astype(str).str[:6]) == {"350602"}
    sec = rs.past_campaigns(ctx)
    assert "不按具体填报单位细分" in sec.blocks[0] and "民政局" in sec.blocks[0]
    other = rs.load_context(None, None, organizer=NO_HISTORY_ORG, lang="en")
    assert other.history.empty
    sec = rs.past_campaigns(other)
    assert len(sec.blocks) == 1 and "none matches this organizer" in sec.blocks[0]


def test_sections_say_what_an_organizer_report_is(ctx):
    assert "组织单位" in rs.title_block(ctx).title or ORG in rs.title_block(ctx).title
    assert any("只含本单位填报的对象" in b for b in rs.title_block(ctx).blocks if isinstance(b, str))
    assert any("最大余数法" in b for b in rs.budget_section(ctx).blocks if isinstance(b, str))
    assert any("到位 = 这些对象" in b for b in rs.coverage_section(ctx).blocks if isinstance(b, str))
    assert any("方案的统一安排" in b for b in rs.timeline_block(ctx).blocks if isinstance(b, str))
    assert set(rs.attachment_files(ctx)) == {f"org_{ORG}_汇总表.xlsx", f"org_{ORG}_登记表.xlsx"}


def test_load_context_refuses_an_unknown_organizer():
    with pytest.raises(ConfigError) as err:
        rs.load_context(None, "350602", organizer="没有这个单位")
    text = err.value.message()
    assert "未知组织单位" in text and "unknown organizer" in text and organizer_names(load_plan())[0] in text


def test_index_lists_organizer_reports_in_their_own_section():
    entry = {"kind": "organizer", "title": f"{HOSTILE} 报告", "title_en": "x", "status": "ok",
             "parameters": {"organizer": HOSTILE}, "outputs": [{"path": f"{organizer_stem(HOSTILE)}.html",
                                                               "kind": "html"}]}
    html = render_index({"jobs": {"org-x": entry}}, "zh")
    assert "<h2>组织单位报告</h2>" in html and "不计入汇总核对" in html
    assert HOSTILE not in html and "华安&quot;社区&quot;" in html          # escaped, never markup


# ------------------------------------------------------------------ end to end (small)

def _text_of(path: Path) -> str:
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return " ".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    return path.read_text(encoding="utf-8")


def _report(*args, timeout=600):
    env = {**os.environ, "RELIEFPLAN_BATCH_RUN": f"org-{uuid.uuid4().hex}"}
    return subprocess.run([sys.executable, "-m", "reliefplan", "report", "--no-progress", *args],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=timeout)


def test_cli_unknown_organizer_exits_2_before_any_kernel(tmp_path):
    proc = _report("--units", "org:不存在", "--out", str(tmp_path / "r"), timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "未知组织单位" in proc.stderr + proc.stdout and ORG in proc.stderr + proc.stdout
    assert not (tmp_path / "r" / "2027").exists() or not list((tmp_path / "r" / "2027").glob("*.html"))


@pytest.mark.slow
@pytest.mark.xdist_group("report_e2e")
def test_organizer_reports_end_to_end(hostile_plan, tmp_path):
    out = tmp_path / "reports"
    proc = _report("--plan", str(hostile_plan), "--units", f"org:{HOSTILE_RAW},org:{ORG},350602", "--no-city",
                   "--jobs", "2", "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    year_dir = out / "2027"
    m = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
    kinds = {k: e["kind"] for k, e in m["jobs"].items()}
    assert sorted(kinds.values()) == ["organizer", "organizer", "rollup", "unit"]
    # the roll-up reconciles the area unit only; organizers are not added in
    assert list(m["jobs"]["rollup"]["parameters"]["unit_records"]) == ["350602"]
    assert m["jobs"]["rollup"]["records"]["mismatched"] == []
    reg = PlanInputs(hostile_plan).registry
    names = reg["organizer"].map(normalize_organizer)
    ids, phones = set(reg["id_number"]), {p for p in reg["phone"].dropna() if len(p) == 11}
    for e in (e for e in m["jobs"].values() if e["kind"] == "organizer"):
        org = e["parameters"]["organizer"]
        assert org in (HOSTILE, ORG) and e["status"] == "ok"
        own = set(reg.loc[names == org, "person_key"])
        others = set(reg.loc[names != org, "person_key"]) - own
        paths = [o["path"] for o in e["outputs"]]
        assert sorted(Path(p).suffix for p in paths) == [".html", ".ipynb", ".xlsx", ".xlsx"]
        for p in paths:
            assert p.startswith(organizer_stem(org)) and re.fullmatch(r"[\w\-.]+", p), p
            assert (year_dir / p).is_file()
            text = _text_of(year_dir / p)
            assert not set(re.findall(r"\d{17}[\dX]", text)) & ids
            assert not set(re.findall(r"(?<!\d)1\d{10}(?!\d)", text)) & phones
            if p.endswith((".html", ".xlsx")):
                found = set(re.findall(r"[0-9a-f]{16}", text))
                assert not found & others, (p, list(found & others)[:3])
        records = e["records"]
        assert records["unit_kind"] == "organizer" and records["registered_rows"] == int((names == org).sum())
    index = (year_dir / "index.html").read_text(encoding="utf-8")
    assert index.index("<h2>单位报告</h2>") < index.index("<h2>组织单位报告</h2>")
    assert "import os #" in index and "<script" not in index

    _check_in_chromium(year_dir / f"{organizer_stem(ORG)}.html")


def _check_in_chromium(page_path: Path) -> None:
    from browser_support import artifact, chromium, open_report

    with chromium() as browser:
        r = open_report(browser, page_path)
        r["page"].screenshot(path=str(artifact("report_organizer.png")))
        assert r["blocked"] == [] and r["errors"] == [] and r["divs"] >= 5 and r["drawn"] == r["divs"], r
        assert ORG in r["page"].inner_text("body")
