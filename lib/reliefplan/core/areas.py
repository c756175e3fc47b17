"""Area codes (GB/T 2260 区划代码): which unit a code lies in, its township and county.

A code is 6 digits for a county (or 350600 a city, 350000 a province), 9 for a
township and 12 for a village or community. A unit holds every code that starts
with its prefix: 350600 -> 3506, 350602 -> 350602, 350602001 -> 350602001.
"""

from __future__ import annotations

import pandas as pd

NO_TOWNSHIP = ""


def unit_prefix(unit) -> str:
    """The area-code prefix of a planning unit: '350600' (a city) -> '3506'; 'all'/None -> ''."""
    if unit in (None, "", "all", "全部"):
        return ""
    code = str(unit).strip()
    if len(code) == 6:
        if code.endswith("0000"):
            return code[:2]
        if code.endswith("00"):
            return code[:4]
    if len(code) == 12:
        code = code.rstrip("0") if code.endswith("000") else code
        code = code[:9] if len(code) <= 9 else code
    return code


def in_unit(codes: pd.Series, unit) -> pd.Series:
    """Boolean mask: which area codes lie inside ``unit`` ('all' = every one)."""
    prefix = unit_prefix(unit)
    if not prefix:
        return pd.Series(True, index=codes.index)
    return codes.astype("string").fillna("").str.startswith(prefix)


def township_of(area_code: pd.Series) -> pd.Series:
    """The 9-digit township code of each area code ('' when only a county is known)."""
    codes = area_code.astype("string").fillna("")
    return codes.str[:9].where(codes.str.len() >= 9, NO_TOWNSHIP)


def county_of(area_code: pd.Series) -> pd.Series:
    """The 6-digit county code of each area code."""
    return area_code.astype("string").fillna("").str[:6]


def unit_of(area_codes: pd.Series, unit_codes) -> pd.Series:
    """Which of ``unit_codes`` (counties, cities of a province, ...) holds each area code ('' for none)."""
    out = pd.Series("", index=area_codes.index, dtype=object)
    codes = area_codes.astype(str)
    for code in unit_codes:
        out[in_unit(codes, code).to_numpy()] = str(code)
    return out
