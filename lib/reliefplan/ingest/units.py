"""The reporting units of a plan: counties, townships or organizers, and their file names.

A plan's ``area`` is the planning unit (e.g. 350600 漳州市, or 350000 福建省) and
``report_units`` says which areas below it get a report: one level
(``counties``, ``townships``, ``cities``), several levels (``[cities, counties]``:
a report per city and per county, nested), or a list of area codes. Organizers
(填报单位) are the distinct values of the registry's ``organizer`` column inside
the planning area.

The units form a tree: each unit's ``parent`` is the nearest unit above it in
the table (by area-code prefix), or the plan's area. A unit with children is
reported by a roll-up that reconciles with them; a unit without is a leaf with
a unit report.
"""

from __future__ import annotations

import hashlib
import re

import pandas as pd

from reliefplan.core import areas as area_codes
from reliefplan.core.areas import in_unit, unit_prefix
from reliefplan.core.errors import ConfigError
from reliefplan.ingest.inputs import PlanInputs

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


def organizer_names(plan) -> list[str]:
    """The distinct organizers (registry column ``organizer``) of people in the planning area, sorted.

    ``plan``: a plan dict or its :class:`PlanInputs`; the registry is checked against the plan's own
    areas and categories. Values are compared by :func:`normalize_organizer`; blank values are no organizer.
    """
    inputs = PlanInputs.of(plan)
    reg = inputs.registry
    if "organizer" not in reg or reg.empty:
        return []
    reg = reg.loc[in_unit(reg["area_code"].astype(str), str(inputs.plan.get("area") or "all"))]
    names = reg["organizer"].dropna().astype(str).map(normalize_organizer)
    return sorted(set(names[names != ""]))


def load_area_table(plan) -> pd.DataFrame:
    """The plan's area table (code, name, name_en, parent_code, level); ``plan`` a dict or PlanInputs."""
    return PlanInputs.of(plan).areas


def area_name(plan: dict, areas: pd.DataFrame, lang: str = "zh") -> str:
    """The name of the plan's planning area (``area``), e.g. 漳州市; the code when unknown."""
    code = str(plan.get("area", ""))
    return area_codes.area_name(areas, code, lang) if code else "city"


# report_units words -> the area table's level; singular and plural spellings both accepted
LEVELS = {"provinces": "province", "cities": "city", "counties": "county", "townships": "township",
          "province": "province", "city": "city", "county": "county", "township": "township",
          "organizers": "county"}   # organizers: the area units are the counties (what the roll-up reconciles)
LEVEL_ORDER = ("province", "city", "county", "township")
UNIT_COLUMNS = ("code", "name", "name_en", "level", "parent", "leaf")


def report_levels(spec) -> list[str] | None:
    """The area levels ``report_units`` names, top first; None when it is a list of area codes.

    ``"counties"`` -> ["county"]; ``["cities", "counties"]`` -> ["city", "county"]. A list mixing
    level words and codes, or an unknown word, is an error naming the valid words.
    """
    items = [spec] if isinstance(spec, str) else list(spec or [])
    words = [str(i).strip() for i in items]
    known = [w.lower() in LEVELS for w in words]
    if isinstance(spec, (list, tuple)) and not any(known):
        return None
    if not all(known):
        bad = ", ".join(w for w, k in zip(words, known) if not k)
        valid = "counties, townships, cities, provinces, organizers"
        raise ConfigError(f"report_units 含无效的层级: {bad}。可选: {valid}, 或区划代码列表",
                          f"report_units names unknown level(s): {bad}. Valid: {valid}, or a list of area codes",
                          column="report_units")
    levels = {LEVELS[w.lower()] for w in words}
    return [lv for lv in LEVEL_ORDER if lv in levels]


def _parents(codes: list[str], root: str) -> list[str]:
    """Each code's nearest ancestor among ``codes`` (the longest area-code prefix that holds it), else ``root``."""
    prefixes = {c: unit_prefix(c) for c in codes}
    out = []
    for code in codes:
        best, best_len = root, -1
        for other, prefix in prefixes.items():
            if other != code and prefix and code.startswith(prefix) and len(prefix) < len(code) \
                    and len(prefix) > best_len and prefix != unit_prefix(code):
                best, best_len = other, len(prefix)
        out.append(best)
    return out


def unit_table(plan: dict, areas: pd.DataFrame | None = None) -> pd.DataFrame:
    """The reporting units of a plan, in tree order (each parent before its children, codes ascending).

    Columns: code, name, name_en, level, parent (the unit above, or the plan's ``area``), leaf
    (True: a unit report; False: a roll-up of its children).
    """
    areas = load_area_table(plan) if areas is None else areas
    spec = plan.get("report_units", "counties")
    root = str(plan.get("area", "") or "")
    levels = report_levels(spec)
    if levels is None:
        units = areas[areas["code"].isin([str(c) for c in spec])]
    else:
        units = areas[areas["level"].isin(levels)]
        if root:
            units = units[units["code"].str.startswith(unit_prefix(root)) & (units["code"] != root)]
    out = units[["code", "name", "name_en", "level"]].copy()
    out["code"] = out["code"].astype(str)
    out["name_en"] = out["name_en"].fillna(out["code"])
    out = out.sort_values("code").reset_index(drop=True)
    out["parent"] = _parents(out["code"].tolist(), root)
    out["leaf"] = ~out["code"].isin(set(out["parent"]))
    return _tree_order(out, root)


def _tree_order(units: pd.DataFrame, root: str) -> pd.DataFrame:
    """Rows depth first from ``root``: a parent, then its children (each subtree in code order)."""
    children: dict[str, list[int]] = {}
    for i, parent in enumerate(units["parent"]):
        children.setdefault(parent, []).append(i)
    order: list[int] = []

    def visit(code):
        for i in children.get(code, []):
            order.append(i)
            visit(units["code"].iat[i])

    visit(root)
    seen = set(order)
    order += [i for i in range(len(units)) if i not in seen]   # defensive: nothing is ever dropped
    return units.iloc[order].reset_index(drop=True)


def child_units(units: pd.DataFrame, code: str) -> pd.DataFrame:
    """The units directly below ``code`` (the plan's area: the top level)."""
    return units[units["parent"] == str(code)].reset_index(drop=True)


def descendants(units: pd.DataFrame, code: str) -> list[str]:
    """Codes of every unit below ``code`` in the tree, depth first."""
    out = []
    for child in units.loc[units["parent"] == str(code), "code"]:
        out.append(child)
        out += descendants(units, child)
    return out


def ancestors(units: pd.DataFrame, code: str) -> list[str]:
    """Codes of the units above ``code`` (nearest first), not counting the plan's area."""
    parent = dict(zip(units["code"], units["parent"]))
    out = []
    code = parent.get(str(code))
    while code in parent:
        out.append(code)
        code = parent[code]
    return out
