"""The reporting units of a plan: counties, townships or organizers, and their file names.

A plan's ``area`` is the planning unit (e.g. 350600 漳州市) and ``report_units``
says which areas below it get a report; organizers (填报单位) are the distinct
values of the registry's ``organizer`` column inside the planning area.
"""

from __future__ import annotations

import hashlib
import re

import pandas as pd

from reliefplan.core.areas import in_unit, unit_prefix
from reliefplan.ingest.plan import plan_file
from reliefplan.ingest.reference import load_areas
from reliefplan.ingest.registry import read_registry

ORG_PREFIX = "org:"

_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f\s]+')


def safe_filename(text: str) -> str:
    """A file-name-safe version of a unit name (path separators, quotes, newlines become _)."""
    cleaned = _UNSAFE_FILENAME.sub("_", str(text)).strip("._")
    return cleaned[:80] or "unit"


def normalize_organizer(name) -> str:
    """An organizer name as compared: runs of whitespace (spaces, newlines, tabs) become one space, ends trimmed.

    The registry loader does the same to cell values, so ``org:`` names typed with a line break still match.
    """
    return " ".join(str(name).split())


def organizer_stem(name: str) -> str:
    """File stem of an organizer's report: ``org_<safe name>``, plus a short hash of the exact name when
    the name had to be changed to be safe, so two organizers never share a file.

    Stricter than :func:`safe_filename`: only letters (any script), digits, ``_`` and ``-`` are kept,
    since organizer names are free text (quotes, slashes, ``#``, brackets).
    """
    name = str(name)
    safe = re.sub(r"[^\w\-]+", "_", name).strip("_")[:60] or "organizer"
    if safe != name:
        safe = f"{safe}_{hashlib.sha256(name.encode('utf-8')).hexdigest()[:8]}"
    return f"org_{safe}"


def organizer_names(plan: dict) -> list[str]:
    """The distinct organizers (registry column ``organizer``) of people in the planning area, sorted.

    Values are compared by :func:`normalize_organizer`; blank values are no organizer.
    """
    reg = read_registry(plan_file(plan, "registry")).accepted
    if "organizer" not in reg or reg.empty:
        return []
    reg = reg.loc[in_unit(reg["area_code"].astype(str), str(plan.get("area") or "all"))]
    names = reg["organizer"].dropna().astype(str).map(normalize_organizer)
    return sorted(set(names[names != ""]))


def load_area_table(plan: dict) -> pd.DataFrame:
    """The plan's area table (code, name, name_en, parent_code, level)."""
    return load_areas(plan_file(plan, "areas"))


def area_name(plan: dict, areas: pd.DataFrame, lang: str = "zh") -> str:
    """The name of the plan's planning area (``area``), e.g. 漳州市; the code when unknown."""
    code = str(plan.get("area", ""))
    row = areas[areas["code"] == code]
    if row.empty:
        return code or "city"
    if lang == "en" and pd.notna(row["name_en"].iloc[0]):
        return str(row["name_en"].iloc[0])
    return str(row["name"].iloc[0])


def unit_table(plan: dict, areas: pd.DataFrame | None = None) -> pd.DataFrame:
    """The reporting units of a plan: code, name, name_en, in code order."""
    areas = load_area_table(plan) if areas is None else areas
    spec = plan.get("report_units", "counties")
    root = str(plan.get("area", ""))
    if isinstance(spec, (list, tuple)):
        units = areas[areas["code"].isin([str(c) for c in spec])]
    else:
        # ``organizers``: the area units are the counties (what the roll-up reconciles)
        level = {"counties": "county", "townships": "township", "organizers": "county"}.get(spec, spec)
        units = areas[areas["level"] == level]
        if root:
            units = units[units["code"].str.startswith(unit_prefix(root))]
    out = units[["code", "name", "name_en"]].copy()
    out["name_en"] = out["name_en"].fillna(out["code"])
    return out.sort_values("code").reset_index(drop=True)
