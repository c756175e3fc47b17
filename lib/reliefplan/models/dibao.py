"""The applicable 低保 standard (minimum living guarantee) for a person or a county.

Standards are set per county-level unit, separately for urban and rural
residents, and change on an effective date (often 1 July). The standard in
force on a date is the one with the latest effective date on or before it.

Whether a person counts as urban or rural comes from their township's
``urban_rural`` in the areas table (街道 urban, 镇/乡 rural in the demo);
when their area code is a county code or not in the table, the county's
value is used. Amounts are integer fen.
"""

from __future__ import annotations

import pandas as pd

from reliefplan.core.errors import ConfigError



def in_force(dibao: pd.DataFrame, on_date) -> pd.DataFrame:
    """The standard in force on ``on_date`` per (county_code, urban_rural).

    Columns county_code, urban_rural, effective_date, monthly_fen; counties
    with no standard yet in force on that date are absent.
    """
    when = pd.Timestamp(on_date)
    eff = pd.to_datetime(dibao["effective_date"])
    current = dibao.loc[eff <= when].assign(effective_date=eff[eff <= when])
    current = current.sort_values("effective_date", kind="stable")
    current = current.drop_duplicates(["county_code", "urban_rural"], keep="last")
    out = current[["county_code", "urban_rural", "effective_date", "monthly_fen"]].copy()
    out["county_code"] = out["county_code"].astype("str")
    out["monthly_fen"] = out["monthly_fen"].astype("int64")
    return out.sort_values(["county_code", "urban_rural"]).reset_index(drop=True)


def urban_rural_for(area_codes: pd.Series, county_of: pd.Series | None, areas: pd.DataFrame) -> pd.Series:
    """'urban' / 'rural' per person: the area's own value, else the county's; NaN when neither is known."""
    unique = areas.drop_duplicates("code")
    table = pd.Series(unique["urban_rural"].to_numpy(), index=unique["code"].astype("str").to_numpy())
    codes = area_codes.astype("str")
    county = _counties(codes, county_of)
    status = codes.map(table)
    return status.fillna(county.map(table)).astype("str").rename("urban_rural")


def _counties(codes: pd.Series, county_of) -> pd.Series:
    if county_of is None:
        return codes.str.slice(0, 6)
    if isinstance(county_of, pd.Series):
        return county_of.astype("str").reindex(codes.index)
    if callable(county_of):
        return codes.map(county_of).astype("str")
    return codes.map(dict(county_of)).astype("str")


def dibao_for_people(area_codes: pd.Series, county_of, areas: pd.DataFrame, dibao: pd.DataFrame,
                     on_date) -> pd.Series:
    """Monthly 低保 standard in fen (int64) for each person, on ``on_date``.

    ``area_codes``: each person's area (9-digit township or 6-digit county).
    ``county_of``: each person's county code, as a Series aligned with
    ``area_codes``, a mapping or function from area code to county code, or
    None for the first 6 digits of the area code.
    Raises ConfigError naming the counties (and urban/rural) that have no
    standard in force, and the area codes whose urban/rural is unknown.
    """
    codes = area_codes.astype("str")
    county = _counties(codes, county_of)
    status = urban_rural_for(codes, county, areas)
    unknown = status.isna()
    if unknown.any():
        sample = ", ".join(sorted(codes[unknown].unique())[:5])
        raise ConfigError(f"{int(unknown.sum())} 人的区划代码不在区划表中, 无法确定城乡: {sample}",
                          f"{int(unknown.sum())} people have area codes not in the areas table, "
                          f"so urban/rural is unknown: {sample}", column="area_code")
    current = in_force(dibao, on_date)
    key = pd.MultiIndex.from_arrays([current["county_code"], current["urban_rural"].astype("str")])
    table = pd.Series(current["monthly_fen"].to_numpy(), index=key)
    wanted = pd.MultiIndex.from_arrays([county.to_numpy(), status.to_numpy()])
    pos = table.index.get_indexer(wanted)
    if (pos < 0).any():
        missing = sorted({f"{c} {u}" for c, u in zip(county[pos < 0], status[pos < 0])})
        raise ConfigError(_no_standard_zh(missing, on_date), _no_standard_en(missing, on_date),
                          column="county_code")
    return pd.Series(table.to_numpy()[pos], index=area_codes.index, name="dibao_fen", dtype="int64")


def dibao_table(areas: pd.DataFrame, dibao: pd.DataFrame, on_date) -> pd.DataFrame:
    """One row per county x urban/rural: the standard in force on ``on_date``.

    Columns county_code, county_name, urban_rural, effective_date,
    monthly_fen. Every county-level area must have both an urban and a rural
    standard in force; otherwise ConfigError lists the gaps.
    """
    counties = areas.loc[areas["level"] == "county", ["code", "name"]].astype("str")
    grid = pd.DataFrame({
        "county_code": counties["code"].repeat(2).to_numpy(),
        "county_name": counties["name"].repeat(2).to_numpy(),
        "urban_rural": ["urban", "rural"] * len(counties),
    })
    current = in_force(dibao, on_date)
    current["urban_rural"] = current["urban_rural"].astype("str")
    out = grid.merge(current, on=["county_code", "urban_rural"], how="left")
    gaps = out["monthly_fen"].isna()
    if gaps.any():
        missing = [f"{r.county_code} {r.county_name} {r.urban_rural}" for r in out[gaps].itertuples()]
        raise ConfigError(_no_standard_zh(missing, on_date), _no_standard_en(missing, on_date),
                          column="county_code")
    out["monthly_fen"] = out["monthly_fen"].astype("int64")
    return out.sort_values(["county_code", "urban_rural"], ascending=[True, False]).reset_index(drop=True)


def _no_standard_zh(missing, on_date) -> str:
    shown = "; ".join(missing[:8]) + (" …" if len(missing) > 8 else "")
    return f"{pd.Timestamp(on_date).date()} 没有生效的低保标准: {shown}"


def _no_standard_en(missing, on_date) -> str:
    shown = "; ".join(missing[:8]) + (" ..." if len(missing) > 8 else "")
    return f"no dibao standard in force on {pd.Timestamp(on_date).date()} for: {shown}"
