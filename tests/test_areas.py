"""One vocabulary for area codes and names (core.areas), and what uses it."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from reliefplan.core.areas import (
    ancestor, area_name, area_names, areas_at_level, county_of, in_unit, township_of, unit_prefix,
)
from reliefplan.core.errors import ConfigError
from reliefplan.models.campaigns import filter_history
from reliefplan.views.app import check_unit

AREAS = pd.DataFrame({
    "code": ["410600", "410611", "410622", "410622001", "410622100"],
    "name": ["鹤壁市", "淇滨区", "淇县", "朝歌街道", "北阳镇"],
    "name_en": ["Hebi City", "Qibin District", None, "Zhaoge Subdistrict", "Beiyang Town"],
    "parent_code": [None, "410600", "410600", "410622", "410622"],
    "level": ["city", "county", "county", "township", "township"],
})


def test_codes():
    codes = pd.Series(["410622100", "410611", None, "410622001001"])
    assert unit_prefix("410600") == "4106" and unit_prefix("all") == ""
    assert in_unit(codes, "410622").tolist() == [True, False, False, True]
    assert county_of(codes).tolist() == ["410622", "410611", "", "410622"]
    assert township_of(codes).tolist() == ["410622100", "", "", "410622001"]


def test_names_and_parents():
    assert area_names(AREAS, "en")["410622"] == "淇县"          # no English name: the Chinese one
    assert area_name(AREAS, "410622100") == "北阳镇" and area_name(AREAS, "999999") == "999999"
    assert area_names(None) == {}
    assert ancestor(AREAS, "410622100", "county") == "410622"
    assert ancestor(AREAS, "410622100", "city") == "410600"
    assert ancestor(AREAS, "410611", "township") is None
    assert areas_at_level(AREAS, "township", "410622")["name"].tolist() == ["朝歌街道", "北阳镇"]


def test_history_filtered_by_a_city_or_a_county():
    hist = pd.DataFrame({"year": [2025, 2025], "area_code": ["410622", "410611001"], "county_code": ["410622", "410611"]})
    assert len(filter_history(hist, unit="410600")) == 2                    # the city holds its counties
    assert filter_history(hist, unit="410611")["area_code"].tolist() == ["410611001"]


def test_budget_notebook_unit_is_all_or_a_county():
    inputs = SimpleNamespace(plan={"area": "410600"}, areas=AREAS)
    assert check_unit("all", inputs) == "all" and check_unit("410600", inputs) == "all"
    assert check_unit("410622", inputs) == "410622"
    with pytest.raises(ConfigError) as err:                                # was: silently 0 households
        check_unit("410622100", inputs)
    text = err.value.message()
    assert "410622 淇县" in text and "township" in text and "乡镇" in text
    with pytest.raises(ConfigError, match="unknown unit"):
        check_unit("123456", inputs)
