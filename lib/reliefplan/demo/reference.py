"""The reference tables the demo generator draws from: townships, 低保 standards, categories.

The embedded demo draws from the 11 counties of 漳州市 with hand-set weights
(:data:`~reliefplan.demo.profiles.COUNTY_WEIGHTS`); a larger area (``area``:
a province such as 350000 福建省, or any city) draws from every county-level
unit under it that has townships, weighted by how urban it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from reliefplan.core import paths
from reliefplan.core.areas import unit_prefix
from reliefplan.demo.profiles import CAMPAIGN_YEAR, COUNTY_WEIGHTS, SPRING_FESTIVAL, TEAMS

# Relative number of registered people of a county outside the hand-set demo weights:
# urban districts are denser but poorer households are fewer per head; rural counties list more.
DEFAULT_WEIGHT = {"urban": 3.0, "rural": 4.0}


def default_data_dir() -> Path:
    return paths.data_dir()


@dataclass(frozen=True)
class Inputs:
    """Reference tables the generator draws from.

    townships: code, name, county_code, county_name, urban_rural (one row per
    township); dibao_fen: (county_code, urban_rural) -> monthly standard in fen
    on 春节 of the campaign year; categories: code -> zh label;
    county_weights: county code -> relative number of people (the counties
    drawn from, in code order); city_names: county code -> its city's name
    (for addresses); teams: county code -> visit team.
    """

    townships: pd.DataFrame
    dibao_fen: dict
    categories: dict
    county_weights: dict = field(default_factory=lambda: dict(COUNTY_WEIGHTS))
    city_names: dict = field(default_factory=dict)
    teams: dict = field(default_factory=lambda: dict(TEAMS))


def load_inputs(data_dir, area: str | None = None) -> Inputs:
    """Read areas, 低保 standards and categories from ``data_dir`` (``area``: see :func:`build_inputs`)."""
    data_dir = Path(data_dir)
    areas = pd.read_csv(data_dir / "areas.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    dibao = pd.read_csv(data_dir / "dibao_standards.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    cats = pd.read_csv(data_dir / "categories.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return build_inputs(areas, dibao, cats, area=area)


def county_weights(areas: pd.DataFrame, area: str | None) -> dict:
    """County code -> weight: the demo's hand-set weights, or every county under ``area`` with townships."""
    if area is None:
        return dict(COUNTY_WEIGHTS)
    prefix = unit_prefix(area)
    counties = areas[(areas["level"] == "county") & areas["code"].str.startswith(prefix)]
    with_towns = set(areas.loc[areas["level"] == "township", "parent_code"])
    counties = counties[counties["code"].isin(with_towns)].sort_values("code")
    if counties.empty:
        raise ValueError(f"areas.csv has no county with townships under {area}")
    return {c: COUNTY_WEIGHTS.get(c, DEFAULT_WEIGHT.get(ur, DEFAULT_WEIGHT["rural"]))
            for c, ur in zip(counties["code"], counties["urban_rural"])}


def team_name(county_name: str) -> str:
    """The visit team of a county in a generated area set (one team per county, as its plan names them)."""
    return f"{county_name}慰问组"


def build_inputs(areas: pd.DataFrame, dibao: pd.DataFrame, categories: pd.DataFrame,
                 area: str | None = None) -> Inputs:
    """Inputs from the raw (string) reference tables.

    ``area`` None: the embedded demo's counties (漳州市); else every county-level unit under ``area``.
    """
    weights = county_weights(areas, area)
    counties = areas[areas["level"] == "county"].set_index("code")
    towns = areas[(areas["level"] == "township") & areas["parent_code"].isin(weights)].copy()
    towns = towns.sort_values("code").reset_index(drop=True)
    missing = sorted(set(weights) - set(towns["parent_code"]))
    if missing:
        raise ValueError(f"areas.csv has no townships under {missing}")
    names = areas.set_index("code")["name"]
    city_of = {c: str(counties.at[c, "parent_code"]) for c in weights}
    city_names = {c: str(names.get(city_of[c], "")) for c in weights}
    town_ur = towns["urban_rural"].where(towns["urban_rural"].isin(["urban", "rural"]), "rural")
    townships = pd.DataFrame({
        "code": towns["code"], "name": towns["name"], "county_code": towns["parent_code"],
        "county_name": towns["parent_code"].map(counties["name"]), "urban_rural": town_ur,
    })
    on = pd.Timestamp(SPRING_FESTIVAL[CAMPAIGN_YEAR])
    d = dibao.copy()
    d["effective_date"] = pd.to_datetime(d["effective_date"])
    d["fen"] = (pd.to_numeric(d["monthly_yuan"]) * 100).round().astype("int64")
    d = d[d["effective_date"] <= on].sort_values("effective_date")
    latest = d.groupby(["county_code", "urban_rural"])["fen"].last().to_dict()
    dibao_fen = {}
    for county in weights:
        for ur in ("urban", "rural"):
            fen = latest.get((county, ur)) or latest.get((county, "rural" if ur == "urban" else "urban"))
            if fen is None:
                raise ValueError(f"dibao_standards.csv has no standard for {county}")
            dibao_fen[(county, ur)] = int(fen)
    teams = dict(TEAMS) if area is None else {c: team_name(str(counties.at[c, "name"])) for c in weights}
    return Inputs(townships, dibao_fen, dict(zip(categories["code"], categories["zh"])), county_weights=weights,
                  city_names=city_names, teams=teams)
