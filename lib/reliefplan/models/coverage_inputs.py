"""What the coverage analysis reads (registry, areas, 低保, visits, changes, categories, boundaries),
loaded once from a plan; :func:`load_inputs` is the coverage analysis's only file-reading function.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from reliefplan.ingest.categories import load_categories
from reliefplan.ingest.inputs import load_plan_inputs
from reliefplan.ingest.plan import load_plan


@dataclass
class CoverageInputs:
    """Everything the coverage analysis reads, loaded once from a plan."""

    plan: dict
    registry: pd.DataFrame
    areas: pd.DataFrame
    dibao: pd.DataFrame
    visits: pd.DataFrame
    changes: pd.DataFrame
    categories: pd.DataFrame
    boundaries: dict | None = None
    rejected: pd.DataFrame | None = None


def load_inputs(plan: dict | None = None, *, boundaries: bool = True) -> CoverageInputs:
    """Read what the plan names (registry, areas, 低保, visits, changes, categories, boundaries).

    This is the module's only file-reading function; every read goes
    through :func:`reliefplan.ingest.inputs.load_plan_inputs`. ``plan`` is a
    loaded plan, a path, or None for the demo plan. Registry rows the reader
    rejects are kept in ``rejected`` (nothing lost) and left out of the
    analysis. A plan without visits or registry changes gets empty tables.
    """

    if not isinstance(plan, dict):
        plan = load_plan(plan)
    include = ["registry", "areas", "dibao", "visits", "registry_changes", "categories"]
    if boundaries:
        include.append("boundaries")
    data = load_plan_inputs(plan, include=include)
    result = data.get("registry_result")
    return CoverageInputs(
        plan=plan,
        registry=data["registry"],
        areas=data["areas"],
        dibao=data["dibao"],
        visits=data.get("visits", _empty_visits()),
        changes=data.get("registry_changes", pd.DataFrame(columns=["id_number", "year", "reason", "note"])),
        categories=data.get("categories", load_categories()),
        boundaries=data.get("boundaries"),
        rejected=getattr(result, "rejected", None),
    )


def _empty_visits() -> pd.DataFrame:
    return pd.DataFrame({
        "campaign_year": pd.Series(dtype="int64"), "id_number": pd.Series(dtype=str),
        "name": pd.Series(dtype=str), "area_code": pd.Series(dtype=str), "organizer": pd.Series(dtype=str),
        "category": pd.Series(dtype=str), "visit_date": pd.Series(dtype="datetime64[ns]"),
        "team": pd.Series(dtype=str), "cash_fen": pd.Series(dtype="int64"),
        "goods_fen": pd.Series(dtype="int64"), "signed": pd.Series(dtype=bool),
    })
