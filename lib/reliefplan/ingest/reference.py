"""Loaders for the reference and record tables beside the registry.

Areas, 低保 standards, campaign history, visits and registry changes are all
read by one generic reader, :func:`reliefplan.ingest.table_reader.read_table`, driven by the declarations in
:mod:`reliefplan.core.schema`: header aliases (zh and en), the kind of each column
and which columns are required. Every problem is reported with the file, the
row as the user sees it in the file (the header is row 1, or wherever the
header was found) and the column, in Chinese and English. All problems are
collected; the error raised names the first and lists the first few, and the
full list is on the exception as ``problems`` (a DataFrame).

Money is read as text and converted to integer fen exactly (never through a
float; :mod:`.table_columns`). The area boundaries are GeoJSON, read by
:func:`reliefplan.ingest.boundaries.load_boundaries` (re-exported here).

Each loader reads the file it is given (there is no default file);
:class:`reliefplan.ingest.inputs.PlanInputs` loads the tables a plan names.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from reliefplan.core import schema
from reliefplan.core.errors import ConfigError, InputError
from reliefplan.ingest.boundaries import Unmatched, load_boundaries, unmatched_codes
from reliefplan.ingest.case_library import load_case_library as _load_case_library
from reliefplan.ingest.table_reader import flag_duplicate_keys, read_table

__all__ = [
    "AREA_LEVELS", "CHANGE_REASONS", "URBAN_RURAL", "Unmatched", "load_areas", "load_boundaries",
    "load_case_library", "load_dibao", "load_history", "load_registry_changes", "load_visits", "read_table",
    "unmatched_codes",
]

AREA_LEVELS = ("province", "city", "county", "township", "village")
URBAN_RURAL = ("urban", "rural")
CHANGE_REASONS = ("moved", "died", "no_longer_eligible")

# Spellings accepted in files -> canonical value (keys compared after header_key()).
_URBAN_RURAL_ALIASES = {
    "urban": "urban", "城市": "urban", "城镇": "urban", "城": "urban",
    "rural": "rural", "农村": "rural", "乡村": "rural", "乡": "rural",
}
_LEVEL_ALIASES = {
    "province": "province", "省": "province", "省级": "province",
    "city": "city", "市": "city", "地级": "city", "地级市": "city",
    "county": "county", "县": "county", "县级": "county", "区县": "county",
    "township": "township", "乡镇": "township", "街道": "township", "乡级": "township",
    "village": "village", "村": "village", "社区": "village", "村级": "village",
}
_CHANGE_ALIASES = {
    "moved": "moved", "迁出": "moved", "搬迁": "moved", "迁移": "moved",
    "died": "died", "死亡": "died", "去世": "died", "病故": "died",
    "no_longer_eligible": "no_longer_eligible", "nolongereligible": "no_longer_eligible",
    "不再符合条件": "no_longer_eligible", "不符合条件": "no_longer_eligible", "退出": "no_longer_eligible",
}


# ---------------------------------------------------------------------------
# The tables
# ---------------------------------------------------------------------------

def load_areas(path) -> pd.DataFrame:
    """Areas (行政区划): code, name, name_en, parent_code, level, urban_rural, edition.

    Codes are strings (6-digit county, 9-digit township, 12-digit village);
    every code is unique, every parent code is a code in the table, level is
    city/county/township/village and urban_rural is urban/rural.
    """
    path = Path(path)

    def checks(df, problems):
        flag_duplicate_keys(df, ["code"], problems, "区划代码重复", "duplicate area code")
        if "parent_code" in df:
            parent = df["parent_code"]
            orphan = parent.notna() & ~parent.isin(set(df["code"].dropna()))
            problems.add_mask(parent, orphan.to_numpy(dtype=bool), "parent_code",
                              "上级代码不在本表中", "parent code is not an area in this table")

    df = read_table(path, schema.AREAS, error=ConfigError, checks=checks, choices={
        "level": (_LEVEL_ALIASES, "层级", "level"),
        "urban_rural": (_URBAN_RURAL_ALIASES, "城乡", "urban/rural"),
    })
    for col in ("name_en", "parent_code"):
        if col not in df:
            df[col] = pd.Series(np.nan, index=df.index, dtype="str")
    if "edition" not in df:
        df["edition"] = pd.Series(pd.NA, index=df.index, dtype="Int64")
    return df


def load_dibao(path) -> pd.DataFrame:
    """低保 standards: county_code, urban_rural, effective_date, monthly_fen (int64 fen).

    One row per county, urban/rural and effective date (no duplicates); each
    standard is more than zero. In files the amount is in yuan
    (``monthly_yuan`` / 低保标准).
    """
    path = Path(path)

    def checks(df, problems):
        not6 = df["county_code"].str.len().ne(6).fillna(False).to_numpy(dtype=bool)
        problems.add_mask(df["county_code"], not6, "county_code",
                          "县级区划代码须为6位", "a county code must have 6 digits")
        zero = df["monthly_fen"].fillna(1).le(0).to_numpy(dtype=bool)
        problems.add_mask(df["monthly_fen"], zero, "monthly_fen",
                          "低保标准须大于0", "the standard must be more than zero")
        flag_duplicate_keys(df, ["county_code", "urban_rural", "effective_date"], problems,
                    "同一县、城乡、执行日期的标准重复", "duplicate standard for the same county, urban/rural and date")

    df = read_table(path, schema.DIBAO, error=ConfigError, checks=checks, choices={
        "urban_rural": (_URBAN_RURAL_ALIASES, "城乡", "urban/rural"),
    })
    df["monthly_fen"] = df["monthly_fen"].astype("int64")
    return df


def load_history(path, categories: pd.DataFrame | None = None) -> pd.DataFrame:
    """Campaign history 2019-: one row per year, organizer, area, category, funding source.

    Money columns (cash/goods/overhead, optional stated total) become int64
    fen; ``stated_total_fen`` stays nullable (Int64) because it is often blank.
    Categories are mapped to codes with ``categories`` (the plan's categories table; required).
    """
    path = Path(path)
    df = read_table(path, schema.HISTORY, error=InputError, categories=categories)
    for col in ("year", "households", "persons", "cash_fen", "goods_fen", "overhead_fen"):
        df[col] = df[col].astype("int64")
    return df


def load_visits(path, categories: pd.DataFrame | None = None) -> pd.DataFrame:
    """Visit / disbursement records: person, date, team, cash and goods (int64 fen), signed receipt."""
    path = Path(path)
    df = read_table(path, schema.VISITS, error=InputError, categories=categories)
    for col in ("campaign_year", "cash_fen", "goods_fen"):
        df[col] = df[col].astype("int64")
    return df


def load_registry_changes(path) -> pd.DataFrame:
    """Registry changes: id_number, year, reason (moved / died / no_longer_eligible), note."""
    path = Path(path)
    df = read_table(path, schema.REGISTRY_CHANGES, error=InputError, choices={
        "reason": (_CHANGE_ALIASES, "变动原因", "reason"),
    })
    df["year"] = df["year"].astype("int64")
    return df



def load_case_library(path, categories: pd.DataFrame | None = None):
    """The eleven seed plans as structured records; see :mod:`reliefplan.ingest.case_library`."""
    return _load_case_library(path, categories=categories)
