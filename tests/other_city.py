"""A second, small city that is not the demo: 鹤壁市 (Hebi, Henan), built into a folder.

The city and county codes and names are GB/T 2260 (410600 鹤壁市; 410611 淇滨区,
410621 浚县, 410622 淇县); the townships carry real names with 9-digit codes
in the statistical pattern. The 30 people, their ID numbers (valid GB 11643
check characters), the 低保 standards, the history and the visits are made
up. Nothing here is shared with the 漳州 demo data: if any verb or report
falls back to a demo file, 漳州/芗城 shows up in its output.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from reliefplan.core.ids import check_char

CITY, CITY_NAME = "410600", "鹤壁市"
COUNTIES = {"410611": ("淇滨区", "Qibin District", "urban"),
            "410621": ("浚县", "Xun County", "rural"),
            "410622": ("淇县", "Qi County", "rural")}
TOWNSHIPS = {"410611001": ("金山街道", "Jinshan Subdistrict", "urban"),
             "410611002": ("九州路街道", "Jiuzhoulu Subdistrict", "urban"),
             "410621100": ("善堂镇", "Shantang Town", "rural"),
             "410621101": ("屯子镇", "Tunzi Town", "rural"),
             "410622001": ("朝歌街道", "Zhaoge Subdistrict", "urban"),
             "410622100": ("北阳镇", "Beiyang Town", "rural")}
ORGANIZERS = {"410611": "淇滨区民政局", "410621": "浚县民政局", "410622": "淇县民政局"}
UNION = "鹤壁市总工会"
DEMO_NAMES = ("漳州", "芗城", "龙文", "Zhangzhou", "Xiangcheng")

CATEGORIES = """code,zh,en,priority,unit,aliases
tekun,特困供养人员,Extreme-poverty supported person,1,person,特困人员|特困
dibao,低保户,Minimum-living-guarantee household,2,household,低保|低保对象
orphan,孤儿,Orphan,2,person,事实孤儿
dibao_edge,低保边缘户,Near-poor household,3,household,低保边缘|边缘户
"""

SURNAMES = "郭牛申王李张赵刘陈杨"
GIVEN = ["建国", "秀英", "玉兰", "志强", "桂花", "海涛", "凤霞", "保林", "春燕", "金山"]
# (category as written, birth year, household size, income per head yuan)
KINDS = [("特困人员", 1945, 1, 300), ("低保户", 1970, 3, 420), ("低保边缘户", 1965, 4, 650),
         ("孤儿", 2014, 1, 0), ("低保", 1958, 2, 380)]


def _id(county: str, birth: str, seq: int) -> str:
    first17 = f"{county}{birth}{seq:03d}"
    return first17 + check_char(first17)


def people() -> list[dict]:
    """30 people, 10 per county, spread over its townships, all five kinds."""
    rows = []
    for c, county in enumerate(COUNTIES):
        towns = [t for t in TOWNSHIPS if t.startswith(county)]
        for i in range(10):
            n = c * 10 + i
            kind, year, size, income = KINDS[n % len(KINDS)]
            town = towns[i % len(towns)]
            organizer = UNION if i == 9 else ORGANIZERS[county]
            rows.append({
                "姓名": SURNAMES[n % 10] + GIVEN[(n * 3) % 10],
                "身份证号": _id(county, f"{year}{1 + n % 12:02d}{1 + n % 27:02d}", 100 + n),
                "区划代码": town, "困难类别": kind, "家庭人口": size, "家庭人均月收入": income,
                "联系电话": f"1390392{n:04d}", "填报单位": organizer,
                "家庭住址": f"{CITY_NAME}{COUNTIES[county][0]}{TOWNSHIPS[town][0]}{n + 1}号",
                "是否残疾": "否", "是否重病": "否",
            })
    return rows


def _csv(path: Path, rows: list[dict]) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def _square(x, y, d=0.1):
    return {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


def build(folder: Path) -> Path:
    """Write the city's data files and plan into ``folder``; return the plan file."""
    folder.mkdir(parents=True, exist_ok=True)
    reg = people()
    _csv(folder / "registry.csv", reg)
    areas = [{"code": CITY, "name": CITY_NAME, "name_en": "Hebi City", "parent_code": "", "level": "city",
              "urban_rural": "urban", "edition": 2023}]
    areas += [{"code": c, "name": n, "name_en": e, "parent_code": CITY, "level": "county", "urban_rural": u,
               "edition": 2023} for c, (n, e, u) in COUNTIES.items()]
    areas += [{"code": t, "name": n, "name_en": e, "parent_code": t[:6], "level": "township", "urban_rural": u,
               "edition": 2023} for t, (n, e, u) in TOWNSHIPS.items()]
    _csv(folder / "areas.csv", areas)
    _csv(folder / "dibao.csv", [{"county_code": c, "urban_rural": ur, "effective_date": "2025-07-01",
                                 "monthly_yuan": 760 if ur == "urban" else 560}
                                for c in COUNTIES for ur in ("urban", "rural")])
    (folder / "categories.csv").write_text(CATEGORIES, encoding="utf-8")
    history = []
    for year in range(2021, 2027):
        for k, county in enumerate(COUNTIES):
            for cat, hh, cash in (("dibao", 40 + 3 * k + year - 2021, 400), ("tekun", 12 + k, 500)):
                history.append({"year": year, "organizer": "民政局", "area_code": county, "category": cat,
                                "funding_source": "财政", "households": hh, "persons": hh * 2,
                                "cash_yuan": hh * cash, "goods_yuan": hh * 100, "overhead_yuan": hh * 5,
                                "stated_total_yuan": hh * (cash + 105)})
    _csv(folder / "history.csv", history)
    cats = {"特困人员": "tekun", "低保户": "dibao", "低保": "dibao", "低保边缘户": "dibao_edge", "孤儿": "orphan"}
    visits = [{"campaign_year": 2026, "id_number": p["身份证号"], "name": p["姓名"], "area_code": p["区划代码"],
               "organizer": p["填报单位"], "category": cats[p["困难类别"]], "visit_date": "2026-02-05",
               "team": f"{COUNTIES[p['区划代码'][:6]][0]}慰问组", "cash_yuan": 400, "goods_yuan": 100,
               "signed": "是"} for i, p in enumerate(reg) if i % 3]
    _csv(folder / "visits.csv", visits)
    _csv(folder / "changes.csv", [{"id_number": reg[0]["身份证号"], "year": 2026, "reason": "moved",
                                   "note": "迁往外市"}])
    geo = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": c, "name": n}, "geometry": _square(114.0 + 0.2 * i, 35.7)}
        for i, (c, (n, _, _)) in enumerate(COUNTIES.items())]}
    (folder / "counties.geojson").write_text(json.dumps(geo, ensure_ascii=False), encoding="utf-8")
    library = {
        "organizer_types": {"civil": {"zh": "民政局", "en": "Civil affairs"}},
        "levels": {"county": {"zh": "县级", "en": "County"}},
        "plans": [{
            "id": f"H{k}", "title": f"{name}送温暖方案", "organizer": f"{name}民政局", "organizer_type": "civil",
            "level": "county", "year": 2025, "categories": ["dibao"],
            "line_items": [{"text": "低保户每户400元", "category": "dibao", "count": 10 + k, "unit": "户",
                            "cash_per_head": 400, "goods_per_head": None, "stated_subtotal": 400 * (10 + k)}],
            "overheads": [], "stated": [], "text": f"{name}低保户每户慰问金400元。",
        } for k, name in enumerate(["浚县", "淇县"])],
    }
    (folder / "case_library.yaml").write_text(yaml.safe_dump(library, allow_unicode=True, sort_keys=False),
                                              encoding="utf-8")
    plan = {
        "name": "鹤壁市2027年春节送温暖慰问活动（测试）", "name_en": "Hebi 2027 relief campaign (test)",
        "year": 2027, "organizer": "鹤壁市民政局", "area": CITY, "report_units": "counties",
        "data": {"registry": "registry.csv", "areas": "areas.csv", "boundaries": "counties.geojson",
                 "dibao": "dibao.csv", "categories": "categories.csv", "history": "history.csv",
                 "visits": "visits.csv", "registry_changes": "changes.csv", "case_library": "case_library.yaml"},
        "categories": {
            "tekun": {"per": "person", "cash": 600, "goods": 200, "eligibility": {"income_below_dibao": 1.0}},
            "dibao": {"per": "household", "cash": 500, "goods": 200, "eligibility": {"income_below_dibao": 1.0}},
            "dibao_edge": {"per": "household", "cash": 300, "goods": 100,
                           "eligibility": {"income_below_dibao": 1.5}},
            "orphan": {"per": "person", "cash": 1000, "goods": 0, "eligibility": {"max_age": 17}},
        },
        "per_person_cap": 2000,
        "overheads": [{"item": "伙食费补助", "item_en": "Meals", "basis": "per_team_day", "amount": 60},
                      {"item": "宣传费", "item_en": "Publicity", "basis": "fixed", "amount": 1000}],
        "contingency_pct": 2,
        "funding": [{"source": "财政", "source_en": "Government budget", "amount": 20000}],
        "budget_cap": 20000,
        "scenarios": [{"name": "维持", "name_en": "Keep standards", "baseline": True},
                      {"name": "提标10%", "name_en": "Raise 10%", "multiplier": 1.1, "round_to": 10}],
        "phases": [{"name": "准备阶段", "start": "2026-12-01", "end": "2026-12-20"},
                   {"name": "慰问阶段", "start": "2027-01-10", "end": "腊月廿六", "visits": True}],
        "visit_days": {"start": "2027-01-12", "end": "2027-01-15", "slots": ["上午", "下午"]},
        "teams": [{"name": f"{n}慰问组", "leader": "领导", "members": [f"{n}民政局"], "areas": [c],
                   "visits_per_slot": 5} for c, (n, _, _) in COUNTIES.items()],
    }
    path = folder / "plan_hebi_2027.yaml"
    path.write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
