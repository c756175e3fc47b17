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


# A file name must stay under 255 bytes on every common file system, with room for the
# longest suffix we add ("_登记表.xlsx", 15 bytes) and the hidden temporary name of an
# atomic write (".<name>.<8 random>.part", 15 bytes). Stems are cut to STEM_MAX_BYTES.
STEM_MAX_BYTES = 150
_HASH_LEN = 8


def _fit(stem: str, original: str, limit: int) -> str:
    """``stem`` cut to ``limit`` UTF-8 bytes on a character boundary, with a hash of ``original`` when cut."""
    if len(stem.encode("utf-8")) <= limit:
        return stem
    digest = hashlib.sha256(original.encode("utf-8")).hexdigest()[:_HASH_LEN]
    room = limit - _HASH_LEN - 1
    cut = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore").rstrip("._")
    return f"{cut}_{digest}"


def safe_filename(text: str, limit: int = 100) -> str:
    """A file-name-safe version of a unit name (path separators, quotes, newlines become _).

    At most ``limit`` UTF-8 bytes; a longer name is cut and given a short hash of the full
    name, so two long names that share a beginning never share a file.
    """
    cleaned = _UNSAFE_FILENAME.sub("_", str(text)).strip("._") or "unit"
    return _fit(cleaned, str(text), limit)


def normalize_organizer(name) -> str:
    """An organizer name as compared: runs of whitespace (spaces, newlines, tabs) become one space, ends trimmed.

    The registry loader does the same to cell values, so ``org:`` names typed with a line break still match.
    """
    return " ".join(str(name).split())


def organizer_stem(name: str) -> str:
    """File stem of an organizer's report: ``org_<safe name>``, plus a short hash of the exact name when
    the name had to be changed to be safe, so two organizers never share a file.

    Stricter than :func:`safe_filename`: only letters (any script), digits, ``_`` and ``-`` are kept,
    since organizer names are free text (quotes, slashes, ``#``, brackets). At most
    :data:`STEM_MAX_BYTES` bytes.
    """
    name = str(name)
    safe = re.sub(r"[^\w\-]+", "_", name).strip("_")[:60] or "organizer"
    if safe != name:
        safe = f"{safe}_{hashlib.sha256(name.encode('utf-8')).hexdigest()[:_HASH_LEN]}"
    return _fit(f"org_{safe}", name, STEM_MAX_BYTES)


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
