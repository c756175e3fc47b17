"""The reference tables the demo generator draws from: townships, 低保 standards, categories."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from reliefplan.core import paths
from reliefplan.demo.profiles import CAMPAIGN_YEAR, COUNTY_WEIGHTS, SPRING_FESTIVAL


def default_data_dir() -> Path:
    return paths.data_dir()


@dataclass(frozen=True)
class Inputs:
    """Reference tables the generator draws from.

    townships: code, name, county_code, county_name, urban_rural (one row per
    township); dibao_fen: (county_code, urban_rural) -> monthly standard in fen
    on 春节 of the campaign year; dibao_by_year: same key -> {year: fen};
    categories: code -> zh label.
    """

    townships: pd.DataFrame
    dibao_fen: dict
    categories: dict


def load_inputs(data_dir) -> Inputs:
    """Read areas, 低保 standards and categories from ``data_dir``."""
    data_dir = Path(data_dir)
    areas = pd.read_csv(data_dir / "areas.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    dibao = pd.read_csv(data_dir / "dibao_standards.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    cats = pd.read_csv(data_dir / "categories.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return build_inputs(areas, dibao, cats)


def build_inputs(areas: pd.DataFrame, dibao: pd.DataFrame, categories: pd.DataFrame) -> Inputs:
    """Inputs from the raw (string) reference tables."""
    counties = areas[areas["level"] == "county"].set_index("code")
    towns = areas[(areas["level"] == "township") & areas["parent_code"].isin(COUNTY_WEIGHTS)].copy()
    towns = towns.sort_values("code").reset_index(drop=True)
    missing = sorted(set(COUNTY_WEIGHTS) - set(towns["parent_code"]))
    if missing:
        raise ValueError(f"areas.csv has no townships under {missing}")
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
    for county in COUNTY_WEIGHTS:
        for ur in ("urban", "rural"):
            fen = latest.get((county, ur)) or latest.get((county, "rural" if ur == "urban" else "urban"))
            if fen is None:
                raise ValueError(f"dibao_standards.csv has no standard for {county}")
            dibao_fen[(county, ur)] = int(fen)
    return Inputs(townships, dibao_fen, dict(zip(categories["code"], categories["zh"])))
