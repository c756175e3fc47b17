"""Multi-level plans: a province with two cities, report_units [cities, counties], nested roll-ups.

The fixture is a small synthetic province made by the demo generator from a
slice of the shipped 福建省 reference tables: 福州市 (鼓楼区, 台江区) and 漳州市
(芗城区, 龙文区). One run in which 龙文区 fails shows the failure at the city
and the province level; a ``--resume`` run after the fault is gone brings every
level to reconcile to the fen.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest

from reliefplan.core.record import read_records
from reliefplan.ingest.units import ancestors, child_units, descendants, report_levels, unit_table

ROOT = Path(__file__).resolve().parents[1]
PROVINCE = ROOT / "data" / "province_350000"
COUNTIES = ("350102", "350103", "350602", "350603")
BROKEN = "350603"


def small_province(folder: Path) -> Path:
    """Reference tables for two cities with two counties each, then the generated people and plan."""
    from reliefplan.demo import generate

    folder.mkdir(parents=True, exist_ok=True)
    areas = pd.read_csv(PROVINCE / "areas.csv", dtype=str, keep_default_na=False)
    keep = areas["code"].isin(["350000", "350100", "350600", *COUNTIES]) | areas["parent_code"].isin(COUNTIES)
    areas[keep].to_csv(folder / "areas.csv", index=False)
    dibao = pd.read_csv(PROVINCE / "dibao_standards.csv", dtype=str, keep_default_na=False)
    dibao[dibao["county_code"].isin(COUNTIES)].to_csv(folder / "dibao_standards.csv", index=False)
    (folder / "categories.csv").write_bytes((PROVINCE / "categories.csv").read_bytes())
    generate.write_demo_set(folder, data_dir=folder, area="350000", rows=700)
    return folder / "plan_2027.yaml"


@pytest.fixture(scope="module")
def plan_path(tmp_path_factory):
    return small_province(tmp_path_factory.mktemp("province"))


def test_report_levels_and_tree(plan_path):
    from reliefplan.ingest.plan import load_plan

    assert report_levels("counties") == ["county"]
    assert report_levels(["counties", "cities"]) == ["city", "county"]
    assert report_levels(["350602", "350603"]) is None
    with pytest.raises(Exception, match="cantons"):
        report_levels(["cities", "cantons"])
    plan = load_plan(plan_path)
    assert plan["area"] == "350000" and plan["report_units"] == ["cities", "counties"]
    units = unit_table(plan)
    assert list(units["code"]) == ["350100", "350102", "350103", "350600", "350602", "350603"]
    assert dict(zip(units["code"], units["parent"])) == {
        "350100": "350000", "350102": "350100", "350103": "350100",
        "350600": "350000", "350602": "350600", "350603": "350600"}
    assert list(units.loc[~units["leaf"], "code"]) == ["350100", "350600"]
    assert list(child_units(units, "350000")["code"]) == ["350100", "350600"]
    assert descendants(units, "350600") == ["350602", "350603"] and ancestors(units, "350603") == ["350600"]


def test_jobs_nest_roll_ups(plan_path):
    from reliefplan.batch.jobs import build_jobs, jobs_units
    from reliefplan.ingest.plan import load_plan

    plan = load_plan(plan_path)
    tree = unit_table(plan)
    jobs = {j.job_id: j for j in build_jobs(plan, tree, include_city=False, tree=tree, area_name="福建省")}
    assert set(jobs) == {"unit-350102", "unit-350103", "unit-350602", "unit-350603", "rollup-350100",
                         "rollup-350600", "rollup"}
    assert jobs["rollup"].children == ("rollup-350100", "rollup-350600")
    assert jobs["rollup-350600"].children == ("unit-350602", "unit-350603")
    assert jobs["rollup-350600"].parameters["unit_code"] == "350600" and jobs["rollup-350600"].after_units
    # asking for one county re-runs the roll-ups above it, and nothing else
    one = jobs_units(tree, tree[tree["code"] == "350603"])
    assert list(one["code"]) == ["350600", "350603"]


def test_units_go_to_the_workers_city_by_city_biggest_city_first():
    """Roll-ups start as soon as their children are done, so the units are handed out one city at a time."""
    from reliefplan.batch.jobs import Job, submit_order

    def job(job_id, kind="unit", parent=""):
        return Job(job_id=job_id, kind=kind, notebook="x.ipynb", parameters={}, stem=job_id, title="", title_en="",
                   parent_code=parent)

    jobs = [job("city-01", "city"), job("org-a", "organizer"), job("unit-350602", parent="350600"),
            job("unit-350102", parent="350100"), job("unit-350603", parent="350600"),
            job("unit-350604", parent="350600"), job("unit-350103", parent="350100")]
    assert [j.job_id for j in submit_order(jobs)] == [
        "unit-350602", "unit-350603", "unit-350604", "unit-350102", "unit-350103", "org-a", "city-01"]


def test_province_register_lists_the_cities_and_links_their_registers(plan_path):
    """The province roll-up's 登记表 has a row per city with what that city's own 登记表 lists (people,
    money), the file linked; the cities' registers list the people, as their counties' do."""
    import io

    import openpyxl

    from reliefplan.reports import sections as rs

    def rows(data):
        ws = openpyxl.load_workbook(io.BytesIO(data)).active
        values = [[c.value for c in r] for r in ws.iter_rows()]
        head = next(i for i, r in enumerate(values) if r[0] == "序号")
        body = [dict(zip(values[head], r)) for r in values[head + 1:] if isinstance(r[0], int)]
        links = {c.value: c.hyperlink.target for r in ws.iter_rows() for c in r if c.hyperlink is not None}
        return body, links, [r[0] for r in values if r[0]]

    province = rs.load_context(plan_path, None, rollup=True)
    assert rs.lists_units(province)
    files = rs.attachment_files(province)
    body, links, text = rows(files["350000_福建省_登记表.xlsx"])
    assert [r["市"] for r in body] == ["福州市", "漳州市"] and "姓名" not in body[0] and "身份证号" not in body[0]
    assert any("人员明细" in str(t) and "未删减任何人员" in str(t) for t in text)
    for row in body:
        city = rs.load_context(plan_path, row["区划代码"], rollup=True)
        assert not rs.lists_units(city)          # a city over its counties lists its people
        name = f"{row['区划代码']}_{row['市']}_登记表.xlsx"
        assert row["登记表(人员明细)"] == name and links[name] == f"{name}"
        people, _, _ = rows(rs.attachment_files(city)[name])
        assert len(people) == row["人数"] > 0
        assert sum(p["登记次数"] for p in people) == row["登记人次"]
        assert round(sum(p["合计(元)"] for p in people), 2) == row["合计(元)"]
    listings = rs.register_people(province)
    assert sum(r["登记人次"] for r in body) == len(listings)
    assert round(sum(r["合计(元)"] for r in body) * 100) == int((listings["cash_fen"] + listings["goods_fen"]).sum())


@pytest.mark.slow
@pytest.mark.xdist_group("levels")
def test_nested_roll_ups_reconcile_and_name_a_failed_county_at_every_level(plan_path, tmp_path, monkeypatch):
    import reliefplan.batch.run as run
    from reliefplan.batch.params import check_report_params

    out = tmp_path / "reports"
    real = run.build_jobs

    def broken(*args, **kw):   # 龙文区's job gets a year that does not match the plan: its notebook fails
        return [dataclasses.replace(j, parameters={**j.parameters, "year": 2026}) if j.unit_code == BROKEN else j
                for j in real(*args, **kw)]

    monkeypatch.setattr(run, "build_jobs", broken)
    params = check_report_params(plan_path, out=out, jobs=2, include_city=False)
    summary = run.run_reports(params, progress=False)
    assert summary.exit_code == 1
    year_dir = out / "2027"
    jobs = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))["jobs"]
    assert jobs[f"unit-{BROKEN}"]["status"] == "failed"
    city, province, healthy = (jobs["rollup-350600"]["records"], jobs["rollup"]["records"],
                               jobs["rollup-350100"]["records"])
    assert jobs["rollup-350600"]["status"] == "ok" and city["missing_units"] == [BROKEN] and not city["reconciled"]
    assert BROKEN in province["missing_units"] and not province["reconciled"]
    assert healthy["reconciled"] and healthy["missing_units"] == []
    index = (year_dir / "index.html").read_text(encoding="utf-8")
    assert index.count(f"{BROKEN} 龙文区") == 2   # named under 漳州市 and under the province roll-up
    assert index.count("下级未完成单位") == 2 and f">{BROKEN}</td>" in index
    rollup_html = next(year_dir / o["path"] for o in jobs["rollup"]["outputs"] if o["kind"] == "html")
    assert BROKEN in rollup_html.read_text(encoding="utf-8")

    # the fault is gone: --resume runs the failed county and the two roll-ups above it only
    monkeypatch.setattr(run, "build_jobs", real)
    params = check_report_params(plan_path, out=out, jobs=2, include_city=False, resume=True)
    summary = run.run_reports(params, progress=False)
    assert summary.exit_code == 0, summary.statuses
    assert sorted(summary.skipped) == ["rollup-350100", "unit-350102", "unit-350103", "unit-350602"]
    jobs = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))["jobs"]

    def recorded(job_id):
        ipynb = next(year_dir / o["path"] for o in jobs[job_id]["outputs"] if o["kind"] == "ipynb")
        return read_records(ipynb)     # what the notebook itself recorded

    figures = ("registered_rows", "eligible_rows", "recipients", "cash_fen", "goods_fen", "overhead_fen",
               "contingency_fen", "total_fen")
    for parent, kids in (("rollup-350100", ["unit-350102", "unit-350103"]),
                         ("rollup-350600", ["unit-350602", "unit-350603"]),
                         ("rollup", ["rollup-350100", "rollup-350600"])):
        top = recorded(parent)
        assert top["reconciled"] and top["missing_units"] == [], parent
        for key in figures:
            assert top[key] == sum(recorded(k)[key] for k in kids), (parent, key)
        assert top["sum_of_units_fen"] == top["city_total_fen"] == top["total_fen"]
    assert recorded("rollup")["total_fen"] > 0
    index = (year_dir / "index.html").read_text(encoding="utf-8")
    assert "汇总与各单位合计一致" in index and "下级未完成单位" not in index
