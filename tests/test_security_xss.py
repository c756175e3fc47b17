"""Stored XSS: a plan and data files with script payloads in every text field give reports that run no script.

One `reliefplan report` run (one unit, the roll-up, the city notebooks, the
index) on a copy of the demo data whose plan names, scenario names, overheads,
funding sources, phases, teams, responsibilities, area and GeoJSON names,
category labels, registry organizers/addresses/notes, visit teams and
history organizers all carry ``<img src=x onerror=alert(N)>`` or
``<script>`` payloads. Every HTML file is opened in headless Chromium: no
dialog may fire, and the payload text must be visible as text.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from malformed_corpus import demo_plan_text

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("security_xss")]

ROOT = Path(__file__).resolve().parents[1]


PLACES: list[str] = []


def payload(where: str) -> str:
    """An ``<img onerror>`` that Markdown also passes through as raw HTML (valid unquoted attributes),
    numbered so a dialog names the place it came from (:data:`PLACES`)."""
    if where not in PLACES:
        PLACES.append(where)
    return f"<img src=x onerror=alert({PLACES.index(where) + 1})>"


SCRIPT = "<script>alert('script')</script>"


def _plan_text(folder: Path) -> str:
    text = demo_plan_text()
    for name in ("areas", "boundaries", "categories", "registry", "visits", "history"):
        text = re.sub(rf"(?m)^(  {name}: )\S+", lambda m: m[1] + str(folder / Path(m[0].split()[-1]).name), text)
    replacements = [
        ('name: 漳州市2027年"两节"送温暖慰问活动（示例）', f'name: "漳州市方案{payload("plan-name")}"'),
        ("name_en: Zhangzhou 2027 Spring Festival relief campaign (demo)", f'name_en: "Plan {payload("plan-name-en")}"'),
        ("organizer: 漳州市民政局（牵头）、漳州市总工会、漳州市人社局（示例）", f'organizer: "民政局{SCRIPT}"'),
        ("{name: 维持, name_en: Keep standards, baseline: true}",
         f'{{name: "维持{payload("scenario")}", name_en: "Keep {payload("scenario-en")}", baseline: true}}'),
        ("{item: 伙食费补助, item_en: Meals,", f'{{item: "伙食费{payload("overhead")}", item_en: "Meals{payload("overhead-en")}",'),
        ("  - source: 工会经费\n    source_en: Trade-union funds",
         f'  - source: "工会经费{payload("funding")}"\n    source_en: "Union{payload("funding-en")}"'),
        ("  - name: 准备阶段\n    name_en: Preparation", f'  - name: "准备阶段{payload("phase")}"\n    name_en: "Preparation{payload("phase-en")}"'),
        ("responsible: 各县(市、区)民政局、总工会、人社局", f'responsible: "民政局{payload("responsible")}"'),
        ("tasks: [调查摸底, 核定慰问名单,", f'tasks: ["调查摸底{payload("task")}", 核定慰问名单,'),
        ("{name: 附件3 慰问对象汇总表, due: 2026-12-30, to: 市民政局}",
         f'{{name: "附件3{payload("deliverable")}", due: 2026-12-30, to: "市民政局{payload("deliverable-to")}"}}'),
        ("{name: 龙文区慰问组, leader: 区领导乙（示例）, members: [区民政局, 区残联],",
         f'{{name: "龙文区慰问组{payload("team")}", leader: "领导{payload("leader")}", members: ["区民政局{payload("member")}"],'),
        ("  - task: 调查摸底、核定名单、张榜公示\n    units: {市民政局社会救助科: 牵头,",
         f'  - task: "调查摸底{payload("resp-task")}"\n    units: {{"市民政局{payload("resp-unit")}": 牵头,'),
    ]
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    from reliefplan.core import paths

    folder = tmp_path_factory.mktemp("xss")
    data = paths.demo_plan_path().parent
    areas = pd.read_csv(data / "areas.csv", dtype=str, keep_default_na=False)
    areas.loc[areas["code"] == "350603", ["name", "name_en"]] = ["龙文区" + payload("area"), "Longwen" + payload("area-en")]
    town = areas.index[areas["code"].str.startswith("350603") & (areas["level"] == "township")][0]
    areas.loc[town, "name"] = areas.loc[town, "name"] + payload("township")
    areas.to_csv(folder / "areas.csv", index=False)

    geo = json.loads((data / "boundaries" / "zhangzhou_counties.geojson").read_text(encoding="utf-8"))
    for feature in geo["features"]:
        if feature["properties"]["code"] == "350603":
            feature["properties"]["name"] = "龙文区" + payload("geojson")
            feature["properties"]["name_en"] = "Longwen" + payload("geojson-en")
    (folder / "zhangzhou_counties.geojson").write_text(json.dumps(geo, ensure_ascii=False), encoding="utf-8")

    cats = pd.read_csv(data / "categories.csv", dtype=str, keep_default_na=False)
    row = cats.index[cats["code"] == "dibao"][0]
    cats.loc[row, "aliases"] = cats.loc[row, "aliases"] + "|" + cats.loc[row, "zh"]
    cats.loc[row, ["zh", "en"]] = ["低保户" + payload("category"), "Dibao" + payload("category-en")]
    cats.to_csv(folder / "categories.csv", index=False)

    reg = pd.read_csv(data / "registry.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    mine = reg.index[reg["区划代码"].str.startswith("350603")]
    reg.loc[mine, "填报单位"] = reg.loc[mine, "填报单位"] + payload("organizer")
    reg.loc[mine[:50], "家庭住址"] = "地址" + payload("address")
    reg.loc[mine[:50], "备注"] = "=cmd|' /C calc'!A0" + payload("note")
    reg.to_csv(folder / "registry.csv", index=False, encoding="utf-8-sig")

    visits = pd.read_csv(data / "visits.csv", dtype=str, keep_default_na=False)
    visits.loc[visits["area_code"].str.startswith("350603"), "team"] = "第二慰问组" + payload("visit-team")
    visits.to_csv(folder / "visits.csv", index=False)
    hist = pd.read_csv(data / "campaign_history.csv", dtype=str, keep_default_na=False)
    hist.loc[hist["area_code"] == "350603", "organizer"] = "民政局" + payload("history-org")
    hist.to_csv(folder / "campaign_history.csv", index=False)

    plan = folder / "plan.yaml"
    plan.write_text(_plan_text(folder), encoding="utf-8")
    out = folder / "out"
    proc = subprocess.run([sys.executable, "-m", "reliefplan", "report", "--no-progress", "--plan", str(plan),
                           "--out", str(out), "--units", "350603", "--jobs", "2"],
                          capture_output=True, text=True, cwd=ROOT, timeout=900, env=os.environ.copy())
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out


def test_no_script_runs_in_any_report(hostile_run):
    from browser_support import chromium

    pages = sorted(hostile_run.rglob("*.html"))
    names = {p.name for p in pages}
    assert "index.html" in names and any(n.startswith("350603_") for n in names), names
    assert len(pages) >= 5
    dialogs: list[tuple[str, str]] = []
    shown = ""
    with chromium() as browser:
        for path in pages:
            page = browser.new_page()
            page.on("dialog", lambda d, p=path: (dialogs.append((p.name, d.message)), d.dismiss()))
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            page.wait_for_timeout(1500)            # plotly draws; any onerror fires
            shown += page.inner_text("body")
            page.close()
    assert dialogs == [], [(page, PLACES[int(message) - 1] if message.isdigit() else message)
                           for page, message in dialogs]
    # the payloads reached the pages, as text
    for where in ("plan-name", "scenario", "category", "area", "phase", "team"):
        assert payload(where) in shown, where
