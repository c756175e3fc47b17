"""Loaders: every table read from small hand-made files, happy paths and errors.

Each error test checks that the message names the file, the row as seen in
the file and the column, in Chinese and English.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from reliefplan.ingest import reference as loaders
from reliefplan.ingest.inputs import load_plan_inputs
from reliefplan.core.errors import ConfigError, InputError, ReliefplanError
from reliefplan.core.ids import check_char
from reliefplan.core.paths import demo_path
from reliefplan.ingest.categories import load_categories

# The demo categories, named explicitly (the loaders have no default table).
CATEGORIES = load_categories(demo_path("categories.csv"))


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def pid(first17: str) -> str:
    return first17 + check_char(first17)


def assert_where(exc: ReliefplanError, path: Path, row, column: str, *fragments: str) -> None:
    msg = str(exc)
    assert exc.file == str(path)
    assert exc.row == row
    assert exc.column == column
    assert path.name in msg
    assert f"第 {row} 行 row {row}" in msg
    assert f"列 column {column}" in msg
    assert " / " in msg  # zh / en halves
    for fragment in fragments:
        assert fragment in msg, (fragment, msg)


AREAS_OK = """code,name,name_en,parent_code,level,urban_rural,edition
350600,漳州市,Zhangzhou City,,city,urban,2023
350602,芗城区,Xiangcheng District,350600,county,urban,2023
350602001,东铺头街道,Dongputou Subdistrict,350602,township,urban,2023
350602100,浦南镇,Punan Town,350602,township,rural,2023
"""


# --------------------------------------------------------------------- areas

def test_demo_areas_are_zhangzhou_with_real_townships():
    areas = loaders.load_areas(demo_path("areas.csv"))
    assert str(areas["code"].dtype) == "str"
    counties = areas[areas["level"] == "county"]
    townships = areas[areas["level"] == "township"]
    assert list(areas.loc[areas["level"] == "city", "name"]) == ["漳州市"]
    assert sorted(counties["code"]) == ["350602", "350603", "350604", "350605", "350622", "350623",
                                        "350624", "350626", "350627", "350628", "350629"]
    assert len(townships) == 122
    assert townships["code"].str.len().eq(9).all()
    assert (townships["code"].str.slice(0, 6) == townships["parent_code"]).all()
    row = areas.set_index("code").loc["350602001"]
    assert (row["name"], row["urban_rural"], row["name_en"]) == ("东铺头街道", "urban", "Dongputou Subdistrict")
    assert areas.set_index("code").loc["350623201", "urban_rural"] == "rural"  # 赤岭畲族乡
    assert set(areas["edition"]) == {2023}


def test_demo_areas_match_the_county_polygons():
    areas = loaders.load_areas(demo_path("areas.csv"))
    geo = loaders.load_boundaries(demo_path("boundaries/zhangzhou_counties.geojson"))
    counties = areas.loc[areas["level"] == "county", "code"]
    assert loaders.unmatched_codes(geo, counties) == ([], [])


def test_areas_happy_path_types(tmp_path):
    df = loaders.load_areas(write(tmp_path / "areas.csv", AREAS_OK))
    assert list(df["code"]) == ["350600", "350602", "350602001", "350602100"]
    assert pd.isna(df.loc[0, "parent_code"])
    assert str(df["edition"].dtype) == "Int64"
    assert df["source_row"].tolist() == [2, 3, 4, 5]


def test_areas_chinese_headers_and_values(tmp_path):
    text = ("区划代码,名称,上级代码,层级,城乡\n"
            "350602,芗城区,,县,城市\n"
            "350602100,浦南镇,350602,乡镇,农村\n")
    df = loaders.load_areas(write(tmp_path / "a.csv", text))
    assert list(df["level"]) == ["county", "township"]
    assert list(df["urban_rural"]) == ["urban", "rural"]
    assert "name_en" in df and "edition" in df


def test_areas_gb18030_csv(tmp_path):
    df = loaders.load_areas(write(tmp_path / "a.csv", AREAS_OK, encoding="gb18030"))
    assert df.loc[2, "name"] == "东铺头街道"


def test_areas_xlsx_with_title_row_and_numeric_codes(tmp_path):
    path = tmp_path / "areas.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["漳州市行政区划表"])
    ws.append(["code", "name", "parent_code", "level", "urban_rural"])
    ws.append([350600, "漳州市", None, "city", "urban"])
    ws.append([350602, "芗城区", 350600, "county", "urban"])
    ws.append([350602001, "东铺头街道", 350602, "township", "urban"])
    ws.append(["350602100", "浦南镇", "350602", "township", "bad"])
    wb.save(path)
    with pytest.raises(ConfigError) as info:
        loaders.load_areas(path)
    # the bad value sits in Excel row 6
    assert_where(info.value, path, 6, "urban_rural", "城乡不在可选值中", "urban/rural is not one of")
    ws.delete_rows(6)
    wb.save(path)
    df = loaders.load_areas(path)
    assert list(df["code"]) == ["350600", "350602", "350602001"]
    assert list(df["parent_code"].fillna("")) == ["", "350600", "350602"]


def test_areas_duplicate_code(tmp_path):
    path = write(tmp_path / "areas.csv", AREAS_OK + "350602,芗城区,,350600,county,urban,2023\n")
    with pytest.raises(ConfigError) as info:
        loaders.load_areas(path)
    assert_where(info.value, path, 6, "code", "区划代码重复", "duplicate area code")


def test_areas_parent_must_exist(tmp_path):
    path = write(tmp_path / "areas.csv", AREAS_OK + "350603001,步文街道,,350603,township,urban,2023\n")
    with pytest.raises(ConfigError) as info:
        loaders.load_areas(path)
    assert_where(info.value, path, 6, "parent_code", "上级代码不在本表中", "parent code is not an area")


def test_areas_bad_level_and_code(tmp_path):
    text = AREAS_OK + "35060X,某区,,350600,county,urban,2023\n350699,某县,,350600,galaxy,rural,2023\n"
    path = write(tmp_path / "areas.csv", text)
    with pytest.raises(ConfigError) as info:
        loaders.load_areas(path)
    exc = info.value
    assert_where(exc, path, 6, "code", "区划代码须为数字", "an area code must be digits", "'35060X'",
                 "共 2 处问题", "2 problems in all", "row 7 level")
    assert list(exc.problems["column"]) == ["code", "level"]
    assert list(exc.problems["row"]) == [6, 7]


def test_areas_code_length(tmp_path):
    path = write(tmp_path / "areas.csv", AREAS_OK + "3506021,某地,,350602,township,rural,2023\n")
    with pytest.raises(ConfigError) as info:
        loaders.load_areas(path)
    assert_where(info.value, path, 6, "code", "6、9或12位", "6, 9 or 12 digits")


def test_areas_missing_required_column_lists_found_headers(tmp_path):
    path = write(tmp_path / "areas.csv", "code,name,level\n350600,漳州市,city\n")
    with pytest.raises(ConfigError) as info:
        loaders.load_areas(path)
    assert_where(info.value, path, 1, "urban_rural", "缺少必填列", "required columns missing: urban_rural",
                 "headers found: code, name, level")


def test_areas_duplicate_column(tmp_path):
    path = write(tmp_path / "areas.csv", "code,区划代码,name,level,urban_rural\n")
    with pytest.raises(ConfigError) as info:
        loaders.load_areas(path)
    assert_where(info.value, path, 1, "区划代码", "列重复", "duplicate column")


def test_areas_required_value_empty(tmp_path):
    path = write(tmp_path / "areas.csv", AREAS_OK + "350602002,,,350602,township,urban,2023\n")
    with pytest.raises(ConfigError) as info:
        loaders.load_areas(path)
    assert_where(info.value, path, 6, "name", "必填项为空", "required value is empty")


def test_row_numbers_count_blank_lines_and_multiline_cells(tmp_path):
    text = ('code,name,name_en,parent_code,level,urban_rural\n'
            '350600,漳州市,"Zhangzhou\nCity",,city,urban\n'
            '\n'
            '350602,芗城区,,350600,county,urban\n'
            '350602,芗城区,,350600,county,urban\n')
    path = write(tmp_path / "areas.csv", text)
    with pytest.raises(ConfigError) as info:
        loaders.load_areas(path)
    assert info.value.row == 6  # header 1, city 2-3, blank 4, county 5, duplicate 6


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(ConfigError, match="文件不存在 / file not found"):
        loaders.load_areas(tmp_path / "nope.csv")
    with pytest.raises(ConfigError, match="文件为空 / the file is empty"):
        loaders.load_areas(write(tmp_path / "empty.csv", ""))
    with pytest.raises(ConfigError, match="文件为空 / the file is empty"):
        loaders.load_areas(write(tmp_path / "blank.csv", "\n,,\n"))


def test_undecodable_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"code,name\n\xff\xfe\xfa\n")
    with pytest.raises(ConfigError, match="UTF-8 或 GB18030"):
        loaders.load_areas(path)


# --------------------------------------------------------------------- dibao

def test_demo_dibao_has_two_dates_per_county():
    df = loaders.load_dibao(demo_path("dibao_standards.csv"))
    assert str(df["monthly_fen"].dtype) == "int64"
    assert str(df["effective_date"].dtype).startswith("datetime64")
    per = df.groupby(["county_code", "urban_rural"])["effective_date"].nunique()
    assert len(per) == 22 and (per >= 2).all()
    assert (df["monthly_fen"] % 100 == 0).all()


def test_dibao_yuan_to_fen_exact(tmp_path):
    text = ("县级区划代码,城乡,执行日期,低保标准\n"
            "350602,城市,2025/7/1,850.5\n"
            "350602,农村,2025年7月1日,￥800\n"
            "350603,urban,20250701,\"1,000.05\"\n"
            "350603,rural,2025-07-01 00:00:00,0.07\n")
    df = loaders.load_dibao(write(tmp_path / "d.csv", text))
    assert list(df["monthly_fen"]) == [85050, 80000, 100005, 7]
    assert df["monthly_fen"].dtype == "int64"
    assert list(df["urban_rural"]) == ["urban", "rural", "urban", "rural"]
    assert (df["effective_date"] == pd.Timestamp("2025-07-01")).all()


@pytest.mark.parametrize("line, column, zh, en", [
    ("350602,urban,2025-07-01,-5", "monthly_fen", "金额不能为负数", "cannot be negative"),
    ("350602,urban,2025-07-01,八百", "monthly_fen", "不是有效金额", "not an amount in yuan"),
    ("350602,urban,2025-07-01,0", "monthly_fen", "低保标准须大于0", "more than zero"),
    ("350602,urban,2025-13-01,800", "effective_date", "不是有效日期", "not a valid date"),
    ("350602,both,2025-07-01,800", "urban_rural", "城乡不在可选值中", "urban/rural is not one of"),
    ("350602001,urban,2025-07-01,800", "county_code", "须为6位", "must have 6 digits"),
    ("350602,urban,2025-07-01,", "monthly_fen", "必填项为空", "required value is empty"),
])
def test_dibao_errors(tmp_path, line, column, zh, en):
    path = write(tmp_path / "dibao.csv", "county_code,urban_rural,effective_date,monthly_yuan\n"
                 "350603,urban,2025-07-01,800\n" + line + "\n")
    with pytest.raises(ConfigError) as info:
        loaders.load_dibao(path)
    assert_where(info.value, path, 3, column, zh, en)


def test_dibao_duplicate_standard(tmp_path):
    path = write(tmp_path / "dibao.csv", "county_code,urban_rural,effective_date,monthly_yuan\n"
                 "350602,urban,2025-07-01,800\n350602,城镇,2025/07/01,810\n")
    with pytest.raises(ConfigError) as info:
        loaders.load_dibao(path)
    assert_where(info.value, path, 3, "county_code", "标准重复", "duplicate standard")


# ------------------------------------------------------------------- history

HISTORY_HEAD = "year,organizer,area_code,category,funding_source,households,persons,cash_yuan,goods_yuan,overhead_yuan,stated_total_yuan\n"


def test_history_happy_path(tmp_path):
    text = HISTORY_HEAD + (
        "2025,漳州市民政局,350602,低保户,财政,120,300,60000,24000.50,3000,87000.50\n"
        "2026,漳州市总工会,350623,困难职工,工会经费,10,25,10000,2000,0,\n")
    df = loaders.load_history(write(tmp_path / "h.csv", text), categories=CATEGORIES)
    assert list(df["category"]) == ["dibao", "hardship_worker"]
    assert list(df["goods_fen"]) == [2400050, 200000]
    assert df["cash_fen"].dtype == "int64" and df["year"].dtype == "int64"
    assert df["stated_total_fen"].iloc[0] == 8700050 and pd.isna(df["stated_total_fen"].iloc[1])
    assert df["area_code"].tolist() == ["350602", "350623"]


def test_history_chinese_headers(tmp_path):
    text = ("年度,组织单位,区划代码,困难类别,资金来源,户数,人数,慰问金,慰问品,工作经费\n"
            "2019,芗城区民政局,350602,特困,财政,5,5,3000,1000,200\n")
    df = loaders.load_history(write(tmp_path / "h.csv", text), categories=CATEGORIES)
    assert df.loc[0, "category"] == "tekun"
    assert df.loc[0, "overhead_fen"] == 20000


def test_history_errors_collected(tmp_path):
    text = HISTORY_HEAD + (
        "2025,民政局,350602,低保户,财政,12,30,6000,2400,300,\n"
        "2025,民政局,350602,外星人,财政,12,30,6000,2400,300,\n"
        "2025,民政局,350602,低保户,财政,-1,30,6000,2400,300,\n"
        "二〇二五,民政局,350602,低保户,财政,1,3,6000,2400,300,\n")
    path = write(tmp_path / "h.csv", text)
    with pytest.raises(InputError) as info:
        loaders.load_history(path, categories=CATEGORIES)
    assert_where(info.value, path, 3, "category", "未知的困难类别", "unknown category", "'外星人'",
                 "共 3 处问题", "row 4 households: must be at least 0", "row 5 year: must be a whole number")
    assert len(info.value.problems) == 3


def test_history_uses_given_categories(tmp_path):
    cats = pd.DataFrame({"code": ["x"], "zh": ["新类别"], "en": ["New"], "priority": [1],
                         "unit": ["person"], "aliases": [""]})
    text = HISTORY_HEAD + "2025,民政局,350602,新类别,财政,1,1,1,1,1,\n"
    df = loaders.load_history(write(tmp_path / "h.csv", text), categories=cats)
    assert df.loc[0, "category"] == "x"


# -------------------------------------------------------------------- visits

def test_visits_happy_path(tmp_path):
    a, b = pid("35060219800101001"), pid("35062319551230002")
    text = ("campaign_year,id_number,name,area_code,organizer,category,visit_date,team,cash_yuan,goods_yuan,signed\n"
            f"2026,{a},张三,350602001,民政局,低保,2026/1/20,第一组,500,200,是\n"
            f"2026,{b.lower()},李四,350623100,民政局,,2026年1月21日,第二组,600.5,0,否\n"
            f"2025,\u00a0{a} ,张三,350602001,总工会,困难职工,20250122,,1000,200,Y\n")
    df = loaders.load_visits(write(tmp_path / "v.csv", text), categories=CATEGORIES)
    assert list(df["id_number"]) == [a, b.upper(), a]
    assert list(df["signed"]) == [True, False, True]
    assert df["signed"].dtype == bool
    assert list(df["cash_fen"]) == [50000, 60050, 100000]
    assert list(df["visit_date"].dt.strftime("%Y-%m-%d")) == ["2026-01-20", "2026-01-21", "2025-01-22"]
    assert pd.isna(df.loc[1, "category"])
    assert list(df["team"].fillna("")) == ["第一组", "第二组", ""]


def test_visits_bad_id_and_bool(tmp_path):
    good = pid("35060219800101001")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    text = ("年度,身份证号,区划代码,走访日期,慰问金,慰问品,签收\n"
            f"2026,{good},350602001,2026-01-20,500,200,是\n"
            f"2026,{bad},350602001,2026-01-20,500,200,也许\n")
    path = tmp_path / "v.csv"
    write(path, text.replace("年度", "活动年度"))
    with pytest.raises(InputError) as info:
        loaders.load_visits(path, categories=CATEGORIES)
    assert_where(info.value, path, 3, "id_number", "身份证号校验位错误", "check character is wrong",
                 "row 3 signed: must be yes/no")


def test_visits_id_stored_as_number(tmp_path):
    text = ("campaign_year,id_number,area_code,visit_date,cash_yuan,goods_yuan,signed\n"
            "2026,3.50602198001011E+17,350602001,2026-01-20,500,200,是\n")
    path = write(tmp_path / "v.csv", text)
    with pytest.raises(InputError) as info:
        loaders.load_visits(path, categories=CATEGORIES)
    assert_where(info.value, path, 2, "id_number", "Excel", "stored by Excel as a number")


# ---------------------------------------------------------- registry changes

def test_registry_changes(tmp_path):
    a, b, c = pid("35060219800101001"), pid("35062319551230002"), pid("35062720100505003")
    text = ("身份证号,年度,变动原因,备注\n"
            f"{a},2026,迁出,搬到厦门\n{b},2026,died,\n{c},2025,不再符合条件,收入超标\n")
    df = loaders.load_registry_changes(write(tmp_path / "c.csv", text))
    assert list(df["reason"]) == ["moved", "died", "no_longer_eligible"]
    assert df["year"].dtype == "int64"
    assert df.loc[0, "note"] == "搬到厦门"


def test_registry_changes_unknown_reason(tmp_path):
    text = f"id_number,year,reason\n{pid('35060219800101001')},2026,lottery\n"
    path = write(tmp_path / "c.csv", text)
    with pytest.raises(InputError) as info:
        loaders.load_registry_changes(path)
    assert_where(info.value, path, 2, "reason", "变动原因不在可选值中",
                 "reason is not one of: died, moved, no_longer_eligible")


# ---------------------------------------------------------------- boundaries

def square(x, y):
    return {"type": "Polygon", "coordinates": [[[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]]}


def geojson(path: Path, features) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def test_boundaries_happy_and_unmatched(tmp_path):
    path = geojson(tmp_path / "b.geojson", [
        {"type": "Feature", "properties": {"adcode": 350602}, "geometry": square(117, 24)},
        {"type": "Feature", "properties": {"adcode": "350603"}, "geometry": square(118, 24)},
    ])
    geo = loaders.load_boundaries(path, code_property="adcode")
    assert [f["properties"]["adcode"] for f in geo["features"]] == ["350602", "350603"]
    res = loaders.unmatched_codes(geo, pd.Series(["350602", "350622", None]), "adcode")
    assert res.no_polygon == ["350622"]
    assert res.no_data == ["350603"]


def test_demo_boundaries():
    geo = loaders.load_boundaries(demo_path("boundaries/zhangzhou_counties.geojson"))
    assert len(geo["features"]) == 11


@pytest.mark.parametrize("content, column, zh, en", [
    ({"type": "Feature"}, "type", "FeatureCollection", "FeatureCollection"),
    ({"type": "FeatureCollection", "features": []}, "features", "没有任何要素", "no features"),
    ({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "350602"}, "geometry": square(1, 1)},
        {"type": "Feature", "properties": {"name": "x"}, "geometry": square(2, 2)}]},
     "features[1].properties.code", "缺少属性 code", "has no property 'code'"),
    ({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "350602"}, "geometry": None}]},
     "features[0].geometry", "缺少面状几何", "no Polygon/MultiPolygon"),
    ({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "350602"}, "geometry": square(1, 1)},
        {"type": "Feature", "properties": {"code": 350602}, "geometry": square(2, 2)}]},
     "features[1].properties.code", "重复", "repeats features[0]"),
])
def test_boundaries_errors(tmp_path, content, column, zh, en):
    path = tmp_path / "b.geojson"
    path.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        loaders.load_boundaries(path)
    exc = info.value
    assert exc.file == str(path) and exc.column == column
    assert zh in str(exc) and en in str(exc)


def test_boundaries_invalid_json_names_line(tmp_path):
    path = tmp_path / "b.geojson"
    path.write_text('{"type": "FeatureCollection",\n "features": [,]}', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        loaders.load_boundaries(path)
    assert info.value.row == 2 and "GeoJSON 格式错误" in str(info.value)


# ------------------------------------------------------------- plan inputs

def test_load_plan_inputs_from_a_small_plan(tmp_path):
    write(tmp_path / "areas.csv", AREAS_OK)
    write(tmp_path / "dibao.csv", "county_code,urban_rural,effective_date,monthly_yuan\n"
          "350602,urban,2025-07-01,860\n350602,rural,2025-07-01,810\n")
    geojson(tmp_path / "b.geojson", [{"type": "Feature", "properties": {"code": "350602"},
                                      "geometry": square(117, 24)}])
    write(tmp_path / "history.csv", HISTORY_HEAD + "2025,民政局,350602,低保户,财政,1,2,500,200,0,\n")
    write(tmp_path / "visits.csv", "campaign_year,id_number,area_code,visit_date,cash_yuan,goods_yuan,signed\n"
          f"2026,{pid('35060219800101001')},350602001,2026-01-20,500,200,是\n")
    write(tmp_path / "changes.csv", f"id_number,year,reason\n{pid('35060219800101001')},2026,moved\n")
    plan = tmp_path / "plan.yaml"
    write(plan, f"""
name: 测试方案
year: 2027
area: "350600"
data:
  areas: areas.csv
  boundaries: b.geojson
  dibao: dibao.csv
  categories: {demo_path('categories.csv')}
  history: history.csv
  visits: visits.csv
  registry_changes: changes.csv
categories:
  dibao: {{per: household, cash: 500, goods: 200}}
""")
    out = load_plan_inputs(plan)
    assert set(out) == {"areas", "boundaries", "dibao", "categories", "history", "visits", "registry_changes"}
    assert list(out["dibao"]["monthly_fen"]) == [86000, 81000]
    assert out["history"].loc[0, "category"] == "dibao"
    assert out["visits"].loc[0, "cash_fen"] == 50000
    assert out["registry_changes"].loc[0, "reason"] == "moved"
    only = load_plan_inputs(plan, include=["areas", "dibao"])
    assert set(only) == {"areas", "dibao"}


def test_dibao_xlsx_with_date_cells(tmp_path):
    import datetime as dt

    path = tmp_path / "d.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["县级区划代码", "城乡", "执行日期", "低保标准"])
    ws.append([350602, "城市", dt.date(2025, 7, 1), 850.5])
    ws.append([350602, "农村", dt.datetime(2025, 7, 1), 800])
    wb.save(path)
    df = loaders.load_dibao(path)
    assert df["county_code"].tolist() == ["350602", "350602"]
    assert df["monthly_fen"].tolist() == [85050, 80000]
    assert (df["effective_date"] == pd.Timestamp("2025-07-01")).all()


def test_load_plan_inputs_demo_plan_reference_tables():
    names = ["areas.csv", "dibao_standards.csv", "campaign_history.csv", "visits.csv",
             "registry_changes.csv", "registry.csv", "case_library.yaml"]
    assert all(demo_path(n).exists() for n in names), "the demo data set is committed"
    out = load_plan_inputs(include=["areas", "boundaries", "dibao", "history", "visits",
                                            "registry_changes"])
    assert len(out["areas"]) == 134
    assert len(out["boundaries"]["features"]) == 11
    assert out["history"]["year"].between(2019, 2026).all()
    assert set(out["visits"]["campaign_year"]) == {2025, 2026}
    # every area the records use is in the areas table
    known = set(out["areas"]["code"])
    assert set(out["visits"]["area_code"]) <= known
    assert set(out["history"]["area_code"]) <= known
