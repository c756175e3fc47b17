"""Resolving the area written in a registry row to a code of the areas table."""

from __future__ import annotations

import pandas as pd

from reliefplan.core.text import clean_cell, nfkc
from reliefplan.ingest import sheets as excel
from reliefplan.ingest.convert import code_text
from reliefplan.ingest.reference import load_areas


def area_value(codes: set[str], coarse: set[str], names: dict[str, str | None]):
    def convert(value):
        text = code_text(value)
        if not text:
            return None, "missing_value", None
        if text.isdigit() and text.isascii():
            for cand in (text, *shorter_codes(text)):
                if cand in codes:
                    return cand, None, None
                if cand in coarse:
                    return None, "area_too_coarse", None
            return None, "unknown_area", None
        key = clean_cell(nfkc(excel.cell_text(value))).replace(" ", "")
        if key in names:
            code = names[key]
            return (code, None, None) if code else (None, "ambiguous_area_name", None)
        return None, "unknown_area", None
    return convert


def shorter_codes(code: str) -> list[str]:
    """12-digit statistical codes padded with zeros -> the 9- or 6-digit code they stand for."""
    out = []
    if len(code) == 12 and code.endswith("000000"):
        out.append(code[:6])
    elif len(code) == 12 and code.endswith("000"):
        out.append(code[:9])
    elif len(code) == 9 and code.endswith("000"):
        out.append(code[:6])
    return out


def area_tables(areas) -> tuple[set[str], set[str], dict[str, str | None]]:
    """(codes accepted, codes too coarse, unique name -> code) from the areas argument."""
    if areas is None:
        areas = load_areas()
    if isinstance(areas, pd.DataFrame):
        frame = areas
        codes = frame["code"].astype(str).str.strip()
        coarse_mask = pd.Series(False, index=frame.index)
        if "level" in frame:
            coarse_mask = frame["level"].isin(["city", "province"])
        names: dict[str, str | None] = {}
        if "name" in frame:
            for code, name in zip(codes[~coarse_mask], frame.loc[~coarse_mask, "name"]):
                key = clean_cell(str(name)).replace(" ", "")
                names[key] = None if key in names and names[key] != code else code
        return set(codes[~coarse_mask]), set(codes[coarse_mask]), names
    return {str(c).strip() for c in areas}, set(), {}


