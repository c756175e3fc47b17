"""The 低保 standard in force: by date, county and urban/rural, with hand-computed fen."""

from __future__ import annotations

import pandas as pd
import pytest

from reliefplan.models import dibao

from reliefplan.ingest import reference as loaders
from reliefplan.core.errors import ConfigError
from reliefplan.core.paths import demo_path

AREAS = pd.DataFrame({
    "code": ["350600", "350602", "350602001", "350602100", "350622", "350622100"],
    "name": ["漳州市", "芗城区", "东铺头街道", "浦南镇", "云霄县", "云陵镇"],
    "parent_code": [None, "350600", "350602", "350602", "350600", "350622"],
    "level": ["city", "county", "township", "township", "county", "township"],
    "urban_rural": ["urban", "urban", "urban", "rural", "rural", "rural"],
})

DIBAO = pd.DataFrame({
    "county_code": ["350602", "350602", "350622", "350622", "350602", "350602", "350622", "350622"],
    "urban_rural": ["urban", "rural", "urban", "rural", "urban", "rural", "urban", "rural"],
    "effective_date": pd.to_datetime(["2025-07-01"] * 4 + ["2026-07-01"] * 4),
    "monthly_fen": [86000, 81000, 80000, 75000, 89000, 84000, 83000, 78000],
})


def test_standard_in_force_follows_the_date():
    people = pd.Series(["350602001", "350602100", "350622100"], index=[7, 8, 9])
    before = dibao.dibao_for_people(people, None, AREAS, DIBAO, "2026-06-30")
    on = dibao.dibao_for_people(people, None, AREAS, DIBAO, "2026-07-01")
    assert before.tolist() == [86000, 81000, 75000]
    assert on.tolist() == [89000, 84000, 78000]
    assert before.dtype == "int64" and list(before.index) == [7, 8, 9]
    assert before.name == "dibao_fen"


def test_county_code_falls_back_to_county_status():
    # a person registered only at county level takes the county's urban/rural
    people = pd.Series(["350602", "350622"])
    assert dibao.dibao_for_people(people, None, AREAS, DIBAO, "2026-01-01").tolist() == [86000, 75000]


def test_unknown_township_uses_its_county():
    people = pd.Series(["350622999"])  # not in the table: county 350622 is rural
    assert dibao.dibao_for_people(people, None, AREAS, DIBAO, "2026-01-01").tolist() == [75000]


def test_county_of_as_series_mapping_or_function():
    people = pd.Series(["350602001", "350622100"], index=["a", "b"])
    county = pd.Series(["350602", "350622"], index=["a", "b"])
    expected = [86000, 75000]
    assert dibao.dibao_for_people(people, county, AREAS, DIBAO, "2026-01-01").tolist() == expected
    mapping = {"350602001": "350602", "350622100": "350622"}
    assert dibao.dibao_for_people(people, mapping, AREAS, DIBAO, "2026-01-01").tolist() == expected
    assert dibao.dibao_for_people(people, lambda c: c[:6], AREAS, DIBAO, "2026-01-01").tolist() == expected


def test_no_standard_in_force_names_the_county():
    people = pd.Series(["350602001", "350622100"])
    with pytest.raises(ConfigError) as info:
        dibao.dibao_for_people(people, None, AREAS, DIBAO, "2025-01-28")
    msg = str(info.value)
    assert "2025-01-28 没有生效的低保标准: 350602 urban; 350622 rural" in msg
    assert "no dibao standard in force on 2025-01-28 for: 350602 urban; 350622 rural" in msg


def test_unknown_area_and_county():
    with pytest.raises(ConfigError, match="不在区划表中.*350699001.*not in the areas table"):
        dibao.dibao_for_people(pd.Series(["350699001"]), None, AREAS, DIBAO, "2026-01-01")


def test_dibao_table_one_row_per_county_and_status():
    table = dibao.dibao_table(AREAS, DIBAO, "2027-02-06")
    assert table[["county_code", "county_name", "urban_rural", "monthly_fen"]].values.tolist() == [
        ["350602", "芗城区", "urban", 89000],
        ["350602", "芗城区", "rural", 84000],
        ["350622", "云霄县", "urban", 83000],
        ["350622", "云霄县", "rural", 78000],
    ]
    assert (table["effective_date"] == pd.Timestamp("2026-07-01")).all()


def test_dibao_table_lists_gaps():
    partial = DIBAO[~((DIBAO["county_code"] == "350622") & (DIBAO["urban_rural"] == "urban"))]
    with pytest.raises(ConfigError, match="350622 云霄县 urban"):
        dibao.dibao_table(AREAS, partial, "2026-01-01")


def test_in_force_keeps_latest_on_or_before():
    current = dibao.in_force(DIBAO, "2026-07-01")
    assert current["monthly_fen"].tolist() == [84000, 89000, 78000, 83000]  # sorted county, rural<urban
    assert dibao.in_force(DIBAO, "2020-01-01").empty


def test_demo_tables_cover_every_person_on_campaign_dates():
    areas, table = loaders.load_areas(demo_path("areas.csv")), loaders.load_dibao(demo_path("dibao_standards.csv"))
    townships = areas.loc[areas["level"] == "township", "code"]
    for day in ("2025-01-28", "2026-02-16", "2027-02-05"):  # 除夕 of the 2025-2027 campaigns
        fen = dibao.dibao_for_people(townships, None, areas, table, day)
        assert (fen > 0).all()
        assert len(dibao.dibao_table(areas, table, day)) == 22
    # 东铺头街道 (urban, 芗城区) vs 浦南镇 (rural, 芗城区) in the 2027 campaign
    two = dibao.dibao_for_people(pd.Series(["350602001", "350602100"]), None, areas, table, "2027-02-05")
    assert two.tolist() == [89000, 84000]
